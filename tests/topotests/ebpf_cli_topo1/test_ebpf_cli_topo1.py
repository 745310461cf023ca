#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
ebpf_cli_topo1: hostile input to every `ebpf` command and show command.

    r1 ---- r2
      eth0 eth0
      eth1 eth1
      eth2 eth2

r1 runs Debian's zebra with the plugin and the `ebpf` block of r1/frr.conf
(r1-eth0 in mode xdp, r1-eth1 in mode tc); r1-eth2 is enslaved to a bridge
br0 and lo is not Ethernet, so the plugin must refuse both. A static route
gives the show commands a route and a nexthop group.

r1/frr.conf also configures the load balancer (three VIPs using every
command of the vip node) and source NAT, so that the catalogue finds
objects to attack and the round trip covers all of them.

The catalogue (catalogue.py) is typed into r1's plugin-aware vtysh entry by
entry. Each answer must match what the entry expects (a message that says
what is valid, JSON for json variants), `show running-config` must be
byte-identical afterwards (entries meant to change it are undone first) and
zebra must be the same process.

r2 runs only zebra, restarted with bad module arguments
(`-M dplane_ebpf.so:ARGS`): zebra must keep running and say why the
datapath is not loaded.
"""

import difflib
import json
import os
import re
import shlex
import subprocess
import sys
import time

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.append(os.path.join(CWD, ".."))
sys.path.append(CWD)

# pylint: disable=C0413
from lib import topotest
from lib.topogen import Topogen, TopoRouter, get_topogen
from lib.topolog import logger

from ebpftest import bpfmaps, settings, show
import catalogue

pytestmark = [pytest.mark.ebpf]

ROUTE = "192.0.2.0/24"


def build_topo(tgen):
    r1 = tgen.add_router("r1")
    r2 = tgen.add_router("r2")
    for i in range(3):
        tgen.add_link(r1, r2, "r1-eth{}".format(i), "r2-eth{}".format(i))


def setup_module(mod):
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()
    r1 = tgen.gears["r1"]
    # an interface that exists but belongs to a bridge
    r1.net.cmd_raises("ip link add br0 type bridge")
    r1.net.cmd_raises("ip link set r1-eth2 master br0")
    r1.net.cmd_raises("ip link set br0 up")

    conf = os.path.join(tgen.logdir, "r1", "frr.conf")
    with open(os.path.join(CWD, "r1", "frr.conf")) as f:
        text = f.read()
    with open(conf, "w") as f:
        f.write(settings.router_config(text))
    r1.load_config(TopoRouter.RD_FRR, conf)
    r1.load_config(TopoRouter.RD_ZEBRA, None, settings.zebra_args())
    r1.load_config(TopoRouter.RD_STATIC)
    # r2 is started by test_bad_module_arguments, with the arguments under
    # test.
    tgen.start_router(r1)
    assert r1.check_router_running() == ""


def teardown_module(mod):
    tgen = get_topogen()
    tgen.stop_topology()


# ------------------------------------------------------------------ helpers


def _shell_word(line):
    """A line for bash: bytes (not UTF-8) go through printf."""
    if isinstance(line, str):
        return shlex.quote(line)
    return "\"$(printf '{}')\"".format("".join("\\{:03o}".format(b) for b in line))


def vtysh(router, node, lines):
    """Type lines in node of the router's vtysh; (rc, output with stderr)."""
    typed = catalogue.NODES[node] + list(lines)
    if all(isinstance(line, str) for line in typed):
        cmd = ["vtysh"]
        for line in typed:
            cmd += ["-c", line]
    else:
        cmd = ["bash", "-c", "vtysh " + " ".join("-c " + _shell_word(l) for l in typed)]
    rc, out, _ = router.net.cmd_status(
        cmd, warn=False, stderr=subprocess.STDOUT, errors="replace"
    )
    return rc, out


def state(router):
    """(running configuration, zebra's pid or None when not running)."""
    out = router.net.cmd_raises(
        "vtysh -c 'show running-config'; p=$(cat /var/run/frr/zebra.pid);"
        " kill -0 $p 2>/dev/null && echo \"@@zebra $p\" || echo '@@zebra none'"
    )
    text, _, tail = out.rpartition("@@zebra ")
    pid = tail.strip()
    return text, None if pid == "none" else int(pid)


def _diff(a, b):
    return "".join(difflib.unified_diff(a.splitlines(True), b.splitlines(True), "before", "after"))


def check_output(entry, out):
    """What is wrong with an entry's output, or None."""
    # the model's own refusals, with the model's words, are allowed
    checked = out
    for message in catalogue.MODEL_MESSAGES:
        checked = checked.replace("YANG error(s):\n " + message, "")
    for pattern in catalogue.FORBIDDEN:
        if re.search(pattern, checked):
            return "forbidden output /{}/".format(pattern)
    if re.search(r"% (Unknown command|Command incomplete)", out) and not re.search(
        r"Valid there:|% This is a command of", out
    ):
        return "a bare parser error, without what is valid"
    for pattern in entry.expect:
        if not re.search(pattern, out, re.M):
            return "no match for /{}/".format(pattern)
    if entry.json:
        try:
            json.loads(out)
        except ValueError as e:
            return "not JSON: {}".format(e)
    return None


def _poll(func, timeout=30, wait=1):
    _, result = topotest.run_and_expect(func, None, count=int(timeout / wait), wait=wait)
    return result


def _show_json(router, command):
    rc, out = vtysh(router, "enable", [command])
    try:
        return json.loads(out)
    except ValueError:
        return None


# -------------------------------------------------------------------- tests


def test_fresh_json():
    """On a freshly started zebra every `show ebpf ... json` form prints
    valid JSON, the datapath is loaded, and r1's route is in the datapath
    (which the catalogue's show entries rely on)."""
    tgen = get_topogen()
    settings.require_plugin("the plugin's commands")
    r1 = tgen.gears["r1"]
    bad = {}
    for command in catalogue.SHOW_JSON:
        rc, out = vtysh(r1, "enable", [command])
        try:
            json.loads(out)
        except ValueError:
            bad[command] = out
    assert not bad, "not JSON: {}".format(bad)
    assert _show_json(r1, "show ebpf dataplane json").get("loaded"), "datapath not loaded"

    def route_in_datapath():
        data = _show_json(r1, "show ebpf route {} json".format(ROUTE)) or {}
        return None if data.get(ROUTE, {}).get("type") == "nhg" else data

    result = _poll(route_in_datapath)
    assert result is None, "{} not in the datapath: {}".format(ROUTE, result)


def test_route_listing_is_what_the_maps_hold():
    """`show ebpf route json` lists, from the plugin's own table (copied by
    zebra's dplane pthread, no map walked on the main one), every prefix
    rt_v4_map and rt_v6_map hold once the deferred copy is written, and
    nothing else; each family's form lists that family alone."""
    settings.require_plugin("the datapath's route listing")
    r1 = get_topogen().gears["r1"]

    # Polled as a whole: a route may still arrive between two reads (an
    # interface's link-local address, once its DAD is over).
    def differ():
        listed = set(show.routes(r1))
        held = set(bpfmaps.rt_prefixes(r1, 4)) | set(bpfmaps.rt_prefixes(r1, 6))
        v4 = set(_show_json(r1, "show ebpf route ipv4 json"))
        v6 = set(_show_json(r1, "show ebpf route ipv6 json"))
        if listed != held or ROUTE not in listed:
            return (listed ^ held, ROUTE)
        if not (v4 and v6 and all(":" not in p for p in v4) and all(":" in p for p in v6)):
            return ("families", v4, v6)
        return None if v4 | v6 == listed else ("per family", (v4 | v6) ^ listed)

    result = _poll(differ)
    assert result is None, "listed and held differ in: {}".format(result)


def test_catalogue():
    """Every entry of the catalogue (at least 60 inputs; every command of the
    plugin, each with several) is answered as the entry expects: a message
    that says what is wrong and what is valid (never a bare "% Unknown
    command"), JSON for json variants; `show running-config` is
    byte-identical afterwards (after the undo lines of the entries meant to
    change it) and zebra's pid is unchanged."""
    tgen = get_topogen()
    settings.require_plugin("the plugin's commands")
    r1 = tgen.gears["r1"]
    counts = catalogue.counts()
    logger.info("catalogue: %d entries: %s", len(catalogue.CATALOGUE), counts)
    assert len(catalogue.CATALOGUE) >= 60
    assert all(n >= 4 for n in counts.values()), counts

    before, pid = state(r1)
    assert pid, "zebra not running"
    failures = []
    report = []
    started = time.time()
    for entry in catalogue.CATALOGUE:
        rc, out = vtysh(r1, entry.node, entry.lines)
        report.append("### {} [{}] rc={}\n{}\n".format(entry.command, entry.node, rc,
                                                        entry.typed()[:200]) + out)
        problem = check_output(entry, out)
        after, now = state(r1)
        if now != pid:
            failures.append("{!r}: zebra pid {} -> {}: {}".format(entry, pid, now, out))
            break
        if entry.undo:
            if after == before:
                problem = problem or "running-config did not change"
            node, lines = entry.undo
            _, undo_out = vtysh(r1, node, lines)
            after, now = state(r1)
            if undo_out.strip():
                problem = problem or "undo said: " + undo_out
        if after != before:
            failures.append("{!r}: running-config changed:\n{}".format(entry, _diff(before, after)))
            before = after
        if problem:
            failures.append("{!r}: {}\n--- output:\n{}".format(entry, problem, out))
    logger.info("catalogue ran in %.1f s", time.time() - started)
    with open(os.path.join(tgen.logdir, "r1", "catalogue.txt"), "w") as f:
        f.write("\n".join(report))
    assert not failures, "{} of {} entries failed:\n\n{}".format(
        len(failures), len(catalogue.CATALOGUE), "\n\n".join(failures))


def test_fresh_json_after_catalogue():
    """After the whole catalogue zebra still answers every json form with
    valid JSON and still runs the datapath on the configured interfaces."""
    tgen = get_topogen()
    settings.require_plugin("the plugin's commands")
    r1 = tgen.gears["r1"]
    for command in catalogue.SHOW_JSON:
        assert _show_json(r1, command) is not None, command
    shown = _show_json(r1, "show ebpf interface json")
    assert sorted(shown) == ["r1-eth0", "r1-eth1"], shown
    assert shown["r1-eth0"]["mode"] == "xdp" and shown["r1-eth0"]["xdpAttached"]
    assert shown["r1-eth1"]["mode"] == "tc" and shown["r1-eth1"]["tcAttached"]


# The ebpf block of r1/frr.conf as zebra prints it back: defaults (maglev,
# dnat, rise 2, status 200, timeout 300) are not printed, VIPs in name
# order, backends and rules in address order.
EBPF_BLOCK = """
ebpf
 interface r1-eth0
 interface r1-eth1 mode tc
 load-balancer
  hash-seed 7
  vip dns
   address 198.18.0.11 all-ports protocol udp
   algorithm least-connections
   persistence
   nat-mode dsr
   health-check icmp
   backend 10.0.0.5 port 0
  exit
  vip web4
   address 198.18.0.10 port 80 protocol tcp
   health-check tcp interval 500 fall 2
   backend 10.0.0.2 port 8080
   backend 10.0.1.2 port 8080 weight 50
  exit
  vip web6
   address 2001:db8::10 port 443 protocol tcp
   algorithm weighted-round-robin
   persistence timeout 60
   nat-mode fullnat
   fullnat-source fd00::1
   health-check http /healthz status 204 port 8080 interval 2000 rise 3 fall 4
   backend fd00::2 port 8443 weight 3
   backend fd00::3 port 8443 admin-down
  exit
 exit
 nat
  source 10.0.0.0/8 out-interface r1-eth0 masquerade
  source fd00::/8 out-interface r1-eth0 pool fd00::100 fd00::103
 exit
 policer gold
  srtcm cir 20000 cbs 50000 ebs 50000
  exceed-action set-dscp 10
  apply interface r1-eth0
  apply vip web4
  apply match source 10.7.0.0/16 protocol udp port 53
 exit
 policer silver
  trtcm cir 10000 cbs 20000 pir 40000 pbs 40000 color-aware
  conform-action set-dscp 18
  violate-action transmit
  apply match destination fd00::/64
 exit
exit
"""


def _without_log_files(text):
    # The topotest library gives each daemon its own `log file`: vtysh -b
    # sends the saved one to both, which reorders them. Not ours.
    return re.sub(r"(?m)^log file .*\n", "", text)


def _boot_apply_unchanged(router, before, pid):
    """`vtysh -b` on the saved frr.conf: no error, the running
    configuration as `before`, zebra still `pid`."""
    rc, out, _ = router.net.cmd_status(["vtysh", "-b"], warn=False, stderr=subprocess.STDOUT)
    assert rc == 0, out
    after, now = state(router)
    assert now == pid, "zebra {} -> {}".format(pid, now)
    before, after = _without_log_files(before), _without_log_files(after)
    assert after == before, _diff(before, after)


def test_config_roundtrip():
    """After the catalogue the configuration still round-trips: `show
    running-config` prints the whole ebpf block of r1/frr.conf (interfaces,
    load balancer with every VIP command, NAT, policers) in its canonical form,
    `write memory` saves it as shown, and `vtysh -b` applies the saved
    frr.conf to the running zebra without an error, leaving the running
    configuration byte-identical and zebra in place."""
    tgen = get_topogen()
    settings.require_plugin("the plugin's configuration")
    r1 = tgen.gears["r1"]
    before, pid = state(r1)
    assert EBPF_BLOCK in before, _diff(EBPF_BLOCK, before)
    rc, out = vtysh(r1, "enable", ["write memory"])
    assert rc == 0, out
    saved = r1.net.cmd_raises("cat /etc/frr/frr.conf")
    assert EBPF_BLOCK in saved, _diff(EBPF_BLOCK, saved)
    _boot_apply_unchanged(r1, before, pid)


def test_config_boot_batch():
    """The whole block is applied by `vtysh -b` in one transaction (as
    Debian does at boot) to a zebra that has none of it: after `no ebpf`,
    `vtysh -b` on the saved frr.conf brings back every VIP, backend and
    rule, byte-identical, and the load balancer's maps hold them again
    (three VIPs, two NAT rules)."""
    tgen = get_topogen()
    settings.require_plugin("the plugin's configuration")
    r1 = tgen.gears["r1"]
    before, pid = state(r1)
    rc, out = vtysh(r1, "config", ["no ebpf"])
    assert rc == 0 and not out.strip(), out
    gone, _ = state(r1)
    assert "load-balancer" not in gone and "\nebpf\n" not in gone, gone
    _boot_apply_unchanged(r1, before, pid)

    def installed():
        lb = _show_json(r1, "show ebpf load-balancer json") or {}
        vips = lb.get("vips", {})
        nat = _show_json(r1, "show ebpf nat json") or {}
        ok = (sorted(vips) == ["dns", "web4", "web6"]
              and all(v.get("installed") for v in vips.values())
              and len(nat) == 2 and all(r.get("installed") for r in nat.values()))
        return None if ok else (lb, nat)

    result = _poll(installed)
    assert result is None, "not back in the datapath: {}".format(result)


# --------------------------------------------------------- module arguments

def number(key, value):
    """The refusal of a value that is not a number in the key's range (the
    range itself is dp_boot.c's business)."""
    return r"module argument {}={}: a number from \d+ to \d+ is required".format(
        re.escape(key), re.escape(value))


USAGE = (r"\(valid: ipv4-routes=N, ipv6-routes=N, nexthop-groups=N, neighbors=N, "
         r"netlink-rcvbuf=BYTES, lb-vips=N, lb-backends=N, lb-ring=N, lb-persist=N, "
         r"conntrack=N, nat-rules=N, hold-time=SECONDS, resync-delay=SECONDS, pin-dir=PATH, separated by commas\)")

BAD_MODULE_ARGS = [
    ("foo=1", r"unknown module argument 'foo' " + USAGE),
    ("ipv4-routes=abc", number("ipv4-routes", "abc")),
    ("ipv4-routes=1", number("ipv4-routes", "1")),
    ("ipv6-routes=99999999999999999999",
     number("ipv6-routes", "99999999999999999999")),
    ("nexthop-groups=0x100", number("nexthop-groups", "0x100")),
    ("neighbors=-1", number("neighbors", "-1")),
    ("netlink-rcvbuf=1", number("netlink-rcvbuf", "1")),
    ("ipv4-routes=２０４８", number("ipv4-routes", "２０４８")),
    ("ipv4-routes=2048 ipv6-routes=2048",
     number("ipv4-routes", "2048 ipv6-routes=2048")),
    ("ipv4-routes=", r"module argument 'ipv4-routes=' is not NAME=VALUE " + USAGE),
    ("ipv4-routes", r"module argument 'ipv4-routes' is not NAME=VALUE " + USAGE),
    ("=2048", r"module argument '=2048' is not NAME=VALUE " + USAGE),
    ("pin-dir=frr-ebpf",
     r"module argument pin-dir=frr-ebpf: an absolute path shorter than 256 characters is required"),
    ("pin-dir=/" + "p" * 300, r"an absolute path shorter than 256 characters is required"),
    ("ipv4-routes=2048,ipv4-routes=4096",
     r"module argument ipv4-routes is given more than once"),
    ("pin-dir=/sys/fs/bpf/x,pin-dir=/sys/fs/bpf/y",
     r"module argument pin-dir is given more than once"),
    ("ipv4-routes=2048,,ipv6-routes=2048",
     r"module argument '' is not NAME=VALUE " + USAGE),
    ("ipv4-routes=2048,", r"module argument '' is not NAME=VALUE " + USAGE),
    ("lb-vips=8", number("lb-vips", "8")),
    ("lb-backends=1048577", number("lb-backends", "1048577")),
    ("lb-ring=1000", number("lb-ring", "1000")),
    ("lb-persist=abc", number("lb-persist", "abc")),
    ("conntrack=0", number("conntrack", "0")),
    ("nat-rules=65537", number("nat-rules", "65537")),
    ("conntrack=4096,conntrack=8192", r"module argument conntrack is given more than once"),
    ("hold-time=0", number("hold-time", "0")),
    ("hold-time=86401", number("hold-time", "86401")),
]


_r2_started = []


def _stop_zebra(router):
    """SIGTERM to zebra, and wait until it is gone."""
    _, pid = state(router)
    if not pid:
        return
    # the pid is the router's (it may have its own pid namespace): wait
    # there
    rc, _, _ = router.net.cmd_status(
        "kill {0}; for i in $(seq 100); do kill -0 {0} 2>/dev/null || exit 0;"
        " sleep 0.1; done; exit 1".format(pid), warn=False)
    assert rc == 0, "{}: zebra {} did not stop".format(router.name, pid)


def _start_r2(tgen, args):
    """(Re)start r2's zebra with the plugin and args; its pid, or None."""
    r2 = tgen.gears["r2"]
    module = "{}:{}".format(settings.ebpf_module, args)
    r2.load_config(TopoRouter.RD_ZEBRA, None, "-M " + shlex.quote(module))
    if _r2_started:
        _stop_zebra(r2)
        r2.startDaemons(["zebra"])
    else:
        tgen.start_router(r2)
        _r2_started.append(True)
    # zebra must still run after the module's failed start
    time.sleep(0.5)
    return state(r2)[1]


@pytest.mark.parametrize(
    "args,why", BAD_MODULE_ARGS,
    ids=[case[0][:40] if isinstance(case, tuple) else None for case in BAD_MODULE_ARGS])
def test_bad_module_arguments(args, why):
    """zebra started with a bad `-M dplane_ebpf.so:ARGS` keeps running with
    kernel forwarding only: `show ebpf dataplane` and its JSON say that the
    datapath is not loaded and why (naming the argument and what is valid),
    the commands that need the maps say so too, every json form stays
    valid JSON, and configuring an interface is refused with the reason."""
    tgen = get_topogen()
    settings.require_plugin("module arguments of the plugin")
    r2 = tgen.gears["r2"]
    pid = _start_r2(tgen, args)
    assert pid, "zebra -M ...:{} is not running".format(args)

    _, text = vtysh(r2, "enable", ["show ebpf dataplane"])
    data = _show_json(r2, "show ebpf dataplane json")
    assert data is not None, "show ebpf dataplane json is not JSON"
    assert re.search(r"% eBPF dataplane not loaded: .*" + why, text), text
    assert data.get("loaded") is False and re.search(why, data.get("error", "")), data

    _, text = vtysh(r2, "enable", ["show ebpf route"])
    assert re.search(r"% eBPF dataplane not loaded: .*" + why, text), text
    for command in catalogue.SHOW_JSON:
        assert _show_json(r2, command) is not None, "{}: not JSON".format(command)
    _, text = vtysh(r2, "ebpf", ["interface r2-eth0 mode tc"])
    assert re.search(r"Error description: eBPF datapath not loaded: .*" + why, text), text
    assert state(r2)[1] == pid, "zebra restarted"


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))

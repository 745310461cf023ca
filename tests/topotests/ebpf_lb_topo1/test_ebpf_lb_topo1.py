#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
ebpf_lb_topo1: the load balancer end to end, through two frr-ebpf nodes
behind an ECMP upstream (issue 7).

                       +-- lb1 --+
    c1 ---- r0 --------+         +==== s1 (backend segment) ==== b1 b2 b3
               \\       +-- lb2 --+      |
                +---------------------- r0-eth3 (DSR replies only)

c1 10.1.0.2/24 fd01::2/64 (gw r0 10.1.0.1 / fd01::1)
r0-eth1 -- lb1-eth0  10.0.1.0/24 fd00:1::/64 (r0 .1, lb1 .2), XDP on lb1
r0-eth2 -- lb2-eth0  10.0.2.0/24 fd00:2::/64 (r0 .1, lb2 .2), XDP on lb2
s1: lb1-eth1 10.2.0.1 fd02::1 (XDP), lb2-eth1 10.2.0.2 fd02::2 (mode tc),
    bN-eth0 10.2.0.1N fd02::1N (N = 1..3), r0-eth3 10.2.0.254 fd02::fe

r0 is plain FRR (kernel forwarding on), AS 65000, `maximum-paths 8`; lb1 and
lb2 run zebra with the plugin and bgpd, both AS 65001, kernel forwarding off
(checked first): whatever crosses them was forwarded by the datapath. The
backends' servers (lbtool.py serve) answer each TCP line and each UDP
datagram with their own name and the source address they saw.

VIPs (lbN/frr.conf):
  web4    198.18.0.10:80/tcp  maglev fullnat, health-check tcp 200 ms rise 2 fall 2   lb1 + lb2
  dns4    198.18.0.11:5353/udp maglev fullnat                                           lb1 + lb2
  web6    [2001:db8::10]:80/tcp maglev fullnat                                          lb1 + lb2
  web4d   198.18.0.20:80/tcp  maglev dnat                                               lb1 only
  web6d   [2001:db8::20]:80/tcp maglev dnat                                             lb1 only
  web4dsr 198.18.0.30:80/tcp  maglev dsr (backends hold the VIP on lo)                  lb1 only
  web6dsr [2001:db8::30]:80/tcp maglev dsr (the same over IPv6)                         lb1 only
Each LB announces its VIPs with `network X/32` and import-check: the plugin's
blackhole kernel route (protocol 251) exists while a backend is up.

Return paths, which decide which NAT mode each scenario can use:
- Behind ECMP, a flow may enter through either LB (and move between them
  when r0 rehashes). With dnat the backend answers the client's address, so
  the reply follows the backend's own route; the backends' default route
  points at lb1, so flows that entered through lb2 would come back through
  lb1, which holds no conntrack entry for them, and leave untranslated (the
  client sees the backend's address and resets). The VIPs that both LBs
  announce are therefore `fullnat`: the backend answers the LB's own
  segment address, on-link, so each LB sees both directions of its flows.
- dnat (web4d, web6d) is tested on lb1 alone, whose VIP only lb1 announces: the
  backends' default route via lb1 then brings the replies back to the LB
  holding the flow, and the backend sees the client's real address.
- DSR (web4dsr, web6dsr, lb1 only): the backend answers from the VIP (on
  its lo) and the reply must not cross an LB. Rules on each backend (`from
  198.18.0.30 lookup 200`, `from 2001:db8::30 lookup 200`, table 200:
  default via r0-eth3) send those replies straight to r0; r0's rp_filter is
  off for that asymmetric path.
- Source NAT (added in its test on lb1): b1 connects to c1; lb1 rewrites the
  source to lb1-eth0's address, so c1 (behind r0) sees 10.0.1.2.

A flow's LB is fixed at r0 by policy routing where a test needs it (source
port ranges from c1 looked up in tables 101 (via lb1) and 102 (via lb2)).
"""

import json
import subprocess
import os
import sys
import time

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.append(os.path.join(CWD, ".."))

# pylint: disable=C0413
from lib import topotest
from lib.topogen import Topogen, TopoRouter, get_topogen
from lib.topolog import logger

from ebpftest import bpfmaps, settings, show, traffic

pytestmark = [pytest.mark.bgpd, pytest.mark.ebpf]

PYTHON = "/usr/bin/python3"
LBTOOL = os.path.join(CWD, "lbtool.py")
LBS = ("lb1", "lb2")
BACKENDS = {"b1": ("10.2.0.11", "fd02::11"), "b2": ("10.2.0.12", "fd02::12"),
            "b3": ("10.2.0.13", "fd02::13")}
C1 = ("10.1.0.2", "fd01::2")
WEB4, DNS4, WEB6, WEB4D, WEB4DSR = ("198.18.0.10", "198.18.0.11", "2001:db8::10",
                                    "198.18.0.20", "198.18.0.30")
WEB6D, WEB6DSR = "2001:db8::20", "2001:db8::30"
LB_SEG = {"lb1": ("10.2.0.1", "fd02::1"), "lb2": ("10.2.0.2", "fd02::2")}
LB_UP = {"lb1": "10.0.1.2", "lb2": "10.0.2.2"}

SERVERS = {}  # backend name -> Popen of its server (started by this test)


def build_topo(tgen):
    r0 = tgen.add_router("r0")
    lb1 = tgen.add_router("lb1")
    lb2 = tgen.add_router("lb2")
    c1 = tgen.add_host("c1", C1[0] + "/24", "via 10.1.0.1")
    tgen.add_link(c1, r0, "c1-eth0", "r0-eth0")
    tgen.add_link(r0, lb1, "r0-eth1", "lb1-eth0")
    tgen.add_link(r0, lb2, "r0-eth2", "lb2-eth0")
    sw = tgen.add_switch("s1")
    sw.add_link(lb1, nodeif="lb1-eth1")
    sw.add_link(lb2, nodeif="lb2-eth1")
    sw.add_link(r0, nodeif="r0-eth3")
    for name, (v4, _) in BACKENDS.items():
        b = tgen.add_host(name, v4 + "/24", "via " + LB_SEG["lb1"][0])
        sw.add_link(b, nodeif=name + "-eth0")


def _start_server(tgen, name):
    node = tgen.gears[name]
    proc = node.net.popen([PYTHON, LBTOOL, "serve", name, "--tcp", "8080",
                           "--tcp", "80", "--udp", "5353"])
    line = proc.stdout.readline().strip()
    assert line == "ready", "{}: server did not start: {}".format(name, line)
    SERVERS[name] = proc


def _stop_server(name):
    proc = SERVERS.pop(name, None)
    if proc and proc.poll() is None:
        proc.kill()  # only the process this test started, by its Popen
        proc.wait()


def setup_module(mod):
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()

    c1 = tgen.gears["c1"]
    c1.net.cmd_raises("ip -6 addr add {}/64 dev c1-eth0 nodad".format(C1[1]))
    c1.net.cmd_raises("ip -6 route add default via fd01::1")
    for name, (_, v6) in BACKENDS.items():
        b = tgen.gears[name]
        b.net.cmd_raises("ip -6 addr add {}/64 dev {}-eth0 nodad".format(v6, name))
        b.net.cmd_raises("ip -6 route add default via fd02::1")
        # DSR: the VIP on lo, not answered in ARP; its replies go to r0
        b.net.cmd_raises("ip addr add {}/32 dev lo".format(WEB4DSR))
        b.net.cmd_raises("sysctl -qw net.ipv4.conf.all.arp_ignore=1")
        b.net.cmd_raises("sysctl -qw net.ipv4.conf.all.arp_announce=2")
        b.net.cmd_raises("ip route add default via 10.2.0.254 dev {}-eth0 onlink table 200".format(name))
        b.net.cmd_raises("ip rule add from {} lookup 200".format(WEB4DSR))
        b.net.cmd_raises("ip -6 addr add {}/128 dev lo".format(WEB6DSR))
        b.net.cmd_raises("ip -6 route add default via fd02::fe dev {}-eth0 table 200".format(name))
        b.net.cmd_raises("ip -6 rule add from {} lookup 200".format(WEB6DSR))

    r0 = tgen.gears["r0"]
    for name in ("all", "default", "r0-eth3"):
        r0.net.cmd_raises("sysctl -qw net.ipv4.conf.{}.rp_filter=0".format(name))
    r0.net.cmd_raises("sysctl -qw net.ipv4.fib_multipath_hash_policy=1")
    r0.net.cmd_raises("sysctl -qw net.ipv6.fib_multipath_hash_policy=1")
    r0.net.cmd_raises("ip route add 198.18.0.0/24 via 10.0.1.2 dev r0-eth1 onlink table 101")
    r0.net.cmd_raises("ip route add 198.18.0.0/24 via 10.0.2.2 dev r0-eth2 onlink table 102")

    # veth artefacts (DESIGN.md §5): native XDP redirect into a veth needs
    # GRO on the receiving peer, and TCP over XDP needs the sender's
    # checksum filled in (no TX checksum offload). The switch's ends of
    # the backend segment are bridge ports without GRO: lb1-eth1 is XDP
    # anyway (the datapath hands frames for a veth whose peer takes no XDP
    # frames to TC, docs' contract table), lb2-eth1 is `mode tc`.
    for gname in ["r0", "c1"] + list(LBS) + list(BACKENDS):
        gear = tgen.gears[gname]
        for ifname in gear.links:
            gear.net.cmd_raises("ethtool -K {} gro on tx off".format(ifname))

    for rname, router in tgen.routers().items():
        settings.load_router_frr_conf(tgen, router, CWD)
        router.load_config(TopoRouter.RD_ZEBRA, None,
                           settings.zebra_args() if rname in LBS else None)
        router.load_config(TopoRouter.RD_BGP)
    tgen.start_router()
    for rname, router in tgen.routers().items():
        assert router.check_router_running() == "", rname
    for name in BACKENDS:
        _start_server(tgen, name)


def teardown_module(mod):
    for name in list(SERVERS):
        _stop_server(name)
    get_topogen().stop_topology()


# ------------------------------------------------------------------ helpers


def _poll(func, timeout=60, wait=0.5):
    """Call func until it returns None; the last result otherwise."""
    _, result = topotest.run_and_expect(func, None, count=int(timeout / wait), wait=wait)
    return result


def _config(router, *lines):
    cmd = ["vtysh", "-c", "configure terminal"]
    for line in lines:
        cmd += ["-c", line]
    rc, out, err = router.net.cmd_status(cmd, warn=False)
    assert rc == 0 and "%" not in out, "{}: {} -> {} {}".format(router.name, lines, out, err)


def _vip_config(router, vip, *lines):
    _config(router, "ebpf", "load-balancer", "vip " + vip, *lines)


def _tool(node, *args, timeout=120):
    """Run lbtool.py (tcp/udp) on node; its JSON report."""
    rc, out, err = node.net.cmd_status(
        ["timeout", str(timeout), PYTHON, LBTOOL] + [str(a) for a in args], warn=False)
    assert rc == 0 and out.strip(), "{}: lbtool {} failed (rc {}): {} {}".format(
        node.name, args, rc, out, err)
    return json.loads(out.strip().splitlines()[-1])


def _tcp(tgen, dst, conns, msgs=3, src="c1", port=80, **kw):
    args = ["tcp", "--dst", dst, "--port", port, "--conns", conns, "--msgs", msgs]
    for k, v in kw.items():
        args += ["--" + k, v]
    return _tool(tgen.gears[src], *args)


def _r0_paths(tgen, prefix):
    """r0's installed nexthop gateways for prefix (sorted)."""
    cmd = "show {} route {} json".format("ipv6" if ":" in prefix else "ip", prefix)
    data = tgen.gears["r0"].vtysh_cmd(cmd, isjson=True)
    gws = []
    for route in data.get(prefix, []):
        if route.get("protocol") != "bgp" or not route.get("installed"):
            continue
        for nh in route.get("nexthops", []):
            if nh.get("fib"):
                gws.append(nh.get("ip") or nh.get("interfaceName"))
    return sorted(gws)


def _want_paths(tgen, prefix, n):
    def check():
        paths = _r0_paths(tgen, prefix)
        return None if len(paths) == n else "r0: {} via {}, want {} paths".format(
            prefix, paths, n)
    return check


def _vip(router, name):
    return show.load_balancer(router, name)["vips"][name]


def _backend_stats(router, vip):
    """{backend address: (state, packets)} of one VIP."""
    return {b["address"]: (b["state"], b["packets"]) for b in _vip(router, vip)["backends"]}


def _states(router, vip):
    return {a: s for a, (s, _) in _backend_stats(router, vip).items()}


def _all_up(router, vip):
    def check():
        st = _states(router, vip)
        return None if all(s == "up" for s in st.values()) else "{} {}: {}".format(
            router.name, vip, st)
    return check


def _policy(tgen, sports, lb):
    """At r0, route c1's TCP from source ports `sports` (A-B) to the VIPs
    via lb ("lb1"/"lb2"), or remove that rule (lb None)."""
    r0 = tgen.gears["r0"]
    r0.net.cmd_status("ip rule del pref 100", warn=False)
    if lb:
        table = 101 if lb == "lb1" else 102
        r0.net.cmd_raises("ip rule add pref 100 iif r0-eth0 ipproto tcp sport {} "
                          "lookup {}".format(sports, table))
    r0.net.cmd_raises("ip route flush cache")


def _share_ok(counts, total, n=3):
    """Each of n backends has a sane share: within [0.5, 1.6] x total/n."""
    fair = total / n
    return len(counts) == n and all(0.5 * fair <= c <= 1.6 * fair for c in counts.values())


# -------------------------------------------------------------------- tests


def test_forwarding_off_bgp_ecmp():
    """lb1 and lb2 do not forward in the kernel (ip_forward 0, IPv6
    forwarding 0 globally and per interface), both announce web4, dns4 and
    web6 once their backends are up, and r0 installs two ECMP paths (via
    lb1 and lb2) to each, and one path via lb1 to web4d and web4dsr."""
    tgen = get_topogen()
    settings.require_plugin("the load balancer is the plugin's")
    for lb in LBS:
        router = tgen.gears[lb]
        names = ["net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding"]
        for ifname in router.links:
            names += ["net.ipv4.conf.{}.forwarding".format(ifname),
                      "net.ipv6.conf.{}.forwarding".format(ifname)]
        wrong = {n: v for n in names
                 for v in [router.net.cmd_raises("sysctl -n " + n).strip()] if v != "0"}
        assert not wrong, "{}: forwarding on: {}".format(lb, wrong)
        result = _poll(_all_up(router, "web4"), timeout=60)
        assert result is None, result
    for prefix in (WEB4 + "/32", DNS4 + "/32", WEB6 + "/128"):
        result = _poll(_want_paths(tgen, prefix, 2), timeout=90)
        assert result is None, result
    for prefix in (WEB4D + "/32", WEB4DSR + "/32", WEB6D + "/128", WEB6DSR + "/128"):
        result = _poll(_want_paths(tgen, prefix, 1), timeout=30)
        assert result is None, result
    logger.info("r0 web4 paths %s", _r0_paths(tgen, WEB4 + "/32"))


def test_many_connections_spread():
    """300 TCP connections from c1 to web4 (ephemeral source ports, up to 8
    open at once, 4 lines each, interleaved with other connections opening
    and closing) all succeed; each keeps its backend for its whole life;
    they spread over b1..b3 (each within 0.5-1.6 of a fair third) and over
    both LBs (backends see both LBs' fullnat addresses); the LBs' per-backend
    packet counters and `show ebpf statistics` grew, lb1's XDP hook
    forwarded packets itself, conntrack shows the flows with their backends,
    and once all are closed no backend counts an active connection. 150 UDP
    flows to dns4 (3 datagrams each) are answered, keep their backend and
    spread."""
    tgen = get_topogen()
    settings.require_plugin("the load balancer is the plugin's")
    before = {lb: _backend_stats(tgen.gears[lb], "web4") for lb in LBS}
    stats_before = {lb: show.statistics(tgen.gears[lb])["forwarded"] for lb in LBS}
    t0 = time.monotonic()
    rep = _tcp(tgen, WEB4, 300, msgs=4, concurrent=8)
    logger.info("web4 300 connections in %.1fs: %s", time.monotonic() - t0,
                {k: rep[k] for k in ("ok", "failed", "errors", "backends", "peers",
                                     "switched")})
    assert rep["failed"] == 0 and rep["ok"] == 300, rep["errors"]
    assert rep["switched"] == 0, "{} connections changed backend".format(rep["switched"])
    assert _share_ok(rep["backends"], 300), "spread {}".format(rep["backends"])
    assert set(rep["peers"]) == {LB_SEG["lb1"][0], LB_SEG["lb2"][0]}, \
        "backends saw sources {} (fullnat through both LBs)".format(rep["peers"])

    total = 0
    for lb in LBS:
        router = tgen.gears[lb]
        after = _backend_stats(router, "web4")
        grew = {a: after[a][1] - before[lb][a][1] for a in after}
        logger.info("%s web4 packets per backend grew %s", lb, grew)
        total += sum(grew.values())
        fwd = show.statistics(router)["forwarded"] - stats_before[lb]
        logger.info("%s forwarded grew %d", lb, fwd)
        assert fwd > 0, "{}: datapath forwarded nothing".format(lb)
        counters = {k: v[0] for k, v in bpfmaps.stats(router).items() if v[0]}
        logger.info("%s stats_map: %s", lb, counters)
        if lb == "lb1":  # both interfaces XDP: established packets at XDP
            assert counters.get(("DP_HOOK_XDP", "DP_R_FWD"), 0) > 0, counters
        flows = show.conntrack(router, "vip web4")
        logger.info("%s conntrack: %d web4 flows, %d entries", lb, flows["matched"],
                    flows["entries"])
        assert flows["matched"] > 0, "{}: no web4 flow in conntrack".format(lb)
        by_be = {b["backendId"]: b["address"] for b in _vip(router, "web4")["backends"]}
        for f in flows["flows"]:
            assert f["translatedDestination"].rsplit(":", 1)[0] == \
                by_be.get(f["backendId"]), f
    # 300 connections x (3 handshake + 4 x 2 data + 4 close) packets, most of
    # them through one LB or the other
    assert total >= 300 * 10, "per-backend packet counters grew by {}".format(total)

    # every connection closed (TIME_WAIT at the LB): none is active any more
    def no_active():
        active = {lb: {b["address"]: b["activeConnections"]
                       for b in _vip(tgen.gears[lb], "web4")["backends"]} for lb in LBS}
        return None if all(not any(a.values()) for a in active.values()) else active

    result = _poll(no_active, timeout=10)
    assert result is None, "active connections after all closed: {}".format(result)

    # UDP through both LBs: each flow keeps its backend, flows spread
    rep = _tool(tgen.gears["c1"], "udp", "--dst", DNS4, "--port", 5353,
                "--flows", 150, "--msgs", 3)
    logger.info("dns4 UDP: %s", {k: rep[k] for k in ("ok", "failed", "backends", "peers")})
    assert rep["ok"] == 150 and rep["switched"] == 0, rep
    assert _share_ok(rep["backends"], 150), rep["backends"]


def test_backend_stopped_avoided():
    """24 connections held open count as 24 active connections over both
    LBs. b2's server stops: the TCP health check (200 ms, fall 2) marks b2
    down on both LBs, new connections go to b1 and b3 only, while
    connections that were already open to b1 and b3 keep working with the
    same backend. With the server back, b2 is up again and takes flows."""
    tgen = get_topogen()
    settings.require_plugin("the load balancer is the plugin's")
    c1 = tgen.gears["c1"]
    held = c1.net.popen([PYTHON, LBTOOL, "hold", "--dst", WEB4, "--port", "80",
                         "--conns", "24"], stdin=subprocess.PIPE)
    try:
        first = json.loads(held.stdout.readline())
        assert len(first) == 24 and all(first.values()), first
        active = sum(b["activeConnections"] for lb in LBS
                     for b in _vip(tgen.gears[lb], "web4")["backends"])
        assert active == 24, "24 connections held, LBs count {} active".format(active)
        _stop_server("b2")

        def down():
            for lb in LBS:
                st = _states(tgen.gears[lb], "web4")
                if st[BACKENDS["b2"][0]] == "up":
                    return "{}: b2 still up: {}".format(lb, st)
            return None

        t0 = time.monotonic()
        result = _poll(down, timeout=20, wait=0.2)
        assert result is None, result
        logger.info("b2 detected down in %.1fs", time.monotonic() - t0)

        rep = _tcp(tgen, WEB4, 60)
        logger.info("with b2 down: %s", rep["backends"])
        assert rep["ok"] == 60 and "b2" not in rep["backends"], rep

        held.stdin.write("x\n")
        held.stdin.flush()
        again = json.loads(held.stdout.readline())
        for sport, name in first.items():
            if name != "b2":
                assert again[sport] == name, "sport {}: {} became {}".format(
                    sport, name, again[sport])
    finally:
        if held.poll() is None:
            held.stdin.close()
            held.wait(timeout=10)
        if "b2" not in SERVERS:
            _start_server(tgen, "b2")
    for lb in LBS:
        result = _poll(_all_up(tgen.gears[lb], "web4"), timeout=20)
        assert result is None, result
    rep = _tcp(tgen, WEB4, 60)
    assert rep["ok"] == 60 and "b2" in rep["backends"], rep


def test_bulk_transfer_integrity():
    """2 MB down and 2 MB up over one connection through each TCP VIP
    (web4 and web6 fullnat via the ECMP pair, web4d and web6d dnat and
    web4dsr and web6dsr dsr via lb1) arrive intact: the downloaded bytes are the
    server's pattern, the uploaded ones hash the same on the backend. Full-
    sized segments through both hooks, with every NAT mode's rewrite and
    checksums."""
    tgen = get_topogen()
    settings.require_plugin("the load balancer is the plugin's")
    for vip in (WEB4, WEB6, WEB4D, WEB6D, WEB4DSR, WEB6DSR):
        rep = _tool(tgen.gears["c1"], "bulk", "--dst", vip, "--port", 80,
                    "--bytes", 2 << 20, timeout=60)
        logger.info("bulk via %s: %s", vip, rep)
        assert rep["ok"], "{}: {}".format(vip, rep)


def _hold(tgen, vip, conns):
    proc = tgen.gears["c1"].net.popen([PYTHON, LBTOOL, "hold", "--dst", vip, "--port", "80",
                                       "--conns", str(conns)], stdin=subprocess.PIPE)
    first = json.loads(proc.stdout.readline())
    assert len(first) == conns and all(first.values()), first
    return proc, first


def _hold_exchange(proc):
    proc.stdin.write("x\n")
    proc.stdin.flush()
    return json.loads(proc.stdout.readline())


def _hold_end(proc):
    if proc.poll() is None:
        proc.stdin.close()
        proc.wait(timeout=10)


@pytest.mark.parametrize("vip", ["web4d", "web4"])
def test_conntrack_cleared_pickup(vip):
    """Open connections survive losing their conntrack entries (`clear
    ebpf conntrack vip NAME` on the LBs, as after a zebra restart): the
    next client packet is picked up as established, and the algorithm (and,
    for fullnat, the port claim that starts where the flow's hash points)
    gives the same translation, so the connection goes on with the same
    backend. web4d: dnat on lb1; web4: fullnat over both LBs."""
    tgen = get_topogen()
    settings.require_plugin("the load balancer is the plugin's")
    addr = {"web4d": WEB4D, "web4": WEB4}[vip]
    lbs = ("lb1",) if vip == "web4d" else LBS
    proc, first = _hold(tgen, addr, 12)
    try:
        before = sum(show.conntrack(tgen.gears[lb], "vip " + vip)["matched"] for lb in lbs)
        for lb in lbs:
            tgen.gears[lb].vtysh_cmd("clear ebpf conntrack vip " + vip)

        def cleared():
            # the ageing pass the command starts removes them, in steps
            shown = [show.conntrack(tgen.gears[lb], "vip " + vip) for lb in lbs]
            left = sum(c["matched"] for c in shown)
            pending = sum(c["ageing"]["clearPending"] for c in shown)
            return None if left == 0 and pending == 0 else (left, pending)

        after = _poll(cleared, timeout=20)
        logger.info("%s: %d flows before clear, %s after", vip, before, after)
        assert before >= 12 and after is None, (before, after)
        again = _hold_exchange(proc)
        logger.info("%s after clear: %s -> %s", vip, first, again)
        assert again == first, "after clear: {} -> {}".format(first, again)
        picked = sum(show.conntrack(tgen.gears[lb], "vip " + vip)["matched"] for lb in lbs)
        assert picked >= 12, "flows picked up: {}".format(picked)
    finally:
        _hold_end(proc)


def test_lb1_withdrawn_traffic_via_lb2():
    """With web4's three backends admin-down on lb1 only, lb1 removes the
    VIP's route and bgpd withdraws it: r0 has one path left (lb2), and new
    connections all go through lb2 (backends see lb2's address). Bringing
    the backends back restores the second path."""
    tgen = get_topogen()
    settings.require_plugin("the load balancer is the plugin's")
    lb1 = tgen.gears["lb1"]
    prefix = WEB4 + "/32"
    try:
        for addr, _ in BACKENDS.values():
            _vip_config(lb1, "web4", "backend {} port 8080 admin-down".format(addr))
        result = _poll(_want_paths(tgen, prefix, 1), timeout=30)
        assert result is None, result
        assert _r0_paths(tgen, prefix) == [LB_UP["lb2"]], _r0_paths(tgen, prefix)
        assert not _vip(lb1, "web4")["announced"]
        rep = _tcp(tgen, WEB4, 60)
        logger.info("via lb2 only: %s %s", rep["backends"], rep["peers"])
        assert rep["ok"] == 60 and set(rep["peers"]) == {LB_SEG["lb2"][0]}, rep
    finally:
        for addr, _ in BACKENDS.values():
            _vip_config(lb1, "web4", "backend {} port 8080".format(addr))
    result = _poll(_want_paths(tgen, prefix, 2), timeout=30)
    assert result is None, result


def test_lb1_health_fails_withdrawn():
    """The same withdrawal driven by the health check alone: nftables on
    every backend drops TCP to port 8080 from lb1's address (lb1's probes,
    and its fullnat traffic with them). lb1's checks fail, its web4 backends
    go down, the route is withdrawn at r0 and new connections flow through
    lb2, whose checks still pass; removing the rule brings lb1's backends
    and the second path back."""
    tgen = get_topogen()
    settings.require_plugin("the load balancer is the plugin's")
    lb1 = tgen.gears["lb1"]
    prefix = WEB4 + "/32"
    block = ("nft add table inet lbt_block; "
             "nft add chain inet lbt_block input '{ type filter hook input priority 0; }'; "
             "nft add rule inet lbt_block input ip saddr 10.2.0.1 tcp dport 8080 drop")
    try:
        for name in BACKENDS:
            tgen.gears[name].net.cmd_raises(block)

        def lb1_down():
            st = _states(lb1, "web4")
            return None if all(s != "up" for s in st.values()) else "lb1 web4: {}".format(st)

        t0 = time.monotonic()
        result = _poll(lb1_down, timeout=20, wait=0.2)
        assert result is None, result
        result = _poll(_want_paths(tgen, prefix, 1), timeout=30)
        assert result is None, result
        logger.info("lb1 health down and withdrawn at r0 in %.1fs", time.monotonic() - t0)
        assert _r0_paths(tgen, prefix) == [LB_UP["lb2"]], _r0_paths(tgen, prefix)
        assert _vip(tgen.gears["lb2"], "web4")["backendsUp"] == 3
        rep = _tcp(tgen, WEB4, 45)
        logger.info("health: via lb2 only: %s %s", rep["backends"], rep["peers"])
        assert rep["ok"] == 45 and set(rep["peers"]) == {LB_SEG["lb2"][0]}, rep
        assert len(rep["backends"]) == 3, rep["backends"]
    finally:
        for name in BACKENDS:
            tgen.gears[name].net.cmd_status("nft delete table inet lbt_block", warn=False)
    result = _poll(_all_up(lb1, "web4"), timeout=20)
    assert result is None, result
    result = _poll(_want_paths(tgen, prefix, 2), timeout=30)
    assert result is None, result


def test_same_backend_on_both_lbs():
    """The same 5-tuple through lb1 and through lb2 reaches the same
    backend: 40 connections from fixed source ports (20000-20039, outside
    the ephemeral range so no earlier flow used them) are forced via lb1 (a
    policy rule at r0), then the same 40 tuples via lb2. The backends that
    answered agree, each flow came through the LB it was forced to (the
    source the backend saw), and each LB's `show ebpf conntrack` names the
    same backend address for each tuple."""
    tgen = get_topogen()
    settings.require_plugin("the load balancer is the plugin's")
    sports = (20000, 20039)
    got = {}
    try:
        for lb in LBS:
            _policy(tgen, "{}-{}".format(*sports), lb)
            rep = _tcp(tgen, WEB4, 40, msgs=2, sport=sports[0])
            assert rep["ok"] == 40, rep
            assert set(rep["peers"]) == {LB_SEG[lb][0]}, rep["peers"]
            got[lb] = rep["flows"]
    finally:
        _policy(tgen, None, None)
    diff = {p: (got["lb1"][p], got["lb2"].get(p)) for p in got["lb1"]
            if got["lb1"][p] != got["lb2"].get(p)}
    logger.info("same tuples via lb1/lb2: spread %s, differing %s",
                {b: list(got["lb1"].values()).count(b) for b in BACKENDS}, diff)
    assert not diff, "lb1 and lb2 disagree on {}".format(diff)
    assert len(set(got["lb1"].values())) == 3, got["lb1"]

    # the LBs' own record of those flows (RST-closed: kept until aged)
    addr_of = {name: v4 for name, (v4, _) in BACKENDS.items()}
    for lb in LBS:
        flows = show.conntrack(tgen.gears[lb], "vip web4")["flows"]
        seen = {}
        for f in flows:
            host, port = f["source"].rsplit(":", 1)
            if host == C1[0] and sports[0] <= int(port) <= sports[1]:
                seen[port] = f["translatedDestination"].rsplit(":", 1)[0]
        want = {p: addr_of[b] for p, b in got[lb].items()}
        assert seen == want, "{} conntrack {} != answers {}".format(lb, seen, want)


def test_dnat_end_to_end():
    """web4d (dnat, lb1 only): connections succeed, spread over the three
    backends, and the backends see c1's own address (the destination only
    was rewritten; replies come back through lb1, the backends' default
    route)."""
    tgen = get_topogen()
    settings.require_plugin("the load balancer is the plugin's")
    rep = _tcp(tgen, WEB4D, 60)
    logger.info("dnat: %s %s", rep["backends"], rep["peers"])
    assert rep["ok"] == 60 and set(rep["peers"]) == {C1[0]}, rep
    assert len(rep["backends"]) == 3, rep["backends"]


ALGORITHMS = {
    # name: (configuration lines, check of {backend: connections} for 60)
    "round-robin": (["algorithm round-robin"],
                    lambda c: _share_ok(c, 60) and max(c.values()) - min(c.values()) <= 6),
    "weighted-round-robin": (["algorithm weighted-round-robin",
                              "backend 10.2.0.11 port 8080 weight 200"],
                             lambda c: 24 <= c.get("b1", 0) <= 36 and len(c) == 3),
    "hash": (["algorithm hash"], lambda c: _share_ok(c, 60)),
    # with at most two connections open at once (lbtool tcp) the least
    # loaded of three always has none and ties go to the list's first: two
    # backends alternate; 12 connections held open share out 4/4/4
    "least-connections": (["algorithm least-connections"], lambda c: len(c) >= 2),
    "source-hash": (["algorithm source-hash"], lambda c: len(c) == 1),
    "maglev-persistence": (["algorithm maglev", "persistence timeout 60"],
                           lambda c: len(c) == 1),
}


@pytest.mark.parametrize("alg", sorted(ALGORITHMS))
def test_algorithms(alg):
    """Each selection algorithm on web4d (lb1, dnat), 60 connections from
    c1 with varied source ports: round-robin deals them out evenly (at most
    6 apart), weighted-round-robin with b1 at weight 200 (others 100) gives
    b1 about half, hash spreads them, least-connections deals 12 connections
    held open 4/4/4,
    source-hash and maglev with source persistence keep the one client on
    one backend. Each connection keeps its backend. The VIP goes back to
    plain maglev afterwards."""
    tgen = get_topogen()
    settings.require_plugin("the load balancer is the plugin's")
    lb1 = tgen.gears["lb1"]
    lines, check = ALGORITHMS[alg]
    try:
        _vip_config(lb1, "web4d", *lines)
        result = _poll(_all_up(lb1, "web4d"), timeout=10)
        assert result is None, result
        active = {b["address"]: b["activeConnections"]
                  for b in _vip(lb1, "web4d")["backends"]}
        logger.info("%s: active connections before: %s", alg, active)
        rep = _tcp(tgen, WEB4D, 60)
        logger.info("%s: %s", alg, rep["backends"])
        assert rep["ok"] == 60 and rep["switched"] == 0, rep
        assert check(rep["backends"]), "{}: spread {}".format(alg, rep["backends"])
        if alg == "least-connections":
            proc, first = _hold(tgen, WEB4D, 12)
            _hold_end(proc)
            held = {b: list(first.values()).count(b) for b in BACKENDS}
            logger.info("least-connections, 12 held: %s", held)
            assert held == {"b1": 4, "b2": 4, "b3": 4}, held
    finally:
        _vip_config(lb1, "web4d", "algorithm maglev", "no persistence",
                    "backend 10.2.0.11 port 8080")


def test_backend_removed():
    """`no backend 10.2.0.13 port 8080` on web4d (lb1, maglev) while 30
    connections are open (12 left none on b3 in about 1 run of 130): every
    open connection, b3's included, goes on with its backend (the removed backend's entry stays for its flows); the
    same 90 tuples (fixed source ports) opened again go to b1 and b2 only,
    and those that were on b1 or b2 before mostly stay there (Maglev's
    minimal disruption: at most 10 % of them move). The backend comes back
    afterwards."""
    tgen = get_topogen()
    settings.require_plugin("the load balancer is the plugin's")
    lb1 = tgen.gears["lb1"]
    before = _tcp(tgen, WEB4D, 90, msgs=1, sport=21000)
    assert before["ok"] == 90 and len(before["backends"]) == 3, before
    proc, first = _hold(tgen, WEB4D, 30)
    try:
        assert "b3" in first.values(), first
        _vip_config(lb1, "web4d", "no backend 10.2.0.13 port 8080")
        result = _poll(lambda: None if _vip(lb1, "web4d")["backendsUp"] == 2
                       else _vip(lb1, "web4d"), timeout=10)
        assert result is None, result
        again = _hold_exchange(proc)
        assert again == first, "after removal: {} -> {}".format(first, again)
        after = _tcp(tgen, WEB4D, 90, msgs=1, sport=21000)
        assert after["ok"] == 90 and "b3" not in after["backends"], after
        kept = [p for p, b in before["flows"].items() if b != "b3"]
        moved = [p for p in kept if after["flows"][p] != before["flows"][p]]
        logger.info("backend removed: before %s after %s; %d of %d flows of b1/b2 moved",
                    before["backends"], after["backends"], len(moved), len(kept))
        assert len(moved) <= 0.1 * len(kept), moved
    finally:
        _hold_end(proc)
        _vip_config(lb1, "web4d", "backend 10.2.0.13 port 8080")
    result = _poll(_all_up(lb1, "web4d"), timeout=10)
    assert result is None, result


def test_dsr_end_to_end():
    """web4dsr and web6dsr (dsr, lb1 only): lb1 sends the client's frames
    unchanged to a backend's MAC; the backend (VIP on lo) answers from the
    VIP straight to r0, never through an LB: connections succeed, the
    backends see c1's address, r0-eth3 received the replies, and lb1's
    per-backend counters grew by the client's packets."""
    tgen = get_topogen()
    settings.require_plugin("the load balancer is the plugin's")
    r0 = tgen.gears["r0"]

    def rx(ifname):
        out = r0.net.cmd_raises("ip -j -s link show dev " + ifname)
        return json.loads(out)[0]["stats64"]["rx"]["packets"]

    lb1 = tgen.gears["lb1"]
    for vip, addr, client in (("web4dsr", WEB4DSR, C1[0]), ("web6dsr", WEB6DSR, C1[1])):
        before = rx("r0-eth3")
        pkts = _backend_stats(lb1, vip)
        rep = _tcp(tgen, addr, 30)
        logger.info("%s: %s %s", vip, rep["backends"], rep["peers"])
        assert rep["ok"] == 30 and set(rep["peers"]) == {client}, rep
        assert len(rep["backends"]) >= 2, rep["backends"]
        assert rx("r0-eth3") - before >= 30 * 3, "replies did not come straight to r0"
        after = _backend_stats(lb1, vip)
        grew = {a: after[a][1] - pkts[a][1] for a in after}
        logger.info("%s: lb1 packets per backend grew %s", vip, grew)
        # client packets only: SYN, ACK, 3 lines, FIN, ACK at least
        assert sum(grew.values()) >= 30 * 5, grew


def test_ipv6_vip():
    """web6 ([2001:db8::10]:80, fullnat, both LBs): 90 connections from c1
    over IPv6 succeed, keep their backend and spread over b1..b3; the
    backends see the LBs' IPv6 segment addresses. web6d (dnat, lb1 only):
    30 connections succeed and the backends see c1's IPv6 address."""
    tgen = get_topogen()
    settings.require_plugin("the load balancer is the plugin's")
    rep = _tcp(tgen, WEB6, 90)
    logger.info("web6: %s %s", rep["backends"], rep["peers"])
    assert rep["ok"] == 90 and rep["switched"] == 0, rep
    assert set(rep["peers"]) <= {LB_SEG["lb1"][1], LB_SEG["lb2"][1]}, rep["peers"]
    assert _share_ok(rep["backends"], 90), rep["backends"]
    rep = _tcp(tgen, WEB6D, 30)
    logger.info("web6d (dnat): %s %s", rep["backends"], rep["peers"])
    assert rep["ok"] == 30 and set(rep["peers"]) == {C1[1]}, rep


UDP_REFUSED = """
import socket, sys
s = socket.socket(socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.connect((sys.argv[1], 9999))
s.send(b'x')
try:
    s.recv(100)
    print('answered')
except ConnectionRefusedError:
    print('refused')
except OSError as e:
    print('error', e)
"""


def test_source_nat():
    """`nat source 10.2.0.0/24 out-interface lb1-eth0 masquerade` and the
    same for fd02::/64 on lb1: b1 (default routes via lb1) connects to a
    server on c1, beyond r0; c1 sees the connections from lb1-eth0's
    addresses (10.0.1.2, fd00:1::2), and `show ebpf nat` counts the flows.
    b1 pings c1 through the translation (echo id rewritten) over IPv4 and
    IPv6, and a UDP datagram to a closed port of c1 comes back to b1 as
    `connection refused`: the ICMP error was translated to the flow's
    original end."""
    tgen = get_topogen()
    settings.require_plugin("the load balancer is the plugin's")
    lb1 = tgen.gears["lb1"]
    c1 = tgen.gears["c1"]
    b1 = tgen.gears["b1"]
    rules = (("10.2.0.0/24", C1[0], LB_UP["lb1"]), ("fd02::/64", C1[1], "fd00:1::2"))
    srv = c1.net.popen([PYTHON, LBTOOL, "serve", "c1", "--tcp", "9090"])
    try:
        assert srv.stdout.readline().strip() == "ready"
        for prefix, _, _ in rules:
            _config(lb1, "ebpf", "nat",
                    "source {} out-interface lb1-eth0 masquerade".format(prefix))
        result = _poll(lambda: None if all(
            r["installed"] for r in show.nat(lb1).values()) else show.nat(lb1), timeout=20)
        assert result is None, result
        for _, dst, translated in rules:
            rep = _tcp(tgen, dst, 20, src="b1", port=9090)
            logger.info("snat to %s: %s", dst, rep["peers"])
            assert rep["ok"] == 20 and set(rep["peers"]) == {translated}, rep
            sent, received = traffic.ping(b1, dst, count=3)
            assert received == sent, "b1 ping {} through source NAT: {}/{}".format(
                dst, received, sent)
            out = b1.net.cmd_raises([PYTHON, "-c", UDP_REFUSED, dst]).strip()
            assert out == "refused", "UDP to a closed port of {}: {}".format(dst, out)
        shown = show.nat(lb1)
        logger.info("show ebpf nat: %s", {k: v["flows"] for k, v in shown.items()})
        assert all(r["flows"] > 0 for r in shown.values()), shown
    finally:
        srv.kill()
        srv.wait()
        for prefix, _, _ in rules:
            _config(lb1, "ebpf", "nat", "no source {} out-interface lb1-eth0".format(prefix))


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))

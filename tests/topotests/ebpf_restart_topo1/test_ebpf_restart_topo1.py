#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
ebpf_restart_topo1: what the datapath does while zebra is dead, and when
it comes back.

    h1 ---- r1 ==== h2 (172.16.5.1, 2001:db8:5::1 on its loopback)
      eth0    eth1, eth2

h1 192.168.1.2/24 2001:db8:1::2/64; r1-eth1/h2-eth0 10.0.1.0/24 fd00:1::/64,
r1-eth2/h2-eth1 10.0.2.0/24 fd00:2::/64 (r1 .1, h2 .2).

r1 runs Debian's zebra with the plugin (module argument hold-time=8) and
staticd: h2's loopbacks through a two-way ECMP group. zebra is killed with
SIGKILL and started again as watchfrr starts it (the daemon, then its part
of frr.conf applied with vtysh). The datapath keeps forwarding from its
tables for the hold time after the last renewal, then hands every packet
to the kernel (counted as hold-time-expired) until a zebra renews it.
Tests of the datapath's own forwarding run with kernel forwarding off;
the test of what the kernel takes over runs with it on, and reads the
datapath's counters to tell who forwarded.
"""

import datetime
import json
import os
import re
import sys
import time

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.append(os.path.join(CWD, ".."))

# pylint: disable=C0413
from lib import topotest
from lib.topogen import Topogen, get_topogen

from ebpftest import bpfmaps, lbmaps, settings, show, traffic

pytestmark = [pytest.mark.ebpf]

HOLD = 8
# the restart tests' hold: room for topotest's own start of zebra
RESTART_HOLD = 20
# module argument resync-delay: an earlier run's state that the
# configuration does not claim goes this long after zebra read it
RESYNC = 15
TARGETS = {"v4": "172.16.5.1", "v6": "2001:db8:5::1"}
# the ECMP routes the pings follow
TARGET_ROUTES = {"v4": "172.16.5.0/24", "v6": "2001:db8:5::/64"}
EXPIRED = "DP_R_PASS_HOLD_EXPIRED"
# zebra -K: how long a restarted zebra keeps what it finds in the kernel;
# longer than staticd takes to reconnect (its zclient retries after 10 s)
GR_TIME = 14
# h2's second loopbacks: routes configured or removed while zebra is dead
GONE = {"v4": ("172.16.6.0/24", "172.16.6.1"), "v6": ("2001:db8:6::/64", "2001:db8:6::1")}
NEW = {"v4": ("172.16.7.0/24", "172.16.7.1"), "v6": ("2001:db8:7::/64", "2001:db8:7::1")}
NEXTHOP = {"v4": "10.0.1.2", "v6": "fd00:1::2"}
# flows through a restart: (what, destination, port on h2, source on h1,
# the peer h2 sees: the client, r1's fullnat source, or a masquerade)
FLOWS = [
    ("dnat VIP", "198.18.0.10", 80, 8080, None, {"192.168.1.2"}),
    ("fullnat VIP", "2001:db8:10::10", 80, 8081, None, {"fd00:1::1"}),
    ("masquerade", "10.0.1.2", 8082, 8082, "192.168.1.3", {"10.0.1.1"}),
]


def build_topo(tgen):
    r1 = tgen.add_router("r1")
    h1 = tgen.add_host("h1", "192.168.1.2/24", "via 192.168.1.1")
    h2 = tgen.add_host("h2", "10.0.1.2/24", "via 10.0.1.1")
    tgen.add_link(h1, r1, "h1-eth0", "r1-eth0")
    tgen.add_link(h2, r1, "h2-eth0", "r1-eth1")
    tgen.add_link(h2, r1, "h2-eth1", "r1-eth2")


def setup_module(mod):
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()
    h1, h2 = tgen.gears["h1"], tgen.gears["h2"]
    h1.net.cmd_raises("ip -6 addr add 2001:db8:1::2/64 dev h1-eth0 nodad")
    # the masqueraded source (r1's nat rules)
    h1.net.cmd_raises("ip addr add 192.168.1.3/24 dev h1-eth0")
    h1.net.cmd_raises("ip -6 route add default via 2001:db8:1::1")
    for cmd in (
        "ip -6 addr add fd00:1::2/64 dev h2-eth0 nodad",
        "ip addr add 10.0.2.2/24 dev h2-eth1",
        "ip -6 addr add fd00:2::2/64 dev h2-eth1 nodad",
        "ip addr add 172.16.5.1/32 dev lo",
        "ip -6 addr add 2001:db8:5::1/128 dev lo",
        "ip addr add 172.16.6.1/32 dev lo",
        "ip -6 addr add 2001:db8:6::1/128 dev lo",
        "ip addr add 172.16.7.1/32 dev lo",
        "ip -6 addr add 2001:db8:7::1/128 dev lo",
        # back to h1 over both links; a link whose peer is down is not used
        "sysctl -qw net.ipv4.conf.all.ignore_routes_with_linkdown=1",
        "sysctl -qw net.ipv6.conf.all.ignore_routes_with_linkdown=1",
        "ip route del default",
        "ip route add 192.168.1.0/24 nexthop via 10.0.1.1 nexthop via 10.0.2.1",
        "ip -6 route add 2001:db8:1::/64 nexthop via fd00:1::1 nexthop via fd00:2::1",
    ):
        h2.net.cmd_raises(cmd)
    for gear in (h1, h2):
        gear.net.cmd_raises("sysctl -qw net.ipv4.ip_forward=0")
        gear.net.cmd_raises("sysctl -qw net.ipv6.conf.all.forwarding=0")
    traffic.veths_for_xdp(tgen, ["h1"])
    for ifname in ("h2-eth0", "h2-eth1"):
        h2.net.cmd_raises("ethtool -K {} gro on".format(ifname))

    r1 = tgen.gears["r1"]
    # Debian: systemd mounts bpffs root-owned 0700 before FRR starts.
    r1.net.cmd_raises("mount -t bpf bpf /sys/fs/bpf -o mode=0700")
    settings.load_router_frr_conf(tgen, r1, CWD)
    r1.load_config(r1.RD_ZEBRA, None, _zebra_cmdline(HOLD))
    r1.load_config(r1.RD_STATIC)
    tgen.start_router()
    assert r1.check_router_running() == ""


def teardown_module(mod):
    get_topogen().stop_topology()


# ------------------------------------------------------------------ helpers


def _gear(name):
    return get_topogen().gears[name]


def _forwarding(on):
    v = "1" if on else "0"
    r1 = _gear("r1")
    r1.net.cmd_raises("sysctl -qw net.ipv4.ip_forward=" + v)
    r1.net.cmd_raises("sysctl -qw net.ipv6.conf.all.forwarding=" + v)


def _zebra_pid():
    _, out, _ = _gear("r1").net.cmd_status("cat /var/run/frr/zebra.pid", warn=False)
    out = out.strip()
    return int(out) if out.isdigit() else None


def _alive(pid):
    rc, _, _ = _gear("r1").net.cmd_status("kill -0 {}".format(pid), warn=False)
    return rc == 0


def _kill_zebra():
    """SIGKILL to r1's zebra; returns when it is gone."""
    pid = _zebra_pid()
    assert pid and _alive(pid), "r1: zebra is not running"
    _gear("r1").net.cmd_raises("kill -9 {}".format(pid))
    killed = time.monotonic()
    deadline = killed + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid), "r1: zebra {} survived SIGKILL".format(pid)
    # as after a crash; topotest must not take the old pid for a zebra
    _gear("r1").net.cmd_status("rm -f /var/run/frr/zebra.pid", warn=False)
    _forget_crashlog("zebra", pid)
    return killed


def _forget_crashlog(daemon, pid):
    """A daemon killed with SIGKILL leaves its crash-log directory; a later
    daemon given the same pid (in any test after this one) could not make
    its own and would say so on stderr."""
    _gear("r1").net.cmd_status("rm -rf /var/tmp/frr/{}.{}".format(daemon, pid), warn=False)


def _start_zebra(with_staticd=True, before_config=None):
    """zebra again, as watchfrr restarts it after it died: with staticd
    (a client left waiting would reconnect only after its zclient's 10 s,
    then 60 s, retry delays: zebra's sweep would remove its routes first),
    then frr.conf applied with vtysh (before_config() runs before it)."""
    r1 = _gear("r1")
    if with_staticd:
        _kill("staticd")
    r1.startDaemons(["zebra", "staticd"] if with_staticd else ["zebra"])
    pid = _zebra_pid()
    assert pid and _alive(pid), "r1: zebra did not start"
    ZEBRA["running"] = (pid, ZEBRA["options"])
    if before_config:
        before_config()
    r1.net.cmd_raises("vtysh -f /etc/frr/frr.conf")


def _zebra_cmdline(hold, extra="", sizes="", module=None):
    """The module (module: another build) with its hold time (and table
    sizes: "ARG=N,..."), and -K: a restarted zebra keeps what it finds in
    the kernel while staticd replays (without it zebra removes its routes
    from the kernel at start, and the datapath with it)."""
    args = settings.zebra_args(module)
    mod = "{}:hold-time={},resync-delay={}{} ".format(
        args, hold, RESYNC, "," + sizes if sizes else "") if args else ""
    return (mod + "-K {} {}".format(GR_TIME, extra)).strip()


# the command line zebra's next start takes, and (pid, command line) of
# the zebra this module last started
ZEBRA = {"options": None, "running": None}


def _zebra_options(hold, extra="", sizes="", module=None):
    """zebra's command line for its next start."""
    ZEBRA["options"] = _zebra_cmdline(hold, extra, sizes, module)
    _gear("r1").load_config(_gear("r1").RD_ZEBRA, None, ZEBRA["options"])


def _kill(daemon):
    """SIGKILL to r1's daemon, if it runs; returns when it is gone."""
    r1 = _gear("r1")
    _, pid, _ = r1.net.cmd_status("cat /var/run/frr/{}.pid".format(daemon), warn=False)
    if pid.strip().isdigit():
        r1.net.cmd_status("kill -9 {}".format(pid.strip()), warn=False)
        while _alive(pid.strip()):
            time.sleep(0.05)
        r1.net.cmd_status("rm -f /var/run/frr/{}.pid".format(daemon), warn=False)
        _forget_crashlog(daemon, pid.strip())


# ping's interval: iputils sleeps 16 ms when asked for 10 ms (a timer
# rounding of its own), 9 ms when asked for 9
PING_INTERVAL = 0.009


class Pinger:
    """ping every 9 ms from h1 to each target, for `seconds`, while
    `ip monitor` records when r1's kernel loses and regains the routes the
    pings follow."""

    def __init__(self, targets, seconds):
        h1 = _gear("h1")
        count = int(seconds / PING_INTERVAL)
        self.monitor = _gear("r1").net.popen(["ip", "-ts", "monitor", "route"])
        # -O -D: each unanswered request is printed with its time
        self.procs = {f: h1.net.popen(["ping", "-n", "-O", "-D", "-i", str(PING_INTERVAL),
                                       "-c", str(count),
                                       "-W", "1", dst])
                      for f, dst in targets.items()}
        self.unanswered = {}
        self.kernel_gaps = {}

    def lost(self):
        """{family: (sent, received)} once every ping has ended; the times
        (time.time()) of the requests left unanswered in self.unanswered,
        and the intervals r1's kernel had no route for them in
        self.kernel_gaps."""
        out = {}
        for f, proc in self.procs.items():
            text, _ = proc.communicate(timeout=120)
            m = re.search(r"(\d+) packets transmitted, (\d+) received", text)
            assert m, "ping {}: {}".format(f, text)
            out[f] = (int(m.group(1)), int(m.group(2)))
            self.unanswered[f] = [float(t) for t in re.findall(
                r"^\[(\d+\.\d+)\] no answer yet", text, re.M)]
        self.monitor.terminate()
        text, _ = self.monitor.communicate(timeout=10)
        self.kernel_gaps = {f: _kernel_gaps(text, TARGET_ROUTES[f]) for f in out}
        return out


def _kernel_gaps(monitor_text, prefix):
    """[(from, until)] (time.time(); until None: to the end) in which
    `ip -ts monitor route`'s output shows the kernel without prefix."""
    gaps, since = [], None
    for line in monitor_text.splitlines():
        m = re.match(r"\[(\S+)\] (Deleted )?(\S+)", line)
        if not m or m.group(3) != prefix:
            continue
        # ip prints local time
        t = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f").timestamp()
        if m.group(2):
            since = t if since is None else since
        elif since is not None:
            gaps.append((since, t))
            since = None
    if since is not None:
        gaps.append((since, None))
    return gaps


def _kernel_has(prefix):
    v = "-6 " if ":" in prefix else ""
    _, out, _ = _gear("r1").net.cmd_status("ip {}route show {}".format(v, prefix), warn=False)
    return bool(out.strip())


def _ensure_zebra():
    """A test starts with zebra running and the datapath renewed, whatever
    the test before it left."""
    pid = _zebra_pid()
    if not pid or not _alive(pid):
        _gear("r1").net.cmd_status("rm -f /var/run/frr/zebra.pid", warn=False)
        _start_zebra()
    assert _wait_renewed(), "zebra is running but the datapath is not renewed"


def _restarted_zebra(extra=""):
    """A test's start: zebra running with a hold time that outlasts
    topotest's start of the next one (and extra options), restarted once
    so that it runs on pins an earlier run left, forwarding. A zebra this
    module restarted with those options already is one."""
    _ensure_zebra()
    _zebra_options(RESTART_HOLD, extra)
    if ZEBRA["running"] != (_zebra_pid(), ZEBRA["options"]):
        _kill_zebra()
        _start_zebra()
    assert _wait_renewed()
    assert _reachable_all()


def _reachable_all(timeout=30):
    h1 = _gear("h1")
    return all(traffic.reachable(h1, dst, timeout) for dst in TARGETS.values())


def _ping_all(count, interval=0.1):
    """{family: (sent, received)} from h1 to h2's loopbacks."""
    h1 = _gear("h1")
    return {f: traffic.ping(h1, dst, count=count, interval=interval, wait=1)
            for f, dst in TARGETS.items()}


def _counts():
    """(forwarded, hold-expired) packets in the datapath's counters."""
    c = bpfmaps.stats(_gear("r1"))
    fwd = sum(c.get((h, r), (0, 0))[0] for h in bpfmaps.HOOKS
              for r in bpfmaps.FWD_REASONS)
    expired = sum(c.get((h, EXPIRED), (0, 0))[0] for h in bpfmaps.HOOKS)
    return fwd, expired


def _reasons():
    """{(hook, reason): packets}, for what a failure says."""
    return {k: v[0] for k, v in bpfmaps.stats(_gear("r1")).items() if v[0]}


def _reasons_since(before):
    now = _reasons()
    return {"{}/{}".format(h[8:], r[5:]): n - before.get((h, r), 0)
            for (h, r), n in now.items() if n != before.get((h, r), 0)}


# how far from a gap in the kernel's routes a loss is still the gap's:
# ping prints a request's "no answer yet" when it sends the next one, and
# the datapath gets a route a few ms after the kernel (the dplane's
# kernel provider runs first)
GAP_MARGIN = 0.05


def _lost_outside_kernel_gaps(pings, got):
    """{family: requests lost that r1's kernel would have forwarded}.
    FRR 8.4's staticd withdraws a static route whose gateways NHT has not
    confirmed yet (static_zebra_route_add: no valid nexthop, so a delete)
    and sends it again once they are: a restarted staticd does so at its
    configuration, and when zebra's queue runs between the two, zebra
    removes the route from the kernel, and the datapath follows, for
    10-40 ms. Losses of requests sent in such a gap are zebra's own; the
    rest are the datapath's."""
    out = {}
    for f, (tx, rx) in got.items():
        in_gap = [t for t in pings.unanswered[f]
                  if any(a - GAP_MARGIN <= t and (b is None or t <= b + GAP_MARGIN)
                         for a, b in pings.kernel_gaps[f])]
        if tx - rx > len(in_gap):
            out[f] = tx - rx - len(in_gap)
    return out


def _assert_nothing_lost(pings, what, fwd0, exp0, reasons0):
    """Every ping answered (but those sent while zebra itself had removed
    their route from the kernel), every answered one forwarded by the
    datapath (a request and its reply each), none counted
    hold-time-expired."""
    got = pings.lost()
    fwd1, exp1 = _counts()
    lost = _lost_outside_kernel_gaps(pings, got)
    assert not lost, \
        "lost across {}: {} ({} outside the kernel's own gaps {}); the datapath's counters: {}; " \
        "unanswered at {} (events: {})".format(
            what, got, lost, pings.kernel_gaps, _reasons_since(reasons0),
            {f: [time.strftime("%H:%M:%S", time.localtime(t)) + "{:.2f}".format(t % 1)[1:]
                 for t in ts] for f, ts in pings.unanswered.items()},
            _zebra_events())
    received = sum(rx for _, rx in got.values())
    assert fwd1 - fwd0 >= 2 * received, \
        "the datapath forwarded {} packets of {} pings answered".format(fwd1 - fwd0, received)
    assert exp1 == exp0, "hold-time-expired counted {}".format(exp1 - exp0)


def _zebra_events():
    """When zebra started, took the datapath over and resynced, from its
    log (what a loss is compared with)."""
    path = os.path.join(get_topogen().logdir, "r1", "zebra.log")
    try:
        with open(path) as f:
            lines = f.readlines()
    except OSError:
        return []
    keys = ("datapath loaded", "took over the FIB", "resync done", "Terminating on signal",
            "Configuration Read")
    return [line.strip()[11:19] + " " + k for line in lines[-400:] for k in keys if k in line]


def _wait_renewed(timeout=30):
    """The restarted zebra's plugin has taken the datapath over."""
    def renewed():
        try:
            hold = show.dataplane(_gear("r1")).get("holdTime", {})
        except AssertionError:
            return False
        return hold.get("enforced") and hold.get("trustedForMsec", 0) > 0

    _, ok = topotest.run_and_expect(renewed, True, count=timeout * 4, wait=0.25)
    return ok


# -------------------------------------------------------------------- tests


def test_datapath_forwards_with_hold_time():
    """Kernel forwarding off: h1 reaches h2's loopbacks through the
    datapath, and `show ebpf dataplane` shows the hold time of the module
    argument, enforced and renewed."""
    settings.require_plugin("the datapath's hold time")
    r1 = _gear("r1")
    kfwd = r1.net.cmd_raises(
        "sysctl -n net.ipv4.ip_forward net.ipv6.conf.all.forwarding").split()
    assert kfwd == ["0", "0"], "r1: kernel forwarding is on: {}".format(kfwd)
    assert _reachable_all(), "h1 cannot reach h2's loopbacks through r1"
    fwd0, _ = _counts()
    got = _ping_all(5)
    assert all(rx == 5 for _, rx in got.values()), got
    fwd1, _ = _counts()
    assert fwd1 - fwd0 >= 20, "the datapath forwarded {} of 20 packets".format(fwd1 - fwd0)

    hold = show.dataplane(r1).get("holdTime")
    assert hold, "show ebpf dataplane json has no holdTime"
    assert hold["holdTimeSeconds"] == HOLD, hold
    assert hold["source"] == "module argument hold-time", hold
    assert hold["enforced"] is True, hold
    assert 0 < hold["trustedForMsec"] <= HOLD * 1000, hold
    renewals = hold["renewals"]
    time.sleep(1.5)
    assert show.dataplane(r1)["holdTime"]["renewals"] > renewals, \
        "the hold time is not renewed"


def test_dead_zebra_forwards_for_the_hold_time_then_the_kernel():
    """zebra killed: the datapath forwards for the hold time (kernel
    forwarding off, every ping answered), then sends every packet to the
    kernel (none answered, all counted hold-time-expired, none forwarded);
    zebra started again takes the datapath over and it forwards again."""
    settings.require_plugin("the datapath's hold time")
    _ensure_zebra()
    reasons0 = _reasons()
    killed = _kill_zebra()
    got = _ping_all(8)
    elapsed = time.monotonic() - killed
    assert elapsed < HOLD, "the pings took {:.1f} s, past the hold time".format(elapsed)
    assert all(rx == 8 for _, rx in got.values()), \
        "zebra dead {:.1f} s, within the hold time: {}; the datapath's counters: {}".format(
            elapsed, got, _reasons_since(reasons0))

    time.sleep(max(0, killed + HOLD + 1.5 - time.monotonic()))
    fwd0, exp0 = _counts()
    got = _ping_all(5, interval=0.2)
    fwd1, exp1 = _counts()
    assert all(rx == 0 for _, rx in got.values()), \
        "answered past the hold time with kernel forwarding off: {}".format(got)
    assert fwd1 == fwd0, "the datapath forwarded {} packets past the hold time".format(fwd1 - fwd0)
    assert exp1 - exp0 >= 10, "hold-time-expired counted {} of 10 packets".format(exp1 - exp0)

    _start_zebra()
    assert _wait_renewed(), "the restarted zebra did not renew the hold time"
    assert _reachable_all(), "h2's loopbacks unreachable after zebra's restart"
    fwd0, exp0 = _counts()
    got = _ping_all(5)
    fwd1, exp1 = _counts()
    assert all(rx == 5 for _, rx in got.values()), got
    assert fwd1 - fwd0 >= 20 and exp1 == exp0, (fwd1 - fwd0, exp1 - exp0)


def test_link_down_while_zebra_is_dead():
    """Kernel forwarding on. zebra killed, then r1-eth1 (one of the ECMP
    links) taken down: nothing tells the datapath, so past the hold time
    the kernel, which saw the link go, takes every packet: flows of many
    ICMP ids all answered, none forwarded by the datapath."""
    settings.require_plugin("the datapath's hold time")
    _ensure_zebra()
    r1 = _gear("r1")
    for prefix in ("172.16.5.0/24", "2001:db8:5::/64"):
        assert _kernel_has(prefix), "r1's kernel has no route to " + prefix
    _forwarding(True)
    try:
        killed = _kill_zebra()
        r1.net.cmd_raises("ip link set r1-eth1 down")
        time.sleep(max(0, killed + HOLD + 1.5 - time.monotonic()))
        fwd0, exp0 = _counts()
        lost = []
        for i in range(6):  # one ICMP id per ping, hashed over both paths
            for f, (tx, rx) in _ping_all(2, interval=0.05).items():
                if rx != tx:
                    lost.append((i, f, tx, rx))
        fwd1, exp1 = _counts()
        assert not lost, "lost with r1-eth1 down, past the hold time: {}".format(lost)
        assert fwd1 == fwd0, "the datapath forwarded {} packets".format(fwd1 - fwd0)
        assert exp1 - exp0 >= 24, "hold-time-expired counted {} of 24".format(exp1 - exp0)
    finally:
        r1.net.cmd_raises("ip link set r1-eth1 up")
        if not _zebra_pid() or not _alive(_zebra_pid()):
            _start_zebra()
        _forwarding(False)
    assert _wait_renewed(), "the restarted zebra did not renew the hold time"
    assert _reachable_all(), "h2's loopbacks unreachable after zebra's restart"


def _lb_ids():
    """{VIP: (vip id, ring base, {backend: id})} of the installed VIPs, as
    `show ebpf load-balancer` says."""
    out = {}
    for name, vip in show.load_balancer(_gear("r1")).get("vips", {}).items():
        if vip.get("installed"):
            out[name] = (vip["vipId"], vip["ringBase"],
                         {b["address"]: b["backendId"] for b in vip.get("backends", [])})
    return out


def test_kill9_and_restart_lose_nothing():
    """Kernel forwarding off, pings every 9 ms in both families and three
    TCP connections carrying data at an even pace (through a dnat VIP,
    through a fullnat VIP, from a masqueraded source): zebra (with -K, so
    that it keeps what it finds in the kernel while its daemons replay)
    killed and started again at once. The new run takes over the FIB the
    programs read instead of emptying it, and keeps conntrack, the NAT
    rules and the VIPs an earlier run left, its configuration taking them
    over with the same ids (their flows name them): not one ping lost
    (but in a gap zebra itself makes in the kernel's routes: see
    _lost_outside_kernel_gaps), every one answered forwarded by the
    datapath, and every byte arrives, in order, on the connection that
    started before the restart."""
    settings.require_plugin("a restart under traffic")
    _restarted_zebra()
    hold = show.dataplane(_gear("r1"))["holdTime"]["holdTimeSeconds"]
    assert hold == RESTART_HOLD, hold
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        ids0 = _lb_ids()
        if len(ids0) == 2 and all(v[0] for v in ids0.values()):
            break
        time.sleep(0.5)
    assert len(ids0) == 2 and all(v[0] for v in ids0.values()), ids0
    fwd0, exp0 = _counts()
    reasons0 = _reasons()
    h1, h2 = _gear("h1"), _gear("h2")
    # through zebra's sweep of what it found in the kernel, GR_TIME s on
    pings = Pinger(TARGETS, GR_TIME + 5)
    streams = [traffic.TcpStream(h1, h2, dst, 300000, GR_TIME + 5, port,
                                 dst_port=dport, src_addr=src)
               for _, dst, dport, port, src, _ in FLOWS]
    time.sleep(1.5)
    _kill_zebra()
    _start_zebra()
    assert _wait_renewed(), "the restarted zebra did not renew the hold time"
    for stream, (what, _, _, _, _, peers) in zip(streams, FLOWS):
        sent, got = stream.finish()
        assert traffic.delivered(sent, got), \
            "{}: sent {}, received {}".format(what, sent, got)
        assert got["peer"] in peers, "{}: h2 saw the connection from {}, want one of {}; {}".format(
            what, got["peer"], sorted(peers), _gear("r1").vtysh_cmd("show ebpf nat"))
    _assert_nothing_lost(pings, "kill -9 and restart", fwd0, exp0, reasons0)
    assert _lb_ids() == ids0, "VIP and backend ids before {} and after {} the restart".format(
        ids0, _lb_ids())


def _xdp_tag(ifname):
    """The tag (a hash of the instructions) of the XDP program on ifname."""
    r1 = _gear("r1")
    link = json.loads(r1.net.cmd_raises("ip -j -d link show " + ifname))[0]
    prog = link.get("xdp", {}).get("prog", {}).get("id")
    assert prog, "{}: no XDP program: {}".format(ifname, link)
    return json.loads(r1.net.cmd_raises("bpftool -j prog show id {}".format(prog)))["tag"]


def test_clean_stop_with_retain_and_upgrade_lose_nothing():
    """An upgrade: zebra -r (retain) stopped cleanly with SIGTERM and
    started again, while staticd runs on, with another build of the plugin
    (the same map layout, programs that differ: frr-plugin/subdir.am). The
    programs stay attached through the stop, forward from the retained
    tables, and the new build's take the pins and the interfaces over.
    Pings every 9 ms in both families and a TCP connection through the
    dnat VIP, kernel forwarding off: no ping lost, through staticd's
    reconnection and zebra's sweep, every byte arrives, and the XDP
    program is the new build's."""
    settings.require_plugin("a clean restart under traffic")
    rebuilt = settings.rebuilt_module()
    assert rebuilt, "the second build of the plugin (make) is missing"
    r1, h1, h2 = _gear("r1"), _gear("h1"), _gear("h2")
    _restarted_zebra("-r")
    tag0 = _xdp_tag("r1-eth0")
    fwd0, exp0 = _counts()
    reasons0 = _reasons()
    pings = Pinger(TARGETS, GR_TIME + 8)
    stream = traffic.TcpStream(h1, h2, "198.18.0.10", 200000, GR_TIME + 6, 8080, dst_port=80)
    time.sleep(1)
    pid = _zebra_pid()
    r1.net.cmd_raises("kill {}".format(pid))
    deadline = time.monotonic() + 15
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid), "zebra did not stop on SIGTERM"
    _, links, _ = r1.net.cmd_status("ip -d link show r1-eth0", warn=False)
    assert "xdp" in links, "zebra -r's stop detached the XDP program: " + links
    r1.net.cmd_status("rm -f /var/run/frr/zebra.pid", warn=False)
    _zebra_options(RESTART_HOLD, "-r", module=rebuilt)
    try:
        _start_zebra(with_staticd=False)
        assert _wait_renewed()
        sent, got = stream.finish()
        assert traffic.delivered(sent, got), \
            "through the VIP, across the upgrade: sent {}, received {}".format(sent, got)
        _assert_nothing_lost(pings, "a clean stop of zebra -r and a start of another build",
                             fwd0, exp0, reasons0)
        tag1 = _xdp_tag("r1-eth0")
        assert tag1 != tag0, "the XDP program's tag is the first build's ({})".format(tag0)
    finally:
        # the next test's start goes back to the first build
        _zebra_options(RESTART_HOLD)


def test_routes_changed_while_zebra_was_dead():
    """zebra and staticd killed; meanwhile the configuration loses one
    route and gains another. Started again (zebra -K): the lost route is
    forwarded as long as the kernel has it (zebra removes it once staticd
    is back without it, at its sweep at the latest), and not after; the
    new one is forwarded as soon as staticd has announced it. Kernel
    forwarding off throughout."""
    settings.require_plugin("routes changed across a restart")
    _ensure_zebra()
    r1 = _gear("r1")
    for f, (prefix, _) in GONE.items():
        cmd = "ip route" if f == "v4" else "ipv6 route"
        r1.net.cmd_raises("vtysh -c 'configure terminal' -c '{} {} {}'".format(
            cmd, prefix, NEXTHOP[f]))
    h1 = _gear("h1")
    for f, (prefix, dst) in GONE.items():
        if traffic.reachable(h1, dst, timeout=10):
            continue
        _, rib, _ = r1.net.cmd_status("vtysh -c 'show {} route {}'".format(
            "ip" if f == "v4" else "ipv6", prefix), warn=False)
        _, ebpf, _ = r1.net.cmd_status("vtysh -c 'show ebpf route {}'".format(prefix), warn=False)
        _, kern, _ = r1.net.cmd_status("ip {}route show {}".format(
            "" if f == "v4" else "-6 ", prefix), warn=False)
        assert False, "{} not reachable before the restart; zebra: {}; datapath: {}; kernel: {}".format(
            dst, rib, ebpf, kern)
    _kill("staticd")
    _kill_zebra()
    conf = "/etc/frr/frr.conf"
    lines = []
    for f in ("v4", "v6"):
        cmd = "ip route" if f == "v4" else "ipv6 route"
        lines.append("{} {} {}".format(cmd, NEW[f][0], NEXTHOP[f]))
    r1.net.cmd_raises("printf '{}\\n' >> {}".format("\\n".join(lines), conf))
    started = time.monotonic()
    _start_zebra()
    assert _wait_renewed()
    for f, (_, dst) in NEW.items():
        assert traffic.reachable(h1, dst, timeout=10), \
            "{}: configured while zebra was dead, not reachable".format(dst)
    # the removed routes: forwarded while the kernel has them, gone with
    # them (zebra removes them when staticd, back, does not announce them,
    # at its sweep at the latest)
    # the earlier run's routes zebra has not replayed are listed as the
    # FIB holds them (show ebpf route reads the plugin's table and, until
    # the resync, what it took over)
    listed = show.routes(r1)
    for f, (prefix, _) in GONE.items():
        assert prefix in listed or not _kernel_has(prefix), \
            "{} is in the kernel and the FIB, not in show ebpf route".format(prefix)
    kernel_lost, dp_lost = {}, {}
    while time.monotonic() - started < GR_TIME + 10 and len(dp_lost) < 2:
        for f, (prefix, dst) in GONE.items():
            if f in dp_lost:
                continue
            in_kernel = _kernel_has(prefix)
            answered = traffic.ping(h1, dst, count=1, interval=0.2, wait=1)[1] == 1
            now = time.monotonic() - started
            if not in_kernel:
                kernel_lost.setdefault(f, now)
            if not answered:
                assert not in_kernel, \
                    "{}: not forwarded {:.1f} s after the restart while the kernel has it".format(
                        prefix, now)
                dp_lost[f] = now
        time.sleep(0.2)
    assert len(dp_lost) == 2, "removed routes still forwarded {:.0f} s after the restart: {}".format(
        time.monotonic() - started, dp_lost)
    for f, t in dp_lost.items():
        assert t - kernel_lost[f] < 2.5, \
            "{}: forwarded {:.1f} s after the kernel lost it".format(f, t - kernel_lost[f])
    listed = show.routes(r1)
    assert not any(prefix in listed for prefix, _ in GONE.values()), \
        "removed, still in show ebpf route: {}".format(
            [p for p, _ in GONE.values() if p in listed])
    assert all(prefix in listed for prefix, _ in NEW.values()), listed

def _resync_pending():
    return show.dataplane(_gear("r1"))["resync"]["pending"]


def _vip_routes():
    """The VIP routes (protocol 251) in r1's kernel."""
    r1 = _gear("r1")
    return set(r1.net.cmd_raises("ip route show proto 251").split("\n")[0:-1] +
               r1.net.cmd_raises("ip -6 route show proto 251").split("\n")[0:-1])


def test_unclaimed_state_goes_at_the_resync():
    """A VIP and a source NAT rule configured with vtysh only (not in
    frr.conf), then zebra killed and started again: the new run's
    configuration does not claim them. Their connection started before
    the restart goes on until the resync (module argument resync-delay
    after zebra read its configuration); at the resync the VIP leaves
    lb_vip_map and its route leaves the kernel, the rule leaves
    nat_src_map, while what the configuration claimed stays."""
    settings.require_plugin("the resync of adopted state")
    _ensure_zebra()
    r1, h1, h2 = _gear("r1"), _gear("h1"), _gear("h2")
    r1.net.cmd_raises(
        "vtysh -c 'configure terminal' -c 'ebpf' -c 'load-balancer' -c 'vip gone4' "
        "-c 'address 198.18.0.20 port 80 protocol tcp' -c 'backend 10.0.1.2 port 8083' "
        "-c 'exit' -c 'exit' -c 'nat' "
        "-c 'source 192.168.1.4/32 out-interface r1-eth1 masquerade'")
    h1.net.cmd_raises("ip addr add 192.168.1.4/24 dev h1-eth0")
    try:
        def installed():
            return ("198.18.0.20", 80, "tcp") in lbmaps.vips(r1) and \
                "192.168.1.4/32" in lbmaps.nat_rules(r1)

        _, ok = topotest.run_and_expect(installed, True, count=40, wait=0.5)
        assert ok, "the vtysh-only VIP and rule were not installed"
        routes0 = _vip_routes()
        assert any(r.startswith("blackhole 198.18.0.20") for r in routes0), routes0
        streams = [traffic.TcpStream(h1, h2, "198.18.0.20", 200000, 10, 8083, dst_port=80),
                   traffic.TcpStream(h1, h2, "10.0.1.2", 200000, 10, 8084,
                                     src_addr="192.168.1.4")]
        time.sleep(1)
        _kill_zebra()
        _start_zebra()
        assert _wait_renewed()
        assert _resync_pending(), "the restarted zebra did not start on the earlier run's pins"
        for stream, what in zip(streams, ("unclaimed VIP", "unclaimed masquerade")):
            sent, got = stream.finish()
            assert traffic.delivered(sent, got), \
                "{} before the resync: sent {}, received {}".format(what, sent, got)
        assert _resync_pending(), "the resync came before the flows ended: the test proves nothing"
        assert ("198.18.0.20", 80, "tcp") in lbmaps.vips(r1)
        # the ranges wait for the resync: until then an earlier run's
        # programs may read the maps (doc/fib.md, "IPv4: ranges")
        fib = show.dataplane(r1)["fib"]
        assert not fib["ipv4RangesOn"], "IPv4 ranges before the resync: {}".format(fib)
        assert not fib["ipv6RangesOn"], "IPv6 ranges before the resync: {}".format(fib)
        done, _ = topotest.run_and_expect(_resync_pending, False, count=(RESYNC + 20) * 2, wait=0.5)
        assert done, "no resync {} s after the restart".format(RESYNC + 20)
        # built a pass at a time (doc/fib.md, "Repacking"): every /16 and
        # /20 within a second; 2001:db8::/20 holds h2's loopbacks: ranges
        def ranges_built():
            fib = show.dataplane(r1)["fib"]
            return fib["ipv4RangesOn"] and fib["ipv4RangesDir24Blocks"] == 0 and \
                fib["ipv4RangeEntries"] > 0 and fib["ipv6RangesOn"] and \
                fib["ipv6RangesSearchChunks"] == 0 and fib["ipv6RangeEntries"] > 0

        built, _ = topotest.run_and_expect(ranges_built, True, count=20, wait=0.25)
        assert built, "ranges after the resync: {}".format(show.dataplane(r1)["fib"])
        vips = lbmaps.vips(r1)
        assert ("198.18.0.20", 80, "tcp") not in vips, vips
        assert ("198.18.0.10", 80, "tcp") in vips and ("2001:db8:10::10", 80, "tcp") in vips, vips
        rules = lbmaps.nat_rules(r1)
        assert set(rules) == {"192.168.1.3/32"}, rules
        routes = _vip_routes()
        assert not any(r.startswith("blackhole 198.18.0.20") for r in routes), routes
        assert routes == routes0 - {r for r in routes0 if r.startswith("blackhole 198.18.0.20")}, \
            (routes0, routes)
    finally:
        h1.net.cmd_status("ip addr del 192.168.1.4/24 dev h1-eth0", warn=False)


# every size a module argument sets, changed (the defaults are larger)
NEW_SIZES = {"ipv4-routes": 65536, "ipv6-routes": 16384, "nexthop-groups": 4096,
             "neighbors": 4096, "lb-vips": 64, "lb-backends": 1024, "lb-ring": 131072,
             "lb-persist": 4096, "conntrack": 8192, "nat-rules": 64}
# the maps each argument sizes, and how (dp_maps.c, dp_sizes_expand)
SIZED_MAPS = {"rt_v4_map": ("ipv4-routes", 1), "rt_v6_map": ("ipv6-routes", 1),
              "nh_map": ("nexthop-groups", 1), "dmac_map": ("neighbors", 1),
              "lb_vip_map": ("lb-vips", 1), "lb_backend_map": ("lb-backends", 1),
              "lb_persist_map": ("lb-persist", 1), "ct4_map": ("conntrack", 1),
              "ct6_map": ("conntrack", 1), "nat_src_map": ("nat-rules", 1),
              "fib6_map": ("ipv6-routes", 4)}


def test_table_sizes_change_across_a_restart():
    """Kernel forwarding off, pings every 9 ms in both families and a TCP
    connection through the dnat VIP: zebra killed and started with every
    table size changed by its module arguments. Each resized map is created
    anew and what the earlier one held is carried over before the new
    programs read it: no ping lost, every byte of the connection arrives,
    and the maps have the new sizes. The earlier run's programs, which
    write the earlier maps, are replaced at load: a connection through the
    fullnat VIP opened after zebra started and before its configuration
    was applied (which attaches the programs) is made in the new conntrack
    table from its SYN, not picked up mid-stream by the new programs
    after the earlier ones had made it in the earlier table."""
    settings.require_plugin("a table-size change across a restart")
    _restarted_zebra()
    fwd0, exp0 = _counts()
    reasons0 = _reasons()
    h1, h2 = _gear("h1"), _gear("h2")
    pings = Pinger(TARGETS, GR_TIME + 5)
    stream = traffic.TcpStream(h1, h2, "198.18.0.10", 200000, GR_TIME, 8080, dst_port=80)
    late = []

    def open_late():
        # this run's program on every interface already, before the
        # configuration attaches it
        attached = {}
        ours = show.dataplane(_gear("r1"))["xdpProgId"]
        for ifname in ("r1-eth0", "r1-eth1", "r1-eth2"):
            link = json.loads(_gear("r1").net.cmd_raises("ip -j -d link show " + ifname))[0]
            attached[ifname] = link.get("xdp", {}).get("prog", {}).get("id")
        late.append(attached != dict.fromkeys(attached, ours) and
                    "XDP programs before the configuration {}, this run's {}".format(
                        attached, ours))
        # its SYN and first segments before the configuration is applied
        late.append(traffic.TcpStream(h1, h2, "2001:db8:10::10", 100000, 8, 8081,
                                      dst_port=80))
        time.sleep(2)

    time.sleep(1)
    _zebra_options(RESTART_HOLD, sizes=",".join(
        "{}={}".format(k, v) for k, v in NEW_SIZES.items()))
    try:
        _kill_zebra()
        _start_zebra(before_config=open_late)
        assert _wait_renewed(), "the restarted zebra did not renew the hold time"
        time.sleep(1)
        late_flows = [f for f in show.conntrack(_gear("r1"), "vip web6")["flows"]
                      if f["state"] == "established"]
        try:
            sent, got = stream.finish()
            late_sent, late_got = late[1].finish()
        except AssertionError as e:
            raise AssertionError("{}; the datapath's counters: {}".format(
                e, _reasons_since(reasons0))) from e
        assert traffic.delivered(sent, got), \
            "through the VIP: sent {}, received {}".format(sent, got)
        assert traffic.delivered(late_sent, late_got) and late_got["peer"] == "fd00:1::1", \
            "fullnat, opened before the configuration: sent {}, received {}".format(
                late_sent, late_got)
        assert len(late_flows) == 1 and "pickup" not in late_flows[0]["flags"], \
            "the connection opened before the configuration, in conntrack: {}".format(late_flows)
        _assert_nothing_lost(pings, "a restart with new table sizes", fwd0, exp0, reasons0)
        maps = show.dataplane(_gear("r1"))["maps"]
        wrong = {name: maps[name]["maxEntries"] for name, (arg, k) in SIZED_MAPS.items()
                 if maps[name]["maxEntries"] != NEW_SIZES[arg] * k}
        assert not wrong, "maps not of the new sizes: {}".format(wrong)
        log = os.path.join(get_topogen().logdir, "r1", "zebra.log")
        _, lost, _ = _gear("r1").net.cmd_status("grep -c 'did not fit' " + log, warn=False)
        assert lost.strip() == "0", "entries lost in a resize: see zebra.log"
        assert not late[0], late[0]
    finally:
        # the last test: the sizes go back to the defaults at the next start
        _zebra_options(RESTART_HOLD)


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
ebpf_lb_cfg_topo1: the load balancer's and NAT's configuration in the
datapath's maps, and VIP announcement, before any packet is balanced.

    r0 ---------- r1 ---------- (backend segment)
      r0-eth0   r1-eth0  r1-eth1
      10.0.0.2  10.0.0.1 10.0.1.1, fd00:1::1

r1 runs Debian's zebra with the plugin and bgpd; r0 runs zebra and bgpd,
eBGP to r1. r1/frr.conf configures three VIPs (maglev, round-robin with
fullnat, least-connections with dsr on all ports) without health checks
and two source NAT rules. The tests read the pinned maps with bpftool
(ebpftest/lbmaps.py) and compare them with the configuration and with
`show ebpf load-balancer|nat|conntrack json`; they drive backends with
admin-down and check the VIP's kernel route (protocol 251, blackhole),
zebra's view of it (a kernel route) and r0's BGP table. Conntrack entries
are written with bpftool as the datapath would write them, to check
ageing, show and clear (the datapath's own flows come with branch lbdp).
"""

import os
import re
import sys
import time

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.append(os.path.join(CWD, ".."))

# pylint: disable=C0413
from lib import topotest
from lib.topogen import Topogen, TopoRouter, get_topogen

from ebpftest import lbmaps, settings, show

pytestmark = [pytest.mark.bgpd, pytest.mark.ebpf]

VIP4 = "198.18.0.10"
VIP4_PREFIX = VIP4 + "/32"
RTPROT_LB = 251
IPPROTO_TCP = 6
DP_CT_TCP_ESTABLISHED = 3
DP_CT_TCP_CLOSE_WAIT = 5


def build_topo(tgen):
    r0 = tgen.add_router("r0")
    r1 = tgen.add_router("r1")
    tgen.add_link(r0, r1, "r0-eth0", "r1-eth0")
    sw = tgen.add_switch("s1")
    sw.add_link(r1, nodeif="r1-eth1")


def setup_module(mod):
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()
    for rname, router in tgen.routers().items():
        settings.load_router_frr_conf(tgen, router, CWD)
        router.load_config(TopoRouter.RD_ZEBRA, None,
                           settings.zebra_args() if rname == "r1" else None)
        router.load_config(TopoRouter.RD_BGP)
    tgen.start_router()
    for rname, router in tgen.routers().items():
        assert router.check_router_running() == "", rname


def teardown_module(mod):
    get_topogen().stop_topology()


# ------------------------------------------------------------------ helpers


def _poll(func, timeout=30, wait=0.5):
    _, result = topotest.run_and_expect(func, None, count=int(timeout / wait), wait=wait)
    return result


def _config(router, node, *lines):
    prefix = {"vip4": ["ebpf", "load-balancer", "vip web4"],
              "lb": ["ebpf", "load-balancer"],
              "nat": ["ebpf", "nat"]}[node]
    cmd = ["vtysh", "-c", "configure terminal"]
    for line in prefix + list(lines):
        cmd += ["-c", line]
    rc, out, err = router.net.cmd_status(cmd, warn=False)
    assert rc == 0 and "%" not in out, "{}: {} -> {} {}".format(router.name, lines, out, err)


def _kernel_lb_routes(router):
    """The prefixes of the routes of protocol 251 in r1's main table (all
    blackhole routes: `blackhole 198.18.0.10 proto 251`)."""
    out = router.net.cmd_raises("ip route show proto {0}; ip -6 route show proto {0}".format(RTPROT_LB))
    routes = []
    for line in out.splitlines():
        words = line.split()
        if not words:
            continue
        assert words[0] == "blackhole", line
        dst = words[1]
        routes.append(dst if "/" in dst else dst + ("/128" if ":" in dst else "/32"))
    return sorted(routes)


def _zebra_kernel_route(router, prefix):
    """zebra's selected kernel route for prefix (its JSON), or None."""
    data = router.vtysh_cmd("show ip route {} json".format(prefix), isjson=True)
    for route in data.get(prefix, []):
        if route.get("protocol") == "kernel" and route.get("selected"):
            return route
    return None


def _r0_has(tgen, prefix):
    data = tgen.gears["r0"].vtysh_cmd("show ip bgp {} json".format(prefix), isjson=True)
    return bool(data.get("paths"))


def _vip(router, name):
    return show.load_balancer(router, name)["vips"][name]


# -------------------------------------------------------------------- tests


def test_vips_in_maps():
    """Each VIP of r1/frr.conf is in lb_vip_map under its address, port and
    protocol with the id, algorithm, NAT mode, seed and ring `show ebpf
    load-balancer` reports; lb_vip_backends lists its backends' ids;
    lb_backend_map holds each backend's address, port, weight, VIP and UP
    flag; the ring names only its backends (maglev: a prime of at least
    16381 slots; round-robin over one backend: one slot); fullnat takes the
    kernel's source towards the backends; the meta switches say conntrack,
    load balancer and source NAT are in use."""
    settings.require_plugin("the load balancer's maps")
    r1 = get_topogen().gears["r1"]

    def all_installed():
        lb = show.load_balancer(r1)
        ok = sorted(lb["vips"]) == ["dns", "web4", "web6"] and all(
            v["installed"] for v in lb["vips"].values())
        return None if ok else lb

    assert _poll(all_installed) is None
    lb = show.load_balancer(r1)["vips"]
    maps = lbmaps.vips(r1)
    want = {
        "web4": ((VIP4, 80, "tcp"), 0, 0, 2),  # maglev, dnat
        "web6": (("2001:db8::10", 443, "tcp"), 3, 1, 1),  # rr, fullnat
        "dns": (("198.18.0.11", 0, "udp"), 5, 2, 1),  # least-conn, dsr
    }
    assert len(maps) == 3, maps
    for name, (key, alg, nat, n_backends) in want.items():
        shown, m = lb[name], maps[key]
        assert (m["vipId"], m["algorithm"], m["natMode"], m["hashSeed"]) == (
            shown["vipId"], alg, nat, 7), (name, m, shown)
        assert m["ringSize"] == shown["ringSize"], (name, m, shown)
        ids = lbmaps.vip_backends(r1, m["vipId"])
        assert sorted(ids) == sorted(b["backendId"] for b in shown["backends"]), (name, ids)
        assert len(ids) == n_backends
        for b in shown["backends"]:
            be = lbmaps.backend(r1, b["backendId"])
            assert (be["address"], be["port"], be["weight"], be["vipId"], be["up"]) == (
                b["address"], b["port"], b["weight"], m["vipId"], True), (name, be, b)
        if m["ringSize"]:
            slots = lbmaps.ring(r1, m["ringBase"], m["ringSize"])
            assert set(slots) == set(ids), (name, set(slots), ids)
    assert maps[want["web4"][0]]["ringSize"] >= 16381
    assert maps[want["web6"][0]]["ringSize"] == 1
    assert maps[want["dns"][0]]["ringSize"] == 0  # least-connections
    # the kernel's source towards fd00:1::2, once fd00:1::1 is no longer
    # tentative (the plugin asks again every ageing pass)
    assert _poll(lambda: None if lbmaps.vips(r1)[want["web6"][0]]["fnatAddr"] == "fd00:1::1"
                 else lbmaps.vips(r1)[want["web6"][0]]) is None
    assert _vip(r1, "web6")["fullnatSource"] == "fd00:1::1"
    lo, hi = maps[want["web6"][0]]["fnatPorts"]
    assert 1024 <= lo < hi <= 65535
    flags = lbmaps.meta_flags(r1)
    assert flags & lbmaps.DP_META_F_CT and flags & lbmaps.DP_META_F_LB and \
        flags & lbmaps.DP_META_F_SNAT, hex(flags)


def test_kernel_route_and_bgp():
    """While web4 has a backend up, r1's main table has a blackhole route of
    protocol 251 for 198.18.0.10/32, zebra shows it as a kernel route
    (`K>* 198.18.0.10/32 ... blackhole`) and r0 learns the VIP from bgpd's
    `network` statement. Taking each backend admin-down clears its UP flag
    at once; with the last one down the route leaves the kernel and the
    RIB and r0 withdraws the VIP; one backend back brings all of it back."""
    settings.require_plugin("VIP announcement")
    tgen = get_topogen()
    r1 = tgen.gears["r1"]

    def announced():
        problems = []
        if VIP4_PREFIX not in _kernel_lb_routes(r1):
            problems.append("no kernel route")
        route = _zebra_kernel_route(r1, VIP4_PREFIX)
        if not route:
            problems.append("zebra has no kernel route")
        if not _r0_has(tgen, VIP4_PREFIX):
            problems.append("r0 has no BGP route")
        return problems or None

    assert _poll(announced, timeout=60) is None
    text = r1.vtysh_cmd("show ip route {}".format(VIP4_PREFIX))
    assert re.search(r"Routing entry for 198\.18\.0\.10/32", text) and "blackhole" in text, text
    assert _vip(r1, "web4")["announced"]

    _config(r1, "vip4", "backend 10.0.1.2 port 8080 admin-down")
    vip = _vip(r1, "web4")
    be = {b["address"]: b for b in vip["backends"]}
    assert be["10.0.1.2"]["state"] == "admin-down" and be["10.0.1.3"]["state"] == "up"
    assert not lbmaps.backend(r1, be["10.0.1.2"]["backendId"])["up"]
    assert lbmaps.backend(r1, be["10.0.1.3"]["backendId"])["up"]
    slots = lbmaps.ring(r1, vip["ringBase"], vip["ringSize"])
    assert set(slots) == {be["10.0.1.3"]["backendId"]}, set(slots)
    assert VIP4_PREFIX in _kernel_lb_routes(r1)

    _config(r1, "vip4", "backend 10.0.1.3 port 8080 weight 50 admin-down")

    def withdrawn():
        problems = []
        if VIP4_PREFIX in _kernel_lb_routes(r1):
            problems.append("kernel route left")
        if _zebra_kernel_route(r1, VIP4_PREFIX):
            problems.append("zebra still has it")
        if _r0_has(tgen, VIP4_PREFIX):
            problems.append("r0 still has it")
        return problems or None

    assert _poll(withdrawn, timeout=30) is None
    vip = _vip(r1, "web4")
    assert not vip["announced"] and vip["backendsUp"] == 0 and vip["ringSize"] == 0
    assert vip["installed"]  # new flows find no backend: the kernel (blackhole) gets them

    _config(r1, "vip4", "backend 10.0.1.2 port 8080")
    assert _poll(announced, timeout=60) is None
    _config(r1, "vip4", "backend 10.0.1.3 port 8080 weight 50")


def test_vip_change_and_removal():
    """A VIP whose port changes moves to its new key in lb_vip_map (the old
    key goes); a removed VIP leaves lb_vip_map and its kernel route, its
    backend ids drain and are given back after an ageing pass finds no
    flow naming them; configured again it is installed and announced."""
    settings.require_plugin("the load balancer's maps")
    r1 = get_topogen().gears["r1"]

    _config(r1, "vip4", "address 198.18.0.10 port 8080 protocol tcp")
    keys = set(lbmaps.vips(r1))
    assert (VIP4, 8080, "tcp") in keys and (VIP4, 80, "tcp") not in keys, keys
    _config(r1, "vip4", "address 198.18.0.10 port 80 protocol tcp")

    _config(r1, "lb", "no vip dns")
    assert ("198.18.0.11", 0, "udp") not in lbmaps.vips(r1)
    assert "198.18.0.11/32" not in _kernel_lb_routes(r1)
    draining = show.load_balancer(r1)["capacity"]["backendIdsDraining"]
    assert draining == 1, draining

    def drained():
        cap = show.load_balancer(r1)["capacity"]
        return None if cap["backendIdsDraining"] == 0 else cap

    assert _poll(drained, timeout=30) is None
    _config(r1, "lb", "vip dns", "address 198.18.0.11 all-ports protocol udp",
            "algorithm least-connections", "nat-mode dsr", "backend 10.0.1.5 port 0")
    assert _poll(lambda: None if "198.18.0.11/32" in _kernel_lb_routes(r1) else "no route") is None
    assert ("198.18.0.11", 0, "udp") in lbmaps.vips(r1)


def test_nat_rules_in_map():
    """nat_src_map holds one entry per rule, keyed by family and source
    prefix: masquerade with r1-eth0's address, the pool with its two
    addresses, both with r1-eth0's ifindex and ports outside the kernel's
    ephemeral range; `show ebpf nat` says the same. Masquerade follows the
    interface's address when it changes."""
    settings.require_plugin("source NAT's map")
    r1 = get_topogen().gears["r1"]
    ifindex = int(r1.net.cmd_raises("cat /sys/class/net/r1-eth0/ifindex"))
    rules = lbmaps.nat_rules(r1)
    assert sorted(rules) == ["10.10.0.0/16", "fd10::/16"], rules
    assert rules["10.10.0.0/16"]["masquerade"] and rules["10.10.0.0/16"]["addresses"] == ["10.0.0.1"]
    assert rules["fd10::/16"]["addresses"] == ["fd00::100", "fd00::101"]
    for r in rules.values():
        assert r["ifindex"] == ifindex
        lo, hi = r["ports"]
        assert 1024 <= lo < hi <= 65535 and not (lo <= 32768 <= hi), r["ports"]
    shown = show.nat(r1)
    assert shown["10.10.0.0/16 out-interface r1-eth0"]["translatedAddresses"] == ["10.0.0.1"]

    # a new primary address first, then the old one goes: the rule follows
    r1.net.cmd_raises("ip addr add 10.0.9.1/24 dev r1-eth0")
    r1.net.cmd_raises("ip addr del 10.0.0.1/24 dev r1-eth0")

    def follows(addr):
        def check():
            got = lbmaps.nat_rules(r1).get("10.10.0.0/16", {}).get("addresses")
            return None if got == [addr] else got
        return check

    try:
        assert _poll(follows("10.0.9.1")) is None
    finally:
        r1.net.cmd_raises("ip addr add 10.0.0.1/24 dev r1-eth0")
        r1.net.cmd_raises("ip addr del 10.0.9.1/24 dev r1-eth0")
    assert _poll(follows("10.0.0.1")) is None


def test_conntrack_ageing_show_clear():
    """Flows in ct4_map / ct6_map (written as the datapath writes them): `show ebpf
    conntrack` lists each once with its translation, filters by VIP,
    address and protocol; the ageing removes an expired open flow (the
    established timeout where the clock allows, else close-wait's), both
    directions, and takes it off its backend's active connections;
    `clear ebpf conntrack vip web4` removes the VIP's flows and their
    connections, leaving the others."""
    settings.require_plugin("conntrack")
    r1 = get_topogen().gears["r1"]
    vip = _vip(r1, "web4")
    be = {b["address"]: b["backendId"] for b in vip["backends"]}
    b2, b3 = be["10.0.1.2"], be["10.0.1.3"]
    # one fresh flow on each backend, one expired: established (7440 s)
    # where the router's clock, from boot, reaches that far back; on a
    # machine booted less than that ago, open in close-wait (60 s)
    if lbmaps.monotonic_ns(r1) > 8100 * 1e9:
        expired_state, expired_age = DP_CT_TCP_ESTABLISHED, 8000
    else:
        expired_state, expired_age = DP_CT_TCP_CLOSE_WAIT, 90
    lbmaps.ct_put_lb_flow(r1, IPPROTO_TCP, "10.20.0.1", 40001, VIP4, 80, "10.0.1.2", 8080,
                          b2, vip["vipId"], DP_CT_TCP_ESTABLISHED, 1)
    lbmaps.ct_put_lb_flow(r1, IPPROTO_TCP, "10.20.0.2", 40002, VIP4, 80, "10.0.1.3", 8080,
                          b3, vip["vipId"], DP_CT_TCP_ESTABLISHED, 1)
    lbmaps.ct_put_lb_flow(r1, IPPROTO_TCP, "10.20.0.3", 40003, VIP4, 80, "10.0.1.2", 8080,
                          b2, vip["vipId"], expired_state, expired_age)
    lbmaps.set_backend_conns(r1, b2, 2)
    lbmaps.set_backend_conns(r1, b3, 1)

    listed = show.conntrack(r1, "vip web4")
    assert listed["matched"] in (2, 3), listed  # the expired one may be gone already
    assert show.conntrack(r1, "address 10.20.0.2")["matched"] == 1
    assert show.conntrack(r1, "protocol udp")["matched"] == 0
    flow = [f for f in show.conntrack(r1, "address 10.20.0.2")["flows"]][0]
    assert (flow["destination"], flow["translatedDestination"], flow["state"]) == (
        "198.18.0.10:80", "10.0.1.3:8080", "established"), flow

    def aged():
        left = show.conntrack(r1)
        return None if left["matched"] == 2 and left["entries"] == 4 else left

    assert _poll(aged, timeout=20) is None
    assert lbmaps.backend_conns(r1, b2) == 1, "the aged open flow is taken off its backend"
    assert lbmaps.backend_conns(r1, b3) == 1

    rc, out = r1.net.cmd_status(["vtysh", "-c", "clear ebpf conntrack address 10.20.0.1"],
                                warn=False)[:2]
    assert rc == 0 and not out.strip(), out

    def entries(n):
        # the command starts an ageing pass that removes the flows in steps
        def check():
            got = lbmaps.ct_entries(r1)
            pending = show.conntrack(r1)["ageing"]["clearPending"]
            return None if got == n and pending == 0 else (got, pending)
        return check

    assert _poll(entries(2), timeout=20) is None
    assert lbmaps.backend_conns(r1, b2) == 0
    r1.net.cmd_raises("vtysh -c 'clear ebpf conntrack vip web4'")
    assert _poll(entries(0), timeout=20) is None
    assert lbmaps.backend_conns(r1, b3) == 0
    shown = {b["address"]: b["activeConnections"] for b in _vip(r1, "web4")["backends"]}
    assert shown == {"10.0.1.2": 0, "10.0.1.3": 0}, shown


def test_conntrack_lookup_filter():
    """The conntrack lookup filter is on and holds every address a flow
    can carry where the datapath looks: VIPs, the fullnat source and the
    NAT pool as destinations, backends as sources. A removed VIP's
    addresses stay while a flow still carries them (an ageing pass finds
    it) and leave at the first pass after its flow is cleared."""
    settings.require_plugin("the conntrack lookup filter")
    r1 = get_topogen().gears["r1"]
    DST, SRC = lbmaps.DP_CT_ADDR_F_DST, lbmaps.DP_CT_ADDR_F_SRC

    assert lbmaps.meta_flags(r1) & lbmaps.DP_META_F_CT_FILTER
    fnat = _vip(r1, "web6")
    held = [(VIP4, DST), ("2001:db8::10", DST), ("198.18.0.11", DST),
            ("10.0.1.2", SRC), ("10.0.1.3", SRC), ("fd00:1::2", SRC),
            ("10.0.1.5", SRC), ("fd00::100", DST), ("fd00::101", DST),
            ("10.0.0.1", DST)]
    missing = [(a, r) for a, r in held if not lbmaps.ct_filter_has(r1, a, r)]
    assert not missing, missing
    assert fnat.get("fullnatSource"), fnat
    assert lbmaps.ct_filter_has(r1, fnat["fullnatSource"], DST)
    before = show.conntrack(r1)["lookupFilter"]
    assert before["on"] and before["addresses"] >= len(held), before

    _config(r1, "lb", "vip tmp", "address 198.18.0.77 port 80 protocol tcp",
            "backend 10.0.1.77 port 8080")
    tmp = _vip(r1, "tmp")
    assert lbmaps.ct_filter_has(r1, "198.18.0.77", DST)
    assert lbmaps.ct_filter_has(r1, "10.0.1.77", SRC)
    be = tmp["backends"][0]["backendId"]
    lbmaps.ct_put_lb_flow(r1, IPPROTO_TCP, "10.20.0.77", 40077, "198.18.0.77", 80,
                          "10.0.1.77", 8080, be, tmp["vipId"], DP_CT_TCP_ESTABLISHED, 1)
    _config(r1, "lb", "no vip tmp")
    passes = show.conntrack(r1)["ageing"]["passes"]

    def two_passes():
        return None if show.conntrack(r1)["ageing"]["passes"] >= passes + 2 else "waiting"

    assert _poll(two_passes, timeout=30) is None
    assert lbmaps.ct_filter_has(r1, "198.18.0.77", DST), "drained while its flow lives"
    assert lbmaps.ct_filter_has(r1, "10.0.1.77", SRC), "drained while its flow lives"

    r1.net.cmd_raises("vtysh -c 'clear ebpf conntrack address 10.20.0.77'")

    def drained():
        f = show.conntrack(r1)["lookupFilter"]
        gone = not lbmaps.ct_filter_has(r1, "198.18.0.77", DST) and \
            not lbmaps.ct_filter_has(r1, "10.0.1.77", SRC)
        return None if gone and f["drained"] >= before["drained"] + 2 else f

    assert _poll(drained, timeout=30) is None
    assert not [(a, r) for a, r in held if not lbmaps.ct_filter_has(r1, a, r)]


def test_no_ebpf_clears_everything():
    """`no ebpf` removes every VIP and rule from the maps, withdraws the
    routes, turns the load-balancer and source NAT switches off at once and
    the conntrack switch off once an ageing pass finds the conntrack tables
    empty; the saved configuration applied again with `vtysh -b` brings it
    all back."""
    settings.require_plugin("the load balancer's maps")
    r1 = get_topogen().gears["r1"]
    r1.vtysh_cmd("write memory")
    r1.net.cmd_raises("vtysh -c 'configure terminal' -c 'no ebpf'")

    def cleared():
        flags = lbmaps.meta_flags(r1)
        problems = [what for what, bad in (
            ("lb_vip_map", lbmaps.vips(r1)), ("nat_src_map", lbmaps.nat_rules(r1)),
            ("routes", _kernel_lb_routes(r1)),
            ("switches", flags & (lbmaps.DP_META_F_CT | lbmaps.DP_META_F_LB |
                                  lbmaps.DP_META_F_SNAT))) if bad]
        return problems or None

    assert _poll(cleared, timeout=20) is None
    rc, out, _ = r1.net.cmd_status(["vtysh", "-b"], warn=False)
    assert rc == 0, out
    assert _poll(lambda: None if len(lbmaps.vips(r1)) == 3 and len(lbmaps.nat_rules(r1)) == 2
                 else "not back") is None
    assert _poll(lambda: None if VIP4_PREFIX in _kernel_lb_routes(r1) else "no route") is None


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))

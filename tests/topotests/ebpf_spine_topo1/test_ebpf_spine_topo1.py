#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
ebpf_spine_topo1: routed forwarding by the frr-ebpf datapath, with ECMP.

    h1 ---- r1 ==== r2 ---- h2
      eth0   eth1 eth1   eth0
             eth2 eth2

h1 192.168.1.2/24 2001:db8:1::2/64      h2 192.168.2.2/24 2001:db8:2::2/64
r1-eth1/r2-eth1 10.0.1.0/24 fd00:1::/64  r1-eth2/r2-eth2 10.0.2.0/24 fd00:2::/64

r1 (AS 65001) and r2 (AS 65002) run Debian's zebra with the plugin
(`-M dplane_ebpf.so`) and bgpd: eBGP over IPv4 and IPv6 on both parallel
links, so each host subnet is reached through a two-way ECMP group. Both
routers have kernel forwarding off (checked by the first test): a packet that
crosses a router was forwarded by the datapath, nothing else. The `ebpf`
blocks in rN/frr.conf mix XDP and TC interfaces so that both hooks forward
in both directions.

With --dry-run the same topology runs plain FRR with kernel forwarding on;
the checks that need the plugin are skipped (ebpftest/settings.py).
"""

import os
import re
import sys

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.append(os.path.join(CWD, ".."))

# pylint: disable=C0413
from lib import topotest
from lib.topogen import Topogen, TopoRouter, get_topogen
from lib.topolog import logger

from ebpftest import bpfmaps, settings, show, traffic

pytestmark = [pytest.mark.bgpd, pytest.mark.ebpf]

HOSTS = {
    "h1": {"router": "r1", "v4": "192.168.1.2", "v6": "2001:db8:1::2"},
    "h2": {"router": "r2", "v4": "192.168.2.2", "v6": "2001:db8:2::2"},
}
# The subnet each router originates (its host's) and the one it learns.
ORIGIN = {
    "r1": {"v4": "192.168.1.0/24", "v6": "2001:db8:1::/64"},
    "r2": {"v4": "192.168.2.0/24", "v6": "2001:db8:2::/64"},
}
LEARNED = {"r1": ORIGIN["r2"], "r2": ORIGIN["r1"]}
GATEWAY = {"h1": {"v4": "192.168.1.1", "v6": "2001:db8:1::1"},
           "h2": {"v4": "192.168.2.1", "v6": "2001:db8:2::1"}}
# The parallel links 1 and 2: r1-ethN faces r2-ethN, subnets 10.0.N.0/24
# and fd00:N::/64, r1 is .1 and r2 is .2 on both.
LINKS = (1, 2)
OTHER = {"r1": "r2", "r2": "r1"}
FAMILIES = ("v4", "v6")


def peer(rname, family, link):
    """The address of rname's BGP peer on a parallel link."""
    host = 1 if rname == "r2" else 2
    if family == "v4":
        return "10.0.{}.{}".format(link, host)
    return "fd00:{}::{}".format(link, host)


def ecmp_if(rname, link):
    return "{}-eth{}".format(rname, link)


def build_topo(tgen):
    r1 = tgen.add_router("r1")
    r2 = tgen.add_router("r2")
    h1 = tgen.add_host("h1", HOSTS["h1"]["v4"] + "/24", "via " + GATEWAY["h1"]["v4"])
    h2 = tgen.add_host("h2", HOSTS["h2"]["v4"] + "/24", "via " + GATEWAY["h2"]["v4"])
    tgen.add_link(h1, r1, "h1-eth0", "r1-eth0")
    tgen.add_link(r1, r2, "r1-eth1", "r2-eth1")
    tgen.add_link(r1, r2, "r1-eth2", "r2-eth2")
    tgen.add_link(r2, h2, "r2-eth0", "h2-eth0")


def _config_text(rname):
    with open(os.path.join(CWD, rname, "frr.conf")) as f:
        return f.read()


def ebpf_block(text):
    """{ifname: mode} from the `ebpf` block of a configuration (the mode
    may be omitted: xdp), or None when there is no block."""
    m = re.search(r"(?ms)^ebpf\n(.*?)^exit\n", text)
    if not m:
        return None
    return {
        i.group(1): i.group(3) or "xdp"
        for i in re.finditer(r"(?m)^ interface (\S+)( mode (\w+))?$", m.group(1))
    }


def ebpf_interfaces(rname):
    """{ifname: mode} as configured in rname's frr.conf."""
    return ebpf_block(_config_text(rname))


def setup_module(mod):
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()

    for hname, host in HOSTS.items():
        node = tgen.gears[hname]
        node.net.cmd_raises(
            "ip -6 addr add {}/64 dev {}-eth0 nodad".format(host["v6"], hname)
        )
        node.net.cmd_raises("ip -6 route add default via " + GATEWAY[hname]["v6"])

    # veth artefacts (DESIGN.md §5): native XDP redirect into a veth needs
    # GRO on the receiving peer, and TCP over XDP needs the sender's
    # checksum filled in (no TX checksum offload).
    for gear in tgen.gears.values():
        for ifname in gear.links:
            gear.net.cmd_raises("ethtool -K {} gro on tx off".format(ifname))

    for rname, router in tgen.routers().items():
        # hash on ports too, so that flows of one host pair spread (the
        # kernel's paths in a dry run; the datapath hashes ports anyway)
        router.net.cmd_raises("sysctl -qw net.ipv4.fib_multipath_hash_policy=1")
        router.net.cmd_raises("sysctl -qw net.ipv6.fib_multipath_hash_policy=1")
        conf = os.path.join(tgen.logdir, rname, "frr.conf")
        with open(conf, "w") as f:
            f.write(settings.router_config(_config_text(rname)))
        router.load_config(TopoRouter.RD_FRR, conf)
        router.load_config(TopoRouter.RD_ZEBRA, None, settings.zebra_args())
        router.load_config(TopoRouter.RD_BGP)

    tgen.start_router()
    _assert_routers_running(tgen)


def teardown_module(mod):
    tgen = get_topogen()
    tgen.stop_topology()


# ------------------------------------------------------------------ helpers


def _assert_routers_running(tgen):
    for rname, router in tgen.routers().items():
        result = router.check_router_running()
        assert result == "", "{}: daemons not running: {}".format(rname, result)


def _poll(func, timeout=60, wait=1):
    """Call func until it returns None (done) or timeout; the last result
    (a description of what is still missing) is returned."""
    _, result = topotest.run_and_expect(func, None, count=int(timeout / wait), wait=wait)
    return result


def _vtysh_config(router, *lines):
    cmd = ["vtysh", "-c", "configure terminal"]
    for line in lines:
        cmd += ["-c", line]
    rc, out, err = router.net.cmd_status(cmd, warn=False)
    assert rc == 0 and "%" not in out, "{}: {} -> {} {}".format(
        router.name, lines, out, err
    )


def _sysctl(node, name):
    return node.net.cmd_raises("sysctl -n " + name).strip()


def _rib_paths(router, prefix):
    """Installed (fib) nexthops of prefix in the router's RIB, as
    (gateway, ifname) pairs; [] when the route is absent."""
    cmd = "show {} route {} json".format("ipv6" if ":" in prefix else "ip", prefix)
    data = router.vtysh_cmd(cmd, isjson=True)
    paths = []
    for route in data.get(prefix, []):
        if not route.get("installed"):
            continue
        for nh in route.get("nexthops", []):
            if nh.get("fib"):
                paths.append((nh.get("ip"), nh.get("interfaceName")))
    return paths


def _bgp_down_peers(router, family, links):
    afi = "ipv4" if family == "v4" else "ipv6"
    data = router.vtysh_cmd("show bgp {} unicast summary json".format(afi), isjson=True)
    peers = data.get("peers", {})
    want = [peer(router.name, family, link) for link in links]
    return [p for p in want if peers.get(p, {}).get("state") != "Established"]


def _converged(tgen, links=LINKS):
    """None once the sessions on `links` are up and each router reaches the
    other host's subnet over exactly those links, in its RIB and (with the
    plugin) in the datapath; else what is missing."""
    for rname, router in tgen.routers().items():
        want = [ecmp_if(rname, link) for link in links]
        for family in FAMILIES:
            down = _bgp_down_peers(router, family, links)
            if down:
                return "{}: BGP sessions not established: {}".format(rname, down)
            prefix = LEARNED[rname][family]
            rib = _rib_paths(router, prefix)
            if sorted(ifname for _, ifname in rib) != want:
                return "{}: {} RIB paths {}, want via {}".format(rname, prefix, rib, want)
            if not settings.dry_run():
                dp = show.route_paths(router, prefix)
                if sorted(p["ifname"] for p in dp) != want:
                    return "{}: {} datapath paths {}, want via {}".format(
                        rname, prefix, dp, want)
    return None


def _fwd_counters(tgen):
    """{router: (packets, bytes)} forwarded by the datapath, from stats_map."""
    return {rname: bpfmaps.forwarded(router) for rname, router in tgen.routers().items()}


def _assert_reachable(tgen, src, dst, timeout=30):
    for family in FAMILIES:
        addr = HOSTS[dst][family]
        assert traffic.reachable(tgen.gears[src], addr, timeout), \
            "{} cannot reach {} {}".format(src, dst, addr)


# -------------------------------------------------------------------- tests


def test_kernel_forwarding_off():
    """The premise of every other test: r1 and r2 do not forward in the
    kernel (zebra's `no ip forwarding` / `no ipv6 forwarding` took effect on
    every interface), so whatever crosses them was forwarded by the
    datapath. In a dry run the kernel forwards instead, and this checks that."""
    tgen = get_topogen()
    want = "1" if settings.dry_run() else "0"
    for rname, router in tgen.routers().items():
        names = ["net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding"]
        for ifname in router.links:
            names.append("net.ipv4.conf.{}.forwarding".format(ifname))
            names.append("net.ipv6.conf.{}.forwarding".format(ifname))
        wrong = {n: v for n, v in ((n, _sysctl(router, n)) for n in names) if v != want}
        assert not wrong, "{}: forwarding sysctls not {}: {}".format(rname, want, wrong)


def test_dataplane_attached():
    """The `ebpf` block reached zebra: each configured interface is listed
    by `show ebpf interface` with its mode and its program attached, and the
    kernel shows an XDP program exactly on the XDP-mode interfaces."""
    tgen = get_topogen()
    settings.require_plugin("nothing is attached without the plugin")
    for rname, router in tgen.routers().items():
        want = ebpf_interfaces(rname)
        info = show.dataplane(router)
        assert info.get("loaded") and info.get("abiVersion") == bpfmaps.ABI_VERSION, info
        shown = show.interfaces(router)
        assert sorted(shown) == sorted(want), "{}: {}".format(rname, shown)
        for ifname, mode in want.items():
            entry = shown[ifname]
            assert entry["mode"] == mode, "{} {}: {}".format(rname, ifname, entry)
            assert entry["tc"], "{} {}: TC program not attached".format(rname, ifname)
            assert entry["xdp"] == (mode == "xdp"), "{} {}: {}".format(rname, ifname, entry)
            link = router.net.cmd_raises("ip -d link show dev " + ifname)
            assert ("prog/xdp" in link) == (mode == "xdp"), link


def test_bgp_convergence():
    """BGP converges over IPv4 and IPv6 on both links, each router installs
    the other host's subnet over two paths (ECMP), and the routes learned by
    BGP appear in `show ebpf route` on both routers with both paths."""
    tgen = get_topogen()
    _assert_routers_running(tgen)
    result = _poll(lambda: _converged(tgen), timeout=90)
    assert result is None, result
    settings.require_plugin("the datapath's routes")
    for rname, router in tgen.routers().items():
        routes = show.routes(router)
        for prefix in LEARNED[rname].values():
            assert show.prefix_str(prefix) in routes, "{}: {} not in {}".format(
                rname, prefix, sorted(routes))


def test_neighbors_mirrored():
    """The peers' addresses on the parallel links are in the datapath's
    neighbour table with the MAC of the peer's interface."""
    tgen = get_topogen()
    settings.require_plugin("the datapath's neighbours")
    for rname, router in tgen.routers().items():

        def missing():
            shown = show.neighbors(router)
            for family in FAMILIES:
                for link in LINKS:
                    ifname, addr = ecmp_if(rname, link), peer(rname, family, link)
                    mac = tgen.net.get_mac(OTHER[rname], ecmp_if(OTHER[rname], link))
                    if shown.get((ifname, addr), "").lower() != mac.lower():
                        return "{}: {} on {} should be {}: {}".format(
                            rname, addr, ifname, mac, shown)
            return None

        result = _poll(missing, timeout=30)
        assert result is None, result


def test_ping():
    """h1 and h2 ping each other over IPv4 and IPv6 without loss, and the
    datapath's forwarded counters (stats_map and `show ebpf statistics`)
    grew on both routers by at least the echo requests and replies."""
    tgen = get_topogen()
    _assert_reachable(tgen, "h1", "h2")
    _assert_reachable(tgen, "h2", "h1")
    before = None if settings.dry_run() else _fwd_counters(tgen)
    shown_before = None if settings.dry_run() else {
        r: show.statistics(router)["forwarded"] for r, router in tgen.routers().items()}

    echoes = 0
    for src, dst in (("h1", "h2"), ("h2", "h1")):
        for family in FAMILIES:
            sent, received = traffic.ping(tgen.gears[src], HOSTS[dst][family], count=5)
            assert received == sent, "{} -> {} {}: {}/{} answered".format(
                src, dst, family, received, sent)
            echoes += 2 * sent

    settings.require_plugin("the datapath's counters")
    after = _fwd_counters(tgen)
    logger.info("forwarded (packets, bytes) before %s after %s", before, after)
    for rname, router in tgen.routers().items():
        grew = after[rname][0] - before[rname][0]
        assert grew >= echoes, "{}: stats_map forwarded {} packets, want >= {}".format(
            rname, grew, echoes)
        shown = show.statistics(router)["forwarded"] - shown_before[rname]
        assert shown >= echoes, "{}: show ebpf statistics: {} forwarded, want >= {}".format(
            rname, shown, echoes)


def test_tcp_transfer():
    """TCP transfers of 8 MB each way between h1 and h2, over IPv4 and IPv6,
    arrive complete and intact (same byte count and SHA-256), and the
    datapath forwarded at least that many bytes on each router."""
    tgen = get_topogen()
    nbytes = 8 << 20
    before = None if settings.dry_run() else _fwd_counters(tgen)
    total = 0
    for src, dst in (("h1", "h2"), ("h2", "h1")):
        for family in FAMILIES:
            sent, got = traffic.tcp_transfer(
                tgen.gears[src], tgen.gears[dst], HOSTS[dst][family], nbytes)
            assert traffic.delivered(sent, got), "{} -> {} {}: sent {}, received {}".format(
                src, dst, family, sent, got)
            logger.info("%s -> %s %s: %s", src, dst, family, got)
            total += nbytes
    settings.require_plugin("the datapath's counters")
    after = _fwd_counters(tgen)
    logger.info("forwarded (packets, bytes) before %s after %s", before, after)
    for rname in tgen.routers():
        grew = after[rname][1] - before[rname][1]
        assert grew >= total, "{}: forwarded {} bytes, want >= {}".format(
            rname, grew, total)


def _udp_flows_over(tgen, family, flows=64, count=20):
    """Send UDP flows h1 -> h2; returns (delivered {sport: n}, rx packets
    per r2 parallel interface during the run)."""
    r2 = tgen.gears["r2"]
    ifnames = [ecmp_if("r2", link) for link in LINKS]
    before = traffic.rx_packets(r2, ifnames)
    got = traffic.udp_flows(tgen.gears["h1"], tgen.gears["h2"], HOSTS["h2"][family],
                            flows=flows, count=count)
    after = traffic.rx_packets(r2, ifnames)
    return got, {i: after[i] - before[i] for i in after}


def test_ecmp_flows():
    """64 UDP flows h1 -> h2 (distinct source ports) are all delivered, and
    both parallel links carry a share of them (r2's receive counters on
    r2-eth1 and r2-eth2), over IPv4 and IPv6."""
    tgen = get_topogen()
    flows, count = 64, 20
    for family in FAMILIES:
        got, rx = _udp_flows_over(tgen, family, flows, count)
        logger.info("%s: %d flows delivered, r2 rx per link %s", family, len(got), rx)
        assert len(got) == flows, "{}: {} of {} flows arrived".format(family, len(got), flows)
        assert sum(got.values()) >= 0.95 * flows * count, "{}: {}".format(family, got)
        # 10 of 64 flows on a path is far below any fair hash's share
        for ifname, n in rx.items():
            assert n >= 10 * count, "{}: {} received only {} packets: {}".format(
                family, ifname, n, rx)


def test_route_withdraw():
    """When r2 stops announcing h2's subnet, the route leaves r1's RIB and
    the datapath's table (`show ebpf route`), and h1 can no longer reach h2;
    announcing it again brings back both paths and reachability."""
    tgen = get_topogen()
    r1, r2 = tgen.gears["r1"], tgen.gears["r2"]
    afs = {"v4": "ipv4 unicast", "v6": "ipv6 unicast"}

    def announce(on):
        for family, prefix in ORIGIN["r2"].items():
            _vtysh_config(r2, "router bgp 65002", "address-family " + afs[family],
                          ("" if on else "no ") + "network " + prefix)

    def gone():
        for prefix in LEARNED["r1"].values():
            if _rib_paths(r1, prefix):
                return "r1: {} still in the RIB".format(prefix)
            if not settings.dry_run() and show.prefix_str(prefix) in show.routes(r1):
                return "r1: {} still in show ebpf route".format(prefix)
        return None

    announce(False)
    try:
        result = _poll(gone, timeout=30)
        assert result is None, result
        for family in FAMILIES:
            _, received = traffic.ping(tgen.gears["h1"], HOSTS["h2"][family], count=3)
            assert received == 0, "h1 still reaches h2 over {}".format(family)
    finally:
        announce(True)
    result = _poll(lambda: _converged(tgen), timeout=60)
    assert result is None, result
    _assert_reachable(tgen, "h1", "h2")


def test_ecmp_link_down():
    """With the link r1-eth1/r2-eth1 down, both routers' groups for the far
    subnet shrink to the remaining path (`show ebpf nexthop-group` via the
    route), every flow moves to r1-eth2/r2-eth2 and still arrives; bringing
    the link back restores two paths."""
    tgen = get_topogen()
    r1 = tgen.gears["r1"]
    r1.net.cmd_raises("ip link set r1-eth1 down")
    try:
        result = _poll(lambda: _converged(tgen, links=(2,)), timeout=60)
        assert result is None, result
        for family in FAMILIES:
            got, rx = _udp_flows_over(tgen, family, flows=32, count=10)
            logger.info("%s, one link: r2 rx per link %s", family, rx)
            assert len(got) == 32 and sum(got.values()) >= 0.95 * 320, \
                "{}: {}".format(family, got)
            assert rx["r2-eth2"] >= 320 * 0.95, "{}: {}".format(family, rx)
        _assert_reachable(tgen, "h1", "h2")
        _assert_reachable(tgen, "h2", "h1")
    finally:
        r1.net.cmd_raises("ip link set r1-eth1 up")
    result = _poll(lambda: _converged(tgen), timeout=90)
    assert result is None, result


def test_interface_removed_stops_traffic():
    """Removing `interface r1-eth0` from the `ebpf` block detaches the
    datapath from h1's side of r1: with kernel forwarding off nothing
    forwards h1's packets any more, which proves that the eBPF path carried
    them; adding the line back restores the traffic."""
    tgen = get_topogen()
    settings.require_plugin("the kernel forwards in a dry run")
    r1 = tgen.gears["r1"]
    assert _sysctl(r1, "net.ipv4.conf.r1-eth0.forwarding") == "0"
    assert _sysctl(r1, "net.ipv6.conf.r1-eth0.forwarding") == "0"
    _assert_reachable(tgen, "h1", "h2")

    _vtysh_config(r1, "ebpf", "no interface r1-eth0")
    try:
        assert "r1-eth0" not in show.interfaces(r1)
        assert "prog/xdp" not in r1.net.cmd_raises("ip -d link show dev r1-eth0")
        for family in FAMILIES:
            _, received = traffic.ping(tgen.gears["h1"], HOSTS["h2"][family], count=5)
            assert received == 0, "h1 reaches h2 over {} without the datapath".format(
                family)
    finally:
        _vtysh_config(r1, "ebpf", "interface r1-eth0")
    assert "r1-eth0" in show.interfaces(r1)
    _assert_reachable(tgen, "h1", "h2")


def test_running_config():
    """The `ebpf` block is part of the configuration: `show running-config`
    shows it as configured (also after the remove/restore above), and
    `write memory` saves it into frr.conf."""
    tgen = get_topogen()
    settings.require_plugin("no ebpf block without the plugin")
    for rname, router in tgen.routers().items():
        want = ebpf_interfaces(rname)
        text = router.vtysh_cmd("show running-config")
        assert ebpf_block(text) == want, "{} running-config:\n{}".format(rname, text)
        router.vtysh_cmd("write memory")
        text = router.net.cmd_raises("cat /etc/frr/frr.conf")
        assert ebpf_block(text) == want, "{} saved frr.conf:\n{}".format(rname, text)


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
ebpf_police_topo1: policers (RFC 2697 / RFC 2698) configured from vtysh,
in the datapath's maps, and metering real traffic.

    h1 ---------- r1 ---------- h2
      h1-eth0  r1-eth0  r1-eth1  h2-eth0
      10.1.0.2 10.1.0.1 10.2.0.1 10.2.0.2
      2001:db8:1::2     2001:db8:2::2          r1-eth2 (not in ebpf)

r1 runs Debian's zebra with the plugin, kernel forwarding off: every
packet that reaches h2 was forwarded by the datapath, and the policer's
own counters (show ebpf policer json) say what it metered. Rates are
checked with UDP sent at twice the committed rate by two senders pinned
to different CPUs (the meter's buckets are shared by both CPUs, without a
lock): the bytes let through per second must be within 5 % of the
configured rate (bytes at the IP layer, as the meter counts them, the
initial burst taken off). TCP through a policer must stay under its rate.
"""

import json
import os
import re
import subprocess
import sys
import time

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.append(os.path.join(CWD, ".."))

# pylint: disable=C0413
from lib.topogen import Topogen, get_topogen

from ebpftest import bpfmaps, lbmaps, settings, show, traffic, vty
from ebpftest.capture import Capture

pytestmark = [pytest.mark.ebpf]

H2 = "10.2.0.2"
H2_6 = "2001:db8:2::2"


def build_topo(tgen):
    r1 = tgen.add_router("r1")
    h1 = tgen.add_host("h1", "10.1.0.2/24", "via 10.1.0.1")
    h2 = tgen.add_host("h2", "10.2.0.2/24", "via 10.2.0.1")
    tgen.add_link(h1, r1, "h1-eth0", "r1-eth0")
    tgen.add_link(h2, r1, "h2-eth0", "r1-eth1")
    sw = tgen.add_switch("s1")
    sw.add_link(r1, nodeif="r1-eth2")


def setup_module(mod):
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()
    for hname, v6 in (("h1", "2001:db8:1"), ("h2", "2001:db8:2")):
        h = tgen.gears[hname]
        h.net.cmd_raises("sysctl -qw net.ipv4.ip_forward=0")
        h.net.cmd_raises("ip -6 addr add {}::2/64 dev {}-eth0 nodad".format(v6, hname))
        h.net.cmd_raises("ip -6 route add default via {}::1".format(v6))
    traffic.veths_for_xdp(tgen, ("h1", "h2"))
    traffic.start_r1_with_plugin(tgen, CWD)


def teardown_module(mod):
    get_topogen().stop_topology()


# ------------------------------------------------------------------ helpers


def _r1():
    return get_topogen().gears["r1"]


def _policers(router, name=None):
    return show.vtysh_json(router, "show ebpf policer" + (" " + name if name else ""))


def _installed(router, name, n):
    def check():
        data = _policers(router, name).get(name)
        if not data or len(data["attachPoints"]) != n:
            return "policer {} not shown with {} attach points: {}".format(name, n, data)
        missing = [a for a in data["attachPoints"] if not a["installed"]]
        return "not installed: {}".format(missing) if missing else None
    assert vty.poll(check) is None


def _reachable():
    tgen = get_topogen()
    for dst in (H2, H2_6):
        assert traffic.reachable(tgen.gears["h1"], dst), dst


def _iperf_servers(h2, ports):
    procs = []
    for port in ports:
        procs.append(h2.net.popen(["iperf3", "-s", "-1", "-p", str(port)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    time.sleep(0.5)
    return procs


def _udp_at(rate_kbps, seconds, ports=(5301, 5302)):
    """UDP from h1 to h2 at rate_kbps in total, one sender per CPU; returns
    the senders' JSON reports."""
    tgen = get_topogen()
    h1, h2 = tgen.gears["h1"], tgen.gears["h2"]
    servers = _iperf_servers(h2, ports)
    per = int(rate_kbps * 1000 / len(ports))
    senders = []
    for cpu, port in enumerate(ports):
        senders.append(h1.net.popen(
            ["taskset", "-c", str(cpu % os.cpu_count()), "iperf3", "-c", H2, "-p", str(port),
             "-u", "-b", str(per), "-l", "1200", "-t", str(seconds), "-J"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    reports = []
    for proc in senders:
        out, err = proc.communicate(timeout=seconds + 30)
        assert proc.returncode == 0, "iperf3 -u failed: {} {}".format(out, err)
        reports.append(json.loads(out))
    for proc in servers:
        try:
            proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
    return reports


def _colours(data):
    total = data["total"]
    return {c: (total[c]["packets"], total[c]["bytes"]) for c in ("green", "yellow", "red")}


@pytest.fixture(autouse=True)
def _remove_test_policers():
    """The policers a test adds go with it, also when it fails (the
    others would then meet one policer per prefix already taken)."""
    yield
    if not settings.dry_run():
        for name in ("rate", "rate2", "tcp", "mark"):
            vty.ebpf(get_topogen().gears["r1"], "no policer " + name)


# -------------------------------------------------------------------- tests


def test_configuration_round_trip():
    """frr.conf's policers read back as written (defaults left out), reach
    the datapath (an id each, policer_map holding their meters and actions,
    the attach maps naming them), and `show ebpf policer` says where an
    interface policer meets no datapath."""
    settings.require_plugin("policers")
    r1 = _r1()
    vty.forwarding_off(r1)
    text = r1.vtysh_cmd("show running-config")
    block = re.search(r"(?ms)^ policer gold\n.*?^ exit\n policer silver\n.*?^ exit\n", text)
    assert block, text
    assert block.group(0) == (
        " policer gold\n"
        "  srtcm cir 20000 cbs 50000 ebs 50000\n"
        "  exceed-action set-dscp 10\n"
        "  apply interface r1-eth2\n"
        " exit\n"
        " policer silver\n"
        "  trtcm cir 10000 cbs 20000 pir 40000 pbs 40000 color-aware\n"
        "  apply vip web4\n"
        "  apply match source 10.9.0.0/16 protocol udp\n"
        " exit\n"), block.group(0)
    _installed(r1, "gold", 1)
    _installed(r1, "silver", 2)
    gold = _policers(r1, "gold")["gold"]
    assert gold["meter"] == "srtcm" and gold["cirKbps"] == 20000 and gold["ebs"] == 50000
    assert gold["conformAction"] == "transmit" and gold["exceedAction"] == "set-dscp"
    assert gold["exceedDscp"] == 10 and gold["violateAction"] == "drop"
    at = gold["attachPoints"][0]
    assert at["attach"] == "interface r1-eth2"
    assert at["datapathOnInterface"] is False
    ifindex = int(r1.net.cmd_raises("cat /sys/class/net/r1-eth2/ifindex"))
    assert at["ifindex"] == ifindex
    # policer_intf_map: ifindex -> id; policer_map[id]: srtcm, CIR 20000
    val = lbmaps.lookup(r1, "policer_intf_map", ifindex.to_bytes(4, "little"))
    assert int.from_bytes(val[:4], "little") == at["id"]
    pol = lbmaps.lookup(r1, "policer_map", at["id"].to_bytes(4, "little"))
    mode, flags, cir = int.from_bytes(pol[0:4], "little"), int.from_bytes(pol[4:8], "little"), \
        int.from_bytes(pol[8:16], "little")
    assert (mode, flags, cir) == (1, 0, 20000)
    assert list(pol[32:35]) == [0, 2, 1] and pol[36] == 10, pol.hex()

    silver = _policers(r1, "silver")["silver"]
    assert silver["meter"] == "trtcm" and silver["colorAware"] is True
    vip = show.load_balancer(r1, "web4")["vips"]["web4"]
    by_name = {a["attach"]: a for a in silver["attachPoints"]}
    assert by_name["vip web4"]["vipId"] == vip["vipId"]
    val = lbmaps.lookup(r1, "policer_vip_map", vip["vipId"].to_bytes(4, "little"))
    assert int.from_bytes(val[:4], "little") == by_name["vip web4"]["id"]
    # each attach point is a meter of its own
    ids = {a["id"] for p in (gold, silver) for a in p["attachPoints"]}
    assert len(ids) == 3 and 0 not in ids
    # DP_META_F_POLICE_INTF | _SRC | _VIP, not _DST: no destination match
    assert lbmaps.meta_flags(r1) & 0x3c00 == 0x2c00, hex(lbmaps.meta_flags(r1))


def test_udp_rate_within_5_percent():
    """UDP sent at twice the rate by two senders on two CPUs: srTCM lets
    through the CIR (green) and drops the rest (red), within 5 %, at two
    rates, applied to h1's interface and to a destination match; h2
    receives what the meter let through, and the drops are counted under
    `dropped: policer`."""
    settings.require_plugin("policers")
    r1 = _r1()
    vty.forwarding_off(r1)
    _reachable()
    h2 = get_topogen().gears["h2"]
    seconds = 4
    # the case (a policed interface: everything h1 sends), then a
    # match on the destination and protocol
    for cir, attach in ((8000, "apply interface r1-eth0"),
                        (40000, "apply match destination 10.2.0.2/32 protocol udp")):
        cbs = 15000
        vty.ebpf_ok(r1, "policer rate", "srtcm cir {} cbs {} ebs 0".format(cir, cbs), attach)
        _installed(r1, "rate", 1)
        rx0 = traffic.link_counters(h2, "h2-eth0")["rx"]
        drop0 = bpfmaps.reason_count(r1, "DP_R_DROP_POLICED")
        reports = _udp_at(2 * cir, seconds)
        time.sleep(0.5)
        col = _colours(_policers(r1, "rate")["rate"])
        rx = traffic.link_counters(h2, "h2-eth0")["rx"] - rx0
        drops = bpfmaps.reason_count(r1, "DP_R_DROP_POLICED") - drop0
        sent = sum(rep["end"]["sum"]["packets"] for rep in reports)
        secs = max(rep["end"]["sum"]["seconds"] for rep in reports)
        green_pkts, green_bytes = col["green"]
        rate = (green_bytes - cbs) * 8 / 1000 / secs
        print("{}, cir {} kbit/s: sent {} pkts in {:.2f} s, green {} pkts = {:.0f} kbit/s "
              "({:.3f} x CIR), red {}, h2-eth0 received {}, dropped: policer {}".format(
                  attach, cir, sent, secs, green_pkts, rate, rate / cir, col["red"][0], rx, drops))
        assert abs(rate / cir - 1) <= 0.05, "green rate {:.0f} kbit/s, CIR {}".format(rate, cir)
        assert col["yellow"][0] == 0
        assert green_pkts + col["red"][0] >= sent * 0.99, (sent, col)
        assert col["red"][0] >= sent * 0.4, col
        # what the meter let through arrived: the receivers' count, and
        # h2's interface (the senders' TCP control connections on top)
        # (an interface policer also meters the senders' TCP control
        # connections, a few dozen packets; iperf3's receiver cannot see
        # losses after the last datagram it got, which it then counts as
        # received: 0.5 % either way)
        received = sum(rep["end"]["sum"]["packets"] - rep["end"]["sum"]["lost_packets"]
                       for rep in reports)
        assert abs(received - green_pkts) <= max(100, green_pkts // 200), (received, green_pkts)
        assert rx <= green_pkts + 200, (green_pkts, rx)
        assert drops == col["red"][0], (drops, col)
        vty.ebpf_ok(r1, "no policer rate")


def test_trtcm_rates():
    """trTCM, colour-blind, UDP at 1.5 x PIR: green within 5 % of the CIR,
    green + yellow within 5 % of the PIR; yellow is marked (set-dscp) and
    forwarded, red dropped."""
    settings.require_plugin("policers")
    r1 = _r1()
    vty.forwarding_off(r1)
    cir, pir, burst = 10000, 30000, 15000
    vty.ebpf_ok(r1, "policer rate2",
            "trtcm cir {} cbs {} pir {} pbs {}".format(cir, burst, pir, burst),
            "exceed-action set-dscp 12",
            "apply match destination 10.2.0.2/32 protocol udp")
    _installed(r1, "rate2", 1)
    reports = _udp_at(int(1.5 * pir), 4)
    time.sleep(0.5)
    col = _colours(_policers(r1, "rate2")["rate2"])
    secs = max(rep["end"]["sum"]["seconds"] for rep in reports)
    green = (col["green"][1] - burst) * 8 / 1000 / secs
    peak = (col["green"][1] + col["yellow"][1] - burst) * 8 / 1000 / secs
    print("trtcm: green {:.0f} kbit/s ({:.3f} x CIR), green+yellow {:.0f} kbit/s ({:.3f} x PIR), "
          "red {} pkts".format(green, green / cir, peak, peak / pir, col["red"][0]))
    assert abs(green / cir - 1) <= 0.05, green
    assert abs(peak / pir - 1) <= 0.05, peak
    assert col["red"][0] > 0
    vty.ebpf_ok(r1, "no policer rate2")


def test_tcp_limited_by_policer():
    """A TCP transfer through a 10 Mbit/s policer (CBS 200 ms of the rate,
    as policers on routers are sized) stays under the rate plus what the
    burst lets through, and TCP, backing off from the drops, still gets
    most of the rate."""
    settings.require_plugin("policers")
    r1 = _r1()
    vty.forwarding_off(r1)
    tgen = get_topogen()
    h1, h2 = tgen.gears["h1"], tgen.gears["h2"]
    cir, cbs, seconds = 10000, 250000, 6
    vty.ebpf_ok(r1, "policer tcp", "srtcm cir {} cbs {} ebs 0".format(cir, cbs),
            "apply match destination 10.2.0.2/32 protocol tcp port 5401")
    _installed(r1, "tcp", 1)
    server = _iperf_servers(h2, [5401])[0]
    rc, out, err = h1.net.cmd_status(
        ["iperf3", "-c", H2, "-p", "5401", "-t", str(seconds), "-J"], warn=False)
    server.communicate(timeout=20)
    assert rc == 0, (out, err)
    rep = json.loads(out)["end"]["sum_received"]
    goodput = rep["bytes"] * 8 / 1000 / rep["seconds"]
    ceiling = cir + cbs * 8 / 1000 / rep["seconds"]
    col = _colours(_policers(r1, "tcp")["tcp"])
    print("tcp through a {} kbit/s policer: {:.0f} kbit/s received (ceiling {:.0f}), "
          "green {} red {} pkts".format(cir, goodput, ceiling, col["green"][0], col["red"][0]))
    vty.ebpf_ok(r1, "no policer tcp")
    assert goodput <= ceiling * 1.05, goodput
    assert goodput >= cir * 0.5, goodput
    assert col["red"][0] > 0 and col["green"][0] > 0


def test_set_dscp_and_colour_aware():
    """set-dscp rewrites the DSCP of IPv4 and IPv6 packets on the wire (ECN
    kept, IPv4 checksum right: h2 answers the pings); a colour-aware meter
    takes an AFx3 packet as red (violate-action drop), a colour-blind one
    as green."""
    settings.require_plugin("policers")
    r1 = _r1()
    vty.forwarding_off(r1)
    tgen = get_topogen()
    h1, h2 = tgen.gears["h1"], tgen.gears["h2"]
    vty.ebpf_ok(r1, "policer mark", "srtcm cir 100000 cbs 100000 ebs 0",
            "conform-action set-dscp 46",
            "apply match destination 10.2.0.2/32 protocol icmp",
            "apply match destination 2001:db8:2::2/128 protocol icmpv6")
    _installed(r1, "mark", 2)
    cap4 = Capture(h2, "h2-eth0", "icmp[icmptype] == icmp-echo and ip[1] == 0xb9")
    cap6 = Capture(h2, "h2-eth0", "icmp6 and ip6[40] == 128 and (ip6[0:2] & 0x0ff0) == 0x0b90")
    # TOS 0x01: ECN ECT(1), DSCP 0; on the wire DSCP 46 with ECT(1): 0xb9
    assert traffic_ping(h1, H2, tos="0x01") == 5
    assert traffic_ping(h1, H2_6, tos="0x01") == 5
    assert cap4.count() == 5
    assert cap6.count() == 5

    # AF13 (DSCP 14, TOS 0x38): red for a colour-aware meter
    vty.ebpf_ok(r1, "policer mark", "srtcm cir 100000 cbs 100000 ebs 0 color-aware",
            "conform-action transmit")
    _installed(r1, "mark", 2)
    assert traffic_ping(h1, H2, tos="0x38") == 0
    col = _colours(_policers(r1, "mark")["mark"])
    assert col["red"][0] >= 5, col
    vty.ebpf_ok(r1, "policer mark", "srtcm cir 100000 cbs 100000 ebs 0")
    assert traffic_ping(h1, H2, tos="0x38") == 5
    vty.ebpf_ok(r1, "no policer mark")


def traffic_ping(node, dst, tos, count=5):
    """Pings answered, sent with a TOS / traffic class."""
    _, out, _ = node.net.cmd_status(
        ["ping", "-n", "-q", "-c", count, "-i", "0.2", "-W", "1", "-Q", tos, dst], warn=False)
    m = re.search(r"(\d+) received", out)
    assert m, out
    return int(m.group(1))


def test_interface_follows_the_link():
    """A policer applied to an interface follows it: absent at the prompt
    is refused, deleted is uninstalled (show says why), created again is
    installed under its new ifindex."""
    settings.require_plugin("policers")
    r1 = _r1()
    out = vty.ebpf(r1, "policer gold", "apply interface nosuch0")
    assert "interface nosuch0 does not exist" in out, out
    r1.net.cmd_raises("ip link add pol0 type veth peer name pol0p")
    vty.ebpf_ok(r1, "policer gold", "apply interface pol0")
    _installed(r1, "gold", 2)
    r1.net.cmd_raises("ip link del pol0")

    def gone():
        ats = {a["attach"]: a for a in _policers(r1, "gold")["gold"]["attachPoints"]}
        a = ats["interface pol0"]
        if a["installed"] or "does not exist" not in a.get("notInstalled", ""):
            return a
        return None
    assert vty.poll(gone) is None
    r1.net.cmd_raises("ip link add pol0 type veth peer name pol0p")
    ifindex = int(r1.net.cmd_raises("cat /sys/class/net/pol0/ifindex"))
    _installed(r1, "gold", 2)
    ats = {a["attach"]: a for a in _policers(r1, "gold")["gold"]["attachPoints"]}
    assert ats["interface pol0"]["ifindex"] == ifindex
    val = lbmaps.lookup(r1, "policer_intf_map", ifindex.to_bytes(4, "little"))
    assert int.from_bytes(val[:4], "little") == ats["interface pol0"]["id"]
    vty.ebpf_ok(r1, "policer gold", "no apply interface pol0")
    r1.net.cmd_raises("ip link del pol0")


def test_bad_input_is_refused():
    """Invalid policer input gets a message that says what is valid;
    running-config and zebra's pid do not change."""
    settings.require_plugin("policers")
    r1 = _r1()
    pid = r1.net.cmd_raises("cat /var/run/frr/zebra.pid").strip()
    before = r1.vtysh_cmd("show running-config")
    cases = [
        (["policer gold", "srtcm cir 7 cbs 1 ebs 0"], "% "),
        (["policer gold", "trtcm cir 2000 cbs 1 pir 1000 pbs 1"], "must be at least the committed rate"),
        (["policer gold", "exceed-action set-dscp 64"], "% "),
        (["policer gold", "apply vip nosuch"], "the load-balancer block has no VIP nosuch"),
        (["policer gold", "apply match source 10.0.0.0/8 protocol icmp port 80"],
         "A port needs protocol tcp or udp"),
        (["policer gold", "apply match source 2001:db8::/32 protocol icmp"],
         "not of the prefix's address family"),
        (["policer gold", "apply match source 10.9.0.0/16"], "applies there already"),
        (["policer bronze", "apply vip web4"], "policer silver applies there already"),
        (["policer bad name"], "% "),
        (["policer " + "x" * 64], "A name is 1 to 63 characters"),
        (["no policer nosuch"], "No policer \"nosuch\" (configured: "),
        (["policer gold", "no apply interface r1-eth0"], "not applied to interface r1-eth0"),
        (["policer gold", "no trtcm"], "has no trtcm meter"),
        (["load-balancer", "no vip web4"], "the load-balancer block has no VIP web4"),
    ]
    for lines, expect in cases:
        out = vty.ebpf(r1, *lines)
        assert expect in out, "{}: expected {!r}, got {!r}".format(lines, expect, out)
    # `policer bronze` was created by the failed line's node entry: drop it
    vty.ebpf(r1, "no policer bronze")
    assert r1.vtysh_cmd("show running-config") == before
    assert r1.net.cmd_raises("cat /var/run/frr/zebra.pid").strip() == pid
    assert r1.net.cmd_raises("kill -0 " + pid) == ""
    out = r1.vtysh_cmd("show ebpf policer nosuch")
    assert "No policer \"nosuch\"" in out, out

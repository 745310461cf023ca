#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
ebpf_chain_topo1: users' programs chained with ours at TC ingress, from
vtysh, with no chaining code in them (tests/chain/user_progs.bpf.c).

    h1 ---------- r1 ---------- h2
      h1-eth0  r1-eth0  r1-eth1  h2-eth0
      10.1.0.2 10.1.0.1 10.2.0.1 10.2.0.2
      10.1.0.3 (mode tc)  (xdp)

r1 runs Debian's zebra with the plugin, kernel forwarding off: what
reaches h2 was forwarded by our datapath. `show ebpf chain json` reads
the programs attached to each interface from the kernel, with the
kernel's run counts.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.append(os.path.join(CWD, ".."))

# pylint: disable=C0413
from lib.topogen import Topogen, get_topogen

from ebpftest import bpfmaps, settings, show, traffic, vty

pytestmark = [pytest.mark.ebpf]

REPO = os.path.abspath(os.path.join(CWD, "..", "..", ".."))
BUILT_OBJECT = os.path.join(REPO, "tests", "chain", "user_progs.bpf.o")
TCX_ATTACH = os.path.join(REPO, "tests", "chain", "tcx_attach")
H2 = "10.2.0.2"
OBJ_DIR = None  # a copy zebra (user frr) can read


def obj():
    return os.path.join(OBJ_DIR, "user_progs.bpf.o")


def build_topo(tgen):
    r1 = tgen.add_router("r1")
    h1 = tgen.add_host("h1", "10.1.0.2/24", "via 10.1.0.1")
    h2 = tgen.add_host("h2", "10.2.0.2/24", "via 10.2.0.1")
    tgen.add_link(h1, r1, "h1-eth0", "r1-eth0")
    tgen.add_link(h2, r1, "h2-eth0", "r1-eth1")


def setup_module(mod):
    global OBJ_DIR
    OBJ_DIR = tempfile.mkdtemp(prefix="ebpf_chain_topo1.")
    os.chmod(OBJ_DIR, 0o755)
    if os.path.exists(BUILT_OBJECT):
        shutil.copy(BUILT_OBJECT, obj())
        os.chmod(obj(), 0o644)
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()
    h1 = tgen.gears["h1"]
    h1.net.cmd_raises("ip addr add 10.1.0.3/24 dev h1-eth0")
    traffic.veths_for_xdp(tgen, ("h1", "h2"))
    traffic.start_r1_with_plugin(tgen, CWD)


def teardown_module(mod):
    get_topogen().stop_topology()
    if OBJ_DIR:
        shutil.rmtree(OBJ_DIR, ignore_errors=True)


# ------------------------------------------------------------------ helpers


def _r1():
    return get_topogen().gears["r1"]


def _chain():
    return show.vtysh_json(_r1(), "show ebpf chain")


def _tc_order(ifname="r1-eth0"):
    """[(name, chain or None)] on the interface's TC ingress, in order."""
    return [(p["name"], p.get("chain")) for p in _chain()["interfaces"][ifname]["tcIngress"]]


def _runs(chain, ifname="r1-eth0"):
    for p in _chain()["interfaces"][ifname]["tcIngress"]:
        if p.get("chain") == chain:
            return p["runs"]
    raise AssertionError("chain {} not on {}".format(chain, ifname))


def _ping(src, dst=H2, count=5, interval="0.2"):
    h1 = get_topogen().gears["h1"]
    _, out, _ = h1.net.cmd_status(
        ["ping", "-n", "-q", "-I", src, "-c", count, "-i", interval, "-W", "1", dst], warn=False)
    m = re.search(r"(\d+) packets transmitted, (\d+) received", out)
    assert m, out
    return int(m.group(1)), int(m.group(2))


# -------------------------------------------------------------------- tests


def test_ours_alone():
    """Before any chain: r1-eth0 has only ours at TC ingress (mode tc, no
    XDP); r1-eth1 has our XDP program and our TC program behind it; XDP
    chaining is reported unavailable with the kernel's reason."""
    settings.require_plugin("chaining")
    r1 = _r1()
    vty.forwarding_off(r1)
    assert traffic.reachable(get_topogen().gears["h1"], H2)
    data = _chain()
    assert data["xdpChaining"] == "unavailable", data
    assert data["xdpChainingWhy"], data
    eth0, eth1 = data["interfaces"]["r1-eth0"], data["interfaces"]["r1-eth1"]
    assert eth0["xdp"] == [], eth0
    assert [(p["name"], p["ours"]) for p in eth0["tcIngress"]] == [("dp_tc_main", True)], eth0
    assert [p["name"] for p in eth1["xdp"]] == ["dp_xdp_main"], eth1
    assert eth0["tcIngress"][0]["tcPriority"] == 0xC000


def test_xdp_chaining_refused():
    """hook xdp is refused with the reason (this kernel: freplace refused);
    nothing changes."""
    settings.require_plugin("chaining")
    r1 = _r1()
    before = r1.vtysh_cmd("show running-config")
    out = vty.ebpf(r1, "chain x1", "object {} program count_all".format(obj()), "hook xdp")
    assert "hook xdp:" in out and ("freplace" in out or "not built yet" in out), out
    vty.ebpf(r1, "no chain x1")
    assert r1.vtysh_cmd("show running-config") == before


def test_another_tools_tcx_program_is_listed_first():
    """Another tool's tcx program on r1-eth0 (this kernel has tcx; ours and
    the chains are cls_bpf filters, which tcx programs run before): show
    ebpf chain lists it first at tc-ingress, marked tcx and not ours; it
    returns TCX_NEXT and ours still forwards (kernel forwarding off); gone
    from the list when its link goes."""
    settings.require_plugin("chaining")
    r1 = _r1()
    vty.forwarding_off(r1)
    pin = "/sys/fs/bpf/ebpf_chain_topo1_tcx_link"
    rc, out, err = r1.net.cmd_status([TCX_ATTACH, "r1-eth0", pin], warn=False)
    if rc == 77:
        pytest.skip("the kernel has no tcx: " + err)
    assert rc == 0, out + err
    try:
        tc = _chain()["interfaces"]["r1-eth0"]["tcIngress"]
        assert [(p["name"], p.get("tcx", False), p["ours"]) for p in tc] == [
            ("other_tcx", True, False), ("dp_tc_main", False, True)], tc
        assert "before every cls_bpf filter" in tc[0]["note"], tc
        text = r1.vtysh_cmd("show ebpf chain")
        assert re.search(r"(?m)^    tcx +id \d+ +other_tcx +\(tcx: runs before", text), text
        assert _ping("10.1.0.2")[1] == 5
    finally:
        r1.net.cmd_status(["rm", "-f", pin], warn=False)
    assert _tc_order() == [("dp_tc_main", None)]


def test_drop_before_ours():
    """A user program before ours that drops one source: that source is
    dropped, the other is still forwarded by our datapath (kernel
    forwarding off); the chain runs first on r1-eth0."""
    settings.require_plugin("chaining")
    r1 = _r1()
    vty.forwarding_off(r1)
    vty.ebpf_ok(r1, "chain dropper", "object {} program drop_src".format(obj()),
            "position before priority 20", "interface r1-eth0")
    assert _tc_order() == [("drop_src", "dropper"), ("dp_tc_main", None)], _tc_order()
    fwd0 = bpfmaps.forwarded(r1)[0]
    assert _ping("10.1.0.3")[1] == 0
    assert _ping("10.1.0.2")[1] == 5
    assert bpfmaps.forwarded(r1)[0] - fwd0 >= 10  # 5 requests + 5 replies
    assert _runs("dropper") >= 10
    entry = _chain()["chains"]["dropper"]
    assert entry["interfaces"]["r1-eth0"]["attached"] is True
    assert entry["programId"] > 0


def test_counter_after_ours_sees_only_what_we_pass_up():
    """A counting program after ours runs for what ours passes up (pings
    to r1 itself) and not for what ours forwards."""
    settings.require_plugin("chaining")
    r1 = _r1()
    vty.ebpf_ok(r1, "chain counter", "object {} program count_all".format(obj()),
            "position after priority 5", "interface r1-eth0")
    assert _tc_order() == [("drop_src", "dropper"), ("dp_tc_main", None),
                           ("count_all", "counter")], _tc_order()
    runs0 = _runs("counter")
    assert _ping("10.1.0.2", count=100, interval="0.01")[1] == 100
    forwarded_runs = _runs("counter") - runs0
    assert forwarded_runs <= 5, forwarded_runs  # an ARP exchange at most
    runs0 = _runs("counter")
    assert _ping("10.1.0.2", dst="10.1.0.1", count=20, interval="0.05")[1] == 20
    local_runs = _runs("counter") - runs0
    assert 20 <= local_runs <= 25, local_runs


def test_seed_order_two_before_ours():
    """The seed's order (rate limiter, connection limiter, then the load
    balancer): two users' programs before ours by priority; the first
    sees even what the second drops."""
    settings.require_plugin("chaining")
    r1 = _r1()
    vty.ebpf_ok(r1, "chain limiter", "object {} program count_all".format(obj()),
            "position before priority 10", "interface r1-eth0")
    assert _tc_order() == [("count_all", "limiter"), ("drop_src", "dropper"),
                           ("dp_tc_main", None), ("count_all", "counter")], _tc_order()
    runs0 = _runs("limiter")
    assert _ping("10.1.0.3")[1] == 0
    assert _runs("limiter") - runs0 >= 5
    print(r1.vtysh_cmd("show ebpf chain"))


def test_reorder_loses_nothing():
    """Moving chains around (priorities, before/after) while traffic flows
    loses no packet of the traffic they let through."""
    settings.require_plugin("chaining")
    r1 = _r1()
    h1 = get_topogen().gears["h1"]
    proc = h1.net.popen(["ping", "-n", "-q", "-I", "10.1.0.2", "-c", "400", "-i", "0.01", H2],
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.3)
    for lines in (("chain limiter", "position before priority 30"),
                  ("chain counter", "position before priority 5"),
                  ("chain limiter", "position after priority 1"),
                  ("chain counter", "position after priority 7"),
                  ("chain dropper", "position before priority 1")):
        vty.ebpf_ok(r1, *lines)
        time.sleep(0.3)
    out, _ = proc.communicate(timeout=60)
    if isinstance(out, bytes):
        out = out.decode()
    m = re.search(r"(\d+) packets transmitted, (\d+) received", out)
    assert m and m.group(1) == m.group(2) == "400", out
    assert _tc_order() == [("drop_src", "dropper"), ("dp_tc_main", None),
                           ("count_all", "limiter"), ("count_all", "counter")], _tc_order()


def test_removal_restores_and_leaves_the_rest():
    """`no chain` takes one program off: the dropped source is forwarded
    again, and the others stay attached with the same program ids."""
    settings.require_plugin("chaining")
    r1 = _r1()
    ids = {p.get("chain"): p["id"] for p in _chain()["interfaces"]["r1-eth0"]["tcIngress"]}
    vty.ebpf_ok(r1, "no chain dropper")
    assert _ping("10.1.0.3")[1] == 5
    after = {p.get("chain"): p["id"] for p in _chain()["interfaces"]["r1-eth0"]["tcIngress"]}
    del ids["dropper"]
    assert after == ids, (after, ids)


def test_bad_objects_leave_the_chain_as_it_was():
    """An object that does not open, lacks the program, holds it for
    another hook, or does not verify: refused with the reason, running
    configuration and attached programs unchanged."""
    settings.require_plugin("chaining")
    r1 = _r1()
    before = r1.vtysh_cmd("show running-config")
    order = _tc_order()
    cases = [
        ("/nonexistent/x.o", "count_all", "cannot open object /nonexistent/x.o"),
        (obj(), "nosuch", "has no program nosuch (it has: "),
        (obj(), "xdp_pass", "is not a TC program"),
        (obj(), "unchecked", "does not load: Permission denied; verifier: "),
    ]
    for path, prog, expect in cases:
        out = vty.ebpf(r1, "chain counter", "object {} program {}".format(path, prog))
        assert expect in out, (path, prog, out)
    out = vty.ebpf(r1, "chain counter", "object relative.o program x")
    assert "An object is given by its absolute path" in out, out
    # limiter is after ours at priority 1, counter at 7
    out = vty.ebpf(r1, "chain limiter", "position after priority 7")
    assert "both take after priority 7 on r1-eth0" in out, out
    assert r1.vtysh_cmd("show running-config") == before
    assert _tc_order() == order


def test_running_config():
    """The chains read back as configured (defaults left out)."""
    settings.require_plugin("chaining")
    text = _r1().vtysh_cmd("show running-config")
    block = re.search(r"(?ms)^ chain counter\n.*?^ exit\n", text)
    assert block and block.group(0) == (
        " chain counter\n"
        "  object {} program count_all\n"
        "  position after priority 7\n"
        "  interface r1-eth0\n"
        " exit\n").format(obj()), text

"""
Traffic between topotest hosts, and the counters that show where it went.

`node` arguments are topogen gears (tgen.gears["h1"]); commands run inside
their namespaces through micronet (node.net). Endpoints run Debian's
/usr/bin/python3 with flowtool.py, which needs nothing but the stdlib.
"""

import json
import os
import re
import time

from ebpftest import settings

PYTHON = "/usr/bin/python3"
FLOWTOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "flowtool.py")


def ping(node, dst, count=5, interval=0.2, wait=1):
    """Ping dst from node: (transmitted, received)."""
    _, out, _ = node.net.cmd_status(
        ["ping", "-n", "-q", "-c", count, "-i", interval, "-W", wait, dst],
        warn=False,
    )
    m = re.search(r"(\d+) packets transmitted, (\d+) received", out)
    assert m, "{}: unexpected ping output: {}".format(node.name, out)
    return int(m.group(1)), int(m.group(2))


def reachable(node, dst, timeout=30):
    """Poll with single pings until one is answered (True) or timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ping(node, dst, count=1)[1] == 1:
            return True
        time.sleep(0.5)
    return False


def _start_receiver(node, args):
    proc = node.net.popen([PYTHON, FLOWTOOL] + args)
    line = proc.stdout.readline().strip()
    if line != "ready":
        proc.kill()
        _, err = proc.communicate()
        raise AssertionError(
            "{}: flowtool {} did not start: {} {}".format(node.name, args[0], line, err)
        )
    return proc


def _finish(node, proc, what, timeout):
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, "{}: {} failed: {}".format(node.name, what, err)
    return json.loads(out.strip().splitlines()[-1])


def tcp_transfer(src, dst, dst_addr, nbytes, port=5201, timeout=60):
    """Send nbytes over one TCP connection from src to dst_addr (on dst).
    Returns (sender's report, receiver's report): {"bytes", "sha256"}."""
    recv = _start_receiver(dst, ["tcp-recv", "--port", str(port), "--timeout", str(timeout)])
    try:
        rc, out, err = src.net.cmd_status(
            [PYTHON, FLOWTOOL, "tcp-send", "--dst", dst_addr, "--port", port,
             "--bytes", nbytes, "--timeout", timeout],
            warn=False,
        )
        assert rc == 0, "{}: tcp-send to {} failed: {}".format(src.name, dst_addr, err)
        return json.loads(out), _finish(dst, recv, "tcp-recv", timeout)
    finally:
        if recv.poll() is None:
            recv.kill()
            recv.communicate()


def delivered(sent, got):
    """The reports of tcp-send and tcp-recv agree: every byte sent arrived,
    in order."""
    return got["bytes"] == sent["bytes"] and got["sha256"] == sent["sha256"]


class TcpStream:
    """One TCP connection from src to dst_addr (received on dst), nbytes
    spread over `seconds`, running in the background: a flow that lives
    through what the caller does meanwhile."""

    def __init__(self, src, dst, dst_addr, nbytes, seconds, port, dst_port=None,
                 src_addr=None):
        """port: where dst listens; dst_port: where src connects (a VIP's
        port), port by default."""
        self.src, self.dst = src, dst
        self.timeout = seconds + 30
        self.recv = _start_receiver(dst, ["tcp-recv", "--port", str(port),
                                          "--timeout", str(self.timeout)])
        args = [PYTHON, FLOWTOOL, "tcp-send", "--dst", dst_addr,
                "--port", str(dst_port or port),
                "--bytes", str(nbytes), "--seconds", str(seconds),
                "--timeout", str(self.timeout)]
        if src_addr:
            args += ["--src", src_addr]
        self.send = src.net.popen(args)

    def finish(self):
        """(sender's report, receiver's report) once both ended."""
        try:
            return (_finish(self.src, self.send, "tcp-send", self.timeout),
                    _finish(self.dst, self.recv, "tcp-recv", self.timeout))
        finally:
            for proc in (self.send, self.recv):
                if proc.poll() is None:
                    proc.kill()
                    proc.communicate()


def udp_flows(src, dst, dst_addr, flows=64, count=20, port=7000, sport=20000):
    """Send `flows` UDP flows (distinct source ports) of `count` datagrams
    from src to dst_addr; returns {source port: datagrams received}."""
    recv = _start_receiver(dst, ["udp-recv", "--port", str(port)])
    try:
        rc, _, err = src.net.cmd_status(
            [PYTHON, FLOWTOOL, "udp-send", "--dst", dst_addr, "--port", port,
             "--flows", flows, "--count", count, "--sport", sport],
            warn=False,
        )
        assert rc == 0, "{}: udp-send to {} failed: {}".format(src.name, dst_addr, err)
        report = _finish(dst, recv, "udp-recv", 60)
    finally:
        if recv.poll() is None:
            recv.kill()
            recv.communicate()
    return {int(p): n for p, n in report["flows"].items()}


def link_counters(node, ifname):
    """The kernel's counters of one interface: {"rx": packets, "tx": packets}."""
    rc, out, err = node.net.cmd_status(
        ["ip", "-j", "-s", "link", "show", "dev", ifname], warn=False
    )
    assert rc == 0, "{}: ip link show {}: {}".format(node.name, ifname, err)
    stats = json.loads(out)[0]["stats64"]
    return {"rx": stats["rx"]["packets"], "tx": stats["tx"]["packets"]}


def rx_packets(node, ifnames):
    """{ifname: rx packets} for several interfaces of one node."""
    return {ifname: link_counters(node, ifname)["rx"] for ifname in ifnames}


def veths_for_xdp(tgen, hosts):
    """veth artefacts (DESIGN.md §5): native XDP redirect into a veth needs
    GRO on the receiving peer, and TCP over it needs checksum offload off
    on the senders. Every link of every gear gets tx off; each host's
    HOST-eth0 gets GRO on."""
    for gear in tgen.gears.values():
        for ifname in gear.links:
            gear.net.cmd_raises("ethtool -K {} tx off".format(ifname))
    for host in hosts:
        tgen.gears[host].net.cmd_raises("ethtool -K {}-eth0 gro on".format(host))


def start_r1_with_plugin(tgen, topo_dir):
    """r1 with its frr.conf (topo_dir/r1) and zebra with the plugin."""
    r1 = tgen.gears["r1"]
    settings.load_router_frr_conf(tgen, r1, topo_dir)
    r1.load_config(r1.RD_ZEBRA, None, settings.zebra_args())
    tgen.start_router()
    assert r1.check_router_running() == ""
    return r1

"""
Where packets went: tcpdump on a topotest node's interface, counting the
packets a filter matches. Capturing on the receiving host's own interface
shows every frame that reached it, whatever its IP stack does with it
next (a host does not answer a datagram to a port nobody listens on, nor
one it considers a martian), so a test can assert that a packet arrived,
or that it did not.
"""

import os
import re
import signal
import subprocess
import time


class Capture:
    """tcpdump on node's ifname, packets matching `bpf_filter`, until
    stop(): the number of matching packets (and their summary lines)."""

    def __init__(self, node, ifname, bpf_filter, settle=0.5):
        self.node = node
        self.ifname = ifname
        self.proc = node.net.popen(
            ["tcpdump", "-n", "-l", "-p", "-i", ifname, bpf_filter],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        # tcpdump says "listening on ..." once the socket is open.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                _, err = self.proc.communicate()
                raise AssertionError("{}: tcpdump on {} failed: {}".format(
                    node.name, ifname, err))
            line = self.proc.stderr.readline()
            if isinstance(line, bytes):
                line = line.decode(errors="replace")
            if "listening on" in line:
                break
        time.sleep(settle)

    def stop(self, settle=0.5):
        """Stop capturing; returns the summary lines of what matched."""
        time.sleep(settle)
        self.proc.send_signal(signal.SIGINT)
        try:
            out, _ = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        if isinstance(out, bytes):
            out = out.decode(errors="replace")
        return [line for line in out.splitlines() if line.strip()]

    def count(self):
        return len(self.stop())


RAWTOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rawtool.py")


def send_udp(node, src, dst, count=5, **kw):
    """Send `count` UDP datagrams from node with source `src` (any address,
    see rawtool.py) to dst; returns the number sent."""
    family = "udp6" if ":" in dst else "udp4"
    cmd = ["/usr/bin/python3", RAWTOOL, family, "--src", src, "--dst", dst,
           "--count", str(count)]
    for key, value in kw.items():
        flag = "--" + key.replace("_", "-")
        if value is True:
            cmd.append(flag)
        else:
            cmd += [flag, str(value)]
    rc, out, err = node.net.cmd_status(cmd, warn=False)
    assert rc == 0, "{}: rawtool {} failed: {} {}".format(node.name, cmd, out, err)
    m = re.search(r'"sent": (\d+)', out)
    return int(m.group(1))

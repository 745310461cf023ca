"""
UDP probe streams between topotest hosts, counted per destination address
where they arrive (probetool.py runs inside the hosts).

Unlike traffic.udp_flows, which counts flows to one address, these send to
many destination addresses at once and tell which host received which
address's datagrams, so a test can see a packet delivered to the wrong
host, delivered twice, or not at all.
"""

import json
import os
import subprocess

from ebpftest.traffic import PYTHON

PROBETOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "probetool.py")


def write_targets(path, addresses):
    with open(path, "w") as f:
        f.write("".join(str(a) + "\n" for a in addresses))
    return path


def _result(node, proc, what, timeout):
    """Close the tool's stdin (its signal to stop) and read its report."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError("{}: probetool {} did not finish: {}".format(node.name, what, err))
    assert proc.returncode == 0, "{}: probetool {} failed: {}".format(node.name, what, err)
    return json.loads(out.strip().splitlines()[-1])


class Receiver:
    """Counts probes arriving at `node` on `port` until finish():
    {address: {"received": n, "unique": n, "foreign": n}} (probetool recv)."""

    def __init__(self, node, port, drain=2):
        self.node = node
        self.proc = node.net.popen(
            [PYTHON, PROBETOOL, "recv", "--port", str(port), "--drain", str(drain)],
            stdin=subprocess.PIPE,
        )
        line = self.proc.stdout.readline().strip()
        if line != "ready":
            self.proc.kill()
            _, err = self.proc.communicate()
            raise AssertionError("{}: probetool recv did not start: {} {}".format(
                node.name, line, err))

    def finish(self, timeout=60):
        return _result(self.node, self.proc, "recv", timeout)["dst"]

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


class Stream:
    """Probes from `node` to every address in the file `targets`, `pps`
    datagrams per second in all, until finish(): {address: sent}."""

    def __init__(self, node, targets, port, pps):
        self.node = node
        self.proc = node.net.popen(
            [PYTHON, PROBETOOL, "send", "--targets", targets, "--port", str(port),
             "--pps", str(pps)],
            stdin=subprocess.PIPE,
        )

    def finish(self, timeout=60):
        return _result(self.node, self.proc, "send", timeout)["sent"]

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


def send_rounds(node, targets, port, rounds, pps):
    """Send `rounds` probes to every address in the file `targets` from
    node and wait: {address: sent}."""
    rc, out, err = node.net.cmd_status(
        [PYTHON, PROBETOOL, "send", "--targets", targets, "--port", port,
         "--pps", pps, "--rounds", rounds],
        warn=False,
    )
    assert rc == 0, "{}: probetool send failed: {}".format(node.name, err)
    return json.loads(out.strip().splitlines()[-1])["sent"]

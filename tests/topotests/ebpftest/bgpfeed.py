"""
A BGP peer that feeds route sets to a router: bgpinject.py run inside a
topotest host, driven line by line from the test.

    feed = bgpfeed.Feed(tgen.gears["h2"], peer="192.168.2.1", local_as=65100,
                        router_id="192.168.2.2", nexthop4="192.168.2.2",
                        nexthop6="2001:db8:2::2",
                        sets={"table": ["20.0.0.0/24", ...]},
                        workdir=tgen.logdir)
    feed.announce("table")      # returns once the UPDATEs are written
    feed.withdraw("table")
    feed.close()

The router must have the host as a neighbor (remote-as local_as) with
IPv4 and/or IPv6 unicast activated; the feed connects to it (configure the
router's side `passive`, so that only one connection is attempted).
"""

import json
import os
import select
import subprocess
import time

from ebpftest.traffic import PYTHON

BGPINJECT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bgpinject.py")


class Feed:
    def __init__(self, node, peer, local_as, router_id, nexthop4, nexthop6, sets,
                 workdir, timeout=60):
        self.node = node
        self.sizes = {name: len(prefixes) for name, prefixes in sets.items()}
        path = os.path.join(workdir, "bgpfeed-{}.json".format(node.name))
        with open(path, "w") as f:
            json.dump(sets, f)
        args = [PYTHON, BGPINJECT, "--peer", peer, "--local-as", str(local_as),
                "--router-id", router_id, "--nexthop4", nexthop4,
                "--nexthop6", nexthop6, "--sets", path]
        # The router's bgpd may not listen yet: retry until the session opens.
        deadline = time.monotonic() + timeout
        while True:
            self.proc = node.net.popen(args, stdin=subprocess.PIPE)
            line = self._line(deadline)
            if line == "established":
                return
            self._reap()
            if time.monotonic() >= deadline:
                raise AssertionError("{}: BGP feed to {} not established: {} {}".format(
                    node.name, peer, line, self.stderr))
            time.sleep(1)

    def _line(self, deadline):
        """The feed's next line of output, or None (exited, or timed out)."""
        ready, _, _ = select.select([self.proc.stdout], [], [],
                                    max(deadline - time.monotonic(), 0))
        if not ready:
            return None
        line = self.proc.stdout.readline()
        return line.strip() if line else None

    def _reap(self):
        if self.proc.poll() is None:
            self.proc.kill()
        _, self.stderr = self.proc.communicate()

    def _command(self, verb, names, timeout):
        want = sum(self.sizes[n] for n in names)
        self.proc.stdin.write("{} {}\n".format(verb, " ".join(names)))
        self.proc.stdin.flush()
        line = self._line(time.monotonic() + timeout)
        if line != "ok {} {}".format(verb, want):
            self._reap()
            raise AssertionError("{}: BGP feed `{} {}` failed: {} {}".format(
                self.node.name, verb, names, line, self.stderr))

    def announce(self, *names, timeout=120):
        """Announce every prefix of the named sets."""
        self._command("announce", names, timeout)

    def withdraw(self, *names, timeout=120):
        """Withdraw every prefix of the named sets."""
        self._command("withdraw", names, timeout)

    def close(self):
        """End the session (Cease) and the process."""
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
                self.proc.communicate(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self._reap()

"""
FRR's sharpd in a topotest router: Debian's frr package has no sharpd, so
scripts/build-sharpd.sh builds it from the matching FRR source, and the
topotest library (which starts daemons from /usr/lib/frr) cannot start it;
start() runs it inside the router next to the library's daemons.

sharpd then uses the router's default paths (zserv.api, sharpd.vty,
sharpd.pid under the router's private /var/run/frr), so the router's vtysh
reaches it (our vtysh knows sharpd's commands) and the library's
stopRouter() stops it with the other daemons (it lists /var/run/frr/*.pid).
"""

import os
import re
import subprocess
import time

import pytest

from ebpftest import settings

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
BUILD_SHARPD = os.path.join(REPO, "scripts", "build-sharpd.sh")
# Debian's vtysh does not know sharpd's commands; ours does (vtysh/subdir.am)
REPO_VTYSH = os.path.join(REPO, "vtysh", "vtysh")

_binary = None


def binary():
    """The sharpd binary, built on first use (about 2 s; then reused)."""
    global _binary
    if _binary is None:
        out = subprocess.run([BUILD_SHARPD], check=True, stdout=subprocess.PIPE,
                             text=True).stdout
        _binary = out.strip().splitlines()[-1]
    return _binary


def vtysh():
    """The vtysh that knows sharpd's commands: the run's (settings.vtysh),
    else the tree's build; skips the test when there is neither."""
    path = settings.vtysh or REPO_VTYSH
    if not os.path.isfile(path):
        pytest.skip("no vtysh built with sharpd's commands ({})".format(path))
    return path


def start(router, logdir, timeout=20):
    """Start sharpd in router; returns once its vty answers."""
    vtysh()
    router.net.cmd_raises(
        "{} -d --log file:{}/sharpd.log --log-level debug".format(
            binary(), os.path.join(logdir, router.name))
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if data(router) is not None:
            return
        time.sleep(0.2)
    raise AssertionError("{}: sharpd does not answer".format(router.name))


def _vtysh(router, command):
    rc, out, err = router.net.cmd_status([vtysh(), "-c", command], warn=False)
    return rc, out + err


def data(router):
    """`sharp data route`: {"total": n, "installed": n, "removed": n,
    "seconds": float} of the last install/remove command, or None when
    sharpd does not answer."""
    rc, out = _vtysh(router, "sharp data route")
    m = re.search(r"Total: (\d+) (\d+) (\d+) Time: (\d+)\.(\d+)", out)
    if rc != 0 or not m:
        return None
    total, installed, removed, sec, usec = (int(g) for g in m.groups())
    return {"total": total, "installed": installed, "removed": removed,
            "seconds": sec + usec / 1e6}


def _run(router, command):
    rc, out = _vtysh(router, command)
    assert rc == 0 and "%" not in out, "{}: `{}`: {}".format(router.name, command, out)


def _wait(router, key, count, timeout):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = data(router)
        if last and last["total"] == count and last[key] >= count:
            return last
        time.sleep(0.2)
    raise AssertionError("{}: sharpd: {} of {} routes {} after {} s: {}".format(
        router.name, (last or {}).get(key), count, key, timeout, last))


def install(router, start_addr, nexthop, count, timeout=120):
    """`sharp install routes START nexthop NH COUNT` (host routes from
    START upwards) and wait until zebra reported every one installed.
    Returns data() then, whose "seconds" is sharpd's own measure."""
    _run(router, "sharp install routes {} nexthop {} {}".format(start_addr, nexthop, count))
    return _wait(router, "installed", count, timeout)


def remove(router, start_addr, count, timeout=120):
    """`sharp remove routes START COUNT` and wait until zebra reported
    every one removed."""
    _run(router, "sharp remove routes {} {}".format(start_addr, count))
    return _wait(router, "removed", count, timeout)

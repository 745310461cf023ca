"""
Configuring a topotest router's plugin from vtysh, and the checks every
fast-path test starts with.
"""

from lib import topotest


def poll(func, timeout=30, wait=0.5):
    """run_and_expect(func, None): None when func returned None in time,
    else its last answer."""
    _, result = topotest.run_and_expect(func, None, count=int(timeout / wait), wait=wait)
    return result


def ebpf(router, *lines):
    """Type lines in the `ebpf` node of the router's vtysh; its output."""
    cmd = ["vtysh", "-c", "configure terminal", "-c", "ebpf"]
    for line in lines:
        cmd += ["-c", line]
    _, out, err = router.net.cmd_status(cmd, warn=False)
    return out + err


def ebpf_ok(router, *lines):
    """The same, failing the test on any message."""
    out = ebpf(router, *lines)
    assert "%" not in out, "{}: {} -> {}".format(router.name, lines, out)


def forwarding_off(router):
    """The router's kernel forwards nothing: what crosses it, the datapath
    forwarded."""
    for key in ("net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding"):
        assert router.net.cmd_raises("sysctl -n " + key).strip() == "0", key

"""
The datapath's own counters, read from its pinned maps with bpftool inside
a router's mount namespace (each topotest router has its own bpffs, where
the plugin pins under DP_PIN_ROOT).

This is independent of the plugin's show commands: the map layouts are the
ABI in bpf/include/dp_abi.h, whose dp_reason enum is read from the header
itself so that the indices here cannot drift from the datapath's.
"""

import json
import os
import re
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ABI_H = os.path.abspath(
    os.path.join(HERE, "..", "..", "..", "bpf", "include", "dp_abi.h")
)


def _abi():
    with open(ABI_H) as f:
        text = f.read()
    pin_root = re.search(r'#define DP_PIN_ROOT "([^"]+)"', text).group(1)
    version = int(re.search(r"#define DP_ABI_VERSION (\d+)", text).group(1))
    body = re.search(r"enum dp_reason \{(.*?)\};", text, re.S).group(1)
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    names = [n.split("=")[0].strip() for n in body.split(",") if n.strip()]
    assert names[-1] == "DP_R_MAX" and names[0] == "DP_R_FWD", names
    hooks = re.search(r"enum dp_hook \{(.*?)\};", text, re.S).group(1)
    hooks = re.sub(r"/\*.*?\*/", "", hooks, flags=re.S)
    hook_names = [n.split("=")[0].strip() for n in hooks.split(",") if n.strip()]
    assert hook_names[-1] == "DP_HOOK_MAX", hook_names
    return version, pin_root, names[:-1], hook_names[:-1]


ABI_VERSION, PIN_ROOT, REASONS, HOOKS = _abi()
FWD_REASONS = ("DP_R_FWD", "DP_R_FWD_NEIGH")


def _u(hexbytes, fmt):
    return struct.unpack(fmt, bytes(int(b, 16) for b in hexbytes))


def stats(router, pin_dir=PIN_ROOT):
    """stats_map summed over CPUs: {(hook, reason): (packets, bytes)}, with
    hook and reason named as in dp_abi.h (e.g. ("DP_HOOK_XDP", "DP_R_FWD"))."""
    path = os.path.join(pin_dir, "stats_map")
    rc, out, err = router.net.cmd_status(
        ["bpftool", "-j", "map", "dump", "pinned", path], warn=False
    )
    assert rc == 0, "{}: bpftool map dump {}: {} {}".format(
        router.name, path, out.strip(), err.strip()
    )
    result = {}
    for entry in json.loads(out):
        (idx,) = _u(entry["key"], "<I")
        hook, reason = divmod(idx, len(REASONS))
        if hook >= len(HOOKS):
            continue
        packets = nbytes = 0
        for cpu in entry["values"]:
            p, b = _u(cpu["value"][:16], "<QQ")
            packets += p
            nbytes += b
        result[(HOOKS[hook], REASONS[reason])] = (packets, nbytes)
    return result


def forwarded(router, pin_dir=PIN_ROOT):
    """(packets, bytes) the datapath forwarded itself, at either hook."""
    counters = stats(router, pin_dir)
    hits = [counters.get((h, r), (0, 0)) for h in HOOKS for r in FWD_REASONS]
    return sum(c[0] for c in hits), sum(c[1] for c in hits)


def dump(router, name, pin_dir=PIN_ROOT):
    """Every entry of a pinned hash or LPM map: [(key bytes, value bytes)]."""
    path = os.path.join(pin_dir, name)
    rc, out, err = router.net.cmd_status(
        ["bpftool", "-j", "map", "dump", "pinned", path], warn=False
    )
    assert rc == 0, "{}: bpftool map dump {}: {} {}".format(
        router.name, path, out.strip(), err.strip()
    )
    # An entry deleted between bpftool's get-next-key and its lookup is
    # printed with an error instead of a value: it is gone, so skip it.
    return [
        (bytes(int(b, 16) for b in e["key"]), bytes(int(b, 16) for b in e["value"]))
        for e in json.loads(out)
        if isinstance(e.get("value"), list)
    ]


def _prefix(key, alen):
    import ipaddress

    (plen,) = struct.unpack("<I", key[:4])
    return "{}/{}".format(ipaddress.ip_address(key[4:4 + alen]), plen)


def rt_prefixes(router, family=4, pin_dir=PIN_ROOT):
    """The prefixes the datapath holds (rt_v4_map or rt_v6_map), with
    whether each is there only as "no room: the kernel's" (DP_RT_PUNT, 7):
    {"10.1.2.3/32": punted}."""
    name, alen = ("rt_v4_map", 4) if family == 4 else ("rt_v6_map", 16)
    return {_prefix(k, alen): v[4] == 7 for k, v in dump(router, name, pin_dir)}


def punted(router, family=4, pin_dir=PIN_ROOT):
    """The ranges the datapath hands to the kernel (punt_v4_map or
    punt_v6_map): {"10.1.2.3/32": reason name}."""
    name, alen = ("punt_v4_map", 4) if family == 4 else ("punt_v6_map", 16)
    return {_prefix(k, alen): REASONS[struct.unpack("<I", v[:4])[0]]
            for k, v in dump(router, name, pin_dir)}


def reason_count(router, reason, hooks=None, pin_dir=PIN_ROOT):
    """Packets counted under `reason` (e.g. "DP_R_PASS_BCAST"), summed over
    `hooks` (default both)."""
    counters = stats(router, pin_dir)
    return sum(counters.get((h, reason), (0, 0))[0] for h in hooks or HOOKS)

"""
One parser per `show ebpf ... json` command (frr-plugin/cli/dp_show.c, dp_show_fib.c).

Each function runs one command on a topotest router and returns a small,
normalised Python structure; the tests only ever see these structures, so
when a command's JSON changes only its function here changes. The JSON each
command prints is sketched in the function's docstring.
"""

import ipaddress
import json


def vtysh_json(router, command):
    """Run `command json` in the router's vtysh; fail with vtysh's own words
    when the command is refused or prints no JSON."""
    rc, out, err = router.net.cmd_status(
        ["vtysh", "-c", command + " json"], warn=False
    )
    try:
        data = json.loads(out)
    except ValueError:
        data = None
    assert rc == 0 and data is not None, "{}: `{} json` failed (rc {}): {} {}".format(
        router.name, command, rc, out.strip(), err.strip()
    )
    return data


def prefix_str(prefix):
    """One spelling per prefix, so that keys compare equal."""
    return str(ipaddress.ip_network(prefix, strict=False))


def dataplane(router):
    """`show ebpf dataplane json`:
        {"loaded": true, "pluginAbiVersion": 1, "pinDir": "...",
         "abiVersion": 1, "xdpProgId": 12, "tcProgId": 13,
         "maps": {...}, "counters": {...}}
    Returns the object as is."""
    return vtysh_json(router, "show ebpf dataplane")


def interfaces(router):
    """`show ebpf interface json`:
        {"r1-eth0": {"mode": "xdp", "ifindex": 2, "present": true,
                     "operUp": true, "xdpAttached": true,
                     "tcAttached": true, ...}, ...}
    Returns {ifname: {"mode": "xdp"|"tc", "xdp": bool, "tc": bool}}."""
    data = vtysh_json(router, "show ebpf interface")
    return {
        name: {
            "mode": e["mode"],
            "xdp": bool(e.get("xdpAttached")),
            "tc": bool(e.get("tcAttached")),
        }
        for name, e in data.items()
    }


def routes(router, prefix=None):
    """`show ebpf route [PREFIX] json` (PREFIX: exact match):
        {"192.168.2.0/24": {"type": "nhg", "nhgId": 21},
         "192.168.1.0/24": {"type": "connected", "interface": "r1-eth0"}}
    Returns {prefix: {"type": str, "nhg": int or None}} (IPv4 and IPv6)."""
    cmd = "show ebpf route" + (" " + prefix if prefix else "")
    data = vtysh_json(router, cmd)
    return {
        prefix_str(p): {"type": e.get("type"), "nhg": e.get("nhgId")}
        for p, e in data.items()
    }


def nexthop_groups(router, nhg_id=None):
    """`show ebpf nexthop-group [ID] json`:
        {"21": {"paths": 2, "seq": 3, "pathList": [
            {"interface": "r1-eth1", "ifindex": 3, "gateway": "10.0.1.2",
             "resolved": true, "dmac": "...", "buckets": 128}, ...]}}
    Returns {id: [{"ifname": str, "gateway": str, "resolved": bool}]}."""
    cmd = "show ebpf nexthop-group" + (" {}".format(nhg_id) if nhg_id else "")
    data = vtysh_json(router, cmd)
    return {
        int(i): [
            {
                "ifname": p.get("interface"),
                "gateway": p.get("gateway"),
                "resolved": bool(p.get("resolved")),
            }
            for p in e.get("pathList", [])
        ]
        for i, e in data.items()
    }


def neighbors(router):
    """`show ebpf neighbor json`:
        {"r1-eth1": {"10.0.1.2": {"ifindex": 3, "mac": "..",
                                  "state": "reachable"}, ...}, ...}
    Returns {(ifname, address): mac}."""
    data = vtysh_json(router, "show ebpf neighbor")
    return {
        (ifname, addr): n["mac"]
        for ifname, by_addr in data.items()
        for addr, n in by_addr.items()
    }


FWD_REASONS = ("forwarded", "forwardedNeigh")


def statistics(router):
    """`show ebpf statistics json`:
        {"reasons": {"forwarded": {"xdpPackets": 10, "xdpBytes": 980,
                                   "tcPackets": 0, "tcBytes": 0},
                     "forwardedNeigh": {...}, "toKernelArp": {...}, ...},
         "interfaces": {"r1-eth0": {"rxPackets": .., "fwdPackets": ..}}}
    Returns {"forwarded": packets forwarded by either hook,
             "reasons": {reason: packets at both hooks},
             "interfaces": {ifname: {...}} as printed}."""
    data = vtysh_json(router, "show ebpf statistics")
    reasons = {
        r: c["xdpPackets"] + c["tcPackets"] for r, c in data["reasons"].items()
    }
    return {
        "forwarded": sum(reasons[r] for r in FWD_REASONS),
        "reasons": reasons,
        "interfaces": data.get("interfaces", {}),
    }


def route_paths(router, prefix):
    """The paths the datapath holds for `prefix`: those of the nexthop group
    its route points to, or [] when the route is absent or has no group."""
    entry = routes(router, prefix).get(prefix_str(prefix))
    if not entry or entry["nhg"] is None:
        return []
    return nexthop_groups(router, entry["nhg"]).get(int(entry["nhg"]), [])


def load_balancer(router, name=None):
    """`show ebpf load-balancer [NAME] json`:
        {"vips": {"web4": {"address": "198.18.0.10", "port": 80,
                  "protocol": "tcp", "algorithm": "maglev", "natMode": "dnat",
                  "installed": true, "vipId": 1, "ringSize": 16381,
                  "announced": true, "backendsUp": 2, "backends": [
                      {"address": "10.0.1.2", "port": 8080, "weight": 100,
                       "state": "up", "backendId": 1, "activeConnections": 0,
                       "packets": 0, "bytes": 0}, ...]}},
         "capacity": {"vipIdsUsed": 1, "backendIdsDraining": 0, ...}}
    Returns the object as is ({} for a NAME that is not configured)."""
    return vtysh_json(router, "show ebpf load-balancer" + (" " + name if name else ""))


def nat(router):
    """`show ebpf nat json`:
        {"10.10.0.0/16 out-interface r1-eth0": {"prefix": "10.10.0.0/16",
            "outInterface": "r1-eth0", "translation": "masquerade",
            "installed": true, "translatedAddresses": ["10.0.0.1"],
            "portMin": 1024, "portMax": 32767, "flows": 0}}
    Returns the object as is."""
    return vtysh_json(router, "show ebpf nat")


def conntrack(router, filt=""):
    """`show ebpf conntrack [FILTER] json`:
        {"flows": [{"protocol": "tcp", "source": "10.0.0.5:40000",
                    "destination": "198.18.0.10:80", "state": "established",
                    "vipId": 1, "backendId": 2, ...}],
         "matched": 1, "shown": 1, "truncated": false, "entries": 2}
    Returns the object as is."""
    return vtysh_json(router, "show ebpf conntrack" + (" " + filt if filt else ""))

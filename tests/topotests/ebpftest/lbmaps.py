"""
The load balancer's, NAT's and conntrack's pinned maps, read (and, for
the conntrack tables and lb_be_conns_map, written) with bpftool inside a
router: what the datapath will see, independently of the plugin's show
commands. The layouts are those of bpf/include/dp_abi.h (ABI v8).
"""

import ipaddress
import json
import os
import socket
import struct

from ebpftest.bpfmaps import PIN_ROOT, dump

AF = {2: 4, 10: 6}
DP_LB_BE_F_UP = 0x01
DP_META_F_CT = 0x40
DP_META_F_LB = 0x80
DP_META_F_SNAT = 0x100
DP_META_F_CT_FILTER = 0x200
DP_CT_ADDR_F_DST = 0x1
DP_CT_ADDR_F_SRC = 0x2
CT_FILTER_ORDER = 20
DP_CT_F_REPLY = 0x01
DP_CT_F_LB = 0x02
RING_BLOCK = 256


def _addr(raw, family):
    return str(ipaddress.ip_address(raw[:4] if family == 2 else raw[:16]))


def _bpftool(router, *args):
    rc, out, err = router.net.cmd_status(["bpftool", "-j"] + list(args), warn=False)
    assert rc == 0, "{}: bpftool {}: {} {}".format(router.name, " ".join(args),
                                                  out.strip(), err.strip())
    return json.loads(out) if out.strip() else None


def _hexbytes(data):
    return ["{:02x}".format(b) for b in data]


def lookup(router, name, key, pin_dir=PIN_ROOT):
    """The value (bytes) of key (bytes) in a pinned map."""
    out = _bpftool(router, "map", "lookup", "pinned", os.path.join(pin_dir, name),
                   "key", "hex", *_hexbytes(key))
    return bytes(int(b, 16) for b in out["value"])


def update(router, name, key, value, pin_dir=PIN_ROOT):
    _bpftool(router, "map", "update", "pinned", os.path.join(pin_dir, name),
             "key", "hex", *_hexbytes(key), "value", "hex", *_hexbytes(value))


def meta_flags(router, pin_dir=PIN_ROOT):
    """meta_map's switches (struct dp_meta: abi_version, flags, then the
    hold time's deadline)."""
    value = lookup(router, "meta_map", struct.pack("<I", 0), pin_dir)
    return struct.unpack("<II", value[:8])[1]


def vips(router, pin_dir=PIN_ROOT):
    """lb_vip_map: {(address, port, "tcp"|"udp"): {"vipId", "algorithm",
    "natMode", "flags", "persistTimeout", "ringBase", "ringSize",
    "hashSeed", "fnatAddr", "fnatPorts"}}."""
    result = {}
    for k, v in dump(router, "lb_vip_map", pin_dir):
        family, proto, port = struct.unpack("<BBH", k[:4])
        (vip_id, alg, nat, flags, persist, base, size, seed) = struct.unpack("<IBBHIIII", v[:24])
        pmin, pmax = struct.unpack("<HH", v[40:44])
        result[(_addr(k[4:], family), socket.ntohs(port),
                "tcp" if proto == 6 else "udp")] = {
            "vipId": vip_id, "algorithm": alg, "natMode": nat, "flags": flags,
            "persistTimeout": persist, "ringBase": base, "ringSize": size,
            "hashSeed": seed, "fnatAddr": _addr(v[24:40], family),
            "fnatPorts": (pmin, pmax),
        }
    return result


def backend(router, backend_id, pin_dir=PIN_ROOT):
    """lb_backend_map[backend_id]: {"address", "port", "up", "vipId",
    "weight"} (address None for an unused id)."""
    v = lookup(router, "lb_backend_map", struct.pack("<I", backend_id), pin_dir)
    family, flags, port = struct.unpack("<BBH", v[:4])
    vip_id, weight = struct.unpack("<II", v[20:28])
    return {"address": _addr(v[4:20], family) if family else None,
            "port": socket.ntohs(port), "up": bool(flags & DP_LB_BE_F_UP),
            "vipId": vip_id, "weight": weight}


def vip_backends(router, vip_id, pin_dir=PIN_ROOT):
    """lb_vip_backends[vip_id]: the backend ids listed."""
    v = lookup(router, "lb_vip_backends", struct.pack("<I", vip_id), pin_dir)
    (n,) = struct.unpack("<I", v[:4])
    return list(struct.unpack("<{}I".format(n), v[4:4 + 4 * n]))


def ring(router, base, size, pin_dir=PIN_ROOT):
    """Backend ids in lb_ring_map[base .. base + size)."""
    ids = []
    for block in range(base // RING_BLOCK, (base + size + RING_BLOCK - 1) // RING_BLOCK):
        v = lookup(router, "lb_ring_map", struct.pack("<I", block), pin_dir)
        ids += struct.unpack("<256I", v[:1024])
    first = base - (base // RING_BLOCK) * RING_BLOCK
    return ids[first:first + size]


def backend_conns(router, backend_id, pin_dir=PIN_ROOT):
    v = lookup(router, "lb_be_conns_map", struct.pack("<I", backend_id), pin_dir)
    return struct.unpack("<Q", v[:8])[0]


def set_backend_conns(router, backend_id, n, pin_dir=PIN_ROOT):
    update(router, "lb_be_conns_map", struct.pack("<I", backend_id),
           struct.pack("<Q", n), pin_dir)


def nat_rules(router, pin_dir=PIN_ROOT):
    """nat_src_map: {prefix: {"ifindex", "masquerade", "addresses",
    "ports"}}."""
    result = {}
    for k, v in dump(router, "nat_src_map", pin_dir):
        plen, family = struct.unpack("<II", k[:8])
        ifindex, flags, n, pmin, pmax = struct.unpack("<IHHHH", v[:12])
        addrs = [_addr(v[12 + 16 * i:28 + 16 * i], family) for i in range(n)]
        prefix = "{}/{}".format(_addr(k[8:], family), plen - 32)
        result[prefix] = {"ifindex": ifindex, "masquerade": bool(flags & 1),
                          "addresses": addrs, "ports": (pmin, pmax)}
    return result


# -------------------------------------------------- ct4_map and ct6_map


def _ip(addr):
    ip = ipaddress.ip_address(addr)
    return (2 if ip.version == 4 else 10), ip.packed.ljust(16, b"\0")


def ct_table(addr):
    """The conntrack table of an address's family."""
    return "ct4_map" if ipaddress.ip_address(addr).version == 4 else "ct6_map"


def ct_key(proto, src, sport, dst, dport):
    """The key as the family's table holds it: struct dp_ct4_key (16
    bytes) for IPv4, struct dp_ct_key (40) for IPv6."""
    family, s = _ip(src)
    _, d = _ip(dst)
    if family == 2:
        return s[:4] + d[:4] + struct.pack("<HHI", socket.htons(sport),
                                           socket.htons(dport), proto)
    return struct.pack("<BBHHH", family, proto, socket.htons(sport), socket.htons(dport), 0) + s + d


def ct_val(last_seen_ns, state, flags, backend_id, vip_id, nsrc, nsport, ndst, ndport,
           packets=1, nbytes=100):
    _, s = _ip(nsrc)
    _, d = _ip(ndst)
    return (struct.pack("<QQQQIII", last_seen_ns, packets, nbytes, state, flags,
                        backend_id, vip_id)
            + s + d + struct.pack("<HH", socket.htons(nsport), socket.htons(ndport)))


def monotonic_ns(router):
    """The router's CLOCK_MONOTONIC (the clock of last_seen), in ns."""
    out = router.net.cmd_raises(
        "python3 -c 'import time; print(time.clock_gettime_ns(time.CLOCK_MONOTONIC))'")
    return int(out.strip())


def ct_put_lb_flow(router, proto, client, cport, vip, vport, be, bport, backend_id, vip_id,
                   state, age_s, pin_dir=PIN_ROOT):
    """Both entries of a DNAT load-balanced flow, last seen age_s ago, as
    the datapath would have made them."""
    now = monotonic_ns(router)
    assert now > age_s * 1e9, \
        "{}: its clock is {:.0f} s from boot, a flow cannot be last seen {} s ago".format(
            router.name, now / 1e9, age_s)
    last = now - int(age_s * 1e9)
    update(router, ct_table(client), ct_key(proto, client, cport, vip, vport),
           ct_val(last, state, DP_CT_F_LB, backend_id, vip_id, client, cport, be, bport),
           pin_dir)
    update(router, ct_table(client), ct_key(proto, be, bport, client, cport),
           ct_val(last, state, DP_CT_F_LB | DP_CT_F_REPLY, backend_id, vip_id,
                  vip, vport, client, cport), pin_dir)


def ct_entries(router, pin_dir=PIN_ROOT):
    """Entries in both conntrack tables."""
    return sum(len(dump(router, t, pin_dir)) for t in ("ct4_map", "ct6_map"))


# ------------------------------------------------------ the conntrack filter


def ct_filter_bit(addr, role):
    """dp_ct_filter_bit() of dp_abi.h: the bit of addr in role."""
    family, raw = _ip(addr)
    k = 0x9e3779b97f4a7c15
    mask = (1 << 64) - 1
    h = (((family << 8) | role) * k) & mask
    for (word,) in struct.iter_unpack("<I", raw):
        h = ((h ^ word) * k) & mask
    return h >> (64 - CT_FILTER_ORDER)


def ct_filter_has(router, addr, role, pin_dir=PIN_ROOT):
    """Whether ct_filter_map has addr's bit in role set."""
    bit = ct_filter_bit(addr, role)
    (word,) = struct.unpack("<Q", lookup(router, "ct_filter_map",
                                         struct.pack("<I", bit // 64), pin_dir))
    return bool(word & (1 << (bit % 64)))

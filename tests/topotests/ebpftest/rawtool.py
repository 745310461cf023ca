#!/usr/bin/python3
"""
Datagrams a normal socket would not send: any source address, any TTL.
Run inside topotest hosts; stdlib only.

  rawtool.py udp4 --src S --dst D [--count N] [--sport P] [--dport P]
                  [--ttl T] [--size BYTES] [--df]
  rawtool.py udp6 --src S --dst D [--count N] [--sport P] [--dport P]
                  [--hlim H] [--size BYTES]

IPv4 goes through a raw socket with IP_HDRINCL, so the source is whatever
is asked (a broadcast address, the router's own); the host's routing table
still picks the next hop. IPv6 raw sockets cannot forge the source without
IPV6_HDRINCL (not in Python's stdlib), so udp6 sends from a UDP socket bound
to the source (freebind) instead. Prints {"sent": N}.
"""

import argparse
import json
import socket
import struct
import time

IP_FREEBIND = 15
IPV6_FREEBIND = 78


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def udp4_packet(args, seq):
    payload = ("%d" % seq).encode().ljust(max(args.size, 8), b".")
    src = socket.inet_aton(args.src)
    dst = socket.inet_aton(args.dst)
    ulen = 8 + len(payload)
    pseudo = src + dst + struct.pack("!BBH", 0, socket.IPPROTO_UDP, ulen)
    udp = struct.pack("!HHHH", args.sport, args.dport, ulen, 0) + payload
    ucs = csum(pseudo + udp) or 0xFFFF
    udp = struct.pack("!HHHH", args.sport, args.dport, ulen, ucs) + payload
    frag = 0x4000 if args.df else 0
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, seq & 0xFFFF, frag,
                     args.ttl, socket.IPPROTO_UDP, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + udp


def udp4(args):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    for seq in range(args.count):
        s.sendto(udp4_packet(args, seq), (args.dst, 0))
        time.sleep(args.gap)
    return args.count


def udp6(args):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, IPV6_FREEBIND, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, args.hlim)
    s.bind((args.src, args.sport))
    for seq in range(args.count):
        payload = ("%d" % seq).encode().ljust(max(args.size, 8), b".")
        s.sendto(payload, (args.dst, args.dport))
        time.sleep(args.gap)
    return args.count


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    for name, func in (("udp4", udp4), ("udp6", udp6)):
        p = sub.add_parser(name)
        p.set_defaults(func=func)
        p.add_argument("--src", required=True)
        p.add_argument("--dst", required=True)
        p.add_argument("--count", type=int, default=5)
        p.add_argument("--sport", type=int, default=40000)
        p.add_argument("--dport", type=int, default=9)
        p.add_argument("--size", type=int, default=32)
        p.add_argument("--gap", type=float, default=0.02)
        if name == "udp4":
            p.add_argument("--ttl", type=int, default=64)
            p.add_argument("--df", action="store_true")
        else:
            p.add_argument("--hlim", type=int, default=64)
    args = parser.parse_args()
    print(json.dumps({"sent": args.func(args)}))


if __name__ == "__main__":
    main()

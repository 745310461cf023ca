#!/usr/bin/python3
"""
UDP probes to many destination addresses, counted per destination where they
arrive. Run inside topotest hosts; stdlib only; each prints one JSON object.

  probetool.py send --targets FILE --port P --pps R [--rounds N]
      send to every address of FILE (one per line, IPv4 or IPv6) in turn,
      R datagrams per second in all, for N rounds or, without --rounds,
      until stdin is closed: {"sent": {address: datagrams}}
  probetool.py recv --port P [--drain S] [--timeout S]
      receive on every local address (IPv4 and IPv6) until stdin is closed,
      then for S more seconds:
      {"dst": {address: {"received": n, "unique": n, "foreign": n}}}

Each datagram carries "SEQ ADDRESS": its sequence number for that address
and the address it was sent to. The receiver keys its counts on the
destination address the datagram actually arrived with (IP_PKTINFO), counts
distinct sequence numbers (a datagram delivered twice counts once in
"unique") and "foreign" datagrams whose payload names another address.
The receiver prints "ready" once it listens.
"""

import argparse
import ipaddress
import json
import os
import select
import socket
import sys
import time

IP_PKTINFO = getattr(socket, "IP_PKTINFO", 8)
IPV6_RECVPKTINFO = getattr(socket, "IPV6_RECVPKTINFO", 49)
IPV6_PKTINFO = getattr(socket, "IPV6_PKTINFO", 50)
SO_RCVBUFFORCE = getattr(socket, "SO_RCVBUFFORCE", 33)


def stdin_closed(timeout):
    """Wait up to timeout seconds; True once stdin reached EOF."""
    ready, _, _ = select.select([sys.stdin], [], [], max(timeout, 0))
    return bool(ready) and not os.read(sys.stdin.fileno(), 4096)


def send(args):
    with open(args.targets) as f:
        targets = [str(ipaddress.ip_address(line.strip())) for line in f if line.strip()]
    socks = {
        4: socket.socket(socket.AF_INET, socket.SOCK_DGRAM),
        6: socket.socket(socket.AF_INET6, socket.SOCK_DGRAM),
    }
    version = {t: ipaddress.ip_address(t).version for t in targets}
    sent = dict.fromkeys(targets, 0)
    interval = 1.0 / args.pps
    due = time.monotonic()
    rounds = 0
    while args.rounds is None or rounds < args.rounds:
        for target in targets:
            payload = "{} {}".format(sent[target], target).encode()
            try:
                socks[version[target]].sendto(payload, (target, args.port))
            except OSError:
                # no route on the sender itself: not sent, not counted
                continue
            sent[target] += 1
            due += interval
            if args.rounds is None:
                if stdin_closed(due - time.monotonic()):
                    return {"sent": sent}
            else:
                time.sleep(max(due - time.monotonic(), 0))
        rounds += 1
    return {"sent": sent}


def listen(family, port):
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)
    except OSError:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    if family == socket.AF_INET:
        sock.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
        sock.bind(("0.0.0.0", port))
    else:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVPKTINFO, 1)
        sock.bind(("::", port))
    sock.setblocking(False)
    return sock


def local_destination(ancdata):
    for level, kind, data in ancdata:
        if level == socket.IPPROTO_IP and kind == IP_PKTINFO:
            # struct in_pktinfo { int ifindex; in_addr spec_dst; in_addr addr; }
            return socket.inet_ntop(socket.AF_INET, data[8:12])
        if level == socket.IPPROTO_IPV6 and kind == IPV6_PKTINFO:
            # struct in6_pktinfo { in6_addr addr; int ifindex; }
            return socket.inet_ntop(socket.AF_INET6, data[:16])
    return None


def recv(args):
    socks = [listen(socket.AF_INET, args.port), listen(socket.AF_INET6, args.port)]
    print("ready", flush=True)
    counts = {}
    seen = {}
    deadline = time.monotonic() + args.timeout
    watch = socks + [sys.stdin]
    while True:
        now = time.monotonic()
        if now >= deadline:
            break
        ready, _, _ = select.select(watch, [], [], deadline - now)
        for sock in ready:
            if sock is sys.stdin:
                if not os.read(sys.stdin.fileno(), 4096):
                    watch.remove(sys.stdin)
                    deadline = min(deadline, time.monotonic() + args.drain)
                continue
            while True:
                try:
                    data, anc, _, _ = sock.recvmsg(2048, socket.CMSG_SPACE(64))
                except BlockingIOError:
                    break
                dst = local_destination(anc) or "?"
                entry = counts.setdefault(dst, {"received": 0, "unique": 0, "foreign": 0})
                entry["received"] += 1
                try:
                    seq, named = data.decode().split()
                except ValueError:
                    entry["foreign"] += 1
                    continue
                if named != dst:
                    entry["foreign"] += 1
                key = (dst, seq)
                if key not in seen:
                    seen[key] = True
                    entry["unique"] += 1
    return {"dst": counts}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("send")
    p.add_argument("--targets", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--pps", type=float, default=200)
    p.add_argument("--rounds", type=int)
    p.set_defaults(func=send)
    p = sub.add_parser("recv")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--drain", type=float, default=2)
    p.add_argument("--timeout", type=float, default=600)
    p.set_defaults(func=recv)
    args = parser.parse_args()
    json.dump(args.func(args), sys.stdout)
    print()


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""
Traffic endpoints run inside topotest hosts. Each prints one JSON object.

  flowtool.py tcp-recv --port P [--timeout S]
      accept one connection, read to EOF: {"bytes": N, "sha256": H,
      "peer": the address the connection came from}
  flowtool.py tcp-send --dst ADDR --port P --bytes N [--seconds S] [--src A]
      send N pseudo-random bytes (spread evenly over S seconds; from
      source address A) and close: {"bytes": N, "sha256": H}
  flowtool.py udp-recv --port P [--idle S] [--timeout S]
      count datagrams per source port until idle: {"flows": {sport: n}}
  flowtool.py udp-send --dst ADDR --port P --flows F --count C --sport S
      F flows (source ports S .. S+F-1), C datagrams each: {"sent": F*C}

Receivers print "ready" on a line of its own once they listen, so the
caller can start the sender without sleeping.
"""

import argparse
import hashlib
import json
import random
import socket
import sys
import time


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def ready():
    print("ready", flush=True)


def tcp_recv(args):
    srv = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("::", args.port))
    srv.listen(1)
    srv.settimeout(args.timeout)
    ready()
    conn, peer = srv.accept()
    conn.settimeout(args.timeout)
    digest = hashlib.sha256()
    total = 0
    while True:
        chunk = conn.recv(1 << 16)
        if not chunk:
            break
        digest.update(chunk)
        total += len(chunk)
    conn.close()
    addr = peer[0][7:] if peer[0].startswith("::ffff:") else peer[0]
    return {"bytes": total, "sha256": digest.hexdigest(), "peer": addr}


def tcp_send(args):
    sock = socket.socket(family(args.dst), socket.SOCK_STREAM)
    sock.settimeout(args.timeout)
    if args.src:
        sock.bind((args.src, 0))
    sock.connect((args.dst, args.port))
    rng = random.Random(args.bytes)
    digest = hashlib.sha256()
    left = args.bytes
    # paced: a chunk every 10 ms, so that the flow spans the whole time
    step = max(1, args.bytes // max(1, int(args.seconds * 100))) if args.seconds else 1 << 16
    start = time.monotonic()
    sent = 0
    while left:
        chunk = rng.randbytes(min(left, step))
        sock.sendall(chunk)
        digest.update(chunk)
        left -= len(chunk)
        sent += 1
        if args.seconds:
            time.sleep(max(0.0, start + sent * 0.01 - time.monotonic()))
    sock.shutdown(socket.SHUT_WR)
    # wait for the receiver to close: all bytes were read
    sock.recv(1)
    sock.close()
    return {"bytes": args.bytes, "sha256": digest.hexdigest()}


def udp_recv(args):
    sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    sock.bind(("::", args.port))
    sock.settimeout(args.idle)
    ready()
    flows = {}
    deadline = time.monotonic() + args.timeout
    seen = False
    while time.monotonic() < deadline:
        try:
            _, peer = sock.recvfrom(2048)
        except socket.timeout:
            if seen:
                break
            continue
        seen = True
        flows[peer[1]] = flows.get(peer[1], 0) + 1
    return {"flows": flows}


def udp_send(args):
    fam = family(args.dst)
    socks = []
    for i in range(args.flows):
        sock = socket.socket(fam, socket.SOCK_DGRAM)
        sock.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", args.sport + i))
        socks.append(sock)
    payload = b"x" * args.size
    for _ in range(args.count):
        for sock in socks:
            sock.sendto(payload, (args.dst, args.port))
        # pace the burst so that no queue on the way overflows
        time.sleep(0.002)
    for sock in socks:
        sock.close()
    return {"sent": args.flows * args.count}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("tcp-recv")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--timeout", type=float, default=30)
    p.set_defaults(func=tcp_recv)
    p = sub.add_parser("tcp-send")
    p.add_argument("--dst", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--bytes", type=int, required=True)
    p.add_argument("--timeout", type=float, default=30)
    p.add_argument("--seconds", type=float, default=0)
    p.add_argument("--src")
    p.set_defaults(func=tcp_send)
    p = sub.add_parser("udp-recv")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--idle", type=float, default=2)
    p.add_argument("--timeout", type=float, default=30)
    p.set_defaults(func=udp_recv)
    p = sub.add_parser("udp-send")
    p.add_argument("--dst", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--flows", type=int, default=64)
    p.add_argument("--count", type=int, default=20)
    p.add_argument("--sport", type=int, default=20000)
    p.add_argument("--size", type=int, default=200)
    p.set_defaults(func=udp_send)
    args = parser.parse_args()
    json.dump(args.func(args), sys.stdout)
    print()


if __name__ == "__main__":
    main()

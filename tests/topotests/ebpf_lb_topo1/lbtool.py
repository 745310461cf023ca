#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
Servers and clients for ebpf_lb_topo1 (stdlib only, run with /usr/bin/python3
inside a topotest node).

  lbtool.py serve NAME --tcp 8080 --tcp 80 --udp 5353
      answers every line received over TCP with "NAME PEER\n" and every UDP
      datagram with "NAME PEER" (PEER: the source address the server saw);
      dual-stack sockets, prints "ready" once listening. A TCP line
      "bulk N" instead gets N bytes of pattern(), then the server reads N
      bytes and answers with their SHA-256 and closes.

  lbtool.py tcp --dst ADDR --port P --conns N [--msgs K] [--concurrent C]
                [--sport BASE]
      N connections, each exchanging K lines; up to C connections are open
      at once and their exchanges interleave with other connections opening
      and closing. With --sport, connection i binds source port BASE + i.
      Prints one JSON line: {"ok", "failed", "errors", "backends":
      {name: connections}, "peers": {peer: connections}, "switched":
      connections whose replies came from more than one backend,
      "flows": {sport: backend}}.

  lbtool.py hold --dst ADDR --port P --conns N
      opens N connections and keeps them: reads commands on stdin, "x"
      exchanges one line on each and prints {"sport": backend or null}.

  lbtool.py bulk --dst ADDR --port P --bytes N
      one connection: N bytes down (checked against pattern()), N random
      bytes up (checked by the server's SHA-256); prints {"ok", "backend"}.

  lbtool.py udp --dst ADDR --port P --flows N [--msgs K]
      N sockets (distinct source ports), K datagrams each, same JSON as tcp.
"""

import argparse
import hashlib
import json
import os
import selectors
import socket
import sys
import threading

TIMEOUT = 3.0


def _peer(addr):
    host = addr[0]
    return host[7:] if host.startswith("::ffff:") else host


def pattern(n):
    block = bytes(range(256)) * 64
    return (block * (n // len(block) + 1))[:n]


def _bulk(conn, n, rest):
    try:
        conn.setblocking(True)
        conn.settimeout(30)
        conn.sendall(pattern(n))
        got, h = len(rest), hashlib.sha256(rest)
        while got < n:
            data = conn.recv(min(65536, n - got))
            if not data:
                break
            got += len(data)
            h.update(data)
        conn.sendall(h.hexdigest().encode() + b"\n")
    except OSError:
        pass
    conn.close()


def serve(args):
    sel = selectors.DefaultSelector()
    for port in args.tcp:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.bind(("::", port))
        s.listen(512)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, ("listen", None))
    for port in args.udp:
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.bind(("::", port))
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, ("udp", None))
    print("ready", flush=True)
    name = args.name.encode()
    while True:
        for key, _ in sel.select():
            kind, peer = key.data
            sock = key.fileobj
            try:
                if kind == "listen":
                    conn, addr = sock.accept()
                    conn.setblocking(False)
                    sel.register(conn, selectors.EVENT_READ,
                                 ("conn", _peer(addr).encode()))
                elif kind == "udp":
                    data, addr = sock.recvfrom(2048)
                    sock.sendto(name + b" " + _peer(addr).encode(), addr)
                else:
                    data = sock.recv(4096)
                    if not data:
                        sel.unregister(sock)
                        sock.close()
                        continue
                    if data.startswith(b"bulk "):
                        line, rest = data.split(b"\n", 1)
                        sel.unregister(sock)
                        sock.sendall(name + b" " + peer + b"\n")
                        threading.Thread(target=_bulk, daemon=True, args=(
                            sock, int(line.split()[1]), rest)).start()
                        continue
                    for _ in range(data.count(b"\n")):
                        sock.sendall(name + b" " + peer + b"\n")
            except OSError:
                if kind == "conn":
                    sel.unregister(sock)
                    sock.close()


def _family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


class Conn:
    def __init__(self, args, i):
        self.sock = socket.socket(_family(args.dst), socket.SOCK_STREAM)
        self.sock.settimeout(TIMEOUT)
        if args.sport:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.sock.bind(("", args.sport + i))
        self.sock.connect((args.dst, args.port))
        self.sport = self.sock.getsockname()[1]
        self.buf = b""
        self.seen = []

    def exchange(self):
        self.sock.sendall(b"hello\n")
        while b"\n" not in self.buf:
            data = self.sock.recv(4096)
            if not data:
                raise OSError("connection closed by the server")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        self.seen.append(line.decode().split())
        return self.seen[-1][0]

    def close(self, rst=False):
        if rst:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                 b"\x01\x00\x00\x00\x00\x00\x00\x00")
        self.sock.close()


def _report(results, errors):
    out = {"ok": 0, "failed": len(errors), "errors": errors[:5], "backends": {},
           "peers": {}, "switched": 0, "flows": {}}
    for sport, seen in results:
        names = {s[0] for s in seen}
        out["ok"] += 1
        if len(names) > 1:
            out["switched"] += 1
        name = seen[0][0]
        out["backends"][name] = out["backends"].get(name, 0) + 1
        out["peers"][seen[0][1]] = out["peers"].get(seen[0][1], 0) + 1
        out["flows"][str(sport)] = name
    print(json.dumps(out), flush=True)


def tcp(args):
    results, errors, open_ = [], [], []
    for i in range(args.conns):
        try:
            c = Conn(args, i)
            c.exchange()
            open_.append(c)
        except OSError as e:
            errors.append("conn {}: {}".format(i, e))
        # one exchange on every other open connection, close finished ones
        for c in list(open_):
            try:
                if len(c.seen) < args.msgs:
                    c.exchange()
                if len(c.seen) >= args.msgs or len(open_) > args.concurrent:
                    open_.remove(c)
                    c.close(rst=bool(args.sport))
                    results.append((c.sport, c.seen))
            except OSError as e:
                open_.remove(c)
                c.close()
                errors.append("sport {}: {}".format(c.sport, e))
    for c in open_:
        try:
            while len(c.seen) < args.msgs:
                c.exchange()
            results.append((c.sport, c.seen))
        except OSError as e:
            errors.append("sport {}: {}".format(c.sport, e))
        c.close(rst=bool(args.sport))
    _report(results, errors)


def hold(args):
    conns = []
    for i in range(args.conns):
        conns.append(Conn(args, i))
    print(json.dumps({str(c.sport): c.exchange() for c in conns}), flush=True)
    for line in sys.stdin:
        if line.strip() != "x":
            break
        out = {}
        for c in conns:
            try:
                out[str(c.sport)] = c.exchange()
            except OSError:
                out[str(c.sport)] = None
        print(json.dumps(out), flush=True)
    for c in conns:
        c.close()


def bulk(args):
    n = args.bytes
    sock = socket.create_connection((args.dst, args.port), timeout=30)
    sock.sendall("bulk {}\n".format(n).encode())
    buf = b""
    while b"\n" not in buf:
        data = sock.recv(65536)
        if not data:
            raise SystemExit("closed before the name line")
        buf += data
    line, buf = buf.split(b"\n", 1)
    while len(buf) < n:
        data = sock.recv(65536)
        if not data:
            break
        buf += data
    down_ok = buf[:n] == pattern(n)
    up = os.urandom(n)
    sock.sendall(up)
    rest = buf[n:]
    while b"\n" not in rest:
        data = sock.recv(4096)
        if not data:
            break
        rest += data
    up_ok = rest.split(b"\n")[0].decode() == hashlib.sha256(up).hexdigest()
    sock.close()
    print(json.dumps({"ok": down_ok and up_ok, "down": down_ok, "up": up_ok,
                      "backend": line.decode().split()[0], "received": len(buf)}),
          flush=True)


def udp(args):
    results, errors = [], []
    for i in range(args.flows):
        s = socket.socket(_family(args.dst), socket.SOCK_DGRAM)
        s.settimeout(TIMEOUT)
        s.connect((args.dst, args.port))
        seen = []
        try:
            for _ in range(args.msgs):
                s.send(b"q")
                seen.append(s.recv(2048).decode().split())
            results.append((s.getsockname()[1], seen))
        except OSError as e:
            errors.append("flow {}: {}".format(i, e))
        s.close()
    _report(results, errors)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("name")
    s.add_argument("--tcp", type=int, action="append", default=[])
    s.add_argument("--udp", type=int, action="append", default=[])
    for name in ("tcp", "hold", "udp", "bulk"):
        c = sub.add_parser(name)
        c.add_argument("--dst", required=True)
        c.add_argument("--port", type=int, required=True)
        c.add_argument("--conns", type=int, default=1)
        c.add_argument("--flows", type=int, default=1)
        c.add_argument("--msgs", type=int, default=3)
        c.add_argument("--concurrent", type=int, default=8)
        c.add_argument("--sport", type=int, default=0)
        c.add_argument("--bytes", type=int, default=1 << 20)
    args = p.parse_args()
    {"serve": serve, "tcp": tcp, "hold": hold, "udp": udp, "bulk": bulk}[args.cmd](args)


if __name__ == "__main__":
    main()

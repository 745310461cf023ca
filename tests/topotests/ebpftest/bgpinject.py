#!/usr/bin/python3
"""
A minimal BGP speaker that feeds large route sets to one peer, for the
scale topotests. Run inside a topotest host; stdlib only.

Debian's bgpd is built without sharpd, so it cannot `redistribute sharp`
(the route type is compiled out of its CLI); a peer that speaks BGP itself
is the way to put a full table into a router through BGP, and lets the test
withdraw and re-announce any subset at will.

  bgpinject.py --peer ADDR --local-as N --router-id ID
               --nexthop4 A --nexthop6 A --sets FILE [--hold S]

FILE is JSON: {"set name": ["prefix", ...], ...} (IPv4 and IPv6 may mix).
The speaker connects to ADDR:179, opens a session with IPv4 and IPv6
unicast and 4-octet AS numbers, prints "established", then reads commands
from stdin, one per line:

  announce NAME...   announce every prefix of these sets (ORIGIN IGP,
                     AS_PATH local AS, next hop --nexthop4 / --nexthop6)
  withdraw NAME...   withdraw them
  quit               send a Cease NOTIFICATION and exit (also on EOF)

After a command's messages are written it prints "ok VERB PREFIXES". It
sends KEEPALIVEs at a third of the negotiated hold time and discards what
the peer sends; a NOTIFICATION from the peer or a lost session ends it with
status 1 and the reason on stderr.
"""

import argparse
import ipaddress
import json
import os
import socket
import struct
import sys
import threading

MARKER = b"\xff" * 16
OPEN, UPDATE, NOTIFICATION, KEEPALIVE = 1, 2, 3, 4
MAX_MSG = 4096
AS_TRANS = 23456

# path attributes: (flags, type code)
ORIGIN = (0x40, 1)
AS_PATH = (0x40, 2)
NEXT_HOP = (0x40, 3)
MP_REACH = (0x90, 14)  # optional, extended length
MP_UNREACH = (0x90, 15)
AFI_IP, AFI_IP6, SAFI_UNICAST = 1, 2, 1


def message(mtype, body=b""):
    return MARKER + struct.pack("!HB", 19 + len(body), mtype) + body


def attr(kind, value):
    flags, code = kind
    if flags & 0x10:
        return struct.pack("!BBH", flags, code, len(value)) + value
    return struct.pack("!BBB", flags, code, len(value)) + value


def nlri(net):
    """Prefix length then the prefix's significant bytes (RFC 4271 4.3)."""
    nbytes = (net.prefixlen + 7) // 8
    return bytes([net.prefixlen]) + net.network_address.packed[:nbytes]


def chunks(encoded, room):
    """Group encoded prefixes into runs of at most `room` bytes."""
    run, size = [], 0
    for item in encoded:
        if size + len(item) > room and run:
            yield b"".join(run)
            run, size = [], 0
        run.append(item)
        size += len(item)
    if run:
        yield b"".join(run)


class Updates:
    """The UPDATE messages that announce or withdraw one set of prefixes,
    encoded once up front so that a command only has to write them."""

    def __init__(self, prefixes, local_as, nexthop4, nexthop6):
        nets = [ipaddress.ip_network(p) for p in prefixes]
        v4 = [nlri(n) for n in nets if n.version == 4]
        v6 = [nlri(n) for n in nets if n.version == 6]
        self.count = len(nets)
        base = attr(ORIGIN, b"\x00") + attr(
            AS_PATH, struct.pack("!BBI", 2, 1, local_as)  # AS_SEQUENCE of one
        )
        self.announce = []
        self.withdraw = []

        attrs4 = base + attr(NEXT_HOP, ipaddress.IPv4Address(nexthop4).packed)
        # 19 header + 2 withdrawn length + 2 attribute length
        for run in chunks(v4, MAX_MSG - 23 - len(attrs4)):
            body = struct.pack("!HH", 0, len(attrs4)) + attrs4 + run
            self.announce.append(message(UPDATE, body))
        for run in chunks(v4, MAX_MSG - 23):
            body = struct.pack("!H", len(run)) + run + struct.pack("!H", 0)
            self.withdraw.append(message(UPDATE, body))

        nh6 = ipaddress.IPv6Address(nexthop6).packed
        reach_head = struct.pack("!HBB", AFI_IP6, SAFI_UNICAST, 16) + nh6 + b"\x00"
        room = MAX_MSG - 23 - len(base) - 4 - len(reach_head)
        for run in chunks(v6, room):
            attrs = base + attr(MP_REACH, reach_head + run)
            body = struct.pack("!HH", 0, len(attrs)) + attrs
            self.announce.append(message(UPDATE, body))
        for run in chunks(v6, MAX_MSG - 23 - 4 - 3):
            attrs = attr(MP_UNREACH, struct.pack("!HB", AFI_IP6, SAFI_UNICAST) + run)
            body = struct.pack("!HH", 0, len(attrs)) + attrs
            self.withdraw.append(message(UPDATE, body))


def die(why):
    print("bgpinject: " + why, file=sys.stderr, flush=True)
    sys.stdout.flush()
    # the reader and keepalive threads must not keep a dead session alive
    os._exit(1)


class Session:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.sock = socket.create_connection((args.peer, 179), timeout=30)
        self.sock.settimeout(None)

    def send(self, data):
        with self.lock:
            self.sock.sendall(data)

    def read_message(self):
        head = self._read(19)
        if head[:16] != MARKER:
            die("bad marker from peer")
        length, mtype = struct.unpack("!HB", head[16:])
        return mtype, self._read(length - 19)

    def _read(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                die("peer closed the session")
            buf += chunk
        return buf

    def open(self):
        a = self.args
        caps = b""
        for afi in (AFI_IP, AFI_IP6):
            caps += struct.pack("!BBHBB", 1, 4, afi, 0, SAFI_UNICAST)
        caps += struct.pack("!BBI", 65, 4, a.local_as)
        params = struct.pack("!BB", 2, len(caps)) + caps
        my_as = a.local_as if a.local_as < 65536 else AS_TRANS
        body = struct.pack("!BHH", 4, my_as, a.hold)
        body += socket.inet_aton(a.router_id) + bytes([len(params)]) + params
        self.send(message(OPEN, body))

        mtype, body = self.read_message()
        if mtype == NOTIFICATION:
            die("peer refused OPEN: notification {}".format(body[:2].hex()))
        if mtype != OPEN:
            die("expected OPEN, got message type {}".format(mtype))
        (peer_hold,) = struct.unpack("!H", body[3:5])
        self.hold = min(a.hold, peer_hold)
        self.send(message(KEEPALIVE))
        mtype, body = self.read_message()
        if mtype != KEEPALIVE:
            die("expected KEEPALIVE, got type {} {}".format(mtype, body[:2].hex()))

    def start_threads(self):
        threading.Thread(target=self._drain, daemon=True).start()
        if self.hold:
            threading.Thread(target=self._keepalive, daemon=True).start()

    def _drain(self):
        while True:
            mtype, body = self.read_message()
            if mtype == NOTIFICATION:
                die("notification from peer: code {} subcode {}".format(body[0], body[1]))

    def _keepalive(self):
        stop = threading.Event()
        while not stop.wait(self.hold / 3.0):
            self.send(message(KEEPALIVE))

    def close(self):
        # Cease / administrative shutdown
        self.send(message(NOTIFICATION, b"\x06\x02"))
        self.sock.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--peer", required=True)
    parser.add_argument("--local-as", type=int, required=True)
    parser.add_argument("--router-id", required=True)
    parser.add_argument("--nexthop4", required=True)
    parser.add_argument("--nexthop6", required=True)
    parser.add_argument("--sets", required=True)
    parser.add_argument("--hold", type=int, default=90)
    args = parser.parse_args()

    with open(args.sets) as f:
        sets = {
            name: Updates(prefixes, args.local_as, args.nexthop4, args.nexthop6)
            for name, prefixes in json.load(f).items()
        }
    session = Session(args)
    session.open()
    session.start_threads()
    print("established", flush=True)

    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        verb, names = words[0], words[1:]
        if verb == "quit":
            break
        if verb not in ("announce", "withdraw") or not all(n in sets for n in names):
            print("error unknown command or set: " + line.strip(), flush=True)
            continue
        total = 0
        for name in names:
            for msg in getattr(sets[name], verb):
                session.send(msg)
            total += sets[name].count
        print("ok {} {}".format(verb, total), flush=True)
    session.close()


if __name__ == "__main__":
    main()

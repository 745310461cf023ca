#!/usr/bin/python3
"""
How long zebra takes to see a kernel address change: the probe half of
bench/stall.sh. zebra 8.4 reads interface-address events on its dplane
pthread, where the plugin does its work too, and applies them on its main
pthread; a plugin that held the dplane pthread would show here as delay.

  stall_probe.py --ns NS --ifname IF --vty-dir DIR
                 [--count N] [--until-file F] [--gap S]

Adds and deletes 10.253.x.y/32 on IF in NS, and after each change polls
zebra (`show interface IF json`, on zebra's vty socket in DIR) until zebra shows it. Runs --count rounds,
or until the file --until-file exists. Prints one JSON object:
{"samples": [seconds, ...]} (each add and each delete is a sample).
"""

import argparse
import json
import os
import socket
import subprocess
import time


class Vty:
    """One connection to zebra's vty socket, kept open: a vtysh process per
    poll would cost tens of milliseconds, more than what is measured. The
    protocol is vtysh's: a command ends with NUL, the answer with three
    NULs and a status byte."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)

    def ask(self, command):
        self.sock.sendall(command.encode() + b"\0")
        buf = b""
        while len(buf) < 4 or buf[-4:-1] != b"\0\0\0":
            chunk = self.sock.recv(65536)
            if not chunk:
                raise SystemExit("zebra closed its vty")
            buf += chunk
        if buf[-1] != 0:
            raise SystemExit("zebra refused {!r}: {}".format(command, buf[:-4]))
        return buf[:-4].decode()


def zebra_has(vty, ifname, addr):
    try:
        data = json.loads(vty.ask("show interface {} json".format(ifname)))
    except ValueError:
        return None
    addrs = data.get(ifname, {}).get("ipAddresses", [])
    return any(a.get("address") == addr for a in addrs)


def change(args, verb, addr):
    subprocess.run(["ip", "-n", args.ns, "addr", verb, addr, "dev", args.ifname],
                   check=True)


def sample(args, vty, verb, addr, want):
    change(args, verb, addr)
    # from when the kernel has the change (ip has returned)
    t0 = time.monotonic()
    deadline = t0 + 10
    while time.monotonic() < deadline:
        if zebra_has(vty, args.ifname, addr) == want:
            return time.monotonic() - t0
    raise SystemExit("zebra did not see {} {} within 10 s".format(verb, addr))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ns", required=True)
    p.add_argument("--ifname", required=True)
    p.add_argument("--vty-dir", required=True)
    p.add_argument("--count", type=int, default=20)
    p.add_argument("--until-file")
    p.add_argument("--gap", type=float, default=0.1)
    args = p.parse_args()

    vty = Vty(os.path.join(args.vty_dir, "zebra.vty"))
    samples = []
    n = 0
    while True:
        if args.until_file:
            if os.path.exists(args.until_file):
                break
        elif n >= args.count:
            break
        addr = "10.253.{}.{}/32".format(n // 250, n % 250 + 1)
        samples.append(sample(args, vty, "add", addr, True))
        samples.append(sample(args, vty, "del", addr, False))
        n += 1
        time.sleep(args.gap)
    print(json.dumps({"samples": samples}))


if __name__ == "__main__":
    main()

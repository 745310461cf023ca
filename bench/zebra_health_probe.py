#!/usr/bin/python3
"""
The probe half of bench/zebra_health.sh: zebra's vty round trip and the
CPU of its pthreads, and the load balancer's view of its backends.

  zebra_health_probe.py vty --vty-dir DIR --pid PID --seconds S [--gap G]
                                [--also PID]...
      Sends `show version` to zebra's vty socket in DIR (one connection,
      kept open: a vtysh process per sample would cost more than what is
      measured), waits for the answer, sleeps G seconds (default 0.01),
      again for S seconds. Reads the CPU time of each of PID's threads
      (/proc/PID/task/TID/stat, by name from comm) and the time each
      waited on a run queue (schedstat) before and after; the same for
      the --also processes, named "pidP:NAME". Prints one JSON object:
      {"samples": [seconds...], "wall": seconds,
       "cpu": {thread name: [CPU seconds, run-queue wait seconds]}}.

  zebra_health_probe.py lb --vty-dir DIR --expect on|off [--timeout T]
      Polls `show ebpf load-balancer json` (every 0.2 s, up to T seconds,
      default 30) until every backend is as expected: with checks on, the
      answering ones (198.19.0.0/17) healthy and up, the silent ones
      (198.19.128.0/17) unhealthy and down; with checks off, every backend
      up and none checked. Prints one JSON object: {"ok": bool, "seconds":
      time waited, "backends", "up", "checks": sum of the backends' checks,
      "errors": {last error: count}, "bad": [first mismatches]}; exits 1
      if the state never came.
"""

import argparse
import json
import os
import sys
import time

# the vty client of bench/stall_probe.py (this script's directory is on
# sys.path when it runs)
from stall_probe import Vty


def thread_cpu(pid):
    """{tid: (name, seconds of CPU, seconds runnable but waiting for a
    CPU)} for each thread of pid."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for tid in os.listdir("/proc/{}/task".format(pid)):
        base = "/proc/{}/task/{}/".format(pid, tid)
        try:
            with open(base + "comm") as f:
                name = f.read().strip()
            with open(base + "stat") as f:
                stat = f.read()
            # on CPU, waiting on a run queue (ns), timeslices
            with open(base + "schedstat") as f:
                wait = int(f.read().split()[1]) / 1e9
        except OSError:
            continue  # gone meanwhile
        # after the command's closing parenthesis: state is field 3,
        # utime and stime fields 14 and 15
        fields = stat[stat.rindex(")") + 2:].split()
        out[tid] = (name, (int(fields[11]) + int(fields[12])) / tick, wait)
    return out


def cpu_delta(before, after, prefix=""):
    """{name: [CPU seconds, run-queue wait seconds]} between two
    thread_cpu() readings, threads of the same name added up."""
    out = {}
    for tid, (name, sec, wait) in after.items():
        _, sec0, wait0 = before.get(tid, (name, 0.0, 0.0))
        c = out.setdefault(prefix + name, [0.0, 0.0])
        c[0] += sec - sec0
        c[1] += wait - wait0
    return out


def cmd_vty(args):
    vty = Vty(os.path.join(args.vty_dir, "zebra.vty"))
    vty.ask("show version")  # the first answer may come from a cold cache
    cpu0 = thread_cpu(args.pid)
    others0 = {p: thread_cpu(p) for p in args.also}
    t0 = time.monotonic()
    end = t0 + args.seconds
    samples = []
    while time.monotonic() < end:
        s = time.monotonic()
        vty.ask("show version")
        samples.append(time.monotonic() - s)
        time.sleep(args.gap)
    wall = time.monotonic() - t0
    cpu = cpu_delta(cpu0, thread_cpu(args.pid))
    for p, c0 in others0.items():
        cpu.update(cpu_delta(c0, thread_cpu(p), "pid{}:".format(p)))
    print(json.dumps({"samples": samples, "wall": wall, "cpu": cpu}))


def answering(addr):
    return int(addr.split(".")[2]) < 128


def lb_state(vty, expect):
    j = json.loads(vty.ask("show ebpf load-balancer json"))
    r = {"backends": 0, "up": 0, "checks": 0, "errors": {}, "bad": []}
    for vip, v in j.get("vips", {}).items():
        for b in v.get("backends", []):
            r["backends"] += 1
            up = b.get("state") == "up"
            r["up"] += up
            h = b.get("health")
            if h:
                r["checks"] += h.get("checks", 0)
                err = h.get("lastError") or "none"
                r["errors"][err] = r["errors"].get(err, 0) + 1
            if expect == "off":
                good = up and h is None
            elif answering(b["address"]):
                good = up and h is not None and h.get("healthy")
            else:
                good = not up and h is not None and not h.get("healthy")
            if not good and len(r["bad"]) < 5:
                r["bad"].append("{} {}: {}".format(vip, b["address"],
                                                   b.get("stateDetail")))
    r["ok"] = r["backends"] > 0 and not r["bad"]
    return r


def cmd_lb(args):
    vty = Vty(os.path.join(args.vty_dir, "zebra.vty"))
    t0 = time.monotonic()
    while True:
        r = lb_state(vty, args.expect)
        r["seconds"] = time.monotonic() - t0
        if r["ok"] or r["seconds"] > args.timeout:
            break
        time.sleep(0.2)
    print(json.dumps(r))
    sys.exit(0 if r["ok"] else 1)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    v = sub.add_parser("vty")
    v.add_argument("--vty-dir", required=True)
    v.add_argument("--pid", type=int, required=True)
    v.add_argument("--seconds", type=float, required=True)
    v.add_argument("--gap", type=float, default=0.01)
    v.add_argument("--also", type=int, action="append", default=[])
    lb = sub.add_parser("lb")
    lb.add_argument("--vty-dir", required=True)
    lb.add_argument("--expect", choices=("on", "off"), required=True)
    lb.add_argument("--timeout", type=float, default=30)
    args = p.parse_args()
    if args.cmd == "vty":
        cmd_vty(args)
    else:
        cmd_lb(args)


if __name__ == "__main__":
    main()

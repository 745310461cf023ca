#!/usr/bin/python3
"""
Transparency check of frr-ebpf: FRR's own topotests, run once with plain FRR
(baseline) and once with dplane_ebpf.so loaded into every zebra and its
datapath enabled on every router interface (module run), then compared:
pass/fail/skip of every test function, and the warning/error lines of every
daemon log of every router. See README.md.

usage:
  transparency.py run [OPTIONS] [TEST...]   run both, compare (run.sh calls this)
  transparency.py compare RUNDIR            compare the runs kept in RUNDIR again
  transparency.py list [--short|--long]     print a selection

A TEST is a directory of FRR's tests/topotests (ospf_topo1), a file in one
(route_scale/test_route_scale1.py) or a pytest node id of one.
"""

import argparse
import collections
import glob
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
TOPOTESTS = os.path.join(REPO, "tests", "topotests")
sys.path.insert(0, TOPOTESTS)
import frrlib  # noqa: E402  (../topotests: FRR source, base patch)

PATCH = os.path.join(HERE, "frr-topotest-transparency.patch")
BUILD = os.environ.get("FRR_EBPF_TT_BUILD") or os.path.join(HERE, "build")
OWNER = "frr-ebpf-transparency"  # TOPOTEST_OWNER of every process we start
MODES = ("baseline", "module")
PYTHON = "/usr/bin/python3"  # Debian's, with python3-pytest
# Priorities (syslog) that count as warning/error lines.
LOG_WARNING = 4


# ---------------------------------------------------------------- selections


def read_selection(name):
    """Entries of short.list / long.list: one `TEST [PYTEST-OPTION...]` a
    line (e.g. --deselect=NODEID), '#' starts a comment."""
    path = name if os.path.sep in name else os.path.join(HERE, name + ".list")
    entries = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                entries.append(line)
    return entries


def entry_test(entry):
    """The test (directory, file or node id) of an entry."""
    return entry.split()[0]


def entry_args(entry):
    return entry.split()[1:]


def entry_dir(entry):
    return entry_test(entry).split("::", 1)[0].split("/", 1)[0]


def entry_slug(entry):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_",
                  entry_test(entry).replace(".py", "")).strip("_")


# ------------------------------------------------------------------- prepare


def _sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def prepare(dest, dirs, src):
    """dest/: FRR's lib (both patches), conftest.py, pytest.ini and fresh
    copies of the selected test directories next to them, as FRR's tests
    expect (they import ../lib relative to their own real path)."""
    stamp = "{} {} {}\n".format(
        os.path.realpath(src), _sha(frrlib.PATCH), _sha(PATCH)
    )
    stamp_path = os.path.join(dest, ".frr-ebpf-tt-stamp")
    if not (os.path.exists(stamp_path) and open(stamp_path).read() == stamp):
        base = frrlib.prepare(os.path.join(BUILD, "frr-topotest-lib"), src)
        tmp = dest + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(base, tmp, ignore=shutil.ignore_patterns("__pycache__"))
        os.rename(os.path.join(tmp, "frr_conftest.py"), os.path.join(tmp, "conftest.py"))
        with open(PATCH, "rb") as f:
            subprocess.run(["patch", "-s", "-p1", "-d", tmp], stdin=f, check=True)
        with open(os.path.join(tmp, ".frr-ebpf-tt-stamp"), "w") as f:
            f.write(stamp)
        shutil.rmtree(dest, ignore_errors=True)
        os.rename(tmp, dest)
    topo = os.path.join(src, "tests", "topotests")
    for d in sorted(set(dirs)):
        if not os.path.isdir(os.path.join(topo, d)):
            raise SystemExit("no test directory {} in {}".format(d, topo))
        shutil.rmtree(os.path.join(dest, d), ignore_errors=True)
        shutil.copytree(os.path.join(topo, d), os.path.join(dest, d),
                        ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def needs_sharpd(dest, dirs):
    for d in dirs:
        for path in glob.glob(os.path.join(dest, d, "**", "*.py"), recursive=True):
            with open(path, errors="replace") as f:
                if "RD_SHARP" in f.read():
                    return True
    return False


# ----------------------------------------------------------------------- run


def run_pytest(workdir, entry, rundir, env, timeout, log):
    """One pytest session for one entry in one mode. Returns (rc, seconds)."""
    os.makedirs(rundir, exist_ok=True)
    cmd = [
        PYTHON, "-m", "pytest",
        "--rundir=" + rundir,
        "--junitxml=" + os.path.join(rundir, "junit.xml"),
        "-p", "no:cacheprovider", "-rfEs", "--tb=short", "--show-capture=no",
    ] + entry_args(entry) + [entry_test(entry)]
    start = time.monotonic()
    with open(log, "w") as out:
        out.write("# " + " ".join(cmd) + "\n")
        out.flush()
        proc = subprocess.Popen(cmd, cwd=workdir, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            # SIGINT lets pytest tear the topology down (FRR's session fixture)
            out.write("\n# timeout after {} s: SIGINT\n".format(timeout))
            proc.send_signal(signal.SIGINT)
            try:
                rc = proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                proc.kill()
                rc = proc.wait()
            rc = rc or 124
    return rc, time.monotonic() - start


def pytest_tail(log):
    """pytest's final '=== N passed ... in Ts ===' line."""
    try:
        with open(log, errors="replace") as f:
            lines = [l.strip() for l in f if l.startswith("=")]
    except OSError:
        return ""
    return lines[-1].strip("= ") if lines else ""


def cmd_run(args):
    if os.geteuid() != 0:
        raise SystemExit("transparency: topotests need root")
    entries = list(args.tests)
    if not entries:
        entries = read_selection("long" if args.long else (args.list or "short"))
    src = os.environ.get("FRR_SOURCE") or frrlib.frr_source()
    os.environ["FRR_SOURCE"] = src
    dirs = [entry_dir(e) for e in entries]
    workdir = prepare(os.path.join(BUILD, "topotests"), dirs, src)

    modes = [args.only] if args.only else list(MODES)
    module = os.path.abspath(args.module)
    vtysh = os.path.abspath(args.vtysh)
    for what, path in (("module", module), ("vtysh", vtysh)):
        if not os.path.isfile(path):
            raise SystemExit("transparency: {} not found: {} (build it or pass "
                             "its path)".format(what, path))

    # Routers run `vtysh` from PATH: a directory holding only it goes first.
    bindir = os.path.join(BUILD, "bin")
    os.makedirs(bindir, exist_ok=True)
    link = os.path.join(bindir, "vtysh")
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(vtysh, link)

    env = {k: v for k, v in os.environ.items() if not k.startswith("FRR_EBPF_TT_")}
    env["TOPOTEST_OWNER"] = OWNER
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["FRR_EBPF_TT_PHASES"] = "1"
    if needs_sharpd(workdir, dirs):
        out = subprocess.run([os.path.join(REPO, "scripts", "build-sharpd.sh")],
                             check=True, stdout=subprocess.PIPE, text=True).stdout
        env["FRR_EBPF_TT_SHARPD"] = out.strip().splitlines()[-1]
    envs = {}
    for mode in MODES:
        e = dict(env)
        if mode == "module" or args.baseline_vtysh == "plugin":
            e["PATH"] = bindir + os.pathsep + env["PATH"]
            e["FRR_EBPF_TT_BINDIR"] = bindir  # frr-reload.py's vtysh
        if mode == "module":
            e["FRR_EBPF_TT_MODULE"] = module
            if args.datapath != "none":
                e["FRR_EBPF_TT_DATAPATH"] = args.datapath
        envs[mode] = e

    rundir = os.path.abspath(args.rundir)
    if os.path.isdir(rundir) and not args.keep:
        shutil.rmtree(rundir)
    os.makedirs(rundir, exist_ok=True)
    meta = {
        "module": module, "vtysh": vtysh, "datapath": args.datapath,
        "baseline_vtysh": args.baseline_vtysh, "frr_source": src,
        "sharpd": env.get("FRR_EBPF_TT_SHARPD"), "runs": [],
    }
    meta_path = os.path.join(rundir, "runs.json")
    total = time.monotonic()
    print("transparency: {} test(s), runs: {}; module {}, datapath {}; results in {}"
          .format(len(entries), ", ".join(modes), module, args.datapath, rundir),
          flush=True)
    for entry in entries:
        for mode in modes:
            d = os.path.join(rundir, mode, entry_slug(entry))
            rc, secs = run_pytest(workdir, entry, d, envs[mode], args.timeout,
                                  os.path.join(d, "pytest.out"))
            meta["runs"].append({"entry": entry, "mode": mode, "rc": rc,
                                 "seconds": round(secs, 1)})
            with open(meta_path, "w") as f:
                json.dump(meta, f, indent=1)
            print("  {:<40} {:<8} rc={:<3} {:6.1f} s  {}".format(
                entry_test(entry), mode, rc, secs, pytest_tail(os.path.join(d, "pytest.out"))),
                flush=True)
    meta["seconds"] = round(time.monotonic() - total, 1)
    with open(meta_path, "w") as f:
        json.dump(meta, f, indent=1)
    print("transparency: all runs took {:.0f} s".format(meta["seconds"]), flush=True)
    if len(modes) < 2:
        return 0
    return compare(rundir, src)


# ------------------------------------------------------------------- compare


def xref_sites(src, binaries, module):
    """FRR log call sites: {uid: [syslog priority, from the module?]}, read
    from the binaries' xref ELF sections by FRR's python/xrelfo.py (run by
    the FRR tree's clippy). Cached in BUILD/, keyed on the binaries."""
    binaries = sorted(b for b in set(binaries) if b and os.path.isfile(b))
    key = hashlib.sha256(json.dumps(
        [[b, os.stat(b).st_size, os.stat(b).st_mtime] for b in binaries]).encode()
    ).hexdigest()
    cache = os.path.join(BUILD, "xref-sites-{}.json".format(key[:16]))
    if not os.path.exists(cache):
        os.makedirs(BUILD, exist_ok=True)
        out = cache + ".raw"
        subprocess.run(
            [os.path.join(src, "lib", "clippy"),
             os.path.join(src, "python", "xrelfo.py"), "-o", out] + binaries,
            check=True, cwd=src, stdout=subprocess.DEVNULL,
            env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"),
        )
        with open(out) as f:
            refs = json.load(f)["refs"]
        sites = {}
        for uid, locs in refs.items():
            ps = [l["priority"] for l in locs if "priority" in l]
            if ps:
                sites[uid] = [min(ps), any(
                    module and os.path.realpath(l.get("binary", "")) ==
                    os.path.realpath(module) for l in locs)]
        with open(cache + ".tmp", "w") as f:
            json.dump(sites, f)
        os.rename(cache + ".tmp", cache)
        os.unlink(out)
    with open(cache) as f:
        return json.load(f)


def frr_binaries(meta):
    bins = []
    for path in glob.glob("/usr/lib/frr/*") + glob.glob(
            "/usr/lib/x86_64-linux-gnu/frr/*.so.0") + glob.glob(
            "/usr/lib/x86_64-linux-gnu/frr/modules/*.so"):
        with open(path, "rb") as f:
            if f.read(4) == b"\x7fELF":
                bins.append(os.path.realpath(path))
    bins += [meta.get("module"), meta.get("sharpd")]
    return bins


def junit_outcomes(path):
    """{test id: passed|failed|error|skipped} from a junit XML."""
    res = {}
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return None
    for tc in root.iter("testcase"):
        tid = "{}::{}".format(tc.get("classname", ""), tc.get("name", ""))
        outcome = "passed"
        for child in tc:
            if child.tag in ("failure", "error", "skipped"):
                outcome = {"failure": "failed"}.get(child.tag, child.tag)
                break
        # a test can have a call failure and a teardown error: keep the worst
        prev = res.get(tid)
        order = ["passed", "skipped", "failed", "error"]
        if prev is None or order.index(outcome) > order.index(prev):
            res[tid] = outcome
    return res


# 2024/01/02 03:04:05.678 ZEBRA: [XXXXX-XXXXX][EC 123] message
LINE_RE = re.compile(
    r"^(?:\d{4}/\d\d/\d\d \d\d:\d\d:\d\d(?:\.\d+)?\s+)?"
    r"(?:(?P<proto>[A-Za-z0-9_-]+):\s+)?"
    r"(?:\[(?P<uid>[0-9A-Z]{5}-[0-9A-Z]{5})\])?"
    r"(?P<ec>\[EC \d+\])?\s*(?P<msg>.*)$"
)
# Lines that carry no xref uid (signal handlers, backtraces, stderr)
FALLBACK_RE = re.compile(
    r"(error|warn|fail|cannot|can't|unable|crash|signal|abort|assert|backtrace|"
    r"segfault|core)", re.I)
# What libfrr prints on stderr when its crash-log directory
# (/var/tmp/frr/DAEMON.PID) exists already: a daemon killed earlier on the
# host with the same pid left it. A fact about the host's history (any
# SIGKILL in an earlier test), not about the daemon's behaviour in this run.
HOST_CRASHLOG_RE = re.compile(
    r'failed to mkdir "/var/tmp/frr/[\w-]+\.\d+": File exists|'
    r"crashlog and per-thread log buffering unavailable!")
MAC_RE = re.compile(r"\b[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}\b")
LL_RE = re.compile(r"\bfe80:[0-9a-fA-F:]*(?:%[\w.-]+)?", re.I)
V6_RE = re.compile(r"(?<![\w:])(?:[0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{0,4}(?:/\d{1,3})?(?![\w:])")
V4_RE = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}(?:/\d{1,2})?\b")
HEX_RE = re.compile(r"\b0x[0-9a-fA-F]+\b")
NUM_RE = re.compile(r"(?<![A-Za-z])\d+")  # not in names (r1-eth0)
PTR_RE = re.compile(r"\(nil\)")


def normalise(msg):
    """Make one event's text equal across runs: link-local addresses, MACs,
    hex values (pointers, sequence numbers), and every number that is not
    part of a configured IPv4/IPv6 address (ids, ifindexes, pids, ports,
    counters, times) are replaced by placeholders."""
    msg = MAC_RE.sub("<mac>", msg)
    msg = LL_RE.sub("<ll>", msg)
    msg = HEX_RE.sub("<hex>", msg)
    msg = PTR_RE.sub("<hex>", msg)
    keep = []

    def protect(m):
        text = m.group(0)
        if m.re is V6_RE and "::" not in text and text.count(":") < 4:
            return text  # a time (hh:mm:ss) or such, not an address
        keep.append(text)
        # a placeholder without digits, so that NUM_RE leaves it alone
        return "\0" + "".join(chr(97 + int(d)) for d in str(len(keep) - 1)) + "\0"

    msg = V4_RE.sub(protect, msg)
    msg = V6_RE.sub(protect, msg)
    msg = NUM_RE.sub("<n>", msg)
    msg = re.sub("\0([a-j]+)\0",
                 lambda m: keep[int("".join(str(ord(c) - 97) for c in m.group(1)))],
                 msg)
    return msg.strip()


TS_RE = re.compile(r"^(\d{4})/(\d\d)/(\d\d) (\d\d):(\d\d):(\d\d)(\.\d+)?")
LEVELS = {0: "emerg", 1: "alert", 2: "crit", 3: "error", 4: "warning"}


def router_phases(router_dir):
    """[(start, stop)] intervals in which the router's daemons ran, from
    tt-phases.log; lines logged from a stop until the next start belong to
    the shutdown phase."""
    marks = []
    try:
        with open(os.path.join(router_dir, "tt-phases.log")) as f:
            for line in f:
                what, _, t = line.partition(" ")
                marks.append((what, float(t)))
    except (OSError, ValueError):
        pass
    return marks


def in_shutdown(ts, marks):
    state = "run"
    for what, t in marks:
        if t > ts:
            break
        state = "shutdown" if what == "stop" else "run"
    return state == "shutdown"


def log_events(path, sites, marks, stderr=False):
    """The warning/error events of one daemon log file:
    {event: {"run": n, "shutdown": n, "module": bool}}. An event is a log
    call site (xref uid) with its normalised text; the priority comes from
    the call site."""
    events = {}
    try:
        f = open(path, errors="replace")
    except OSError:
        return events
    with f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                continue
            m = LINE_RE.match(line)
            uid = m.group("uid")
            site = sites.get(uid) if uid else None
            if stderr:
                if HOST_CRASHLOG_RE.search(line):
                    continue
                event = "stderr: " + normalise(line[m.start("msg"):] if uid else line)
            else:
                if site:
                    if site[0] > LOG_WARNING:
                        continue
                    level = LEVELS[site[0]]
                elif uid or not FALLBACK_RE.search(line):
                    continue  # unknown call site, or debug output with no marker
                else:
                    level = "unmarked"
                event = "{} [{}]{} {}".format(level, uid or "-", m.group("ec") or "",
                                              normalise(m.group("msg")))
            phase = "run"
            t = TS_RE.match(line)
            if t and marks:
                ts = time.mktime(tuple(int(x) for x in t.groups()[:6]) + (0, 0, -1))
                ts += float(t.group(7) or 0)
                if in_shutdown(ts, marks):
                    phase = "shutdown"
            e = events.setdefault(event, {"run": 0, "shutdown": 0, "module": False})
            e[phase] += 1
            e["module"] = e["module"] or bool(site and site[1]) or (
                site is not None and site[0] <= 2)
    return events


DAEMON_LOG_RE = re.compile(r"^(zebra|staticd|bgpd|ospfd|ospf6d|isisd|fabricd|"
                           r"ripd|ripngd|bfdd|pimd|pim6d|ldpd|pbrd|sharpd|"
                           r"eigrpd|babeld|vrrpd|nhrpd|pathd|snmpd)"
                           r"(?:-\d+)?\.(log|err)$")


def daemon_logs(base):
    """{(router dir relative to base, file name): path} of daemon logs."""
    res = {}
    for root, _, files in os.walk(base):
        for name in files:
            if DAEMON_LOG_RE.match(name):
                rel = os.path.relpath(root, base)
                res[(rel, name)] = os.path.join(root, name)
    return res


EXEC_RE = re.compile(r"^\S+ \S+ (WARNING|ERROR|CRITICAL): (\S+): (.*)$")


def harness_events(path):
    """Warnings/errors the topotest library logged in exec.log (a daemon that
    would not stop, a failed launch, our datapath hook failing ...)."""
    events = collections.Counter()
    try:
        f = open(path, errors="replace")
    except OSError:
        return events
    with f:
        for line in f:
            m = EXEC_RE.match(line.rstrip("\n"))
            if m:
                events["{} {}: {}".format(m.group(1).lower(), m.group(2),
                                          normalise(m.group(3))[:300])] += 1
    return events


def module_evidence(base):
    """Routers whose zebra answered `show ebpf ...` in the module run."""
    answered, attach_failed = set(), []
    for path in glob.glob(os.path.join(base, "**", "ebpf-*.log"), recursive=True):
        router = os.path.relpath(os.path.dirname(path), base)
        with open(path, errors="replace") as f:
            text = f.read()
        if os.path.basename(path) == "ebpf-dataplane.log" and '{' in text:
            answered.add(router)
        if os.path.basename(path) == "ebpf-attach.log":
            for block in text.split("### ")[1:]:
                head = block.split("\n", 1)[0]
                if re.search(r"rc=\d+", head) and not re.search(r"rc=0\b", head):
                    attach_failed.append("{}: {}".format(router, head))
                elif head[:1].isdigit() and "\n%" in "\n" + block.split("### show", 1)[0]:
                    attach_failed.append("{}: {}".format(router, head))
            if '"' in text:
                answered.add(router)
    return answered, attach_failed


def compare(rundir, src=None):
    meta_path = os.path.join(rundir, "runs.json")
    with open(meta_path) as f:
        meta = json.load(f)
    src = src or meta.get("frr_source") or frrlib.frr_source()
    sites = xref_sites(src, frr_binaries(meta), meta.get("module"))
    entries = []
    for r in meta["runs"]:
        if r["entry"] not in entries:
            entries.append(r["entry"])
    secs = collections.defaultdict(dict)
    rcs = collections.defaultdict(dict)
    for r in meta["runs"]:
        secs[r["entry"]][r["mode"]] = r["seconds"]
        rcs[r["entry"]][r["mode"]] = r["rc"]

    report = {"entries": {}, "module": meta.get("module"),
              "datapath": meta.get("datapath")}
    bad = 0
    print()
    print("=== transparency: baseline (plain FRR) vs module ({}, datapath {})".format(
        meta.get("module"), meta.get("datapath")))
    for entry in entries:
        slug = entry_slug(entry)
        base = {m: os.path.join(rundir, m, slug) for m in MODES}
        outs = {m: junit_outcomes(os.path.join(base[m], "junit.xml")) for m in MODES}
        problems = []
        counts = {}
        for m in MODES:
            if outs[m] is None:
                problems.append("{} run left no junit report (rc={})".format(
                    m, rcs[entry].get(m)))
                outs[m] = {}
            counts[m] = collections.Counter(outs[m].values())
        diffs = []
        for tid in sorted(set(outs["baseline"]) | set(outs["module"])):
            a = outs["baseline"].get(tid, "absent")
            b = outs["module"].get(tid, "absent")
            if a != b:
                diffs.append("{}: baseline {}, module {}".format(tid, a, b))
        # daemon logs
        logs = {m: daemon_logs(base[m]) for m in MODES}
        only, shutdown_only = [], []
        for key in sorted(set(logs["baseline"]) | set(logs["module"])):
            router, fname = key
            stderr = fname.endswith(".err")
            ev = {}
            for m in MODES:
                marks = router_phases(os.path.join(base[m], router))
                ev[m] = (log_events(logs[m][key], sites, marks, stderr)
                         if key in logs[m] else {})
            for event in sorted(set(ev["module"]) - set(ev["baseline"])):
                e = ev["module"][event]
                line = "{}/{}: {}x {}".format(router, fname, e["run"] + e["shutdown"],
                                              event)
                # Shutdown-phase lines (the router's daemons were told to
                # stop) depend on the order the daemons exit in, in both
                # runs: they count only when the module logged them, or at
                # critical level.
                if e["run"] or e["module"]:
                    only.append(line + ("" if e["run"] else "  (shutdown)"))
                else:
                    shutdown_only.append(line)
        hev = {m: harness_events(os.path.join(base[m], "exec.log")) for m in MODES}
        harness_only = ["exec.log: {}x {}".format(hev["module"][e], e)
                        for e in sorted(set(hev["module"]) - set(hev["baseline"]))]
        answered, attach_failed = module_evidence(base["module"])
        zebras = {r for (r, fname) in logs["module"] if fname == "zebra.log"}
        evidence = "module answered in {}/{} routers".format(
            len(answered & zebras), len(zebras))
        if zebras and not answered:
            problems.append("no zebra of the module run answered `show ebpf` "
                            "(module not loaded?)")
        problems += ["datapath attach failed: " + a for a in attach_failed]
        status = "SAME" if not (diffs or only or problems) else "DIFFERENT"
        if status != "SAME":
            bad += 1
        fmt = lambda c: " ".join("{} {}".format(c[k], k) for k in
                                 ("passed", "failed", "error", "skipped") if c[k]) or "none"
        print("--- {}: {}  (baseline: {}, {:.0f} s; module: {}, {:.0f} s; {})".format(
            " ".join([entry_test(entry)] + entry_args(entry)), status,
            fmt(counts["baseline"]), secs[entry].get("baseline", 0),
            fmt(counts["module"]), secs[entry].get("module", 0), evidence))
        for p in problems:
            print("    PROBLEM  " + p)
        for d in diffs:
            print("    OUTCOME  " + d)
        for o in only:
            print("    LOG      " + o)
        for o in shutdown_only:
            print("    shutdown " + o)
        for h in harness_only:
            print("    harness  " + h)
        report["entries"][entry] = {
            "status": status, "outcome_differences": diffs,
            "module_only_log_lines": only, "module_only_harness_lines": harness_only,
            "module_only_shutdown_lines": shutdown_only,
            "problems": problems, "outcomes": outs, "seconds": secs[entry],
            "module_answered": sorted(answered), "routers": sorted(zebras),
        }
    with open(os.path.join(rundir, "comparison.json"), "w") as f:
        json.dump(report, f, indent=1, sort_keys=True)
    print("=== {} of {} test(s) differ; details: {}/comparison.json, logs under "
          "{}/{{baseline,module}}/".format(bad, len(entries), rundir, rundir))
    # Lines the harness alone logs (exec.log) are shown but do not fail the
    # comparison: the requirement is about the daemons' logs and outcomes.
    return 1 if any(e["outcome_differences"] or e["module_only_log_lines"] or
                    e["problems"] for e in report["entries"].values()) else 0


# ---------------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    sel = r.add_mutually_exclusive_group()
    sel.add_argument("--short", action="store_true", help="short.list (default)")
    sel.add_argument("--long", action="store_true", help="long.list")
    sel.add_argument("--list", help="a selection file")
    r.add_argument("--only", choices=MODES,
                   help="run only baseline or only module (no comparison)")
    r.add_argument("--module", default=os.environ.get(
        "EBPF_MODULE", os.path.join(REPO, "frr-plugin", "dplane_ebpf.so")))
    r.add_argument("--vtysh", default=os.environ.get(
        "EBPF_VTYSH", os.path.join(REPO, "vtysh", "vtysh")))
    r.add_argument("--datapath", choices=("tc", "xdp", "none"), default="tc")
    r.add_argument("--baseline-vtysh", choices=("plugin", "system"), default="plugin")
    r.add_argument("--rundir", default=os.environ.get(
        "TRANSPARENCY_RUNDIR", "/tmp/frr-ebpf-transparency"))
    r.add_argument("--timeout", type=int, default=1800)
    r.add_argument("--keep", action="store_true", help="do not clear RUNDIR first")
    r.add_argument("tests", nargs="*")
    c = sub.add_parser("compare")
    c.add_argument("rundir")
    li = sub.add_parser("list")
    li.add_argument("--long", action="store_true")
    li.add_argument("--short", action="store_true")
    args = ap.parse_args()
    if args.cmd == "run":
        return cmd_run(args)
    if args.cmd == "compare":
        return compare(os.path.abspath(args.rundir))
    print("\n".join(read_selection("long" if args.long else "short")))
    return 0


if __name__ == "__main__":
    sys.exit(main())

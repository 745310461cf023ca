#!/bin/bash
# bench/zebra_health: do the load balancer's health checks hold up zebra?
# Issue 7: "Health checks never block zebra's threads: measure zebra's
# responsiveness with 1,000 backends checked every second". bench/health
# measures a stand-in main pthread in a test program; this one measures
# Debian's zebra with the plugin loaded, configured through its vty.
#
#   bzh_z: zebra + dplane_ebpf.so                 bzh_s: the backends
#          bzh_z0 10.251.0.1/24 ================= bzh_s0 10.251.0.2
#          198.19.0.0/16 via 10.251.0.2           198.19.0.0/17: answering
#                                                 (addresses on bzh_s0, one
#                                                 TCP listener on port 80)
#                                                 198.19.128.0/17: blackhole
#
# N backends in 4 VIPs or more (at most 250 backends each), half answering,
# half silent (each check of one waits for its whole timeout, 1 s, holding a
# socket). zebra runs with RLIMIT_NOFILE 1024, as Debian's frr.service
# starts it. The same zebra, with the same VIPs and backends, alternates
# between two phases, R rounds:
#   baseline   no health-check line (every backend up, nothing checked)
#   checking   `health-check tcp interval 1000 rise 2 fall 2` in every VIP
# Each phase is measured once its state has settled (every backend up; or
# every answering backend up and every silent one down), with:
#   switch     the vty round trip below from 0.5 s before the change (one
#              vtysh, every VIP's health-check line) for 4 s in all:
#              checks start (the answering backends come up, the owner
#              pthread, zebra's dplane one, rebuilds the rings) or stop
#              (every backend up at once)
#   vty        round trip of `show version` on zebra's vty socket (one
#              connection, a command every 10 ms; vtysh's own start-up
#              would dominate a vtysh per sample), S seconds
#   kernel     stall_probe.py: an address added or deleted in zebra's
#              namespace, time until `show interface` shows it, C pairs
#   CPU        each of zebra's pthreads over the vty part (comm names:
#              zebra is the main pthread, ebpf_health the checker's), and
#              the time each waited for a core (schedstat): on 2 cores the
#              checker, the listener and the kernel's work for 1,000
#              connections a second compete with zebra; the listener's
#              CPU is shown too
# and, in the checking phases, the checks done against those due, and
# every answering backend up and every silent one down at the end of the
# phase (`show ebpf load-balancer json`): exits 1 if fewer than 90 % of
# the checks due ran or a backend is in the wrong state.
#
# usage: bench/zebra_health.sh [--backends N] [--rounds R] [--seconds S]
#                              [--changes C] [--quick]
#   --backends N  backends in all (default 1000)
#   --rounds R    baseline/checking pairs (default 3)
#   --seconds S   vty samples per phase, in seconds (default 20)
#   --changes C   address add/delete pairs per phase (default 20)
#   --quick       200 backends, 2 rounds of 4 s and 5 pairs
# Environment: EBPF_MODULE, EBPF_VTYSH. Needs root.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
module=${EBPF_MODULE:-$repo/frr-plugin/dplane_ebpf.so}
vtysh_bin=${EBPF_VTYSH:-$repo/vtysh/vtysh}
frrdir=/usr/lib/frr
backends=1000
rounds=3
seconds=20
changes=20
interval=1000
nofile=1024
switch_s=4

while [ $# -gt 0 ]; do
	case $1 in
	--backends) backends=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--seconds) seconds=$2; shift 2 ;;
	--changes) changes=$2; shift 2 ;;
	--quick) backends=200; rounds=2; seconds=4; changes=5; shift ;;
	*) echo "usage: $0 [--backends N] [--rounds R] [--seconds S] [--changes C] [--quick]" >&2; exit 2 ;;
	esac
done
if [ "$backends" -lt 8 ] || [ "$backends" -gt 50000 ]; then
	echo "bench/zebra_health: --backends 8..50000" >&2
	exit 2
fi

die() { echo "bench/zebra_health: $*" >&2; exit 1; }
. "$here/lib/frrns.sh"
# frr_bench_require without sharpd: only zebra runs here
[ "$(id -u)" -eq 0 ] || die "needs root"
[ -f "$module" ] || die "plugin not built: $module"
[ -x "$vtysh_bin" ] || die "plugin-aware vtysh not built: $vtysh_bin"

frr_ns=bzh_z
srv_ns=bzh_s
pin=/sys/fs/bpf/bzh-$$
tmp=$(mktemp -d /tmp/bzh_health.XXXXXX)
chmod 755 "$tmp"
srv_pid=""
probe_pid=""
kprobe_pid=""
ok=0

cleanup() {
	set +e
	[ -z "$probe_pid" ] || kill "$probe_pid" 2>/dev/null
	[ -z "$kprobe_pid" ] || kill "$kprobe_pid" 2>/dev/null
	frr_stop zebra
	if [ -n "$srv_pid" ]; then
		kill "$srv_pid" 2>/dev/null
		wait "$srv_pid" 2>/dev/null
	fi
	ns_drop $frr_ns $srv_ns
	rm -rf "$pin"
	if [ "$ok" = 1 ]; then rm -rf "$tmp"; else echo "bench/zebra_health: logs kept in $tmp" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
probe() { "$here/zebra_health_probe.py" "$1" --vty-dir "$tmp" "${@:2}"; }

# VIPs: 4 or more, at most 250 backends each; backend i of a VIP answers
# if i is even. Answering k: 198.19.(1 + k / 200).(1 + k % 200), silent
# k: the same in 198.19.128.0/17.
vips=$(((backends + 249) / 250))
[ $vips -ge 4 ] || vips=4
per_vip=$((backends / vips))
backends=$((vips * per_vip))
answering=$((vips * ((per_vip + 1) / 2)))
silent=$((backends - answering))
be_addr() { # k answering(0|1)
	echo "198.19.$(($2 ? 1 + $1 / 200 : 129 + $1 / 200)).$((1 + $1 % 200))"
}

ns_claim $frr_ns $srv_ns
ip netns add $frr_ns
ip netns add $srv_ns
ip -n $frr_ns link set lo up
ip -n $srv_ns link set lo up
ip link add bzh_z0 netns $frr_ns type veth peer name bzh_s0 netns $srv_ns
ip -n $frr_ns addr add 10.251.0.1/24 dev bzh_z0
ip -n $srv_ns addr add 10.251.0.2/24 dev bzh_s0
ip -n $frr_ns link set bzh_z0 up
ip -n $srv_ns link set bzh_s0 up
ip -n $frr_ns route add 198.19.0.0/16 via 10.251.0.2
ip -n $srv_ns route add blackhole 198.19.128.0/17
for k in $(seq 0 $((answering - 1))); do
	echo "addr add $(be_addr "$k" 1)/32 dev bzh_s0"
done | ip -n $srv_ns -batch -

# The answering backends: accept and close (a check closes with a reset).
nsenter --net=/run/netns/$srv_ns python3 -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 80))
s.listen(4096)
while True:
    c, _ = s.accept()
    c.close()
' &
srv_pid=$!

{
	echo "hostname bzh_z"
	echo "interface bzh_z0"
	echo " ip address 10.251.0.1/24"
	echo "exit"
	echo "ebpf"
	echo " load-balancer"
	ia=0
	is=0
	for v in $(seq 0 $((vips - 1))); do
		echo "  vip bzh$v"
		echo "   address 198.18.0.$((10 + v)) port 80 protocol tcp"
		for i in $(seq 0 $((per_vip - 1))); do
			if [ $((i % 2)) = 0 ]; then
				echo "   backend $(be_addr $ia 1) port 80"
				ia=$((ia + 1))
			else
				echo "   backend $(be_addr $is 0) port 80"
				is=$((is + 1))
			fi
		done
		echo "  exit"
	done
	echo " exit"
	echo "exit"
} >"$tmp/zebra.conf"
chown -R frr:frr "$tmp"

# Checks on or off in every VIP, in one vtysh: prints the seconds it took.
health_checks() { # on|off
	local args=(-c "configure terminal" -c "ebpf" -c "load-balancer") v t0
	for v in $(seq 0 $((vips - 1))); do
		args+=(-c "vip bzh$v")
		if [ "$1" = on ]; then
			args+=(-c "health-check tcp interval $interval rise 2 fall 2")
		else
			args+=(-c "no health-check")
		fi
		args+=(-c "exit")
	done
	t0=$(now)
	vtysh -d zebra "${args[@]}" >"$tmp/config.out" 2>&1 ||
		die "configuring the checks $1 failed: $(cat "$tmp/config.out")"
	[ ! -s "$tmp/config.out" ] || die "configuring the checks $1: $(cat "$tmp/config.out")"
	awk -v a="$t0" -v b="$(now)" 'BEGIN { print b - a }'
}

json_get() { # file expression-on-j
	python3 -c "import json,sys; j = json.load(open(sys.argv[1])); print($2)" "$1"
}

# A vty probe's and a stall_probe's output as lines "PHASE WHAT values..."
# (WHAT: PREFIXvty, PREFIXkernel, PREFIXwall, PREFIXcpu) in $tmp/samples.
record() { # phase prefix vty.json kernel.json
	python3 - "$@" >>"$tmp/samples" <<'EOF'
import json, sys
m, pre = sys.argv[1], sys.argv[2]
j = json.load(open(sys.argv[3]))
print(m, pre + "vty", " ".join(map(str, j["samples"])))
print(m, pre + "wall", j["wall"])
for name, (sec, wait) in j["cpu"].items():
    name = "backends" if name.startswith("pid") else name.replace(" ", "_")
    print(m, pre + "cpu", name, sec, wait)
k = json.load(open(sys.argv[4]))
print(m, pre + "kernel", " ".join(map(str, k["samples"])))
EOF
}

# One phase ("a" baseline, "b" checking): lines in $tmp/samples.
phase() {
	local mode=$1 want t0 t1 c0 c1
	want=off
	[ "$mode" = b ] && want=on
	# the switch itself: vty samples and address changes from before the
	# change until after the backends settled (rise 2 x 1 s)
	rm -f "$tmp/done"
	"$here/stall_probe.py" --ns $frr_ns --ifname bzh_z0 --vty-dir "$tmp" \
		--until-file "$tmp/done" --gap 0.2 >"$tmp/sw-kernel.json" &
	kprobe_pid=$!
	probe vty --pid "$zpid" --also "$srv_pid" --seconds "$switch_s" >"$tmp/sw-vty.json" &
	probe_pid=$!
	sleep 0.5
	echo "$mode config $(health_checks $want)" >>"$tmp/samples"
	wait $probe_pid || die "phase $mode: the vty probe failed"
	probe_pid=""
	touch "$tmp/done"
	wait $kprobe_pid || die "phase $mode: stall_probe failed"
	kprobe_pid=""
	record "$mode" sw- "$tmp/sw-vty.json" "$tmp/sw-kernel.json"
	probe lb --expect $want >"$tmp/lb0.json" ||
		die "phase $mode: backends not as expected within 30 s: $(cat "$tmp/lb0.json")"
	t0=$(now)
	probe vty --pid "$zpid" --also "$srv_pid" --seconds "$seconds" >"$tmp/vty.json"
	"$here/stall_probe.py" --ns $frr_ns --ifname bzh_z0 --vty-dir "$tmp" \
		--count "$changes" >"$tmp/kernel.json"
	record "$mode" "" "$tmp/vty.json" "$tmp/kernel.json"
	probe lb --expect $want --timeout 0 >"$tmp/lb1.json" ||
		die "phase $mode: at its end, backends not as expected: $(cat "$tmp/lb1.json")"
	t1=$(now)
	if [ "$mode" = b ]; then
		c0=$(json_get "$tmp/lb0.json" "j['checks']")
		c1=$(json_get "$tmp/lb1.json" "j['checks']")
		echo "b checks $((c1 - c0)) $(awk -v a="$t0" -v b="$t1" -v n="$backends" \
			-v i="$interval" 'BEGIN { print n * (b - a) * 1000 / i }')" >>"$tmp/samples"
		echo "b errors $(json_get "$tmp/lb1.json" "j['errors']")" >>"$tmp/samples"
	fi
}

(ulimit -n $nofile && frr_start zebra "$frrdir/zebra" -M "$module:pin-dir=$pin")
frr_wait_vty zebra
zpid=$(cat "$tmp/zebra.pid")
[ "$(dp_json "j['loaded']")" = True ] || die "the plugin did not load (see $tmp/zebra.log)"
[ "$(sed -n 's/^Max open files *\([0-9]*\).*/\1/p' "/proc/$zpid/limits")" = $nofile ] ||
	die "zebra's RLIMIT_NOFILE is not $nofile"
in_ns ping -c 1 -W 2 10.251.0.2 >/dev/null || die "10.251.0.2 does not answer"

load0=$(cut -d' ' -f1-3 /proc/loadavg)
for _ in $(seq 1 "$rounds"); do
	phase a
	phase b
done
vtysh -d zebra -c "show ebpf dataplane json" >"$tmp/dataplane.json"

echo "bench/zebra_health: Debian's zebra with dplane_ebpf.so, $backends backends in $vips VIPs: $answering"
echo "answer (a TCP listener), $silent are silent (blackholed: each check waits for its timeout holding a"
echo "socket); zebra under RLIMIT_NOFILE $nofile as Debian's frr.service. Same zebra, $rounds round(s) of"
echo "(a) baseline: no health-check line, every backend up, then (b) checking: \`health-check tcp"
echo "interval $interval rise 2 fall 2\` in every VIP; each phase measured once settled:"
echo "  vty      \`show version\` round trip on zebra's vty socket, one every 10 ms, $seconds s a phase (ms)"
echo "  kernel   an address added or deleted in zebra's namespace until \`show interface\` shows it,"
echo "           $((2 * changes)) samples a phase (ms)"
echo "  sw-vty,  the same two at once (kernel: one pair every 0.2 s) across the switch: from 0.5 s"
echo "  sw-kern  before the checks are turned on/off (one vtysh for every VIP), $switch_s s in all"
echo "  CPU      zebra's pthreads (main = \`zebra\`) and the backends' listener, during vty / the switch"
echo "Machine: $(nproc) CPUs, load average $load0 before, $(cut -d' ' -f1-3 /proc/loadavg) after."
echo
python3 - "$tmp/samples" "$backends" "$answering" <<'EOF'
import statistics
import sys

data = {}
cpu = {}
wall = {}
checks = [0, 0.0]
errors = []
for line in open(sys.argv[1]):
    mode, what, *vals = line.split()
    if what.endswith("cpu"):
        c = cpu.setdefault((what, mode), {}).setdefault(vals[0], [0.0, 0.0])
        c[0] += float(vals[1])
        c[1] += float(vals[2])
    elif what.endswith("wall"):
        wall[(what, mode)] = wall.get((what, mode), 0.0) + float(vals[0])
    elif what == "checks":
        checks[0] += int(vals[0])
        checks[1] += float(vals[1])
    elif what == "errors":
        errors.append(" ".join(vals))
    else:
        data.setdefault((what, mode), []).extend(float(v) for v in vals)

def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p * len(v)))]

names = {"a": "baseline", "b": "checking"}
print("{:7s} {:9s} {:>6s} {:>8s} {:>8s} {:>8s} {:>8s}".format(
    "case", "phase", "n", "median", "p95", "p99", "max"))
cases = {"vty": "vty", "kernel": "kernel", "sw-vty": "sw-vty", "sw-kernel": "sw-kern"}
for case in cases:
    for mode in ("a", "b"):
        v = data.get((case, mode), [])
        if v:
            print("{:7s} {:9s} {:>6d} {:>8.3f} {:>8.3f} {:>8.3f} {:>8.1f}".format(
                cases[case], names[mode], len(v), statistics.median(v) * 1e3,
                pct(v, 0.95) * 1e3, pct(v, 0.99) * 1e3, max(v) * 1e3))
    a, b = data.get((case, "a")), data.get((case, "b"))
    if a and b:
        print("{:7s} checking/baseline: median {:.2f}x, p99 {:.2f}x, max {:.2f}x".format(
            cases[case], statistics.median(b) / statistics.median(a),
            pct(b, 0.99) / pct(a, 0.99), max(b) / max(a)))

print()
print("CPU, % of one core (and % of the time runnable but waiting for a core):")
cols = ("zebra", "zebra_dplane", "ebpf_health", "others", "backends")
print("{:7s} {:9s}".format("part", "phase") + "".join("{:>15s}".format(n) for n in cols))
for part in ("", "sw-"):
    for mode in ("a", "b"):
        c = cpu.get((part + "cpu", mode), {})
        w = wall.get((part + "wall", mode)) or 1
        def p(names):
            have = [c[n] for n in names if n in c]
            if not have:
                return "{:>15s}".format("-")
            return "{:>8.1f} ({:>4.1f})".format(100 * sum(x[0] for x in have) / w,
                                               100 * sum(x[1] for x in have) / w)
        others = [n for n in c if n not in cols]
        print("{:7s} {:9s}".format(part + "vty" if part else "vty", names[mode]) + "".join(
            p(others if n == "others" else [n]) for n in cols))
print("(others: {}; backends: the listener of the answering ones, not zebra)".format(
    ", ".join(sorted({n for m in cpu.values() for n in m if n not in cols})) or "none"))

print()
a, b = data.get(("config", "a"), []), data.get(("config", "b"), [])
print("the vtysh that turns the checks off/on in every VIP (s): off {}, on {}".format(
      " ".join("{:.2f}".format(x) for x in a), " ".join("{:.2f}".format(x) for x in b)))
due = checks[1]
print("checks (checking phases, after settling): {} done, {:.0f} due ({:.0f}%); at each phase's end"
      " all {} answering backends up, the others down: yes; last errors {}".format(
          checks[0], due, 100 * checks[0] / max(due, 1), sys.argv[3], errors[-1] if errors else "-"))
if checks[0] < 0.9 * due:
    print("INVALID: fewer than 90% of the checks due ran")
    sys.exit(1)
EOF
echo
echo "The plugin's longest hold of zebra's pthreads per kind of work over the whole run (ms; lb: the"
echo "rings and maps rewritten when backends flip or the checks go off), the most CPU time one hold"
echo "used, the mean hold and their count:"
printf "%-28s %10s %10s %10s %10s\n" work longest most-cpu mean count
python3 -c 'import json,sys
for k, v in json.load(open(sys.argv[1]))["pthreadTime"].items():
	if v["count"]:
		print("{:28s} {:>10.2f} {:>10.2f} {:>10.3f} {:>10d}".format(k, v["maxUsec"] / 1000, v["maxCpuUsec"] / 1000, v["meanUsec"] / 1000, v["count"]))' \
	"$tmp/dataplane.json"
ok=1

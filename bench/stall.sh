#!/bin/bash
# bench/stall: does the plugin hold up zebra? zebra 8.4 reads the kernel's
# interface-address events on its dplane pthread, where the plugin does its
# work; a plugin that holds that pthread delays zebra's own view of the
# kernel (the earlier start-up, which created the maps there, delayed it by
# 37-44 ms and reset BGP sessions in FRR's own topotests).
#
#   bs_z: zebra (+/- dplane_ebpf.so) + sharpd     bs_p: the gateway
#         bs_z0 10.252.0.1/24 ================== bs_p0 10.252.0.2
#
# Same run, (a) Debian's zebra alone and (b) with the plugin, interleaved:
#   start      seconds from exec to zebra's vty answering (the plugin
#              creates its maps and loads its programs at module load);
#   idle       stall_probe.py: an address added or deleted in zebra's
#              namespace, time until `show interface` shows it, 40 samples;
#   sync       the same while sharpd installs N routes through zebra (and
#              the plugin mirrors them): samples until the install is done;
# and, for (b), the plugin's own account of its longest hold of zebra's
# pthreads per kind of work (`show ebpf dataplane json` pthreadTime).
# Reported: median, 95th percentile and maximum per case and the ratio
# (b)/(a) of the medians and maxima.
#
# usage: bench/stall.sh [--routes N] [--rounds R] [--quick]
#   --routes N  routes sharpd installs during `sync` (default 1000000)
#   --rounds R  (a)/(b) pairs (default 2)
#   --quick     100000 routes, one round
# Environment: EBPF_MODULE, EBPF_VTYSH. Needs root.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
module=${EBPF_MODULE:-$repo/frr-plugin/dplane_ebpf.so}
vtysh_bin=${EBPF_VTYSH:-$repo/vtysh/vtysh}
frrdir=/usr/lib/frr
routes=1000000
rounds=2

while [ $# -gt 0 ]; do
	case $1 in
	--routes) routes=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--quick) routes=100000; rounds=1; shift ;;
	*) echo "usage: $0 [--routes N] [--rounds R] [--quick]" >&2; exit 2 ;;
	esac
done

die() { echo "bench/stall: $*" >&2; exit 1; }
. "$here/lib/frrns.sh"
frr_bench_require

frr_ns=bs_z
peer=bs_p
pin=/sys/fs/bpf/bs-$$
tmp=$(mktemp -d /tmp/bs_stall.XXXXXX)
chmod 755 "$tmp"
ok=0

cleanup() {
	set +e
	kill_signal=KILL frr_stop zebra sharpd
	ns_drop $frr_ns $peer
	rm -rf "$pin"
	if [ "$ok" = 1 ]; then rm -rf "$tmp"; else echo "bench/stall: logs kept in $tmp" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ns_claim $frr_ns $peer

cat >"$tmp/zebra.conf" <<EOF
hostname bs_z
interface bs_z0
 ip address 10.252.0.1/24
exit
EOF
: >"$tmp/sharpd.conf"
chown -R frr:frr "$tmp"

now() { date +%s.%N; }
probe() { # extra args: one JSON line of samples
	"$here/stall_probe.py" --ns $frr_ns --ifname bs_z0 --vty-dir "$tmp" "$@"
}

# One round of one mode ("a" without, "b" with the plugin): lines
# "MODE CASE seconds..." appended to $tmp/samples.
run() {
	mode=$1
	ip netns add $frr_ns
	ip netns add $peer
	ip -n $frr_ns link set lo up
	ip link add bs_z0 netns $frr_ns type veth peer name bs_p0 netns $peer
	ip -n $peer addr add 10.252.0.2/24 dev bs_p0
	ip -n $frr_ns link set bs_z0 up
	ip -n $peer link set bs_p0 up
	rm -f "$tmp"/*.log
	modarg=()
	[ "$mode" = b ] && modarg=(-M "$module:pin-dir=$pin")

	t0=$(now)
	frr_start zebra "$frrdir/zebra" -s 90000000 "${modarg[@]}"
	frr_wait_vty zebra
	echo "$mode start $(awk -v a="$t0" -v b="$(now)" 'BEGIN { print b - a }')" >>"$tmp/samples"
	frr_start sharpd "$sharpd"
	frr_wait_vty sharpd
	if [ "$mode" = b ]; then
		[ "$(dp_json "j['loaded']")" = True ] || die "the plugin did not load (see $tmp/zebra.log)"
	fi
	in_ns ping -c 1 -W 2 10.252.0.2 >/dev/null || die "10.252.0.2 does not answer"

	echo "$mode idle $(probe --count 20 | python3 -c \
		'import json,sys; print(" ".join(map(str, json.load(sys.stdin)["samples"])))')" \
		>>"$tmp/samples"

	rm -f "$tmp/done"
	probe --until-file "$tmp/done" --gap 0.2 >"$tmp/sync.json" &
	probe_pid=$!
	vtysh -c "sharp install routes 10.0.0.0 nexthop 10.252.0.2 $routes" >/dev/null
	for _ in $(seq 1 3000); do
		n=$(sharp_installed)
		[ "${n:-0}" -ge "$routes" ] && break
		sleep 0.2
	done
	touch "$tmp/done"
	wait $probe_pid || die "stall_probe failed during the install"
	[ "${n:-0}" -ge "$routes" ] || die "run $mode: only ${n:-0} of $routes routes installed"
	echo "$mode sync $(python3 -c 'import json,sys; print(" ".join(map(str, json.load(open(sys.argv[1]))["samples"])))' "$tmp/sync.json")" \
		>>"$tmp/samples"
	if [ "$mode" = b ]; then
		vtysh -d zebra -c "show ebpf dataplane json" |
			python3 -c 'import json,sys
for k, v in json.load(sys.stdin)["pthreadTime"].items():
	print("{:28s} {:>10.2f} {:>10.2f} {:>10.3f} {:>10d}".format(k, v["maxUsec"] / 1000, v["maxCpuUsec"] / 1000, v["meanUsec"] / 1000, v["count"]))' \
			>>"$tmp/holds"
		echo "--" >>"$tmp/holds"
	fi
	kill_signal=KILL frr_stop zebra sharpd
	ns_drop $frr_ns $peer
	rm -rf "$pin"
}

for _ in $(seq 1 "$rounds"); do
	run a
	run b
done

echo "bench/stall: how long zebra takes to see an address change (ms), (a) without and (b) with"
echo "dplane_ebpf.so, $rounds round(s): idle, and while sharpd installs $routes routes; and the"
echo "time from exec to zebra's vty (start). Each address sample is an add or a delete."
echo
python3 - "$tmp/samples" <<'EOF'
import statistics
import sys

data = {}
for line in open(sys.argv[1]):
    mode, case, *vals = line.split()
    data.setdefault((case, mode), []).extend(float(v) for v in vals)

def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p * len(v)))]

print("{:6s} {:4s} {:>6s} {:>9s} {:>9s} {:>9s}".format("case", "run", "n", "median", "p95", "max"))
for case in ("start", "idle", "sync"):
    for mode in ("a", "b"):
        v = data.get((case, mode), [])
        if v:
            print("{:6s} {:4s} {:>6d} {:>9.1f} {:>9.1f} {:>9.1f}".format(
                case, mode, len(v), statistics.median(v) * 1e3, pct(v, 0.95) * 1e3, max(v) * 1e3))
    a, b = data.get((case, "a")), data.get((case, "b"))
    if a and b:
        print("{:6s} b/a: median {:.2f}, max {:.2f}".format(
            case, statistics.median(b) / statistics.median(a), max(b) / max(a)))
EOF
echo
echo "(b) the plugin's longest hold of zebra's pthreads per kind of work (ms), the most CPU time one"
echo "hold used (longest minus that: preempted), the mean hold and their count, per round:"
printf "%-28s %10s %10s %10s %10s\n" work longest most-cpu mean count
cat "$tmp/holds"
ok=1

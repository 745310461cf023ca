#!/bin/bash
# bench/failover: a full table over a 2-path nexthop group, one path's link
# fails; how long until the datapath uses only the surviving path, and how
# many map writes that took.
#
#   bn_fo: zebra (with dplane_ebpf.so) + sharpd     bn_fop: the two next hops
#          bn_fo1 10.11.0.1/24 ======= bn_fp1 10.11.0.2
#          bn_fo2 10.12.0.1/24 ======= bn_fp2 10.12.0.2
#
# sharpd installs the routes through zebra with a nexthop group of both next
# hops (as a BGP full table over two uplinks reaches zebra); the plugin
# mirrors them into the maps. Then failover_probe takes bn_fp1 down (bn_fo1
# loses carrier, as with a pulled cable) and polls the pinned nh_map until
# the group no longer uses bn_fo1. Map writes are counted two ways: rewrites
# of the group seen by the probe (its seq), and the plugin's own counters
# (`show ebpf dataplane json`) before the event and after zebra has settled.
#
# usage: bench/failover.sh [--routes N] [--watch SECONDS] [--rounds N]
# Environment: EBPF_MODULE, EBPF_VTYSH (as the topotests), BENCH_BIN (where
# failover_probe is built; default: this directory). Needs root.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
module=${EBPF_MODULE:-$repo/frr-plugin/dplane_ebpf.so}
vtysh_bin=${EBPF_VTYSH:-$repo/vtysh/vtysh}
probe=${BENCH_BIN:-$here}/failover_probe
frrdir=/usr/lib/frr
routes=1000000
watch=2
rounds=3

while [ $# -gt 0 ]; do
	case $1 in
	--routes) routes=$2; shift 2 ;;
	--watch) watch=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	*) echo "usage: $0 [--routes N] [--watch SECONDS] [--rounds N]" >&2; exit 2 ;;
	esac
done

die() { echo "bench/failover: $*" >&2; exit 1; }
[ -x "$probe" ] || die "not built: $probe"
. "$here/lib/frrns.sh"
frr_bench_require

pin=/sys/fs/bpf/bn_failover
tmp=$(mktemp -d /tmp/bn_failover.XXXXXX)
chmod 755 "$tmp"
ok=0
frr_ns=bn_fo

cleanup() {
	set +e
	kill_signal=KILL frr_stop zebra sharpd
	ns_drop bn_fo bn_fop
	rm -rf "$pin"
	if [ $ok = 1 ]; then rm -rf "$tmp"; else echo "bench/failover: logs kept in $tmp" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ns_claim bn_fo bn_fop
for ns in bn_fo bn_fop; do
	ip netns add "$ns"
	ip -n "$ns" link set lo up
done
[ ! -e "$pin" ] || rm -rf "$pin"
for l in 1 2; do
	ip link add bn_fo$l netns bn_fo type veth peer name bn_fp$l netns bn_fop
	ip -n bn_fop addr add 10.1$l.0.2/24 dev bn_fp$l
	ip -n bn_fo link set bn_fo$l up
	ip -n bn_fop link set bn_fp$l up
done

cat >"$tmp/zebra.conf" <<EOF
hostname bn_fo
interface bn_fo1
 ip address 10.11.0.1/24
exit
interface bn_fo2
 ip address 10.12.0.1/24
exit
EOF
cat >"$tmp/sharpd.conf" <<EOF
nexthop-group fo
 nexthop 10.11.0.2 bn_fo1
 nexthop 10.12.0.2 bn_fo2
exit
EOF
chown -R frr:frr "$tmp"

# zebra's netlink socket buffer (-s) sized for a full table
frr_start zebra "$frrdir/zebra" -s 90000000 -M "$module:pin-dir=$pin"
frr_start sharpd "$sharpd"
for _ in $(seq 1 50); do
	vtysh -d sharpd -c "show version" >/dev/null 2>&1 && break
	sleep 0.2
done

# Resolve both next hops the ordinary way (ARP), as a router would.
for l in 1 2; do
	in_ns ping -c 1 -W 2 10.1$l.0.2 >/dev/null || die "10.1$l.0.2 does not answer"
done

counter() { # name: from `show ebpf dataplane json`
	vtysh -c "show ebpf dataplane json" |
		python3 -c "import json,sys; print(json.load(sys.stdin)['counters']['$1'])"
}

zebra_pid=$(cat "$tmp/zebra.pid")
zebra_cpu() { # zebra's CPU time so far, in clock ticks
	awk '{print $14 + $15}' "/proc/$zebra_pid/stat"
}
# Wait until zebra has used under 2 ticks of CPU in each of two seconds;
# busy_until: the end of the last second it was busy in.
settle() { # timeout_s
	quiet=0
	last=$(zebra_cpu)
	busy_until=$(now)
	for _ in $(seq 1 "$1"); do
		sleep 1
		cpu=$(zebra_cpu)
		if [ $((cpu - last)) -lt 2 ]; then
			quiet=$((quiet + 1))
			[ $quiet -ge 2 ] && return 0
		else
			quiet=0
			busy_until=$(now)
		fi
		last=$cpu
	done
	return 1
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# sharpd installs its nexthop group when it reads its configuration;
# routes sent before zebra has it are refused.
for _ in $(seq 1 100); do
	vtysh -c "show nexthop-group rib sharp" | grep -q "bn_fo2" && break
	sleep 0.1
done
vtysh -c "show nexthop-group rib sharp" | grep -q "bn_fo2" ||
	die "zebra does not have sharpd's nexthop group"

t0=$(now)
vtysh -c "sharp install routes 20.0.0.0 nexthop-group fo $routes" >/dev/null
# sharpd counts the routes zebra confirms; give up when that count has
# not moved for 60 s.
installed=0 last="" still=0
while [ $still -lt 120 ]; do
	out=$(vtysh -c "sharp data route" | grep -o 'Total: [0-9]* [0-9]* [0-9]*')
	case $out in "Total: $routes $routes "*) installed=1; break ;; esac
	if [ "$out" = "$last" ]; then still=$((still + 1)); else still=0; fi
	last=$out
	sleep 0.5
done
[ $installed = 1 ] || die "sharpd: routes not installed: $out"
settle 600 || die "zebra did not settle after the install"
t1=$busy_until
n=$(counter routeAdd)
[ "$n" -ge "$routes" ] || die "the plugin wrote $n routes of $routes"

dead=$(ip -n bn_fo -o link show bn_fo1 | cut -d: -f1)
tck=$(getconf CLK_TCK)

echo "bench/failover: $routes IPv4 routes over one 2-path nexthop group (sharpd -> zebra -> dplane_ebpf),"
echo "installed and mirrored in $(elapsed "$t0" "$t1") s (until zebra settled). Then, $rounds times: bn_fo1's"
echo "peer goes down (carrier loss), zebra settles, the link comes back and its neighbour is resolved again."
echo "Times in us from the ioctl that takes the link down; \"a..b\": the change happened between the"
echo "probe's poll at a and its poll at b (a late poll means the probe lost its CPU)."
echo "Writes: rewrites of the group the probe saw within $watch s / nh_map and route writes the plugin"
echo "counted until zebra settled (show ebpf dataplane: nhgAdd, routeAdd)."
echo
printf "%-6s %-24s %-16s %-14s %-18s %s\n" round "only surviving path" "first rewrite" "probe writes" \
	"plugin nhg/route" "zebra CPU"
for r in $(seq 1 "$rounds"); do
	route_add0=$(counter routeAdd)
	nhg_add0=$(counter nhgAdd)
	cpu2=$(zebra_cpu)
	"$probe" --nh-map "$pin/nh_map" --dead-ifindex "$dead" --netns bn_fop \
		--dev bn_fp1 --watch "$watch" >"$tmp/probe.$r" || {
		cat "$tmp/probe.$r"
		die "round $r: the datapath did not leave the dead link within $watch s"
	}
	settle 600 || die "zebra did not settle after the link failure"
	cpu3=$(zebra_cpu)
	route_add1=$(counter routeAdd)
	nhg_add1=$(counter nhgAdd)

	summary=$(tail -1 "$tmp/probe.$r")
	val() { echo "$summary" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
	printf "%-6s %-24s %-16s %-14s %-18s %s\n" "$r" \
		"$(val survivor_min_us)..$(val survivor_us)" "$(val first_write_us)" \
		"$(val writes)" "$((nhg_add1 - nhg_add0))/$((route_add1 - route_add0))" \
		"$(elapsed 0 "$(((cpu3 - cpu2) * 100 / tck))e-2") s"
	val survivor_us >>"$tmp/survivor"

	# Back to two paths for the next round.
	ip -n bn_fop link set bn_fp1 up
	for _ in $(seq 1 50); do
		in_ns ping -c 1 -W 1 10.11.0.2 >/dev/null 2>&1 && break
		sleep 0.1
	done
	settle 600 || die "zebra did not settle after the link came back"
done
echo
echo "median time to the surviving path only: $(sort -n "$tmp/survivor" |
	awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }') us"
echo
echo "probe timelines:"
for r in $(seq 1 "$rounds"); do
	sed "s/^/  $r: /" "$tmp/probe.$r"
done
ok=1

#!/bin/bash
# bench/install: how long zebra takes to install a full table from sharpd,
# without the plugin and with it, and what the plugin's own code costs per
# route.
#
#   bi_inst: zebra (+/- dplane_ebpf.so) + sharpd     bi_peer: the gateway
#            bi_i0 10.254.0.1/24 ================== bi_p0 10.254.0.2
#
# Same run, same machine, one after the other: (a) Debian's zebra alone,
# (b) the same zebra with -M dplane_ebpf.so. Each run starts a fresh
# namespace, waits for the gateway's neighbour to resolve, then times
#   `sharp install routes 10.0.0.0 nexthop 10.254.0.2 N`
# from the vtysh command until sharpd has zebra's "installed" notification
# for all N routes (that is, until both the plugin, which zebra's dplane
# runs before the kernel, and the kernel have them). Run (b) also records
# when the plugin's provider has passed all N route contexts on (`show
# zebra dplane providers`) and then checks `fib.ipv4Routes` and the
# plugin's counters in `show ebpf dataplane json` (read once at the end of
# the install: it walks rt_v4_map, which would stall zebra's main thread
# if polled). rt_v4_map itself is written after the FIB, once the contexts
# stop coming: then (b) polls it every 0.5 s until it holds every route,
# and reports when, and zebra's CPU time until then.
# Reported per run: wall time, sharpd's own figure, zebra's peak RSS and
# the CPU time of zebra's threads (the dplane pthread runs the plugin and
# the kernel provider's netlink writes, so the difference in its CPU time
# between (b) and (a) is the plugin's share).
#
# Then the plugin's map writes alone, without zebra: bench/install_rate
# times its two writes per route (the DIR-24-8 tables through dp_fib_add4,
# and the rt_v4_map LPM trie through a bpf syscall) on the same /32 table
# and on a full BGP table's length mix, and callgrind counts the
# instructions of dp_fib_add4 per route.
#
# sharpd (FRR 8.4) generates /32s only: the zebra runs install N
# consecutive /32s from 10.0.0.0, the worst case for the plugin's DIR-24-8
# (every /24 takes a tbl8 group); install_rate also covers the usual mix.
#
# usage: bench/install.sh [--routes N] [--rounds R] [--quick] [--no-callgrind]
#   --routes N   routes to install (default 1000000, at most 1000000)
#   --rounds R   (a)/(b) pairs, interleaved (default 3); the ratio is
#                that of the medians
#   --quick      100000 routes, one round, callgrind on 10000
# Environment: EBPF_MODULE, EBPF_VTYSH (as the topotests), BENCH_BIN (where
# install_rate is built; default: this directory). Needs root. About 3
# minutes on 2 cores at 1M routes.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
module=${EBPF_MODULE:-$repo/frr-plugin/dplane_ebpf.so}
vtysh_bin=${EBPF_VTYSH:-$repo/vtysh/vtysh}
install_rate=${BENCH_BIN:-$here}/install_rate
frrdir=/usr/lib/frr
routes=1000000
rounds=3
cg_routes=100000
callgrind=1

usage() {
	echo "usage: $0 [--routes N] [--rounds R] [--quick] [--no-callgrind]" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--routes) [ $# -ge 2 ] || usage; routes=$2; shift 2 ;;
	--rounds) [ $# -ge 2 ] || usage; rounds=$2; shift 2 ;;
	--quick) routes=100000; rounds=1; cg_routes=10000; shift ;;
	--no-callgrind) callgrind=0; shift ;;
	*) usage ;;
	esac
done

die() { echo "bench/install: $*" >&2; exit 1; }
if [ "$routes" -lt 1 ] || [ "$routes" -gt 1000000 ]; then
	die "--routes must be 1..1000000 (sharpd's limit)"
fi
. "$here/lib/frrns.sh"
frr_bench_require

frr_ns=bi_inst
peer=bi_peer
pin=/sys/fs/bpf/bi-$$
tmp=$(mktemp -d /tmp/bi_install.XXXXXX)
chmod 755 "$tmp"
ok=0
status=0

now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

cleanup() {
	set +e
	kill_signal=KILL frr_stop zebra sharpd
	ns_drop $frr_ns $peer
	rm -rf "$pin"
	if [ "$ok" = 1 ]; then rm -rf "$tmp"; else echo "bench/install: logs kept in $tmp" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ns_claim $frr_ns $peer

cat >"$tmp/zebra.conf" <<EOF
hostname bi_inst
interface bi_i0
 ip address 10.254.0.1/24
exit
EOF
: >"$tmp/sharpd.conf"
chown -R frr:frr "$tmp"

# `sharp data route`: "Prefix: P Total: N INSTALLED REMOVED Time: S.US"
sharp_time() {
	vtysh -d sharpd -c "sharp data route" 2>/dev/null |
		sed -n 's/.*Time: \([0-9]*\)\.\([0-9]*\).*/\1 \2/p' |
		awk '{ printf "%.2f", $1 + $2 / 1e6 }'
}
# Contexts the plugin's provider has passed on ("out" of `show zebra
# dplane providers`: zebra's own atomic counter, cheap to read).
plugin_out() {
	vtysh -d zebra -c "show zebra dplane providers" 2>/dev/null |
		sed -n 's/.*dplane_ebpf.*out: \([0-9]*\).*/\1/p'
}
# CPU seconds of zebra's threads by name: "name=seconds ..." (main first)
thread_cpu() { # pid
	tck=$(getconf CLK_TCK)
	for t in /proc/"$1"/task/*; do
		read -r comm <"$t/comm"
		# fields after the ")" of the command: utime is the 12th, stime 13th
		sed 's/.*) //' "$t/stat" | awk -v c="$comm" -v t="$tck" \
			'{ printf "%s=%.2f\n", c, ($12 + $13) / t }'
	done | awk -F= '{ s[$1] += $2; if (!($1 in o)) o[$1] = n++ }
		END { for (k in s) printf "%d %s=%.2f\n", o[k], k, s[k] }' |
		sort -n | cut -d' ' -f2- | tr '\n' ' '
}

# One install run; mode "a" (no plugin) or "b" (plugin). Appends one line
# to $tmp/results: mode wall sharpd plugin fib_routes hwm_kb anon_kb cpu...
run() {
	mode=$1
	ip netns add $frr_ns
	ip netns add $peer
	ip -n $frr_ns link set lo up
	ip -n $peer link set lo up
	ip link add bi_i0 netns $frr_ns type veth peer name bi_p0 netns $peer
	ip -n $peer addr add 10.254.0.2/24 dev bi_p0
	ip -n $frr_ns link set bi_i0 up
	ip -n $peer link set bi_p0 up

	rm -f "$tmp"/zebra.log "$tmp"/sharpd.log
	modarg=()
	[ "$mode" = b ] && modarg=(-M "$module:pin-dir=$pin")
	# netlink receive buffer (-s) sized for a full table, as failover.sh
	frr_start zebra "$frrdir/zebra" -s 90000000 "${modarg[@]}"
	frr_start sharpd "$sharpd" --log-level debug
	for _ in $(seq 1 50); do
		vtysh -d sharpd -c "show version" >/dev/null 2>&1 &&
			vtysh -d zebra -c "show version" >/dev/null 2>&1 && break
		sleep 0.2
	done
	if [ "$mode" = b ]; then
		loaded=False
		for _ in $(seq 1 50); do
			loaded=$(dp_json "j['loaded']" 2>/dev/null) || true
			[ "$loaded" = True ] && break
			sleep 0.2
		done
		[ "$loaded" = True ] || die "the plugin did not load its maps (see $tmp/zebra.log)"
		base=$(dp_json "j['fib']['ipv4Routes']")
		base_rt=$(dp_json "j['maps']['rt_v4_map']['entries']")
	fi
	# zebra applies bi_i0's address from its configuration a moment after
	# it answers vtysh
	for _ in $(seq 1 25); do
		in_ns ping -c 1 -W 1 10.254.0.2 >/dev/null 2>&1 && break
		sleep 0.2
	done
	in_ns ping -c 1 -W 2 10.254.0.2 >/dev/null || die "10.254.0.2 does not answer"
	zpid=$(cat "$tmp/zebra.pid")
	cpu0=$(thread_cpu "$zpid")

	t0=$(now)
	vtysh -c "sharp install routes 10.0.0.0 nexthop 10.254.0.2 $routes" >/dev/null
	t_plugin=""
	n=0
	# 0.2 s polls of sharpd and of zebra's provider counters:
	# the wall figure is this coarse, sharpd's own figure is not.
	for _ in $(seq 1 3000); do
		# both runs ask zebra the same, so that the polls cost the same
		if [ -z "$t_plugin" ]; then
			o=$(plugin_out)
			[ "$mode" = b ] && [ -n "$o" ] && [ "$o" -ge "$routes" ] && t_plugin=$(now)
		fi
		n=$(sharp_installed)
		[ "${n:-0}" -ge "$routes" ] && break
		sleep 0.2
	done
	t1=$(now)
	[ "${n:-0}" -ge "$routes" ] || die "run $mode: only ${n:-0} of $routes routes installed after 10 minutes"
	cpu1=$(thread_cpu "$zpid")
	sharp_s=$(sharp_time)
	# peak RSS, and the anonymous part now (RSS also counts the pages of
	# the BPF arrays the plugin maps, fib4_tbl24/tbl8)
	hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/"$zpid"/status)
	anon=$(sed -n 's/^RssAnon:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/"$zpid"/status)
	kernel=$(ip -n $frr_ns -4 route show proto 194 | wc -l)
	[ "$kernel" -eq "$routes" ] || die "run $mode: the kernel has $kernel of $routes routes"
	fib=- plugin_s=-
	if [ "$mode" = b ]; then
		[ -n "$t_plugin" ] || t_plugin=$t1
		plugin_s=$(sub "$t0" "$t_plugin")
		tj=$(now)
		fib=$(($(dp_json "j['fib']['ipv4Routes']") - base))
		sub "$tj" "$(now)" >"$tmp/json_s"
		fails=$(dp_json "j['counters']['routeFail']")
		[ "$fib" -ge "$routes" ] || die "run b: fib.ipv4Routes grew by $fib, not $routes"
		[ "$fails" -eq 0 ] || die "run b: the plugin counted $fails failed route writes"
		vtysh -d zebra -c "show zebra dplane providers" >"$tmp/providers.$mode"
		# rt_v4_map, the update-side copy, is written once the
		# contexts stop coming (deferred, issue 9): when it holds every
		# route, and zebra's CPU time including that work
		copy=-
		for _ in $(seq 1 240); do
			e=$(dp_json "j['maps']['rt_v4_map']['entries']") || e=0
			if [ "${e:-0}" -ge $((routes + base_rt)) ]; then
				copy=$(sub "$t0" "$(now)")
				break
			fi
			sleep 0.5
		done
		[ "$copy" != - ] || die "run b: rt_v4_map never held all $routes routes"
		cpu2=$(thread_cpu "$zpid")
		allcpu=$(paste -d' ' <(echo "$cpu0" | tr ' ' '\n') <(echo "$cpu2" | tr ' ' '\n') |
			awk -F'[ =]' 'NF == 4 && $1 == $3 { c += $4 - $2 } END { printf "%.2f", c }')
		echo "$copy $allcpu" >>"$tmp/copy"
		# the full listing: the plugin's table, copied by the dplane
		# pthread while the vty waits (no map walk); printed and counted
		tl=$(now)
		lines=$(vtysh -d zebra -c "show ebpf route ipv4" | wc -l)
		echo "$(sub "$tl" "$(now)") $lines" >>"$tmp/listing"
	fi
	# per-thread CPU used during the install
	cpu=$(paste -d' ' <(echo "$cpu0" | tr ' ' '\n') <(echo "$cpu1" | tr ' ' '\n') |
		awk -F'[ =]' 'NF == 4 && $1 == $3 { printf "%s=%.2f ", $1, $4 - $2 }')
	echo "$mode $(sub "$t0" "$t1") $sharp_s $plugin_s $fib $hwm $anon $cpu" >>"$tmp/results"

	kill_signal=KILL frr_stop zebra sharpd
	ns_drop $frr_ns $peer
	rm -rf "$pin"
}

for _ in $(seq 1 "$rounds"); do
	run a
	run b
done

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
col() { awk -v m="$1" -v c="$2" '$1 == m { print $c }' "$tmp/results" | median; }

echo "bench/install: $routes IPv4 /32s from sharpd (sharp install routes 10.0.0.0 nexthop"
echo "10.254.0.2 $routes) into zebra $(dpkg-query -W -f '${Version}' frr 2>/dev/null), (a) without and"
echo "(b) with dplane_ebpf.so, $rounds round(s). Times in s from the vtysh command: \"wall\" until"
echo "sharpd holds zebra's installed notification for every route (0.2 s polls), \"sharpd\" its own"
echo "figure (first route sent to last notification), \"plugin\" until the plugin's provider"
echo "had passed all route contexts on. CPU: seconds per zebra thread during the install."
echo
printf "%-4s %7s %7s %7s %8s %9s %9s  %s\n" run wall sharpd plugin "in maps" "peak RSS" "RssAnon" \
	"zebra CPU by thread (s)"
while read -r mode wall sh pl fib hwm anon cpu; do
	printf "%-4s %7s %7s %7s %8s %8sM %8sM  %s\n" "$mode" "$wall" "$sh" "$pl" "$fib" \
		"$((hwm / 1024))" "$((anon / 1024))" "$cpu"
done <"$tmp/results"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b / a }'; }
# median CPU seconds of one thread in one mode
thread_col() { awk -v m="$1" -v t="$2=" '$1 == m { for (i = 8; i <= NF; i++)
	if (index($i, t) == 1) print substr($i, length(t) + 1) }' "$tmp/results" | median; }
us_per_route() { awk -v a="$1" -v b="$2" -v n="$routes" 'BEGIN { printf "%.2f", (b - a) / n * 1e6 }'; }
wa=$(col a 2) wb=$(col b 2) sa=$(col a 3) sb=$(col b 3)
echo
echo "medians: (a) wall $wa s, sharpd $sa s; (b) wall $wb s, sharpd $sb s"
echo "install time with the plugin / without (goal <= 1.10): wall $(ratio "$wa" "$wb")," \
	"sharpd $(ratio "$sa" "$sb")"
cpu_all() { awk -v m="$1" '$1 == m { c = 0; for (i = 8; i <= NF; i++) { split($i, kv, "=");
	c += kv[2] } print c }' "$tmp/results" | median; }
ca=$(cpu_all a) cb=$(cpu_all b)
echo "zebra CPU time, all threads: (a) $ca s, (b) $cb s, ratio $(ratio "$ca" "$cb")" \
	"(less sensitive than wall time to other load on the machine)"
echo "extra per route with the plugin: wall $(us_per_route "$sa" "$sb") us (sharpd figures);" \
	"CPU of zebra's dplane pthread $(us_per_route "$(thread_col a zebra_dplane)" "$(thread_col b zebra_dplane)") us," \
	"main pthread $(us_per_route "$(thread_col a zebra)" "$(thread_col b zebra)") us"
copy_s=$(awk '{ print $1 }' "$tmp/copy" | median)
copy_cpu=$(awk '{ print $2 }' "$tmp/copy" | median)
echo "(b) rt_v4_map (the update-side copy, written after the install) held every route at" \
	"$copy_s s (median); zebra CPU, all threads, until then: $copy_cpu s, ratio" \
	"$(ratio "$ca" "$copy_cpu") to (a)'s install"
echo "(b) \`show ebpf route ipv4\` with the table in place: $(awk '{ print $1 }' "$tmp/listing" | median) s" \
	"(median) for $(awk '{ print $2 }' "$tmp/listing" | median) lines, zebra's main pthread busy throughout"
echo "(b) \`show ebpf dataplane json\` took $(cat "$tmp/json_s") s with the table in place (the"
echo "reason it is read once, not polled)."
echo "(b) zebra dplane providers after the install:"
sed 's/^/  /' "$tmp/providers.b"

echo
if [ -x "$install_rate" ]; then
	"$install_rate" --routes "$routes"
	if [ $callgrind = 1 ] && command -v valgrind >/dev/null; then
		echo "callgrind, instructions in dp_fib_add4 per route (user space; the rt_v4_map"
		echo "write is a syscall, which callgrind does not see):"
		for t in sharp mix; do
			valgrind --tool=callgrind --callgrind-out-file="$tmp/callgrind.$t" \
				--toggle-collect=dp_fib_add4 "$install_rate" \
				--routes "$cg_routes" --table $t >/dev/null 2>"$tmp/callgrind.$t.err" ||
				die "callgrind failed: $(tail -3 "$tmp/callgrind.$t.err")"
			ir=$(sed -n 's/^==[0-9]*== Collected : \([0-9]*\)/\1/p' "$tmp/callgrind.$t.err")
			printf "  %-9s %s routes: %d per route\n" "$t" "$cg_routes" "$((ir / cg_routes))"
		done
	fi
else
	echo "bench/install: $install_rate not built (make bench builds it): no per-route figures"
	status=1
fi
ok=1
exit $status

#!/bin/sh
# One pin directory per zebra, locked; bad module arguments refused.
#
# Two zebras in two network namespaces share one bpffs (one mount
# namespace, as two FRR instances on one host do): `-N a` and `-N b` each
# load the datapath in a directory of their own. A third zebra started
# with `-N a` in another network namespace must refuse the directory that
# zebra a holds, naming zebra a's pid, keep running with kernel forwarding
# only and say why in `show ebpf dataplane`; zebra a must not notice: the
# same maps, the same programs attached, still forwarding with kernel
# forwarding off, also after the third one has exited.
#
#   ha1 ---- a ---- ha2     (zebra -N a: eth0 xdp, eth1 tc)
#   b                       (zebra -N b)
#   c                       (zebra -N a again, its own state paths)
#   x                       (zebras with bad module arguments, one by one)
#
# Then zebras with a bad module argument (unknown key, not a number, out
# of range, relative pin-dir, no '='): each keeps running, and the reason
# is in its log and in `show ebpf dataplane`.
#
# Every zebra runs with bpf_privcheck.so preloaded: a bpf() call outside
# zebra's raised privileges (refused on Debian's kernel 6.1) fails the
# test. The daemons are started as frrinit.sh would (root, -d, dropping
# to user frr), with a fresh bpffs mounted 0700 in a private mount
# namespace.
#
# Environment: EBPF_MODULE, EBPF_VTYSH (default: the tree's), PRIVCHECK
# (the shim, or "none").
# Exit status: 0 pass, 1 fail, 77 skip.
set -eu

ST_NS_TAG=pd
. "$(dirname "$0")/lib.sh"

# ----------------------------------------------------------- outer part

if [ -z "${ST_INNER-}" ]; then
	st_require
	st_tmp=$(mktemp -d /tmp/st_pd.XXXXXX)
	st_netns_add a b c x ha1 ha2
	st_run_inner
fi

# ----------------------------------------------------------- inner part

finished=false
st_inner_traps
trap '$finished || echo "FAIL: the test stopped early at a failed setup command"; st_inner_cleanup' EXIT

ns_a=${ST_PREFIX}_a
ns_b=${ST_PREFIX}_b
ns_c=${ST_PREFIX}_c
ns_x=${ST_PREFIX}_x
ha1=${ST_PREFIX}_ha1
ha2=${ST_PREFIX}_ha2
logs=/var/log/frr
privlog=$logs/privcheck.log
started=

st_inner_cleanup() {
	for p in $started; do
		stop_pid "$p" || true
	done
}

st_private_frr
[ "$ST_PRIVCHECK" = none ] || : >"$privlog"

# ------------------------------------------------------------- topology

veth "$ha1" ha1-eth0 "$ns_a" a-eth0
veth "$ha2" ha2-eth0 "$ns_a" a-eth1
veth "$ns_c" c-eth0 "$ns_x" x-eth0
addr "$ha1" ha1-eth0 10.1.1.2/24 2001:db8:11::2/64
addr "$ns_a" a-eth0 10.1.1.1/24 2001:db8:11::1/64
addr "$ns_a" a-eth1 10.1.2.1/24 2001:db8:12::1/64
addr "$ha2" ha2-eth0 10.1.2.2/24 2001:db8:12::2/64
in_ns "$ha1" ip route add default via 10.1.1.1
in_ns "$ha1" ip -6 route add default via 2001:db8:11::1
in_ns "$ha2" ip route add default via 10.1.2.1
in_ns "$ha2" ip -6 route add default via 2001:db8:12::1
for ns in "$ns_a" "$ns_b" "$ns_c" "$ns_x"; do
	in_ns "$ns" sysctl -q -w net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0
done

# ---------------------------------------------------------------- zebras

# A zebra configuration that the zebra itself reads (as user frr).
conf() { # FILE HOSTNAME [EBPF-LINES]
	mkdir -p "$(dirname "$1")"
	{
		echo "hostname $2"
		echo "no ip forwarding"
		echo "no ipv6 forwarding"
		if [ -n "${3-}" ]; then
			echo "ebpf"
			printf '%s\n' "$3"
			echo "exit"
		fi
	} >"$1"
	chown -R frr:frr "$(dirname "$1")"
}
statedir() { # DIR: where a zebra keeps its pid file and sockets
	mkdir -p "$1"
	chown frr:frr "$1"
}

# Start zebra as frrinit.sh does (root, -d: it daemonizes and drops to
# frr) in a network namespace, with the shim preloaded; wait for its pid
# file and vty socket. Sets VAR to its pid (empty when it did not come
# up). Its stderr until it daemonizes goes to LOG.err.
start_zebra() { # VAR NS LOG PIDFILE VTYDIR ARGS...
	var=$1 ns=$2 zlog=$3 pidf=$4 vdir=$5
	shift 5
	rm -f "$pidf" "$vdir/zebra.vty"
	# shellcheck disable=SC2046 # the environment's words on purpose
	in_ns "$ns" env $(st_preload_env "$privlog") "$ST_FRR/zebra" -d \
		-A 127.0.0.1 --log "file:$zlog" --log-level informational \
		-u frr -g frr "$@" >"$zlog.err" 2>&1 || true
	wait_for 15 test -S "$vdir/zebra.vty" || true
	zpid=$(cat "$pidf" 2>/dev/null || true)
	alive "$zpid" || zpid=
	started="$started $zpid"
	eval "$var=\$zpid"
}

# vtysh to one zebra, by its vty socket directory
vt() { # VTYDIR COMMAND > FILE
	timeout 20 vtysh --vty_socket "$1" -d zebra -c "$2" >"$3" 2>&1 || true
}

# What must not change in zebra a while others come and go.
a_state() {
	for m in meta_map stats_map rt_v4_map rt_v6_map nh_map intf_map; do
		echo "map $m id $(map_id /sys/fs/bpf/frr-ebpf-a/$m)"
	done
	echo "pins $(cd /sys/fs/bpf/frr-ebpf-a 2>/dev/null && ls | tr '\n' ' ')"
	echo "a-eth0 $(in_ns "$ns_a" ip link show dev a-eth0 | grep -o 'prog/xdp id [0-9]*')"
	for i in a-eth0 a-eth1; do
		echo "$i tc $(in_ns "$ns_a" tc filter show dev $i ingress | grep -o 'id [0-9]*' | tr '\n' ' ')"
	done
}

a_tc_on() {
	tc_on "$ns_a" a-eth0 && tc_on "$ns_a" a-eth1
}
any_on() { # NS IFNAME...
	ns=$1
	shift
	for i in "$@"; do
		xdp_on "$ns" "$i" || tc_on "$ns" "$i" && return 0
	done
	return 1
}

# the state is the one recorded, and holds zebra a's maps
a_untouched() {
	[ "$(a_state)" = "$state_before" ] &&
		echo "$state_before" | grep -q '^map meta_map id [0-9]'
}

a_works() { # WHAT
	check "zebra a is still running ($1)" alive "$pid_a"
	vt /run/frr/a 'show ebpf dataplane json' "$ST_TMP/a.json"
	check "zebra a: show ebpf dataplane json says loaded ($1)" \
		[ "$(jget "$ST_TMP/a.json" loaded)" = true ]
	check "zebra a: XDP still attached to a-eth0 ($1)" xdp_on "$ns_a" a-eth0
	check "zebra a: TC still attached to a-eth0 and a-eth1 ($1)" a_tc_on
	ping_check "$ha1" 4 10.1.2.2 /sys/fs/bpf/frr-ebpf-a "through zebra a, $1"
	ping_check "$ha1" 6 2001:db8:12::2 /sys/fs/bpf/frr-ebpf-a "through zebra a, $1"
}

conf /etc/frr/a/zebra.conf ra " interface a-eth0
 interface a-eth1 mode tc"
conf /etc/frr/b/zebra.conf rb
statedir /run/frr/a
statedir /run/frr/b

start_zebra pid_a "$ns_a" "$logs/a.log" /run/frr/a/zebra.pid /run/frr/a -N a -M "$ST_MODULE"
start_zebra pid_b "$ns_b" "$logs/b.log" /run/frr/b/zebra.pid /run/frr/b -N b -M "$ST_MODULE"
check "zebra -N a is running (pid ${pid_a:-none})" alive "$pid_a"
check "zebra -N b is running (pid ${pid_b:-none})" alive "$pid_b"
[ "$ST_PRIVCHECK" = none ] ||
	check "zebra a runs with bpf_privcheck.so preloaded" preloaded "$pid_a"
# the ebpf block attaches once zebra has read it, unless not loaded
a_ready() {
	xdp_on "$ns_a" a-eth0 && tc_on "$ns_a" a-eth1 && return 0
	vt /run/frr/a 'show ebpf dataplane json' "$ST_TMP/wait.json"
	[ "$(jget "$ST_TMP/wait.json" loaded)" = false ]
}
wait_for 15 a_ready || true

for n in a b; do
	dir=/sys/fs/bpf/frr-ebpf-$n
	vt /run/frr/$n 'show ebpf dataplane json' "$ST_TMP/$n.json"
	got=$(jget "$ST_TMP/$n.json" pinDir)
	if [ "$(jget "$ST_TMP/$n.json" loaded)" = true ] && [ "$got" = "$dir" ]; then
		pass "zebra -N $n: loaded, pin directory $dir"
	else
		fail "zebra -N $n: loaded, pin directory $dir (loaded: $(jget "$ST_TMP/$n.json" loaded), pinDir: ${got:-none}, error: $(jget "$ST_TMP/$n.json" error))"
		grep -i ebpf "$logs/$n.log" | tail -n 5 | indent
	fi
	check "$dir is root:root 0700 (it is $(stat -c '%U:%G %a' "$dir" 2>&1))" \
		[ "$(stat -c '%U:%G %a' "$dir" 2>&1)" = "root:root 700" ]
	check "$dir holds the maps (meta_map, stats_map pinned)" \
		[ -e "$dir/meta_map" -a -e "$dir/stats_map" ]
done
id_a=$(map_id /sys/fs/bpf/frr-ebpf-a/meta_map)
id_b=$(map_id /sys/fs/bpf/frr-ebpf-b/meta_map)
check "zebra a and zebra b have maps of their own (meta_map ids ${id_a:-none}, ${id_b:-none})" \
	[ -n "$id_a" -a -n "$id_b" -a "$id_a" != "$id_b" ]
check "no zebra used the default directory /sys/fs/bpf/frr-ebpf" not test -e /sys/fs/bpf/frr-ebpf
a_works "before a second zebra -N a"
state_before=$(a_state)

# ------------------------------------------- a second zebra on the same -N

# Its own pid file, zserv and vty sockets (frrinit.sh would give a second
# FRR the same -N and so the same ones), but -N a and so a's pin directory.
sd=/run/frr/second
statedir $sd
conf /etc/frr/second/zebra.conf rc " interface c-eth0"
start_zebra pid_c "$ns_c" "$logs/c.log" $sd/zebra.pid $sd -N a \
	-i $sd/zebra.pid -z $sd/zserv.api --vty_socket $sd \
	-f /etc/frr/second/zebra.conf -M "$ST_MODULE"
check "a second zebra -N a keeps running (pid ${pid_c:-none}) with kernel forwarding only" alive "$pid_c"
line=$(grep 'datapath not loaded' "$logs/c.log" | head -n 1 || true)
want="pin directory /sys/fs/bpf/frr-ebpf-a is in use by another zebra (pid $pid_a)"
if echo "$line" | grep -qF "$want"; then
	pass "its log says: $want"
else
	fail "its log says: $want"
	echo "${line:-(no \"datapath not loaded\" line)}" | cut -d' ' -f2- | indent
	# /proc/locks names the process that took the lock, which need not
	# be the one holding it now (a daemon forks after taking it)
	named=$(echo "$line" | sed -n 's/.*another zebra (pid \([0-9]*\)).*/\1/p')
	ino=$(stat -c %i /sys/fs/bpf/frr-ebpf-a 2>/dev/null || echo none)
	info "zebra a is pid $pid_a; the pid named, ${named:-none}, is $(alive "$named" && echo running || echo "not running")"
	info "/proc/locks for the directory: $(grep ":$ino " /proc/locks | tr -s ' ')"
fi
vt $sd 'show ebpf dataplane' "$ST_TMP/c.txt"
vt $sd 'show ebpf dataplane json' "$ST_TMP/c.json"
err=$(jget "$ST_TMP/c.json" error)
if grep -q 'not loaded' "$ST_TMP/c.txt" && grep -q 'in use by another zebra' "$ST_TMP/c.txt" &&
	[ "$(jget "$ST_TMP/c.json" loaded)" = false ] && echo "$err" | grep -q 'in use by another zebra'; then
	pass "its show ebpf dataplane says not loaded and why: $(head -n 1 "$ST_TMP/c.txt")"
else
	fail "its show ebpf dataplane says not loaded and why"
	indent <"$ST_TMP/c.txt"
	info "json: loaded $(jget "$ST_TMP/c.json" loaded), error: $err"
fi
check "the second zebra attached nothing to c-eth0" not any_on "$ns_c" c-eth0
check "zebra a's maps, pins and programs are untouched while the second runs" a_untouched
a_untouched || { echo "$state_before" | indent; echo "now:"; a_state | indent; }
a_works "while a second zebra -N a runs"

stop_pid "$pid_c" || true
check "the second zebra exits on SIGTERM" not alive "$pid_c"
check "zebra a's maps, pins and programs are untouched after the second has exited" a_untouched
a_untouched || { echo "$state_before" | indent; echo "now:"; a_state | indent; }
a_works "after the second zebra -N a exited"

# ------------------------------------------------- bad module arguments

statedir /run/frr/bad
conf /etc/frr/bad/zebra.conf rx
# ARGUMENT|what is wrong|text the reason must name
for case in \
	"bogus=1|unknown key|bogus" \
	"ipv4-routes=abc|not a number|abc" \
	"ipv4-routes=100|below the range|100" \
	"neighbors=2000000|above the range|2000000" \
	"pin-dir=relative/dir|relative pin-dir|relative/dir" \
	"ipv4-routes|no '='|ipv4-routes" \
	"ipv4-routes=4096,nexthop-groups=1x|bad second argument|1x"; do
	arg=${case%%|*}
	rest=${case#*|}
	what=${rest%%|*}
	name=${rest#*|}
	zlog=$logs/bad.log
	: >"$zlog"
	start_zebra pid "$ns_x" "$zlog" /run/frr/bad/zebra.pid /run/frr/bad -N bad -M "$ST_MODULE:$arg"
	sleep 0.5
	if ! alive "$pid"; then
		fail "-M ...:$arg ($what): zebra keeps running"
		indent <"$zlog.err"
		tail -n 5 "$zlog" | indent
		continue
	fi
	vt /run/frr/bad 'show ebpf dataplane json' "$ST_TMP/bad.json"
	vt /run/frr/bad 'show ebpf dataplane' "$ST_TMP/bad.txt"
	err=$(jget "$ST_TMP/bad.json" error)
	loaded=$(jget "$ST_TMP/bad.json" loaded)
	logline=$(grep -F "datapath not loaded: $err" "$zlog" | head -n 1 || true)
	if alive "$pid" && [ "$loaded" = false ] && [ -n "$err" ] &&
		echo "$err" | grep -qF -- "$name" && [ -n "$logline" ] &&
		grep -qF "not loaded: $err" "$ST_TMP/bad.txt"; then
		pass "-M ...:$arg ($what): zebra runs, not loaded, log and show say: $err"
	else
		fail "-M ...:$arg ($what): zebra runs (alive: $(alive "$pid" && echo yes || echo no)), not loaded (loaded: ${loaded:-?}), the reason naming '$name' in the log and in show ebpf dataplane"
		info "show ebpf dataplane:"
		indent <"$ST_TMP/bad.txt"
		info "zebra's log:"
		grep -i -e ebpf -e 'not loaded' "$zlog" | cut -d' ' -f2- | head -n 5 | indent
	fi
	check "-M ...:$arg: nothing pinned (no /sys/fs/bpf/frr-ebpf-bad)" not test -e /sys/fs/bpf/frr-ebpf-bad
	stop_pid "$pid" || fail "zebra with -M ...:$arg stops on SIGTERM"
done

# ----------------------------------------------------------- the end

a_attached=false
xdp_on "$ns_a" a-eth0 && a_attached=true
stop_pid "$pid_b" || true
stop_pid "$pid_a" || true
check "zebra a exits on SIGTERM" not alive "$pid_a"
check "zebra b exits on SIGTERM" not alive "$pid_b"
if $a_attached; then
	check "zebra a detached its programs on exit" not any_on "$ns_a" a-eth0 a-eth1
else
	info "detaching on exit not checked: zebra a had nothing attached"
fi

privcheck_verdict "$privlog" "the zebras"

finished=true
st_summary

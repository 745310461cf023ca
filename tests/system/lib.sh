# Helpers shared by the system tests (sourced, POSIX sh).
#
# A test runs in two parts: the outer part, in the host's namespaces,
# creates the network namespaces (st_*) and removes them and whatever runs
# in them at the end, whatever happened; the inner part, in a private mount
# namespace (st_enter_mount_ns), makes its own /etc/frr, /var/run/frr,
# /var/log/frr and bpffs, so nothing of the host's FRR or pins is touched.

st_top=$(cd "$(dirname "$0")/../.." && pwd)
st_name=$(basename "$0" .sh)

# What is tested, and with which helpers (all overridable).
ST_MODULE=${EBPF_MODULE:-$st_top/frr-plugin/dplane_ebpf.so}
ST_VTYSH=${EBPF_VTYSH:-$st_top/vtysh/vtysh}
# The shim that refuses bpf() without privileges, as Debian's 6.1 does;
# built by make check. PRIVCHECK=none runs without it.
ST_PRIVCHECK=${PRIVCHECK:-$(pwd)/tests/privcheck/bpf_privcheck.so}
[ -e "$ST_PRIVCHECK" ] || [ "$ST_PRIVCHECK" = none ] ||
	ST_PRIVCHECK=$st_top/tests/privcheck/bpf_privcheck.so
ST_ABI=$st_top/bpf/include/dp_abi.h
# Debian's own daemons and scripts.
ST_FRR=/usr/lib/frr

st_passed=0
st_failed=0

pass() {
	st_passed=$((st_passed + 1))
	echo "PASS: $*"
}
fail() {
	st_failed=$((st_failed + 1))
	echo "FAIL: $*"
}
info() {
	echo "INFO: $*"
}
# check DESCRIPTION COMMAND...: PASS when the command succeeds
check() {
	st_desc=$1
	shift
	if "$@"; then pass "$st_desc"; else fail "$st_desc"; fi
}
not() {
	! "$@"
}
# awk ends every line, also vtysh's last one that has no newline
indent() {
	awk '{ print "    " $0 }'
}
skip() {
	echo "SKIP: $*"
	exit 77
}

# Skip (77) when something the test needs is not on this machine.
st_require() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (namespaces, mounts, zebra)"
	for f in "$ST_MODULE" "$ST_VTYSH" "$ST_FRR/zebra" "$ST_FRR/staticd" \
		"$ST_FRR/watchfrr" "$ST_FRR/frrinit.sh" "$ST_ABI"; do
		[ -e "$f" ] || skip "$f is missing (build the tree: make)"
	done
	for c in ip tc ethtool bpftool unshare nsenter runuser ping mount \
		/usr/bin/python3; do
		command -v "$c" >/dev/null 2>&1 ||
			skip "$c is missing (scripts/install-deps.sh installs it)"
	done
	id frr >/dev/null 2>&1 || skip "no user frr (the frr package makes it)"
	if [ "$ST_PRIVCHECK" != none ] && [ ! -e "$ST_PRIVCHECK" ]; then
		skip "$ST_PRIVCHECK is missing (make check builds it; PRIVCHECK=none runs without it)"
	fi
}

# The environment that preloads the shim, for env(1); empty without it.
# LOGFILE receives one line per refused bpf() call.
st_preload_env() { # LOGFILE
	[ "$ST_PRIVCHECK" = none ] && return 0
	echo "LD_PRELOAD=$ST_PRIVCHECK BPF_PRIVCHECK_LOG=$1"
}

# The shim is mapped into the process (else its check would prove nothing).
preloaded() { # PID
	[ "$ST_PRIVCHECK" = none ] && return 0
	grep -qF "$(basename "$ST_PRIVCHECK")" "/proc/$1/maps" 2>/dev/null
}

# A network namespace only: the mount namespace stays ours, so the pins
# on our bpffs stay visible (`ip netns exec` would remount /sys).
in_ns() { # NS COMMAND...
	st_ns=$1
	shift
	nsenter --net="/run/netns/$st_ns" "$@"
}

# wait_for SECONDS COMMAND...: poll every 0.2 s until the command succeeds.
contains() { # TEXT PART
	case $1 in *"$2"*) return 0 ;; esac
	return 1
}
wait_for() {
	st_n=$(($1 * 5))
	shift
	while [ "$st_n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.2
		st_n=$((st_n - 1))
	done
	return 1
}

alive() { # PID
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null
}

# Stop a process we started, by its pid: SIGTERM, then SIGKILL after 10 s.
stop_pid() { # PID
	alive "$1" || return 0
	kill -TERM "$1" 2>/dev/null || return 0
	wait_for 10 not alive "$1" && return 0
	kill -KILL "$1" 2>/dev/null || true
	wait_for 2 not alive "$1"
	return 1
}

# Values out of JSON: jget FILE KEY.KEY... prints the value (true/false
# for booleans; nothing when absent or when FILE is not JSON; "-" reads
# standard input); jvalid FILE: the file is JSON.
st_jget_py='
import json, sys
try:
    d = json.load(sys.stdin if sys.argv[1] == "-" else open(sys.argv[1]))
except Exception:
    sys.exit(0)
for k in sys.argv[2].split(".") if sys.argv[2] else []:
    if isinstance(d, dict) and k in d:
        d = d[k]
    else:
        sys.exit(0)
if isinstance(d, bool):
    print("true" if d else "false")
elif isinstance(d, (dict, list)):
    print(json.dumps(d))
else:
    print(d)
'
jget() {
	/usr/bin/python3 -c "$st_jget_py" "$@" || true
}
jvalid() {
	/usr/bin/python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$1" 2>/dev/null
}
# both A B C D: A = B and C = D
both() {
	[ "$1" = "$2" ] && [ "$3" = "$4" ]
}

# 0-based position of NAME in `enum ENUM { ... }` of the ABI header, so
# that counters are read as the datapath lays them out.
enum_index() { # ENUM NAME
	tr '\n' ' ' <"$ST_ABI" | sed 's#/\*\([^*]\|\*[^/]\)*\*/##g' |
		sed -n "s/.*enum $1 {\([^}]*\)}.*/\1/p" | tr ',' '\n' |
		sed 's/=.*//; s/[[:space:]]//g' | grep -v '^$' |
		grep -nx "$2" | cut -d: -f1 | awk '{ print $1 - 1 }'
}

le32() {
	printf '%d %d %d %d' $(($1 & 255)) $((($1 >> 8) & 255)) \
		$((($1 >> 16) & 255)) $((($1 >> 24) & 255))
}
le64() {
	printf '%s %s' "$(le32 $(($1 & 0xffffffff)))" "$(le32 $(($1 >> 32)))"
}

max_entries() { # PIN
	bpftool map show pinned "$1" 2>/dev/null |
		sed -n 's/.*max_entries \([0-9]*\).*/\1/p'
}

map_id() { # PIN
	bpftool map show pinned "$1" 2>/dev/null | sed -n 's/^\([0-9]*\):.*/\1/p'
}

# Packets the datapath forwarded (all hooks, all CPUs), read from the
# pinned stats_map with bpftool: [hook][reason], DP_HOOK_MAX hooks.
fwd_packets() { # PIN_DIR
	st_hooks=$(enum_index dp_hook DP_HOOK_MAX)
	st_fwd="$(enum_index dp_reason DP_R_FWD) $(enum_index dp_reason DP_R_FWD_NEIGH)"
	st_max=$(max_entries "$1/stats_map")
	[ -n "$st_max" ] && [ -n "$st_hooks" ] || return 1
	st_reasons=$((st_max / st_hooks))
	st_total=0
	st_h=0
	while [ "$st_h" -lt "$st_hooks" ]; do
		for st_r in $st_fwd; do
			st_out=$(bpftool map lookup pinned "$1/stats_map" \
				key $(le32 $((st_h * st_reasons + st_r))) 2>&1) || return 1
			# with BTF bpftool names the fields: "packets": N per CPU
			st_v=$(echo "$st_out" | awk -F: '/"packets"/ { gsub(/[^0-9]/, "", $2); s += $2; f = 1 }
				END { if (f) print s }')
			[ -n "$st_v" ] || return 1
			st_total=$((st_total + st_v))
		done
		st_h=$((st_h + 1))
	done
	echo "$st_total"
}

# ping_check NS FAMILY DESTINATION PIN_DIR WHAT: every echo request
# answered with kernel forwarding off, and the datapath's counters grew
# by at least two packets per reply (request and reply).
ping_check() {
	st_before=$(fwd_packets "$4") || st_before=
	# a warm-up packet: the first may wait for neighbour resolution
	in_ns "$1" ping "-$2" -c 1 -W 1 "$3" >/dev/null 2>&1 || true
	st_out=$(in_ns "$1" ping "-$2" -c 3 -i 0.2 -W 1 "$3" 2>&1) || true
	st_got=$(echo "$st_out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	st_got=${st_got:-0}
	st_after=$(fwd_packets "$4") || st_after=
	if [ "$st_got" -eq 3 ]; then
		pass "ping -$2 $3 ($5): 3/3 replies with kernel forwarding off"
	else
		fail "ping -$2 $3 ($5): $st_got/3 replies with kernel forwarding off"
		echo "$st_out" | indent
	fi
	if [ -z "$st_before" ] || [ -z "$st_after" ]; then
		fail "the datapath's stats_map in $4 is readable with bpftool"
	elif [ "$st_got" -eq 0 ]; then
		fail "stats_map counts packets forwarded for the replies: no reply came back ($((st_after - st_before)) counted)"
	elif [ $((st_after - st_before)) -ge $((2 * st_got)) ]; then
		pass "stats_map counts $((st_after - st_before)) packets forwarded by the datapath for $st_got replies"
	else
		fail "stats_map counts $((st_after - st_before)) packets forwarded for $st_got replies (expected >= $((2 * st_got)))"
	fi
}

xdp_on() { # NS IFNAME
	in_ns "$1" ip link show dev "$2" 2>/dev/null | grep -q 'prog/xdp'
}
tc_on() { # NS IFNAME
	in_ns "$1" tc filter show dev "$2" ingress 2>/dev/null | grep -q bpf
}

# Two ends of a veth between namespaces, both up, GRO on and TX checksum
# offload off: native XDP redirect into a veth needs GRO on the receiving
# peer, and the sender's checksums must be filled in (DESIGN.md §5).
veth() { # NS1 IF1 NS2 IF2
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	in_ns "$1" ip link set "$2" up
	in_ns "$3" ip link set "$4" up
	in_ns "$1" ethtool -K "$2" gro on tx off >/dev/null
	in_ns "$3" ethtool -K "$4" gro on tx off >/dev/null
}
addr() { # NS IFNAME IPV4/LEN IPV6/LEN
	in_ns "$1" ip addr add "$3" dev "$2"
	in_ns "$1" ip -6 addr add "$4" dev "$2" nodad
}

# --------------------------------------------------------- the two parts

# The outer part: namespaces named st_<test>_<pid>_<NAME> are made by
# st_netns_add and removed, with every process left in them (by pid), at
# exit. It then runs the script again in a private mount namespace and
# exits with its status.
st_prefix=${ST_PREFIX:-st_${ST_NS_TAG:-x}_$$}

st_netns_add() { # NAME...
	for st_n in "$@"; do
		ip netns add "${st_prefix}_$st_n"
		in_ns "${st_prefix}_$st_n" ip link set lo up
		st_namespaces="${st_namespaces-} ${st_prefix}_$st_n"
	done
}

st_outer_cleanup() {
	for st_ns in ${st_namespaces-}; do
		for st_p in $(ip netns pids "$st_ns" 2>/dev/null); do
			kill -TERM "$st_p" 2>/dev/null || true
		done
	done
	for st_ns in ${st_namespaces-}; do
		for st_p in $(ip netns pids "$st_ns" 2>/dev/null); do
			wait_for 10 not alive "$st_p" || kill -KILL "$st_p" 2>/dev/null || true
		done
		ip netns del "$st_ns" 2>/dev/null || true
	done
	[ -n "${st_tmp-}" ] && rm -rf "$st_tmp"
}

# Run the rest of the script ($0 with ST_INNER set) in a private mount
# namespace; the outer part cleans up after it and exits with its status.
st_run_inner() {
	trap 'st_outer_cleanup' EXIT
	# In the background, so that a signal reaches the trap at once (sh
	# runs traps only between foreground commands): the inner part then
	# stops what it started before the namespaces go.
	ST_INNER=1 ST_PREFIX=$st_prefix ST_TMP=$st_tmp \
		unshare --mount --propagation private /bin/sh "$0" &
	st_inner=$!
	trap 'kill -TERM "$st_inner" 2>/dev/null; wait "$st_inner"; exit 130' INT TERM
	st_rc=0
	wait "$st_inner" || st_rc=$?
	exit "$st_rc"
}

# Inner part: a signal ends the script through its EXIT trap (which
# stops what the test started), saying so.
st_inner_traps() {
	trap 'echo "FAIL: interrupted by a signal"; finished=true; exit 143' INT TERM
}

# Inner part: a private, empty FRR setup (as the frr package makes it)
# and a fresh bpffs mounted as systemd mounts it on Debian (root, 0700).
st_private_frr() {
	# (the mount points exist where the frr package ran once)
	mkdir -p /etc/frr /run/frr /var/log/frr
	for st_d in etc run log; do
		mkdir -p "$ST_TMP/$st_d"
		chown frr:frr "$ST_TMP/$st_d"
	done
	chmod 0750 "$ST_TMP/etc" "$ST_TMP/log"
	chmod 0755 "$ST_TMP/run"
	mount --bind "$ST_TMP/etc" /etc/frr
	mount --bind "$ST_TMP/run" /run/frr
	mount --bind "$ST_TMP/log" /var/log/frr
	# Debian's vtysh rejects the plugin's commands (doc/install.md)
	mount --bind "$ST_VTYSH" /usr/bin/vtysh
	mount -t bpf -o mode=0700 bpf /sys/fs/bpf
	# Diagnosis only: BPFFS_MODE=1777 gives the bpffs this machine's
	# mode, to see what fails past the mount's permissions (a plugin that
	# cannot create its directory in a 0700 bpffs fails everything after).
	if [ -n "${BPFFS_MODE-}" ]; then
		chmod "$BPFFS_MODE" /sys/fs/bpf
		info "diagnosis run: /sys/fs/bpf chmod $BPFFS_MODE"
	fi
	# vtysh complains on stdout, before any JSON, without one
	echo "service integrated-vtysh-config" >/etc/frr/vtysh.conf
	chown frr:frrvty /etc/frr/vtysh.conf
	chmod 0640 /etc/frr/vtysh.conf
}

# The distinct call sites in a bpf_privcheck log, most frequent first,
# the module's frames named (function, file:line) with addr2line.
privcheck_sites() { # LOGFILE
	st_so=$(basename "$ST_MODULE")
	sed 's/^bpf_privcheck: pid [0-9]* thread [0-9]* //' "$1" | sort | uniq -c |
		sort -rn | head -n 10 | while IFS= read -r st_line; do
		for st_off in $(echo "$st_line" | grep -o "$st_so+0x[0-9a-f]*" | sed 's/.*+//'); do
			command -v addr2line >/dev/null 2>&1 || break
			st_sym=$(addr2line -f -s -e "$ST_MODULE" "$st_off" 2>/dev/null | paste -sd' ' -)
			st_line=$(echo "$st_line" | sed "s|$st_so+$st_off|$st_so+$st_off [$st_sym]|")
		done
		echo "$st_line"
	done
}

# Pass when the shim refused none of WHO's bpf() calls (LOGFILE empty).
privcheck_verdict() { # LOGFILE WHO
	[ "$ST_PRIVCHECK" != none ] || return 0
	if [ -s "$1" ]; then
		fail "every bpf() call of $2 was made with privileges raised: $(wc -l <"$1") refused (Debian's 6.1 would refuse them too):"
		privcheck_sites "$1" | indent
	else
		pass "every bpf() call of $2 was made with privileges raised (none refused by bpf_privcheck)"
	fi
}

st_summary() {
	echo "$st_passed passed, $st_failed failed"
	[ "$st_failed" -eq 0 ]
}

#!/bin/sh
# Guest side of test_zebra_debian61.sh, run as the VM's test by
# guest-init.sh inside Debian 12's kernel 6.1.
#
#   h1 ---- r1 ---- h2 (+ 10.0.3.1, 2001:db8:3::1 on its loopback)
#     eth0    eth0/eth1
#
# r1 runs Debian's zebra (and staticd) as Debian starts them: as root,
# dropping to user frr, the configuration applied by `vtysh -b`. Kernel
# forwarding is off in r1, so a ping reply from h2 proves that the eBPF
# datapath forwarded both ways; the datapath's own counters must say so.
# Every check prints PASS: or FAIL:, and the script exits non-zero when
# one failed.
#
# Environment (set by the host side with run.sh --env):
#   EBPF_MODULE       the module's path in the VM
#   EBPF_MODULE_ARGS  what follows the colon in zebra's -M (may be empty)
#   EBPF_CONF         lines for the `ebpf` node, separated by ';'
#   DP_HOOKS          number of hooks in stats_map (DP_HOOK_MAX)
#   DP_FWD_REASONS    the stats_map reasons meaning "forwarded"
#   EBPF_EXPECT_MAPS  "MAP=MAX_ENTRIES ..." the sizes EBPF_CONF or
#                     EBPF_MODULE_ARGS ask for, checked on the pinned maps
#   PINGS             echo requests per ping check
#   BPFFS_MODE        diagnosis only: chmod /sys/fs/bpf to this mode
#                     (e.g. 1777, as on the development machines) to see
#                     what fails past the directory permissions
set -eu

module=${EBPF_MODULE:-/usr/lib/x86_64-linux-gnu/frr/modules/dplane_ebpf.so}
module_args=${EBPF_MODULE_ARGS-}
ebpf_conf=${EBPF_CONF-}
hooks=${DP_HOOKS:-2}
fwd_reasons=${DP_FWD_REASONS:-0 1}
pings=${PINGS:-4}
# The pin directory: pin-dir= among the module arguments, or the default.
pin_dir=$(echo "$module_args" | tr ',' '\n' | sed -n 's/^pin-dir=//p' | tail -n 1)
pin_dir=${pin_dir:-/sys/fs/bpf/frr-ebpf}
log=/var/log/messages

# set -e ends the script at a failed setup command: say so, since no check
# line would tell.
finished=false
trap '$finished || echo "FAIL: the test stopped early at a failed setup command"' EXIT

passed=0 failed=0
pass() {
	passed=$((passed + 1))
	echo "PASS: $*"
}
fail() {
	failed=$((failed + 1))
	echo "FAIL: $*"
}
info() {
	echo "INFO: $*"
}
# check DESCRIPTION COMMAND...: PASS when the command succeeds
check() {
	desc=$1
	shift
	if "$@"; then pass "$desc"; else fail "$desc"; fi
}
not() {
	! "$@"
}
# awk ends every line, also vtysh's last message that has no newline
indent() {
	awk '{ print "    " $0 }'
}
# Busybox runs its own applets before anything on PATH, from its shell and
# from its nsenter alike: the real ip, tc and ping are named by path.
ip() { /usr/bin/ip "$@"; }
real_cmd() {
	for d in /usr/sbin /usr/bin; do
		[ -x "$d/$1" ] && [ ! -L "$d/$1" ] && echo "$d/$1" && return
	done
	echo "$1"
}
# A network namespace only: mounts stay the VM's, so every process sees
# the one bpffs on /sys/fs/bpf (`ip netns exec` would remount /sys).
in_ns() {
	ns=$1
	cmd=$(real_cmd "$2")
	shift 2
	nsenter --net="/run/netns/$ns" "$cmd" "$@"
}

# ------------------------------------------------------- what apt does

if [ -n "${BPFFS_MODE-}" ]; then
	chmod "$BPFFS_MODE" /sys/fs/bpf
	info "diagnosis run: /sys/fs/bpf chmod $BPFFS_MODE"
fi
info "kernel $(uname -r), kernel.unprivileged_bpf_disabled=$(cat /proc/sys/kernel/unprivileged_bpf_disabled)"
info "bpffs: $(grep ' /sys/fs/bpf ' /proc/mounts)"

# frr's postinst: system user frr in group frr, and in frrvty.
cat >>/etc/passwd <<'EOF'
frr:x:100:102:Frr routing suite,,,:/nonexistent:/usr/sbin/nologin
EOF
echo 'frr:*:19000:0:99999:7:::' >>/etc/shadow
cat >>/etc/group <<'EOF'
frrvty:x:101:frr
frr:x:102:
EOF
mkdir -p /etc/frr /var/run/frr /var/log/frr
chown frr:frr /etc/frr /var/run/frr /var/log/frr
chmod 0755 /etc/frr /var/run/frr /var/log/frr

# ------------------------------------------------------------- topology

for ns in h1 r1 h2; do
	ip netns add $ns
	in_ns $ns ip link set lo up
done
ip link add h1-eth0 netns h1 type veth peer name r1-eth0 netns r1
ip link add h2-eth0 netns h2 type veth peer name r1-eth1 netns r1

addr() { # NS IFNAME IPV4/LEN IPV6/LEN
	in_ns "$1" ip addr add "$3" dev "$2"
	in_ns "$1" ip -6 addr add "$4" dev "$2" nodad
	in_ns "$1" ip link set "$2" up
}
addr h1 h1-eth0 10.0.1.2/24 2001:db8:1::2/64
addr r1 r1-eth0 10.0.1.1/24 2001:db8:1::1/64
addr r1 r1-eth1 10.0.2.1/24 2001:db8:2::1/64
addr h2 h2-eth0 10.0.2.2/24 2001:db8:2::2/64
in_ns h1 ip route add default via 10.0.1.1
in_ns h1 ip -6 route add default via 2001:db8:1::1
in_ns h2 ip route add default via 10.0.2.1
in_ns h2 ip -6 route add default via 2001:db8:2::1
# Behind h2, reached through r1's static routes (a nexthop group).
in_ns h2 ip addr add 10.0.3.1/32 dev lo
in_ns h2 ip -6 addr add 2001:db8:3::1/128 dev lo

# veth artefacts (DESIGN.md §5): native XDP redirect into a veth needs GRO
# on the receiving peer; TCP over XDP needs TX checksums filled in.
for pair in h1:h1-eth0 r1:r1-eth0 r1:r1-eth1 h2:h2-eth0; do
	in_ns "${pair%%:*}" ethtool -K "${pair#*:}" gro on tx off >/dev/null
done

# The router must not forward by itself: only the datapath may.
in_ns r1 sysctl -q -w net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0

# ------------------------------------------------------ FRR as Debian runs it

syslogd -n -O "$log" &
syslog_pid=$!

{
	echo "frr version 8.4.4"
	echo "frr defaults traditional"
	echo "hostname r1"
	echo "log syslog informational"
	echo "no ip forwarding"
	echo "no ipv6 forwarding"
	echo "service integrated-vtysh-config"
	echo "!"
	echo "ip route 10.0.3.0/24 10.0.2.2"
	echo "ipv6 route 2001:db8:3::/64 2001:db8:2::2"
	echo "!"
	echo "ebpf"
	echo "$ebpf_conf" | tr ';' '\n' | sed '/^ *$/d; s/^ */ /'
	echo " interface r1-eth0"
	echo " interface r1-eth1 mode tc"
	echo "exit"
	echo "!"
} >/etc/frr/frr.conf
echo "service integrated-vtysh-config" >/etc/frr/vtysh.conf
chown frr:frr /etc/frr/frr.conf
chown frr:frrvty /etc/frr/vtysh.conf
chmod 0640 /etc/frr/frr.conf /etc/frr/vtysh.conf
info "/etc/frr/frr.conf:"
indent </etc/frr/frr.conf

# frrcommon.sh's daemon_start: `$bin -d $frr_global_options $args`, where
# Debian's /etc/frr/daemons gives zebra "-A 127.0.0.1 -s 90000000" (a user
# adds -M there) and the default profile is "-F traditional". One addition:
# --log syslog, because FRR logs nothing until the configuration says
# `log syslog`, and the plugin's start-up happens before `vtysh -b`.
zebra_m=$module${module_args:+:$module_args}
zebra_args="-d -F traditional -A 127.0.0.1 -s 90000000 -M $zebra_m --log syslog --log-level informational"
info "starting: zebra $zebra_args"
if in_ns r1 /usr/lib/frr/zebra $zebra_args >/tmp/zebra.out 2>&1; then
	pass "zebra starts with -M $zebra_m"
else
	fail "zebra starts with -M $zebra_m (status $?)"
fi
indent </tmp/zebra.out
have_staticd=false
if [ -x /usr/lib/frr/staticd ]; then
	if in_ns r1 /usr/lib/frr/staticd -d -F traditional -A 127.0.0.1 \
		--log syslog --log-level informational >/tmp/staticd.out 2>&1; then
		have_staticd=true
	else
		fail "staticd starts"
		indent </tmp/staticd.out
	fi
fi

zebra_pid=$(cat /var/run/frr/zebra.pid 2>/dev/null || true)
if [ -n "$zebra_pid" ] && kill -0 "$zebra_pid" 2>/dev/null; then
	uid=$(awk '/^Uid:/ { print $3 }' "/proc/$zebra_pid/status")
	if [ "$uid" = "$(id -u frr)" ]; then
		pass "zebra runs as user frr (pid $zebra_pid)"
	else
		fail "zebra runs as user frr (its effective uid is $uid)"
	fi
	info "zebra's capabilities: $(grep '^Cap' "/proc/$zebra_pid/status" | tr -s '\t\n' '  ')"
else
	fail "zebra is running after start (pid file: '$zebra_pid')"
fi

# frrcommon.sh's vtysh_b, once the daemons run.
if timeout 60 vtysh -b >/tmp/vtysh-b.out 2>&1; then
	pass "vtysh -b applies /etc/frr/frr.conf"
else
	fail "vtysh -b applies /etc/frr/frr.conf (status $?)"
fi
indent </tmp/vtysh-b.out

# ----------------------------------------------------- the datapath is up

xdp_on() { in_ns r1 ip link show dev "$1" 2>/dev/null | grep -q 'prog/xdp '; }
tc_on() { in_ns r1 tc filter show dev "$1" ingress 2>/dev/null | grep -q bpf; }
# Programs are attached once the maps exist, after the configuration.
i=0
while [ $i -lt 20 ]; do
	[ -e "$pin_dir/stats_map" ] && xdp_on r1-eth0 && tc_on r1-eth1 && break
	kill -0 "$zebra_pid" 2>/dev/null || break
	sleep 1
	i=$((i + 1))
done

if [ -e "$pin_dir/stats_map" ]; then
	pass "maps pinned in $pin_dir"
	info "pins: $(cd "$pin_dir" && echo *)"
	# The sizes asked for must be the sizes the maps got.
	for want in ${EBPF_EXPECT_MAPS-}; do
		name=${want%%=*}
		got=$(bpftool map show pinned "$pin_dir/$name" 2>&1 |
			sed -n 's/.*max_entries \([0-9]*\).*/\1/p')
		check "$name has the configured ${want#*=} entries (it has ${got:-?})" \
			[ "$got" = "${want#*=}" ]
	done
else
	fail "maps pinned in $pin_dir"
	ls -la /sys/fs/bpf "$pin_dir" 2>&1 | indent
fi
attached=false
xdp_on r1-eth0 && attached=true
check "native XDP attached to r1-eth0" $attached
check "TC ingress attached to r1-eth0" tc_on r1-eth0
check "TC ingress attached to r1-eth1 (mode tc)" tc_on r1-eth1
check "no XDP on r1-eth1 (mode tc)" not xdp_on r1-eth1
info "programs in r1:"
in_ns r1 bpftool net show 2>&1 | indent

fwd=$(in_ns r1 sysctl -n net.ipv4.ip_forward net.ipv6.conf.all.forwarding | tr '\n' ' ')
check "kernel forwarding is off in r1 (ipv4, ipv6: $fwd)" [ "$fwd" = "0 0 " ]

# ---------------------------------------------------------- forwarding

le32() {
	printf '%d %d %d %d' $(($1 & 255)) $((($1 >> 8) & 255)) \
		$((($1 >> 16) & 255)) $((($1 >> 24) & 255))
}
# Packets the datapath forwarded (all hooks, all CPUs), read from the
# pinned stats_map with bpftool: [hook][reason], DP_HOOK_MAX hooks, so the
# number of reasons is max_entries / hooks.
fwd_packets() {
	max=$(bpftool map show pinned "$pin_dir/stats_map" 2>/dev/null |
		sed -n 's/.*max_entries \([0-9]*\).*/\1/p')
	[ -n "$max" ] || return 1
	reasons=$((max / hooks))
	total=0
	h=0
	while [ $h -lt "$hooks" ]; do
		for r in $fwd_reasons; do
			out=$(bpftool map lookup pinned "$pin_dir/stats_map" \
				key $(le32 $((h * reasons + r))) 2>&1) || return 1
			# With BTF bpftool names the fields: "packets": N per CPU.
			n=$(echo "$out" | awk -F: '/"packets"/ { gsub(/[^0-9]/, "", $2); s += $2; f = 1 }
				END { if (f) print s }')
			[ -n "$n" ] || return 1
			total=$((total + n))
		done
		h=$((h + 1))
	done
	echo "$total"
}

ping_check() { # FAMILY DESTINATION WHAT
	before=$(fwd_packets) || before=
	# one warm-up packet: the first may wait for neighbour resolution
	in_ns h1 ping "-$1" -c 1 -W 3 "$2" >/dev/null 2>&1 || true
	out=$(in_ns h1 ping "-$1" -c "$pings" -i 0.3 -W 3 "$2" 2>&1) || true
	got=$(echo "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	got=${got:-0}
	after=$(fwd_packets) || after=
	if [ "$got" -eq "$pings" ]; then
		pass "ping -$1 h1 -> $2 ($3): $got/$pings replies with forwarding off"
	else
		fail "ping -$1 h1 -> $2 ($3): $got/$pings replies with forwarding off"
		echo "$out" | indent
	fi
	# Each reply that came back was forwarded twice (request, reply).
	if [ -z "$before" ] || [ -z "$after" ]; then
		fail "stats_map readable with bpftool around the ping to $2"
		bpftool map lookup pinned "$pin_dir/stats_map" key 0 0 0 0 2>&1 | indent
	elif [ "$got" -eq 0 ]; then
		fail "stats_map counts the packets forwarded for the replies from $2: no reply came back ($((after - before)) forwarded)"
	elif [ $((after - before)) -ge $((2 * got)) ]; then
		pass "stats_map counts $((after - before)) packets forwarded by the datapath for $got replies from $2"
	else
		fail "stats_map counts $((after - before)) packets forwarded by the datapath for $got replies from $2 (expected >= $((2 * got)))"
	fi
}

ping_check 4 10.0.2.2 "connected route"
ping_check 6 2001:db8:2::2 "connected route"
if $have_staticd; then
	ping_check 4 10.0.3.1 "static route via 10.0.2.2"
	ping_check 6 2001:db8:3::1 "static route via 2001:db8:2::2"
else
	info "no staticd: the static-route pings are not run"
fi

# ------------------------------------------- the local table, by its events

# The plugin follows the kernel's local table through the table's own
# route events (a socket filter drops every other table's): an address
# added or removed shows in the datapath without the table being read
# again, which would count a resync.
route_type() { # PREFIX: the type `show ebpf route PREFIX json` gives, or ""
	timeout 20 vtysh -c "show ebpf route $1 json" 2>/dev/null |
		tr -d '\n' | sed -n 's/.*"type"[ ]*:[ ]*"\([a-z]*\)".*/\1/p'
}
resyncs() {
	timeout 20 vtysh -c "show ebpf dataplane json" 2>/dev/null | tr -d '\n' |
		sed -n 's/.*"resyncs"[ ]*:[ ]*\([0-9]*\).*/\1/p'
}
type_becomes() { # PREFIX TYPE: within 10 s
	for _ in $(seq 1 50); do
		[ "$(route_type "$1")" = "$2" ] && return 0
		sleep 0.2
	done
	return 1
}
resyncs_before=$(resyncs)
in_ns r1 ip addr add 10.0.9.1/32 dev r1-eth0
in_ns r1 ip -6 addr add 2001:db8:9::1/128 dev r1-eth0 nodad
check "an IPv4 address added is local in the datapath" type_becomes 10.0.9.1/32 local
check "an IPv6 address added is local in the datapath" type_becomes 2001:db8:9::1/128 local
in_ns r1 ip addr del 10.0.9.1/32 dev r1-eth0
in_ns r1 ip -6 addr del 2001:db8:9::1/128 dev r1-eth0
check "an IPv4 address removed leaves the datapath" type_becomes 10.0.9.1/32 ""
check "an IPv6 address removed leaves the datapath" type_becomes 2001:db8:9::1/128 ""
resyncs_after=$(resyncs)
same_resyncs() { [ -n "$resyncs_before" ] && [ "$resyncs_before" = "$resyncs_after" ]; }
check "no resync for address changes (resyncs $resyncs_before -> $resyncs_after)" \
	same_resyncs

# ------------------------------------------------- the plugin's own view

# The same counters, read by zebra (as user frr) for vtysh.
if out=$(timeout 20 vtysh -c 'show ebpf statistics json' 2>/tmp/vtysh.err); then
	n=$(echo "$out" | awk '
		/"forwarded(Neigh)?"[ ]*:[ ]*\{/ { in_fwd = 1; next }
		in_fwd && /Packets"/ { gsub(/[^0-9]/, "", $0); s += $0 }
		/\}/ { in_fwd = 0 }
		END { print s + 0 }')
	if [ "$n" -gt 0 ]; then
		pass "show ebpf statistics json reports $n packets forwarded"
	else
		fail "show ebpf statistics json reports packets forwarded (it reports $n)"
		{ cat /tmp/vtysh.err; echo "$out"; } | indent
	fi
else
	fail "show ebpf statistics json answers"
	{ cat /tmp/vtysh.err; echo "$out"; } | indent
fi
for cmd in "show ebpf dataplane" "show ebpf interface" "show ip route" "show ipv6 route"; do
	info "vtysh -c '$cmd':"
	timeout 20 vtysh -c "$cmd" 2>&1 | indent || true
done

# ------------------------------------------------------- clean shutdown

if [ -n "$zebra_pid" ] && kill -0 "$zebra_pid" 2>/dev/null; then
	kill -TERM "$zebra_pid"
	i=0
	while kill -0 "$zebra_pid" 2>/dev/null && [ $i -lt 20 ]; do
		sleep 0.5
		i=$((i + 1))
	done
	if kill -0 "$zebra_pid" 2>/dev/null; then
		fail "zebra stops on SIGTERM within 10 s"
	else
		pass "zebra stops on SIGTERM"
		# only meaningful when they were attached
		if ! $attached; then
			:
		elif xdp_on r1-eth0 || tc_on r1-eth0 || tc_on r1-eth1; then
			fail "the programs are detached when zebra stops"
			in_ns r1 bpftool net show 2>&1 | grep . | indent
		else
			pass "the programs are detached when zebra stops"
		fi
	fi
else
	fail "zebra is still running at the end of the test"
fi

# ------------------------------------------------------------ zebra's log

sleep 1
# busybox syslogd writes "DATE HOST FACILITY.LEVEL PROGRAM[PID]: MESSAGE".
errors=$(grep -E ' [a-z0-9]+\.(err|crit|alert|emerg) (zebra|staticd)\[' "$log" || true)
if [ -z "$errors" ]; then
	pass "no errors in zebra's log"
else
	fail "no errors in zebra's log: $(echo "$errors" | wc -l) lines at err or worse:"
	echo "$errors" | sed 's/^.* \(zebra\|staticd\)\[/\1[/' | indent
fi
info "zebra's log, warnings and ebpf lines:"
grep -E ' [a-z0-9]+\.(warn|err|crit|alert|emerg) (zebra|staticd)\[|ebpf' "$log" |
	sed 's/^[^ ]* *[^ ]* [^ ]* [^ ]* //' | head -n 100 | indent || true
kill "$syslog_pid" 2>/dev/null || true

echo "$passed passed, $failed failed"
finished=true
[ $failed -eq 0 ]

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
# Then what the datapath must leave to the kernel, with Debian's vrf,
# bonding and MPLS modules: interfaces enslaved to a VRF or a bond are
# refused, another VRF's routes are not in its FIB, and packets to a route
# with an MPLS label are passed up unforwarded.
# Every check prints PASS: or FAIL:, and the script exits non-zero when
# one failed.
#
# Environment (set by the host side with run.sh --env):
#   EBPF_MODULE       the module's path in the VM
#   EBPF_MODULE_ARGS  what follows the colon in zebra's -M (may be empty)
#   EBPF_CONF         lines for the `ebpf` node, separated by ';'
#   DP_HOOKS          number of hooks in stats_map (DP_HOOK_MAX)
#   DP_FWD_REASONS    the stats_map reasons meaning "forwarded"
#   DP_UNSUPPORTED_REASON  the stats_map reason DP_R_PASS_UNSUPPORTED
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
unsupported_reason=${DP_UNSUPPORTED_REASON-}
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

# MPLS in r1, before zebra starts: zebra enables its MPLS support only
# when /proc/sys/net/mpls exists at start-up (mpls_kernel_init(), the
# mpls_router module), and the labelled static route of frr.conf needs
# mpls_iptunnel in the kernel. platform_labels as an MPLS router sets it.
if [ -d /proc/sys/net/mpls ]; then
	in_ns r1 sysctl -q -w net.mpls.platform_labels=1048575
else
	fail "mpls_router is loaded before zebra starts (no /proc/sys/net/mpls)"
fi

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
	# Labelled: the kernel pushes label 100, which the datapath does not.
	echo "ip route 10.0.4.0/24 10.0.2.2 label 100"
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
# Packets the datapath counted with one of REASONS (all hooks, all CPUs),
# read from the pinned stats_map with bpftool: [hook][reason], DP_HOOK_MAX
# hooks, so the number of reasons is max_entries / hooks.
stats_packets() { # REASONS
	max=$(bpftool map show pinned "$pin_dir/stats_map" 2>/dev/null |
		sed -n 's/.*max_entries \([0-9]*\).*/\1/p')
	[ -n "$max" ] || return 1
	reasons=$((max / hooks))
	total=0
	h=0
	while [ $h -lt "$hooks" ]; do
		for r in $1; do
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
# ... forwarded by the datapath
fwd_packets() {
	stats_packets "$fwd_reasons"
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

# ------------------------------------ never worse than the kernel: 6.1 cases

# What the datapath does not do stays the kernel's, exactly as without the
# plugin: interfaces enslaved to a VRF or a bond (their traffic is not the
# default table's), the routes of another VRF, and MPLS-labelled nexthops.
# vrf, bonding, mpls_router and mpls_iptunnel are Debian's modules; the
# development machines' kernel has none of them.

dataplane_counter() { # NAME: that counter of `show ebpf dataplane json`
	timeout 20 vtysh -c 'show ebpf dataplane json' 2>/dev/null | tr -d '\n' |
		sed -n "s/.*\"$1\"[ ]*:[ ]*\([0-9]*\).*/\1/p"
}
# NAME's value once it has not moved for a second (at most 10 s): events
# still queued would otherwise be taken for the effect of the next step.
settled_counter() {
	prev=$(dataplane_counter "$1")
	for _ in $(seq 1 10); do
		sleep 1
		cur=$(dataplane_counter "$1")
		[ "$cur" = "$prev" ] && break
		prev=$cur
	done
	echo "$prev"
}
# The interfaces `show running-config` lists under `ebpf`, one a line.
ebpf_interfaces() {
	timeout 20 vtysh -c 'show running-config' 2>/dev/null |
		sed -n '/^ebpf$/,/^exit/s/^ interface \([^ ]*\).*/\1/p'
}
wait_until() { # SECONDS COMMAND...: until the command succeeds
	n=$(($1 * 5))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.2
		n=$((n - 1))
	done
	"$@"
}

# --- 1. enslaved interfaces are refused at the prompt

in_ns r1 ip link add vrf-t type vrf table 10
in_ns r1 ip link set vrf-t up
in_ns r1 ip link add bond-t type bond
in_ns r1 ip link add r1-eth2 type veth peer name r1-p2
in_ns r1 ip link add r1-eth3 type veth peer name r1-p3
in_ns r1 ip link set r1-eth2 master vrf-t
# a bond takes a port only while it is down (as created), and brings it up
in_ns r1 ip link set r1-eth3 master bond-t
for dev in r1-eth2 r1-p2 r1-p3 bond-t; do
	in_ns r1 ip link set "$dev" up
done
# the kernel adds the l3mdev rules with the first VRF
info "r1's rules: $(in_ns r1 ip rule show | tr -s '\t\n' ' ;')$(in_ns r1 ip -6 rule show | tr -s '\t\n' ' ;')"
info "r1's enslaved links: $(in_ns r1 ip -o link show | sed -n 's/^[0-9]*: \([^:@]*\)[^ ]*:.* master \([^ ]*\).*/\1 -> \2/p' | tr '\n' ' ')"

# The kernel's l3mdev rules are not policy the datapath bypasses (they
# route a VRF's own ports, which it refuses): with one real rule beside
# them, the plugin's scan (every 10 s) counts exactly that one.
in_ns r1 ip rule add from 10.99.0.0/16 table 100
ip_rules() {
	timeout 20 vtysh -c "show ebpf dataplane json" 2>/dev/null | tr -d '\n' |
		sed -n 's/.*"ipRules"[ ]*:[ ]*\([0-9]*\).*/\1/p'
}
for _ in $(seq 1 60); do
	n_rules=$(ip_rules)
	[ "${n_rules:-0}" != 0 ] && break
	sleep 0.25
done
check "the policy scan counts the one real ip rule, not the kernel's l3mdev rules (ipRules ${n_rules:-?})" \
	[ "${n_rules:-}" = 1 ]
in_ns r1 ip rule del from 10.99.0.0/16 table 100

refused_at_prompt() { # IFNAME MASTER
	out=$(timeout 20 vtysh -c 'configure terminal' -c 'ebpf' -c "interface $1" 2>&1) || true
	if echo "$out" | grep -qF "enslaved to $2"; then
		pass "'interface $1' under ebpf is refused: enslaved to $2"
	else
		fail "'interface $1' under ebpf is refused with 'enslaved to $2'"
	fi
	echo "$out" | indent
}
refused_at_prompt r1-eth2 vrf-t
refused_at_prompt r1-eth3 bond-t
listed=$(ebpf_interfaces | tr '\n' ' ')
listed() { # IFNAME: under ebpf in the running configuration
	case " $listed" in *" $1 "*) return 0 ;; esac
	return 1
}
# r1-eth0 and r1-eth1 must be there: an empty or unparsed listing would
# prove nothing.
if listed r1-eth2 || listed r1-eth3; then
	fail "show running-config lists neither r1-eth2 nor r1-eth3 under ebpf (it lists: $listed)"
elif listed r1-eth0 && listed r1-eth1; then
	pass "show running-config lists neither r1-eth2 nor r1-eth3 under ebpf (it lists: $listed)"
else
	fail "show running-config lists r1-eth0 and r1-eth1 under ebpf, and neither r1-eth2 nor r1-eth3 (it lists: '$listed')"
	timeout 20 vtysh -c 'show running-config' 2>&1 | indent
fi
no_prog_on() { # IFNAME
	! xdp_on "$1" && ! tc_on "$1"
}
check "no program attached to r1-eth2 or r1-eth3" \
	eval 'no_prog_on r1-eth2 && no_prog_on r1-eth3'

# --- 2. the routes of another VRF stay the kernel's

vrf_route_in_zebra() {
	timeout 20 vtysh -c 'show ip route vrf vrf-t 10.0.5.0/24 json' 2>/dev/null |
		grep -q '"10.0.5.0/24"'
}
skip_before=$(settled_counter routeSkipVrf)
in_ns r1 ip addr add 10.0.5.1/24 dev r1-eth2
check "zebra has the connected route 10.0.5.0/24 in VRF vrf-t" \
	wait_until 10 vrf_route_in_zebra
info "r1's kernel, table 10: $(in_ns r1 ip route show table 10 | tr '\n' ';')"
skip_moved() {
	skip_after=$(dataplane_counter routeSkipVrf)
	[ -n "$skip_before" ] && [ -n "$skip_after" ] &&
		[ "$skip_after" -gt "$skip_before" ]
}
wait_until 5 skip_moved || true
check "counters.routeSkipVrf counts vrf-t's routes ($skip_before -> $skip_after)" \
	skip_moved
out=$(timeout 20 vtysh -c 'show ebpf route 10.0.5.0/24 json' 2>&1) || true
control=$(route_type 10.0.2.0/24)
case $out in
*10.0.5.*)
	fail "show ebpf route 10.0.5.0/24 json does not list vrf-t's prefix"
	echo "$out" | indent
	;;
"{"*)
	# The same command must list a default-table prefix: an empty
	# answer proves nothing if it lists nothing at all.
	if [ "$control" = connected ]; then
		pass "show ebpf route 10.0.5.0/24 json does not list vrf-t's prefix (10.0.2.0/24 is listed: $control)"
	else
		fail "show ebpf route 10.0.2.0/24 json lists the default table's connected prefix (type '$control'), so that 10.0.5.0/24's absence means something"
	fi
	;;
*)
	fail "show ebpf route 10.0.5.0/24 json answers with JSON"
	echo "$out" | indent
	;;
esac

# --- 3. MPLS-labelled nexthops are not forwarded as plain IP

labelled_in_kernel() {
	in_ns r1 ip route show 10.0.4.0/24 | grep -Eq 'encap mpls +100 '
}
wait_until 10 labelled_in_kernel || true
lroute=$(in_ns r1 ip route show 10.0.4.0/24 | tr -s ' \n' '  ')
check "zebra installed 10.0.4.0/24 label 100 in r1's kernel with an MPLS encap ($lroute)" \
	labelled_in_kernel
nhg_unsupported=$(dataplane_counter nhgUnsupported)
check "counters.nhgUnsupported counts the labelled group (${nhg_unsupported:-?})" \
	[ "${nhg_unsupported:-0}" -gt 0 ]
info "vtysh -c 'show ebpf route 10.0.4.0/24': $(timeout 20 vtysh -c 'show ebpf route 10.0.4.0/24' 2>&1 | tr '\n' ' ')"
lnhg=$(timeout 20 vtysh -c 'show ebpf route 10.0.4.0/24 json' 2>/dev/null | tr -d '\n' |
	sed -n 's/.*"nhgId"[ ]*:[ ]*\([0-9]*\).*/\1/p')
if [ -n "$lnhg" ]; then
	info "vtysh -c 'show ebpf nexthop-group $lnhg': $(timeout 20 vtysh -c "show ebpf nexthop-group $lnhg" 2>&1 | tr '\n' ' ')"
fi

if [ -n "$unsupported_reason" ]; then
	unsup_before=$(stats_packets "$unsupported_reason") || unsup_before=
	fwd_before=$(fwd_packets) || fwd_before=
	# No reply can come: r1 does not forward, and h2 takes no MPLS.
	out=$(in_ns h1 ping -4 -c "$pings" -i 0.3 -W 1 10.0.4.1 2>&1) || true
	unsup_after=$(stats_packets "$unsupported_reason") || unsup_after=
	fwd_after=$(fwd_packets) || fwd_after=
	info "ping h1 -> 10.0.4.1: $(echo "$out" | grep 'transmitted')"
	if [ -z "$unsup_before" ] || [ -z "$unsup_after" ] ||
		[ -z "$fwd_before" ] || [ -z "$fwd_after" ]; then
		fail "stats_map readable with bpftool around the ping to 10.0.4.1"
	else
		check "stats_map counts the $pings echo requests to 10.0.4.1 as passed to the kernel unsupported ($((unsup_after - unsup_before)) packets)" \
			[ $((unsup_after - unsup_before)) -ge "$pings" ]
		check "stats_map counts none of them as forwarded ($((fwd_after - fwd_before)) packets)" \
			[ "$fwd_after" -eq "$fwd_before" ]
	fi
else
	fail "DP_R_PASS_UNSUPPORTED's index was given (DP_UNSUPPORTED_REASON)"
fi

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

# ------------------------------------------ chaining at XDP (libxdp)

if [ -f /test/xdp_chain.sh ]; then
	. /test/xdp_chain.sh
else
	fail "xdp_chain.sh is in the VM (the host's run.sh --file)"
fi

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
# zebra itself logs the one excepted error when it starts over the routes
# a killed instance left in the kernel with their nexthop ids
# (rt_netlink.c; xdp_chain.sh kills and restarts it): not the plugin's.
errors=$(grep -E ' [a-z0-9]+\.(err|crit|alert|emerg) (zebra|staticd)\[' "$log" |
	grep -v 'Zebra failed to find the nexthop hash entry for id=' || true)
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

#!/bin/sh
# FRR started exactly as Debian's service starts it, with the module:
# `frrinit.sh start` (what frr.service runs) starts watchfrr, which starts
# zebra and staticd with the options of /etc/frr/daemons (zebra as root,
# dropping to user frr) and applies /etc/frr/frr.conf with `vtysh -b`.
#
#   h1 ---- r1 ---- h2 (+ 10.0.3.1, 2001:db8:3::1 behind it)
#     eth0    eth0 (xdp) / eth1 (tc)
#
# Everything runs in a private mount namespace (its own /etc/frr,
# /var/run/frr, /var/log/frr, a fresh bpffs on /sys/fs/bpf mounted 0700
# by root as systemd mounts it, the plugin-aware vtysh over
# /usr/bin/vtysh) and network namespaces st_ds_*, so the host is left
# alone. Kernel forwarding is off in r1: a ping answered through it was
# forwarded by the datapath, and its counters must say so.
#
# Checks: zebra runs as frr; the datapath is loaded with the table sizes
# of the module arguments; programs attached; pins root-owned 0600 in a
# root-owned 0700 directory, which users frr and nobody can neither open
# nor use with bpftool; `frrinit.sh stop` detaches the programs and
# leaves the pins; a restart reuses them, replaces a map whose size the
# arguments changed, clears a switch left set in meta_map, and forwards
# again. zebra runs with bpf_privcheck.so preloaded (through zebra_wrap in
# /etc/frr/daemons): a bpf() call outside its raised privileges, which
# Debian's kernel 6.1 would refuse, fails the test.
#
# Environment: EBPF_MODULE, EBPF_VTYSH (default: the tree's), PRIVCHECK
# (the shim, or "none").
# Exit status: 0 pass, 1 fail, 77 skip.
set -eu

ST_NS_TAG=ds
. "$(dirname "$0")/lib.sh"

# ----------------------------------------------------------- outer part

if [ -z "${ST_INNER-}" ]; then
	st_require
	st_tmp=$(mktemp -d /tmp/st_ds.XXXXXX)
	st_netns_add h1 r1 h2
	st_run_inner
fi

# ----------------------------------------------------------- inner part

# set -e ends the script at a failed setup command: say so, since no
# check line would tell.
finished=false
st_inner_traps
trap '$finished || echo "FAIL: the test stopped early at a failed setup command"; st_inner_cleanup' EXIT

h1=${ST_PREFIX}_h1
r1=${ST_PREFIX}_r1
h2=${ST_PREFIX}_h2
pin_dir=/sys/fs/bpf/frr-ebpf
log=/var/log/frr/zebra.log
privlog=/var/log/frr/privcheck.log
sizes1=ipv4-routes=4096,ipv6-routes=2048,nexthop-groups=512,neighbors=1024
expect1="rt_v4_map=4096 rt_v6_map=2048 nh_map=512 dmac_map=1024"
# the restart asks for another IPv4 size: that one map is replaced
sizes2=ipv4-routes=8192,ipv6-routes=2048,nexthop-groups=512,neighbors=1024
expect2="rt_v4_map=8192 rt_v6_map=2048 nh_map=512 dmac_map=1024"

# Should the test end early, FRR is stopped the way it was started; the
# outer part kills whatever is left in the namespaces.
st_inner_cleanup() {
	if [ -e /run/frr/watchfrr.pid ] || [ -e /run/frr/zebra.pid ]; then
		in_ns "$r1" "$ST_FRR/frrinit.sh" stop >/dev/null 2>&1 || true
	fi
}

st_private_frr
info "bpffs: $(grep ' /sys/fs/bpf ' /proc/mounts)"

# ------------------------------------------------------------- topology

veth "$h1" h1-eth0 "$r1" r1-eth0
veth "$h2" h2-eth0 "$r1" r1-eth1
addr "$h1" h1-eth0 10.0.1.2/24 2001:db8:1::2/64
addr "$r1" r1-eth0 10.0.1.1/24 2001:db8:1::1/64
addr "$r1" r1-eth1 10.0.2.1/24 2001:db8:2::1/64
addr "$h2" h2-eth0 10.0.2.2/24 2001:db8:2::2/64
in_ns "$h1" ip route add default via 10.0.1.1
in_ns "$h1" ip -6 route add default via 2001:db8:1::1
in_ns "$h2" ip route add default via 10.0.2.1
in_ns "$h2" ip -6 route add default via 2001:db8:2::1
# behind h2, reached through r1's static routes
in_ns "$h2" ip addr add 10.0.3.1/32 dev lo
in_ns "$h2" ip -6 addr add 2001:db8:3::1/128 dev lo
# only the datapath may forward
in_ns "$r1" sysctl -q -w net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0

# ------------------------------------------------- /etc/frr as a user has it

# /etc/frr/daemons as Debian ships it (no protocol daemon; zebra and
# staticd always run), plus what a user of the module adds: -M with its
# arguments on zebra's line. --log file: keeps zebra's start-up lines
# (the module logs before frr.conf is applied, and this namespace has no
# syslog). zebra_wrap, the daemons file's own hook for wrappers, preloads
# the privilege check.
write_daemons() { # MODULE-ARGUMENTS
	cat >/etc/frr/daemons <<EOF
bgpd=no
ospfd=no
ospf6d=no
ripd=no
ripngd=no
isisd=no
pimd=no
pim6d=no
ldpd=no
nhrpd=no
eigrpd=no
babeld=no
sharpd=no
pbrd=no
bfdd=no
fabricd=no
vrrpd=no
pathd=no
vtysh_enable=yes
zebra_options="  -A 127.0.0.1 -s 90000000 -M $ST_MODULE:$1 --log file:$log --log-level informational"
staticd_options="-A 127.0.0.1"
EOF
	pre=$(st_preload_env "$privlog")
	[ -z "$pre" ] || echo "zebra_wrap=\"/usr/bin/env $pre\"" >>/etc/frr/daemons
	chown frr:frr /etc/frr/daemons
	chmod 0640 /etc/frr/daemons
}
write_daemons "$sizes1"

cat >/etc/frr/frr.conf <<'EOF'
frr version 8.4.4
frr defaults traditional
hostname r1
log syslog informational
no ip forwarding
no ipv6 forwarding
service integrated-vtysh-config
!
ip route 10.0.3.0/24 10.0.2.2
ipv6 route 2001:db8:3::/64 2001:db8:2::2
!
ebpf
 interface r1-eth0
 interface r1-eth1 mode tc
exit
!
EOF
echo "service integrated-vtysh-config" >/etc/frr/vtysh.conf
chown frr:frr /etc/frr/frr.conf
chown frr:frrvty /etc/frr/vtysh.conf
chmod 0640 /etc/frr/frr.conf /etc/frr/vtysh.conf
: >"$log"
chown frr:frr "$log"
if [ "$ST_PRIVCHECK" = none ]; then
	info "no privilege check (PRIVCHECK=none)"
else
	: >"$privlog"
	info "zebra runs with $ST_PRIVCHECK preloaded"
fi

vt() { # vtysh -c COMMAND > FILE
	in_ns "$r1" timeout 20 vtysh -c "$1" >"$2" 2>&1
}
pidof_daemon() { # NAME
	cat "/run/frr/$1.pid" 2>/dev/null || true
}

# ------------------------------------------------------- start, as Debian

# frrinit.sh start: 0, watchfrr and the daemons running, then wait for
# vtysh -b (the ebpf block) to have attached the programs.
service_start() { # WHAT
	t0=$(date +%s)
	if in_ns "$r1" "$ST_FRR/frrinit.sh" start >"$ST_TMP/start.out" 2>&1; then
		pass "frrinit.sh start ($1) exits 0"
	else
		fail "frrinit.sh start ($1) exits 0"
	fi
	indent <"$ST_TMP/start.out"
	wait_for 20 attached_or_not_loaded || true
	info "$1: started in $(($(date +%s) - t0)) s"
	zebra_pid=$(pidof_daemon zebra)
	for d in watchfrr zebra staticd; do
		check "$d is running ($1, pid $(pidof_daemon $d))" alive "$(pidof_daemon $d)"
	done
}
attached() {
	xdp_on "$r1" r1-eth0 && tc_on "$r1" r1-eth0 && tc_on "$r1" r1-eth1
}
attached_or_not_loaded() {
	attached && return 0
	vt 'show ebpf dataplane json' "$ST_TMP/wait.json" || return 1
	[ "$(jget "$ST_TMP/wait.json" loaded)" = false ]
}
any_attached() {
	xdp_on "$r1" r1-eth0 || xdp_on "$r1" r1-eth1 ||
		tc_on "$r1" r1-eth0 || tc_on "$r1" r1-eth1
}

service_stop() { # WHAT
	t0=$(date +%s)
	pids="$(pidof_daemon watchfrr) $(pidof_daemon zebra) $(pidof_daemon staticd)"
	if in_ns "$r1" "$ST_FRR/frrinit.sh" stop >"$ST_TMP/stop.out" 2>&1; then
		pass "frrinit.sh stop ($1) exits 0"
	else
		fail "frrinit.sh stop ($1) exits 0"
		indent <"$ST_TMP/stop.out"
	fi
	left=
	for p in $pids; do
		alive "$p" && left="$left $p"
	done
	check "watchfrr, zebra and staticd have exited ($1)${left:+: still running:$left}" [ -z "$left" ]
	info "$1: stopped in $(($(date +%s) - t0)) s"
}

# The sizes asked for are what zebra reports and what the maps have.
check_sizes() { # WHAT MODULE-ARGUMENTS EXPECTED-MAPS
	vt 'show ebpf dataplane json' "$ST_TMP/dp.json" || true
	if [ "$(jget "$ST_TMP/dp.json" loaded)" = true ]; then
		pass "show ebpf dataplane json: loaded ($1)"
	else
		fail "show ebpf dataplane json: loaded ($1)"
		indent <"$ST_TMP/dp.json"
		grep -i ebpf "$log" | tail -n 20 | indent
	fi
	got=$(jget "$ST_TMP/dp.json" pinDir)
	check "... pin directory $pin_dir (it says ${got:-nothing})" [ "$got" = "$pin_dir" ]
	for kv in $(echo "$2" | tr ',' ' '); do
		got=$(jget "$ST_TMP/dp.json" "tableSizes.${kv%%=*}")
		check "... table size ${kv%%=*} ${kv#*=} as the module argument asks (it says ${got:-nothing})" \
			[ "$got" = "${kv#*=}" ]
	done
	for want in $3; do
		name=${want%%=*}
		got=$(jget "$ST_TMP/dp.json" "maps.$name.maxEntries")
		pinned=$(max_entries "$pin_dir/$name")
		check "$name: ${want#*=} entries in show and in the pinned map (show ${got:-?}, pin ${pinned:-?})" \
			both "$got" "${want#*=}" "$pinned" "${want#*=}"
	done
}

check_attached() { # WHAT
	check "native XDP attached to r1-eth0 ($1)" xdp_on "$r1" r1-eth0
	check "TC ingress attached to r1-eth0 ($1)" tc_on "$r1" r1-eth0
	check "TC ingress attached to r1-eth1, mode tc ($1)" tc_on "$r1" r1-eth1
	check "no XDP on r1-eth1, mode tc ($1)" not xdp_on "$r1" r1-eth1
	vt 'show ebpf interface json' "$ST_TMP/if.json" || true
	for i in r1-eth0:true r1-eth1:false; do
		x=$(jget "$ST_TMP/if.json" "${i%%:*}.xdpAttached")
		t=$(jget "$ST_TMP/if.json" "${i%%:*}.tcAttached")
		check "show ebpf interface json: ${i%%:*} xdpAttached ${i#*:}, tcAttached true (it says $x, $t)" \
			both "$x" "${i#*:}" "$t" true
	done
}

pings() { # WHAT
	ping_check "$h1" 4 10.0.2.2 "$pin_dir" "connected, $1"
	ping_check "$h1" 6 2001:db8:2::2 "$pin_dir" "connected, $1"
	ping_check "$h1" 4 10.0.3.1 "$pin_dir" "static route, $1"
	ping_check "$h1" 6 2001:db8:3::1 "$pin_dir" "static route, $1"
}

service_start "first start"
zebra_pid1=$zebra_pid
if alive "$zebra_pid"; then
	uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$zebra_pid/status")
	frr=$(id -u frr)
	check "zebra runs as user frr (uids $uids)" [ "$uids" = "$frr $frr $frr $frr" ]
	[ "$ST_PRIVCHECK" = none ] ||
		check "zebra runs with bpf_privcheck.so preloaded (zebra_wrap)" preloaded "$zebra_pid"
fi
check_sizes "first start" "$sizes1" "$expect1"
check_attached "first start"
kfwd=$(in_ns "$r1" sysctl -n net.ipv4.ip_forward net.ipv6.conf.all.forwarding | tr '\n' ' ')
check "kernel forwarding is off in r1 (ipv4, ipv6: $kfwd)" [ "$kfwd" = "0 0 " ]
pings "first start"

# Every show command answers in JSON: each is a path of zebra's that
# reads the maps, run with the privilege check watching.
for c in dataplane interface statistics route nexthop-group neighbor; do
	vt "show ebpf $c json" "$ST_TMP/show.json" || true
	check "show ebpf $c json answers JSON" jvalid "$ST_TMP/show.json"
done

# ----------------------------------------------------- who may use the pins

stat_is() { # PATH OWNER:GROUP MODE
	[ "$(stat -c '%U:%G %a' "$1")" = "$2 $3" ]
}
check "$pin_dir is root:root 0700 (it is $(stat -c '%U:%G %a' "$pin_dir"))" \
	stat_is "$pin_dir" root:root 700
pins=$(cd "$pin_dir" 2>/dev/null && ls || true)
npins=$(echo "$pins" | wc -w)
bad=
for p in $pins; do
	stat_is "$pin_dir/$p" root:root 600 || bad="$bad $p($(stat -c '%U:%G %a' "$pin_dir/$p"))"
done
check "all $npins pins are root:root 0600${bad:+; not:$bad}" [ -z "$bad" -a "$npins" -ge 16 ]

# What bpftool needs to try an update of each map: zero key and value
# of the map's own sizes, so that only the permission check can refuse.
specs=
for p in $pins; do
	ks=$(bpftool -j map show pinned "$pin_dir/$p" | jget - bytes_key)
	vs=$(bpftool -j map show pinned "$pin_dir/$p" | jget - bytes_value)
	specs="$specs $p:${ks:-4}:${vs:-4}"
done

# As USER: open every pin for reading and for writing, dump it and
# update it with bpftool. Each attempt must fail with a permission error
# (any other failure would not prove the pin is guarded).
try_as() { # USER
	runuser -u "$1" -- /bin/sh -c '
		dir=$1
		shift
		zeros() { i=0; while [ $i -lt $1 ]; do printf "00 "; i=$((i + 1)); done; }
		denied() {
			echo "$1" | grep -q -e "Permission denied" -e "Operation not permitted" \
				-e "directory not in bpf file system"
		}
		for spec in "$@"; do
			p=${spec%%:*}
			f=$dir/$p
			ks=${spec#*:}
			vs=${ks#*:}
			ks=${ks%%:*}
			# bpftool reports a directory it may not statfs() as "not
			# in bpf file system": refused traversal, as EACCES is
			if out=$( (exec 3<"$f") 2>&1); then echo "read $p: opened"
			elif ! denied "$out"; then echo "read $p: $out"; fi
			if out=$( (exec 3>>"$f") 2>&1); then echo "write $p: opened"
			elif ! denied "$out"; then echo "write $p: $out"; fi
			if out=$(bpftool map dump pinned "$f" 2>&1); then echo "dump $p: dumped"
			elif ! denied "$out"; then echo "dump $p: $out"; fi
			if out=$(bpftool map update pinned "$f" key $(zeros $ks) value $(zeros $vs) 2>&1); then
				echo "update $p: updated"
			elif ! denied "$out"; then echo "update $p: $out"; fi
		done
	' sh "$pin_dir" $specs
}
access_checks() { # WHAT
	for u in frr nobody; do
		try_as "$u" >"$ST_TMP/access.out" 2>&1 || true
		for op in read:"open for reading" write:"open for writing" \
			dump:"bpftool map dump" update:"bpftool map update"; do
			if grep -q "^${op%%:*} " "$ST_TMP/access.out"; then
				fail "user $u cannot ${op#*:} any of the $npins pins ($1)"
				grep "^${op%%:*} " "$ST_TMP/access.out" | head -n 5 | indent
			else
				pass "user $u cannot ${op#*:} any of the $npins pins ($1): permission denied"
			fi
		done
	done
}
if [ "$npins" -gt 0 ]; then
	access_checks "bpffs $(stat -c %a /sys/fs/bpf), as mounted"
	# The plugin's own directory must guard the pins even where the
	# bpffs lets everyone in (this machine's is 1777).
	mode=$(stat -c '%a' /sys/fs/bpf)
	chmod 1777 /sys/fs/bpf
	access_checks "bpffs chmod 1777: only the plugin's permissions guard"
	chmod "$mode" /sys/fs/bpf
else
	fail "pins to check who may use them: none in $pin_dir"
fi

# -------------------------------------------------------- a clean stop

ids_before=$(for p in $pins; do echo "$p $(map_id "$pin_dir/$p")"; done)
was_attached=false
any_attached && was_attached=true
service_stop "first stop"
# (only meaningful when something was attached before the stop)
if $was_attached; then
	check "no XDP left on r1-eth0 after the stop" not xdp_on "$r1" r1-eth0
	check "no XDP left on r1-eth1 after the stop" not xdp_on "$r1" r1-eth1
	check "no TC filter left on r1-eth0 after the stop" not tc_on "$r1" r1-eth0
	check "no TC filter left on r1-eth1 after the stop" not tc_on "$r1" r1-eth1
	if any_attached; then
		in_ns "$r1" bpftool net show 2>&1 | indent
	fi
else
	info "detaching on stop not checked: nothing was attached"
fi
pins_after=$(cd "$pin_dir" 2>/dev/null && ls || true)
if [ "$npins" -gt 0 ]; then
	check "the pins are left in $pin_dir after the stop ($(echo "$pins_after" | wc -w) of $npins)" \
		[ "$pins_after" = "$pins" ]
	ids_after=$(for p in $pins; do echo "$p $(map_id "$pin_dir/$p")"; done)
	check "the pinned maps are the same maps (ids) after the stop" [ "$ids_after" = "$ids_before" ]
else
	info "pins left by the stop not checked: there were none"
fi

# A switch left set by hand (or by an earlier run) in meta_map: both
# families marked incomplete would send every packet to the kernel, which
# does not forward here. The restart must not trust it.
meta_json=$(bpftool -j map lookup pinned "$pin_dir/meta_map" key 0 0 0 0 2>&1) || true
abi=$(echo "$meta_json" | jget - formatted.value.abi_version)
if [ -n "$abi" ]; then
	bpftool map update pinned "$pin_dir/meta_map" key 0 0 0 0 \
		value $(le32 "$abi") $(le32 3) $(le64 0) 2>&1 | indent
	flags=$(bpftool -j map lookup pinned "$pin_dir/meta_map" key 0 0 0 0 |
		jget - formatted.value.flags)
	check "meta_map flags set by hand to 3 (FIB4|FIB6 incomplete) before the restart (reads $flags)" [ "$flags" = 3 ]
else
	fail "meta_map readable with bpftool after the stop"
	echo "$meta_json" | indent
fi

# ------------------------------------------------------------- restart

write_daemons "$sizes2"
lines=$(wc -l <"$log")
service_start "restart"
if ! alive "$zebra_pid" || [ "$zebra_pid" = "$zebra_pid1" ]; then
	fail "a new zebra runs after the restart (pid $zebra_pid, before $zebra_pid1)"
fi
tail -n +$((lines + 1)) "$log" >"$ST_TMP/log2"
if grep -q "ebpf: datapath loaded, maps reused in $pin_dir" "$ST_TMP/log2"; then
	pass "the restart reuses the pins (log: $(grep -o 'maps reused in .*' "$ST_TMP/log2" | head -n 1))"
else
	fail "the restart reuses the pins: no \"maps reused in $pin_dir\" in zebra's log"
	grep -i ebpf "$ST_TMP/log2" | head -n 20 | indent
fi
check "the changed size replaces rt_v4_map (log: resizing rt_v4_map from 4096 to 8192)" \
	grep -q "resizing rt_v4_map from 4096 to 8192 entries" "$ST_TMP/log2"
# the IPv4 ranges' pool is sized from ipv4-routes too (3 entries a route)
check "... and fib4_dxr_range (log: resizing fib4_dxr_range from 48 to 96)" \
	grep -q "resizing fib4_dxr_range from 48 to 96 entries" "$ST_TMP/log2"
check_sizes "restart" "$sizes2" "$expect2"
ids_new=$(for p in $pins; do echo "$p $(map_id "$pin_dir/$p")"; done)
same=$(echo "$ids_before" | grep -v '^rt_v4_map \|^fib4_dxr_range ' | sort)
now=$(echo "$ids_new" | grep -v '^rt_v4_map \|^fib4_dxr_range ' | sort)
check "the other maps are the same pinned maps (ids) as before the restart" \
	[ -n "$same" -a "$same" = "$now" -a "$npins" -gt 0 ]
# (The run may set switches of its own, such as DP_META_F_PUNT4 for the
# ranges it leaves to the kernel: only the ones set by hand must go.)
got=$(jget "$ST_TMP/dp.json" metaFlags)
flags=$(bpftool -j map lookup pinned "$pin_dir/meta_map" key 0 0 0 0 |
	jget - formatted.value.flags)
check "the switches set by hand are cleared (show: metaFlags ${got:-?}, meta_map: flags ${flags:-?}; 3 was set)" \
	both "$(((${got:-3}) & 3))" 0 "$(((${flags:-3}) & 3))" 0
check_attached "restart"
pings "restart"
was_attached=false
any_attached && was_attached=true
service_stop "final stop"
if $was_attached; then
	check "no program left attached after the final stop" not any_attached
else
	info "detaching on the final stop not checked: nothing was attached"
fi

# ---------------------- maps of another layout under an earlier run's programs

# An upgrade to a build whose maps have another layout, and zebra started
# again by watchfrr after a crash: the earlier run's programs are still
# attached and would forward from maps nothing updates any more. The new
# zebra refuses the pins (the operator decides about them), detaches
# those programs so that the kernel forwards, and says why.
lines_ok=$(wc -l <"$log")
service_start "before the crash"
check_attached "before the crash"
meta_json=$(bpftool -j map lookup pinned "$pin_dir/meta_map" key 0 0 0 0 2>&1) || true
abi=$(echo "$meta_json" | jget - formatted.value.abi_version)
mflags=$(echo "$meta_json" | jget - formatted.value.flags)
mtrust=$(echo "$meta_json" | jget - formatted.value.trusted_until)
bpftool map update pinned "$pin_dir/meta_map" key 0 0 0 0 \
	value $(le32 $((${abi:-0} + 1000))) $(le32 "${mflags:-0}") \
	$(le64 "${mtrust:-0}") 2>&1 | indent
old_pid=$(pidof_daemon zebra)
kill -9 "$old_pid"
new_zebra() {
	p=$(pidof_daemon zebra)
	[ -n "$p" ] && [ "$p" != "$old_pid" ] && alive "$p"
}
# (watchfrr restarts a daemon at most once a minute: -m, 60 s by default)
if wait_for 150 new_zebra; then
	pass "watchfrr starts zebra again after kill -9 (pid $(pidof_daemon zebra))"
else
	fail "watchfrr starts zebra again after kill -9 (pid file: '$(pidof_daemon zebra)', killed $old_pid)"
	ps -eo pid,args | grep '[z]ebra' | indent
fi
check "the new zebra detached the earlier run's programs" wait_for 30 not any_attached
vt 'show ebpf dataplane json' "$ST_TMP/dp3.json" || true
err3=$(jget "$ST_TMP/dp3.json" error)
check "show ebpf dataplane json: not loaded, layout refused, programs detached (${err3:-no error})" \
	both "$(jget "$ST_TMP/dp3.json" loaded)" false \
	"$(contains "$err3" "layout version" && contains "$err3" "were detached" && echo yes)" yes
check "zebra's log names the interfaces whose programs it detached" \
	grep -q "ebpf: r1-eth0: an earlier run's programs detached" "$log"
service_stop "after the layout refusal"

# ------------------------------------------------------------ the logs

privcheck_verdict "$privlog" "zebra"
# up to the layout section, which logs its refusal on purpose
errors=$(head -n "$lines_ok" "$log" | grep -E '\[EC [0-9]+\]' |
	grep -i -e ebpf -e bpf -e xdp || true)
if [ -z "$errors" ]; then
	pass "no error about the datapath in zebra's log"
else
	fail "no error about the datapath in zebra's log: $(echo "$errors" | wc -l) lines:"
	echo "$errors" | head -n 10 | indent
fi
info "zebra's ebpf lines:"
grep -i 'ebpf' "$log" | cut -d' ' -f2- | head -n 30 | indent

finished=true
st_summary

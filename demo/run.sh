#!/bin/bash
# frr-ebpf demo: two routers running Debian's zebra (with the dplane_ebpf.so
# plugin) and bgpd route between two hosts over two parallel links (ECMP),
# with kernel forwarding off: every packet between the hosts is forwarded by
# the eBPF datapath.
#
#     demo_h1 ---- demo_r1 ==== demo_r2 ---- demo_h2
#          h1-eth0  r1-eth0  r1-eth1 r2-eth1  r2-eth0  h2-eth0
#                            r1-eth2 r2-eth2
#
# usage: demo/run.sh [--kernel]
#   --kernel   same demo without the plugin, kernel forwarding on (baseline)
#
# Environment: EBPF_MODULE (default frr-plugin/dplane_ebpf.so), EBPF_VTYSH
# (default vtysh/vtysh). Needs root, iperf3 and ethtool. Everything it creates
# (namespaces demo_*, daemons, a temporary directory) is removed on exit; it
# stops only the processes it started.
#
# Each router's daemons run under `ip netns exec`, which gives them a mount
# namespace with the router's own /sys: the plugin mounts a bpffs there and
# pins into it, so the routers' pins never meet each other or the host's,
# and they disappear with the daemons.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
module=${EBPF_MODULE:-$repo/frr-plugin/dplane_ebpf.so}
vtysh_bin=${EBPF_VTYSH:-$repo/vtysh/vtysh}
frrdir=/usr/lib/frr

routers="demo_r1 demo_r2"
hosts="demo_h1 demo_h2"
use_plugin=1
# shellcheck source=demo/lib.sh
. "$here/lib.sh"

case ${1:-} in
--kernel) use_plugin=0 ;;
"") ;;
*) echo "usage: $0 [--kernel]" >&2; exit 2 ;;
esac

for tool in iperf3 ethtool "$frrdir/zebra" "$frrdir/bgpd"; do
	command -v "$tool" >/dev/null || die "$tool not found"
done
if [ $use_plugin = 1 ]; then
	[ -f "$module" ] || die "plugin not built: $module (or use --kernel)"
	[ -x "$vtysh_bin" ] || die "plugin-aware vtysh not built: $vtysh_bin"
else
	vtysh_bin=/usr/bin/vtysh
fi

namespaces="$routers $hosts"
tmp=$(mktemp -d /tmp/frr-ebpf-demo.XXXXXX)
demo_init

# ------------------------------------------------------------------ topology

say "topology: demo_h1 -- demo_r1 == demo_r2 -- demo_h2"
link demo_h1 h1-eth0 demo_r1 r1-eth0
link demo_r1 r1-eth1 demo_r2 r2-eth1
link demo_r1 r1-eth2 demo_r2 r2-eth2
link demo_r2 r2-eth0 demo_h2 h2-eth0

host_addr() { # ns if v4 v6 gw4 gw6
	ip -n "$1" addr add "$3" dev "$2"
	ip -n "$1" -6 addr add "$4" dev "$2" nodad
	ip -n "$1" route add default via "$5"
	ip -n "$1" -6 route add default via "$6"
}
host_addr demo_h1 h1-eth0 192.168.1.2/24 2001:db8:1::2/64 192.168.1.1 2001:db8:1::1
host_addr demo_h2 h2-eth0 192.168.2.2/24 2001:db8:2::2/64 192.168.2.1 2001:db8:2::1

fwd=$([ $use_plugin = 1 ] && echo 0 || echo 1)
for r in $routers; do
	in_ns "$r" sysctl -qw net.ipv4.ip_forward="$fwd" net.ipv6.conf.all.forwarding="$fwd" \
		net.ipv4.fib_multipath_hash_policy=1 net.ipv6.fib_multipath_hash_policy=1
done

# ------------------------------------------------------------------- routers

write_configs() { # router n(1|2) as peer_as
	r=$1 n=$2 as=$3 peer_as=$4 p=$((3 - $2))
	d=$tmp/$r
	mkdir -p "$d"
	{
		echo "hostname $r"
		if [ $use_plugin = 1 ]; then
			echo "no ip forwarding"
			echo "no ipv6 forwarding"
		else
			echo "ip forwarding"
			echo "ipv6 forwarding"
		fi
		echo "interface r$n-eth0"
		echo " ip address 192.168.$n.1/24"
		echo " ipv6 address 2001:db8:$n::1/64"
		echo "exit"
		for l in 1 2; do
			echo "interface r$n-eth$l"
			echo " ip address 10.0.$l.$n/24"
			echo " ipv6 address fd00:$l::$n/64"
			echo "exit"
		done
		if [ $use_plugin = 1 ]; then
			echo "ebpf"
			echo " interface r$n-eth0"
			echo " interface r$n-eth1"
			echo " interface r$n-eth2 mode tc"
			echo "exit"
		fi
	} >"$d/zebra.conf"
	{
		echo "router bgp $as"
		echo " bgp router-id 10.255.0.$n"
		echo " no bgp ebgp-requires-policy"
		echo " no bgp default ipv4-unicast"
		echo " timers bgp 3 9"
		for l in 1 2; do
			echo " neighbor 10.0.$l.$p remote-as $peer_as"
			echo " neighbor fd00:$l::$p remote-as $peer_as"
		done
		echo " address-family ipv4 unicast"
		echo "  network 192.168.$n.0/24"
		echo "  neighbor 10.0.1.$p activate"
		echo "  neighbor 10.0.2.$p activate"
		echo "  maximum-paths 8"
		echo " exit-address-family"
		echo " address-family ipv6 unicast"
		echo "  network 2001:db8:$n::/64"
		echo "  neighbor fd00:1::$p activate"
		echo "  neighbor fd00:2::$p activate"
		echo "  maximum-paths 8"
		echo " exit-address-family"
		echo "exit"
	} >"$d/bgpd.conf"
	chown -R frr:frr "$d"
}

write_configs demo_r1 1 65001 65002
write_configs demo_r2 2 65002 65001
plugin_args=""
if [ $use_plugin = 1 ]; then
	say "starting zebra with $(basename "$module") and bgpd on $routers"
	plugin_args="-M $module"
else
	say "starting zebra and bgpd on $routers (kernel forwarding, no plugin)"
fi
for r in $routers; do
	# shellcheck disable=SC2086
	start_daemon "$r" zebra $plugin_args
	start_daemon "$r" bgpd
done

say "kernel forwarding on the routers"
for r in $routers; do
	echo "$r: $(in_ns "$r" sysctl net.ipv4.ip_forward net.ipv6.conf.all.forwarding | tr '\n' ' ')"
done

ecmp_ready() { # router prefix: both paths installed in the kernel
	case $2 in *:*) af=-6 ;; *) af=-4 ;; esac
	[ "$(in_ns "$1" ip $af route show "$2" | grep -c 'nexthop via')" -eq 2 ]
}
say "waiting for BGP (IPv4 and IPv6, two paths each way)"
converged=0
for _ in $(seq 1 60); do
	if ecmp_ready demo_r1 192.168.2.0/24 && ecmp_ready demo_r2 192.168.1.0/24 &&
		ecmp_ready demo_r1 2001:db8:2::/64 && ecmp_ready demo_r2 2001:db8:1::/64; then
		converged=1
		break
	fi
	sleep 1
done
[ $converged = 1 ] || { vtysh demo_r1 -c "show bgp summary"; die "BGP did not converge"; }
in_ns demo_r1 ip route show 192.168.2.0/24
in_ns demo_r1 ip -6 route show 2001:db8:2::/64

# ------------------------------------------------------------------- traffic

not_forwarding() {
	if [ $use_plugin = 1 ]; then
		vtysh demo_r1 -c "show ebpf interface" -c "show ebpf statistics" >&2 || true
	fi
	die "$*"
}

say "ping demo_h1 -> demo_h2 (IPv4, IPv6)"
for dst in 192.168.2.2 2001:db8:2::2; do
	# the first packets may wait for neighbour resolution
	in_ns demo_h1 ping -c 1 -W 2 "$dst" >/dev/null || true
	in_ns demo_h1 ping -c 5 -i 0.2 -W 1 "$dst" >"$tmp/ping" ||
		not_forwarding "ping $dst failed: $(grep transmitted "$tmp/ping")"
	tail -2 "$tmp/ping"
done

pids_files="$pids_files $tmp/iperf3.pid"
in_ns demo_h2 iperf3 -s -D --pidfile "$tmp/iperf3.pid" >/dev/null
for _ in $(seq 1 50); do
	in_ns demo_h2 ss -Hltn 'sport = :5201' | grep -q . && break
	sleep 0.1
done

say "TCP: iperf3 demo_h1 -> demo_h2, IPv4 then IPv6, 3 s each"
for dst in 192.168.2.2 2001:db8:2::2; do
	in_ns demo_h1 iperf3 -c "$dst" -t 3 -f m --connect-timeout 3000 >"$tmp/iperf3" ||
		not_forwarding "iperf3 to $dst failed: $(tail -1 "$tmp/iperf3")"
	grep -E 'sender|receiver' "$tmp/iperf3"
done

tx() { in_ns demo_r1 cat "/sys/class/net/$1/statistics/tx_packets"; }
say "ECMP: 8 parallel TCP streams demo_h1 -> demo_h2; packets out of each r1 uplink"
a=$(tx r1-eth1) b=$(tx r1-eth2)
in_ns demo_h1 iperf3 -c 192.168.2.2 -t 3 -P 8 -f m --connect-timeout 3000 >"$tmp/iperf3" ||
	not_forwarding "iperf3 -P 8 failed: $(tail -1 "$tmp/iperf3")"
grep -E 'SUM.*receiver' "$tmp/iperf3"
echo "r1-eth1: $(($(tx r1-eth1) - a)) packets   r1-eth2: $(($(tx r1-eth2) - b)) packets"

# --------------------------------------------------------------- the plugin

if [ $use_plugin = 1 ]; then
	for cmd in "show ebpf interface" "show ebpf route" "show ebpf nexthop-group" \
		"show ebpf statistics"; do
		say "demo_r1: $cmd"
		vtysh demo_r1 -c "$cmd"
	done
else
	say "demo_r1: show ip route bgp"
	vtysh demo_r1 -c "show ip route bgp"
fi
ok=1

#!/bin/bash
# frr-ebpf load-balancer demo: a VIP serving real HTTP through two frr-ebpf
# nodes behind an ECMP upstream. lb1 and lb2 run Debian's zebra with the
# plugin and bgpd, with kernel forwarding off: every packet between the client
# and the web servers crosses them through the eBPF datapath. Both announce
# the VIP to r0 (plain FRR) while it has a healthy backend; r0 spreads the
# client's connections over them (ECMP), and both pick the same backend for a
# flow (Maglev, same configuration and hash seed).
#
#                     +-- lbdemo_lb1 --+
#   lbdemo_c1 -- lbdemo_r0             lbdemo_sw (bridge) -- lbdemo_b1, lbdemo_b2
#                     +-- lbdemo_lb2 --+
#
# c1 10.1.0.2/24 (gw r0 10.1.0.1); r0-lbN 10.0.N.0/24 (r0 .1, lbN .2);
# backend segment 10.2.0.0/24: lb1 .1, lb2 .2, b1 .11, b2 .12 (HTTP on 8080).
# VIP web: 198.18.0.10 port 80 tcp, maglev, fullnat (a backend answers the
# LB the flow came through, whichever it was), http health checks.
#
# usage: demo/lb.sh
# Environment: EBPF_MODULE, EBPF_VTYSH as for demo/run.sh. Needs root and
# python3. Everything it creates (namespaces lbdemo_*, daemons, web servers,
# a temporary directory) is removed on exit; it stops only what it started.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
module=${EBPF_MODULE:-$repo/frr-plugin/dplane_ebpf.so}
vtysh_bin=${EBPF_VTYSH:-$repo/vtysh/vtysh}
frrdir=/usr/lib/frr
vip=198.18.0.10
lbs="lbdemo_lb1 lbdemo_lb2"
backends="lbdemo_b1 lbdemo_b2"
# shellcheck source=demo/lib.sh
. "$here/lib.sh"

for tool in ethtool python3 "$frrdir/zebra" "$frrdir/bgpd"; do
	command -v "$tool" >/dev/null || die "$tool not found"
done
[ -f "$module" ] || die "plugin not built: $module"
[ -x "$vtysh_bin" ] || die "plugin-aware vtysh not built: $vtysh_bin"

namespaces="lbdemo_c1 lbdemo_r0 $lbs lbdemo_sw $backends"
tmp=$(mktemp -d /tmp/frr-ebpf-lbdemo.XXXXXX)
demo_init

# ------------------------------------------------------------------ topology

say "topology: lbdemo_c1 -- lbdemo_r0 =(ECMP)= lbdemo_lb1, lbdemo_lb2 -- bridge -- lbdemo_b1, lbdemo_b2"
link lbdemo_c1 c1-eth0 lbdemo_r0 r0-eth0
link lbdemo_r0 r0-eth1 lbdemo_lb1 lb1-eth0
link lbdemo_r0 r0-eth2 lbdemo_lb2 lb2-eth0
ip -n lbdemo_sw link add br0 type bridge
ip -n lbdemo_sw link set br0 up
for n in lb1 lb2 b1 b2; do
	link "lbdemo_$n" "$n-eth1" lbdemo_sw "sw-$n"
	ip -n lbdemo_sw link set "sw-$n" master br0
done
ip -n lbdemo_c1 addr add 10.1.0.2/24 dev c1-eth0
ip -n lbdemo_c1 route add default via 10.1.0.1
n=11
for b in $backends; do
	ip -n "$b" addr add "10.2.0.$n/24" dev "${b#lbdemo_}-eth1"
	n=$((n + 1))
done
# r0 is an ordinary router: kernel forwarding on, ECMP hashing on ports so
# that the client's connections spread over both LBs.
in_ns lbdemo_r0 sysctl -qw net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=1
for lb in $lbs; do
	in_ns "$lb" sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0
done

# ---------------------------------------------------------------- web servers

n=1
for b in $backends; do
	mkdir -p "$tmp/$b/www"
	echo "served by b$n" >"$tmp/$b/www/index.html"
	# ip netns exec execs: $! is the server's own pid
	ip netns exec "$b" python3 -m http.server 8080 --bind "10.2.0.1$n" \
		--directory "$tmp/$b/www" >"$tmp/$b/http.log" 2>&1 &
	echo $! >"$tmp/$b/http.pid"
	pids_files="$pids_files $tmp/$b/http.pid"
	n=$((n + 1))
done

# ------------------------------------------------------------------- routers

mkdir -p "$tmp/lbdemo_r0"
cat >"$tmp/lbdemo_r0/zebra.conf" <<EOC
hostname r0
interface r0-eth0
 ip address 10.1.0.1/24
exit
interface r0-eth1
 ip address 10.0.1.1/24
exit
interface r0-eth2
 ip address 10.0.2.1/24
exit
EOC
cat >"$tmp/lbdemo_r0/bgpd.conf" <<EOC
router bgp 65000
 bgp router-id 10.255.0.100
 no bgp ebgp-requires-policy
 timers bgp 3 9
 neighbor 10.0.1.2 remote-as 65001
 neighbor 10.0.2.2 remote-as 65001
 address-family ipv4 unicast
  network 10.1.0.0/24
  maximum-paths 8
 exit-address-family
exit
EOC
n=1
for lb in $lbs; do
	d=$tmp/$lb
	mkdir -p "$d"
	cat >"$d/zebra.conf" <<EOC
hostname lb$n
no ip forwarding
interface lb$n-eth0
 ip address 10.0.$n.2/24
exit
interface lb$n-eth1
 ip address 10.2.0.$n/24
exit
ebpf
 interface lb$n-eth0
 interface lb$n-eth1
 load-balancer
  hash-seed 42
  vip web
   address $vip port 80 protocol tcp
   algorithm maglev
   nat-mode fullnat
   health-check http / status 200 interval 500 rise 2 fall 2
   backend 10.2.0.11 port 8080
   backend 10.2.0.12 port 8080
  exit
 exit
exit
EOC
	cat >"$d/bgpd.conf" <<EOC
router bgp 65001
 bgp router-id 10.255.0.$n
 no bgp ebgp-requires-policy
 timers bgp 3 9
 neighbor 10.0.$n.1 remote-as 65000
 address-family ipv4 unicast
  network $vip/32
 exit-address-family
exit
EOC
	n=$((n + 1))
done
chown -R frr:frr "$tmp"/lbdemo_r0 "$tmp"/lbdemo_lb*

say "starting zebra and bgpd on lbdemo_r0; zebra with $(basename "$module") and bgpd on $lbs"
start_daemon lbdemo_r0 zebra
start_daemon lbdemo_r0 bgpd
for lb in $lbs; do
	start_daemon "$lb" zebra -M "$module"
	start_daemon "$lb" bgpd
done

say "kernel forwarding on the load balancers"
for lb in $lbs; do
	echo "$lb: $(in_ns "$lb" sysctl net.ipv4.ip_forward | tr '\n' ' ')"
done

say "waiting for the backends' health checks and BGP: r0 has two paths to $vip"
paths=0
for _ in $(seq 1 60); do
	paths=$(in_ns lbdemo_r0 ip route show "$vip" | grep -c 'nexthop via' || true)
	[ "$paths" -eq 2 ] && break
	sleep 1
done
if [ "$paths" -ne 2 ]; then
	vtysh lbdemo_lb1 -c "show ebpf load-balancer"
	vtysh lbdemo_r0 -c "show ip bgp"
	die "r0 does not have two paths to the VIP"
fi
in_ns lbdemo_r0 ip route show "$vip"
vtysh lbdemo_lb1 -c "show ip route $vip"

# ------------------------------------------------------------------- traffic

# n GET requests to the VIP, each on a new connection from a new port:
# prints how many each backend served (and fails on any error).
http_gets() {
	in_ns lbdemo_c1 python3 - "$vip" "$1" <<'EOP'
import collections, http.client, sys
vip, n = sys.argv[1], int(sys.argv[2])
seen = collections.Counter()
for _ in range(n):
    c = http.client.HTTPConnection(vip, 80, timeout=5)
    c.request("GET", "/")
    r = c.getresponse()
    if r.status != 200:
        sys.exit("HTTP status %d" % r.status)
    seen[r.read().decode().strip()] += 1
    c.close()
for who, count in sorted(seen.items()):
    print("  %-14s %d requests" % (who, count))
EOP
}

# What the load balancers saw, when a request failed.
lb_failed() {
	for lb in $lbs; do
		vtysh "$lb" -c "show ebpf statistics" -c "show ebpf conntrack" \
			-c "show ebpf load-balancer" >&2 || true
	done
	die "$*"
}

rx() { in_ns lbdemo_r0 cat "/sys/class/net/$1/statistics/tx_packets"; }
say "200 HTTP requests from lbdemo_c1 to http://$vip/ (a new connection each)"
a=$(rx r0-eth1) b=$(rx r0-eth2)
http_gets 200 || lb_failed "HTTP through the VIP failed"
echo "  r0 sent $(($(rx r0-eth1) - a)) packets to lb1 and $(($(rx r0-eth2) - b)) to lb2 (ECMP)"

for lb in $lbs; do
	say "$lb: show ebpf load-balancer"
	vtysh "$lb" -c "show ebpf load-balancer"
done

say "stopping lbdemo_b1's web server: its health checks fail, new connections go to b2"
kill "$(cat "$tmp/lbdemo_b1/http.pid")"
for _ in $(seq 1 20); do
	vtysh lbdemo_lb1 -c "show ebpf load-balancer web json" |
		python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if "down" in json.dumps(d) else 1)' && break
	sleep 0.5
done
http_gets 50 || lb_failed "HTTP through the VIP failed with one backend down"
vtysh lbdemo_lb1 -c "show ebpf load-balancer web"

say "lbdemo_lb1: show ebpf statistics"
vtysh lbdemo_lb1 -c "show ebpf statistics"
ok=1

#!/bin/sh
# The built vtysh must accept the module's configuration block, which
# Debian's vtysh rejects, and still reject what the module does not define.
# `vtysh -C` only parses the file: no daemon is needed.
set -u
vtysh=${VTYSH:-vtysh/vtysh}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

check() { # check EXPECTED(accept|reject) NAME CONFIG
	printf '%b' "$3" > "$tmp/frr.conf"
	if "$vtysh" -C -f "$tmp/frr.conf" > "$tmp/out" 2>&1; then
		got=accept
	else
		got=reject
	fi
	if [ "$got" = "$1" ]; then
		echo "ok: $2 ($got)"
	else
		echo "FAIL: $2: expected $1, got $got"
		cat "$tmp/out"
		status=1
	fi
}

check accept "ebpf block" \
	'ebpf\n interface eth0\n interface eth1 mode tc\nexit\n!\ninterface lo\nexit\n'
check accept "no ebpf" 'no ebpf\n'
check accept "load balancer and NAT nodes" \
	'ebpf\n load-balancer\n  hash-seed 7\n  vip web4\n   address 198.18.0.10 port 80 protocol tcp\n   algorithm maglev\n   persistence timeout 60\n   nat-mode dnat\n   health-check http /healthz status 204 port 8080 interval 500 rise 2 fall 2\n   backend 10.82.1.2 port 8080\n   backend 10.82.2.2 port 8080 weight 50 admin-down\n  exit\n  vip web6\n   address 2001:db8::10 all-ports protocol udp\n   nat-mode fullnat\n   fullnat-source 2001:db8::1\n   backend 2001:db8:1::2 port 0\n  exit\n exit\n nat\n  source 10.0.0.0/8 out-interface eth0 masquerade\n  source fd00::/8 out-interface eth0 pool 2001:db8::100 2001:db8::103\n exit\nexit\n'
check accept "no forms in the nested nodes" \
	'ebpf\n load-balancer\n  no hash-seed\n  vip web4\n   no algorithm\n   no persistence\n   no nat-mode\n   no fullnat-source\n   no health-check\n   no backend 10.82.1.2 port 8080\n  exit\n  no vip web4\n exit\n no load-balancer\n nat\n  no source 10.0.0.0/8 out-interface eth0\n exit\n no nat\nexit\n'
check reject "vip command in the load-balancer node" \
	'ebpf\n load-balancer\n  backend 10.82.1.2 port 8080\n exit\nexit\n'
check reject "nat command outside the nat node" 'ebpf\n source 10.0.0.0/8 out-interface eth0 masquerade\nexit\n'
check reject "unknown command inside ebpf" 'ebpf\n no-such-command\nexit\n'
check reject "ebpf command outside its node" 'interface eth1 mode tc\n'

exit $status

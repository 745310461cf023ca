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
check reject "unknown command inside ebpf" 'ebpf\n no-such-command\nexit\n'
check reject "ebpf command outside its node" 'interface eth1 mode tc\n'

exit $status

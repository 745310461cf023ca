#!/bin/bash
# What both demos share: logging, namespaces, veth links, FRR daemons started
# with their own paths, and a teardown that stops only what the demo started.
#
# The including script sets: namespaces (every namespace it creates), tmp
# (its directory), vtysh_bin, frrdir; then calls demo_init.

say() { printf '\n== %s\n' "$*"; }
die() { echo "demo: $*" >&2; exit 1; }
in_ns() { ns=$1; shift; ip netns exec "$ns" "$@"; }
vtysh() { r=$1; shift; "$vtysh_bin" --vty_socket "$tmp/$r" "$@"; }

pids_files=""
ok=0

demo_cleanup() {
	set +e
	say "teardown"
	# pid files are read once: a daemon removes its own on exit
	pids=""
	for f in $pids_files; do
		pid=$(cat "$f" 2>/dev/null) && pids="$pids $pid"
	done
	for pid in $pids; do kill "$pid" 2>/dev/null; done
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		alive=""
		for pid in $pids; do kill -0 "$pid" 2>/dev/null && alive=1; done
		[ -z "$alive" ] && break
		sleep 0.5
	done
	for pid in $pids; do kill -KILL "$pid" 2>/dev/null; done
	for ns in $namespaces; do
		ip netns del "$ns" 2>/dev/null
	done
	if [ $ok = 1 ]; then
		rm -rf "$tmp"
	else
		echo "demo failed; logs kept in $tmp"
	fi
}

# Refuse to start over a leftover namespace that still runs something (never
# kill what we did not start), create the namespaces, and arm the teardown.
demo_init() {
	[ "$(id -u)" -eq 0 ] || die "needs root"
	for ns in $namespaces; do
		[ -e "/run/netns/$ns" ] || continue
		[ -z "$(ip netns pids "$ns")" ] ||
			die "namespace $ns exists and has processes: $(ip netns pids "$ns" | tr '\n' ' ')"
		ip netns del "$ns"
	done
	chmod 755 "$tmp"
	trap demo_cleanup EXIT
	trap 'exit 130' INT TERM
	for ns in $namespaces; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done
}

# Native XDP redirect into a veth needs GRO on the receiving peer, and TCP
# over XDP needs checksums filled in by the sender (veth artefacts). GRO is
# turned on once both ends are up: set on a veth that is still down, it left
# XDP redirects into the pair dropping here.
link() { # ns1 if1 ns2 if2
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
	ip netns exec "$1" ethtool -K "$2" gro on tx off >/dev/null
	ip netns exec "$3" ethtool -K "$4" gro on tx off >/dev/null
}

start_daemon() { # router daemon [args...]
	r=$1 daemon=$2
	shift 2
	d=$tmp/$r
	pids_files="$pids_files $d/$daemon.pid"
	# Daemons start as root and drop to the frr user themselves; every
	# path is the router's own, so nothing meets a system-wide FRR.
	in_ns "$r" "$frrdir/$daemon" -d --vty_socket "$d" \
		-z "$d/zserv.api" -i "$d/$daemon.pid" -f "$d/$daemon.conf" \
		--log "file:$d/$daemon.log" "$@" 2>"$d/$daemon.stderr" || {
		cat "$d/$daemon.stderr" >&2
		die "$daemon on $r did not start (see $d/$daemon.log)"
	}
}

# shellcheck shell=bash
# FRR daemons in a network namespace, for the benchmarks: sourced by
# bench/*.sh, which define die() and set
#   module, vtysh_bin  the plugin and the plugin-aware vtysh
#   tmp       a directory (frr-owned) for configs, pid files, sockets, logs
#   frr_ns    the namespace the daemons run in
# nsenter, not `ip netns exec`: the daemons keep the host's /sys, so the
# plugin pins where the benchmark can read.

# Root, the built plugin and vtysh, and sharpd (built from FRR's source
# if need be: Debian ships none): sets $sharpd.
frr_bench_require() {
	[ "$(id -u)" -eq 0 ] || die "needs root"
	[ -f "$module" ] || die "plugin not built: $module"
	[ -x "$vtysh_bin" ] || die "plugin-aware vtysh not built: $vtysh_bin"
	sharpd=$("$repo/scripts/build-sharpd.sh" | tail -1) || die "cannot build sharpd"
}

in_ns() { nsenter --net=/run/netns/"$frr_ns" "$@"; }
vtysh() { "$vtysh_bin" --vty_socket "$tmp" "$@"; }

frr_start() { # daemon binary [args...]: started with $tmp/DAEMON.conf
	local d=$1 bin=$2
	shift 2
	in_ns "$bin" -d --vty_socket "$tmp" -z "$tmp/zserv.api" -i "$tmp/$d.pid" \
		-f "$tmp/$d.conf" --log "file:$tmp/$d.log" "$@" 2>"$tmp/$d.stderr" ||
		die "$d did not start: $(cat "$tmp/$d.stderr")"
}

frr_wait_vty() { # daemon...: until each answers on its vty
	local d
	for d in "$@"; do
		for _ in $(seq 1 100); do
			vtysh -d "$d" -c "show version" >/dev/null 2>&1 && break
			sleep 0.1
		done
	done
}

# Namespaces of a benchmark: refuse to take over one that is in use (it
# would be another run's), then start from none.
ns_claim() { # name...
	local n
	for n in "$@"; do
		[ ! -e "/run/netns/$n" ] || [ -z "$(ip netns pids "$n" 2>/dev/null)" ] ||
			die "namespace $n exists and has processes"
	done
	ns_drop "$@"
}

# Delete namespaces. A large table goes first, in bulk: deleting nexthop
# objects removes the routes that use them in one request, and sharpd's
# own routes (protocol 194) go in one flush; the namespace's removal
# would have the kernel withdraw them route by route.
ns_drop() { # name...
	local n
	for n in "$@"; do
		[ -e "/run/netns/$n" ] || continue
		ip -n "$n" nexthop flush >/dev/null 2>&1 || true
		ip -n "$n" route flush proto 194 >/dev/null 2>&1 || true
		ip netns del "$n"
	done
}

# Stop our daemons only, by their pid files, in the order named (default:
# every pid file); kill_signal=KILL for SIGKILL. zebra goes first and by
# SIGKILL when it holds a large table: a clean stop, or a client leaving
# first, would withdraw the table route by route.
frr_stop() { # [daemon...]
	local d pid sig=${kill_signal:-TERM} names=("$@")
	if [ ${#names[@]} -eq 0 ]; then
		for d in "$tmp"/*.pid; do
			[ -f "$d" ] && names+=("$(basename "$d" .pid)")
		done
	fi
	for d in "${names[@]}"; do
		[ -f "$tmp/$d.pid" ] || continue
		pid=$(cat "$tmp/$d.pid")
		kill -"$sig" "$pid" 2>/dev/null || true
		for _ in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
		rm -f "$tmp/$d.pid"
	done
}

# Routes sharpd has seen zebra confirm. `sharp data route`:
# "Prefix: P Total: N INSTALLED REMOVED Time: S.US"
sharp_installed() {
	vtysh -d sharpd -c "sharp data route" 2>/dev/null |
		sed -n 's/.*Total: [0-9]* \([0-9]*\) .*/\1/p'
}

# `show ebpf dataplane json`, one python expression on it (j)
dp_json() {
	vtysh -d zebra -c "show ebpf dataplane json" |
		python3 -c "import json,sys; j = json.load(sys.stdin); print($1)"
}

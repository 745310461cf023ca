#!/bin/sh
# The module must refuse to run inside a zebra whose libfrr is not the one it
# was built against: zebra exits with status 1 and says why, instead of
# running with mismatched struct layouts.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
good=${EBPF_MODULE:-$top/frr-plugin/dplane_ebpf.so}
bad=$top/tests/module/dplane_ebpf_badver.so
passed=0 failed=0

[ "$(id -u)" -eq 0 ] || { echo "test_version_guard: needs root"; exit 77; }
dir=$(mktemp -d /tmp/guardtest.XXXXXX)
chown frr:frr "$dir"
trap 'rm -rf "$dir"' EXIT

# zebra in a private network namespace, its own paths; -t keeps it in front.
run_zebra() {
	: > "$dir/zebra.conf"
	chown frr:frr "$dir/zebra.conf"
	timeout "$2" unshare -n /usr/lib/frr/zebra -M "$1:pin-dir=/sys/fs/bpf/guardtest-$$" \
		-f "$dir/zebra.conf" -z "$dir/zserv.api" -i "$dir/zebra.pid" \
		--vty_socket "$dir" -u frr -g frr >"$dir/out" 2>&1
}

check() {
	if [ "$1" = ok ]; then
		passed=$((passed + 1)); echo "ok: $2"
	else
		failed=$((failed + 1)); echo "FAIL: $2"; sed 's/^/    /' "$dir/out"
	fi
}

run_zebra "$bad" 20
rc=$?
[ $rc -eq 1 ] && r=ok || r=fail
check $r "zebra exits with status 1 with a module built for another FRR (status $rc)"
grep -q "built against FRR 0.0.0-guardtest but this zebra runs libfrr" "$dir/out" && r=ok || r=fail
check $r "the refusal names both versions"

# The real module must let the same zebra run (timeout ends it: status 124).
run_zebra "$good" 5
rc=$?
[ $rc -eq 124 ] && r=ok || r=fail
check $r "zebra keeps running with the module built for it (status $rc)"
rm -rf "/sys/fs/bpf/guardtest-$$"

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]

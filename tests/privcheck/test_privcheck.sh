#!/bin/sh
# bpf_privcheck.so does what Debian 12's kernel 6.1 does: a bpf() call
# from a thread without CAP_BPF or CAP_SYS_ADMIN in its effective set
# fails with EPERM, and the shim says which call it was (stderr and the
# BPF_PRIVCHECK_LOG file). Without the shim this kernel lets the same
# calls through, which is why the other tests preload it.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# The built files (make check builds them next to this script, or in the
# build tree when that is elsewhere).
bld=${PRIVCHECK_BUILDDIR:-$(pwd)/tests/privcheck}
[ -x "$bld/privcheck_selftest" ] || bld=$top/tests/privcheck
shim=$bld/bpf_privcheck.so
selftest=$bld/privcheck_selftest

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (bpf() with capabilities)"; exit 77; }
for f in "$shim" "$selftest"; do
	[ -e "$f" ] || { echo "FAIL: $f is missing (make check builds it)"; exit 1; }
done

log=$(mktemp /tmp/st_privcheck.XXXXXX)
trap 'rm -f "$log"' EXIT
passed=0 failed=0
res() { # STATUS-OF-CHECK TEXT
	if [ "$1" -eq 0 ]; then
		passed=$((passed + 1)); echo "PASS: $2"
	else
		failed=$((failed + 1)); echo "FAIL: $2"
	fi
}

# The self-test's own checks count as one each here.
count() {
	p=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$1")
	f=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$1")
	grep -v ' passed, .* failed$' "$1" || true
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-1}))
}

out=$(mktemp /tmp/st_privcheck_out.XXXXXX)
trap 'rm -f "$log" "$out"' EXIT
LD_PRELOAD=$shim BPF_PRIVCHECK_LOG=$log "$selftest" shim >"$out" 2>"$out.err" || true
count "$out"
n=$(grep -c 'bpf(BPF_MAP_LOOKUP_ELEM) without CAP_BPF or CAP_SYS_ADMIN' "$log" || true)
[ "$n" -eq 2 ]
res $? "the shim logged the 2 refused calls naming the command ($n lines in BPF_PRIVCHECK_LOG)"
n=$(grep -c '^bpf_privcheck: pid .*bpf(BPF_MAP_LOOKUP_ELEM)' "$out.err" || true)
[ "$n" -eq 2 ]
res $? "... and on stderr ($n lines)"
sed 's/^/    /' "$log"
rm -f "$out.err"

# Without the shim: this kernel's own answer, to show what the shim adds.
"$selftest" noshim >"$out" 2>&1 || true
sed 's/^\(PASS\|FAIL\): /\1: no shim: /' "$out" >"$out.2"
count "$out.2"
rm -f "$out.2"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/bin/sh
# bench/chain_xdp inside Debian 12's kernel 6.1 under qemu: libxdp's
# dispatcher needs freplace programs, which this machine's kernel refuses.
# The VM runs on TCG (KVM hangs on these machines): its nanoseconds are
# emulated ones, several times the host's, so only the ratios to "ours
# alone" of the same run mean anything.
#
# usage: bench/chain_xdp_qemu.sh [chain_xdp arguments]
# Exit status: chain_xdp's; 77 when qemu or the kernel package cannot be had.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
bin=${BENCH_BIN:-$here}
ip=$(command -v ip)
[ -L "$ip" ] && ip=$(readlink -f "$ip")
guest=$(mktemp)
trap 'rm -f "$guest"' EXIT
cat >"$guest" <<'GUEST'
# Runs in the VM (tests/qemu/guest-init.sh): the benchmark, its output on
# the console for the host to print.
/usr/local/bin/chain_xdp --noop-object /test/user_progs.bpf.o $CHAIN_XDP_ARGS
GUEST
out=$(QEMU_TIMEOUT=${QEMU_TIMEOUT:-600} "$top/tests/qemu/run.sh" \
	--bin "$bin/chain_xdp=/usr/local/bin/chain_xdp" \
	--bin "$ip=/usr/bin/ip" \
	--file "$top/tests/chain/user_progs.bpf.o=/test/user_progs.bpf.o" \
	--file /usr/lib/x86_64-linux-gnu/bpf/xdp-dispatcher.o \
	--kmod veth \
	--env "BENCH_IP=/usr/bin/ip" \
	--env "CHAIN_XDP_ARGS=$*" \
	"$guest") && rc=0 || rc=$?
echo "$out" | sed -n '/^bench\/chain_xdp:/,/^packets left out/p'
[ $rc -eq 0 ] || echo "$out" | tail -n 30
exit $rc

#!/bin/sh
# Run every benchmark, one after the other, and print their tables under a
# header naming the machine (what bench/RESULTS.md records). `make bench`
# runs this after building the programs.
#
# usage: bench/run.sh [--quick] [NAME...]
#   NAME     fib forward install failover stall maglev health zebra-health lb
#            lb-throughput policer chain restart dxr (default: all, in this order)
#   --quick  small tables and short rounds: checks that everything runs
#            (a minute or so); its figures are not the ones to publish
#
# Environment: BENCH_BIN (built programs; default: this directory),
# EBPF_MODULE, EBPF_VTYSH (for install, failover, stall, zebra-health). Needs root (and nft
# for lb-throughput). Exits non-zero if a
# benchmark failed; the others still run.
set -u

here=$(cd "$(dirname "$0")" && pwd)
bin=${BENCH_BIN:-$here}
export BENCH_BIN="$bin"
quick=0
names=""
for arg in "$@"; do
	case $arg in
	--quick) quick=1 ;;
	fib | forward | install | failover | stall | maglev | health | zebra-health | lb | lb-throughput | policer | chain | restart | dxr)
		names="$names $arg" ;;
	*) echo "usage: $0 [--quick] [fib|forward|install|failover|stall|maglev|health|zebra-health|lb|lb-throughput|policer|chain|restart|dxr]..." >&2; exit 2 ;;
	esac
done
[ -n "$names" ] || names="fib forward install failover stall maglev health zebra-health lb lb-throughput policer chain restart dxr"
[ "$(id -u)" -eq 0 ] || { echo "bench: needs root" >&2; exit 2; }

if [ $quick = 1 ]; then
	fib_args="--v4 1K,100K --v6 10K --packets 20K --rounds 3"
	forward_args="--seconds 1 --rounds 2"
	forward_sizes="100K"
	failover_args="--routes 100000"
	install_args="--quick"
	stall_args="--quick"
	maglev_args="--backends 8,64,256 --flows 100K --removals 8 --rounds 2"
	health_args="--backends 200 --seconds 6 --baseline 4"
	zhealth_args="--quick"
	lb_args="--flows 10K --packets 10K --syns 2K --rounds 3"
	dxr_args="--quick"
	lbtput_args="--seconds 0.5 --rounds 1 --flows 16K --ct 1M"
	policer_args="--packets 10K --rounds 2 --seconds 0.5"
	chain_args="--seconds 0.5 --rounds 1"
	chain_xdp_args="--packets 1000 --rounds 2"
	restart_args="20000 5000"
else
	fib_args=""
	forward_args=""
	# issue 10: where most routers live and a full table
	forward_sizes="10K 1M"
	failover_args=""
	install_args=""
	stall_args=""
	maglev_args=""
	health_args=""
	zhealth_args=""
	lb_args=""
	dxr_args=""
	lbtput_args=""
	policer_args=""
	chain_args=""
	restart_args="1000000 250000"
	chain_xdp_args="--packets 10000 --rounds 5"
fi

echo "frr-ebpf benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1),"
echo "         kernel $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "tree:    $(git -C "$here/.." describe --always --dirty 2>/dev/null || echo unknown)"

status=0
for name in $names; do
	echo
	echo "==================================================================== $name"
	start=$(date +%s)
	case $name in
	fib)
		# shellcheck disable=SC2086
		"$bin/fib" $fib_args || status=1 ;;
	forward)
		for n in $forward_sizes; do
			# shellcheck disable=SC2086
			"$bin/forward" --routes "$n" $forward_args || status=1
		done ;;
	install)
		# shellcheck disable=SC2086
		"$here/install.sh" $install_args || status=1 ;;
	failover)
		# shellcheck disable=SC2086
		"$here/failover.sh" $failover_args || status=1 ;;
	stall)
		# shellcheck disable=SC2086
		"$here/stall.sh" $stall_args || status=1 ;;
	maglev)
		# shellcheck disable=SC2086
		"$bin/maglev" $maglev_args || status=1 ;;
	health)
		# shellcheck disable=SC2086
		"$bin/health" $health_args || status=1 ;;
	zebra-health)
		# shellcheck disable=SC2086
		"$here/zebra_health.sh" $zhealth_args || status=1 ;;
	lb)
		# shellcheck disable=SC2086
		"$bin/lb" $lb_args || status=1 ;;
	dxr)
		# shellcheck disable=SC2086
		"$bin/dxr" $dxr_args || status=1 ;;
	policer)
		# shellcheck disable=SC2086
		"$bin/policer" $policer_args || status=1 ;;
	chain)
		# shellcheck disable=SC2086
		"$bin/chain" $chain_args || status=1
		# libxdp's dispatcher: only where freplace runs, Debian's 6.1
		echo
		# shellcheck disable=SC2086
		"$here/chain_xdp_qemu.sh" $chain_xdp_args && rc=0 || rc=$?
		case $rc in
		0) ;;
		77) echo "chain_xdp: skipped (no qemu or no Debian 6.1 kernel package)" ;;
		*) status=1 ;;
		esac ;;
	lb-throughput)
		# shellcheck disable=SC2086
		"$bin/lb_throughput" $lbtput_args || status=1 ;;
	restart)
		# the FIB taken over at a restart (tests/fib/bench_fib)
		# shellcheck disable=SC2086
		"$bin/../tests/fib/bench_fib" --restart $restart_args || status=1 ;;
	esac
	echo "($name: $(($(date +%s) - start)) s)"
done
exit $status

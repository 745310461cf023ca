#!/bin/sh
# The whole test suite, as CI runs it (.ci/run): install the dependencies,
# build, run the unit tests (make check), the topotests, the short
# transparency check (FRR's own topotests with and without the module,
# tests/transparency/README.md) and the benchmarks' validity checks. Runs every test
# stage it can, prints a summary, and exits non-zero if anything failed.
#
# Environment: JOBS (parallel make jobs, default nproc), FRR_SOURCE
# (configured FRR tree, default: fetched by scripts/frr-source.sh),
# SKIP_DEPS=1 (do not run install-deps.sh).
set -u
cd "$(dirname "$0")/.." || exit 1

summary=""
failed=0

# run NAME COMMAND...: run one stage, record its outcome and duration.
run() {
	name=$1
	shift
	echo "=== $name: $*"
	start=$(date +%s)
	if "$@"; then
		status=PASS
	else
		status=FAIL
		failed=1
	fi
	secs=$(($(date +%s) - start))
	echo "=== $name: $status (${secs}s)"
	summary="$summary$(printf '%-12s %s %6ss' "$name" "$status" "$secs")
"
	[ "$status" = PASS ]
}

finish() {
	echo
	echo "=== summary"
	printf '%s' "$summary"
	if [ "$failed" = 0 ]; then
		echo "=== all stages passed"
	else
		echo "=== FAILED"
	fi
	exit "$failed"
}

if [ "${SKIP_DEPS:-0}" != 1 ]; then
	run deps ./scripts/install-deps.sh || finish
fi
run build ./scripts/build.sh || finish
run unit make -j"${JOBS:-$(nproc)}" check

if [ -x tests/topotests/run.sh ]; then
	run topotests tests/topotests/run.sh
else
	summary="$summary$(printf '%-12s %s' topotests 'SKIP (no tests/topotests/run.sh)')
"
fi

run transparency tests/transparency/run.sh --short
# Not a timing: the benchmarks' own checks (every frame forwarded by the
# datapath, the same next hop as the kernel; zebra's health checks all ran,
# with answering backends up and silent ones down) on small tables, so that
# a datapath change cannot silently turn a benchmark into a measure of the
# kernel.
run bench-check make bench BENCH_ARGS="--quick fib forward maglev zebra-health lb lb-throughput policer chain restart dxr"

finish

#!/bin/sh
# The demo: install the dependencies, build, then run demo/run.sh.
# Environment: as for scripts/test-all.sh (JOBS, FRR_SOURCE, SKIP_DEPS=1).
set -eu
cd "$(dirname "$0")/.."

if [ "${SKIP_DEPS:-0}" != 1 ]; then
	./scripts/install-deps.sh
fi
./scripts/build.sh
exec demo/run.sh "$@"

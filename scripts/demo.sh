#!/bin/sh
# The demo: install the dependencies, build, then run demo/run.sh (routing)
# and demo/lb.sh (a load-balanced VIP serving HTTP through two LB nodes).
# Environment: as for scripts/test-all.sh (JOBS, FRR_SOURCE, SKIP_DEPS=1).
set -eu
cd "$(dirname "$0")/.."

if [ "${SKIP_DEPS:-0}" != 1 ]; then
	./scripts/install-deps.sh
fi
./scripts/build.sh
demo/run.sh "$@"
# The load balancer needs the plugin: not part of the --kernel baseline.
case ${1:-} in
--kernel) ;;
*) exec demo/lb.sh ;;
esac

#!/bin/sh
# Run frr-ebpf's topotests on FRR's own topotest library (see README.md).
#
# usage: tests/topotests/run.sh [--dry-run] [PYTEST ARGS...] [TEST FILES...]
#
#   --dry-run   plain FRR with kernel forwarding on, no plugin: validates the
#               topologies and helpers; checks that need the plugin are skipped
#
# Environment:
#   EBPF_MODULE       zebra module (default: frr-plugin/dplane_ebpf.so)
#   EBPF_VTYSH        plugin-aware vtysh (default: vtysh/vtysh); conftest.py puts
#                     it first on the PATH the routers run `vtysh` from
#   TOPOTEST_RUNDIR   logs, junit XML and per-router files
#                     (default: /tmp/topotests-frr-ebpf)
#   FRR_SOURCE        configured FRR source tree (default: scripts/frr-source.sh)
#
# Exits with pytest's status: non-zero when anything failed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

[ "$(id -u)" -eq 0 ] || { echo "run.sh: topotests need root" >&2; exit 2; }

FRR_SOURCE=${FRR_SOURCE:-$("$repo/scripts/frr-source.sh")}
export FRR_SOURCE
rundir=${TOPOTEST_RUNDIR:-/tmp/topotests-frr-ebpf}
mkdir -p "$rundir"

tests=""
for arg in "$@"; do
	case $arg in
	*test_*.py | *test_*.py::*) tests=1 ;;
	esac
done
if [ -z "$tests" ]; then
	set -- "$@" "$here"/*/test_*.py
fi

cd "$here"
# Debian's python3 has python3-pytest; a pyenv python on PATH would not.
exec /usr/bin/python3 -m pytest \
	--rundir="$rundir" \
	--ebpf-module="${EBPF_MODULE:-$repo/frr-plugin/dplane_ebpf.so}" \
	--ebpf-vtysh="${EBPF_VTYSH:-$repo/vtysh/vtysh}" \
	-p no:cacheprovider -rfEsp --tb=short --show-capture=no \
	"$@"

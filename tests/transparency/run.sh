#!/bin/sh
# Transparency check: FRR's own topotests with and without dplane_ebpf.so
# (see README.md).
#
# usage: tests/transparency/run.sh [--short | --long | --list FILE] [OPTIONS] [TEST...]
#        tests/transparency/run.sh --compare [RUNDIR]
#
#   --short            the short selection, short.list (default)
#   --long             the long selection, long.list
#   TEST...            FRR topotest directories, files or node ids instead
#   --datapath MODE    tc (default), xdp, or none (module loaded, no interface)
#   --only MODE        baseline or module: one run, no comparison
#   --baseline-vtysh system   baseline routers run Debian's vtysh (default:
#                      the plugin-aware vtysh in both runs)
#   --timeout SECONDS  per pytest session (default 1800)
#   --compare [RUNDIR] compare the runs kept in RUNDIR again
#
# Environment: EBPF_MODULE (default frr-plugin/dplane_ebpf.so), EBPF_VTYSH
# (default vtysh/vtysh), TRANSPARENCY_RUNDIR (default
# /tmp/frr-ebpf-transparency), FRR_SOURCE (default scripts/frr-source.sh).
#
# Exits 0 when every test has the same outcomes in both runs and no daemon
# logged a warning or error line in the module run that it did not log in the
# baseline run; 1 when they differ; 2 on a usage or setup error.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "run.sh: topotests need root" >&2; exit 2; }

if [ "${1:-}" = --compare ]; then
	exec /usr/bin/python3 "$here/transparency.py" compare \
		"${2:-${TRANSPARENCY_RUNDIR:-/tmp/frr-ebpf-transparency}}"
fi
# Debian's python3 has python3-pytest; a pyenv python on PATH would not.
exec /usr/bin/python3 "$here/transparency.py" run "$@"

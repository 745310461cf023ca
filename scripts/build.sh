#!/bin/sh
# Build frr-ebpf in the source tree: bootstrap and configure when that has
# not been done yet, then make. Extra arguments go to ./configure
# (FRR_SOURCE=DIR in the environment means --with-frr-source=DIR).
set -eu
cd "$(dirname "$0")/.."

if [ ! -x configure ]; then
	./bootstrap.sh
fi
if [ ! -f Makefile ] || [ ! -f config.status ]; then
	if [ -n "${FRR_SOURCE:-}" ]; then
		set -- --with-frr-source="$FRR_SOURCE" "$@"
	fi
	./configure "$@"
fi
exec make -j"${JOBS:-$(nproc)}"

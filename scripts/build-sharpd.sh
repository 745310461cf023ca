#!/bin/sh
# Build FRR's sharpd (the route-scale test daemon, which Debian's frr package
# leaves out) from the configured FRR source of the installed version,
# against the installed libfrr.so.0, and print the path of the binary.
#
# usage: build-sharpd.sh       prints e.g. /var/cache/frr-ebpf/frr-<ver>/sharpd/sharpd
#
# The binary goes next to its sources in the FRR tree (FRR_SOURCE, else
# scripts/frr-source.sh), which is keyed on the frr package version, so a
# package upgrade gets a new tree and a new sharpd. Compiled directly with
# gcc rather than through FRR's Makefile: that would rebuild libfrr and, on
# a tree whose generated files carry unlucky timestamps, lib/clippy too.
# A binary newer than its inputs is reused at once.
set -eu

log() { echo "build-sharpd: $*" >&2; }
die() { log "error: $*"; exit 1; }

here=$(cd "$(dirname "$0")" && pwd)
src=${FRR_SOURCE:-$("$here/frr-source.sh")}
[ -f "$src/sharpd/sharp_main.c" ] || die "no sharpd sources in FRR tree $src"
[ -x "$src/lib/clippy" ] || die "$src is not configured (no lib/clippy): run scripts/frr-source.sh"

libdir=/usr/lib/x86_64-linux-gnu/frr
libfrr=$(ldd /usr/lib/frr/zebra | sed -n 's/^[[:space:]]*libfrr\.so\.0 => \([^ ]*\) .*/\1/p')
[ -n "$libfrr" ] || libfrr=$libdir/libfrr.so.0
[ -f "$libfrr" ] || die "the installed libfrr.so.0 was not found"
libdir=$(dirname "$libfrr")

out="$src/sharpd/sharpd"
sources="sharp_main.c sharp_nht.c sharp_zebra.c sharp_vty.c sharp_logpump.c"

inputs() {
	for f in $sources sharp_globals.h sharp_nht.h sharp_vty.h sharp_zebra.h; do
		echo "$src/sharpd/$f"
	done
	echo "$src/config.h"
	echo "$libfrr"
	echo "$0"
}

# Built, and no input is newer than the binary.
up_to_date() {
	[ -x "$out" ] || return 1
	[ -z "$(inputs | xargs -d '\n' -I@ find @ -newer "$out")" ]
}

if up_to_date; then
	echo "$out"
	exit 0
fi

# One build at a time in a shared tree; a waiter then finds it built.
exec 9>"$src/sharpd/.build-sharpd.lock"
flock 9
if up_to_date; then
	echo "$out"
	exit 0
fi

log "building sharpd in $src/sharpd"
tmp=$(mktemp -d "$src/sharpd/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# DEFPY needs clippy's output, which sharp_vty.c includes by this name.
(cd "$src" && PYTHONDONTWRITEBYTECODE=1 ./lib/clippy python/clidef.py \
	-o "$tmp/sharp_vty_clippy.c" sharpd/sharp_vty.c) ||
	die "clippy failed on sharpd/sharp_vty.c"
mv "$tmp/sharp_vty_clippy.c" "$src/sharpd/sharp_vty_clippy.c"

# The flags FRR's own build uses for daemons (see DESIGN.md §4).
(
	cd "$src"
	# word splitting wanted: flag and file lists
	# shellcheck disable=SC2046
	gcc -O2 -g -std=gnu11 -fms-extensions -fno-omit-frame-pointer \
		-DHAVE_CONFIG_H -D_GNU_SOURCE -DSYSCONFDIR='"/etc/frr/"' -DCONFDATE=0 \
		-I. -Ilib/assert -Iinclude -Ilib \
		$(pkg-config --cflags libyang 2>/dev/null) \
		$(for f in $sources; do echo "sharpd/$f"; done) \
		-o "$tmp/sharpd" \
		"$libfrr" -ljson-c -lcap -Wl,-rpath,"$libdir"
) || die "compiling sharpd failed"
mv "$tmp/sharpd" "$out"
echo "$out"

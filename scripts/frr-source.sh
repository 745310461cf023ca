#!/bin/sh
# Obtain and configure the source of exactly the installed frr package, so that
# the plugin and the vtysh are compiled against the same headers, config.h and
# struct layouts as the zebra that will load them.
#
# usage: frr-source.sh [CACHE_DIR]     prints the configured source directory
set -eu

cache=${1:-${FRR_EBPF_CACHE:-/var/cache/frr-ebpf}}
log() { echo "frr-source: $*" >&2; }
die() { log "error: $*"; exit 1; }

version=$(dpkg-query -W -f='${Version}' frr 2>/dev/null) ||
	die "the frr package is not installed (apt-get install frr)"
[ -n "$version" ] || die "the frr package is not installed (apt-get install frr)"
zebra=/usr/lib/frr/zebra
[ -x "$zebra" ] || die "$zebra not found although frr $version is installed"

upstream=${version%%-*}
tree="$cache/frr-$version"
stamp="$tree/.frr-ebpf-configured"

if [ -f "$stamp" ]; then
	echo "$tree"
	exit 0
fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT

if ! apt-get source --print-uris "frr=$version" >/dev/null 2>&1 ||
   [ -z "$(apt-get source --print-uris "frr=$version" 2>/dev/null | grep "'")" ]; then
	log "adding a deb-src entry for Debian's repositories"
	src=/etc/apt/sources.list.d/debian.sources
	[ -f "$src" ] || die "no $src to derive a deb-src entry from"
	sed 's/^Types:.*/Types: deb-src/' "$src" > /etc/apt/sources.list.d/frr-ebpf-src.sources
	apt-get update -qq >&2 || die "apt-get update failed"
fi

log "fetching the source of frr $version"
(cd "$work" && apt-get source -qq --download-only "frr=$version" >&2) ||
	die "apt-get source frr=$version failed"
(cd "$work" && dpkg-source -x --no-check frr_*.dsc src >&2) ||
	die "dpkg-source could not unpack frr $version"

# Debian's configure flags, as the installed zebra reports them: they decide
# struct sizes (--enable-multipath=256) that the module must match.
flags=$("$zebra" -v | sed -n '/configured with:/,$p' | tail -n +2 | tr -d '\t')
[ -n "$flags" ] || die "could not read the configure flags from $zebra -v"

log "configuring frr $version with Debian's flags"
(
	cd "$work/src"
	./bootstrap.sh >&2
	eval "set -- $flags"
	# PYTHON=python3 may resolve to a pyenv shim; Debian's python has the modules clippy needs
	./configure "$@" PYTHON=/usr/bin/python3 >"$work/configure.log" 2>&1 ||
		{ tail -30 "$work/configure.log" >&2; exit 1; }
	make -j"$(nproc)" lib/route_types.h lib/clippy >"$work/make.log" 2>&1 ||
		{ tail -30 "$work/make.log" >&2; exit 1; }
) || die "configuring frr $version failed (see above)"

rm -rf "$tree"
mv "$work/src" "$tree"
echo "$version" > "$stamp"
echo "$tree"

#!/bin/sh
# Obtain and configure the source of exactly the installed frr package, so that
# the plugin and the vtysh are compiled against the same headers, config.h and
# struct layouts as the zebra that will load them.
#
# usage: frr-source.sh [CACHE_DIR]     prints the configured source directory
#
# The tree is cached under CACHE_DIR (default $FRR_EBPF_CACHE, else
# /var/cache/frr-ebpf) as frr-<package version>; a cached tree is reused
# without network access. Fetching needs root (apt) and a deb-src entry,
# which is added when missing.
set -eu

cache=${1:-${FRR_EBPF_CACHE:-/var/cache/frr-ebpf}}
log() { echo "frr-source: $*" >&2; }
die() { log "error: $*"; exit 1; }

version=$(dpkg-query -W -f='${Status} ${Version}' frr 2>/dev/null |
	sed -n 's/^install ok installed //p')
[ -n "$version" ] || die "the frr package is not installed (apt-get install frr)"
zebra=/usr/lib/frr/zebra
[ -x "$zebra" ] || die "$zebra not found although frr $version is installed"

tree="$cache/frr-$version"
stamp="$tree/.frr-ebpf-configured"

if [ -f "$stamp" ]; then
	echo "$tree"
	exit 0
fi

mkdir -p "$cache" || die "cannot create $cache (run as root, or set FRR_EBPF_CACHE)"

# One fetch at a time: a second caller waits and then finds the tree.
exec 9>"$cache/.lock"
flock 9
if [ -f "$stamp" ]; then
	echo "$tree"
	exit 0
fi

for tool in apt-get dpkg-source autoreconf make; do
	command -v "$tool" >/dev/null ||
		die "$tool is missing (scripts/install-deps.sh installs the build dependencies)"
done

work=$(mktemp -d "$cache/fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT

has_source() {
	apt-get source --print-uris "frr=$version" 2>/dev/null | grep -q "'"
}

# Debian's images carry only binary ('deb') entries; add the matching
# source entries, in the format the system already uses.
add_deb_src() {
	deb822=/etc/apt/sources.list.d/debian.sources
	if [ -f "$deb822" ]; then
		sed 's/^Types:.*/Types: deb-src/' "$deb822" \
			> /etc/apt/sources.list.d/frr-ebpf-src.sources
	elif [ -f /etc/apt/sources.list ] && grep -q '^deb ' /etc/apt/sources.list; then
		sed -n 's/^deb /deb-src /p' /etc/apt/sources.list \
			> /etc/apt/sources.list.d/frr-ebpf-src.list
	else
		die "no Debian apt source to derive a deb-src entry from"
	fi
}

if ! has_source; then
	log "adding a deb-src entry for Debian's repositories"
	add_deb_src
	apt-get update -qq >&2 || die "apt-get update failed"
	has_source || die "no source package for frr $version in the configured repositories"
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

log "configuring frr $version with Debian's flags (about 20 s)"
(
	cd "$work/src"
	./bootstrap.sh >"$work/bootstrap.log" 2>&1 ||
		{ tail -30 "$work/bootstrap.log" >&2; exit 1; }
	eval "set -- $flags"
	# PYTHON=python3 may resolve to a pyenv shim; Debian's python has the modules clippy needs
	./configure "$@" PYTHON=/usr/bin/python3 >"$work/configure.log" 2>&1 ||
		{ tail -30 "$work/configure.log" >&2; exit 1; }
	make -j"$(nproc)" lib/route_types.h lib/clippy >"$work/make.log" 2>&1 ||
		{ tail -30 "$work/make.log" >&2; exit 1; }
) || die "configuring frr $version failed (see above; scripts/install-deps.sh installs FRR's build dependencies)"

rm -rf "$tree"
mv "$work/src" "$tree"
echo "$version" > "$stamp"
echo "$tree"

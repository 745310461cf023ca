#!/bin/sh
# Install everything frr-ebpf needs to build, test, demo and benchmark on
# Debian 12, and mount bpffs. Run as root; safe to run again (it only adds
# what is missing).
set -eu

log() { echo "install-deps: $*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root"
command -v apt-get >/dev/null || die "this script needs Debian's apt-get"

# FRR itself; the module is built against the source of exactly this version.
frr="frr frr-pythontools"

# The datapath: BPF compiler, skeleton generator, loaders.
bpf="clang llvm libbpf-dev bpftool libxdp-dev xdp-tools libelf-dev zlib1g-dev"

# Our build.
build="autoconf automake libtool pkg-config make gcc libc6-dev perl python3 dpkg-dev"

# Configuring FRR's source with Debian's flags (--enable-snmp --enable-rpki
# --with-libpam --enable-doc ...), running clippy and building vtysh: the
# Build-Depends of Debian's frr source package that its configure checks.
frr_build="bison flex install-info texinfo libc-ares-dev libcap-dev
	libjson-c-dev libyang2-dev libpam0g-dev libpcre2-dev libreadline-dev
	librtr-dev libssh-dev libsnmp-dev python3-dev libpython3-dev
	python3-sphinx libprotobuf-c-dev protobuf-c-compiler libunwind-dev"

# Tests, demo and benchmarks.
tools="iproute2 ethtool iputils-ping python3-pytest iperf3 tcpdump procps
	qemu-system-x86 busybox-static nftables
	psmisc util-linux valgrind libyang2-tools"

log "apt-get update"
apt-get update -qq

# shellcheck disable=SC2086 # the lists are word-split on purpose
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	$frr $bpf $build $frr_build $tools

# bpffs: the datapath pins its maps and programs under /sys/fs/bpf.
if ! mountpoint -q /sys/fs/bpf; then
	log "mounting bpffs at /sys/fs/bpf"
	mkdir -p /sys/fs/bpf
	mount -t bpf bpf /sys/fs/bpf
fi

log "done"

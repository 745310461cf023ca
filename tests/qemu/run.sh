#!/bin/sh
# Run a test script inside Debian 12's stock kernel 6.1 under qemu.
#
# This machine's kernel is newer than Debian 12's and refuses some BPF
# features; what users run is Debian's linux-image-6.1.0-*-amd64. This
# script builds a busybox initramfs from the files it is given (each
# executable with its shared libraries), boots that kernel with it under
# qemu (TCG: KVM hangs on these machines), runs one guest script as the
# VM's test and turns the guest's verdict into an exit status:
#   0 the guest script exited 0, 1 it failed (or the VM timed out or
#   crashed), 77 (automake's SKIP) qemu or the kernel cannot be had.
#
# usage: run.sh [options] GUEST_SCRIPT
#   --bin SRC[=DEST]   an executable or shared object, with what ldd lists
#   --file SRC[=DEST]  a file or a directory tree, copied as it is
#   --kmod NAME        a module of the kernel package, loaded at boot after
#                      the modules it depends on (modules.dep)
#   --env NAME=VALUE   exported to the guest script
#   --console FILE     keep the VM's console there (default: a temp file)
#   --keep             keep the work directory (initramfs, console)
# DEST defaults to SRC's own path. The guest script runs as /test/run with
# /bin/sh (busybox ash); see guest-init.sh for what it finds in the VM.
#
# Environment: QEMU_TEST_CACHE (default /var/cache/frr-ebpf/qemu),
# QEMU_KERNEL_PKG (e.g. linux-image-6.1.0-57-amd64; default: the newest
# 6.1 ABI in the apt repositories), QEMU_TIMEOUT (s, default 240),
# QEMU_MEM (MiB, default 2048), QEMU_SMP (default 2).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cache=${QEMU_TEST_CACHE:-/var/cache/frr-ebpf/qemu}
timeout_s=${QEMU_TIMEOUT:-240}
mem=${QEMU_MEM:-2048}
smp=${QEMU_SMP:-2}

skip() {
	echo "SKIP: $*"
	exit 77
}
die() {
	echo "FAIL: $*"
	exit 1
}
# Progress to stderr, so callers can keep stdout for the guest's output.
say() {
	echo "qemu: $*" >&2
}

[ "$(id -u)" -eq 0 ] || skip "needs root (apt-get, $cache, root-owned files in the initramfs)"

# One VM at a time (make -j check runs the qemu tests side by side): apt
# and the kernel cache are shared, and two TCG guests on two cores would
# each run into the other's timeout.
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

work=$(mktemp -d /tmp/frr-ebpf-qemu.XXXXXX)
keep=false
qemu_pid=
cleanup() {
	# qemu runs in the foreground; this only matters on a signal.
	if [ -n "$qemu_pid" ]; then
		kill "$qemu_pid" 2>/dev/null || true
	fi
	if $keep; then
		say "work directory kept: $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

root=$work/root
mkdir -p "$root"
console=$work/console.log
bins='' files='' kmods=''
: >"$work/env"
while [ $# -gt 1 ]; do
	case $1 in
	--bin) bins="$bins
$2" ;;
	--file) files="$files
$2" ;;
	--kmod) kmods="$kmods $2" ;;
	--env)
		# Quoted, so that the guest's "set -a; . /test/env" keeps spaces.
		printf "%s='%s'\n" "${2%%=*}" \
			"$(printf '%s' "${2#*=}" | sed "s/'/'\\\\''/g")" >>"$work/env"
		;;
	--console) console=$2 ;;
	--keep)
		keep=true
		shift
		continue
		;;
	*) break ;;
	esac
	shift 2
done
[ $# -eq 1 ] || die "usage: run.sh [--bin SRC[=DEST]] [--file SRC[=DEST]] [--kmod NAME] [--env N=V] [--console FILE] [--keep] GUEST_SCRIPT"
guest_script=$1
[ -r "$guest_script" ] || die "no guest script $guest_script"

# ------------------------------------------------------------ host tools

aptlog=$work/apt.log
apt_updated=false
apt_get() {
	DEBIAN_FRONTEND=noninteractive apt-get -q -y "$@" >>"$aptlog" 2>&1
}
# apt-get update only when a first attempt failed: the lists on these
# machines are usually fresh enough, and an update costs time.
apt_update_once() {
	$apt_updated && return 1
	apt_updated=true
	say "apt-get update"
	apt_get update || true
}
apt_install() {
	apt_get install --no-install-recommends "$@" && return 0
	apt_update_once && apt_get install --no-install-recommends "$@"
}

command -v qemu-system-x86_64 >/dev/null 2>&1 ||
	apt_install qemu-system-x86 ||
	skip "qemu-system-x86 cannot be installed: $(tail -n 1 "$aptlog")"
# Any busybox will do (ldd brings a dynamic one's libraries); install the
# static one only when there is none, because it conflicts with 'busybox'.
busybox=$(command -v busybox || true)
if [ -z "$busybox" ]; then
	apt_install busybox-static ||
		skip "busybox-static cannot be installed: $(tail -n 1 "$aptlog")"
	busybox=$(command -v busybox)
fi

# ------------------------------------------------- kernel package (cached)

# The newest 6.1 ABI the repositories offer, e.g. linux-image-6.1.0-57-amd64.
newest_kernel_pkg() {
	apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' 2>/dev/null |
		cut -d' ' -f1 | sort -V | tail -n 1
}
kpkg=${QEMU_KERNEL_PKG:-$(newest_kernel_pkg)}
if [ -z "$kpkg" ]; then
	apt_update_once || true
	kpkg=$(newest_kernel_pkg)
fi
[ -n "$kpkg" ] || skip "no linux-image-6.1.0-*-amd64 package in the apt repositories"
kver=$(apt-cache show --no-all-versions "$kpkg" 2>/dev/null | sed -n 's/^Version: //p' | head -n 1)
[ -n "$kver" ] || skip "apt knows no version of $kpkg"
kdir=$cache/${kpkg}_$kver

# The kernel and its modules, extracted once per package version. Built in
# a temporary directory and renamed, so an interrupted or concurrent run
# never leaves a half-made cache entry behind.
if [ ! -f "$kdir/complete" ]; then
	say "fetching $kpkg $kver into $kdir"
	mkdir -p "$cache"
	tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
	# apt-get download runs as _apt when it can write the directory.
	chmod 0755 "$tmp"
	chown _apt "$tmp" 2>/dev/null || true
	fetched=false
	if (cd "$tmp" && apt_get download "$kpkg=$kver"); then
		fetched=true
	elif apt_update_once && (cd "$tmp" && apt_get download "$kpkg=$kver"); then
		fetched=true
	fi
	if ! $fetched; then
		rm -rf "$tmp"
		skip "cannot download $kpkg=$kver: $(tail -n 1 "$aptlog")"
	fi
	mkdir "$tmp/x"
	dpkg-deb -x "$tmp"/*.deb "$tmp/x" || {
		rm -rf "$tmp"
		die "cannot extract $kpkg"
	}
	krel=$(ls "$tmp/x/lib/modules")
	mv "$tmp/x/boot/vmlinuz-$krel" "$tmp/vmlinuz"
	mkdir -p "$tmp/lib/modules"
	mv "$tmp/x/lib/modules/$krel" "$tmp/lib/modules/"
	# The package ships no modules.dep (its postinst runs depmod).
	"$busybox" depmod -b "$tmp" "$krel"
	echo "$krel" >"$tmp/release"
	rm -rf "$tmp/x" "$tmp"/*.deb
	touch "$tmp/complete"
	chmod 0755 "$tmp"
	mv -T "$tmp" "$kdir" 2>/dev/null || rm -rf "$tmp"
fi
krel=$(cat "$kdir/release")
kmoddir=$kdir/lib/modules/$krel

# ------------------------------------------------------------- initramfs

# Copy SRC to DEST in the initramfs, following symlinks (a link's target
# would not be there).
add_file() {
	mkdir -p "$root$(dirname "$2")"
	cp -RL --preserve=mode "$1" "$root$2"
}

# An executable or shared object plus every library ldd resolves for it,
# the ELF interpreter included, each at the path ldd names.
add_bin() {
	[ -e "$1" ] || die "no such file: $1"
	add_file "$1" "$2"
	ldd "$1" 2>/dev/null | awk '
		$2 == "=>" && $3 ~ /^\// { print $3 }
		$1 ~ /^\// { print $1 }' |
		while read -r lib; do
			[ -e "$root$lib" ] || add_file "$lib" "$lib"
		done
	# ldd says "not found" for a library the guest would lack too.
	if ldd "$1" 2>/dev/null | grep -q 'not found'; then
		die "$1: $(ldd "$1" | grep 'not found' | tr -s ' \t' ' ')"
	fi
}

# Mirror the host's merged-/usr links (/lib -> usr/lib ...) so that a path
# ldd prints and the interpreter path in an ELF header resolve in the VM.
for d in bin sbin lib lib64; do
	if [ -L "/$d" ]; then
		ln -s "$(readlink "/$d")" "$root/$d"
	fi
	mkdir -p "$root/usr/$d"
done
mkdir -p "$root/dev" "$root/proc" "$root/sys" "$root/run" "$root/tmp" \
	"$root/etc" "$root/var" "$root/test"
ln -s ../run "$root/var/run"

add_bin "$busybox" /bin/busybox

# SPEC -> "SRC DEST" (paths without spaces, split by the caller's set --)
split() {
	case $1 in
	*=*) echo "${1%%=*} ${1#*=}" ;;
	*) echo "$1 $1" ;;
	esac
}
echo "$bins" | while read -r spec; do
	[ -n "$spec" ] || continue
	set -- $(split "$spec")
	add_bin "$1" "$2"
done
echo "$files" | while read -r spec; do
	[ -n "$spec" ] || continue
	set -- $(split "$spec")
	add_file "$1" "$2"
done

# Modules with their dependencies, dependencies first, each once.
: >"$work/modorder"
add_kmod_rel() { # a path relative to the modules directory
	grep -qxF "$1" "$work/modorder" && return 0
	deps=$(sed -n "s|^$1: *||p" "$kmoddir/modules.dep")
	for dep in $deps; do
		add_kmod_rel "$dep"
	done
	echo "$1" >>"$work/modorder"
}
for m in $kmods; do
	# modules.dep names files; a module's name may use - or _.
	rel=$(sed -n 's|:.*||p' "$kmoddir/modules.dep" |
		grep -E "/$(echo "$m" | sed 's/[-_]/[-_]/g')\.ko(\.[a-z]+)?$" | head -n 1)
	[ -n "$rel" ] || die "$kpkg has no module $m (built in, or misspelt?)"
	add_kmod_rel "$rel"
done
while read -r rel; do
	add_file "$kmoddir/$rel" "/lib/modules/$krel/$rel"
	echo "/lib/modules/$krel/$rel" >>"$root/test/modules"
done <"$work/modorder"

add_file "$here/guest-init.sh" /init
chmod 0755 "$root/init"
add_file "$guest_script" /test/run
add_file "$work/env" /test/env

# Busybox applets last, and only for names no real program has in any PATH
# directory: busybox's ip in /sbin would shadow iproute2's in /usr/bin.
"$busybox" --list-full | while read -r applet; do
	name=${applet##*/}
	for d in usr/local/sbin usr/local/bin usr/sbin usr/bin sbin bin; do
		[ -e "$root/$d/$name" ] && continue 2
	done
	ln -s /bin/busybox "$root/$applet"
done

# Uncompressed: decompressing under TCG would cost more than the copy.
(cd "$root" && find . | "$busybox" cpio -o -H newc 2>/dev/null) >"$work/initramfs.cpio"
say "initramfs $(du -m "$work/initramfs.cpio" | cut -f1) MiB, kernel $krel ($kpkg $kver)"

# ------------------------------------------------------------------ boot

# -nodefaults: no VGA, NIC or floppy to probe; the console is the serial
# port, written to stdout and to the log at once. panic=-1 and -no-reboot
# make a crash end qemu instead of rebooting.
start=$(date +%s)
set +e
timeout -k 10 "$timeout_s" qemu-system-x86_64 -accel tcg -cpu max \
	-smp "$smp" -m "$mem" -nodefaults -no-user-config -no-reboot \
	-display none -monitor none \
	-chardev "stdio,id=con,signal=off,logfile=$console" -serial chardev:con \
	-kernel "$kdir/vmlinuz" -initrd "$work/initramfs.cpio" \
	-append "console=ttyS0 panic=-1 oops=panic quiet loglevel=4" \
	</dev/null &
qemu_pid=$!
wait "$qemu_pid"
rc=$?
qemu_pid=
set -e
elapsed=$(($(date +%s) - start))

# The guest's init prints the script's exit status on this line.
status=$(tr -d '\r' <"$console" | sed -n 's/^QEMU-TEST-RESULT: rc=\([0-9]*\)$/\1/p' | tail -n 1)
if [ -z "$status" ]; then
	[ $rc -eq 124 ] && die "the VM did not finish within ${timeout_s}s"
	die "the VM ended without a result after ${elapsed}s (qemu status $rc)"
fi
say "VM ran ${elapsed}s, guest script status $status"
case $status in
0) exit 0 ;;
77) exit 77 ;;
*) exit 1 ;;
esac

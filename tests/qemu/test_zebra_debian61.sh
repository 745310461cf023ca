#!/bin/sh
# Debian 12's zebra with our module, inside Debian 12's own kernel 6.1.
#
# This machine's kernel is not what Debian 12 users run: 6.1 checks
# kernel.unprivileged_bpf_disabled at the entry of every bpf() command, has
# no tcx, and systemd mounts bpffs 0700. This boots the newest
# linux-image-6.1.0-*-amd64 under qemu (run.sh) and runs
# guest/zebra_forwarding.sh there: a router namespace between two hosts,
# kernel forwarding off, zebra and staticd started as Debian starts them
# (root, dropping to frr), the configuration applied by `vtysh -b`, pings
# through the router and the datapath's counters checked; then what the
# datapath must leave to the kernel (VRF and bond ports, another VRF's
# routes, an MPLS-labelled route), which needs modules this machine's
# kernel lacks.
#
# Exit status: 0 pass, 1 fail, 77 skip (no qemu or no kernel package).
#
# Environment:
#   EBPF_MODULE       the module (default: the tree's frr-plugin/dplane_ebpf.so)
#   EBPF_VTYSH        the plugin-aware vtysh (default: the tree's vtysh/vtysh)
#   EBPF_MODULE_ARGS  zebra's -M arguments after the colon, e.g.
#                     "pin-dir=/sys/fs/bpf/x,ipv4-routes=1024"
#   EBPF_CONF         lines of the `ebpf` node besides the interfaces,
#                     ';'-separated (default: none)
#   EBPF_EXPECT_MAPS  "MAP=MAX_ENTRIES ..." the pinned maps must have
#   BPFFS_MODE        diagnosis only: the guest chmods /sys/fs/bpf to
#                     this mode instead of Debian's 0700
#   QEMU_*            see run.sh
set -eu

[ "$(id -u)" -eq 0 ] || {
	echo "SKIP: needs root (apt-get, qemu cache, root-owned initramfs)"
	exit 77
}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
module=${EBPF_MODULE:-$top/frr-plugin/dplane_ebpf.so}
vtysh=${EBPF_VTYSH:-$top/vtysh/vtysh}
abi=$top/bpf/include/dp_abi.h

# Small tables: the test has few routes, and the VM little memory. Sizes
# are module arguments: the maps exist before zebra drops root, long
# before `vtysh -b` applies frr.conf.
def_args=ipv4-routes=1024,ipv6-routes=1024,nexthop-groups=256,neighbors=256
def_conf=
module_args=${EBPF_MODULE_ARGS-$def_args}
conf=${EBPF_CONF-$def_conf}
# ... and the max_entries those sizes must give the pinned maps.
expect_maps=${EBPF_EXPECT_MAPS-rt_v4_map=1024 rt_v6_map=1024 nh_map=256 dmac_map=256}

for f in "$module" "$vtysh" /usr/lib/frr/zebra "$abi"; do
	[ -e "$f" ] || {
		echo "FAIL: $f is missing (build the tree, or set EBPF_MODULE / EBPF_VTYSH)"
		exit 1
	}
done

# 0-based position of NAME in `enum ENUM { ... }` of the ABI header, so
# the guest reads the counters the way the datapath lays them out.
enum_index() { # ENUM NAME
	tr '\n' ' ' <"$abi" | sed 's#/\*\([^*]\|\*[^/]\)*\*/##g' |
		sed -n "s/.*enum $1 {\([^}]*\)}.*/\1/p" | tr ',' '\n' |
		sed 's/=.*//; s/[[:space:]]//g' | grep -v '^$' |
		grep -nx "$2" | cut -d: -f1 | awk '{ print $1 - 1 }'
}
hooks=$(enum_index dp_hook DP_HOOK_MAX)
fwd="$(enum_index dp_reason DP_R_FWD) $(enum_index dp_reason DP_R_FWD_NEIGH)"
unsupported=$(enum_index dp_reason DP_R_PASS_UNSUPPORTED)
case "$hooks $fwd $unsupported" in
*[0-9]\ *[0-9]\ *[0-9]\ *[0-9]) ;;
*)
	echo "FAIL: cannot read enum dp_hook / dp_reason from $abi"
	exit 1
	;;
esac

# The guest's tools are the host's own binaries (run.sh copies them with
# their libraries): install the ones this machine lacks.
for need in ip:iproute2 tc:iproute2 bpftool:bpftool ping:iputils-ping ethtool:ethtool; do
	command -v "${need%%:*}" >/dev/null 2>&1 && continue
	DEBIAN_FRONTEND=noninteractive apt-get -q -y install --no-install-recommends \
		"${need#*:}" >/dev/null 2>&1 || {
		echo "FAIL: ${need%%:*} is missing and ${need#*:} cannot be installed"
		exit 1
	}
done
# libxdp (the module links it) loads its dispatcher from this object.
dispatcher=/usr/lib/x86_64-linux-gnu/bpf/xdp-dispatcher.o
for f in "$dispatcher" "$top/tests/chain/user_progs.bpf.o"; do
	[ -f "$f" ] || {
		echo "FAIL: $f is missing (libxdp1 installs the first, the build the second)"
		exit 1
	}
done
ip=$(command -v ip)
[ -L "$ip" ] && ip=$(readlink -f "$ip")
set -- \
	--bin /usr/lib/frr/zebra \
	--bin "$module=/usr/lib/x86_64-linux-gnu/frr/modules/dplane_ebpf.so" \
	--bin "$vtysh=/usr/bin/vtysh" \
	--bin "$ip=/usr/bin/ip" \
	--bin "$(command -v tc)=/usr/sbin/tc" \
	--bin "$(command -v bpftool)=/usr/sbin/bpftool" \
	--bin "$(command -v ping)=/usr/bin/ping" \
	--bin "$(command -v ethtool)=/usr/sbin/ethtool" \
	--file "$here/guest/xdp_chain.sh=/test/xdp_chain.sh" \
	--file "$top/tests/chain/user_progs.bpf.o=/test/user_progs.bpf.o" \
	--file "$dispatcher" \
	--kmod veth --kmod sch_ingress --kmod cls_bpf \
	--kmod xfrm_user \
	--kmod vrf --kmod bonding --kmod mpls_router --kmod mpls_iptunnel \
	--env "EBPF_MODULE=/usr/lib/x86_64-linux-gnu/frr/modules/dplane_ebpf.so" \
	--env "EBPF_MODULE_ARGS=$module_args" \
	--env "EBPF_CONF=$conf" \
	--env "EBPF_EXPECT_MAPS=$expect_maps" \
	--env "DP_HOOKS=$hooks" \
	--env "DP_FWD_REASONS=$fwd" \
	--env "DP_UNSUPPORTED_REASON=$unsupported" \
	--env "BPFFS_MODE=${BPFFS_MODE-}"
# vtysh authenticates through PAM (Debian builds it with libpam): the
# frr package's service file, the fallback for the types it leaves out
# (other -> common-*), and the modules they name, which libpam opens at run
# time so ldd cannot see them.
pam_files=
for f in frr other $(cd /etc/pam.d && ls common-* 2>/dev/null); do
	[ -f "/etc/pam.d/$f" ] || continue
	pam_files="$pam_files /etc/pam.d/$f"
	set -- "$@" --file "/etc/pam.d/$f"
done
if [ -n "$pam_files" ]; then
	for mod in $(sed -n 's/^[^#]*\(pam_[a-z0-9_]*\.so\).*/\1/p' $pam_files | sort -u); do
		for dir in /usr/lib/x86_64-linux-gnu/security /lib/x86_64-linux-gnu/security; do
			[ -f "$dir/$mod" ] && set -- "$@" --bin "$dir/$mod" && break
		done
	done
fi
# xfrm_user: Debian's kernel loads it on the first NETLINK_XFRM socket
# (the plugin looks for IPsec policies); the VM has no module autoloading.
# vrf, bonding, mpls_router and mpls_iptunnel: the VRF, bond and labelled
# route cases, which this machine's kernel cannot run (it lacks them).
# staticd is optional: without it the static-route pings are left out.
[ -x /usr/lib/frr/staticd ] && set -- "$@" --bin /usr/lib/frr/staticd
exec "$here/run.sh" "$@" "$here/guest/zebra_forwarding.sh"

#!/bin/sh
# The datapath's packet-level tests (tests/unit/test_datapath) inside
# Debian 12's own kernel 6.1 under qemu: the verifier users have checks
# every program path the tests take (XDP flow creation, the conntrack
# claim loop, Maglev probing, NAT rewrites, ICMP errors), and 6.1's map
# operations run them, with the live veth tests on its network stack. See
# guest/datapath_tests.sh.
#
# Exit status: 0 pass, 1 fail, 77 skip (no qemu or no kernel package).
set -eu

[ "$(id -u)" -eq 0 ] || {
	echo "SKIP: needs root (apt-get, qemu cache, root-owned initramfs)"
	exit 77
}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bin=${TEST_DATAPATH:-$top/tests/unit/test_datapath}
[ -x "$bin" ] || {
	echo "FAIL: $bin is missing (make tests/unit/test_datapath)"
	exit 1
}
# Under TCG the tests take 3-4 minutes (run.sh's default allows 4).
export QEMU_TIMEOUT=${QEMU_TIMEOUT:-600}
ip=$(command -v ip)
[ -L "$ip" ] && ip=$(readlink -f "$ip")
exec "$here/run.sh" \
	--bin "$bin=/test/test_datapath" \
	--bin "$ip=/usr/bin/ip" \
	--bin "$(command -v ethtool)=/usr/sbin/ethtool" \
	--kmod veth --kmod sch_ingress --kmod cls_bpf --kmod xfrm_user \
	--env DP_TEST_IP=/usr/bin/ip \
	"$here/guest/datapath_tests.sh"

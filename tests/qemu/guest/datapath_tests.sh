#!/bin/sh
# Inside Debian's 6.1 (run.sh): the datapath's packet-level tests
# (tests/unit/test_datapath: routing, fail-safe, conntrack, load balancer,
# NAT), so that 6.1's verifier and its map-operation semantics check every
# path they take, not only the programs' loading. The live veth test needs
# the network the host test sets up for zebra, not this VM's: its checks
# are the only ones allowed to fail here, and are listed.
set -u

ip link set lo up
out=$(/test/test_datapath 2>&1)
echo "$out" | tail -3
summary=$(echo "$out" | tail -1)
fails=$(echo "$out" | grep '^FAIL ' || true)
others=$(echo "$fails" | grep -v '^FAIL live: ' | grep -v '^$' || true)
case "$summary" in
*" passed, "*" failed") ;;
*)
	echo "FAIL: test_datapath ended early: $summary"
	exit 1
	;;
esac
if [ -n "$fails" ]; then
	echo "live checks left to the host's own run:"
	echo "$fails" | sed 's/^/    /'
fi
if [ -n "$others" ]; then
	echo "FAIL: checks failed under 6.1:"
	echo "$others" | sed 's/^/    /'
	exit 1
fi
passed=${summary%% passed*}
[ "$passed" -ge 500 ] || {
	echo "FAIL: only $passed checks ran"
	exit 1
}
echo "PASS: $passed datapath checks under Debian's 6.1"

#!/bin/sh
# Inside Debian's 6.1 (run.sh): the datapath's packet-level tests
# (tests/unit/test_datapath: routing, fail-safe, conntrack, load balancer,
# NAT, policers), so that 6.1's verifier and its map-operation semantics
# check every path they take, not only the programs' loading; and the live
# veth tests (native XDP on veth, XDP to TC hand-off, a filter chained
# after ours at TC ingress) on 6.1's network stack. Every check must pass.
set -u

ip link set lo up
out=$(/test/test_datapath 2>&1)
echo "$out" | tail -3
summary=$(echo "$out" | tail -1)
fails=$(echo "$out" | grep -e '^FAIL ' -e '^  tests/unit/' -e 'note: failed' || true)
case "$summary" in
*" passed, "*" failed") ;;
*)
	echo "FAIL: test_datapath ended early: $summary"
	exit 1
	;;
esac
if [ -n "$fails" ]; then
	echo "FAIL: checks failed under 6.1:"
	echo "$fails" | sed 's/^/    /'
	exit 1
fi
passed=${summary%% passed*}
[ "$passed" -ge 500 ] || {
	echo "FAIL: only $passed checks ran"
	exit 1
}
echo "PASS: $passed datapath checks under Debian's 6.1"

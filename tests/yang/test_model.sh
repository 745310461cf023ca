#!/bin/sh
# The YANG model checked by libyang's yanglint, as zebra's northbound will
# check it: configurations that must be accepted, and invalid ones that
# must be refused with the model's own message (not libyang's generic
# one), so that a user typing them in vtysh learns what is valid.
#
# usage: tests/yang/test_model.sh [MODEL]
set -u
here=$(cd "$(dirname "$0")" && pwd)
model=${1:-$here/../../yang/frr-zebra-ebpf.yang}
if ! command -v yanglint >/dev/null 2>&1; then
	echo "SKIP: yanglint not installed (apt-get install libyang2-tools)"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

# A VIP around the given JSON members, and a whole configuration.
vip() {
	printf '{"frr-zebra-ebpf:ebpf": {"load-balancer": {"vip": [{"name": "web", %s}]}}}' "$1"
}
nat() {
	printf '{"frr-zebra-ebpf:ebpf": {"nat": {"source": [%s]}}}' "$1"
}

check() {
	printf '%s\n' "$3" >"$tmp/data.json"
	yanglint -t config "$model" "$tmp/data.json" >"$tmp/out" 2>&1
	rc=$?
	if [ "$1" = ok ]; then
		if [ $rc = 0 ]; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			echo "FAIL (refused): $2"
			sed 's/^/    /' "$tmp/out"
		fi
	elif [ $rc = 0 ]; then
		fail=$((fail + 1))
		echo "FAIL (accepted): $2"
	elif ! grep -qF -- "$1" "$tmp/out"; then
		fail=$((fail + 1))
		echo "FAIL (wrong message): $2: expected \"$1\""
		sed 's/^/    /' "$tmp/out"
	else
		pass=$((pass + 1))
	fi
}

tcp80='"address": "198.18.0.10", "port": 80, "protocol": "tcp"'
v6='"address": "2001:db8::10", "port": 443, "protocol": "tcp"'
be4='"backend": [{"address": "10.82.1.2", "port": 8080}]'

check ok "the issue's example" "$(vip "$tcp80, \"algorithm\": \"maglev\", \"nat-mode\": \"dnat\",
 \"health-check\": {\"tcp\": [null], \"interval\": 500, \"rise\": 2, \"fall\": 2},
 \"backend\": [{\"address\": \"10.82.1.2\", \"port\": 8080},
  {\"address\": \"10.82.2.2\", \"port\": 8080, \"weight\": 50}]")"
check ok "IPv6 VIP, fullnat, http check" "$(vip "$v6, \"nat-mode\": \"fullnat\",
 \"fullnat-source\": \"2001:db8::1\",
 \"health-check\": {\"http\": {\"path\": \"/healthz\", \"status\": 204}},
 \"backend\": [{\"address\": \"2001:db8:1::2\", \"port\": 8443}]")"
check ok "all-ports UDP VIP, dsr" "$(vip "\"address\": \"198.18.0.11\", \"all-ports\": [null],
 \"protocol\": \"udp\", \"nat-mode\": \"dsr\", \"backend\": [{\"address\": \"10.82.1.2\", \"port\": 0}]")"
check ok "dsr backend on the VIP's port" "$(vip "$tcp80, \"nat-mode\": \"dsr\",
 \"backend\": [{\"address\": \"10.82.1.2\", \"port\": 80}]")"
for a in round-robin weighted-round-robin hash source-hash maglev least-connections; do
	check ok "algorithm $a" "$(vip "$tcp80, \"algorithm\": \"$a\", $be4")"
done
check ok "persistence with default timeout" "$(vip "$tcp80, \"persistence\": {}, $be4")"
check ok "admin-down backend, icmp check" "$(vip "$tcp80, \"health-check\": {\"icmp\": [null]},
 \"backend\": [{\"address\": \"10.82.1.2\", \"port\": 8080, \"admin-down\": [null]}]")"
check ok "masquerade and an IPv6 pool" "$(nat "{\"prefix\": \"10.0.0.0/8\", \"out-interface\": \"eth0\", \"masquerade\": [null]},
 {\"prefix\": \"fd00::/8\", \"out-interface\": \"eth0\", \"pool\": {\"first\": \"2001:db8::100\", \"last\": \"2001:db8::1ff\"}}")"

check "A backend must be of the VIP's address family" "IPv6 backend of an IPv4 VIP" \
	"$(vip "$tcp80, \"backend\": [{\"address\": \"2001:db8::2\", \"port\": 80}]")"
check "A backend must be of the VIP's address family" "IPv4 backend of an IPv6 VIP" \
	"$(vip "$v6, $be4")"
check "take port 0" "port on an all-ports VIP's backend" \
	"$(vip "\"address\": \"198.18.0.11\", \"all-ports\": [null], \"protocol\": \"tcp\", $be4")"
check "dsr rewrites no port" "dsr backend on another port" \
	"$(vip "$tcp80, \"nat-mode\": \"dsr\", $be4")"
check "A port is 1 to 65535" "VIP port 0" \
	"$(vip "\"address\": \"198.18.0.10\", \"port\": 0, \"protocol\": \"tcp\"")"
check "A weight is 1 to 65535" "weight 0" \
	"$(vip "$tcp80, \"backend\": [{\"address\": \"10.82.1.2\", \"port\": 80, \"weight\": 0}]")"
check "out of type uint16" "weight 65536" \
	"$(vip "$tcp80, \"backend\": [{\"address\": \"10.82.1.2\", \"port\": 80, \"weight\": 65536}]")"
check "A check interval is 100 to 3600000 milliseconds" "interval 50 ms" \
	"$(vip "$tcp80, \"health-check\": {\"tcp\": [null], \"interval\": 50}")"
check "rise is 1 to 100" "rise 0" "$(vip "$tcp80, \"health-check\": {\"tcp\": [null], \"rise\": 0}")"
check "fall is 1 to 100" "fall 101" "$(vip "$tcp80, \"health-check\": {\"tcp\": [null], \"fall\": 101}")"
check "An HTTP status code is 100 to 599" "status 600" \
	"$(vip "$tcp80, \"health-check\": {\"http\": {\"path\": \"/\", \"status\": 600}}")"
check "An HTTP path starts with '/'" "path without /" \
	"$(vip "$tcp80, \"health-check\": {\"http\": {\"path\": \"healthz\"}}")"
check "An HTTP path starts with '/'" "path with a space" \
	"$(vip "$tcp80, \"health-check\": {\"http\": {\"path\": \"/a b\"}}")"
check "A persistence timeout is 1 to 86400" "persistence 0 s" \
	"$(vip "$tcp80, \"persistence\": {\"timeout\": 0}")"
check "A name starts with a letter or digit" "name with a space" \
	'{"frr-zebra-ebpf:ebpf": {"load-balancer": {"vip": [{"name": "my web", "address": "198.18.0.10", "port": 80, "protocol": "tcp"}]}}}'
check "A name is 1 to 63 characters" "64-character name" \
	"{\"frr-zebra-ebpf:ebpf\": {\"load-balancer\": {\"vip\": [{\"name\": \"$(printf 'v%.0s' $(seq 64))\", \"address\": \"198.18.0.10\", \"port\": 80, \"protocol\": \"tcp\"}]}}}"
check "Invalid" "unknown algorithm" "$(vip "$tcp80, \"algorithm\": \"random\"")"
check "Invalid" "unknown protocol" "$(vip "\"address\": \"198.18.0.10\", \"port\": 80, \"protocol\": \"sctp\"")"
check "Invalid" "address with a zone" "$(vip "\"address\": \"fe80::1%eth0\", \"port\": 80, \"protocol\": \"tcp\"")"
check "Invalid" "not an address" "$(vip "\"address\": \"198.18.0.300\", \"port\": 80, \"protocol\": \"tcp\"")"
check "Mandatory" "VIP without an address" "$(vip "\"port\": 80, \"protocol\": \"tcp\"")"
check "Mandatory" "VIP without a port or all-ports" "$(vip "\"address\": \"198.18.0.10\", \"protocol\": \"tcp\"")"
check "fullnat-source" "fullnat-source outside fullnat mode" \
	"$(vip "$tcp80, \"fullnat-source\": \"10.0.0.1\"")"
check "A pool must be of the source prefix's address family" "IPv4 prefix, IPv6 pool" \
	"$(nat "{\"prefix\": \"10.0.0.0/8\", \"out-interface\": \"eth0\", \"pool\": {\"first\": \"2001:db8::1\", \"last\": \"2001:db8::2\"}}")"
check "The two ends of a pool must be of the same address family" "mixed pool" \
	"$(nat "{\"prefix\": \"10.0.0.0/8\", \"out-interface\": \"eth0\", \"pool\": {\"first\": \"192.0.2.1\", \"last\": \"2001:db8::2\"}}")"
check "An interface name has no '/'" "bad interface name" \
	"$(nat "{\"prefix\": \"10.0.0.0/8\", \"out-interface\": \"eth/0\", \"masquerade\": [null]}")"
check "Mandatory" "NAT rule without a translation" \
	"$(nat "{\"prefix\": \"10.0.0.0/8\", \"out-interface\": \"eth0\"}")"

# Policers (issue 8).
pol() {
	printf '{"frr-zebra-ebpf:ebpf": {"policer": [{"name": "gold", %s}]}}' "$1"
}
sr='"srtcm": {"cir": "20000", "cbs": 50000, "ebs": 50000}'
tr='"trtcm": {"cir": "10000", "cbs": 20000, "pir": "40000", "pbs": 40000}'
check ok "the issue's gold policer" "$(pol "$sr, \"conform-action\": {\"action\": \"transmit\"},
 \"exceed-action\": {\"action\": \"set-dscp\", \"dscp\": 10}, \"violate-action\": {\"action\": \"drop\"},
 \"apply-interface\": [{\"name\": \"eth0\"}]")"
check ok "the issue's silver policer" "$(pol "$tr, \"color-aware\": [null],
 \"apply-vip\": [{\"name\": \"web4\"}],
 \"apply-match\": [{\"direction\": \"source\", \"prefix\": \"10.1.0.0/16\", \"protocol\": 17}]")"
check ok "8 kbit/s and 400 Gbit/s" "$(pol "\"trtcm\": {\"cir\": \"8\", \"cbs\": 1, \"pir\": \"400000000\", \"pbs\": 4294967295}")"
check ok "srTCM with EBS 0, IPv6 match with a port" "$(pol "\"srtcm\": {\"cir\": \"1000\", \"cbs\": 1500, \"ebs\": 0},
 \"apply-match\": [{\"direction\": \"destination\", \"prefix\": \"2001:db8::/32\", \"protocol\": 6, \"port\": 443}]")"
check ok "a policer with no meter yet" "$(pol "\"apply-interface\": [{\"name\": \"eth1\"}]")"
check "A rate is 8 to 400000000 kbit/s" "CIR 7 kbit/s" "$(pol "\"srtcm\": {\"cir\": \"7\", \"cbs\": 1, \"ebs\": 0}")"
check "A rate is 8 to 400000000 kbit/s" "PIR 400000001 kbit/s" "$(pol "\"trtcm\": {\"cir\": \"8\", \"cbs\": 1, \"pir\": \"400000001\", \"pbs\": 1}")"
check "A burst is 1 to 4294967295 bytes" "CBS 0" "$(pol "\"srtcm\": {\"cir\": \"8\", \"cbs\": 0, \"ebs\": 0}")"
check "must be at least the committed rate" "PIR below CIR" "$(pol "\"trtcm\": {\"cir\": \"2000\", \"cbs\": 1, \"pir\": \"1000\", \"pbs\": 1}")"
check "A DSCP is 0 to 63" "DSCP 64" "$(pol "\"exceed-action\": {\"action\": \"set-dscp\", \"dscp\": 64}")"
check "set-dscp needs a DSCP value" "set-dscp without a DSCP" "$(pol "\"exceed-action\": {\"action\": \"set-dscp\"}")"
check "A DSCP is given only with set-dscp" "a DSCP with drop" "$(pol "\"exceed-action\": {\"action\": \"drop\", \"dscp\": 10}")"
check "A port needs protocol tcp or udp" "a port with icmp" "$(pol "\"apply-match\": [{\"direction\": \"source\", \"prefix\": \"10.0.0.0/8\", \"protocol\": 1, \"port\": 80}]")"
check "A port needs protocol tcp or udp" "a port with no protocol" "$(pol "\"apply-match\": [{\"direction\": \"source\", \"prefix\": \"10.0.0.0/8\", \"port\": 80}]")"
check "A name starts with a letter or digit" "policer name with a space" \
	'{"frr-zebra-ebpf:ebpf": {"policer": [{"name": "a b"}]}}'
check "Invalid enumeration value" "an unknown action" "$(pol "\"violate-action\": {\"action\": \"mark\"}")"

echo "test_model: $pass passed, $fail failed"
[ $fail = 0 ]

# Chaining at XDP through libxdp's dispatcher, inside Debian's 6.1 (which
# runs freplace programs; the development machines' kernel refuses them).
# Sourced by zebra_forwarding.sh once r1 forwards through the datapath:
# it uses that script's topology, helpers (pass, fail, check, in_ns,
# fwd_packets) and running zebra. Kernel forwarding is off in r1.
#
#   h1 (10.0.1.2, 10.0.1.3) -- r1-eth0 [xdp_drop_src | ours | xdp_count]
#
# xdp_drop_src (before ours) drops what 10.0.1.3 sends; xdp_count (after
# ours) counts IPv4 packets per source in its own map, so it shows what
# ours passed up. Both are plain XDP programs from tests/chain/: no
# prog-array, no tail call, no map of a next program.

chain_obj=/test/user_progs.bpf.o

# The name of the XDP program attached to r1's IFNAME (the kernel's view).
xdp_attached_name() {
	id=$(in_ns r1 ip -o link show dev "$1" 2>/dev/null |
		sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')
	[ -n "$id" ] || return 1
	bpftool prog show id "$id" 2>/dev/null |
		awk 'NR == 1 { for (i = 1; i < NF; i++) if ($i == "name") print $(i + 1) }'
}
# The programs of r1-eth0's dispatcher in run order, as `show ebpf chain`
# lists them ("prio N id M NAME ...").
xdp_order() {
	timeout 20 vtysh -c 'show ebpf chain' 2>/dev/null | awk '
		/^Interface r1-eth0 / { inif = 1; next }
		/^(Interface|Chain) / { inif = 0 }
		inif && /^  xdp:/ { inx = 1; next }
		inif && /^  tc-ingress:/ { inx = 0 }
		inif && inx && $1 == "prio" { printf "%s ", $5 }'
}
# The id `show ebpf chain` gives the program named NAME on r1-eth0's XDP.
xdp_prog_id() {
	timeout 20 vtysh -c 'show ebpf chain' 2>/dev/null | awk -v name="$1" '
		/^Interface r1-eth0 / { inif = 1; next }
		/^(Interface|Chain) / { inif = 0 }
		inif && $1 == "prio" && $5 == name { print $4; exit }'
}
# Packets xdp_count saw from 10.0.1.N (its map, read through its program).
seen_from() { # N
	pid=$(xdp_prog_id xdp_count)
	[ -n "$pid" ] || return 1
	mid=$(bpftool prog show id "$pid" 2>/dev/null |
		sed -n 's/.*map_ids \([0-9]*\).*/\1/p')
	[ -n "$mid" ] || return 1
	bpftool -j map lookup id "$mid" key "$1" 0 0 0 2>/dev/null |
		sed -n 's/.*"formatted":{"key":[0-9]*,"value":\([0-9]*\)}.*/\1/p'
}
# vtysh lines in the ebpf node; its output (empty when all went well).
vty_ebpf() {
	args=""
	for l in "$@"; do
		args="$args -c '$l'"
	done
	eval "timeout 30 vtysh -c 'configure terminal' -c ebpf $args" 2>&1 || true
}
# The dispatcher's order as `show ebpf chain` gives it is EXPECTED.
order_is() { # WHAT EXPECTED
	order=$(xdp_order)
	check "$1 ($order)" [ "$order" = "$2" ]
}
# Chain NAME runs PROGRAM at XDP on r1-eth0, POSITION ours, PRIORITY.
add_chain() { # NAME PROGRAM POSITION PRIORITY
	out=$(vty_ebpf "chain $1" "hook xdp" "object $chain_obj program $2" \
		"position $3 priority $4" "interface r1-eth0")
	check "chain $1 ($2, $3 ours) is accepted${out:+: $out}" [ -z "$out" ]
}
contains() { # TEXT PART
	case $1 in *"$2"*) return 0 ;; esac
	return 1
}
# A counter that did not move / moved by at least N.
same() { [ -n "$1" ] && [ "$1" = "$2" ]; }
grew_by() { [ -n "$1" ] && [ -n "$2" ] && [ $(($2 - $1)) -ge "$3" ]; }
# PINGS echo requests from h1's SOURCE to h2; the number of replies.
replies_from() { # SOURCE COUNT [INTERVAL]
	out=$(in_ns h1 ping -4 -I "$1" -c "$2" -i "${3:-0.2}" -W 2 10.0.2.2 2>&1) || true
	echo "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p'
}

echo "---- chaining at XDP (libxdp's dispatcher)"

name=$(xdp_attached_name r1-eth0) || name=
check "r1-eth0 runs libxdp's dispatcher, ours inside it (attached: ${name:-none})" \
	[ "$name" = xdp_dispatcher ]
out=$(timeout 20 vtysh -c 'show ebpf chain' 2>&1)
if echo "$out" | grep -q '^XDP chaining: available'; then
	pass "show ebpf chain: XDP chaining available"
else
	fail "show ebpf chain: XDP chaining available"
	echo "$out" | indent
fi
order_is "the dispatcher holds ours alone before any chain" "dp_xdp_main "

in_ns h1 ip addr add 10.0.1.3/24 dev h1-eth0
# warm-up: r1 learns 10.0.1.3's MAC
replies_from 10.0.1.3 2 >/dev/null
got=$(replies_from 10.0.1.3 "$pings")
check "before chaining, 10.0.1.3 is forwarded ($got/$pings replies)" \
	[ "${got:-0}" -eq "$pings" ]

# --- a program before ours that drops one source
add_chain drop xdp_drop_src before 10
order_is "the dispatcher runs xdp_drop_src, then ours" "xdp_drop_src dp_xdp_main "
got=$(replies_from 10.0.1.3 "$pings")
check "10.0.1.3 is dropped before ours ($got/$pings replies)" [ "${got:-1}" -eq 0 ]
before=$(fwd_packets) || before=0
got=$(replies_from 10.0.1.2 "$pings")
after=$(fwd_packets) || after=0
check "10.0.1.2 is still forwarded ($got/$pings replies, kernel forwarding off)" \
	[ "${got:-0}" -eq "$pings" ]
check "... by our datapath: stats_map counts $((after - before)) forwarded (>= $((2 * pings)))" \
	[ $((after - before)) -ge $((2 * pings)) ]

# --- a program after ours sees only what ours passed up. r1-eth1 takes
# XDP frames for this part, so that ours forwards h1's echo requests at
# XDP (to a port in mode tc it passes them up, for TC to forward).
out=$(vty_ebpf "interface r1-eth1")
check "r1-eth1 in mode xdp${out:+: $out}" [ -z "$out" ]
add_chain seen xdp_count after 10
order_is "the dispatcher runs xdp_drop_src, ours, xdp_count" "xdp_drop_src dp_xdp_main xdp_count "
s0=$(seen_from 2) || s0=
got=$(replies_from 10.0.1.2 "$pings")
s1=$(seen_from 2) || s1=
check "xdp_count saw none of the $got echo requests ours forwarded at XDP (${s0:-?} -> ${s1:-?})" \
	same "$s0" "$s1"
in_ns h1 ping -4 -c "$pings" -i 0.2 -W 2 10.0.1.1 >/dev/null 2>&1 || true
s2=$(seen_from 2) || s2=
check "xdp_count saw the $pings pings to r1 itself, which ours passed up (${s1:-?} -> ${s2:-?})" \
	grew_by "$s1" "$s2" "$pings"

out=$(vty_ebpf "interface r1-eth1 mode tc")
check "r1-eth1 back in mode tc${out:+: $out}" [ -z "$out" ]

# --- what does not load leaves the chain as it was
out=$(vty_ebpf "chain bad" "hook xdp" "object /test/none.o program x" "interface r1-eth0")
check "a missing object is refused with the reason ($out)" \
	contains "$out" "cannot open object /test/none.o"
out=$(vty_ebpf "chain bad" "hook xdp" "object $chain_obj program count_all")
check "a TC program at hook xdp is refused ($out)" \
	contains "$out" "is not a XDP program"
vty_ebpf "no chain bad" >/dev/null
order_is "the chain is as it was" "xdp_drop_src dp_xdp_main xdp_count "

# --- moving programs loses nothing of the rest
n=150
in_ns h1 ping -4 -I 10.0.1.2 -c $n -i 0.02 -W 2 10.0.2.2 >/tmp/chain-ping.out 2>&1 &
ping_pid=$!
sleep 0.5
for l in "chain seen;position before priority 20" \
	"chain seen;position after priority 5" \
	"chain drop;position before priority 1" \
	"chain seen;position before priority 30"; do
	vty_ebpf "${l%%;*}" "${l#*;}" >/dev/null
	sleep 0.3
done
wait $ping_pid || true
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' /tmp/chain-ping.out)
check "$n pings at 20 ms while chains move four times: ${got:-0}/$n replies" \
	[ "${got:-0}" -eq $n ]
order_is "the dispatcher runs xdp_drop_src, xdp_count, ours" "xdp_drop_src xdp_count dp_xdp_main "

# --- zebra killed and started again: the dispatcher keeps running while
# it is dead; the next run's programs take the old ones' places (ours and
# both chains), nothing doubled. (Loss-free restart is issue 9's: the
# FIB is rebuilt after a start, so the pings wait for it.)
out=$(timeout 30 vtysh -c 'write memory' 2>&1) || true
conf_chain=$(sed -n '/^ chain drop$/,/^ exit$/p' /etc/frr/frr.conf | tr '\n' '|')
check "write memory saves chain drop, hook before object ($conf_chain)" \
	contains "$conf_chain" " chain drop|  hook xdp|  object $chain_obj program xdp_drop_src|"
ours_before=$(xdp_prog_id dp_xdp_main)
kill -9 "$zebra_pid"
sleep 1
got=$(replies_from 10.0.1.2 "$pings")
check "zebra dead: 10.0.1.2 still forwarded by the datapath ($got/$pings replies)" \
	[ "${got:-0}" -eq "$pings" ]
got=$(replies_from 10.0.1.3 "$pings")
check "zebra dead: 10.0.1.3 still dropped by chain drop ($got/$pings replies)" \
	[ "${got:-1}" -eq 0 ]
if in_ns r1 /usr/lib/frr/zebra $zebra_args >/tmp/zebra2.out 2>&1; then
	pass "zebra starts again"
else
	fail "zebra starts again (status $?)"
	indent </tmp/zebra2.out
fi
zebra_pid=$(cat /var/run/frr/zebra.pid 2>/dev/null || true)
timeout 60 vtysh -b >/tmp/vtysh-b2.out 2>&1 || indent </tmp/vtysh-b2.out
i=0
while [ $i -lt 20 ]; do
	order=$(xdp_order)
	[ "$order" = "xdp_drop_src xdp_count dp_xdp_main " ] && break
	sleep 1
	i=$((i + 1))
done
check "after the restart the dispatcher runs xdp_drop_src, xdp_count, ours, each once ($order)" \
	[ "$order" = "xdp_drop_src xdp_count dp_xdp_main " ]
ours_after=$(xdp_prog_id dp_xdp_main)
check "ours is the new run's copy (id ${ours_before:-?} -> ${ours_after:-?})" \
	[ -n "$ours_after" ] && [ "$ours_after" != "$ours_before" ]
pins=$(ls "$pin_dir/xdp-chain" 2>/dev/null | tr '\n' ' ')
check "one pin per chain and interface ($pins)" [ "$pins" = "drop@2 seen@2 " ]
i=0
while [ $i -lt 15 ]; do
	got=$(replies_from 10.0.1.2 2 0.2)
	[ "${got:-0}" -eq 2 ] && break
	i=$((i + 1))
done
got=$(replies_from 10.0.1.2 "$pings")
check "after the restart 10.0.1.2 is forwarded ($got/$pings replies)" \
	[ "${got:-0}" -eq "$pings" ]
got=$(replies_from 10.0.1.3 "$pings")
check "after the restart 10.0.1.3 is dropped ($got/$pings replies)" \
	[ "${got:-1}" -eq 0 ]

# --- `no` takes one program off and leaves the others
seen_id=$(xdp_prog_id xdp_count)
out=$(vty_ebpf "no chain drop")
check "no chain drop${out:+: $out}" [ -z "$out" ]
order_is "the dispatcher runs xdp_count, ours" "xdp_count dp_xdp_main "
check "xdp_count kept its program (id ${seen_id:-?} -> $(xdp_prog_id xdp_count))" \
	same "$seen_id" "$(xdp_prog_id xdp_count)"
got=$(replies_from 10.0.1.3 "$pings")
check "10.0.1.3 is forwarded again ($got/$pings replies)" [ "${got:-0}" -eq "$pings" ]

# --- interfaces added to or taken from a chain keep its program (libxdp
# links the same program into another dispatcher; nothing is reloaded)
out=$(vty_ebpf "chain seen" "interface r1-eth1")
check "chain seen also on r1-eth1${out:+: $out}" [ -z "$out" ]
name=$(xdp_attached_name r1-eth1) || name=
check "r1-eth1 (mode tc: no XDP of ours) now runs a dispatcher ($name)" \
	[ "$name" = xdp_dispatcher ]
check "xdp_count kept its program on r1-eth0 (id $seen_id -> $(xdp_prog_id xdp_count))" \
	same "$seen_id" "$(xdp_prog_id xdp_count)"
out=$(vty_ebpf "chain seen" "no interface r1-eth1")
check "chain seen off r1-eth1 again${out:+: $out}" [ -z "$out" ]
check "r1-eth1 runs no XDP program any more" not xdp_attached_name r1-eth1
check "xdp_count still has its program on r1-eth0 (id $(xdp_prog_id xdp_count))" \
	same "$seen_id" "$(xdp_prog_id xdp_count)"
info "vtysh -c 'show ebpf chain':"
timeout 20 vtysh -c 'show ebpf chain' 2>&1 | indent
pins=$(ls "$pin_dir/xdp-chain" 2>/dev/null | tr '\n' ' ')
check "no chain drop took its pin, and r1-eth1's went with it ($pins)" [ "$pins" = "seen@2 " ]
# chain seen stays: the clean stop below must take it and ours off.

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The TCP state machine of conntrack: a pure function from (state,
 * direction, flags) to the next state, and the compare-and-swap that
 * applies it to the flow's authoritative state. No window tracking: a
 * packet is never refused for its sequence numbers, only the state (and
 * with it the timeout user space ages the flow by) follows the flags.
 */
#ifndef DP_BPF_CT_TCP_H
#define DP_BPF_CT_TCP_H

#include "common.h"

#define DP_TCP_FIN 0x01
#define DP_TCP_SYN 0x02
#define DP_TCP_RST 0x04
#define DP_TCP_ACK 0x10

/* Flags that may change a flow's state: XDP hands such packets to TC. */
#define DP_TCP_STATE_FLAGS (DP_TCP_FIN | DP_TCP_SYN | DP_TCP_RST)

/* How often a lost compare-and-swap is retried with the new state. */
#define DP_CT_CAS_TRIES 4

static __always_inline bool dp_ct_tcp_closed(__u32 state)
{
	return state == DP_CT_TCP_TIME_WAIT || state == DP_CT_TCP_CLOSE;
}

/* A SYN without ACK: a client opening (or retrying) a connection. */
static __always_inline bool dp_tcp_is_syn(__u8 flags)
{
	return (flags & (DP_TCP_SYN | DP_TCP_ACK | DP_TCP_RST)) == DP_TCP_SYN;
}

static __always_inline __u32 dp_ct_tcp_fin(__u32 state, bool reply)
{
	switch (state) {
	case DP_CT_TCP_SYN_RECV:
	case DP_CT_TCP_ESTABLISHED:
		/* Who closes first decides which half-closed state. */
		return reply ? DP_CT_TCP_CLOSE_WAIT : DP_CT_TCP_FIN_WAIT;
	case DP_CT_TCP_FIN_WAIT:
		return reply ? DP_CT_TCP_LAST_ACK : state;
	case DP_CT_TCP_CLOSE_WAIT:
		return reply ? state : DP_CT_TCP_LAST_ACK;
	default:
		return state;
	}
}

/*
 * The next state for a packet with TCP flags `flags` seen in the reply
 * direction if `reply`. `oneway` (DSR): only the client's packets pass
 * the LB, so its ACK after the SYN establishes the flow, and a flow the
 * client closed stays in FIN_WAIT until user space ages it.
 *
 * LAST_ACK: the next ACK in either direction counts as the last one
 * (telling the two apart would need a second state; an early TIME_WAIT
 * only shortens the timeout, packets still pass with the flow's rewrite).
 */
static __always_inline __u32 dp_ct_tcp_next(__u32 state, bool reply,
					     __u8 flags, bool oneway)
{
	if (flags & DP_TCP_RST)
		return DP_CT_TCP_CLOSE;
	if (dp_tcp_is_syn(flags)) {
		/* A retransmission, or a new connection reusing the tuple
		 * of a closed one (the client picked the same port). */
		if (!reply && (state == DP_CT_TCP_SYN_SENT ||
			       dp_ct_tcp_closed(state)))
			return DP_CT_TCP_SYN_SENT;
		return state;
	}
	if (flags & DP_TCP_SYN) /* SYN+ACK */
		return reply && state == DP_CT_TCP_SYN_SENT ? DP_CT_TCP_SYN_RECV
							    : state;
	if (flags & DP_TCP_FIN)
		return dp_ct_tcp_fin(state, reply);
	switch (state) {
	case DP_CT_TCP_SYN_SENT:
		return oneway && !reply ? DP_CT_TCP_ESTABLISHED : state;
	case DP_CT_TCP_SYN_RECV:
		return reply ? state : DP_CT_TCP_ESTABLISHED;
	case DP_CT_TCP_LAST_ACK:
		return DP_CT_TCP_TIME_WAIT;
	default:
		return state;
	}
}

/*
 * Apply the packet to the flow's authoritative state (the original
 * entry's) by compare-and-swap, so that two CPUs handling packets of one
 * flow never lose a transition and each transition has one winner.
 * Returns the state before the transition this CPU made, or the current
 * state with *moved false.
 */
static __always_inline __u32 dp_ct_tcp_advance(__u64 *state, bool reply,
					       __u8 flags, bool oneway,
					       bool *moved)
{
	__u64 old = 0, new;

	*moved = false;
#pragma unroll
	for (int i = 0; i < DP_CT_CAS_TRIES; i++) {
		old = *(volatile __u64 *)state;
		new = dp_ct_tcp_next(old, reply, flags, oneway);
		if (new == old)
			return old;
		if (__sync_val_compare_and_swap(state, old, new) == old) {
			*moved = true;
			return old;
		}
	}
	return old;
}

#endif /* DP_BPF_CT_TCP_H */

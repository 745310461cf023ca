/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Token-bucket meters (dp_abi.h: RFC 2697 srTCM, RFC 2698 trTCM), shared
 * by every CPU without a lock. Plain C on a state, a configuration and a
 * clock value, so that tests/unit/test_policer.c runs this very code in
 * user space against a token-by-token model of the RFCs' text.
 *
 * Credit: a bucket of rate R kbit/s has been given floor(t * R / 8e6)
 * bytes by time t (ns): one byte every 1/R, as the RFCs count. The
 * difference between two instants is computed exactly in 64-bit integers
 * (dp_policer_credit()), so nothing drifts or rounds at any rate. Of the
 * CPUs that see time pass, the one whose compare-and-swap moves last_ns
 * to now credits the interval; it adds the tokens with a compare-and-swap
 * on the bucket word, capped as the RFCs cap them (srTCM: C first, the
 * overflow to E).
 *
 * Metering: one compare-and-swap on the bucket word decides the colour
 * and takes the tokens together, so two CPUs never both take the last
 * tokens. A CPU that loses DP_POLICER_TRIES of them in a row (the word
 * kept changing under it) calls its packet red without taking anything:
 * under contention the meter errs below its rate, never above.
 */
#ifndef DP_BPF_POLICER_H
#define DP_BPF_POLICER_H

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#ifndef __bpf__
#include <stdbool.h>
#endif

#include "dp_abi.h"

#define DP_POLICER_TRIES 16
#define DP_POLICER_NS_PER_KBIT 8000000ull /* 1e9 ns * 8 bits / 1000 */

/* floor(t * kbps / 8e6) mod 2^64: the bytes credited by time t. */
static __always_inline __u64 dp_policer_credit(__u64 t, __u64 kbps)
{
	return (t / DP_POLICER_NS_PER_KBIT) * kbps +
	       (t % DP_POLICER_NS_PER_KBIT) * kbps / DP_POLICER_NS_PER_KBIT;
}

static __always_inline __u64 dp_policer_word(__u64 tc, __u64 tx)
{
	return tc << 32 | tx;
}

/* b + add, at most max (add may be any 64-bit amount). */
static __always_inline __u64 dp_policer_fill(__u64 b, __u64 add, __u64 max)
{
	return b >= max || add >= max - b ? max : b + add;
}

/* A full meter, as the RFCs start one. */
static __always_inline void dp_policer_init(struct dp_policer_state *st,
					    const struct dp_policer_conf *c,
					    __u64 now)
{
	st->last_ns = now;
	st->tokens = dp_policer_word(c->cbs, c->ebs_or_pbs);
}

/*
 * Credit the time since last_ns, if this CPU wins it. Returns false if
 * the credit was lost to contention on the bucket word.
 */
static __always_inline bool dp_policer_refill(struct dp_policer_state *st,
					      const struct dp_policer_conf *c,
					      __u64 now)
{
	__u64 last = *(volatile __u64 *)&st->last_ns;
	__u64 ic, ix = 0, w, nw, tc, tx;

	if ((__s64)(now - last) <= 0 ||
	    __sync_val_compare_and_swap(&st->last_ns, last, now) != last)
		return true;
	ic = dp_policer_credit(now, c->cir_kbps) -
	     dp_policer_credit(last, c->cir_kbps);
	if (c->mode == DP_POLICER_TRTCM)
		ix = dp_policer_credit(now, c->pir_kbps) -
		     dp_policer_credit(last, c->pir_kbps);
	if (!ic && !ix)
		return true;
	/* unrolled: Debian's 6.1 refuses the back-edge clang lays out for
	 * this loop (a fallthrough into its head, "back-edge from insn") */
#pragma unroll
	for (int i = 0; i < DP_POLICER_TRIES; i++) {
		w = *(volatile __u64 *)&st->tokens;
		tc = w >> 32;
		tx = (__u32)w;
		if (c->mode == DP_POLICER_TRTCM) {
			tc = dp_policer_fill(tc, ic, c->cbs);
			tx = dp_policer_fill(tx, ix, c->ebs_or_pbs);
		} else if (tc < c->cbs && ic <= c->cbs - tc) {
			tc += ic;
		} else {
			/* C fills first; what it cannot take goes to E */
			if (tc < c->cbs)
				ic -= c->cbs - tc;
			tc = c->cbs;
			tx = dp_policer_fill(tx, ic, c->ebs_or_pbs);
		}
		nw = dp_policer_word(tc, tx);
		if (nw == w || __sync_val_compare_and_swap(&st->tokens, w, nw) == w)
			return true;
	}
	return false;
}

/*
 * The colour of a packet of len bytes at time now (pre: its colour before,
 * from its DSCP, read only if the meter is colour-aware), its tokens
 * taken.
 */
static __always_inline __u32 dp_policer_meter(struct dp_policer_state *st,
					      const struct dp_policer_conf *c,
					      __u64 now, __u32 len, __u32 pre)
{
	__u64 w, tc, tx;
	__u32 colour;

	dp_policer_refill(st, c, now);
	if (!(c->flags & DP_POLICER_F_COLOUR_AWARE))
		pre = DP_GREEN;
#pragma unroll
	for (int i = 0; i < DP_POLICER_TRIES; i++) {
		w = *(volatile __u64 *)&st->tokens;
		tc = w >> 32;
		tx = (__u32)w;
		if (c->mode == DP_POLICER_TRTCM) {
			/* RFC 2698: P decides red, then C green */
			if (pre == DP_RED || tx < len)
				return DP_RED;
			tx -= len;
			if (pre == DP_YELLOW || tc < len) {
				colour = DP_YELLOW;
			} else {
				colour = DP_GREEN;
				tc -= len;
			}
		} else if (pre == DP_GREEN && tc >= len) {
			/* RFC 2697: C green, else E yellow */
			colour = DP_GREEN;
			tc -= len;
		} else if (pre != DP_RED && tx >= len) {
			colour = DP_YELLOW;
			tx -= len;
		} else {
			return DP_RED;
		}
		if (__sync_val_compare_and_swap(&st->tokens, w,
						dp_policer_word(tc, tx)) == w)
			return colour;
	}
	return DP_RED;
}

#endif /* DP_BPF_POLICER_H */

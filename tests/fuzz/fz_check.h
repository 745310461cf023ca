/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The invariants the fuzz checks for each frame, and the tally of what it
 * saw. The product's contract: the datapath may pass any packet to the
 * kernel, but it never forwards one the kernel would not forward; when it
 * forwards, the frame leaves exactly as the kernel would send it (next
 * hop's MAC, egress MAC, TTL / hop limit - 1, IPv4 checksum right,
 * nothing else changed); a passed frame is unchanged; and every packet is
 * counted exactly once (stats_map under the hook that decided, the
 * ingress interface's counters as received plus forwarded or passed).
 */
#ifndef FZ_CHECK_H
#define FZ_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "dp_harness.h"
#include "fz_gen.h"
#include "fz_model.h"
#include "fz_run.h"

enum fz_vkind {
	FZ_V_RUN_ERROR,	     /* BPF_PROG_TEST_RUN itself failed */
	FZ_V_VERDICT,	     /* neither pass nor redirect */
	FZ_V_FWD_NOT_KERNEL, /* forwarded; the kernel would not forward it */
	FZ_V_FWD_ALTERED,    /* forwarded as is; the kernel sends another frame */
	FZ_V_EGRESS,	     /* forwarded to a next hop the kernel would not use */
	FZ_V_OUTPUT,	     /* the forwarded frame is not the kernel's */
	FZ_V_PASS_MODIFIED,  /* passed to the kernel, but changed */
	FZ_V_COUNT,	     /* not exactly one packet counted once */
	FZ_V_COUNT_REASON,   /* the counter contradicts the verdict / hook */
	FZ_V_META,	     /* XDP metadata missing or not the counted reason */
	FZ_V_ISTATS,	     /* interface counters wrong */
	FZ_V_MAX,
};

/* One frame through one ingress: what ran and what came out. */
struct fz_case {
	uint64_t seed, index;
	uint32_t ingress;
	bool xdp_mode;		  /* the ingress runs XDP (then maybe TC) */
	const struct fz_frame *frame;
	struct fz_model_result model;
	struct h_result xdp, tc;  /* xdp valid with xdp_mode */
	bool ran_xdp, ran_tc;	  /* TC ran (mode tc, or XDP handed over) */
	bool untestable;	  /* BPF_PROG_TEST_RUN refuses the frame */
	struct fz_delta delta;	  /* counters over the whole case */
};

#define FZ_CLASS_MAX 256

struct fz_tally {
	uint64_t cases[2];	  /* per ingress kind: [0] xdp mode, [1] tc */
	uint64_t dp_fwd[DP_HOOK_MAX][DP_R_MAX]; /* forwarded, by hook/reason */
	uint64_t dp_pass[DP_HOOK_MAX][DP_R_MAX]; /* passed, by hook/reason */
	uint64_t handed_to_tc;
	uint64_t untestable;	  /* frames the TC test run refuses */
	uint64_t model_fwd;	  /* the model forwards (some path) */
	uint64_t model_why[FZ_W_MAX];
	uint64_t violations;
	unsigned int max_print;	  /* full reports per class */
	bool verbose;
	unsigned int n_classes;
	struct fz_class {
		enum fz_vkind kind;
		char sub[48];
		uint64_t count;
		uint64_t first_seed, first_index;
		uint32_t first_ingress;
	} classes[FZ_CLASS_MAX];
};

const char *fz_vkind_name(enum fz_vkind k);

/* XDP leaves a packet it passed with this reason to TC on the same
 * interface, which forwards and counts it. */
bool fz_tc_takes(enum dp_reason r);

/* Check one case, count it, report its violations (to out). Returns the
 * number of violations found. */
int fz_check(struct fz_tally *t, const struct fz_case *cs, FILE *out);

void fz_tally_print(const struct fz_tally *t, FILE *out);

#endif /* FZ_CHECK_H */

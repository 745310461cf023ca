/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Users' own programs chained with ours (`chain NAME` in the ebpf block),
 * with no chaining code in theirs: no prog-array, no tail call, no map of
 * the next program. Everything here runs on zebra's main pthread.
 *
 *   chain_prog.c   load a user's program from its object file; attach it
 *                  to an interface's TC ingress at the priority of its
 *                  place
 *   chain_xdp.c    a user's XDP program in libxdp's dispatcher, at the
 *                  run priority of its place
 *   chain_nb.c     northbound: load at PREPARE (a bad object fails the
 *                  commit, the chain stays as it was), attach at APPLY
 *   chain_vty.c    the `chain` node, its commands, how it reads back
 *   chain_show.c   `show ebpf chain`: each hook's order per interface
 *
 * TC ingress: cls_bpf filters in priority order on the clsact qdisc ours
 * hangs off (DP_TC_PRIO). A program before ours gets priority
 * DP_TC_PRIO - CHAIN_PRIO_SPAN + its priority, after ours DP_TC_PRIO +
 * its priority: a lower number runs first. A program says "next" with
 * TC_ACT_UNSPEC (the TC convention), as ours does when it passes a packet
 * up. XDP: libxdp's dispatcher runs ours at run priority DP_XDP_RUN_PRIO
 * (maps/dp_xdp_dispatch.c); a user's program before ours gets its
 * priority, after ours DP_XDP_RUN_PRIO + its priority; the next program
 * runs when one returns XDP_PASS. Refused where the kernel refuses
 * freplace programs. See doc/architecture.md, "Chaining".
 */
#ifndef CHAIN_H
#define CHAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/northbound.h"

#include "maps/dp_maps.h" /* DP_TC_PRIO */

#define CHAIN_XPATH "/frr-zebra-ebpf:ebpf/chain"

/* Priorities a user gives among their own programs: 1 .. CHAIN_PRIO_SPAN. */
#define CHAIN_PRIO_SPAN 1000

enum chain_hook {
	CHAIN_HOOK_TC_INGRESS = 0,
	CHAIN_HOOK_XDP = 1,
};

enum chain_pos {
	CHAIN_BEFORE = 0,
	CHAIN_AFTER = 1,
};

/* A chain entry as configured. */
struct chain_spec {
	char name[64];
	char object[256];
	char program[64];
	uint8_t hook;	  /* enum chain_hook */
	uint8_t position; /* enum chain_pos */
	uint16_t priority;
};

/* cls_bpf priority of a place at TC ingress. */
static inline uint16_t chain_tc_prio(uint8_t position, uint16_t priority)
{
	return position == CHAIN_BEFORE
		       ? (uint16_t)(DP_TC_PRIO - CHAIN_PRIO_SPAN - 1 + priority)
		       : (uint16_t)(DP_TC_PRIO + priority);
}

/* libxdp run priority of a place at XDP. */
static inline unsigned int chain_xdp_prio(uint8_t position, uint16_t priority)
{
	return position == CHAIN_BEFORE ? priority : DP_XDP_RUN_PRIO + priority;
}

/* libxdp's dispatcher holds 10 programs, ours among them. */
#define CHAIN_XDP_MAX_PER_INTF 9

/* --- chain_prog.c */

/*
 * Load program `program` of object file `object` as a program of hook's
 * type (with the privileges it needs). Returns its fd, or -errno with a
 * message (the verifier's last lines included) in err.
 */
extern int chain_prog_load(const char *object, const char *program,
			   uint8_t hook, char *err, size_t errlen);

/*
 * Attach / replace / detach prog_fd as the cls_bpf filter (prio, handle)
 * on ifindex's TC ingress. Each chain entry has its own handle, so that
 * two entries trading places in one commit never replace each other's
 * filter on the way. 0 or -errno (and err).
 */
extern int chain_tc_attach(int ifindex, uint16_t prio, uint32_t handle,
			   int prog_fd, char *err, size_t errlen);
extern void chain_tc_detach(int ifindex, uint16_t prio, uint32_t handle);
/* The id of the program of the cls_bpf filter (prio, handle) on ifindex's
 * TC ingress, 0 if none. */
extern uint32_t chain_tc_query(int ifindex, uint16_t prio, uint32_t handle);
/* Ids of the tcx programs on ifindex's ingress in run order (they run
 * before every cls_bpf filter); -1 where the kernel has no tcx. */
extern int chain_tcx_list(int ifindex, uint32_t *ids, int max);
/* A program's name and run count (kernel stats), by id; false if gone. */
extern bool chain_prog_info(uint32_t id, char name[16], uint64_t *runs);
/* cls_bpf handles of chain entries: 1 .. CHAIN_MAX (ours: DP_TC_HANDLE). */
#define CHAIN_MAX 4095


/* Run counts: switched on while any chain is configured (kernel stats). */
extern void chain_stats_enable(bool on);

/* --- chain_xdp.c */

/* Why XDP programs cannot be chained with ours here (a phrase), or NULL. */
extern const char *chain_xdp_refusal(void);

struct chain_xdp;
/*
 * Program `program` of object file `object` at run priority run_prio,
 * opened, not loaded: libxdp loads it as an freplace program of the
 * first dispatcher it joins (the commit's PREPARE has verified it as an
 * XDP program). NULL and err on failure.
 */
extern struct chain_xdp *chain_xdp_open(const char *object,
					const char *program,
					unsigned int run_prio, char *err,
					size_t errlen);
extern int chain_xdp_attach(struct chain_xdp *x, int ifindex, char *err,
			    size_t errlen);
/* x, just attached to ifindex for chain name, takes the place of the
 * chain's earlier program there (a move's, or an earlier run's). */
extern void chain_xdp_adopt(struct chain_xdp *x, const char *name,
			    int ifindex);
/* Chain name's program x leaves ifindex's dispatcher. */
extern void chain_xdp_release(struct chain_xdp *x, const char *name,
			      int ifindex);
/* Programs pinned for chains that claimed(name, ifindex) denies leave
 * their dispatchers (chains removed while zebra was down). */
extern void chain_xdp_sweep(bool (*claimed)(const char *name, int ifindex));
extern uint32_t chain_xdp_id(const struct chain_xdp *x);
extern void chain_xdp_close(struct chain_xdp *x);

/* One program of an interface's dispatcher. */
struct chain_xdp_slot {
	uint32_t id;
	unsigned int run_prio;
	char name[16];
};
/* ifindex's dispatcher programs in run order; -1: no dispatcher there. */
extern int chain_xdp_list(int ifindex, struct chain_xdp_slot *out, int max);

/* --- chain_nb.c */

extern const struct frr_yang_module_info chain_nb_info;
extern void chain_init(void);
extern void chain_fini(void);
extern void chain_spec_of(const struct lyd_node *dnode, struct chain_spec *s);

/* A chain's state on one interface, for show. */
struct chain_intf_status {
	char ifname[16];
	int ifindex;
	bool attached;
	char why[300];
};

/* A chain's loaded program (id 0: none), cls_bpf handle and interfaces;
 * -1 if unknown. */
extern int chain_status(const char *name, uint32_t *prog_id, uint32_t *handle,
			struct chain_intf_status *st, int max);

/* --- chain_vty.c / chain_show.c */

extern void chain_vty_init(void);
extern void chain_show_init(void);
extern void chain_cli_show(struct vty *vty, const struct lyd_node *dnode,
			   bool show_defaults);
extern void chain_cli_show_end(struct vty *vty, const struct lyd_node *dnode);
extern int chain_cli_cmp(const struct lyd_node *a, const struct lyd_node *b);
extern const char *chain_hook_name(uint8_t hook);

#endif /* CHAIN_H */

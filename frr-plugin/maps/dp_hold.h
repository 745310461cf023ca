/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The datapath's trust in zebra (DP_META_F_HOLD in dp_abi.h): while zebra
 * lives, the owner pthread keeps meta_map's deadline one hold time ahead.
 * If zebra dies or its dplane pthread stops, the deadline passes and the
 * programs hand every packet to the kernel, whose tables zebra's death
 * does not freeze (links that go down, neighbours that move), until a
 * zebra takes the maps over again.
 */
#ifndef DP_HOLD_H
#define DP_HOLD_H

#include <stdint.h>

/* Where the hold time came from, for show. */
enum dp_hold_source {
	DP_HOLD_ARG,	  /* module argument hold-time= */
	DP_HOLD_ZEBRA_GR, /* zebra's -K (graceful restart) time */
	DP_HOLD_DEFAULT,
};

/* Without -K zebra keeps nothing across its own restart; the default only
 * rides out a busy dplane pthread and a restart by watchfrr. */
#define DP_HOLD_DEFAULT_S 5

/* Module load, once the maps are open: the first deadline. 0 or -errno. */
extern int dp_hold_boot(uint32_t hold_s, enum dp_hold_source source);

/* Owner pthread running: renew from now on. */
extern void dp_hold_start(void);

/* Main pthread, zebra stopping: renew no more. The deadline left in
 * meta_map runs out by itself. */
extern void dp_hold_stop(void);

struct dp_hold_state {
	uint32_t hold_s;
	enum dp_hold_source source;
	int64_t trusted_ms;   /* left until the deadline (< 0: past) */
	uint64_t renewals;
	uint64_t failures;    /* meta_map writes that failed */
};
extern void dp_hold_get(struct dp_hold_state *st);
extern const char *dp_hold_source_name(enum dp_hold_source source);

#endif /* DP_HOLD_H */

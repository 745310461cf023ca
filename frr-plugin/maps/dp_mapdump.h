/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading the pinned maps for the show and clear commands: key walks,
 * lookups with per-CPU values summed, zeroing of counter maps, and a
 * growable array to sort what a walk found.
 */
#ifndef DP_MAPDUMP_H
#define DP_MAPDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/compiler.h"

#include "maps/dp_maps.h"

struct vty;

/*
 * An open map: its key and value sizes, and the lookup buffer of a per-CPU
 * map (all per-CPU maps of the ABI hold only __u64 counters, summed into
 * one value by dp_map_view_lookup).
 */
struct dp_map_view {
	int fd;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	bool percpu;
	int ncpus;
	uint8_t *cpu_values; /* lookup buffer of a per-CPU map */
};

/*
 * 0, or -errno; -EPROTO when the pinned map's layout is not the one this
 * plugin reads (pins left by another ABI). Close the view in every case.
 */
extern int dp_map_view_open(enum dp_map_id id, struct dp_map_view *v);
extern void dp_map_view_close(struct dp_map_view *v);

/* Value of one entry (value_size bytes), per-CPU values summed. */
extern int dp_map_view_lookup(struct dp_map_view *v, const void *key,
			      void *value);

/* Called per entry; value is NULL for a key-only walk. false stops. */
typedef bool (*dp_map_walk_cb)(const void *key, const void *value, void *arg);

/*
 * Visit the entries of a map in key order. Returns the number of entries
 * visited or -errno. cb may be NULL to count the entries.
 */
extern long dp_map_view_walk(struct dp_map_view *v, bool with_values,
			     dp_map_walk_cb cb, void *arg);

/* The same on a map that is opened and closed around the call. */
extern long dp_map_walk(enum dp_map_id id, bool with_values, dp_map_walk_cb cb,
			void *arg);
extern int dp_map_lookup(enum dp_map_id id, const void *key, void *value);

/* Zero every value of a per-CPU counter map; 0 or -errno. */
extern int dp_map_zero(enum dp_map_id id);

/* What a negative result of the functions above means, for users. */
extern const char *dp_map_strerror(long err);

/* Growable array of fixed-size records, for sorting what a walk found. */
struct dp_records {
	uint8_t *data;
	size_t size; /* bytes per record */
	size_t count;
	size_t alloc;
};

/* A new zeroed record at the end. */
extern void *dp_records_add(struct dp_records *r);
extern void *dp_records_get(const struct dp_records *r, size_t i);
extern void dp_records_sort(struct dp_records *r,
			    int (*cmp)(const void *, const void *));
extern void dp_records_free(struct dp_records *r);

/*
 * A hash or LPM map read a batch of entries at a time
 * (BPF_MAP_LOOKUP_BATCH): far fewer system calls than a key walk, and a
 * position (a bucket) that entries deleted meanwhile do not move, so a
 * walk can be spread over many steps while the datapath changes the map.
 */
struct dp_map_batch {
	int fd;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t cap;	  /* entries per batch */
	uint8_t *keys;	  /* cap keys of the last batch */
	uint8_t *values;  /* cap values */
	uint32_t token;	  /* where the next batch starts */
	bool started;
	bool done;	  /* the last batch has been read */
};

/* 0, or -errno (-EPROTO: not the layout this plugin reads). */
extern int dp_map_batch_open(enum dp_map_id id, struct dp_map_batch *b,
			     uint32_t cap);
/* The next batch: how many entries it holds (0 at the end), or -errno. */
extern long dp_map_batch_next(struct dp_map_batch *b);
extern void dp_map_batch_close(struct dp_map_batch *b);
/* Start again from the first entry. */
extern void dp_map_batch_rewind(struct dp_map_batch *b);
/* Entries of a hash map, counted a batch at a time; or -errno. */
extern long dp_map_batch_count(enum dp_map_id id);

/* The answer of a command that needs the maps when they are not loaded. */
extern int dp_show_not_loaded(struct vty *vty, bool uj);
/*
 * The answer to an argument the grammar let through but the command cannot
 * take (printf-style message saying what is valid): "% message", or with
 * json {"error": "message"}, so that `... json` output always parses.
 * Returns CMD_WARNING.
 */
extern int dp_show_bad_input(struct vty *vty, bool uj, const char *fmt, ...)
	PRINTFRR(3, 4);
/* The answer of a command that could not read a map (err: -errno). */
extern int dp_show_map_error(struct vty *vty, enum dp_map_id id, long err);


#endif /* DP_MAPDUMP_H */

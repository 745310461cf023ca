// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Load the datapath programs, create or reuse the pinned maps, and attach
 * programs to interfaces. The BPF objects are embedded as libbpf skeletons:
 * the module carries its own datapath, so the two can never disagree.
 */

#include "config.h"

#include <errno.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <linux/if_link.h>
#include <net/if.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/zebra.h"
#include "lib/log.h"
#include "lib/memory.h"

#include "dp_abi.h"
#include "core/dp_plugin.h"
#include "maps/dp_maps.h"
#include "maps/dp_migrate.h"
#include "xdp_main.skel.h"
#include "tc_main.skel.h"


static const char *const dp_map_names[DP_MAP_MAX] = {
	[DP_MAP_RT4] = "rt_v4_map",	  [DP_MAP_RT6] = "rt_v6_map",
	[DP_MAP_NH] = "nh_map",		  [DP_MAP_DMAC] = "dmac_map",
	[DP_MAP_INTF] = "intf_map",	  [DP_MAP_STATS] = "stats_map",
	[DP_MAP_INTF_STATS] = "intf_stats_map", [DP_MAP_META] = "meta_map",
	[DP_MAP_FIB_VAL] = "fib_val_map", [DP_MAP_FIB4_TBL24] = "fib4_tbl24",
	[DP_MAP_FIB4_TBL8] = "fib4_tbl8", [DP_MAP_FIB6] = "fib6_map",
	[DP_MAP_FIB6_FILTER] = "fib6_filter_map",
	[DP_MAP_FIB4_DXR_DIR] = "fib4_dxr_dir",
	[DP_MAP_FIB4_DXR_RANGE] = "fib4_dxr_range",
	[DP_MAP_FIB6_DXR_DIR] = "fib6_dxr_dir",
	[DP_MAP_FIB6_DXR_RANGE] = "fib6_dxr_range",
	[DP_MAP_PUNT4] = "punt_v4_map",	  [DP_MAP_PUNT6] = "punt_v6_map",
	[DP_MAP_ADDR4] = "addr4_map",	  [DP_MAP_NEIGH_HIT] = "neigh_hit_map",
	[DP_MAP_LB_VIP] = "lb_vip_map",	  [DP_MAP_LB_RING] = "lb_ring_map",
	[DP_MAP_LB_VIP_BACKENDS] = "lb_vip_backends",
	[DP_MAP_LB_BACKEND] = "lb_backend_map",
	[DP_MAP_LB_BE_STATS] = "lb_be_stats_map",
	[DP_MAP_LB_BE_CONNS] = "lb_be_conns_map",
	[DP_MAP_LB_RR] = "lb_rr_map",	  [DP_MAP_LB_PERSIST] = "lb_persist_map",
	[DP_MAP_CT4] = "ct4_map",	  [DP_MAP_CT6] = "ct6_map",
	[DP_MAP_NAT_SRC] = "nat_src_map",
	[DP_MAP_CT_FILTER] = "ct_filter_map",
	[DP_MAP_POLICER] = "policer_map",
	[DP_MAP_POLICER_STATE] = "policer_state_map",
	[DP_MAP_POLICER_STATS] = "policer_stats_map",
	[DP_MAP_POLICER_INTF] = "policer_intf_map",
	[DP_MAP_POLICER_MATCH] = "policer_match_map",
	[DP_MAP_POLICER_VIP] = "policer_vip_map",
};

static struct {
	_Atomic bool ready; /* set last, once every field below is valid */
	char pin_dir[256];
	struct dp_map_sizes sizes;
	struct xdp_main *xdp;
	struct tc_main *tc;
	int map_fd[DP_MAP_MAX];
	uint32_t map_max[DP_MAP_MAX];
	void *map_mem[DP_MAP_MAX]; /* mmap of the arrays that allow it */
	size_t map_mem_len[DP_MAP_MAX];
	int xdp_prog_fd;
	int tc_prog_fd;
	uint32_t meta_flags; /* what meta_map holds (one writer) */
	bool reused;	     /* the pins of an earlier run */
	/* of those, resized: the earlier map until its entries are carried
	 * over (-1: none), and whether some did not fit */
	int resized_from[DP_MAP_MAX];
	/* after its copy, an earlier map the programs add entries to, until
	 * this run's programs replace the earlier ones (-1: none) */
	int catch_up[DP_MAP_MAX];
	bool replaced[DP_MAP_MAX]; /* created without what it held */
	uint64_t trusted_until;
} dp_m = { .xdp_prog_fd = -1, .tc_prog_fd = -1 };

const char *dp_map_name(enum dp_map_id id)
{
	return id < DP_MAP_MAX ? dp_map_names[id] : "?";
}

int dp_map_fd(enum dp_map_id id)
{
	return dp_maps_ready() && id < DP_MAP_MAX ? dp_m.map_fd[id] : -1;
}

void *dp_map_mmap(enum dp_map_id id)
{
	return dp_maps_ready() && id < DP_MAP_MAX ? dp_m.map_mem[id] : NULL;
}

uint32_t dp_map_max_entries(enum dp_map_id id)
{
	return id < DP_MAP_MAX ? dp_m.map_max[id] : 0;
}

bool dp_maps_ready(void)
{
	return atomic_load_explicit(&dp_m.ready, memory_order_acquire);
}

const char *dp_pin_dir(void)
{
	return dp_m.pin_dir;
}

/* Show commands ask from zebra's main pthread, unprivileged there. */
uint32_t dp_prog_id(int fd)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);
	int ret = -1;

	if (fd < 0)
		return 0;
	frr_with_privs (dp_privs())
		ret = bpf_obj_get_info_by_fd(fd, &info, &len);
	return ret ? 0 : info.id;
}

uint32_t dp_prog_id_xdp(void)
{
	return dp_prog_id(dp_m.xdp_prog_fd);
}

uint32_t dp_prog_id_tc(void)
{
	return dp_prog_id(dp_m.tc_prog_fd);
}

int dp_prog_fd_xdp(void)
{
	return dp_maps_ready() ? dp_m.xdp_prog_fd : -1;
}

/* Set around bpf_tc_hook_create(): an existing clsact qdisc (ours from an
 * earlier run, or another tool's) is expected, yet libbpf logs the
 * kernel's refusal to create it again as a warning. */
static _Thread_local bool dp_libbpf_qdisc_may_exist;
/* set while probing every interface for an earlier run's programs */
static _Thread_local bool dp_libbpf_quiet;

static int dp_libbpf_log(enum libbpf_print_level level, const char *fmt,
			 va_list ap)
{
	char buf[1024];

	if (level == LIBBPF_DEBUG || dp_libbpf_quiet)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	if (dp_libbpf_qdisc_may_exist &&
	    strstr(buf, "Exclusivity flag on, cannot modify"))
		return 0;
	if (level == LIBBPF_WARN)
		zlog_warn("ebpf: libbpf: %s", buf);
	else
		zlog_info("ebpf: libbpf: %s", buf);
	return 0;
}

/*
 * Pins from an earlier run are reused only when their layout version is
 * ours. A mismatch is not resolved by unpinning (that would drop live
 * state under a running datapath): the operator decides.
 */
static int dp_check_pinned_abi(const char *pin_dir, bool *reused, char *err,
			       size_t errlen)
{
	char path[512];
	struct dp_meta meta = {};
	uint32_t key = 0;
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%s", pin_dir,
		 dp_map_names[DP_MAP_META]);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		*reused = false;
		return 0;
	}
	ret = bpf_map_lookup_elem(fd, &key, &meta);
	close(fd);
	if (ret == 0 && meta.abi_version == DP_ABI_VERSION) {
		*reused = true;
		return 0;
	}
	snprintf(err, errlen,
		 "maps pinned in %s have layout version %u, this plugin uses %u; remove that directory to start afresh",
		 pin_dir, meta.abi_version, DP_ABI_VERSION);
	return -EEXIST;
}

const struct dp_map_sizes *dp_maps_active_sizes(void)
{
	return &dp_m.sizes;
}

/* One map's capacity, as the configured sizes decide it. */
struct dp_map_size {
	enum dp_map_id id;
	uint32_t entries;
};

/*
 * The lookup structures are sized from the route counts: a tbl8 group per
 * 64 IPv4 routes (prefixes longer than /24 are rare in real tables), four
 * fib6 nodes per IPv6 route (the prefix and its markers), and a value id
 * per nexthop group plus room for connected, local and special routes.
 * Fills set[] and returns how many entries it holds.
 */
#define DP_SIZED_MAPS 22
static size_t dp_sizes_expand(const struct dp_map_sizes *sizes,
			      struct dp_map_size set[DP_SIZED_MAPS])
{
	const struct dp_map_size s[DP_SIZED_MAPS] = {
		{ DP_MAP_RT4, sizes->rt4 },
		{ DP_MAP_RT6, sizes->rt6 },
		{ DP_MAP_NH, sizes->nhg },
		{ DP_MAP_DMAC, sizes->neigh },
		{ DP_MAP_FIB_VAL, sizes->nhg + 4096 },
		/* one array element per tbl8 group */
		{ DP_MAP_FIB4_TBL8, MAX(2048u, sizes->rt4 / 64) },
		/* blocks of 256 range entries, for the routes ranges serve */
		{ DP_MAP_FIB4_DXR_RANGE,
		  MAX(16u, MIN(sizes->rt4, DP_FIB4_DXR_ROUTES_MAX) *
				   DP_FIB4_DXR_RANGES_PER_ROUTE /
				   DP_FIB4_TBL8_GROUP_ENTRIES) },
		{ DP_MAP_FIB6, sizes->rt6 * 4 },
		{ DP_MAP_FIB6_DXR_RANGE,
		  MAX(16u, MIN(sizes->rt6, DP_FIB6_DXR_ROUTES_MAX) *
				   DP_FIB6_DXR_RANGES_PER_ROUTE /
				   DP_FIB6_DXR_RANGE_BLOCK) },
		/* one hit byte per neighbour, slot 0 unused */
		{ DP_MAP_NEIGH_HIT, sizes->neigh / DP_HIT_BLOCK + 1 },
		/* the load balancer: VIPs, backends, ring slots */
		{ DP_MAP_LB_VIP, sizes->lb_vips },
		{ DP_MAP_LB_VIP_BACKENDS, sizes->lb_vips },
		{ DP_MAP_LB_RR, sizes->lb_vips },
		{ DP_MAP_LB_BACKEND, sizes->lb_backends },
		{ DP_MAP_LB_BE_STATS, sizes->lb_backends },
		{ DP_MAP_LB_BE_CONNS, sizes->lb_backends },
		/* one array element per block of slots */
		{ DP_MAP_LB_RING, sizes->lb_ring / DP_LB_RING_BLOCK },
		{ DP_MAP_LB_PERSIST, sizes->lb_persist },
		{ DP_MAP_CT4, sizes->ct },
		{ DP_MAP_CT6, sizes->ct },
		{ DP_MAP_NAT_SRC, sizes->nat_src },
		/* a VIP's policer, by vip id */
		{ DP_MAP_POLICER_VIP, sizes->lb_vips },
	};

	memcpy(set, s, sizeof(s));
	return DP_SIZED_MAPS;
}

void dp_maps_set_sizes(struct bpf_object *obj,
		       const struct dp_map_sizes *sizes)
{
	struct dp_map_size set[DP_SIZED_MAPS];
	size_t i, n = dp_sizes_expand(sizes, set);
	struct bpf_map *map;

	for (i = 0; i < n; i++) {
		map = bpf_object__find_map_by_name(obj,
						   dp_map_names[set[i].id]);
		if (map)
			bpf_map__set_max_entries(map, set[i].entries);
	}
}

/*
 * Pinned maps are reused as they are, so a map whose size is not the one
 * the module arguments ask for is unpinned here and created afresh at
 * load; the earlier map stays open until its entries are carried over
 * (dp_migrate_resized), while the programs attached go on reading it.
 */
static void dp_replace_resized(const char *pin_dir,
			       const struct dp_map_sizes *sizes)
{
	struct dp_map_size set[DP_SIZED_MAPS];
	size_t i, n = dp_sizes_expand(sizes, set);

	for (i = 0; i < n; i++) {
		struct bpf_map_info info = {};
		uint32_t len = sizeof(info);
		char path[512];
		int fd;

		snprintf(path, sizeof(path), "%s/%s", pin_dir,
			 dp_map_names[set[i].id]);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    info.max_entries != set[i].entries) {
			zlog_notice("ebpf: resizing %s from %u to %u entries (module arguments)",
				    dp_map_names[set[i].id], info.max_entries,
				    set[i].entries);
			if (unlink(path)) {
				zlog_warn("ebpf: cannot unpin %s: %s", path,
					  safe_strerror(errno));
			} else {
				dp_m.resized_from[set[i].id] = fd;
				continue;
			}
		}
		close(fd);
	}
}

/* The maps the programs themselves add entries to (flows, persistence);
 * the plugin alone writes the others. */
static bool dp_map_grown_by_programs(enum dp_map_id id)
{
	return id == DP_MAP_CT4 || id == DP_MAP_CT6 ||
	       id == DP_MAP_LB_PERSIST;
}

/* The entries of each resized map, into its new map. One that did not
 * fit whole is reported; the state built on it is then partly lost. */
static void dp_migrate_resized(void)
{
	for (int id = 0; id < DP_MAP_MAX; id++) {
		struct dp_migrate_result res;
		int from = dp_m.resized_from[id], ret;

		if (from < 0)
			continue;
		ret = dp_map_migrate(from, dp_m.map_fd[id], &res);
		dp_m.resized_from[id] = -1;
		if (!ret && dp_map_grown_by_programs(id))
			dp_m.catch_up[id] = from;
		else
			close(from);
		/* Only a map that got nothing starts its derived state (the
		 * conntrack filter, the counters) afresh: zeroing the filter
		 * under flows that were carried would route their packets
		 * past conntrack, untranslated. */
		if (ret)
			dp_m.replaced[id] = true;
		if (ret || res.dropped) {
			zlog_warn("ebpf: %s resized: %u entries carried over, %u did not fit%s%s",
				  dp_map_names[id], res.copied, res.dropped,
				  ret ? ": " : "", ret ? safe_strerror(-ret) : "");
		} else {
			zlog_notice("ebpf: %s resized: its %u entries carried over",
				    dp_map_names[id], res.copied);
		}
	}
}

static void dp_resized_close(void)
{
	for (int id = 0; id < DP_MAP_MAX; id++) {
		if (dp_m.resized_from[id] >= 0)
			close(dp_m.resized_from[id]);
		if (dp_m.catch_up[id] >= 0)
			close(dp_m.catch_up[id]);
		dp_m.resized_from[id] = dp_m.catch_up[id] = -1;
	}
}

static int dp_collect_maps(struct bpf_object *obj, char *err, size_t errlen)
{
	struct bpf_map *map;
	int i;

	for (i = 0; i < DP_MAP_MAX; i++) {
		map = bpf_object__find_map_by_name(obj, dp_map_names[i]);
		if (!map) {
			snprintf(err, errlen, "datapath object has no map %s",
				 dp_map_names[i]);
			return -ENOENT;
		}
		dp_m.map_fd[i] = bpf_map__fd(map);
		dp_m.map_max[i] = bpf_map__max_entries(map);
	}
	return 0;
}

/*
 * Maps whose content this run derives again from scratch (unlike the
 * mirrored tables, reconciled by mark and sweep): what an earlier run
 * left there is not ours to trust.
 */
static const enum dp_map_id dp_rebuilt_maps[] = {
	DP_MAP_PUNT4,
	DP_MAP_PUNT6,
	DP_MAP_ADDR4,
	/* policers: ids of the run that gave them (police/police_owner.c) */
	DP_MAP_POLICER_INTF,
	DP_MAP_POLICER_MATCH,
};

/*
 * The flows' state: conntrack, source NAT rules, the load balancer's VIPs
 * and persistence. Kept when the pins are reused, so that established
 * connections continue through a restart: lb/ and nat/ adopt what their
 * configuration claims again and remove the rest at the resync
 * (doc/architecture.md, "Restart: flows continue"). Freshly created maps
 * are empty anyway.
 */
#define DP_META_F_FLOW_STATE                                                   \
	(DP_META_F_CT | DP_META_F_LB | DP_META_F_SNAT | DP_META_F_CT_FILTER)

/* Keys deleted per call while emptying a map. */
#define DP_EMPTY_BATCH 4096

/*
 * Empty a hash or LPM map. Each key is read once: a walk that restarts
 * from the first key after every delete is quadratic in the buckets of a
 * large hash (conntrack).
 */
static int dp_map_empty(int fd, uint32_t key_size)
{
	uint8_t *keys = XMALLOC(MTYPE_TMP, (size_t)DP_EMPTY_BATCH * key_size);
	int ret = 0;

	for (;;) {
		uint32_t n = 0;
		void *prev = NULL;

		while (n < DP_EMPTY_BATCH &&
		       bpf_map_get_next_key(fd, prev, keys + n * key_size) == 0) {
			prev = keys + n * key_size;
			n++;
		}
		if (!n)
			break;
		for (uint32_t i = 0; i < n; i++)
			if (bpf_map_delete_elem(fd, keys + i * key_size) &&
			    errno != ENOENT) {
				ret = -errno;
				goto out;
			}
	}
out:
	XFREE(MTYPE_TMP, keys);
	return ret;
}

/* What the kernel says of one of our maps: 0 or -errno. */
static int dp_map_info(enum dp_map_id id, struct bpf_map_info *info)
{
	uint32_t len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(dp_m.map_fd[id], info, &len) ? -errno
								    : 0;
}

static int dp_clear_rebuilt(char *err, size_t errlen)
{
	for (size_t i = 0; i < array_size(dp_rebuilt_maps); i++) {
		enum dp_map_id id = dp_rebuilt_maps[i];
		struct bpf_map_info info;
		int ret;

		ret = dp_map_info(id, &info);
		if (!ret)
			ret = dp_map_empty(dp_m.map_fd[id], info.key_size);
		if (ret) {
			snprintf(err, errlen, "cannot empty %s: %s",
				 dp_map_names[id], safe_strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/*
 * The ranges' directories name slots of fib4_dxr_range and
 * fib6_dxr_range as the earlier run left them, which a resize carries
 * over only where it fits: before any program of this run reads them,
 * every /16 goes back to DIR-24-8 and every /20 to the binary search
 * (always right: the FIB builds the ranges again once it has the tables,
 * doc/fib.md).
 */
static int dp_clear_dir(enum dp_map_id id, uint32_t blocks)
{
	const struct dp_fib4_block zero = {};

	for (uint32_t i = 0; i < blocks; i++)
		if (bpf_map_update_elem(dp_m.map_fd[id], &i, &zero, BPF_ANY))
			return -errno;
	return 0;
}

static int dp_clear_fib_ranges(void)
{
	int ret = dp_clear_dir(DP_MAP_FIB4_DXR_DIR, DP_FIB4_DXR_DIR_BLOCKS);

	return ret ? ret
		   : dp_clear_dir(DP_MAP_FIB6_DXR_DIR, DP_FIB6_DXR_DIR_BLOCKS);
}

/* The arrays written through mmap (doc/architecture.md). */
static const enum dp_map_id dp_mmapped_maps[] = {
	DP_MAP_LB_RING,
	DP_MAP_LB_BE_CONNS,
	DP_MAP_CT_FILTER,
};

static int dp_mmap_maps(bool reused, char *err, size_t errlen)
{
	for (size_t i = 0; i < array_size(dp_mmapped_maps); i++) {
		enum dp_map_id id = dp_mmapped_maps[i];
		struct bpf_map_info info;
		size_t bytes;
		void *mem;

		if (dp_map_info(id, &info))
			return -errno;
		/* the kernel rounds array values up to 8 bytes */
		bytes = (size_t)info.max_entries *
			((info.value_size + 7) & ~(size_t)7);
		bytes = (bytes + getpagesize() - 1) / getpagesize() *
			getpagesize();
		mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED,
			   dp_m.map_fd[id], 0);
		if (mem == MAP_FAILED) {
			snprintf(err, errlen, "cannot map %s: %s",
				 dp_map_names[id], safe_strerror(errno));
			return -errno;
		}
		dp_m.map_mem[id] = mem;
		dp_m.map_mem_len[id] = bytes;
	}
	/*
	 * Active connections are counted by the flows of the conntrack
	 * tables, and the filter's bits by the addresses their flows carry:
	 * both are kept with kept tables, and start from zero with new ones.
	 */
	if (reused && !dp_m.replaced[DP_MAP_CT4] &&
	    !dp_m.replaced[DP_MAP_CT6])
		return 0;
	memset(dp_m.map_mem[DP_MAP_LB_BE_CONNS], 0,
	       dp_m.map_mem_len[DP_MAP_LB_BE_CONNS]);
	memset(dp_m.map_mem[DP_MAP_CT_FILTER], 0,
	       dp_m.map_mem_len[DP_MAP_CT_FILTER]);
	return 0;
}

/* meta_map as this run keeps it (one writer: see dp_maps.h). */
static int dp_meta_store(uint32_t flags, uint64_t trusted_until)
{
	struct dp_meta meta = {
		.abi_version = DP_ABI_VERSION,
		.flags = flags,
		.trusted_until = trusted_until,
	};
	uint32_t key = 0;

	if (bpf_map_update_elem(dp_m.map_fd[DP_MAP_META], &key, &meta,
				BPF_ANY))
		return -errno;
	dp_m.meta_flags = flags;
	dp_m.trusted_until = trusted_until;
	return 0;
}

/* What an earlier run left in the switches is not ours to trust: every
 * condition they record is re-evaluated by this run, except that the
 * flows' state it kept stays in use until its owners decide. */
static int dp_write_meta(bool reused)
{
	uint32_t key = 0, kept = 0;
	struct dp_meta old;

	if (reused &&
	    !bpf_map_lookup_elem(dp_m.map_fd[DP_MAP_META], &key, &old))
		kept = old.flags & DP_META_F_FLOW_STATE;
	return dp_meta_store(kept, 0);
}

bool dp_maps_reused(void)
{
	return dp_m.reused;
}

uint32_t dp_meta_flags(void)
{
	return dp_m.meta_flags;
}

int dp_meta_set_flags(uint32_t mask, uint32_t value)
{
	uint32_t flags = (dp_m.meta_flags & ~mask) | (value & mask);

	if (flags == dp_m.meta_flags)
		return 0;
	return dp_meta_store(flags, dp_m.trusted_until);
}

int dp_meta_set_trust(uint64_t until_ns)
{
	return dp_meta_store(dp_m.meta_flags | DP_META_F_HOLD, until_ns);
}

uint64_t dp_meta_trusted_until(void)
{
	return dp_m.trusted_until;
}

/* Load one opened object (NULL: the open failed, errno says why). */
static int dp_load_object(struct bpf_object *obj, const char *what,
			  const struct dp_map_sizes *sizes, char *err,
			  size_t errlen)
{
	int ret;

	if (!obj) {
		ret = errno ? -errno : -EINVAL;
		snprintf(err, errlen, "cannot open the %s object: %s", what,
			 safe_strerror(-ret));
		return ret;
	}
	dp_maps_set_sizes(obj, sizes);
	ret = bpf_object__load(obj);
	if (ret)
		snprintf(err, errlen,
			 "the kernel refused the %s program or its maps: %s (libbpf's lines above say more)",
			 what, safe_strerror(-ret));
	return ret;
}

int dp_maps_open(const char *pin_dir, const struct dp_map_sizes *sizes,
		 bool *reused, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_dir);
	int ret;

	libbpf_set_print(dp_libbpf_log);
	strlcpy(dp_m.pin_dir, pin_dir, sizeof(dp_m.pin_dir));

	for (int id = 0; id < DP_MAP_MAX; id++)
		dp_m.resized_from[id] = dp_m.catch_up[id] = -1;
	ret = dp_check_pinned_abi(pin_dir, reused, err, errlen);
	if (ret)
		return ret;
	if (*reused)
		dp_replace_resized(pin_dir, sizes);

	/* The XDP object creates (or reuses) the pins; the TC object then
	 * finds every shared map by name under the same root. */
	dp_m.xdp = xdp_main__open_opts(&opts);
	ret = dp_load_object(dp_m.xdp ? dp_m.xdp->obj : NULL, "XDP", sizes,
			     err, errlen);
	if (ret)
		goto fail;
	dp_m.tc = tc_main__open_opts(&opts);
	ret = dp_load_object(dp_m.tc ? dp_m.tc->obj : NULL, "TC", sizes, err,
			     errlen);
	if (ret)
		goto fail;

	ret = dp_collect_maps(dp_m.xdp->obj, err, errlen);
	if (ret)
		goto fail;
	dp_migrate_resized();
	dp_m.xdp_prog_fd = bpf_program__fd(dp_m.xdp->progs.dp_xdp_main);
	dp_m.tc_prog_fd = bpf_program__fd(dp_m.tc->progs.dp_tc_main);

	dp_m.reused = *reused;
	ret = dp_write_meta(*reused);
	if (ret) {
		snprintf(err, errlen, "cannot write meta_map: %s",
			 safe_strerror(-ret));
		goto fail;
	}
	ret = dp_clear_rebuilt(err, errlen);
	if (!ret && *reused) {
		ret = dp_clear_fib_ranges();
		if (ret)
			snprintf(err, errlen, "cannot empty the ranges' directories: %s",
				 safe_strerror(-ret));
	}
	if (!ret)
		ret = dp_mmap_maps(*reused, err, errlen);
	if (ret)
		goto fail;

	dp_m.sizes = *sizes;
	atomic_store_explicit(&dp_m.ready, true, memory_order_release);
	zlog_notice("ebpf: datapath loaded, maps %s in %s (xdp prog %u, tc prog %u)",
		    *reused ? "reused" : "created", pin_dir, dp_prog_id_xdp(),
		    dp_prog_id_tc());
	return 0;

fail:
	dp_resized_close();
	dp_maps_close();
	return ret ? ret : -EINVAL;
}

void dp_maps_close(void)
{
	atomic_store_explicit(&dp_m.ready, false, memory_order_release);
	for (int i = 0; i < DP_MAP_MAX; i++) {
		if (dp_m.map_mem[i])
			munmap(dp_m.map_mem[i], dp_m.map_mem_len[i]);
		dp_m.map_mem[i] = NULL;
	}
	if (dp_m.tc)
		tc_main__destroy(dp_m.tc);
	dp_xdp_dispatch_close();
	if (dp_m.xdp)
		xdp_main__destroy(dp_m.xdp);
	dp_m.tc = NULL;
	dp_m.xdp = NULL;
	dp_m.xdp_prog_fd = dp_m.tc_prog_fd = -1;
}

/* ------------------------------------------------------------ attachment */

static bool dp_prog_is_ours(uint32_t prog_id, const char *name)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);
	bool ours;
	int fd;

	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return false;
	ours = !bpf_obj_get_info_by_fd(fd, &info, &len) &&
	       strncmp(info.name, name, sizeof(info.name) - 1) == 0;
	close(fd);
	return ours;
}

/* Common start of an attach: the interface's name for messages, and a
 * datapath to attach. */
static int dp_attach_ready(int ifindex, char ifname[IF_NAMESIZE], char *err,
			   size_t errlen)
{
	if (!if_indextoname(ifindex, ifname))
		strlcpy(ifname, "?", IF_NAMESIZE);
	if (!dp_maps_ready()) {
		snprintf(err, errlen,
			 "eBPF datapath not loaded (see zebra's log)");
		return -ENODEV;
	}
	return 0;
}

int dp_prog_attach_xdp(int ifindex, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	char ifname[IF_NAMESIZE] = "?";
	bool dispatched, ours;
	int ret;

	ret = dp_attach_ready(ifindex, ifname, err, errlen);
	if (ret)
		return ret;

	/* Replace only our own program (left by an earlier run); a user's
	 * XDP program is never silently displaced. A dispatcher is joined. */
	if (bpf_xdp_query(ifindex, 0, &q))
		q.prog_id = 0;
	dispatched = q.prog_id && dp_xdp_dispatched(ifindex);
	ours = q.prog_id && dp_prog_is_ours(q.prog_id, "dp_xdp_main");
	if (q.prog_id && !dispatched && !ours) {
		snprintf(err, errlen,
			 "interface %s already runs XDP program id %u; detach it first or use mode tc",
			 ifname, q.prog_id);
		return -EBUSY;
	}

	if (!dp_xdp_dispatch_refusal()) {
		/* libxdp replaces no plain program, not even ours: it goes
		 * first (once, on the first start with a dispatcher). */
		if (ours)
			bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
		return dp_xdp_dispatch_attach(ifindex, ifname, err, errlen);
	}
	if (dispatched) {
		snprintf(err, errlen,
			 "interface %s runs libxdp's dispatcher, which this kernel cannot extend; detach it first or use mode tc",
			 ifname);
		return -EBUSY;
	}

	ret = bpf_xdp_attach(ifindex, dp_m.xdp_prog_fd, XDP_FLAGS_DRV_MODE,
			     NULL);
	if (ret == -EOPNOTSUPP || ret == -EINVAL) {
		snprintf(err, errlen,
			 "interface %s does not support native XDP; use mode tc",
			 ifname);
		return ret;
	}
	if (ret) {
		snprintf(err, errlen, "cannot attach XDP to %s: %s", ifname,
			 strerror(-ret));
		return ret;
	}
	return 0;
}

bool dp_prog_detach_xdp(int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	if (bpf_xdp_query(ifindex, 0, &q) || !q.prog_id)
		return false;
	if (dp_xdp_dispatched(ifindex))
		return dp_xdp_dispatch_detach(ifindex);
	if (!dp_prog_is_ours(q.prog_id, "dp_xdp_main"))
		return false;
	return bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL) == 0;
}

/* ifindex's TC ingress runs our filter (DP_TC_PRIO, DP_TC_HANDLE) with a
 * program named dp_tc_main. */
static bool dp_tc_is_ours(int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = DP_TC_HANDLE,
		    .priority = DP_TC_PRIO);

	return bpf_tc_query(&hook, &opts) == 0 &&
	       dp_prog_is_ours(opts.prog_id, "dp_tc_main");
}

int dp_detach_leftovers(void)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	int n = 0;

	/* most interfaces have no clsact qdisc: the kernel says so, at length */
	dp_libbpf_quiet = true;
	for (i = ifs; i && i->if_index; i++) {
		bool any = dp_prog_detach_xdp(i->if_index);

		if (dp_tc_is_ours(i->if_index)) {
			dp_prog_detach_tc(i->if_index);
			any = true;
		}
		if (any)
			zlog_warn("ebpf: %s: an earlier run's programs detached",
				  i->if_name);
		n += any;
	}
	dp_libbpf_quiet = false;
	if (ifs)
		if_freenameindex(ifs);
	return n;
}

/* ifindex runs an earlier run's XDP program of ours, outside a
 * dispatcher (whose program the configuration's attach replaces). */
static bool dp_xdp_plain_ours(int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	return !bpf_xdp_query(ifindex, 0, &q) && q.prog_id &&
	       q.prog_id != dp_prog_id_xdp() && !dp_xdp_dispatched(ifindex) &&
	       dp_prog_is_ours(q.prog_id, "dp_xdp_main");
}

/*
 * The earlier maps of a resize that the programs add to: the flows the
 * earlier run's programs made after the copy, carried over (keys the new
 * map has already are left as they are), and the maps closed.
 */
static uint32_t dp_catch_up(void)
{
	uint32_t copied = 0;

	for (int id = 0; id < DP_MAP_MAX; id++) {
		struct dp_migrate_result res;
		int from = dp_m.catch_up[id];

		if (from < 0)
			continue;
		if (!dp_map_migrate(from, dp_m.map_fd[id], &res)) {
			copied += res.copied;
			if (res.dropped)
				zlog_warn("ebpf: %s: %u entries made after the copy did not fit",
					  dp_map_names[id], res.dropped);
		}
		close(from);
		dp_m.catch_up[id] = -1;
	}
	return copied;
}

void dp_maps_take_over(void)
{
	struct if_nameindex *ifs, *i;
	char err[256];
	uint32_t copied;
	bool pending = false;
	int n = 0;

	for (int id = 0; id < DP_MAP_MAX; id++)
		pending = pending || dp_m.catch_up[id] >= 0;
	if (!pending)
		return;
	ifs = if_nameindex();
	dp_libbpf_quiet = true;
	for (i = ifs; i && i->if_index; i++) {
		bool any = false;

		if (dp_xdp_plain_ours(i->if_index))
			any = !bpf_xdp_attach(i->if_index, dp_m.xdp_prog_fd,
					      XDP_FLAGS_DRV_MODE, NULL);
		if (dp_tc_is_ours(i->if_index))
			any = !dp_prog_attach_tc(i->if_index, err,
						 sizeof(err)) ||
			      any;
		n += any;
	}
	dp_libbpf_quiet = false;
	if (ifs)
		if_freenameindex(ifs);
	copied = dp_catch_up();
	zlog_notice("ebpf: maps resized: this run's programs replaced the earlier run's on %d interface%s at load; %u entries those made after the copy carried over",
		    n, n == 1 ? "" : "s", copied);
}

int dp_clsact_ensure(int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_INGRESS);
	int ret;

	dp_libbpf_qdisc_may_exist = true;
	ret = bpf_tc_hook_create(&hook);
	dp_libbpf_qdisc_may_exist = false;
	return ret == -EEXIST ? 0 : ret;
}

int dp_prog_attach_tc(int ifindex, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = DP_TC_HANDLE,
		    .priority = DP_TC_PRIO, .flags = BPF_TC_F_REPLACE);
	char ifname[IF_NAMESIZE] = "?";
	int ret;

	ret = dp_attach_ready(ifindex, ifname, err, errlen);
	if (ret)
		return ret;

	ret = dp_clsact_ensure(ifindex);
	if (ret) {
		snprintf(err, errlen, "cannot create the clsact qdisc on %s: %s",
			 ifname, strerror(-ret));
		return ret;
	}
	opts.prog_fd = dp_m.tc_prog_fd;
	ret = bpf_tc_attach(&hook, &opts);
	if (ret) {
		snprintf(err, errlen, "cannot attach TC ingress to %s: %s",
			 ifname, strerror(-ret));
		return ret;
	}
	return 0;
}

void dp_prog_detach_tc(int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = DP_TC_HANDLE,
		    .priority = DP_TC_PRIO);

	/* The clsact qdisc stays: other filters may hang off it. */
	bpf_tc_detach(&hook, &opts);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Module arguments (dp_boot.h).
 *
 * Map sizes are module arguments rather than configuration: the maps must
 * exist before zebra drops root (only root may create the root-only pins),
 * and Debian applies frr.conf with `vtysh -b` long after that. See
 * doc/architecture.md, "Start-up as root".
 */

#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "lib/zebra.h"
#include "lib/log.h"

#include "dp_abi.h"
#include "core/dp_boot.h"

static struct dp_boot_args dp_args;
static char dp_boot_err[512];
static bool dp_boot_failed;

/* A numeric argument: where it goes and what is valid. */
struct dp_boot_num {
	const char *name;
	size_t offset; /* of the uint32_t in struct dp_boot_args */
	uint32_t min, max, def;
};

#define DP_ARG(field) offsetof(struct dp_boot_args, field)
static const struct dp_boot_num dp_boot_nums[] = {
	{ "ipv4-routes", DP_ARG(sizes.rt4), 1024, 16777216,
	  DP_RT4_MAX_DEFAULT },
	{ "ipv6-routes", DP_ARG(sizes.rt6), 1024, 4194304, DP_RT6_MAX_DEFAULT },
	{ "nexthop-groups", DP_ARG(sizes.nhg), 256, 1048576,
	  DP_NHG_MAX_DEFAULT },
	{ "neighbors", DP_ARG(sizes.neigh), 256, 1048576,
	  DP_NEIGH_MAX_DEFAULT },
	{ "netlink-rcvbuf", DP_ARG(nl_rcvbuf), 4096, 268435456,
	  8 * 1024 * 1024 },
	{ "lb-vips", DP_ARG(sizes.lb_vips), 16, 65536,
	  DP_LB_VIPS_MAX_DEFAULT },
	{ "lb-backends", DP_ARG(sizes.lb_backends), 256, 1048576,
	  DP_LB_BACKENDS_MAX_DEFAULT },
	{ "lb-ring", DP_ARG(sizes.lb_ring), 65536, 134217728,
	  DP_LB_RING_MAX_DEFAULT },
	{ "lb-persist", DP_ARG(sizes.lb_persist), 1024, 16777216,
	  DP_LB_PERSIST_MAX_DEFAULT },
	{ "conntrack", DP_ARG(sizes.ct), 1024, 16777216, DP_CT_MAX_DEFAULT },
	{ "nat-rules", DP_ARG(sizes.nat_src), 16, 65536,
	  DP_NAT_SRC_MAX_DEFAULT },
	{ "hold-time", DP_ARG(hold_time), 1, 86400, 0 },
	{ "resync-delay", DP_ARG(resync_delay), 10, 3600,
	  DP_RESYNC_DELAY_DEFAULT },
};
#undef DP_ARG

static uint32_t *dp_boot_field(struct dp_boot_args *a,
			       const struct dp_boot_num *n)
{
	return (uint32_t *)((char *)a + n->offset);
}

static const char dp_boot_usage[] =
	"valid: ipv4-routes=N, ipv6-routes=N, nexthop-groups=N, neighbors=N, netlink-rcvbuf=BYTES, lb-vips=N, lb-backends=N, lb-ring=N, lb-persist=N, conntrack=N, nat-rules=N, hold-time=SECONDS, resync-delay=SECONDS, pin-dir=PATH, separated by commas";

static int dp_boot_parse_one(struct dp_boot_args *a, const char *key,
			     const char *val, char *err, size_t errlen)
{
	unsigned long long v;
	char *end;

	if (strcmp(key, "pin-dir") == 0) {
		if (val[0] != '/' || strlen(val) >= sizeof(a->pin_dir)) {
			snprintf(err, errlen,
				 "module argument pin-dir=%s: an absolute path shorter than %zu characters is required",
				 val, sizeof(a->pin_dir));
			return -EINVAL;
		}
		strlcpy(a->pin_dir, val, sizeof(a->pin_dir));
		return 0;
	}
	for (size_t i = 0; i < array_size(dp_boot_nums); i++) {
		const struct dp_boot_num *n = &dp_boot_nums[i];

		if (strcmp(key, n->name) != 0)
			continue;
		errno = 0;
		v = strtoull(val, &end, 10);
		if (errno || end == val || *end || val[0] == '-' ||
		    v < n->min || v > n->max) {
			snprintf(err, errlen,
				 "module argument %s=%s: a number from %u to %u is required",
				 key, val, n->min, n->max);
			return -EINVAL;
		}
		*dp_boot_field(a, n) = v;
		return 0;
	}
	snprintf(err, errlen, "unknown module argument '%s' (%s)", key,
		 dp_boot_usage);
	return -EINVAL;
}

/* Which argument key is: the index of a numeric one, array_size() for
 * pin-dir, -1 for an unknown key (dp_boot_parse_one() says why). */
static int dp_boot_key_index(const char *key)
{
	for (size_t i = 0; i < array_size(dp_boot_nums); i++)
		if (strcmp(key, dp_boot_nums[i].name) == 0)
			return i;
	return strcmp(key, "pin-dir") == 0 ? (int)array_size(dp_boot_nums)
					   : -1;
}

int dp_boot_parse_args(const char *args, struct dp_boot_args *a, char *err,
		       size_t errlen)
{
	char *copy, *rest, *item, *eq;
	unsigned int seen = 0;
	int ret = 0, k;

	memset(a, 0, sizeof(*a));
	for (size_t i = 0; i < array_size(dp_boot_nums); i++)
		*dp_boot_field(a, &dp_boot_nums[i]) = dp_boot_nums[i].def;
	if (!args || !*args)
		return 0;

	copy = strdup(args);
	if (!copy)
		return -ENOMEM;
	/* strsep, not strtok: ",," is an empty item, refused like any other
	 * malformed one rather than skipped. */
	rest = copy;
	while (!ret && (item = strsep(&rest, ","))) {
		eq = strchr(item, '=');
		if (!eq || eq == item || !eq[1]) {
			snprintf(err, errlen,
				 "module argument '%s' is not NAME=VALUE (%s)",
				 item, dp_boot_usage);
			ret = -EINVAL;
			break;
		}
		*eq = '\0';
		/* Last-one-wins would hide a typo in a long argument list. */
		k = dp_boot_key_index(item);
		if (k >= 0 && (seen & (1u << k))) {
			snprintf(err, errlen,
				 "module argument %s is given more than once",
				 item);
			ret = -EINVAL;
			break;
		}
		if (k >= 0)
			seen |= 1u << k;
		ret = dp_boot_parse_one(a, item, eq + 1, err, errlen);
	}
	free(copy);
	/* lb_ring_map holds whole blocks of slots */
	a->sizes.lb_ring = (a->sizes.lb_ring + DP_LB_RING_BLOCK - 1) /
			   DP_LB_RING_BLOCK * DP_LB_RING_BLOCK;
	return ret;
}

void dp_boot_fail(const char *what)
{
	snprintf(dp_boot_err, sizeof(dp_boot_err), "%s", what);
	dp_boot_failed = true;
	zlog_err("ebpf: datapath not loaded: %s; zebra continues with kernel forwarding only",
		 dp_boot_err);
	/* Before daemonizing, the log may not reach a file yet. */
	fprintf(stderr, "dplane_ebpf: datapath not loaded: %s\n", dp_boot_err);
}

int dp_boot_read_args(const char *args, const char *default_pin_dir)
{
	char err[sizeof(dp_boot_err)] = "";
	int ret;

	ret = dp_boot_parse_args(args, &dp_args, err, sizeof(err));
	if (ret) {
		dp_boot_fail(err);
		return ret;
	}
	if (!dp_args.pin_dir[0])
		strlcpy(dp_args.pin_dir, default_pin_dir,
			sizeof(dp_args.pin_dir));
	return 0;
}

const char *dp_boot_error(void)
{
	return dp_boot_failed ? dp_boot_err : NULL;
}

const struct dp_boot_args *dp_boot_args(void)
{
	return &dp_args;
}

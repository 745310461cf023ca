/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `show ebpf route|nexthop-group|neighbor`: the forwarding tables as the
 * datapath holds them (routes: the plugin's table the FIB is written
 * from, or rt_v4_map / rt_v6_map for one prefix; nh_map, dmac_map),
 * sorted.
 */
#include <zebra.h>

#include <linux/neighbour.h>

#include <bpf/bpf.h>

#include "command.h"
#include "json.h"
#include "memory.h"
#include "prefix.h"
#include "privs.h"
#include "vty.h"

#include "dp_abi.h"
#include "core/dp_plugin.h"
#include "core/dp_vty_input.h"
#include "maps/dp_mapdump.h"
#include "maps/dp_maps.h"
#include "fwd/dp_route.h"
#include "cli/dp_show.h"
#include "cli/dp_vty.h"
#ifndef VTYSH_EXTRACT_PL
#include "cli/dp_show_fib_clippy.c"
#endif

DEFINE_MTYPE_STATIC(EBPF, DP_SHOW, "eBPF show buffers");

/* -------------------------------------------------- show ebpf route */

/* Address order, then shorter prefix first, like `show ip route`. */
static int dp_route_cmp(const void *a, const void *b)
{
	const struct dp_route_entry *ra = a, *rb = b;
	int c;

	if (ra->family != rb->family)
		return ra->family == AF_INET ? -1 : 1;
	c = memcmp(ra->addr, rb->addr, sizeof(ra->addr));
	if (c)
		return c;
	return (int)ra->prefixlen - (int)rb->prefixlen;
}

static void dp_route_prefix(const struct dp_route_entry *r, struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->family = r->family;
	p->prefixlen = r->prefixlen;
	memcpy(&p->u.prefix, r->addr,
	       r->family == AF_INET ? IPV4_MAX_BYTELEN : IPV6_MAX_BYTELEN);
}

/* The name of a route's type, as show commands print it. */
static const char *dp_route_type_name(uint8_t type)
{
	switch (type) {
	case DP_RT_NHG:
		return "nhg";
	case DP_RT_CONNECTED:
		return "connected";
	case DP_RT_LOCAL:
		return "local";
	case DP_RT_SPECIAL:
		return "special";
	case DP_RT_BROADCAST:
		return "broadcast";
	case DP_RT_KERNEL:
		return "kernel";
	case DP_RT_PUNT:
		return "punt";
	}
	return "unknown";
}

static void dp_show_route_one(struct vty *vty, json_object *json,
			      const struct dp_route_entry *r)
{
	const struct dp_rt_val *v = &r->val;
	const char *type = dp_route_type_name(v->type);
	bool punted = v->flags & DP_RT_F_PUNTED;
	struct prefix p;
	char pfx[PREFIX_STRLEN];
	char detail[64] = "";

	dp_route_prefix(r, &p);
	prefix2str(&p, pfx, sizeof(pfx));
	if (v->type == DP_RT_NHG)
		snprintf(detail, sizeof(detail), " %u", v->nhg_id);
	else if (v->type == DP_RT_CONNECTED)
		snprintf(detail, sizeof(detail), " %s", dp_ifname(v->ifindex));

	if (json) {
		json_object *j = json_object_new_object();

		json_object_string_add(j, "type", type);
		if (v->type == DP_RT_NHG)
			json_object_int_add(j, "nhgId", v->nhg_id);
		if (v->type == DP_RT_CONNECTED) {
			json_object_string_add(j, "interface",
					       dp_ifname(v->ifindex));
			json_object_int_add(j, "ifindex", v->ifindex);
		}
		json_object_boolean_add(j, "punted", punted);
		json_object_object_add(json, pfx, j);
		return;
	}
	vty_out(vty, "%-43s %s%s%s\n", pfx, type, detail,
		punted ? " (did not fit: kernel forwards)" : "");
}

/*
 * Is key in the LPM trie fd? A lookup would answer for a covering prefix
 * too; the kernel's get_next_key answers the node after key when key is
 * in the trie, and the first node (in its postorder) when it is not, so
 * the two differ exactly when key is there. O(depth), no walk.
 */
static int dp_lpm_has(int fd, const void *key, size_t key_size, bool *has)
{
	uint8_t next[sizeof(struct dp_rt6_key)], first[sizeof(next)];

	if (bpf_map_get_next_key(fd, NULL, first)) {
		*has = false; /* empty */
		return errno == ENOENT ? 0 : -errno;
	}
	if (bpf_map_get_next_key(fd, key, next)) {
		if (errno != ENOENT)
			return -errno;
		*has = true; /* key is the last node */
		return 0;
	}
	*has = memcmp(next, first, key_size) != 0;
	return 0;
}

static int dp_show_route_exact(struct vty *vty, json_object *json,
			       const struct prefix *p)
{
	struct prefix pm;
	struct dp_route_entry r = {};
	union {
		struct dp_rt4_key k4;
		struct dp_rt6_key k6;
	} key = {};
	size_t key_size;
	enum dp_map_id id;
	bool found = false;
	int ret;

	prefix_copy(&pm, p);
	apply_mask(&pm);
	r.family = pm.family;
	r.prefixlen = pm.prefixlen;
	memcpy(r.addr, &pm.u.prefix,
	       pm.family == AF_INET ? IPV4_MAX_BYTELEN : IPV6_MAX_BYTELEN);
	if (pm.family == AF_INET) {
		id = DP_MAP_RT4;
		key.k4.prefixlen = pm.prefixlen;
		memcpy(&key.k4.addr, &pm.u.prefix4, 4);
		key_size = sizeof(key.k4);
	} else {
		id = DP_MAP_RT6;
		key.k6.prefixlen = pm.prefixlen;
		memcpy(key.k6.addr, &pm.u.prefix6, 16);
		key_size = sizeof(key.k6);
	}
	frr_with_privs (dp_privs()) {
		ret = dp_lpm_has(dp_map_fd(id), &key, key_size, &found);
		if (!ret && found &&
		    bpf_map_lookup_elem(dp_map_fd(id), &key, &r.val))
			ret = -errno;
	}
	if (ret) {
		json_object_free(json);
		return dp_show_map_error(vty, id, ret);
	}

	if (found)
		dp_show_route_one(vty, json, &r);
	if (json)
		return vty_json(vty, json);
	if (!found) {
		vty_out(vty, "%% Route %pFX not found\n", &pm);
		return CMD_WARNING;
	}
	return CMD_SUCCESS;
}

/* ------------------------------------------- show ebpf route lookup */

/* A value as the show commands print it: "nhg 21", "connected r1-eth0". */
static void dp_rt_val_text(const struct dp_rt_val *v, char *buf, size_t len)
{
	if (v->type == DP_RT_NHG)
		snprintf(buf, len, "%s %u", dp_route_type_name(v->type),
			 v->nhg_id);
	else if (v->type == DP_RT_CONNECTED)
		snprintf(buf, len, "%s %s", dp_route_type_name(v->type),
			 dp_ifname(v->ifindex));
	else
		snprintf(buf, len, "%s", dp_route_type_name(v->type));
}

struct dp_lookup_answer {
	int err;	  /* reading it failed: -errno */
	bool found;
	uint32_t val_id;  /* the FIB's */
	uint32_t reason;  /* the punt map's */
	struct dp_rt_val val;
	char text[64];
};

static void dp_lookup_json(json_object *json, const char *name,
			   const struct dp_lookup_answer *a, bool fib)
{
	json_object *j = json_object_new_object();

	if (a->err)
		json_object_string_add(j, "error", safe_strerror(-a->err));
	json_object_boolean_add(j, "found", a->found);
	if (fib)
		json_object_int_add(j, "valueId", a->val_id);
	if (a->found && a->reason)
		json_object_string_add(j, "reason", dp_reason_text(a->reason));
	else if (a->found)
		json_object_string_add(j, "answer", a->text);
	json_object_object_add(json, name, j);
}

static const char *dp_lookup_text(const struct dp_lookup_answer *a,
				  char *buf, size_t len)
{
	if (a->err)
		snprintf(buf, len, "cannot read: %s", safe_strerror(-a->err));
	else if (!a->found)
		snprintf(buf, len, "none");
	else if (a->reason)
		snprintf(buf, len, "%s", dp_reason_text(a->reason));
	else
		snprintf(buf, len, "%s", a->text);
	return buf;
}

/*
 * What a packet to addr gets: the FIB's own answer (its tables read as
 * the datapath reads them), the punt map's range, and the update-side
 * copy's (rt map) longest match, which may lag the FIB by a batch.
 */
static int dp_show_route_lookup(struct vty *vty, bool uj, int family,
				const void *addr)
{
	struct dp_lookup_answer fib = {}, punt = {}, copy = {};
	union {
		struct dp_rt4_key k4;
		struct dp_rt6_key k6;
	} key = {};
	enum dp_map_id rt = family == AF_INET ? DP_MAP_RT4 : DP_MAP_RT6;
	enum dp_map_id pm = family == AF_INET ? DP_MAP_PUNT4 : DP_MAP_PUNT6;
	struct dp_punt pv;
	char abuf[INET6_ADDRSTRLEN], b1[96], b2[96], b3[96], label[32];
	json_object *json;

	if (family == AF_INET) {
		key.k4.prefixlen = 32;
		memcpy(&key.k4.addr, addr, 4);
	} else {
		key.k6.prefixlen = 128;
		memcpy(key.k6.addr, addr, 16);
	}
	frr_with_privs (dp_privs()) {
		fib.err = dp_route_fib_answer(family, addr, &fib.val_id);
		if (!fib.err && fib.val_id) {
			fib.found = true;
			if (bpf_map_lookup_elem(dp_map_fd(DP_MAP_FIB_VAL),
						&fib.val_id, &fib.val))
				fib.err = -errno;
		}
		if (!bpf_map_lookup_elem(dp_map_fd(pm), &key, &pv)) {
			punt.found = true;
			punt.reason = pv.reason ? pv.reason
						: DP_R_PASS_FIB_FULL;
		}
		copy.found = !bpf_map_lookup_elem(dp_map_fd(rt), &key,
						  &copy.val);
	}
	if (fib.found && !fib.err)
		dp_rt_val_text(&fib.val, fib.text, sizeof(fib.text));
	if (copy.found)
		dp_rt_val_text(&copy.val, copy.text, sizeof(copy.text));

	inet_ntop(family, addr, abuf, sizeof(abuf));
	if (uj) {
		json = json_object_new_object();
		json_object_string_add(json, "address", abuf);
		dp_lookup_json(json, "fib", &fib, true);
		dp_lookup_json(json, "punt", &punt, false);
		dp_lookup_json(json, "copy", &copy, false);
		json_object_boolean_add(json, "toKernel",
					punt.found || !fib.found ||
						(fib.val.type != DP_RT_NHG &&
						 fib.val.type !=
							 DP_RT_CONNECTED));
		return vty_json(vty, json);
	}
	snprintf(label, sizeof(label), "%s:", dp_map_name(rt));
	vty_out(vty, "%s\n", abuf);
	vty_out(vty, "  %-16s %s", "FIB answer:",
		dp_lookup_text(&fib, b1, sizeof(b1)));
	if (fib.found)
		vty_out(vty, " (value id %u)", fib.val_id);
	vty_out(vty, "\n  %-16s %s\n", "Punt map:",
		dp_lookup_text(&punt, b2, sizeof(b2)));
	vty_out(vty, "  %-16s %s%s\n", label,
		dp_lookup_text(&copy, b3, sizeof(b3)),
		copy.found != fib.found || strcmp(copy.text, fib.text)
			? " (differs from the FIB: the copy lags it, or the range is the kernel's)"
			: "");
	return CMD_SUCCESS;
}

DEFPY(show_ebpf_route_lookup, show_ebpf_route_lookup_cmd,
      "show ebpf route lookup <A.B.C.D$a4|X:X::X:X$a6|WORD$bad> [json$uj]",
      SHOW_STR
      EBPF_STR
      "Routes in the datapath FIB (rt_v4_map, rt_v6_map)\n"
      "What the FIB answers for an address, as the datapath reads it\n"
      "IPv4 address\n"
      "IPv6 address\n"
      "Anything else is refused with what is valid\n"
      JSON_STR)
{
	char echo[DP_VTY_ECHO_SIZE];

	if (bad)
		return dp_show_bad_input(
			vty, !!uj,
			"\"%s\" is not an address. Give A.B.C.D or X:X::X:X (no prefix length)",
			dp_vty_echo(bad, echo, sizeof(echo)));
	if (!dp_maps_ready())
		return dp_show_not_loaded(vty, !!uj);
	if (a4_str)
		return dp_show_route_lookup(vty, !!uj, AF_INET, &a4);
	return dp_show_route_lookup(vty, !!uj, AF_INET6, &a6);
}

/*
 * Why word, which the grammar did not take as a prefix, is not one: FRR's
 * parser would only say "% Unknown command".
 */
static const char *dp_route_bad_prefix(const char *word)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(word, '/');
	uint8_t buf[16];
	size_t alen = slash ? (size_t)(slash - word) : strlen(word);

	if (alen >= sizeof(addr))
		return "it is not an IPv4 or IPv6 prefix";
	memcpy(addr, word, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, buf) == 1)
		return slash ? "an IPv4 prefix length is 0-32"
			     : "it has no prefix length (/M)";
	if (inet_pton(AF_INET6, addr, buf) == 1)
		return slash ? "an IPv6 prefix length is 0-128"
			     : "it has no prefix length (/M)";
	return "it is not an IPv4 or IPv6 prefix";
}

/*
 * PREFIX takes what is neither keyword nor prefix (the typed tokens win
 * over it), so that a mistyped prefix gets an answer that says why.
 */
DEFPY(show_ebpf_route, show_ebpf_route_cmd,
      "show ebpf route [<ipv4$v4|ipv6$v6|A.B.C.D/M$p4|X:X::X:X/M$p6|PREFIX$bad>] [json$uj]",
      SHOW_STR
      EBPF_STR
      "Routes in the datapath FIB (rt_v4_map, rt_v6_map)\n"
      "IPv4 routes\n"
      "IPv6 routes\n"
      "IPv4 prefix (exact match)\n"
      "IPv6 prefix (exact match)\n"
      "Anything else is refused with what is valid\n"
      JSON_STR)
{
	json_object *json;
	struct dp_route_entry *routes;
	char echo[DP_VTY_ECHO_SIZE];
	size_t n;
	int ret;

	if (bad)
		return dp_show_bad_input(
			vty, !!uj,
			"\"%s\" is not a prefix: %s. Give A.B.C.D/M or X:X::X:X/M (exact match), ipv4 or ipv6",
			dp_vty_echo(bad, echo, sizeof(echo)),
			dp_route_bad_prefix(bad));

	json = uj ? json_object_new_object() : NULL;
	if (!dp_maps_ready()) {
		json_object_free(json);
		return dp_show_not_loaded(vty, !!uj);
	}
	if (p4_str)
		return dp_show_route_exact(vty, json,
					   (const struct prefix *)p4);
	if (p6_str)
		return dp_show_route_exact(vty, json,
					   (const struct prefix *)p6);

	/* The plugin's own table, copied by the dplane pthread: a full
	 * table is not walked in the maps on this pthread. */
	ret = dp_route_list(v4 ? AF_INET : v6 ? AF_INET6 : AF_UNSPEC, &routes,
			    &n);
	if (ret) {
		json_object_free(json);
		vty_out(vty,
			"%% zebra's dplane pthread, which holds the datapath's route table, did not answer within 5 s (busy installing routes?): try again\n");
		return CMD_WARNING;
	}
	qsort(routes, n, sizeof(*routes), dp_route_cmp);

	if (!json)
		vty_out(vty, "%-43s %s\n", "Prefix", "Type");
	for (size_t i = 0; i < n; i++)
		dp_show_route_one(vty, json, &routes[i]);
	dp_route_list_free(routes);

	if (json)
		return vty_json(vty, json);
	return CMD_SUCCESS;
}

/* ------------------------------------------ show ebpf nexthop-group */

static int dp_u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static bool dp_collect_u32_key_cb(const void *key, const void *value, void *arg)
{
	memcpy(dp_records_add(arg), key, sizeof(uint32_t));
	return true;
}

static void dp_path_gateway(const struct dp_path *path, char *buf, size_t len)
{
	int family = (path->flags & DP_PATH_F_GW6) ? AF_INET6 : AF_INET;

	if (!(path->flags & DP_PATH_F_GW))
		strlcpy(buf, "", len);
	else if (!inet_ntop(family, path->gw, buf, len))
		strlcpy(buf, "?", len);
}

static void dp_show_nhg(struct vty *vty, json_object *json, uint32_t id,
			const struct dp_nhg *nhg)
{
	unsigned int owned[DP_NHG_MAX_PATHS] = {};
	unsigned int n_paths = MIN(nhg->n_paths, DP_NHG_MAX_PATHS);
	unsigned int orphans = 0;
	json_object *jnhg = NULL, *jpaths = NULL;

	/* How many of the resilient-hash buckets each path owns. */
	for (int b = 0; b < DP_NHG_BUCKETS; b++) {
		if (nhg->bucket[b] < n_paths)
			owned[nhg->bucket[b]]++;
		else
			orphans++;
	}

	if (json) {
		jnhg = json_object_new_object();
		jpaths = json_object_new_array();
		json_object_int_add(jnhg, "paths", nhg->n_paths);
		json_object_int_add(jnhg, "seq", nhg->seq);
		if (n_paths)
			json_object_int_add(jnhg, "bucketsWithoutPath",
					    orphans);
		json_object_object_add(jnhg, "pathList", jpaths);
		json_object_object_addf(json, jnhg, "%u", id);
	} else if (!n_paths) {
		vty_out(vty,
			"Nexthop group %u: no paths, passed to the kernel (seq %u)\n",
			id, nhg->seq);
		return;
	} else {
		vty_out(vty, "Nexthop group %u: %u path%s (seq %u)\n", id,
			n_paths, n_paths == 1 ? "" : "s", nhg->seq);
	}

	for (unsigned int i = 0; i < n_paths; i++) {
		const struct dp_path *path = &nhg->paths[i];
		bool resolved = path->flags & DP_PATH_F_RESOLVED;
		char gw[INET6_ADDRSTRLEN];

		dp_path_gateway(path, gw, sizeof(gw));
		if (jpaths) {
			json_object *jp = json_object_new_object();

			json_object_string_add(jp, "interface",
					       dp_ifname(path->ifindex));
			json_object_int_add(jp, "ifindex", path->ifindex);
			if (gw[0])
				json_object_string_add(jp, "gateway", gw);
			json_object_boolean_add(jp, "resolved", resolved);
			if (resolved) {
				json_object_string_addf(jp, "dmac", "%pEA",
							dp_mac(path->dmac));
				json_object_string_addf(jp, "smac", "%pEA",
							dp_mac(path->smac));
			}
			json_object_int_add(jp, "mtu", path->mtu);
			json_object_int_add(jp, "buckets", owned[i]);
			json_object_array_add(jpaths, jp);
			continue;
		}
		if (gw[0])
			vty_out(vty, "  path %u: via %s dev %s", i, gw,
				dp_ifname(path->ifindex));
		else
			vty_out(vty, "  path %u: dev %s (on-link)", i,
				dp_ifname(path->ifindex));
		if (resolved)
			vty_out(vty, ", dmac %pEA", dp_mac(path->dmac));
		else
			vty_out(vty, ", unresolved");
		vty_out(vty, ", mtu %u, %u/%u buckets\n", path->mtu, owned[i],
			DP_NHG_BUCKETS);
	}
	if (!json && orphans)
		vty_out(vty, "  %u/%u buckets name no path\n", orphans,
			DP_NHG_BUCKETS);
}

/* A decimal uint32 from min to max: digits only, no sign, no base prefix. */
static bool dp_parse_u32(const char *s, uint32_t min, uint32_t max,
			 uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/*
 * The id is a word, not FRR's (1-4294967295) range: the parser answers an
 * out-of-range, negative or hexadecimal number with a bare "% Unknown
 * command". The json keyword still wins over the word.
 */
DEFPY(show_ebpf_nexthop_group, show_ebpf_nexthop_group_cmd,
      "show ebpf nexthop-group [ID$id_str] [json$uj]",
      SHOW_STR
      EBPF_STR
      "Nexthop groups in the datapath (nh_map)\n"
      "Nexthop group id (1-4294967295)\n"
      JSON_STR)
{
	json_object *json;
	struct dp_records ids = {.size = sizeof(uint32_t)};
	struct dp_nhg *nhg;
	int ret = CMD_SUCCESS;
	uint32_t id = 0;
	char echo[DP_VTY_ECHO_SIZE];
	long n;

	if (id_str && !dp_parse_u32(id_str, 1, UINT32_MAX, &id))
		return dp_show_bad_input(
			vty, !!uj,
			"Nexthop group id must be 1-4294967295 (decimal), not \"%s\"",
			dp_vty_echo(id_str, echo, sizeof(echo)));

	json = uj ? json_object_new_object() : NULL;
	if (!dp_maps_ready()) {
		json_object_free(json);
		return dp_show_not_loaded(vty, !!uj);
	}

	if (id_str) {
		*(uint32_t *)dp_records_add(&ids) = id;
	} else {
		/* Sorted ids first: values are too big to collect. */
		n = dp_map_walk(DP_MAP_NH, false, dp_collect_u32_key_cb, &ids);
		if (n < 0) {
			json_object_free(json);
			return dp_show_map_error(vty, DP_MAP_NH, n);
		}
		dp_records_sort(&ids, dp_u32_cmp);
	}

	nhg = XCALLOC(MTYPE_DP_SHOW, sizeof(*nhg));
	for (size_t i = 0; i < ids.count; i++) {
		uint32_t key = *(uint32_t *)dp_records_get(&ids, i);

		if (dp_map_lookup(DP_MAP_NH, &key, nhg) == 0)
			dp_show_nhg(vty, json, key, nhg);
		else if (id_str && !json) {
			vty_out(vty, "%% Nexthop group %u not found\n", key);
			ret = CMD_WARNING;
		}
	}
	XFREE(MTYPE_DP_SHOW, nhg);
	dp_records_free(&ids);

	if (json)
		return vty_json(vty, json);
	return ret;
}

/* ----------------------------------------------- show ebpf neighbor */

static const char *dp_nud_name(uint16_t state)
{
	switch (state) {
	case NUD_NONE:
		return "none";
	case NUD_INCOMPLETE:
		return "incomplete";
	case NUD_REACHABLE:
		return "reachable";
	case NUD_STALE:
		return "stale";
	case NUD_DELAY:
		return "delay";
	case NUD_PROBE:
		return "probe";
	case NUD_FAILED:
		return "failed";
	case NUD_NOARP:
		return "noarp";
	case NUD_PERMANENT:
		return "permanent";
	}
	return "other";
}


struct dp_neigh {
	struct dp_neigh_key key;
	struct dp_neigh_val val;
};

static int dp_neigh_cmp(const void *a, const void *b)
{
	const struct dp_neigh_key *ka = a, *kb = b;

	if (ka->ifindex != kb->ifindex)
		return ka->ifindex < kb->ifindex ? -1 : 1;
	if (ka->family != kb->family)
		return ka->family == AF_INET ? -1 : 1;
	return memcmp(ka->addr, kb->addr, sizeof(ka->addr));
}

static bool dp_collect_neigh_cb(const void *key, const void *value, void *arg)
{
	struct dp_neigh *n = dp_records_add(arg);

	memcpy(&n->key, key, sizeof(n->key));
	memcpy(&n->val, value, sizeof(n->val));
	return true;
}

DEFPY(show_ebpf_neighbor, show_ebpf_neighbor_cmd,
      "show ebpf neighbor [json$uj]",
      SHOW_STR
      EBPF_STR
      "Neighbors in the datapath (dmac_map)\n"
      JSON_STR)
{
	json_object *json = uj ? json_object_new_object() : NULL;
	struct dp_records neighs = {.size = sizeof(struct dp_neigh)};
	long n;

	if (!dp_maps_ready()) {
		json_object_free(json);
		return dp_show_not_loaded(vty, !!uj);
	}
	n = dp_map_walk(DP_MAP_DMAC, true, dp_collect_neigh_cb, &neighs);
	if (n < 0) {
		json_object_free(json);
		dp_records_free(&neighs);
		return dp_show_map_error(vty, DP_MAP_DMAC, n);
	}
	dp_records_sort(&neighs, dp_neigh_cmp);

	if (!json)
		vty_out(vty, "%-16s %-40s %-17s %s\n", "Interface", "Address",
			"MAC", "State");
	for (size_t i = 0; i < neighs.count; i++) {
		const struct dp_neigh *ne = dp_records_get(&neighs, i);
		const char *ifname = dp_ifname(ne->key.ifindex);
		char addr[INET6_ADDRSTRLEN];

		if (!inet_ntop(ne->key.family, ne->key.addr, addr,
			       sizeof(addr)))
			strlcpy(addr, "?", sizeof(addr));

		if (json) {
			json_object *jif, *jn = json_object_new_object();

			if (!json_object_object_get_ex(json, ifname, &jif)) {
				jif = json_object_new_object();
				json_object_object_add(json, ifname, jif);
			}
			json_object_int_add(jn, "ifindex", ne->key.ifindex);
			json_object_string_addf(jn, "mac", "%pEA",
						dp_mac(ne->val.dmac));
			json_object_string_add(jn, "state",
					       dp_nud_name(ne->val.state));
			json_object_object_add(jif, addr, jn);
		} else {
			vty_out(vty, "%-16s %-40s %pEA %s\n", ifname, addr,
				dp_mac(ne->val.dmac),
				dp_nud_name(ne->val.state));
		}
	}
	dp_records_free(&neighs);

	if (json)
		return vty_json(vty, json);
	return CMD_SUCCESS;
}

/* ------------------------------------------------------------------ init */

void dp_show_fib_init(void)
{
	install_element(VIEW_NODE, &show_ebpf_route_cmd);
	install_element(VIEW_NODE, &show_ebpf_route_lookup_cmd);
	install_element(VIEW_NODE, &show_ebpf_nexthop_group_cmd);
	install_element(VIEW_NODE, &show_ebpf_neighbor_cmd);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `show ebpf conntrack [FILTER] [json]` and `clear ebpf conntrack
 * [FILTER]` (main pthread): the flows of the tables, read a batch at a time.
 * A flow is shown once, from its original entry, with the reply
 * direction's counters beside it; at most CT_SHOW_MAX flows are printed,
 * and the output says how many matched.
 */
#include <zebra.h>

#include <bpf/bpf.h>

#include "lib/command.h"
#include "lib/json.h"
#include "lib/northbound.h"
#include "lib/prefix.h"
#include "lib/privs.h"
#include "lib/sockunion.h"
#include "lib/vty.h"
#include "lib/yang.h"

#include "dp_abi.h"
#include "core/dp_nbutil.h"
#include "core/dp_nodes.h"
#include "core/dp_plugin.h"
#include "core/dp_stall.h"
#include "core/dp_vty_input.h"
#include "maps/dp_mapdump.h"
#include "maps/dp_maps.h"
#include "ct/ct.h"
#ifndef VTYSH_EXTRACT_PL
#include "ct/ct_show_clippy.c"
#endif

/* The filters of both commands, and their help. */
#define CT_FILTERS                                                             \
	"<vip NAME$vip|address <A.B.C.D|X:X::X:X>$addr|protocol <tcp|udp|icmp>$proto>"
#define CT_FILTERS_HELP                                                        \
	"Flows of one VIP\n"                                                   \
	"VIP name\n"                                                           \
	"Flows with this address in their tuple or its translation\n"          \
	"IPv4 address\n"                                                       \
	"IPv6 address\n"                                                       \
	"Flows of one protocol\n"                                              \
	"TCP\n"                                                                \
	"UDP\n"                                                                \
	"ICMP and ICMPv6 (echo)\n"

/* Flows printed at most; the rest are counted. */
#define CT_SHOW_MAX 1000

/*
 * The VIP id of a configured VIP, from the datapath's lb_vip_map: what its
 * flows carry. Returns 0, or a message for the user in err.
 */
static int ct_match_vip(const char *name, struct ct_match *f, char *err,
			 size_t errlen)
{
	const struct lyd_node *vip;
	struct dp_lb_vip_key key = {};
	struct dp_lb_vip val;
	struct ipaddr ip;
	const char *why = dp_vty_name_error(name);
	char echo[DP_VTY_ECHO_SIZE];

	if (why) {
		snprintf(err, errlen, "Invalid VIP name \"%s\": %s. %s",
			 dp_vty_echo(name, echo, sizeof(echo)), why,
			 DP_NAME_RULE);
		return -1;
	}
	vip = yang_dnode_getf(running_config->dnode,
			      "/frr-zebra-ebpf:ebpf/load-balancer/vip[name='%s']",
			      name);
	if (!vip) {
		snprintf(err, errlen, "VIP %s is not configured", name);
		return -1;
	}
	yang_dnode_get_ip(&ip, vip, "./address");
	key.family = ipaddr_family(&ip);
	memcpy(key.addr, &ip.ip.addr, key.family == AF_INET ? 4 : 16);
	key.proto = strmatch(yang_dnode_get_string(vip, "./protocol"), "udp")
			    ? IPPROTO_UDP
			    : IPPROTO_TCP;
	if (yang_dnode_exists(vip, "./port"))
		key.port = htons(yang_dnode_get_uint16(vip, "./port"));
	if (dp_map_lookup(DP_MAP_LB_VIP, &key, &val)) {
		snprintf(err, errlen,
			 "VIP %s is not in the datapath (show ebpf load-balancer %s says why)",
			 name, name);
		return -1;
	}
	f->by_vip = true;
	f->vip_id = val.vip_id;
	return 0;
}

/* The filter of a command's arguments; 0, or a message in err. */
static int ct_match_of(const char *vip, const union sockunion *addr,
			const char *proto, struct ct_match *f, char *err,
			size_t errlen)
{
	memset(f, 0, sizeof(*f));
	if (vip)
		return ct_match_vip(vip, f, err, errlen);
	if (addr) {
		f->by_addr = true;
		f->family = sockunion_family(addr);
		if (f->family == AF_INET)
			memcpy(f->addr, &addr->sin.sin_addr, 4);
		else
			memcpy(f->addr, &addr->sin6.sin6_addr, 16);
	}
	if (proto)
		f->proto = strmatch(proto, "tcp")   ? IPPROTO_TCP
			   : strmatch(proto, "udp") ? IPPROTO_UDP
						    : IPPROTO_ICMP;
	return 0;
}

/* --------------------------------------------------------------- show */

static const char *ct_state_name(uint64_t state)
{
	static const char *const names[DP_CT_STATE_MAX] = {
		[DP_CT_NONE] = "none",
		[DP_CT_TCP_SYN_SENT] = "syn-sent",
		[DP_CT_TCP_SYN_RECV] = "syn-recv",
		[DP_CT_TCP_ESTABLISHED] = "established",
		[DP_CT_TCP_FIN_WAIT] = "fin-wait",
		[DP_CT_TCP_CLOSE_WAIT] = "close-wait",
		[DP_CT_TCP_LAST_ACK] = "last-ack",
		[DP_CT_TCP_TIME_WAIT] = "time-wait",
		[DP_CT_TCP_CLOSE] = "close",
		[DP_CT_UDP_NEW] = "new",
		[DP_CT_UDP_REPLIED] = "replied",
		[DP_CT_ICMP_NEW] = "new",
		[DP_CT_ICMP_REPLIED] = "replied",
	};

	return state < DP_CT_STATE_MAX ? names[state] : "?";
}

/* "addr:port" ("[addr]:port" for IPv6). */
static const char *ct_endpoint(uint8_t family, const __u32 *addr, __be16 port,
			       char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(family, addr, a, sizeof(a));
	snprintf(buf, len, family == AF_INET6 ? "[%s]:%u" : "%s:%u", a,
		 ntohs(port));
	return buf;
}

static void ct_flags_str(uint32_t flags, char *buf, size_t len)
{
	static const struct {
		uint32_t flag;
		const char *name;
	} names[] = {
		{DP_CT_F_LB, "lb"},	    {DP_CT_F_SNAT, "snat"},
		{DP_CT_F_FULLNAT, "fullnat"}, {DP_CT_F_DSR, "dsr"},
		{DP_CT_F_PICKUP, "pickup"},
	};

	buf[0] = '\0';
	for (size_t i = 0; i < array_size(names); i++) {
		if (!(flags & names[i].flag))
			continue;
		if (buf[0])
			strlcat(buf, ",", len);
		strlcat(buf, names[i].name, len);
	}
}

struct ct_show_ctx {
	struct vty *vty;
	json_object *jflows;
	const struct ct_match *f;
	uint64_t now;
	uint64_t entries[2], matched, shown; /* entries: IPv4, IPv6 */
	uint64_t by_proto[3]; /* tcp, udp, icmp */
};

static void ct_show_flow(struct ct_show_ctx *ctx, const struct dp_ct_key *k,
			 const struct dp_ct_val *v)
{
	struct dp_ct_key peer;
	struct dp_ct_val reply = {};
	uint64_t last = v->last_seen, ttl;
	char src[64], dst[64], xsrc[64], xdst[64], flags[64], pbuf[8];
	int64_t idle, expires;

	if (!(v->flags & DP_CT_F_DSR)) {
		ct_peer_key(k, v, &peer);
		frr_with_privs (dp_privs())
			if (ct_lookup(&peer, &reply) == 0 &&
			    reply.last_seen > last)
				last = reply.last_seen;
	}
	ttl = (uint64_t)dp_ct_timeout_sec(v->state) * 1000000000ull;
	idle = ctx->now > last ? (ctx->now - last) / 1000000000ull : 0;
	expires = ((int64_t)(last + ttl) - (int64_t)ctx->now) / 1000000000ll;
	if (expires < 0)
		expires = 0;
	ct_endpoint(k->family, k->saddr, k->sport, src, sizeof(src));
	ct_endpoint(k->family, k->daddr, k->dport, dst, sizeof(dst));
	ct_endpoint(k->family, v->nat_saddr, v->nat_sport, xsrc, sizeof(xsrc));
	/* a DSR entry's nat address is where the frame goes, untranslated */
	if (v->flags & DP_CT_F_DSR)
		snprintf(xdst, sizeof(xdst), "%s", dst);
	else
		ct_endpoint(k->family, v->nat_daddr, v->nat_dport, xdst,
			    sizeof(xdst));
	ct_flags_str(v->flags, flags, sizeof(flags));

	if (ctx->jflows) {
		json_object *j = json_object_new_object();

		json_object_string_add(j, "protocol",
				       dp_proto_name(k->proto, pbuf, sizeof(pbuf)));
		json_object_string_add(j, "source", src);
		json_object_string_add(j, "destination", dst);
		json_object_string_add(j, "translatedSource", xsrc);
		json_object_string_add(j, "translatedDestination", xdst);
		json_object_string_add(j, "state", ct_state_name(v->state));
		json_object_string_add(j, "flags", flags);
		if (v->flags & DP_CT_F_LB) {
			json_object_int_add(j, "vipId", v->vip_id);
			json_object_int_add(j, "backendId", v->backend_id);
		}
		json_object_int_add(j, "idleSeconds", idle);
		json_object_int_add(j, "expiresSeconds", expires);
		json_object_int_add(j, "packets", v->packets);
		json_object_int_add(j, "bytes", v->bytes);
		json_object_int_add(j, "replyPackets", reply.packets);
		json_object_int_add(j, "replyBytes", reply.bytes);
		json_object_array_add(ctx->jflows, j);
		return;
	}
	vty_out(ctx->vty, "%-6s %s -> %s",
		dp_proto_name(k->proto, pbuf, sizeof(pbuf)), src, dst);
	if (strcmp(src, xsrc) || strcmp(dst, xdst))
		vty_out(ctx->vty, " as %s -> %s", xsrc, xdst);
	vty_out(ctx->vty, "\n       %s, idle %" PRId64 " s, expires in %" PRId64
			  " s, packets %" PRIu64 "/%" PRIu64 ", bytes %" PRIu64
			  "/%" PRIu64,
		ct_state_name(v->state), idle, expires,
		(uint64_t)v->packets, (uint64_t)reply.packets,
		(uint64_t)v->bytes, (uint64_t)reply.bytes);
	if (v->flags & DP_CT_F_LB)
		vty_out(ctx->vty, ", vip %u backend %u", v->vip_id,
			v->backend_id);
	if (flags[0])
		vty_out(ctx->vty, " [%s]", flags);
	vty_out(ctx->vty, "\n");
}

static bool ct_show_cb(const struct dp_ct_key *k, const struct dp_ct_val *v,
		       void *arg)
{
	struct ct_show_ctx *ctx = arg;

	ctx->entries[k->family == AF_INET6]++;
	if ((v->flags & DP_CT_F_REPLY) || !ct_match_entry(ctx->f, k, v))
		return true;
	ctx->matched++;
	if (k->proto == IPPROTO_TCP)
		ctx->by_proto[0]++;
	else if (k->proto == IPPROTO_UDP)
		ctx->by_proto[1]++;
	else
		ctx->by_proto[2]++;
	if (ctx->shown < CT_SHOW_MAX) {
		ctx->shown++;
		ct_show_flow(ctx, k, v);
	}
	return true;
}

DEFPY(show_ebpf_conntrack, show_ebpf_conntrack_cmd,
      "show ebpf conntrack [" CT_FILTERS "] [json$uj]",
      SHOW_STR
      EBPF_STR
      "Conntrack flows of the load balancer and source NAT (ct4_map, ct6_map)\n"
      CT_FILTERS_HELP
      JSON_STR)
{
	struct ct_show_ctx ctx = {.vty = vty, .now = ct_now_ns()};
	struct ct_age_stats age;
	struct ct_filter_stats fs;
	struct ct_match f;
	json_object *json = NULL;
	char err[256];
	long n;

	if (!dp_maps_ready())
		return dp_show_not_loaded(vty, !!uj);
	if (ct_match_of(vip, addr, proto, &f, err, sizeof(err)))
		return dp_show_bad_input(vty, !!uj, "%s", err);
	ctx.f = &f;
	if (uj) {
		json = json_object_new_object();
		ctx.jflows = json_object_new_array();
	}
	n = ct_walk(ct_show_cb, &ctx);
	if (n < 0) {
		json_object_free(json);
		json_object_free(ctx.jflows);
		return dp_show_map_error(vty, DP_MAP_CT4, n);
	}
	ct_age_stats(&age);
	ct_filter_stats(&fs);
	if (json) {
		json_object *ja = json_object_new_object();
		json_object *jf = json_object_new_object();

		json_object_int_add(ja, "passes", age.passes);
		json_object_int_add(ja, "aged", age.aged);
		json_object_int_add(ja, "cleared", age.cleared);
		json_object_int_add(ja, "lastPassMsec", age.last_pass_ms);
		json_object_int_add(ja, "intervalSeconds", CT_AGE_INTERVAL);
		json_object_int_add(ja, "clearPending", ct_clear_pending());
		json_object_object_add(json, "ageing", ja);
		json_object_boolean_add(jf, "on", fs.on);
		json_object_int_add(jf, "addresses", fs.addresses);
		json_object_int_add(jf, "bitsSet", fs.bits_set);
		json_object_int_add(jf, "bits", 1u << DP_CT_FILTER_ORDER);
		json_object_int_add(jf, "drained", fs.drained);
		json_object_object_add(json, "lookupFilter", jf);
		json_object_object_add(json, "flows", ctx.jflows);
		json_object_int_add(json, "matched", ctx.matched);
		json_object_int_add(json, "shown", ctx.shown);
		json_object_boolean_add(json, "truncated",
					ctx.shown < ctx.matched);
		json_object_int_add(json, "entries",
				    ctx.entries[0] + ctx.entries[1]);
		json_object_int_add(json, "ipv4Entries", ctx.entries[0]);
		json_object_int_add(json, "ipv6Entries", ctx.entries[1]);
		/* per table: each family has one of this size */
		json_object_int_add(json, "maxEntries",
				    dp_map_max_entries(DP_MAP_CT4));
		return vty_json(vty, json);
	}
	vty_out(vty,
		"%" PRIu64 " flows (tcp %" PRIu64 ", udp %" PRIu64
		", icmp %" PRIu64 "); entries: ct4_map %" PRIu64
		" of %u, ct6_map %" PRIu64 " of %u\n",
		ctx.matched, ctx.by_proto[0], ctx.by_proto[1],
		ctx.by_proto[2], ctx.entries[0], dp_map_max_entries(DP_MAP_CT4),
		ctx.entries[1], dp_map_max_entries(DP_MAP_CT6));
	vty_out(vty,
		"Ageing every %d s: %" PRIu64 " passes, %" PRIu64
		" flows aged out, %" PRIu64 " cleared; last pass %" PRIu64
		" ms\n",
		CT_AGE_INTERVAL, age.passes, age.aged, age.cleared,
		age.last_pass_ms);
	if (ct_clear_pending())
		vty_out(vty, "Clearing: %u request(s) in progress\n",
			ct_clear_pending());
	vty_out(vty,
		"Lookup filter %s: %u addresses (%u of %u bits set), %" PRIu64
		" drained after their last flow\n",
		fs.on ? "on" : "off", fs.addresses, fs.bits_set,
		1u << DP_CT_FILTER_ORDER, fs.drained);
	if (ctx.shown < ctx.matched)
		vty_out(vty,
			"%% %" PRIu64 " flows match; the first %" PRIu64
			" are shown: narrow with vip, address or protocol\n",
			ctx.matched, ctx.shown);
	return CMD_SUCCESS;
}

/* -------------------------------------------------------------- clear */

DEFPY(clear_ebpf_conntrack, clear_ebpf_conntrack_cmd,
      "clear ebpf conntrack [" CT_FILTERS "]",
      CLEAR_STR
      EBPF_STR
      "Remove conntrack flows (both directions; backends' active connections follow)\n"
      CT_FILTERS_HELP)
{
	struct ct_match m;
	char err[256];

	if (!dp_maps_ready())
		return dp_show_not_loaded(vty, false);
	if (ct_match_of(vip, addr, proto, &m, err, sizeof(err)))
		return dp_show_bad_input(vty, false, "%s", err);
	/* done by the ageing pass it starts (ct_age.c): not on this pthread */
	if (ct_clear_request(&m))
		return dp_show_bad_input(vty, false,
					 "conntrack is not running: its tables cannot be read");
	return CMD_SUCCESS;
}

void ct_show_init(void)
{
	install_element(VIEW_NODE, &show_ebpf_conntrack_cmd);
	install_element(ENABLE_NODE, &clear_ebpf_conntrack_cmd);
}

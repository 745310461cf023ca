// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The reference model of the kernel's forwarding decision (fz_model.h).
 *
 * Sources, as of Linux 6.1 (Debian 12) and checked against this machine's
 * kernel where they could be: net/core/dev.c (__netif_receive_skb_core),
 * net/ethernet/eth.c (eth_type_trans), net/ipv4/ip_input.c (ip_rcv_core,
 * ip_rcv_finish_core, ip_rcv_options), net/ipv4/ip_options.c
 * (__ip_options_compile), net/ipv4/route.c (ip_route_input_rcu,
 * ip_route_input_slow, __mkroute_input), net/ipv4/fib_frontend.c
 * (fib_add_ifaddr, fib_validate_source, __fib_validate_source),
 * net/ipv4/ip_forward.c (ip_forward, ip_exceeds_mtu), net/ipv6/ip6_input.c
 * (ip6_rcv_core), net/ipv6/exthdrs.c (ipv6_parse_hopopts, ip6_parse_tlv),
 * net/ipv6/route.c (ip6_route_input, ip6_pol_route), net/ipv6/addrconf.c
 * (addrconf_join_anycast), net/ipv6/ip6_output.c (ip6_forward,
 * ip6_pkt_too_big).
 */
#include <string.h>

#include "fz_model.h"

#define ETH_HLEN_ 14
#define ETH_P_IP_ 0x0800
#define ETH_P_ARP_ 0x0806
#define ETH_P_8021Q_ 0x8100
#define ETH_P_8021AD_ 0x88a8
#define ETH_P_IPV6_ 0x86dd
#define ETH_P_802_3_MIN_ 0x0600
#define IP_DF_ 0x4000
#define IPV6_MIN_MTU_ 1280
#define NEXTHDR_HOP_ 0

static const char *const mv_names[FZ_MV_MAX] = {
	[FZ_MV_FWD] = "forward",
	[FZ_MV_FWD_ALTERED] = "forward-altered",
	[FZ_MV_LOCAL] = "local",
	[FZ_MV_DROP] = "drop",
	[FZ_MV_ICMP] = "icmp",
};

static const struct {
	const char *name;
	const char *source;
} whys[FZ_W_MAX] = {
	[FZ_W_FWD] = {"forwarded", "ip_forward / ip6_forward"},
	[FZ_W_RUNT] = {"runt frame", "eth_type_trans (driver drops it)"},
	[FZ_W_L2_OTHERHOST] = {"dst MAC not ours", "eth_type_trans: PACKET_OTHERHOST, ip_rcv_core/ip6_rcv_core drop"},
	[FZ_W_L2_NOT_HOST] = {"L2 broadcast/multicast", "ip_forward/ip6_forward: pkt_type != PACKET_HOST"},
	[FZ_W_VLAN_OTHERHOST] = {"VLAN tag, no VLAN device", "__netif_receive_skb_core: VID != 0 -> PACKET_OTHERHOST"},
	[FZ_W_VLAN_TRUNC] = {"truncated VLAN tag", "skb_vlan_untag"},
	[FZ_W_VLAN_PRIO_TAG] = {"priority tag stripped", "__netif_receive_skb_core: VID 0 tag removed, forwarded untagged"},
	[FZ_W_ARP] = {"ARP", "arp_rcv"},
	[FZ_W_NON_IP] = {"not IP", "__netif_receive_skb_core: no protocol handler"},
	[FZ_W4_TRUNC] = {"v4 truncated header", "ip_rcv_core: pskb_may_pull"},
	[FZ_W4_VERSION_IHL] = {"v4 bad version/IHL", "ip_rcv_core: ihl < 5 || version != 4"},
	[FZ_W4_CSUM] = {"v4 bad header checksum", "ip_rcv_core: ip_fast_csum"},
	[FZ_W4_TOT_LEN] = {"v4 bad total length", "ip_rcv_core: skb->len < len || len < ihl*4"},
	[FZ_W4_DST_MCAST] = {"v4 multicast dst", "ip_route_input_rcu: ipv4_is_multicast(daddr)"},
	[FZ_W4_SRC_MARTIAN] = {"v4 martian src", "ip_route_input_slow: multicast/lbcast/zeronet/loopback saddr"},
	[FZ_W4_DST_LBCAST] = {"v4 limited broadcast dst", "ip_route_input_slow: brd_input"},
	[FZ_W4_DST_MARTIAN] = {"v4 martian dst", "ip_route_input_slow: zeronet/loopback daddr"},
	[FZ_W4_NO_ROUTE] = {"v4 no route", "ip_route_input_slow: fib_lookup fails (no_route)"},
	[FZ_W4_REJECT_ROUTE] = {"v4 reject route", "ip_route_input_slow: blackhole/unreachable/prohibit"},
	[FZ_W4_DST_BCAST] = {"v4 subnet broadcast dst", "ip_route_input_slow: RTN_BROADCAST, bc_forwarding=0"},
	[FZ_W4_DST_LOCAL] = {"v4 local dst", "ip_route_input_slow: RTN_LOCAL"},
	[FZ_W4_SRC_LOCAL] = {"v4 own address as src", "__fib_validate_source: RTN_LOCAL, accept_local=0"},
	[FZ_W4_SRC_BCAST] = {"v4 broadcast as src", "__fib_validate_source: RTN_BROADCAST"},
	[FZ_W4_SRC_RPF] = {"v4 no route to src", "__fib_validate_source: rp_filter=2, fib_lookup(src) fails"},
	[FZ_W4_SRC_REJECT] = {"v4 src in a reject route", "__fib_validate_source: fib_lookup(src) errs on blackhole/unreachable/prohibit"},
	[FZ_W4_OPT_INVALID] = {"v4 invalid options", "ip_rcv_options: __ip_options_compile"},
	[FZ_W4_OPT_SRR] = {"v4 source route option", "ip_rcv_options: accept_source_route=0"},
	[FZ_W4_OPT_REWRITE] = {"v4 options rewritten", "__ip_options_compile / ip_forward_options"},
	[FZ_W4_TTL] = {"v4 TTL <= 1", "ip_forward: too_many_hops"},
	[FZ_W4_MTU_DF] = {"v4 too big, DF", "ip_forward: ip_exceeds_mtu"},
	[FZ_W4_FRAGMENT] = {"v4 too big, fragmented", "ip_forward -> ip_finish_output: ip_fragment"},
	[FZ_W6_TRUNC] = {"v6 truncated header", "ip6_rcv_core: pskb_may_pull"},
	[FZ_W6_VERSION] = {"v6 bad version", "ip6_rcv_core: version != 6"},
	[FZ_W6_LOOPBACK] = {"v6 loopback src/dst", "ip6_rcv_core: RFC 4291 2.5.3"},
	[FZ_W6_MC_SCOPE] = {"v6 mcast scope 0/1 dst", "ip6_rcv_core: RFC 4291 2.7, errata 3480"},
	[FZ_W6_SRC_MCAST] = {"v6 multicast src", "ip6_rcv_core: RFC 4291 2.7"},
	[FZ_W6_SRC_V4MAPPED] = {"v6 v4-mapped src", "ip6_rcv_core: ipv6_addr_v4mapped(saddr)"},
	[FZ_W6_PAYLOAD_LEN] = {"v6 payload length beyond frame", "ip6_rcv_core: pkt_len + 40 > skb->len"},
	[FZ_W6_HBH_BAD] = {"v6 bad hop-by-hop header", "ipv6_parse_hopopts / ip6_parse_tlv"},
	[FZ_W6_DST_MCAST] = {"v6 multicast dst", "ip6_route_input -> ip6_mc_input, mc_forwarding=0"},
	[FZ_W6_DST_LOCAL] = {"v6 local dst", "ip6_route_input: RTN_LOCAL -> ip6_input"},
	[FZ_W6_DST_ANYCAST] = {"v6 subnet-router anycast dst", "addrconf_join_anycast: RTN_ANYCAST -> ip6_input"},
	[FZ_W6_NO_ROUTE] = {"v6 no route", "ip6_pol_route: ip6_null_entry"},
	[FZ_W6_REJECT_ROUTE] = {"v6 reject route", "ip6_pol_route: blackhole/unreachable/prohibit"},
	[FZ_W6_SRC_INVALID] = {"v6 unspecified/mcast/loopback src", "ip6_forward: addrtype check"},
	[FZ_W6_SRC_LINK_LOCAL] = {"v6 link-local src", "ip6_forward: ICMPV6_NOT_NEIGHBOUR"},
	[FZ_W6_HOP_LIMIT] = {"v6 hop limit <= 1", "ip6_forward: ICMPV6_TIME_EXCEED"},
	[FZ_W6_TOO_BIG] = {"v6 too big", "ip6_forward: ip6_pkt_too_big"},
};

const char *fz_mv_name(enum fz_mv v)
{
	return (unsigned int)v < FZ_MV_MAX ? mv_names[v] : "?";
}

const char *fz_why_name(enum fz_why w)
{
	return (unsigned int)w < FZ_W_MAX ? whys[w].name : "?";
}

const char *fz_why_source(enum fz_why w)
{
	return (unsigned int)w < FZ_W_MAX ? whys[w].source : "?";
}

/* ----------------------------------------------------- the kernel's FIB */

enum k_type {
	K_UNICAST,
	K_LOCAL,
	K_BROADCAST,
	K_ANYCAST,
	K_BLACKHOLE,
	K_UNREACHABLE,
	K_PROHIBIT,
};

struct k_route {
	struct fz_ip prefix;
	uint8_t plen;
	uint8_t local_table; /* RT_TABLE_LOCAL, looked up first (fib rules) */
	enum k_type type;
	uint32_t ifindex; /* connected / local: the device */
	uint32_t group;	  /* zebra route: its group; 0: connected */
};

#define K_MAX 128
static struct k_route kfib[K_MAX];
static unsigned int n_kfib;
static const struct fz_config *kfib_config;

static void k_add(const struct fz_ip *p, uint8_t plen, int local_table,
		  enum k_type type, uint32_t ifindex, uint32_t group)
{
	struct k_route *k = &kfib[n_kfib++];

	k->prefix = fz_ip_fill(p, plen, false);
	k->plen = plen;
	k->local_table = local_table;
	k->type = type;
	k->ifindex = ifindex;
	k->group = group;
}

static bool is_ll6(const struct fz_ip *ip)
{
	return ip->a[0] == 0xfe && (ip->a[1] & 0xc0) == 0x80;
}

/*
 * The kernel's tables for the configuration: per address what
 * fib_add_ifaddr (IPv4) and addrconf (IPv6) install, then zebra's routes.
 * IPv4: local addr/32, connected prefix (unless a /32), and the subnet
 * broadcast prefix|~mask for prefixes shorter than /31; since Linux 5.14
 * the lowest address is no longer a broadcast route (checked here: `ip
 * route show table local` lists no such entry). IPv6: local addr/128,
 * connected prefix, and with forwarding on the subnet-router anycast
 * prefix::/128 (addrconf_join_anycast; fe80:: per link included).
 */
static void kfib_build(const struct fz_config *c)
{
	unsigned int i;

	n_kfib = 0;
	for (i = 0; i < c->n_addrs; i++) {
		const struct fz_ifaddr *a = &c->addrs[i];

		if (a->ip.family == FZ_AF_INET) {
			struct fz_ip brd = fz_ip_fill(&a->ip, a->plen, true);

			k_add(&a->ip, 32, 1, K_LOCAL, a->ifindex, 0);
			if (a->plen < 32)
				k_add(&a->ip, a->plen, 0, K_UNICAST, a->ifindex,
				      0);
			if (a->plen < 31)
				k_add(&brd, 32, 1, K_BROADCAST, a->ifindex, 0);
		} else {
			struct fz_ip any = fz_ip_fill(&a->ip, a->plen, false);

			k_add(&a->ip, 128, 1, K_LOCAL, a->ifindex, 0);
			k_add(&a->ip, a->plen, 0, K_UNICAST, a->ifindex, 0);
			if (a->plen < 127)
				k_add(&any, 128, 1, K_ANYCAST, a->ifindex, 0);
		}
	}
	for (i = 0; i < c->n_routes; i++) {
		const struct fz_route *r = &c->routes[i];
		static const enum k_type types[] = {
			[FZ_RT_UNICAST] = K_UNICAST,
			[FZ_RT_BLACKHOLE] = K_BLACKHOLE,
			[FZ_RT_UNREACHABLE] = K_UNREACHABLE,
			[FZ_RT_PROHIBIT] = K_PROHIBIT,
		};

		k_add(&r->prefix, r->plen, 0, types[r->type], 0, r->group);
	}
	kfib_config = c;
}

/*
 * fib_lookup / fib6_lookup: the local table first (fib rule 0), then the
 * main table, longest prefix in each. strict_if (IPv6 link-local
 * destinations, rt6_need_strict) keeps only routes on that device.
 */
static const struct k_route *k_lookup(const struct fz_ip *dst,
				      uint32_t strict_if)
{
	const struct k_route *best;
	int table, i;

	for (table = 1; table >= 0; table--) {
		best = NULL;
		for (i = 0; i < (int)n_kfib; i++) {
			const struct k_route *k = &kfib[i];

			if (k->local_table != table ||
			    k->prefix.family != dst->family)
				continue;
			if (strict_if && k->ifindex != strict_if)
				continue;
			if (!fz_ip_prefix_match(&k->prefix, dst, k->plen))
				continue;
			if (!best || k->plen > best->plen)
				best = k;
		}
		if (best)
			return best;
	}
	return NULL;
}

/* ------------------------------------------------------------- helpers */

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static bool mac_eq(const uint8_t *a, const uint8_t *b)
{
	return !memcmp(a, b, 6);
}

static void set(struct fz_model_result *r, enum fz_mv v, enum fz_why w)
{
	r->verdict = v;
	r->why = w;
}

/* The next hops of a unicast route, each with the verdict of ip_forward /
 * ip6_forward for that path (set later); neighbour = gateway or dst. */
static void k_nexthops(const struct fz_config *c, const struct k_route *k,
		       const struct fz_ip *dst, struct fz_model_result *r)
{
	const struct fz_group *g = k->group ? fz_config_group(c, k->group) :
					      NULL;
	unsigned int i, n = g ? g->n_paths : 1;

	r->n_nh = 0;
	for (i = 0; i < n && i < FZ_MAX_PATHS; i++) {
		struct fz_nexthop *nh = &r->nh[r->n_nh++];
		uint32_t ifindex = g ? g->paths[i].ifindex : k->ifindex;
		const struct fz_ip *via = g && g->paths[i].gw.family ?
						  &g->paths[i].gw :
						  dst;
		const struct fz_neigh *ne = fz_config_neigh(c, ifindex, via);
		const struct fz_if *ifp = fz_config_if(c, ifindex);

		memset(nh, 0, sizeof(*nh));
		nh->ifindex = ifindex;
		if (ifp)
			memcpy(nh->smac, ifp->mac, 6);
		if (ne) {
			nh->resolved = 1;
			fz_tag_mac(ne->tag, nh->dmac);
		}
	}
}

static uint32_t nh_mtu(const struct fz_config *c, const struct fz_nexthop *nh)
{
	const struct fz_if *ifp = fz_config_if(c, nh->ifindex);

	return ifp ? ifp->mtu : 1500;
}

/* The overall verdict from the per-path ones: forwarded if any path
 * forwards; otherwise the first path's. */
static void summarise(struct fz_model_result *r)
{
	unsigned int i;

	for (i = 0; i < r->n_nh; i++) {
		if (r->nh[i].verdict == FZ_MV_FWD) {
			set(r, FZ_MV_FWD, FZ_W_FWD);
			return;
		}
	}
	for (i = 0; i < r->n_nh; i++) {
		if (r->nh[i].verdict == FZ_MV_FWD_ALTERED) {
			set(r, FZ_MV_FWD_ALTERED, r->nh[i].why);
			return;
		}
	}
	if (r->n_nh)
		set(r, r->nh[0].verdict, r->nh[0].why);
}

/* --------------------------------------------------------------- IPv4 */

static bool ip4_is(const uint8_t *a, uint8_t first, uint8_t mask)
{
	return (a[0] & mask) == first;
}

static bool ip4_multicast(const uint8_t *a)
{
	return ip4_is(a, 0xe0, 0xf0);
}

static bool ip4_lbcast(const uint8_t *a)
{
	return a[0] == 0xff && a[1] == 0xff && a[2] == 0xff && a[3] == 0xff;
}

static bool ip4_zeronet(const uint8_t *a)
{
	return a[0] == 0;
}

static bool ip4_loopback(const uint8_t *a)
{
	return a[0] == 127;
}

/* ip_fast_csum over ihl 32-bit words: 0 when the header verifies. */
static uint16_t ip4_csum(const uint8_t *h, unsigned int len)
{
	uint32_t sum = 0;
	unsigned int i;

	for (i = 0; i + 1 < len; i += 2)
		sum += be16(h + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

enum opt_result {
	OPT_OK,
	OPT_OK_REWRITTEN, /* RR / TS / EOL padding: the kernel changes them */
	OPT_INVALID,
	OPT_SRR,
};

/*
 * __ip_options_compile for a received packet (skb != NULL: unknown
 * options, SEC and SID are accepted), then ip_rcv_options: a source route
 * is dropped with accept_source_route=0. CIPSO is refused: with no DOI
 * configured cipso_v4_validate fails. RR and TS are rewritten on the way
 * (the router's address / timestamp, or the overflow count), and so is
 * non-zero padding after EOL.
 */
static enum opt_result ip4_options(const uint8_t *opt, int l)
{
	bool rewritten = false, srr = false, rr = false, ts = false;
	int optlen;

	while (l > 0) {
		switch (opt[0]) {
		case 0: /* IPOPT_END */
			for (opt++, l--; l > 0; opt++, l--)
				if (*opt)
					rewritten = true;
			goto eol;
		case 1: /* IPOPT_NOOP */
			opt++;
			l--;
			continue;
		}
		if (l < 2)
			return OPT_INVALID;
		optlen = opt[1];
		if (optlen < 2 || optlen > l)
			return OPT_INVALID;
		switch (opt[0]) {
		case 131: /* IPOPT_LSRR */
		case 137: /* IPOPT_SSRR */
			if (optlen < 3 || opt[2] < 4 || srr)
				return OPT_INVALID;
			srr = true;
			break;
		case 7: /* IPOPT_RR */
			if (rr || optlen < 3 || opt[2] < 4)
				return OPT_INVALID;
			if (opt[2] <= optlen) {
				if (opt[2] + 3 > optlen)
					return OPT_INVALID;
				rewritten = true;
			}
			rr = true;
			break;
		case 68: /* IPOPT_TIMESTAMP */
			if (ts || optlen < 4 || opt[2] < 5)
				return OPT_INVALID;
			if (opt[2] <= optlen) {
				if (opt[2] + 3 > optlen)
					return OPT_INVALID;
				switch (opt[3] & 0xf) {
				case 0: /* IPOPT_TS_TSONLY */
					rewritten = true;
					break;
				case 1: /* IPOPT_TS_TSANDADDR */
				case 3: /* IPOPT_TS_PRESPEC */
					if (opt[2] + 7 > optlen)
						return OPT_INVALID;
					rewritten = true;
					break;
				default:
					break;
				}
			} else if ((opt[3] & 0xf) != 3) {
				if ((opt[3] >> 4) == 15)
					return OPT_INVALID;
				rewritten = true;
			}
			ts = true;
			break;
		case 148: /* IPOPT_RA */
			if (optlen < 4)
				return OPT_INVALID;
			break;
		case 134: /* IPOPT_CIPSO */
			return OPT_INVALID;
		default:
			break;
		}
		l -= optlen;
		opt += optlen;
	}
eol:
	if (srr)
		return OPT_SRR;
	return rewritten ? OPT_OK_REWRITTEN : OPT_OK;
}

/*
 * __fib_validate_source with rp_filter=2 (loose): the source must have a
 * unicast route back through any interface; a local or broadcast answer
 * is refused (accept_local=0), and so is a failed lookup (no route, or a
 * blackhole/unreachable/prohibit route, which fib_lookup reports as an
 * error): last_resort -> e_rpf. With rp_filter=2 the shortcut in
 * fib_validate_source (inet_lookup_ifaddr_rcu only) is never taken.
 */
static enum fz_why ip4_validate_source(const struct fz_ip *src)
{
	const struct k_route *k = k_lookup(src, 0);

	if (!k)
		return FZ_W4_SRC_RPF;
	switch (k->type) {
	case K_UNICAST:
		return FZ_W_FWD;
	case K_LOCAL:
		return FZ_W4_SRC_LOCAL;
	case K_BROADCAST:
		return FZ_W4_SRC_BCAST;
	default:
		return FZ_W4_SRC_REJECT;
	}
}

static void model_ipv4(const struct fz_config *c, uint32_t ingress,
		       const uint8_t *ip, unsigned int avail, bool l2_host,
		       struct fz_model_result *r)
{
	unsigned int ihl, tot_len, i;
	struct fz_ip src = {.family = FZ_AF_INET}, dst = {.family = FZ_AF_INET};
	const struct k_route *k;
	enum opt_result opts = OPT_OK;
	enum fz_why w;

	(void)ingress;
	r->family = FZ_AF_INET;
	/* ip_rcv_core */
	if (avail < 20)
		return set(r, FZ_MV_DROP, FZ_W4_TRUNC);
	ihl = (ip[0] & 0xf) * 4;
	if (ihl < 20 || ip[0] >> 4 != 4)
		return set(r, FZ_MV_DROP, FZ_W4_VERSION_IHL);
	if (avail < ihl)
		return set(r, FZ_MV_DROP, FZ_W4_TRUNC);
	if (ip4_csum(ip, ihl))
		return set(r, FZ_MV_DROP, FZ_W4_CSUM);
	tot_len = be16(ip + 2);
	if (avail < tot_len || tot_len < ihl)
		return set(r, FZ_MV_DROP, FZ_W4_TOT_LEN);
	r->l3_len = tot_len; /* pskb_trim_rcsum */

	memcpy(src.a, ip + 12, 4);
	memcpy(dst.a, ip + 16, 4);

	/* ip_route_input_rcu: multicast is delivered (if joined) or dropped,
	 * never unicast-forwarded (mc_forwarding=0). */
	if (ip4_multicast(dst.a))
		return set(r, FZ_MV_LOCAL, FZ_W4_DST_MCAST);
	/* ip_route_input_slow, in its order */
	if (ip4_multicast(src.a) || ip4_lbcast(src.a))
		return set(r, FZ_MV_DROP, FZ_W4_SRC_MARTIAN);
	if (ip4_lbcast(dst.a) ||
	    (!memcmp(src.a, "\0\0\0\0", 4) && !memcmp(dst.a, "\0\0\0\0", 4)))
		return set(r, FZ_MV_LOCAL, FZ_W4_DST_LBCAST);
	if (ip4_zeronet(src.a))
		return set(r, FZ_MV_DROP, FZ_W4_SRC_MARTIAN);
	if (ip4_zeronet(dst.a))
		return set(r, FZ_MV_DROP, FZ_W4_DST_MARTIAN);
	if (ip4_loopback(dst.a)) /* route_localnet=0 */
		return set(r, FZ_MV_DROP, FZ_W4_DST_MARTIAN);
	if (ip4_loopback(src.a))
		return set(r, FZ_MV_DROP, FZ_W4_SRC_MARTIAN);

	k = k_lookup(&dst, 0);
	if (!k)
		return set(r, FZ_MV_ICMP, FZ_W4_NO_ROUTE);
	switch (k->type) {
	case K_BLACKHOLE:
		return set(r, FZ_MV_DROP, FZ_W4_REJECT_ROUTE);
	case K_UNREACHABLE:
	case K_PROHIBIT:
		return set(r, FZ_MV_ICMP, FZ_W4_REJECT_ROUTE);
	case K_BROADCAST: /* bc_forwarding=0: brd_input */
		return set(r, FZ_MV_LOCAL, FZ_W4_DST_BCAST);
	case K_LOCAL: /* fib_validate_source, then local_input */
		return set(r, FZ_MV_LOCAL, FZ_W4_DST_LOCAL);
	case K_UNICAST:
		break;
	default: /* res->type != RTN_UNICAST: martian_destination */
		return set(r, FZ_MV_DROP, FZ_W4_DST_MARTIAN);
	}
	/* __mkroute_input -> fib_validate_source */
	w = ip4_validate_source(&src);
	if (w != FZ_W_FWD)
		return set(r, FZ_MV_DROP, w);

	/* ip_rcv_finish_core -> ip_rcv_options */
	if (ihl > 20) {
		opts = ip4_options(ip + 20, ihl - 20);
		if (opts == OPT_INVALID)
			return set(r, FZ_MV_ICMP, FZ_W4_OPT_INVALID);
		if (opts == OPT_SRR)
			return set(r, FZ_MV_DROP, FZ_W4_OPT_SRR);
	}

	/* ip_forward */
	if (!l2_host)
		return set(r, FZ_MV_DROP, FZ_W_L2_NOT_HOST);
	if (ip[8] <= 1)
		return set(r, FZ_MV_ICMP, FZ_W4_TTL);
	k_nexthops(c, k, &dst, r);
	for (i = 0; i < r->n_nh; i++) {
		struct fz_nexthop *nh = &r->nh[i];

		nh->verdict = FZ_MV_FWD;
		nh->why = FZ_W_FWD;
		/* ip_exceeds_mtu: skb->len is the trimmed tot_len */
		if (tot_len > nh_mtu(c, nh)) {
			if (be16(ip + 6) & IP_DF_) {
				nh->verdict = FZ_MV_ICMP;
				nh->why = FZ_W4_MTU_DF;
			} else {
				nh->verdict = FZ_MV_FWD_ALTERED;
				nh->why = FZ_W4_FRAGMENT;
			}
		} else if (opts == OPT_OK_REWRITTEN) {
			nh->verdict = FZ_MV_FWD_ALTERED;
			nh->why = FZ_W4_OPT_REWRITE;
		}
	}
	summarise(r);
}

/* --------------------------------------------------------------- IPv6 */

static bool ip6_any(const uint8_t *a)
{
	static const uint8_t z[16];

	return !memcmp(a, z, 16);
}

static bool ip6_loopback(const uint8_t *a)
{
	static const uint8_t lo[16] = {[15] = 1};

	return !memcmp(a, lo, 16);
}

static bool ip6_v4mapped(const uint8_t *a)
{
	static const uint8_t p[12] = {[10] = 0xff, [11] = 0xff};

	return !memcmp(a, p, 12);
}

/*
 * ipv6_parse_hopopts and ip6_parse_tlv(hopbyhop) over the header at h
 * (hlen bytes, within the packet's len bytes after the fixed header).
 * Returns false where the kernel drops the packet.
 */
static bool ip6_hopopts_ok(const uint8_t *h, unsigned int avail,
			   const uint8_t *ip6)
{
	unsigned int len, off, padlen = 0, tlv_count = 0, i;
	int optlen;

	if (avail < 8)
		return false;
	len = (h[1] + 1) * 8;
	if (avail < len)
		return false;
	off = 2;
	len -= 2;
	while (len > 0) {
		if (h[off] == 0) { /* Pad1 */
			if (++padlen > 7)
				return false;
			off++;
			len--;
			continue;
		}
		if (len < 2)
			return false;
		optlen = h[off + 1] + 2;
		if ((unsigned int)optlen > len)
			return false;
		if (h[off] == 1) { /* PadN: <= 7 bytes, zeroes (RFC 4942) */
			padlen += optlen;
			if (padlen > 7)
				return false;
			for (i = 2; i < (unsigned int)optlen; i++)
				if (h[off + i])
					return false;
		} else {
			if (++tlv_count > 8) /* max_hbh_opts_cnt */
				return false;
			switch (h[off]) {
			case 0x05: /* ipv6_hop_ra */
				if (h[off + 1] != 2)
					return false;
				break;
			case 0x11:
				/* ipv6_hop_ioam: ioam6_enabled=0, ignored.
				 * (Its source drops a misaligned option first,
				 * but this machine's kernel forwards one:
				 * kernel_check, seed 1 index 175.) */
				break;
			case 0xc2: /* ipv6_hop_jumbo: never valid < 64K */
				return false;
			case 0x07: /* ipv6_hop_calipso: no DOI */
				return false;
			default: /* ip6_tlvopt_unknown */
				if ((h[off] & 0xc0) != 0)
					return false;
				break;
			}
			padlen = 0;
		}
		off += optlen;
		len -= optlen;
	}
	(void)ip6;
	return true;
}

static void model_ipv6(const struct fz_config *c, uint32_t ingress,
		       const uint8_t *ip, unsigned int avail, bool l2_host,
		       struct fz_model_result *r)
{
	struct fz_ip src = {.family = FZ_AF_INET6}, dst = {.family = FZ_AF_INET6};
	unsigned int pkt_len, i;
	const struct k_route *k;

	r->family = FZ_AF_INET6;
	/* ip6_rcv_core */
	if (avail < 40)
		return set(r, FZ_MV_DROP, FZ_W6_TRUNC);
	if (ip[0] >> 4 != 6)
		return set(r, FZ_MV_DROP, FZ_W6_VERSION);
	memcpy(src.a, ip + 8, 16);
	memcpy(dst.a, ip + 24, 16);
	if (ip6_loopback(src.a) || ip6_loopback(dst.a))
		return set(r, FZ_MV_DROP, FZ_W6_LOOPBACK);
	if (dst.a[0] == 0xff && ((dst.a[1] & 0xf) == 1 || (dst.a[1] & 0xf) == 0))
		return set(r, FZ_MV_DROP, FZ_W6_MC_SCOPE);
	if (src.a[0] == 0xff)
		return set(r, FZ_MV_DROP, FZ_W6_SRC_MCAST);
	/*
	 * A v4-mapped source is NOT dropped here: Linux 5.4 added such a
	 * check to ipv6_rcv (commit 6af1799aaf3f), but this machine's kernel
	 * forwards these packets (kernel_check, seed 1 index 1366), so the
	 * model follows the kernel it can observe. FZ_W6_SRC_V4MAPPED stays
	 * for a kernel that drops them (check under qemu for 6.1).
	 */
	(void)ip6_v4mapped;
	pkt_len = be16(ip + 4);
	r->l3_len = avail;
	if (pkt_len || ip[6] != NEXTHDR_HOP_) {
		if (pkt_len + 40 > avail)
			return set(r, FZ_MV_DROP, FZ_W6_PAYLOAD_LEN);
		r->l3_len = pkt_len + 40; /* pskb_trim_rcsum */
	}
	if (ip[6] == NEXTHDR_HOP_ &&
	    !ip6_hopopts_ok(ip + 40, r->l3_len - 40, ip))
		return set(r, FZ_MV_DROP, FZ_W6_HBH_BAD);

	/* ip6_route_input */
	if (dst.a[0] == 0xff)
		return set(r, FZ_MV_LOCAL, FZ_W6_DST_MCAST);
	k = k_lookup(&dst, is_ll6(&dst) ? ingress : 0);
	if (!k)
		return set(r, FZ_MV_ICMP, FZ_W6_NO_ROUTE);
	switch (k->type) {
	case K_LOCAL:
		return set(r, FZ_MV_LOCAL, FZ_W6_DST_LOCAL);
	case K_ANYCAST:
		return set(r, FZ_MV_LOCAL, FZ_W6_DST_ANYCAST);
	case K_BLACKHOLE:
		return set(r, FZ_MV_DROP, FZ_W6_REJECT_ROUTE);
	case K_UNREACHABLE:
	case K_PROHIBIT:
		return set(r, FZ_MV_ICMP, FZ_W6_REJECT_ROUTE);
	default:
		break;
	}

	/* ip6_forward */
	if (!l2_host)
		return set(r, FZ_MV_DROP, FZ_W_L2_NOT_HOST);
	if (ip[7] <= 1)
		return set(r, FZ_MV_ICMP, FZ_W6_HOP_LIMIT);
	k_nexthops(c, k, &dst, r);
	for (i = 0; i < r->n_nh; i++) {
		struct fz_nexthop *nh = &r->nh[i];
		uint32_t mtu = nh_mtu(c, nh);

		nh->verdict = FZ_MV_FWD;
		nh->why = FZ_W_FWD;
		/* Back out of the ingress: a redirect is sent and the source
		 * checks below are skipped (opt->srcrt is 0 here). */
		if (nh->ifindex != ingress) {
			if (ip6_any(src.a)) {
				nh->verdict = FZ_MV_DROP;
				nh->why = FZ_W6_SRC_INVALID;
				continue;
			}
			if (is_ll6(&src)) {
				nh->verdict = FZ_MV_ICMP;
				nh->why = FZ_W6_SRC_LINK_LOCAL;
				continue;
			}
		}
		if (mtu < IPV6_MIN_MTU_)
			mtu = IPV6_MIN_MTU_;
		if (r->l3_len > mtu) {
			nh->verdict = FZ_MV_ICMP;
			nh->why = FZ_W6_TOO_BIG;
		}
	}
	summarise(r);
}

/* ------------------------------------------------------------ Ethernet */

void fz_model(const struct fz_config *c, uint32_t ingress, const uint8_t *f,
	      size_t len, struct fz_model_result *r)
{
	const struct fz_if *ifp = fz_config_if(c, ingress);
	bool l2_host = false, otherhost = false, tagged = false;
	unsigned int off = ETH_HLEN_, tags = 0;
	uint16_t proto;

	memset(r, 0, sizeof(*r));
	if (kfib_config != c)
		kfib_build(c);
	if (len < ETH_HLEN_)
		return set(r, FZ_MV_DROP, FZ_W_RUNT);

	/* eth_type_trans: broadcast/multicast by the I/G bit, otherhost
	 * unless the destination is the interface's MAC. */
	if (f[0] & 1)
		l2_host = false;
	else if (ifp && mac_eq(f, ifp->mac))
		l2_host = true;
	else
		otherhost = true;
	proto = be16(f + 12);

	/*
	 * __netif_receive_skb_core: skb_vlan_untag pulls a tag into the skb;
	 * with no VLAN device, a VID other than 0 makes the frame
	 * PACKET_OTHERHOST, and a VID 0 (priority) tag is dropped and the
	 * inner frame processed untagged (once more for a second tag).
	 */
	while (proto == ETH_P_8021Q_ || proto == ETH_P_8021AD_) {
		if (len < off + 4 || tags == 2)
			return set(r, FZ_MV_DROP, FZ_W_VLAN_TRUNC);
		if (be16(f + off) & 0x0fff)
			return set(r, FZ_MV_DROP, FZ_W_VLAN_OTHERHOST);
		proto = be16(f + off + 2);
		off += 4;
		tags++;
		tagged = true;
	}
	r->l3_off = off;

	if (proto < ETH_P_802_3_MIN_)
		return set(r, FZ_MV_DROP, FZ_W_NON_IP);
	if (proto == ETH_P_ARP_)
		return set(r, otherhost ? FZ_MV_DROP : FZ_MV_LOCAL, FZ_W_ARP);
	if (proto != ETH_P_IP_ && proto != ETH_P_IPV6_)
		return set(r, FZ_MV_DROP, FZ_W_NON_IP);
	/* ip_rcv_core / ip6_rcv_core: "drop all the crap" */
	if (otherhost)
		return set(r, FZ_MV_DROP, FZ_W_L2_OTHERHOST);

	if (proto == ETH_P_IP_)
		model_ipv4(c, ingress, f + off, len - off, l2_host, r);
	else
		model_ipv6(c, ingress, f + off, len - off, l2_host, r);

	/* A forwarded priority-tagged frame leaves untagged. */
	if (tagged && r->verdict == FZ_MV_FWD) {
		unsigned int i;

		for (i = 0; i < r->n_nh; i++) {
			if (r->nh[i].verdict == FZ_MV_FWD) {
				r->nh[i].verdict = FZ_MV_FWD_ALTERED;
				r->nh[i].why = FZ_W_VLAN_PRIO_TAG;
			}
		}
		set(r, FZ_MV_FWD_ALTERED, FZ_W_VLAN_PRIO_TAG);
	}
}

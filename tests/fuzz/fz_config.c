// SPDX-License-Identifier: GPL-2.0-or-later
/* The fuzz's router configuration (fz_config.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp_abi.h"
#include "fz_config.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Interfaces. The XDP-mode ingress uses the harness's router MAC
 * (tpkt_router_mac, 02:00:00:00:00:01) and stats slot; the egress MACs
 * differ from the neighbours' so that a wrong source MAC shows.
 */
static const struct fz_if ifs[] = {
	{FZ_IF_IN_XDP, "in0", {0x02, 0, 0, 0, 0, 0x01},
	 DP_INTF_F_ENABLED | DP_INTF_F_XDP | DP_INTF_F_TC | DP_INTF_F_UP |
		 DP_INTF_F_RPF_LOOSE,
	 1500, 7},
	{FZ_IF_IN_TC, "in1", {0x02, 0, 0, 0, 0, 0x02},
	 DP_INTF_F_ENABLED | DP_INTF_F_TC | DP_INTF_F_UP | DP_INTF_F_RPF_LOOSE,
	 1500, 9},
	/* In mode xdp: the only egress XDP redirects to itself. */
	{FZ_IF_OUT0, "out0", {0x02, 0, 0, 0, 0x20, 0x0a},
	 DP_INTF_F_ENABLED | DP_INTF_F_XDP | DP_INTF_F_TC | DP_INTF_F_UP |
		 DP_INTF_F_RPF_LOOSE,
	 1500, 8},
	{FZ_IF_OUT1, "out1", {0x02, 0, 0, 0, 0x20, 0x0b}, DP_INTF_F_UP, 1400,
	 10},
	{FZ_IF_OUT2, "out2", {0x02, 0, 0, 0, 0x20, 0x0c}, 0, 1500, 11},
};

/* Addresses: every interface has IPv4, global IPv6 and link-local. */
static const struct {
	uint32_t ifindex;
	const char *addr;
	uint8_t plen;
} addrs[] = {
	{FZ_IF_IN_XDP, "10.0.0.254", 24},
	{FZ_IF_IN_XDP, "2001:db8:ffff::fe", 64},
	{FZ_IF_IN_XDP, "fe80::1", 64},
	{FZ_IF_IN_TC, "10.0.1.254", 24},
	{FZ_IF_IN_TC, "2001:db8:fffe::fe", 64},
	{FZ_IF_IN_TC, "fe80::2", 64},
	{FZ_IF_OUT0, "203.0.113.1", 24},
	{FZ_IF_OUT0, "192.0.2.1", 28},
	{FZ_IF_OUT0, "2001:db8:1::1", 64},
	{FZ_IF_OUT0, "fe80::a", 64},
	{FZ_IF_OUT1, "198.18.0.0", 31}, /* point-to-point: no broadcast */
	{FZ_IF_OUT1, "2001:db8:2::1", 64},
	{FZ_IF_OUT1, "fe80::b", 64},
	{FZ_IF_OUT2, "192.168.2.1", 24},
	{FZ_IF_OUT2, "2001:db8:3::1", 64},
	{FZ_IF_OUT2, "fe80::c", 64},
};

/* Resolved neighbours; tag 1 is gateway A (out0), tag 4 gateway B (out1). */
static const struct {
	uint32_t ifindex;
	const char *addr;
	uint8_t tag;
} neighs[] = {
	{FZ_IF_OUT0, "203.0.113.2", 0x01},
	{FZ_IF_OUT0, "fe80::2:2", 0x01},
	{FZ_IF_OUT0, "203.0.113.9", 0x09},
	{FZ_IF_OUT0, "2001:db8:1::9", 0x09},
	{FZ_IF_OUT0, "192.0.2.9", 0x0d},
	{FZ_IF_OUT1, "198.18.0.1", 0x04},
	{FZ_IF_OUT1, "fe80::4:4", 0x04},
	{FZ_IF_OUT1, "2001:db8:2::9", 0x19},
	{FZ_IF_OUT2, "192.168.2.9", 0x29},
	{FZ_IF_OUT2, "2001:db8:3::9", 0x29},
	{FZ_IF_IN_XDP, "10.0.0.7", 0x07},
	{FZ_IF_IN_XDP, "2001:db8:ffff::7", 0x07},
	{FZ_IF_IN_TC, "10.0.1.7", 0x17},
	{FZ_IF_IN_TC, "2001:db8:fffe::7", 0x17},
};

/* Nexthop groups: "gateway@ifindex" or "@ifindex" for on-link. */
static const struct {
	uint32_t id;
	const char *paths[FZ_MAX_PATHS];
} groups[] = {
	{100, {"203.0.113.2@10"}},		   /* resolved */
	{101, {"203.0.113.3@10"}},		   /* gateway unresolved */
	{104, {"198.18.0.1@11"}},		   /* resolved, MTU 1400 */
	{106, {"203.0.113.2@10", "198.18.0.1@11"}}, /* ECMP */
	{107, {"@10"}},				   /* on-link */
	{108, {"192.168.2.9@12"}},		   /* link not in intf_map */
	{200, {"fe80::2:2@10"}},
	{203, {"fe80::3:3@10"}}, /* unresolved */
	{204, {"fe80::4:4@11"}},
	{206, {"fe80::2:2@10", "fe80::4:4@11"}},
};

static const struct {
	const char *prefix;
	uint8_t plen;
	enum fz_rtype type;
	uint32_t group;
} routes[] = {
	{"198.51.100.0", 24, FZ_RT_UNICAST, 100},
	{"198.51.100.77", 32, FZ_RT_UNICAST, 104},
	{"198.51.101.0", 24, FZ_RT_UNICAST, 101},
	{"198.51.104.0", 24, FZ_RT_UNICAST, 104},
	{"198.51.106.0", 24, FZ_RT_UNICAST, 106},
	{"198.51.107.0", 24, FZ_RT_UNICAST, 107},
	{"198.51.108.0", 24, FZ_RT_UNICAST, 108},
	{"169.254.0.0", 16, FZ_RT_UNICAST, 100}, /* link-local, routed */
	{"240.0.0.0", 8, FZ_RT_UNICAST, 100},	 /* class E, routed */
	{"100.64.0.0", 10, FZ_RT_BLACKHOLE, 0},
	{"198.51.110.0", 24, FZ_RT_UNREACHABLE, 0},
	{"198.51.111.0", 24, FZ_RT_PROHIBIT, 0},
	{"2001:db8:100::", 48, FZ_RT_UNICAST, 200},
	{"2001:db8:103::", 48, FZ_RT_UNICAST, 203},
	{"2001:db8:104::", 48, FZ_RT_UNICAST, 204},
	{"2001:db8:106::", 48, FZ_RT_UNICAST, 206},
	{"::ffff:0.0.0.0", 96, FZ_RT_UNICAST, 200}, /* v4-mapped, routed */
	{"64:ff9b::", 96, FZ_RT_UNICAST, 200},
	{"2001:db8:dead::", 48, FZ_RT_BLACKHOLE, 0},
	{"2001:db8:beef::", 48, FZ_RT_UNREACHABLE, 0},
};

static struct fz_config config;
static bool config_built;

struct fz_ip fz_ip_parse(const char *s)
{
	struct fz_ip ip = {0};

	if (strchr(s, ':')) {
		ip.family = FZ_AF_INET6;
		if (inet_pton(AF_INET6, s, ip.a) == 1)
			return ip;
	} else {
		ip.family = FZ_AF_INET;
		if (inet_pton(AF_INET, s, ip.a) == 1)
			return ip;
	}
	fprintf(stderr, "fz_config: bad address %s\n", s);
	abort();
}

static struct fz_path parse_path(const char *s)
{
	struct fz_path p = {0};
	char buf[64];
	char *at;

	snprintf(buf, sizeof(buf), "%s", s);
	at = strchr(buf, '@');
	if (!at)
		abort();
	*at = '\0';
	p.ifindex = atoi(at + 1);
	if (buf[0])
		p.gw = fz_ip_parse(buf);
	return p;
}

static void build(struct fz_config *c)
{
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(ifs); i++)
		c->ifs[c->n_ifs++] = ifs[i];
	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		struct fz_ifaddr *a = &c->addrs[c->n_addrs++];

		a->ifindex = addrs[i].ifindex;
		a->ip = fz_ip_parse(addrs[i].addr);
		a->plen = addrs[i].plen;
	}
	for (i = 0; i < ARRAY_SIZE(neighs); i++) {
		struct fz_neigh *n = &c->neighs[c->n_neighs++];

		n->ifindex = neighs[i].ifindex;
		n->ip = fz_ip_parse(neighs[i].addr);
		n->tag = neighs[i].tag;
	}
	for (i = 0; i < ARRAY_SIZE(groups); i++) {
		struct fz_group *g = &c->groups[c->n_groups++];

		g->id = groups[i].id;
		for (j = 0; j < FZ_MAX_PATHS && groups[i].paths[j]; j++)
			g->paths[g->n_paths++] = parse_path(groups[i].paths[j]);
	}
	for (i = 0; i < ARRAY_SIZE(routes); i++) {
		struct fz_route *r = &c->routes[c->n_routes++];

		r->prefix = fz_ip_parse(routes[i].prefix);
		r->plen = routes[i].plen;
		r->type = routes[i].type;
		r->group = routes[i].group;
	}
}

const struct fz_config *fz_config(void)
{
	if (!config_built) {
		build(&config);
		config_built = true;
	}
	return &config;
}

const struct fz_if *fz_config_if(const struct fz_config *c, uint32_t ifindex)
{
	unsigned int i;

	for (i = 0; i < c->n_ifs; i++)
		if (c->ifs[i].ifindex == ifindex)
			return &c->ifs[i];
	return NULL;
}

const struct fz_group *fz_config_group(const struct fz_config *c, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < c->n_groups; i++)
		if (c->groups[i].id == id)
			return &c->groups[i];
	return NULL;
}

const struct fz_neigh *fz_config_neigh(const struct fz_config *c,
				       uint32_t ifindex, const struct fz_ip *ip)
{
	unsigned int i;

	for (i = 0; i < c->n_neighs; i++)
		if (c->neighs[i].ifindex == ifindex &&
		    fz_ip_eq(&c->neighs[i].ip, ip))
			return &c->neighs[i];
	return NULL;
}

void fz_tag_mac(uint8_t tag, uint8_t *mac)
{
	const uint8_t m[6] = {0x02, 0, 0, 0, 0x10, tag};

	memcpy(mac, m, 6);
}

static unsigned int ip_len(const struct fz_ip *x)
{
	return x->family == FZ_AF_INET ? 4 : 16;
}

bool fz_ip_eq(const struct fz_ip *x, const struct fz_ip *y)
{
	return x->family == y->family && !memcmp(x->a, y->a, ip_len(x));
}

bool fz_ip_prefix_match(const struct fz_ip *x, const struct fz_ip *y,
			unsigned int plen)
{
	unsigned int bytes = plen / 8, bits = plen % 8;
	uint8_t mask;

	if (x->family != y->family)
		return false;
	if (memcmp(x->a, y->a, bytes))
		return false;
	if (!bits)
		return true;
	mask = 0xff << (8 - bits);
	return ((x->a[bytes] ^ y->a[bytes]) & mask) == 0;
}

struct fz_ip fz_ip_fill(const struct fz_ip *x, unsigned int plen, bool ones)
{
	struct fz_ip r = *x;
	unsigned int i, n = ip_len(x) * 8;

	for (i = plen; i < n; i++) {
		uint8_t bit = 0x80 >> (i % 8);

		if (ones)
			r.a[i / 8] |= bit;
		else
			r.a[i / 8] &= ~bit;
	}
	return r;
}

uint32_t fz_ip4_host(const struct fz_ip *x)
{
	return (uint32_t)x->a[0] << 24 | x->a[1] << 16 | x->a[2] << 8 |
	       x->a[3];
}

struct fz_ip fz_ip4_from_host(uint32_t a)
{
	struct fz_ip ip = {.family = FZ_AF_INET};

	ip.a[0] = a >> 24;
	ip.a[1] = a >> 16;
	ip.a[2] = a >> 8;
	ip.a[3] = a;
	return ip;
}

const char *fz_ip_str(const struct fz_ip *x, char *buf, unsigned int len)
{
	if (!inet_ntop(x->family == FZ_AF_INET ? AF_INET : AF_INET6, x->a, buf,
		       len))
		snprintf(buf, len, "?");
	return buf;
}

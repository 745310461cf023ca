// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The frame generator (fz_gen.h). A frame is built in three steps: an
 * Ethernet header (router MAC, or broadcast/multicast/another host, maybe
 * VLAN or QinQ tagged), a payload (IPv4 or IPv6 with addresses drawn from
 * classes that matter to the kernel, TTLs around 1, sizes around the
 * MTUs, options, extension headers, fragments; or ARP, or another
 * ethertype), then perhaps mutations (truncation, bad IHL, lengths,
 * checksum, version, trailing bytes, random header bytes).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "fz_gen.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ RNG */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void fz_rng_seed(struct fz_rng *r, uint64_t seed, uint64_t index)
{
	uint64_t x = seed ^ (index * 0xd1342543de82ef95ull);

	r->s = splitmix64(&x);
}

uint64_t fz_rand(struct fz_rng *r)
{
	return splitmix64(&r->s);
}

uint32_t fz_below(struct fz_rng *r, uint32_t n)
{
	return n ? (uint32_t)(fz_rand(r) % n) : 0;
}

static bool chance(struct fz_rng *r, unsigned int percent)
{
	return fz_below(r, 100) < percent;
}

/* An index into weights[], drawn in proportion to them. */
static unsigned int pick(struct fz_rng *r, const unsigned int *w,
			 unsigned int n)
{
	unsigned int total = 0, i, x;

	for (i = 0; i < n; i++)
		total += w[i];
	x = fz_below(r, total);
	for (i = 0; i < n; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

/* -------------------------------------------------------- description */

static void desc(struct fz_frame *f, const char *fmt, ...)
{
	size_t used = strlen(f->desc);
	va_list ap;

	if (used >= sizeof(f->desc) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(f->desc + used, sizeof(f->desc) - used, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------ addresses */

/* The first global address of a family on an interface. */
static const struct fz_ifaddr *if_addr(const struct fz_config *c,
				       uint32_t ifindex, int family)
{
	unsigned int i;

	for (i = 0; i < c->n_addrs; i++) {
		const struct fz_ifaddr *a = &c->addrs[i];

		if (a->ifindex == ifindex && a->ip.family == family &&
		    !(family == FZ_AF_INET6 && a->ip.a[0] == 0xfe))
			return a;
	}
	return NULL;
}

/* A random address of the configuration, of a family (global or not). */
static const struct fz_ifaddr *any_addr(const struct fz_config *c,
					struct fz_rng *r, int family, bool ll)
{
	const struct fz_ifaddr *cand[FZ_MAX_ADDRS];
	unsigned int i, n = 0;

	for (i = 0; i < c->n_addrs; i++) {
		const struct fz_ifaddr *a = &c->addrs[i];
		bool is_ll = family == FZ_AF_INET6 && a->ip.a[0] == 0xfe;

		if (a->ip.family == family && (ll || !is_ll))
			cand[n++] = a;
	}
	return cand[fz_below(r, n)];
}

static struct fz_ip v4(uint32_t host)
{
	return fz_ip4_from_host(host);
}

static struct fz_ip v4s(const char *s)
{
	return fz_ip_parse(s);
}

/* prefix (a literal) with its low `bits` bits random, avoiding 0 and all
 * ones where bits allow. */
static struct fz_ip rand_in(struct fz_rng *r, const char *prefix,
			    unsigned int bits)
{
	struct fz_ip ip = fz_ip_parse(prefix);
	unsigned int n = ip.family == FZ_AF_INET ? 4 : 16, i;
	uint64_t x = fz_rand(r);

	for (i = 0; i < bits && i < 64; i++) {
		unsigned int bit = n * 8 - 1 - i;

		if (x >> i & 1)
			ip.a[bit / 8] |= 1 << (7 - bit % 8);
	}
	return ip;
}

static struct fz_ip host_in(struct fz_rng *r, const struct fz_ifaddr *a)
{
	struct fz_ip ip = fz_ip_fill(&a->ip, a->plen, false);
	unsigned int n = ip.family == FZ_AF_INET ? 4 : 16;
	unsigned int hostbits = n * 8 - a->plen;
	uint32_t h;

	/* a host number from 1 to 2^bits - 2 (or 1..253 for wide nets) */
	if (hostbits > 8)
		h = 1 + fz_below(r, 253);
	else if (hostbits >= 2)
		h = 1 + fz_below(r, (1u << hostbits) - 2);
	else
		h = fz_below(r, 2);
	ip.a[n - 1] |= h & 0xff;
	return ip;
}

enum { D_REMOTE, D_UNRES_GW, D_CONN_HOST, D_CONN_UNRES, D_BCAST, D_NETWORK,
       D_OWN, D_SPECIAL, D_NOROUTE, D_MCAST, D_LBCAST, D_ZERONET, D_LOOPBACK,
       D_CLASS_E, D_LINKLOCAL, D_RANDOM, D_PEER, D_MAX };

static const char *const cls_names[D_MAX] = {
	"remote", "unres-gw", "conn-host", "conn-unres", "bcast", "network",
	"own", "special", "noroute", "mcast", "lbcast", "zeronet", "loopback",
	"classE", "linklocal", "random", "peer",
};

static struct fz_ip pick4(const struct fz_config *c, struct fz_rng *r,
			  uint32_t ingress, unsigned int cls)
{
	static const char *const remote[] = {
		"198.51.100.0", "198.51.104.0", "198.51.106.0",
		"198.51.107.0", "198.51.108.0",
	};
	static const char *const hosts[] = {
		"203.0.113.9", "192.0.2.9", "192.168.2.9", "198.18.0.1",
	};
	const struct fz_ifaddr *a;

	switch (cls) {
	case D_REMOTE:
		if (chance(r, 10))
			return v4s("198.51.100.77");
		return rand_in(r, remote[fz_below(r, ARRAY_SIZE(remote))], 8);
	case D_UNRES_GW:
		return rand_in(r, "198.51.101.0", 8);
	case D_CONN_HOST:
		if (chance(r, 25)) { /* back out of the ingress (hairpin) */
			a = if_addr(c, ingress, FZ_AF_INET);
			return v4((fz_ip4_host(&a->ip) & ~0xffu) | 7);
		}
		return v4s(hosts[fz_below(r, ARRAY_SIZE(hosts))]);
	case D_CONN_UNRES:
		a = any_addr(c, r, FZ_AF_INET, false);
		return host_in(r, a);
	case D_BCAST:
		if (chance(r, 30))
			a = if_addr(c, ingress, FZ_AF_INET);
		else
			a = any_addr(c, r, FZ_AF_INET, false);
		return fz_ip_fill(&a->ip, a->plen, true);
	case D_NETWORK:
		a = any_addr(c, r, FZ_AF_INET, false);
		return fz_ip_fill(&a->ip, a->plen, false);
	case D_OWN:
		if (chance(r, 30))
			return if_addr(c, ingress, FZ_AF_INET)->ip;
		return any_addr(c, r, FZ_AF_INET, false)->ip;
	case D_SPECIAL:
		switch (fz_below(r, 3)) {
		case 0:
			return rand_in(r, "100.64.0.0", 22);
		case 1:
			return rand_in(r, "198.51.110.0", 8);
		default:
			return rand_in(r, "198.51.111.0", 8);
		}
	case D_NOROUTE:
		switch (fz_below(r, 3)) {
		case 0:
			return v4s("8.8.8.8");
		case 1:
			return rand_in(r, "172.16.0.0", 20);
		default:
			return rand_in(r, "11.0.0.0", 24);
		}
	case D_MCAST:
		switch (fz_below(r, 4)) {
		case 0:
			return v4s("224.0.0.1");
		case 1:
			return v4s("224.0.0.5");
		case 2:
			return v4s("239.1.2.3");
		default:
			return rand_in(r, "224.0.0.0", 28);
		}
	case D_LBCAST:
		return v4(0xffffffffu);
	case D_ZERONET:
		return chance(r, 50) ? v4(0) : rand_in(r, "0.0.0.0", 24);
	case D_LOOPBACK:
		return chance(r, 50) ? v4s("127.0.0.1") :
				       rand_in(r, "127.0.0.0", 24);
	case D_CLASS_E:
		return chance(r, 50) ? rand_in(r, "240.0.0.0", 24) :
				       rand_in(r, "250.0.0.0", 24);
	case D_LINKLOCAL:
		return rand_in(r, "169.254.0.0", 16);
	case D_PEER:
		a = if_addr(c, ingress, FZ_AF_INET);
		return host_in(r, a);
	default:
		return v4((uint32_t)fz_rand(r));
	}
}

static struct fz_ip pick6(const struct fz_config *c, struct fz_rng *r,
			  uint32_t ingress, unsigned int cls)
{
	static const char *const remote[] = {
		"2001:db8:100::", "2001:db8:104::", "2001:db8:106::",
	};
	static const char *const hosts[] = {
		"2001:db8:1::9", "2001:db8:2::9", "2001:db8:3::9",
	};
	static const char *const mcast[] = {
		"ff02::1", "ff02::2", "ff02::1:ff00:9", "ff05::2", "ff0e::1",
		"ff01::1", "ff00::1", "ff12::1234", "ff3e:40:2001:db8::1",
	};
	const struct fz_ifaddr *a;
	struct fz_ip ip;

	switch (cls) {
	case D_REMOTE:
		return rand_in(r, remote[fz_below(r, ARRAY_SIZE(remote))], 40);
	case D_UNRES_GW:
		return rand_in(r, "2001:db8:103::", 40);
	case D_CONN_HOST:
		if (chance(r, 25)) {
			a = if_addr(c, ingress, FZ_AF_INET6);
			ip = fz_ip_fill(&a->ip, a->plen, false);
			ip.a[15] = 7;
			return ip;
		}
		return fz_ip_parse(hosts[fz_below(r, ARRAY_SIZE(hosts))]);
	case D_CONN_UNRES:
		a = any_addr(c, r, FZ_AF_INET6, false);
		ip = fz_ip_fill(&a->ip, a->plen, false);
		ip.a[14] = fz_below(r, 256);
		ip.a[15] = 1 + fz_below(r, 255);
		return ip;
	case D_BCAST: /* no broadcast in IPv6: the subnet-router anycast */
	case D_NETWORK:
		a = chance(r, 30) ? if_addr(c, ingress, FZ_AF_INET6) :
				    any_addr(c, r, FZ_AF_INET6, true);
		return fz_ip_fill(&a->ip, a->plen, false);
	case D_OWN:
		if (chance(r, 30))
			return if_addr(c, ingress, FZ_AF_INET6)->ip;
		return any_addr(c, r, FZ_AF_INET6, true)->ip;
	case D_SPECIAL:
		return rand_in(r, chance(r, 50) ? "2001:db8:dead::" :
						  "2001:db8:beef::",
			       40);
	case D_NOROUTE:
		return chance(r, 50) ? rand_in(r, "2001:db8:9999::", 40) :
				       rand_in(r, "2a00::", 64);
	case D_MCAST:
		return fz_ip_parse(mcast[fz_below(r, ARRAY_SIZE(mcast))]);
	case D_LBCAST: /* v4-mapped / NAT64 */
		return chance(r, 50) ? fz_ip_parse("::ffff:198.51.100.7") :
				       fz_ip_parse("64:ff9b::c633:6407");
	case D_ZERONET:
		return fz_ip_parse("::");
	case D_LOOPBACK:
		return fz_ip_parse("::1");
	case D_CLASS_E: /* IPv4-compatible (deprecated) */
		return fz_ip_parse("::198.51.100.7");
	case D_LINKLOCAL:
		if (chance(r, 30))
			return fz_ip_parse(chance(r, 50) ? "fe80::a" : "fe80::2:2");
		return rand_in(r, "fe80::", 16);
	case D_PEER:
		a = if_addr(c, ingress, FZ_AF_INET6);
		ip = fz_ip_fill(&a->ip, a->plen, false);
		ip.a[14] = fz_below(r, 4);
		ip.a[15] = 1 + fz_below(r, 250);
		return ip;
	default:
		ip.family = FZ_AF_INET6;
		for (int i = 0; i < 16; i++)
			ip.a[i] = fz_rand(r);
		return ip;
	}
}

/*                                  rem un  ch  cu  bc  nw  own sp  nr  mc  lb  zn  lo  E   ll  rnd peer */
static const unsigned int dst_w[D_MAX] = {26, 4, 8, 5, 8, 3, 6, 4, 4, 4, 3, 3, 3, 3, 3, 2, 0};
static const unsigned int src_w[D_MAX] = {18, 1, 2, 4, 6, 2, 6, 4, 5, 3, 2, 3, 3, 2, 3, 2, 34};

/* --------------------------------------------------------------- bytes */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void fill_random(struct fz_rng *r, uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = fz_rand(r);
}

static uint16_t csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static void ip4_fix_csum(uint8_t *ip)
{
	unsigned int ihl = (ip[0] & 0xf) * 4;

	if (ihl < 20)
		ihl = 20;
	put16(ip + 10, 0);
	put16(ip + 10, csum(ip, ihl));
}

/* ------------------------------------------------------------- layer 4 */

/* The L3 payload length: mostly small, often right around an MTU. */
static size_t pick_l3_len(struct fz_rng *r, size_t hdrs)
{
	static const unsigned int around[] = {1280, 1400, 1500};
	size_t len;

	switch (pick(r, (const unsigned int[]){55, 12, 25, 8}, 4)) {
	case 0:
		len = hdrs + fz_below(r, 65);
		break;
	case 1:
		len = hdrs + fz_below(r, 600);
		break;
	case 2:
		len = around[fz_below(r, 3)] - 2 + fz_below(r, 5);
		break;
	default:
		len = 1500 + fz_below(r, FZ_FRAME_MAX - 1500 - 60);
		break;
	}
	return len < hdrs ? hdrs : len;
}

/* An L4 header at p (room enough); returns its length. */
static size_t build_l4(struct fz_rng *r, struct fz_frame *f, uint8_t *p,
		       uint8_t proto)
{
	static const uint8_t icmp4_types[] = {0, 3, 5, 8, 11, 12, 13};
	static const uint8_t icmp6_types[] = {1, 2, 3, 4, 128, 129, 130, 131,
					      132, 133, 134, 135, 136, 137, 143};
	size_t n;

	switch (proto) {
	case 6: /* TCP, sometimes with options */
		n = 20 + 4 * (chance(r, 15) ? fz_below(r, 11) : 0);
		fill_random(r, p, n);
		p[12] = (n / 4) << 4;
		desc(f, " tcp");
		return n;
	case 17:
		fill_random(r, p, 8);
		desc(f, " udp");
		return 8;
	case 1:
		fill_random(r, p, 8);
		p[0] = chance(r, 80) ? icmp4_types[fz_below(r, sizeof(icmp4_types))] :
				       fz_rand(r);
		desc(f, " icmp%u", p[0]);
		return 8;
	case 58:
		fill_random(r, p, 8);
		p[0] = chance(r, 85) ? icmp6_types[fz_below(r, sizeof(icmp6_types))] :
				       fz_rand(r);
		desc(f, " icmp6/%u", p[0]);
		return 8;
	}
	desc(f, " proto%u", proto);
	return 0;
}

static uint8_t pick_proto(struct fz_rng *r, bool v6)
{
	static const uint8_t others[] = {4, 41, 47, 50, 51, 132, 255, 59};

	switch (pick(r, (const unsigned int[]){35, 30, 22, 13}, 4)) {
	case 0:
		return 6;
	case 1:
		return 17;
	case 2:
		return v6 ? 58 : 1;
	default:
		return chance(r, 20) ? fz_rand(r) :
				       others[fz_below(r, sizeof(others))];
	}
}

static uint8_t pick_ttl(struct fz_rng *r)
{
	switch (pick(r, (const unsigned int[]){6, 8, 6, 70, 5, 5}, 6)) {
	case 0:
		return 0;
	case 1:
		return 1;
	case 2:
		return 2;
	case 3:
		return 64;
	case 4:
		return 255;
	default:
		return fz_rand(r);
	}
}

/* --------------------------------------------------------------- IPv4 */

/* IPv4 options: `room` bytes at most (a multiple of 4); returns the
 * length used, padded to a multiple of 4. */
static size_t build_ip4_options(struct fz_rng *r, struct fz_frame *f,
				uint8_t *o, size_t room)
{
	size_t n = 0, want = 4 * (1 + fz_below(r, room / 4));
	unsigned int k;

	while (n < want) {
		size_t left = want - n;

		k = fz_below(r, 11);
		switch (k) {
		case 0: /* NOP */
			o[n++] = 1;
			desc(f, " nop");
			break;
		case 1: /* EOL, then maybe garbage */
			o[n++] = 0;
			desc(f, " eol");
			while (n < want)
				o[n++] = chance(r, 70) ? 0 : fz_rand(r);
			break;
		case 2: /* record route */
		case 3: /* timestamp */
		case 4: /* loose / strict source route */
		case 5: { /* router alert */
			static const uint8_t types[] = {7, 68, 131, 148};
			uint8_t type = types[k - 2];
			size_t len = type == 148 ? 4 : 3 + 4 * fz_below(r, 3);

			if (type == 68)
				len = 4 + 4 * fz_below(r, 3);
			if (k == 4 && chance(r, 50))
				type = 137;
			if (len > left)
				len = left;
			if (len < 2) {
				o[n++] = 1;
				break;
			}
			o[n] = type;
			o[n + 1] = len;
			fill_random(r, o + n + 2, len - 2);
			if (len > 2)
				o[n + 2] = chance(r, 70) ? (type == 68 ? 5 : 4) :
							   fz_rand(r);
			if (type == 68 && len > 3)
				o[n + 3] = chance(r, 70) ? fz_below(r, 4) : fz_rand(r);
			if (type == 148 && len >= 4 && chance(r, 70))
				o[n + 2] = o[n + 3] = 0;
			desc(f, " opt%u/%zu", type, len);
			n += len;
			break;
		}
		case 6: /* CIPSO, SEC, SID, unknown */
		case 7: {
			static const uint8_t types[] = {134, 130, 136, 0x9e, 25};
			uint8_t type = types[fz_below(r, sizeof(types))];
			size_t len = 2 + fz_below(r, left > 2 ? left - 1 : 1);

			if (len > left || left < 2) {
				o[n++] = 1;
				break;
			}
			o[n] = type;
			o[n + 1] = len;
			fill_random(r, o + n + 2, len - 2);
			desc(f, " opt%u/%zu", type, len);
			n += len;
			break;
		}
		default: /* malformed length */
			o[n++] = fz_rand(r) | 2;
			if (n < want)
				o[n++] = fz_below(r, 3) == 0 ? 0 : fz_rand(r);
			desc(f, " optbad");
			break;
		}
	}
	return want;
}

static void build_ipv4(const struct fz_config *c, struct fz_rng *r,
		       uint32_t ingress, struct fz_frame *f, size_t off)
{
	uint8_t *ip = f->buf + off;
	unsigned int sc = pick(r, src_w, D_MAX), dc = pick(r, dst_w, D_MAX);
	struct fz_ip src = pick4(c, r, ingress, sc), dst = pick4(c, r, ingress, dc);
	uint8_t proto = pick_proto(r, false);
	size_t ihl = 20, l4, tot;
	uint16_t frag = 0;
	char s[64], d[64];

	desc(f, "v4 %s=%s -> %s=%s", cls_names[sc], fz_ip_str(&src, s, sizeof(s)),
	     cls_names[dc], fz_ip_str(&dst, d, sizeof(d)));
	memset(ip, 0, 60);
	if (chance(r, 10))
		ihl += build_ip4_options(r, f, ip + 20, 40);
	ip[0] = 0x40 | ihl / 4;
	ip[1] = chance(r, 80) ? 0 : fz_rand(r);
	put16(ip + 4, fz_rand(r));
	ip[8] = pick_ttl(r);
	ip[9] = proto;
	memcpy(ip + 12, src.a, 4);
	memcpy(ip + 16, dst.a, 4);
	desc(f, " ttl=%u", ip[8]);

	switch (pick(r, (const unsigned int[]){55, 33, 4, 4, 4}, 5)) {
	case 0:
		frag = 0x4000; /* DF */
		break;
	case 1:
		break;
	case 2:
		frag = 0x2000; /* first fragment */
		desc(f, " frag-first");
		break;
	case 3:
		frag = 0x2000 | (1 + fz_below(r, 0x1fff));
		desc(f, " frag-middle");
		break;
	default:
		frag = 1 + fz_below(r, 0x1fff);
		desc(f, " frag-last");
		break;
	}
	if (frag == 0 && chance(r, 3))
		frag = 0x8000; /* the reserved "evil" bit */
	put16(ip + 6, frag);
	desc(f, "%s", frag & 0x4000 ? " DF" : "");

	l4 = (frag & 0x3fff) ? 0 : build_l4(r, f, ip + ihl, proto);
	tot = pick_l3_len(r, ihl + l4);
	if (off + tot > FZ_FRAME_MAX)
		tot = FZ_FRAME_MAX - off;
	fill_random(r, ip + ihl + l4, tot > ihl + l4 ? tot - ihl - l4 : 0);
	put16(ip + 2, tot);
	ip4_fix_csum(ip);
	f->len = off + tot;
	desc(f, " len=%zu", tot);
}

/* --------------------------------------------------------------- IPv6 */

/* Hop-by-hop or destination options: TLVs filling (hdr[1]+1)*8 bytes. */
static size_t build_ip6_tlvs(struct fz_rng *r, struct fz_frame *f, uint8_t *h,
			     bool hop)
{
	size_t len = 8 * (1 + (chance(r, 20) ? fz_below(r, 3) : 0)), n = 2;

	h[1] = len / 8 - 1;
	while (n < len) {
		size_t left = len - n, olen;
		uint8_t type;

		switch (fz_below(r, 9)) {
		case 0:
			h[n++] = 0; /* Pad1 */
			continue;
		case 1:
			type = 1; /* PadN, maybe not zeroes */
			break;
		case 2:
			type = 0x05; /* router alert */
			break;
		case 3:
			type = 0xc2; /* jumbo */
			break;
		case 4:
			type = 0x07; /* CALIPSO */
			break;
		case 5:
			type = 0x11; /* IOAM */
			break;
		default: /* unknown, any action bits */
			type = (fz_below(r, 4) << 6) | (0x1e + fz_below(r, 8));
			break;
		}
		if (left < 2) {
			h[n++] = 0;
			continue;
		}
		olen = type == 0x05 && chance(r, 80) ? 2 :
		       type == 0xc2			? 4 :
							  fz_below(r, left - 1);
		if (olen + 2 > left)
			olen = left - 2;
		h[n] = type;
		h[n + 1] = olen;
		if (type == 1 && chance(r, 80))
			memset(h + n + 2, 0, olen);
		else
			fill_random(r, h + n + 2, olen);
		desc(f, " %s%02x/%zu", hop ? "hbh" : "dst", type, olen);
		n += 2 + olen;
	}
	return len;
}

/* A chain of extension headers at p; returns its length and sets *first
 * to the first header's type; *last_next points at the last next-header
 * byte to fill in. */
static size_t build_ip6_exts(struct fz_rng *r, struct fz_frame *f, uint8_t *p,
			     uint8_t *first, uint8_t **last_next, bool *frag)
{
	unsigned int n = 1 + fz_below(r, 3), i;
	uint8_t *prev_next = first;
	size_t off = 0, len;

	for (i = 0; i < n; i++) {
		uint8_t *h = p + off;
		uint8_t type;

		switch (fz_below(r, 4)) {
		case 0:
			type = 0; /* hop-by-hop (out of place after the first) */
			break;
		case 1:
			type = 60; /* destination options */
			break;
		case 2:
			type = 43; /* routing */
			break;
		default:
			type = 44; /* fragment */
			break;
		}
		*prev_next = type;
		memset(h, 0, 8);
		if (type == 0 || type == 60) {
			len = build_ip6_tlvs(r, f, h, type == 0);
		} else if (type == 43) {
			static const uint8_t rtypes[] = {0, 2, 3, 4};

			len = 8 + 16 * fz_below(r, 3);
			fill_random(r, h + 2, len - 2);
			h[1] = len / 8 - 1;
			h[2] = rtypes[fz_below(r, sizeof(rtypes))];
			h[3] = fz_below(r, 3); /* segments left */
			desc(f, " rh%u/sl%u", h[2], h[3]);
		} else {
			uint16_t fo;

			len = 8;
			switch (fz_below(r, 4)) {
			case 0:
				fo = 1;	/* first */
				break;
			case 1:
				fo = ((1 + fz_below(r, 100)) << 3) | 1;
				break;
			case 2:
				fo = (1 + fz_below(r, 100)) << 3;
				break;
			default:
				fo = 0; /* atomic fragment */
				break;
			}
			put16(h + 2, fo);
			fill_random(r, h + 4, 4);
			desc(f, " frag6/%04x", fo);
			*frag = true;
		}
		prev_next = h;
		off += len;
	}
	*last_next = prev_next;
	return off;
}

static void build_ipv6(const struct fz_config *c, struct fz_rng *r,
		       uint32_t ingress, struct fz_frame *f, size_t off)
{
	uint8_t *ip = f->buf + off;
	unsigned int sc = pick(r, src_w, D_MAX), dc = pick(r, dst_w, D_MAX);
	struct fz_ip src = pick6(c, r, ingress, sc), dst = pick6(c, r, ingress, dc);
	uint8_t proto = pick_proto(r, true);
	uint8_t *next = ip + 6;
	bool frag = false;
	size_t ext = 0, l4 = 0, tot;
	char s[64], d[64];

	desc(f, "v6 %s=%s -> %s=%s", cls_names[sc], fz_ip_str(&src, s, sizeof(s)),
	     cls_names[dc], fz_ip_str(&dst, d, sizeof(d)));
	memset(ip, 0, 40);
	ip[0] = 0x60 | (chance(r, 80) ? 0 : fz_below(r, 16));
	if (chance(r, 30))
		fill_random(r, ip + 1, 3);
	ip[1] &= chance(r, 80) ? 0x0f : 0xff;
	ip[7] = pick_ttl(r);
	memcpy(ip + 8, src.a, 16);
	memcpy(ip + 24, dst.a, 16);
	desc(f, " hl=%u", ip[7]);
	if (chance(r, 18))
		ext = build_ip6_exts(r, f, ip + 40, ip + 6, &next, &frag);
	*next = proto;
	if (!frag || chance(r, 50))
		l4 = build_l4(r, f, ip + 40 + ext, proto);
	tot = pick_l3_len(r, 40 + ext + l4);
	if (off + tot > FZ_FRAME_MAX)
		tot = FZ_FRAME_MAX - off;
	if (tot > 40 + ext + l4)
		fill_random(r, ip + 40 + ext + l4, tot - 40 - ext - l4);
	put16(ip + 4, tot - 40);
	f->len = off + tot;
	desc(f, " len=%zu", tot);
}

/* ---------------------------------------------------------- other L3 */

static void build_arp(struct fz_rng *r, struct fz_frame *f, size_t off)
{
	uint8_t *a = f->buf + off;

	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, chance(r, 60) ? 1 : 2);
	fill_random(r, a + 8, 20);
	f->len = off + 28;
	if (f->len < 60 && chance(r, 70)) {
		memset(f->buf + f->len, 0, 60 - f->len);
		f->len = 60;
	}
	desc(f, "arp op%u", get16(a + 6));
}

/* ------------------------------------------------------------ Ethernet */

static const uint8_t peer_mac[6] = {0x02, 0, 0, 0, 0, 0x99};

static size_t build_eth(const struct fz_config *c, struct fz_rng *r,
			uint32_t ingress, struct fz_frame *f, uint16_t ethertype,
			bool arp)
{
	const struct fz_if *ifp = fz_config_if(c, ingress);
	uint8_t *e = f->buf;
	size_t off = 12;

	switch (pick(r, (const unsigned int[]){arp ? 40 : 88, arp ? 50 : 4, 3, 2, 3}, 5)) {
	case 0:
		memcpy(e, ifp->mac, 6);
		break;
	case 1:
		memset(e, 0xff, 6);
		desc(f, "L2bcast ");
		break;
	case 2:
		memcpy(e, (const uint8_t[]){0x01, 0, 0x5e, 0, 0, 1}, 6);
		desc(f, "L2mcast ");
		break;
	case 3:
		memcpy(e, (const uint8_t[]){0x33, 0x33, 0, 0, 0, 1}, 6);
		desc(f, "L2mcast6 ");
		break;
	default:
		memcpy(e, ifp->mac, 6);
		e[5] ^= 1 + fz_below(r, 255);
		desc(f, "L2other ");
		break;
	}
	memcpy(e + 6, peer_mac, 6);
	if (!arp && chance(r, 9)) {
		bool qinq = chance(r, 25);
		uint16_t vid = chance(r, 45) ? 0 : fz_below(r, 4096);

		put16(e + off, qinq ? 0x88a8 : 0x8100);
		put16(e + off + 2, fz_below(r, 8) << 13 | vid);
		off += 4;
		desc(f, "%s%u ", qinq ? "qinq" : "vlan", vid);
		if (qinq) {
			vid = chance(r, 50) ? 0 : fz_below(r, 4096);
			put16(e + off, 0x8100);
			put16(e + off + 2, vid);
			off += 4;
			desc(f, "/%u ", vid);
		}
	}
	put16(e + off, ethertype);
	return off + 2;
}

/* ----------------------------------------------------------- mutations */

static void mutate(struct fz_rng *r, struct fz_frame *f, size_t l3)
{
	uint8_t *ip = f->buf + l3;
	bool v4 = f->len >= l3 + 20 && ip[0] >> 4 == 4;
	bool v6 = f->len >= l3 + 40 && ip[0] >> 4 == 6;
	size_t n;

	switch (fz_below(r, 10)) {
	case 0:
	case 1: /* truncate anywhere from just the Ethernet header */
		n = FZ_FRAME_MIN + fz_below(r, f->len - FZ_FRAME_MIN);
		desc(f, " TRUNC%zu", n);
		f->len = n;
		return;
	case 2: /* bad IHL */
		if (!v4)
			break;
		ip[0] = 0x40 | fz_below(r, 16);
		if (chance(r, 70))
			ip4_fix_csum(ip);
		desc(f, " IHL%u", ip[0] & 0xf);
		return;
	case 3: /* bad total / payload length */
		if (v4) {
			uint16_t t = get16(ip + 2);

			switch (fz_below(r, 4)) {
			case 0:
				t = fz_rand(r);
				break;
			case 1:
				t += fz_below(r, 7) - 3;
				break;
			case 2:
				t = (ip[0] & 0xf) * 4 - fz_below(r, 2);
				break;
			default:
				t = 0;
				break;
			}
			put16(ip + 2, t);
			if (chance(r, 85))
				ip4_fix_csum(ip);
			desc(f, " TOTLEN%u", t);
			return;
		}
		if (v6) {
			uint16_t t = get16(ip + 4);

			t = chance(r, 50) ? (uint16_t)fz_rand(r) :
					    (uint16_t)(t + fz_below(r, 7) - 3);
			if (chance(r, 15))
				t = 0;
			put16(ip + 4, t);
			desc(f, " PLEN%u", t);
			return;
		}
		break;
	case 4: /* bad checksum */
		if (!v4)
			break;
		ip[10] ^= 1 + fz_below(r, 255);
		desc(f, " CSUM");
		return;
	case 5: /* version */
		if (f->len <= l3)
			break;
		ip[0] = (ip[0] & 0x0f) | fz_below(r, 16) << 4;
		if (v4 && chance(r, 70))
			ip4_fix_csum(ip);
		desc(f, " VER%u", ip[0] >> 4);
		return;
	case 6: /* bytes beyond the IP length (trailer / padding) */
		n = 1 + fz_below(r, chance(r, 50) ? 8 : 64);
		if (f->len + n > FZ_FRAME_MAX)
			break;
		if (chance(r, 50))
			memset(f->buf + f->len, 0, n);
		else
			fill_random(r, f->buf + f->len, n);
		f->len += n;
		desc(f, " TRAILER%zu", n);
		return;
	case 7: /* random header byte */
		if (f->len <= l3)
			break;
		n = fz_below(r, f->len - l3 < 60 ? f->len - l3 : 60);
		ip[n] = fz_rand(r);
		if (v4 && chance(r, 50))
			ip4_fix_csum(ip);
		desc(f, " BYTE%zu", n);
		return;
	case 8: /* the other family's ethertype */
		if (l3 < 2)
			break;
		put16(f->buf + l3 - 2, get16(f->buf + l3 - 2) == 0x0800 ? 0x86dd :
									0x0800);
		desc(f, " ETYPE");
		return;
	default: /* pad to the Ethernet minimum */
		if (f->len < 60) {
			memset(f->buf + f->len, 0, 60 - f->len);
			f->len = 60;
			desc(f, " PAD60");
		}
		return;
	}
}

/* --------------------------------------------------------------- entry */

void fz_gen(const struct fz_config *c, uint64_t seed, uint64_t index,
	    uint32_t ingress, struct fz_frame *f)
{
	struct fz_rng r;
	size_t l3;

	fz_rng_seed(&r, seed, index);
	memset(f->buf, 0, sizeof(f->buf));
	f->len = 0;
	f->desc[0] = '\0';

	switch (pick(&r, (const unsigned int[]){47, 40, 5, 4, 2, 2}, 6)) {
	case 0:
		l3 = build_eth(c, &r, ingress, f, 0x0800, false);
		build_ipv4(c, &r, ingress, f, l3);
		break;
	case 1:
		l3 = build_eth(c, &r, ingress, f, 0x86dd, false);
		build_ipv6(c, &r, ingress, f, l3);
		break;
	case 2:
		l3 = build_eth(c, &r, ingress, f, 0x0806, true);
		build_arp(&r, f, l3);
		break;
	case 3: { /* another ethertype, or an 802.3 length */
		static const uint16_t types[] = {0x88cc, 0x8847, 0x8863, 0x9000,
						 0x8035, 0x88e5, 0x0060, 0x05dc};
		uint16_t t = chance(&r, 80) ?
				     types[fz_below(&r, ARRAY_SIZE(types))] :
				     (uint16_t)fz_rand(&r);

		l3 = build_eth(c, &r, ingress, f, t, false);
		f->len = l3 + fz_below(&r, 100);
		fill_random(&r, f->buf + l3, f->len - l3);
		desc(f, "ethertype %04x", t);
		break;
	}
	case 4: /* random bytes after a router-MAC header */
		l3 = build_eth(c, &r, ingress, f, fz_rand(&r), false);
		f->len = l3 + fz_below(&r, 200);
		fill_random(&r, f->buf + l3, f->len - l3);
		desc(f, "random");
		break;
	default: /* IPv4 again, so that the mutations below see more of it */
		l3 = build_eth(c, &r, ingress, f, 0x0800, false);
		build_ipv4(c, &r, ingress, f, l3);
		break;
	}

	if (chance(&r, 25)) {
		mutate(&r, f, l3);
		if (chance(&r, 20))
			mutate(&r, f, l3);
	}
	if (f->len < FZ_FRAME_MIN)
		f->len = FZ_FRAME_MIN;
	if (f->len > FZ_FRAME_MAX)
		f->len = FZ_FRAME_MAX;
}

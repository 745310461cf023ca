/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The router the fuzz tests: its interfaces, addresses, neighbours, nexthop
 * groups and routes, in one place. Both sides read it:
 *   - fz_setup.c writes the datapath's maps from it, the way the plugin
 *     would (intf_map, dmac_map, nh_map, the FIB through dp_fib);
 *   - fz_model.c derives the kernel's tables from it (local and broadcast
 *     routes, subnet-router anycast, connected routes, neighbour table).
 * When the datapath gains new maps (broadcast/local addresses, egress
 * capabilities...), fz_setup.c fills them from this same description, so
 * the model and the datapath never disagree about the configuration.
 */
#ifndef FZ_CONFIG_H
#define FZ_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#define FZ_AF_INET 2
#define FZ_AF_INET6 10

/* Interfaces. BPF_PROG_TEST_RUN runs XDP as if received on lo (ifindex 1),
 * so the XDP-mode ingress is ifindex 1; a TC run may name any ingress. */
#define FZ_IF_IN_XDP 1	/* ingress, mode xdp: XDP with TC behind it */
#define FZ_IF_IN_TC 2	/* ingress, mode tc: TC runs the full pipeline */
#define FZ_IF_OUT0 10
#define FZ_IF_OUT1 11	/* smaller MTU */
#define FZ_IF_OUT2 12	/* a link the datapath has no intf_map entry for */

#define FZ_MAX_IFS 8
#define FZ_MAX_ADDRS 32
#define FZ_MAX_NEIGHS 32
#define FZ_MAX_GROUPS 16
#define FZ_MAX_PATHS 4
#define FZ_MAX_ROUTES 32

struct fz_if {
	uint32_t ifindex;
	const char *name;
	uint8_t mac[6];
	uint16_t dp_flags; /* DP_INTF_F_*; 0: no intf_map entry at all */
	uint32_t mtu;
	uint32_t stats_idx;
};

/* An address: IPv4 in the first 4 bytes, network byte order. */
struct fz_ip {
	int family;
	uint8_t a[16];
};

/* An address assigned to an interface (what `ip addr` shows). */
struct fz_ifaddr {
	uint32_t ifindex;
	struct fz_ip ip;
	uint8_t plen;
};

/* A neighbour the kernel has resolved (REACHABLE): MAC 02:00:00:00:10:tag,
 * the MAC h_out_tag() recognises. Neighbours not listed are unresolved. */
struct fz_neigh {
	uint32_t ifindex;
	struct fz_ip ip;
	uint8_t tag;
};

/* One path of a nexthop group: out interface and gateway (family 0 for an
 * on-link path, whose neighbour is the packet's destination). */
struct fz_path {
	uint32_t ifindex;
	struct fz_ip gw;
};

struct fz_group {
	uint32_t id;
	unsigned int n_paths;
	struct fz_path paths[FZ_MAX_PATHS];
};

enum fz_rtype {
	FZ_RT_UNICAST,	   /* through group `group` */
	FZ_RT_BLACKHOLE,
	FZ_RT_UNREACHABLE,
	FZ_RT_PROHIBIT,
};

/* A route zebra installs in the main table. Connected routes are not
 * listed: they follow from the addresses, as in the kernel. */
struct fz_route {
	struct fz_ip prefix;
	uint8_t plen;
	enum fz_rtype type;
	uint32_t group;
};

struct fz_config {
	struct fz_if ifs[FZ_MAX_IFS];
	unsigned int n_ifs;
	struct fz_ifaddr addrs[FZ_MAX_ADDRS];
	unsigned int n_addrs;
	struct fz_neigh neighs[FZ_MAX_NEIGHS];
	unsigned int n_neighs;
	struct fz_group groups[FZ_MAX_GROUPS];
	unsigned int n_groups;
	struct fz_route routes[FZ_MAX_ROUTES];
	unsigned int n_routes;
};

/* The one configuration of the fuzz (built once, read-only after). */
const struct fz_config *fz_config(void);

const struct fz_if *fz_config_if(const struct fz_config *c, uint32_t ifindex);
const struct fz_group *fz_config_group(const struct fz_config *c,
				       uint32_t id);
/* The resolved neighbour (ifindex, ip), or NULL. */
const struct fz_neigh *fz_config_neigh(const struct fz_config *c,
				       uint32_t ifindex, const struct fz_ip *ip);

/* The MAC of a resolved neighbour with this tag (02:00:00:00:10:tag). */
void fz_tag_mac(uint8_t tag, uint8_t *mac);

/* Address helpers. */
struct fz_ip fz_ip_parse(const char *s); /* aborts on a bad literal */
bool fz_ip_eq(const struct fz_ip *x, const struct fz_ip *y);
/* Do the first plen bits of x and y agree? */
bool fz_ip_prefix_match(const struct fz_ip *x, const struct fz_ip *y,
			unsigned int plen);
/* x with its bits from plen on set to `ones` (network / broadcast). */
struct fz_ip fz_ip_fill(const struct fz_ip *x, unsigned int plen, bool ones);
uint32_t fz_ip4_host(const struct fz_ip *x); /* IPv4 in host order */
struct fz_ip fz_ip4_from_host(uint32_t a);
const char *fz_ip_str(const struct fz_ip *x, char *buf, unsigned int len);

#endif /* FZ_CONFIG_H */

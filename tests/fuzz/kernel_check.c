// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Checks the reference model (fz_model.c) against the kernel it models:
 * builds the router of fz_config.h in a private network namespace (veth
 * ports, addresses, routes, permanent neighbours, Debian's sysctls with
 * forwarding on, no BPF), sends the fuzz's frames into it from a second
 * namespace and watches every port: did the kernel forward the frame (a
 * copy with the same addresses on some port, or an ARP / neighbour
 * solicitation for its next hop when that is unresolved), and where?
 * Each frame is followed by a sentinel the kernel surely forwards; once the
 * sentinel is out, everything the frame caused is out too (one CPU, one
 * backlog queue, FIFO).
 *
 *   kernel_check [--seed N] [--start I] [--count N] [-v]
 *
 * Prints the disagreements by model rule and exits 1 if there is any: a
 * model that says "not forwarded" where the kernel forwards would make the
 * fuzz report false violations; the other way round, it would hide some.
 * The kernel here is this machine's, not Debian 12's 6.1. Needs root.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "fz_config.h"
#include "fz_gen.h"
#include "fz_model.h"

#define NS_R "fzk-r" /* the router */
#define NS_P "fzk-p" /* the peers: the other end of every port */
#define MAX_WIRE 1518 /* what a 1500-MTU veth accepts (tag included) */

static int sh(bool must, const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc && must) {
		fprintf(stderr, "kernel_check: failed: %s\n", cmd);
		exit(2);
	}
	return rc;
}

static const char *ip_s(const struct fz_ip *ip)
{
	static char buf[4][64];
	static int n;

	n = (n + 1) % 4;
	return fz_ip_str(ip, buf[n], sizeof(buf[n]));
}

static const char *mac_s(const uint8_t *m)
{
	static char buf[4][24];
	static int n;

	n = (n + 1) % 4;
	snprintf(buf[n], sizeof(buf[n]), "%02x:%02x:%02x:%02x:%02x:%02x", m[0],
		 m[1], m[2], m[3], m[4], m[5]);
	return buf[n];
}

static void teardown(void)
{
	sh(false, "ip netns del " NS_R " 2>/dev/null");
	sh(false, "ip netns del " NS_P " 2>/dev/null");
}

/* The kernel's configuration, from the same description as the model's. */
static void setup(const struct fz_config *c)
{
	static const char *const sysctls[] = {
		"net.ipv4.ip_forward=1",
		"net.ipv6.conf.all.forwarding=1",
		"net.ipv4.conf.all.rp_filter=2",
		"net.ipv4.conf.default.rp_filter=2",
		"net.ipv6.conf.default.addr_gen_mode=1",
		"net.ipv6.conf.default.accept_dad=0",
		"net.ipv6.conf.all.accept_dad=0",
		"net.ipv4.icmp_ratelimit=0",
		"net.ipv6.icmp.ratelimit=0",
	};
	unsigned int i, j;

	teardown();
	sh(true, "ip netns add " NS_R);
	sh(true, "ip netns add " NS_P);
	sh(true, "ip -n " NS_P " link set lo up");
	sh(true, "ip -n " NS_R " link set lo up");
	sh(true, "ip netns exec " NS_P " sysctl -qw net.ipv6.conf.all.disable_ipv6=1"
		 " net.ipv6.conf.default.disable_ipv6=1");
	for (i = 0; i < sizeof(sysctls) / sizeof(sysctls[0]); i++)
		sh(true, "ip netns exec " NS_R " sysctl -qw %s", sysctls[i]);
	for (i = 0; i < c->n_ifs; i++) {
		const struct fz_if *f = &c->ifs[i];

		sh(true, "ip -n " NS_R " link add %s type veth peer name p-%s netns " NS_P,
		   f->name, f->name);
		sh(true, "ip -n " NS_R " link set %s address %s mtu %u up", f->name,
		   mac_s(f->mac), f->mtu);
		sh(true, "ip -n " NS_P " link set p-%s mtu 9000 promisc on up",
		   f->name);
	}
	for (i = 0; i < c->n_addrs; i++) {
		const struct fz_ifaddr *a = &c->addrs[i];

		sh(true, "ip -n " NS_R " addr add %s/%u dev %s %s", ip_s(&a->ip),
		   a->plen, fz_config_if(c, a->ifindex)->name,
		   a->ip.family == FZ_AF_INET ? "brd +" : "nodad");
	}
	for (i = 0; i < c->n_neighs; i++) {
		const struct fz_neigh *n = &c->neighs[i];
		uint8_t mac[6];

		fz_tag_mac(n->tag, mac);
		sh(true, "ip -n " NS_R " neigh replace %s lladdr %s dev %s nud permanent",
		   ip_s(&n->ip), mac_s(mac), fz_config_if(c, n->ifindex)->name);
	}
	/*
	 * Gateways the model calls unresolved get a neighbour too, with a MAC
	 * of their own: otherwise the kernel's ICMP errors to sources behind
	 * them would solicit the gateway and look like forwarding.
	 */
	for (i = 0; i < c->n_groups; i++) {
		const struct fz_group *g = &c->groups[i];

		for (j = 0; j < g->n_paths; j++) {
			const struct fz_path *p = &g->paths[j];

			if (!p->gw.family ||
			    fz_config_neigh(c, p->ifindex, &p->gw))
				continue;
			sh(true, "ip -n " NS_R " neigh replace %s lladdr "
				 "02:00:00:00:ee:%02x dev %s nud permanent",
			   ip_s(&p->gw), g->id & 0xff,
			   fz_config_if(c, p->ifindex)->name);
		}
	}
	for (i = 0; i < c->n_routes; i++) {
		const struct fz_route *r = &c->routes[i];
		static const char *const kinds[] = {"", "blackhole ",
						    "unreachable ", "prohibit "};
		const struct fz_group *g;
		char cmd[400];
		int n;

		n = snprintf(cmd, sizeof(cmd), "ip -n " NS_R " %s route add %s%s/%u",
			     r->prefix.family == FZ_AF_INET ? "-4" : "-6",
			     kinds[r->type], ip_s(&r->prefix), r->plen);
		if (r->type == FZ_RT_UNICAST) {
			g = fz_config_group(c, r->group);
			for (j = 0; j < g->n_paths; j++) {
				const struct fz_path *p = &g->paths[j];

				n += snprintf(cmd + n, sizeof(cmd) - n, "%s",
					      g->n_paths > 1 ? " nexthop" : "");
				if (p->gw.family)
					n += snprintf(cmd + n, sizeof(cmd) - n,
						      " via %s", ip_s(&p->gw));
				n += snprintf(cmd + n, sizeof(cmd) - n, " dev %s",
					      fz_config_if(c, p->ifindex)->name);
			}
		}
		sh(true, "%s", cmd);
	}
}

/* ------------------------------------------------------------- capture */

struct port {
	uint32_t ifindex; /* the router's (fz_config) */
	int fd;
};

static struct port ports[FZ_MAX_IFS];
static unsigned int n_ports;

static void open_ports(const struct fz_config *c)
{
	int one = 1, nsfd = open("/run/netns/" NS_P, O_RDONLY);
	unsigned int i;

	if (nsfd < 0 || setns(nsfd, CLONE_NEWNET)) {
		perror("kernel_check: setns");
		exit(2);
	}
	close(nsfd);
	for (i = 0; i < c->n_ifs; i++) {
		char name[IFNAMSIZ];
		struct sockaddr_ll sll = {.sll_family = AF_PACKET,
					  .sll_protocol = htons(ETH_P_ALL)};
		int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK,
				htons(ETH_P_ALL));

		snprintf(name, sizeof(name), "p-%s", c->ifs[i].name);
		sll.sll_ifindex = if_nametoindex(name);
		if (fd < 0 || !sll.sll_ifindex ||
		    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) ||
		    setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
			       sizeof(one))) {
			perror("kernel_check: packet socket");
			exit(2);
		}
		ports[n_ports].ifindex = c->ifs[i].ifindex;
		ports[n_ports++].fd = fd;
	}
}

static struct port *port_of(uint32_t ifindex)
{
	unsigned int i;

	for (i = 0; i < n_ports; i++)
		if (ports[i].ifindex == ifindex)
			return &ports[i];
	return NULL;
}

static void drain(void)
{
	uint8_t buf[16];
	unsigned int i;

	for (i = 0; i < n_ports; i++)
		while (recv(ports[i].fd, buf, sizeof(buf), 0) > 0)
			;
}

static void send_on(uint32_t ifindex, const uint8_t *f, size_t len)
{
	if (send(port_of(ifindex)->fd, f, len, 0) != (ssize_t)len) {
		perror("kernel_check: send");
		exit(2);
	}
}

/* The sentinel: UDP from a peer of the ingress to 198.51.100.1 (out0,
 * resolved), with a serial number in its payload. */
static size_t sentinel(const struct fz_config *c, uint32_t ingress,
		       uint32_t serial, uint8_t *f)
{
	const struct fz_if *ifp = fz_config_if(c, ingress);
	uint8_t *ip = f + 14;
	uint32_t sum = 0;
	int i;

	memset(f, 0, 64);
	memcpy(f, ifp->mac, 6);
	memcpy(f + 6, (const uint8_t[]){0x02, 0, 0, 0, 0, 0x98}, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[3] = 20 + 8 + 8;
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, (const uint8_t[]){10, 0, ingress == FZ_IF_IN_XDP ? 0 : 1, 1}, 4);
	memcpy(ip + 16, (const uint8_t[]){198, 51, 100, 1}, 4);
	for (i = 0; i < 20; i += 2)
		sum += ip[i] << 8 | ip[i + 1];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ip[10] = ~sum >> 8;
	ip[11] = ~sum;
	ip[20] = 0xfe;
	ip[21] = 0xfe;
	ip[23] = 0xfe;
	ip[25] = 16;
	memcpy(ip + 28, "FZK", 3);
	memcpy(ip + 32, &serial, 4);
	return 14 + 36;
}

static bool is_sentinel(const uint8_t *f, ssize_t n, uint32_t serial)
{
	return n >= 14 + 36 && f[12] == 0x08 && f[13] == 0 &&
	       !memcmp(f + 14 + 28, "FZK", 3) && !memcmp(f + 14 + 32, &serial, 4);
}

/* What the kernel did with one frame. */
struct kres {
	unsigned int n_fwd; /* copies of the frame (fragments count) */
	uint32_t fwd_if;
	uint8_t fwd_dmac[6], fwd_smac[6];
	unsigned int n_solicit; /* ARP / NS for some next hop */
	unsigned int n_any_solicit; /* ... or for the frame's source */
	uint32_t sol_if;
	bool lost; /* the sentinel never came */
};

/* Same family and addresses as the sent IP packet: a forwarded copy. */
static bool same_packet(const uint8_t *sent, size_t sent_l3, const uint8_t *got,
			size_t got_len)
{
	const uint8_t *a = sent + sent_l3, *b = got + 14;

	if (got_len < 14 + 20 || got[12] != sent[sent_l3 - 2] ||
	    got[13] != sent[sent_l3 - 1])
		return false;
	if (got[12] == 0x08 && got[13] == 0x00)
		return !memcmp(a + 12, b + 12, 8) && !memcmp(a + 4, b + 4, 2) &&
		       a[9] == b[9];
	if (got[12] == 0x86 && got[13] == 0xdd && got_len >= 14 + 40)
		return !memcmp(a + 8, b + 8, 32);
	return false;
}

/*
 * An ARP request or neighbour solicitation from the router, for a target
 * other than the frame's source: the kernel resolving a next hop for the
 * frame. (One for the source is the ICMP error the kernel sends back.)
 */
static bool is_solicit(const uint8_t *got, size_t len, const uint8_t *sent,
		       size_t sent_l3)
{
	const uint8_t *ip = sent ? sent + sent_l3 : NULL;

	if (len >= 14 + 28 && got[12] == 0x08 && got[13] == 0x06 &&
	    got[14 + 7] == 1) /* ARP request: target at 24 */
		return !ip || sent[sent_l3 - 1] != 0x00 ||
		       memcmp(got + 14 + 24, ip + 12, 4);
	if (len >= 14 + 64 && got[12] == 0x86 && got[13] == 0xdd &&
	    got[14 + 6] == 58 && got[14 + 40] == 135) /* NS: target at 48 */
		return !ip || sent[sent_l3 - 1] != 0xdd ||
		       memcmp(got + 14 + 48, ip + 8, 16);
	return false;
}

static void observe(const struct fz_config *c, uint32_t ingress,
		    const struct fz_frame *fr, unsigned int l3_off,
		    uint32_t serial, struct kres *k)
{
	static uint8_t buf[10000];
	struct pollfd pfd[FZ_MAX_IFS];
	uint8_t sent_buf[64];
	size_t slen = sentinel(c, ingress, serial, sent_buf);
	unsigned int i, waits = 0;
	bool done = false;

	memset(k, 0, sizeof(*k));
	send_on(ingress, fr->buf, fr->len);
	send_on(ingress, sent_buf, slen);
	for (i = 0; i < n_ports; i++) {
		pfd[i].fd = ports[i].fd;
		pfd[i].events = POLLIN;
	}
	while (!done) {
		if (poll(pfd, n_ports, 200) <= 0 && ++waits > 5) {
			k->lost = true;
			return;
		}
		for (i = 0; i < n_ports; i++) {
			ssize_t n;

			while ((n = recv(ports[i].fd, buf, sizeof(buf), 0)) > 0) {
				if (is_sentinel(buf, n, serial)) {
					done = true;
					continue;
				}
				if (fr->len > l3_off &&
				    same_packet(fr->buf, l3_off, buf, n)) {
					if (!k->n_fwd++) {
						k->fwd_if = ports[i].ifindex;
						memcpy(k->fwd_dmac, buf, 6);
						memcpy(k->fwd_smac, buf + 6, 6);
					}
				} else if (is_solicit(buf, n, fr->buf, l3_off)) {
					k->n_solicit++;
					k->sol_if = ports[i].ifindex;
				} else if (is_solicit(buf, n, NULL, 0)) {
					k->n_any_solicit++;
				}
			}
		}
	}
}

/* ----------------------------------------------------------- the tally */

struct disagreement {
	char what[96];
	uint64_t count;
	uint64_t first_index;
	uint32_t first_ingress;
};

static struct disagreement dis[128];
static unsigned int n_dis;

static void disagree(const char *what, const char *why, uint64_t index,
		     uint32_t ingress, const struct fz_frame *fr, bool verbose)
{
	char key[96];
	unsigned int i;

	snprintf(key, sizeof(key), "%s [%s]", what, why);
	for (i = 0; i < n_dis && strcmp(dis[i].what, key); i++)
		;
	if (i == n_dis && n_dis < 128) {
		snprintf(dis[n_dis].what, sizeof(dis[n_dis].what), "%s", key);
		dis[n_dis].first_index = index;
		dis[n_dis].first_ingress = ingress;
		n_dis++;
	}
	if (i < 128)
		dis[i].count++;
	if (verbose || (i < 128 && dis[i].count <= 2))
		printf("DISAGREE %s: index %" PRIu64 " ingress %u: %s\n", key,
		       index, ingress, fr->desc);
}

int main(int argc, char **argv)
{
	static const uint32_t ingresses[] = {FZ_IF_IN_XDP, FZ_IF_IN_TC};
	const struct fz_config *c = fz_config();
	uint64_t seed = 1, start = 0, count = 20000, i, checked = 0, skipped = 0,
		 lost = 0, kfwd = 0, mfwd = 0;
	static struct fz_frame fr;
	struct fz_model_result m;
	bool verbose = false;
	uint32_t serial = 0;
	cpu_set_t cpus;
	unsigned int k;
	int opt;

	while ((opt = getopt(argc, argv, "s:i:n:v")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'i':
			start = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			count = strtoull(optarg, NULL, 0);
			break;
		case 'v':
			verbose = true;
			break;
		default:
			fprintf(stderr, "usage: %s [-s seed] [-i start] [-n count] [-v]\n",
				argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* One CPU: the frame and its sentinel share one backlog queue. */
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	setup(c);
	open_ports(c);
	sleep(1); /* let the ports settle (MLD and the like) */
	drain();

	for (i = start; i < start + count; i++) {
		for (k = 0; k < 2; k++) {
			uint32_t ingress = ingresses[k];
			struct kres kr;
			bool m_fwd, k_fwd;
			unsigned int j;

			fz_gen(c, seed, i, ingress, &fr);
			if (fr.len > MAX_WIRE || fr.len < 14) {
				skipped++;
				continue;
			}
			fz_model(c, ingress, fr.buf, fr.len, &m);
			drain();
			observe(c, ingress, &fr, m.l3_off ? m.l3_off : 14,
				++serial, &kr);
			if (kr.lost) {
				lost++;
				continue;
			}
			checked++;
			/* An INCOMPLETE entry would queue the next frame to
			 * that neighbour silently. */
			if (kr.n_solicit || kr.n_any_solicit)
				sh(false, "ip -n " NS_R " neigh flush nud incomplete");
			m_fwd = m.verdict == FZ_MV_FWD ||
				m.verdict == FZ_MV_FWD_ALTERED;
			k_fwd = kr.n_fwd || kr.n_solicit;
			kfwd += k_fwd;
			mfwd += m_fwd;
			/* ECMP: the kernel's hash may pick a path on which
			 * the packet does not fit, where the model forwards
			 * on another. */
			for (j = 0; j < m.n_nh; j++)
				if (m.nh[j].verdict != FZ_MV_FWD &&
				    m.nh[j].verdict != FZ_MV_FWD_ALTERED)
					break;
			if (m_fwd && !k_fwd && j < m.n_nh)
				continue;
			if (m_fwd && !k_fwd) {
				disagree("model forwards, kernel does not",
					 fz_why_name(m.why), i, ingress, &fr,
					 verbose);
				continue;
			}
			if (!m_fwd && k_fwd) {
				disagree("kernel forwards, model does not",
					 fz_why_name(m.why), i, ingress, &fr,
					 verbose);
				continue;
			}
			if (!kr.n_fwd)
				continue;
			/* The kernel's copy left by one of the model's paths,
			 * to its MAC when the model knows it. */
			for (j = 0; j < m.n_nh; j++)
				if (m.nh[j].ifindex == kr.fwd_if &&
				    !memcmp(m.nh[j].smac, kr.fwd_smac, 6) &&
				    (!m.nh[j].resolved ||
				     !memcmp(m.nh[j].dmac, kr.fwd_dmac, 6)))
					break;
			if (j == m.n_nh)
				disagree("other egress or next hop",
					 fz_why_name(m.why), i, ingress, &fr,
					 verbose);
			else if (m.nh[j].verdict == FZ_MV_FWD && kr.n_fwd > 1)
				disagree("kernel sent several frames",
					 fz_why_name(m.nh[j].why), i, ingress,
					 &fr, verbose);
		}
	}
	teardown();

	printf("\nkernel_check: seed %" PRIu64 ", frames %" PRIu64 "..%" PRIu64
	       ": %" PRIu64 " cases checked, %" PRIu64 " not sendable (size), %"
	       PRIu64 " lost\n",
	       seed, start, start + count - 1, checked, skipped, lost);
	printf("forwarded: kernel %" PRIu64 ", model %" PRIu64 "\n", kfwd, mfwd);
	printf("disagreements:\n");
	for (k = 0; k < n_dis; k++)
		printf("  %-70s %8" PRIu64 "  first: -s %" PRIu64 " -i %" PRIu64
		       " (ingress %u)\n",
		       dis[k].what, dis[k].count, seed, dis[k].first_index,
		       dis[k].first_ingress);
	return n_dis ? 1 : 0;
}

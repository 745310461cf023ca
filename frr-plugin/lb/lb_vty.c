// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The `load-balancer` and `vip NAME` nodes of the `ebpf` block: commands
 * that edit ebpf/load-balancer of the YANG model, and how it reads back
 * (`show running-config`).
 *
 * A VIP exists in the model once it has its mandatory address, port and
 * protocol: `vip NAME` only enters the node, and `address ...` creates the
 * VIP with all three in one commit. Every other command of the node wants
 * the VIP to exist and says so. Values the model would refuse with
 * libyang's own words (a name, an HTTP path, an address the datapath
 * cannot serve) are refused here first with what is valid; what the model
 * checks across nodes (a backend's family, ports of an all-ports VIP or
 * of dsr) is refused by its must statements, with their messages.
 */
#include <zebra.h>

#include "lib/command.h"
#include "lib/northbound_cli.h"
#include "lib/prefix.h"
#include "lib/sockunion.h"
#include "lib/vty.h"

#include "core/dp_nodes.h"
#include "core/dp_vty_input.h"
#include "lb/lb.h"
#ifndef VTYSH_EXTRACT_PL
#include "lb/lb_vty_clippy.c"
#endif

static struct cmd_node lb_node = {
	.name = "load-balancer",
	.node = EBPF_LB_NODE,
	.parent_node = EBPF_NODE,
	.prompt = "%s(config-ebpf-lb)# ",
};

static struct cmd_node lb_vip_node = {
	.name = "vip",
	.node = EBPF_VIP_NODE,
	.parent_node = EBPF_LB_NODE,
	.prompt = "%s(config-ebpf-vip)# ",
};

#define LB_ADDR_HELP "IPv4 address\nIPv6 address\n"

#define LB_VIP_ADDRESS_SYNTAX                                                  \
	"address <A.B.C.D|X:X::X:X> <port (1-65535)|all-ports> protocol <tcp|udp>"

/* ------------------------------------------------------------- helpers */

/* An address as the configuration keeps it (inet_ntop's form), after
 * checking it is one the datapath can serve. */
static bool lb_vty_addr(struct vty *vty, const char *what,
			const union sockunion *su, const char *typed, char *buf,
			size_t len)
{
	const char *why = dp_vty_unicast_error(su);

	if (why) {
		vty_out(vty,
			"%% Invalid %s %s: %s. Give a unicast IPv4 or IPv6 address (not unspecified, multicast, loopback, broadcast or link-local)\n",
			what, typed, why);
		return false;
	}
	sockunion2str(su, buf, len);
	return true;
}

/* The name of the VIP whose node vty is in. */
static const char *lb_vty_vip_name(struct vty *vty, char *buf, size_t len)
{
	const char *p = strstr(VTY_CURR_XPATH, "[name='");
	size_t n;

	buf[0] = '\0';
	if (!p)
		return buf;
	p += strlen("[name='");
	n = strcspn(p, "'");
	strlcpy(buf, p, MIN(len, n + 1));
	return buf;
}

/* The VIP of this node exists: every command but `address` needs it. */
static bool lb_vty_vip_exists(struct vty *vty)
{
	char name[LB_NAME_SIZE];

	if (yang_dnode_exists(vty->candidate_config->dnode, VTY_CURR_XPATH))
		return true;
	vty_out(vty,
		"%% VIP %s has no address yet: give it first (" LB_VIP_ADDRESS_SYNTAX
		")\n",
		lb_vty_vip_name(vty, name, sizeof(name)));
	return false;
}

/* The configured VIPs of a candidate, for messages: "a, b" or "none". */
struct lb_vty_names {
	char buf[256];
};

static int lb_vty_names_cb(const struct lyd_node *dnode, void *arg)
{
	struct lb_vty_names *names = arg;

	if (names->buf[0])
		strlcat(names->buf, ", ", sizeof(names->buf));
	strlcat(names->buf, yang_dnode_get_string(dnode, "./name"),
		sizeof(names->buf));
	return YANG_ITER_CONTINUE;
}

static const char *lb_vty_vips(struct vty *vty, struct lb_vty_names *names)
{
	const struct lyd_node *lb =
		yang_dnode_get(vty->candidate_config->dnode, LB_XPATH);

	names->buf[0] = '\0';
	if (lb)
		yang_dnode_iterate(lb_vty_names_cb, names, lb, "./vip");
	if (!names->buf[0])
		strlcpy(names->buf, "none", sizeof(names->buf));
	return names->buf;
}

/* ------------------------------------------------------- load-balancer */

/* vtysh enters the node with its own DEFUNSH (vtysh/), hence NOSH. */
DEFPY_YANG_NOSH(lb_enter, lb_enter_cmd,
		"load-balancer",
		"Load balancer: virtual services (VIPs) and their backends\n")
{
	VTY_PUSH_XPATH(EBPF_LB_NODE, LB_XPATH);
	return CMD_SUCCESS;
}

DEFPY_YANG(no_lb, no_lb_cmd,
	   "no load-balancer",
	   NO_STR
	   "Load balancer: every VIP, and the hash seed back to 0\n")
{
	nb_cli_enqueue_change(vty, LB_XPATH, NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(lb_seed, lb_seed_cmd,
	   "hash-seed (0-4294967295)$seed",
	   "Seed of the flow hash: the same on every node behind one ECMP upstream\n"
	   "Seed\n")
{
	nb_cli_enqueue_change(vty, "./hash-seed", NB_OP_MODIFY, seed_str);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_lb_seed, no_lb_seed_cmd,
	   "no hash-seed [(0-4294967295)]",
	   NO_STR
	   "Seed of the flow hash (back to 0)\n"
	   "Seed\n")
{
	nb_cli_enqueue_change(vty, "./hash-seed", NB_OP_MODIFY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

/* The xpath of VIP name, after checking the name; false (said) if it is
 * not one. */
static bool lb_vty_vip_xpath(struct vty *vty, const char *name,
			     char xpath[XPATH_MAXLEN])
{
	const char *why = dp_vty_name_error(name);
	char echo[DP_VTY_ECHO_SIZE];

	if (why) {
		vty_out(vty, "%% Invalid VIP name \"%s\": %s. %s\n",
			dp_vty_echo(name, echo, sizeof(echo)), why,
			DP_NAME_RULE);
		return false;
	}
	snprintf(xpath, XPATH_MAXLEN, LB_XPATH_VIP "[name='%s']", name);
	return true;
}

/* vtysh enters the node with its own DEFUNSH (vtysh/), hence NOSH. */
DEFPY_YANG_NOSH(lb_vip_enter, lb_vip_enter_cmd,
		"vip NAME$name",
		"A virtual service: address, port, protocol and backends\n"
		"Name of the service\n")
{
	char xpath[XPATH_MAXLEN];

	if (!lb_vty_vip_xpath(vty, name, xpath))
		return CMD_WARNING_CONFIG_FAILED;
	/* Nothing is created before its address is given. */
	VTY_PUSH_XPATH(EBPF_VIP_NODE, xpath);
	return CMD_SUCCESS;
}

DEFPY_YANG(no_lb_vip, no_lb_vip_cmd,
	   "no vip NAME$name",
	   NO_STR
	   "A virtual service: address, port, protocol and backends\n"
	   "Name of the service\n")
{
	struct lb_vty_names names;
	char xpath[XPATH_MAXLEN];

	if (!lb_vty_vip_xpath(vty, name, xpath))
		return CMD_WARNING_CONFIG_FAILED;
	if (!yang_dnode_exists(vty->candidate_config->dnode, xpath)) {
		vty_out(vty, "%% VIP %s is not configured (configured: %s)\n",
			name, lb_vty_vips(vty, &names));
		return CMD_WARNING_CONFIG_FAILED;
	}
	nb_cli_enqueue_change(vty, xpath, NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

/* ----------------------------------------------------------------- vip */

DEFPY_YANG(lb_vip_address, lb_vip_address_cmd,
	   "address <A.B.C.D|X:X::X:X>$addr <port (1-65535)$port|all-ports$all> protocol <tcp|udp>$proto",
	   "The service's address, port and protocol\n"
	   LB_ADDR_HELP
	   "One destination port\n"
	   "Port\n"
	   "Every destination port (backends take port 0: the client's)\n"
	   "Transport protocol\n"
	   "TCP\n"
	   "UDP\n")
{
	char abuf[INET6_ADDRSTRLEN], vip[XPATH_MAXLEN], leaf[XPATH_MAXLEN + 16];
	bool created;
	int ret;

	if (!lb_vty_addr(vty, "VIP address", addr, addr_str, abuf, sizeof(abuf)))
		return CMD_WARNING_CONFIG_FAILED;
	/* Absolute paths: see below. */
	strlcpy(vip, VTY_CURR_XPATH, sizeof(vip));
	created = !yang_dnode_exists(vty->candidate_config->dnode, vip);
	nb_cli_enqueue_change(vty, vip, NB_OP_CREATE, NULL);
	snprintf(leaf, sizeof(leaf), "%s/address", vip);
	nb_cli_enqueue_change(vty, leaf, NB_OP_MODIFY, abuf);
	snprintf(leaf, sizeof(leaf), "%s/%s", vip, all ? "port" : "all-ports");
	nb_cli_enqueue_change(vty, leaf, NB_OP_DESTROY, NULL);
	snprintf(leaf, sizeof(leaf), "%s/%s", vip, all ? "all-ports" : "port");
	nb_cli_enqueue_change(vty, leaf, all ? NB_OP_CREATE : NB_OP_MODIFY,
			      all ? NULL : port_str);
	snprintf(leaf, sizeof(leaf), "%s/protocol", vip);
	nb_cli_enqueue_change(vty, leaf, NB_OP_MODIFY, proto);
	/*
	 * libfrr refuses changes made in a node whose object does not exist
	 * ("deleted by another process"), and this command is what creates
	 * it: for this commit, the current object is the load balancer.
	 */
	if (created)
		vty->xpath_index--;
	ret = nb_cli_apply_changes(vty, NULL);
	if (created)
		vty->xpath_index++;
	return ret;
}

DEFPY_YANG(no_lb_vip_address, no_lb_vip_address_cmd,
	   "no address",
	   NO_STR
	   "The service's address, port and protocol\n")
{
	char name[LB_NAME_SIZE];

	vty_out(vty,
		"%% A VIP cannot be without its address: give another one (" LB_VIP_ADDRESS_SYNTAX
		") or remove the VIP (no vip %s in load-balancer)\n",
		lb_vty_vip_name(vty, name, sizeof(name)));
	return CMD_WARNING_CONFIG_FAILED;
}

/* A command of the VIP's node that changes one leaf: the VIP must exist. */
static int lb_vty_vip_leaf(struct vty *vty, const char *leaf,
			   enum nb_operation op, const char *value)
{
	if (!lb_vty_vip_exists(vty))
		return CMD_WARNING_CONFIG_FAILED;
	nb_cli_enqueue_change(vty, leaf, op, value);
	return nb_cli_apply_changes(vty, NULL);
}

#define LB_ALGORITHMS                                                          \
	"<round-robin|weighted-round-robin|hash|source-hash|maglev|least-connections>"
#define LB_ALGORITHMS_HELP                                                     \
	"Backends in turn\n"                                                   \
	"Backends in turn, as often as their weights say\n"                    \
	"A hash of the 5-tuple (weighted)\n"                                   \
	"A hash of the client address (weighted): one client, one backend\n"   \
	"Maglev consistent hashing of the 5-tuple (weighted; the default)\n"   \
	"The backend with the fewest active connections for its weight\n"
#define LB_ALGORITHM_HELP "How a new flow's backend is chosen\n"

DEFPY_YANG(lb_vip_algorithm, lb_vip_algorithm_cmd,
	   "algorithm " LB_ALGORITHMS "$alg",
	   LB_ALGORITHM_HELP
	   LB_ALGORITHMS_HELP)
{
	return lb_vty_vip_leaf(vty, "./algorithm", NB_OP_MODIFY, alg);
}

DEFPY_YANG(no_lb_vip_algorithm, no_lb_vip_algorithm_cmd,
	   "no algorithm [" LB_ALGORITHMS "]",
	   NO_STR
	   LB_ALGORITHM_HELP
	   LB_ALGORITHMS_HELP)
{
	return lb_vty_vip_leaf(vty, "./algorithm", NB_OP_MODIFY, NULL);
}

DEFPY_YANG(lb_vip_persistence, lb_vip_persistence_cmd,
	   "[no] persistence [timeout (1-86400)$timeout]",
	   NO_STR
	   "Source persistence: a client's new flows go to its last backend\n"
	   "How long after the client's last new flow (default 300)\n"
	   "Seconds\n")
{
	if (no)
		return lb_vty_vip_leaf(vty, "./persistence", NB_OP_DESTROY,
				       NULL);
	if (!lb_vty_vip_exists(vty))
		return CMD_WARNING_CONFIG_FAILED;
	nb_cli_enqueue_change(vty, "./persistence", NB_OP_CREATE, NULL);
	return lb_vty_vip_leaf(vty, "./persistence/timeout", NB_OP_MODIFY,
			       timeout_str);
}

#define LB_NAT_MODES "<dnat|fullnat|dsr>"
#define LB_NAT_MODES_HELP                                                      \
	"How packets reach the backends\n"                                     \
	"Destination rewritten; backends route replies through this node (default)\n" \
	"Destination and source rewritten: backends need no route back\n"      \
	"Direct server return: the frame goes at layer 2 to a backend holding the VIP\n"

DEFPY_YANG(lb_vip_nat_mode, lb_vip_nat_mode_cmd,
	   "[no] nat-mode " LB_NAT_MODES "$mode",
	   NO_STR
	   LB_NAT_MODES_HELP)
{
	if (!lb_vty_vip_exists(vty))
		return CMD_WARNING_CONFIG_FAILED;
	/* fullnat-source exists in fullnat mode only (its `when`) */
	if (no || !strmatch(mode, "fullnat"))
		nb_cli_enqueue_change(vty, "./fullnat-source", NB_OP_DESTROY,
				      NULL);
	return lb_vty_vip_leaf(vty, "./nat-mode", NB_OP_MODIFY,
			       no ? NULL : mode);
}

ALIAS_YANG(lb_vip_nat_mode, no_lb_vip_nat_mode_cmd,
	   "no nat-mode",
	   NO_STR
	   "How packets reach the backends (back to dnat)\n")

#define LB_FNAT_SRC_HELP                                                       \
	"Source address of packets to the backends in fullnat mode (default: the kernel's towards them)\n"

DEFPY_YANG(lb_vip_fnat_src, lb_vip_fnat_src_cmd,
	   "fullnat-source <A.B.C.D|X:X::X:X>$addr",
	   LB_FNAT_SRC_HELP
	   LB_ADDR_HELP)
{
	const struct lyd_node *mode;
	char abuf[INET6_ADDRSTRLEN];

	if (!lb_vty_vip_exists(vty))
		return CMD_WARNING_CONFIG_FAILED;
	mode = yang_dnode_getf(vty->candidate_config->dnode, "%s/nat-mode",
			       VTY_CURR_XPATH);
	if (!mode || !strmatch(yang_dnode_get_string(mode, NULL), "fullnat")) {
		vty_out(vty,
			"%% fullnat-source applies in nat-mode fullnat only: enter \"nat-mode fullnat\" first\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	if (!lb_vty_addr(vty, "fullnat source", addr, addr_str, abuf,
			 sizeof(abuf)))
		return CMD_WARNING_CONFIG_FAILED;
	return lb_vty_vip_leaf(vty, "./fullnat-source", NB_OP_MODIFY, abuf);
}

DEFPY_YANG(no_lb_vip_fnat_src, no_lb_vip_fnat_src_cmd,
	   "no fullnat-source [<A.B.C.D|X:X::X:X>]",
	   NO_STR
	   LB_FNAT_SRC_HELP
	   LB_ADDR_HELP)
{
	return lb_vty_vip_leaf(vty, "./fullnat-source", NB_OP_DESTROY, NULL);
}

DEFPY_YANG(lb_vip_hc, lb_vip_hc_cmd,
	   "health-check <tcp$tcp|http$http PATH$path [status (100-599)$status]|icmp$icmp> [port (1-65535)$hport] [interval (100-3600000)$interval] [rise (1-100)$rise] [fall (1-100)$fall]",
	   "Check the backends; only healthy ones take flows and keep the VIP announced\n"
	   "A TCP connection to the backend's port\n"
	   "An HTTP/1.1 GET expecting a status code\n"
	   "The path requested (starts with /)\n"
	   "The status code that means healthy (default 200)\n"
	   "Status code\n"
	   "An ICMP or ICMPv6 echo\n"
	   "Port checked by tcp and http (default: the backend's)\n"
	   "Port\n"
	   "Time between two checks of a backend (default 1000)\n"
	   "Milliseconds\n"
	   "Successes in a row that make a backend healthy (default 2)\n"
	   "Checks\n"
	   "Failures in a row that make a backend unhealthy (default 3)\n"
	   "Checks\n")
{
	const char *why = path ? dp_vty_http_path_error(path) : NULL;
	char echo[DP_VTY_ECHO_SIZE];

	if (!lb_vty_vip_exists(vty))
		return CMD_WARNING_CONFIG_FAILED;
	if (why) {
		vty_out(vty, "%% Invalid HTTP path \"%s\": %s. %s\n",
			dp_vty_echo(path, echo, sizeof(echo)), why,
			DP_HTTP_PATH_RULE);
		return CMD_WARNING_CONFIG_FAILED;
	}
	nb_cli_enqueue_change(vty, "./health-check", NB_OP_CREATE, NULL);
	/* one kind of check: the others go */
	if (!tcp)
		nb_cli_enqueue_change(vty, "./health-check/tcp", NB_OP_DESTROY,
				      NULL);
	if (!icmp)
		nb_cli_enqueue_change(vty, "./health-check/icmp",
				      NB_OP_DESTROY, NULL);
	if (!http)
		nb_cli_enqueue_change(vty, "./health-check/http",
				      NB_OP_DESTROY, NULL);
	if (tcp)
		nb_cli_enqueue_change(vty, "./health-check/tcp", NB_OP_CREATE,
				      NULL);
	if (icmp)
		nb_cli_enqueue_change(vty, "./health-check/icmp", NB_OP_CREATE,
				      NULL);
	if (http) {
		nb_cli_enqueue_change(vty, "./health-check/http/path",
				      NB_OP_MODIFY, path);
		nb_cli_enqueue_change(vty, "./health-check/http/status",
				      NB_OP_MODIFY, status_str);
	}
	/* what is not given is back to its default */
	if (hport_str)
		nb_cli_enqueue_change(vty, "./health-check/port", NB_OP_MODIFY,
				      hport_str);
	else
		nb_cli_enqueue_change(vty, "./health-check/port",
				      NB_OP_DESTROY, NULL);
	nb_cli_enqueue_change(vty, "./health-check/interval", NB_OP_MODIFY,
			      interval_str);
	nb_cli_enqueue_change(vty, "./health-check/rise", NB_OP_MODIFY,
			      rise_str);
	nb_cli_enqueue_change(vty, "./health-check/fall", NB_OP_MODIFY,
			      fall_str);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_lb_vip_hc, no_lb_vip_hc_cmd,
	   "no health-check",
	   NO_STR
	   "Check the backends (without: every backend that is not admin-down is up)\n")
{
	return lb_vty_vip_leaf(vty, "./health-check", NB_OP_DESTROY, NULL);
}

DEFPY_YANG(lb_vip_backend, lb_vip_backend_cmd,
	   "[no] backend <A.B.C.D|X:X::X:X>$addr port (0-65535)$port [weight (1-65535)$weight] [admin-down$down]",
	   NO_STR
	   "A server of the service\n"
	   LB_ADDR_HELP
	   "The backend's port\n"
	   "Port (0: the client's destination port, for all-ports and dsr)\n"
	   "Share of new flows relative to the other backends (default 100)\n"
	   "Weight\n"
	   "Out of service: no new flows\n")
{
	char abuf[INET6_ADDRSTRLEN], xpath[XPATH_MAXLEN];
	char name[LB_NAME_SIZE];

	if (!lb_vty_vip_exists(vty))
		return CMD_WARNING_CONFIG_FAILED;
	if (!lb_vty_addr(vty, "backend address", addr, addr_str, abuf, sizeof(abuf)))
		return CMD_WARNING_CONFIG_FAILED;
	snprintf(xpath, sizeof(xpath), "./backend[address='%s'][port='%s']",
		 abuf, port_str);
	if (no) {
		char full[XPATH_MAXLEN * 2];

		snprintf(full, sizeof(full), "%s%s", VTY_CURR_XPATH, xpath + 1);
		if (!yang_dnode_exists(vty->candidate_config->dnode, full)) {
			vty_out(vty,
				"%% Backend %s port %s is not configured in VIP %s\n",
				abuf, port_str,
				lb_vty_vip_name(vty, name, sizeof(name)));
			return CMD_WARNING_CONFIG_FAILED;
		}
		nb_cli_enqueue_change(vty, xpath, NB_OP_DESTROY, NULL);
		return nb_cli_apply_changes(vty, NULL);
	}
	nb_cli_enqueue_change(vty, xpath, NB_OP_CREATE, NULL);
	/* the command gives the backend's whole state */
	strlcat(xpath, "/weight", sizeof(xpath));
	nb_cli_enqueue_change(vty, xpath, NB_OP_MODIFY, weight_str);
	snprintf(xpath, sizeof(xpath),
		 "./backend[address='%s'][port='%s']/admin-down", abuf,
		 port_str);
	nb_cli_enqueue_change(vty, xpath, down ? NB_OP_CREATE : NB_OP_DESTROY,
			      NULL);
	return nb_cli_apply_changes(vty, NULL);
}

/* ---------------------------------------------------- running-config */

/* A leaf whose command is its name and value, at the indent of its node. */
static void lb_cli_leaf(struct vty *vty, const struct lyd_node *dnode,
			int indent)
{
	vty_out(vty, "%*s%s %s\n", indent, "", dnode->schema->name,
		yang_dnode_get_string(dnode, NULL));
}

void lb_cli_show_seed(struct vty *vty, const struct lyd_node *dnode,
		      bool show_defaults)
{
	lb_cli_leaf(vty, dnode, 2);
}

void lb_cli_show_vip_leaf(struct vty *vty, const struct lyd_node *dnode,
			  bool show_defaults)
{
	lb_cli_leaf(vty, dnode, 3);
}

void lb_cli_show_vip(struct vty *vty, const struct lyd_node *dnode,
		     bool show_defaults)
{
	vty_out(vty, "  vip %s\n", yang_dnode_get_string(dnode, "./name"));
	vty_out(vty, "   address %s", yang_dnode_get_string(dnode, "./address"));
	if (yang_dnode_exists(dnode, "./port"))
		vty_out(vty, " port %s", yang_dnode_get_string(dnode, "./port"));
	else
		vty_out(vty, " all-ports");
	vty_out(vty, " protocol %s\n",
		yang_dnode_get_string(dnode, "./protocol"));
}

void lb_cli_show_vip_end(struct vty *vty, const struct lyd_node *dnode)
{
	vty_out(vty, "  exit\n");
}

int lb_cli_cmp_vip(const struct lyd_node *a, const struct lyd_node *b)
{
	return strcmp(yang_dnode_get_string(a, "./name"),
		      yang_dnode_get_string(b, "./name"));
}

/* A leaf's " NAME VALUE" when it is not its default (or with defaults). */
static void lb_cli_opt(struct vty *vty, const struct lyd_node *dnode,
		       const char *leaf, bool show_defaults)
{
	const struct lyd_node *l = yang_dnode_get(dnode, leaf);

	if (l && (show_defaults || !yang_dnode_is_default(l, NULL)))
		vty_out(vty, " %s %s", leaf + 2, yang_dnode_get_string(l, NULL));
}

void lb_cli_show_persistence(struct vty *vty, const struct lyd_node *dnode,
			     bool show_defaults)
{
	vty_out(vty, "   persistence");
	lb_cli_opt(vty, dnode, "./timeout", show_defaults);
	vty_out(vty, "\n");
}

void lb_cli_show_hc(struct vty *vty, const struct lyd_node *dnode,
		    bool show_defaults)
{
	vty_out(vty, "   health-check");
	if (yang_dnode_exists(dnode, "./tcp"))
		vty_out(vty, " tcp");
	else if (yang_dnode_exists(dnode, "./icmp"))
		vty_out(vty, " icmp");
	else {
		const struct lyd_node *http = yang_dnode_get(dnode, "./http");

		vty_out(vty, " http %s",
			yang_dnode_get_string(http, "./path"));
		lb_cli_opt(vty, http, "./status", show_defaults);
	}
	lb_cli_opt(vty, dnode, "./port", show_defaults);
	lb_cli_opt(vty, dnode, "./interval", show_defaults);
	lb_cli_opt(vty, dnode, "./rise", show_defaults);
	lb_cli_opt(vty, dnode, "./fall", show_defaults);
	vty_out(vty, "\n");
}

void lb_cli_show_backend(struct vty *vty, const struct lyd_node *dnode,
			 bool show_defaults)
{
	vty_out(vty, "   backend %s port %s",
		yang_dnode_get_string(dnode, "./address"),
		yang_dnode_get_string(dnode, "./port"));
	lb_cli_opt(vty, dnode, "./weight", show_defaults);
	if (yang_dnode_exists(dnode, "./admin-down"))
		vty_out(vty, " admin-down");
	vty_out(vty, "\n");
}

int lb_cli_cmp_backend(const struct lyd_node *a, const struct lyd_node *b)
{
	uint8_t fa, fb, aa[16], ab[16];
	int c;

	lb_dnode_addr(a, "./address", &fa, aa);
	lb_dnode_addr(b, "./address", &fb, ab);
	if (fa != fb)
		return fa - fb;
	c = memcmp(aa, ab, sizeof(aa));
	if (c)
		return c;
	return (int)yang_dnode_get_uint16(a, "./port") -
	       (int)yang_dnode_get_uint16(b, "./port");
}

/* ------------------------------------------------------------------ init */

void lb_vty_init(void)
{
	install_node(&lb_node);
	install_default(EBPF_LB_NODE);
	install_node(&lb_vip_node);
	install_default(EBPF_VIP_NODE);

	install_element(EBPF_NODE, &lb_enter_cmd);
	install_element(EBPF_NODE, &no_lb_cmd);

	install_element(EBPF_LB_NODE, &lb_seed_cmd);
	install_element(EBPF_LB_NODE, &no_lb_seed_cmd);
	install_element(EBPF_LB_NODE, &lb_vip_enter_cmd);
	install_element(EBPF_LB_NODE, &no_lb_vip_cmd);

	install_element(EBPF_VIP_NODE, &lb_vip_address_cmd);
	install_element(EBPF_VIP_NODE, &no_lb_vip_address_cmd);
	install_element(EBPF_VIP_NODE, &lb_vip_algorithm_cmd);
	install_element(EBPF_VIP_NODE, &no_lb_vip_algorithm_cmd);
	install_element(EBPF_VIP_NODE, &lb_vip_persistence_cmd);
	install_element(EBPF_VIP_NODE, &lb_vip_nat_mode_cmd);
	install_element(EBPF_VIP_NODE, &no_lb_vip_nat_mode_cmd);
	install_element(EBPF_VIP_NODE, &lb_vip_fnat_src_cmd);
	install_element(EBPF_VIP_NODE, &no_lb_vip_fnat_src_cmd);
	install_element(EBPF_VIP_NODE, &lb_vip_hc_cmd);
	install_element(EBPF_VIP_NODE, &no_lb_vip_hc_cmd);
	install_element(EBPF_VIP_NODE, &lb_vip_backend_cmd);

	lb_show_init();
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * FRR's vtysh.c with the dplane_ebpf module's CLI nodes added.
 *
 * The module's commands reach vtysh through vtysh/extract.pl (vtysh_cmd.c);
 * what extract.pl cannot produce is the nodes they live in: vtysh must
 * install each node, enter it when the user types the command that enters it
 * in zebra, and leave it on exit/end. vtysh.c is included rather than linked
 * so that its static helpers (vtysh_exit, vtysh_install_default, the "end"
 * command) serve our nodes exactly as they serve FRR's own; vtysh.c itself
 * is compiled unchanged, only its vtysh_init_vty() and the two entry points
 * that run a typed command (vtysh_execute, vtysh_execute_no_pager) are
 * wrapped.
 */

#define vtysh_init_vty vtysh_init_vty_stock
#define vtysh_execute vtysh_execute_stock
#define vtysh_execute_no_pager vtysh_execute_no_pager_stock
#include "vtysh/vtysh.c"
#undef vtysh_init_vty
#undef vtysh_execute
#undef vtysh_execute_no_pager

/* EBPF_NODE and the nested nodes: the module's ids, which ours must equal */
#include "core/dp_nodes.h"
#include "ebpf_hint.h"

/* As the module declares its nodes (frr-plugin/cli/dp_vty.c,
 * lb/lb_vty.c, nat/nat_vty.c, police/police_vty.c, chain/chain_vty.c). */
static struct cmd_node ebpf_node = {
	.name = "ebpf",
	.node = EBPF_NODE,
	.parent_node = CONFIG_NODE,
	.prompt = "%s(config-ebpf)# ",
};

static struct cmd_node ebpf_lb_node = {
	.name = "load-balancer",
	.node = EBPF_LB_NODE,
	.parent_node = EBPF_NODE,
	.prompt = "%s(config-ebpf-lb)# ",
};

static struct cmd_node ebpf_vip_node = {
	.name = "vip",
	.node = EBPF_VIP_NODE,
	.parent_node = EBPF_LB_NODE,
	.prompt = "%s(config-ebpf-vip)# ",
};

static struct cmd_node ebpf_nat_node = {
	.name = "nat",
	.node = EBPF_NAT_NODE,
	.parent_node = EBPF_NODE,
	.prompt = "%s(config-ebpf-nat)# ",
};

static struct cmd_node ebpf_policer_node = {
	.name = "policer",
	.node = EBPF_POLICER_NODE,
	.parent_node = EBPF_NODE,
	.prompt = "%s(config-ebpf-policer)# ",
};

static struct cmd_node ebpf_chain_node = {
	.name = "chain",
	.node = EBPF_CHAIN_NODE,
	.parent_node = EBPF_NODE,
	.prompt = "%s(config-ebpf-chain)# ",
};

/*
 * The module's `ebpf` command is DEFPY_YANG_NOSH, so extract.pl skips it:
 * this one enters the node in vtysh and forwards the command to zebra.
 */
DEFUNSH(VTYSH_ZEBRA, vtysh_ebpf, vtysh_ebpf_cmd, "ebpf", "eBPF dataplane\n")
{
	vty->node = EBPF_NODE;
	return CMD_SUCCESS;
}

/* The same for the nodes nested in `ebpf`: zebra refuses a bad VIP name,
 * and vtysh then stays where it is. */
DEFUNSH(VTYSH_ZEBRA, vtysh_ebpf_lb, vtysh_ebpf_lb_cmd, "load-balancer",
	"Load balancer: virtual services (VIPs) and their backends\n")
{
	vty->node = EBPF_LB_NODE;
	return CMD_SUCCESS;
}

DEFUNSH(VTYSH_ZEBRA, vtysh_ebpf_vip, vtysh_ebpf_vip_cmd, "vip NAME",
	"A virtual service: address, port, protocol and backends\n"
	"Name of the service\n")
{
	vty->node = EBPF_VIP_NODE;
	return CMD_SUCCESS;
}

DEFUNSH(VTYSH_ZEBRA, vtysh_ebpf_nat, vtysh_ebpf_nat_cmd, "nat",
	"Source NAT of the traffic the datapath forwards\n")
{
	vty->node = EBPF_NAT_NODE;
	return CMD_SUCCESS;
}

DEFUNSH(VTYSH_ZEBRA, vtysh_ebpf_policer, vtysh_ebpf_policer_cmd,
	"policer NAME",
	"A policer: token-bucket meter (RFC 2697/2698), actions, attach points\n"
	"Name of the policer\n")
{
	vty->node = EBPF_POLICER_NODE;
	return CMD_SUCCESS;
}

DEFUNSH(VTYSH_ZEBRA, vtysh_ebpf_chain, vtysh_ebpf_chain_cmd,
	"chain NAME",
	"A user's program chained with ours\n"
	"Name of the chain entry\n")
{
	vty->node = EBPF_CHAIN_NODE;
	return CMD_SUCCESS;
}

DEFUNSH(VTYSH_ZEBRA, vtysh_exit_ebpf, vtysh_exit_ebpf_cmd, "exit",
	"Exit current mode and down to previous mode\n")
{
	return vtysh_exit(vty);
}

DEFUNSH(VTYSH_ZEBRA, vtysh_quit_ebpf, vtysh_quit_ebpf_cmd, "quit",
	"Exit current mode and down to previous mode\n")
{
	return vtysh_exit(vty);
}

/* vtysh.h declared the stock names (renamed above); these are the real ones. */
int vtysh_execute(const char *line);
int vtysh_execute_no_pager(const char *line);
void vtysh_init_vty(void);

int vtysh_execute(const char *line)
{
	int node = vty->node;
	int ret;

	if (ebpf_line_too_long(line))
		return CMD_ERR_NO_MATCH;
	ret = vtysh_execute_stock(line);
	ebpf_hint(line, node, ret);
	return ret;
}

int vtysh_execute_no_pager(const char *line)
{
	int node = vty->node;
	int ret;

	if (ebpf_line_too_long(line))
		return CMD_ERR_NO_MATCH;
	ret = vtysh_execute_no_pager_stock(line);
	ebpf_hint(line, node, ret);
	return ret;
}

void vtysh_init_vty(void)
{
	vtysh_init_vty_stock();

	/*
	 * After the stock nodes, before vtysh_init_cmd() installs the
	 * extracted module commands into this node.
	 */
	struct cmd_node *const nodes[] = {
		&ebpf_node, &ebpf_lb_node, &ebpf_vip_node, &ebpf_nat_node,
		&ebpf_policer_node, &ebpf_chain_node,
	};

	/* (_install_element: install_element's xref wants a constant node) */
	for (size_t i = 0; i < array_size(nodes); i++) {
		install_node(nodes[i]);
		vtysh_install_default(nodes[i]->node);
		_install_element(nodes[i]->node, &vtysh_exit_ebpf_cmd);
		_install_element(nodes[i]->node, &vtysh_quit_ebpf_cmd);
		_install_element(nodes[i]->node, &vtysh_end_all_cmd);
	}
	install_element(CONFIG_NODE, &vtysh_ebpf_cmd);
	install_element(EBPF_NODE, &vtysh_ebpf_lb_cmd);
	install_element(EBPF_NODE, &vtysh_ebpf_nat_cmd);
	install_element(EBPF_NODE, &vtysh_ebpf_policer_cmd);
	install_element(EBPF_NODE, &vtysh_ebpf_chain_cmd);
	install_element(EBPF_LB_NODE, &vtysh_ebpf_vip_cmd);
}

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

#include "cli/dp_vty.h" /* EBPF_NODE: the module's node id, which ours must equal */
#include "ebpf_hint.h"

/* As the module (frr-plugin/cli/dp_vty.c) declares its node. */
static struct cmd_node ebpf_node = {
	.name = "ebpf",
	.node = EBPF_NODE,
	.parent_node = CONFIG_NODE,
	.prompt = "%s(config-ebpf)# ",
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
	install_node(&ebpf_node);
	vtysh_install_default(EBPF_NODE);
	install_element(CONFIG_NODE, &vtysh_ebpf_cmd);
	install_element(EBPF_NODE, &vtysh_exit_ebpf_cmd);
	install_element(EBPF_NODE, &vtysh_quit_ebpf_cmd);
	install_element(EBPF_NODE, &vtysh_end_all_cmd);
}

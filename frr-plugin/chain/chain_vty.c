// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The `chain NAME` node of the `ebpf` block: the program (`object PATH
 * program NAME`), its hook, its place relative to ours, the interfaces,
 * and how it reads back.
 */
#include <zebra.h>

#include "lib/command.h"
#include "lib/northbound_cli.h"
#include "lib/vty.h"

#include "core/dp_nbutil.h"
#include "core/dp_nodes.h"
#include "core/dp_vty_input.h"
#include "chain/chain.h"
#ifndef VTYSH_EXTRACT_PL
#include "chain/chain_vty_clippy.c"
#endif

static struct cmd_node chain_node = {
	.name = "chain",
	.node = EBPF_CHAIN_NODE,
	.parent_node = EBPF_NODE,
	.prompt = "%s(config-ebpf-chain)# ",
};

const char *chain_hook_name(uint8_t hook)
{
	return hook == CHAIN_HOOK_XDP ? "xdp" : "tc-ingress";
}

/* vtysh enters the node with its own DEFUNSH (vtysh/), hence NOSH. */
DEFPY_YANG_NOSH(chain_enter, chain_enter_cmd,
		"chain NAME$name",
		"A user's program chained with ours\n"
		"Name of the chain entry\n")
{
	return dp_vty_enter_entry(vty, "chain", CHAIN_XPATH, name,
				  EBPF_CHAIN_NODE);
}

DEFPY_YANG(no_chain, no_chain_cmd,
	   "no chain NAME$name",
	   NO_STR
	   "A user's program chained with ours: taken off every interface\n"
	   "Name of the chain entry\n")
{
	return dp_vty_remove_entry(vty, "chain", CHAIN_XPATH, name);
}

/* Why path cannot be an object's path or prog a program's name (the
 * model's rules, said before the model is asked), or NULL. */
static const char *chain_vty_object_error(const char *path, const char *prog)
{
	size_t len = strlen(path);

	if (path[0] != '/' || len < 2 || len > 255 ||
	    strpbrk(path, " \t\r\n\v\f"))
		return "An object is given by its absolute path (2 to 255 characters, without white space)";
	len = strlen(prog);
	if (len < 1 || len > 63 || isdigit((unsigned char)prog[0]) ||
	    strspn(prog, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != len)
		return "A program name is a C identifier of 1 to 63 characters: letters, digits and '_', not starting with a digit";
	return NULL;
}

DEFPY_YANG(chain_object, chain_object_cmd,
	   "object PATH$path program WORD$prog",
	   "The BPF object file (ELF) holding the program\n"
	   "Absolute path of the object\n"
	   "The program to take from it\n"
	   "Its name (the function's)\n")
{
	const char *why = chain_vty_object_error(path, prog);
	char e1[DP_VTY_ECHO_SIZE], e2[DP_VTY_ECHO_SIZE];

	if (why) {
		vty_out(vty, "%% Invalid object \"%s\" program \"%s\": %s\n",
			dp_vty_echo(path, e1, sizeof(e1)),
			dp_vty_echo(prog, e2, sizeof(e2)), why);
		return CMD_WARNING_CONFIG_FAILED;
	}
	nb_cli_enqueue_change(vty, "./object", NB_OP_MODIFY, path);
	nb_cli_enqueue_change(vty, "./program", NB_OP_MODIFY, prog);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_chain_object, no_chain_object_cmd,
	   "no object [PATH program WORD]",
	   NO_STR
	   "The program: taken off every interface, the entry kept\n"
	   "Absolute path of the object\n"
	   "The program to take from it\n"
	   "Its name (the function's)\n")
{
	nb_cli_enqueue_change(vty, "./object", NB_OP_DESTROY, NULL);
	nb_cli_enqueue_change(vty, "./program", NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(chain_hook, chain_hook_cmd,
	   "hook <tc-ingress|xdp>$hook",
	   "Where the program runs\n"
	   "TC ingress (the default)\n"
	   "XDP, through libxdp's dispatcher\n")
{
	nb_cli_enqueue_change(vty, "./hook", NB_OP_MODIFY, hook);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(chain_position, chain_position_cmd,
	   "position <before|after>$pos [priority (1-1000)$prio]",
	   "Place relative to our program\n"
	   "Before ours\n"
	   "After ours: it sees only what ours passes up\n"
	   "Order among the users' programs on the same side (lower first)\n"
	   "Priority (default 100)\n")
{
	nb_cli_enqueue_change(vty, "./position", NB_OP_MODIFY, pos);
	nb_cli_enqueue_change(vty, "./priority", NB_OP_MODIFY,
			      prio_str ? prio_str : "100");
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(chain_interface, chain_interface_cmd,
	   "[no$no] interface IFNAME$ifname",
	   NO_STR
	   "An interface the program is chained on\n"
	   "Interface name\n")
{
	const char *why = dp_vty_ifname_error(ifname);
	char xpath[XPATH_MAXLEN], echo[DP_VTY_ECHO_SIZE];

	if (why) {
		vty_out(vty, "%% Invalid interface name \"%s\": %s. %s\n",
			dp_vty_echo(ifname, echo, sizeof(echo)), why,
			DP_IFNAME_RULE);
		return CMD_WARNING_CONFIG_FAILED;
	}
	snprintf(xpath, sizeof(xpath), "./interface[name='%s']", ifname);
	if (no && !yang_dnode_existsf(vty->candidate_config->dnode, "%s/%s",
				      VTY_CURR_XPATH, xpath + 2)) {
		vty_out(vty, "%% This chain is not on interface %s\n", ifname);
		return CMD_WARNING_CONFIG_FAILED;
	}
	nb_cli_enqueue_change(vty, xpath, no ? NB_OP_DESTROY : NB_OP_CREATE,
			      NULL);
	return nb_cli_apply_changes(vty, NULL);
}

/* ---------------------------------------------------- running-config */

static int chain_show_intf_cb(const struct lyd_node *dnode, void *arg)
{
	vty_out((struct vty *)arg, "  interface %s\n",
		yang_dnode_get_string(dnode, "./name"));
	return YANG_ITER_CONTINUE;
}

void chain_cli_show(struct vty *vty, const struct lyd_node *dnode,
		    bool show_defaults)
{
	struct chain_spec s;

	chain_spec_of(dnode, &s);
	vty_out(vty, " chain %s\n", s.name);
	/* the hook first: typed line by line, the object is loaded for the
	 * hook already configured */
	if (show_defaults || s.hook != CHAIN_HOOK_TC_INGRESS)
		vty_out(vty, "  hook %s\n", chain_hook_name(s.hook));
	if (s.object[0])
		vty_out(vty, "  object %s program %s\n", s.object, s.program);
	if (show_defaults || s.position != CHAIN_BEFORE || s.priority != 100) {
		vty_out(vty, "  position %s",
			s.position == CHAIN_BEFORE ? "before" : "after");
		if (show_defaults || s.priority != 100)
			vty_out(vty, " priority %u", s.priority);
		vty_out(vty, "\n");
	}
	yang_dnode_iterate(chain_show_intf_cb, vty, dnode, "./interface");
}

void chain_cli_show_end(struct vty *vty, const struct lyd_node *dnode)
{
	vty_out(vty, " exit\n");
}

int chain_cli_cmp(const struct lyd_node *a, const struct lyd_node *b)
{
	return strcmp(yang_dnode_get_string(a, "./name"),
		      yang_dnode_get_string(b, "./name"));
}

/* ------------------------------------------------------------------ init */

void chain_vty_init(void)
{
	install_node(&chain_node);
	install_default(EBPF_CHAIN_NODE);
	install_element(EBPF_NODE, &chain_enter_cmd);
	install_element(EBPF_NODE, &no_chain_cmd);
	install_element(EBPF_CHAIN_NODE, &chain_object_cmd);
	install_element(EBPF_CHAIN_NODE, &no_chain_object_cmd);
	install_element(EBPF_CHAIN_NODE, &chain_hook_cmd);
	install_element(EBPF_CHAIN_NODE, &chain_position_cmd);
	install_element(EBPF_CHAIN_NODE, &chain_interface_cmd);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The `ebpf` configuration node: its commands edit the frr-zebra-ebpf YANG
 * model (dp_nb_config.c acts on it). dp_vty_init() installs it and every
 * other command of the plugin.
 */
#include <zebra.h>

#include "command.h"
#include "if.h"
#include "northbound_cli.h"
#include "vty.h"

#include "dp_nb.h"
#include "dp_show.h"
#include "dp_vty.h"
#ifndef VTYSH_EXTRACT_PL
#include "dp_vty_clippy.c"
#endif

/* ------------------------------------------------ configuration: `ebpf` */

static int dp_config_write(struct vty *vty);

static struct cmd_node ebpf_node = {
	.name = "ebpf",
	.node = EBPF_NODE,
	.parent_node = CONFIG_NODE,
	.prompt = "%s(config-ebpf)# ",
	.config_write = dp_config_write,
};

/* vtysh enters the node with its own DEFUNSH `ebpf` (vtysh/), hence NOSH. */
DEFPY_YANG_NOSH(ebpf_enter, ebpf_enter_cmd,
		"ebpf",
		EBPF_STR)
{
	int ret;

	nb_cli_enqueue_change(vty, DP_NB_XPATH_EBPF, NB_OP_CREATE, NULL);
	ret = nb_cli_apply_changes(vty, NULL);
	if (ret == CMD_SUCCESS)
		VTY_PUSH_XPATH(EBPF_NODE, DP_NB_XPATH_EBPF);
	return ret;
}

DEFPY_YANG(no_ebpf, no_ebpf_cmd,
	   "no ebpf",
	   NO_STR
	   EBPF_STR)
{
	nb_cli_enqueue_change(vty, DP_NB_XPATH_EBPF, NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(ebpf_interface, ebpf_interface_cmd,
	   "[no] interface IFNAME$ifname [mode <xdp|tc>$mode]",
	   NO_STR
	   "Run the datapath on an interface\n"
	   "Interface name\n"
	   "Attachment mode\n"
	   "Native XDP fast path with TC ingress behind it (default)\n"
	   "TC ingress only\n")
{
	char xpath[XPATH_MAXLEN];

	snprintf(xpath, sizeof(xpath), "./interface[name='%s']", ifname);
	if (no) {
		nb_cli_enqueue_change(vty, xpath, NB_OP_DESTROY, NULL);
	} else {
		nb_cli_enqueue_change(vty, xpath, NB_OP_CREATE, NULL);
		/* No mode given: back to the default. */
		strlcat(xpath, "/mode", sizeof(xpath));
		nb_cli_enqueue_change(vty, xpath, NB_OP_MODIFY, mode);
	}
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(ebpf_ignore_ipsec, ebpf_ignore_ipsec_cmd,
	   "[no] ignore-ipsec-policies",
	   NO_STR
	   "Forward in the datapath even while xfrm (IPsec) policies exist: traffic they would protect leaves unprotected\n")
{
	nb_cli_enqueue_change(vty, "./ignore-ipsec-policies", NB_OP_MODIFY,
			      no ? "false" : "true");
	return nb_cli_apply_changes(vty, NULL);
}

void dp_cli_show_ignore_ipsec(struct vty *vty, const struct lyd_node *dnode,
			      bool show_defaults)
{
	if (yang_dnode_get_bool(dnode, NULL))
		vty_out(vty, " ignore-ipsec-policies\n");
	else if (show_defaults)
		vty_out(vty, " no ignore-ipsec-policies\n");
}

static int dp_config_write(struct vty *vty)
{
	const struct lyd_node *dnode;

	dnode = yang_dnode_get(running_config->dnode, DP_NB_XPATH_EBPF);
	if (!dnode)
		return 0;
	nb_cli_show_dnode_cmds(vty, dnode, false);
	return 1;
}

void dp_cli_show_ebpf(struct vty *vty, const struct lyd_node *dnode,
		      bool show_defaults)
{
	vty_out(vty, "ebpf\n");
}

void dp_cli_show_ebpf_end(struct vty *vty, const struct lyd_node *dnode)
{
	vty_out(vty, "exit\n");
}

void dp_cli_show_interface(struct vty *vty, const struct lyd_node *dnode,
			   bool show_defaults)
{
	const char *mode = yang_dnode_get_string(dnode, "./mode");

	vty_out(vty, " interface %s", yang_dnode_get_string(dnode, "./name"));
	if (show_defaults ||
	    !strmatch(mode,
		      yang_get_default_string(DP_NB_XPATH_INTERFACE "/mode")))
		vty_out(vty, " mode %s", mode);
	vty_out(vty, "\n");
}

int dp_cli_cmp_interface(const struct lyd_node *dnode1,
			 const struct lyd_node *dnode2)
{
	return if_cmp_name_func(yang_dnode_get_string(dnode1, "./name"),
				yang_dnode_get_string(dnode2, "./name"));
}

/* ------------------------------------------------------------------ init */

void dp_vty_init(void)
{
	install_node(&ebpf_node);
	install_default(EBPF_NODE);
	install_element(CONFIG_NODE, &ebpf_enter_cmd);
	install_element(CONFIG_NODE, &no_ebpf_cmd);
	install_element(EBPF_NODE, &ebpf_interface_cmd);
	install_element(EBPF_NODE, &ebpf_ignore_ipsec_cmd);

	dp_show_init();
	dp_show_fib_init();
	dp_debug_init();
}

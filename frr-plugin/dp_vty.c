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

DEFPY_YANG(ebpf_table_size, ebpf_table_size_cmd,
	   "table-size <ipv4-routes$leaf (1024-16777216)$v4|ipv6-routes$leaf (1024-4194304)$v6|nexthop-groups$leaf (256-1048576)$nhg|neighbors$leaf (256-1048576)$neigh>",
	   "Capacity of a datapath table (applied at zebra's next start)\n"
	   "IPv4 routes\n"
	   "Number of routes\n"
	   "IPv6 routes\n"
	   "Number of routes\n"
	   "Nexthop groups\n"
	   "Number of groups\n"
	   "ARP and ND neighbors\n"
	   "Number of neighbors\n")
{
	char xpath[XPATH_MAXLEN];

	snprintf(xpath, sizeof(xpath), "./table-sizes/%s", leaf);
	nb_cli_enqueue_change(vty, xpath, NB_OP_MODIFY,
			      v4_str	? v4_str
			      : v6_str	? v6_str
			      : nhg_str ? nhg_str
					: neigh_str);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_ebpf_table_size, no_ebpf_table_size_cmd,
	   "no table-size <ipv4-routes|ipv6-routes|nexthop-groups|neighbors>$leaf [(1-16777216)]",
	   NO_STR
	   "Capacity of a datapath table (applied at zebra's next start)\n"
	   "IPv4 routes\n"
	   "IPv6 routes\n"
	   "Nexthop groups\n"
	   "ARP and ND neighbors\n"
	   "Ignored\n")
{
	char xpath[XPATH_MAXLEN];

	snprintf(xpath, sizeof(xpath), "./table-sizes/%s", leaf);
	nb_cli_enqueue_change(vty, xpath, NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

void dp_cli_show_size(struct vty *vty, const struct lyd_node *dnode,
		      bool show_defaults)
{
	if (!show_defaults && yang_dnode_is_default(dnode, NULL))
		return;
	vty_out(vty, " table-size %s %s\n",
		yang_dnode_get_schema_name(dnode, NULL),
		yang_dnode_get_string(dnode, NULL));
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
	install_element(EBPF_NODE, &ebpf_table_size_cmd);
	install_element(EBPF_NODE, &no_ebpf_table_size_cmd);

	dp_show_init();
	dp_show_fib_init();
	dp_debug_init();
}

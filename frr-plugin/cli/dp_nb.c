/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The frr-zebra-ebpf northbound table, and the shim that attaches it to the
 * YANG context of an already running zebra.
 */
#include <zebra.h>

#include "log.h"
#include "memory.h"
#include "northbound.h"
#include "yang.h"

#include "cli/dp_nb.h"

/* clang-format off */
const struct frr_yang_module_info frr_zebra_ebpf_info = {
	.name = "frr-zebra-ebpf",
	.nodes = {
		{
			.xpath = DP_NB_XPATH_EBPF,
			.cbs = {
				.create = dp_nb_ebpf_create,
				.destroy = dp_nb_ebpf_destroy,
				.cli_show = dp_cli_show_ebpf,
				.cli_show_end = dp_cli_show_ebpf_end,
			},
		},
		{
			.xpath = DP_NB_XPATH_IPSEC,
			.cbs = {
				.modify = dp_nb_ignore_ipsec_modify,
				.cli_show = dp_cli_show_ignore_ipsec,
			},
		},
		{
			.xpath = DP_NB_XPATH_INTERFACE,
			.cbs = {
				.create = dp_nb_interface_create,
				.destroy = dp_nb_interface_destroy,
				.cli_show = dp_cli_show_interface,
				.cli_cmp = dp_cli_cmp_interface,
			},
		},
		{
			.xpath = DP_NB_XPATH_INTERFACE "/mode",
			.cbs = {
				.modify = dp_nb_interface_mode_modify,
			},
		},
		{
			.xpath = NULL,
		},
	}
};
/* clang-format on */

/*
 * Registration shim.
 *
 * FRR 8.4 creates northbound nodes and attaches callbacks only inside
 * nb_init(), for the models the daemon was built with. A model loaded later
 * by a plugin has no nb_node behind its schema nodes, and libfrr has no
 * public call to make them: nb_nodes_create() walks every loaded model and
 * asserts on nodes that already have one, nb_load_callbacks() is static. So
 * this does, for our model only, what nb_init() does per model: load it,
 * create an nb_node per schema node (the fields lib/northbound.c's
 * nb_node_new_cb sets), attach the callbacks, then let libfrr validate them.
 *
 * This is safe because the model is standalone: libyang adds it without
 * recompiling the models zebra already uses. A model that augments an FRR
 * model makes libyang recompile those and lose every existing node's priv
 * pointer (zebra crashed). The shim depends on FRR 8.4's struct nb_node
 * and memory type names; the plugin's version guard (dplane_ebpf.c)
 * refuses any other libfrr.
 *
 * The model's name matters too: libyang keeps top-level data nodes sorted
 * by module name, and FRR 8.4's nb_candidate_edit() adds a top-level node
 * with lyd_new_path(candidate->dnode, ...), which cannot move
 * candidate->dnode when the new node sorts before it. Such a node is
 * silently missing from the commit ("frr-ebpf" was: zebra's first node is
 * the implicit frr-filter:lib). Every model of the plugin must sort after
 * "frr-filter"; "frr-zebra-*" does.
 */

/*
 * libfrr frees every nb_node with its static MTYPE_NB_NODE, in
 * nb_terminate(), which also runs in zebra's parent process when it
 * daemonizes (no frr_fini hook there). Ours must be allocated with that
 * same memory type or libfrr's allocation counters assert: find it by name.
 */
#define DP_NB_MGROUP "libfrr"
#define DP_NB_MTYPE "Northbound Node"

static int dp_nb_find_mtype(void *arg, struct memgroup *mg, struct memtype *mt)
{
	struct memtype **found = arg;

	if (!mt || !strmatch(mg->name, DP_NB_MGROUP) ||
	    !strmatch(mt->name, DP_NB_MTYPE))
		return 0;
	*found = mt;
	return 1;
}

static int dp_nb_config_only_cb(const struct lysc_node *snode, void *arg)
{
	bool *config_only = arg;

	if (CHECK_FLAG(snode->flags, LYS_CONFIG_R)) {
		*config_only = false;
		return YANG_ITER_STOP;
	}
	return YANG_ITER_CONTINUE;
}

static int dp_nb_node_new_cb(const struct lysc_node *snode, void *arg)
{
	struct memtype *mtype = arg;
	struct nb_node *nb_node;
	struct lysc_node *sparent;

	nb_node = XCALLOC(mtype, sizeof(*nb_node));
	yang_snode_get_path(snode, YANG_PATH_DATA, nb_node->xpath,
			    sizeof(nb_node->xpath));
	nb_node->priority = NB_DFLT_PRIORITY;
	sparent = yang_snode_real_parent(snode);
	if (sparent)
		nb_node->parent = sparent->priv;
	sparent = yang_snode_parent_list(snode);
	if (sparent)
		nb_node->parent_list = sparent->priv;

	if (CHECK_FLAG(snode->nodetype, LYS_CONTAINER | LYS_LIST)) {
		bool config_only = true;

		(void)yang_snodes_iterate_subtree(
			snode, NULL, dp_nb_config_only_cb, 0, &config_only);
		if (config_only)
			SET_FLAG(nb_node->flags, F_NB_NODE_CONFIG_ONLY);
	}
	if (CHECK_FLAG(snode->nodetype, LYS_LIST) &&
	    yang_snode_num_keys(snode) == 0)
		SET_FLAG(nb_node->flags, F_NB_NODE_KEYLESS_LIST);

	nb_node->snode = snode;
	assert(snode->priv == NULL);
	((struct lysc_node *)snode)->priv = nb_node;

	return YANG_ITER_CONTINUE;
}

void dp_nb_init(void)
{
	const struct frr_yang_module_info *info = &frr_zebra_ebpf_info;
	struct memtype *mtype = NULL;
	struct yang_module *module;

	qmem_walk(dp_nb_find_mtype, &mtype);
	if (!mtype) {
		zlog_err("%s: libfrr has no memory type \"%s\"", __func__,
			 DP_NB_MTYPE);
		exit(1);
	}

	/* Finds the model embedded by embedmodel.py; exits on failure. */
	module = yang_module_load(info->name);
	yang_snodes_iterate(module->info, dp_nb_node_new_cb, 0, mtype);
	dp_nb_attach(info);
}

void dp_nb_attach(const struct frr_yang_module_info *info)
{
	for (size_t i = 0; info->nodes[i].xpath; i++) {
		struct nb_node *nb_node = nb_node_find(info->nodes[i].xpath);

		if (!nb_node) {
			zlog_err("%s: %s.yang has no node %s", __func__,
				 info->name, info->nodes[i].xpath);
			exit(1);
		}
		nb_node->cbs = info->nodes[i].cbs;
		if (info->nodes[i].priority)
			nb_node->priority = info->nodes[i].priority;
	}
}

void dp_nb_validate(void)
{
	/* Exits with a log line if a node lacks a callback it needs. */
	nb_validate_callbacks();
}

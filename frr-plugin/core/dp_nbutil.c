// SPDX-License-Identifier: GPL-2.0-or-later
/* What the features' northbound callbacks share (dp_nbutil.h). */
#include <zebra.h>

#include "lib/command.h"
#include "lib/northbound.h"
#include "lib/northbound_cli.h"
#include "lib/vty.h"
#include "lib/yang.h"

#include "core/dp_nbutil.h"
#include "core/dp_vty_input.h"

bool dp_nb_allow_absent(const struct nb_context *nctx)
{
	const struct vty *vty = nctx->user;

	if (nctx->client != NB_CLIENT_CLI || !vty)
		return true;
	return vty->type == VTY_FILE || vty->pending_allowed;
}

int dp_nb_noop_create(struct nb_cb_create_args *args)
{
	return NB_OK;
}

int dp_nb_noop_modify(struct nb_cb_modify_args *args)
{
	return NB_OK;
}

int dp_nb_noop_destroy(struct nb_cb_destroy_args *args)
{
	return NB_OK;
}

int dp_nb_count_cb(const struct lyd_node *dnode, void *arg)
{
	(*(uint32_t *)arg)++;
	return YANG_ITER_CONTINUE;
}

void dp_nb_cli_show_block(struct vty *vty, const struct lyd_node *dnode,
			  bool show_defaults)
{
	vty_out(vty, " %s\n", dnode->schema->name);
}

void dp_nb_cli_show_block_end(struct vty *vty, const struct lyd_node *dnode)
{
	vty_out(vty, " exit\n");
}

bool dp_nb_first_entry(const struct lyd_node *dnode)
{
	const struct lyd_node *n = lyd_child(lyd_parent(dnode));

	while (n && n->schema != dnode->schema)
		n = n->next;
	return n == dnode;
}

int dp_vty_enter_entry(struct vty *vty, const char *kind,
		       const char *list_xpath, const char *name, int node)
{
	const char *why = dp_vty_name_error(name);
	char xpath[XPATH_MAXLEN], echo[DP_VTY_ECHO_SIZE];
	int ret;

	if (why) {
		vty_out(vty, "%% Invalid %s name \"%s\": %s. %s\n", kind,
			dp_vty_echo(name, echo, sizeof(echo)), why,
			DP_NAME_RULE);
		return CMD_WARNING_CONFIG_FAILED;
	}
	snprintf(xpath, sizeof(xpath), "%s[name='%s']", list_xpath, name);
	nb_cli_enqueue_change(vty, xpath, NB_OP_CREATE, NULL);
	ret = nb_cli_apply_changes(vty, NULL);
	if (ret == CMD_SUCCESS)
		VTY_PUSH_XPATH(node, xpath);
	return ret;
}

static int dp_vty_names_cb(const struct lyd_node *dnode, void *arg)
{
	char *buf = arg;

	if (buf[0])
		strlcat(buf, ", ", 256);
	strlcat(buf, yang_dnode_get_string(dnode, "./name"), 256);
	return YANG_ITER_CONTINUE;
}

int dp_vty_remove_entry(struct vty *vty, const char *kind,
			const char *list_xpath, const char *name)
{
	char xpath[XPATH_MAXLEN], names[256] = "", echo[DP_VTY_ECHO_SIZE];

	snprintf(xpath, sizeof(xpath), "%s[name='%s']", list_xpath, name);
	if (dp_vty_name_error(name) ||
	    !yang_dnode_exists(vty->candidate_config->dnode, xpath)) {
		yang_dnode_iterate(dp_vty_names_cb, names,
				   vty->candidate_config->dnode, "%s",
				   list_xpath);
		vty_out(vty, "%% No %s \"%s\" (configured: %s)\n", kind,
			dp_vty_echo(name, echo, sizeof(echo)),
			names[0] ? names : "none");
		return CMD_WARNING_CONFIG_FAILED;
	}
	nb_cli_enqueue_change(vty, xpath, NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

const char *dp_proto_name(uint8_t proto, char *buf, size_t len)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmpv6";
	default:
		snprintf(buf, len, "%u", proto);
		return buf;
	}
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* What the features' northbound callbacks share (dp_nbutil.h). */
#include <zebra.h>

#include "lib/northbound.h"
#include "lib/vty.h"
#include "lib/yang.h"

#include "core/dp_nbutil.h"

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

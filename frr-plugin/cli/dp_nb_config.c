/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Configuration callbacks of the frr-zebra-ebpf model.
 *
 * Attaching a program can fail (a driver without native XDP, a vanished
 * interface), so it is done in NB_EV_PREPARE, where the commit can still be
 * refused with a message for the user; NB_EV_ABORT undoes it when another
 * change of the same transaction fails, and NB_EV_APPLY has nothing left to
 * do. Detaching cannot fail and is done in NB_EV_APPLY.
 */
#include <zebra.h>

#include "log.h"
#include "northbound.h"
#include "vty.h"
#include "yang.h"

#include "core/dp_hooks.h"
#include "core/dp_nbutil.h"
#include "maps/dp_maps.h"
#include "kernel/dp_policy.h"
#include "fwd/dp_intf.h"
#include "cli/dp_nb.h"

/*
 * XPath: /frr-zebra-ebpf:ebpf
 */
int dp_nb_ebpf_create(struct nb_cb_create_args *args)
{
	/* The datapath is loaded with the plugin; it runs on an interface
	 * only once that interface is listed below. */
	return NB_OK;
}

static int dp_nb_interface_disable_cb(const struct lyd_node *dnode, void *arg)
{
	dp_intf_disable(yang_dnode_get_string(dnode, "./name"));
	return YANG_ITER_CONTINUE;
}

DEFINE_HOOK(dp_config_removed, (const struct lyd_node *ebpf), (ebpf));

int dp_nb_ebpf_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;

	hook_call(dp_config_removed, args->dnode);

	/* libfrr calls no destroy callback for the children of a deleted
	 * node that has its own: detach every listed interface here. */
	yang_dnode_iterate(dp_nb_interface_disable_cb, NULL, args->dnode,
			   "./interface");
	return NB_OK;
}

/*
 * Validation and attachment of interface name in mode, for the events
 * that can refuse a commit. dp_intf_enable() leaves things as they were
 * when it fails.
 */
static int dp_nb_attach_event(enum nb_event event,
			      const struct nb_context *nctx, const char *name,
			      enum dp_mode mode, char *errmsg,
			      size_t errmsg_len)
{
	bool allow_absent = dp_nb_allow_absent(nctx);

	switch (event) {
	case NB_EV_VALIDATE:
		if (dp_intf_check(name, mode, allow_absent, errmsg, errmsg_len))
			return NB_ERR_VALIDATION;
		break;
	case NB_EV_PREPARE:
		if (dp_intf_enable(name, mode, allow_absent, errmsg,
				   errmsg_len))
			return NB_ERR_RESOURCE;
		break;
	case NB_EV_ABORT:
	case NB_EV_APPLY:
		break;
	}
	return NB_OK;
}

/*
 * XPath: /frr-zebra-ebpf:ebpf/interface
 */
int dp_nb_interface_create(struct nb_cb_create_args *args)
{
	const char *name = yang_dnode_get_string(args->dnode, "./name");
	enum dp_mode mode = yang_dnode_get_enum(args->dnode, "./mode");

	if (args->event == NB_EV_ABORT) {
		dp_intf_disable(name);
		return NB_OK;
	}
	return dp_nb_attach_event(args->event, args->context, name, mode,
				  args->errmsg, args->errmsg_len);
}

int dp_nb_interface_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event == NB_EV_APPLY)
		dp_intf_disable(yang_dnode_get_string(args->dnode, "./name"));
	return NB_OK;
}

/*
 * XPath: /frr-zebra-ebpf:ebpf/interface/mode
 */

/* The mode the running configuration gives the interface, if it lists it. */
static bool dp_nb_running_mode(const char *name, enum dp_mode *mode)
{
	const struct lyd_node *dnode;

	dnode = yang_dnode_getf(running_config->dnode,
				DP_NB_XPATH_INTERFACE "[name='%s']", name);
	if (!dnode)
		return false;
	*mode = yang_dnode_get_enum(dnode, "./mode");
	return true;
}

int dp_nb_interface_mode_modify(struct nb_cb_modify_args *args)
{
	const char *name = yang_dnode_get_string(args->dnode, "../name");
	enum dp_mode mode = yang_dnode_get_enum(args->dnode, NULL);
	enum dp_mode old;
	char err[256];

	/* A new interface is attached in its mode by its create callback;
	 * only an interface already running in another mode moves. */
	if (!dp_nb_running_mode(name, &old) || old == mode)
		return NB_OK;

	if (args->event == NB_EV_ABORT) {
		if (dp_intf_enable(name, old, true, err, sizeof(err)))
			zlog_warn("ebpf: %s: could not restore mode %s: %s",
				  name, dp_mode_name(old), err);
		return NB_OK;
	}
	return dp_nb_attach_event(args->event, args->context, name, mode,
				  args->errmsg, args->errmsg_len);
}

/*
 * XPath: /frr-zebra-ebpf:ebpf/ignore-ipsec-policies
 *
 * A leaf with a default: `no ignore-ipsec-policies` comes back here as a
 * modify to false.
 */
int dp_nb_ignore_ipsec_modify(struct nb_cb_modify_args *args)
{
	if (args->event == NB_EV_APPLY)
		dp_policy_set_ipsec_ignore(
			yang_dnode_get_bool(args->dnode, NULL));
	return NB_OK;
}

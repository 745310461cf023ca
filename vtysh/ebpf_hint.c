// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vtysh's answers to mistyped module commands: which word is wrong and
 * what is valid there (ebpf_hint.h).
 */

#include <zebra.h>

#include "command.h"
#include "vector.h"
#include "vty.h"
#include "vtysh/vtysh.h"

#include "core/dp_nodes.h" /* EBPF_NODE */
#include "ebpf_hint.h"

/* The tokens that may follow the first n words of vline (n may be 0), or
 * NULL when those words are not the start of a command. */
static vector ebpf_hint_next(vector vline, unsigned int n, int node)
{
	vector prefix = vector_init(n + 1);
	vector next;
	int saved = vty->node;
	int status;

	for (unsigned int i = 0; i < n; i++)
		vector_set_index(prefix, i, vector_slot(vline, i));
	vector_set_index(prefix, n, NULL);
	vty->node = node;
	next = cmd_describe_command(prefix, vty, &status);
	vty->node = saved;
	vector_free(prefix);
	if (status == CMD_ERR_NO_MATCH || status == CMD_ERR_AMBIGUOUS ||
	    !next || !vector_active(next)) {
		if (next)
			vector_free(next);
		return NULL;
	}
	return next;
}

static bool ebpf_hint_applies(vector vline, unsigned int n, int node)
{
	if (EBPF_NODE_IS_OURS(node))
		return true;
	for (unsigned int i = 0; i < n; i++)
		if (strcmp(vector_slot(vline, i), "ebpf") == 0)
			return true;
	return false;
}

/* Words are echoed up to this many bytes, as the module's own messages
 * do (frr-plugin/core/dp_vty_input.h, DP_VTY_ECHO_MAX). */
#define EBPF_HINT_ECHO_MAX 40

static void ebpf_hint_word(const char *word)
{
	if (strlen(word) <= EBPF_HINT_ECHO_MAX)
		vty_out(vty, "%s", word);
	else
		vty_out(vty, "%.*s...", EBPF_HINT_ECHO_MAX, word);
}

static void ebpf_hint_print(vector vline, unsigned int n, vector next,
			    bool incomplete)
{
	size_t width = 0;
	struct cmd_token *token;

	if (!incomplete && n == 0) {
		vty_out(vty, "%% \"");
		ebpf_hint_word(vector_slot(vline, 0));
		vty_out(vty, "\" is not a command of this node. Valid there:\n");
	} else {
		vty_out(vty, "%% \"");
		if (!incomplete) {
			ebpf_hint_word(vector_slot(vline, n));
			vty_out(vty, "\" is not valid after \"");
		}
		for (unsigned int i = 0; i < n; i++) {
			if (i)
				vty_out(vty, " ");
			ebpf_hint_word(vector_slot(vline, i));
		}
		vty_out(vty, "\"%s. Valid there:\n",
			incomplete ? " needs more" : "");
	}

	for (unsigned int i = 0; i < vector_active(next); i++) {
		token = vector_slot(next, i);
		if (token && strlen(token->text) > width)
			width = strlen(token->text);
	}
	for (unsigned int i = 0; i < vector_active(next); i++) {
		token = vector_slot(next, i);
		if (!token)
			continue;
		if (token->desc && token->desc[0])
			vty_out(vty, "  %-*s  %s\n", (int)width, token->text,
				token->desc);
		else
			vty_out(vty, "  %s\n", token->text);
	}
	/* The parser splits at spaces; quotes group nothing. */
	for (unsigned int i = 0; i < vector_active(vline); i++)
		if (strchr(vector_slot(vline, i), '"')) {
			vty_out(vty,
				"%% Quotes do not group words: every space separates arguments\n");
			break;
		}
}

/* The longest start of vline (at most max words) that is valid in node:
 * its length in *n and what may follow it, or NULL. */
static vector ebpf_hint_longest(vector vline, unsigned int max, int node,
				unsigned int *n)
{
	vector next;

	for (*n = max;; (*n)--) {
		next = ebpf_hint_next(vline, *n, node);
		if (next || *n == 0)
			return next;
	}
}

/* Whether the whole of vline is a valid start of a command of node. */
static bool ebpf_hint_valid_in(vector vline, int node)
{
	vector next = ebpf_hint_next(vline, vector_active(vline), node);

	if (!next)
		return false;
	vector_free(next);
	return true;
}

/* The module's nodes, and how to reach each from configuration mode. */
static const struct ebpf_hint_node {
	int node;
	const char *name;
	const char *how;
} ebpf_hint_nodes[] = {
	{EBPF_NODE, "ebpf", "enter \"ebpf\" in configuration mode first"},
	{EBPF_LB_NODE, "load-balancer",
	 "enter \"ebpf\", then \"load-balancer\" first"},
	{EBPF_VIP_NODE, "vip",
	 "enter \"ebpf\", \"load-balancer\", then \"vip NAME\" first"},
	{EBPF_NAT_NODE, "nat", "enter \"ebpf\", then \"nat\" first"},
	{EBPF_POLICER_NODE, "policer",
	 "enter \"ebpf\", then \"policer NAME\" first"},
	{EBPF_CHAIN_NODE, "chain", "enter \"ebpf\", then \"chain NAME\" first"},
};

/*
 * A module's command typed in a node where it does not exist: say where it
 * belongs. Lines that FRR's own configuration commands explain better
 * (`interface eth0` is zebra's too) are left alone.
 */
static bool ebpf_hint_wrong_node(vector vline, int node)
{
	bool in_config = ebpf_hint_valid_in(vline, CONFIG_NODE);

	if (node < CONFIG_NODE && in_config &&
	    ebpf_hint_applies(vline, vector_active(vline), CONFIG_NODE)) {
		vty_out(vty,
			"%% This is a command of configuration mode: enter \"configure terminal\" first\n");
		return true;
	}
	for (size_t i = 0; !in_config && i < array_size(ebpf_hint_nodes); i++) {
		const struct ebpf_hint_node *h = &ebpf_hint_nodes[i];

		if (node == h->node || !ebpf_hint_valid_in(vline, h->node))
			continue;
		vty_out(vty, "%% This is a command of the %s node: %s\n",
			h->name, h->how);
		return true;
	}
	/* show and clear in a configuration node: FRR 8.4 needs `do` */
	if (node >= CONFIG_NODE && ebpf_hint_valid_in(vline, ENABLE_NODE) &&
	    ebpf_hint_applies(vline, vector_active(vline), ENABLE_NODE)) {
		vty_out(vty,
			"%% This is a command of enable mode: in configuration mode, prefix it with \"do\"\n");
		return true;
	}
	return false;
}

void ebpf_hint(const char *line, int node, int ret)
{
	bool incomplete = ret == CMD_ERR_INCOMPLETE;
	vector vline, next, best = NULL;
	unsigned int n, best_n = 0, words;

	if (ret != CMD_ERR_NO_MATCH && !incomplete)
		return;
	vline = cmd_make_strvec(line);
	if (!vline)
		return;
	words = vector_active(vline);

	if (!incomplete && ebpf_hint_wrong_node(vline, node))
		goto out;

	/*
	 * vtysh tries an unknown command in the parent nodes too (the ebpf
	 * node's parent is the configuration node): explain it where most
	 * of it is valid. An incomplete command is not tried further up.
	 */
	for (int nd = node;; nd = node_parent(nd)) {
		/* The whole line is a valid start: it failed in a daemon, no
		 * grammar to explain. */
		if (!incomplete) {
			next = ebpf_hint_next(vline, words, nd);
			if (next) {
				vector_free(next);
				goto out;
			}
		}
		next = ebpf_hint_longest(vline, incomplete ? words : words - 1,
					 nd, &n);
		if (next && (!best || n > best_n) &&
		    ebpf_hint_applies(vline, n, nd)) {
			if (best)
				vector_free(best);
			best = next;
			best_n = n;
		} else if (next) {
			vector_free(next);
		}
		if (incomplete || nd <= CONFIG_NODE)
			break;
	}
	if (best)
		ebpf_hint_print(vline, best_n, best, incomplete);
out:
	if (best)
		vector_free(best);
	cmd_free_strvec(vline);
}

bool ebpf_line_too_long(const char *line)
{
	size_t len = strlen(line);

	if (len < VTY_BUFSIZ - 1)
		return false;
	vty_out(vty, "%% Command is too long: %zu bytes, at most %d are taken\n",
		len, VTY_BUFSIZ - 2);
	return true;
}

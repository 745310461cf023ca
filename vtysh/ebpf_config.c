// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * FRR's vtysh_config.c taught the dplane_ebpf module's configuration block.
 *
 * vtysh rebuilds "show running-config" and the integrated frr.conf from the
 * daemons' output, sorting lines into blocks by their first words. A block
 * it does not know ("ebpf") would lose its closing "exit" and absorb the
 * lines that follow it. The wrapper below keeps the whole block together,
 * in the order zebra wrote it; everything else goes to the stock parser.
 * vtysh_config.c is included, not linked, for its static config_get().
 */

#define vtysh_config_parse_line vtysh_config_parse_line_stock
#include "vtysh/vtysh_config.c"
#undef vtysh_config_parse_line

#include "core/dp_nodes.h" /* EBPF_NODE */

#define EBPF_BLOCK "ebpf"

/* vtysh.h declared the stock name (renamed above); this is the real one. */
void vtysh_config_parse_line(void *arg, const char *line);

static bool ebpf_block_starts(const char *line)
{
	size_t len = strlen(EBPF_BLOCK);

	return strncmp(line, EBPF_BLOCK, len) == 0
	       && (line[len] == '\0' || line[len] == ' ');
}

void vtysh_config_parse_line(void *arg, const char *line)
{
	/* The module's block being read, NULL outside it. */
	static struct config *ebpf_block;

	if (!line || line[0] == '\0' || line[0] == '!' || line[0] == '#') {
		vtysh_config_parse_line_stock(arg, line);
		return;
	}

	if (line[0] == ' ') {
		if (!ebpf_block) {
			vtysh_config_parse_line_stock(arg, line);
			return;
		}
		/* Nested nodes and their " exit" lines keep zebra's order. */
		config_add_line(ebpf_block->line, line);
		return;
	}

	if (ebpf_block_starts(line)) {
		ebpf_block = config_get(EBPF_NODE, line);
		return;
	}

	if (ebpf_block && strncmp(line, "exit", strlen("exit")) == 0) {
		if (!ebpf_block->exit)
			ebpf_block->exit =
				XSTRDUP(MTYPE_VTYSH_CONFIG_LINE, line);
		ebpf_block = NULL;
		return;
	}

	ebpf_block = NULL;
	vtysh_config_parse_line_stock(arg, line);
}

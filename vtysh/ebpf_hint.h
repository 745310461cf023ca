// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vtysh's answers to mistyped module commands (ebpf_hint.c).
 */

#ifndef EBPF_HINT_H
#define EBPF_HINT_H

#include <stdbool.h>

/*
 * Called after vtysh ran line, typed in node, with result ret. FRR's
 * parser answers a word it cannot place with a bare "% Unknown command"
 * (or "% Command incomplete"), which does not say which word is wrong nor
 * what was expected there. For the module's commands, vtysh adds
 * both: the longest start of the line that is still a valid start of a
 * command, and the tokens that may follow it, as `?` lists them.
 *
 * Only lines that vtysh itself could not match get a hint (a daemon's own
 * "Unknown command" for a line vtysh matched says nothing about grammar),
 * and only the module's commands: those typed in its node, and those whose
 * valid start contains the keyword "ebpf".
 */

extern void ebpf_hint(const char *line, int node, int ret);

/*
 * A daemon reads a command into a buffer of VTY_BUFSIZ bytes with its
 * terminating NUL: it answers a longer one with "% Command is too long",
 * once per buffer, and then runs what is left of the line as a command of
 * its own. Such a line must not leave vtysh: true, after saying so, for
 * one.
 */
extern bool ebpf_line_too_long(const char *line);

#endif /* EBPF_HINT_H */

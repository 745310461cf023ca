/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * User input in the plugin's commands: whether an interface name can be
 * configured, and how to echo what was typed in a message.
 */
#ifndef DP_VTY_INPUT_H
#define DP_VTY_INPUT_H

#include <stddef.h>

/* What a valid interface name is, for messages that refuse one. */
#define DP_IFNAME_RULE                                                         \
	"An interface name is 1 to 15 bytes of UTF-8 without '/', ':', quotes, white space or control characters"

/*
 * Why name cannot name an interface in the plugin's configuration (a
 * static phrase such as "it contains '/'"), or NULL when it can: the
 * kernel's rule for interface names (dev_valid_name()), plus what the
 * configuration can hold (no quote, no control character, UTF-8). The
 * YANG model's interface-name type says the same.
 */
extern const char *dp_vty_ifname_error(const char *name);

/*
 * What the user typed, for a message: itself, or its first DP_VTY_ECHO_MAX
 * bytes followed by "..." (a 4000-character name repeated in full buries
 * the message that says what is wrong with it). Control characters and
 * bytes that are not UTF-8 are shown as \xNN, so that the message and its
 * JSON stay valid text. Returns buf, of DP_VTY_ECHO_SIZE bytes.
 */
#define DP_VTY_ECHO_MAX 40
#define DP_VTY_ECHO_SIZE (DP_VTY_ECHO_MAX * 4 + 8)
extern const char *dp_vty_echo(const char *input, char *buf, size_t len);

#endif /* DP_VTY_INPUT_H */

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * User input in the plugin's commands: whether an interface name can be
 * configured, and how to echo what was typed in a message.
 */
#ifndef DP_VTY_INPUT_H
#define DP_VTY_INPUT_H

#include <stdbool.h>
#include <stddef.h>

union sockunion;

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

/* What a valid name of a configured object (a VIP) is: the YANG model's
 * object-name, for messages that refuse one. */
#define DP_NAME_RULE                                                           \
	"A name is 1 to 63 characters: a letter or digit, then letters, digits, '_', '.' and '-'"

/* Why name cannot name an object (a static phrase), or NULL when it can. */
extern const char *dp_vty_name_error(const char *name);

/* What a valid HTTP health-check path is (the model's rule). */
#define DP_HTTP_PATH_RULE                                                      \
	"An HTTP path is 1 to 255 characters, starts with '/' and holds printable ASCII without spaces"

/* Why path cannot be an HTTP health-check path, or NULL when it can. */
extern const char *dp_vty_http_path_error(const char *path);

/*
 * Why su cannot be the address of a service, a backend or a translated
 * source (a static phrase such as "it is a multicast address"), or NULL
 * when it is a unicast address the datapath can use: not unspecified,
 * multicast, loopback, the IPv4 limited broadcast or IPv6 link-local
 * (which needs a zone the configuration cannot hold).
 */
extern const char *dp_vty_unicast_error(const union sockunion *su);

#endif /* DP_VTY_INPUT_H */

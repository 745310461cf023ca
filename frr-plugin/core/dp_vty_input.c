/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the user typed, checked and echoed for the plugin's messages
 * (dp_vty_input.h).
 */
#include <zebra.h>

#include "lib/sockunion.h"

#include "core/dp_vty_input.h"

/* Well-formed UTF-8 (RFC 3629): libyang stores the configuration as UTF-8
 * and the JSON of the show commands must be valid. */
static bool dp_vty_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned int n, cp;

		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) {
			n = 1;
			cp = *p & 0x1f;
		} else if ((*p & 0xf0) == 0xe0) {
			n = 2;
			cp = *p & 0x0f;
		} else if ((*p & 0xf8) == 0xf0) {
			n = 3;
			cp = *p & 0x07;
		} else {
			return false;
		}
		p++;
		for (unsigned int i = 0; i < n; i++, p++) {
			if ((*p & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (*p & 0x3f);
		}
		/* overlong forms, surrogates, beyond U+10FFFF */
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
	}
	return true;
}

const char *dp_vty_echo(const char *input, char *buf, size_t len)
{
	/* Bytes that would make the message (or its JSON) invalid text are
	 * shown as \xNN: control characters, and any byte >= 0x80 of input
	 * that is not UTF-8. */
	bool utf8 = dp_vty_utf8_valid(input);
	size_t n = strlen(input), cut = n, pos = 0;

	if (n > DP_VTY_ECHO_MAX) {
		cut = DP_VTY_ECHO_MAX;
		/* not in the middle of a UTF-8 sequence */
		while (utf8 && cut > 0 && (input[cut] & 0xc0) == 0x80)
			cut--;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < cut && pos + 5 < len; i++) {
		unsigned char c = input[i];

		if (c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8))
			pos += snprintf(buf + pos, len - pos, "\\x%02x", c);
		else
			buf[pos++] = c;
		buf[pos] = '\0';
	}
	if (cut < n)
		strlcat(buf, "...", len);
	return buf;
}

const char *dp_vty_ifname_error(const char *name)
{
	size_t len = strlen(name);

	if (len == 0)
		return "it is empty";
	if (len >= IF_NAMESIZE)
		return "it is longer than 15 bytes";
	if (strmatch(name, ".") || strmatch(name, ".."))
		return "the kernel reserves '.' and '..'";
	for (const char *c = name; *c; c++) {
		unsigned char u = *c;

		/* dev_valid_name(): the kernel's own rule */
		if (*c == '/')
			return "it contains '/'";
		if (*c == ':')
			return "it contains ':' (an address label, not an interface)";
		if (isspace(u))
			return "it contains white space";
		/* The configuration names the interface in XPath predicates
		 * delimited by quotes, and writes it on one line of text. */
		if (*c == '\'' || *c == '"')
			return "it contains a quote (none is needed around names)";
		if (u < 0x20 || u == 0x7f)
			return "it contains a control character";
	}
	if (!dp_vty_utf8_valid(name))
		return "it is not valid UTF-8";
	return NULL;
}

const char *dp_vty_name_error(const char *name)
{
	size_t len = strlen(name);

	if (len == 0)
		return "it is empty";
	if (len > 63)
		return "it is longer than 63 characters";
	if (!isalnum((unsigned char)name[0]))
		return "it does not start with a letter or digit";
	for (const char *c = name; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '_' && *c != '.' &&
		    *c != '-')
			return "it holds a character other than letters, digits, '_', '.' and '-'";
	return NULL;
}

const char *dp_vty_http_path_error(const char *path)
{
	size_t len = strlen(path);

	if (len == 0 || path[0] != '/')
		return "it does not start with '/'";
	if (len > 255)
		return "it is longer than 255 characters";
	for (const char *c = path; *c; c++)
		if (*c < '!' || *c > '~')
			return "it holds a character that is not printable ASCII, or a space";
	return NULL;
}

const char *dp_vty_unicast_error(const union sockunion *su)
{
	if (su->sa.sa_family == AF_INET) {
		uint32_t a = ntohl(su->sin.sin_addr.s_addr);

		if (a == 0)
			return "it is the unspecified address";
		if (a == 0xffffffff)
			return "it is the broadcast address";
		if ((a >> 28) == 0xe)
			return "it is a multicast address";
		if ((a >> 24) == 127)
			return "it is a loopback address";
		if ((a >> 24) == 0)
			return "it is in 0.0.0.0/8, which the kernel never forwards";
		return NULL;
	}
	if (su->sa.sa_family == AF_INET6) {
		const struct in6_addr *a = &su->sin6.sin6_addr;

		if (IN6_IS_ADDR_UNSPECIFIED(a))
			return "it is the unspecified address";
		if (IN6_IS_ADDR_MULTICAST(a))
			return "it is a multicast address";
		if (IN6_IS_ADDR_LOOPBACK(a))
			return "it is the loopback address";
		if (IN6_IS_ADDR_LINKLOCAL(a))
			return "it is link-local (it would need a zone)";
		if (IN6_IS_ADDR_V4MAPPED(a))
			return "it is an IPv4-mapped address (give the IPv4 address)";
		return NULL;
	}
	return "it is not an IPv4 or IPv6 address";
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small netlink helpers shared by the plugin's one-shot queries (a link's
 * type, kernel policy, xdp-features): attribute parsing and building, and
 * a request answered on a socket of its own.
 */
#ifndef DP_NLUTIL_H
#define DP_NLUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

/* tb[type] = the last attribute of that type in [rta, rta + len). */
extern void dp_nl_attrs(struct rtattr **tb, int max, const struct rtattr *rta,
			int len);

/* Append an attribute to h (buffer of cap bytes); NULL if it does not fit. */
extern struct rtattr *dp_nl_add_attr(struct nlmsghdr *h, size_t cap, int type,
				     const void *data, size_t len);

/* Called for each reply message; a non-zero return stops the request
 * and is returned. */
typedef int (*dp_nl_reply_cb)(const struct nlmsghdr *h, void *arg);

/*
 * Send req on a fresh socket of protocol and pass every reply to cb until
 * the dump ends (NLM_F_DUMP) or the first reply. Returns 0, the error of
 * an NLMSG_ERROR reply (-errno), or cb's non-zero return.
 */
extern int dp_nl_request(int protocol, struct nlmsghdr *req, dp_nl_reply_cb cb,
			 void *arg);

/*
 * The same with NETLINK_GET_STRICT_CHK on the socket (Linux 4.20+): the
 * kernel applies the filters of a dump request (a route dump's table and
 * protocol, an address dump's ifindex) instead of sending everything.
 */
extern int dp_nl_request_strict(int protocol, struct nlmsghdr *req,
				dp_nl_reply_cb cb, void *arg);

#endif /* DP_NLUTIL_H */

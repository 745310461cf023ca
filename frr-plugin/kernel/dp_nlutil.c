// SPDX-License-Identifier: GPL-2.0-or-later
/* Small netlink helpers (dp_nlutil.h). */

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kernel/dp_nlutil.h"

void dp_nl_attrs(struct rtattr **tb, int max, const struct rtattr *rta, int len)
{
	memset(tb, 0, sizeof(struct rtattr *) * (max + 1));
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if ((rta->rta_type & NLA_TYPE_MASK) <= max)
			tb[rta->rta_type & NLA_TYPE_MASK] =
				(struct rtattr *)rta;
}

struct rtattr *dp_nl_add_attr(struct nlmsghdr *h, size_t cap, int type,
			      const void *data, size_t len)
{
	struct rtattr *rta;

	if (NLMSG_ALIGN(h->nlmsg_len) + RTA_SPACE(len) > cap)
		return NULL;
	rta = (struct rtattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));
	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(rta->rta_len);
	return rta;
}

static int dp_nl_request_on(int protocol, struct nlmsghdr *req, bool strict,
			    dp_nl_reply_cb cb, void *arg)
{
	static __thread char buf[32768];
	bool dump = req->nlmsg_flags & NLM_F_DUMP;
	int fd, len, ret = 0, one = 1;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
	if (fd < 0)
		return -errno;
	if (strict && setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one,
				 sizeof(one))) {
		ret = -errno;
		goto out;
	}
	req->nlmsg_flags |= NLM_F_REQUEST;
	if (send(fd, req, req->nlmsg_len, 0) < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto out;
		}
		for (; NLMSG_OK(h, (unsigned int)len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE)
				goto out;
			if (h->nlmsg_type == NLMSG_ERROR) {
				ret = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
				goto out;
			}
			ret = cb(h, arg);
			if (ret || !dump)
				goto out;
		}
	}
out:
	close(fd);
	return ret;
}

int dp_nl_request(int protocol, struct nlmsghdr *req, dp_nl_reply_cb cb,
		  void *arg)
{
	return dp_nl_request_on(protocol, req, false, cb, arg);
}

int dp_nl_request_strict(int protocol, struct nlmsghdr *req,
			 dp_nl_reply_cb cb, void *arg)
{
	return dp_nl_request_on(protocol, req, true, cb, arg);
}

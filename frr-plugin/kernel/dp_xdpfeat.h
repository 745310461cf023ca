/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which links accept redirected XDP frames: the kernel's xdp-features
 * (netdev generic netlink family, Linux 6.3 and later), followed by event.
 * A veth, for one, takes them only while its peer runs XDP or GRO. On
 * kernels without the family nothing is reported and a native XDP
 * attachment is taken as the answer (dp_link.c).
 */
#ifndef DP_XDPFEAT_H
#define DP_XDPFEAT_H

struct thread_master;

extern void dp_xdpfeat_start(struct thread_master *master);
extern void dp_xdpfeat_stop(void);

#endif /* DP_XDPFEAT_H */

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Another tool's tcx program, for the chaining topotest: a program that
 * returns TCX_NEXT, attached to an interface's tcx ingress by a link
 * pinned at PIN (the link goes when the pin is removed). Debian 12's
 * libbpf (1.1) has no tcx API and its headers no BPF_TCX_INGRESS: the
 * raw BPF_LINK_CREATE.
 *
 * usage: tcx_attach IFNAME PIN
 * Exit status: 0 attached, 1 failed, 77 the kernel has no tcx.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>

#define TCX_INGRESS 46 /* enum bpf_attach_type, Linux 6.6 */
#define TCX_NEXT (-1)

int main(int argc, char **argv)
{
	const struct bpf_insn next[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0,
		 .imm = TCX_NEXT},
		{.code = BPF_JMP | BPF_EXIT},
	};
	/* link_create: prog_fd, target_ifindex, attach_type, flags */
	uint32_t attr[32] = {0};
	int prog, link;

	if (argc != 3) {
		fprintf(stderr, "usage: tcx_attach IFNAME PIN\n");
		return 1;
	}
	prog = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "other_tcx", "GPL",
			     next, 2, NULL);
	if (prog < 0) {
		fprintf(stderr, "load: %s\n", strerror(errno));
		return 1;
	}
	attr[0] = prog;
	attr[1] = if_nametoindex(argv[1]);
	attr[2] = TCX_INGRESS;
	if (!attr[1]) {
		fprintf(stderr, "no interface %s\n", argv[1]);
		return 1;
	}
	link = syscall(__NR_bpf, BPF_LINK_CREATE, attr, sizeof(attr));
	if (link < 0) {
		fprintf(stderr, "tcx link: %s\n", strerror(errno));
		return errno == EINVAL ? 77 : 1;
	}
	if (bpf_obj_pin(link, argv[2])) {
		fprintf(stderr, "pin %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	return 0;
}

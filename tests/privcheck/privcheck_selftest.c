// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Proves bpf_privcheck.so (run by test_privcheck.sh, with and without it
 * preloaded): a bpf() call from a thread whose effective set lacks
 * CAP_BPF and CAP_SYS_ADMIN fails with EPERM when the shim is loaded,
 * while the same call with either capability raised works, capabilities
 * count per thread as they do in the kernel, and other system calls pass
 * through unchanged. This is what FRR's privilege handling does: zebra
 * keeps its capabilities permitted and raises them into the effective set
 * around privileged work (frr_with_privs).
 *
 * usage: privcheck_selftest shim|noshim   (must run as root)
 */

#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <linux/capability.h>

#define CAP_SYS_ADMIN_BIT 21
#define CAP_BPF_BIT	  39

static int passed, failed;
static int with_shim;

/* Without the shim, what an unprivileged thread gets is the kernel's
 * business (EPERM on 6.1, success on 6.18): reported, not judged. */
static void kernel_says(int err, const char *what)
{
	printf("INFO: without the shim, %s: %s\n", what,
	       err ? strerror(err) : "success");
}

static void check(int ok, const char *what)
{
	if (ok)
		passed++;
	else
		failed++;
	printf("%s: %s\n", ok ? "PASS" : "FAIL", what);
	fflush(stdout);
}

/* Effective set of the calling thread: nothing, or one capability;
 * the permitted set is kept, as zebra keeps it. */
static int set_effective(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = {};

	if (syscall(SYS_capget, &hdr, d))
		return -1;
	d[0].effective = d[1].effective = 0;
	if (cap >= 0)
		d[cap / 32].effective = 1u << (cap % 32);
	return syscall(SYS_capset, &hdr, d);
}

static int map_create(void)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = 4;
	attr.max_entries = 1;
	return syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
}

/* 0, or the errno of a lookup in an array map (always has key 0). */
static int map_lookup(int fd)
{
	union bpf_attr attr;
	uint32_t key = 0, value;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	attr.key = (uintptr_t)&key;
	attr.value = (uintptr_t)&value;
	return syscall(SYS_bpf, BPF_MAP_LOOKUP_ELEM, &attr, sizeof(attr)) ?
		       errno :
		       0;
}

struct thread_arg {
	int fd;
	int err;
};

static void *lowered_thread(void *p)
{
	struct thread_arg *t = p;

	t->err = set_effective(-1) ? -1 : map_lookup(t->fd);
	return NULL;
}

int main(int argc, char **argv)
{
	struct thread_arg t;
	pthread_t th;
	char what[160];
	int fd, err;

	if (argc != 2 || (strcmp(argv[1], "shim") && strcmp(argv[1], "noshim"))) {
		fprintf(stderr, "usage: %s shim|noshim\n", argv[0]);
		return 2;
	}
	with_shim = !strcmp(argv[1], "shim");

	fd = map_create();
	check(fd >= 0, "BPF_MAP_CREATE as root with full capabilities");
	if (fd < 0) {
		printf("    %s\n", strerror(errno));
		printf("%d passed, %d failed\n", passed, failed);
		return 1;
	}
	check(syscall(SYS_getpid) == getpid(),
	      "other system calls pass through syscall() unchanged");

	/* A thread keeps its own effective set: lowered there, the main
	 * thread still has everything. */
	t.fd = fd;
	t.err = -1;
	pthread_create(&th, NULL, lowered_thread, &t);
	pthread_join(th, NULL);
	if (with_shim) {
		snprintf(what, sizeof(what),
			 "a thread with an empty effective set gets EPERM (got %s)",
			 t.err ? strerror(t.err) : "success");
		check(t.err == EPERM, what);
	} else {
		kernel_says(t.err, "a thread with an empty effective set");
	}
	err = map_lookup(fd);
	snprintf(what, sizeof(what),
		 "meanwhile the main thread, still privileged, looks up (got %s)",
		 err ? strerror(err) : "success");
	check(err == 0, what);

	if (set_effective(-1)) {
		check(0, "capset: lower the effective set");
		printf("%d passed, %d failed\n", passed, failed);
		return 1;
	}
	err = map_lookup(fd);
	if (with_shim) {
		snprintf(what, sizeof(what),
			 "lowered (as zebra outside frr_with_privs): lookup refused with EPERM (got %s)",
			 err ? strerror(err) : "success");
		check(err == EPERM, what);
	} else {
		kernel_says(err, "the main thread lowered");
	}

	set_effective(CAP_SYS_ADMIN_BIT);
	err = map_lookup(fd);
	snprintf(what, sizeof(what),
		 "CAP_SYS_ADMIN raised: lookup works (got %s)",
		 err ? strerror(err) : "success");
	check(err == 0, what);

	if (set_effective(CAP_BPF_BIT) == 0) {
		err = map_lookup(fd);
		snprintf(what, sizeof(what),
			 "CAP_BPF alone raised: lookup works (got %s)",
			 err ? strerror(err) : "success");
		check(err == 0, what);
	} else {
		printf("INFO: this kernel has no CAP_BPF: not checked alone\n");
	}

	close(fd);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

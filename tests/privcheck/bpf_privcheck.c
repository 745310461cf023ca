// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bpf_privcheck.so: Debian 12's bpf() permission check, on any kernel.
 *
 * Debian's kernel 6.1 runs with kernel.unprivileged_bpf_disabled=2 and
 * checks it at the entry of every bpf() command: a thread without CAP_BPF
 * or CAP_SYS_ADMIN in its effective set gets EPERM, even for a lookup in
 * a map it already holds open. Newer kernels (this machine's 6.18) check
 * per command and let most of those calls through, so a bpf() call that
 * zebra makes outside its raised privileges (frr_with_privs) works in
 * development and fails on a Debian host. Preloaded into a daemon, this
 * shim makes such a call fail here too, and says which one it was.
 *
 * libbpf, and the plugin itself, call bpf() as syscall(__NR_bpf, ...)
 * through libc (glibc has no bpf() wrapper), so interposing syscall()
 * sees every call. Capabilities are per thread in Linux, as is the
 * kernel's check: capget() with pid 0 reads the calling thread's.
 *
 * A refused call is reported in one line on stderr, to syslog, and, when
 * BPF_PRIVCHECK_LOG names a file, appended there (opened when the shim
 * is loaded, while a daemon is still root, so the line still gets there
 * after the daemon has dropped to an unprivileged user).
 */

#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#ifndef SYS_bpf
#define SYS_bpf 321 /* x86_64 */
#endif

/* Not in every libc's headers: the kernel's numbers. */
#define PRIVCHECK_CAP_SYS_ADMIN 21
#define PRIVCHECK_CAP_BPF	39

/* Frames of the caller's stack named in the report. */
#define PRIVCHECK_FRAMES 12

typedef long (*syscall_fn)(long, ...);

static syscall_fn real_syscall;
static int privcheck_log_fd = -1;

/* enum bpf_cmd, by number, so that commands newer than the build
 * machine's headers are named too. */
static const char *const bpf_cmd_names[] = {
	"BPF_MAP_CREATE",
	"BPF_MAP_LOOKUP_ELEM",
	"BPF_MAP_UPDATE_ELEM",
	"BPF_MAP_DELETE_ELEM",
	"BPF_MAP_GET_NEXT_KEY",
	"BPF_PROG_LOAD",
	"BPF_OBJ_PIN",
	"BPF_OBJ_GET",
	"BPF_PROG_ATTACH",
	"BPF_PROG_DETACH",
	"BPF_PROG_TEST_RUN",
	"BPF_PROG_GET_NEXT_ID",
	"BPF_MAP_GET_NEXT_ID",
	"BPF_PROG_GET_FD_BY_ID",
	"BPF_MAP_GET_FD_BY_ID",
	"BPF_OBJ_GET_INFO_BY_FD",
	"BPF_PROG_QUERY",
	"BPF_RAW_TRACEPOINT_OPEN",
	"BPF_BTF_LOAD",
	"BPF_BTF_GET_FD_BY_ID",
	"BPF_TASK_FD_QUERY",
	"BPF_MAP_LOOKUP_AND_DELETE_ELEM",
	"BPF_MAP_FREEZE",
	"BPF_BTF_GET_NEXT_ID",
	"BPF_MAP_LOOKUP_BATCH",
	"BPF_MAP_LOOKUP_AND_DELETE_BATCH",
	"BPF_MAP_UPDATE_BATCH",
	"BPF_MAP_DELETE_BATCH",
	"BPF_LINK_CREATE",
	"BPF_LINK_UPDATE",
	"BPF_LINK_GET_FD_BY_ID",
	"BPF_LINK_GET_NEXT_ID",
	"BPF_ENABLE_STATS",
	"BPF_ITER_CREATE",
	"BPF_LINK_DETACH",
	"BPF_PROG_BIND_MAP",
	"BPF_TOKEN_CREATE",
};

static syscall_fn privcheck_real(void)
{
	if (!real_syscall)
		real_syscall = (syscall_fn)dlsym(RTLD_NEXT, "syscall");
	return real_syscall;
}

__attribute__((constructor)) static void privcheck_init(void)
{
	const char *path = getenv("BPF_PRIVCHECK_LOG");

	privcheck_real();
	if (path && *path)
		privcheck_log_fd = open(path,
					O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
					0644);
}

/* What the kernel's bpf_capable() asks of the calling thread. */
static int privcheck_capable(syscall_fn sys)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0, /* the calling thread */
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};

	/* Unknown: let the kernel decide rather than invent a failure. */
	if (sys(SYS_capget, &hdr, data))
		return 1;
	return (data[PRIVCHECK_CAP_SYS_ADMIN / 32].effective &
		(1u << (PRIVCHECK_CAP_SYS_ADMIN % 32))) ||
	       (data[PRIVCHECK_CAP_BPF / 32].effective &
		(1u << (PRIVCHECK_CAP_BPF % 32)));
}

/* " < object(symbol+0xoff)" for each caller frame, or the offset in the
 * object for hidden symbols (addr2line -e OBJECT OFFSET names it). */
static size_t privcheck_trace(char *buf, size_t len)
{
	void *frames[PRIVCHECK_FRAMES + 2];
	size_t used = 0;
	int n, i;

	n = backtrace(frames, PRIVCHECK_FRAMES + 2);
	/* frames[0] is privcheck_report, frames[1] syscall() itself */
	for (i = 2; i < n && used < len; i++) {
		Dl_info info;
		const char *obj = "?";
		int w;

		if (dladdr(frames[i], &info) && info.dli_fname) {
			obj = strrchr(info.dli_fname, '/');
			obj = obj ? obj + 1 : info.dli_fname;
		} else {
			memset(&info, 0, sizeof(info));
		}
		if (info.dli_sname)
			w = snprintf(buf + used, len - used, " < %s(%s+0x%lx)",
				     obj, info.dli_sname,
				     (unsigned long)((uintptr_t)frames[i] -
						     (uintptr_t)info.dli_saddr));
		else
			w = snprintf(buf + used, len - used, " < %s+0x%lx", obj,
				     (unsigned long)((uintptr_t)frames[i] -
						     (uintptr_t)info.dli_fbase));
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return used < len ? used : len - 1;
}

static void privcheck_report(syscall_fn sys, long cmd)
{
	char line[3072], name[32], thread[16] = "?", cwd[256];
	const char *cmd_name = NULL;
	size_t n;
	int w;

	if (cmd >= 0 && (size_t)cmd < sizeof(bpf_cmd_names) /
					      sizeof(bpf_cmd_names[0]))
		cmd_name = bpf_cmd_names[cmd];
	else
		snprintf(name, sizeof(name), "command %ld", cmd);
	pthread_getname_np(pthread_self(), thread, sizeof(thread));
	/* where a daemon runs tells which router it is, in a topotest */
	if (!getcwd(cwd, sizeof(cwd)))
		strcpy(cwd, "?");

	w = snprintf(line, sizeof(line),
		     "bpf_privcheck: pid %d thread %ld (%s) euid %d cwd %s: bpf(%s) without CAP_BPF or CAP_SYS_ADMIN in the effective set: EPERM, as Debian 12's kernel 6.1 answers; called from",
		     (int)getpid(), sys(SYS_gettid), thread, (int)geteuid(), cwd,
		     cmd_name ? cmd_name : name);
	n = w > 0 && (size_t)w < sizeof(line) ? (size_t)w : 0;
	n += privcheck_trace(line + n, sizeof(line) - n - 1);
	line[n++] = '\n';

	if (write(STDERR_FILENO, line, n) < 0) {
		/* nobody to tell: syslog and the file still are */
	}
	if (privcheck_log_fd >= 0 && write(privcheck_log_fd, line, n) < 0) {
		/* the same */
	}
	line[n - 1] = '\0';
	syslog(LOG_DAEMON | LOG_ERR, "%s", line);
}

long syscall(long number, ...)
{
	syscall_fn sys = privcheck_real();
	long a[6];
	va_list ap;
	int saved;

	va_start(ap, number);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);

	if (!sys) {
		errno = ENOSYS;
		return -1;
	}
	if (number == SYS_bpf) {
		saved = errno;
		if (!privcheck_capable(sys)) {
			privcheck_report(sys, a[0]);
			errno = EPERM;
			return -1;
		}
		errno = saved;
	}
	return sys(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

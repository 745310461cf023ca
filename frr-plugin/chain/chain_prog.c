// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A user's program: loaded from its object file, attached as a cls_bpf
 * filter at the priority of its place on an interface's TC ingress
 * (chain.h); XDP is chain_xdp.c.
 */
#include <zebra.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "lib/privs.h"

#include "core/dp_plugin.h"
#include "maps/dp_maps.h"
#include "chain/chain.h"

/* The last line of the verifier's log that says something. */
static void chain_log_tail(const char *log, char *out, size_t len)
{
	const char *end = log + strlen(log), *start;

	while (end > log && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	start = end;
	/* the last two lines: the failing instruction and the verdict */
	for (int lines = 0; start > log && lines < 2; start--)
		if (start[-1] == '\n' && ++lines == 2)
			break;
	snprintf(out, len, "%.*s", (int)(end - start), start);
	for (char *p = out; *p; p++)
		if (*p == '\n')
			*p = ' ';
}

int chain_prog_load(const char *object, const char *program, uint8_t hook,
		    char *err, size_t errlen)
{
	enum bpf_prog_type want = hook == CHAIN_HOOK_XDP
					  ? BPF_PROG_TYPE_XDP
					  : BPF_PROG_TYPE_SCHED_CLS;
	struct bpf_object *obj = NULL;
	struct bpf_program *prog, *p;
	char *log = XCALLOC(MTYPE_TMP, 65536);
	char tail[200];
	int fd = -EINVAL, ret;

	frr_with_privs (dp_privs()) {
		obj = bpf_object__open_file(object, NULL);
		ret = libbpf_get_error(obj);
		if (ret) {
			obj = NULL;
			snprintf(err, errlen, "cannot open object %s: %s",
				 object, strerror(-ret));
			fd = ret;
			break;
		}
		prog = bpf_object__find_program_by_name(obj, program);
		if (!prog) {
			char names[128] = "";

			bpf_object__for_each_program (p, obj) {
				if (names[0])
					strlcat(names, ", ", sizeof(names));
				strlcat(names, bpf_program__name(p),
					sizeof(names));
			}
			snprintf(err, errlen,
				 "object %s has no program %s (it has: %s)",
				 object, program, names[0] ? names : "none");
			fd = -ENOENT;
			break;
		}
		if (bpf_program__type(prog) != want) {
			snprintf(err, errlen,
				 "program %s (section %s) is not a %s program: hook %s needs SEC(\"%s\")",
				 program, bpf_program__section_name(prog),
				 hook == CHAIN_HOOK_XDP ? "XDP" : "TC",
				 chain_hook_name(hook),
				 hook == CHAIN_HOOK_XDP ? "xdp" : "tc");
			fd = -EINVAL;
			break;
		}
		/* only this program: the object may hold others */
		bpf_object__for_each_program (p, obj)
			bpf_program__set_autoload(p, p == prog);
		bpf_program__set_log_buf(prog, log, 65536);
		bpf_program__set_log_level(prog, 1);
		ret = bpf_object__load(obj);
		if (ret) {
			chain_log_tail(log, tail, sizeof(tail));
			snprintf(err, errlen,
				 "program %s of %s does not load: %s%s%s",
				 program, object, strerror(-ret),
				 tail[0] ? "; verifier: " : "", tail);
			fd = ret;
			break;
		}
		/* the program keeps its maps; the object can go */
		fd = fcntl(bpf_program__fd(prog), F_DUPFD_CLOEXEC, 3);
		if (fd < 0) {
			fd = -errno;
			snprintf(err, errlen, "program %s: %s", program,
				 safe_strerror(errno));
		}
	}
	bpf_object__close(obj);
	XFREE(MTYPE_TMP, log);
	return fd;
}

int chain_tc_attach(int ifindex, uint16_t prio, uint32_t handle, int prog_fd,
		    char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = handle,
		    .priority = prio, .prog_fd = prog_fd,
		    .flags = BPF_TC_F_REPLACE);
	int ret;

	frr_with_privs (dp_privs()) {
		ret = dp_clsact_ensure(ifindex);
		if (!ret)
			ret = bpf_tc_attach(&hook, &opts);
	}
	if (ret)
		snprintf(err, errlen, "cannot attach to TC ingress: %s",
			 strerror(-ret));
	return ret;
}

void chain_tc_detach(int ifindex, uint16_t prio, uint32_t handle)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = handle,
		    .priority = prio);

	frr_with_privs (dp_privs())
		bpf_tc_detach(&hook, &opts);
}

uint32_t chain_tc_query(int ifindex, uint16_t prio, uint32_t handle)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = handle, .priority = prio);
	int ret;

	frr_with_privs (dp_privs())
		ret = bpf_tc_query(&hook, &opts);
	return ret ? 0 : opts.prog_id;
}

bool chain_prog_info(uint32_t id, char name[16], uint64_t *runs)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);
	bool ok = false;
	int fd;

	frr_with_privs (dp_privs()) {
		fd = bpf_prog_get_fd_by_id(id);
		if (fd >= 0) {
			ok = !bpf_obj_get_info_by_fd(fd, &info, &len);
			close(fd);
		}
	}
	if (!ok)
		return false;
	strlcpy(name, info.name, 16);
	*runs = info.run_cnt;
	return true;
}

/*
 * tcx programs (another tool's: ours and chains are cls_bpf filters) on
 * ifindex's ingress, in the order they run, all before every cls_bpf
 * filter. BPF_TCX_INGRESS (46) is newer than libbpf 1.1's headers; its
 * query is the ordinary BPF_PROG_QUERY. -1 where the kernel has no tcx.
 */
#define CHAIN_BPF_TCX_INGRESS 46

int chain_tcx_list(int ifindex, uint32_t *ids, int max)
{
	LIBBPF_OPTS(bpf_prog_query_opts, q, .prog_ids = ids,
		    .prog_cnt = max);
	int ret;

	frr_with_privs (dp_privs())
		ret = bpf_prog_query_opts(ifindex, CHAIN_BPF_TCX_INGRESS, &q);
	return ret ? -1 : (int)q.prog_cnt;
}

/* ---------------------------------------------------------- run counts */

void chain_stats_enable(bool on)
{
	static int stats_fd = -1;

	if (on && stats_fd < 0) {
		frr_with_privs (dp_privs())
			stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	} else if (!on && stats_fd >= 0) {
		close(stats_fd);
		stats_fd = -1;
	}
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Our XDP program inside libxdp's multi-program dispatcher, where the
 * kernel runs freplace programs (Debian's 6.1 does; these development
 * machines' kernel refuses them). The dispatcher is an XDP program whose
 * slots are freplace (BPF_PROG_TYPE_EXT) programs run in order of their
 * run priority: ours at DP_XDP_RUN_PRIO, users' (chain/) and other
 * libxdp users' programs around it. Each program change builds a new
 * dispatcher and swaps it in with one XDP_FLAGS_REPLACE, so what runs
 * never has a gap.
 *
 * Our slot is a second copy of the XDP object, loaded by libxdp as an
 * freplace program of the dispatcher: it shares every map with the first
 * copy (pinned by name), and the object has no global data of its own.
 */
#include <zebra.h>

#include <net/if.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <xdp/libxdp.h>

#include "lib/log.h"

#include "core/dp_plugin.h"
#include "maps/dp_maps.h"
#include "xdp_main.skel.h"

#define DP_XDP_PROG_NAME "dp_xdp_main"

static struct {
	struct xdp_main *skel;	   /* the object of our slot */
	struct xdp_program *prog;  /* our slot: loaded at its first attach */
	bool probed;
	char why[200];		   /* "" when the dispatcher can run */
} dp_xd;

static int dp_libxdp_log(enum libxdp_print_level level, const char *fmt,
			 va_list ap)
{
	char buf[1024];

	if (level == LIBXDP_DEBUG)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	if (level == LIBXDP_WARN)
		zlog_warn("ebpf: libxdp: %s", buf);
	else
		zlog_info("ebpf: libxdp: %s", buf);
	return 0;
}

/*
 * Load the kind of program the dispatcher runs in its slots, an freplace
 * program of int f(struct xdp_md *), against our XDP program's entry
 * (loaded only, never attached): a kernel that refuses it (these
 * machines: EPERM) cannot run the dispatcher. The kernel matches the
 * prototypes by BTF, so the probe carries its own. Privileges held.
 */
static int dp_freplace_probe(void)
{
	const struct bpf_insn ret0[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	struct bpf_func_info fi = {};
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);
	int xdp_fd = dp_prog_fd_xdp(), fd, target, ret;
	int int_id, ctx_id, ptr_id, proto_id;
	struct btf *btf;

	if (xdp_fd < 0)
		return -ENOENT;
	if (bpf_obj_get_info_by_fd(xdp_fd, &info, &len) || !info.btf_id)
		return -ENOENT;
	btf = btf__load_from_kernel_by_id(info.btf_id);
	if (libbpf_get_error(btf))
		return -ENOENT;
	target = btf__find_by_name_kind(btf, DP_XDP_PROG_NAME, BTF_KIND_FUNC);
	btf__free(btf);
	if (target <= 0)
		return -ENOENT;

	btf = btf__new_empty();
	if (libbpf_get_error(btf))
		return -ENOMEM;
	int_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	ctx_id = btf__add_struct(btf, "xdp_md", 0);
	ptr_id = btf__add_ptr(btf, ctx_id);
	proto_id = btf__add_func_proto(btf, int_id);
	btf__add_func_param(btf, "ctx", ptr_id);
	fi.type_id = btf__add_func(btf, "dp_probe_ext", BTF_FUNC_GLOBAL,
				   proto_id);
	ret = btf__load_into_kernel(btf);
	if (ret) {
		btf__free(btf);
		return ret;
	}
	{
		LIBBPF_OPTS(bpf_prog_load_opts, o, .attach_prog_fd = xdp_fd,
			    .attach_btf_id = target,
			    .prog_btf_fd = btf__fd(btf), .func_info = &fi,
			    .func_info_cnt = 1,
			    .func_info_rec_size = sizeof(fi));

		fd = bpf_prog_load(BPF_PROG_TYPE_EXT, "dp_probe_ext", "GPL",
				   ret0, 2, &o);
	}
	ret = fd < 0 ? -errno : 0;
	if (fd >= 0)
		close(fd);
	btf__free(btf);
	return ret;
}

const char *dp_xdp_dispatch_refusal(void)
{
	int ret;

	if (dp_xd.probed)
		return dp_xd.why[0] ? dp_xd.why : NULL;
	frr_with_privs (dp_privs())
		ret = dp_freplace_probe();
	if (ret == -ENOENT) {
		/* not final: the datapath may load later */
		snprintf(dp_xd.why, sizeof(dp_xd.why),
			 "the datapath's XDP program is not loaded");
		return dp_xd.why;
	}
	dp_xd.probed = true;
	if (ret)
		snprintf(dp_xd.why, sizeof(dp_xd.why),
			 "this kernel refuses freplace (BPF_PROG_TYPE_EXT) programs (%s), which libxdp's XDP dispatcher needs",
			 strerror(-ret));
	else
		dp_xd.why[0] = '\0';
	libxdp_set_print(dp_libxdp_log);
	return dp_xd.why[0] ? dp_xd.why : NULL;
}

/* Our slot's program, opened (not loaded) on first use. */
static struct xdp_program *dp_xdp_slot(char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts,
		    .pin_root_path = dp_pin_dir());
	DECLARE_LIBXDP_OPTS(xdp_program_opts, xo,
			    .prog_name = DP_XDP_PROG_NAME);
	struct xdp_program *prog;

	if (dp_xd.prog)
		return dp_xd.prog;
	dp_xd.skel = xdp_main__open_opts(&opts);
	if (!dp_xd.skel) {
		snprintf(err, errlen, "cannot open the XDP object: %s",
			 safe_strerror(errno));
		return NULL;
	}
	dp_maps_set_sizes(dp_xd.skel->obj, dp_maps_active_sizes());
	xo.obj = dp_xd.skel->obj;
	prog = xdp_program__create(&xo);
	if (libxdp_get_error(prog)) {
		snprintf(err, errlen, "libxdp cannot use the XDP object: %s",
			 strerror(-(int)libxdp_get_error(prog)));
		xdp_main__destroy(dp_xd.skel);
		dp_xd.skel = NULL;
		return NULL;
	}
	/* libxdp's default: the next slot runs only after XDP_PASS, so the
	 * programs after ours see what we pass up to the kernel */
	xdp_program__set_run_prio(prog, DP_XDP_RUN_PRIO);
	dp_xd.prog = prog;
	return prog;
}

struct xdp_multiprog *dp_xdp_dispatcher_of(int ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);

	if (libxdp_get_error(mp) || !mp)
		return NULL;
	if (xdp_multiprog__is_legacy(mp)) {
		xdp_multiprog__close(mp);
		return NULL;
	}
	return mp;
}

bool dp_xdp_dispatched(int ifindex)
{
	struct xdp_multiprog *mp = dp_xdp_dispatcher_of(ifindex);

	xdp_multiprog__close(mp);
	return mp != NULL;
}

/* ifindex's dispatcher runs program id. */
static bool dp_xdp_runs(int ifindex, uint32_t id)
{
	struct xdp_multiprog *mp = dp_xdp_dispatcher_of(ifindex);
	struct xdp_program *p = NULL;
	bool found = false;

	while (id && (p = xdp_multiprog__next_prog(p, mp)))
		found = found || xdp_program__id(p) == id;
	xdp_multiprog__close(mp);
	return found;
}

/* Every copy of ours in ifindex's dispatcher but keep_id leaves it (all
 * of them for keep_id 0); how many left. */
static size_t dp_xdp_detach_ours(int ifindex, uint32_t keep_id)
{
	struct xdp_multiprog *mp = dp_xdp_dispatcher_of(ifindex);
	struct xdp_program *p = NULL, *ours[8];
	size_t n = 0;

	while ((p = xdp_multiprog__next_prog(p, mp)))
		if (!strcmp(xdp_program__name(p), DP_XDP_PROG_NAME) &&
		    xdp_program__id(p) != keep_id && n < array_size(ours))
			ours[n++] = p;
	if (n)
		xdp_program__detach_multi(ours, n, ifindex, XDP_MODE_NATIVE,
					  0);
	xdp_multiprog__close(mp);
	return n;
}

int dp_xdp_dispatch_attach(int ifindex, const char *ifname, char *err,
			   size_t errlen)
{
	struct xdp_program *prog = dp_xdp_slot(err, errlen);
	int ret;

	if (!prog)
		return -EINVAL;
	if (!dp_xdp_runs(ifindex, xdp_program__id(prog))) {
		ret = xdp_program__attach(prog, ifindex, XDP_MODE_NATIVE, 0);
		if (ret == -EOPNOTSUPP) {
			snprintf(err, errlen,
				 "interface %s does not support native XDP; use mode tc",
				 ifname);
			return ret;
		}
		if (ret) {
			snprintf(err, errlen,
				 "cannot attach XDP (libxdp's dispatcher) to %s: %s",
				 ifname, strerror(-ret));
			return ret;
		}
	}
	/*
	 * An earlier run's copy of ours leaves after ours is in: for the
	 * moment between the two swaps a packet it passes up meets ours
	 * again, rather than no datapath at all.
	 */
	dp_xdp_detach_ours(ifindex, xdp_program__id(prog));
	return 0;
}

bool dp_xdp_dispatch_detach(int ifindex)
{
	return dp_xdp_detach_ours(ifindex, 0) > 0;
}

void dp_xdp_dispatch_close(void)
{
	if (dp_xd.prog)
		xdp_program__close(dp_xd.prog);
	if (dp_xd.skel)
		xdp_main__destroy(dp_xd.skel);
	dp_xd.prog = NULL;
	dp_xd.skel = NULL;
}

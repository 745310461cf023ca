// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A user's XDP program in libxdp's dispatcher, around ours (chain.h).
 * libxdp loads it at its first attach as an freplace program of that
 * interface's dispatcher and links the same program into the others;
 * every change swaps the whole dispatcher at once (maps/dp_xdp_dispatch.c).
 */
#include <zebra.h>

#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "lib/memory.h"
#include "lib/privs.h"

#include "core/dp_plugin.h"
#include "maps/dp_maps.h"
#include "chain/chain.h"

DEFINE_MTYPE_STATIC(EBPF, CHAIN_XDP, "eBPF chained XDP program");

struct chain_xdp {
	struct bpf_object *obj;
	struct xdp_program *prog;
};

const char *chain_xdp_refusal(void)
{
	static char why[300];
	const char *r = dp_xdp_dispatch_refusal();

	if (!r)
		return NULL;
	snprintf(why, sizeof(why), "%s; chain at tc-ingress", r);
	return why;
}

struct chain_xdp *chain_xdp_open(const char *object, const char *program,
				 unsigned int run_prio, char *err,
				 size_t errlen)
{
	DECLARE_LIBXDP_OPTS(xdp_program_opts, xo, .prog_name = program);
	struct chain_xdp *x = XCALLOC(MTYPE_CHAIN_XDP, sizeof(*x));
	struct bpf_program *want, *p;
	long ret;

	frr_with_privs (dp_privs()) {
		x->obj = bpf_object__open_file(object, NULL);
		ret = libbpf_get_error(x->obj);
		if (ret) {
			x->obj = NULL;
			snprintf(err, errlen, "cannot open object %s: %s",
				 object, strerror(-ret));
			break;
		}
		want = bpf_object__find_program_by_name(x->obj, program);
		if (!want) {
			snprintf(err, errlen, "object %s has no program %s",
				 object, program);
			ret = -ENOENT;
			break;
		}
		/* only this program: the object may hold others */
		bpf_object__for_each_program (p, x->obj)
			bpf_program__set_autoload(p, p == want);
		xo.obj = x->obj;
		x->prog = xdp_program__create(&xo);
		ret = libxdp_get_error(x->prog);
		if (ret) {
			x->prog = NULL;
			snprintf(err, errlen, "libxdp cannot use %s of %s: %s",
				 program, object, strerror(-ret));
			break;
		}
		xdp_program__set_run_prio(x->prog, run_prio);
	}
	if (ret) {
		chain_xdp_close(x);
		return NULL;
	}
	return x;
}

int chain_xdp_attach(struct chain_xdp *x, int ifindex, char *err,
		     size_t errlen)
{
	int ret;

	frr_with_privs (dp_privs())
		ret = xdp_program__attach(x->prog, ifindex, XDP_MODE_NATIVE, 0);
	if (ret)
		snprintf(err, errlen,
			 "cannot add to libxdp's dispatcher: %s (zebra's log says more)",
			 strerror(-ret));
	return ret;
}

void chain_xdp_detach(struct chain_xdp *x, int ifindex)
{
	frr_with_privs (dp_privs())
		xdp_program__detach(x->prog, ifindex, XDP_MODE_NATIVE, 0);
}

uint32_t chain_xdp_id(const struct chain_xdp *x)
{
	return x && x->prog ? xdp_program__id(x->prog) : 0;
}

void chain_xdp_close(struct chain_xdp *x)
{
	if (!x)
		return;
	if (x->prog)
		xdp_program__close(x->prog);
	/* created from our object: libxdp leaves it to us */
	bpf_object__close(x->obj);
	XFREE(MTYPE_CHAIN_XDP, x);
}

int chain_xdp_list(int ifindex, struct chain_xdp_slot *out, int max)
{
	struct xdp_multiprog *mp;
	struct xdp_program *p = NULL;
	int n = 0;

	frr_with_privs (dp_privs())
		mp = xdp_multiprog__get_from_ifindex(ifindex);
	if (libxdp_get_error(mp) || !mp)
		return -1;
	if (xdp_multiprog__is_legacy(mp)) {
		xdp_multiprog__close(mp);
		return -1;
	}
	while ((p = xdp_multiprog__next_prog(p, mp)) && n < max) {
		out[n].id = xdp_program__id(p);
		out[n].run_prio = xdp_program__run_prio(p);
		strlcpy(out[n].name, xdp_program__name(p), sizeof(out[n].name));
		n++;
	}
	xdp_multiprog__close(mp);
	return n;
}

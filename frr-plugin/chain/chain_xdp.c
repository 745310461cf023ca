// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A user's XDP program in libxdp's dispatcher, around ours (chain.h).
 * libxdp loads it at its first attach as an freplace program of that
 * interface's dispatcher and links the same program into the others;
 * every change swaps the whole dispatcher at once (maps/dp_xdp_dispatch.c).
 *
 * libxdp's own pins keep a dispatcher's programs running when zebra stops
 * or dies, but say nothing of whose they are: each chain's program is also
 * pinned as <pin dir>/xdp-chain/NAME@IFINDEX, so that the next program of
 * that chain on that interface (a move, or the next run's) replaces it,
 * and one no chain claims any more goes.
 */
#include <zebra.h>

#include <dirent.h>

#include <bpf/bpf.h>
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

static void chain_xdp_pin_path(char *buf, size_t len, const char *name,
			       int ifindex)
{
	snprintf(buf, len, "%s/xdp-chain/%s@%d", dp_pin_dir(), name, ifindex);
}

/* Program id out of ifindex's dispatcher. Privileges held. */
static void chain_xdp_detach_id(int ifindex, uint32_t id)
{
	struct xdp_program *p = xdp_program__from_id(id);

	if (libxdp_get_error(p))
		return;
	xdp_program__detach(p, ifindex, XDP_MODE_NATIVE, 0);
	xdp_program__close(p);
}

/* The program pinned at path, out of ifindex's dispatcher and unpinned.
 * Privileges held. */
static void chain_xdp_drop_pinned(const char *path, int ifindex,
				  uint32_t keep_id)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);
	int fd = bpf_obj_get(path);

	if (fd < 0)
		return;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.id != keep_id)
		chain_xdp_detach_id(ifindex, info.id);
	close(fd);
	unlink(path);
}

void chain_xdp_adopt(struct chain_xdp *x, const char *name, int ifindex)
{
	char path[PATH_MAX], dir[PATH_MAX];

	chain_xdp_pin_path(path, sizeof(path), name, ifindex);
	snprintf(dir, sizeof(dir), "%s/xdp-chain", dp_pin_dir());
	frr_with_privs (dp_privs()) {
		chain_xdp_drop_pinned(path, ifindex, chain_xdp_id(x));
		if (mkdir(dir, 0700) && errno != EEXIST)
			break;
		if (bpf_obj_pin(xdp_program__fd(x->prog), path))
			zlog_warn("ebpf: chain %s: cannot pin its program at %s: %s",
				  name, path, safe_strerror(errno));
	}
}

void chain_xdp_release(struct chain_xdp *x, const char *name, int ifindex)
{
	char path[PATH_MAX];

	chain_xdp_pin_path(path, sizeof(path), name, ifindex);
	frr_with_privs (dp_privs()) {
		xdp_program__detach(x->prog, ifindex, XDP_MODE_NATIVE, 0);
		unlink(path);
	}
}

void chain_xdp_sweep(bool (*claimed)(const char *name, int ifindex))
{
	char dir[PATH_MAX], path[PATH_MAX * 2], name[256];
	struct dirent *de;
	DIR *d;
	int ifindex;

	snprintf(dir, sizeof(dir), "%s/xdp-chain", dp_pin_dir());
	frr_with_privs (dp_privs()) {
		d = opendir(dir);
		if (!d)
			break;
		while ((de = readdir(d))) {
			char *at = strrchr(de->d_name, '@');

			if (!at || at == de->d_name)
				continue;
			snprintf(name, sizeof(name), "%.*s",
				 (int)(at - de->d_name), de->d_name);
			ifindex = atoi(at + 1);
			if (claimed(name, ifindex))
				continue;
			zlog_notice("ebpf: chain %s is no longer configured: its program leaves ifindex %d's XDP dispatcher",
				    name, ifindex);
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			chain_xdp_drop_pinned(path, ifindex, 0);
		}
		closedir(d);
	}
}

int chain_xdp_list(int ifindex, struct chain_xdp_slot *out, int max)
{
	struct xdp_multiprog *mp;
	struct xdp_program *p = NULL;
	int n = 0;

	frr_with_privs (dp_privs())
		mp = dp_xdp_dispatcher_of(ifindex);
	if (!mp)
		return -1;
	while ((p = xdp_multiprog__next_prog(p, mp)) && n < max) {
		out[n].id = xdp_program__id(p);
		out[n].run_prio = xdp_program__run_prio(p);
		strlcpy(out[n].name, xdp_program__name(p), sizeof(out[n].name));
		n++;
	}
	xdp_multiprog__close(mp);
	return n;
}

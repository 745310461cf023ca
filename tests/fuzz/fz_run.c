// SPDX-License-Identifier: GPL-2.0-or-later
/* Running frames and reading counters for the fuzz (fz_run.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "fz_run.h"

/* Per-CPU values are laid out 8-byte aligned, one per possible CPU. */
int fz_counts_read(struct harness *h, uint32_t stats_idx, struct fz_counts *c)
{
	static uint32_t keys[DP_STATS_MAX];
	static struct dp_counter *vals;
	static struct dp_intf_stats *ivals;
	uint32_t out_batch = 0, count = DP_STATS_MAX, i;
	int cpu, err;

	if (!vals) {
		vals = calloc((size_t)DP_STATS_MAX * h->ncpus, sizeof(*vals));
		ivals = calloc(h->ncpus, sizeof(*ivals));
		if (!vals || !ivals)
			return -ENOMEM;
	}
	err = bpf_map_lookup_batch(h->stats, NULL, &out_batch, keys, vals,
				   &count, NULL);
	if (err && errno != ENOENT)
		return -errno;
	memset(c, 0, sizeof(*c));
	for (i = 0; i < count; i++) {
		if (keys[i] >= DP_STATS_MAX)
			continue;
		for (cpu = 0; cpu < h->ncpus; cpu++) {
			const struct dp_counter *v =
				&vals[(size_t)i * h->ncpus + cpu];

			c->packets[keys[i]] += v->packets;
			c->bytes[keys[i]] += v->bytes;
		}
	}
	if (bpf_map_lookup_elem(h->intf_stats, &stats_idx, ivals))
		return -errno;
	for (cpu = 0; cpu < h->ncpus; cpu++) {
		c->istats.rx_packets += ivals[cpu].rx_packets;
		c->istats.rx_bytes += ivals[cpu].rx_bytes;
		c->istats.fwd_packets += ivals[cpu].fwd_packets;
		c->istats.fwd_bytes += ivals[cpu].fwd_bytes;
		c->istats.pass_packets += ivals[cpu].pass_packets;
	}
	return 0;
}

void fz_counts_delta(const struct fz_counts *b, const struct fz_counts *a,
		     struct fz_delta *d)
{
	uint32_t i;

	memset(d, 0, sizeof(*d));
	d->reason = DP_R_MAX;
	for (i = 0; i < DP_STATS_MAX; i++) {
		if (a->packets[i] == b->packets[i] && a->bytes[i] == b->bytes[i])
			continue;
		d->moved++;
		d->hook = i / DP_R_MAX;
		d->reason = i % DP_R_MAX;
		d->packets = a->packets[i] - b->packets[i];
		d->bytes = a->bytes[i] - b->bytes[i];
	}
	d->istats.rx_packets = a->istats.rx_packets - b->istats.rx_packets;
	d->istats.rx_bytes = a->istats.rx_bytes - b->istats.rx_bytes;
	d->istats.fwd_packets = a->istats.fwd_packets - b->istats.fwd_packets;
	d->istats.fwd_bytes = a->istats.fwd_bytes - b->istats.fwd_bytes;
	d->istats.pass_packets = a->istats.pass_packets - b->istats.pass_packets;
}

int fz_run_xdp(struct harness *h, const uint8_t *buf, size_t len,
	       struct h_result *r)
{
	static struct tpkt p;

	if (len > sizeof(p.buf))
		return -EINVAL;
	memcpy(p.buf, buf, len);
	p.len = len;
	memset(r, 0, sizeof(*r));
	r->err = h_run_xdp(h, &p, r);
	return r->err;
}

int fz_run_tc(struct harness *h, uint32_t ingress, const uint8_t *buf,
	      size_t len, struct h_result *r)
{
	struct __sk_buff in = {.ingress_ifindex = ingress};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_size_in = len,
		    .data_out = r->out, .data_size_out = sizeof(r->out),
		    .ctx_in = &in, .ctx_size_in = sizeof(in), .repeat = 1);

	memset(r, 0, sizeof(*r));
	r->err = bpf_prog_test_run_opts(h->prog_fd[DP_HOOK_TC], &o);
	if (r->err)
		return r->err;
	r->verdict = o.retval;
	r->out_len = o.data_size_out;
	return 0;
}

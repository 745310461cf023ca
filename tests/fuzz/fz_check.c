// SPDX-License-Identifier: GPL-2.0-or-later
/* The fuzz's invariants and tally (fz_check.h). */
#include <inttypes.h>
#include <string.h>

#include "fz_check.h"

static const char *const vkind_names[FZ_V_MAX] = {
	[FZ_V_RUN_ERROR] = "run-error",
	[FZ_V_VERDICT] = "bad-verdict",
	[FZ_V_FWD_NOT_KERNEL] = "fwd-kernel-would-not",
	[FZ_V_FWD_ALTERED] = "fwd-kernel-sends-other-frame",
	[FZ_V_EGRESS] = "wrong-next-hop",
	[FZ_V_OUTPUT] = "wrong-output-frame",
	[FZ_V_PASS_MODIFIED] = "passed-but-modified",
	[FZ_V_COUNT] = "not-counted-once",
	[FZ_V_COUNT_REASON] = "counter-contradicts-verdict",
	[FZ_V_META] = "xdp-metadata",
	[FZ_V_ISTATS] = "interface-counters",
};

const char *fz_vkind_name(enum fz_vkind k)
{
	return (unsigned int)k < FZ_V_MAX ? vkind_names[k] : "?";
}

#define ETH_HLEN_ 14
#define ETH_ZLEN_ 60 /* shortest frame a NIC sends (padded) */

static bool is_fwd_reason(enum dp_reason r)
{
	return r == DP_R_FWD || r == DP_R_FWD_NEIGH;
}

bool fz_tc_takes(enum dp_reason r)
{
#ifdef DP_REASON_TC_TAKES
	return DP_REASON_TC_TAKES(r);
#else
	return r == DP_R_PASS_NO_NEIGH;
#endif
}

/* ------------------------------------------------------------ reports */

static struct fz_class *class_get(struct fz_tally *t, enum fz_vkind kind,
				  const char *sub, const struct fz_case *cs)
{
	unsigned int i;

	for (i = 0; i < t->n_classes; i++)
		if (t->classes[i].kind == kind && !strcmp(t->classes[i].sub, sub))
			return &t->classes[i];
	if (t->n_classes == FZ_CLASS_MAX)
		return &t->classes[FZ_CLASS_MAX - 1];
	t->classes[t->n_classes].kind = kind;
	snprintf(t->classes[t->n_classes].sub,
		 sizeof(t->classes[t->n_classes].sub), "%s", sub);
	t->classes[t->n_classes].first_seed = cs->seed;
	t->classes[t->n_classes].first_index = cs->index;
	t->classes[t->n_classes].first_ingress = cs->ingress;
	return &t->classes[t->n_classes++];
}

static void hexdump(FILE *out, const char *what, const uint8_t *b, size_t n)
{
	size_t i;

	fprintf(out, "  %s (%zu bytes):", what, n);
	for (i = 0; i < n; i++) {
		if (i % 32 == 0)
			fprintf(out, "\n    %04zx ", i);
		fprintf(out, "%02x", b[i]);
	}
	fprintf(out, "\n");
}

static const char *verdict_name(enum dp_hook hook, uint32_t v)
{
	if (v == h_verdict_fwd(hook))
		return hook == DP_HOOK_XDP ? "XDP_REDIRECT" : "TC_ACT_REDIRECT";
	if (v == h_verdict_pass(hook))
		return hook == DP_HOOK_XDP ? "XDP_PASS" : "TC_ACT_UNSPEC";
	return "other";
}

static void report(struct fz_tally *t, const struct fz_case *cs,
		   enum fz_vkind kind, const char *sub, const char *detail,
		   FILE *out)
{
	struct fz_class *cl = class_get(t, kind, sub, cs);
	const struct fz_model_result *m = &cs->model;
	unsigned int i;

	cl->count++;
	t->violations++;
	if (!t->verbose && cl->count > t->max_print)
		return;
	fprintf(out, "VIOLATION %s [%s] seed=%" PRIu64 " index=%" PRIu64
		     " ingress=%u (%s mode)\n",
		fz_vkind_name(kind), sub, cs->seed, cs->index, cs->ingress,
		cs->xdp_mode ? "xdp" : "tc");
	fprintf(out, "  frame: %s\n", cs->frame->desc);
	if (cs->ran_xdp)
		fprintf(out, "  xdp: %s meta=%s:%s\n",
			verdict_name(DP_HOOK_XDP, cs->xdp.verdict),
			cs->xdp.has_meta ? "yes" : "no",
			cs->xdp.has_meta ? h_reason_name(cs->xdp.meta.reason) :
					   "-");
	if (cs->ran_tc)
		fprintf(out, "  tc: %s\n",
			verdict_name(DP_HOOK_TC, cs->tc.verdict));
	fprintf(out, "  counted: %d entries, last %s/%s packets=%" PRIu64 "\n",
		cs->delta.moved, h_hook_name(cs->delta.hook),
		h_reason_name(cs->delta.reason), cs->delta.packets);
	fprintf(out, "  model: %s (%s; %s)\n", fz_mv_name(m->verdict),
		fz_why_name(m->why), fz_why_source(m->why));
	for (i = 0; i < m->n_nh; i++)
		fprintf(out,
			"    path %u: if %u %s %02x:%02x:%02x:%02x:%02x:%02x"
			" -> %s (%s)\n",
			i, m->nh[i].ifindex,
			m->nh[i].resolved ? "mac" : "unresolved", m->nh[i].dmac[0],
			m->nh[i].dmac[1], m->nh[i].dmac[2], m->nh[i].dmac[3],
			m->nh[i].dmac[4], m->nh[i].dmac[5],
			fz_mv_name(m->nh[i].verdict), fz_why_name(m->nh[i].why));
	if (detail && *detail)
		fprintf(out, "  detail: %s\n", detail);
	hexdump(out, "input", cs->frame->buf, cs->frame->len);
	if (cs->ran_tc && cs->tc.verdict == h_verdict_fwd(DP_HOOK_TC))
		hexdump(out, "output", cs->tc.out, cs->tc.out_len);
	else if (cs->ran_xdp && cs->xdp.verdict == h_verdict_fwd(DP_HOOK_XDP))
		hexdump(out, "output", cs->xdp.out, cs->xdp.out_len);
	fprintf(out, "  replay: --seed %" PRIu64 " --start %" PRIu64
		     " --count 1 -v\n",
		cs->seed, cs->index);
}

/* ------------------------------------------------------- output frame */

static uint16_t ip4_header_csum(const uint8_t *ip, unsigned int ihl)
{
	uint32_t sum = 0;
	unsigned int i;

	for (i = 0; i < ihl; i += 2)
		if (i != 10)
			sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/*
 * The frame the kernel would send through next hop nh: the IP packet as
 * trimmed to its own length, a new Ethernet header (l2_rewrite: next hop
 * and egress MACs, else as received, for bpf_redirect_neigh whose L2
 * header the kernel's neighbour output writes later), TTL or hop limit
 * minus one, the IPv4 checksum recomputed in full.
 */
static size_t expected_frame(const struct fz_case *cs,
			     const struct fz_nexthop *nh, bool l2_rewrite,
			     uint8_t *exp)
{
	const struct fz_model_result *m = &cs->model;
	size_t len = m->l3_off + m->l3_len;
	uint8_t *ip = exp + m->l3_off;

	memcpy(exp, cs->frame->buf, len);
	if (l2_rewrite) {
		memcpy(exp, nh->dmac, 6);
		memcpy(exp + 6, nh->smac, 6);
	}
	if (m->family == FZ_AF_INET) {
		uint16_t c;

		ip[8]--;
		c = ip4_header_csum(ip, (ip[0] & 0xf) * 4);
		ip[10] = c >> 8;
		ip[11] = c;
	} else {
		ip[7]--;
	}
	return len;
}

/* Which part of the frame first differs: a name for the class. */
static const char *diff_field(const struct fz_case *cs, const uint8_t *got,
			      const uint8_t *exp, size_t n, size_t *at)
{
	const struct fz_model_result *m = &cs->model;
	size_t i, l3 = m->l3_off;

	for (i = 0; i < n && got[i] == exp[i]; i++)
		;
	*at = i;
	if (i == n)
		return NULL;
	if (i < 6)
		return "dst-mac";
	if (i < 12)
		return "src-mac";
	if (m->family == FZ_AF_INET && i == l3 + 8)
		return "ttl";
	if (m->family == FZ_AF_INET && (i == l3 + 10 || i == l3 + 11))
		return "ipv4-checksum";
	if (m->family == FZ_AF_INET6 && i == l3 + 7)
		return "hop-limit";
	return i < l3 + 40 ? "header-bytes" : "payload-bytes";
}

static void check_output(struct fz_tally *t, const struct fz_case *cs,
			 const struct fz_nexthop *nh, bool l2_rewrite,
			 const uint8_t *out, size_t out_len, FILE *o)
{
	static uint8_t exp[FZ_FRAME_MAX + 64];
	size_t exp_len = expected_frame(cs, nh, l2_rewrite, exp), at;
	size_t n = out_len < exp_len ? out_len : exp_len;
	const char *field = diff_field(cs, out, exp, n, &at);
	char detail[160];

	if (field) {
		snprintf(detail, sizeof(detail),
			 "first difference at byte %zu: got %02x, kernel %02x",
			 at, out[at], exp[at]);
		report(t, cs, FZ_V_OUTPUT, field, detail, o);
		return;
	}
	if (out_len < exp_len) {
		snprintf(detail, sizeof(detail), "%zu bytes, kernel sends %zu",
			 out_len, exp_len);
		report(t, cs, FZ_V_OUTPUT, "short", detail, o);
	} else if (out_len > exp_len && out_len > ETH_ZLEN_) {
		/* pskb_trim_rcsum: the kernel forwards the IP packet only;
		 * padding up to the Ethernet minimum is the NIC's. */
		snprintf(detail, sizeof(detail),
			 "%zu bytes sent, the IP packet ends at %zu: the kernel "
			 "trims the rest (pskb_trim_rcsum)",
			 out_len, exp_len);
		report(t, cs, FZ_V_OUTPUT, "trailer-not-trimmed", detail, o);
	}
}

/* ------------------------------------------------------------- checks */

/* A forwarded frame: the kernel must forward it, through this next hop,
 * and send exactly this. */
static void check_forwarded(struct fz_tally *t, const struct fz_case *cs,
			    enum dp_hook hook, const struct h_result *r,
			    enum dp_reason reason, FILE *o)
{
	const struct fz_model_result *m = &cs->model;
	const struct fz_nexthop *nh = NULL;
	unsigned int i;
	char detail[160];

	if (m->verdict != FZ_MV_FWD) {
		report(t, cs,
		       m->verdict == FZ_MV_FWD_ALTERED ? FZ_V_FWD_ALTERED :
							 FZ_V_FWD_NOT_KERNEL,
		       fz_why_name(m->why), NULL, o);
		return;
	}
	if (hook == DP_HOOK_TC && reason == DP_R_FWD_NEIGH) {
		/* bpf_redirect_neigh: the egress is not visible in a test
		 * run; the L3 part must be right for a path that forwards. */
		for (i = 0; i < m->n_nh && !nh; i++)
			if (m->nh[i].verdict == FZ_MV_FWD)
				nh = &m->nh[i];
		check_output(t, cs, nh, false, r->out, r->out_len, o);
		return;
	}
	for (i = 0; i < m->n_nh && !nh; i++)
		if (m->nh[i].resolved && r->out_len >= 12 &&
		    !memcmp(r->out, m->nh[i].dmac, 6) &&
		    !memcmp(r->out + 6, m->nh[i].smac, 6))
			nh = &m->nh[i];
	if (!nh) {
		snprintf(detail, sizeof(detail),
			 "sent to %02x:%02x:%02x:%02x:%02x:%02x from "
			 "%02x:%02x:%02x:%02x:%02x:%02x (tag %d)",
			 r->out[0], r->out[1], r->out[2], r->out[3], r->out[4],
			 r->out[5], r->out[6], r->out[7], r->out[8], r->out[9],
			 r->out[10], r->out[11], h_out_tag(r));
		report(t, cs, FZ_V_EGRESS, "no-such-kernel-path", detail, o);
		return;
	}
	if (nh->verdict != FZ_MV_FWD) {
		report(t, cs,
		       nh->verdict == FZ_MV_FWD_ALTERED ? FZ_V_FWD_ALTERED :
							  FZ_V_FWD_NOT_KERNEL,
		       fz_why_name(nh->why), "on the path the datapath chose", o);
		return;
	}
	check_output(t, cs, nh, true, r->out, r->out_len, o);
}

/* Counted exactly once, under the hook that decided and a reason that
 * agrees with the verdict; the interface's counters likewise. */
static void check_counters(struct fz_tally *t, const struct fz_case *cs,
			   enum dp_hook hook, bool fwd, FILE *o)
{
	const struct fz_delta *d = &cs->delta;
	char detail[160];

	if (d->moved != 1 || d->packets != 1 ||
	    d->bytes != cs->frame->len) {
		snprintf(detail, sizeof(detail),
			 "%d entries moved, last by %" PRIu64
			 " packets / %" PRIu64 " bytes (frame %zu bytes)",
			 d->moved, d->packets, d->bytes, cs->frame->len);
		report(t, cs, FZ_V_COUNT,
		       d->moved == 0 ? "none" :
		       d->moved > 1  ? "several" :
		       d->packets != 1 ? "packets" : "bytes",
		       detail, o);
		return;
	}
	if (d->hook != hook || is_fwd_reason(d->reason) != fwd ||
	    (d->reason == DP_R_FWD_NEIGH && hook != DP_HOOK_TC)) {
		snprintf(detail, sizeof(detail),
			 "decided at %s (%s), counted %s/%s",
			 h_hook_name(hook), fwd ? "forward" : "pass",
			 h_hook_name(d->hook), h_reason_name(d->reason));
		report(t, cs, FZ_V_COUNT_REASON, h_reason_name(d->reason),
		       detail, o);
	}
	if (d->istats.rx_packets != 1 || d->istats.rx_bytes != cs->frame->len ||
	    d->istats.fwd_packets != (fwd ? 1u : 0u) ||
	    d->istats.fwd_bytes != (fwd ? cs->frame->len : 0) ||
	    d->istats.pass_packets != (fwd ? 0u : 1u)) {
		snprintf(detail, sizeof(detail),
			 "rx %" PRIu64 "/%" PRIu64 " fwd %" PRIu64 "/%" PRIu64
			 " pass %" PRIu64,
			 (uint64_t)d->istats.rx_packets,
			 (uint64_t)d->istats.rx_bytes,
			 (uint64_t)d->istats.fwd_packets,
			 (uint64_t)d->istats.fwd_bytes,
			 (uint64_t)d->istats.pass_packets);
		report(t, cs, FZ_V_ISTATS, fwd ? "forward" : "pass", detail, o);
	}
}

int fz_check(struct fz_tally *t, const struct fz_case *cs, FILE *o)
{
	const struct h_result *r;
	enum dp_hook hook;
	uint64_t before = t->violations;
	bool fwd;

	t->cases[cs->xdp_mode ? 0 : 1]++;
	t->model_why[cs->model.why]++;
	if (cs->model.verdict == FZ_MV_FWD)
		t->model_fwd++;

	if (cs->untestable) {
		t->untestable++;
		return 0;
	}
	if ((cs->ran_xdp && cs->xdp.err) || (cs->ran_tc && cs->tc.err)) {
		char detail[64];

		snprintf(detail, sizeof(detail), "xdp err %d, tc err %d",
			 cs->ran_xdp ? cs->xdp.err : 0,
			 cs->ran_tc ? cs->tc.err : 0);
		report(t, cs, FZ_V_RUN_ERROR, "test-run", detail, o);
		return 1;
	}
	/* XDP's metadata: present on every pass, naming what it counted
	 * (or the hand-over reason). */
	if (cs->ran_xdp && cs->xdp.verdict == h_verdict_pass(DP_HOOK_XDP) &&
	    (!cs->xdp.has_meta || cs->xdp.meta.magic != DP_XDP_META_MAGIC ||
	     (!cs->ran_tc && cs->xdp.meta.reason != cs->delta.reason)))
		report(t, cs, FZ_V_META,
		       cs->xdp.has_meta ? "reason" : "missing", NULL, o);
	if (cs->ran_tc) {
		t->handed_to_tc += cs->ran_xdp;
		hook = DP_HOOK_TC;
		r = &cs->tc;
	} else {
		hook = DP_HOOK_XDP;
		r = &cs->xdp;
	}

	if (r->verdict == h_verdict_fwd(hook)) {
		fwd = true;
	} else if (r->verdict == h_verdict_pass(hook)) {
		fwd = false;
	} else {
		report(t, cs, FZ_V_VERDICT, verdict_name(hook, r->verdict), NULL,
		       o);
		return 1;
	}
	check_counters(t, cs, hook, fwd, o);
	if ((unsigned int)cs->delta.reason < DP_R_MAX && cs->delta.moved) {
		if (fwd)
			t->dp_fwd[hook][cs->delta.reason]++;
		else
			t->dp_pass[hook][cs->delta.reason]++;
	}

	if (fwd) {
		check_forwarded(t, cs, hook, r, cs->delta.reason, o);
	} else if (r->out_len != cs->frame->len ||
		   memcmp(r->out, cs->frame->buf, r->out_len)) {
		report(t, cs, FZ_V_PASS_MODIFIED, h_reason_name(cs->delta.reason),
		       NULL, o);
	}
	return (int)(t->violations - before);
}

/* -------------------------------------------------------------- summary */

void fz_tally_print(const struct fz_tally *t, FILE *o)
{
	uint64_t fwd[DP_HOOK_MAX] = {0};
	unsigned int h, i;

	for (h = 0; h < DP_HOOK_MAX; h++)
		for (i = 0; i < DP_R_MAX; i++)
			fwd[h] += t->dp_fwd[h][i];
	fprintf(o, "frames run: %" PRIu64 " on the xdp-mode ingress, %" PRIu64
		   " on the tc-mode ingress\n",
		t->cases[0], t->cases[1]);
	if (t->untestable)
		fprintf(o, "not run: %" PRIu64 " frames the TC test run refuses "
			   "(IP ethertype, shorter than the IP header)\n",
			t->untestable);
	fprintf(o, "forwarded by the datapath: %" PRIu64 " (xdp %" PRIu64
		   ", tc %" PRIu64 "; tc took %" PRIu64 " from xdp)\n",
		fwd[0] + fwd[1], fwd[0], fwd[1], t->handed_to_tc);
	for (h = 0; h < DP_HOOK_MAX; h++)
		for (i = 0; i < DP_R_MAX; i++)
			if (t->dp_fwd[h][i])
				fprintf(o, "  %s %-22s %10" PRIu64 "\n",
					h_hook_name(h), h_reason_name(i),
					t->dp_fwd[h][i]);
	fprintf(o, "forwarded by the model (kernel): %" PRIu64 "\n",
		t->model_fwd);
	fprintf(o, "model verdicts by rule:\n");
	for (i = 0; i < FZ_W_MAX; i++)
		if (t->model_why[i])
			fprintf(o, "  %-34s %10" PRIu64 "  %s\n",
				fz_why_name(i), t->model_why[i],
				fz_why_source(i));
	fprintf(o, "passed by reason:\n");
	for (h = 0; h < DP_HOOK_MAX; h++)
		for (i = 0; i < DP_R_MAX; i++)
			if (t->dp_pass[h][i])
				fprintf(o, "  %s %-22s %10" PRIu64 "\n",
					h_hook_name(h), h_reason_name(i),
					t->dp_pass[h][i]);
	fprintf(o, "violations: %" PRIu64 "\n", t->violations);
	for (i = 0; i < t->n_classes; i++)
		fprintf(o,
			"  %-28s %-34s %10" PRIu64
			"  first: --seed %" PRIu64 " --start %" PRIu64
			" (ingress %u)\n",
			fz_vkind_name(t->classes[i].kind), t->classes[i].sub,
			t->classes[i].count, t->classes[i].first_seed,
			t->classes[i].first_index, t->classes[i].first_ingress);
}

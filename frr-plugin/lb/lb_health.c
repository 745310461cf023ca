// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Health checks of load-balancer backends (lb_health.h).
 *
 * Three kinds of state, each with one owner:
 *  - the VIP table (VIP name -> params, backends): zebra's main pthread
 *    only, so lb_health_set/del/status walk it without a lock;
 *  - a backend's check in progress (socket, timers, HTTP parser, ICMP
 *    sequence): the health pthread only;
 *  - what crosses between the two, under hc.lock: each backend's status,
 *    the lists of backends to start, to free ("grave") and whose health
 *    flipped ("dirty"), and the counters. Nothing slow runs under the
 *    lock: a list move or a status copy.
 *
 * A backend object never changes what it checks (address, port, params),
 * so the health pthread reads those without a lock. New params make a new
 * object, which inherits the old one's up/down state; the old one is
 * retired. The main pthread retires, the health pthread frees: only the
 * pthread that owns a task may cancel it.
 *
 * Results come back to the main pthread as one event (hc_deliver) that
 * drains the dirty list, so a burst of flips costs one wake-up, and a flip
 * of a backend that was removed or deleted meanwhile is never reported.
 *
 * The health pthread's own event loop sees three descriptors, not one per
 * check: an epoll set holding the checks' sockets, a timerfd ticking every
 * LB_HC_SLOT_MS while anything is scheduled, and the ICMP sockets. FRR's
 * loop polls every descriptor it watches on each wake-up and spins
 * through the last millisecond before a timer: with a thousand backends
 * checked every second, a socket and a timer each, that cost a third of a
 * core, 80 % of it in poll() (bench/health). Checks and timeouts instead
 * sit in a wheel of LB_HC_SLOT_MS slots, run a slot at a time.
 */

#include "config.h"

#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

#include "lib/zebra.h"
#include "lib/frr_pthread.h"
#include "lib/jhash.h"
#include "lib/libfrr.h"
#include "lib/memory.h"
#include "lib/monotime.h"
#include "lib/network.h"
#include "lib/thread.h"
#include "lib/typesafe.h"

#include "core/dp_plugin.h"
#include "lb/lb_health.h"

DEFINE_MTYPE_STATIC(EBPF, LB_HC_VIP, "LB health-check VIP");
DEFINE_MTYPE_STATIC(EBPF, LB_HC_BACKEND, "LB health-check backend");
DEFINE_MTYPE_STATIC(EBPF, LB_HC_PARAMS, "LB health-check parameters");
DEFINE_MTYPE_STATIC(EBPF, LB_HC_BUF, "LB health-check buffers");

/*
 * A check times out after min(interval, LB_HC_TIMEOUT_MAX_MS). Not longer
 * than the interval, so a backend never has two checks in flight (results
 * stay in order, and a silent backend holds one socket at most); and not
 * longer than the cap, because a backend that needs more than 2 s to
 * accept a connection or answer a GET should not get users either, and
 * with a long interval a socket held for the whole interval would only
 * use up zebra's file descriptors.
 */
#define LB_HC_TIMEOUT_MAX_MS 2000
#define LB_HC_INTERVAL_MIN_MS 10

/* An HTTP response's status line, and its whole head, must fit these. */
#define LB_HC_LINE_MAX 256
#define LB_HC_HEAD_MAX 8192

/*
 * Sockets the checks may hold at once: zebra shares its descriptors with
 * them (Debian's frr.service sets LimitNOFILE=1024, and FRR's own event
 * loop cannot poll a descriptor at or above its limit). A quarter of the
 * limit, and at least 128, stay zebra's; a check beyond the budget waits
 * for one to finish (counted as deferred).
 */
#define LB_HC_FD_RESERVE_MIN 128

/* The wheel's granularity: check starts and timeouts due within one slot
 * run together, on one wake-up; a turn of the wheel is LB_HC_WHEEL slots
 * (a check due further ahead waits in its slot for its turn). */
#define LB_HC_SLOT_MS 10
#define LB_HC_SLOT_US (LB_HC_SLOT_MS * 1000)
#define LB_HC_WHEEL 512

/* Socket events taken per epoll_wait. */
#define LB_HC_EPOLL_BATCH 64

/* Flips reported per run of hc_deliver on the main pthread. */
#define LB_HC_DELIVER_BATCH 256
/* ICMP replies read per wake-up before yielding to the other tasks. */
#define LB_HC_ICMP_BATCH 64

#ifndef ICMP_FILTER
#define ICMP_FILTER 1 /* linux/icmp.h: a raw socket's type filter */
#endif

struct hc_params {
	_Atomic uint32_t refs;
	struct lb_hc_params p; /* normalized: comparable with memcmp */
	uint32_t timeout_ms;
	char vip[]; /* the VIP's name */
};

enum hc_queue {
	HC_Q_NONE,
	HC_Q_START, /* hc.start: for the health pthread to start */
	HC_Q_GRAVE, /* hc.grave: for the health pthread to free */
};

PREDECL_HASH(hc_bes);
PREDECL_HASH(hc_vips);
PREDECL_DLIST(hc_queue);
PREDECL_DLIST(hc_dirty);
PREDECL_DLIST(hc_live);
PREDECL_DLIST(hc_wait);
PREDECL_DLIST(hc_wheel);

/* What a backend waits for on its socket. */
enum hc_io {
	HC_IO_NONE, /* no socket, or not in the epoll set */
	HC_IO_CONNECT,
	HC_IO_SEND,
	HC_IO_READ,
};

struct hc_be {
	/* Set at creation, never changed: read by both pthreads. */
	struct lb_hc_backend key; /* normalized: comparable with memcmp */
	struct hc_params *params;
	union {
		struct sockaddr sa;
		struct sockaddr_in sin;
		struct sockaddr_in6 sin6;
	} sa; /* address and port checked */
	socklen_t salen;

	/* Main pthread. */
	struct hc_bes_item vitem; /* in its VIP's table */
	uint32_t gen;		  /* the set() that last named it */

	/* Under hc.lock. */
	struct lb_hc_status st;
	bool reported_up; /* what changed() was last told (written on main) */
	bool retired;
	bool dirty;
	enum hc_queue q;
	struct hc_queue_item qitem;
	struct hc_dirty_item ditem;

	/* Health pthread. */
	struct hc_live_item litem;
	struct hc_wait_item witem;
	struct hc_wheel_item whitem;
	bool live, waiting, on_wheel;
	bool running;	  /* checking: the wheel holds its timeout */
	uint64_t slot;	  /* on the wheel: when */
	enum hc_io io;
	int fd;
	bool icmp_held; /* hc.icmp[].wait[seq] points here */
	uint16_t seq;
	int64_t due_us;	  /* when the check in progress was due */
	int64_t start_us; /* when it started */
	uint32_t sent;	  /* HTTP: request bytes sent */
	uint32_t got;	  /* HTTP: response bytes read */
	uint16_t line_len;
	bool line_done, blank;
	char *line; /* HTTP: the status line, while a check runs */
};

struct hc_vip {
	struct hc_vips_item item;
	const char *name;
	struct hc_params *params;
	struct hc_bes_head bes;
	uint32_t gen;
};

static int hc_be_cmp(const struct hc_be *a, const struct hc_be *b)
{
	return memcmp(&a->key, &b->key, sizeof(a->key));
}

static uint32_t hc_be_hash(const struct hc_be *b)
{
	return jhash(&b->key, sizeof(b->key), 0x6c626863);
}

static int hc_vip_cmp(const struct hc_vip *a, const struct hc_vip *b)
{
	return strcmp(a->name, b->name);
}

static uint32_t hc_vip_hash(const struct hc_vip *v)
{
	return jhash(v->name, strlen(v->name), 0x6c627669);
}

DECLARE_HASH(hc_bes, struct hc_be, vitem, hc_be_cmp, hc_be_hash);
DECLARE_HASH(hc_vips, struct hc_vip, item, hc_vip_cmp, hc_vip_hash);
DECLARE_DLIST(hc_queue, struct hc_be, qitem);
DECLARE_DLIST(hc_dirty, struct hc_be, ditem);
DECLARE_DLIST(hc_live, struct hc_be, litem);
DECLARE_DLIST(hc_wait, struct hc_be, witem);
DECLARE_DLIST(hc_wheel, struct hc_be, whitem);

/* One ICMP socket per family, shared by every check of that family. */
struct hc_icmp {
	int fd;
	bool raw; /* else an unprivileged ICMP datagram socket */
	uint16_t id;
	uint16_t next_seq;
	struct hc_be **wait; /* [seq]: the check waiting for that reply */
	struct thread *t_read;
};

static struct {
	/* Set by lb_health_init, then only read. */
	bool inited;
	struct thread_master *main_master;
	lb_hc_changed_fn changed;

	/* Main pthread. */
	struct hc_vips_head vips;
	struct frr_pthread *fpt;
	bool start_pending;
	struct thread *t_start;
	/* Scheduled by the health pthread on main_master; thread_add_event
	 * reads and writes it under that master's own mutex. */
	struct thread *t_deliver;

	/* Under lock. */
	pthread_mutex_t lock;
	struct hc_queue_head start, grave;
	struct hc_dirty_head dirty;
	struct lb_hc_counters cnt;

	/* Health pthread (master is set before it starts). */
	struct thread_master *master;
	struct thread *t_apply; /* scheduled by main, under master's mutex */
	struct thread *t_drain;
	struct hc_live_head live;
	struct hc_wait_head waitq;
	uint32_t fds, fd_budget;
	struct hc_icmp icmp[2];
	int epfd, tfd;
	struct thread *t_ep, *t_tick;
	bool ticking;
	struct hc_wheel_head wheel[LB_HC_WHEEL];
	uint64_t slot_next; /* the first slot not run yet */
	uint32_t on_wheel;
} hc;

static const uint8_t hc_icmp_magic[8] = "frr-ebpf";

struct hc_echo {
	uint8_t type, code;
	uint16_t csum, id, seq;
	uint8_t magic[8];
	uint64_t stamp;
} __attribute__((packed));

/* ---------------------------------------------------------------- helpers */

static int64_t hc_now_us(void)
{
	struct timeval tv;

	monotime(&tv);
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

static size_t hc_alen(uint8_t family)
{
	return family == AF_INET6 ? 16 : 4;
}

/* The short text a socket error leaves in last_error. */
static const char *hc_errstr(int err)
{
	switch (err) {
	case ECONNREFUSED:
		return "connection refused";
	case ETIMEDOUT:
		return "timeout";
	case EHOSTUNREACH:
		return "host unreachable";
	case ENETUNREACH:
		return "network unreachable";
	case ECONNRESET:
	case EPIPE:
		return "connection reset";
	case EMFILE:
	case ENFILE:
		return "too many open files";
	default:
		return safe_strerror(err);
	}
}

static struct hc_params *hc_params_ref(struct hc_params *p)
{
	atomic_fetch_add_explicit(&p->refs, 1, memory_order_relaxed);
	return p;
}

/* Either pthread may drop the last reference. */
static void hc_params_unref(struct hc_params *p)
{
	if (p && atomic_fetch_sub_explicit(&p->refs, 1,
					   memory_order_acq_rel) == 1)
		XFREE(MTYPE_LB_HC_PARAMS, p);
}

static struct hc_params *hc_params_new(const char *vip,
				       const struct lb_hc_params *in)
{
	size_t len = strlen(vip) + 1;
	struct hc_params *p = XCALLOC(MTYPE_LB_HC_PARAMS, sizeof(*p) + len);

	p->refs = 1;
	memcpy(p->vip, vip, len);
	p->p.type = in->type;
	p->p.port = in->port;
	p->p.interval_ms = MAX(in->interval_ms, LB_HC_INTERVAL_MIN_MS);
	p->p.rise = MAX(in->rise, 1);
	p->p.fall = MAX(in->fall, 1);
	if (in->type == LB_HC_HTTP) {
		strlcpy(p->p.http_path, in->http_path[0] ? in->http_path : "/",
			sizeof(p->p.http_path));
		p->p.http_status = in->http_status ? in->http_status : 200;
	}
	p->timeout_ms = MIN(p->p.interval_ms, LB_HC_TIMEOUT_MAX_MS);
	return p;
}

static bool hc_key_make(const struct lb_hc_backend *in, struct lb_hc_backend *k)
{
	memset(k, 0, sizeof(*k));
	if (in->family != AF_INET && in->family != AF_INET6)
		return false;
	k->family = in->family;
	memcpy(k->addr, in->addr, hc_alen(in->family));
	k->port = in->port;
	return true;
}

/* ---------------------------------------- crossing the pthreads (hc.lock) */

/* Take b out of whatever it waits on and hand it to the health pthread to
 * free. Main pthread, lock held. */
static void hc_retire_locked(struct hc_be *b)
{
	b->retired = true;
	if (b->dirty) {
		hc_dirty_del(&hc.dirty, b);
		b->dirty = false;
	}
	if (b->q == HC_Q_START)
		hc_queue_del(&hc.start, b);
	if (b->q != HC_Q_GRAVE)
		hc_queue_add_tail(&hc.grave, b);
	b->q = HC_Q_GRAVE;
	hc.cnt.backends--;
}

static void hc_mark_dirty_locked(struct hc_be *b)
{
	if (b->retired || b->dirty)
		return;
	b->dirty = true;
	hc_dirty_add_tail(&hc.dirty, b);
}

static void hc_apply(struct thread *t);

static void hc_apply_soon(void)
{
	if (hc.master)
		thread_add_event(hc.master, hc_apply, NULL, 0, &hc.t_apply);
}

/* ----------------------------------------------- main pthread: results */

/* Report flips one at a time, each taken under the lock: a changed()
 * callback may itself call lb_health_set/del, and what it removes is then
 * never reported. */
static void hc_deliver(struct thread *t)
{
	for (int i = 0; i < LB_HC_DELIVER_BATCH; i++) {
		struct hc_params *params = NULL;
		struct lb_hc_backend be;
		struct hc_be *b;
		bool up = false;

		frr_with_mutex (&hc.lock) {
			while ((b = hc_dirty_pop(&hc.dirty))) {
				b->dirty = false;
				if (b->st.up == b->reported_up)
					continue; /* flipped back meanwhile */
				b->reported_up = up = b->st.up;
				be = b->key;
				params = hc_params_ref(b->params);
				break;
			}
		}
		if (!params)
			return;
		if (dp_debug) {
			char a[INET6_ADDRSTRLEN];

			inet_ntop(be.family, be.addr, a, sizeof(a));
			dp_dbg("health: VIP %s backend %s port %u %s",
			       params->vip, a, be.port, up ? "up" : "down");
		}
		hc.changed(params->vip, &be, up);
		hc_params_unref(params);
	}
	/* More than a batch: let zebra's other tasks run in between. */
	thread_add_event(hc.main_master, hc_deliver, NULL, 0, &hc.t_deliver);
}

/* --------------------------------------------- health pthread: a check */

static void hc_drain_wait(struct thread *t);
static void hc_tick(struct thread *t);

/* Tick while anything is on the wheel; an idle checker sleeps. */
static void hc_ticking(bool on)
{
	struct itimerspec its = {};

	if (on == hc.ticking)
		return;
	if (on) {
		its.it_value.tv_nsec = LB_HC_SLOT_MS * 1000000;
		its.it_interval = its.it_value;
	}
	timerfd_settime(hc.tfd, 0, &its, NULL);
	hc.ticking = on;
}

static void hc_wheel_off(struct hc_be *b)
{
	if (!b->on_wheel)
		return;
	hc_wheel_del(&hc.wheel[b->slot % LB_HC_WHEEL], b);
	b->on_wheel = false;
	hc.on_wheel--;
}

/* Put b in the slot of `at` (monotonic us), or the next one to run. */
static void hc_wheel_put(struct hc_be *b, int64_t at)
{
	uint64_t slot = (at + LB_HC_SLOT_US - 1) / LB_HC_SLOT_US;

	hc_wheel_off(b);
	b->slot = MAX(slot, hc.slot_next);
	hc_wheel_add_tail(&hc.wheel[b->slot % LB_HC_WHEEL], b);
	b->on_wheel = true;
	hc.on_wheel++;
	hc_ticking(true);
}

/* Wait for events of b's socket (level-triggered). */
static bool hc_watch(struct hc_be *b, uint32_t events, enum hc_io io)
{
	struct epoll_event ev = { .events = events, .data.ptr = b };

	if (epoll_ctl(hc.epfd, b->io == HC_IO_NONE ? EPOLL_CTL_ADD
						   : EPOLL_CTL_MOD,
		      b->fd, &ev) < 0)
		return false;
	b->io = io;
	return true;
}

static void hc_close(struct hc_be *b)
{
	if (b->fd < 0)
		return;
	close(b->fd); /* also leaves the epoll set */
	b->fd = -1;
	b->io = HC_IO_NONE;
	hc.fds--;
	if (hc_wait_count(&hc.waitq))
		thread_add_event(hc.master, hc_drain_wait, NULL, 0,
				 &hc.t_drain);
}

static void hc_icmp_release(struct hc_be *b)
{
	struct hc_icmp *ic = &hc.icmp[b->key.family == AF_INET6];

	if (!b->icmp_held)
		return;
	ic->wait[b->seq] = NULL;
	b->icmp_held = false;
}

/* End the check in progress, if any (its timeout with it). */
static void hc_stop(struct hc_be *b)
{
	if (b->running)
		hc_wheel_off(b);
	b->running = false;
	hc_close(b);
	hc_icmp_release(b);
	XFREE(MTYPE_LB_HC_BUF, b->line);
}

static void hc_record(struct hc_be *b, bool ok, const char *err,
		      uint32_t rtt_us)
{
	const struct lb_hc_params *p = &b->params->p;
	bool flip = false;

	frr_with_mutex (&hc.lock) {
		struct lb_hc_status *st = &b->st;

		st->checks++;
		hc.cnt.checks++;
		if (ok) {
			st->successes++;
			st->failures = 0;
			st->last_rtt_us = rtt_us;
			flip = !st->up && st->successes >= p->rise;
		} else {
			hc.cnt.failures++;
			st->failures++;
			st->successes = 0;
			strlcpy(st->last_error, err, sizeof(st->last_error));
			flip = st->up && st->failures >= p->fall;
		}
		if (flip) {
			st->up = !st->up;
			hc.cnt.changes++;
			hc_mark_dirty_locked(b);
		}
		hc.cnt.in_flight = hc.fds;
	}
	if (flip)
		thread_add_event(hc.main_master, hc_deliver, NULL, 0,
				 &hc.t_deliver);
}

/* Fixed rate from the backend's own phase, so that checks spread over the
 * interval at start stay spread. */
static void hc_schedule(struct hc_be *b, int64_t now)
{
	b->due_us += (int64_t)b->params->p.interval_ms * 1000;
	if (b->due_us < now)
		b->due_us = now;
	hc_wheel_put(b, b->due_us);
}

static void hc_finish(struct hc_be *b, bool ok, const char *err)
{
	int64_t now = hc_now_us();

	hc_stop(b);
	hc_record(b, ok, err, now - b->start_us);
	hc_schedule(b, now);
}


/* --------------------------------------------------------- TCP and HTTP */

/* The status code of an HTTP status line, or -1. */
static int hc_http_status(const char *line)
{
	const char *p = line + 5;

	if (strncmp(line, "HTTP/", 5))
		return -1;
	while (isdigit((unsigned char)*p) || *p == '.')
		p++;
	if (p == line + 5 || *p != ' ')
		return -1;
	p++;
	if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) ||
	    !isdigit((unsigned char)p[2]) || (p[3] && p[3] != ' '))
		return -1;
	return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
}

/*
 * Feed response bytes: 1 when the head is complete and its status is the
 * expected one, -1 (err set) on a failure, 0 for more. The status is
 * judged as soon as its line is complete; the head must then end within
 * LB_HC_HEAD_MAX bytes, which bounds what a server can make us read.
 */
static int hc_http_feed(struct hc_be *b, const char *p, size_t n, char *err,
			size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		int code;

		if (++b->got > LB_HC_HEAD_MAX) {
			strlcpy(err, "header too long", errlen);
			return -1;
		}
		if (b->line_done) {
			/* the head ends with an empty line */
			if (c == '\n') {
				if (b->blank)
					return 1;
				b->blank = true;
			} else if (c != '\r') {
				b->blank = false;
			}
			continue;
		}
		if (c != '\n') {
			if (b->line_len >= LB_HC_LINE_MAX - 1 || !c) {
				strlcpy(err, "bad status line", errlen);
				return -1;
			}
			b->line[b->line_len++] = c;
			continue;
		}
		if (b->line_len && b->line[b->line_len - 1] == '\r')
			b->line_len--;
		b->line[b->line_len] = '\0';
		code = hc_http_status(b->line);
		if (code < 0) {
			strlcpy(err, "bad status line", errlen);
			return -1;
		}
		if (code != b->params->p.http_status) {
			snprintf(err, errlen, "status %d", code);
			return -1;
		}
		b->line_done = b->blank = true;
	}
	return 0;
}

static void hc_http_read(struct hc_be *b)
{
	char buf[1024], err[64];
	ssize_t n;
	int r;

	for (;;) {
		n = recv(b->fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return; /* still watched for EPOLLIN */
		if (n < 0) {
			hc_finish(b, false, hc_errstr(errno));
			return;
		}
		if (n == 0) {
			/* closed: a status line that matched is enough */
			if (b->line_done)
				hc_finish(b, true, NULL);
			else
				hc_finish(b, false,
					  b->got ? "bad status line"
						 : "empty response");
			return;
		}
		r = hc_http_feed(b, buf, n, err, sizeof(err));
		if (r) {
			hc_finish(b, r > 0, err);
			return;
		}
	}
}

static size_t hc_http_request(const struct hc_be *b, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN], port[8] = "";
	uint16_t p = ntohs(b->sa.sin.sin_port);

	inet_ntop(b->key.family, b->key.addr, addr, sizeof(addr));
	if (p != 80)
		snprintf(port, sizeof(port), ":%u", p);
	return snprintf(buf, len,
			"GET %s HTTP/1.1\r\nHost: %s%s%s%s\r\nConnection: close\r\nUser-Agent: frr-ebpf\r\n\r\n",
			b->params->p.http_path,
			b->key.family == AF_INET6 ? "[" : "", addr,
			b->key.family == AF_INET6 ? "]" : "", port);
}

/* The request is rebuilt on each call (it is the same every time), so a
 * partial write needs only the count of bytes sent. */
static void hc_http_send(struct hc_be *b)
{
	char req[LB_HC_LINE_MAX + 160];
	size_t len = hc_http_request(b, req, sizeof(req));
	ssize_t n;

	n = send(b->fd, req + b->sent, len - b->sent, MSG_NOSIGNAL);
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != EINTR) {
		hc_finish(b, false, hc_errstr(errno));
		return;
	}
	if (n > 0)
		b->sent += n;
	if (!hc_watch(b, b->sent < len ? EPOLLOUT : EPOLLIN,
		      b->sent < len ? HC_IO_SEND : HC_IO_READ))
		hc_finish(b, false, hc_errstr(errno));
}

static void hc_connected(struct hc_be *b)
{
	if (b->params->p.type == LB_HC_TCP) {
		hc_finish(b, true, NULL);
		return;
	}
	b->sent = b->got = 0;
	b->line_len = 0;
	b->line_done = b->blank = false;
	b->line = XMALLOC(MTYPE_LB_HC_BUF, LB_HC_LINE_MAX);
	hc_http_send(b);
}

static void hc_connect_done(struct hc_be *b)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(b->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err)
		hc_finish(b, false, hc_errstr(err));
	else
		hc_connected(b);
}

static void hc_connect(struct hc_be *b)
{
	/* Close with a reset: no TIME_WAIT left behind for each check. */
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int fd;

	if (!ntohs(b->sa.sin.sin_port)) {
		hc_finish(b, false, "no port");
		return;
	}
	fd = socket(b->key.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0) {
		hc_finish(b, false, hc_errstr(errno));
		return;
	}
	b->fd = fd;
	hc.fds++;
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	if (connect(fd, &b->sa.sa, b->salen) == 0)
		hc_connected(b);
	else if (errno != EINPROGRESS)
		hc_finish(b, false, hc_errstr(errno));
	else if (!hc_watch(b, EPOLLOUT, HC_IO_CONNECT))
		hc_finish(b, false, hc_errstr(errno));
}

/* The checks' sockets that are ready, a batch at a time. */
static void hc_ep_read(struct thread *t)
{
	struct epoll_event ev[LB_HC_EPOLL_BATCH];
	int n;

	n = epoll_wait(hc.epfd, ev, array_size(ev), 0);
	for (int i = 0; i < n; i++) {
		struct hc_be *b = ev[i].data.ptr;

		switch (b->io) {
		case HC_IO_CONNECT:
			hc_connect_done(b);
			break;
		case HC_IO_SEND:
			hc_http_send(b);
			break;
		case HC_IO_READ:
			hc_http_read(b);
			break;
		case HC_IO_NONE:
			break; /* finished earlier in this batch */
		}
	}
	thread_add_read(hc.master, hc_ep_read, NULL, hc.epfd, &hc.t_ep);
}

/* --------------------------------------------------------------- ICMP */

static void hc_icmp_read(struct thread *t);

static uint16_t hc_csum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += (p[0] << 8) | p[1];
	if (len)
		sum += p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

/*
 * An unprivileged ICMP datagram socket when net.ipv4.ping_group_range
 * lets zebra's group have one (the kernel then hands it only its own
 * replies), else a raw socket, which needs CAP_NET_RAW: zebra keeps it
 * among its privileges but runs without it in effect.
 */
static bool hc_icmp_open(int f, char *err, size_t errlen)
{
	struct hc_icmp *ic = &hc.icmp[f];
	int family = f ? AF_INET6 : AF_INET;
	int proto = f ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	int type = SOCK_NONBLOCK | SOCK_CLOEXEC;
	int fd, saved = 0;

	if (ic->fd >= 0)
		return true;
	fd = socket(family, SOCK_DGRAM | type, proto);
	ic->raw = fd < 0;
	if (fd < 0) {
		frr_with_privs (dp_privs()) {
			fd = socket(family, SOCK_RAW | type, proto);
			saved = errno;
		}
	}
	if (fd < 0) {
		snprintf(err, errlen, "icmp socket: %s", safe_strerror(saved));
		return false;
	}
	if (ic->raw && f) {
		struct icmp6_filter filt;

		ICMP6_FILTER_SETBLOCKALL(&filt);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filt);
		setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filt,
			   sizeof(filt));
	} else if (ic->raw) {
		uint32_t drop = ~(1U << ICMP_ECHOREPLY);

		setsockopt(fd, SOL_RAW, ICMP_FILTER, &drop, sizeof(drop));
	}
	ic->fd = fd;
	ic->id = frr_weak_random();
	if (!ic->wait)
		ic->wait = XCALLOC(MTYPE_LB_HC_BUF,
				   sizeof(*ic->wait) * (UINT16_MAX + 1));
	thread_add_read(hc.master, hc_icmp_read, ic, fd, &ic->t_read);
	frr_with_mutex (&hc.lock) {
		strlcpy(f ? hc.cnt.icmp6 : hc.cnt.icmp4,
			ic->raw ? "raw" : "dgram", sizeof(hc.cnt.icmp4));
	}
	return true;
}

static void hc_icmp_close(struct hc_icmp *ic)
{
	THREAD_OFF(ic->t_read);
	if (ic->fd >= 0)
		close(ic->fd);
	ic->fd = -1;
	XFREE(MTYPE_LB_HC_BUF, ic->wait);
}

static void hc_icmp_send(struct hc_be *b)
{
	int f = b->key.family == AF_INET6;
	struct hc_icmp *ic = &hc.icmp[f];
	struct hc_echo echo = {};
	typeof(b->sa) to = b->sa;
	char err[64];
	uint32_t i;

	if (!hc_icmp_open(f, err, sizeof(err))) {
		hc_finish(b, false, err);
		return;
	}
	for (i = 0; i <= UINT16_MAX && ic->wait[ic->next_seq]; i++)
		ic->next_seq++;
	if (i > UINT16_MAX) {
		hc_finish(b, false, "too many checks");
		return;
	}
	b->seq = ic->next_seq++;
	echo.type = f ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
	echo.id = htons(ic->id); /* a datagram socket sets its own */
	echo.seq = htons(b->seq);
	memcpy(echo.magic, hc_icmp_magic, sizeof(echo.magic));
	echo.stamp = b->start_us;
	if (!f)
		echo.csum = hc_csum(&echo, sizeof(echo));
	/* a raw IPv6 socket takes the port as the protocol: none given */
	to.sin.sin_port = 0;
	if (sendto(ic->fd, &echo, sizeof(echo), 0, &to.sa, b->salen) < 0) {
		hc_finish(b, false, hc_errstr(errno));
		return;
	}
	ic->wait[b->seq] = b;
	b->icmp_held = true;
}

/* The check a reply answers, if any: same sequence, from the address it
 * was sent to, and (raw sockets see every reply of the host) our id. */
static struct hc_be *hc_icmp_match(struct hc_icmp *ic, int f, const uint8_t *p,
				   size_t len, const void *from)
{
	const struct hc_echo *e = (const struct hc_echo *)p;
	struct hc_be *b;

	if (len < sizeof(*e) ||
	    e->type != (f ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY))
		return NULL;
	if (ic->raw && (ntohs(e->id) != ic->id ||
			memcmp(e->magic, hc_icmp_magic, sizeof(e->magic))))
		return NULL;
	b = ic->wait[ntohs(e->seq)];
	if (!b || memcmp(b->key.addr, from, hc_alen(b->key.family)))
		return NULL;
	return b;
}

static void hc_icmp_read(struct thread *t)
{
	struct hc_icmp *ic = THREAD_ARG(t);
	int f = ic == &hc.icmp[1];

	for (int i = 0; i < LB_HC_ICMP_BATCH; i++) {
		union {
			struct sockaddr_in sin;
			struct sockaddr_in6 sin6;
		} from;
		socklen_t flen = sizeof(from);
		uint8_t buf[512];
		const uint8_t *p = buf;
		struct hc_be *b;
		ssize_t n;

		n = recvfrom(ic->fd, buf, sizeof(buf), 0, (void *)&from, &flen);
		if (n < 0)
			break;
		/* a raw IPv4 socket receives the IP header too */
		if (!f && ic->raw) {
			size_t hl = (buf[0] & 0x0f) * 4;

			if ((size_t)n < hl)
				continue;
			p += hl;
			n -= hl;
		}
		b = hc_icmp_match(ic, f, p, n,
				  f ? (void *)&from.sin6.sin6_addr
				    : (void *)&from.sin.sin_addr);
		if (b)
			hc_finish(b, true, NULL);
	}
	thread_add_read(hc.master, hc_icmp_read, ic, ic->fd, &ic->t_read);
}

/* ---------------------------------------- health pthread: scheduling */

static bool hc_path_ok(const char *path)
{
	if (path[0] != '/')
		return false;
	for (; *path; path++)
		if ((unsigned char)*path <= ' ' || *path == 0x7f)
			return false;
	return true;
}

static void hc_begin(struct hc_be *b)
{
	const struct lb_hc_params *p = &b->params->p;

	b->start_us = hc_now_us();
	b->running = true;
	hc_wheel_put(b, b->start_us + b->params->timeout_ms * 1000);
	switch (p->type) {
	case LB_HC_TCP:
		hc_connect(b);
		break;
	case LB_HC_HTTP:
		if (hc_path_ok(p->http_path))
			hc_connect(b);
		else
			hc_finish(b, false, "bad path");
		break;
	case LB_HC_ICMP:
		hc_icmp_send(b);
		break;
	default:
		hc_finish(b, false, "bad check type");
		break;
	}
}

static void hc_check_due(struct hc_be *b)
{
	if (b->params->p.type != LB_HC_ICMP && hc.fds >= hc.fd_budget) {
		hc_wait_add_tail(&hc.waitq, b);
		b->waiting = true;
		frr_with_mutex (&hc.lock) {
			hc.cnt.deferred++;
		}
		return;
	}
	hc_begin(b);
}

/* Run the slots whose time has come: check starts and timeouts. */
static void hc_tick(struct thread *t)
{
	uint64_t ticks, now = hc_now_us() / LB_HC_SLOT_US;
	struct hc_wheel_head due;
	struct hc_be *b;

	if (read(hc.tfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		zlog_warn("ebpf: health: timer: %s", safe_strerror(errno));
	thread_add_read(hc.master, hc_tick, NULL, hc.tfd, &hc.t_tick);
	/* a stall longer than a turn: what is overdue is in some slot of
	 * the next turn, and runs there (slots run what is due up to them) */
	if (now >= hc.slot_next + LB_HC_WHEEL)
		hc.slot_next = now - LB_HC_WHEEL + 1;
	hc_wheel_init(&due);
	while (hc.slot_next <= now) {
		uint64_t slot = hc.slot_next++;
		struct hc_wheel_head *h = &hc.wheel[slot % LB_HC_WHEEL];

		frr_each_safe (hc_wheel, h, b) {
			if (b->slot > slot)
				continue; /* a later turn */
			hc_wheel_del(h, b);
			b->on_wheel = false;
			hc.on_wheel--;
			hc_wheel_add_tail(&due, b);
		}
		/* what these start or finish goes to later slots */
		while ((b = hc_wheel_pop(&due))) {
			if (b->running)
				hc_finish(b, false, "timeout");
			else
				hc_check_due(b);
		}
	}
	hc_wheel_fini(&due);
	if (!hc.on_wheel)
		hc_ticking(false);
}

/* Start the checks that waited for a socket, while the budget allows. */
static void hc_drain_wait(struct thread *t)
{
	struct hc_be *b;

	while (hc.fds < hc.fd_budget && (b = hc_wait_pop(&hc.waitq))) {
		b->waiting = false;
		hc_begin(b);
	}
}

static void hc_start(struct hc_be *b)
{
	int64_t interval = (int64_t)b->params->p.interval_ms * 1000;

	b->live = true;
	hc_live_add_tail(&hc.live, b);
	/* A random phase in the interval: a thousand backends configured at
	 * once are checked one at a time, not in one burst. */
	b->due_us = hc_now_us() + frr_weak_random() % interval - interval;
	hc_schedule(b, hc_now_us());
}

static void hc_free(struct hc_be *b)
{
	hc_stop(b);
	hc_wheel_off(b);
	if (b->waiting)
		hc_wait_del(&hc.waitq, b);
	if (b->live)
		hc_live_del(&hc.live, b);
	frr_with_mutex (&hc.lock) {
		if (b->dirty)
			hc_dirty_del(&hc.dirty, b);
		hc.cnt.in_flight = hc.fds;
	}
	hc_params_unref(b->params);
	XFREE(MTYPE_LB_HC_BACKEND, b);
}

/* Take what the main pthread queued: free the retired, start the new. */
static void hc_apply(struct thread *t)
{
	struct hc_queue_head start, grave;
	struct hc_be *b;

	hc_queue_init(&start);
	hc_queue_init(&grave);
	frr_with_mutex (&hc.lock) {
		hc_queue_swap_all(&start, &hc.start);
		hc_queue_swap_all(&grave, &hc.grave);
		frr_each (hc_queue, &start, b)
			b->q = HC_Q_NONE;
		frr_each (hc_queue, &grave, b)
			b->q = HC_Q_NONE;
	}
	while ((b = hc_queue_pop(&grave)))
		hc_free(b);
	while ((b = hc_queue_pop(&start)))
		hc_start(b);
	hc_queue_fini(&start);
	hc_queue_fini(&grave);
}

/* The last task of the health pthread: free everything, then leave the
 * event loop (what lib/frr_pthread.c's own stop does). */
static void hc_shutdown(struct thread *t)
{
	struct frr_pthread *fpt = THREAD_ARG(t);
	struct hc_be *b;

	hc_apply(NULL);
	while ((b = hc_live_first(&hc.live)))
		hc_free(b);
	hc_icmp_close(&hc.icmp[0]);
	hc_icmp_close(&hc.icmp[1]);
	THREAD_OFF(hc.t_ep);
	THREAD_OFF(hc.t_tick);
	close(hc.epfd);
	close(hc.tfd);
	hc.epfd = hc.tfd = -1;
	hc.ticking = false;
	THREAD_OFF(hc.t_apply);
	THREAD_OFF(hc.t_drain);
	frr_with_mutex (&hc.lock) {
		hc.cnt.tid = 0;
	}
	atomic_store_explicit(&fpt->running, false, memory_order_relaxed);
}

/* The pthread's entry: its kernel id for lb_health_counters (CPU use in
 * /proc), then FRR's own event loop. */
static void *hc_pthread_run(void *arg)
{
	frr_with_mutex (&hc.lock) {
		hc.cnt.tid = gettid();
	}
	return frr_pthread_attr_default.start(arg);
}

static int hc_pthread_stop(struct frr_pthread *fpt, void **result)
{
	thread_add_event(fpt->master, hc_shutdown, fpt, 0, NULL);
	pthread_join(fpt->thread, result);
	return 0;
}

/* -------------------------------------------- main pthread: the pthread */

/* frr_pthread_run refuses to start a pthread before zebra forks (it
 * would not survive the fork); the first set may come before it. */
static void hc_pthread_start(struct thread *t)
{
	struct frr_pthread_attr attr = {
		.start = hc_pthread_run,
		.stop = hc_pthread_stop,
	};
	struct rlimit rl = {};
	uint32_t limit;

	if (hc.fpt)
		return;
	if (!frr_is_after_fork) {
		thread_add_event(hc.main_master, hc_pthread_start, NULL, 0,
				 &hc.t_start);
		return;
	}
	hc.fpt = frr_pthread_new(&attr, "LB health checks", "ebpf_health");
	hc.master = hc.fpt->master;
	limit = hc.master->fd_limit;
	if (!limit && getrlimit(RLIMIT_NOFILE, &rl) == 0)
		limit = rl.rlim_cur;
	hc.fd_budget = limit - MAX(limit / 4, LB_HC_FD_RESERVE_MIN);
	if (limit <= 2 * LB_HC_FD_RESERVE_MIN)
		hc.fd_budget = limit / 2;
	frr_with_mutex (&hc.lock) {
		hc.cnt.fd_budget = hc.fd_budget;
	}
	hc.epfd = epoll_create1(EPOLL_CLOEXEC);
	hc.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (hc.epfd < 0 || hc.tfd < 0)
		zlog_err("ebpf: health checks cannot run: %s",
			 safe_strerror(errno));
	hc.slot_next = hc_now_us() / LB_HC_SLOT_US;
	if (hc.epfd >= 0)
		thread_add_read(hc.master, hc_ep_read, NULL, hc.epfd, &hc.t_ep);
	if (hc.tfd >= 0)
		thread_add_read(hc.master, hc_tick, NULL, hc.tfd, &hc.t_tick);
	frr_pthread_run(hc.fpt, NULL);
	frr_pthread_wait_running(hc.fpt);
	hc_apply_soon();
}

void lb_health_init(struct thread_master *main_master,
		    lb_hc_changed_fn changed)
{
	if (hc.inited)
		return;
	memset(&hc, 0, sizeof(hc));
	hc.main_master = main_master;
	hc.changed = changed;
	pthread_mutex_init(&hc.lock, NULL);
	hc_vips_init(&hc.vips);
	hc_queue_init(&hc.start);
	hc_queue_init(&hc.grave);
	hc_dirty_init(&hc.dirty);
	hc_live_init(&hc.live);
	hc_wait_init(&hc.waitq);
	for (int i = 0; i < LB_HC_WHEEL; i++)
		hc_wheel_init(&hc.wheel[i]);
	hc.icmp[0].fd = hc.icmp[1].fd = -1;
	hc.epfd = hc.tfd = -1;
	hc.inited = true;
}

/* ----------------------------------------- main pthread: configuration */

static struct hc_vip *hc_vip_find(const char *name)
{
	struct hc_vip key = { .name = name };

	return hc_vips_find(&hc.vips, &key);
}

static struct hc_be *hc_be_find(struct hc_vip *vip,
				const struct lb_hc_backend *be)
{
	struct hc_be key;

	if (!hc_key_make(be, &key.key))
		return NULL;
	return hc_bes_find(&vip->bes, &key);
}

static struct hc_be *hc_be_new(const struct lb_hc_backend *key,
			       struct hc_params *params)
{
	struct hc_be *b = XCALLOC(MTYPE_LB_HC_BACKEND, sizeof(*b));
	uint16_t port = params->p.port ? params->p.port : key->port;

	b->key = *key;
	b->params = hc_params_ref(params);
	b->fd = -1;
	if (key->family == AF_INET) {
		b->sa.sin.sin_family = AF_INET;
		b->sa.sin.sin_port = htons(port);
		memcpy(&b->sa.sin.sin_addr, key->addr, 4);
		b->salen = sizeof(b->sa.sin);
	} else {
		b->sa.sin6.sin6_family = AF_INET6;
		b->sa.sin6.sin6_port = htons(port);
		memcpy(&b->sa.sin6.sin6_addr, key->addr, 16);
		b->salen = sizeof(b->sa.sin6);
	}
	return b;
}

/* b takes old's place (new params): same up/down state, counters anew. */
static void hc_replace(struct hc_be *old, struct hc_be *b)
{
	frr_with_mutex (&hc.lock) {
		b->st.up = old->st.up;
		b->reported_up = old->reported_up;
		if (b->st.up != b->reported_up)
			hc_mark_dirty_locked(b); /* old's flip, not reported */
		hc_retire_locked(old);
		hc.cnt.backends++;
		b->q = HC_Q_START;
		hc_queue_add_tail(&hc.start, b);
	}
}

static void hc_vip_clear(struct hc_vip *vip, uint32_t keep_gen, bool all)
{
	struct hc_be *b;

	frr_each_safe (hc_bes, &vip->bes, b) {
		if (!all && b->gen == keep_gen)
			continue;
		hc_bes_del(&vip->bes, b);
		frr_with_mutex (&hc.lock) {
			hc_retire_locked(b);
		}
	}
}

void lb_health_set(const char *name, const struct lb_hc_params *params,
		   const struct lb_hc_backend *backends, size_t n)
{
	struct hc_params *np;
	struct hc_vip *vip;
	uint32_t gen;

	if (!hc.inited || !name || !params)
		return;
	hc_pthread_start(NULL);

	np = hc_params_new(name, params);
	vip = hc_vip_find(name);
	if (!vip) {
		vip = XCALLOC(MTYPE_LB_HC_VIP, sizeof(*vip));
		hc_bes_init(&vip->bes);
		vip->params = np;
		vip->name = np->vip; /* the same name in every params */
		hc_vips_add(&hc.vips, vip);
		frr_with_mutex (&hc.lock) {
			hc.cnt.vips++;
		}
	} else if (!memcmp(&vip->params->p, &np->p, sizeof(np->p))) {
		hc_params_unref(np);
	} else {
		hc_params_unref(vip->params);
		vip->params = np;
		vip->name = np->vip;
	}
	np = vip->params;
	gen = ++vip->gen;

	for (size_t i = 0; i < n; i++) {
		struct hc_be key, *old, *b;

		if (!hc_key_make(&backends[i], &key.key))
			continue;
		old = hc_bes_find(&vip->bes, &key);
		if (old && (old->gen == gen || old->params == np)) {
			old->gen = gen; /* kept, or named twice */
			continue;
		}
		b = hc_be_new(&key.key, np);
		b->gen = gen;
		if (old) {
			hc_bes_del(&vip->bes, old);
			hc_replace(old, b);
		} else {
			frr_with_mutex (&hc.lock) {
				hc.cnt.backends++;
				b->q = HC_Q_START;
				hc_queue_add_tail(&hc.start, b);
			}
		}
		hc_bes_add(&vip->bes, b);
	}
	hc_vip_clear(vip, gen, false);
	hc_apply_soon();
}

static void hc_vip_free(struct hc_vip *vip)
{
	hc_vip_clear(vip, 0, true);
	hc_bes_fini(&vip->bes);
	hc_vips_del(&hc.vips, vip);
	hc_params_unref(vip->params);
	XFREE(MTYPE_LB_HC_VIP, vip);
	frr_with_mutex (&hc.lock) {
		hc.cnt.vips--;
	}
}

void lb_health_del(const char *name)
{
	struct hc_vip *vip;

	if (!hc.inited || !name || !(vip = hc_vip_find(name)))
		return;
	hc_vip_free(vip);
	hc_apply_soon();
}

bool lb_health_status(const char *name, const struct lb_hc_backend *be,
		      struct lb_hc_status *st)
{
	struct hc_vip *vip;
	struct hc_be *b;

	if (!hc.inited || !name || !(vip = hc_vip_find(name)))
		return false;
	b = hc_be_find(vip, be);
	if (!b)
		return false;
	frr_with_mutex (&hc.lock) {
		*st = b->st;
	}
	return true;
}

void lb_health_counters(struct lb_hc_counters *c)
{
	memset(c, 0, sizeof(*c));
	if (!hc.inited)
		return;
	frr_with_mutex (&hc.lock) {
		*c = hc.cnt;
	}
}

void lb_health_fini(void)
{
	struct hc_vip *vip;

	if (!hc.inited)
		return;
	frr_each_safe (hc_vips, &hc.vips, vip)
		hc_vip_free(vip);
	hc_vips_fini(&hc.vips);
	THREAD_OFF(hc.t_start);
	if (hc.fpt) {
		/* hc_shutdown frees what it was handed, then the join */
		frr_pthread_stop(hc.fpt, NULL);
		frr_pthread_destroy(hc.fpt);
		hc.fpt = NULL;
	}
	/* never started: what was queued is on the lists still */
	while (hc_queue_first(&hc.start) || hc_queue_first(&hc.grave)) {
		struct hc_be *b = hc_queue_pop(&hc.grave);

		if (!b)
			b = hc_queue_pop(&hc.start);
		hc_params_unref(b->params);
		XFREE(MTYPE_LB_HC_BACKEND, b);
	}
	THREAD_OFF(hc.t_deliver);
	while (hc_dirty_pop(&hc.dirty))
		;
	pthread_mutex_destroy(&hc.lock);
	hc.inited = false;
}

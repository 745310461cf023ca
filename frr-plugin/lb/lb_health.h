// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Health checks of load-balancer backends.
 *
 * Checks run on their own pthread ("ebpf_health", with its own event
 * loop) so that neither of zebra's pthreads ever waits on a backend: a
 * check is non-blocking I/O on that pthread. The configuration side
 * (lb/) tells it what to check; it reports every change of a backend's
 * health back on zebra's main pthread, where the configuration lives.
 *
 * Everything here is called on zebra's main pthread. lb_health_init may
 * run before zebra forks (module init, frr_late_init): the pthread is
 * started after the fork, at the first lb_health_set. Call
 * lb_health_fini from an frr_fini hook, before libfrr stops its pthreads.
 */
#ifndef LB_HEALTH_H
#define LB_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct thread_master;

enum lb_hc_type {
	LB_HC_TCP = 1,	/* a TCP connection to the backend's port */
	LB_HC_HTTP = 2, /* an HTTP/1.1 GET of path, expecting status */
	LB_HC_ICMP = 3, /* an ICMP / ICMPv6 echo */
};

struct lb_hc_params {
	enum lb_hc_type type;
	char http_path[256];
	uint16_t http_status;
	uint16_t port;	      /* 0: the backend's port */
	uint32_t interval_ms; /* between two checks of one backend */
	uint8_t rise;	      /* successes in a row that make it healthy */
	uint8_t fall;	      /* failures in a row that make it unhealthy */
};

/* A backend as the checker knows it. */
struct lb_hc_backend {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint16_t port; /* host byte order; 0: params.port must be set */
};

/* What show commands print of a backend's checks. */
struct lb_hc_status {
	bool up;
	uint32_t checks;     /* done so far */
	uint32_t successes;  /* in a row (0 after a failure) */
	uint32_t failures;   /* in a row (0 after a success) */
	uint32_t last_rtt_us;
	char last_error[64]; /* of the last failed check, "" if none */
};

/*
 * changed() runs on zebra's main pthread each time a backend's health
 * flips (after `rise` successes or `fall` failures in a row). A backend
 * starts unhealthy: it takes `rise` successful checks to carry traffic,
 * so a VIP is announced only once a backend has answered.
 */
typedef void (*lb_hc_changed_fn)(const char *vip, const struct lb_hc_backend *be,
				 bool up);

void lb_health_init(struct thread_master *main_master, lb_hc_changed_fn changed);
void lb_health_fini(void);

/* Check these backends of vip (replacing what was checked for it):
 * backends already checked with the same params keep their state. */
void lb_health_set(const char *vip, const struct lb_hc_params *params,
		   const struct lb_hc_backend *backends, size_t n);
/* Stop checking vip's backends. */
void lb_health_del(const char *vip);
/* false if vip/be is not checked. */
bool lb_health_status(const char *vip, const struct lb_hc_backend *be,
		      struct lb_hc_status *st);

/* What show commands print of the checker as a whole. */
struct lb_hc_counters {
	uint32_t vips, backends;
	uint32_t in_flight; /* checks holding a socket now */
	uint32_t fd_budget; /* the most that may at once (0: not started) */
	uint64_t checks, failures;
	uint64_t deferred; /* checks that waited for a socket */
	uint64_t changes;  /* health flips */
	char icmp4[8], icmp6[8]; /* "raw", "dgram" or "" (not opened) */
	int tid; /* the health pthread's (/proc/self/task/TID); 0: none */
};

void lb_health_counters(struct lb_hc_counters *c);

#endif /* LB_HEALTH_H */

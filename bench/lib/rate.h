/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rate benchmarks' topology and clock (bench/forward,
 * bench/lb_throughput): three namespaces joined by veths,
 *
 *   bn_gen                 bn_rtr                         bn_sink
 *   bn_g0 ==veth== bn_r0 [router] bn_r1 ==veth== bn_s0 [sink]
 *
 * 10.1.0.0/24 on the left (gen .2, router .1), 10.2.0.0/24 on the right
 * (router .1, sink .2), the sink's neighbour entry permanent on the router
 * and a nexthop object (id BN_RATE_NHID) to it. bn_r0's NAPI is threaded
 * (with GRO on: frames XDP_TX'd into a veth need NAPI on the peer) so that
 * the router can be given a CPU of its own, away from the generator: an
 * XDP_TX program run by BPF_PROG_TEST_RUN with live frames on bn_g0.
 */
#ifndef BENCH_RATE_H
#define BENCH_RATE_H

#include <stdbool.h>
#include <stdint.h>

#include "pkt.h"

#define BN_RATE_NHID 10

extern const uint8_t bn_rate_gen_mac[6];     /* bn_g0 */
extern const uint8_t bn_rate_rtr_in_mac[6];  /* bn_r0 */
extern const uint8_t bn_rate_rtr_out_mac[6]; /* bn_r1 */
extern const uint8_t bn_rate_sink_mac[6];    /* bn_s0 */

struct bn_rate_topo {
	int g0, r0, r1, s0; /* ifindexes, each in its namespace */
};

/* Create the namespaces and links above; dies on failure. */
void bn_rate_topo_setup(struct bn_rate_topo *t);

/* A device's ifindex in a namespace; dies if there is none. */
int bn_ifindex(const char *ns, const char *dev);

/* A PERCPU_ARRAY's entry 0, summed over CPUs. */
uint64_t bn_percpu_sum(int fd);

/* Pin bn_r0's NAPI thread ("napi/bn_r0-<id>") to a CPU: its pid, or 0. */
int bn_rate_pin_napi(int cpu);
/* The same for any device's threaded NAPI (the caller's namespace does
 * not matter: threads are found by name). */
int bn_napi_pin(const char *dev, int cpu);

/*
 * The router's mode: prog_fd >= 0 attaches it as native XDP on bn_r0 with
 * kernel forwarding off; -1 detaches it, forwarding on. Then bn_r0's NAPI
 * thread is pinned to cpu_rtr: its pid (dies if there is none).
 */
int bn_rate_router(const struct bn_rate_topo *t, int prog_fd, int cpu_rtr);
/* The same with the kernel's forwarding set apart from the program (a
 * bpf_fib_lookup forwarder needs it on). */
int bn_rate_router_fwd(const struct bn_rate_topo *t, int prog_fd,
		       int cpu_rtr, bool kernel_fwd);
/* IPv4 datagrams the kernel forwarded in namespace ns (ForwDatagrams). */
uint64_t bn_kernel_forwarded(const char *ns);

/* Attach the sink's XDP program on bn_s0 (native). */
void bn_rate_sink_attach(const struct bn_rate_topo *t, int prog_fd);

/* CPU time a thread has used, in seconds (utime + stime). */
double bn_thread_cpu_time(int pid);

struct bn_rate_sample {
	double offered, forwarded; /* frames per second */
	double rtr_cpu;		   /* the router thread's share of its CPU */
	double core_busy;	   /* that CPU's busy share, all tasks and
				    * interrupts (/proc/stat) */
};

/*
 * Run the generator gen_fd (an XDP_TX program counting its frames in
 * gen_count) with live frames on the frame for `seconds`, on the calling
 * thread (in bn_gen, pinned); the sink counts into sink_count, the router
 * is napi_pid.
 */
struct bn_rate_sample bn_rate_generate(int gen_fd, int gen_count,
				       int sink_count, int ifindex,
				       const struct bn_pkt *frame,
				       int napi_pid, double seconds);

#endif /* BENCH_RATE_H */

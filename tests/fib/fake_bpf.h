/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * In-memory stand-ins for the libbpf map calls dp_fib makes, so that the
 * FIB code runs unchanged, without privileges, in a plain process. The
 * mmapable arrays are memfds (dp_fib maps them like the real ones); the
 * value array and the fib6 hash live here. Writes can be made to fail on
 * demand, to test that a failed update leaves the FIB as it was.
 */
#ifndef FAKE_BPF_H
#define FAKE_BPF_H

#include <stdint.h>

/* An mmapable array of n 32-bit entries (a memfd). */
extern int fake_array_mmap(uint32_t n);
/* An array map (key: u32 index) or a hash map, in memory. */
extern int fake_array(uint32_t value_size, uint32_t max);
extern int fake_hash(uint32_t key_size, uint32_t value_size, uint32_t max);
extern void fake_close(int fd);

/* Entries in a hash map. */
extern uint32_t fake_count(int fd);
/* Make the n-th next update or delete on fd fail with ENOMEM (n >= 1; 0:
 * never). */
extern void fake_fail_after(int fd, uint32_t n);
/* Updates and deletes done on fd so far. */
extern uint64_t fake_writes(int fd);
/* A digest of a hash map's whole content (order-independent). */
extern uint64_t fake_digest(int fd);

/* Called after every successful update or delete on any fake map
 * (NULL: none). */
extern void fake_on_write(void (*fn)(void));

#endif /* FAKE_BPF_H */

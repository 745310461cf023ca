// SPDX-License-Identifier: GPL-2.0-or-later
/* In-memory stand-ins for libbpf's map calls (fake_bpf.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "fake_bpf.h"

#define FAKE_FDS 4096

struct fake_map {
	bool hash;
	uint32_t key_size, value_size, max;
	uint32_t count;
	uint32_t mask;	 /* hash: slots - 1 */
	uint8_t *slots;	 /* hash: [used][key][value]; array: values */
	uint32_t fail_in; /* fail when this reaches 1 (0: never) */
	uint64_t writes;
};

static struct fake_map *fakes[FAKE_FDS];
static void (*on_write)(void);

void fake_on_write(void (*fn)(void))
{
	on_write = fn;
}

static int fake_written(void)
{
	if (on_write)
		on_write();
	return 0;
}

static int fake_fd(void)
{
	int fd = memfd_create("fake-bpf", 0);

	if (fd < 0 || fd >= FAKE_FDS)
		abort();
	return fd;
}

int fake_array_mmap(uint32_t n)
{
	int fd = fake_fd();

	if (ftruncate(fd, (off_t)n * sizeof(uint32_t)))
		abort();
	return fd;
}

static int fake_new(bool hash, uint32_t key_size, uint32_t value_size,
		    uint32_t max)
{
	struct fake_map *m = calloc(1, sizeof(*m));
	uint32_t slots = 16;
	int fd = fake_fd();

	if (!m)
		abort();
	m->hash = hash;
	m->key_size = key_size;
	m->value_size = value_size;
	m->max = max;
	if (hash) {
		while (slots < 2 * max)
			slots <<= 1;
		m->mask = slots - 1;
		m->slots = calloc(slots, 1 + key_size + value_size);
	} else {
		m->slots = calloc(max, value_size);
	}
	if (!m->slots)
		abort();
	fakes[fd] = m;
	return fd;
}

int fake_array(uint32_t value_size, uint32_t max)
{
	return fake_new(false, sizeof(uint32_t), value_size, max);
}

int fake_hash(uint32_t key_size, uint32_t value_size, uint32_t max)
{
	return fake_new(true, key_size, value_size, max);
}

void fake_close(int fd)
{
	if (fakes[fd]) {
		free(fakes[fd]->slots);
		free(fakes[fd]);
		fakes[fd] = NULL;
	}
	close(fd);
}

static int fake_err(int err)
{
	errno = err;
	return -err;
}

static uint64_t fake_hash64(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (n--)
		h = (h ^ *p++) * 0x100000001b3ull;
	return h;
}

static uint8_t *fake_slot(const struct fake_map *m, uint32_t i)
{
	return m->slots + (size_t)i * (1 + m->key_size + m->value_size);
}

static uint32_t fake_home(const struct fake_map *m, const void *key)
{
	return (uint32_t)fake_hash64(key, m->key_size) & m->mask;
}

/* The key's slot, or the empty slot where it would go. */
static uint32_t fake_probe(const struct fake_map *m, const void *key)
{
	uint32_t i = fake_home(m, key);
	uint8_t *s;

	for (;; i = (i + 1) & m->mask) {
		s = fake_slot(m, i);
		if (!s[0] || !memcmp(s + 1, key, m->key_size))
			return i;
	}
}

/* Counts a write; true if it is the one to fail. */
static bool fake_write_fails(struct fake_map *m)
{
	m->writes++;
	if (!m->fail_in)
		return false;
	return --m->fail_in == 0;
}

int bpf_map_update_elem(int fd, const void *key, const void *value,
			__u64 flags)
{
	struct fake_map *m = fakes[fd];
	uint32_t idx;
	uint8_t *s;

	if (!m)
		return fake_err(EBADF);
	if (fake_write_fails(m))
		return fake_err(ENOMEM);
	if (!m->hash) {
		memcpy(&idx, key, sizeof(idx));
		if (idx >= m->max)
			return fake_err(E2BIG);
		memcpy(m->slots + (size_t)idx * m->value_size, value,
		       m->value_size);
		return fake_written();
	}
	s = fake_slot(m, fake_probe(m, key));
	if (!s[0]) {
		if (m->count >= m->max)
			return fake_err(E2BIG);
		s[0] = 1;
		memcpy(s + 1, key, m->key_size);
		m->count++;
	}
	memcpy(s + 1 + m->key_size, value, m->value_size);
	return fake_written();
}

int bpf_map_lookup_elem(int fd, const void *key, void *value)
{
	struct fake_map *m = fakes[fd];
	uint32_t idx;
	uint8_t *s;

	if (!m)
		return fake_err(EBADF);
	if (!m->hash) {
		memcpy(&idx, key, sizeof(idx));
		if (idx >= m->max)
			return fake_err(ENOENT);
		memcpy(value, m->slots + (size_t)idx * m->value_size,
		       m->value_size);
		return 0;
	}
	s = fake_slot(m, fake_probe(m, key));
	if (!s[0])
		return fake_err(ENOENT);
	memcpy(value, s + 1 + m->key_size, m->value_size);
	return 0;
}

int bpf_map_delete_elem(int fd, const void *key)
{
	struct fake_map *m = fakes[fd];
	uint32_t hole, j, home;
	uint8_t *s;

	if (!m || !m->hash)
		return fake_err(m ? EINVAL : EBADF);
	if (fake_write_fails(m))
		return fake_err(ENOMEM);
	hole = fake_probe(m, key);
	if (!fake_slot(m, hole)[0])
		return fake_err(ENOENT);
	m->count--;
	/* Linear probing: close the hole without tombstones. */
	for (j = hole;;) {
		j = (j + 1) & m->mask;
		s = fake_slot(m, j);
		if (!s[0])
			break;
		home = fake_home(m, s + 1);
		if (((j - home) & m->mask) >= ((j - hole) & m->mask)) {
			memcpy(fake_slot(m, hole), s,
			       1 + m->key_size + m->value_size);
			hole = j;
		}
	}
	fake_slot(m, hole)[0] = 0;
	return fake_written();
}

int bpf_map_get_next_key(int fd, const void *key, void *next_key)
{
	struct fake_map *m = fakes[fd];
	uint32_t i = 0;
	uint8_t *s;

	if (!m || !m->hash)
		return fake_err(m ? EINVAL : EBADF);
	if (key) {
		i = fake_probe(m, key);
		i = fake_slot(m, i)[0] ? i + 1 : 0;
	}
	for (; i <= m->mask; i++) {
		s = fake_slot(m, i);
		if (s[0]) {
			memcpy(next_key, s + 1, m->key_size);
			return 0;
		}
	}
	return fake_err(ENOENT);
}

uint32_t fake_count(int fd)
{
	return fakes[fd]->count;
}

void fake_fail_after(int fd, uint32_t n)
{
	fakes[fd]->fail_in = n;
}

uint64_t fake_writes(int fd)
{
	return fakes[fd]->writes;
}

uint64_t fake_digest(int fd)
{
	const struct fake_map *m = fakes[fd];
	uint64_t sum = 0;
	uint32_t i;
	uint8_t *s;

	for (i = 0; i <= m->mask; i++) {
		s = fake_slot(m, i);
		if (s[0])
			sum += fake_hash64(s + 1, m->key_size + m->value_size);
	}
	return sum;
}

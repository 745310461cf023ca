/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bob Jenkins' lookup3 hash as the kernel has it (include/linux/jhash.h):
 * fast, well mixed in every output bit, so that any subset of bits of a
 * flow hash is itself a good hash.
 */
#ifndef DP_BPF_JHASH_H
#define DP_BPF_JHASH_H

#include "common.h"

#define JHASH_INITVAL 0xdeadbeef

static __always_inline __u32 dp_rol32(__u32 word, unsigned int shift)
{
	return (word << shift) | (word >> ((-shift) & 31));
}

/* clang-format off */
#define __jhash_mix(a, b, c)						\
	{								\
		a -= c; a ^= dp_rol32(c, 4);  c += b;			\
		b -= a; b ^= dp_rol32(a, 6);  a += c;			\
		c -= b; c ^= dp_rol32(b, 8);  b += a;			\
		a -= c; a ^= dp_rol32(c, 16); c += b;			\
		b -= a; b ^= dp_rol32(a, 19); a += c;			\
		c -= b; c ^= dp_rol32(b, 4);  b += a;			\
	}

#define __jhash_final(a, b, c)						\
	{								\
		c ^= b; c -= dp_rol32(b, 14);				\
		a ^= c; a -= dp_rol32(c, 11);				\
		b ^= a; b -= dp_rol32(a, 25);				\
		c ^= b; c -= dp_rol32(b, 16);				\
		a ^= c; a -= dp_rol32(c, 4);				\
		b ^= a; b -= dp_rol32(a, 14);				\
		c ^= b; c -= dp_rol32(b, 24);				\
	}
/* clang-format on */

/* Hash length 32-bit words (length must be a compile-time constant). */
static __always_inline __u32 jhash2(const __u32 *k, __u32 length, __u32 initval)
{
	__u32 a, b, c;

	a = b = c = JHASH_INITVAL + (length << 2) + initval;
	while (length > 3) {
		a += k[0];
		b += k[1];
		c += k[2];
		__jhash_mix(a, b, c);
		length -= 3;
		k += 3;
	}
	switch (length) {
	case 3:
		c += k[2];
		/* fallthrough */
	case 2:
		b += k[1];
		/* fallthrough */
	case 1:
		a += k[0];
		__jhash_final(a, b, c);
		break;
	}
	return c;
}

static __always_inline __u32 jhash_3words(__u32 a, __u32 b, __u32 c,
					  __u32 initval)
{
	initval += JHASH_INITVAL + (3 << 2);
	a += initval;
	b += initval;
	c += initval;
	__jhash_final(a, b, c);
	return c;
}

#endif /* DP_BPF_JHASH_H */

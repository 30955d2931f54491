// SPDX-License-Identifier: MIT
/*
 * X25519 (RFC 7748), only to derive a device's public key from its private
 * key: the UAPI protocol of userspace implementations reports the private
 * key alone, and `nswg show' prints the public one. Written for clarity, not
 * speed (one call per show): field elements are sixteen 16-bit limbs held in
 * 64-bit integers, and the Montgomery ladder never branches on the key.
 */
#include <stdint.h>
#include <string.h>

#include "key.h"
#include "util.h"

typedef int64_t fe[16]; /* value = sum of limb[i] * 2^(16 i), mod 2^255 - 19 */

/* Brings every limb back into [0, 2^16), folding 2^256 = 38 (mod p). */
static void fe_carry(fe o)
{
	for (int i = 0; i < 16; ++i) {
		int64_t c = o[i] >> 16; /* arithmetic: negative limbs borrow */

		o[i] -= c * 65536;
		if (i < 15)
			o[i + 1] += c;
		else
			o[0] += 38 * c;
	}
}

static void fe_add(fe o, const fe a, const fe b)
{
	for (int i = 0; i < 16; ++i)
		o[i] = a[i] + b[i];
}

static void fe_sub(fe o, const fe a, const fe b)
{
	for (int i = 0; i < 16; ++i)
		o[i] = a[i] - b[i];
}

static void fe_mul(fe o, const fe a, const fe b)
{
	int64_t t[31] = { 0 };

	for (int i = 0; i < 16; ++i)
		for (int j = 0; j < 16; ++j)
			t[i + j] += a[i] * b[j];
	for (int i = 0; i < 15; ++i)
		t[i] += 38 * t[i + 16];
	memcpy(o, t, sizeof(fe));
	fe_carry(o);
	fe_carry(o);
}

/* Swaps p and q when bit is 1, without a branch. */
static void fe_cswap(fe p, fe q, int64_t bit)
{
	int64_t mask = -bit;

	for (int i = 0; i < 16; ++i) {
		int64_t t = mask & (p[i] ^ q[i]);

		p[i] ^= t;
		q[i] ^= t;
	}
}

/* a^(p - 2) = 1/a: p - 2 = 2^255 - 21 has every bit set but bits 2 and 4. */
static void fe_invert(fe o, const fe a)
{
	fe c;

	memcpy(c, a, sizeof(fe));
	for (int bit = 253; bit >= 0; --bit) {
		fe_mul(c, c, c);
		if (bit != 2 && bit != 4)
			fe_mul(c, c, a);
	}
	memcpy(o, c, sizeof(fe));
	memzero_explicit(c, sizeof(c));
}

/* The canonical little-endian encoding: subtract p (twice at most) when it fits. */
static void fe_pack(uint8_t out[32], const fe a)
{
	fe t, m;

	memcpy(t, a, sizeof(fe));
	fe_carry(t);
	fe_carry(t);
	fe_carry(t);
	for (int pass = 0; pass < 2; ++pass) {
		m[0] = t[0] - 0xffed;
		for (int i = 1; i < 15; ++i) {
			m[i] = t[i] - 0xffff - ((m[i - 1] >> 16) & 1);
			m[i - 1] &= 0xffff;
		}
		m[15] = t[15] - 0x7fff - ((m[14] >> 16) & 1);
		m[14] &= 0xffff;
		/* A borrow out of the top limb means t < p: keep t. */
		fe_cswap(t, m, 1 - ((m[15] >> 16) & 1));
	}
	for (int i = 0; i < 16; ++i) {
		out[2 * i] = (uint8_t)(t[i] & 0xff);
		out[2 * i + 1] = (uint8_t)(t[i] >> 8);
	}
	memzero_explicit(t, sizeof(t));
	memzero_explicit(m, sizeof(m));
}

static void x25519(uint8_t out[32], const uint8_t scalar[32], const uint8_t point[32])
{
	static const fe a24 = { 0xdb41, 1 }; /* (486662 - 2) / 4 = 121665 */
	fe x1, x2 = { 1 }, z2 = { 0 }, x3, z3 = { 1 }, a, aa, b, bb, e, c, d, da, cb;
	uint8_t k[32];
	int64_t swap = 0;

	memcpy(k, scalar, 32);
	k[0] &= 248;
	k[31] = (uint8_t)((k[31] & 127) | 64);
	for (int i = 0; i < 16; ++i)
		x1[i] = point[2 * i] | (int64_t)point[2 * i + 1] << 8;
	x1[15] &= 0x7fff;
	memcpy(x3, x1, sizeof(fe));

	for (int t = 254; t >= 0; --t) {
		int64_t bit = (k[t >> 3] >> (t & 7)) & 1;

		swap ^= bit;
		fe_cswap(x2, x3, swap);
		fe_cswap(z2, z3, swap);
		swap = bit;

		fe_add(a, x2, z2);
		fe_mul(aa, a, a);
		fe_sub(b, x2, z2);
		fe_mul(bb, b, b);
		fe_sub(e, aa, bb);
		fe_add(c, x3, z3);
		fe_sub(d, x3, z3);
		fe_mul(da, d, a);
		fe_mul(cb, c, b);
		fe_add(x3, da, cb);
		fe_mul(x3, x3, x3);
		fe_sub(z3, da, cb);
		fe_mul(z3, z3, z3);
		fe_mul(z3, z3, x1);
		fe_mul(x2, aa, bb);
		fe_mul(z2, a24, e);
		fe_add(z2, z2, aa);
		fe_mul(z2, z2, e);
	}
	fe_cswap(x2, x3, swap);
	fe_cswap(z2, z3, swap);
	fe_invert(z2, z2);
	fe_mul(x2, x2, z2);
	fe_pack(out, x2);

	memzero_explicit(k, sizeof(k));
	memzero_explicit(x2, sizeof(x2));
	memzero_explicit(z2, sizeof(z2));
	memzero_explicit(x3, sizeof(x3));
	memzero_explicit(z3, sizeof(z3));
	memzero_explicit(a, sizeof(a));
	memzero_explicit(aa, sizeof(aa));
	memzero_explicit(b, sizeof(b));
	memzero_explicit(bb, sizeof(bb));
	memzero_explicit(e, sizeof(e));
	memzero_explicit(c, sizeof(c));
	memzero_explicit(d, sizeof(d));
	memzero_explicit(da, sizeof(da));
	memzero_explicit(cb, sizeof(cb));
}

void key_public(uint8_t pub[static NSWG_KEY_LEN], const uint8_t priv[static NSWG_KEY_LEN])
{
	static const uint8_t basepoint[32] = { 9 };

	x25519(pub, priv, basepoint);
}

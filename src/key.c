// SPDX-License-Identifier: MIT
/*
 * Keys in base64 (configuration files) and hex (the UAPI protocol). Private
 * keys pass through here, so decoding avoids branches and table lookups that
 * depend on the key's characters.
 */
#include <string.h>

#include "key.h"

/* -1 when c is not in [lo, hi], else 0; no branch on c. */
static inline int outside(int c, int lo, int hi)
{
	return ((c - lo) | (hi - c)) >> 8;
}

/* The 6-bit value of a base64 character, or a value with bit 8 set. */
static inline unsigned int b64_value(unsigned char ch)
{
	int c = ch, v = 0x100;

	v ^= ~outside(c, 'A', 'Z') & (0x100 ^ (c - 'A'));
	v ^= ~outside(c, 'a', 'z') & (0x100 ^ (c - 'a' + 26));
	v ^= ~outside(c, '0', '9') & (0x100 ^ (c - '0' + 52));
	v ^= ~outside(c, '+', '+') & (0x100 ^ 62);
	v ^= ~outside(c, '/', '/') & (0x100 ^ 63);
	return (unsigned int)v;
}

static inline char b64_char(unsigned int v)
{
	int c = (int)v + 'A';

	c += ~outside((int)v, 26, 63) & ('a' - 'A' - 26);
	c += ~outside((int)v, 52, 63) & ('0' - 'a' - 26);
	c += ~outside((int)v, 62, 63) & ('+' - '0' - 10);
	c += ~outside((int)v, 63, 63) & ('/' - '+' - 1);
	return (char)c;
}

bool key_from_base64(uint8_t key[static NSWG_KEY_LEN], const char *base64)
{
	volatile unsigned int bad = 0;
	unsigned int acc = 0, bits = 0, v;
	size_t out = 0;

	if (strlen(base64) != NSWG_KEY_LEN_BASE64 - 1 || base64[NSWG_KEY_LEN_BASE64 - 2] != '=')
		return false;
	for (size_t i = 0; i < NSWG_KEY_LEN_BASE64 - 2; ++i) {
		v = b64_value((unsigned char)base64[i]);
		bad |= v;
		acc = (acc << 6) | (v & 63);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			key[out++] = (uint8_t)(acc >> bits);
		}
	}
	/* 43 characters carry 258 bits: the last two must be zero. */
	bad |= (acc & 3) << 8;
	return (bad & 0x300) == 0;
}

void key_to_base64(char base64[static NSWG_KEY_LEN_BASE64], const uint8_t key[static NSWG_KEY_LEN])
{
	unsigned int acc = 0, bits = 0;
	size_t out = 0;

	for (size_t i = 0; i < NSWG_KEY_LEN; ++i) {
		acc = (acc << 8) | key[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			base64[out++] = b64_char((acc >> bits) & 63);
		}
	}
	base64[out++] = b64_char((acc << (6 - bits)) & 63);
	base64[out++] = '=';
	base64[out] = '\0';
}

static inline unsigned int hex_value(unsigned char ch)
{
	int c = ch, v = 0x100;

	v ^= ~outside(c, '0', '9') & (0x100 ^ (c - '0'));
	v ^= ~outside(c, 'a', 'f') & (0x100 ^ (c - 'a' + 10));
	v ^= ~outside(c, 'A', 'F') & (0x100 ^ (c - 'A' + 10));
	return (unsigned int)v;
}

bool key_from_hex(uint8_t key[static NSWG_KEY_LEN], const char *hex)
{
	volatile unsigned int bad = 0;
	unsigned int hi, lo;

	if (strlen(hex) != NSWG_KEY_LEN_HEX - 1)
		return false;
	for (size_t i = 0; i < NSWG_KEY_LEN; ++i) {
		hi = hex_value((unsigned char)hex[2 * i]);
		lo = hex_value((unsigned char)hex[2 * i + 1]);
		bad |= hi | lo;
		key[i] = (uint8_t)(((hi & 15) << 4) | (lo & 15));
	}
	return (bad & 0x100) == 0;
}

void key_to_hex(char hex[static NSWG_KEY_LEN_HEX], const uint8_t key[static NSWG_KEY_LEN])
{
	for (size_t i = 0; i < NSWG_KEY_LEN; ++i) {
		unsigned int hi = key[i] >> 4, lo = key[i] & 15;

		hex[2 * i] = (char)(hi + '0' + (~outside((int)hi, 10, 15) & ('a' - '0' - 10)));
		hex[2 * i + 1] = (char)(lo + '0' + (~outside((int)lo, 10, 15) & ('a' - '0' - 10)));
	}
	hex[NSWG_KEY_LEN_HEX - 1] = '\0';
}

bool key_is_zero(const uint8_t key[static NSWG_KEY_LEN])
{
	volatile uint8_t acc = 0;

	for (size_t i = 0; i < NSWG_KEY_LEN; ++i)
		acc |= key[i];
	return acc == 0;
}

/* SPDX-License-Identifier: MIT */
#ifndef NSWG_KEY_H
#define NSWG_KEY_H

#include <stdbool.h>
#include <stdint.h>

#define NSWG_KEY_LEN 32
#define NSWG_KEY_LEN_BASE64 45 /* 44 characters and a NUL */
#define NSWG_KEY_LEN_HEX 65

/* Decoding runs in constant time with respect to the key's bytes. */
bool key_from_base64(uint8_t key[static NSWG_KEY_LEN], const char *base64);
void key_to_base64(char base64[static NSWG_KEY_LEN_BASE64], const uint8_t key[static NSWG_KEY_LEN]);
bool key_from_hex(uint8_t key[static NSWG_KEY_LEN], const char *hex);
void key_to_hex(char hex[static NSWG_KEY_LEN_HEX], const uint8_t key[static NSWG_KEY_LEN]);
bool key_is_zero(const uint8_t key[static NSWG_KEY_LEN]);

/* The Curve25519 public key of a private key (RFC 7748), in constant time. */
void key_public(uint8_t pub[static NSWG_KEY_LEN], const uint8_t priv[static NSWG_KEY_LEN]);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef NSWG_PREFIX_H
#define NSWG_PREFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "model.h"

/* Address-family arithmetic, in one place: AF_INET6 or else AF_INET. */
static inline unsigned int prefix_bits(unsigned int family)
{
	return family == AF_INET6 ? 128 : 32;
}

static inline size_t prefix_addr_len(unsigned int family)
{
	return family == AF_INET6 ? 16 : 4;
}

/* ip(8)'s -4 or -6, for the "[#]" lines. */
static inline const char *prefix_family_flag(unsigned int family)
{
	return family == AF_INET6 ? "-6" : "-4";
}

/* Clears the bits after the prefix length. */
void prefix_mask(struct nswg_prefix *p);
/* True when the bits after the prefix length are all zero. */
bool prefix_is_masked(const struct nswg_prefix *p);
/* Same family, length and address. */
bool prefix_same(const struct nswg_prefix *a, const struct nswg_prefix *b);
/* Whether net, as a network, holds p (of the same family and no shorter). */
bool prefix_contains(const struct nswg_prefix *net, const struct nswg_prefix *p);
/* Two socket addresses of one host (the port aside). */
bool sockaddr_same_host(const struct sockaddr *a, const struct sockaddr *b);

#endif

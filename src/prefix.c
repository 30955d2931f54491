// SPDX-License-Identifier: MIT
#include <netinet/in.h>
#include <string.h>

#include "prefix.h"

static bool bit_set(const struct nswg_prefix *p, unsigned int i)
{
	return p->raw[i / 8] & (0x80 >> (i % 8));
}

void prefix_mask(struct nswg_prefix *p)
{
	for (unsigned int i = p->cidr; i < prefix_bits(p->family); ++i)
		p->raw[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
}

bool prefix_is_masked(const struct nswg_prefix *p)
{
	for (unsigned int i = p->cidr; i < prefix_bits(p->family); ++i) {
		if (bit_set(p, i))
			return false;
	}
	return true;
}

bool prefix_same(const struct nswg_prefix *a, const struct nswg_prefix *b)
{
	return a->family == b->family && a->cidr == b->cidr && !memcmp(a->raw, b->raw, prefix_addr_len(a->family));
}

bool prefix_contains(const struct nswg_prefix *net, const struct nswg_prefix *p)
{
	unsigned int bits = net->cidr;

	if (net->family != p->family || bits > p->cidr)
		return false;
	if (memcmp(net->raw, p->raw, bits / 8))
		return false;
	return !(bits % 8) || !((net->raw[bits / 8] ^ p->raw[bits / 8]) & (0xff00 >> (bits % 8)));
}

bool sockaddr_same_host(const struct sockaddr *a, const struct sockaddr *b)
{
	const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a, *y = (const struct sockaddr_in6 *)b;

	if (a->sa_family != b->sa_family)
		return false;
	if (a->sa_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr == ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) && x->sin6_scope_id == y->sin6_scope_id;
}

// SPDX-License-Identifier: MIT
/*
 * rtnetlink replies under libFuzzer: the input is a receive buffer of link,
 * address and route messages, walked the way the transport walks one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtnl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy: netlink buffers are aligned, fuzzer inputs need not be. */
	uint32_t *buf = malloc(size + 4);
	const struct nlmsghdr *nlh;
	int rest = (int)size;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	for (nlh = (const struct nlmsghdr *)buf; nl_msg_ok(nlh, rest); nlh = mnl_nlmsg_next(nlh, &rest)) {
		struct rtnl_link link;
		struct nswg_prefix p;
		char *text;
		int ifindex;

		rtnl_parse_link(nlh, &link);
		rtnl_parse_addr(nlh, &ifindex, &p);
		if (!rtnl_route_describe(nlh, &text))
			free(text);
	}
	free(buf);
	return 0;
}

// SPDX-License-Identifier: MIT
/*
 * The netlink receive path under libFuzzer: what nl_request() does with
 * the datagrams it reads, bounded walk, sequence and port checks, errors
 * with their extended acks, the end of dumps, and every reply parser
 * behind it. The input is a series of datagrams, each a 16-bit length
 * (little endian) and that many bytes; replies answer sequence number
 * NLRECV_SEQ on port NLRECV_PORT.
 */
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nl.h"
#include "rtnl.h"
#include "wgnl.h"

#define NLRECV_SEQ 0x5eed
#define NLRECV_PORT 4242

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int reply_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nswg_config *cfg = data;
	struct rtnl_link link;
	struct nswg_prefix p;
	char *text;
	int ifindex;

	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
		rtnl_parse_link(nlh, &link);
		break;
	case RTM_NEWADDR:
		rtnl_parse_addr(nlh, &ifindex, &p);
		break;
	case RTM_NEWROUTE:
		if (!rtnl_route_describe(nlh, &text))
			free(text);
		break;
	default:
		if (wgnl_parse_device(nlh, cfg))
			return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nl nl = { .portid = NLRECV_PORT, .seq = NLRECV_SEQ };
	struct nswg_config *cfg = calloc(1, sizeof(*cfg));
	/* Aligned as a receive buffer is; fuzzer inputs need not be. */
	uint32_t *buf = malloc(65536 + 4);
	int ret = MNL_CB_OK;
	char *text;
	size_t len;

	if (!buf || !cfg)
		goto out;
	while (ret == MNL_CB_OK && size >= 2) {
		size_t n = (size_t)data[0] | (size_t)data[1] << 8;

		data += 2;
		size -= 2;
		if (n > size)
			n = size;
		memcpy(buf, data, n);
		ret = nl_walk(&nl, buf, n, NLRECV_SEQ, reply_cb, cfg);
		data += n;
		size -= n;
	}
	if (!config_render_wg(cfg, &text, &len))
		free(text);
out:
	config_free(cfg);
	free(buf);
	return 0;
}

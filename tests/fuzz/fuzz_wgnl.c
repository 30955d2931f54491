// SPDX-License-Identifier: MIT
/*
 * WG_CMD_GET_DEVICE replies under libFuzzer: a receive buffer of generic
 * netlink messages, parsed into one device as a dump is, then rendered.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wgnl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t *buf = malloc(size + 4);
	struct nswg_config *cfg = calloc(1, sizeof(*cfg));
	const struct nlmsghdr *nlh;
	int rest = (int)size;
	char *text;
	size_t len;

	if (!buf || !cfg)
		goto out;
	memcpy(buf, data, size);
	for (nlh = (const struct nlmsghdr *)buf; nl_msg_ok(nlh, rest); nlh = mnl_nlmsg_next(nlh, &rest)) {
		if (wgnl_parse_device(nlh, cfg))
			break;
	}
	if (!config_render_wg(cfg, &text, &len))
		free(text);
out:
	config_free(cfg);
	free(buf);
	return 0;
}

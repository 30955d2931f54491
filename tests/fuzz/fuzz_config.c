// SPDX-License-Identifier: MIT
/*
 * The config reader under libFuzzer. Besides crashes, leaks and undefined
 * behaviour it checks two properties: what `nswg strip' prints reads back as
 * the same device configuration, which `wg syncconf' relies on; and down's
 * reader (config_parse_interface) accepts whatever the full reader accepts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *render(const char *buf, size_t len, size_t *out_len)
{
	struct nswg_config_error err;
	struct nswg_config *cfg;
	char *out = NULL;

	if (config_parse_buf(buf, len, &cfg, &err))
		return NULL;
	if (config_render_wg(cfg, &out, out_len))
		out = NULL;
	config_free(cfg);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *first, *stripped, *second;
	size_t first_len, stripped_len, second_len;
	struct nswg_config_error err;
	struct nswg_config *cfg;
	int interface_ret;

	interface_ret = config_parse_interface((const char *)data, size, &cfg, &err);
	if (!interface_ret)
		config_free(cfg);
	first = render((const char *)data, size, &first_len);
	if (!first)
		return 0;
	if (interface_ret) {
		fprintf(stderr, "down's reader refused what up's accepted: line %u: %s\n", err.line, err.message);
		abort();
	}
	if (config_strip_buf((const char *)data, size, &stripped, &stripped_len))
		abort();
	second = render(stripped, stripped_len, &second_len);
	if (!second || second_len != first_len || memcmp(first, second, first_len)) {
		fprintf(stderr, "stripping changed the device configuration\n");
		abort();
	}
	free(first);
	free(stripped);
	free(second);
	return 0;
}

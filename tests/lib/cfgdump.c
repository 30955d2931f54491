// SPDX-License-Identifier: MIT
/*
 * cfgdump FILE: the device configuration nswg reads from FILE, printed the
 * way `wg showconf' prints a device that holds it. The corpus test compares
 * it with what wg(8) really makes of the same file.
 */
#include <stdio.h>
#include <stdlib.h>

#include "config.h"

int main(int argc, char *argv[])
{
	struct nswg_config_error err;
	struct nswg_config *cfg;
	char *buf, *out;
	size_t len, out_len;

	if (argc != 2) {
		fprintf(stderr, "Usage: %s FILE\n", argv[0]);
		return 2;
	}
	if (config_read_file(argv[1], &buf, &len)) {
		perror(argv[1]);
		return 1;
	}
	if (config_parse_buf(buf, len, &cfg, &err)) {
		fprintf(stderr, "%s:%u: %s\n", argv[1], err.line, err.message);
		return 1;
	}
	if (config_render_wg(cfg, &out, &out_len))
		return 1;
	fwrite(out, 1, out_len, stdout);
	free(out);
	free(buf);
	config_free(cfg);
	return 0;
}

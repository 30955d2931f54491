// SPDX-License-Identifier: MIT
/* nswg strip: the file without the keys only wg-quick(8) reads, as `wg-quick strip' prints it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "util.h"

int cmd_strip(int argc, char *argv[])
{
	struct loaded_config lc;
	size_t len;
	char *out;
	int ret;

	if (argc != 2) {
		usage(stderr);
		return 1;
	}
	if (load_config(argv[1], &lc, false))
		return 1;
	ret = config_strip_buf(lc.buf, lc.len, &out, &len);
	loaded_config_free(&lc);
	if (ret) {
		fprintf(stderr, "%s: %s\n", prog, strerror(-ret));
		return 1;
	}
	ret = fwrite(out, 1, len, stdout) != len || fflush(stdout);
	memzero_explicit(out, len);
	free(out);
	if (ret) {
		fprintf(stderr, "%s: Unable to write the configuration: %s\n", prog, strerror(errno));
		return 1;
	}
	return 0;
}

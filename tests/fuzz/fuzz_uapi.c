// SPDX-License-Identifier: MIT
/* UAPI "get=1" replies under libFuzzer: parsed into a device, then rendered. */
#include <stdint.h>
#include <stdlib.h>

#include "uapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nswg_config *cfg = calloc(1, sizeof(*cfg));
	char *text;
	size_t len;

	if (!cfg)
		return 0;
	if (!uapi_parse_get((const char *)data, size, cfg) && !config_render_wg(cfg, &text, &len))
		free(text);
	config_free(cfg);
	return 0;
}

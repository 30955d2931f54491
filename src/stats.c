// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <stdlib.h>

#include "stats.h"

struct nswg_stats nswg_stats;

#ifdef NSWG_FAULT_INJECTION
int fault_injected(void)
{
	static unsigned long calls;
	static long at = -1, err;
	const char *spec;

	if (at < 0) {
		spec = getenv("NSWG_FAULT");
		at = 0;
		if (spec && sscanf(spec, "%ld:%ld", &at, &err) != 2)
			at = 0;
	}
	return at > 0 && ++calls == (unsigned long)at ? -(int)err : 0;
}
#endif

// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <stdlib.h>

#include "stats.h"

struct nswg_stats nswg_stats;

#ifdef NSWG_FAULT_INJECTION
#include <signal.h>

/* "N:VALUE" from the environment; 0 when unset or malformed. */
static long spec_at(const char *name, long *value)
{
	const char *spec = getenv(name);
	long at;

	if (!spec || sscanf(spec, "%ld:%ld", &at, value) != 2 || at < 1)
		return 0;
	return at;
}

/*
 * NSWG_FAULT=N:ERRNO fails the Nth request with -ERRNO; NSWG_FAULT_SIGNAL=
 * N:SIG raises SIG just before the Nth request is sent, as if it had
 * arrived from outside at that moment.
 */
int fault_injected(void)
{
	static unsigned long calls;
	static long fail_at = -1, err, signal_at, sig;

	if (fail_at < 0) {
		fail_at = spec_at("NSWG_FAULT", &err);
		signal_at = spec_at("NSWG_FAULT_SIGNAL", &sig);
	}
	++calls;
	if (signal_at && calls == (unsigned long)signal_at)
		raise((int)sig);
	return fail_at && calls == (unsigned long)fail_at ? -(int)err : 0;
}
#endif

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
 * arrived from outside at that moment; NSWG_FAULT_RUN=N:0 runs the shell
 * command NSWG_FAULT_CMD then (someone deleting the namespace, say).
 */
int fault_injected(void)
{
	static unsigned long calls;
	static long fail_at = -1, err, signal_at, sig, run_at, unused;

	if (fail_at < 0) {
		fail_at = spec_at("NSWG_FAULT", &err);
		signal_at = spec_at("NSWG_FAULT_SIGNAL", &sig);
		run_at = spec_at("NSWG_FAULT_RUN", &unused);
	}
	++calls;
	if (signal_at && calls == (unsigned long)signal_at)
		raise((int)sig);
	if (run_at && calls == (unsigned long)run_at && getenv("NSWG_FAULT_CMD") && system(getenv("NSWG_FAULT_CMD")))
		fprintf(stderr, "nswg-fault: `%s' failed\n", getenv("NSWG_FAULT_CMD"));
	return fail_at && calls == (unsigned long)fail_at ? -(int)err : 0;
}
#endif

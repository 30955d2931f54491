/* SPDX-License-Identifier: MIT */
#ifndef NSWG_RESOLVE_H
#define NSWG_RESOLVE_H

#include <signal.h>
#include <stdbool.h>

#include "config.h"

/* WG_ENDPOINT_RESOLUTION_RETRIES as wg(8) reads it: 15, a number, or "infinity" (-1). */
int resolve_retries(const char *env, int *retries);

/* Called before each wait: what failed, and how long until the next try. */
typedef void (*resolve_notify_fn)(const struct nswg_peer *peer, const char *error, double seconds, void *arg);

struct resolve_error {
	const struct nswg_peer *peer;
	char message[256];
};

/*
 * Resolves every endpoint given as a name, as wg(8) does: the first address
 * getaddrinfo() gives, transient failures retried with a growing pause.
 * Runs in the caller's namespace: the host's, where the UDP socket is.
 * Returns 0, -EINTR when *stop was set during a wait, or -EHOSTUNREACH.
 */
int resolve_endpoints(struct nswg_config *cfg, int retries, resolve_notify_fn notify, void *arg,
		      volatile sig_atomic_t *stop, struct resolve_error *err);

/* wg(8)'s rules: a pause of 1 s, growing by a fifth each try up to 20 s. */
#define RESOLVE_PAUSE_FIRST_US 1000000U
#define RESOLVE_PAUSE_MAX_US 20000000U
unsigned int resolve_next_pause(unsigned int us);
/* As wg(8): no such name, a failure, no data are permanent; everything else may pass. */
bool resolve_failure_permanent(int gai_error);

#endif

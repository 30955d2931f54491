/* SPDX-License-Identifier: MIT */
#ifndef NSWG_RELAY_SERVE_H
#define NSWG_RELAY_SERVE_H

#include <stdbool.h>
#include <stddef.h>

#include "relay.h"
#include "socks.h"

/* A listening socket (TCP) or a bound one (UDP), on the side its spec says. */
struct relay_listener {
	int fd;
	struct relay_spec spec;
	struct relay_counters *ctr;
};

#define RELAY_NAMESERVERS_MAX 3

/* What the SOCKS entrance needs: the namespace's resolvers, and the credentials asked for. */
struct relay_socks_config {
	union relay_addr nameservers[RELAY_NAMESERVERS_MAX];
	size_t n_nameservers;
	bool auth;
	struct socks_credentials cred;
};

struct relay_options {
	size_t max_connections;    /* open at once, per loop; then accepting waits */
	unsigned int udp_timeout;  /* seconds a UDP session lives unused */
	const struct relay_socks_config *socks;
	int drain_fd;              /* readable: give way (see relay_serve); -1: never */
};

/*
 * Serves the listeners, in the namespace of the calling thread (where the
 * targets' sockets are made), until an error the loop cannot go on from
 * (-errno), or until drain_fd turned readable and the connections then
 * open have ended (0): a successor holding the same listeners serves new
 * clients meanwhile, and the listeners are closed here at once.
 */
int relay_serve(struct relay_listener *ls, size_t n, const struct relay_options *opt);

#endif

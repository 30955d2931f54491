// SPDX-License-Identifier: MIT
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolve.h"

int resolve_retries(const char *env, int *retries)
{
	unsigned long v;
	char *end;

	*retries = 15;
	if (!env)
		return 0;
	if (!strcmp(env, "infinity")) {
		*retries = -1;
		return 0;
	}
	errno = 0;
	v = strtoul(env, &end, 10);
	if (!*env || *end || errno || v > INT_MAX || *env == '-')
		return -EINVAL;
	*retries = (int)v;
	return 0;
}

unsigned int resolve_next_pause(unsigned int us)
{
	return us * 6 / 5 > RESOLVE_PAUSE_MAX_US ? RESOLVE_PAUSE_MAX_US : us * 6 / 5;
}

bool resolve_failure_permanent(int gai_error)
{
	return gai_error == EAI_NONAME || gai_error == EAI_FAIL || gai_error == EAI_NODATA;
}

static int resolve_one(struct nswg_peer *peer, int retries, resolve_notify_fn notify, void *arg,
		       volatile sig_atomic_t *stop, struct resolve_error *err)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM, .ai_protocol = IPPROTO_UDP };
	struct nswg_endpoint *ep = &peer->endpoint;
	struct addrinfo *res;
	char port[8];
	int ret;

	snprintf(port, sizeof(port), "%u", ep->port);
	for (unsigned int timeout = RESOLVE_PAUSE_FIRST_US;; timeout = resolve_next_pause(timeout)) {
		ret = getaddrinfo(ep->host, port, &hints, &res);
		if (!ret)
			break;
		if (resolve_failure_permanent(ret) || (retries >= 0 && !retries--)) {
			err->peer = peer;
			snprintf(err->message, sizeof(err->message), "%s: `%s:%s'",
				 ret == EAI_SYSTEM ? strerror(errno) : gai_strerror(ret), ep->host, port);
			return -EHOSTUNREACH;
		}
		if (notify)
			notify(peer, gai_strerror(ret), timeout / 1000000.0, arg);
		usleep(timeout);
		if (stop && *stop)
			return -EINTR;
	}
	ret = -EHOSTUNREACH;
	if (res->ai_family == AF_INET && res->ai_addrlen == sizeof(ep->addr.in)) {
		memcpy(&ep->addr.in, res->ai_addr, sizeof(ep->addr.in));
		ret = 0;
	} else if (res->ai_family == AF_INET6 && res->ai_addrlen == sizeof(ep->addr.in6)) {
		memcpy(&ep->addr.in6, res->ai_addr, sizeof(ep->addr.in6));
		ret = 0;
	} else {
		err->peer = peer;
		snprintf(err->message, sizeof(err->message), "Neither IPv4 nor IPv6 address found: `%s:%s'", ep->host,
			 port);
	}
	freeaddrinfo(res);
	return ret;
}

int resolve_endpoints(struct nswg_config *cfg, int retries, resolve_notify_fn notify, void *arg,
		      volatile sig_atomic_t *stop, struct resolve_error *err)
{
	int ret;

	for (size_t i = 0; i < cfg->n_peers; ++i) {
		if (!cfg->peers[i].endpoint.host || cfg->peers[i].endpoint.addr.sa.sa_family != AF_UNSPEC)
			continue;
		ret = resolve_one(&cfg->peers[i], retries, notify, arg, stop, err);
		if (ret)
			return ret;
	}
	return 0;
}

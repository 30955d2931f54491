/* SPDX-License-Identifier: MIT */
#ifndef NSWG_SHOW_H
#define NSWG_SHOW_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "relay.h"
#include "util.h"

/* One relay spec of an interface, with its counters. */
struct show_relay {
	char option[16];
	char spec[RELAY_TEXT_MAX];
	struct relay_counters ctr;
};

/* One interface nswg manages, as `nswg show' reports it. */
struct show_item {
	const char *netns;          /* as recorded at up: a name or a path */
	const char *ifname;
	const char *implementation; /* "kernel", or the userspace implementation's name */
	int pid;                    /* of a userspace implementation, else 0 */
	const struct nswg_config *device; /* NULL when it could not be read */
	const char *error;          /* then, why */
	bool host_link;             /* a link of that name exists in the host namespace */
	bool routes_changed;        /* the host's default routes differ from those at up */
	const struct show_relay *relays;
	size_t n_relays;
	int relay_pid;
	bool relay_running;
	int relay_draining_pid;     /* the relay a reload replaced, still serving its connections; 0: none */
	/*
	 * --via: the namespaces its encrypted packets go through, its socket's
	 * first (n_chain 0: the host's). chain_host: the last is known to send
	 * its own through the host (a namespace of nswg's without a via).
	 */
	const char *const *chain;
	size_t n_chain;
	bool chain_host;
	bool via_gone;              /* the socket's namespace's name is gone, or names another now */
};
#define SHOW_CHAIN_MAX 8

/* wg(8)'s words: "1 minute, 3 seconds", "1.50 KiB". */
int show_add_duration(struct strbuf *sb, unsigned long long seconds);
int show_add_bytes(struct strbuf *sb, unsigned long long bytes);
/* "192.0.2.1:51820", "[2001:db8::1]:51820", or "(none)". */
int show_add_endpoint(struct strbuf *sb, const struct nswg_endpoint *ep);

/* In wg show's layout, with a namespace line and the host verdict. Never a private or preshared key. */
int show_render_text(const struct show_item *it, time_t now, struct strbuf *out);
/* A JSON array of every item, for scripts. */
int show_render_json(const struct show_item *items, size_t n, struct strbuf *out);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef NSWG_UAPI_H
#define NSWG_UAPI_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "util.h"

/* Where userspace implementations listen, whatever the network namespace. */
#define NSWG_UAPI_DIR "/var/run/wireguard"

/*
 * The text of a "set=1" request that gives the device cfg, as wg(8) writes
 * it: with replace, every device field and replace_peers, like `wg setconf'.
 * Endpoints must be resolved. Keys are in it: wipe it after use.
 */
int uapi_msg_set(const struct nswg_config *cfg, bool replace, struct strbuf *out);

/*
 * Adds what a "get=1" reply says to cfg (device fields, peers, their
 * statistics). Returns 0, -EBADMSG for a reply that does not follow the
 * protocol, or -N for the "errno=N" the implementation answered.
 */
int uapi_parse_get(const char *text, size_t len, struct nswg_config *cfg);

int uapi_path(const char *ifname, char *path, size_t size);

/* A connection to ifname's socket: an fd, -ENOENT, -ECONNREFUSED (stale)... */
int uapi_connect(const char *ifname);

int uapi_set_device(const char *ifname, const struct nswg_config *cfg, bool replace);
int uapi_get_device(const char *ifname, struct nswg_config **out);

#endif

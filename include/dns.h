/* SPDX-License-Identifier: MIT */
#ifndef NSWG_DNS_H
#define NSWG_DNS_H

#include <stdbool.h>

#include "config.h"
#include "state.h"
#include "util.h"

#ifndef NSWG_SYSCONFDIR
#define NSWG_SYSCONFDIR "/etc"
#endif
/* What `ip netns exec NAME' binds over /etc. */
#define NSWG_NETNS_ETC_DIR NSWG_SYSCONFDIR "/netns"

/* Pure: the files' text. */
int dns_render_resolv(const struct nswg_config *cfg, const char *ifname, struct strbuf *out);
int dns_render_nsswitch(const char *host, size_t len, const char *ifname, struct strbuf *out);

/*
 * Writes /etc/netns/NAME/resolv.conf and nsswitch.conf, keeping the files
 * that were there in backup_dir; records what it did in st.
 */
int dns_apply(const char *nsname, const struct nswg_config *cfg, const char *backup_dir, struct nswg_state *st);
/* Undoes dns_apply: puts back what was there, removes what was not. */
int dns_restore(const char *nsname, const char *backup_dir, struct nswg_state *st);

/* True when the host's resolv.conf names only loopback nameservers. */
bool dns_host_resolver_is_loopback(void);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef NSWG_DNS_H
#define NSWG_DNS_H

#include <stdbool.h>

#include "config.h"
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
 * Writes /etc/netns/NAME/resolv.conf and nsswitch.conf for ifname's DNS=.
 * A file of the administrator's there is first copied into backup_dir; a
 * copy that cannot be written stops before the original is touched.
 */
int dns_apply(const char *nsname, const char *ifname, const struct nswg_config *cfg, const char *backup_dir);
/*
 * Undoes dns_apply, and may run again after an interruption: the copies in
 * backup_dir go back, a file nswg wrote without one is removed, and any
 * other file is left alone. dir_created: /etc/netns/NAME goes too if empty.
 */
int dns_restore(const char *nsname, const char *backup_dir, bool dir_created);
/* The administrator's files there copied into backup_dir, as dns_apply does first. */
int dns_keep_originals(const char *nsname, const char *backup_dir);
/* Whether /etc/netns/NAME is yet to be made: the journal records that before dns_apply makes it. */
bool dns_etc_dir_missing(const char *nsname);

/* The namespace's two files as they are, to be put back so by a reload that fails. */
struct dns_files {
	struct strbuf text[2];
	bool present[2];
};
int dns_files_read(const char *nsname, struct dns_files *f);
int dns_files_write(const char *nsname, const struct dns_files *f);
void dns_files_free(struct dns_files *f);

/* True when the host's resolv.conf names only loopback nameservers. */
bool dns_host_resolver_is_loopback(void);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef NSWG_WGNL_H
#define NSWG_WGNL_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "nl.h"

/* Where the next WG_CMD_SET_DEVICE message of a configuration starts. */
struct wgnl_cursor {
	size_t peer, allowedip;
	bool started, done;
};

struct nlmsghdr *wgnl_msg_get_family(void *buf);
int wgnl_parse_family(const struct nlmsghdr *nlh, uint16_t *family);

/*
 * Builds the next message that sets cfg on the device ifname, in bufsize
 * bytes, as wg(8) does: the first message carries the device's fields (with
 * replace, every one of them and WGDEVICE_F_REPLACE_PEERS, like `wg
 * setconf'); a peer that does not fit is carried over to the next message,
 * and a peer whose allowed IPs do not fit continues there with only its key
 * and the rest of its allowed IPs. Endpoints must be resolved.
 */
struct nlmsghdr *wgnl_msg_set_device(void *buf, size_t bufsize, uint16_t family, const char *ifname,
				     const struct nswg_config *cfg, bool replace, struct wgnl_cursor *cur);

/* WG_CMD_GET_DEVICE, a dump: the reply may come in several messages. */
struct nlmsghdr *wgnl_msg_get_device(void *buf, uint16_t family, const char *ifname);

/*
 * Adds what one reply message says to cfg: the device's fields, and its
 * peers, a peer continued from the previous message merged into it.
 */
int wgnl_parse_device(const struct nlmsghdr *nlh, struct nswg_config *cfg);

/* 0 and the family's id, or -EPROTONOSUPPORT when the kernel has no WireGuard. */
int wgnl_family(struct nl *nl, uint16_t *family);
int wgnl_get_device(struct nl *nl, uint16_t family, const char *ifname, struct nswg_config **out);
int wgnl_set_device(struct nl *nl, uint16_t family, const char *ifname, const struct nswg_config *cfg, bool replace);

#endif

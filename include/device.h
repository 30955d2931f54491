/* SPDX-License-Identifier: MIT */
#ifndef NSWG_DEVICE_H
#define NSWG_DEVICE_H

#include <stdbool.h>

#include "config.h"
#include "nl.h"

/*
 * A WireGuard device, whichever implementation holds it: the kernel's
 * (link kind "wireguard"), spoken to over generic netlink from inside its
 * namespace; or a userspace implementation's (a "tun" link), spoken to over
 * its UAPI socket. genl is opened in ns_fd on first use; its extended ACK
 * says more when a kernel request fails.
 */
int device_get(struct nl *genl, int ns_fd, const char *ifname, bool userspace, struct nswg_config **out);
int device_set(struct nl *genl, int ns_fd, const char *ifname, bool userspace, const struct nswg_config *cfg,
	       bool replace);

/*
 * Pure, reload's diff as `wg syncconf' makes it: the update that turns the
 * running device into want. want's peers with their allowed IPs replaced
 * (they share want's arrays), running peers want lacks removed, the device's
 * fields only where they differ: a peer that did not change keeps its
 * session. Free with device_diff_free(), which wipes the keys.
 */
int device_diff(const struct nswg_config *want, const struct nswg_config *running, struct nswg_config *upd);
void device_diff_free(struct nswg_config *upd);

#endif

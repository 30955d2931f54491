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

#endif

/* SPDX-License-Identifier: MIT */
#ifndef NSWG_KERNEL_WG_H
#define NSWG_KERNEL_WG_H


/*
 * What the kernel's WireGuard can do, found out by asking it, never guessed
 * from a version: the family is looked up; an interface is made in a
 * namespace of nobody's (unshared, never named, gone with its last fd);
 * and a peer with a removed allowed IP (WGALLOWEDIP_A_FLAGS, Linux 6.16)
 * set on it. Nothing of the host or of any namespace in use is touched.
 */
enum feature { FEATURE_UNKNOWN, FEATURE_NO, FEATURE_YES };
struct wg_features {
	enum feature kernel;          /* the wireguard genetlink family answers */
	enum feature create_in_netns; /* RTM_NEWLINK with IFLA_NET_NS_FD makes it there */
	enum feature allowedip_flags; /* a "-" allowed IP is understood */
	int err;                      /* why a probe said unknown: -errno */
};
/* Every probe: 0, or -errno when even the first could not ask. */
int features_probe(struct wg_features *f);
const char *feature_word(enum feature f);

#endif

// SPDX-License-Identifier: MIT
/* One way to a device's configuration, kernel or userspace, and the difference between two. */
#include <errno.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "uapi.h"
#include "util.h"
#include "wgnl.h"

/* reload reads then writes: the family is asked for once per socket. */
static int genl_family(struct nl *genl, int ns_fd, uint16_t *family)
{
	int ret = 0;

	/* In the namespace: the kernel looks the interface's name up there. */
	if (!genl->sock)
		ret = nl_open_in(genl, NETLINK_GENERIC, ns_fd);
	if (!ret && !genl->genl_family)
		ret = wgnl_family(genl, &genl->genl_family);
	*family = genl->genl_family;
	return ret;
}

int device_get(struct nl *genl, int ns_fd, const char *ifname, bool userspace, struct nswg_config **out)
{
	uint16_t family;
	int ret;

	if (userspace)
		return uapi_get_device(ifname, out);
	ret = genl_family(genl, ns_fd, &family);
	return ret ? ret : wgnl_get_device(genl, family, ifname, out);
}

int device_set(struct nl *genl, int ns_fd, const char *ifname, bool userspace, const struct nswg_config *cfg,
	       bool replace)
{
	uint16_t family;
	int ret;

	if (userspace)
		return uapi_set_device(ifname, cfg, replace);
	ret = genl_family(genl, ns_fd, &family);
	return ret ? ret : wgnl_set_device(genl, family, ifname, cfg, replace);
}

static int key_cmp(const void *a, const void *b)
{
	return memcmp(*(const uint8_t *const *)a, *(const uint8_t *const *)b, NSWG_KEY_LEN);
}

int device_diff(const struct nswg_config *want, const struct nswg_config *running, struct nswg_config *upd)
{
	static const uint8_t zero[NSWG_KEY_LEN];
	const uint8_t **keys;

	memset(upd, 0, sizeof(*upd));
	upd->peers = calloc(want->n_peers + running->n_peers + 1, sizeof(*upd->peers));
	upd->cap_peers = want->n_peers + running->n_peers + 1;
	keys = calloc(want->n_peers + 1, sizeof(*keys));
	if (!upd->peers || !keys) {
		free(keys);
		return -ENOMEM;
	}
	if (memcmp((want->flags & NSWG_DEV_HAS_PRIVATE_KEY) ? want->private_key : zero,
		   (running->flags & NSWG_DEV_HAS_PRIVATE_KEY) ? running->private_key : zero, NSWG_KEY_LEN)) {
		upd->flags |= NSWG_DEV_HAS_PRIVATE_KEY;
		memcpy(upd->private_key, want->private_key, NSWG_KEY_LEN);
	}
	/* Without ListenPort the running port stays: rebinding would gain nothing. */
	if ((want->flags & NSWG_DEV_HAS_LISTEN_PORT) && want->listen_port != running->listen_port) {
		upd->flags |= NSWG_DEV_HAS_LISTEN_PORT;
		upd->listen_port = want->listen_port;
	}
	if (want->fwmark != running->fwmark) {
		upd->flags |= NSWG_DEV_HAS_FWMARK;
		upd->fwmark = want->fwmark;
	}
	for (size_t i = 0; i < want->n_peers; ++i) {
		struct nswg_peer *p = &upd->peers[upd->n_peers++];

		*p = want->peers[i]; /* shares allowedips: freed with want, never with upd */
		p->flags |= NSWG_PEER_HAS_PRESHARED_KEY | NSWG_PEER_HAS_KEEPALIVE;
		if (!(want->peers[i].flags & NSWG_PEER_HAS_PRESHARED_KEY))
			memset(p->preshared_key, 0, NSWG_KEY_LEN);
		keys[i] = want->peers[i].public_key;
	}
	if (want->n_peers)
		qsort(keys, want->n_peers, sizeof(*keys), key_cmp);
	for (size_t i = 0; i < running->n_peers; ++i) {
		const uint8_t *k = running->peers[i].public_key;
		struct nswg_peer *p;

		if (want->n_peers && bsearch(&k, keys, want->n_peers, sizeof(*keys), key_cmp))
			continue;
		p = &upd->peers[upd->n_peers++];
		memcpy(p->public_key, k, NSWG_KEY_LEN);
		p->flags = NSWG_PEER_HAS_PUBLIC_KEY | NSWG_PEER_REMOVE;
	}
	free(keys);
	return 0;
}

void device_diff_free(struct nswg_config *upd)
{
	if (upd->peers)
		memzero_explicit(upd->peers, upd->cap_peers * sizeof(*upd->peers));
	memzero_explicit(upd->private_key, sizeof(upd->private_key));
	free(upd->peers);
	upd->peers = NULL;
}

// SPDX-License-Identifier: MIT
/* The "wireguard" generic netlink family. */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/time_types.h>
#include <linux/wireguard.h>
#include <stdlib.h>
#include <string.h>

#include "prefix.h"
#include "util.h"
#include "wgnl.h"

/* Newer than the headers of some distributions. */
#ifndef WGALLOWEDIP_A_FLAGS
#define WGALLOWEDIP_A_FLAGS 4
#define WGALLOWEDIP_F_REMOVE_ME (1U << 0)
#endif

/* Large configurations go in fewer, larger messages than wg(8) sends. */
#define WGNL_MSG_SIZE (32U << 10)

static struct nlmsghdr *genl_start(void *buf, uint16_t type, uint8_t cmd, uint8_t version, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

struct nlmsghdr *wgnl_msg_get_family(void *buf)
{
	struct nlmsghdr *nlh = genl_start(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);

	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, WG_GENL_NAME);
	return nlh;
}

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID && !mnl_attr_validate(attr, MNL_TYPE_U16))
		*(uint16_t *)data = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

int wgnl_parse_family(const struct nlmsghdr *nlh, uint16_t *family)
{
	*family = 0;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct genlmsghdr)))
		return -EBADMSG;
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb, family);
	return *family ? 0 : -EBADMSG;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	return wgnl_parse_family(nlh, data) ? MNL_CB_ERROR : MNL_CB_OK;
}

int wgnl_family(struct nl *nl, uint16_t *family)
{
	int ret = nl_request(nl, wgnl_msg_get_family(nl_request_buf(nl)), family_cb, family);

	/* As wg(8): no family means no WireGuard in this kernel. */
	return ret == -ENOENT ? -EPROTONOSUPPORT : ret;
}

static bool put_device(struct nlmsghdr *nlh, size_t size, const struct nswg_config *cfg, bool replace)
{
	static const uint8_t zero[NSWG_KEY_LEN];
	bool ok = true;

	if (replace || (cfg->flags & NSWG_DEV_HAS_PRIVATE_KEY))
		ok &= mnl_attr_put_check(nlh, size, WGDEVICE_A_PRIVATE_KEY, NSWG_KEY_LEN,
					 (cfg->flags & NSWG_DEV_HAS_PRIVATE_KEY) ? cfg->private_key : zero);
	if (replace || (cfg->flags & NSWG_DEV_HAS_LISTEN_PORT))
		ok &= mnl_attr_put_u16_check(nlh, size, WGDEVICE_A_LISTEN_PORT, cfg->listen_port);
	if (replace || (cfg->flags & NSWG_DEV_HAS_FWMARK))
		ok &= mnl_attr_put_u32_check(nlh, size, WGDEVICE_A_FWMARK, cfg->fwmark);
	if (replace)
		ok &= mnl_attr_put_u32_check(nlh, size, WGDEVICE_A_FLAGS, WGDEVICE_F_REPLACE_PEERS);
	return ok;
}

/* What a peer carries in its first message only. */
static bool put_peer_fields(struct nlmsghdr *nlh, size_t size, const struct nswg_peer *peer)
{
	const struct nswg_endpoint *ep = &peer->endpoint;
	bool ok = true;

	if (peer->flags & NSWG_PEER_REMOVE)
		return mnl_attr_put_u32_check(nlh, size, WGPEER_A_FLAGS, WGPEER_F_REMOVE_ME);
	if (peer->flags & (NSWG_PEER_REPLACE_ALLOWEDIPS | NSWG_PEER_UPDATE_ONLY))
		ok &= mnl_attr_put_u32_check(nlh, size, WGPEER_A_FLAGS,
					     ((peer->flags & NSWG_PEER_REPLACE_ALLOWEDIPS) ? WGPEER_F_REPLACE_ALLOWEDIPS : 0) |
						     ((peer->flags & NSWG_PEER_UPDATE_ONLY) ? WGPEER_F_UPDATE_ONLY : 0));
	if (peer->flags & NSWG_PEER_HAS_PRESHARED_KEY)
		ok &= mnl_attr_put_check(nlh, size, WGPEER_A_PRESHARED_KEY, NSWG_KEY_LEN, peer->preshared_key);
	if ((peer->flags & NSWG_PEER_HAS_ENDPOINT) && ep->addr.sa.sa_family == AF_INET)
		ok &= mnl_attr_put_check(nlh, size, WGPEER_A_ENDPOINT, sizeof(ep->addr.in), &ep->addr.in);
	else if ((peer->flags & NSWG_PEER_HAS_ENDPOINT) && ep->addr.sa.sa_family == AF_INET6)
		ok &= mnl_attr_put_check(nlh, size, WGPEER_A_ENDPOINT, sizeof(ep->addr.in6), &ep->addr.in6);
	if (peer->flags & NSWG_PEER_HAS_KEEPALIVE)
		ok &= mnl_attr_put_u16_check(nlh, size, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, peer->keepalive);
	return ok;
}

static bool put_allowedip(struct nlmsghdr *nlh, size_t size, const struct nswg_allowedip *aip)
{
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, size, 0);
	bool ok;

	if (!nest)
		return false;
	ok = mnl_attr_put_u16_check(nlh, size, WGALLOWEDIP_A_FAMILY, aip->prefix.family) &&
	     mnl_attr_put_check(nlh, size, WGALLOWEDIP_A_IPADDR, prefix_addr_len(aip->prefix.family),
				aip->prefix.raw) &&
	     mnl_attr_put_u8_check(nlh, size, WGALLOWEDIP_A_CIDR_MASK, aip->prefix.cidr) &&
	     (!(aip->flags & NSWG_ALLOWEDIP_REMOVE) ||
	      mnl_attr_put_u32_check(nlh, size, WGALLOWEDIP_A_FLAGS, WGALLOWEDIP_F_REMOVE_ME));
	if (!ok) {
		mnl_attr_nest_cancel(nlh, nest);
		return false;
	}
	mnl_attr_nest_end(nlh, nest);
	return true;
}

/* Adds as much of one peer as fits; false when the message is full. */
static bool put_peer(struct nlmsghdr *nlh, size_t size, const struct nswg_peer *peer, struct wgnl_cursor *cur)
{
	struct nlattr *nest, *aips;
	size_t first = cur->allowedip;

	nest = mnl_attr_nest_start_check(nlh, size, 0);
	if (!nest)
		return false;
	if (!mnl_attr_put_check(nlh, size, WGPEER_A_PUBLIC_KEY, NSWG_KEY_LEN, peer->public_key) ||
	    (!first && !put_peer_fields(nlh, size, peer)))
		goto cancel;
	if (first < peer->n_allowedips) {
		aips = mnl_attr_nest_start_check(nlh, size, WGPEER_A_ALLOWEDIPS);
		if (!aips)
			goto cancel;
		for (; cur->allowedip < peer->n_allowedips; ++cur->allowedip) {
			if (!put_allowedip(nlh, size, &peer->allowedips[cur->allowedip]))
				break;
		}
		if (cur->allowedip == first) {
			mnl_attr_nest_cancel(nlh, aips);
			goto cancel;
		}
		mnl_attr_nest_end(nlh, aips);
		mnl_attr_nest_end(nlh, nest);
		if (cur->allowedip < peer->n_allowedips)
			return false; /* the rest goes in the next message */
		cur->allowedip = 0;
		return true;
	}
	mnl_attr_nest_end(nlh, nest);
	cur->allowedip = 0;
	return true;
cancel:
	mnl_attr_nest_cancel(nlh, nest);
	return false;
}

struct nlmsghdr *wgnl_msg_set_device(void *buf, size_t bufsize, uint16_t family, const char *ifname,
				     const struct nswg_config *cfg, bool replace, struct wgnl_cursor *cur)
{
	struct nlmsghdr *nlh = genl_start(buf, family, WG_CMD_SET_DEVICE, WG_GENL_VERSION, 0);
	struct nlattr *peers;

	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, ifname);
	if (!cur->started) {
		put_device(nlh, bufsize, cfg, replace);
		cur->started = true;
	}
	if (cur->peer < cfg->n_peers) {
		peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
		for (; cur->peer < cfg->n_peers; ++cur->peer) {
			if (!put_peer(nlh, bufsize, &cfg->peers[cur->peer], cur))
				break;
		}
		mnl_attr_nest_end(nlh, peers);
	}
	cur->done = cur->peer >= cfg->n_peers;
	return nlh;
}

int wgnl_set_device(struct nl *nl, uint16_t family, const char *ifname, const struct nswg_config *cfg, bool replace)
{
	struct wgnl_cursor cur = { 0 };
	void *buf = calloc(1, WGNL_MSG_SIZE);
	int ret = buf ? 0 : -ENOMEM;

	while (!ret && !cur.done) {
		ret = nl_request(nl, wgnl_msg_set_device(buf, WGNL_MSG_SIZE, family, ifname, cfg, replace, &cur), NULL,
				 NULL);
		memzero_explicit(buf, WGNL_MSG_SIZE);
	}
	free(buf);
	return ret;
}

struct nlmsghdr *wgnl_msg_get_device(void *buf, uint16_t family, const char *ifname)
{
	struct nlmsghdr *nlh = genl_start(buf, family, WG_CMD_GET_DEVICE, WG_GENL_VERSION, NLM_F_DUMP);

	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, ifname);
	return nlh;
}

struct device_parse {
	struct nswg_config *cfg;
	struct nswg_peer *peer;
	int ret;
};

static int allowedip_attr_cb(const struct nlattr *attr, void *data)
{
	struct nswg_allowedip *aip = data;

	switch (mnl_attr_get_type(attr)) {
	case WGALLOWEDIP_A_FAMILY:
		if (!mnl_attr_validate(attr, MNL_TYPE_U16))
			aip->prefix.family = mnl_attr_get_u16(attr);
		break;
	case WGALLOWEDIP_A_IPADDR:
		if (mnl_attr_get_payload_len(attr) == 4 || mnl_attr_get_payload_len(attr) == 16)
			memcpy(aip->prefix.raw, mnl_attr_get_payload(attr), mnl_attr_get_payload_len(attr));
		break;
	case WGALLOWEDIP_A_CIDR_MASK:
		if (!mnl_attr_validate(attr, MNL_TYPE_U8))
			aip->prefix.cidr = mnl_attr_get_u8(attr);
		break;
	}
	return MNL_CB_OK;
}

static int allowedips_cb(const struct nlattr *attr, void *data)
{
	struct device_parse *d = data;
	struct nswg_peer *peer = d->peer;
	struct nswg_allowedip aip = { 0 };

	if (mnl_attr_parse_nested(attr, allowedip_attr_cb, &aip) < 0)
		return MNL_CB_ERROR;
	if ((aip.prefix.family != AF_INET || aip.prefix.cidr > 32) &&
	    (aip.prefix.family != AF_INET6 || aip.prefix.cidr > 128))
		return MNL_CB_OK; /* not one we understand */
	if (array_grow(&peer->allowedips, &peer->cap_allowedips, peer->n_allowedips, sizeof(aip))) {
		d->ret = -ENOMEM;
		return MNL_CB_ERROR;
	}
	peer->allowedips[peer->n_allowedips++] = aip;
	return MNL_CB_OK;
}

static int peer_attr_cb(const struct nlattr *attr, void *data)
{
	struct device_parse *d = data;
	struct nswg_peer *peer = d->peer;
	uint16_t len = mnl_attr_get_payload_len(attr);

	switch (mnl_attr_get_type(attr)) {
	case WGPEER_A_PRESHARED_KEY:
		if (len == NSWG_KEY_LEN) {
			memcpy(peer->preshared_key, mnl_attr_get_payload(attr), len);
			if (!key_is_zero(peer->preshared_key))
				peer->flags |= NSWG_PEER_HAS_PRESHARED_KEY;
		}
		break;
	case WGPEER_A_ENDPOINT:
		if (len == sizeof(struct sockaddr_in) || len == sizeof(struct sockaddr_in6)) {
			memcpy(&peer->endpoint.addr, mnl_attr_get_payload(attr), len);
			peer->flags |= NSWG_PEER_HAS_ENDPOINT;
		}
		break;
	case WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL:
		if (!mnl_attr_validate(attr, MNL_TYPE_U16) && (peer->keepalive = mnl_attr_get_u16(attr)))
			peer->flags |= NSWG_PEER_HAS_KEEPALIVE;
		break;
	case WGPEER_A_LAST_HANDSHAKE_TIME:
		if (len == sizeof(struct __kernel_timespec)) {
			struct __kernel_timespec ts;

			/* Attributes are 4-byte aligned, the timespec wants 8: copy it out. */
			memcpy(&ts, mnl_attr_get_payload(attr), sizeof(ts));
			peer->last_handshake_sec = ts.tv_sec;
			peer->last_handshake_nsec = ts.tv_nsec;
		}
		break;
	case WGPEER_A_RX_BYTES:
		if (!mnl_attr_validate(attr, MNL_TYPE_U64))
			peer->rx_bytes = mnl_attr_get_u64(attr);
		break;
	case WGPEER_A_TX_BYTES:
		if (!mnl_attr_validate(attr, MNL_TYPE_U64))
			peer->tx_bytes = mnl_attr_get_u64(attr);
		break;
	case WGPEER_A_ALLOWEDIPS:
		if (!mnl_attr_validate(attr, MNL_TYPE_NESTED) && mnl_attr_parse_nested(attr, allowedips_cb, d) < 0)
			return MNL_CB_ERROR;
		break;
	}
	return MNL_CB_OK;
}

static int find_key_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == WGPEER_A_PUBLIC_KEY && mnl_attr_get_payload_len(attr) == NSWG_KEY_LEN)
		*(const void **)data = mnl_attr_get_payload(attr);
	return MNL_CB_OK;
}

static int peers_attr_cb(const struct nlattr *attr, void *data)
{
	struct device_parse *d = data;
	struct nswg_config *cfg = d->cfg;
	const void *key = NULL;

	mnl_attr_parse_nested(attr, find_key_cb, &key);
	if (!key)
		return MNL_CB_OK;
	/* A peer whose allowed IPs did not fit continues in the next message. */
	if (!cfg->n_peers || memcmp(cfg->peers[cfg->n_peers - 1].public_key, key, NSWG_KEY_LEN)) {
		if (array_grow(&cfg->peers, &cfg->cap_peers, cfg->n_peers, sizeof(*cfg->peers))) {
			d->ret = -ENOMEM;
			return MNL_CB_ERROR;
		}
		memset(&cfg->peers[cfg->n_peers], 0, sizeof(*cfg->peers));
		memcpy(cfg->peers[cfg->n_peers].public_key, key, NSWG_KEY_LEN);
		cfg->peers[cfg->n_peers].flags = NSWG_PEER_HAS_PUBLIC_KEY | NSWG_PEER_REPLACE_ALLOWEDIPS;
		++cfg->n_peers;
	}
	d->peer = &cfg->peers[cfg->n_peers - 1];
	return mnl_attr_parse_nested(attr, peer_attr_cb, d) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

static int device_attr_cb(const struct nlattr *attr, void *data)
{
	struct device_parse *d = data;
	struct nswg_config *cfg = d->cfg;

	switch (mnl_attr_get_type(attr)) {
	case WGDEVICE_A_PRIVATE_KEY:
		if (mnl_attr_get_payload_len(attr) == NSWG_KEY_LEN) {
			memcpy(cfg->private_key, mnl_attr_get_payload(attr), NSWG_KEY_LEN);
			if (!key_is_zero(cfg->private_key))
				cfg->flags |= NSWG_DEV_HAS_PRIVATE_KEY;
		}
		break;
	case WGDEVICE_A_PUBLIC_KEY:
		if (mnl_attr_get_payload_len(attr) == NSWG_KEY_LEN) {
			memcpy(cfg->public_key, mnl_attr_get_payload(attr), NSWG_KEY_LEN);
			if (!key_is_zero(cfg->public_key))
				cfg->flags |= NSWG_DEV_HAS_PUBLIC_KEY;
		}
		break;
	case WGDEVICE_A_LISTEN_PORT:
		if (!mnl_attr_validate(attr, MNL_TYPE_U16)) {
			cfg->listen_port = mnl_attr_get_u16(attr);
			cfg->flags |= NSWG_DEV_HAS_LISTEN_PORT;
		}
		break;
	case WGDEVICE_A_FWMARK:
		if (!mnl_attr_validate(attr, MNL_TYPE_U32)) {
			cfg->fwmark = mnl_attr_get_u32(attr);
			cfg->flags |= NSWG_DEV_HAS_FWMARK;
		}
		break;
	case WGDEVICE_A_PEERS:
		if (!mnl_attr_validate(attr, MNL_TYPE_NESTED) && mnl_attr_parse_nested(attr, peers_attr_cb, d) < 0)
			return MNL_CB_ERROR;
		break;
	}
	return MNL_CB_OK;
}

int wgnl_parse_device(const struct nlmsghdr *nlh, struct nswg_config *cfg)
{
	struct device_parse d = { .cfg = cfg };

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct genlmsghdr)))
		return -EBADMSG;
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), device_attr_cb, &d) < 0)
		return d.ret ? d.ret : -EBADMSG;
	return 0;
}

static int get_device_cb(const struct nlmsghdr *nlh, void *data)
{
	return wgnl_parse_device(nlh, data) ? MNL_CB_ERROR : MNL_CB_OK;
}

int wgnl_get_device(struct nl *nl, uint16_t family, const char *ifname, struct nswg_config **out)
{
	struct nswg_config *cfg;
	int ret;

	for (;;) {
		cfg = calloc(1, sizeof(*cfg));
		ret = cfg ? nl_request(nl, wgnl_msg_get_device(nl_request_buf(nl), family, ifname), get_device_cb, cfg)
			  : -ENOMEM;
		/* The device changed during the dump: read it again. */
		if (ret != -EINTR)
			break;
		config_free(cfg);
	}
	if (ret) {
		config_free(cfg);
		return ret;
	}
	*out = cfg;
	return 0;
}

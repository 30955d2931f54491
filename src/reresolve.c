// SPDX-License-Identifier: MIT
/*
 * nswg reresolve CONFIG|INTERFACE [--netns NS]: endpoints that move
 * (DynDNS, a provider's rotating names), as wireguard-tools' contrib
 * reresolve-dns does it: every peer whose endpoint the file gives as a name
 * and whose latest handshake is older than 135 seconds (REKEY_TIMEOUT plus
 * KEEPALIVE_TIMEOUT plus REKEY_AFTER_TIME) gets the name resolved again,
 * where the socket is (the host, or --via's namespace), and its endpoint set
 * where the address changed. Nothing else of the device is touched. A timer
 * runs it every 30 seconds (contrib/systemd). The namespace's lock is let
 * go while names are resolved, and taken again to set them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "device.h"
#include "key.h"
#include "show.h"
#include "tunnel.h"
#include "util.h"

#define STALE_AFTER_SECONDS 135

static const struct nswg_peer *running_peer(const struct nswg_config *dev, const uint8_t *key)
{
	for (size_t i = 0; i < dev->n_peers; ++i) {
		if (!memcmp(dev->peers[i].public_key, key, NSWG_KEY_LEN))
			return &dev->peers[i];
	}
	return NULL;
}

static bool same_endpoint(const struct nswg_endpoint *a, const struct nswg_endpoint *b)
{
	if (a->addr.sa.sa_family != b->addr.sa.sa_family)
		return false;
	if (a->addr.sa.sa_family == AF_INET)
		return a->addr.in.sin_port == b->addr.in.sin_port && a->addr.in.sin_addr.s_addr == b->addr.in.sin_addr.s_addr;
	return a->addr.in6.sin6_port == b->addr.in6.sin6_port &&
	       !memcmp(&a->addr.in6.sin6_addr, &b->addr.in6.sin6_addr, sizeof(a->addr.in6.sin6_addr)) &&
	       a->addr.in6.sin6_scope_id == b->addr.in6.sin6_scope_id;
}

/* Both with the same endpoint, or both without one. */
static bool same_endpoint_of(const struct nswg_peer *a, const struct nswg_peer *b)
{
	bool has = a->flags & NSWG_PEER_HAS_ENDPOINT;

	return has == !!(b->flags & NSWG_PEER_HAS_ENDPOINT) && (!has || same_endpoint(&a->endpoint, &b->endpoint));
}

/*
 * Names of peers with a recent handshake are left unresolved: their
 * endpoint works, and the roaming the kernel learnt stays. Returns how many
 * names are left to resolve.
 */
static size_t keep_stale_names(struct nswg_config *cfg, const struct nswg_config *dev, time_t now)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->n_peers; ++i) {
		struct nswg_peer *p = &cfg->peers[i];
		const struct nswg_peer *r = running_peer(dev, p->public_key);

		if (!p->endpoint.host)
			continue;
		if (r && r->last_handshake_sec && now - r->last_handshake_sec <= STALE_AFTER_SECONDS) {
			free(p->endpoint.host);
			p->endpoint.host = NULL;
			memset(&p->endpoint.addr, 0, sizeof(p->endpoint.addr));
			continue;
		}
		memset(&p->endpoint.addr, 0, sizeof(p->endpoint.addr));
		++n;
	}
	return n;
}

/* One peer's endpoint, and nothing else of it (UPDATE_ONLY: a peer removed meanwhile is not made again). */
static int set_endpoint(struct tunnel *t, const struct nswg_peer *p)
{
	struct nswg_peer one = { .flags = NSWG_PEER_HAS_PUBLIC_KEY | NSWG_PEER_HAS_ENDPOINT | NSWG_PEER_UPDATE_ONLY,
				 .endpoint = p->endpoint };
	struct nswg_config upd = { .peers = &one, .n_peers = 1 };
	char key[NSWG_KEY_LEN_BASE64];
	struct strbuf addr = { 0 };
	bool run;

	memcpy(one.public_key, p->public_key, NSWG_KEY_LEN);
	key_to_base64(key, p->public_key);
	if (show_add_endpoint(&addr, &p->endpoint))
		return -ENOMEM;
	run = tunnel_say(t, "%s%s%s wg set %s peer %s endpoint %s (%s)", t->ns_named ? "ip netns exec " : "nsenter --net=",
			 t->ns, t->ns_named ? "" : " --", t->lc.ifname, key, addr.s, p->endpoint.host);
	strbuf_free(&addr);
	return run ? device_set(&t->genl, t->ns_fd, t->lc.ifname, t->userspace, &upd, false) : 0;
}

/* Peer i's name alone: the others' set aside for the call, then put back. */
static int resolve_one_peer(struct tunnel *t, size_t i)
{
	struct nswg_config *cfg = t->lc.cfg;
	char **hosts = calloc(cfg->n_peers, sizeof(*hosts));
	int ret;

	if (!hosts)
		return -ENOMEM;
	for (size_t k = 0; k < cfg->n_peers; ++k) {
		if (k != i) {
			hosts[k] = cfg->peers[k].endpoint.host;
			cfg->peers[k].endpoint.host = NULL;
		}
	}
	ret = tunnel_resolve(t);
	for (size_t k = 0; k < cfg->n_peers; ++k) {
		if (k != i)
			cfg->peers[k].endpoint.host = hosts[k];
	}
	free(hosts);
	return ret;
}

/* Each stale name in turn, without the lock: one that fails holds up no other (its failure is the exit status). */
static int resolve_names(struct tunnel *t)
{
	int ret = 0, one;

	for (size_t i = 0; i < t->lc.cfg->n_peers && !tunnel_stop; ++i) {
		if (t->lc.cfg->peers[i].endpoint.host && (one = resolve_one_peer(t, i))) {
			free(t->lc.cfg->peers[i].endpoint.host);
			t->lc.cfg->peers[i].endpoint.host = NULL; /* nothing to set */
			ret = ret ? ret : one;
		}
	}
	return tunnel_stop ? -EINTR : ret;
}

/* The tunnel the record named at the start, still: not taken down, nor brought up again. */
static bool same_tunnel(const struct tunnel *t)
{
	struct nswg_state now;

	return !state_read(t->key, t->lc.ifname, &now) && now.complete && now.ifindex == t->st.ifindex &&
	       netns_id_same(&now.netns_id, &t->st.netns_id) && now.userspace_pid == t->st.userspace_pid &&
	       now.userspace_start == t->st.userspace_start;
}

/*
 * Under the lock again: each endpoint set where the tunnel is the one read
 * at the start and nobody changed the peer's endpoint meanwhile (a reload
 * of an edited file, the peer roaming). UPDATE_ONLY: a peer removed
 * meanwhile is not made again.
 */
static int set_changed(struct tunnel *t, const struct nswg_config *was)
{
	struct nswg_config *dev = NULL;
	int ret = 0, one;

	if ((t->lock_fd = state_lock(t->key)) < 0)
		return tunnel_failed("unable to lock " NSWG_STATE_DIR, t->lock_fd, NULL);
	if (!same_tunnel(t) || device_get(&t->genl, t->ns_fd, t->lc.ifname, t->userspace, &dev))
		return 0; /* down, or down and up again, meanwhile: nothing of this run's to set */
	for (size_t i = 0; i < t->lc.cfg->n_peers; ++i) {
		const struct nswg_peer *p = &t->lc.cfg->peers[i], *before, *r;

		if (!p->endpoint.host || !(r = running_peer(dev, p->public_key)))
			continue;
		before = running_peer(was, p->public_key);
		if (!before || !same_endpoint_of(r, before))
			continue; /* changed meanwhile: the newer word stands */
		if (same_endpoint_of(r, p))
			continue;
		if ((one = set_endpoint(t, p))) {
			tunnel_failed("unable to set the endpoint", one, &t->genl);
			ret = ret ? ret : one;
		}
	}
	config_free(dev);
	return ret;
}

static int reresolve(struct tunnel *t)
{
	struct nswg_config *dev = NULL;
	int ret = device_get(&t->genl, t->ns_fd, t->lc.ifname, t->userspace, &dev), set;

	if (ret)
		return tunnel_failed("unable to read the interface", ret, &t->genl);
	if (!keep_stale_names(t->lc.cfg, dev, time(NULL)))
		goto out;
	/* Where the socket is: --via's resolver, never the host's, for a tunnel inside another. */
	if ((ret = tunnel_open_outer(t)))
		goto out;
	/* Names may take long (a resolver that does not answer, retries): no down or reload waits for them. */
	if (t->lock_fd >= 0)
		close(t->lock_fd);
	t->lock_fd = -1;
	ret = resolve_names(t);
	if (ret != -EINTR && (set = set_changed(t, dev)))
		ret = ret ? ret : set;
out:
	config_free(dev);
	return ret;
}

int cmd_reresolve(int argc, char *argv[])
{
	struct rtnl_link link;
	struct tunnel t;
	int ret;

	tunnel_catch_signals();
	if ((ret = tunnel_open_existing(&t, argc, argv, TUNNEL_RERESOLVE, &link)))
		goto out;
	if (!t.has_record) {
		fprintf(stderr, "%s: `%s' in namespace `%s' was not brought up by nswg\n", prog, t.lc.ifname, t.ns);
		ret = -ENOENT;
		goto out;
	}
	ret = reresolve(&t);
out:
	tunnel_close(&t);
	return ret ? 1 : 0;
}

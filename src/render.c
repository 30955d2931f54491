// SPDX-License-Identifier: MIT
/*
 * The configuration as a device holds it after `wg setconf', printed the way
 * `wg showconf' prints a device. Peers named twice are one peer; an allowed
 * IP belongs to the last peer that claimed it; a peer's list is replaced
 * unless "+"/"-" made it incremental. That is what the kernel and
 * wireguard-go do with the messages wg(8) sends for a file. Not modelled: a
 * device ignores a peer with its own public key, which takes curve25519 to see.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "prefix.h"
#include "util.h"

struct aip_event {
	const struct nswg_allowedip *aip;
	struct nswg_prefix masked;
	size_t peer; /* index in cfg->peers */
	size_t seq;
};

struct render_ctx {
	const struct nswg_config *cfg;
	size_t *uid;           /* per config peer: its device peer */
	size_t *first;         /* per device peer: first config peer with that key */
	size_t n_uids;
	bool *replaced_later;  /* per config peer: a later entry for the key replaces its list */
	struct aip_event *events;
	size_t n_events;
};

static int cmp_peer_key(const void *a, const void *b, void *arg)
{
	const struct nswg_config *cfg = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int r = memcmp(cfg->peers[i].public_key, cfg->peers[j].public_key, NSWG_KEY_LEN);

	return r ? r : (i > j) - (i < j);
}

static int cmp_event(const void *a, const void *b)
{
	const struct aip_event *x = a, *y = b;
	int r = (x->masked.family > y->masked.family) - (x->masked.family < y->masked.family);

	if (!r)
		r = (x->masked.cidr > y->masked.cidr) - (x->masked.cidr < y->masked.cidr);
	if (!r)
		r = memcmp(x->masked.raw, y->masked.raw, sizeof(x->masked.raw));
	return r ? r : (x->seq > y->seq) - (x->seq < y->seq);
}

static bool same_prefix(const struct aip_event *x, const struct aip_event *y)
{
	return x->masked.family == y->masked.family && x->masked.cidr == y->masked.cidr &&
	       !memcmp(x->masked.raw, y->masked.raw, sizeof(x->masked.raw));
}

static int assign_uids(struct render_ctx *r)
{
	const struct nswg_config *cfg = r->cfg;
	size_t *order, n = cfg->n_peers;
	bool *seen_replace;

	order = calloc(n + 1, sizeof(*order));
	seen_replace = calloc(n + 1, sizeof(*seen_replace));
	if (!order || !seen_replace) {
		free(order);
		free(seen_replace);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; ++i)
		order[i] = i;
	qsort_r(order, n, sizeof(*order), cmp_peer_key, (void *)cfg);
	for (size_t k = 0; k < n; ++k) {
		size_t i = order[k];

		if (k && !memcmp(cfg->peers[i].public_key, cfg->peers[order[k - 1]].public_key, NSWG_KEY_LEN))
			r->uid[i] = r->uid[order[k - 1]];
		else
			r->uid[i] = r->n_uids++;
	}
	for (size_t i = n; i-- > 0;) {
		r->replaced_later[i] = seen_replace[r->uid[i]];
		if (cfg->peers[i].flags & NSWG_PEER_REPLACE_ALLOWEDIPS)
			seen_replace[r->uid[i]] = true;
	}
	for (size_t u = 0; u < r->n_uids; ++u)
		r->first[u] = SIZE_MAX;
	for (size_t i = 0; i < n; ++i) {
		if (r->first[r->uid[i]] == SIZE_MAX)
			r->first[r->uid[i]] = i;
	}
	free(order);
	free(seen_replace);
	return 0;
}

/* Keeps, for each prefix, the event that decides its owner, if any. */
static void settle_allowedips(struct render_ctx *r)
{
	size_t kept = 0;

	qsort(r->events, r->n_events, sizeof(*r->events), cmp_event);
	for (size_t i = 0, j; i < r->n_events; i = j) {
		const struct aip_event *last_add = NULL;
		bool removed = false;

		for (j = i; j < r->n_events && same_prefix(&r->events[i], &r->events[j]); ++j) {
			if (!(r->events[j].aip->flags & NSWG_ALLOWEDIP_REMOVE)) {
				last_add = &r->events[j];
				removed = false;
			} else if (last_add && r->uid[r->events[j].peer] == r->uid[last_add->peer])
				removed = true;
		}
		if (last_add && !removed && !r->replaced_later[last_add->peer])
			r->events[kept++] = *last_add;
	}
	r->n_events = kept;
}

static int collect_events(struct render_ctx *r)
{
	const struct nswg_config *cfg = r->cfg;
	size_t total = 0, seq = 0;

	for (size_t i = 0; i < cfg->n_peers; ++i)
		total += cfg->peers[i].n_allowedips;
	r->events = calloc(total + 1, sizeof(*r->events));
	if (!r->events)
		return -ENOMEM;
	for (size_t i = 0; i < cfg->n_peers; ++i) {
		for (size_t k = 0; k < cfg->peers[i].n_allowedips; ++k) {
			struct aip_event *e = &r->events[r->n_events++];

			e->aip = &cfg->peers[i].allowedips[k];
			e->masked = e->aip->prefix;
			prefix_mask(&e->masked);
			e->peer = i;
			e->seq = seq++;
		}
	}
	settle_allowedips(r);
	return 0;
}

static int cmp_event_seq(const void *a, const void *b)
{
	const struct aip_event *x = a, *y = b;

	return (x->seq > y->seq) - (x->seq < y->seq);
}

static int render_endpoint(struct strbuf *sb, const struct nswg_endpoint *ep)
{
	char ip[INET6_ADDRSTRLEN];

	if (ep->host)
		return strchr(ep->host, ':') ? strbuf_addf(sb, "Endpoint = [%s]:%u\n", ep->host, ep->port)
					     : strbuf_addf(sb, "Endpoint = %s:%u\n", ep->host, ep->port);
	if (ep->addr.sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &ep->addr.in.sin_addr, ip, sizeof(ip));
		return strbuf_addf(sb, "Endpoint = %s:%u\n", ip, ntohs(ep->addr.in.sin_port));
	}
	inet_ntop(AF_INET6, &ep->addr.in6.sin6_addr, ip, sizeof(ip));
	return strbuf_addf(sb, "Endpoint = [%s]:%u\n", ip, ntohs(ep->addr.in6.sin6_port));
}

/* One device peer: its fields folded over every entry with its key. */
static int render_peer(struct strbuf *sb, const struct render_ctx *r, size_t u, size_t *cursor)
{
	const struct nswg_config *cfg = r->cfg;
	const struct nswg_peer *psk = NULL, *ep = NULL, *ka = NULL;
	char b64[NSWG_KEY_LEN_BASE64], ip[INET6_ADDRSTRLEN];
	bool first = true;
	int ret = 0;

	for (size_t i = r->first[u]; i < cfg->n_peers; ++i) {
		if (r->uid[i] != u)
			continue;
		if (cfg->peers[i].flags & NSWG_PEER_HAS_PRESHARED_KEY)
			psk = &cfg->peers[i];
		if (cfg->peers[i].flags & NSWG_PEER_HAS_ENDPOINT)
			ep = &cfg->peers[i];
		if (cfg->peers[i].flags & NSWG_PEER_HAS_KEEPALIVE)
			ka = &cfg->peers[i];
	}
	key_to_base64(b64, cfg->peers[r->first[u]].public_key);
	ret |= strbuf_addf(sb, "[Peer]\nPublicKey = %s\n", b64);
	if (psk && !key_is_zero(psk->preshared_key)) {
		key_to_base64(b64, psk->preshared_key);
		ret |= strbuf_addf(sb, "PresharedKey = %s\n", b64);
		memzero_explicit(b64, sizeof(b64));
	}
	for (; *cursor < r->n_events && r->uid[r->events[*cursor].peer] == u; ++*cursor) {
		const struct nswg_prefix *p = &r->events[*cursor].masked;

		inet_ntop(p->family, p->raw, ip, sizeof(ip));
		ret |= strbuf_addf(sb, "%s%s/%u", first ? "AllowedIPs = " : ", ", ip, p->cidr);
		first = false;
	}
	if (!first)
		ret |= strbuf_addc(sb, '\n');
	if (ep)
		ret |= render_endpoint(sb, &ep->endpoint);
	if (ka && ka->keepalive)
		ret |= strbuf_addf(sb, "PersistentKeepalive = %u\n", ka->keepalive);
	return ret ? -ENOMEM : 0;
}

static int cmp_event_owner(const void *a, const void *b, void *arg)
{
	const struct render_ctx *r = arg;
	const struct aip_event *x = a, *y = b;
	size_t ux = r->uid[x->peer], uy = r->uid[y->peer];

	if (ux != uy)
		return (ux > uy) - (ux < uy);
	return cmp_event_seq(a, b);
}

static int render(struct strbuf *sb, struct render_ctx *r)
{
	const struct nswg_config *cfg = r->cfg;
	char b64[NSWG_KEY_LEN_BASE64];
	size_t *start;
	int ret = 0;

	ret |= strbuf_addf(sb, "[Interface]\n");
	if (cfg->listen_port)
		ret |= strbuf_addf(sb, "ListenPort = %u\n", cfg->listen_port);
	if (cfg->fwmark)
		ret |= strbuf_addf(sb, "FwMark = 0x%x\n", cfg->fwmark);
	if ((cfg->flags & NSWG_DEV_HAS_PRIVATE_KEY) && !key_is_zero(cfg->private_key)) {
		key_to_base64(b64, cfg->private_key);
		ret |= strbuf_addf(sb, "PrivateKey = %s\n", b64);
		memzero_explicit(b64, sizeof(b64));
	}
	ret |= strbuf_addc(sb, '\n');
	if (ret)
		return -ENOMEM;

	/* Allowed IPs grouped by device peer, each group in file order. */
	start = calloc(r->n_uids + 1, sizeof(*start));
	if (!start)
		return -ENOMEM;
	qsort_r(r->events, r->n_events, sizeof(*r->events), cmp_event_owner, r);
	for (size_t k = r->n_events; k-- > 0;)
		start[r->uid[r->events[k].peer]] = k;
	for (size_t u = 0; u < r->n_uids; ++u) {
		if (!start[u] && (!r->n_events || r->uid[r->events[0].peer] != u))
			start[u] = r->n_events;
	}
	/* Device peers in the order their keys first appear. */
	for (size_t k = 0; !ret && k < cfg->n_peers; ++k) {
		size_t cursor = start[r->uid[k]];

		if (r->first[r->uid[k]] != k)
			continue;
		ret = render_peer(sb, r, r->uid[k], &cursor);
		if (!ret)
			ret = strbuf_addc(sb, '\n');
	}
	free(start);
	/* showconf separates peers, it does not end with a blank line. */
	if (!ret && cfg->n_peers)
		sb->s[--sb->len] = '\0';
	return ret;
}

static void render_ctx_free(struct render_ctx *r)
{
	free(r->uid);
	free(r->first);
	free(r->replaced_later);
	free(r->events);
}

/* The device peers and the settled allowed IPs of cfg. */
static int render_ctx_init(struct render_ctx *r, const struct nswg_config *cfg)
{
	size_t n = cfg->n_peers + 1;
	int ret;

	memset(r, 0, sizeof(*r));
	r->cfg = cfg;
	r->uid = calloc(n, sizeof(*r->uid));
	r->first = calloc(n, sizeof(*r->first));
	r->replaced_later = calloc(n, sizeof(*r->replaced_later));
	ret = r->uid && r->first && r->replaced_later ? assign_uids(r) : -ENOMEM;
	if (!ret)
		ret = collect_events(r);
	if (ret)
		render_ctx_free(r);
	return ret;
}

int config_render_wg(const struct nswg_config *cfg, char **out, size_t *out_len)
{
	struct render_ctx r;
	struct strbuf sb = { 0 };
	int ret;

	ret = render_ctx_init(&r, cfg);
	if (ret)
		return ret;
	ret = render(&sb, &r);
	if (!ret) {
		*out = sb.s;
		*out_len = sb.len;
		sb.s = NULL;
	}
	if (sb.s)
		memzero_explicit(sb.s, sb.cap);
	strbuf_free(&sb);
	render_ctx_free(&r);
	return ret;
}

static int cmp_prefix_for_routes(const void *a, const void *b)
{
	const struct nswg_prefix *x = a, *y = b;

	/* Longest prefix first, as wg-quick's `sort -nr -k 2 -t /'. */
	if (x->cidr != y->cidr)
		return x->cidr < y->cidr ? 1 : -1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->raw, y->raw, sizeof(x->raw));
}

int config_device_allowedips(const struct nswg_config *cfg, struct nswg_prefix **out, size_t *n)
{
	struct render_ctx r;
	int ret;

	*out = NULL;
	*n = 0;
	ret = render_ctx_init(&r, cfg);
	if (ret)
		return ret;
	*out = calloc(r.n_events + 1, sizeof(**out));
	if (!*out) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < r.n_events; ++i)
		(*out)[i] = r.events[i].masked;
	*n = r.n_events;
	qsort(*out, *n, sizeof(**out), cmp_prefix_for_routes);
out:
	render_ctx_free(&r);
	return ret;
}

int config_render_saved(const struct nswg_config *file, const struct nswg_prefix *addresses, size_t n_addresses,
			unsigned int mtu, const struct nswg_config *device, char **out, size_t *out_len)
{
	static const enum nswg_hook order[] = { NSWG_HOOK_PREUP, NSWG_HOOK_POSTUP, NSWG_HOOK_PREDOWN,
						NSWG_HOOK_POSTDOWN };
	struct strbuf sb = { 0 };
	char ip[INET6_ADDRSTRLEN], *dev = NULL;
	size_t dev_len;
	int ret;

	ret = config_render_wg(device, &dev, &dev_len);
	if (ret)
		return ret;
	ret = strbuf_addf(&sb, "[Interface]\n");
	for (size_t i = 0; !ret && i < n_addresses; ++i) {
		inet_ntop(addresses[i].family, addresses[i].raw, ip, sizeof(ip));
		ret = strbuf_addf(&sb, "Address = %s/%u\n", ip, addresses[i].cidr);
	}
	for (size_t i = 0; !ret && i < file->dns.n; ++i)
		ret = strbuf_addf(&sb, "DNS = %s\n", file->dns.v[i]);
	for (size_t i = 0; !ret && i < file->dns_search.n; ++i)
		ret = strbuf_addf(&sb, "DNS = %s\n", file->dns_search.v[i]);
	if (!ret && file->mtu && mtu)
		ret = strbuf_addf(&sb, "MTU = %u\n", mtu);
	if (!ret && *file->table_text)
		ret = strbuf_addf(&sb, "Table = %s\n", file->table_text);
	if (!ret && file->save_config)
		ret = strbuf_addf(&sb, "SaveConfig = true\n");
	for (size_t k = 0; k < ARRAY_SIZE(order); ++k) {
		for (size_t i = 0; !ret && i < file->n_hooks; ++i) {
			if (file->hooks[i].type == order[k])
				ret = strbuf_addf(&sb, "%s = %s\n", config_hook_name(order[k]), file->hooks[i].command);
		}
	}
	/* The device's text, its own "[Interface]" line replaced by ours. */
	if (!ret)
		ret = strbuf_add(&sb, dev + strlen("[Interface]\n"), dev_len - strlen("[Interface]\n"));
	/* As `echo "$(wg showconf)"': one newline at the end. */
	while (!ret && sb.len > 1 && sb.s[sb.len - 1] == '\n' && sb.s[sb.len - 2] == '\n')
		sb.s[--sb.len] = '\0';
	memzero_explicit(dev, dev_len);
	free(dev);
	if (ret) {
		memzero_explicit(sb.s, sb.cap);
		strbuf_free(&sb);
		return -ENOMEM;
	}
	*out = sb.s;
	*out_len = sb.len;
	return 0;
}

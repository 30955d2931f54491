// SPDX-License-Identifier: MIT
/*
 * What `nswg show' prints, as text in wg show's layout or as JSON. Pure:
 * items in, text out. No key but public ones ever reaches the output.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "show.h"

int show_add_duration(struct strbuf *sb, unsigned long long seconds)
{
	static const struct {
		unsigned long long size;
		const char *name;
	} units[] = {
		{ 365ULL * 24 * 60 * 60, "year" }, { 24 * 60 * 60, "day" }, { 60 * 60, "hour" },
		{ 60, "minute" },                   { 1, "second" },
	};
	bool first = true;
	int ret = 0;

	if (!seconds)
		return strbuf_addf(sb, "Now");
	for (size_t i = 0; !ret && i < ARRAY_SIZE(units); ++i) {
		unsigned long long n = seconds / units[i].size;

		if (!n)
			continue;
		seconds %= units[i].size;
		ret = strbuf_addf(sb, "%s%llu %s%s", first ? "" : ", ", n, units[i].name, n == 1 ? "" : "s");
		first = false;
	}
	return ret;
}

int show_add_bytes(struct strbuf *sb, unsigned long long bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	size_t i;

	if (bytes < 1024)
		return strbuf_addf(sb, "%llu B", bytes);
	for (i = 0, v /= 1024; v >= 1024 && i + 1 < ARRAY_SIZE(units); ++i)
		v /= 1024;
	return strbuf_addf(sb, "%.2f %s", v, units[i]);
}

int show_add_endpoint(struct strbuf *sb, const struct nswg_endpoint *ep)
{
	char ip[INET6_ADDRSTRLEN];

	if (ep->addr.sa.sa_family == AF_INET)
		return strbuf_addf(sb, "%s:%u", inet_ntop(AF_INET, &ep->addr.in.sin_addr, ip, sizeof(ip)),
				   ntohs(ep->addr.in.sin_port));
	if (ep->addr.sa.sa_family == AF_INET6)
		return strbuf_addf(sb, "[%s]:%u", inet_ntop(AF_INET6, &ep->addr.in6.sin6_addr, ip, sizeof(ip)),
				   ntohs(ep->addr.in6.sin6_port));
	return strbuf_addf(sb, "(none)");
}

static int add_allowedips(struct strbuf *sb, const struct nswg_peer *peer, const char *sep, const char *quote)
{
	char ip[INET6_ADDRSTRLEN];
	int ret = 0;

	for (size_t i = 0; !ret && i < peer->n_allowedips; ++i) {
		const struct nswg_prefix *p = &peer->allowedips[i].prefix;

		ret = strbuf_addf(sb, "%s%s%s/%u%s", i ? sep : "", quote, inet_ntop(p->family, p->raw, ip, sizeof(ip)),
				  p->cidr, quote);
	}
	return ret;
}

static int add_key(struct strbuf *sb, const char *fmt, const uint8_t key[static NSWG_KEY_LEN])
{
	char b64[NSWG_KEY_LEN_BASE64];

	key_to_base64(b64, key);
	return strbuf_addf(sb, fmt, b64);
}

/* The kernel reports the public key; a userspace implementation only the private one. */
static bool has_public_key(const struct nswg_config *d, uint8_t pub[static NSWG_KEY_LEN])
{
	if (d->flags & NSWG_DEV_HAS_PUBLIC_KEY)
		memcpy(pub, d->public_key, NSWG_KEY_LEN);
	else if (d->flags & NSWG_DEV_HAS_PRIVATE_KEY)
		key_public(pub, d->private_key);
	else
		return false;
	return true;
}

static int render_peer_text(const struct nswg_peer *p, time_t now, struct strbuf *sb)
{
	int ret = add_key(sb, "\npeer: %s\n", p->public_key);

	if (!ret && (p->flags & NSWG_PEER_HAS_PRESHARED_KEY))
		ret = strbuf_addf(sb, "  preshared key: (hidden)\n");
	if (!ret && (p->flags & NSWG_PEER_HAS_ENDPOINT) && !(ret = strbuf_addf(sb, "  endpoint: ")))
		ret = show_add_endpoint(sb, &p->endpoint) || strbuf_addc(sb, '\n');
	if (!ret)
		ret = strbuf_addf(sb, "  allowed ips: ");
	if (!ret)
		ret = p->n_allowedips ? add_allowedips(sb, p, ", ", "") : strbuf_addf(sb, "(none)");
	if (!ret)
		ret = strbuf_addc(sb, '\n');
	if (!ret && p->last_handshake_sec) {
		ret = strbuf_addf(sb, "  latest handshake: ");
		if (!ret)
			ret = show_add_duration(sb, now > p->last_handshake_sec ? (unsigned long long)(now - p->last_handshake_sec) : 0);
		if (!ret)
			ret = strbuf_addf(sb, "%s\n", now > p->last_handshake_sec ? " ago" : "");
	}
	if (!ret && (p->rx_bytes || p->tx_bytes)) {
		ret = strbuf_addf(sb, "  transfer: ");
		if (!ret)
			ret = show_add_bytes(sb, p->rx_bytes) || strbuf_addf(sb, " received, ") ||
			      show_add_bytes(sb, p->tx_bytes) || strbuf_addf(sb, " sent\n");
	}
	if (!ret && (p->flags & NSWG_PEER_HAS_KEEPALIVE))
		ret = strbuf_addf(sb, "  persistent keepalive: every %u second%s\n", p->keepalive, p->keepalive == 1 ? "" : "s");
	return ret;
}

static const char *towards(const struct show_relay *r)
{
	return !strcmp(r->option, "--host-port") ? "to the host" : "into the namespace";
}

static int render_relays_text(const struct show_item *it, struct strbuf *sb)
{
	int ret = 0;

	if (it->relay_draining_pid)
		ret = strbuf_addf(sb, "  relay replaced by reload: pid %d, serving the connections it had\n",
				  it->relay_draining_pid);
	if (ret || !it->n_relays)
		return ret;
	if (it->relay_running)
		ret = strbuf_addf(sb, "  relay: pid %d\n", it->relay_pid);
	else
		ret = strbuf_addf(sb, "  relay: NOT RUNNING (pid %d was recorded)\n", it->relay_pid);
	for (size_t i = 0; !ret && i < it->n_relays; ++i) {
		const struct show_relay *r = &it->relays[i];

		ret = strbuf_addf(sb, "  %s %s: %" PRIu64 " open, %" PRIu64 " in all; ", r->option, r->spec, r->ctr.open,
				  r->ctr.total) ||
		      show_add_bytes(sb, r->ctr.bytes_in) || strbuf_addf(sb, " %s, ", towards(r)) ||
		      show_add_bytes(sb, r->ctr.bytes_out) || strbuf_addf(sb, " back\n");
	}
	return ret;
}

static int render_text(const struct show_item *it, time_t now, struct strbuf *sb)
{
	const struct nswg_config *d = it->device;
	uint8_t pub[NSWG_KEY_LEN];
	int ret = strbuf_addf(sb, "namespace: %s\ninterface: %s\n", it->netns, it->ifname);

	if (!ret && it->pid)
		ret = strbuf_addf(sb, "  implementation: %s (pid %d)\n", it->implementation, it->pid);
	else if (!ret)
		ret = strbuf_addf(sb, "  implementation: %s\n", it->implementation);
	if (!ret)
		ret = strbuf_addf(sb, "  host: %s; %s\n",
				  it->host_link ? "A LINK OF THIS NAME EXISTS IN THE HOST NAMESPACE" : "interface not in the host namespace",
				  it->routes_changed ? "DEFAULT ROUTES CHANGED SINCE UP" : "default routes as at up");
	if (!ret && it->n_chain) {
		ret = strbuf_addf(sb, "  socket: namespace %s%s; chain: %s", it->chain[0],
				  it->via_gone ? " (THAT NAME IS GONE OR NAMES ANOTHER NAMESPACE NOW)" : "", it->netns);
		for (size_t i = 0; !ret && i < it->n_chain; ++i)
			ret = strbuf_addf(sb, " via %s", it->chain[i]);
		if (!ret)
			ret = strbuf_addf(sb, "%s\n", it->chain_host ? " via the host" : "");
	}
	if (!ret)
		ret = render_relays_text(it, sb);
	if (!ret && !d)
		return strbuf_addf(sb, "  error: %s\n", it->error ? it->error : "unknown");
	if (!ret && has_public_key(d, pub))
		ret = add_key(sb, "  public key: %s\n", pub);
	if (!ret && (d->flags & NSWG_DEV_HAS_PRIVATE_KEY))
		ret = strbuf_addf(sb, "  private key: (hidden)\n");
	if (!ret && d->listen_port)
		ret = strbuf_addf(sb, "  listening port: %u\n", d->listen_port);
	if (!ret && d->fwmark)
		ret = strbuf_addf(sb, "  fwmark: 0x%" PRIx32 "\n", d->fwmark);
	for (size_t i = 0; !ret && i < d->n_peers; ++i)
		ret = render_peer_text(&d->peers[i], now, sb);
	return ret;
}

/* The renderers chain strbuf calls with ||: any failure is an allocation's. */
int show_render_text(const struct show_item *it, time_t now, struct strbuf *sb)
{
	return render_text(it, now, sb) ? -ENOMEM : 0;
}

/* ---- JSON ---- */

static int json_str(struct strbuf *sb, const char *s)
{
	int ret = strbuf_addc(sb, '"');

	for (; !ret && *s; ++s) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			ret = strbuf_addf(sb, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			ret = strbuf_addf(sb, "\\u%04x", c);
		else
			ret = strbuf_addc(sb, (char)c);
	}
	return ret ? ret : strbuf_addc(sb, '"');
}

static int render_peer_json(const struct nswg_peer *p, struct strbuf *sb)
{
	int ret = add_key(sb, "{\"public_key\":\"%s\",\"endpoint\":", p->public_key);

	if (!ret && (p->flags & NSWG_PEER_HAS_ENDPOINT))
		ret = strbuf_addc(sb, '"') || show_add_endpoint(sb, &p->endpoint) || strbuf_addc(sb, '"');
	else if (!ret)
		ret = strbuf_addf(sb, "null");
	if (!ret)
		ret = strbuf_addf(sb, ",\"allowed_ips\":[") || add_allowedips(sb, p, ",", "\"") ||
		      strbuf_addf(sb, "],\"latest_handshake\":%" PRId64 ",\"rx_bytes\":%" PRIu64 ",\"tx_bytes\":%" PRIu64
				      ",\"persistent_keepalive\":%u,\"preshared_key\":%s}",
			          p->last_handshake_sec, p->rx_bytes, p->tx_bytes, p->keepalive,
				  (p->flags & NSWG_PEER_HAS_PRESHARED_KEY) ? "true" : "false");
	return ret;
}

static int render_relays_json(const struct show_item *it, struct strbuf *sb)
{
	int ret = strbuf_addf(sb, ",\"relay_pid\":");

	ret = ret || (it->n_relays ? strbuf_addf(sb, "%d", it->relay_pid) : strbuf_addf(sb, "null")) ||
	      strbuf_addf(sb, ",\"relay_running\":%s,\"relay_draining_pid\":", it->relay_running ? "true" : "false") ||
	      (it->relay_draining_pid ? strbuf_addf(sb, "%d", it->relay_draining_pid) : strbuf_addf(sb, "null")) ||
	      strbuf_addf(sb, ",\"relays\":[");
	for (size_t i = 0; !ret && i < it->n_relays; ++i) {
		const struct show_relay *r = &it->relays[i];

		ret = (i && strbuf_addc(sb, ',')) || strbuf_addf(sb, "{\"option\":") || json_str(sb, r->option) ||
		      strbuf_addf(sb, ",\"spec\":") || json_str(sb, r->spec) ||
		      strbuf_addf(sb, ",\"open\":%" PRIu64 ",\"total\":%" PRIu64 ",\"bytes_to_target\":%" PRIu64
				      ",\"bytes_from_target\":%" PRIu64 "}",
				  r->ctr.open, r->ctr.total, r->ctr.bytes_in, r->ctr.bytes_out);
	}
	return ret || strbuf_addc(sb, ']');
}

static int render_item_json(const struct show_item *it, struct strbuf *sb)
{
	const struct nswg_config *d = it->device;
	uint8_t pub[NSWG_KEY_LEN];
	int ret = strbuf_addf(sb, "{\"namespace\":");

	ret = ret || json_str(sb, it->netns) || strbuf_addf(sb, ",\"interface\":") || json_str(sb, it->ifname) ||
	      strbuf_addf(sb, ",\"implementation\":") || json_str(sb, it->implementation);
	if (!ret)
		ret = it->pid ? strbuf_addf(sb, ",\"pid\":%d", it->pid) : strbuf_addf(sb, ",\"pid\":null");
	if (!ret)
		ret = strbuf_addf(sb, ",\"host\":{\"interface_absent\":%s,\"default_routes_unchanged\":%s}",
				  it->host_link ? "false" : "true", it->routes_changed ? "false" : "true");
	/* "via": the socket's namespace, null for the host; "chain": every hop, null last when it is the host. */
	if (!ret)
		ret = it->n_chain ? strbuf_addf(sb, ",\"via\":") || json_str(sb, it->chain[0]) ||
					    strbuf_addf(sb, ",\"via_gone\":%s", it->via_gone ? "true" : "false")
				  : strbuf_addf(sb, ",\"via\":null,\"via_gone\":false");
	if (!ret)
		ret = strbuf_addf(sb, ",\"chain\":[");
	for (size_t i = 0; !ret && i < it->n_chain; ++i)
		ret = (i && strbuf_addc(sb, ',')) || json_str(sb, it->chain[i]);
	if (!ret)
		ret = strbuf_addf(sb, "%s%s]", it->n_chain && it->chain_host ? "," : "",
				  !it->n_chain || it->chain_host ? "null" : "");
	if (!ret)
		ret = render_relays_json(it, sb);
	if (!ret && !d)
		return strbuf_addf(sb, ",\"error\":") || json_str(sb, it->error ? it->error : "unknown") ||
		       strbuf_addc(sb, '}');
	if (!ret && has_public_key(d, pub))
		ret = add_key(sb, ",\"public_key\":\"%s\"", pub);
	else if (!ret)
		ret = strbuf_addf(sb, ",\"public_key\":null");
	if (!ret)
		ret = strbuf_addf(sb, ",\"listen_port\":%u,\"fwmark\":%" PRIu32 ",\"peers\":[", d->listen_port, d->fwmark);
	for (size_t i = 0; !ret && i < d->n_peers; ++i)
		ret = (i && strbuf_addc(sb, ',')) || render_peer_json(&d->peers[i], sb);
	return ret ? ret : strbuf_addf(sb, "]}");
}

static int render_json(const struct show_item *items, size_t n, struct strbuf *sb)
{
	int ret = strbuf_addc(sb, '[');

	for (size_t i = 0; !ret && i < n; ++i)
		ret = (i && strbuf_addc(sb, ',')) || render_item_json(&items[i], sb);
	return ret ? ret : strbuf_addf(sb, "]\n");
}

int show_render_json(const struct show_item *items, size_t n, struct strbuf *sb)
{
	return render_json(items, n, sb) ? -ENOMEM : 0;
}

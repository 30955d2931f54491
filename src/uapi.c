// SPDX-License-Identifier: MIT
/*
 * The cross-platform UAPI of userspace WireGuard implementations: a text
 * protocol over a unix socket at /var/run/wireguard/IFNAME.sock, "set=1" and
 * "get=1" requests of key=value lines ending with a blank line, answered
 * with "errno=N" (https://www.wireguard.com/xplatform/).
 *
 * The socket is a file, not bound to a network namespace: nswg reaches an
 * implementation whose interface it moved into a namespace from the host.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "stats.h"
#include "uapi.h"

/* A set of 100,000 allowed IPs takes a while in a userspace implementation. */
#define UAPI_TIMEOUT_SECONDS 120

static int put_endpoint(struct strbuf *sb, const struct nswg_endpoint *ep)
{
	char ip[INET6_ADDRSTRLEN];

	if (ep->addr.sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &ep->addr.in.sin_addr, ip, sizeof(ip));
		return strbuf_addf(sb, "endpoint=%s:%u\n", ip, ntohs(ep->addr.in.sin_port));
	}
	inet_ntop(AF_INET6, &ep->addr.in6.sin6_addr, ip, sizeof(ip));
	if (ep->addr.in6.sin6_scope_id)
		return strbuf_addf(sb, "endpoint=[%s%%%" PRIu32 "]:%u\n", ip, ep->addr.in6.sin6_scope_id,
				   ntohs(ep->addr.in6.sin6_port));
	return strbuf_addf(sb, "endpoint=[%s]:%u\n", ip, ntohs(ep->addr.in6.sin6_port));
}

static int put_peer(struct strbuf *sb, const struct nswg_peer *peer)
{
	char hex[NSWG_KEY_LEN_HEX], ip[INET6_ADDRSTRLEN];
	int ret;

	key_to_hex(hex, peer->public_key);
	ret = strbuf_addf(sb, "public_key=%s\n", hex);
	if (peer->flags & NSWG_PEER_REMOVE)
		return ret ? ret : strbuf_addf(sb, "remove=true\n");
	/* Right after the key: nothing of the peer is made before the implementation knows. */
	if (!ret && (peer->flags & NSWG_PEER_UPDATE_ONLY))
		ret = strbuf_addf(sb, "update_only=true\n");
	if (!ret && (peer->flags & NSWG_PEER_HAS_PRESHARED_KEY)) {
		key_to_hex(hex, peer->preshared_key);
		ret = strbuf_addf(sb, "preshared_key=%s\n", hex);
	}
	if (!ret && (peer->flags & NSWG_PEER_HAS_ENDPOINT))
		ret = put_endpoint(sb, &peer->endpoint);
	if (!ret && (peer->flags & NSWG_PEER_HAS_KEEPALIVE))
		ret = strbuf_addf(sb, "persistent_keepalive_interval=%u\n", peer->keepalive);
	if (!ret && (peer->flags & NSWG_PEER_REPLACE_ALLOWEDIPS))
		ret = strbuf_addf(sb, "replace_allowed_ips=true\n");
	for (size_t i = 0; !ret && i < peer->n_allowedips; ++i) {
		const struct nswg_allowedip *aip = &peer->allowedips[i];

		/* The protocol has no way to remove one allowed IP. */
		if (aip->flags & NSWG_ALLOWEDIP_REMOVE)
			ret = -EOPNOTSUPP;
		else
			ret = strbuf_addf(sb, "allowed_ip=%s/%u\n",
					  inet_ntop(aip->prefix.family, aip->prefix.raw, ip, sizeof(ip)),
					  aip->prefix.cidr);
	}
	memzero_explicit(hex, sizeof(hex));
	return ret;
}

int uapi_msg_set(const struct nswg_config *cfg, bool replace, struct strbuf *out)
{
	static const uint8_t zero[NSWG_KEY_LEN];
	char hex[NSWG_KEY_LEN_HEX];
	int ret = strbuf_addf(out, "set=1\n");

	if (!ret && (replace || (cfg->flags & NSWG_DEV_HAS_PRIVATE_KEY))) {
		key_to_hex(hex, (cfg->flags & NSWG_DEV_HAS_PRIVATE_KEY) ? cfg->private_key : zero);
		ret = strbuf_addf(out, "private_key=%s\n", hex);
		memzero_explicit(hex, sizeof(hex));
	}
	if (!ret && (replace || (cfg->flags & NSWG_DEV_HAS_LISTEN_PORT)))
		ret = strbuf_addf(out, "listen_port=%u\n", cfg->listen_port);
	if (!ret && (replace || (cfg->flags & NSWG_DEV_HAS_FWMARK)))
		ret = strbuf_addf(out, "fwmark=%" PRIu32 "\n", cfg->fwmark);
	if (!ret && replace)
		ret = strbuf_addf(out, "replace_peers=true\n");
	for (size_t i = 0; !ret && i < cfg->n_peers; ++i)
		ret = put_peer(out, &cfg->peers[i]);
	return ret ? ret : strbuf_addc(out, '\n');
}

/* ---- replies ---- */

static int parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	char *end;

	if (!char_is_digit(*s))
		return -EBADMSG;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || *end || *v > max ? -EBADMSG : 0;
}

static int parse_endpoint(char *s, struct nswg_endpoint *ep)
{
	char *host = s, *port, *zone;
	uint64_t n;

	if (*s == '[') {
		host = s + 1;
		port = strchr(host, ']');
		if (!port || port[1] != ':')
			return -EBADMSG;
		*port = '\0';
		port += 2;
	} else {
		port = strrchr(s, ':');
		if (!port)
			return -EBADMSG;
		*port++ = '\0';
	}
	if (parse_u64(port, 65535, &n))
		return -EBADMSG;
	memset(&ep->addr, 0, sizeof(ep->addr));
	if (inet_pton(AF_INET, host, &ep->addr.in.sin_addr) == 1) {
		ep->addr.in.sin_family = AF_INET;
		ep->addr.in.sin_port = htons((uint16_t)n);
		return 0;
	}
	zone = strchr(host, '%');
	if (zone)
		*zone++ = '\0';
	if (inet_pton(AF_INET6, host, &ep->addr.in6.sin6_addr) != 1)
		return -EBADMSG;
	ep->addr.in6.sin6_family = AF_INET6;
	ep->addr.in6.sin6_port = htons((uint16_t)n);
	if (zone) {
		uint64_t id;

		if (parse_u64(zone, UINT32_MAX, &id))
			return -EBADMSG;
		ep->addr.in6.sin6_scope_id = (uint32_t)id;
	}
	return 0;
}

static int parse_allowedip(char *s, struct nswg_peer *peer)
{
	struct nswg_allowedip aip = { 0 };
	char *slash = strchr(s, '/');
	uint64_t cidr;

	if (!slash)
		return -EBADMSG;
	*slash = '\0';
	if (inet_pton(AF_INET, s, aip.prefix.raw) == 1)
		aip.prefix.family = AF_INET;
	else if (inet_pton(AF_INET6, s, aip.prefix.raw) == 1)
		aip.prefix.family = AF_INET6;
	else
		return -EBADMSG;
	if (parse_u64(slash + 1, aip.prefix.family == AF_INET ? 32 : 128, &cidr))
		return -EBADMSG;
	aip.prefix.cidr = (uint8_t)cidr;
	if (array_grow(&peer->allowedips, &peer->cap_allowedips, peer->n_allowedips, sizeof(aip)))
		return -ENOMEM;
	peer->allowedips[peer->n_allowedips++] = aip;
	return 0;
}

static int parse_device_line(const char *k, char *v, struct nswg_config *cfg)
{
	uint64_t n;

	if (!strcmp(k, "private_key")) {
		if (!key_from_hex(cfg->private_key, v))
			return -EBADMSG;
		/* The public key is left to whoever shows it: deriving it costs a scalar multiplication. */
		if (!key_is_zero(cfg->private_key))
			cfg->flags |= NSWG_DEV_HAS_PRIVATE_KEY;
	} else if (!strcmp(k, "listen_port")) {
		if (parse_u64(v, 65535, &n))
			return -EBADMSG;
		cfg->listen_port = (uint16_t)n;
		cfg->flags |= NSWG_DEV_HAS_LISTEN_PORT;
	} else if (!strcmp(k, "fwmark")) {
		if (parse_u64(v, UINT32_MAX, &n))
			return -EBADMSG;
		cfg->fwmark = (uint32_t)n;
		cfg->flags |= NSWG_DEV_HAS_FWMARK;
	} else if (!strcmp(k, "public_key")) {
		struct nswg_peer *peer;

		if (array_grow(&cfg->peers, &cfg->cap_peers, cfg->n_peers, sizeof(*cfg->peers)))
			return -ENOMEM;
		peer = memset(&cfg->peers[cfg->n_peers], 0, sizeof(*peer));
		if (!key_from_hex(peer->public_key, v))
			return -EBADMSG;
		peer->flags = NSWG_PEER_HAS_PUBLIC_KEY | NSWG_PEER_REPLACE_ALLOWEDIPS;
		++cfg->n_peers;
	} else {
		return 1; /* not a device line */
	}
	return 0;
}

static int parse_peer_line(const char *k, char *v, struct nswg_peer *peer)
{
	uint64_t n;

	if (!strcmp(k, "preshared_key")) {
		if (!key_from_hex(peer->preshared_key, v))
			return -EBADMSG;
		if (!key_is_zero(peer->preshared_key))
			peer->flags |= NSWG_PEER_HAS_PRESHARED_KEY;
	} else if (!strcmp(k, "endpoint")) {
		if (parse_endpoint(v, &peer->endpoint))
			return -EBADMSG;
		peer->flags |= NSWG_PEER_HAS_ENDPOINT;
	} else if (!strcmp(k, "persistent_keepalive_interval")) {
		if (parse_u64(v, 65535, &n))
			return -EBADMSG;
		if ((peer->keepalive = (uint16_t)n))
			peer->flags |= NSWG_PEER_HAS_KEEPALIVE;
	} else if (!strcmp(k, "allowed_ip")) {
		return parse_allowedip(v, peer);
	} else if (!strcmp(k, "last_handshake_time_sec") || !strcmp(k, "last_handshake_time_nsec")) {
		if (parse_u64(v, INT64_MAX, &n))
			return -EBADMSG;
		*(k[20] == 's' ? &peer->last_handshake_sec : &peer->last_handshake_nsec) = (int64_t)n;
	} else if (!strcmp(k, "rx_bytes") || !strcmp(k, "tx_bytes")) {
		if (parse_u64(v, UINT64_MAX, k[0] == 'r' ? &peer->rx_bytes : &peer->tx_bytes))
			return -EBADMSG;
	}
	/* Anything else (protocol_version, newer keys) is not ours to judge. */
	return 0;
}

int uapi_parse_get(const char *text, size_t len, struct nswg_config *cfg)
{
	char *copy, *line, *next, *eq;
	uint64_t err;
	int ret = -EBADMSG;

	copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	if (len)
		memcpy(copy, text, len);
	copy[len] = '\0';
	for (line = copy; line && *line; line = next) {
		next = strchr(line, '\n');
		if (!next)
			break; /* an unterminated line: the reply was cut */
		*next++ = '\0';
		eq = strchr(line, '=');
		if (!eq || eq == line)
			break;
		*eq = '\0';
		if (!strcmp(line, "errno")) {
			if (!parse_u64(eq + 1, 4095, &err) && !strcmp(next, "\n"))
				ret = -(int)err;
			break;
		}
		ret = parse_device_line(line, eq + 1, cfg);
		if (ret > 0)
			ret = cfg->n_peers ? parse_peer_line(line, eq + 1, &cfg->peers[cfg->n_peers - 1]) : -EBADMSG;
		if (ret)
			break;
		ret = -EBADMSG; /* until errno= is seen */
	}
	memzero_explicit(copy, len);
	free(copy);
	return ret;
}

/* ---- the socket ---- */

int uapi_path(const char *ifname, char *path, size_t size)
{
	if ((size_t)snprintf(path, size, "%s/%s.sock", NSWG_UAPI_DIR, ifname) >= size)
		return -ENAMETOOLONG;
	return 0;
}

int uapi_connect(const char *ifname)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = UAPI_TIMEOUT_SECONDS };
	int fd, ret;

	ret = uapi_path(ifname, sun.sun_path, sizeof(sun.sun_path));
	if (ret)
		return ret;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		ret = -errno;
		close(fd);
		return ret;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Sends a request and reads its reply, which ends with a blank line. */
static int transact(const char *ifname, const struct strbuf *req, struct strbuf *reply)
{
	char buf[4096];
	size_t off = 0;
	ssize_t n;
	int fd, ret = 0;

	if ((ret = fault_injected()))
		return ret;
	++nswg_stats.uapi_requests;
	fd = uapi_connect(ifname);
	if (fd < 0)
		return fd;
	while (off < req->len) {
		n = send(fd, req->s + off, req->len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		off += (size_t)n;
	}
	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EBADMSG;
			break;
		}
		if ((ret = strbuf_add(reply, buf, (size_t)n)))
			break;
		if (reply->len >= 2 && !memcmp(reply->s + reply->len - 2, "\n\n", 2))
			break;
	}
out:
	memzero_explicit(buf, sizeof(buf));
	close(fd);
	return ret;
}

int uapi_set_device(const char *ifname, const struct nswg_config *cfg, bool replace)
{
	struct strbuf req = { 0 }, reply = { 0 };
	struct nswg_config none = { 0 };
	int ret = uapi_msg_set(cfg, replace, &req);

	if (!ret)
		ret = transact(ifname, &req, &reply);
	if (!ret)
		ret = uapi_parse_get(reply.s, reply.len, &none);
	if (req.s)
		memzero_explicit(req.s, req.len);
	strbuf_free(&req);
	strbuf_free(&reply);
	return ret;
}

int uapi_get_device(const char *ifname, struct nswg_config **out)
{
	static const struct strbuf req = { .s = (char *)"get=1\n\n", .len = 7 };
	struct strbuf reply = { 0 };
	struct nswg_config *cfg = calloc(1, sizeof(*cfg));
	int ret = cfg ? transact(ifname, &req, &reply) : -ENOMEM;

	if (!ret)
		ret = uapi_parse_get(reply.s, reply.len, cfg);
	if (reply.s)
		memzero_explicit(reply.s, reply.len);
	strbuf_free(&reply);
	if (ret) {
		config_free(cfg);
		return ret;
	}
	*out = cfg;
	return 0;
}

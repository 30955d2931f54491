// SPDX-License-Identifier: MIT
/*
 * The reader's values: each key's text checked and stored as wg(8) and
 * wg-quick(8) would take it, and the first error or the warnings, with
 * their line.
 */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_internal.h"
#include "prefix.h"

/* ---- errors and warnings ---- */

/* Quotes input for a one-line message: printable ASCII, bounded length. */
static void quote(char *out, size_t size, const char *s, size_t n)
{
	static const size_t max = 96;
	size_t o = 0;

	for (size_t i = 0; i < n && o + 8 < size; ++i) {
		unsigned char c = (unsigned char)s[i];

		if (i == max) {
			o += (size_t)snprintf(out + o, size - o, "...");
			break;
		}
		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
	}
	out[o] = '\0';
}

int parse_fail_errno(struct parse_ctx *c, int ret)
{
	if (!c->ret)
		c->ret = ret;
	return ret;
}

/*
 * Whether text could hold a key, whole or most of one: a run of
 * NSWG_KEY_RUN or more characters of base64's alphabet (a key is 43 of them
 * and an `='; a hex key, 64). Such text is never quoted: a message goes to the
 * terminal, the journal, a support ticket.
 */
static bool may_hold_key(const char *s, size_t n)
{
	size_t run = 0;

	for (size_t i = 0; i < n; ++i) {
		unsigned char ch = (unsigned char)s[i];
		bool b64 = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || char_is_digit(ch) || ch == '+' ||
			   ch == '/';

		run = b64 ? run + 1 : 0;
		if (run >= NSWG_KEY_RUN)
			return true;
	}
	return false;
}

/* The quoted text, or "(hidden)" where it could be a key. */
static void quote_safely(char *out, size_t size, const char *s, size_t n)
{
	if (may_hold_key(s, n))
		snprintf(out, size, "(hidden)");
	else
		quote(out, size, s, n);
}

/* Levenshtein distance of two short lowercase words, capped at 255. */
static unsigned int edit_distance(const char *a, const char *b)
{
	unsigned char row[33], prev, cur;
	size_t la = strlen(a), lb = strlen(b);

	if (la > 32 || lb > 32)
		return 255;
	for (size_t j = 0; j <= lb; ++j)
		row[j] = (unsigned char)j;
	for (size_t i = 1; i <= la; ++i) {
		prev = row[0];
		row[0] = (unsigned char)i;
		for (size_t j = 1; j <= lb; ++j) {
			cur = row[j];
			row[j] = (unsigned char)(prev + (a[i - 1] != b[j - 1]));
			if (cur + 1 < row[j])
				row[j] = (unsigned char)(cur + 1);
			if (row[j - 1] + 1 < row[j])
				row[j] = (unsigned char)(row[j - 1] + 1);
			prev = cur;
		}
	}
	return row[lb];
}

/*
 * Whether a key name is one a secret could follow: PrivateKey or
 * PresharedKey misspelled (a few letters off), or any name that says key,
 * secret or shared. Only letters count, case aside.
 */
static bool name_is_secretish(const char *name, size_t n)
{
	static const char *const hints[] = { "key", "priv", "psk", "secret", "shared" };
	char w[33];
	size_t k = 0;

	for (size_t i = 0; i < n && k < sizeof(w) - 1; ++i) {
		char ch = (char)(name[i] | 0x20);

		if (ch >= 'a' && ch <= 'z')
			w[k++] = ch;
	}
	w[k] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(hints); ++i) {
		if (strstr(w, hints[i]))
			return true;
	}
	return edit_distance(w, "privatekey") <= 3 || edit_distance(w, "presharedkey") <= 3;
}

/*
 * "Line unrecognized" for a line, spaces removed: NAME=VALUE shows the
 * value only when neither the name nor the value could mean a key.
 */
int parse_fail_line(struct parse_ctx *c, const char *line, size_t n)
{
	const char *eq = memchr(line, '=', n);
	char name[100], msg[160];

	if (!eq || eq + 1 == line + n || may_hold_key(line, (size_t)(eq - line)) ||
	    !name_is_secretish(line, (size_t)(eq - line)))
		return parse_fail(c, "Line unrecognized", line, n);
	quote_safely(name, sizeof(name), line, (size_t)(eq - line));
	snprintf(msg, sizeof(msg), "Line unrecognized: `%s=(hidden)'", name);
	return parse_fail(c, msg, NULL, 0);
}

/* Records the first error: "what: `value'", or just "what" without a value. */
int parse_fail(struct parse_ctx *c, const char *what, const char *value, size_t n)
{
	char quoted[300];

	if (c->ret)
		return c->ret;
	c->err->line = c->lineno;
	if (value) {
		quote_safely(quoted, sizeof(quoted), value, n);
		snprintf(c->err->message, sizeof(c->err->message), "%s: `%s'", what, quoted);
	} else
		snprintf(c->err->message, sizeof(c->err->message), "%s", what);
	return parse_fail_errno(c, -EINVAL);
}

int parse_fail_str(struct parse_ctx *c, const char *what, const char *value)
{
	return parse_fail(c, what, value, strlen(value));
}

int parse_warn(struct parse_ctx *c, const char *what, const char *value)
{
	struct nswg_config *cfg = c->cfg;
	struct nswg_warning *w;
	char quoted[300];
	struct strbuf msg = { 0 };

	quote_safely(quoted, sizeof(quoted), value, strlen(value));
	if (array_grow(&cfg->warnings, &cfg->cap_warnings, cfg->n_warnings, sizeof(*w)) ||
	    strbuf_addf(&msg, "%s%s%s%s", what, *value ? ": `" : "", quoted, *value ? "'" : "")) {
		strbuf_free(&msg);
		return parse_fail_errno(c, -ENOMEM);
	}
	w = &cfg->warnings[cfg->n_warnings++];
	w->line = c->lineno;
	w->message = msg.s;
	return 0;
}

/* ---- values ---- */

bool parse_u32(const char *s, int base, uint32_t max, uint32_t *out)
{
	unsigned long long v = 0;
	unsigned int d;

	if (!*s)
		return false;
	for (; *s; ++s) {
		if (char_is_digit(*s))
			d = (unsigned int)(*s - '0');
		else if (base == 16 && (*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
			d = (unsigned int)((*s | 0x20) - 'a' + 10);
		else
			return false;
		v = v * (unsigned int)base + d;
		if (v > max)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

static bool parse_ip(struct nswg_prefix *p, const char *s)
{
	memset(p, 0, sizeof(*p));
	if (strchr(s, ':')) {
		if (inet_pton(AF_INET6, s, &p->ip6) != 1)
			return false;
		p->family = AF_INET6;
	} else {
		if (inet_pton(AF_INET, s, &p->ip4) != 1)
			return false;
		p->family = AF_INET;
	}
	return true;
}

/* A dotted IPv4 netmask, as ip(8) accepts after the slash. */
static bool parse_netmask(const char *s, uint8_t *cidr)
{
	struct in_addr mask;
	uint32_t m;

	if (inet_pton(AF_INET, s, &mask) != 1)
		return false;
	m = ntohl(mask.s_addr);
	if (m & (~m >> 1))
		return false; /* not contiguous */
	*cidr = (uint8_t)__builtin_popcount(m);
	return true;
}

int parse_key(struct parse_ctx *c, uint8_t key[static NSWG_KEY_LEN], const char *name, const char *value,
	      bool secret)
{
	char what[64];

	if (key_from_base64(key, value))
		return 0;
	memzero_explicit(key, NSWG_KEY_LEN);
	snprintf(what, sizeof(what), "%s is not the correct length or format", name);
	/* Never echo a secret: a mistyped private key is still most of one. */
	return secret ? parse_fail(c, what, NULL, 0) : parse_fail_str(c, what, value);
}

int parse_listen_port(struct parse_ctx *c, const char *value)
{
	uint32_t port;

	if (!parse_u32(value, 10, 65535, &port))
		return parse_fail_str(c, "ListenPort is not a port number from 0 to 65535", value);
	c->cfg->listen_port = (uint16_t)port;
	c->cfg->flags |= NSWG_DEV_HAS_LISTEN_PORT;
	return 0;
}

int parse_fwmark(struct parse_ctx *c, const char *value)
{
	bool hex = strlen(value) > 2 && value[0] == '0' && value[1] == 'x';
	uint32_t mark = 0;

	if (strcasecmp(value, "off") && !parse_u32(value + (hex ? 2 : 0), hex ? 16 : 10, UINT32_MAX, &mark))
		return parse_fail_str(c, "Fwmark is neither 0/off nor 0-0xffffffff", value);
	c->cfg->fwmark = mark;
	c->cfg->flags |= NSWG_DEV_HAS_FWMARK;
	return 0;
}

int parse_endpoint(struct parse_ctx *c, struct nswg_peer *peer, const char *value)
{
	struct nswg_endpoint *ep = &peer->endpoint;
	char *copy, *host, *port, *end;
	struct nswg_prefix ip;
	uint32_t portnum;
	int ret;

	copy = strdup(value);
	if (!copy)
		return parse_fail_errno(c, -ENOMEM);
	/* As wg(8): "[host]:port", or split at the last colon. */
	if (copy[0] == '[') {
		host = copy + 1;
		end = strchr(host, ']');
		if (!end) {
			ret = parse_fail_str(c, "Unable to find matching brace of endpoint", value);
			goto out;
		}
		*end++ = '\0';
		if (*end != ':' || !end[1]) {
			ret = parse_fail_str(c, "Unable to find port of endpoint", value);
			goto out;
		}
		port = end + 1;
	} else {
		host = copy;
		end = strrchr(copy, ':');
		if (!end || !end[1]) {
			ret = parse_fail_str(c, "Unable to find port of endpoint", value);
			goto out;
		}
		*end = '\0';
		port = end + 1;
	}
	if (!*host) {
		ret = parse_fail_str(c, "Unable to find host of endpoint", value);
		goto out;
	}
	if (!parse_u32(port, 10, 65535, &portnum)) {
		ret = parse_fail_str(c, "Unable to parse port of endpoint", value);
		goto out;
	}
	free(ep->host);
	memset(ep, 0, sizeof(*ep));
	ep->port = (uint16_t)portnum;
	if (parse_ip(&ip, host) && ip.family == AF_INET) {
		ep->addr.in.sin_family = AF_INET;
		ep->addr.in.sin_port = htons(ep->port);
		ep->addr.in.sin_addr = ip.ip4;
	} else if (ip.family == AF_INET6) {
		ep->addr.in6.sin6_family = AF_INET6;
		ep->addr.in6.sin6_port = htons(ep->port);
		ep->addr.in6.sin6_addr = ip.ip6;
	} else {
		/* A name (or a scoped IPv6 address): resolved at up, in the host namespace. */
		ep->host = strdup(host);
		if (!ep->host) {
			ret = parse_fail_errno(c, -ENOMEM);
			goto out;
		}
	}
	peer->flags |= NSWG_PEER_HAS_ENDPOINT;
	ret = 0;
out:
	free(copy);
	return ret;
}

int parse_keepalive(struct parse_ctx *c, struct nswg_peer *peer, const char *value)
{
	uint32_t v = 0;

	if (strcasecmp(value, "off") && !parse_u32(value, 10, 65535, &v))
		return parse_fail_str(c, "Persistent keepalive interval is neither 0/off nor 1-65535", value);
	peer->keepalive = (uint16_t)v;
	peer->flags |= NSWG_PEER_HAS_KEEPALIVE;
	return 0;
}

static int parse_allowedip(struct parse_ctx *c, struct nswg_peer *peer, char *entry)
{
	struct nswg_allowedip *aip;
	char *slash, *orig = entry;
	uint32_t flags = 0, cidr;
	struct nswg_prefix p;

	/* "+" and "-" make the list incremental, as in wg(8) since 2025. */
	if (*entry == '-')
		flags |= NSWG_ALLOWEDIP_REMOVE;
	if (*entry == '-' || *entry == '+') {
		peer->flags &= ~NSWG_PEER_REPLACE_ALLOWEDIPS;
		++entry;
	}
	slash = strchr(entry, '/');
	if (slash)
		*slash = '\0';
	if (!parse_ip(&p, entry))
		return parse_fail_str(c, "Unable to parse IP address", entry);
	cidr = prefix_bits(p.family);
	if (slash) {
		*slash = '/';
		if (!parse_u32(slash + 1, 10, prefix_bits(p.family), &cidr))
			return parse_fail_str(c, "AllowedIP is not in the correct format", orig);
	}
	p.cidr = (uint8_t)cidr;
	if (!prefix_is_masked(&p) && parse_warn(c, "AllowedIP has nonzero host part", entry))
		return c->ret;
	if (array_grow(&peer->allowedips, &peer->cap_allowedips, peer->n_allowedips, sizeof(*aip)))
		return parse_fail_errno(c, -ENOMEM);
	aip = &peer->allowedips[peer->n_allowedips++];
	aip->prefix = p;
	aip->flags = flags;
	aip->line = c->lineno;
	return 0;
}

int parse_allowedips(struct parse_ctx *c, struct nswg_peer *peer, char *value)
{
	char *entry;
	int ret = 0;

	while (!ret && (entry = strsep(&value, ",")))
		ret = parse_allowedip(c, peer, entry);
	return ret;
}

/* wg-quick splits Address and DNS with ${value//,/ }: at commas, spaces and tabs. */
static char *next_word(char **s)
{
	char *w;

	*s += strspn(*s, ", \t");
	if (!**s)
		return NULL;
	w = *s;
	*s += strcspn(*s, ", \t");
	if (**s)
		*(*s)++ = '\0';
	return w;
}

/*
 * As the kernel refuses a second `ip address add': an IPv6 address once
 * whatever its length, an IPv4 one once per prefix length.
 */
static bool address_taken(const struct nswg_config *cfg, const struct nswg_prefix *p)
{
	for (size_t i = 0; i < cfg->n_addresses; ++i) {
		const struct nswg_prefix *a = &cfg->addresses[i];

		if (a->family == p->family && !memcmp(a->raw, p->raw, prefix_addr_len(p->family)) &&
		    (p->family == AF_INET6 || a->cidr == p->cidr))
			return true;
	}
	return false;
}

int parse_address(struct parse_ctx *c, char *value)
{
	struct nswg_config *cfg = c->cfg;
	struct nswg_prefix p;
	char *word, *slash;
	uint32_t cidr;
	uint8_t mask;

	while ((word = next_word(&value))) {
		slash = strchr(word, '/');
		if (slash)
			*slash = '\0';
		if (!parse_ip(&p, word))
			return parse_fail_str(c, "Unable to parse address", word);
		cidr = prefix_bits(p.family);
		if (slash) {
			*slash = '/';
			if (parse_u32(slash + 1, 10, prefix_bits(p.family), &cidr))
				;
			else if (p.family == AF_INET && parse_netmask(slash + 1, &mask))
				cidr = mask;
			else
				return parse_fail_str(c, "Address has an invalid prefix length", word);
		}
		p.cidr = (uint8_t)cidr;
		if (address_taken(cfg, &p))
			return parse_fail_str(c, "Address is given twice (the second `ip address add' would fail)", word);
		if (array_grow(&cfg->addresses, &cfg->cap_addresses, cfg->n_addresses, sizeof(p)))
			return parse_fail_errno(c, -ENOMEM);
		cfg->addresses[cfg->n_addresses++] = p;
	}
	return 0;
}

int config_strv_add(struct nswg_strv *sv, const char *s)
{
	char *copy = strdup(s);

	if (!copy || array_grow(&sv->v, &sv->cap, sv->n, sizeof(*sv->v))) {
		free(copy);
		return -ENOMEM;
	}
	sv->v[sv->n++] = copy;
	return 0;
}

/* As wg-quick: digits and dots, or anything with a colon, is a nameserver. */
static bool dns_is_server(const char *w)
{
	return strspn(w, "0123456789.") == strlen(w) || strchr(w, ':');
}

static bool dns_server_valid(const char *w)
{
	char buf[INET6_ADDRSTRLEN + 1];
	struct nswg_prefix p;
	size_t n = strcspn(w, "%"); /* a scope, as in fe80::1%eth0 */

	if (n >= sizeof(buf) || (w[n] && (!strchr(w, ':') || !w[n + 1])))
		return false;
	memcpy(buf, w, n);
	buf[n] = '\0';
	return parse_ip(&p, buf);
}

int parse_dns(struct parse_ctx *c, char *value)
{
	char *word;
	int ret;

	while ((word = next_word(&value))) {
		if (dns_is_server(word)) {
			if (!dns_server_valid(word))
				return parse_fail_str(c, "Unable to parse DNS server", word);
			ret = config_strv_add(&c->cfg->dns, word);
		} else
			ret = config_strv_add(&c->cfg->dns_search, word);
		if (ret)
			return parse_fail_errno(c, ret);
	}
	return 0;
}

int parse_mtu(struct parse_ctx *c, const char *value)
{
	uint32_t mtu = 0;

	/* An empty MTU resets it to automatic, as in wg-quick. */
	if (*value && (!parse_u32(value, 10, 65535, &mtu) || mtu < 68))
		return parse_fail_str(c, "MTU is neither empty nor 68-65535", value);
	c->cfg->mtu = mtu;
	return 0;
}

int parse_table(struct parse_ctx *c, const char *value)
{
	static const struct {
		const char *name;
		uint32_t id;
	} names[] = { { "default", RT_TABLE_DEFAULT }, { "main", RT_TABLE_MAIN }, { "local", RT_TABLE_LOCAL } };
	struct nswg_config *cfg = c->cfg;

	/* Valid values are short; an invalid one is refused below before use. */
	snprintf(cfg->table_text, sizeof(cfg->table_text), "%s", value);
	if (!*value || !strcasecmp(value, "auto")) {
		cfg->table = NSWG_TABLE_AUTO;
		return 0;
	}
	if (!strcasecmp(value, "off")) {
		cfg->table = NSWG_TABLE_OFF;
		return 0;
	}
	cfg->table = NSWG_TABLE_ID;
	for (size_t i = 0; i < ARRAY_SIZE(names); ++i) {
		if (!strcmp(value, names[i].name)) {
			cfg->table_id = names[i].id;
			return 0;
		}
	}
	if (!parse_u32(value, 10, UINT32_MAX, &cfg->table_id) || !cfg->table_id)
		return parse_fail_str(c, "Table is neither off, auto, main, default, local nor 1-4294967295", value);
	return 0;
}

int parse_save_config(struct parse_ctx *c, const char *value)
{
	if (!strcasecmp(value, "true"))
		c->cfg->save_config = true;
	else if (!strcasecmp(value, "false"))
		c->cfg->save_config = false;
	else
		return parse_fail(c, "SaveConfig is neither true nor false", value, strlen(value));
	return 0;
}

int config_add_hook(struct parse_ctx *c, enum nswg_hook type, const char *command)
{
	struct nswg_config *cfg = c->cfg;
	struct nswg_hook_line *h;
	char what[96];
	char *copy;

	copy = strdup(command);
	if (!copy || array_grow(&cfg->hooks, &cfg->cap_hooks, cfg->n_hooks, sizeof(*h))) {
		free(copy);
		return parse_fail_errno(c, -ENOMEM);
	}
	h = &cfg->hooks[cfg->n_hooks++];
	h->type = type;
	h->line = c->lineno;
	h->command = copy;
	snprintf(what, sizeof(what), "%s is not run: nswg never runs commands on the host", config_hook_name(type));
	return parse_warn(c, what, command);
}


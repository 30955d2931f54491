// SPDX-License-Identifier: MIT
/*
 * The configuration reader: wg-quick(8) files, read as wg-quick and wg(8)
 * read them, through the system's inih.
 *
 * inih, as distributions build it, would corrupt these files: it takes
 * indented lines as continuations, ends values at " ;" but not at "#",
 * truncates lines at 200 bytes, and merges consecutive [Peer] sections. So
 * inih never sees the file itself. Our reader (config_ini_reader) splits the
 * file into physical lines, lexes each one the way wg-quick does, announces
 * section headers, and hands inih one line per call in a form inih cannot
 * misread: "key=value" with every byte inih might interpret escaped as %XX,
 * a long value split over several lines that repeat the key. inih then does
 * what it is good at (sections, the key/value split) and calls our handler,
 * which unescapes, joins the pieces and applies the key.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "prefix.h"
#include "util.h"

enum section {
	SECTION_NONE,
	SECTION_INTERFACE,
	SECTION_PEER,
};

enum line_kind {
	LINE_BLANK,
	LINE_SECTION,
	LINE_KEY,
	LINE_BAD,
};

/* One physical line, lexed as wg-quick's parse_options() does. */
struct config_line {
	const char *raw; /* without the spaces and tabs around it, as bash's read leaves it */
	size_t raw_len;
	size_t stripped_len; /* up to the first '#' */
	enum line_kind kind;
	enum section section;
	const char *key, *value; /* trimmed; the value keeps its comment */
	size_t key_len, value_len;
};

static const char *const wgquick_keys[] = {
	"Address", "DNS", "MTU", "Table", "PreUp", "PostUp", "PreDown", "PostDown", "SaveConfig",
};

enum wgquick_key {
	KEY_ADDRESS,
	KEY_DNS,
	KEY_MTU,
	KEY_TABLE,
	KEY_PREUP,
	KEY_POSTUP,
	KEY_PREDOWN,
	KEY_POSTDOWN,
	KEY_SAVECONFIG,
};

struct parse_ctx {
	const char *pos, *end;
	unsigned int lineno;
	struct config_line line;
	/* The current line as inih gets it, and how much of it was handed over. */
	struct strbuf escaped;
	size_t escaped_key_len, escaped_off;
	bool first_piece, last_piece;
	/* The current line as the handler put it back together. */
	struct strbuf key, value;
	struct nswg_config *cfg;
	struct nswg_config_error *err;
	int ret;
	bool interface_only; /* config_parse_interface() */
	enum section section; /* the section the reader is in */
};

static bool is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; ++i) {
		if (!char_is_space((unsigned char)s[i]))
			return false;
	}
	return true;
}

static void trim(const char **s, size_t *n, bool (*is_trimmed)(int))
{
	while (*n && is_trimmed((unsigned char)**s)) {
		++*s;
		--*n;
	}
	while (*n && is_trimmed((unsigned char)(*s)[*n - 1]))
		--*n;
}

static bool is_ifs_space(int c)
{
	return c == ' ' || c == '\t';
}

static bool is_space(int c)
{
	return char_is_space(c);
}

/* wg(8) removes every white space character before it looks at a line. */
static void remove_spaces(struct strbuf *out, const char *s, size_t n)
{
	strbuf_reset(out);
	for (size_t i = 0; i < n; ++i) {
		if (!char_is_space((unsigned char)s[i]) && strbuf_addc(out, s[i]))
			return;
	}
	if (!out->s)
		strbuf_add(out, "", 0);
}

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* s, without its white space, equals word (lower case) in any case. */
static bool ws_equal(const char *s, size_t n, const char *word)
{
	size_t j = 0;

	for (size_t i = 0; i < n; ++i) {
		if (char_is_space((unsigned char)s[i]))
			continue;
		if (!word[j] || ascii_lower((unsigned char)s[i]) != word[j])
			return false;
		++j;
	}
	return !word[j];
}

static void config_lex_line(const char *p, size_t n, struct config_line *l)
{
	const char *hash, *eq;
	size_t i;

	memset(l, 0, sizeof(*l));
	trim(&p, &n, is_ifs_space);
	l->raw = p;
	l->raw_len = n;
	hash = memchr(p, '#', n);
	l->stripped_len = hash ? (size_t)(hash - p) : n;
	if (is_blank(p, l->stripped_len)) {
		l->kind = LINE_BLANK;
		return;
	}
	for (i = 0; char_is_space((unsigned char)p[i]); ++i)
		;
	if (p[i] == '[') {
		if (ws_equal(p, l->stripped_len, "[interface]"))
			l->section = SECTION_INTERFACE;
		else if (ws_equal(p, l->stripped_len, "[peer]"))
			l->section = SECTION_PEER;
		l->kind = l->section ? LINE_SECTION : LINE_BAD;
		return;
	}
	eq = memchr(p, '=', l->stripped_len);
	if (!eq) {
		l->kind = LINE_BAD;
		return;
	}
	l->kind = LINE_KEY;
	l->key = p;
	l->key_len = (size_t)(eq - p);
	trim(&l->key, &l->key_len, is_space);
	l->value = eq + 1;
	l->value_len = n - (size_t)(eq + 1 - p);
	trim(&l->value, &l->value_len, is_space);
}

static int wgquick_key_index(const char *key, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(wgquick_keys); ++i) {
		if (strlen(wgquick_keys[i]) == n && !strncasecmp(key, wgquick_keys[i], n))
			return (int)i;
	}
	return -1;
}

/* The lines wg-quick keeps to itself and never gives to wg(8). */
static bool config_line_is_wgquick(const struct config_line *l, enum section section)
{
	return l->kind == LINE_KEY && section == SECTION_INTERFACE && wgquick_key_index(l->key, l->key_len) >= 0;
}

/* Next physical line; the last one may lack its newline. */
static bool next_line(const char **pos, const char *end, const char **line, size_t *len)
{
	const char *nl;

	if (*pos >= end)
		return false;
	*line = *pos;
	nl = memchr(*pos, '\n', (size_t)(end - *pos));
	*len = nl ? (size_t)(nl - *pos) : (size_t)(end - *pos);
	*pos = nl ? nl + 1 : end;
	return true;
}

static size_t skip_bom(const char *buf, size_t len)
{
	return len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3) ? 3 : 0;
}

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

static int fail_errno(struct parse_ctx *c, int ret)
{
	if (!c->ret)
		c->ret = ret;
	return ret;
}

/* Records the first error: "what: `value'", or just "what" without a value. */
static int fail(struct parse_ctx *c, const char *what, const char *value, size_t n)
{
	char quoted[300];

	if (c->ret)
		return c->ret;
	c->err->line = c->lineno;
	if (value) {
		quote(quoted, sizeof(quoted), value, n);
		snprintf(c->err->message, sizeof(c->err->message), "%s: `%s'", what, quoted);
	} else
		snprintf(c->err->message, sizeof(c->err->message), "%s", what);
	return fail_errno(c, -EINVAL);
}

static int fail_str(struct parse_ctx *c, const char *what, const char *value)
{
	return fail(c, what, value, strlen(value));
}

static int warn(struct parse_ctx *c, const char *what, const char *value)
{
	struct nswg_config *cfg = c->cfg;
	struct nswg_warning *w;
	char quoted[300];
	struct strbuf msg = { 0 };

	quote(quoted, sizeof(quoted), value, strlen(value));
	if (array_grow(&cfg->warnings, &cfg->cap_warnings, cfg->n_warnings, sizeof(*w)) ||
	    strbuf_addf(&msg, "%s%s%s%s", what, *value ? ": `" : "", quoted, *value ? "'" : "")) {
		strbuf_free(&msg);
		return fail_errno(c, -ENOMEM);
	}
	w = &cfg->warnings[cfg->n_warnings++];
	w->line = c->lineno;
	w->message = msg.s;
	return 0;
}

/* ---- values ---- */

static bool parse_u32(const char *s, int base, uint32_t max, uint32_t *out)
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

static int parse_key(struct parse_ctx *c, uint8_t key[static NSWG_KEY_LEN], const char *name, const char *value,
		     bool secret)
{
	char what[64];

	if (key_from_base64(key, value))
		return 0;
	memzero_explicit(key, NSWG_KEY_LEN);
	snprintf(what, sizeof(what), "%s is not the correct length or format", name);
	/* Never echo a secret: a mistyped private key is still most of one. */
	return secret ? fail(c, what, NULL, 0) : fail_str(c, what, value);
}

static int parse_listen_port(struct parse_ctx *c, const char *value)
{
	uint32_t port;

	if (!parse_u32(value, 10, 65535, &port))
		return fail_str(c, "ListenPort is not a port number from 0 to 65535", value);
	c->cfg->listen_port = (uint16_t)port;
	c->cfg->flags |= NSWG_DEV_HAS_LISTEN_PORT;
	return 0;
}

static int parse_fwmark(struct parse_ctx *c, const char *value)
{
	bool hex = strlen(value) > 2 && value[0] == '0' && value[1] == 'x';
	uint32_t mark = 0;

	if (strcasecmp(value, "off") && !parse_u32(value + (hex ? 2 : 0), hex ? 16 : 10, UINT32_MAX, &mark))
		return fail_str(c, "Fwmark is neither 0/off nor 0-0xffffffff", value);
	c->cfg->fwmark = mark;
	c->cfg->flags |= NSWG_DEV_HAS_FWMARK;
	return 0;
}

static int parse_endpoint(struct parse_ctx *c, struct nswg_peer *peer, const char *value)
{
	struct nswg_endpoint *ep = &peer->endpoint;
	char *copy, *host, *port, *end;
	struct nswg_prefix ip;
	uint32_t portnum;
	int ret;

	copy = strdup(value);
	if (!copy)
		return fail_errno(c, -ENOMEM);
	/* As wg(8): "[host]:port", or split at the last colon. */
	if (copy[0] == '[') {
		host = copy + 1;
		end = strchr(host, ']');
		if (!end) {
			ret = fail_str(c, "Unable to find matching brace of endpoint", value);
			goto out;
		}
		*end++ = '\0';
		if (*end != ':' || !end[1]) {
			ret = fail_str(c, "Unable to find port of endpoint", value);
			goto out;
		}
		port = end + 1;
	} else {
		host = copy;
		end = strrchr(copy, ':');
		if (!end || !end[1]) {
			ret = fail_str(c, "Unable to find port of endpoint", value);
			goto out;
		}
		*end = '\0';
		port = end + 1;
	}
	if (!*host) {
		ret = fail_str(c, "Unable to find host of endpoint", value);
		goto out;
	}
	if (!parse_u32(port, 10, 65535, &portnum)) {
		ret = fail_str(c, "Unable to parse port of endpoint", value);
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
			ret = fail_errno(c, -ENOMEM);
			goto out;
		}
	}
	peer->flags |= NSWG_PEER_HAS_ENDPOINT;
	ret = 0;
out:
	free(copy);
	return ret;
}

static int parse_keepalive(struct parse_ctx *c, struct nswg_peer *peer, const char *value)
{
	uint32_t v = 0;

	if (strcasecmp(value, "off") && !parse_u32(value, 10, 65535, &v))
		return fail_str(c, "Persistent keepalive interval is neither 0/off nor 1-65535", value);
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
		return fail_str(c, "Unable to parse IP address", entry);
	cidr = prefix_bits(p.family);
	if (slash) {
		*slash = '/';
		if (!parse_u32(slash + 1, 10, prefix_bits(p.family), &cidr))
			return fail_str(c, "AllowedIP is not in the correct format", orig);
	}
	p.cidr = (uint8_t)cidr;
	if (!prefix_is_masked(&p) && warn(c, "AllowedIP has nonzero host part", entry))
		return c->ret;
	if (array_grow(&peer->allowedips, &peer->cap_allowedips, peer->n_allowedips, sizeof(*aip)))
		return fail_errno(c, -ENOMEM);
	aip = &peer->allowedips[peer->n_allowedips++];
	aip->prefix = p;
	aip->flags = flags;
	return 0;
}

static int parse_allowedips(struct parse_ctx *c, struct nswg_peer *peer, char *value)
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

static int parse_address(struct parse_ctx *c, char *value)
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
			return fail_str(c, "Unable to parse address", word);
		cidr = prefix_bits(p.family);
		if (slash) {
			*slash = '/';
			if (parse_u32(slash + 1, 10, prefix_bits(p.family), &cidr))
				;
			else if (p.family == AF_INET && parse_netmask(slash + 1, &mask))
				cidr = mask;
			else
				return fail_str(c, "Address has an invalid prefix length", word);
		}
		p.cidr = (uint8_t)cidr;
		if (address_taken(cfg, &p))
			return fail_str(c, "Address is given twice (the second `ip address add' would fail)", word);
		if (array_grow(&cfg->addresses, &cfg->cap_addresses, cfg->n_addresses, sizeof(p)))
			return fail_errno(c, -ENOMEM);
		cfg->addresses[cfg->n_addresses++] = p;
	}
	return 0;
}

static int strv_add(struct nswg_strv *sv, const char *s)
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

static int parse_dns(struct parse_ctx *c, char *value)
{
	char *word;
	int ret;

	while ((word = next_word(&value))) {
		if (dns_is_server(word)) {
			if (!dns_server_valid(word))
				return fail_str(c, "Unable to parse DNS server", word);
			ret = strv_add(&c->cfg->dns, word);
		} else
			ret = strv_add(&c->cfg->dns_search, word);
		if (ret)
			return fail_errno(c, ret);
	}
	return 0;
}

static int parse_mtu(struct parse_ctx *c, const char *value)
{
	uint32_t mtu = 0;

	/* An empty MTU resets it to automatic, as in wg-quick. */
	if (*value && (!parse_u32(value, 10, 65535, &mtu) || mtu < 68))
		return fail_str(c, "MTU is neither empty nor 68-65535", value);
	c->cfg->mtu = mtu;
	return 0;
}

static int parse_table(struct parse_ctx *c, const char *value)
{
	static const struct {
		const char *name;
		uint32_t id;
	} names[] = { { "default", 253 }, { "main", 254 }, { "local", 255 } };
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
		return fail_str(c, "Table is neither off, auto, main, default, local nor 1-4294967295", value);
	return 0;
}

static int parse_save_config(struct parse_ctx *c, const char *value)
{
	if (!strcasecmp(value, "true"))
		c->cfg->save_config = true;
	else if (!strcasecmp(value, "false"))
		c->cfg->save_config = false;
	else
		return fail(c, "SaveConfig is neither true nor false", value, strlen(value));
	return 0;
}

static int add_hook(struct parse_ctx *c, enum nswg_hook type, const char *command)
{
	struct nswg_config *cfg = c->cfg;
	struct nswg_hook_line *h;
	char what[96];
	char *copy;

	copy = strdup(command);
	if (!copy || array_grow(&cfg->hooks, &cfg->cap_hooks, cfg->n_hooks, sizeof(*h))) {
		free(copy);
		return fail_errno(c, -ENOMEM);
	}
	h = &cfg->hooks[cfg->n_hooks++];
	h->type = type;
	h->line = c->lineno;
	h->command = copy;
	snprintf(what, sizeof(what), "%s is not run: nswg never runs commands on the host", config_hook_name(type));
	return warn(c, what, command);
}

/* ---- applying one line ---- */

static int apply_wgquick_key(struct parse_ctx *c, int key, const char *raw_value)
{
	struct strbuf value = { 0 };
	const char *v = raw_value, *hash;
	size_t n = strlen(raw_value);
	int ret;

	switch (key) {
	case KEY_PREUP:
	case KEY_POSTUP:
	case KEY_PREDOWN:
	case KEY_POSTDOWN:
		/* Hooks keep their "#...", as wg-quick has done since 2025. */
		return add_hook(c, (enum nswg_hook)(key - KEY_PREUP), raw_value);
	}
	hash = strchr(v, '#');
	if (hash)
		n = (size_t)(hash - v);
	trim(&v, &n, is_space);
	if (strbuf_add(&value, v, n))
		return fail_errno(c, -ENOMEM);
	switch (key) {
	case KEY_ADDRESS:
		ret = parse_address(c, value.s);
		break;
	case KEY_DNS:
		ret = parse_dns(c, value.s);
		break;
	case KEY_MTU:
		ret = parse_mtu(c, value.s);
		break;
	case KEY_TABLE:
		ret = parse_table(c, value.s);
		break;
	default:
		ret = parse_save_config(c, value.s);
		break;
	}
	strbuf_free(&value);
	return ret;
}

static int apply_interface_key(struct parse_ctx *c, const char *key, char *value)
{
	struct nswg_config *cfg = c->cfg;
	int ret;

	if (!strcasecmp(key, "ListenPort"))
		return parse_listen_port(c, value);
	if (!strcasecmp(key, "FwMark"))
		return parse_fwmark(c, value);
	if (!strcasecmp(key, "PrivateKey")) {
		ret = parse_key(c, cfg->private_key, "PrivateKey", value, true);
		if (!ret)
			cfg->flags |= NSWG_DEV_HAS_PRIVATE_KEY;
		return ret;
	}
	return 1;
}

static int apply_peer_key(struct parse_ctx *c, const char *key, char *value)
{
	struct nswg_peer *peer = &c->cfg->peers[c->cfg->n_peers - 1];
	int ret;

	if (!strcasecmp(key, "Endpoint"))
		return parse_endpoint(c, peer, value);
	if (!strcasecmp(key, "PublicKey")) {
		ret = parse_key(c, peer->public_key, "PublicKey", value, false);
		if (!ret)
			peer->flags |= NSWG_PEER_HAS_PUBLIC_KEY;
		return ret;
	}
	if (!strcasecmp(key, "AllowedIPs"))
		return parse_allowedips(c, peer, value);
	if (!strcasecmp(key, "PersistentKeepalive"))
		return parse_keepalive(c, peer, value);
	if (!strcasecmp(key, "PresharedKey")) {
		ret = parse_key(c, peer->preshared_key, "PresharedKey", value, true);
		if (!ret)
			peer->flags |= NSWG_PEER_HAS_PRESHARED_KEY;
		return ret;
	}
	return 1;
}

/*
 * One "key = value" line, value with its comment. wg-quick's own keys are
 * matched on the trimmed key; everything else goes to wg(8), which matches
 * after removing every space from the line, and wants a non-empty value.
 */
static int config_apply(struct parse_ctx *c, const char *section, const char *key, const char *raw_value)
{
	bool interface = !strcasecmp(section, "Interface"), peer = !strcasecmp(section, "Peer");
	struct strbuf wkey = { 0 }, wvalue = { 0 }, line = { 0 };
	const char *hash;
	int ret = 1, index;

	if (interface && (index = wgquick_key_index(key, strlen(key))) >= 0)
		return apply_wgquick_key(c, index, raw_value);

	hash = strchr(raw_value, '#');
	remove_spaces(&wkey, key, strlen(key));
	remove_spaces(&wvalue, raw_value, hash ? (size_t)(hash - raw_value) : strlen(raw_value));
	if (!wkey.s || !wvalue.s) {
		ret = fail_errno(c, -ENOMEM);
		goto out;
	}
	if (*wvalue.s && interface)
		ret = apply_interface_key(c, wkey.s, wvalue.s);
	else if (*wvalue.s && peer)
		ret = apply_peer_key(c, wkey.s, wvalue.s);
	if (ret > 0) {
		if (strbuf_addf(&line, "%s=%s", wkey.s, wvalue.s))
			ret = fail_errno(c, -ENOMEM);
		else
			ret = fail(c, "Line unrecognized", line.s, line.len);
	}
out:
	memzero_explicit(wvalue.s, wvalue.len);
	strbuf_free(&wkey);
	strbuf_free(&wvalue);
	strbuf_free(&line);
	return ret;
}

static int config_begin_section(struct parse_ctx *c, enum section section)
{
	struct nswg_config *cfg = c->cfg;
	struct nswg_peer *peer;

	c->section = section;
	if (section != SECTION_PEER || c->interface_only)
		return 0;
	if (array_grow(&cfg->peers, &cfg->cap_peers, cfg->n_peers, sizeof(*peer)))
		return fail_errno(c, -ENOMEM);
	peer = &cfg->peers[cfg->n_peers++];
	memset(peer, 0, sizeof(*peer));
	peer->line = c->lineno;
	peer->flags = NSWG_PEER_REPLACE_ALLOWEDIPS;
	return 0;
}

/* ---- the inih glue ---- */

static bool escape_keeps(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || char_is_digit(c) || strchr("+/.,-_@", c);
}

/* Escapes for inih; runs of white space in a key become one space. */
static int escape(struct strbuf *out, const char *s, size_t n, bool is_key)
{
	int ret = 0;

	for (size_t i = 0; !ret && i < n; ++i) {
		unsigned char c = (unsigned char)s[i];

		if (is_key && char_is_space(c)) {
			while (i + 1 < n && char_is_space((unsigned char)s[i + 1]))
				++i;
			c = ' ';
		}
		if (escape_keeps(c))
			ret = strbuf_addc(out, (char)c);
		else
			ret = strbuf_addf(out, "%%%02x", c);
	}
	return ret;
}

static int unescape(struct strbuf *out, const char *s)
{
	int ret = 0;

	for (; !ret && *s; ++s) {
		unsigned int c;

		if (*s == '%' && sscanf(s + 1, "%2x", &c) == 1) {
			ret = strbuf_addc(out, (char)c);
			s += 2;
		} else
			ret = strbuf_addc(out, *s);
	}
	return ret;
}

/* The next piece of the current line: "key=" and as much value as fits. */
static char *emit_piece(struct parse_ctx *c, char *str, int num)
{
	const char *value = c->escaped.s + c->escaped_key_len;
	size_t room = (size_t)num - 3 - c->escaped_key_len, n = c->escaped.len - c->escaped_key_len - c->escaped_off;

	if (n > room) {
		n = room;
		/* Never split an escape sequence between two pieces. */
		if (value[c->escaped_off + n - 1] == '%')
			n -= 1;
		else if (value[c->escaped_off + n - 2] == '%')
			n -= 2;
	}
	memcpy(str, c->escaped.s, c->escaped_key_len);
	memcpy(str + c->escaped_key_len, value + c->escaped_off, n);
	str[c->escaped_key_len + n] = '\n';
	str[c->escaped_key_len + n + 1] = '\0';
	c->first_piece = c->escaped_off == 0;
	c->escaped_off += n;
	c->last_piece = c->escaped_off == c->escaped.len - c->escaped_key_len;
	return str;
}

static char *config_ini_reader(char *str, int num, void *stream)
{
	struct parse_ctx *c = stream;
	struct config_line *l = &c->line;
	struct strbuf line = { 0 };
	const char *p;
	size_t n;

	if (c->ret)
		return NULL;
	if (c->escaped.s && c->escaped_off < c->escaped.len - c->escaped_key_len)
		return emit_piece(c, str, num);
	if (!next_line(&c->pos, c->end, &p, &n))
		return NULL;
	++c->lineno;
	if (memchr(p, '\0', n)) {
		fail(c, "Line contains a NUL byte", NULL, 0);
		return NULL;
	}
	config_lex_line(p, n, l);
	if (c->interface_only && l->kind != LINE_SECTION && !config_line_is_wgquick(l, c->section)) {
		/* As wg-quick: any line that opens with '[' ends [Interface]. */
		if (l->kind == LINE_BAD && l->raw_len && l->raw[0] == '[')
			c->section = SECTION_NONE;
		l->kind = LINE_BLANK;
	}
	switch (l->kind) {
	case LINE_BLANK:
		strcpy(str, "\n");
		return str;
	case LINE_SECTION:
		if (config_begin_section(c, l->section))
			return NULL;
		strcpy(str, l->section == SECTION_PEER ? "[Peer]\n" : "[Interface]\n");
		return str;
	case LINE_KEY:
		strbuf_reset(&c->escaped);
		if (escape(&c->escaped, l->key, l->key_len, true) || strbuf_addc(&c->escaped, '=')) {
			fail_errno(c, -ENOMEM);
			return NULL;
		}
		c->escaped_key_len = c->escaped.len;
		c->escaped_off = 0;
		/* No key is that long: leave inih room for the value. */
		if (c->escaped_key_len <= (size_t)num / 4) {
			if (escape(&c->escaped, l->value, l->value_len, false)) {
				fail_errno(c, -ENOMEM);
				return NULL;
			}
			return emit_piece(c, str, num);
		}
		/* fall through */
	case LINE_BAD:
		remove_spaces(&line, l->raw, l->stripped_len);
		if (line.s)
			fail(c, "Line unrecognized", line.s, line.len);
		else
			fail_errno(c, -ENOMEM);
		strbuf_free(&line);
		return NULL;
	}
	return NULL;
}

static int config_ini_handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_ctx *c = user;

	if (c->ret)
		return 0;
	if (c->first_piece) {
		strbuf_reset(&c->key);
		strbuf_reset(&c->value);
		if (strbuf_add(&c->key, "", 0) || unescape(&c->key, name) || strbuf_add(&c->value, "", 0))
			return !fail_errno(c, -ENOMEM);
	}
	if (unescape(&c->value, value))
		return !fail_errno(c, -ENOMEM);
	if (!c->last_piece)
		return 1;
	return !config_apply(c, section, c->key.s, c->value.s);
}

static int config_finish(struct parse_ctx *c)
{
	for (size_t i = 0; i < c->cfg->n_peers; ++i) {
		if (!(c->cfg->peers[i].flags & NSWG_PEER_HAS_PUBLIC_KEY)) {
			c->lineno = c->cfg->peers[i].line;
			return fail(c, "A peer is missing a public key", NULL, 0);
		}
	}
	return 0;
}

static int parse(const char *buf, size_t len, bool interface_only, struct nswg_config **out,
		 struct nswg_config_error *err)
{
	struct parse_ctx c = { .err = err, .interface_only = interface_only };
	size_t bom;
	int ret;

	memset(err, 0, sizeof(*err));
	*out = NULL;
	if (len > NSWG_CONFIG_MAX_SIZE) {
		snprintf(err->message, sizeof(err->message), "file is larger than %u MiB", NSWG_CONFIG_MAX_SIZE >> 20);
		return -EFBIG;
	}
	c.cfg = calloc(1, sizeof(*c.cfg));
	if (!c.cfg)
		return -ENOMEM;
	/* A UTF-8 BOM, as editors on other systems write: wg(8) chokes on it. */
	bom = skip_bom(buf, len);
	c.pos = buf + bom;
	c.end = buf + len;
	ret = ini_parse_stream(config_ini_reader, &c, config_ini_handler, &c);
	if (!c.ret && ret == -2)
		fail_errno(&c, -ENOMEM);
	else if (!c.ret && ret)
		fail(&c, "Internal error: inih rejected the line", NULL, 0);
	if (!c.ret)
		config_finish(&c);
	memzero_explicit(c.escaped.s, c.escaped.cap);
	memzero_explicit(c.value.s, c.value.cap);
	strbuf_free(&c.escaped);
	strbuf_free(&c.key);
	strbuf_free(&c.value);
	if (c.ret) {
		config_free(c.cfg);
		return c.ret;
	}
	*out = c.cfg;
	return 0;
}

int config_parse_buf(const char *buf, size_t len, struct nswg_config **out, struct nswg_config_error *err)
{
	return parse(buf, len, false, out, err);
}

int config_parse_interface(const char *buf, size_t len, struct nswg_config **out, struct nswg_config_error *err)
{
	return parse(buf, len, true, out, err);
}

static void strv_free(struct nswg_strv *sv)
{
	for (size_t i = 0; i < sv->n; ++i)
		free(sv->v[i]);
	free(sv->v);
}

void config_free(struct nswg_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->n_peers; ++i) {
		free(cfg->peers[i].allowedips);
		free(cfg->peers[i].endpoint.host);
	}
	for (size_t i = 0; i < cfg->n_hooks; ++i)
		free(cfg->hooks[i].command);
	for (size_t i = 0; i < cfg->n_warnings; ++i)
		free(cfg->warnings[i].message);
	strv_free(&cfg->dns);
	strv_free(&cfg->dns_search);
	if (cfg->peers)
		memzero_explicit(cfg->peers, cfg->cap_peers * sizeof(*cfg->peers));
	free(cfg->peers);
	free(cfg->addresses);
	free(cfg->hooks);
	free(cfg->warnings);
	memzero_explicit(cfg, sizeof(*cfg));
	free(cfg);
}

const char *config_hook_name(enum nswg_hook type)
{
	static const char *const names[] = { "PreUp", "PostUp", "PreDown", "PostDown" };

	return names[type];
}

int config_strip_buf(const char *buf, size_t len, char **out, size_t *out_len)
{
	enum section section = SECTION_NONE;
	struct strbuf sb = { 0 };
	struct config_line l;
	const char *pos, *p;
	size_t n;
	int ret = 0;

	pos = buf + skip_bom(buf, len);
	while (!ret && next_line(&pos, buf + len, &p, &n)) {
		config_lex_line(p, n, &l);
		if (l.kind == LINE_SECTION)
			section = l.section;
		/* `read -r line || [[ -n $line ]]' drops a blank last line without newline. */
		if (config_line_is_wgquick(&l, section) || (p + n == buf + len && !l.raw_len))
			continue;
		ret = strbuf_add(&sb, l.raw, l.raw_len);
		if (!ret)
			ret = strbuf_addc(&sb, '\n');
	}
	/* `echo "$WG_CONFIG"' ends with a newline of its own. */
	if (!ret)
		ret = strbuf_addc(&sb, '\n');
	if (ret) {
		strbuf_free(&sb);
		return ret;
	}
	*out = sb.s;
	*out_len = sb.len;
	return 0;
}

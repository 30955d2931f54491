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

#include "config_internal.h"
#include "prefix.h"


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
		return config_add_hook(c, (enum nswg_hook)(key - KEY_PREUP), raw_value);
	}
	hash = strchr(v, '#');
	if (hash)
		n = (size_t)(hash - v);
	config_trim(&v, &n, config_is_space);
	if (strbuf_add(&value, v, n))
		return parse_fail_errno(c, -ENOMEM);
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

	if (interface && (index = config_wgquick_key(key, strlen(key))) >= 0)
		return apply_wgquick_key(c, index, raw_value);

	hash = strchr(raw_value, '#');
	config_remove_spaces(&wkey, key, strlen(key));
	config_remove_spaces(&wvalue, raw_value, hash ? (size_t)(hash - raw_value) : strlen(raw_value));
	if (!wkey.s || !wvalue.s) {
		ret = parse_fail_errno(c, -ENOMEM);
		goto out;
	}
	if (*wvalue.s && interface)
		ret = apply_interface_key(c, wkey.s, wvalue.s);
	else if (*wvalue.s && peer)
		ret = apply_peer_key(c, wkey.s, wvalue.s);
	if (ret > 0) {
		if (strbuf_addf(&line, "%s=%s", wkey.s, wvalue.s))
			ret = parse_fail_errno(c, -ENOMEM);
		else
			ret = parse_fail_line(c, line.s, line.len);
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
		return parse_fail_errno(c, -ENOMEM);
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
	if (!config_next_line(&c->pos, c->end, &p, &n))
		return NULL;
	++c->lineno;
	if (memchr(p, '\0', n)) {
		parse_fail(c, "Line contains a NUL byte", NULL, 0);
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
			parse_fail_errno(c, -ENOMEM);
			return NULL;
		}
		c->escaped_key_len = c->escaped.len;
		c->escaped_off = 0;
		/* No key is that long: leave inih room for the value. */
		if (c->escaped_key_len <= (size_t)num / 4) {
			if (escape(&c->escaped, l->value, l->value_len, false)) {
				parse_fail_errno(c, -ENOMEM);
				return NULL;
			}
			return emit_piece(c, str, num);
		}
		/* fall through */
	case LINE_BAD:
		config_remove_spaces(&line, l->raw, l->stripped_len);
		if (line.s)
			parse_fail_line(c, line.s, line.len);
		else
			parse_fail_errno(c, -ENOMEM);
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
			return !parse_fail_errno(c, -ENOMEM);
	}
	if (unescape(&c->value, value))
		return !parse_fail_errno(c, -ENOMEM);
	if (!c->last_piece)
		return 1;
	return !config_apply(c, section, c->key.s, c->value.s);
}

static int config_finish(struct parse_ctx *c)
{
	for (size_t i = 0; i < c->cfg->n_peers; ++i) {
		if (!(c->cfg->peers[i].flags & NSWG_PEER_HAS_PUBLIC_KEY)) {
			c->lineno = c->cfg->peers[i].line;
			return parse_fail(c, "A peer is missing a public key", NULL, 0);
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
	bom = config_skip_bom(buf, len);
	c.pos = buf + bom;
	c.end = buf + len;
	ret = ini_parse_stream(config_ini_reader, &c, config_ini_handler, &c);
	if (!c.ret && ret == -2)
		parse_fail_errno(&c, -ENOMEM);
	else if (!c.ret && ret)
		parse_fail(&c, "Internal error: inih rejected the line", NULL, 0);
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
	/* A hook may carry a key (wg set %i private-key <(echo ...)). */
	for (size_t i = 0; i < cfg->n_hooks; ++i) {
		if (cfg->hooks[i].command)
			memzero_explicit(cfg->hooks[i].command, strlen(cfg->hooks[i].command));
		free(cfg->hooks[i].command);
	}
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


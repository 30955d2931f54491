// SPDX-License-Identifier: MIT
/*
 * The reader's lexer: a file as physical lines, each lexed the way
 * wg-quick's parse_options() reads it; and `nswg strip', which needs no
 * more than that.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_internal.h"
#include "prefix.h"

static const char *const wgquick_keys[] = {
	"Address", "DNS", "MTU", "Table", "PreUp", "PostUp", "PreDown", "PostDown", "SaveConfig",
};

static bool is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; ++i) {
		if (!char_is_space((unsigned char)s[i]))
			return false;
	}
	return true;
}

void config_trim(const char **s, size_t *n, bool (*is_trimmed)(int))
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

bool config_is_space(int c)
{
	return char_is_space(c);
}

/* wg(8) removes every white space character before it looks at a line. */
void config_remove_spaces(struct strbuf *out, const char *s, size_t n)
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

void config_lex_line(const char *p, size_t n, struct config_line *l)
{
	const char *hash, *eq;
	size_t i;

	memset(l, 0, sizeof(*l));
	config_trim(&p, &n, is_ifs_space);
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
	config_trim(&l->key, &l->key_len, config_is_space);
	l->value = eq + 1;
	l->value_len = n - (size_t)(eq + 1 - p);
	config_trim(&l->value, &l->value_len, config_is_space);
}

int config_wgquick_key(const char *key, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(wgquick_keys); ++i) {
		if (strlen(wgquick_keys[i]) == n && !strncasecmp(key, wgquick_keys[i], n))
			return (int)i;
	}
	return -1;
}

/* The lines wg-quick keeps to itself and never gives to wg(8). */
bool config_line_is_wgquick(const struct config_line *l, enum section section)
{
	return l->kind == LINE_KEY && section == SECTION_INTERFACE && config_wgquick_key(l->key, l->key_len) >= 0;
}

/* Next physical line; the last one may lack its newline. */
bool config_next_line(const char **pos, const char *end, const char **line, size_t *len)
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

size_t config_skip_bom(const char *buf, size_t len)
{
	return len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3) ? 3 : 0;
}


int config_strip_buf(const char *buf, size_t len, char **out, size_t *out_len)
{
	enum section section = SECTION_NONE;
	struct strbuf sb = { 0 };
	struct config_line l;
	const char *pos, *p;
	size_t n;
	int ret = 0;

	pos = buf + config_skip_bom(buf, len);
	while (!ret && config_next_line(&pos, buf + len, &p, &n)) {
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

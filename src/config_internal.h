/* SPDX-License-Identifier: MIT */
#ifndef NSWG_CONFIG_INTERNAL_H
#define NSWG_CONFIG_INTERNAL_H

/*
 * Inside the configuration reader, shared by its three files: the lexer
 * (config_lex.c), the values (config_values.c) and the inih glue that
 * applies them (config.c). Not for the rest of nswg: config.h is.
 */
#include "config.h"
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

/* wg-quick's own keys of [Interface], in the order of config_lex.c's table. */
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


/* config_lex.c: physical lines, lexed as wg-quick's parse_options() does. */
void config_trim(const char **s, size_t *n, bool (*is_trimmed)(int));
bool config_is_space(int c);
void config_remove_spaces(struct strbuf *out, const char *s, size_t n);
int config_wgquick_key(const char *key, size_t n);
void config_lex_line(const char *p, size_t n, struct config_line *l);
bool config_line_is_wgquick(const struct config_line *l, enum section section);
bool config_next_line(const char **pos, const char *end, const char **line, size_t *len);
size_t config_skip_bom(const char *buf, size_t len);

/* config_values.c: the first error and the warnings, and each key's value. */
/*
 * Messages never quote text holding this many base64 characters in a row:
 * a key, or enough of one to matter, shows as "(hidden)".
 */
#define NSWG_KEY_RUN 20

int parse_fail_errno(struct parse_ctx *c, int ret);
int parse_fail(struct parse_ctx *c, const char *what, const char *value, size_t n);
int parse_fail_str(struct parse_ctx *c, const char *what, const char *value);
int parse_fail_line(struct parse_ctx *c, const char *line, size_t n);
int parse_warn(struct parse_ctx *c, const char *what, const char *value);
int parse_key(struct parse_ctx *c, uint8_t key[static NSWG_KEY_LEN], const char *name, const char *value, bool secret);
int parse_listen_port(struct parse_ctx *c, const char *value);
int parse_fwmark(struct parse_ctx *c, const char *value);
int parse_endpoint(struct parse_ctx *c, struct nswg_peer *peer, const char *value);
int parse_keepalive(struct parse_ctx *c, struct nswg_peer *peer, const char *value);
int parse_allowedips(struct parse_ctx *c, struct nswg_peer *peer, char *value);
int parse_address(struct parse_ctx *c, char *value);
int parse_dns(struct parse_ctx *c, char *value);
int parse_mtu(struct parse_ctx *c, const char *value);
int parse_table(struct parse_ctx *c, const char *value);
int parse_save_config(struct parse_ctx *c, const char *value);
int config_add_hook(struct parse_ctx *c, enum nswg_hook type, const char *command);
int config_strv_add(struct nswg_strv *sv, const char *s);
bool parse_u32(const char *s, int base, uint32_t max, uint32_t *out);

#endif

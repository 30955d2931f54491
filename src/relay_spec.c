// SPDX-License-Identifier: MIT
/*
 * The specs of --publish, --host-port and --socks, read as docker's -p is
 * read: fields separated by colons, an IPv6 address in brackets, each field
 * an address or a port by its form. Pure: nothing is opened here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay.h"
#include "util.h"

static const char *const kind_options[] = {
	[RELAY_PUBLISH] = "--publish",
	[RELAY_HOST_PORT] = "--host-port",
	[RELAY_SOCKS] = "--socks",
};

const char *relay_kind_option(enum relay_kind kind)
{
	return kind_options[kind];
}

int relay_kind_of_option(const char *option)
{
	for (size_t i = 0; i < ARRAY_SIZE(kind_options); ++i) {
		if (!strcmp(option, kind_options[i]))
			return (int)i;
	}
	return -1;
}

enum field_form { FIELD_PORT, FIELD_ADDR };

struct field {
	enum field_form form;
	union relay_addr addr; /* FIELD_ADDR */
	unsigned int port;     /* FIELD_PORT */
};

#define FIELDS_MAX 4

static int fail(char *why, size_t size, const char *fmt, const char *part)
{
	snprintf(why, size, fmt, part);
	return -EINVAL;
}

/* One field, of len bytes at s: a port, an IPv4 address, or an IPv6 one in brackets. */
static int field_read(const char *s, size_t len, struct field *f, char *why, size_t size)
{
	char part[RELAY_TEXT_MAX];
	bool digits = len > 0;

	if (len >= sizeof(part))
		return fail(why, size, "a field is too long%s", "");
	memcpy(part, s, len);
	part[len] = '\0';
	for (size_t i = 0; i < len; ++i)
		digits = digits && char_is_digit(part[i]);
	memset(f, 0, sizeof(*f));
	if (!len)
		return fail(why, size, "an empty field%s (an IPv6 address goes in brackets: [::1]:PORT)", "");
	if (digits) {
		unsigned long port = len <= 5 ? strtoul(part, NULL, 10) : 0;

		if (port < 1 || port > 65535)
			return fail(why, size, "port `%s' is out of range (1-65535)", part);
		f->form = FIELD_PORT;
		f->port = (unsigned int)port;
		return 0;
	}
	f->form = FIELD_ADDR;
	if (len >= 2 && part[0] == '[' && part[len - 1] == ']') {
		struct in_addr v4;

		part[len - 1] = '\0';
		if (inet_pton(AF_INET6, part + 1, &f->addr.in6.sin6_addr) == 1) {
			f->addr.in6.sin6_family = AF_INET6;
			return 0;
		}
		if (inet_pton(AF_INET, part + 1, &v4) == 1)
			return fail(why, size, "`%s' is an IPv4 address in brackets: brackets are for IPv6", part + 1);
		return fail(why, size, "`%s' is not an IPv6 address", part + 1);
	}
	if (inet_pton(AF_INET, part, &f->addr.in.sin_addr) == 1) {
		f->addr.in.sin_family = AF_INET;
		return 0;
	}
	if (strchr(part, '[') || strchr(part, ']'))
		return fail(why, size, "`%s' is not an address", part);
	return fail(why, size, "`%s' is not a numeric address or a port (no name is resolved here)", part);
}

/* Splits at colons outside brackets. */
static int fields_read(const char *s, struct field *fields, size_t *n, char *why, size_t size)
{
	const char *start = s;
	int depth = 0, ret;

	*n = 0;
	for (const char *p = s;; ++p) {
		if (*p == '[')
			++depth;
		else if (*p == ']')
			--depth;
		if (depth < 0 || depth > 1 || (!*p && depth))
			return fail(why, size, "unbalanced brackets in `%s'", s);
		if ((*p == ':' && !depth) || !*p) {
			if (*n == FIELDS_MAX)
				return fail(why, size, "too many fields in `%s' (an IPv6 address goes in brackets)", s);
			if ((ret = field_read(start, (size_t)(p - start), &fields[(*n)++], why, size)))
				return ret;
			start = p + 1;
		}
		if (!*p)
			break;
	}
	return 0;
}

static void set_port(union relay_addr *a, unsigned int port)
{
	if (a->sa.sa_family == AF_INET6)
		a->in6.sin6_port = htons((uint16_t)port);
	else
		a->in.sin_port = htons((uint16_t)port);
}

static void set_loopback(union relay_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->in.sin_family = AF_INET;
	a->in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

/* The forms, by the pattern of their fields (A: address, P: port). */
static int assign(const struct field *f, size_t n, bool socks, struct relay_spec *spec, char *why, size_t size)
{
	char pattern[FIELDS_MAX + 1] = "";
	const struct field *lport, *tport, *laddr = NULL, *taddr = NULL;

	for (size_t i = 0; i < n; ++i)
		pattern[i] = f[i].form == FIELD_ADDR ? 'A' : 'P';
	if (!strcmp(pattern, "P") || !strcmp(pattern, "AP")) {
		laddr = n == 2 ? &f[0] : NULL;
		lport = tport = &f[n - 1];
	} else if (!socks && (!strcmp(pattern, "PP") || !strcmp(pattern, "APP"))) {
		laddr = n == 3 ? &f[0] : NULL;
		lport = &f[n - 2];
		tport = &f[n - 1];
	} else if (!socks && (!strcmp(pattern, "PAP") || !strcmp(pattern, "APAP"))) {
		laddr = n == 4 ? &f[0] : NULL;
		lport = &f[n - 3];
		taddr = &f[n - 2];
		tport = &f[n - 1];
	} else {
		return fail(why, size, socks ? "expected [ADDR:]PORT%s" : "expected [ADDR:]PORT[:PORT2] or "
			    "[ADDR:]PORT:ADDR2:PORT2%s", "");
	}
	if (laddr)
		spec->listen = laddr->addr;
	else
		set_loopback(&spec->listen);
	set_port(&spec->listen, lport->port);
	if (taddr)
		spec->target = taddr->addr;
	else
		set_loopback(&spec->target);
	set_port(&spec->target, tport->port);
	return 0;
}

int relay_spec_parse(enum relay_kind kind, const char *text, struct relay_spec *spec, char *why, size_t size)
{
	char body[RELAY_TEXT_MAX];
	struct field fields[FIELDS_MAX] = { 0 };
	size_t len = strlen(text), n;
	const char *slash;
	int ret;

	memset(spec, 0, sizeof(*spec));
	spec->kind = kind;
	spec->type = SOCK_STREAM;
	if (len >= sizeof(body))
		return fail(why, size, "too long (at most %s characters)", "95");
	slash = strrchr(text, '/');
	if (slash) {
		if (!strcmp(slash, "/udp") && kind != RELAY_SOCKS)
			spec->type = SOCK_DGRAM;
		else if (strcmp(slash, "/tcp"))
			return fail(why, size, kind == RELAY_SOCKS ? "`%s': a SOCKS entrance is TCP only" :
				    "`%s' is not a protocol (/tcp or /udp)", slash);
		len = (size_t)(slash - text);
	}
	memcpy(body, text, len);
	body[len] = '\0';
	if ((ret = fields_read(body, fields, &n, why, size)) ||
	    (ret = assign(fields, n, kind == RELAY_SOCKS, spec, why, size)))
		return ret;
	snprintf(spec->text, sizeof(spec->text), "%s", text);
	return 0;
}

socklen_t relay_addr_len(const union relay_addr *a)
{
	return a->sa.sa_family == AF_INET6 ? sizeof(a->in6) : sizeof(a->in);
}

bool relay_addr_same(const union relay_addr *a, const union relay_addr *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return false;
	if (a->sa.sa_family == AF_INET6)
		return a->in6.sin6_port == b->in6.sin6_port &&
		       !memcmp(&a->in6.sin6_addr, &b->in6.sin6_addr, sizeof(a->in6.sin6_addr));
	return a->in.sin_port == b->in.sin_port && a->in.sin_addr.s_addr == b->in.sin_addr.s_addr;
}

static bool addr_is_any(const union relay_addr *a)
{
	static const struct in6_addr any6 = IN6ADDR_ANY_INIT;

	if (a->sa.sa_family == AF_INET6)
		return !memcmp(&a->in6.sin6_addr, &any6, sizeof(any6));
	return a->in.sin_addr.s_addr == htonl(INADDR_ANY);
}

static in_port_t port_of(const union relay_addr *a)
{
	return a->sa.sa_family == AF_INET6 ? a->in6.sin6_port : a->in.sin_port;
}

/* The same socket, or two the kernel would not both bind: one of them on all addresses of the family. */
bool relay_spec_same_listener(const struct relay_spec *a, const struct relay_spec *b)
{
	const union relay_addr *x = &a->listen, *y = &b->listen;

	if (relay_listens_inside(a) != relay_listens_inside(b) || a->type != b->type)
		return false;
	return relay_addr_same(x, y) || (x->sa.sa_family == y->sa.sa_family && port_of(x) == port_of(y) &&
					 (addr_is_any(x) || addr_is_any(y)));
}

void relay_addr_format(const union relay_addr *a, char *buf, size_t size)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	if (a->sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &a->in6.sin6_addr, ip, sizeof(ip));
		snprintf(buf, size, "[%s]:%u", ip, ntohs(a->in6.sin6_port));
	} else {
		inet_ntop(AF_INET, &a->in.sin_addr, ip, sizeof(ip));
		snprintf(buf, size, "%s:%u", ip, ntohs(a->in.sin_port));
	}
}

void relay_set_init(struct relay_set *set)
{
	memset(set, 0, sizeof(*set));
	set->user = "nobody";
	set->max_connections = RELAY_CONNECTIONS_DEFAULT;
	set->udp_timeout = RELAY_UDP_TIMEOUT_DEFAULT;
}

static int set_add(struct relay_set *set, enum relay_kind kind, const char *text, char *why, size_t size)
{
	struct relay_spec spec;
	char reason[160];

	if (relay_spec_parse(kind, text, &spec, reason, sizeof(reason))) {
		snprintf(why, size, "%s %s: %s", relay_kind_option(kind), text, reason);
		return -EINVAL;
	}
	for (size_t i = 0; i < set->n; ++i) {
		if (relay_spec_same_listener(&set->specs[i], &spec)) {
			snprintf(why, size, "%s %s: listens where %s %s does", relay_kind_option(kind), text,
				 relay_kind_option(set->specs[i].kind), set->specs[i].text);
			return -EINVAL;
		}
	}
	if (set->n == RELAY_SPEC_MAX) {
		snprintf(why, size, "%s %s: more than %d relays", relay_kind_option(kind), text, RELAY_SPEC_MAX);
		return -EINVAL;
	}
	set->specs[set->n++] = spec;
	return 0;
}

static int number(const char *option, const char *text, unsigned long min, unsigned long max, unsigned long *v,
		  char *why, size_t size)
{
	char *end;

	errno = 0;
	*v = strtoul(text, &end, 10);
	if (!char_is_digit(*text) || *end || errno || *v < min || *v > max) {
		snprintf(why, size, "%s %.40s: expected a number from %lu to %lu", option, text, min, max);
		return -EINVAL;
	}
	return 0;
}

int relay_set_option(struct relay_set *set, int argc, char *argv[], int *i, char *why, size_t size)
{
	static const char *const valued[] = { "--publish", "--host-port", "--socks", "--socks-auth", "--relay-user",
					      "--max-connections", "--udp-timeout" };
	const char *arg = argv[*i], *value = NULL, *option = NULL;
	unsigned long v;
	int kind;

	for (size_t k = 0; k < ARRAY_SIZE(valued) && !option; ++k) {
		size_t len = strlen(valued[k]);

		if (!strcmp(arg, valued[k]))
			option = valued[k];
		else if (!strncmp(arg, valued[k], len) && arg[len] == '=')
			option = valued[k], value = arg + len + 1;
	}
	if (!option)
		return 0;
	if (!value) {
		if (*i + 1 >= argc) {
			snprintf(why, size, "%s: a value is expected", option);
			return -EINVAL;
		}
		value = argv[++*i];
	}
	if (!strcmp(option, "--socks-auth")) {
		set->socks_auth = value;
	} else if (!strcmp(option, "--relay-user")) {
		set->user = value;
		set->user_given = true;
	}
	if (relay_kind_of_option(option) < 0 && strcmp(option, "--socks-auth") && !set->tuning)
		set->tuning = option;
	if ((kind = relay_kind_of_option(option)) >= 0)
		return set_add(set, (enum relay_kind)kind, value, why, size) ? -EINVAL : 1;
	if (!strcmp(option, "--max-connections")) {
		if (number(option, value, 1, 1000000, &v, why, size))
			return -EINVAL;
		set->max_connections = v;
		set->max_connections_given = true;
	} else if (!strcmp(option, "--udp-timeout")) {
		if (number(option, value, 1, 86400, &v, why, size))
			return -EINVAL;
		set->udp_timeout = (unsigned int)v;
		set->udp_timeout_given = true;
	}
	return 1;
}

int relay_set_check(const struct relay_set *set, size_t journal_size, char *why, size_t size)
{
	bool socks = false, udp = false;
	char text[4096];

	for (size_t i = 0; i < set->n; ++i) {
		socks |= set->specs[i].kind == RELAY_SOCKS;
		udp |= set->specs[i].type == SOCK_DGRAM;
	}
	if (!set->n && (set->tuning || set->socks_auth)) {
		snprintf(why, size, "%s: there is no --publish, --host-port or --socks to apply it to",
			 set->tuning ? set->tuning : "--socks-auth");
		return -EINVAL;
	}
	if (set->socks_auth && !socks) {
		snprintf(why, size, "--socks-auth: it is for a --socks entrance, and there is none");
		return -EINVAL;
	}
	if (set->udp_timeout_given && !udp) {
		snprintf(why, size, "--udp-timeout: it is for a /udp relay, and there is none");
		return -EINVAL;
	}
	if (journal_size > sizeof(text) || relay_set_format(set, text, journal_size)) {
		snprintf(why, size, "the relays are too many or too long to record (%zu bytes at most as options)",
			 journal_size);
		return -EINVAL;
	}
	return 0;
}

int relay_set_format(const struct relay_set *set, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < set->n; ++i) {
		int n = snprintf(buf + len, size - len, "%s%s %s", i ? " " : "", relay_kind_option(set->specs[i].kind),
				 set->specs[i].text);

		if (n < 0 || (size_t)n >= size - len)
			return -ENAMETOOLONG;
		len += (size_t)n;
	}
	return 0;
}

int relay_set_parse_recorded(struct relay_set *set, const char *text)
{
	char *copy = strdup(text), *save = NULL, why[320];
	int ret = copy ? 0 : -ENOMEM;

	relay_set_init(set);
	for (char *opt = copy ? strtok_r(copy, " ", &save) : NULL, *spec; opt && !ret; opt = strtok_r(NULL, " ", &save)) {
		int kind = relay_kind_of_option(opt);

		spec = strtok_r(NULL, " ", &save);
		if (kind < 0 || !spec || set->n == RELAY_SPEC_MAX ||
		    relay_spec_parse((enum relay_kind)kind, spec, &set->specs[set->n], why, sizeof(why)))
			ret = -EINVAL;
		else
			++set->n;
	}
	free(copy);
	return ret;
}

/* SPDX-License-Identifier: MIT */
#ifndef NSWG_RELAY_H
#define NSWG_RELAY_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/*
 * Holes through the namespace's wall, made of sockets: a socket keeps the
 * namespace it was created in, so one process listens on one side and
 * connects on the other. No link, address, route or firewall rule is added.
 *
 *   publish    listens on the host, connects inside the namespace
 *   host-port  listens inside the namespace, connects on the host
 *   socks      a SOCKS5 server on the host, connecting inside
 */
enum relay_kind { RELAY_PUBLISH, RELAY_HOST_PORT, RELAY_SOCKS };

#define RELAY_SPEC_MAX 32
#define RELAY_TEXT_MAX 96
#define RELAY_CONNECTIONS_DEFAULT 4096
#define RELAY_UDP_TIMEOUT_DEFAULT 60

union relay_addr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

struct relay_spec {
	enum relay_kind kind;
	int type;                  /* SOCK_STREAM or SOCK_DGRAM */
	union relay_addr listen;   /* on the side that listens */
	union relay_addr target;   /* on the other side; socks: unused */
	char text[RELAY_TEXT_MAX]; /* as written, for messages and the journal */
};

/* "--publish", "--host-port", "--socks": the option that makes a spec of that kind. */
const char *relay_kind_option(enum relay_kind kind);
/* The option's kind, or -1 for an option that is none of them. */
int relay_kind_of_option(const char *option);

/*
 * Parses one spec of that kind:
 *   publish, host-port  [ADDR:]PORT[:PORT2][/tcp|/udp], [ADDR:]PORT:ADDR2:PORT2
 *   socks               [ADDR:]PORT
 * Addresses are numeric, IPv6 ones in brackets; both sides default to
 * 127.0.0.1, the target's port to the listening one. Returns 0, or -EINVAL
 * with the reason in why (which quotes the part at fault).
 */
int relay_spec_parse(enum relay_kind kind, const char *text, struct relay_spec *spec, char *why, size_t size);

/* Whether a and b would listen on the same socket (an error among the specs of one tunnel). */
bool relay_spec_same_listener(const struct relay_spec *a, const struct relay_spec *b);

/* Whether the spec listens inside the namespace (host-port) rather than on the host. */
static inline bool relay_listens_inside(const struct relay_spec *s)
{
	return s->kind == RELAY_HOST_PORT;
}

/* The relay options of one command line: up's, or relay's. */
struct relay_set {
	struct relay_spec specs[RELAY_SPEC_MAX];
	size_t n;
	const char *socks_auth; /* --socks-auth FILE */
	const char *user;       /* --relay-user USER: nobody unless given */
	size_t max_connections;
	unsigned int udp_timeout;
	const char *tuning; /* the first of --relay-user, --max-connections, --udp-timeout given, for messages */
	bool udp_timeout_given, user_given, max_connections_given;
};
void relay_set_init(struct relay_set *set);
/*
 * What the options say as a whole: -EINVAL with why when an option has
 * nothing to apply to (a limit without a relay, --socks-auth without
 * --socks, --udp-timeout without a /udp one), or the specs are too many to
 * record (journal_size bytes as options).
 */
int relay_set_check(const struct relay_set *set, size_t journal_size, char *why, size_t size);
/*
 * The option at argv[*i] (its value at argv[*i + 1], or after '='), if it is
 * one of the relay's: 1 when it is, *i moved past its value; 0 when it is
 * not; -EINVAL with why (quoting the option and the value) when it is wrong:
 * a bad spec, a duplicate listener, a limit out of range, a missing value.
 */
int relay_set_option(struct relay_set *set, int argc, char *argv[], int *i, char *why, size_t size);
/* The set's specs as options again, for the journal and the relay's command line. */
int relay_set_format(const struct relay_set *set, char *buf, size_t size);
/* The specs relay_set_format wrote, read back (the journal's): 0, or -EINVAL when they are not such. */
int relay_set_parse_recorded(struct relay_set *set, const char *text);

/* "ADDR:PORT" or "[ADDR]:PORT". */
void relay_addr_format(const union relay_addr *a, char *buf, size_t size);
socklen_t relay_addr_len(const union relay_addr *a);
/* The same address and port. */
bool relay_addr_same(const union relay_addr *a, const union relay_addr *b);

/*
 * The counters a relay keeps for each spec, in a file of the journal's
 * directory that the relay has mapped: written by the relay alone, read by
 * show. Fixed layout, native byte order: one machine reads what it wrote.
 */
#define RELAY_STATS_MAGIC 0x6e737772656c6179ULL /* "nswrelay" */
struct relay_counters {
	uint64_t open, total, bytes_in, bytes_out; /* in: towards the target */
};
struct relay_stats {
	uint64_t magic;
	uint64_t n;
	struct relay_counters spec[RELAY_SPEC_MAX];
};

#endif

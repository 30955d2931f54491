/* SPDX-License-Identifier: MIT */
#ifndef NSWG_SOCKS_H
#define NSWG_SOCKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relay.h"

/*
 * SOCKS5 (RFC 1928) and its username/password method (RFC 1929), as bytes:
 * pure parsers, for the relay and the fuzzer. Each returns the bytes the
 * message took, 0 while it is incomplete, or -errno: -EPROTO for what no
 * client of the protocol sends, -ENOTSUP for a command other than CONNECT,
 * -EAFNOSUPPORT for an address type other than the three.
 */
#define SOCKS_VERSION 5
#define SOCKS_AUTH_VERSION 1
#define SOCKS_METHOD_NONE 0x00
#define SOCKS_METHOD_USERPASS 0x02
#define SOCKS_METHOD_REFUSED 0xff
#define SOCKS_CMD_CONNECT 1
#define SOCKS_ATYP_IPV4 1
#define SOCKS_ATYP_DOMAIN 3
#define SOCKS_ATYP_IPV6 4

/* Replies (RFC 1928 section 6). */
enum socks_reply {
	SOCKS_OK = 0,
	SOCKS_FAILURE = 1,
	SOCKS_NOT_ALLOWED = 2,
	SOCKS_NET_UNREACHABLE = 3,
	SOCKS_HOST_UNREACHABLE = 4,
	SOCKS_REFUSED = 5,
	SOCKS_TTL_EXPIRED = 6,
	SOCKS_CMD_UNSUPPORTED = 7,
	SOCKS_ATYP_UNSUPPORTED = 8,
};

/* The methods a client offers: which of the two nswg knows. */
int socks_parse_greeting(const uint8_t *buf, size_t len, bool *none, bool *userpass);

struct socks_credentials {
	char user[256], pass[256];
};
int socks_parse_userpass(const uint8_t *buf, size_t len, struct socks_credentials *cred);

struct socks_request {
	bool is_name;
	union relay_addr addr; /* the address, port included; a name's port alone */
	char name[256];        /* with is_name: NUL-terminated, no NUL inside */
};
int socks_parse_request(const uint8_t *buf, size_t len, struct socks_request *req);

/* The reply to a request: 10 bytes, the bound address left 0.0.0.0:0 (RFC 1928 allows it). */
#define SOCKS_REPLY_LEN 10
void socks_reply(enum socks_reply code, uint8_t out[SOCKS_REPLY_LEN]);

/*
 * The first line of a --socks-auth file, USER:PASSWORD, each 1 to 255 bytes
 * (the password may be empty): 0, or -EINVAL. text is changed.
 */
int socks_credentials_parse(char *text, struct socks_credentials *cred);

/* Credentials compared in time that depends on their lengths only. */
bool socks_credentials_match(const struct socks_credentials *given, const char *user, const char *pass);

/*
 * A DNS question for name (A or AAAA) into buf; returns its length, or
 * -EINVAL for a name that is no host name. The answer: 0 with the first
 * address of that type (port left 0), -ENOENT when the name has none,
 * -ESRCH for an answer to another question or id, -EPROTO when malformed.
 */
#define DNS_TYPE_A 1
#define DNS_TYPE_AAAA 28
int dns_query_build(uint8_t *buf, size_t size, uint16_t id, const char *name, uint16_t qtype);
int dns_answer_parse(const uint8_t *buf, size_t len, uint16_t id, const char *name, uint16_t qtype,
		     union relay_addr *addr);

/*
 * Whether a destination is the namespace itself by its form: loopback,
 * unspecified (which connects to the local host), or multicast. The SOCKS
 * entrance is a way out through the tunnel, not into the namespace's own
 * services (those --publish names one by one).
 */
bool socks_destination_is_local(const union relay_addr *a);

/* The nameserver lines of a resolv.conf's text, port 53, up to max: how many. */
size_t resolv_conf_nameservers(const char *text, union relay_addr *out, size_t max);

#endif

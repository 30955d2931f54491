/* SPDX-License-Identifier: MIT */
#ifndef NSWG_MODEL_H
#define NSWG_MODEL_H

/*
 * The data model: a device, its peers and their allowed IPs, and what
 * wg-quick adds in [Interface]. Filled in by the parser (config.h) from a
 * file, or by a reply parser from a running device.
 */
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "key.h"

enum {
	NSWG_DEV_HAS_PRIVATE_KEY = 1U << 0,
	NSWG_DEV_HAS_LISTEN_PORT = 1U << 1,
	NSWG_DEV_HAS_FWMARK = 1U << 2,
	NSWG_DEV_HAS_PUBLIC_KEY = 1U << 3, /* read from a device */
};

enum {
	NSWG_PEER_HAS_PUBLIC_KEY = 1U << 0,
	NSWG_PEER_HAS_PRESHARED_KEY = 1U << 1,
	NSWG_PEER_HAS_ENDPOINT = 1U << 2,
	NSWG_PEER_HAS_KEEPALIVE = 1U << 3,
	NSWG_PEER_REPLACE_ALLOWEDIPS = 1U << 4,
	NSWG_PEER_REMOVE = 1U << 5, /* reload: a peer the file no longer has */
	NSWG_PEER_UPDATE_ONLY = 1U << 6, /* reresolve: a peer removed meanwhile is not made again */
};

enum {
	NSWG_ALLOWEDIP_REMOVE = 1U << 0,
};

enum nswg_table {
	NSWG_TABLE_AUTO,
	NSWG_TABLE_OFF,
	NSWG_TABLE_ID,
};

enum nswg_hook {
	NSWG_HOOK_PREUP,
	NSWG_HOOK_POSTUP,
	NSWG_HOOK_PREDOWN,
	NSWG_HOOK_POSTDOWN,
};

/* An address with its prefix length; family is AF_INET or AF_INET6. */
struct nswg_prefix {
	uint16_t family;
	uint8_t cidr;
	union {
		struct in_addr ip4;
		struct in6_addr ip6;
		uint8_t raw[16];
	};
};

struct nswg_allowedip {
	struct nswg_prefix prefix;
	uint32_t flags;
	unsigned int line; /* of its AllowedIPs line; 0 when read from a device */
};

struct nswg_endpoint {
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} addr;
	/* Set when the host is a name: resolved at up, in the host namespace. */
	char *host;
	uint16_t port;
};

struct nswg_peer {
	uint32_t flags;
	unsigned int line; /* of its [Peer] header */
	uint8_t public_key[NSWG_KEY_LEN];
	uint8_t preshared_key[NSWG_KEY_LEN];
	struct nswg_endpoint endpoint;
	uint16_t keepalive;
	struct nswg_allowedip *allowedips;
	size_t n_allowedips, cap_allowedips;
	/* What a device reports, never read from a file. */
	int64_t last_handshake_sec, last_handshake_nsec;
	uint64_t rx_bytes, tx_bytes;
};

struct nswg_hook_line {
	enum nswg_hook type;
	unsigned int line;
	char *command;
};

struct nswg_warning {
	unsigned int line;
	char *message;
};

struct nswg_strv {
	char **v;
	size_t n, cap;
};

struct nswg_config {
	/* What wg(8) reads. */
	uint32_t flags;
	uint8_t private_key[NSWG_KEY_LEN];
	uint8_t public_key[NSWG_KEY_LEN]; /* read from a device */
	uint16_t listen_port;
	uint32_t fwmark;
	struct nswg_peer *peers;
	size_t n_peers, cap_peers;

	/* What wg-quick(8) reads from [Interface]. */
	struct nswg_prefix *addresses;
	size_t n_addresses, cap_addresses;
	struct nswg_strv dns;
	struct nswg_strv dns_search;
	unsigned int mtu; /* 0: automatic */
	enum nswg_table table;
	uint32_t table_id;
	char table_text[24]; /* as written, for save */
	bool save_config;
	struct nswg_hook_line *hooks;
	size_t n_hooks, cap_hooks;

	/* Not fatal, each for the command layer to print with its line. */
	struct nswg_warning *warnings;
	size_t n_warnings, cap_warnings;
};

#endif

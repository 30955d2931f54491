/* SPDX-License-Identifier: MIT */
#ifndef NSWG_CONFIG_H
#define NSWG_CONFIG_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "key.h"

/* Larger files are refused: 100,000 allowed IPs take about 1.5 MiB. */
#define NSWG_CONFIG_MAX_SIZE (8U << 20)

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

struct nswg_config_error {
	unsigned int line; /* 0: not about one line (e.g. the file's size) */
	char message[384];
};

/*
 * The pure entry point: a buffer in, a configuration or an error out. No I/O,
 * no globals. Returns 0, -EINVAL (err filled in), -EFBIG or -ENOMEM.
 */
int config_parse_buf(const char *buf, size_t len, struct nswg_config **out, struct nswg_config_error *err);
/*
 * What down and save need, as wg-quick down reads it: only wg-quick's own
 * keys of [Interface] (Address, DNS, MTU, Table, hooks, SaveConfig). Every
 * other line is skipped unread, so a peer broken by an edit, or 100,000
 * allowed IPs, cost nothing; the result has no peers and no keys.
 */
int config_parse_interface(const char *buf, size_t len, struct nswg_config **out, struct nswg_config_error *err);
void config_free(struct nswg_config *cfg);

/*
 * The buffer without the keys only wg-quick(8) reads, byte for byte what
 * `wg-quick strip' prints. Call it on a buffer config_parse_buf() accepted.
 */
int config_strip_buf(const char *buf, size_t len, char **out, size_t *out_len);

const char *config_hook_name(enum nswg_hook type);

/* The configuration as `wg showconf' prints it once a device holds it. */
int config_render_wg(const struct nswg_config *cfg, char **out, size_t *out_len);

/*
 * What `wg-quick save' writes: [Interface] with the running addresses, the
 * file's DNS (search domains too), its MTU only if it set one (running value
 * mtu), Table, SaveConfig and hooks verbatim; then the device as rendered.
 */
int config_render_saved(const struct nswg_config *file, const struct nswg_prefix *addresses, size_t n_addresses,
			unsigned int mtu, const struct nswg_config *device, char **out, size_t *out_len);

/* The prefixes a device holds after cfg, masked and unique, longest first. */
int config_device_allowedips(const struct nswg_config *cfg, struct nswg_prefix **out, size_t *n);

/* Files: interface names and paths as wg-quick(8) takes them. */
#define NSWG_IFNAME_MAX (IFNAMSIZ - 1)

bool config_ifname_valid(const char *name);
int config_resolve_path(const char *arg, const char *confdir, char **path, char ifname[static IFNAMSIZ]);
int config_read_file(const char *path, char **buf, size_t *len);
bool config_world_accessible(const char *path, char **canonical);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef NSWG_CONFIG_H
#define NSWG_CONFIG_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "model.h"

/* Larger files are refused: 100,000 allowed IPs take about 1.5 MiB. */
#define NSWG_CONFIG_MAX_SIZE (8U << 20)

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

/* SPDX-License-Identifier: MIT */
#ifndef NSWG_CLI_H
#define NSWG_CLI_H

#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config.h"

extern const char *prog;

struct loaded_config {
	char *path;
	char ifname[IFNAMSIZ];
	char *buf;
	size_t len;
	struct nswg_config *cfg;
};

/* interface_only: config_parse_interface(), for down and save. */
int load_config(const char *arg, struct loaded_config *lc, bool interface_only);
void loaded_config_free(struct loaded_config *lc);

/* "[#] command" on stderr, as wg-quick shows what it does. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vsay(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/*
 * The host's namespace (nswg's own, or init's: compared by nsfs device and
 * inode) is refused by every command: prints why and returns -EINVAL.
 */
int refuse_host_namespace(int fd, const char *ns);

/* Root, or at least CAP_NET_ADMIN and CAP_SYS_ADMIN; prints when not. */
bool check_privileges(void);

int cmd_up(int argc, char *argv[]);
int cmd_down(int argc, char *argv[]);
int cmd_save(int argc, char *argv[]);
int cmd_show(int argc, char *argv[]);
int cmd_reload(int argc, char *argv[]);
int cmd_reresolve(int argc, char *argv[]);
int cmd_exec(int argc, char *argv[]);
int cmd_strip(int argc, char *argv[]);
int cmd_relay(int argc, char *argv[]);

/* The commands and their options, on f. */
void usage(FILE *f);

#endif

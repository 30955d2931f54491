/* SPDX-License-Identifier: MIT */
#ifndef NSWG_STATE_H
#define NSWG_STATE_H

#include <net/if.h>
#include <stdbool.h>

#include "netns.h"

#define NSWG_STATE_DIR NSWG_RUNSTATEDIR "/nswg"

/* What `down' must undo, recorded by `up'. No key is ever written here. */
struct nswg_state {
	char ifname[IFNAMSIZ];
	char netns[4096]; /* as given: a name, or a path */
	char config[4096];
	bool netns_created;
	bool lo_brought_up; /* in a namespace nswg did not make */
	bool etc_dir_created; /* /etc/netns/NAME */
	bool dns_written;
	bool resolv_saved, nsswitch_saved; /* originals kept in the state directory */
	int ipv6_all, ipv6_default; /* previous disable_ipv6 values; -1: untouched */
	int userspace_pid; /* 0: kernel WireGuard */
	unsigned long long userspace_start;
	unsigned long long host_routes; /* digest of the host's default routes at up */
};

/* The directory of a namespace's state: its name, or "@DEV:INO" for a path. */
int state_key(const char *netns_arg, int netns_fd, char *key, size_t size);
int state_dir(const char *key, char *path, size_t size);

/* An exclusive lock on the namespace's state; returns its fd, or -errno. */
int state_lock(const char *key);

int state_write(const char *key, const struct nswg_state *st);
int state_read(const char *key, const char *ifname, struct nswg_state *st);
int state_remove(const char *key, const char *ifname);

/* Every interface with state, sorted by namespace key then name. */
struct state_entry {
	char key[256];
	char ifname[IFNAMSIZ];
};
int state_list(struct state_entry **out, size_t *n);

/* IFNAME.log beside the state, for a userspace implementation's messages. */
int state_log_open(const char *key, const char *ifname);
int state_log_path(const char *key, const char *ifname, char *path, size_t size);

/* The key of the one namespace that has state for ifname: -ENOENT, -EEXIST if several. */
int state_find(const char *ifname, char *key, size_t size);

#endif

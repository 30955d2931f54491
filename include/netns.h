/* SPDX-License-Identifier: MIT */
#ifndef NSWG_NETNS_H
#define NSWG_NETNS_H

#include <stdbool.h>

#ifndef NSWG_RUNSTATEDIR
#define NSWG_RUNSTATEDIR "/run"
#endif
#define NSWG_NETNS_RUN_DIR NSWG_RUNSTATEDIR "/netns"

/* Names as ip-netns(8) accepts them. */
bool netns_name_valid(const char *name);

/* NAME means NETNS_RUN_DIR/NAME; anything with a '/' is a namespace file. */
bool netns_arg_is_path(const char *arg);
int netns_path(const char *arg, char **path);

/* Returns an O_CLOEXEC fd of the namespace, or -errno (-ENOTNAM: not a namespace). */
int netns_open(const char *path);
/* strerror(), with words for -ENOTNAM. */
const char *netns_strerror(int err);

/* As `ip netns add NAME': -EEXIST if it is there already. */
int netns_create(const char *name);

/* As `ip netns delete NAME'. */
int netns_delete(const char *name);

/*
 * Whether fd is a host namespace: the one this process runs in, or init's
 * (nswg run from a container or a sandbox). 0 if neither, or -errno.
 */
enum { NETNS_HOST_SELF = 1, NETNS_HOST_INIT = 2 };
int netns_is_host(int fd);

/*
 * A namespace's identity, as the journal records it: its nsfs device and
 * inode, which the kernel reuses once the namespace is gone, and its cookie
 * (SO_NETNS_COOKIE, Linux 5.14), which it never reuses; 0 where the kernel
 * has none.
 */
struct netns_id {
	unsigned long long dev, ino, cookie;
};
int netns_identity(int fd, struct netns_id *id);
/*
 * Whether the user namespace that owns the network namespace fd is nswg's
 * own (the initial one, for root on the host): 1 if so, 0 if another owns
 * it (a rootless container's: its root has CAP_NET_ADMIN there), or -errno.
 */
int netns_owner_is_ours(int fd);

/* The same namespace; a cookie counts where both have one. */
bool netns_id_same(const struct netns_id *a, const struct netns_id *b);
/* What NAME or PATH opens, when it is still the namespace id: its fd, -ENOENT when gone or another, or -errno. */
int netns_open_as(const char *arg, const struct netns_id *id);

/*
 * IPv6's switches inside the namespace of fd, net.ipv6.conf.all and
 * .default.disable_ipv6: -1 each where the kernel has no IPv6. Writing
 * sets "default" first, so that nothing made in between comes up with IPv6;
 * a value of -1 is left alone.
 */
struct netns_ipv6 {
	int all, def;
};
int netns_ipv6_read(int fd, struct netns_ipv6 *v);
int netns_ipv6_write(int fd, const struct netns_ipv6 *v);

/*
 * Runs fn inside the namespace of fd, then returns to the namespace the
 * process was in. fn's return value is returned.
 */
int netns_run_in(int fd, int (*fn)(void *arg), void *arg);

#endif

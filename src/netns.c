// SPDX-License-Identifier: MIT
/*
 * Named network namespaces, made and removed exactly as ip-netns(8) does, so
 * that `ip netns exec' and nswg share them.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "netns.h"

bool netns_name_valid(const char *name)
{
	return *name && strlen(name) <= NAME_MAX && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..");
}

bool netns_arg_is_path(const char *arg)
{
	return strchr(arg, '/') != NULL;
}

int netns_path(const char *arg, char **path)
{
	if (netns_arg_is_path(arg))
		*path = strdup(arg);
	else if (!netns_name_valid(arg))
		return -EINVAL;
	else if (asprintf(path, "%s/%s", NSWG_NETNS_RUN_DIR, arg) < 0)
		*path = NULL;
	return *path ? 0 : -ENOMEM;
}

/*
 * ip netns add creates the file first and bind-mounts the namespace on it
 * after: a plain file may be a namespace being born. It gets a moment; a
 * file that stays plain is not a namespace (-ENOTNAM, no better errno).
 */
const char *netns_strerror(int err)
{
	return err == -ENOTNAM ? "not a network namespace" : strerror(-err);
}

int netns_open(const char *path)
{
	struct timespec pause = { .tv_nsec = 5 * 1000 * 1000 };
	struct statfs fs;

	for (int tries = 0;; ++tries) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return -errno;
		if (!fstatfs(fd, &fs) && (unsigned long)fs.f_type == NSFS_MAGIC)
			return fd;
		close(fd);
		if (tries == 200)
			return -ENOTNAM;
		nanosleep(&pause, NULL);
	}
}

int netns_is_host(int fd)
{
	struct stat a, b;

	if (fstat(fd, &a) || stat("/proc/self/ns/net", &b))
		return -errno;
	if (a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return NETNS_HOST_SELF;
	/* Run from inside a container or a sandbox, init's namespace is still the host's. */
	if (!stat("/proc/1/ns/net", &b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return NETNS_HOST_INIT;
	return 0;
}

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

/* Runs inside the namespace: any socket there tells the cookie. */
static int read_cookie(void *arg)
{
	unsigned long long *cookie = arg;
	socklen_t len = sizeof(*cookie);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = 0;

	if (fd < 0)
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, cookie, &len))
		ret = -errno; /* ENOPROTOOPT: a kernel without cookies */
	close(fd);
	return ret;
}

int netns_identity(int fd, struct netns_id *id)
{
	struct stat st;
	int ret;

	memset(id, 0, sizeof(*id));
	if (fstat(fd, &st))
		return -errno;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	/* A key must not change from one run to the next: only a kernel without cookies goes without. */
	ret = netns_run_in(fd, read_cookie, &id->cookie);
	if (ret == -ENOPROTOOPT) {
		id->cookie = 0;
		ret = 0;
	}
	return ret;
}

int netns_owner_is_ours(int fd)
{
	struct stat owner, ours;
	int user = ioctl(fd, NS_GET_USERNS), ret;

	if (user < 0)
		return -errno;
	ret = fstat(user, &owner) ? -errno : 0;
	close(user);
	if (!ret && stat("/proc/self/ns/user", &ours))
		ret = -errno;
	if (ret)
		return ret;
	return owner.st_dev == ours.st_dev && owner.st_ino == ours.st_ino;
}

bool netns_id_same(const struct netns_id *a, const struct netns_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && (!a->cookie || !b->cookie || a->cookie == b->cookie);
}

int netns_open_as(const char *arg, const struct netns_id *id)
{
	struct netns_id now;
	char *path = NULL;
	int fd, ret;

	if (netns_path(arg, &path))
		return -ENOENT;
	fd = netns_open(path);
	free(path);
	if (fd < 0)
		return fd == -ENOENT || fd == -ENOTNAM ? -ENOENT : fd;
	ret = netns_identity(fd, &now);
	if (!ret && !netns_id_same(&now, id))
		ret = -ENOENT;
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

static const char *const ipv6_switch[] = {
	"/proc/sys/net/ipv6/conf/default/disable_ipv6",
	"/proc/sys/net/ipv6/conf/all/disable_ipv6",
};

/* Runs inside the namespace: /proc/sys/net is the opener's namespace's. */
static int ipv6_rw(struct netns_ipv6 *v, bool set)
{
	int *value[] = { &v->def, &v->all };
	char buf[16] = "";

	for (size_t i = 0; i < 2; ++i) {
		int fd = open(ipv6_switch[i], (set ? O_WRONLY : O_RDONLY) | O_CLOEXEC), ret = 0;
		ssize_t n;

		if (fd < 0 && errno == ENOENT) {
			*value[i] = -1; /* no IPv6 in this kernel: nothing to leak */
			continue;
		}
		if (fd < 0)
			return -errno;
		if (!set) {
			n = read(fd, buf, sizeof(buf) - 1);
			if (n < 0)
				ret = -errno;
			else
				*value[i] = atoi(buf);
		} else if (*value[i] >= 0) {
			snprintf(buf, sizeof(buf), "%d\n", *value[i]);
			if (write(fd, buf, strlen(buf)) < 0)
				ret = -errno;
		}
		close(fd);
		if (ret)
			return ret;
	}
	return 0;
}

static int ipv6_read_here(void *arg)
{
	return ipv6_rw(arg, false);
}

static int ipv6_write_here(void *arg)
{
	return ipv6_rw(arg, true);
}

int netns_ipv6_read(int fd, struct netns_ipv6 *v)
{
	return netns_run_in(fd, ipv6_read_here, v);
}

int netns_ipv6_write(int fd, const struct netns_ipv6 *v)
{
	struct netns_ipv6 copy = *v;

	return netns_run_in(fd, ipv6_write_here, &copy);
}

int netns_run_in(int fd, int (*fn)(void *arg), void *arg)
{
	int self, ret;

	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	if (setns(fd, CLONE_NEWNET)) {
		ret = -errno;
		close(self);
		return ret;
	}
	ret = fn(arg);
	if (setns(self, CLONE_NEWNET))
		abort(); /* in the wrong namespace: nothing after this may run */
	close(self);
	return ret;
}

/*
 * ip netns: the run directory is a shared mount point, so that the bind
 * mounts made below it appear in every mount namespace that shares it.
 */
static int netns_prepare_run_dir(void)
{
	bool made = false;

	/* 0755 as ip netns makes it, whatever nswg's umask: others may list it. */
	if (!mkdir(NSWG_NETNS_RUN_DIR, 0755))
		chmod(NSWG_NETNS_RUN_DIR, 0755);
	else if (errno != EEXIST)
		return -errno;
	while (mount("", NSWG_NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL)) {
		if (errno != EINVAL || made)
			return -errno;
		/* Not a mount point yet: make it one. */
		if (mount(NSWG_NETNS_RUN_DIR, NSWG_NETNS_RUN_DIR, "none", MS_BIND | MS_REC, NULL))
			return -errno;
		made = true;
	}
	return 0;
}

static int netns_bind_new(void *path)
{
	/* The new namespace lives as long as this bind mount. */
	if (unshare(CLONE_NEWNET))
		return -errno;
	if (mount("/proc/self/ns/net", path, "none", MS_BIND, NULL))
		return -errno;
	return 0;
}

int netns_create(const char *name)
{
	char *path = NULL;
	int fd, ret, self;

	ret = netns_prepare_run_dir();
	if (ret)
		return ret;
	ret = netns_path(name, &path);
	if (ret)
		return ret;
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	close(fd);
	/* netns_run_in() brings us back to where we were after unshare(). */
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0) {
		ret = -errno;
		unlink(path);
		goto out;
	}
	ret = netns_run_in(self, netns_bind_new, path);
	close(self);
	if (ret)
		unlink(path);
out:
	free(path);
	return ret;
}

int netns_delete(const char *name)
{
	char *path = NULL;
	int ret;

	ret = netns_path(name, &path);
	if (ret)
		return ret;
	umount2(path, MNT_DETACH);
	ret = unlink(path) ? -errno : 0;
	free(path);
	return ret;
}

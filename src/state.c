// SPDX-License-Identifier: MIT
/*
 * State under RUNSTATEDIR/nswg: one directory per namespace, with a lock and
 * a small key=value file per interface. It lives in /run on purpose: after a
 * reboot neither the namespace nor its interface is there any more.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"

int state_key(const char *netns_arg, int netns_fd, char *key, size_t size)
{
	struct stat st;

	if (!netns_arg_is_path(netns_arg)) {
		if ((size_t)snprintf(key, size, "%s", netns_arg) >= size)
			return -ENAMETOOLONG;
		return 0;
	}
	if (fstat(netns_fd, &st))
		return -errno;
	snprintf(key, size, "@%lx:%lx", (unsigned long)st.st_dev, (unsigned long)st.st_ino);
	return 0;
}

int state_dir(const char *key, char *path, size_t size)
{
	if ((size_t)snprintf(path, size, "%s/%s", NSWG_STATE_DIR, key) >= size)
		return -ENAMETOOLONG;
	return 0;
}

static int make_dirs(const char *key)
{
	char path[4200];
	int ret;

	if (mkdir(NSWG_STATE_DIR, 0700) && errno != EEXIST)
		return -errno;
	ret = state_dir(key, path, sizeof(path));
	if (ret)
		return ret;
	if (mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

int state_lock(const char *key)
{
	char path[4200];
	int fd, ret;

	ret = make_dirs(key);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/%s/lock", NSWG_STATE_DIR, key);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

static int state_file(const char *key, const char *ifname, const char *suffix, char *path, size_t size)
{
	if ((size_t)snprintf(path, size, "%s/%s/%s%s", NSWG_STATE_DIR, key, ifname, suffix) >= size)
		return -ENAMETOOLONG;
	return 0;
}

int state_write(const char *key, const struct nswg_state *st)
{
	char path[4200], tmp[4300];
	FILE *f;
	int fd, ret;

	ret = make_dirs(key);
	if (!ret)
		ret = state_file(key, st->ifname, "", path, sizeof(path));
	if (ret)
		return ret;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		ret = -errno;
		close(fd);
		unlink(tmp);
		return ret;
	}
	fprintf(f, "interface=%s\nnetns=%s\nconfig=%s\nnetns_created=%d\nlo_brought_up=%d\netc_dir_created=%d\n"
		   "dns_written=%d\nresolv_saved=%d\nnsswitch_saved=%d\nipv6_all=%d\nipv6_default=%d\n"
		   "userspace_pid=%ld\n",
		st->ifname, st->netns, st->config, st->netns_created, st->lo_brought_up, st->etc_dir_created,
		st->dns_written,
		st->resolv_saved, st->nsswitch_saved, st->ipv6_all, st->ipv6_default, (long)st->userspace_pid);
	if (fflush(f) || fsync(fd)) {
		ret = -errno;
		fclose(f);
		unlink(tmp);
		return ret;
	}
	fclose(f);
	if (rename(tmp, path)) {
		ret = -errno;
		unlink(tmp);
		return ret;
	}
	return 0;
}

static void set_field(struct nswg_state *st, const char *k, const char *v)
{
	if (!strcmp(k, "interface"))
		snprintf(st->ifname, sizeof(st->ifname), "%s", v);
	else if (!strcmp(k, "netns"))
		snprintf(st->netns, sizeof(st->netns), "%s", v);
	else if (!strcmp(k, "config"))
		snprintf(st->config, sizeof(st->config), "%s", v);
	else if (!strcmp(k, "netns_created"))
		st->netns_created = atoi(v);
	else if (!strcmp(k, "lo_brought_up"))
		st->lo_brought_up = atoi(v);
	else if (!strcmp(k, "etc_dir_created"))
		st->etc_dir_created = atoi(v);
	else if (!strcmp(k, "dns_written"))
		st->dns_written = atoi(v);
	else if (!strcmp(k, "resolv_saved"))
		st->resolv_saved = atoi(v);
	else if (!strcmp(k, "nsswitch_saved"))
		st->nsswitch_saved = atoi(v);
	else if (!strcmp(k, "ipv6_all"))
		st->ipv6_all = atoi(v);
	else if (!strcmp(k, "ipv6_default"))
		st->ipv6_default = atoi(v);
	else if (!strcmp(k, "userspace_pid"))
		st->userspace_pid = (pid_t)atol(v);
}

int state_read(const char *key, const char *ifname, struct nswg_state *st)
{
	char path[4200], line[4200], *eq;
	FILE *f;
	int ret;

	memset(st, 0, sizeof(*st));
	st->ipv6_all = st->ipv6_default = -1;
	ret = state_file(key, ifname, "", path, sizeof(path));
	if (ret)
		return ret;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		eq = strchr(line, '=');
		if (eq) {
			*eq = '\0';
			set_field(st, line, eq + 1);
		}
	}
	fclose(f);
	return 0;
}

int state_remove(const char *key, const char *ifname)
{
	char path[4200];
	int ret = state_file(key, ifname, "", path, sizeof(path));

	if (ret)
		return ret;
	if (unlink(path) && errno != ENOENT)
		return -errno;
	return 0;
}

int state_find(const char *ifname, char *key, size_t size)
{
	char path[4200];
	struct dirent *de;
	struct stat st;
	int found = 0;
	DIR *d;

	d = opendir(NSWG_STATE_DIR);
	if (!d)
		return errno == ENOENT ? -ENOENT : -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s", NSWG_STATE_DIR, de->d_name, ifname);
		if (stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		if (!found++)
			snprintf(key, size, "%s", de->d_name);
	}
	closedir(d);
	return found == 1 ? 0 : found ? -EEXIST : -ENOENT;
}

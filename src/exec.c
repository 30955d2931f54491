// SPDX-License-Identifier: MIT
/*
 * nswg exec NS [--user USER] -- COMMAND [ARGS...]: runs a command inside the
 * namespace the way `ip netns exec' does (a mount namespace of its own where
 * /etc/netns/NAME/FILE is bound over /etc/FILE and /sys shows the
 * namespace's links), optionally as an unprivileged user. nswg execs the
 * command itself: its exit status is the command's.
 */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cli.h"
#include "dns.h"
#include "netns.h"

/* Mounts made from here on stay in this process's mount namespace. */
static int private_mounts(void)
{
	if (unshare(CLONE_NEWNS))
		return -errno;
	if (mount("", "/", "none", MS_SLAVE | MS_REC, NULL))
		return -errno;
	return 0;
}

/* A fresh sysfs: /sys/class/net then lists the namespace's links. */
static int remount_sys(void)
{
	unsigned long flags = 0;
	struct statvfs st;

	if (!statvfs("/sys", &st) && (st.f_flag & ST_RDONLY))
		flags = MS_RDONLY;
	if (umount2("/sys", MNT_DETACH) && errno != EINVAL)
		return -errno;
	if (mount("sysfs", "/sys", "sysfs", flags, NULL))
		return -errno;
	return 0;
}

/* Every file of /etc/netns/NAME over its namesake in /etc. */
static int bind_etc(const char *name)
{
	char dir[4200], src[4500], dst[4500];
	struct dirent *de;
	DIR *d;
	int ret = 0;

	snprintf(dir, sizeof(dir), "%s/%s", NSWG_NETNS_ETC_DIR, name);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(src, sizeof(src), "%s/%s", dir, de->d_name);
		snprintf(dst, sizeof(dst), "%s/%s", NSWG_SYSCONFDIR, de->d_name);
		if (mount(src, dst, "none", MS_BIND, NULL)) {
			ret = -errno;
			fprintf(stderr, "%s: unable to bind %s over %s: %s\n", prog, src, dst, strerror(errno));
			break;
		}
	}
	closedir(d);
	return ret;
}

static int drop_to(const char *user)
{
	struct passwd *pw;
	char *end;

	errno = 0;
	pw = getpwnam(user);
	if (!pw) {
		unsigned long uid = strtoul(user, &end, 10);

		if (*user && !*end)
			pw = getpwuid((uid_t)uid);
	}
	if (!pw) {
		fprintf(stderr, "%s: unknown user `%s'\n", prog, user);
		return -ENOENT;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) || setgid(pw->pw_gid) || setuid(pw->pw_uid)) {
		fprintf(stderr, "%s: unable to become `%s': %s\n", prog, user, strerror(errno));
		return -EPERM;
	}
	/* Make sure root cannot be had back. */
	if (pw->pw_uid && !setuid(0)) {
		fprintf(stderr, "%s: still able to become root after dropping to `%s'\n", prog, user);
		return -EPERM;
	}
	if (setenv("HOME", pw->pw_dir, 1) || setenv("USER", pw->pw_name, 1) || setenv("LOGNAME", pw->pw_name, 1) ||
	    setenv("SHELL", *pw->pw_shell ? pw->pw_shell : "/bin/sh", 1))
		return -ENOMEM;
	if (chdir(pw->pw_dir))
		(void)!chdir("/");
	return 0;
}

static int usage_exec(void)
{
	fprintf(stderr, "Usage: %s exec NS [ --user USER ] -- COMMAND [ ARGS... ]\n", prog);
	return 1;
}

int cmd_exec(int argc, char *argv[])
{
	const char *ns, *user = NULL;
	char *path = NULL;
	int i = 2, fd, ret;

	if (argc < 3 || argv[1][0] == '-')
		return usage_exec();
	ns = argv[1];
	for (; i < argc && argv[i][0] == '-'; ++i) {
		if (!strcmp(argv[i], "--")) {
			++i;
			break;
		}
		if (!strcmp(argv[i], "--user") && i + 1 < argc)
			user = argv[++i];
		else if (!strncmp(argv[i], "--user=", 7))
			user = argv[i] + 7;
		else
			return usage_exec();
	}
	if (i >= argc)
		return usage_exec();
	if (!check_privileges())
		return 1;
	if (netns_path(ns, &path)) {
		fprintf(stderr, "%s: `%s' is not a valid namespace name\n", prog, ns);
		return 1;
	}
	fd = netns_open(path);
	free(path);
	if (fd < 0) {
		fprintf(stderr, "%s: unable to open namespace `%s': %s\n", prog, ns, netns_strerror(fd));
		return 1;
	}
	if (refuse_host_namespace(fd, ns)) {
		close(fd);
		return 1;
	}
	ret = setns(fd, CLONE_NEWNET) ? -errno : 0;
	close(fd);
	if (ret) {
		fprintf(stderr, "%s: unable to enter namespace `%s': %s\n", prog, ns, strerror(-ret));
		return 1;
	}
	if ((ret = private_mounts()) || (ret = remount_sys())) {
		fprintf(stderr, "%s: unable to make the namespace's mounts: %s\n", prog, strerror(-ret));
		return 1;
	}
	if (!netns_arg_is_path(ns) && bind_etc(ns))
		return 1;
	if (user && drop_to(user))
		return 1;
	execvp(argv[i], argv + i);
	ret = errno;
	fprintf(stderr, "%s: %s: %s\n", prog, argv[i], strerror(ret));
	return ret == ENOENT ? 127 : 126;
}

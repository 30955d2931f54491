// SPDX-License-Identifier: MIT
/*
 * nswg exec NS [--user USER] -- COMMAND [ARGS...]: runs a command inside the
 * namespace the way `ip netns exec' does (a mount namespace of its own where
 * /etc/netns/NAME/FILE is bound over /etc/FILE and /sys shows the
 * namespace's links). nswg execs the command itself, as ip netns exec, and
 * its exit status is the command's. With --user, the command runs in a child
 * of its own session (a pseudo-terminal of its own on a terminal), with a
 * fresh environment, no descriptor above 2, no capability and no way back
 * to any (PR_SET_NO_NEW_PRIVS).
 */
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli.h"
#include "dns.h"
#include "netns.h"
#include "nsview.h"
#include "privdrop.h"
#include "pty.h"

/* sudo's secure_path and login's ENV_PATH, without the sbin directories: the user is not root. */
#define NSWG_USER_PATH "/usr/local/bin:/usr/bin:/bin"

/* A fresh sysfs: /sys/class/net then lists the namespace's links. Nothing runs from it. */
static int remount_sys(void)
{
	unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	struct statvfs st;

	if (!statvfs("/sys", &st) && (st.f_flag & ST_RDONLY))
		flags |= MS_RDONLY;
	if (umount2("/sys", MNT_DETACH) && errno != EINVAL)
		return -errno;
	if (mount("sysfs", "/sys", "sysfs", flags, NULL))
		return -errno;
	return 0;
}

/* The caller's variables sudo keeps: the terminal's type, the locale, the X display. */
static bool kept_variable(const char *v)
{
	return !strncmp(v, "TERM=", 5) || !strncmp(v, "LANG=", 5) || !strncmp(v, "LANGUAGE=", 9) ||
	       !strncmp(v, "LC_", 3) || !strncmp(v, "DISPLAY=", 8) || !strncmp(v, "XAUTHORITY=", 11);
}

/*
 * The environment of --user, as sudo's env_reset builds it: the user's
 * HOME, USER, LOGNAME and SHELL, a PATH of system directories only, and of
 * the caller's only TERM, LANG, LANGUAGE, LC_*, DISPLAY and XAUTHORITY.
 * Nothing else of root's (LD_PRELOAD, a PATH through /root) reaches the
 * user's program. The first USER_ENV_OWN entries are allocated here, the
 * rest are the caller's.
 */
#define USER_ENV_OWN 5
static char **user_environment(const struct passwd *pw)
{
	extern char **environ;
	size_t n = 0, k = 0;
	char **env;

	for (char **v = environ; *v; ++v)
		n += kept_variable(*v);
	env = calloc(n + USER_ENV_OWN + 1, sizeof(*env));
	if (!env)
		return NULL;
	if (asprintf(&env[k++], "HOME=%s", pw->pw_dir) < 0 || asprintf(&env[k++], "USER=%s", pw->pw_name) < 0 ||
	    asprintf(&env[k++], "LOGNAME=%s", pw->pw_name) < 0 ||
	    asprintf(&env[k++], "SHELL=%s", *pw->pw_shell ? pw->pw_shell : "/bin/sh") < 0 ||
	    !(env[k++] = strdup("PATH=" NSWG_USER_PATH))) {
		for (size_t i = 0; i < k; ++i)
			free(env[i]);
		free(env);
		return NULL;
	}
	for (char **v = environ; *v; ++v) {
		if (kept_variable(*v))
			env[k++] = *v;
	}
	return env;
}

/*
 * No capability can come back through exec: the bounding set emptied while
 * root may still do it. Without CAP_SETPCAP (a unit's narrow
 * CapabilityBoundingSet=) it stays as it is; no_new_privs, set after the
 * drop, still keeps set-user-ID and file capabilities from giving any back.
 */
/* Every descriptor above 2: a root file left open would be the user's. */
static void close_inherited(void)
{
	DIR *d;
	struct dirent *de;

#ifdef SYS_close_range
	if (!syscall(SYS_close_range, 3U, ~0U, 0U))
		return;
#endif
	d = opendir("/proc/self/fd");
	if (!d)
		return;
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name);

		if (fd > 2 && fd != dirfd(d))
			close(fd);
	}
	closedir(d);
}

static void user_environment_free(char **env)
{
	for (size_t i = 0; i < USER_ENV_OWN; ++i)
		free(env[i]);
	free(env);
}

struct as_user {
	const struct passwd *pw;
	char **argv, **env;
};

/* In the child, in its own session: become the user for good, then the command. */
static void become_user(void *arg)
{
	extern char **environ;
	struct as_user *u = arg;
	const struct passwd *pw = u->pw;
	int err;

	if ((err = privdrop_become(pw, true))) {
		fprintf(stderr, "%s: unable to become `%s' for good: %s\n", prog, pw->pw_name, strerror(-err));
		_exit(126);
	}
	if (chdir(pw->pw_dir))
		(void)!chdir("/");
	environ = u->env;
	/* Last: what the user database opened as root (an LDAP connection, say) goes too. */
	close_inherited();
	execvp(u->argv[0], u->argv);
	err = errno;
	fprintf(stderr, "%s: %s: %s\n", prog, u->argv[0], strerror(err));
	_exit(err == ENOENT ? 127 : 126);
}

/* The command as the user, in a session (and, on a terminal, a pseudo-terminal) of its own. */
static int run_as(const char *user, char **argv)
{
	struct as_user u = { .argv = argv };
	struct child c;
	int ret;

	errno = 0;
	u.pw = privdrop_find_user(user);
	if (!u.pw) {
		fprintf(stderr, "%s: unknown user `%s'\n", prog, user);
		return 1;
	}
	u.env = user_environment(u.pw);
	if (!u.env) {
		fprintf(stderr, "%s: %s\n", prog, strerror(ENOMEM));
		return 1;
	}
	fflush(NULL);
	if ((ret = child_spawn(&c, become_user, &u))) {
		fprintf(stderr, "%s: unable to start `%s': %s\n", prog, argv[0], strerror(-ret));
		user_environment_free(u.env);
		return 1;
	}
	ret = child_wait(&c);
	user_environment_free(u.env);
	/* Killed by a signal, nswg dies of it too, as sudo does: a calling shell's loop sees the ^C. */
	if (c.signo && c.signo != SIGKILL && c.signo != SIGSTOP) {
		struct rlimit none = { 0, 0 };
		sigset_t set;

		/* The child's core was the child's to dump: none of root's nswg. */
		setrlimit(RLIMIT_CORE, &none);
		signal(c.signo, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, c.signo);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		raise(c.signo);
	}
	return ret;
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
	if ((ret = nsview_private_mounts()) || (ret = remount_sys())) {
		fprintf(stderr, "%s: unable to make the namespace's mounts: %s\n", prog, strerror(-ret));
		return 1;
	}
	if (!netns_arg_is_path(ns))
		nsview_bind_etc(ns);
	if (user)
		return run_as(user, argv + i);
	/* As ip netns exec: the command in nswg's place, with root's environment. */
	execvp(argv[i], argv + i);
	ret = errno;
	fprintf(stderr, "%s: %s: %s\n", prog, argv[i], strerror(ret));
	return ret == ENOENT ? 127 : 126;
}

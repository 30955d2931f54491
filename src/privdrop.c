// SPDX-License-Identifier: MIT
/*
 * Dropping root for good, for exec --user and for the relay: once done,
 * nothing (a set-user-ID program included) gives a capability back.
 */
#include <errno.h>
#include <grp.h>
#include <linux/keyctl.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "privdrop.h"

struct passwd *privdrop_find_user(const char *user)
{
	struct passwd *pw;
	char *end;

	pw = getpwnam(user);
	if (!pw) {
		unsigned long uid = strtoul(user, &end, 10);

		if (*user && !*end)
			pw = getpwuid((uid_t)uid);
	}
	return pw;
}

static int empty_bounding_set(void)
{
	for (unsigned long cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; ++cap) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0))
			return errno == EPERM ? 0 : -errno;
	}
	return 0;
}

/* A session keyring of the user's own: root's would stay possessed, its keys readable. */
static void own_keyring(void)
{
#ifdef SYS_keyctl
	syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL);
#endif
}

int privdrop_become(const struct passwd *pw, bool groups)
{
	int ret;

	if (groups ? initgroups(pw->pw_name, pw->pw_gid) : setgroups(0, NULL))
		return -errno;
	if (setgid(pw->pw_gid))
		return -errno;
	if ((ret = empty_bounding_set()))
		return ret;
	if (setuid(pw->pw_uid))
		return -errno;
	/* Make sure root cannot be had back, by set-user-ID programs included. */
	if ((pw->pw_uid && !setuid(0)) || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -EPERM;
	own_keyring();
	return 0;
}

int privdrop_seal(void)
{
	int ret = empty_bounding_set();

	if (!ret && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		ret = -errno;
	/* A session keyring is a thread's own too: the threads started after this get this one. */
	own_keyring();
	return ret;
}

// SPDX-License-Identifier: MIT
/* The files a named namespace sees, as ip netns exec binds them (nsview.h). */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "cli.h"
#include "dns.h"
#include "nsview.h"

int nsview_private_mounts(void)
{
	if (unshare(CLONE_NEWNS))
		return -errno;
	if (mount("", "/", "none", MS_SLAVE | MS_REC, NULL))
		return -errno;
	return 0;
}

void nsview_bind_etc(const char *name)
{
	char dir[4200], src[4500], dst[4500];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", NSWG_NETNS_ETC_DIR, name);
	d = opendir(dir);
	if (!d) {
		if (errno != ENOENT)
			fprintf(stderr, "%s: warning: unable to read %s: %s\n", prog, dir, strerror(errno));
		return;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(src, sizeof(src), "%s/%s", dir, de->d_name);
		snprintf(dst, sizeof(dst), "%s/%s", NSWG_SYSCONFDIR, de->d_name);
		if (mount(src, dst, "none", MS_BIND, NULL))
			fprintf(stderr, "%s: warning: unable to bind %s over %s: %s\n", prog, src, dst, strerror(errno));
	}
	closedir(d);
}

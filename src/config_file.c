// SPDX-License-Identifier: MIT
/*
 * Configuration files as wg-quick(8) finds them: a bare interface name means
 * CONFDIR/NAME.conf; anything else is a path whose file name is the interface
 * name followed by ".conf".
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "util.h"

/* ^[a-zA-Z0-9_=+.-]{1,15}$, wg-quick's test for an interface name. */
bool config_ifname_valid(const char *name)
{
	size_t n = strlen(name);

	if (!n || n > NSWG_IFNAME_MAX)
		return false;
	for (size_t i = 0; i < n; ++i) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || char_is_digit(c) || strchr("_=+.-", c)))
			return false;
	}
	return true;
}

/*
 * Returns 0 with *path allocated and ifname set, -ENOENT when the file does not
 * exist (*path names what was looked for), or -EINVAL when the file name is not
 * an interface name followed by ".conf".
 */
int config_resolve_path(const char *arg, const char *confdir, char **path, char ifname[static IFNAMSIZ])
{
	const char *base, *dot;
	struct stat st;
	size_t n;

	*path = NULL;
	if (config_ifname_valid(arg)) {
		if (asprintf(path, "%s/%s.conf", confdir, arg) < 0) {
			*path = NULL;
			return -ENOMEM;
		}
		/*
		 * wg-quick would look for CONFDIR/provider.conf.conf here. A file
		 * named like that in the current directory is what was meant.
		 */
		n = strlen(arg);
		if (stat(*path, &st) && n > 5 && !strcmp(arg + n - 5, ".conf") && !stat(arg, &st)) {
			free(*path);
			*path = strdup(arg);
			if (!*path)
				return -ENOMEM;
		}
	} else {
		*path = strdup(arg);
		if (!*path)
			return -ENOMEM;
	}
	if (stat(*path, &st) && errno == ENOENT)
		return -ENOENT;
	base = strrchr(*path, '/');
	base = base ? base + 1 : *path;
	dot = strrchr(base, '.');
	if (!dot || strcmp(dot, ".conf") || (size_t)(dot - base) > NSWG_IFNAME_MAX)
		return -EINVAL;
	memcpy(ifname, base, (size_t)(dot - base));
	ifname[dot - base] = '\0';
	return config_ifname_valid(ifname) ? 0 : -EINVAL;
}

/*
 * Reads a whole configuration file. Anything but a regular file is refused
 * before it is read: a FIFO would block, a device would never end.
 */
int config_read_file(const char *path, char **buf, size_t *len)
{
	struct stat st;
	size_t have = 0;
	char *p = NULL;
	ssize_t r;
	int fd, ret;

	*buf = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		ret = -EISDIR;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		goto out;
	}
	if (st.st_size > NSWG_CONFIG_MAX_SIZE) {
		ret = -EFBIG;
		goto out;
	}
	/* One byte more than allowed shows a file that grew while we read it. */
	p = malloc((size_t)st.st_size + 2);
	if (!p) {
		ret = -ENOMEM;
		goto out;
	}
	while ((r = read(fd, p + have, (size_t)st.st_size + 1 - have)) > 0) {
		have += (size_t)r;
		if (have > (size_t)st.st_size)
			break;
	}
	if (r < 0) {
		ret = -errno;
		goto out;
	}
	if (have > (size_t)st.st_size) {
		ret = -EAGAIN;
		goto out;
	}
	p[have] = '\0';
	*buf = p;
	*len = have;
	p = NULL;
	ret = 0;
out:
	/* A file cut short or grown under us held the key all the same. */
	if (p)
		explicit_bzero(p, have);
	free(p);
	close(fd);
	return ret;
}

/*
 * wg-quick's warning: the file and its directory share a permission bit for
 * others (a 0644 file in a 0700 directory is fine).
 */
bool config_world_accessible(const char *path, char **canonical)
{
	struct stat file, dir;
	char *slash;
	bool ret = false;

	*canonical = realpath(path, NULL);
	if (!*canonical || stat(*canonical, &file))
		return false;
	slash = strrchr(*canonical, '/');
	if (slash == *canonical) {
		ret = !stat("/", &dir);
	} else {
		*slash = '\0';
		ret = !stat(*canonical, &dir);
		*slash = '/';
	}
	return ret && (file.st_mode & dir.st_mode & 0007);
}

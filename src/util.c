// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/*
 * realloc(), but the old block is wiped before it is freed: a buffer may
 * hold a key (a request, a reply, a configuration), and realloc would leave
 * the old copy in the heap.
 */
static void *realloc_wiped(void *old, size_t old_size, size_t new_size)
{
	void *p = malloc(new_size);

	if (!p)
		return NULL;
	if (old) {
		memcpy(p, old, old_size < new_size ? old_size : new_size);
		explicit_bzero(old, old_size);
		free(old);
	}
	return p;
}

static int strbuf_reserve(struct strbuf *sb, size_t more)
{
	size_t need, cap;
	char *s;

	if (more > SIZE_MAX / 2 - sb->len)
		return -ENOMEM;
	need = sb->len + more + 1;
	if (need <= sb->cap)
		return 0;
	cap = sb->cap ? sb->cap : 64;
	while (cap < need)
		cap *= 2;
	s = realloc_wiped(sb->s, sb->cap, cap);
	if (!s)
		return -ENOMEM;
	sb->s = s;
	sb->cap = cap;
	return 0;
}

int strbuf_add(struct strbuf *sb, const char *s, size_t n)
{
	int ret = strbuf_reserve(sb, n);

	if (ret)
		return ret;
	memcpy(sb->s + sb->len, s, n);
	sb->len += n;
	sb->s[sb->len] = '\0';
	return 0;
}

int strbuf_addc(struct strbuf *sb, char c)
{
	return strbuf_add(sb, &c, 1);
}

int strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n, ret;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	ret = strbuf_reserve(sb, (size_t)n);
	if (ret)
		return ret;
	va_start(ap, fmt);
	vsnprintf(sb->s + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
	return 0;
}

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->s)
		sb->s[0] = '\0';
}

/* Wiped first: any buffer may have held a key. */
void strbuf_free(struct strbuf *sb)
{
	memzero_explicit(sb->s, sb->cap);
	free(sb->s);
	sb->s = NULL;
	sb->len = sb->cap = 0;
}

int array_grow(void *array, size_t *cap, size_t n, size_t size)
{
	void **p = array;
	size_t newcap;
	void *q;

	if (n < *cap)
		return 0;
	newcap = *cap ? *cap * 2 : 4;
	if (newcap > SIZE_MAX / size)
		return -ENOMEM;
	q = realloc_wiped(*p, *cap * size, newcap * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = newcap;
	return 0;
}

int file_read_all(const char *path, int flags, struct strbuf *sb)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | flags), ret = 0;

	if (fd < 0)
		return -errno;
	while (!ret && (n = read(fd, buf, sizeof(buf))) > 0)
		ret = strbuf_add(sb, buf, (size_t)n);
	if (!ret && n < 0)
		ret = -errno;
	close(fd);
	return ret ? ret : strbuf_add(sb, "", 0);
}

void memzero_explicit(void *p, size_t n)
{
	if (p)
		explicit_bzero(p, n);
}

/*
 * The directory a file is replaced in must be root's (or the caller's) and
 * writable by no other user, bar a sticky one: whoever can write it can
 * swap the file. Returns an open descriptor of it, through which the file
 * is then made and renamed, or -errno, -EPERM for a directory others
 * control. *base is the file's name in it.
 */
static int open_trusted_dir(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	struct stat st;
	int fd;

	*base = slash ? slash + 1 : path;
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if ((size_t)(slash - path) >= sizeof(dir))
		return -ENAMETOOLONG;
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	/* Group-writable is root's own group's only (/etc/wireguard 0770 root:root, say). */
	if ((st.st_uid && st.st_uid != geteuid()) ||
	    (((st.st_mode & S_IWOTH) || ((st.st_mode & S_IWGRP) && st.st_gid)) && !(st.st_mode & S_ISVTX))) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

int file_dir_trusted(const char *path)
{
	const char *base;
	int fd = open_trusted_dir(path, &base);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/* A temporary name no one can guess: NAME.nswg-XXXXXXXXXXXXXXXX. */
static int temporary_name(struct strbuf *tmp, const char *path)
{
	uint64_t r;

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return -EAGAIN;
	return strbuf_addf(tmp, "%s.nswg-%016llx", path, (unsigned long long)r);
}

int file_write_atomic(const char *path, const void *text, size_t len, unsigned int mode, bool *renaming)
{
	const char *p = text, *base;
	struct strbuf tmp = { 0 };
	ssize_t n;
	int fd = -1, dirfd, ret = 0;

	if (renaming)
		*renaming = false;
	/* Everything after goes through the directory checked: a path swapped meanwhile changes nothing. */
	dirfd = open_trusted_dir(path, &base);
	if (dirfd < 0)
		return dirfd;
	/* Never an existing file, never through a link: a planted one fails here. */
	for (int tries = 0; fd < 0 && tries < 8; ++tries) {
		strbuf_reset(&tmp);
		if ((ret = temporary_name(&tmp, base)))
			goto out;
		fd = openat(dirfd, tmp.s, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode & 0600);
		ret = fd < 0 ? -errno : 0;
		if (fd < 0 && ret != -EEXIST)
			goto out;
	}
	if (fd < 0)
		goto out;
	/* The mode asked for, whatever the umask. */
	if (fchmod(fd, mode))
		ret = -errno;
	for (size_t done = 0; !ret && done < len; done += (size_t)n) {
		n = write(fd, p + done, len - done);
		if (n < 0 && errno != EINTR)
			ret = -errno;
		else if (n < 0)
			n = 0;
	}
	if (!ret && fsync(fd))
		ret = -errno;
	close(fd);
	if (!ret && renameat(dirfd, tmp.s, dirfd, base)) {
		ret = -errno;
		if (renaming)
			*renaming = true;
	}
	if (ret)
		unlinkat(dirfd, tmp.s, 0);
	/* The rename itself, on the disk. */
	else if (fsync(dirfd) && errno != EINVAL)
		ret = -errno;
out:
	close(dirfd);
	strbuf_free(&tmp);
	return ret;
}

bool text_has_control(const char *s)
{
	for (; *s; ++s) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	}
	return false;
}

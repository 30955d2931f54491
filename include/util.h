/* SPDX-License-Identifier: MIT */
#ifndef NSWG_UTIL_H
#define NSWG_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A growable byte string; always NUL-terminated once anything was added. */
struct strbuf {
	char *s;
	size_t len, cap;
};

int strbuf_add(struct strbuf *sb, const char *s, size_t n);
int strbuf_addc(struct strbuf *sb, char c);
int strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_reset(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);

/*
 * Makes room for one more element in *array (of *n used out of *cap),
 * doubling the allocation. Returns 0 or -ENOMEM; the array is unchanged on
 * failure.
 */
int array_grow(void *array, size_t *cap, size_t n, size_t size);

static inline bool char_is_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static inline bool char_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/*
 * Replaces path with len bytes of text: a temporary file beside it, with a
 * random name, created anew (O_EXCL, never through a symbolic link) with
 * mode; fsync, rename, fsync of the directory, all through one descriptor
 * of the directory. It must be root's or the caller's and writable by no
 * other user (group-writable only for group 0) unless sticky: -EPERM
 * otherwise. Returns 0 or -errno; *renaming, if given, says whether it was
 * the rename that failed.
 */
int file_write_atomic(const char *path, const void *text, size_t len, unsigned int mode, bool *renaming);
/* 0 when file_write_atomic() would accept path's directory, else -errno (-EPERM: others control it). */
int file_dir_trusted(const char *path);

/* The whole file, added to sb (always NUL-terminated); flags go to open(2), O_NOFOLLOW say. */
int file_read_all(const char *path, int flags, struct strbuf *sb);

/* Overwrites memory that held secrets, in a way the compiler keeps. */
void memzero_explicit(void *p, size_t n);

/* A character below 0x20, or DEL: what one key=value line of the journal cannot hold. */
bool text_has_control(const char *s);

#endif

// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

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
	s = realloc(sb->s, cap);
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

void strbuf_free(struct strbuf *sb)
{
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
	q = realloc(*p, newcap * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = newcap;
	return 0;
}

void memzero_explicit(void *p, size_t n)
{
	if (p)
		explicit_bzero(p, n);
}

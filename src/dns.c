// SPDX-License-Identifier: MIT
/*
 * DNS inside the namespace: ip-netns(8) binds /etc/netns/NAME/FILE over
 * /etc/FILE for `ip netns exec'. resolvconf and the host's /etc/resolv.conf
 * are never touched (from inside a namespace they would reach the host's
 * resolver; systemd/systemd#20563). nsswitch.conf keeps host resolvers that
 * answer over a unix socket (systemd-resolved, nscd) out of the lookups.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dns.h"

static const char *const files[] = { "resolv.conf", "nsswitch.conf" };

int dns_render_resolv(const struct nswg_config *cfg, const char *ifname, struct strbuf *out)
{
	int ret = strbuf_addf(out, "# Written by nswg for %s; nswg down puts back what was here.\n", ifname);

	for (size_t i = 0; !ret && i < cfg->dns.n; ++i)
		ret = strbuf_addf(out, "nameserver %s\n", cfg->dns.v[i]);
	if (!ret && cfg->dns_search.n) {
		ret = strbuf_addf(out, "search");
		for (size_t i = 0; !ret && i < cfg->dns_search.n; ++i)
			ret = strbuf_addf(out, " %s", cfg->dns_search.v[i]);
		if (!ret)
			ret = strbuf_addc(out, '\n');
	}
	return ret;
}

int dns_render_nsswitch(const char *host, size_t len, const char *ifname, struct strbuf *out)
{
	const char *p = host, *end = host + len, *nl;
	int ret = strbuf_addf(out, "# Written by nswg for %s; nswg down puts back what was here.\n", ifname);

	/* The host's file, but names come from files and DNS only. */
	while (!ret && p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		const char *q = p;

		while (q < p + n && (*q == ' ' || *q == '\t'))
			++q;
		if (strncmp(q, "hosts:", 6))
			ret = strbuf_add(out, p, n);
		if (!ret && !nl)
			ret = strbuf_addc(out, '\n');
		p += n;
	}
	if (!ret)
		ret = strbuf_addf(out, "hosts: files dns\n");
	return ret;
}

static int read_all(const char *path, struct strbuf *sb)
{
	char buf[4096];
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (!ret && (n = read(fd, buf, sizeof(buf))) > 0)
		ret = strbuf_add(sb, buf, (size_t)n);
	if (!ret && n < 0)
		ret = -errno;
	close(fd);
	if (!ret && !sb->s)
		ret = strbuf_add(sb, "", 0);
	return ret;
}

static bool written_by_nswg(const char *text)
{
	return !strncmp(text, "# Written by nswg for ", 22);
}

static int etc_path(const char *nsname, const char *file, char *path, size_t size)
{
	if ((size_t)snprintf(path, size, "%s/%s%s%s", NSWG_NETNS_ETC_DIR, nsname, file ? "/" : "", file ? file : "") >=
	    size)
		return -ENAMETOOLONG;
	return 0;
}

/* Keeps an existing file in backup_dir; true when there was one of the user's. */
static int save_original(const char *path, const char *backup, bool *saved)
{
	struct strbuf old = { 0 };
	int ret = read_all(path, &old);

	*saved = false;
	if (ret == -ENOENT)
		return 0;
	if (!ret && !written_by_nswg(old.s)) {
		ret = file_write_atomic(backup, old.s, old.len, 0600, NULL);
		*saved = !ret;
	}
	strbuf_free(&old);
	return ret;
}

int dns_apply(const char *nsname, const struct nswg_config *cfg, const char *backup_dir, struct nswg_state *st)
{
	struct strbuf text[2] = { { 0 }, { 0 } }, host = { 0 };
	char path[4200], backup[4200];
	bool *saved[2] = { &st->resolv_saved, &st->nsswitch_saved };
	int ret;

	ret = dns_render_resolv(cfg, st->ifname, &text[0]);
	if (!ret) {
		ret = read_all(NSWG_SYSCONFDIR "/nsswitch.conf", &host);
		if (ret == -ENOENT)
			ret = strbuf_add(&host, "", 0);
	}
	if (!ret)
		ret = dns_render_nsswitch(host.s, host.len, st->ifname, &text[1]);
	if (ret)
		goto out;
	/* 0755 whatever the umask (nswg's is 077): what ip netns exec binds must be readable. */
	if (!mkdir(NSWG_NETNS_ETC_DIR, 0755))
		chmod(NSWG_NETNS_ETC_DIR, 0755);
	else if (errno != EEXIST) {
		ret = -errno;
		goto out;
	}
	etc_path(nsname, NULL, path, sizeof(path));
	if (!mkdir(path, 0755)) {
		chmod(path, 0755);
		st->etc_dir_created = true;
	} else if (errno != EEXIST) {
		ret = -errno;
		goto out;
	}
	st->dns_written = true;
	for (size_t i = 0; !ret && i < 2; ++i) {
		ret = etc_path(nsname, files[i], path, sizeof(path));
		snprintf(backup, sizeof(backup), "%s/%s.%s", backup_dir, st->ifname, files[i]);
		if (!ret)
			ret = save_original(path, backup, saved[i]);
		/* Everyone in the namespace must be able to resolve names. */
		if (!ret)
			ret = file_write_atomic(path, text[i].s, text[i].len, 0644, NULL);
	}
out:
	strbuf_free(&text[0]);
	strbuf_free(&text[1]);
	strbuf_free(&host);
	return ret;
}

int dns_restore(const char *nsname, const char *backup_dir, struct nswg_state *st)
{
	bool saved[2] = { st->resolv_saved, st->nsswitch_saved };
	char path[4200], backup[4200];
	struct strbuf old = { 0 };
	int ret = 0, r;

	if (!st->dns_written)
		return 0;
	for (size_t i = 0; i < 2; ++i) {
		etc_path(nsname, files[i], path, sizeof(path));
		snprintf(backup, sizeof(backup), "%s/%s.%s", backup_dir, st->ifname, files[i]);
		if (saved[i]) {
			strbuf_reset(&old);
			r = read_all(backup, &old);
			if (!r)
				r = file_write_atomic(path, old.s, old.len, 0644, NULL);
			if (!r)
				unlink(backup);
		} else {
			r = unlink(path) && errno != ENOENT ? -errno : 0;
		}
		if (r && !ret)
			ret = r;
	}
	strbuf_free(&old);
	if (st->etc_dir_created) {
		etc_path(nsname, NULL, path, sizeof(path));
		rmdir(path);
	}
	if (!ret)
		st->dns_written = st->resolv_saved = st->nsswitch_saved = st->etc_dir_created = false;
	return ret;
}

bool dns_host_resolver_is_loopback(void)
{
	char line[512], addr[256];
	bool any = false, all_loopback = true;
	FILE *f = fopen(NSWG_SYSCONFDIR "/resolv.conf", "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " nameserver %255s", addr) != 1)
			continue;
		any = true;
		if (strncmp(addr, "127.", 4) && strcmp(addr, "::1"))
			all_loopback = false;
	}
	fclose(f);
	return any && all_loopback;
}

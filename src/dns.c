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
#include "util.h"

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

bool dns_etc_dir_missing(const char *nsname)
{
	char path[4200];

	return !etc_path(nsname, NULL, path, sizeof(path)) && access(path, F_OK) && errno == ENOENT;
}

/*
 * Keeps a file of the administrator's in backup: only once that copy is
 * safely written may the original be replaced. A file nswg wrote (one an
 * interrupted run left) is no original.
 */
static int save_original(const char *path, const char *backup)
{
	struct strbuf old = { 0 };
	int ret = file_read_all(path, 0, &old);

	if (ret == -ENOENT)
		return 0;
	if (!ret && !written_by_nswg(old.s))
		ret = file_write_atomic(backup, old.s, old.len, 0600, NULL);
	strbuf_free(&old);
	return ret;
}

int dns_keep_originals(const char *nsname, const char *backup_dir)
{
	char path[4200], backup[4200];
	int ret = 0;

	for (size_t i = 0; !ret && i < ARRAY_SIZE(files); ++i) {
		ret = etc_path(nsname, files[i], path, sizeof(path));
		if (!ret && (size_t)snprintf(backup, sizeof(backup), "%s/%s", backup_dir, files[i]) >= sizeof(backup))
			ret = -ENAMETOOLONG;
		if (!ret)
			ret = save_original(path, backup);
	}
	return ret;
}

int dns_apply(const char *nsname, const char *ifname, const struct nswg_config *cfg, const char *backup_dir)
{
	struct strbuf text[2] = { { 0 }, { 0 } }, host = { 0 };
	bool write[2] = { true, true };
	char path[4200];
	int ret;

	ret = dns_render_resolv(cfg, ifname, &text[0]);
	/*
	 * A host without nsswitch.conf (musl's) has no use for one: glibc's
	 * defaults apply, and ip netns exec would bind ours over nothing.
	 */
	if (!ret && (ret = file_read_all(NSWG_SYSCONFDIR "/nsswitch.conf", 0, &host)) == -ENOENT) {
		write[1] = false;
		ret = 0;
	} else if (!ret)
		ret = dns_render_nsswitch(host.s, host.len, ifname, &text[1]);
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
	if (!mkdir(path, 0755))
		chmod(path, 0755);
	else if (errno != EEXIST) {
		ret = -errno;
		goto out;
	}
	/* Both originals are kept before either is replaced. */
	ret = dns_keep_originals(nsname, backup_dir);
	for (size_t i = 0; !ret && i < ARRAY_SIZE(files); ++i) {
		if (!write[i])
			continue;
		ret = etc_path(nsname, files[i], path, sizeof(path));
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

/*
 * Idempotent, so that an interrupted down can simply run again: what a
 * backup holds goes back; without one, only a file nswg wrote is removed.
 */
int dns_restore(const char *nsname, const char *backup_dir, bool dir_created)
{
	char path[4200], backup[4200];
	struct stat st;
	struct strbuf old = { 0 };
	int ret = 0, r;

	for (size_t i = 0; i < ARRAY_SIZE(files); ++i) {
		if (etc_path(nsname, files[i], path, sizeof(path)) ||
		    (size_t)snprintf(backup, sizeof(backup), "%s/%s", backup_dir, files[i]) >= sizeof(backup)) {
			ret = ret ? ret : -ENAMETOOLONG;
			continue;
		}
		strbuf_reset(&old);
		/* Only a regular file there is a copy nswg made. */
		r = !lstat(backup, &st) && S_ISREG(st.st_mode) ? file_read_all(backup, O_NOFOLLOW, &old) : -ENOENT;
		if (!r) {
			r = file_write_atomic(path, old.s, old.len, 0644, NULL);
			if (!r && unlink(backup))
				r = -errno;
		} else if (r == -ENOENT) {
			strbuf_reset(&old);
			r = file_read_all(path, 0, &old);
			if (!r && written_by_nswg(old.s) && unlink(path))
				r = -errno;
			else if (r == -ENOENT)
				r = 0;
		}
		if (r && !ret)
			ret = r;
	}
	strbuf_free(&old);
	if (dir_created && !etc_path(nsname, NULL, path, sizeof(path)) && rmdir(path) && errno != ENOENT &&
	    errno != ENOTEMPTY && !ret)
		ret = -errno;
	return ret;
}

int dns_files_read(const char *nsname, struct dns_files *f)
{
	char path[4200];
	int ret = 0;

	for (size_t i = 0; !ret && i < ARRAY_SIZE(files); ++i) {
		ret = etc_path(nsname, files[i], path, sizeof(path));
		if (!ret)
			ret = file_read_all(path, 0, &f->text[i]);
		f->present[i] = !ret;
		if (ret == -ENOENT)
			ret = 0;
	}
	return ret;
}

int dns_files_write(const char *nsname, const struct dns_files *f)
{
	char path[4200];
	int ret = 0, r;

	for (size_t i = 0; i < ARRAY_SIZE(files); ++i) {
		r = etc_path(nsname, files[i], path, sizeof(path));
		if (!r && f->present[i])
			r = file_write_atomic(path, f->text[i].s, f->text[i].len, 0644, NULL);
		else if (!r && unlink(path) && errno != ENOENT)
			r = -errno;
		if (r && !ret)
			ret = r;
	}
	return ret;
}

void dns_files_free(struct dns_files *f)
{
	strbuf_free(&f->text[0]);
	strbuf_free(&f->text[1]);
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

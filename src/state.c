// SPDX-License-Identifier: MIT
/*
 * State under RUNSTATEDIR/nswg: one directory per namespace, with a lock and
 * a small key=value file per interface. It lives in /run on purpose: after a
 * reboot neither the namespace nor its interface is there any more.
 *
 * NS/lock, NS/room, NS/IFNAME.state, NS/IFNAME.log, NS/IFNAME.relay (the
 * relay's counters), and the originals of
 * the namespace's DNS files while nswg's stand in their place: interface
 * names may be "lock" or end in ".log", so no file is named by the
 * interface name alone. .host/IFNAME.lock guards the names that are the
 * host's whatever the namespace.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"
#include "stats.h"
#include "util.h"

/*
 * A namespace's key, the name of its directory here, is one of:
 *   NAME              a name of `ip netns' that begins with none of . @ %
 *   %NAME             any other name: ".x", "@1:2", "%y"
 *   @DEV:INO:COOKIE   a namespace given by a path, by its identity (hex);
 *                     the cookie tells it from a later namespace that got
 *                     the same inode (0 where the kernel has no cookies)
 *   .NAME             nswg's own (.host); listed as no namespace
 */
int state_key(const char *netns_arg, int netns_fd, char *key, size_t size)
{
	struct netns_id id;
	int ret;

	if (!netns_arg_is_path(netns_arg)) {
		bool escape = netns_arg[0] == '.' || netns_arg[0] == '@' || netns_arg[0] == '%';

		if ((size_t)snprintf(key, size, "%s%s", escape ? "%" : "", netns_arg) >= size)
			return -ENAMETOOLONG;
		return 0;
	}
	if ((ret = netns_identity(netns_fd, &id)))
		return ret;
	if ((size_t)snprintf(key, size, "@%llx:%llx:%llx", id.dev, id.ino, id.cookie) >= size)
		return -ENAMETOOLONG;
	return 0;
}

int state_dir(const char *key, char *path, size_t size)
{
	if ((size_t)snprintf(path, size, "%s/%s", NSWG_STATE_DIR, key) >= size)
		return -ENAMETOOLONG;
	return 0;
}

static int make_dirs(const char *key)
{
	char path[4200];
	int ret;

	if (mkdir(NSWG_STATE_DIR, 0700) && errno != EEXIST)
		return -errno;
	ret = state_dir(key, path, sizeof(path));
	if (ret)
		return ret;
	if (mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/* The file at path, made if need be (never through a link), locked: its fd, or -errno. */
static int lock_file(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600), ret;

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

int state_lock(const char *key)
{
	char path[4200];
	int ret = make_dirs(key);

	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/%s/lock", NSWG_STATE_DIR, key);
	return lock_file(path);
}

#define STATE_SUFFIX ".state"
#define RELAY_SUFFIX ".relay"
#define RELAY_NEXT_SUFFIX ".relay.next"
/* Neither "lock" nor IFNAME.state nor IFNAME.log: no interface name makes it. */
#define ROOM_FILE "room"

static int state_file(const char *key, const char *ifname, const char *suffix, char *path, size_t size)
{
	if ((size_t)snprintf(path, size, "%s/%s/%s%s", NSWG_STATE_DIR, key, ifname, suffix) >= size)
		return -ENAMETOOLONG;
	return 0;
}

int state_lock_host_name(const char *ifname)
{
	char path[256];
	/* A directory whose name starts with a dot is no namespace's (state_list skips it). */
	int ret = make_dirs(".host");

	if (ret)
		return ret;
	if ((size_t)snprintf(path, sizeof(path), "%s/.host/%s.lock", NSWG_STATE_DIR, ifname) >= sizeof(path))
		return -ENAMETOOLONG;
	return lock_file(path);
}

int state_lock_vias(void)
{
	int ret = make_dirs(".host");

	/* Beside the IFNAME.lock files: no interface name has an `@' (wg-quick's rule), none is this one. */
	return ret ? ret : lock_file(NSWG_STATE_DIR "/.host/@vias.lock");
}

/* Every field, once: the writers and the readers both follow these tables. */
enum field_type {
	FIELD_STRING,
	FIELD_BOOL,
	FIELD_INT,
	FIELD_U64,
};

struct field {
	const char *name;
	enum field_type type;
	size_t offset, size;
};

#define FIELD(s, name, type, member) { name, type, offsetof(struct s, member), sizeof(((struct s *)0)->member) }

static const struct field state_fields[] = {
	FIELD(nswg_state, "interface", FIELD_STRING, ifname),
	FIELD(nswg_state, "netns", FIELD_STRING, netns),
	FIELD(nswg_state, "config", FIELD_STRING, config),
	FIELD(nswg_state, "netns_dev", FIELD_U64, netns_id.dev),
	FIELD(nswg_state, "netns_ino", FIELD_U64, netns_id.ino),
	FIELD(nswg_state, "netns_cookie", FIELD_U64, netns_id.cookie),
	FIELD(nswg_state, "via", FIELD_STRING, via),
	FIELD(nswg_state, "via_dev", FIELD_U64, via_id.dev),
	FIELD(nswg_state, "via_ino", FIELD_U64, via_id.ino),
	FIELD(nswg_state, "via_cookie", FIELD_U64, via_id.cookie),
	FIELD(nswg_state, "complete", FIELD_BOOL, complete),
	FIELD(nswg_state, "link", FIELD_INT, link),
	FIELD(nswg_state, "ifindex", FIELD_INT, ifindex),
	FIELD(nswg_state, "host_ifindex", FIELD_INT, host_ifindex),
	FIELD(nswg_state, "ipv6_enabled", FIELD_BOOL, ipv6_enabled),
	FIELD(nswg_state, "userspace_pid", FIELD_INT, userspace_pid),
	FIELD(nswg_state, "userspace_start", FIELD_U64, userspace_start),
	FIELD(nswg_state, "host_routes", FIELD_U64, host_routes),
	FIELD(nswg_state, "relay_pid", FIELD_INT, relay_pid),
	FIELD(nswg_state, "relay_start", FIELD_U64, relay_start),
	FIELD(nswg_state, "relays", FIELD_STRING, relays),
	FIELD(nswg_state, "relay_draining_pid", FIELD_INT, relay_draining_pid),
	FIELD(nswg_state, "relay_draining_start", FIELD_U64, relay_draining_start),
	FIELD(nswg_state, "relay_socks_auth", FIELD_STRING, relay_socks_auth),
	FIELD(nswg_state, "relay_socks_auth_id", FIELD_STRING, relay_socks_auth_id),
	FIELD(nswg_state, "relay_user", FIELD_STRING, relay_user),
	FIELD(nswg_state, "relay_max_connections", FIELD_INT, relay_max_connections),
	FIELD(nswg_state, "relay_udp_timeout", FIELD_INT, relay_udp_timeout),
};

static const struct field room_fields[] = {
	FIELD(nswg_room, "netns", FIELD_STRING, netns),
	FIELD(nswg_room, "netns_dev", FIELD_U64, netns_id.dev),
	FIELD(nswg_room, "netns_ino", FIELD_U64, netns_id.ino),
	FIELD(nswg_room, "netns_cookie", FIELD_U64, netns_id.cookie),
	FIELD(nswg_room, "netns_created", FIELD_BOOL, netns_created),
	FIELD(nswg_room, "lo_brought_up", FIELD_BOOL, lo_brought_up),
	FIELD(nswg_room, "lo_bare", FIELD_BOOL, lo_bare),
	FIELD(nswg_room, "ipv6_all", FIELD_INT, ipv6_all),
	FIELD(nswg_room, "ipv6_default", FIELD_INT, ipv6_default),
	FIELD(nswg_room, "dns_by", FIELD_STRING, dns_by),
	FIELD(nswg_room, "etc_dir_created", FIELD_BOOL, etc_dir_created),
};

static int fields_format(const struct field *fields, size_t n, const void *base, struct strbuf *text)
{
	int ret = 0;

	for (size_t i = 0; !ret && i < n; ++i) {
		const char *field = (const char *)base + fields[i].offset;

		switch (fields[i].type) {
		case FIELD_STRING:
			ret = strbuf_addf(text, "%s=%s\n", fields[i].name, field);
			break;
		case FIELD_BOOL:
			ret = strbuf_addf(text, "%s=%d\n", fields[i].name, *(const bool *)field);
			break;
		case FIELD_INT:
			ret = strbuf_addf(text, "%s=%d\n", fields[i].name, *(const int *)field);
			break;
		case FIELD_U64:
			ret = strbuf_addf(text, "%s=%llu\n", fields[i].name, *(const unsigned long long *)field);
			break;
		}
	}
	return ret;
}

static void set_field(const struct field *fields, size_t n, void *base, const char *k, size_t klen, const char *v,
		      size_t vlen)
{
	char value[4200];

	snprintf(value, sizeof(value), "%.*s", (int)vlen, v);
	for (size_t i = 0; i < n; ++i) {
		char *field = (char *)base + fields[i].offset;

		if (strlen(fields[i].name) != klen || strncmp(k, fields[i].name, klen))
			continue;
		switch (fields[i].type) {
		case FIELD_STRING:
			snprintf(field, fields[i].size, "%s", value);
			break;
		case FIELD_BOOL:
			*(bool *)field = atoi(value);
			break;
		case FIELD_INT:
			*(int *)field = atoi(value);
			break;
		case FIELD_U64:
			*(unsigned long long *)field = strtoull(value, NULL, 10);
			break;
		}
		return;
	}
}

/* key=value lines; unknown keys (a newer nswg's) are skipped. */
static void fields_parse(const struct field *fields, size_t n, void *base, const char *text)
{
	for (const char *line = text, *end; *line; line = *end ? end + 1 : end) {
		const char *eq;

		end = line + strcspn(line, "\n");
		eq = memchr(line, '=', (size_t)(end - line));
		if (eq)
			set_field(fields, n, base, line, (size_t)(eq - line), eq + 1, (size_t)(end - eq - 1));
	}
}

int state_format(const struct nswg_state *st, struct strbuf *text)
{
	return fields_format(state_fields, ARRAY_SIZE(state_fields), st, text);
}

void state_parse(const char *text, struct nswg_state *st)
{
	memset(st, 0, sizeof(*st));
	fields_parse(state_fields, ARRAY_SIZE(state_fields), st, text);
}

int room_format(const struct nswg_room *room, struct strbuf *text)
{
	return fields_format(room_fields, ARRAY_SIZE(room_fields), room, text);
}

void room_parse(const char *text, struct nswg_room *room)
{
	room_init(room, "");
	fields_parse(room_fields, ARRAY_SIZE(room_fields), room, text);
}

/*
 * Each write is a step of the journal: it counts as one for the fault
 * injection build, so that a fault or a signal can land between any two.
 */
static int journal_write(const char *path, int (*format)(const void *, struct strbuf *), const void *record)
{
	struct strbuf text = { 0 };
	int ret;

	++nswg_stats.journal_writes;
	ret = fault_injected();
	if (!ret)
		ret = format(record, &text);
	if (!ret)
		ret = file_write_atomic(path, text.s, text.len, 0600, NULL);
	strbuf_free(&text);
	return ret;
}

static int format_state(const void *st, struct strbuf *text)
{
	return state_format(st, text);
}

static int format_room(const void *room, struct strbuf *text)
{
	return room_format(room, text);
}

int state_write(const char *key, const struct nswg_state *st)
{
	char path[4200];
	int ret = make_dirs(key);

	if (!ret)
		ret = state_file(key, st->ifname, STATE_SUFFIX, path, sizeof(path));
	return ret ? ret : journal_write(path, format_state, st);
}

int state_read(const char *key, const char *ifname, struct nswg_state *st)
{
	struct strbuf text = { 0 };
	char path[4200];
	int ret;

	memset(st, 0, sizeof(*st));
	ret = state_file(key, ifname, STATE_SUFFIX, path, sizeof(path));
	if (!ret)
		ret = file_read_all(path, O_NOFOLLOW, &text);
	if (!ret)
		state_parse(text.s, st);
	strbuf_free(&text);
	return ret;
}

int state_remove(const char *key, const char *ifname)
{
	char path[4200];
	int ret = state_file(key, ifname, STATE_SUFFIX, path, sizeof(path));

	if (ret)
		return ret;
	if (unlink(path) && errno != ENOENT)
		return -errno;
	if (!state_file(key, ifname, ".log", path, sizeof(path)))
		unlink(path);
	if (!state_file(key, ifname, RELAY_SUFFIX, path, sizeof(path)))
		unlink(path);
	if (!state_file(key, ifname, RELAY_NEXT_SUFFIX, path, sizeof(path)))
		unlink(path);
	return 0;
}

int state_relay_stats_open(const char *key, const char *ifname, bool create)
{
	char path[4200];
	int fd, ret = create ? make_dirs(key) : 0;

	if (!ret)
		ret = state_file(key, ifname, RELAY_SUFFIX, path, sizeof(path));
	if (ret)
		return ret;
	/* A new file, never one truncated: a relay still running (draining, say) may map the old one. */
	if (create && unlink(path) && errno != ENOENT)
		return -errno;
	fd = create ? open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600) :
		      open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int state_relay_stats_open_next(const char *key, const char *ifname)
{
	char path[4200];
	int fd, ret = state_file(key, ifname, RELAY_NEXT_SUFFIX, path, sizeof(path));

	if (ret)
		return ret;
	if (unlink(path) && errno != ENOENT)
		return -errno;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	return fd < 0 ? -errno : fd;
}

int state_relay_stats_commit(const char *key, const char *ifname, bool keep)
{
	char next[4200], path[4200];
	int ret = state_file(key, ifname, RELAY_NEXT_SUFFIX, next, sizeof(next));

	if (!ret && keep)
		ret = state_file(key, ifname, RELAY_SUFFIX, path, sizeof(path));
	if (ret)
		return ret;
	/* A rename: the file the replaced relay maps is never truncated under it. */
	if (keep ? rename(next, path) : unlink(next))
		return -errno;
	return 0;
}

void room_init(struct nswg_room *room, const char *netns)
{
	memset(room, 0, sizeof(*room));
	snprintf(room->netns, sizeof(room->netns), "%s", netns);
	room->ipv6_all = room->ipv6_default = -1;
}

int room_write(const char *key, const struct nswg_room *room)
{
	char path[4200];
	int ret = make_dirs(key);

	if (!ret)
		ret = state_file(key, ROOM_FILE, "", path, sizeof(path));
	return ret ? ret : journal_write(path, format_room, room);
}

int room_read(const char *key, struct nswg_room *room)
{
	struct strbuf text = { 0 };
	char path[4200];
	int ret;

	room_init(room, "");
	ret = state_file(key, ROOM_FILE, "", path, sizeof(path));
	if (!ret)
		ret = file_read_all(path, O_NOFOLLOW, &text);
	if (!ret)
		room_parse(text.s, room);
	strbuf_free(&text);
	return ret;
}

int room_remove(const char *key)
{
	char path[4200];
	int ret = state_file(key, ROOM_FILE, "", path, sizeof(path));

	if (!ret && unlink(path) && errno != ENOENT)
		ret = -errno;
	return ret;
}

int state_log_path(const char *key, const char *ifname, char *path, size_t size)
{
	return state_file(key, ifname, ".log", path, size);
}

int state_log_open(const char *key, const char *ifname, bool fresh)
{
	char path[4200];
	int fd, ret = make_dirs(key);

	if (!ret)
		ret = state_log_path(key, ifname, path, sizeof(path));
	if (ret)
		return ret;
	fd = open(path, O_WRONLY | O_CREAT | (fresh ? O_TRUNC : 0) | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	return fd < 0 ? -errno : fd;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct state_entry *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : strcmp(x->ifname, y->ifname);
}

/* Not every file system fills in d_type; ask those that do not. */
static bool is_regular(DIR *d, const struct dirent *de)
{
	struct stat st;

	if (de->d_type != DT_UNKNOWN)
		return de->d_type == DT_REG;
	return !fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) && S_ISREG(st.st_mode);
}

/* The IFNAME.state files in one namespace's directory. */
static int list_dir(const char *key, struct state_entry **out, size_t *n, size_t *cap)
{
	char path[4200];
	struct dirent *de;
	DIR *d;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/%s", NSWG_STATE_DIR, key);
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 : -errno; /* gone meanwhile; any other error is one */
	for (errno = 0; !ret && (de = readdir(d)); errno = 0) {
		size_t len = strlen(de->d_name);

		if (len <= strlen(STATE_SUFFIX) || len - strlen(STATE_SUFFIX) >= IFNAMSIZ ||
		    strcmp(de->d_name + len - strlen(STATE_SUFFIX), STATE_SUFFIX) || !is_regular(d, de))
			continue;
		if (strlen(key) >= sizeof((*out)->key))
			continue;
		if ((ret = array_grow(out, cap, *n, sizeof(**out))))
			break;
		snprintf((*out)[*n].key, sizeof((*out)[*n].key), "%s", key);
		snprintf((*out)[*n].ifname, sizeof((*out)[*n].ifname), "%.*s",
			 (int)(len - strlen(STATE_SUFFIX)), de->d_name);
		++*n;
	}
	if (!ret && errno)
		ret = -errno;
	closedir(d);
	return ret;
}

int state_list(struct state_entry **out, size_t *n)
{
	struct dirent *de;
	size_t cap = 0;
	int ret = 0;
	DIR *d;

	*out = NULL;
	*n = 0;
	d = opendir(NSWG_STATE_DIR);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while (!ret && (de = readdir(d))) {
		if (de->d_name[0] != '.')
			ret = list_dir(de->d_name, out, n, &cap);
	}
	closedir(d);
	if (ret) {
		free(*out);
		*out = NULL;
		*n = 0;
		return ret;
	}
	if (*n)
		qsort(*out, *n, sizeof(**out), entry_cmp);
	return 0;
}

int state_find(const char *ifname, char *key, size_t size)
{
	struct state_entry *e;
	size_t n, i, found = 0;
	int ret = state_list(&e, &n);

	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		if (strcmp(e[i].ifname, ifname))
			continue;
		if (!found++)
			snprintf(key, size, "%s", e[i].key);
	}
	free(e);
	return found == 1 ? 0 : found ? -EEXIST : -ENOENT;
}

int state_others(const char *key, const char *ifname, size_t *n)
{
	struct state_entry *e = NULL;
	size_t cap = 0, all = 0;
	int ret = list_dir(key, &e, &all, &cap);

	*n = 0;
	for (size_t i = 0; !ret && i < all; ++i)
		*n += strcmp(e[i].ifname, ifname) != 0;
	free(e);
	return ret;
}

int state_next_hop(const struct netns_id *id, struct nswg_state *st)
{
	struct state_entry *all = NULL;
	struct nswg_state one;
	char key[256];
	size_t n = 0;
	int found = 0;

	if (state_find_room(id, key, sizeof(key)) || state_list(&all, &n))
		return 0;
	/* One with a via first: the chain goes on as long as one tunnel there has one. */
	for (size_t i = 0; i < n && found != 1; ++i) {
		if (strcmp(all[i].key, key) || state_read(key, all[i].ifname, &one))
			continue;
		if (one.via_id.ino || !found) {
			*st = one;
			found = one.via_id.ino ? 1 : 2;
		}
	}
	free(all);
	return found;
}

int state_find_room(const struct netns_id *id, char *key, size_t size)
{
	struct nswg_room room;
	struct dirent *de;
	int ret = -ENOENT;
	DIR *d = opendir(NSWG_STATE_DIR);

	if (!d)
		return errno == ENOENT ? -ENOENT : -errno;
	while (ret == -ENOENT && (de = readdir(d))) {
		if (de->d_name[0] == '.' || room_read(de->d_name, &room) || !netns_id_same(&room.netns_id, id))
			continue;
		snprintf(key, size, "%s", de->d_name);
		ret = 0;
	}
	closedir(d);
	return ret;
}

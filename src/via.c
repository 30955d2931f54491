// SPDX-License-Identifier: MIT
/*
 * --via OUTER: the interface is born in its namespace, its encrypted socket
 * in OUTER. Whatever up asks of "the host" for the socket's sake (where the
 * link is created, the route and MTU towards the endpoints, the names of the
 * endpoints, the guard) is then asked of OUTER, and the host proper stays
 * guarded as well. OUTER is never made, and never changed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <net/if.h>

#include "netns.h"
#include "nsview.h"
#include "state.h"
#include "tunnel.h"
#include "util.h"

const char *tunnel_outer_name(const struct tunnel *t, char *buf, size_t size)
{
	if (!*t->st.via)
		return "the host";
	snprintf(buf, size, "namespace `%s'", t->st.via);
	return buf;
}

static int open_recorded(const struct tunnel *t);

/* RUNSTATEDIR/netns/NAME is NAME, as for --netns: its /etc/netns files are then its own. */
static const char *via_normal(const char *via)
{
	size_t n = strlen(NSWG_NETNS_RUN_DIR);

	if (!strncmp(via, NSWG_NETNS_RUN_DIR "/", n + 1) && netns_name_valid(via + n + 1))
		return via + n + 1;
	return via;
}

const char *tunnel_via_ip(const struct tunnel *t, char *buf, size_t size)
{
	if (!*t->st.via)
		return "ip";
	snprintf(buf, size, netns_arg_is_path(t->st.via) ? "nsenter --net=%s ip" : "ip -n %s", t->st.via);
	return buf;
}

static int open_path(struct tunnel *t, const char *arg)
{
	free(t->via_path);
	t->via_path = NULL;
	t->via_named = !netns_arg_is_path(arg);
	if (netns_path(arg, &t->via_path))
		return -EINVAL;
	t->via_fd = netns_open(t->via_path);
	return t->via_fd < 0 ? t->via_fd : 0;
}

/*
 * A namespace of another user namespace: its root could stand in for a
 * userspace implementation's TUN before it moves, or steer the MTU. As
 * for --netns, --trust-netns-owner accepts it.
 */
static int refuse_foreign(const struct tunnel *t)
{
	int ours = netns_owner_is_ours(t->via_fd);

	/* Kernels without NS_GET_USERNS (before 4.9) have one user namespace for all that matters here. */
	if (ours == 1 || ours == -ENOTTY || ours == -EINVAL)
		return 0;
	if (ours < 0) {
		fprintf(stderr, "%s: --via: unable to find the owner of namespace `%s': %s\n", prog, t->st.via,
			strerror(-ours));
		return ours;
	}
	if (!t->trust_owner) {
		fprintf(stderr, "%s: --via: namespace `%s' belongs to another user namespace, whose root could stand in "
				"for the interface: --trust-netns-owner accepts it\n", prog, t->st.via);
		return -EPERM;
	}
	fprintf(stderr, "%s: warning: --via: namespace `%s' belongs to another user namespace\n", prog, t->st.via);
	return 0;
}

int tunnel_via_open(struct tunnel *t)
{
	const char *via = t->via ? via_normal(t->via) : NULL;
	int ret;

	if (!via)
		return 0;
	/* The journal is lines of key=value: a via is one line. */
	if (text_has_control(via)) {
		fprintf(stderr, "%s: --via: a namespace name or path with a control character is refused\n", prog);
		return -EINVAL;
	}
	ret = open_path(t, via);
	if (ret == -EINVAL) {
		fprintf(stderr, "%s: --via: `%s' is not a valid namespace name\n", prog, via);
		return ret;
	}
	if (ret == -ENOENT) {
		fprintf(stderr, "%s: --via: namespace `%s' does not exist (nswg does not make it)\n", prog, via);
		return ret;
	}
	if (ret) {
		fprintf(stderr, "%s: --via: unable to open namespace `%s': %s\n", prog, via, netns_strerror(ret));
		return ret;
	}
	ret = netns_is_host(t->via_fd);
	if (ret > 0) {
		fprintf(stderr, "%s: --via: `%s' is the host's namespace: without --via the socket is there already\n",
			prog, via);
		return -EINVAL;
	}
	if (!ret)
		ret = netns_identity(t->via_fd, &t->st.via_id);
	if (ret) {
		fprintf(stderr, "%s: --via: unable to identify namespace `%s': %s\n", prog, via, strerror(-ret));
		return ret;
	}
	snprintf(t->st.via, sizeof(t->st.via), "%s", via);
	return refuse_foreign(t);
}

bool tunnel_via_name_leads(const struct tunnel *t)
{
	struct stat a, b;

	return t->via_fd >= 0 && !fstat(t->via_fd, &a) && !stat(t->via_path, &b) && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* Every tunnel of nswg's with a via: where it is, where its socket is. */
struct via_edge {
	struct netns_id from, to;
	char ifname[IFNAMSIZ];
	char netns[256];
};

/*
 * Every record's via, as edges: how many, or -errno. A record that cannot
 * be read fails the search (a loop missed under want of memory or
 * descriptors would be made); one removed meanwhile is gone from it.
 */
static ssize_t read_edges(struct via_edge **out)
{
	struct state_entry *all = NULL;
	struct nswg_state st;
	size_t n = 0, m = 0;
	int ret = state_list(&all, &n);

	*out = NULL;
	if (ret || !n) {
		free(all);
		return ret == -ENOENT ? 0 : ret;
	}
	if (!(*out = calloc(n, sizeof(**out)))) {
		free(all);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n && !ret; ++i) {
		if ((ret = state_read(all[i].key, all[i].ifname, &st))) {
			ret = ret == -ENOENT ? 0 : ret;
			continue;
		}
		if (!st.via_id.ino || !st.netns_id.ino)
			continue;
		(*out)[m].from = st.netns_id;
		(*out)[m].to = st.via_id;
		snprintf((*out)[m].ifname, sizeof((*out)[m].ifname), "%s", st.ifname);
		snprintf((*out)[m].netns, sizeof((*out)[m].netns), "%.255s", st.netns);
		++m;
	}
	free(all);
	if (ret) {
		free(*out);
		*out = NULL;
		return ret;
	}
	return (ssize_t)m;
}

/*
 * A loop of vias would carry each tunnel's packets in the other's, and
 * neither could go down first: every path from OUTER along the records'
 * vias is followed (a namespace may hold several tunnels), and one that
 * comes back to the interface's own namespace is refused.
 */
static const struct via_edge *loop_back(const struct via_edge *e, size_t n, const struct netns_id *start,
					const struct netns_id *inner)
{
	struct netns_id *todo;
	const struct via_edge *found = NULL;
	size_t head = 0, tail = 0;
	bool *seen;

	if (!e || !n)
		return NULL;
	/* Each edge is taken once: at most n namespaces after the first. */
	todo = calloc(n + 1, sizeof(*todo));
	seen = calloc(n, sizeof(*seen));
	if (!todo || !seen)
		goto out;
	todo[tail++] = *start;
	while (head < tail && !found) {
		struct netns_id at = todo[head++];

		for (size_t i = 0; i < n && !found; ++i) {
			if (seen[i] || !netns_id_same(&e[i].from, &at))
				continue;
			seen[i] = true;
			if (netns_id_same(&e[i].to, inner))
				found = &e[i];
			else
				todo[tail++] = e[i].to;
		}
	}
out:
	free(todo);
	free(seen);
	return found;
}

int tunnel_via_not_inner(struct tunnel *t, const struct netns_id *inner)
{
	const struct via_edge *loop;
	struct via_edge *edges;
	ssize_t got;
	size_t n;
	int ret = 0;

	if (!*t->st.via)
		return 0;
	if (netns_id_same(&t->st.via_id, inner)) {
		fprintf(stderr, "%s: --via: `%s' is namespace `%s' itself: the socket goes in another one\n", prog,
			t->st.via, t->ns);
		return -EINVAL;
	}
	if ((got = read_edges(&edges)) < 0)
		return tunnel_failed("unable to read the records' vias", (int)got, NULL);
	n = (size_t)got;
	loop = loop_back(edges, n, &t->st.via_id, inner);
	if (loop) {
		fprintf(stderr, "%s: --via: `%s' in namespace `%s' has its socket in namespace `%s' already: a loop\n", prog,
			loop->ifname, loop->netns, t->ns);
		ret = -ELOOP;
	}
	free(edges);
	return ret;
}

int tunnel_via_reopen(struct tunnel *t)
{
	int fd;

	/* reload --via (the same options as up, from a unit's environment file): the via is kept, never changed. */
	if (t->via && t->has_record && strcmp(via_normal(t->via), t->st.via)) {
		fprintf(stderr, "%s: --via: `%s' was brought up with %s%s%s: reload keeps it (down, then up, to change it)\n",
			prog, t->lc.ifname, *t->st.via ? "--via `" : "its socket on the host", t->st.via, *t->st.via ? "'" : "");
		return -EINVAL;
	}
	if (!*t->st.via)
		return 0;
	fd = open_recorded(t);
	/* Gone, or its name now another namespace's: what was in it went with it. */
	if (fd == -ENOENT) {
		t->via_gone = true;
		return 0;
	}
	if (fd < 0) {
		fprintf(stderr, "%s: unable to open namespace `%s', where the socket of `%s' is: %s\n", prog, t->st.via,
			t->lc.ifname, netns_strerror(fd));
		return fd;
	}
	t->via_fd = fd;
	t->via_named = !netns_arg_is_path(t->st.via);
	return 0;
}

int tunnel_open_outer(struct tunnel *t)
{
	char where[4200];
	int ret;

	if (t->via_gone) {
		fprintf(stderr, "%s: namespace `%s', where the socket of `%s' was, is gone or was replaced\n", prog,
			t->st.via, t->lc.ifname);
		return -ENOENT;
	}
	ret = t->via_fd >= 0 ? nl_open_in(&t->host, NETLINK_ROUTE, t->via_fd) : nl_open(&t->host, NETLINK_ROUTE);
	if (ret) {
		fprintf(stderr, "%s: unable to open a netlink socket in %s: %s\n", prog,
			tunnel_outer_name(t, where, sizeof(where)), strerror(-ret));
		return ret;
	}
	if (t->via_fd >= 0 && (ret = nl_open(&t->real_host, NETLINK_ROUTE)))
		fprintf(stderr, "%s: unable to open a netlink socket on the host: %s\n", prog, strerror(-ret));
	return ret;
}

/* The namespace of the record's via, by the fd open (up's own) or by its name: -ENOENT when gone or replaced. */
static int open_recorded(const struct tunnel *t)
{
	struct netns_id id;
	int fd;

	if (t->via_fd >= 0 && !netns_identity(t->via_fd, &id) && netns_id_same(&id, &t->st.via_id)) {
		fd = fcntl(t->via_fd, F_DUPFD_CLOEXEC, 3);
		return fd < 0 ? -errno : fd;
	}
	return netns_open_as(t->st.via, &t->st.via_id);
}

int tunnel_open_recorded_outer(const struct tunnel *t, struct nl *nl)
{
	int fd, ret;

	if (!*t->st.via)
		return nl_open(nl, NETLINK_ROUTE);
	fd = open_recorded(t);
	if (fd < 0)
		return fd;
	ret = nl_open_in(nl, NETLINK_ROUTE, fd);
	close(fd);
	return ret;
}

/* ---- names resolved in OUTER ---- */

/* What the child writes back: the outcome, then every peer's address. */
struct via_reply {
	int ret;
	size_t peer; /* the failure's */
	char message[256];
};

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A signal that asks for a rollback ends the wait, whenever it came (tunnel_stop is set before EINTR). */
static int read_all(int fd, void *buf, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char *p = buf;

	while (len) {
		ssize_t n;

		if (tunnel_stop)
			return -EINTR;
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * The host's resolving daemons answer on sockets in the file system, which
 * a network namespace does not hide: systemd-resolved (nss-resolve), nscd,
 * avahi (nss-mdns). /dev/null over each socket, in the child's mounts: the
 * NSS modules find no daemon and go on to DNS. The directories stay (the
 * host's /etc/resolv.conf may be a link into resolved's).
 */
static void hide_host_resolvers(void)
{
	static const char *const sockets[] = { "/run/systemd/resolve/io.systemd.Resolve", "/run/nscd/socket",
						"/var/run/nscd/socket", "/run/avahi-daemon/socket" };

	for (size_t i = 0; i < sizeof(sockets) / sizeof(sockets[0]); ++i) {
		if (!access(sockets[i], F_OK) && mount("/dev/null", sockets[i], NULL, MS_BIND, NULL))
			fprintf(stderr, "%s: warning: unable to hide %s from the resolver: %s\n", prog, sockets[i],
				strerror(errno));
	}
}

/* In the child: nothing of nswg's but the pipe and OUTER, and it dies with nswg. */
static int child_alone(int out, int via_fd, pid_t parent)
{
	long max = sysconf(_SC_OPEN_MAX);

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		return -ESRCH;
	for (long fd = 3; fd < (max > 0 && max < 1L << 20 ? max : 1L << 20); ++fd) {
		if (fd != out && fd != via_fd)
			close((int)fd);
	}
	return 0;
}

static void resolve_child(struct tunnel *t, int retries, resolve_notify_fn notify, int out, pid_t parent)
{
	struct nswg_config *cfg = t->lc.cfg;
	struct via_reply reply = { 0 };
	struct resolve_error err = { 0 };

	/* The namespace's lock, the journal's fds: never held on by a child that outlived nswg. */
	if (child_alone(out, t->via_fd, parent))
		_exit(1);
	/* As `ip netns exec OUTER' sees them: OUTER's resolv.conf, hosts and nsswitch.conf. */
	reply.ret = nsview_private_mounts();
	if (!reply.ret) {
		if (t->via_named)
			nsview_bind_etc(t->st.via);
		hide_host_resolvers();
	}
	if (!reply.ret && setns(t->via_fd, CLONE_NEWNET))
		reply.ret = -errno;
	if (reply.ret) {
		snprintf(reply.message, sizeof(reply.message), "unable to enter namespace `%.160s': %s", t->st.via,
			 strerror(-reply.ret));
	} else {
		reply.ret = resolve_endpoints(cfg, retries, notify, NULL, &tunnel_stop, &err);
		if (reply.ret == -EHOSTUNREACH) {
			reply.peer = (size_t)(err.peer - cfg->peers);
			snprintf(reply.message, sizeof(reply.message), "%.200s", err.message);
		}
	}
	if (write_all(out, &reply, sizeof(reply)))
		_exit(1);
	for (size_t i = 0; !reply.ret && i < cfg->n_peers; ++i) {
		if (write_all(out, &cfg->peers[i].endpoint.addr, sizeof(cfg->peers[i].endpoint.addr)))
			_exit(1);
	}
	_exit(0);
}

static bool names_to_resolve(const struct nswg_config *cfg)
{
	for (size_t i = 0; i < cfg->n_peers; ++i) {
		if (cfg->peers[i].endpoint.host && cfg->peers[i].endpoint.addr.sa.sa_family == AF_UNSPEC)
			return true;
	}
	return false;
}

int tunnel_resolve_in_via(struct tunnel *t, int retries, resolve_notify_fn notify)
{
	struct nswg_config *cfg = t->lc.cfg;
	struct via_reply reply;
	pid_t pid, parent = getpid();
	int fds[2], ret, status;

	if (!names_to_resolve(cfg))
		return 0;
	if (pipe2(fds, O_CLOEXEC))
		return tunnel_failed("unable to resolve the endpoints", -errno, NULL);
	/* A child: the mounts that give OUTER's files must not be nswg's, which writes the journal and DNS files. */
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(fds[0]);
		close(fds[1]);
		return tunnel_failed("unable to resolve the endpoints", ret, NULL);
	}
	if (!pid)
		resolve_child(t, retries, notify, fds[1], parent);
	close(fds[1]);
	ret = read_all(fds[0], &reply, sizeof(reply));
	for (size_t i = 0; !ret && !reply.ret && i < cfg->n_peers; ++i)
		ret = read_all(fds[0], &cfg->peers[i].endpoint.addr, sizeof(cfg->peers[i].endpoint.addr));
	close(fds[0]);
	if (ret == -EINTR)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (ret == -EINTR || (!ret && reply.ret == -EINTR))
		return -EINTR;
	if (ret == -EPIPE) {
		fprintf(stderr, "%s: the resolver in namespace `%s' ended without an answer\n", prog, t->st.via);
		return -EHOSTUNREACH;
	}
	if (ret)
		return tunnel_failed("unable to resolve the endpoints in the --via namespace", ret, NULL);
	if (reply.ret == -EHOSTUNREACH && reply.peer < cfg->n_peers)
		fprintf(stderr, "%s: %s:%u: %s\n", prog, t->lc.path, cfg->peers[reply.peer].line, reply.message);
	else if (reply.ret)
		fprintf(stderr, "%s: %s\n", prog, reply.message);
	return reply.ret;
}

/* ---- tunnels that lean on this one ---- */

/* The first record whose via is the namespace id: 1 (other filled), 0 (none), or -errno. */
static int first_dependent(const struct netns_id *id, struct nswg_state *other)
{
	struct state_entry *all = NULL;
	size_t n = 0;
	int ret = state_list(&all, &n), found = 0;

	if (ret)
		return ret == -ENOENT ? 0 : ret;
	for (size_t i = 0; i < n && !found; ++i) {
		if (!state_read(all[i].key, all[i].ifname, other) && other->via_id.ino &&
		    netns_id_same(&other->via_id, id))
			found = 1;
	}
	free(all);
	return found;
}

int tunnel_via_dependents(struct tunnel *t)
{
	struct nswg_state other;
	int ret;

	if (!t->has_record || !t->st.netns_id.ino)
		return 0;
	if ((ret = first_dependent(&t->st.netns_id, &other)) < 0)
		return tunnel_failed("unable to read the state", ret, NULL);
	if (!ret)
		return 0;
	fprintf(stderr, "%s: `%s' in namespace `%s' has its socket in namespace `%s' (--via): take it down first\n", prog,
		other.ifname, other.netns, t->ns);
	return -EBUSY;
}

int tunnel_via_keeps_netns(const struct tunnel *t)
{
	struct nswg_state other;
	struct netns_id id;
	int ret;

	if (t->room.netns_id.ino)
		id = t->room.netns_id;
	else if (t->ns_fd < 0 || netns_identity(t->ns_fd, &id))
		return 0;
	if ((ret = first_dependent(&id, &other)) <= 0)
		return ret;
	fprintf(stderr, "Warning: namespace `%s' is kept: the socket of `%s' in namespace `%s' is in it (--via)\n", t->ns,
		other.ifname, other.netns);
	return 1;
}

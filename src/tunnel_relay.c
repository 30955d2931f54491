// SPDX-License-Identifier: MIT
/*
 * The relay as a step of up, and of the way back: its specs checked before
 * anything is touched, its listening sockets opened by up on their sides
 * (so that a port taken fails up, naming the spec and the side), then the
 * relay started at its gate, recorded, released, and waited for until it
 * says it serves. The way back stops it by its recorded pid and start time;
 * with it go its listening sockets, which no other process holds.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "privdrop.h"
#include "socks.h"
#include "util.h"
#include "relay_proc.h"
#include "tunnel.h"

static bool addr_is_loopback(const union relay_addr *a)
{
	return a->sa.sa_family == AF_INET6 ? IN6_IS_ADDR_LOOPBACK(&a->in6.sin6_addr) :
					     (ntohl(a->in.sin_addr.s_addr) >> 24) == 127;
}

/* What a --host-port opens, said where up says what it does. */
static void warn_host_port(const struct tunnel *t, const struct relay_spec *s)
{
	char target[64], listen[64];

	relay_addr_format(&s->target, target, sizeof(target));
	relay_addr_format(&s->listen, listen, sizeof(listen));
	fprintf(stderr, "Warning: --host-port %s: programs in namespace `%s' reach %s on the host, outside the tunnel%s%s%s\n",
		s->text, t->ns, target, addr_is_loopback(&s->listen) ? "" : "; and the tunnel's peers too, at ",
		addr_is_loopback(&s->listen) ? "" : listen, addr_is_loopback(&s->listen) ? "" : " inside");
}

/* Before anything is touched: what the specs ask must be possible in this namespace. */
int tunnel_relay_check(struct tunnel *t)
{
	const struct relay_set *set = &t->relays;
	bool ipv6 = tunnel_has_ipv6_address(t->lc.cfg);
	struct socks_credentials cred;
	const struct passwd *pw;
	char why[320];

	if (relay_set_check(set, sizeof(t->st.relays), why, sizeof(why))) {
		fprintf(stderr, "%s: %s\n", prog, why);
		return -EINVAL;
	}
	if (t->cmd == TUNNEL_RELOAD && tunnel_relay_inherit(t))
		return -EINVAL;
	for (size_t i = 0; i < set->n; ++i) {
		const struct relay_spec *s = &set->specs[i];
		const union relay_addr *inside = relay_listens_inside(s) ? &s->listen : &s->target;

		/* nswg keeps IPv6 off in a namespace whose interfaces have no IPv6 address. */
		if (s->kind != RELAY_SOCKS && inside->sa.sa_family == AF_INET6 && !ipv6) {
			fprintf(stderr, "%s: %s %s: an IPv6 address inside the namespace, where %s has no IPv6 Address "
					"and nswg keeps IPv6 off\n", prog, relay_kind_option(s->kind), s->text,
				t->lc.ifname);
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < set->n; ++i) {
		if (set->specs[i].kind == RELAY_HOST_PORT)
			warn_host_port(t, &set->specs[i]);
	}
	if (!set->n)
		return 0;
	pw = privdrop_find_user(set->user);
	if (!pw || !pw->pw_uid) {
		fprintf(stderr, "%s: --relay-user %s: %s\n", prog, set->user,
			pw ? "the relay never serves as root" : "unknown user");
		return -EINVAL;
	}
	/* The relay reads it again as it starts: a file that will not do fails up now, not at its last step. */
	if (set->socks_auth && relay_credentials_load(set->socks_auth, &cred))
		return -EINVAL;
	memzero_explicit(&cred, sizeof(cred));
	/* The relay starts in /: the file by a path that does not depend on where up ran. */
	if (set->socks_auth && !(t->socks_auth_path = realpath(set->socks_auth, NULL)))
		return tunnel_failed("--socks-auth", -errno, NULL);
	/* The journal keeps it on a line of its own. */
	if (t->socks_auth_path && strchr(t->socks_auth_path, '\n')) {
		fprintf(stderr, "%s: --socks-auth: a path with a newline in it is refused\n", prog);
		return -EINVAL;
	}
	t->relays.socks_auth = t->socks_auth_path ? t->socks_auth_path : set->socks_auth;
	memzero_explicit(&cred, sizeof(cred));
	return 0;
}

/* Whether a and b listen on one socket: of one type, on one side, at one address. */
static bool same_socket(const struct relay_spec *a, const struct relay_spec *b)
{
	return a->type == b->type && relay_listens_inside(a) == relay_listens_inside(b) &&
	       relay_addr_same(&a->listen, &b->listen);
}

/*
 * The socket the running relay (pidfd) listens on for a spec of old that
 * listens where s does: the same socket, taken from it (pidfd_getfd), so
 * that the relay replacing it is never refused the port, and no client is
 * refused while the relays change. up hands the relay its listeners at 3,
 * 4, ... in the order of its specs; what is taken is checked all the same,
 * and one the relay no longer holds (closed, or its number reused) is made
 * afresh. -ENOENT when old has none there.
 */
static int take_listener(const struct tunnel *t, int pidfd, const struct relay_set *old, const struct relay_spec *s)
{
	const char *why;
	int fd;

	for (size_t j = 0; pidfd >= 0 && j < old->n; ++j) {
		if (!same_socket(&old->specs[j], s))
			continue;
		fd = (int)syscall(SYS_pidfd_getfd, pidfd, 3 + (int)j, 0);
		if (fd < 0 && errno == EBADF)
			return -ENOENT;
		if (fd < 0) {
			int ret = -errno;

			fprintf(stderr, "%s: %s %s: unable to take the running relay's socket: %s%s\n", prog,
				relay_kind_option(s->kind), s->text, strerror(-ret),
				ret == -EPERM || ret == -ENOSYS ?
					" (it takes Linux 5.6 or later, CAP_SYS_PTRACE, and kernel.yama.ptrace_scope below 3; "
					"or run down and up)" : "");
			return ret;
		}
		if (relay_socket_check(fd, s, t->ns_fd, &why)) {
			close(fd);
			return -ENOENT;
		}
		return fd;
	}
	return -ENOENT;
}

/* The running relay's spec that holds the port s would listen on, by another address: NULL when none. */
static const struct relay_spec *port_held(const struct relay_set *old, const struct relay_spec *s)
{
	for (size_t j = 0; j < old->n; ++j) {
		if (!same_socket(&old->specs[j], s) && relay_spec_same_listener(&old->specs[j], s))
			return &old->specs[j];
	}
	return NULL;
}

/*
 * Each spec's listening socket, on its side: the running relay's where it
 * listens there already (reload), else a new one; a port taken names the
 * spec and the side.
 */
static int open_listeners(struct tunnel *t, int *fds, int pidfd, const struct relay_set *old)
{
	const struct relay_spec *held;
	char where[64];

	for (size_t i = 0; i < t->relays.n; ++i) {
		const struct relay_spec *s = &t->relays.specs[i];

		fds[i] = take_listener(t, pidfd, old, s);
		if (fds[i] == -ENOENT)
			fds[i] = relay_listen(s, t->ns_fd);
		else if (fds[i] < 0)
			return fds[i];
		if (fds[i] == -EADDRINUSE && (held = port_held(old, s))) {
			fprintf(stderr, "%s: %s %s: the running relay listens on that port for %s %s; "
					"move it in two reloads (without it, then with it)\n", prog,
				relay_kind_option(s->kind), s->text, relay_kind_option(held->kind), held->text);
			return fds[i];
		}
		if (fds[i] < 0) {
			relay_addr_format(&s->listen, where, sizeof(where));
			fprintf(stderr, "%s: %s %s: unable to listen %s at %s: %s\n", prog, relay_kind_option(s->kind),
				s->text, relay_side(s), where, strerror(-fds[i]));
			return fds[i];
		}
	}
	return 0;
}

/* The counters' file, its header written: the relay maps it, show reads it. next: reload's, put in place later. */
static int open_stats(struct tunnel *t, bool next)
{
	struct relay_stats head = { .magic = RELAY_STATS_MAGIC, .n = t->relays.n };
	int fd = next ? state_relay_stats_open_next(t->key, t->lc.ifname) :
			state_relay_stats_open(t->key, t->lc.ifname, true);

	if (fd < 0)
		return fd;
	if (pwrite(fd, &head, sizeof(head), 0) != (ssize_t)sizeof(head)) {
		int ret = errno ? -errno : -EIO;

		close(fd);
		return ret;
	}
	return fd;
}

/* Started at its gate, recorded, released, and serving. */
static int launch(struct tunnel *t, struct relay_launch *l)
{
	struct daemon_proc proc;
	struct daemon_gate gate;
	int ret, status = 0, notify;
	char name[128];

	notify = relay_notify_open(name, sizeof(name));
	if (notify < 0)
		return tunnel_failed("unable to open a socket for the relay's word", notify, NULL);
	l->notify = name;
	ret = relay_spawn(l, &proc, &gate);
	l->notify = NULL; /* in the relay's environment now; name is this call's */
	if (ret) {
		close(notify);
		return tunnel_failed("unable to start the relay", ret, NULL);
	}
	if ((ret = tunnel_record_gated(t, &proc, &gate, &t->st.relay_pid, &t->st.relay_start))) {
		/* Ended at its gate. */
	} else if ((ret = daemon_release(&gate, &proc))) {
		tunnel_failed("unable to start the relay", ret, NULL);
		t->st.relay_pid = 0;
	} else if ((ret = relay_wait_ready(notify, &proc, &status, &tunnel_stop)) == -ECHILD) {
		tunnel_print_log(t, "the relay");
		fprintf(stderr, "%s: the relay exited with status %d before it served\n", prog,
			WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		t->st.relay_pid = 0;
	} else if (ret) {
		tunnel_print_log(t, "the relay");
		tunnel_failed("the relay did not say it serves", ret, NULL);
	}
	close(notify);
	return ret;
}

/* What up and reload hand a relay: its sockets (some taken from the running relay), counters, log. */
struct relay_start {
	struct relay_launch l;
	int fds[RELAY_SPEC_MAX];
};

static int prepare(struct tunnel *t, struct relay_start *r, int pidfd, const struct relay_set *old)
{
	int ret;

	r->l = (struct relay_launch){ .set = &t->relays, .ns_name = t->ns, .ns_fd = t->ns_fd, .stats_fd = -1,
				      .log_fd = t->log_fd, .listeners = r->fds, .predecessor_fd = -1 };
	for (size_t i = 0; i < RELAY_SPEC_MAX; ++i)
		r->fds[i] = -1;
	ret = open_listeners(t, r->fds, pidfd, old);
	/* In reload, the counters in a file of their own until the new relay serves. */
	if (!ret && (r->l.stats_fd = open_stats(t, t->cmd == TUNNEL_RELOAD)) < 0)
		ret = tunnel_failed("unable to create the relay's counters under " NSWG_STATE_DIR, r->l.stats_fd, NULL);
	if (!ret && t->log_fd < 0 &&
	    (t->log_fd = r->l.log_fd = state_log_open(t->key, t->lc.ifname, t->cmd == TUNNEL_UP)) < 0)
		ret = tunnel_failed("unable to create the relay's log under " NSWG_STATE_DIR, t->log_fd, NULL);
	if (!ret && (t->log_from = lseek(t->log_fd, 0, SEEK_END)) < 0)
		t->log_from = 0;
	return ret;
}

/* The relay holds them now, or nobody: nothing of the relay stays open in nswg. */
static void release(struct tunnel *t, struct relay_start *r)
{
	for (size_t i = 0; i < t->relays.n; ++i) {
		if (r->fds[i] >= 0)
			close(r->fds[i]);
	}
	if (r->l.stats_fd >= 0)
		close(r->l.stats_fd);
}

/* The set as the journal keeps it: its specs, and the options reload keeps when they are not given again. */
static int record_set(struct tunnel *t)
{
	const struct relay_set *set = &t->relays;
	int ret = relay_set_format(set, t->st.relays, sizeof(t->st.relays));

	if (ret)
		return tunnel_failed("unable to record the relays", ret, NULL);
	struct stat auth;

	/* The credentials file as it is now: reload starts a new relay when it changed, even under the same name. */
	t->st.relay_socks_auth_id[0] = '\0';
	if (set->socks_auth && !stat(set->socks_auth, &auth))
		snprintf(t->st.relay_socks_auth_id, sizeof(t->st.relay_socks_auth_id), "%llu:%llu:%lld.%09ld",
			 (unsigned long long)auth.st_dev, (unsigned long long)auth.st_ino, (long long)auth.st_mtim.tv_sec,
			 auth.st_mtim.tv_nsec);
	/* Inherited options point into the journal itself: copied only when they are new. */
	if (set->socks_auth != t->st.relay_socks_auth)
		snprintf(t->st.relay_socks_auth, sizeof(t->st.relay_socks_auth), "%s", set->socks_auth ? set->socks_auth : "");
	if (set->user != t->st.relay_user)
		snprintf(t->st.relay_user, sizeof(t->st.relay_user), "%s", set->n ? set->user : "");
	t->st.relay_max_connections = set->n ? (int)set->max_connections : 0;
	t->st.relay_udp_timeout = set->n ? (int)set->udp_timeout : 0;
	return 0;
}

int tunnel_relay_start(struct tunnel *t)
{
	struct relay_start r;
	int ret;

	if (!t->relays.n)
		return 0;
	if ((ret = record_set(t)))
		return ret;
	if (!tunnel_say(t, "nswg relay %s %s", t->ns, t->st.relays))
		return 0;
	ret = prepare(t, &r, -1, &(struct relay_set){ .n = 0 });
	if (!ret)
		ret = launch(t, &r.l);
	release(t, &r);
	return ret;
}

static int stop(struct tunnel *t, int *pid, unsigned long long *start_time, const char *which)
{
	struct daemon_proc proc = { .pid = *pid, .start = *start_time };
	int ret;

	if (!proc.pid || !tunnel_say(t, "kill %d", proc.pid))
		return 0;
	ret = daemon_terminate(&proc);
	if (ret) {
		fprintf(stderr, "%s: unable to stop %s (pid %d): %s\n", prog, which, proc.pid, strerror(-ret));
		return ret;
	}
	*pid = 0;
	*start_time = 0;
	return 0;
}

int tunnel_relay_stop(struct tunnel *t)
{
	int ret = stop(t, &t->st.relay_draining_pid, &t->st.relay_draining_start, "the relay reload replaced");
	int r = stop(t, &t->st.relay_pid, &t->st.relay_start, "the relay");

	return ret ? ret : r;
}

/* Options reload is not given again keep the running relay's: a SOCKS entrance never loses its credentials so. */
int tunnel_relay_inherit(struct tunnel *t)
{
	struct relay_set *set = &t->relays;
	bool socks = false, udp = false;

	if (!set->n)
		return 0; /* --no-relays: nothing to keep */
	for (size_t i = 0; i < set->n; ++i) {
		socks |= set->specs[i].kind == RELAY_SOCKS;
		udp |= set->specs[i].type == SOCK_DGRAM;
	}
	/* A relay of an earlier nswg: its options were not recorded, and its credentials must not go unnoticed. */
	if (socks && !set->socks_auth && t->st.relay_pid && !*t->st.relay_user && strstr(t->st.relays, "--socks ")) {
		fprintf(stderr, "%s: --socks: the running relay was started by an earlier nswg, which did not record "
				"whether it asks for credentials: give --socks-auth FILE again, or run down and up\n", prog);
		return -EINVAL;
	}
	if (socks && !set->socks_auth && *t->st.relay_socks_auth)
		set->socks_auth = t->st.relay_socks_auth;
	if (!set->user_given && *t->st.relay_user)
		set->user = t->st.relay_user;
	if (!set->max_connections_given && t->st.relay_max_connections > 0)
		set->max_connections = (size_t)t->st.relay_max_connections;
	if (udp && !set->udp_timeout_given && t->st.relay_udp_timeout > 0)
		set->udp_timeout = (unsigned int)t->st.relay_udp_timeout;
	return 0;
}

static bool blocks_sigusr1(const char *status)
{
	char line[256];
	unsigned long long mask = 0;
	bool found = false;
	FILE *f = fopen(status, "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "SigBlk: %llx", &mask) == 1;
	fclose(f);
	return found && (mask & (1ULL << (SIGUSR1 - 1)));
}

/*
 * Whether the relay drains on SIGUSR1 (it blocks it, and waits for it): one
 * of an nswg from before reload took relay options would die of it. Its
 * serving threads are asked: the main one waits in sigwaitinfo, which
 * unblocks what it waits for while it does.
 */
static bool drains(pid_t pid)
{
	char path[128];
	struct dirent *e;
	bool yes = false;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if (!(d = opendir(path)))
		return false;
	while (!yes && (e = readdir(d))) {
		if (*e->d_name == '.' || atoi(e->d_name) == pid)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.20s/status", (int)pid, e->d_name);
		yes = blocks_sigusr1(path);
	}
	closedir(d);
	return yes;
}

/* The same specs and options as the running relay's: reload leaves it alone. */
static bool unchanged(const struct tunnel *t, const char *was_relays, const struct nswg_state *was)
{
	return !strcmp(t->st.relays, was_relays) && !strcmp(t->st.relay_socks_auth, was->relay_socks_auth) &&
	       !strcmp(t->st.relay_socks_auth_id, was->relay_socks_auth_id) &&
	       !strcmp(t->st.relay_user, was->relay_user) && t->st.relay_max_connections == was->relay_max_connections &&
	       t->st.relay_udp_timeout == was->relay_udp_timeout;
}

/*
 * The old relay told to drain (or, from an nswg that cannot drain it,
 * stopped): once the new one serves, and only while it does.
 */
static void retire(struct tunnel *t, int pidfd, bool can_drain)
{
	struct daemon_proc now = { .pid = t->st.relay_pid, .start = t->st.relay_start };

	if (now.pid && !daemon_alive(&now))
		fprintf(stderr, "%s: warning: the new relay (pid %d) is gone already\n", prog, now.pid);
	if (!can_drain) {
		fprintf(stderr, "%s: warning: the relay (pid %d) is of an earlier nswg and cannot drain: "
				"its connections end\n", prog, t->st.relay_draining_pid);
		if (!stop(t, &t->st.relay_draining_pid, &t->st.relay_draining_start, "the relay reload replaced"))
			tunnel_record(t);
		return;
	}
	if (syscall(SYS_pidfd_send_signal, pidfd, SIGUSR1, NULL, 0) && errno != ESRCH) {
		fprintf(stderr, "%s: unable to tell the relay (pid %d) it is replaced: %s; stopping it\n", prog,
			t->st.relay_draining_pid, strerror(errno));
		if (!stop(t, &t->st.relay_draining_pid, &t->st.relay_draining_start, "the relay reload replaced"))
			tunnel_record(t);
	}
}

/*
 * Whether the relay behind pidfd still holds its first listener (up and
 * reload hand it at 3): once it drained, 3 is closed, or another socket of
 * its (a connection's) took the number.
 */
static bool holds_listener(int pidfd)
{
	int fd = (int)syscall(SYS_pidfd_getfd, pidfd, 3, 0), type = 0, listening = 0;
	socklen_t len = sizeof(type);
	union relay_addr peer;
	bool yes;

	if (fd < 0)
		return errno != EBADF; /* not to be told: as if it held it */
	yes = !getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) &&
	      (type == SOCK_STREAM ? (len = sizeof(listening), !getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) &&
							    listening) :
				     (len = sizeof(peer), getpeername(fd, &peer.sa, &len) && errno == ENOTCONN));
	close(fd);
	return yes;
}

/*
 * A reload that failed after its relay started: that one ended, the old one
 * recorded again. Unless the old one was told already (the new relay tells
 * it once it serves, before its word reaches reload) and has closed its
 * listeners: then the new one, serving, stays, and the reload's relay is
 * done after all (1).
 */
static int roll_back(struct tunnel *t, const struct nswg_state *was, int pidfd)
{
	struct daemon_proc drainer = { .pid = was->relay_draining_pid, .start = was->relay_draining_start },
			   now = { .pid = t->st.relay_pid, .start = t->st.relay_start };

	if (pidfd >= 0 && now.pid && daemon_alive(&now) && !holds_listener(pidfd)) {
		fprintf(stderr, "%s: the relay was replaced all the same: pid %d serves, pid %d drains\n", prog,
			now.pid, t->st.relay_draining_pid);
		tunnel_record(t);
		return 1;
	}
	/* One that would not end stays recorded: down tries again (where a relay drains, in the running one's place). */
	if (stop(t, &t->st.relay_pid, &t->st.relay_start, "the relay")) {
		if (drainer.pid && daemon_alive(&drainer) && (!was->relay_pid || pidfd < 0)) {
			tunnel_record(t);
			return 0;
		}
		t->st.relay_draining_pid = t->st.relay_pid;
		t->st.relay_draining_start = t->st.relay_start;
	} else {
		/* The earlier one, unless it was stopped to make room. */
		bool alive = drainer.pid && daemon_alive(&drainer);

		t->st.relay_draining_pid = alive ? drainer.pid : 0;
		t->st.relay_draining_start = alive ? drainer.start : 0;
	}
	t->st.relay_pid = was->relay_pid;
	t->st.relay_start = was->relay_start;
	snprintf(t->st.relays, sizeof(t->st.relays), "%s", was->relays);
	snprintf(t->st.relay_socks_auth, sizeof(t->st.relay_socks_auth), "%s", was->relay_socks_auth);
	snprintf(t->st.relay_socks_auth_id, sizeof(t->st.relay_socks_auth_id), "%s", was->relay_socks_auth_id);
	snprintf(t->st.relay_user, sizeof(t->st.relay_user), "%s", was->relay_user);
	t->st.relay_max_connections = was->relay_max_connections;
	t->st.relay_udp_timeout = was->relay_udp_timeout;
	tunnel_record(t);
	return 0;
}

/*
 * What a reload killed midway left: a relay recorded as draining that was
 * never told (its successor died at its gate, or --no-relays was cut short)
 * still serves every port it had, with no running relay beside it. It is
 * stopped: the ports are then free for what this reload asks. The counters
 * of a relay that serves, left under their temporary name, are put in place.
 */
static void settle_interrupted(struct tunnel *t)
{
	struct daemon_proc now = { .pid = t->st.relay_pid, .start = t->st.relay_start },
			   drainer = { .pid = t->st.relay_draining_pid, .start = t->st.relay_draining_start };
	bool serving = now.pid && daemon_alive(&now);
	int fd;

	state_relay_stats_commit(t->key, t->lc.ifname, serving);
	if (serving || (fd = daemon_pidfd(&drainer)) < 0)
		return;
	if (holds_listener(fd)) {
		fprintf(stderr, "%s: warning: the relay (pid %d) an interrupted reload replaced still serves: stopping it\n",
			prog, drainer.pid);
		if (!stop(t, &t->st.relay_draining_pid, &t->st.relay_draining_start, "the relay reload replaced"))
			tunnel_record(t);
	}
	close(fd);
}

/*
 * reload's relay options: a new relay for the new set, then the old one
 * told to drain (it closes its listeners, which the new one holds too, and
 * ends when its last connection does). Until the new one serves, the old
 * one runs on as recorded, and a failure leaves it so. One relay drains at
 * a time: one still draining from an earlier reload is stopped when its
 * place in the journal is needed, and only then.
 */
int tunnel_relay_reload(struct tunnel *t)
{
	struct nswg_state *was = malloc(sizeof(*was));
	struct relay_set old;
	struct relay_start r = { .l = { .stats_fd = -1 } };
	bool can_drain;
	int pidfd, ret;

	if (!was)
		return tunnel_failed("unable to reload the relay", -ENOMEM, NULL);
	*was = t->st;
	for (size_t i = 0; i < RELAY_SPEC_MAX; ++i)
		r.fds[i] = -1;
	if (relay_set_parse_recorded(&old, t->st.relays))
		relay_set_init(&old); /* a record not of this nswg: nothing taken from it */
	if (!t->dry_run) {
		settle_interrupted(t);
		*was = t->st;
	}
	if ((ret = record_set(t)))
		goto out;
	pidfd = daemon_pidfd(&(struct daemon_proc){ .pid = t->st.relay_pid, .start = t->st.relay_start });
	if (pidfd == -ESRCH && !t->relays.n && !was->relay_pid) {
		ret = 0; /* none, and none wanted */
		goto out;
	}
	if (pidfd >= 0 && unchanged(t, was->relays, was)) {
		close(pidfd);
		goto out; /* the same relay: it stays, with its connections and counters */
	}
	if (pidfd < 0 && pidfd != -ESRCH) {
		ret = tunnel_failed("unable to reach the running relay", pidfd, NULL);
		goto out;
	}
	if (t->relays.n && !tunnel_say(t, "nswg relay %s %s", t->ns, t->st.relays))
		goto out_pidfd;
	if (pidfd >= 0 && !tunnel_say(t, "kill -USR1 %d", was->relay_pid))
		goto out_pidfd;
	if (t->relays.n && (ret = prepare(t, &r, pidfd, &old)))
		goto out_pidfd;
	can_drain = pidfd >= 0 && drains(was->relay_pid);
	if (pidfd >= 0) {
		/* Its place in the journal is the running one's now. */
		if ((ret = stop(t, &t->st.relay_draining_pid, &t->st.relay_draining_start, "the relay reload replaced")))
			goto out_pidfd;
		t->st.relay_draining_pid = was->relay_pid;
		t->st.relay_draining_start = was->relay_start;
	}
	t->st.relay_pid = 0;
	t->st.relay_start = 0;
	r.l.predecessor_fd = can_drain ? pidfd : -1;
	ret = t->relays.n ? launch(t, &r.l) : tunnel_record(t);
	if (ret && roll_back(t, was, pidfd) == 1)
		ret = 0;
	if (!ret) {
		if (pidfd >= 0)
			retire(t, pidfd, can_drain);
		if (t->relays.n && (ret = state_relay_stats_commit(t->key, t->lc.ifname, true)))
			fprintf(stderr, "%s: unable to put the relay's counters in place: %s\n", prog, strerror(-ret));
		ret = 0;
	}
out_pidfd:
	/* The new relay's counters, made for nothing: a failure leaves only the running relay's. */
	if (t->relays.n && ret)
		state_relay_stats_commit(t->key, t->lc.ifname, false);
	if (pidfd >= 0)
		close(pidfd);
out:
	release(t, &r);
	free(was);
	return ret;
}

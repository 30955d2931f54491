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
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
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
 * 4, ... in the order of its specs; what is taken is checked all the same.
 * -ENOENT when old has none there.
 */
static int take_listener(const struct tunnel *t, int pidfd, const struct relay_set *old, const struct relay_spec *s)
{
	const char *why;
	char where[64];
	int fd, ret;

	for (size_t j = 0; pidfd >= 0 && j < old->n; ++j) {
		if (!same_socket(&old->specs[j], s))
			continue;
		fd = (int)syscall(SYS_pidfd_getfd, pidfd, 3 + (int)j, 0);
		if (fd < 0) {
			ret = -errno;
			fprintf(stderr, "%s: %s %s: unable to take the running relay's socket: %s\n", prog,
				relay_kind_option(s->kind), s->text, strerror(-ret));
			return ret;
		}
		if ((ret = relay_socket_check(fd, s, t->ns_fd, &why))) {
			relay_addr_format(&s->listen, where, sizeof(where));
			fprintf(stderr, "%s: %s %s: the running relay's socket is %s (%s %s)\n", prog,
				relay_kind_option(s->kind), s->text, *why ? why : strerror(-ret), where, relay_side(s));
			close(fd);
			return ret;
		}
		return fd;
	}
	return -ENOENT;
}

/*
 * Each spec's listening socket, on its side: the running relay's where it
 * listens there already (reload), else a new one; a port taken names the
 * spec and the side.
 */
static int open_listeners(struct tunnel *t, int *fds, int pidfd, const struct relay_set *old)
{
	char where[64];

	for (size_t i = 0; i < t->relays.n; ++i) {
		const struct relay_spec *s = &t->relays.specs[i];

		fds[i] = take_listener(t, pidfd, old, s);
		if (fds[i] == -ENOENT)
			fds[i] = relay_listen(s, t->ns_fd);
		else if (fds[i] < 0)
			return fds[i];
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
	int fd = next ? state_relay_stats_open_next(t->key, t->lc.ifname) : state_relay_stats_open(t->key, t->lc.ifname, true);

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

/* The relay of t->relays: its sockets (some taken from the running relay, pidfd), counters, and start. */
static int start(struct tunnel *t, int pidfd, const struct relay_set *old)
{
	struct relay_launch l = { .set = &t->relays, .ns_name = t->ns, .ns_fd = t->ns_fd, .stats_fd = -1,
				  .log_fd = t->log_fd };
	int fds[RELAY_SPEC_MAX], ret;

	for (size_t i = 0; i < RELAY_SPEC_MAX; ++i)
		fds[i] = -1;
	ret = open_listeners(t, fds, pidfd, old);
	if (!ret && (l.stats_fd = open_stats(t, pidfd >= 0)) < 0)
		ret = tunnel_failed("unable to create the relay's counters under " NSWG_STATE_DIR, l.stats_fd, NULL);
	if (!ret && t->log_fd < 0 && (t->log_fd = l.log_fd = state_log_open(t->key, t->lc.ifname)) < 0)
		ret = tunnel_failed("unable to create the relay's log under " NSWG_STATE_DIR, t->log_fd, NULL);
	l.listeners = fds;
	if (!ret)
		ret = launch(t, &l);
	/* The relay holds them now, or nobody: nothing of the relay stays open in nswg. */
	for (size_t i = 0; i < t->relays.n; ++i) {
		if (fds[i] >= 0)
			close(fds[i]);
	}
	if (l.stats_fd >= 0)
		close(l.stats_fd);
	return ret;
}

int tunnel_relay_start(struct tunnel *t)
{
	struct relay_set none = { .n = 0 };
	int ret;

	if (!t->relays.n)
		return 0;
	if ((ret = relay_set_format(&t->relays, t->st.relays, sizeof(t->st.relays))))
		return tunnel_failed("unable to record the relays", ret, NULL);
	if (!tunnel_say(t, "nswg relay %s %s", t->ns, t->st.relays))
		return 0;
	return start(t, -1, &none);
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

/* The running relay, by a pidfd, when it is the one recorded and alive: -1 when there is none to take from. */
static int running_relay(const struct tunnel *t)
{
	struct daemon_proc p = { .pid = t->st.relay_pid, .start = t->st.relay_start };
	int fd;

	if (!p.pid || (fd = (int)syscall(SYS_pidfd_open, p.pid, 0)) < 0)
		return -1;
	/* The pid is pinned now: the process recorded, still? */
	if (!daemon_alive(&p)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * reload's relay options: a new relay for the new set, then the old one
 * told to drain (it closes its listeners, which the new one holds too, and
 * ends when its last connection does). One relay drains at a time: one
 * still draining from an earlier reload is stopped first. Until the new
 * one serves, the old one runs on as recorded, and a failure leaves it so.
 */
int tunnel_relay_reload(struct tunnel *t)
{
	struct nswg_state was = t->st;
	struct relay_set old;
	int pidfd, ret;

	if (relay_set_parse_recorded(&old, t->st.relays))
		relay_set_init(&old); /* a record not of this nswg: nothing taken from it */
	if ((ret = relay_set_format(&t->relays, t->st.relays, sizeof(t->st.relays))))
		return tunnel_failed("unable to record the relays", ret, NULL);
	if (!tunnel_say(t, "nswg relay %s %s", t->ns, *t->st.relays ? t->st.relays : "(none)"))
		return 0;
	/* The relay an earlier reload replaced: cut short, its place is the running one's. */
	if ((ret = stop(t, &t->st.relay_draining_pid, &t->st.relay_draining_start, "the relay reload replaced")))
		return ret;
	pidfd = running_relay(t);
	t->st.relay_draining_pid = pidfd >= 0 ? t->st.relay_pid : 0;
	t->st.relay_draining_start = pidfd >= 0 ? t->st.relay_start : 0;
	t->st.relay_pid = 0;
	t->st.relay_start = 0;
	ret = t->relays.n ? start(t, pidfd, &old) : tunnel_record(t);
	if (ret) {
		/* A relay started and recorded, that did not say it serves: ended, the old one recorded again. */
		stop(t, &t->st.relay_pid, &t->st.relay_start, "the relay");
		snprintf(t->st.relays, sizeof(t->st.relays), "%s", was.relays);
		t->st.relay_pid = was.relay_pid;
		t->st.relay_start = was.relay_start;
		t->st.relay_draining_pid = 0;
		t->st.relay_draining_start = 0;
		tunnel_record(t);
		if (pidfd >= 0 && t->relays.n)
			state_relay_stats_commit(t->key, t->lc.ifname, false);
	} else {
		if (pidfd >= 0 && t->relays.n && (ret = state_relay_stats_commit(t->key, t->lc.ifname, true)))
			fprintf(stderr, "%s: unable to put the relay's counters in place: %s\n", prog, strerror(-ret));
		if (pidfd >= 0 && syscall(SYS_pidfd_send_signal, pidfd, SIGUSR1, NULL, 0))
			fprintf(stderr, "%s: unable to tell the relay it is replaced: %s\n", prog, strerror(errno));
		ret = 0;
	}
	if (pidfd >= 0)
		close(pidfd);
	return ret;
}

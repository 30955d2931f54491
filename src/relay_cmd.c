// SPDX-License-Identifier: MIT
/*
 * nswg relay NS SPEC...: the relay in the foreground, for a systemd service
 * (and, started by up, for a tunnel). Everything it needs is opened while
 * it is root: its listening sockets (handed over by systemd's socket
 * activation, or made here on their sides), the namespace, the resolvers
 * and the credentials of the SOCKS entrance. A thread for each side then
 * settles in the namespace where its connections are made, and root goes
 * for good (nobody, no capability, no_new_privs) before one byte is served.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"
#include "netns.h"
#include "privdrop.h"
#include "relay_proc.h"
#include "relay_serve.h"
#include "socks.h"
#include "state.h"
#include "util.h"

#define LISTEN_FDS_START 3

struct relay_cmd {
	struct relay_set set;
	const char *ns;
	int ns_fd, stats_fd;
	struct relay_listener ls[RELAY_SPEC_MAX];
	struct relay_stats *stats;
	struct relay_socks_config socks;
	int notify_fd;
	int drain_fd; /* an eventfd the loops watch: written on SIGUSR1 */
	int pred_fd;  /* --replaces-fd: the relay this one replaces, a pidfd; -1 */
};

/* One loop's thread: the namespace it makes its connections in, and its listeners. */
struct side {
	pthread_t thread;
	bool used;
	int ns_fd; /* -1: stays on the host */
	struct relay_listener ls[RELAY_SPEC_MAX];
	size_t n;
	struct relay_options opt;
	pthread_barrier_t *barrier;
	int err;
	int *serving; /* the loops still serving: when the last has drained, the relay ends */
};

static int usage_relay(void)
{
	fprintf(stderr, "Usage: %s relay NS [ --publish SPEC | --host-port SPEC | --socks SPEC ]... "
			"[ --socks-auth FILE ] [ --relay-user USER ] [ --max-connections N ] [ --udp-timeout S ]\n",
		prog);
	return 1;
}

static int fd_option(const char *v, int *fd)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (*v < '0' || *v > '9' || *end || n < LISTEN_FDS_START || n > 65535)
		return -EINVAL;
	*fd = (int)n;
	return 0;
}

static int parse(struct relay_cmd *r, int argc, char *argv[])
{
	char why[320];
	int ret;

	for (int i = 1; i < argc; ++i) {
		if ((ret = relay_set_option(&r->set, argc, argv, &i, why, sizeof(why))) < 0) {
			fprintf(stderr, "%s: %s\n", prog, why);
			return -EINVAL;
		}
		if (ret)
			continue;
		/* Up's own: the namespace and the counters it opened for its relay. */
		if (!strcmp(argv[i], "--netns-fd") && i + 1 < argc && !fd_option(argv[i + 1], &r->ns_fd))
			++i;
		else if (!strcmp(argv[i], "--stats-fd") && i + 1 < argc && !fd_option(argv[i + 1], &r->stats_fd))
			++i;
		else if (!strcmp(argv[i], "--replaces-fd") && i + 1 < argc && !fd_option(argv[i + 1], &r->pred_fd))
			++i;
		else if (argv[i][0] != '-' && !r->ns)
			r->ns = argv[i];
		else {
			fprintf(stderr, "%s: unknown or misplaced argument `%s'\n", prog, argv[i]);
			return -EINVAL;
		}
	}
	if (!r->ns || !r->set.n)
		return usage_relay(), -EINVAL;
	return 0;
}

static int open_namespace(struct relay_cmd *r)
{
	char *path = NULL;
	int ret;

	if (r->ns_fd < 0) {
		if (netns_path(r->ns, &path)) {
			fprintf(stderr, "%s: `%s' is not a valid namespace name\n", prog, r->ns);
			return -EINVAL;
		}
		r->ns_fd = netns_open(path);
		free(path);
		if (r->ns_fd < 0) {
			fprintf(stderr, "%s: unable to open namespace `%s': %s\n", prog, r->ns, netns_strerror(r->ns_fd));
			return r->ns_fd;
		}
	}
	ret = refuse_host_namespace(r->ns_fd, r->ns);
	return ret;
}

/* sd_listen_fds(): the sockets are for this process, one per spec, in their order. */
static int handed_sockets(struct relay_cmd *r, bool *handed)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	int ret;

	*handed = pid && fds && strtol(pid, NULL, 10) == getpid();
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (!*handed)
		return 0;
	if (strtoul(fds, NULL, 10) != r->set.n) {
		fprintf(stderr, "%s: %s sockets were handed over for %zu relays\n", prog, fds, r->set.n);
		return -EINVAL;
	}
	for (size_t i = 0; i < r->set.n; ++i) {
		const struct relay_spec *spec = &r->set.specs[i];
		char where[64];
		const char *why;

		r->ls[i].fd = LISTEN_FDS_START + (int)i;
		if ((ret = relay_socket_check(r->ls[i].fd, spec, r->ns_fd, &why))) {
			relay_addr_format(&spec->listen, where, sizeof(where));
			fprintf(stderr, "%s: %s %s: socket %d handed over is %s (%s %s)\n", prog,
				relay_kind_option(spec->kind), spec->text, r->ls[i].fd, *why ? why : strerror(-ret),
				where, relay_side(spec));
			return ret;
		}
	}
	return 0;
}

static int open_listeners(struct relay_cmd *r)
{
	char where[64];
	bool handed;
	int ret = handed_sockets(r, &handed);

	if (ret || handed)
		return ret;
	for (size_t i = 0; i < r->set.n; ++i) {
		const struct relay_spec *spec = &r->set.specs[i];

		r->ls[i].fd = relay_listen(spec, r->ns_fd);
		if (r->ls[i].fd < 0) {
			relay_addr_format(&spec->listen, where, sizeof(where));
			fprintf(stderr, "%s: %s %s: unable to listen %s at %s: %s\n", prog, relay_kind_option(spec->kind),
				spec->text, relay_side(spec), where, strerror(-r->ls[i].fd));
			return r->ls[i].fd;
		}
	}
	return 0;
}

/* The counters up reads: in the file it opened, or of the relay's alone. */
static int map_stats(struct relay_cmd *r)
{
	static struct relay_stats own;

	if (r->stats_fd < 0) {
		r->stats = &own;
		return 0;
	}
	r->stats = mmap(NULL, sizeof(*r->stats), PROT_READ | PROT_WRITE, MAP_SHARED, r->stats_fd, 0);
	if (r->stats == MAP_FAILED) {
		r->stats = NULL;
		fprintf(stderr, "%s: unable to map the relay's counters: %s\n", prog, strerror(errno));
		return -errno;
	}
	close(r->stats_fd);
	r->stats_fd = -1;
	return 0;
}

/* The namespace's resolvers, as `ip netns exec' would show them to a program inside. */
static int read_resolvers(struct relay_cmd *r)
{
	struct strbuf text = { 0 };
	char path[4200];
	int ret = -ENOENT;

	if (!netns_arg_is_path(r->ns)) {
		snprintf(path, sizeof(path), "%s/netns/%s/resolv.conf", NSWG_SYSCONFDIR, r->ns);
		ret = file_read_all(path, 0, &text);
	}
	if (ret == -ENOENT)
		ret = file_read_all(NSWG_SYSCONFDIR "/resolv.conf", 0, &text);
	if (!ret)
		r->socks.n_nameservers = resolv_conf_nameservers(text.s, r->socks.nameservers, RELAY_NAMESERVERS_MAX);
	strbuf_free(&text);
	/* None: 127.0.0.1, as the C library asks then. */
	if (!r->socks.n_nameservers) {
		r->socks.nameservers[0].in.sin_family = AF_INET;
		r->socks.nameservers[0].in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		r->socks.nameservers[0].in.sin_port = htons(53);
		r->socks.n_nameservers = 1;
	}
	return 0;
}

int relay_credentials_load(const char *file, struct socks_credentials *cred)
{
	struct strbuf text = { 0 };
	struct stat st;
	int ret = file_read_all(file, 0, &text);

	if (ret) {
		fprintf(stderr, "%s: --socks-auth %s: %s\n", prog, file, strerror(-ret));
		return ret;
	}
	if (!stat(file, &st) && (st.st_mode & 0007))
		fprintf(stderr, "Warning: `%s' is world accessible\n", file);
	ret = socks_credentials_parse(text.s, cred);
	if (ret)
		fprintf(stderr, "%s: --socks-auth %s:1: expected USER:PASSWORD, a user of 1 to 255 bytes, a password of "
				"up to 255\n", prog, file);
	memzero_explicit(text.s, text.len);
	strbuf_free(&text);
	return ret;
}

static int read_credentials(struct relay_cmd *r)
{
	if (!r->set.socks_auth)
		return 0;
	r->socks.auth = true;
	return relay_credentials_load(r->set.socks_auth, &r->socks.cred);
}

/* sd_notify(): the socket connected now, while the path is still reachable as root. */
static int notify_connect(struct relay_cmd *r)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len;

	r->notify_fd = -1;
	if (!path || (path[0] != '/' && path[0] != '@') || (len = strlen(path)) >= sizeof(sun.sun_path))
		return 0;
	memcpy(sun.sun_path, path, len);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	r->notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (r->notify_fd < 0 ||
	    connect(r->notify_fd, (struct sockaddr *)&sun, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len))) {
		fprintf(stderr, "%s: unable to reach NOTIFY_SOCKET `%s': %s\n", prog, path, strerror(errno));
		return -errno;
	}
	unsetenv("NOTIFY_SOCKET");
	return 0;
}

static void *side_main(void *arg)
{
	struct side *s = arg;
	int ret;

	if (s->ns_fd >= 0 && setns(s->ns_fd, CLONE_NEWNET))
		s->err = -errno;
	pthread_barrier_wait(s->barrier); /* settled */
	pthread_barrier_wait(s->barrier); /* root is gone */
	if (s->err)
		return NULL;
	ret = relay_serve(s->ls, s->n, &s->opt);
	if (!ret) {
		/* Drained: its successor serves. The last loop to end ends the relay. */
		if (!__atomic_sub_fetch(s->serving, 1, __ATOMIC_SEQ_CST)) {
			fflush(NULL);
			_exit(0);
		}
		return NULL;
	}
	fprintf(stderr, "%s: the relay stopped: %s\n", prog, strerror(-ret));
	_exit(1);
}

/* Descriptors the relay holds besides its connections': its listeners, epoll, the spare, stdio, a margin. */
#define FDS_BESIDES (RELAY_SPEC_MAX + 16)
#define FDS_PER_CONNECTION 6

/*
 * Each connection takes six descriptors (two sockets, two pipes): the limit
 * on them sets how many fit, shared by the loops, so that a client is made
 * to wait rather than accepted and reset for want of one.
 */
static size_t connections_that_fit(size_t wanted, int loops, bool udp)
{
	struct rlimit rl;
	size_t fit;

	if (loops < 1 || getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur == RLIM_INFINITY)
		return wanted;
	/* A UDP session takes one more, counted with each connection where there are /udp relays. */
	fit = rl.rlim_cur > FDS_BESIDES ? (size_t)(rl.rlim_cur - FDS_BESIDES) / (FDS_PER_CONNECTION + (udp ? 1 : 0)) /
						  (size_t)loops : 1;
	if (!fit)
		fit = 1;
	if (fit >= wanted)
		return wanted;
	fprintf(stderr, "%s: warning: %llu descriptors allow %zu connections at once%s, not %zu\n", prog,
		(unsigned long long)rl.rlim_cur, fit, loops > 1 ? " each way" : "", wanted);
	return fit;
}

/* Inward (publish, socks): connections made inside the namespace. Outward (host-port): on the host. */
static void plan_sides(struct relay_cmd *r, struct side sides[2], pthread_barrier_t *barrier, int *serving)
{
	int loops = 0;
	bool udp = false;
	size_t fit;

	for (int k = 0; k < 2; ++k)
		sides[k] = (struct side){ .ns_fd = k ? -1 : r->ns_fd, .barrier = barrier, .serving = serving };
	for (size_t i = 0; i < r->set.n; ++i) {
		struct side *s = &sides[relay_listens_inside(&r->set.specs[i])];

		r->ls[i].spec = r->set.specs[i];
		udp |= r->set.specs[i].type == SOCK_DGRAM;
		r->ls[i].ctr = &r->stats->spec[i];
		s->ls[s->n++] = r->ls[i];
		s->used = true;
	}
	for (int k = 0; k < 2; ++k)
		loops += sides[k].used;
	*serving = loops;
	fit = connections_that_fit(r->set.max_connections, loops, udp);
	for (int k = 0; k < 2; ++k)
		sides[k].opt = (struct relay_options){ .max_connections = fit, .udp_timeout = r->set.udp_timeout,
						       .socks = &r->socks, .drain_fd = r->drain_fd };
}

static sigset_t *relay_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR1);
	return set;
}

/*
 * Until SIGTERM (systemd's stop, up's teardown), SIGINT or SIGHUP. SIGUSR1
 * (from reload, once the relay that replaces this one serves) drains it:
 * no more accepting, and the end once the connections open have ended.
 */
static int serve(struct relay_cmd *r, const struct passwd *pw)
{
	struct side sides[2];
	pthread_barrier_t barrier;
	sigset_t set;
	int ret, count = 1, sig, serving = 0;

	plan_sides(r, sides, &barrier, &serving);
	for (int k = 0; k < 2; ++k)
		count += sides[k].used;
	pthread_barrier_init(&barrier, NULL, (unsigned int)count);
	for (int k = 0; k < 2; ++k) {
		if (sides[k].used && (ret = -pthread_create(&sides[k].thread, NULL, side_main, &sides[k]))) {
			fprintf(stderr, "%s: unable to start the relay: %s\n", prog, strerror(-ret));
			return ret;
		}
	}
	pthread_barrier_wait(&barrier);
	ret = sides[0].err ? sides[0].err : sides[1].err;
	if (ret)
		fprintf(stderr, "%s: unable to enter namespace `%s': %s\n", prog, r->ns, strerror(-ret));
	else if ((ret = privdrop_become(pw, false)))
		fprintf(stderr, "%s: unable to become `%s' for good: %s\n", prog, pw->pw_name, strerror(-ret));
	/* Not even a process of the same user may trace it, or read its memory: the sockets are the namespace's. */
	else if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		ret = -errno;
	if (ret)
		_exit(1); /* the threads wait at the barrier: nothing is served */
	close(r->ns_fd);
	r->ns_fd = -1;
	/* It outlives up: not holding the directory up ran in (every file it needs is open or read). */
	if (chdir("/"))
		_exit(1);
	pthread_barrier_wait(&barrier);
	/*
	 * Serving: the relay this one replaces may close its listeners now. Told
	 * here, not only by reload after READY=1, so that a reload killed in
	 * between does not leave it serving the ports it dropped. (Of another
	 * user, it is reload's to tell.)
	 */
	if (r->pred_fd >= 0) {
		syscall(SYS_pidfd_send_signal, r->pred_fd, SIGUSR1, NULL, 0);
		close(r->pred_fd);
		r->pred_fd = -1;
	}
	if (r->notify_fd >= 0) {
		if (send(r->notify_fd, "READY=1", 7, MSG_NOSIGNAL) < 0)
			fprintf(stderr, "%s: unable to notify readiness: %s\n", prog, strerror(errno));
		close(r->notify_fd);
	}
	relay_signals(&set);
	do {
		sig = sigwaitinfo(&set, NULL);
		if (sig == SIGUSR1 && eventfd_write(r->drain_fd, 1))
			sig = SIGTERM; /* cannot drain: ends, as a relay that is replaced must */
	} while ((sig < 0 && errno == EINTR) || sig == SIGUSR1);
	fflush(NULL);
	_exit(0);
}

/* The signals that stop or drain it, blocked in every thread: the main one waits for them. */
static void block_signals(void)
{
	sigset_t set;

	pthread_sigmask(SIG_BLOCK, relay_signals(&set), NULL);
	/* A peer gone is an error of the call that wrote to it. */
	signal(SIGPIPE, SIG_IGN);
}

/* Descriptors for every connection: 6 each (two sockets, two pipes), as many as the hard limit allows. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int cmd_relay(int argc, char *argv[])
{
	struct relay_cmd r = { .ns_fd = -1, .stats_fd = -1, .notify_fd = -1, .drain_fd = -1, .pred_fd = -1 };
	char why[320];
	struct passwd *pw;
	bool socks = false;
	int ret;

	relay_set_init(&r.set);
	if (parse(&r, argc, argv) || !check_privileges())
		return 1;
	for (size_t i = 0; i < r.set.n; ++i)
		socks |= r.set.specs[i].kind == RELAY_SOCKS;
	/* As up checks them: what the journal can record. */
	if (relay_set_check(&r.set, sizeof(((struct nswg_state *)0)->relays), why, sizeof(why))) {
		fprintf(stderr, "%s: %s\n", prog, why);
		return 1;
	}
	pw = privdrop_find_user(r.set.user);
	if (!pw) {
		fprintf(stderr, "%s: --relay-user %s: unknown user\n", prog, r.set.user);
		return 1;
	}
	if (!pw->pw_uid) {
		fprintf(stderr, "%s: --relay-user %s: the relay never serves as root\n", prog, r.set.user);
		return 1;
	}
	raise_fd_limit();
	if (open_namespace(&r) || open_listeners(&r) || map_stats(&r) || (socks && (read_resolvers(&r) || read_credentials(&r))) ||
	    notify_connect(&r))
		return 1;
	r.drain_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (r.drain_fd < 0) {
		fprintf(stderr, "%s: unable to start the relay: %s\n", prog, strerror(errno));
		return 1;
	}
	/* Until here, a signal ends the relay at once (up's rollback while it starts, say). */
	block_signals();
	if ((ret = privdrop_seal())) {
		fprintf(stderr, "%s: unable to drop capabilities: %s\n", prog, strerror(-ret));
		return 1;
	}
	return serve(&r, pw);
}

// SPDX-License-Identifier: MIT
/*
 * The relay as a process: its listening sockets, opened on their sides by
 * whoever starts it (up, or the relay command itself when systemd hands it
 * none), its start by up (a `nswg relay' of the same binary, handed the
 * sockets as systemd would hand them), and its word that it serves
 * (sd_notify's READY=1, on a socket up listens on).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "netns.h"
#include "relay_proc.h"

#define READY_WAIT_MS 10000

/* The namespace a socket was made in, by nsfs inode: the host's or the target's. */
static int socket_namespace(int fd, struct stat *st)
{
	int ns = ioctl(fd, SIOCGSKNS), ret = 0;

	if (ns < 0)
		return -errno;
	if (fstat(ns, st))
		ret = -errno;
	close(ns);
	return ret;
}

/*
 * A socket handed over for spec (by systemd, or taken from the relay reload
 * replaces): of its type, listening where it is a stream, bound where the
 * spec says, on the side it says. A socket bound wider than its spec would
 * expose more than the spec shows; one on the wrong side would have the
 * relay connect to itself.
 */
int relay_socket_check(int fd, const struct relay_spec *spec, int ns_fd, const char **why)
{
	union relay_addr bound = { 0 };
	socklen_t len = sizeof(int);
	int type = 0, listening = 0, ret;
	struct stat sock_ns = { 0 }, side = { 0 };

	*why = "";
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len))
		return -errno;
	len = sizeof(listening);
	if (type != spec->type || (type == SOCK_STREAM && (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) ||
							   !listening))) {
		*why = spec->type == SOCK_STREAM ? "not a TCP socket that listens" : "not a UDP socket";
		return -EPROTOTYPE;
	}
	len = sizeof(bound);
	if (getsockname(fd, &bound.sa, &len) || !relay_addr_same(&bound, &spec->listen)) {
		*why = "bound elsewhere than the spec says";
		return -EADDRNOTAVAIL;
	}
	if ((ret = socket_namespace(fd, &sock_ns)))
		return ret; /* the kernel cannot tell (no SIOCGSKNS): said as such */
	if ((relay_listens_inside(spec) ? fstat(ns_fd, &side) : stat("/proc/self/ns/net", &side)) ||
	    sock_ns.st_ino != side.st_ino || sock_ns.st_dev != side.st_dev) {
		*why = relay_listens_inside(spec) ? "not made inside the namespace" : "not made on the host";
		return -EXDEV;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) || fcntl(fd, F_SETFD, FD_CLOEXEC))
		return -errno;
	return 0;
}

static int listen_here(void *arg)
{
	const struct relay_spec *spec = arg;
	const union relay_addr *a = &spec->listen;
	int fd = socket(a->sa.sa_family, spec->type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1, ret;

	if (fd < 0)
		return -errno;
	/* A listener of an earlier relay in TIME_WAIT must not keep the port from its successor. */
	if (spec->type == SOCK_STREAM && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		goto fail;
	/* [::] is IPv6 alone: 0.0.0.0 is written out when it is meant too. */
	if (a->sa.sa_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)))
		goto fail;
	if (bind(fd, &a->sa, relay_addr_len(a)) || (spec->type == SOCK_STREAM && listen(fd, SOMAXCONN)))
		goto fail;
	return fd;
fail:
	ret = -errno;
	close(fd);
	return ret;
}

int relay_listen(const struct relay_spec *spec, int ns_fd)
{
	if (relay_listens_inside(spec))
		return netns_run_in(ns_fd, listen_here, (void *)spec);
	return listen_here((void *)spec);
}

const char *relay_side(const struct relay_spec *spec)
{
	return relay_listens_inside(spec) ? "inside the namespace" : "on the host";
}

/* An abstract socket of the host's, its name the kernel's choice, for the relay's READY=1. */
int relay_notify_open(char *name, size_t size)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len = sizeof(sa_family_t);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1, ret;

	if (fd < 0)
		return -errno;
	/* Credentials with each message: only the relay's own word counts. */
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) || bind(fd, (struct sockaddr *)&sun, len))
		goto fail;
	len = sizeof(sun);
	if (getsockname(fd, (struct sockaddr *)&sun, &len) || len <= sizeof(sa_family_t) + 1)
		goto fail;
	/* "@" stands for the leading NUL, as sd_notify reads NOTIFY_SOCKET. */
	snprintf(name, size, "NOTIFY_SOCKET=@%.*s", (int)(len - sizeof(sa_family_t) - 1), sun.sun_path + 1);
	return fd;
fail:
	ret = -errno;
	close(fd);
	return ret;
}

/* A datagram from pid that says READY=1. */
static bool ready_from(int fd, pid_t pid)
{
	char buf[256], control[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
			      .msg_controllen = sizeof(control) };
	struct cmsghdr *cmsg;
	struct ucred cred = { 0 };
	ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

	if (n < 0)
		return false;
	buf[n] = '\0';
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_CREDENTIALS)
			memcpy(&cred, CMSG_DATA(cmsg), sizeof(cred));
	}
	return cred.pid == pid && (!strncmp(buf, "READY=1", 7) || strstr(buf, "\nREADY=1"));
}

static long ms_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

/*
 * By the clock, not by the wake-ups: anyone may send datagrams to an
 * abstract socket, and theirs only cost a read each, a bounded number of
 * them between two looks at the relay and at the signals.
 */
#define READY_READS 64

int relay_wait_ready(int notify_fd, const struct daemon_proc *p, int *status, const volatile sig_atomic_t *stop)
{
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (ms_since(&start) < READY_WAIT_MS) {
		struct pollfd pfd = { .fd = notify_fd, .events = POLLIN };

		if (*stop)
			return -EINTR;
		if (poll(&pfd, 1, 10) > 0) {
			for (int i = 0; i < READY_READS; ++i) {
				if (ready_from(notify_fd, p->pid))
					return 0;
				if (poll(&pfd, 1, 0) <= 0)
					break;
			}
		}
		if (daemon_reaped(p, status))
			return -ECHILD;
	}
	return -ETIMEDOUT;
}

/*
 * nswg relay NS --netns-fd N --stats-fd M [--replaces-fd P] [options]
 * SPEC...: the listeners at 3.., the namespace, the counters and the
 * predecessor after them.
 */
int relay_spawn(const struct relay_launch *l, struct daemon_proc *p, struct daemon_gate *g)
{
	const struct relay_set *set = l->set;
	char ns_fd[16], stats_fd[16], max[24], udp_timeout[16], pred_fd[16];
	/* 11 words, --replaces-fd, --udp-timeout and --socks-auth with their values, two per spec, NULL. */
	char *argv[18 + 2 * RELAY_SPEC_MAX] = { "nswg", "relay", (char *)l->ns_name, "--netns-fd", ns_fd,
						 "--stats-fd", stats_fd, "--relay-user", (char *)set->user,
						 "--max-connections", max };
	int fds[RELAY_SPEC_MAX + 3], argc = 11;
	bool udp = false;
	const char *env[] = { l->notify, NULL };
	struct daemon_args a = { .path = "/proc/self/exe", .argv = argv, .env = env, .fds = fds,
				 .n_fds = set->n + 2, .listen_fds = set->n, .log_fd = l->log_fd };

	for (size_t i = 0; i < set->n; ++i) {
		fds[i] = l->listeners[i];
		udp |= set->specs[i].type == SOCK_DGRAM;
	}
	fds[set->n] = l->ns_fd;
	fds[set->n + 1] = l->stats_fd;
	if (l->predecessor_fd >= 0) {
		fds[set->n + 2] = l->predecessor_fd;
		a.n_fds = set->n + 3;
		snprintf(pred_fd, sizeof(pred_fd), "%zu", 5 + set->n);
		argv[argc++] = "--replaces-fd";
		argv[argc++] = pred_fd;
	}
	snprintf(ns_fd, sizeof(ns_fd), "%zu", 3 + set->n);
	snprintf(stats_fd, sizeof(stats_fd), "%zu", 4 + set->n);
	snprintf(max, sizeof(max), "%zu", set->max_connections);
	/* --udp-timeout is for /udp relays only: the relay refuses it otherwise, as up does. */
	if (udp) {
		snprintf(udp_timeout, sizeof(udp_timeout), "%u", set->udp_timeout);
		argv[argc++] = "--udp-timeout";
		argv[argc++] = udp_timeout;
	}
	if (set->socks_auth) {
		argv[argc++] = "--socks-auth";
		argv[argc++] = (char *)set->socks_auth;
	}
	for (size_t i = 0; i < set->n; ++i) {
		argv[argc++] = (char *)relay_kind_option(set->specs[i].kind);
		argv[argc++] = (char *)set->specs[i].text;
	}
	argv[argc] = NULL;
	return daemon_spawn(&a, p, g);
}

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
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "netns.h"
#include "relay_proc.h"

#define READY_WAIT_MS 10000

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

int relay_wait_ready(int notify_fd, const struct daemon_proc *p, int *status, const volatile sig_atomic_t *stop)
{
	for (long waited = 0; waited < READY_WAIT_MS; waited += 10) {
		if (*stop)
			return -EINTR;
		struct pollfd pfd = { .fd = notify_fd, .events = POLLIN };

		if (poll(&pfd, 1, 10) > 0) {
			while (pfd.revents & POLLIN) {
				if (ready_from(notify_fd, p->pid))
					return 0;
				pfd.revents = poll(&pfd, 1, 0) > 0 ? pfd.revents : 0;
			}
		}
		if (daemon_reaped(p, status))
			return -ECHILD;
	}
	return -ETIMEDOUT;
}

static char *number(int n)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", n);
	return strdup(buf);
}

/*
 * nswg relay NS --netns-fd N --stats-fd M [options] SPEC...: the listeners
 * at 3.., the namespace and the counters after them.
 */
int relay_spawn(const struct relay_launch *l, struct daemon_proc *p, struct daemon_gate *g)
{
	const struct relay_set *set = l->set;
	char *argv[16 + 2 * RELAY_SPEC_MAX] = { "nswg", "relay", (char *)l->ns_name, "--netns-fd", NULL,
						 "--stats-fd", NULL, "--relay-user", (char *)set->user,
						 "--max-connections", NULL, "--udp-timeout", NULL };
	int fds[RELAY_SPEC_MAX + 2], argc = 13, ret;
	const char *env[] = { l->notify, NULL };
	struct daemon_args a = { .path = "/proc/self/exe", .argv = argv, .env = env, .fds = fds,
				 .n_fds = set->n + 2, .listen_fds = set->n,
				 .log_fd = l->log_fd };

	for (size_t i = 0; i < set->n; ++i)
		fds[i] = l->listeners[i];
	fds[set->n] = l->ns_fd;
	fds[set->n + 1] = l->stats_fd;
	argv[4] = number(3 + (int)set->n);
	argv[6] = number(4 + (int)set->n);
	argv[10] = number((int)set->max_connections);
	argv[12] = number((int)set->udp_timeout);
	if (set->socks_auth) {
		argv[argc++] = "--socks-auth";
		argv[argc++] = (char *)set->socks_auth;
	}
	for (size_t i = 0; i < set->n; ++i) {
		argv[argc++] = (char *)relay_kind_option(set->specs[i].kind);
		argv[argc++] = (char *)set->specs[i].text;
	}
	argv[argc] = NULL;
	if (!argv[4] || !argv[6] || !argv[10] || !argv[12])
		ret = -ENOMEM;
	else
		ret = daemon_spawn(&a, p, g);
	free(argv[4]);
	free(argv[6]);
	free(argv[10]);
	free(argv[12]);
	return ret;
}

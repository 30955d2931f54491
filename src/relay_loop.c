// SPDX-License-Identifier: MIT
/*
 * The relay's event loop: level-triggered epoll over the listeners and the
 * sockets of open connections. A socket is registered only while the
 * relay waits for something on it, so that a hang-up it cannot act on yet
 * (its peer gone while the other side still drains) never wakes the loop
 * in vain. What is closed during a batch of events is freed after it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "relay_internal.h"

#define EVENTS_BATCH 64
#define DGRAM_MAX 65536

static void listeners_watch(struct relay_loop *loop, int op)
{
	for (size_t i = 0; i < loop->n_listeners; ++i) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &loop->listen_handles[i] };

		epoll_ctl(loop->ep, op, loop->listeners[i].fd, &ev);
	}
}

/* Only TCP listeners wait: a datagram that finds no session is dropped at the limit instead. */
void loop_pause(struct relay_loop *loop)
{
	if (loop->paused)
		return;
	for (size_t i = 0; i < loop->n_listeners; ++i) {
		if (loop->listeners[i].spec.type == SOCK_STREAM)
			epoll_ctl(loop->ep, EPOLL_CTL_DEL, loop->listeners[i].fd, NULL);
	}
	loop->paused = true;
}

bool loop_has_room(const struct relay_loop *loop)
{
	return !loop->starved && loop->open < loop->opt->max_connections && (!loop->fits || loop->open < loop->fits);
}

/*
 * Each connection takes six descriptors: once they ran out, the relay holds
 * as many connections as it had then, and the others wait to be accepted,
 * rather than each being accepted and reset. With none left open, it tries
 * afresh.
 */
void loop_out_of_descriptors(struct relay_loop *loop)
{
	loop->fits = loop->open;
	/* None open to give one back (the other loop holds them), and no spare: a second's wait, not a spin. */
	loop->starved = !loop->open;
	relay_now(&loop->fits_since);
	loop_pause(loop);
}

#define RETRY_MS 1000

int loop_retry(struct relay_loop *loop)
{
	struct timespec t;
	long waited;

	if (!loop->fits && !loop->starved)
		return -1;
	relay_now(&t);
	waited = relay_ms_between(&loop->fits_since, &t);
	if (waited < RETRY_MS)
		return (int)(RETRY_MS - waited);
	loop->fits = 0;
	loop->starved = false;
	loop_resume(loop);
	return -1;
}

void relay_now(struct timespec *t)
{
	clock_gettime(CLOCK_MONOTONIC, t);
}

long relay_ms_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

/* The earliest of the timeouts, -1 for none. */
static int earliest(int a, int b)
{
	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

void loop_resume(struct relay_loop *loop)
{
	if (!loop->open)
		loop->fits = 0;
	if (!loop->paused || !loop_has_room(loop))
		return;
	for (size_t i = 0; i < loop->n_listeners; ++i) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &loop->listen_handles[i] };

		if (loop->listeners[i].spec.type == SOCK_STREAM)
			epoll_ctl(loop->ep, EPOLL_CTL_ADD, loop->listeners[i].fd, &ev);
	}
	loop->paused = false;
}

/*
 * Giving way to a successor: it holds the same listening sockets (reload
 * took them from this process), so this one only closes its own copies
 * and serves what is open to its end. UDP sessions end now: a reply goes
 * out through the listener, which is no longer this loop's.
 */
static void loop_drain(struct relay_loop *loop)
{
	epoll_ctl(loop->ep, EPOLL_CTL_DEL, loop->opt->drain_fd, NULL);
	for (size_t i = 0; i < loop->n_listeners; ++i) {
		/* Unregistered first: the successor's copy keeps the socket, and so would epoll keep it here. */
		epoll_ctl(loop->ep, EPOLL_CTL_DEL, loop->listeners[i].fd, NULL);
		close(loop->listeners[i].fd);
		loop->listeners[i].fd = -1;
	}
	loop->n_listeners = 0;
	loop->paused = true;
	loop->draining = true;
	/* Kept to shed a client at accept: there is no accepting any more. */
	if (loop->spare >= 0) {
		close(loop->spare);
		loop->spare = -1;
	}
	udp_end_all(loop);
}

static void dispatch(struct relay_loop *loop, const struct epoll_event *ev)
{
	struct handle *h = ev->data.ptr;

	switch (h->kind) {
	case H_DRAIN:
		loop_drain(loop);
		break;
	case H_LISTEN: {
		struct relay_listener *l = h->obj;

		/* Closed by a drain earlier in this batch. */
		if (l->fd < 0)
			break;

		if (l->spec.type == SOCK_DGRAM)
			udp_receive(loop, l);
		else
			tcp_accept(loop, l);
		break;
	}
	case H_CONN: {
		struct conn *c = h->obj;

		if (c->dead)
			break;
		if (c->phase == CONN_SOCKS || c->phase == CONN_RESOLVING)
			socks_event(c, h->side, ev->events);
		else
			tcp_event(c, h->side, ev->events);
		break;
	}
	case H_UDP: {
		struct udp_session *s = h->obj;

		if (!s->dead)
			udp_reply(s);
		break;
	}
	}
}

static int loop_init(struct relay_loop *loop, struct relay_listener *ls, size_t n, const struct relay_options *opt)
{
	*loop = (struct relay_loop){ .listeners = ls, .n_listeners = n, .opt = opt, .spare = -1 };
	loop->ep = epoll_create1(EPOLL_CLOEXEC);
	if (loop->ep < 0)
		return -errno;
	loop->listen_handles = calloc(n, sizeof(*loop->listen_handles));
	loop->dgram = malloc(DGRAM_MAX);
	if (!loop->listen_handles || !loop->dgram)
		return -ENOMEM;
	for (size_t i = 0; i < n; ++i)
		loop->listen_handles[i] = (struct handle){ .kind = H_LISTEN, .obj = &ls[i] };
	/* Given up when accept finds no descriptor left: a client is then shed, not left to spin the loop. */
	loop->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	listeners_watch(loop, EPOLL_CTL_ADD);
	loop->drain_handle = (struct handle){ .kind = H_DRAIN };
	if (opt->drain_fd >= 0) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &loop->drain_handle };

		if (epoll_ctl(loop->ep, EPOLL_CTL_ADD, opt->drain_fd, &ev))
			return -errno;
	}
	return 0;
}

int relay_serve(struct relay_listener *ls, size_t n, const struct relay_options *opt)
{
	struct epoll_event events[EVENTS_BATCH];
	struct relay_loop loop;
	int ret = loop_init(&loop, ls, n, opt);

	while (!ret) {
		int timeout = earliest(earliest(udp_expire(&loop), socks_expire(&loop)), loop_retry(&loop));
		int k = epoll_wait(loop.ep, events, EVENTS_BATCH, timeout);

		if (k < 0 && errno != EINTR)
			ret = -errno;
		for (int i = 0; i < k; ++i)
			dispatch(&loop, &events[i]);
		conn_reap(&loop);
		udp_reap(&loop);
		if (loop.draining && !loop.open)
			break;
	}
	/* On an error the process ends with the loop, and what is open goes with it; drained, nothing is open. */
	if (loop.spare >= 0)
		close(loop.spare);
	free(loop.dgram);
	free(loop.listen_handles);
	if (loop.ep >= 0)
		close(loop.ep);
	return ret;
}

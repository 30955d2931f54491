// SPDX-License-Identifier: MIT
/*
 * TCP through the relay: accepted on one side, connected on the other, the
 * bytes moved by the kernel (splice through a pipe per direction) without
 * passing through the relay's memory. Half-closes travel on (a FIN read is
 * a shutdown written once the pipe is empty), a reset or an error ends
 * both sides with a reset, and a full pipe stops the reading side: a
 * receiver that stops reading stops its sender, and memory stays bounded.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "relay_internal.h"

/* A pipe's default capacity; asking more of one splice only moves what fits. */
#define PIPE_CAPACITY 65536
/*
 * What a pipe grows to once its flow fills it: a bulk transfer then moves
 * up to four times as much per pair of splices and per wake-up, as
 * systemd-socket-proxyd's pipes do (measured: a third fewer bytes a second
 * without). Only flows that fill their pipe grow it: the pages a user's
 * pipes may hold are limited (pipe-user-pages-soft), and idle connections
 * must not take them from busy ones. Past that limit the kernel refuses
 * (EPERM) and the pipe stays as it is.
 */
#define PIPE_GROWN (256 * 1024)
/* Rounds of one direction per wake-up: a fast pair must not starve the others. */
#define PUMP_ROUNDS 8
#define ACCEPT_BATCH 64

int conn_watch(struct conn *c, int side, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = &c->h[side] };
	int op;

	if (events == c->ev[side])
		return 0;
	op = !events ? EPOLL_CTL_DEL : c->ev[side] ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (epoll_ctl(c->loop->ep, op, c->fd[side], &ev))
		return -errno;
	c->ev[side] = events;
	return 0;
}

static bool flow_wants_read(const struct flow *f)
{
	return !f->eof && !f->stalled && f->queued < f->cap;
}

static int watch_open(struct conn *c)
{
	int ret = 0;

	for (int s = 0; s < 2 && !ret; ++s)
		ret = conn_watch(c, s, (flow_wants_read(&c->flow[s]) ? EPOLLIN : 0) |
					       (c->flow[!s].queued ? EPOLLOUT : 0));
	return ret;
}

static void close_fd(int *fd, bool reset)
{
	if (*fd < 0)
		return;
	if (reset) {
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(*fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	close(*fd);
	*fd = -1;
}

void conn_close(struct conn *c, bool reset)
{
	struct relay_loop *loop = c->loop;

	if (c->dead)
		return;
	c->dead = true;
	for (int s = 0; s < 2; ++s) {
		/* Closing a descriptor takes it out of epoll's set: nothing to unregister. */
		close_fd(&c->fd[s], reset);
		if (c->flow[s].r >= 0)
			close(c->flow[s].r);
		if (c->flow[s].w >= 0)
			close(c->flow[s].w);
		c->flow[s].r = c->flow[s].w = -1;
	}
	socks_free(c);
	if (c->prev)
		c->prev->next = c->next;
	else
		loop->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->next = loop->graveyard;
	loop->graveyard = c;
	__atomic_fetch_sub(&c->l->ctr->open, 1, __ATOMIC_RELAXED);
	--loop->open;
	loop_resume(loop);
}

void conn_reap(struct relay_loop *loop)
{
	while (loop->graveyard) {
		struct conn *c = loop->graveyard;

		loop->graveyard = c->next;
		free(c);
	}
}

/*
 * TCP's urgent mark stops splice short: nothing moves (EAGAIN, or 0 taken
 * for the end) while bytes wait past it. Past the mark, the stream goes on:
 * one byte read the ordinary way (the urgent byte itself is out of band,
 * and dropped, as a relay of streams drops it) and put in the pipe, once
 * the pipe is empty. MARK_MOVED when that moved one, MARK_WAIT when the
 * pipe must drain first, 0 when not at the mark, -errno.
 */
enum { MARK_MOVED = 1, MARK_WAIT = 2 };

static int past_urgent_mark(int src, struct flow *f)
{
	int mark = 0;
	char b;
	ssize_t n;

	if (ioctl(src, SIOCATMARK, &mark) || !mark)
		return 0;
	if (f->queued)
		return MARK_WAIT;
	n = recv(src, &b, 1, MSG_DONTWAIT);
	if (n <= 0)
		return n < 0 && errno != EAGAIN ? -errno : 0;
	return write(f->w, &b, 1) == 1 ? MARK_MOVED : -EIO;
}

static void flow_grow(struct flow *f)
{
	int size;

	if (f->grown)
		return;
	f->grown = true;
	size = fcntl(f->w, F_SETPIPE_SZ, PIPE_GROWN);
	if (size > 0 && (size_t)size > f->cap) {
		f->cap = (size_t)size;
		f->stalled = false; /* room again */
	}
}

/*
 * One direction, as far as it goes now: into the pipe while it has room,
 * out of it while the destination takes. readable: epoll said the source
 * had something. -errno on an error of either socket (a reset among them).
 */
static int flow_pump(struct conn *c, int side, bool readable)
{
	struct flow *f = &c->flow[side];
	int src = c->fd[side], dst = c->fd[!side];
	uint64_t *bytes = side ? &c->l->ctr->bytes_out : &c->l->ctr->bytes_in;

	for (int round = 0; round < PUMP_ROUNDS; ++round) {
		bool progress = false;
		ssize_t n;
		int r, err;

		if (flow_wants_read(f)) {
			n = splice(src, NULL, f->w, NULL, f->cap - f->queued, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			/* Readable, yet nothing: the urgent mark, or (0) a real end. Its own calls keep splice's errno. */
			err = errno;
			if (n <= 0 && (n == 0 || (err == EAGAIN && readable && !round)) &&
			    (r = past_urgent_mark(src, f))) {
				if (r < 0)
					return r;
				if (r == MARK_WAIT) {
					/* Not the end: what is in the pipe goes first, then the rest. */
					f->stalled = true;
					n = -1;
					errno = EAGAIN;
				} else {
					n = 1;
				}
			} else {
				errno = err;
			}
			if (n > 0) {
				f->queued += (size_t)n;
				progress = true;
				if (f->queued >= f->cap)
					flow_grow(f);
			} else if (!n) {
				f->eof = progress = true;
			} else if (errno == EAGAIN) {
				/* With bytes in the pipe, it may be the pipe that is full (its slots, not its bytes). */
				f->stalled = f->stalled || f->queued > 0;
				if (f->stalled)
					flow_grow(f);
			} else if (errno != EINTR) {
				return -errno;
			}
		}
		if (f->queued) {
			n = splice(f->r, NULL, dst, NULL, f->queued, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0) {
				f->queued -= (size_t)n;
				f->stalled = false;
				counter_add(bytes, (uint64_t)n);
				progress = true;
			} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
				return -errno;
			}
		}
		if (f->eof && !f->queued && !f->shut) {
			if (shutdown(dst, SHUT_WR) && errno != ENOTCONN)
				return -errno;
			f->shut = true;
		}
		if (!progress)
			break;
	}
	return 0;
}

static void on_connected(struct conn *c)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->fd[1], SOL_SOCKET, SO_ERROR, &err, &len))
		err = errno;
	if (c->socks) {
		socks_connected(c, err);
		return;
	}
	if (err) {
		/* The target refused: the client learns it at once, by a reset. */
		conn_close(c, true);
		return;
	}
	c->phase = CONN_OPEN;
	tcp_event(c, 0, 0);
}

void tcp_event(struct conn *c, int side, uint32_t events)
{
	int ret = 0;

	if (c->phase == CONN_CONNECTING) {
		if (side == 1)
			on_connected(c);
		else if (events & (EPOLLERR | EPOLLHUP))
			conn_close(c, true);
		return;
	}
	/* Readable: the flow from this side; writable: the flow into it. An error: both, to find it. */
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		ret = flow_pump(c, side, events & EPOLLIN);
	if (!ret && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
		ret = flow_pump(c, !side, false);
	if (ret) {
		conn_close(c, true);
		return;
	}
	if (c->flow[0].shut && c->flow[1].shut) {
		conn_close(c, false);
		return;
	}
	if (watch_open(c))
		conn_close(c, true);
}

int tcp_connect_target(struct conn *c, const union relay_addr *addr)
{
	int ret;

	/* The client is not read until the target is there: a byte of its would wake the loop in vain. */
	if ((ret = conn_watch(c, 0, 0)))
		return ret;
	c->fd[1] = socket(addr->sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd[1] < 0)
		return -errno;
	if (connect(c->fd[1], &addr->sa, relay_addr_len(addr)) && errno != EINPROGRESS)
		return -errno;
	c->phase = CONN_CONNECTING;
	return conn_watch(c, 1, EPOLLOUT);
}

static int pipes_open(struct conn *c)
{
	for (int s = 0; s < 2; ++s) {
		int p[2];

		if (pipe2(p, O_NONBLOCK | O_CLOEXEC))
			return -errno;
		c->flow[s].r = p[0];
		c->flow[s].w = p[1];
		c->flow[s].cap = PIPE_CAPACITY;
	}
	return 0;
}

static struct conn *conn_new(struct relay_loop *loop, struct relay_listener *l, int fd)
{
	struct conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->loop = loop;
	c->l = l;
	c->fd[0] = fd;
	c->fd[1] = c->flow[0].r = c->flow[0].w = c->flow[1].r = c->flow[1].w = -1;
	for (int s = 0; s < 2; ++s)
		c->h[s] = (struct handle){ .kind = H_CONN, .side = s, .obj = c };
	c->next = loop->conns;
	if (loop->conns)
		loop->conns->prev = c;
	loop->conns = c;
	++loop->open;
	__atomic_fetch_add(&l->ctr->open, 1, __ATOMIC_RELAXED);
	counter_add(&l->ctr->total, 1);
	return c;
}

/* A client accepted: its pipes and its target, or a reset when either is not to be had. */
static void conn_start(struct relay_loop *loop, struct relay_listener *l, int fd)
{
	struct conn *c = conn_new(loop, l, fd);
	int ret;

	if (!c) {
		close_fd(&fd, true);
		return;
	}
	ret = pipes_open(c);
	if (!ret)
		ret = l->spec.kind == RELAY_SOCKS ? socks_start(c) : tcp_connect_target(c, &l->spec.target);
	if (ret) {
		conn_close(c, true);
		/* Out of descriptors: the others give some back as they end. */
		if ((ret == -EMFILE || ret == -ENFILE) && loop->open)
			loop_out_of_descriptors(loop);
	}
}

/* No descriptor left and no connection to give one back: the spare makes room to shed one client. */
static void shed_one(struct relay_loop *loop, int lfd)
{
	int fd;

	if (loop->spare < 0) {
		loop_out_of_descriptors(loop);
		return;
	}
	close(loop->spare);
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0)
		close_fd(&fd, true);
	loop->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

void tcp_accept(struct relay_loop *loop, struct relay_listener *l)
{
	for (int i = 0; i < ACCEPT_BATCH && !loop->paused; ++i) {
		int fd;

		if (!loop_has_room(loop)) {
			loop_pause(loop);
			return;
		}
		fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			conn_start(loop, l, fd);
			continue;
		}
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			if (loop->open)
				loop_out_of_descriptors(loop);
			else
				shed_one(loop, l->fd);
			return;
		}
		if (errno != EINTR && errno != ECONNABORTED && errno != EPROTO && errno != EPERM)
			return; /* EAGAIN: none waiting */
	}
}

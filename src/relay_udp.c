// SPDX-License-Identifier: MIT
/*
 * UDP through the relay, as conntrack sees it: a session per client address
 * and port, each with a socket of its own connected to the target on the
 * other side, so that a reply comes back on the session's socket and goes
 * to its client alone. A session unused for the timeout (60 s, conntrack's)
 * ends.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "relay_internal.h"

#define DGRAM_MAX 65536
#define DGRAM_BATCH 64

static void session_end(struct relay_loop *loop, struct udp_session *s)
{
	s->dead = true;
	close(s->fd);
	if (s->prev)
		s->prev->next = s->next;
	else
		loop->sessions = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = loop->udp_graveyard;
	loop->udp_graveyard = s;
	__atomic_fetch_sub(&s->l->ctr->open, 1, __ATOMIC_RELAXED);
	--loop->udp_open;
}

void udp_end_all(struct relay_loop *loop)
{
	while (loop->sessions)
		session_end(loop, loop->sessions);
}

void udp_reap(struct relay_loop *loop)
{
	while (loop->udp_graveyard) {
		struct udp_session *s = loop->udp_graveyard;

		loop->udp_graveyard = s->next;
		free(s);
	}
}

static struct udp_session *session_find(struct relay_loop *loop, const struct relay_listener *l,
					const union relay_addr *peer)
{
	for (struct udp_session *s = loop->sessions; s; s = s->next) {
		if (s->l == l && relay_addr_same(&s->peer, peer))
			return s;
	}
	return NULL;
}

static struct udp_session *session_new(struct relay_loop *loop, struct relay_listener *l,
				       const union relay_addr *peer)
{
	const union relay_addr *t = &l->spec.target;
	struct epoll_event ev = { .events = EPOLLIN };
	struct udp_session *s;

	if (loop->udp_open >= loop->opt->max_connections || !(s = calloc(1, sizeof(*s))))
		return NULL;
	s->fd = socket(t->sa.sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || connect(s->fd, &t->sa, relay_addr_len(t))) {
		if (s->fd >= 0)
			close(s->fd);
		free(s);
		return NULL;
	}
	s->h = (struct handle){ .kind = H_UDP, .obj = s };
	ev.data.ptr = &s->h;
	if (epoll_ctl(loop->ep, EPOLL_CTL_ADD, s->fd, &ev)) {
		close(s->fd);
		free(s);
		return NULL;
	}
	s->l = l;
	s->loop = loop;
	s->peer = *peer;
	s->next = loop->sessions;
	if (loop->sessions)
		loop->sessions->prev = s;
	loop->sessions = s;
	++loop->udp_open;
	__atomic_fetch_add(&l->ctr->open, 1, __ATOMIC_RELAXED);
	counter_add(&l->ctr->total, 1);
	return s;
}

void udp_receive(struct relay_loop *loop, struct relay_listener *l)
{
	for (int i = 0; i < DGRAM_BATCH; ++i) {
		union relay_addr peer = { 0 };
		socklen_t len = sizeof(peer);
		struct udp_session *s;
		ssize_t n = recvfrom(l->fd, loop->dgram, DGRAM_MAX, 0, &peer.sa, &len);

		if (n < 0)
			return; /* EAGAIN, or an ICMP error of an earlier reply: nothing to do */
		s = session_find(loop, l, &peer);
		if (!s && !(s = session_new(loop, l, &peer)))
			continue; /* dropped, as a full conntrack table drops */
		relay_now(&s->last);
		/* A refusal (ICMP) shows as an error here: the datagram is lost, as it would be on the way. */
		if (send(s->fd, loop->dgram, (size_t)n, 0) == n)
			counter_add(&l->ctr->bytes_in, (uint64_t)n);
	}
}

void udp_reply(struct udp_session *s)
{
	struct relay_loop *loop = s->loop;

	for (int i = 0; i < DGRAM_BATCH; ++i) {
		ssize_t n = recv(s->fd, loop->dgram, DGRAM_MAX, 0);

		if (n < 0)
			return; /* EAGAIN, or the target's port closed (ICMP): nothing to send back */
		relay_now(&s->last);
		if (sendto(s->l->fd, loop->dgram, (size_t)n, 0, &s->peer.sa, relay_addr_len(&s->peer)) == n)
			counter_add(&s->l->ctr->bytes_out, (uint64_t)n);
	}
}

/* Swept at most once a second: a busy loop does not walk every session at each wake-up. */
int udp_expire(struct relay_loop *loop)
{
	long timeout_ms = (long)loop->opt->udp_timeout * 1000, next = -1;
	struct timespec t;

	if (!loop->sessions)
		return -1;
	relay_now(&t);
	if (relay_ms_between(&t, &loop->sweep_at) > 0)
		return (int)relay_ms_between(&t, &loop->sweep_at);
	for (struct udp_session *s = loop->sessions, *n; s; s = n) {
		long idle = relay_ms_between(&s->last, &t);

		n = s->next;
		if (idle >= timeout_ms)
			session_end(loop, s);
		else if (next < 0 || timeout_ms - idle < next)
			next = timeout_ms - idle;
	}
	if (next >= 0 && next < 1000)
		next = 1000;
	loop->sweep_at = t;
	loop->sweep_at.tv_sec += next >= 0 ? next / 1000 : 0;
	loop->sweep_at.tv_nsec += next >= 0 ? (next % 1000) * 1000000 : 0;
	if (loop->sweep_at.tv_nsec >= 1000000000) {
		loop->sweep_at.tv_nsec -= 1000000000;
		++loop->sweep_at.tv_sec;
	}
	return (int)next;
}

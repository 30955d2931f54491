// SPDX-License-Identifier: MIT
/*
 * The SOCKS5 entrance: the client's greeting, its credentials where they
 * are asked for, and its CONNECT, then the same splice as any published
 * port. A name is resolved inside the namespace, by the namespace's own
 * resolvers over a socket made there, so that the question goes through the
 * tunnel too; the host's resolver is never asked.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "relay_internal.h"
#include "socks.h"

#define SOCKS_BUF 1024
/* Per question: tries, each this long, each nameserver in turn. */
#define DNS_TRY_MS 2000
#define DNS_TRIES 3
#define DNS_PACKET 1500
/* From accept to CONNECT: a client that says nothing does not hold a connection for ever. */
#define HANDSHAKE_MS 20000
#define SWEEP_MS 250

enum socks_stage { STAGE_GREETING, STAGE_AUTH, STAGE_REQUEST };

struct socks_state {
	enum socks_stage stage;
	uint8_t buf[SOCKS_BUF];
	size_t len;
	struct socks_request req;
	uint16_t id, qtype;
	int tries;
	struct timespec deadline;   /* of the DNS question asked */
	struct timespec handshake;  /* of the whole of it */
};

void socks_free(struct conn *c)
{
	if (!c->socks)
		return;
	--c->loop->handshakes;
	memset(c->socks, 0, sizeof(*c->socks));
	free(c->socks);
	c->socks = NULL;
}

static void deadline_set(struct timespec *t, long ms);

int socks_start(struct conn *c)
{
	c->socks = calloc(1, sizeof(*c->socks));
	if (!c->socks)
		return -ENOMEM;
	++c->loop->handshakes;
	deadline_set(&c->socks->handshake, HANDSHAKE_MS);
	c->phase = CONN_SOCKS;
	return conn_watch(c, 0, EPOLLIN);
}

/* A few bytes to a socket whose buffer is empty: all of them go, or the client is not one. */
static bool send_all(int fd, const void *buf, size_t len)
{
	return send(fd, buf, len, MSG_NOSIGNAL) == (ssize_t)len;
}

/* The reply that ends the request, then the end of the connection. */
static void refuse(struct conn *c, enum socks_reply code)
{
	uint8_t reply[SOCKS_REPLY_LEN];

	socks_reply(code, reply);
	send_all(c->fd[0], reply, sizeof(reply));
	conn_close(c, false);
}

static enum socks_reply reply_for(int err)
{
	switch (err) {
	case 0:
		return SOCKS_OK;
	case ECONNREFUSED:
		return SOCKS_REFUSED;
	case ENETUNREACH:
		return SOCKS_NET_UNREACHABLE;
	case EHOSTUNREACH:
	case ENOENT:
		return SOCKS_HOST_UNREACHABLE;
	case ETIMEDOUT:
		return SOCKS_TTL_EXPIRED;
	default:
		return SOCKS_FAILURE;
	}
}

static void connect_to(struct conn *c, const union relay_addr *addr)
{
	int ret;

	if (socks_destination_is_local(addr)) {
		refuse(c, SOCKS_NOT_ALLOWED);
		return;
	}
	if ((ret = tcp_connect_target(c, addr)))
		refuse(c, reply_for(-ret));
}

/* Connected to an address of the namespace's own (its tunnel's, say): as local as loopback. */
static bool connected_locally(int fd)
{
	union relay_addr self = { 0 }, peer = { 0 };
	socklen_t a = sizeof(self), b = sizeof(peer);

	if (getsockname(fd, &self.sa, &a) || getpeername(fd, &peer.sa, &b))
		return false;
	if (self.sa.sa_family == AF_INET6)
		return !memcmp(&self.in6.sin6_addr, &peer.in6.sin6_addr, sizeof(self.in6.sin6_addr));
	return self.in.sin_addr.s_addr == peer.in.sin_addr.s_addr;
}

void socks_connected(struct conn *c, int err)
{
	struct socks_state *s = c->socks;
	uint8_t reply[SOCKS_REPLY_LEN];

	if (err) {
		refuse(c, reply_for(err));
		return;
	}
	if (connected_locally(c->fd[1])) {
		refuse(c, SOCKS_NOT_ALLOWED);
		return;
	}
	socks_reply(SOCKS_OK, reply);
	/* What the client sent after its request (it may not wait for the reply) goes ahead of the rest. */
	if (!send_all(c->fd[0], reply, sizeof(reply)) || (s->len && !send_all(c->fd[1], s->buf, s->len))) {
		conn_close(c, true);
		return;
	}
	counter_add(&c->l->ctr->bytes_in, s->len);
	socks_free(c);
	c->phase = CONN_OPEN;
	tcp_event(c, 0, 0);
}

static void deadline_set(struct timespec *t, long ms)
{
	relay_now(t);
	t->tv_sec += ms / 1000;
	t->tv_nsec += (ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_nsec -= 1000000000L;
		++t->tv_sec;
	}
}

static void dns_socket_close(struct conn *c)
{
	if (c->fd[1] >= 0)
		close(c->fd[1]); /* out of epoll's set with it */
	c->fd[1] = -1;
	c->ev[1] = 0;
}

/* The question, to the next nameserver in turn (one that cannot be reached skipped), from a socket made here: inside the namespace. */
static int dns_ask(struct conn *c)
{
	const struct relay_socks_config *cfg = c->loop->opt->socks;
	struct socks_state *s = c->socks;
	uint8_t q[DNS_PACKET];
	int len, ret = -EHOSTUNREACH;

	if (getrandom(&s->id, sizeof(s->id), 0) != sizeof(s->id))
		return -EIO;
	len = dns_query_build(q, sizeof(q), s->id, s->req.name, s->qtype);
	if (len < 0)
		return len;
	for (size_t k = 0; k < cfg->n_nameservers; ++k) {
		const union relay_addr *server = &cfg->nameservers[s->tries++ % cfg->n_nameservers];

		dns_socket_close(c);
		c->fd[1] = socket(server->sa.sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (c->fd[1] < 0)
			return -errno; /* out of descriptors: no other server helps */
		if (!connect(c->fd[1], &server->sa, relay_addr_len(server)) && send(c->fd[1], q, (size_t)len, 0) == len) {
			deadline_set(&s->deadline, DNS_TRY_MS);
			return conn_watch(c, 1, EPOLLIN);
		}
		ret = -errno;
	}
	return ret;
}

static void resolve(struct conn *c)
{
	int ret;

	c->phase = CONN_RESOLVING;
	c->socks->qtype = DNS_TYPE_A;
	/* The client is not read meanwhile: what it sends waits in its socket. */
	if ((ret = conn_watch(c, 0, 0)) || (ret = dns_ask(c)))
		refuse(c, reply_for(-ret));
}

/* The name's address: connected to; none of A, then AAAA is asked. */
static void dns_answer(struct conn *c)
{
	struct socks_state *s = c->socks;
	uint8_t a[DNS_PACKET];
	union relay_addr addr;
	ssize_t n = recv(c->fd[1], a, sizeof(a), 0);
	int ret;

	if (n < 0)
		return; /* EAGAIN, or an ICMP error: the deadline tries again */
	ret = dns_answer_parse(a, (size_t)n, s->id, s->req.name, s->qtype, &addr);
	if (ret == -ESRCH)
		return; /* not the answer to this question */
	if (ret && s->qtype == DNS_TYPE_A) {
		s->qtype = DNS_TYPE_AAAA;
		s->tries = 0;
		if ((ret = dns_ask(c)))
			refuse(c, reply_for(-ret));
		return;
	}
	if (ret) {
		refuse(c, SOCKS_HOST_UNREACHABLE);
		return;
	}
	if (addr.sa.sa_family == AF_INET6)
		addr.in6.sin6_port = s->req.addr.in.sin_port;
	else
		addr.in.sin_port = s->req.addr.in.sin_port;
	dns_socket_close(c);
	c->phase = CONN_SOCKS;
	connect_to(c, &addr);
}

static void consume(struct socks_state *s, int n)
{
	s->len -= (size_t)n;
	memmove(s->buf, s->buf + n, s->len);
}

/* A name that is an address literal is connected to as one. */
static void request_go(struct conn *c)
{
	struct socks_request *r = &c->socks->req;
	in_port_t port = r->addr.in.sin_port;

	if (r->is_name && inet_pton(AF_INET, r->name, &r->addr.in.sin_addr) == 1) {
		r->addr.in.sin_family = AF_INET;
		r->is_name = false;
	} else if (r->is_name && inet_pton(AF_INET6, r->name, &r->addr.in6.sin6_addr) == 1) {
		r->addr.in6.sin6_family = AF_INET6;
		r->addr.in6.sin6_port = port;
		r->is_name = false;
	}
	if (r->is_name)
		resolve(c);
	else
		connect_to(c, &r->addr);
}

/* As far as the bytes received go; false once c was ended or handed on. */
static bool advance(struct conn *c)
{
	const struct relay_socks_config *cfg = c->loop->opt->socks;
	struct socks_state *s = c->socks;
	struct socks_credentials cred;
	bool none, userpass;
	uint8_t reply[2];
	int n = 0;

	switch (s->stage) {
	case STAGE_GREETING:
		if ((n = socks_parse_greeting(s->buf, s->len, &none, &userpass)) <= 0)
			break;
		consume(s, n);
		reply[0] = SOCKS_VERSION;
		reply[1] = cfg->auth ? (userpass ? SOCKS_METHOD_USERPASS : SOCKS_METHOD_REFUSED) :
				       (none ? SOCKS_METHOD_NONE : SOCKS_METHOD_REFUSED);
		if (!send_all(c->fd[0], reply, 2) || reply[1] == SOCKS_METHOD_REFUSED)
			n = -EACCES;
		s->stage = cfg->auth ? STAGE_AUTH : STAGE_REQUEST;
		break;
	case STAGE_AUTH:
		if ((n = socks_parse_userpass(s->buf, s->len, &cred)) <= 0)
			break;
		consume(s, n);
		reply[0] = SOCKS_AUTH_VERSION;
		reply[1] = !socks_credentials_match(&cred, cfg->cred.user, cfg->cred.pass);
		memset(&cred, 0, sizeof(cred));
		if (!send_all(c->fd[0], reply, 2) || reply[1])
			n = -EACCES;
		s->stage = STAGE_REQUEST;
		break;
	case STAGE_REQUEST:
		n = socks_parse_request(s->buf, s->len, &s->req);
		if (n == -ENOTSUP || n == -EAFNOSUPPORT) {
			refuse(c, n == -ENOTSUP ? SOCKS_CMD_UNSUPPORTED : SOCKS_ATYP_UNSUPPORTED);
			return false;
		}
		if (n <= 0)
			break;
		consume(s, n);
		request_go(c);
		return false;
	}
	if (n < 0) {
		conn_close(c, false);
		return false;
	}
	return n > 0;
}

void socks_event(struct conn *c, int side, uint32_t events)
{
	struct socks_state *s = c->socks;
	ssize_t n;

	if (side == 1) {
		if (c->phase == CONN_RESOLVING)
			dns_answer(c);
		return;
	}
	if (s->len == sizeof(s->buf)) {
		conn_close(c, true); /* no request is this long */
		return;
	}
	n = recv(c->fd[0], s->buf + s->len, sizeof(s->buf) - s->len, 0);
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			conn_close(c, n < 0);
		return;
	}
	s->len += (size_t)n;
	while (advance(c))
		;
}

static bool past(const struct timespec *deadline, const struct timespec *now)
{
	return relay_ms_between(deadline, now) >= 0;
}

/*
 * A client silent past its deadline is let go; a question unanswered in
 * time is asked again (of the next nameserver), or the client told.
 */
int socks_expire(struct relay_loop *loop)
{
	struct timespec t;

	if (!loop->handshakes)
		return -1;
	relay_now(&t);
	/* Not at every wake-up of a busy loop: four times a second is enough for deadlines of seconds. */
	if (!past(&loop->socks_sweep_at, &t))
		return (int)relay_ms_between(&t, &loop->socks_sweep_at);
	loop->socks_sweep_at = t;
	loop->socks_sweep_at.tv_nsec += SWEEP_MS * 1000000L;
	if (loop->socks_sweep_at.tv_nsec >= 1000000000L) {
		loop->socks_sweep_at.tv_nsec -= 1000000000L;
		++loop->socks_sweep_at.tv_sec;
	}
	for (struct conn *c = loop->conns, *next; c; c = next) {
		struct socks_state *s = c->socks;
		int ret;

		next = c->next;
		if (!s)
			continue;
		/* Its target's SYNs lost as well: the slot is not held for the kernel's two minutes. */
		if (past(&s->handshake, &t))
			refuse(c, SOCKS_TTL_EXPIRED);
		else if (c->phase != CONN_RESOLVING || !past(&s->deadline, &t))
			continue;
		else if (s->tries >= DNS_TRIES * (int)loop->opt->socks->n_nameservers)
			refuse(c, SOCKS_HOST_UNREACHABLE);
		else if ((ret = dns_ask(c)))
			refuse(c, reply_for(-ret));
	}
	return SWEEP_MS;
}

/* SPDX-License-Identifier: MIT */
#ifndef NSWG_RELAY_INTERNAL_H
#define NSWG_RELAY_INTERNAL_H

/*
 * The relay's event loop, shared by its TCP, UDP and SOCKS parts. One loop
 * per thread, each thread in the namespace where its connections are made.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "relay.h"
#include "relay_serve.h"

enum handle_kind { H_LISTEN, H_CONN, H_UDP, H_DRAIN };

/* What an epoll event points at: a listener, one socket of a connection, a UDP session. */
struct handle {
	enum handle_kind kind;
	int side;
	void *obj;
};

/* One direction of a TCP connection: from fd[side] through a pipe to fd[!side]. */
struct flow {
	int r, w;       /* the pipe */
	size_t queued;  /* bytes in it */
	size_t cap;     /* its capacity: a pipe's default, grown once the flow fills it */
	bool eof;       /* the source said FIN */
	bool shut;      /* and the destination was told so */
	bool stalled;   /* the pipe takes no more until some is written */
	bool grown;     /* its growth was tried */
};

enum conn_phase { CONN_SOCKS, CONN_RESOLVING, CONN_CONNECTING, CONN_OPEN };

struct socks_state;

struct conn {
	struct handle h[2];
	struct relay_loop *loop;
	struct relay_listener *l;
	struct conn *prev, *next;
	int fd[2];         /* 0: the client, accepted; 1: the target */
	uint32_t ev[2];    /* the events registered for each; 0: not registered */
	struct flow flow[2];
	enum conn_phase phase;
	bool dead;
	struct socks_state *socks;
};

struct udp_session {
	struct handle h;
	struct relay_listener *l;
	struct relay_loop *loop;
	struct udp_session *prev, *next;
	union relay_addr peer;
	int fd;
	struct timespec last;
	bool dead;
};

struct relay_loop {
	int ep;
	struct relay_listener *listeners;
	size_t n_listeners;
	struct handle *listen_handles;
	const struct relay_options *opt;
	size_t open;         /* TCP connections */
	size_t udp_open;     /* UDP sessions, counted apart: a flood of datagrams does not stop TCP */
	size_t handshakes;   /* SOCKS connections not yet connected: each has a deadline */
	struct timespec socks_sweep_at; /* when those deadlines are looked at next */
	bool paused;         /* listeners unregistered: at the limit, or out of descriptors */
	bool draining;       /* listeners closed: a successor serves them; open connections go on to their end */
	struct handle drain_handle;
	size_t fits;         /* connections the descriptors allow, learnt when they ran out; 0: no such limit seen */
	bool starved;        /* out of descriptors with none open, and no spare to shed a client with */
	struct timespec fits_since; /* then: tried afresh a second later (the other loop may give some back) */
	int spare;           /* a descriptor given up to shed a client when none is left */
	struct conn *conns, *graveyard;
	struct udp_session *sessions, *udp_graveyard;
	unsigned char *dgram; /* one datagram */
	struct timespec sweep_at; /* when idle UDP sessions are looked for next */
};

/* Counters, written by the relay alone, read by show from another process. */
static inline void counter_add(uint64_t *c, uint64_t n)
{
	__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

void loop_pause(struct relay_loop *loop);
/* Out of descriptors with n open: no more than n until all have ended. */
void loop_out_of_descriptors(struct relay_loop *loop);
/* Whether one more connection may be accepted now. */
bool loop_has_room(const struct relay_loop *loop);
/* Milliseconds until a loop out of descriptors tries again, -1 when it is not; tries when due. */
int loop_retry(struct relay_loop *loop);
/* Now, and the milliseconds from a to b. */
void relay_now(struct timespec *t);
long relay_ms_between(const struct timespec *a, const struct timespec *b);
void loop_resume(struct relay_loop *loop);

/* TCP (relay_tcp.c). */
void tcp_accept(struct relay_loop *loop, struct relay_listener *l);
void tcp_event(struct conn *c, int side, uint32_t events);
/* Starts connecting the target (fd[1]) to addr: the SOCKS request's or the spec's. */
int tcp_connect_target(struct conn *c, const union relay_addr *addr);
/* Ends c: with a reset to both ends when reset is true. */
void conn_close(struct conn *c, bool reset);
void conn_reap(struct relay_loop *loop);
int conn_watch(struct conn *c, int side, uint32_t events);

/* UDP (relay_udp.c). */
void udp_receive(struct relay_loop *loop, struct relay_listener *l);
void udp_reply(struct udp_session *s);
/* Ends idle sessions; returns the milliseconds until the next may expire, -1 with none. */
int udp_expire(struct relay_loop *loop);
void udp_reap(struct relay_loop *loop);
/* Every session ended: their replies go out through a listener the loop no longer holds. */
void udp_end_all(struct relay_loop *loop);

/* SOCKS5 (relay_socks.c): the client's bytes until CONNECT is answered. */
int socks_start(struct conn *c);
void socks_event(struct conn *c, int side, uint32_t events);
/* The target connected (err 0) or not: the reply, then the connection is open. */
void socks_connected(struct conn *c, int err);
void socks_free(struct conn *c);
/* Questions unanswered in time asked again; returns the milliseconds until the next look, -1 with none. */
int socks_expire(struct relay_loop *loop);

#endif

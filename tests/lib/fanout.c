// SPDX-License-Identifier: MIT
/*
 * A test tool: many TCP connections at once from one process, each moving a
 * stream of its own and checking what comes back, and the one-process echo
 * server they talk to (socat would fork a process per connection; iperf3
 * stops at 128 streams).
 *
 *   fanout echo ADDR PORT                 echo every connection, half-close included
 *   fanout run ADDR PORT N BYTES [-k]     N connections at once, each sends BYTES, half-closes,
 *                                         and must get the same BYTES back; -k: failed
 *                                         connections (refused, reset) are counted, not fatal,
 *                                         a corrupted one still is
 *   fanout noread ADDR PORT SECONDS       sends for SECONDS without ever reading: prints the bytes
 *                                         the far side took
 *   fanout hold ADDR PORT N               N connections held open until stdin ends
 *   fanout urgent ADDR PORT               sends "abc", an urgent "X", "def", half-closes: prints
 *                                         what comes back
 *   fanout udpecho ADDR PORT              echoes every datagram to its sender, on one socket (socat's
 *                                         UDP-LISTEN,fork loses a second client's first datagrams
 *                                         while it forks for the first)
 *   fanout reset ADDR PORT                connects, sends a byte, then closes with a reset (SO_LINGER 0)
 *   fanout reset-server ADDR PORT         for one connection: reads a byte, then closes it with a reset
 *   fanout ending ADDR PORT               connects, sends a byte, reads until the end: prints how it
 *                                         ended ("reset", or "eof")
 *   fanout ending-server ADDR PORT        for one connection: reads until the end, prints how it ended
 *   fanout http ADDR PORT                 answers every HTTP request with 200 and "hello\n", then
 *                                         closes: the benchmark's server (busybox httpd forks for
 *                                         each, and would be all that is measured)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 65536

static struct sockaddr_in addr_of(const char *ip, const char *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port)) };

	if (inet_pton(AF_INET, ip, &a.sin_addr) != 1) {
		fprintf(stderr, "fanout: `%s' is not an IPv4 address\n", ip);
		exit(2);
	}
	return a;
}

static uint8_t pattern(size_t conn, size_t i)
{
	return (uint8_t)(i * 131 + conn * 7 + (i >> 13));
}

struct echo_conn {
	int fd;
	uint8_t buf[CHUNK];
	size_t len, off;
	bool eof;
};

static void echo_update(int ep, struct echo_conn *c)
{
	struct epoll_event ev = { .events = c->len > c->off ? EPOLLOUT : c->eof ? 0 : EPOLLIN, .data.ptr = c };

	epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static void echo_serve(int ep, struct echo_conn *c)
{
	for (;;) {
		if (c->len > c->off) {
			ssize_t n = write(c->fd, c->buf + c->off, c->len - c->off);

			if (n < 0 && errno == EAGAIN)
				break;
			if (n <= 0)
				goto gone;
			c->off += (size_t)n;
			continue;
		}
		c->len = c->off = 0;
		if (c->eof) {
			shutdown(c->fd, SHUT_WR);
			goto gone;
		}
		ssize_t n = read(c->fd, c->buf, sizeof(c->buf));

		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0)
			goto gone;
		if (!n)
			c->eof = true;
		c->len = (size_t)n;
	}
	echo_update(ep, c);
	return;
gone:
	/* Its FIN sent: the peer reads the end of file, then closes. */
	close(c->fd);
	free(c);
}

/*
 * A server of one process: each connection gets a zeroed block of size
 * bytes whose first member is its descriptor, and serve() at each of its
 * events (serve frees it when it is done).
 */
static int serve_all(const char *ip, const char *port, size_t size, void (*serve)(int ep, void *c), const char *what)
{
	struct sockaddr_in a = addr_of(ip, port);
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1, ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL }, evs[256];

	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 4096) || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev)) {
		fprintf(stderr, "fanout: %s: %s\n", what, strerror(errno));
		return 1;
	}
	for (;;) {
		int n = epoll_wait(ep, evs, 256, -1);

		for (int i = 0; i < n; ++i) {
			if (evs[i].data.ptr) {
				serve(ep, evs[i].data.ptr);
				continue;
			}
			for (int fd; (fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0;) {
				int *c = calloc(1, size);

				*c = fd;
				ev = (struct epoll_event){ .events = EPOLLIN, .data.ptr = c };
				epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
			}
		}
	}
}

static void echo_event(int ep, void *c)
{
	echo_serve(ep, c);
}

struct run_conn {
	int fd;
	size_t index, sent, got;
	bool shut, done, bad;
};

static void run_update(int ep, struct run_conn *c, size_t bytes)
{
	struct epoll_event ev = { .events = EPOLLIN | (c->sent < bytes || !c->shut ? EPOLLOUT : 0), .data.ptr = c };

	epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Writes while it can, reads while there is something, checks every byte. */
static int run_step(int ep, struct run_conn *c, size_t bytes)
{
	uint8_t buf[CHUNK];
	ssize_t n;

	while (c->sent < bytes) {
		size_t k = bytes - c->sent < sizeof(buf) ? bytes - c->sent : sizeof(buf);

		for (size_t i = 0; i < k; ++i)
			buf[i] = pattern(c->index, c->sent + i);
		n = write(c->fd, buf, k);
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0)
			return -1;
		c->sent += (size_t)n;
	}
	if (c->sent == bytes && !c->shut) {
		shutdown(c->fd, SHUT_WR);
		c->shut = true;
	}
	for (;;) {
		n = read(c->fd, buf, sizeof(buf));
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0)
			return -1;
		if (!n) {
			c->done = true;
			c->bad = c->got != bytes;
			return c->bad ? -2 : 1;
		}
		for (ssize_t i = 0; i < n; ++i) {
			if (c->got + (size_t)i >= bytes || buf[i] != pattern(c->index, c->got + (size_t)i))
				return -2;
		}
		c->got += (size_t)n;
	}
	run_update(ep, c, bytes);
	return 0;
}

static int run(const char *ip, const char *port, size_t n, size_t bytes, bool tolerate)
{
	struct sockaddr_in a = addr_of(ip, port);
	struct run_conn *conns = calloc(n, sizeof(*conns));
	struct epoll_event evs[256];
	size_t ok = 0, failed = 0, corrupt = 0, open = 0;
	int ep = epoll_create1(0);

	for (size_t i = 0; i < n; ++i) {
		struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.ptr = &conns[i] };

		conns[i].index = i;
		conns[i].fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (conns[i].fd < 0 || (connect(conns[i].fd, (struct sockaddr *)&a, sizeof(a)) && errno != EINPROGRESS) ||
		    epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev)) {
			perror("fanout: connect");
			return 1;
		}
		++open;
	}
	while (open) {
		int k = epoll_wait(ep, evs, 256, 60000);

		if (k <= 0) {
			fprintf(stderr, "fanout: %zu connections stalled for 60 s\n", open);
			return 1;
		}
		for (int i = 0; i < k; ++i) {
			struct run_conn *c = evs[i].data.ptr;
			int r = run_step(ep, c, bytes);

			if (!r)
				continue;
			ok += r > 0;
			failed += r == -1;
			corrupt += r == -2;
			close(c->fd);
			--open;
		}
	}
	printf("fanout: %zu ok, %zu failed, %zu corrupted\n", ok, failed, corrupt);
	/* Out before a sanitizer's leak check can end the process: a test reads this line. */
	fflush(stdout);
	free(conns);
	close(ep);
	return corrupt || (!tolerate && failed) || !ok ? 1 : 0;
}

static int noread(const char *ip, const char *port, int seconds)
{
	struct sockaddr_in a = addr_of(ip, port);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	uint8_t buf[CHUNK] = { 0 };
	unsigned long long sent = 0;
	time_t end = time(NULL) + seconds;

	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) || fcntl(fd, F_SETFL, O_NONBLOCK)) {
		perror("fanout: noread");
		return 1;
	}
	while (time(NULL) < end) {
		ssize_t n = write(fd, buf, sizeof(buf));

		if (n > 0)
			sent += (unsigned long long)n;
		else if (n < 0 && errno != EAGAIN)
			break;
		else
			usleep(10000);
	}
	printf("%llu\n", sent);
	return 0;
}

static int hold(const char *ip, const char *port, size_t n)
{
	struct sockaddr_in a = addr_of(ip, port);
	char c;

	for (size_t i = 0; i < n; ++i) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
			perror("fanout: hold");
			return 1;
		}
	}
	printf("held %zu\n", n);
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return 0;
}

struct http_conn {
	int fd;
	size_t got;
	char req[4096];
};

static const char http_reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nhello\n";

/* The request read to its blank line, the reply written (it fits a socket's buffer), closed. */
static void http_serve(int ep, void *conn)
{
	struct http_conn *c = conn;

	(void)ep;
	for (;;) {
		ssize_t n = read(c->fd, c->req + c->got, sizeof(c->req) - 1 - c->got);

		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0)
			break;
		c->got += (size_t)n;
		c->req[c->got] = '\0';
		if (strstr(c->req, "\r\n\r\n") || c->got == sizeof(c->req) - 1) {
			/* A reply that does not go out is a client gone: closed all the same. */
			ssize_t w = write(c->fd, http_reply, sizeof(http_reply) - 1);

			(void)w;
			break;
		}
	}
	close(c->fd);
	free(c);
}

static int urgent(const char *ip, const char *port)
{
	struct sockaddr_in a = addr_of(ip, port);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	char buf[256];
	size_t got = 0;
	ssize_t n;

	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) || write(fd, "abc", 3) != 3) {
		perror("fanout: urgent");
		return 1;
	}
	usleep(100000);
	if (send(fd, "X", 1, MSG_OOB) != 1) {
		perror("fanout: urgent");
		return 1;
	}
	usleep(100000);
	if (write(fd, "def", 3) != 3 || shutdown(fd, SHUT_WR)) {
		perror("fanout: urgent");
		return 1;
	}
	while (got < sizeof(buf) - 1 && (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	printf("%s\n", buf);
	return 0;
}

static int udp_echo(const char *ip, const char *port)
{
	struct sockaddr_in a = addr_of(ip, port), from;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	char buf[65536];
	socklen_t len;
	ssize_t n;

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		perror("fanout: udpecho");
		return 1;
	}
	for (;;) {
		len = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
		if (n >= 0)
			sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, len);
	}
}

/* One end of the resets' tests: a connection made, or the first accepted. */
static int one_connection(const char *ip, const char *port, bool server)
{
	struct sockaddr_in a = addr_of(ip, port);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, conn;

	if (fd < 0)
		return -1;
	if (!server)
		return connect(fd, (struct sockaddr *)&a, sizeof(a)) || write(fd, "x", 1) != 1 ? -1 : fd;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1))
		return -1;
	conn = accept(fd, NULL, NULL);
	close(fd);
	return conn;
}

static int reset_end(const char *ip, const char *port, bool server)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int fd = one_connection(ip, port, server);
	char c;

	if (fd < 0 || (server && read(fd, &c, 1) != 1)) {
		perror("fanout: reset");
		return 1;
	}
	if (!server)
		usleep(200000); /* the byte across first: the far side holds a connection to reset */
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
	return 0;
}

static int how_it_ends(const char *ip, const char *port, bool server)
{
	int fd = one_connection(ip, port, server);
	char buf[4096];
	ssize_t n;

	if (fd < 0) {
		perror("fanout: ending");
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	printf("%s\n", !n ? "eof" : errno == ECONNRESET ? "reset" : strerror(errno));
	close(fd);
	return 0;
}

int main(int argc, char *argv[])
{
	struct rlimit rl;

	signal(SIGPIPE, SIG_IGN);
	/* A descriptor per connection: as many as the hard limit allows. */
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (argc == 4 && !strcmp(argv[1], "echo"))
		return serve_all(argv[2], argv[3], sizeof(struct echo_conn), echo_event, "echo");
	if ((argc == 6 || argc == 7) && !strcmp(argv[1], "run"))
		return run(argv[2], argv[3], strtoul(argv[4], NULL, 10), strtoul(argv[5], NULL, 10),
			   argc == 7 && !strcmp(argv[6], "-k"));
	if (argc == 5 && !strcmp(argv[1], "noread"))
		return noread(argv[2], argv[3], atoi(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "urgent"))
		return urgent(argv[2], argv[3]);
	if (argc == 5 && !strcmp(argv[1], "hold"))
		return hold(argv[2], argv[3], strtoul(argv[4], NULL, 10));
	if (argc == 4 && !strcmp(argv[1], "udpecho"))
		return udp_echo(argv[2], argv[3]);
	if (argc == 4 && (!strcmp(argv[1], "reset") || !strcmp(argv[1], "reset-server")))
		return reset_end(argv[2], argv[3], !strcmp(argv[1], "reset-server"));
	if (argc == 4 && (!strcmp(argv[1], "ending") || !strcmp(argv[1], "ending-server")))
		return how_it_ends(argv[2], argv[3], !strcmp(argv[1], "ending-server"));
	if (argc == 4 && !strcmp(argv[1], "http"))
		return serve_all(argv[2], argv[3], sizeof(struct http_conn), http_serve, "http");
	fprintf(stderr, "usage: fanout echo|run|noread|hold|urgent|udpecho|reset|reset-server|ending|ending-server|http ADDR PORT ...\n");
	return 2;
}

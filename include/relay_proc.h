/* SPDX-License-Identifier: MIT */
#ifndef NSWG_RELAY_PROC_H
#define NSWG_RELAY_PROC_H

#include <signal.h>
#include <stddef.h>

#include "daemon.h"
#include "relay.h"

/* The listening socket of spec on its side: the caller's namespace, or inside ns_fd. fd or -errno. */
int relay_listen(const struct relay_spec *spec, int ns_fd);
/*
 * A socket handed over for spec: its type, listening, bound where spec says,
 * made on spec's side (inside ns_fd, or in the caller's namespace); made
 * non-blocking and close-on-exec. 0, or -errno with *why saying what is
 * wrong ("" when it is errno's to say).
 */
int relay_socket_check(int fd, const struct relay_spec *spec, int ns_fd, const char **why);
/* "on the host", "inside the namespace": where spec listens, for messages. */
const char *relay_side(const struct relay_spec *spec);

/* A socket for the relay's READY=1; name gets "NOTIFY_SOCKET=@..." for its environment. fd or -errno. */
int relay_notify_open(char *name, size_t size);
/* READY=1 from p: 0; -ECHILD when it exited first (*status says how), -ETIMEDOUT, -EINTR once *stop. */
int relay_wait_ready(int notify_fd, const struct daemon_proc *p, int *status, const volatile sig_atomic_t *stop);

/* What up hands its relay. */
struct relay_launch {
	const struct relay_set *set;
	const char *ns_name; /* as given to up: for the relay's messages and /etc/netns/NAME */
	int ns_fd, stats_fd, log_fd;
	const int *listeners; /* set->n of them, in the set's order */
	int predecessor_fd;   /* reload: a pidfd of the relay it replaces, told to drain once this one serves; -1 */
	const char *notify;   /* "NOTIFY_SOCKET=@..." */
};
/* --socks-auth FILE read and checked, for up (before anything is touched) and the relay; prints why not. */
struct socks_credentials;
int relay_credentials_load(const char *file, struct socks_credentials *cred);

/* `nswg relay' of this binary, at its gate (daemon.h). */
int relay_spawn(const struct relay_launch *l, struct daemon_proc *p, struct daemon_gate *g);

#endif

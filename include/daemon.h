/* SPDX-License-Identifier: MIT */
#ifndef NSWG_DAEMON_H
#define NSWG_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <sys/types.h>

/* Headers older than the kernels that have them (5.1, 5.3, 5.6): the numbers are one on every architecture. */
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

/*
 * A process nswg starts to outlive it (a userspace WireGuard, the relay):
 * its pid and its start time, so that a pid reused by another process after
 * a reboot or a crash is never signalled.
 */
struct daemon_proc {
	pid_t pid;
	unsigned long long start;
};

/*
 * Forks argv in a session of its own, signals reset, stdin /dev/null and
 * stdout and stderr log_fd. fds[0..n_fds) become its descriptors 3, 4, ...
 * in that order, and nothing else of nswg's survives the exec; env's
 * "NAME=VALUE" entries are added to its environment, and with listen_fds,
 * LISTEN_FDS=listen_fds and LISTEN_PID (systemd's socket activation: the
 * first fds are listeners). path is what is executed (argv[0], looked for
 * in PATH, when NULL); netns_fd, when given, the network namespace it
 * runs in. The child
 * waits at a gate: the caller records p first, then daemon_release() lets
 * it run. A child whose nswg dies before that exits without running
 * anything. Returns 0 or -errno (release: the exec's error).
 */
struct daemon_gate {
	int gate, report;
};
struct daemon_args {
	const char *path;
	char *const *argv;
	const char *const *env;
	const int *fds;
	size_t n_fds, listen_fds;
	int log_fd;
	const int *netns_fd; /* the network namespace it runs in, entered before the exec; NULL: nswg's */
};
int daemon_spawn(const struct daemon_args *a, struct daemon_proc *p, struct daemon_gate *g);
int daemon_release(struct daemon_gate *g, const struct daemon_proc *p);
/* Gives the gate up without releasing it: the child exits unrun. */
void daemon_gate_close(struct daemon_gate *g);

/* Fills p for a running pid: 0, or -errno. */
int daemon_proc_of(pid_t pid, struct daemon_proc *p);
/* Whether p is still that process and not all of its threads have exited. */
bool daemon_alive(const struct daemon_proc *p);
/* Reaps p if it is nswg's child and has exited: true when it is gone. */
bool daemon_reaped(const struct daemon_proc *p, int *status);
/*
 * A pidfd of the process p records: -ESRCH when it is gone, another -errno
 * when it runs and cannot be reached. Signals through it never reach a
 * process that took p's pid since.
 */
int daemon_pidfd(const struct daemon_proc *p);
/* SIGTERM, then SIGKILL, through a pidfd, until p is gone: 0, or -ETIMEDOUT. */
int daemon_terminate(const struct daemon_proc *p);

/* Polling steps: 1 ms while an answer is likely soon (tens of ms), then 10 ms. */
long daemon_poll_step(long waited);
void daemon_sleep_ms(long ms);

#endif

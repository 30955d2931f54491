/* SPDX-License-Identifier: MIT */
#ifndef NSWG_USERSPACE_H
#define NSWG_USERSPACE_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * A userspace WireGuard implementation (wireguard-go) that nswg started: its
 * pid and its start time, so that a pid reused by another process after a
 * reboot or a crash is never signalled.
 */
struct userspace_proc {
	pid_t pid;
	unsigned long long start;
};

/* $NSWG_USERSPACE_IMPLEMENTATION, else wg-quick's variable, else wireguard-go. */
const char *userspace_implementation(void);
/* Whether one of those variables asks for userspace even with kernel WireGuard. */
bool userspace_requested(void);

/*
 * Forks "IMPL IFNAME" in the foreground (WG_PROCESS_FOREGROUND=1), in a
 * session of its own, in nswg's namespaces, its output going to log_fd. The
 * child waits at a gate: the caller records p first, then
 * userspace_release() lets it run. A child whose nswg dies before that exits
 * without running anything. Returns 0, or -errno (release: the exec's
 * error).
 */
struct userspace_gate {
	int gate, report;
};
int userspace_spawn(const char *impl, const char *ifname, int log_fd, struct userspace_proc *p,
		    struct userspace_gate *g);
int userspace_release(struct userspace_gate *g, const struct userspace_proc *p);
/* Gives the gate up without releasing it: the child exits unrun. */
void userspace_gate_close(struct userspace_gate *g);

/*
 * Waits for the implementation's UAPI socket to answer. -ECHILD if the
 * process exited first (*status says how), -ETIMEDOUT.
 */
int userspace_wait(const char *ifname, const struct userspace_proc *p, int *status);

/* Whether p is still that process and has not exited. */
bool userspace_alive(const struct userspace_proc *p);

/*
 * Stops p (SIGTERM, then SIGKILL), waits until it is gone, and removes its
 * socket file if it left one that nothing answers on. 0 or -errno.
 */
int userspace_stop(const struct userspace_proc *p, const char *ifname);

#endif

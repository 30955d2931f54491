/* SPDX-License-Identifier: MIT */
#ifndef NSWG_USERSPACE_H
#define NSWG_USERSPACE_H

#include <stdbool.h>

#include "daemon.h"

/* $NSWG_USERSPACE_IMPLEMENTATION, else wg-quick's variable, else wireguard-go. */
const char *userspace_implementation(void);
/* Whether one of those variables asks for userspace even with kernel WireGuard. */
bool userspace_requested(void);

/*
 * "IMPL IFNAME" in the foreground (WG_PROCESS_FOREGROUND=1), in nswg's
 * namespaces (the network namespace netns_fd when >= 0: --via's), its
 * output going to log_fd; at its gate (daemon.h).
 */
int userspace_spawn(const char *impl, const char *ifname, int log_fd, int netns_fd, struct daemon_proc *p,
		    struct daemon_gate *g);

/*
 * Waits for the implementation's UAPI socket to answer. -ECHILD if the
 * process exited first (*status says how), -ETIMEDOUT.
 */
int userspace_wait(const char *ifname, const struct daemon_proc *p, int *status);

/*
 * Stops p (SIGTERM, then SIGKILL), waits until it is gone, and removes its
 * socket file if it left one that nothing answers on. 0 or -errno.
 */
int userspace_stop(const struct daemon_proc *p, const char *ifname);

#endif

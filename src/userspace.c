// SPDX-License-Identifier: MIT
/*
 * A userspace WireGuard implementation, started in the host's network
 * namespace so that its UDP socket is there (daemon.c starts and stops it).
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "uapi.h"
#include "userspace.h"

#define WAIT_SOCKET_MS 15000

const char *userspace_implementation(void)
{
	const char *impl = getenv("NSWG_USERSPACE_IMPLEMENTATION");

	if (!impl || !*impl)
		impl = getenv("WG_QUICK_USERSPACE_IMPLEMENTATION");
	return impl && *impl ? impl : "wireguard-go";
}

bool userspace_requested(void)
{
	const char *a = getenv("NSWG_USERSPACE_IMPLEMENTATION"), *b = getenv("WG_QUICK_USERSPACE_IMPLEMENTATION");

	return (a && *a) || (b && *b);
}

int userspace_spawn(const char *impl, const char *ifname, int log_fd, int netns_fd, struct daemon_proc *p,
		    struct daemon_gate *g)
{
	char *const argv[] = { (char *)impl, (char *)ifname, NULL };
	/* wireguard-go stays in the foreground, and skips its banner, with this. */
	static const char *const env[] = { "WG_PROCESS_FOREGROUND=1", NULL };
	const struct daemon_args a = { .argv = argv, .env = env, .log_fd = log_fd,
				       .netns_fd = netns_fd >= 0 ? &netns_fd : NULL };

	return daemon_spawn(&a, p, g);
}

int userspace_wait(const char *ifname, const struct daemon_proc *p, int *status)
{
	for (long waited = 0; waited < WAIT_SOCKET_MS; waited += daemon_poll_step(waited)) {
		int fd = uapi_connect(ifname);

		if (fd >= 0) {
			close(fd);
			return 0;
		}
		if (daemon_reaped(p, status))
			return -ECHILD;
		daemon_sleep_ms(daemon_poll_step(waited));
	}
	return -ETIMEDOUT;
}

int userspace_stop(const struct daemon_proc *p, const char *ifname)
{
	char path[128];
	int fd, ret = daemon_terminate(p);

	if (ret)
		return ret;
	/* A socket nobody answers on is what a killed implementation leaves. */
	fd = uapi_connect(ifname);
	if (fd >= 0) {
		close(fd);
		return -EBUSY;
	}
	if (!uapi_path(ifname, path, sizeof(path)) && unlink(path) && errno != ENOENT)
		return -errno;
	return 0;
}

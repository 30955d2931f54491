// SPDX-License-Identifier: MIT
/*
 * Starting and stopping a userspace WireGuard implementation. It runs in the
 * host's network namespace, so that its UDP socket is there, and outlives
 * nswg: it gets a session of its own and no descriptor of nswg's. Whoever
 * stops it later is another nswg process, which only knows its pid: the
 * start time recorded with it tells a reused pid apart.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "stats.h"
#include "uapi.h"
#include "userspace.h"

#define WAIT_SOCKET_MS 15000
#define WAIT_TERM_MS 5000
#define WAIT_KILL_MS 2000

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

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Field 22 of /proc/PID/stat, and whether the process is a zombie. */
static int proc_start(pid_t pid, unsigned long long *start, bool *zombie)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -ESRCH;
	buf[n] = '\0';
	/* The command name may hold spaces and parentheses: skip to the last ')'. */
	p = strrchr(buf, ')');
	if (!p || !p[1] || !p[2])
		return -EBADMSG;
	*zombie = p[2] == 'Z' || p[2] == 'X';
	for (int field = 3; field <= 22; ++field) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -EBADMSG;
	}
	*start = strtoull(p + 1, NULL, 10);
	return 0;
}

bool userspace_alive(const struct userspace_proc *p)
{
	unsigned long long start = 0;
	bool zombie = false;

	if (p->pid <= 0 || proc_start(p->pid, &start, &zombie))
		return false;
	return start == p->start && !zombie;
}

static void close_from(int lowest)
{
#ifdef SYS_close_range
	if (!syscall(SYS_close_range, lowest, ~0U, 0))
		return;
#endif
	for (int fd = lowest; fd < 1024; ++fd)
		close(fd);
}

/*
 * In the child: it waits at the gate until nswg has recorded its pid, and
 * exits unrun if nswg dies first. Then nothing of nswg's but the log
 * survives the exec.
 */
static void exec_child(const char *impl, const char *ifname, int log_fd, int gate_fd, int report_fd)
{
	char *const argv[] = { (char *)impl, (char *)ifname, NULL };
	sigset_t none;
	int null, err;
	char go;
	ssize_t n;

	setsid();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < NSIG; ++sig)
		signal(sig, SIG_DFL);
	do
		n = read(gate_fd, &go, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(125);
	null = open("/dev/null", O_RDWR);
	if (null < 0 || dup2(null, 0) < 0 || dup2(log_fd, 1) < 0 || dup2(log_fd, 2) < 0 || dup2(report_fd, 3) < 0)
		goto fail;
	fcntl(3, F_SETFD, FD_CLOEXEC);
	close_from(4);
	/* wireguard-go stays in the foreground, and skips its banner, with this. */
	if (setenv("WG_PROCESS_FOREGROUND", "1", 1))
		goto fail;
	execvp(impl, argv);
fail:
	err = errno;
	if (write(3, &err, sizeof(err)) < 0)
		_exit(126);
	_exit(127);
}

int userspace_spawn(const char *impl, const char *ifname, int log_fd, struct userspace_proc *p,
		    struct userspace_gate *g)
{
	int gate[2], report[2], err;
	bool zombie;
	pid_t pid;

	g->gate = g->report = -1;
	if (pipe2(gate, O_CLOEXEC))
		return -errno;
	if (pipe2(report, O_CLOEXEC)) {
		err = errno;
		close(gate[0]);
		close(gate[1]);
		return -err;
	}
	pid = fork();
	if (pid < 0) {
		err = errno;
		close(gate[0]);
		close(gate[1]);
		close(report[0]);
		close(report[1]);
		return -err;
	}
	if (!pid) {
		/* Its own copy of the gate's write end would hide nswg's death. */
		close(gate[1]);
		close(report[0]);
		exec_child(impl, ifname, log_fd, gate[0], report[1]);
	}
	close(gate[0]);
	close(report[1]);
	g->gate = gate[1];
	g->report = report[0];
	p->pid = pid;
	++nswg_stats.processes;
	if (proc_start(pid, &p->start, &zombie))
		p->start = 0;
	return 0;
}

void userspace_gate_close(struct userspace_gate *g)
{
	if (g->gate >= 0)
		close(g->gate);
	if (g->report >= 0)
		close(g->report);
	g->gate = g->report = -1;
}

int userspace_release(struct userspace_gate *g, const struct userspace_proc *p)
{
	int err = 0;
	ssize_t n;

	n = write(g->gate, "", 1);
	if (n != 1)
		err = errno ? errno : EPIPE;
	close(g->gate);
	g->gate = -1;
	/* The pipe closes on a successful exec; an errno comes through it otherwise. */
	do
		n = read(g->report, &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(g->report);
	g->report = -1;
	if (n == sizeof(err)) {
		waitpid(p->pid, NULL, 0);
		return -err;
	}
	return 0;
}

/* Polling steps: 1 ms while an answer is likely soon (tens of ms), then 10 ms. */
static long poll_step(long waited)
{
	return waited < 200 ? 1 : 10;
}

int userspace_wait(const char *ifname, const struct userspace_proc *p, int *status)
{
	for (long waited = 0; waited < WAIT_SOCKET_MS; waited += poll_step(waited)) {
		int fd = uapi_connect(ifname);

		if (fd >= 0) {
			close(fd);
			return 0;
		}
		if (waitpid(p->pid, status, WNOHANG) == p->pid)
			return -ECHILD;
		sleep_ms(poll_step(waited));
	}
	return -ETIMEDOUT;
}

/* Until p is gone: reaped when it is nswg's child, else watched in /proc. */
static bool wait_gone(const struct userspace_proc *p, long ms)
{
	for (long waited = 0;; waited += poll_step(waited)) {
		pid_t r = waitpid(p->pid, NULL, WNOHANG);

		if (r == p->pid || !userspace_alive(p))
			return true;
		if (waited >= ms)
			return false;
		sleep_ms(poll_step(waited));
	}
}

int userspace_stop(const struct userspace_proc *p, const char *ifname)
{
	char path[128];
	int fd;

	if (userspace_alive(p)) {
		kill(p->pid, SIGTERM);
		if (!wait_gone(p, WAIT_TERM_MS)) {
			kill(p->pid, SIGKILL);
			if (!wait_gone(p, WAIT_KILL_MS))
				return -ETIMEDOUT;
		}
	} else if (p->pid > 0) {
		waitpid(p->pid, NULL, WNOHANG); /* reaps our own child; harmless otherwise */
	}
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

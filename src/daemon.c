// SPDX-License-Identifier: MIT
/*
 * Processes nswg starts to outlive it: a userspace WireGuard, the relay.
 * They get a session of their own and no descriptor of nswg's but those
 * handed to them. Whoever stops one later is another nswg process, which
 * only knows its pid: the start time recorded with it tells a reused pid
 * apart.
 */
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "stats.h"

#define WAIT_TERM_MS 5000
#define WAIT_KILL_MS 2000
/* Descriptors a child may be handed: the relay's listeners and a few more. */
#define DAEMON_FDS_MAX 48

void daemon_sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * Field 22 of /proc/PID/stat, and whether the process has exited. A thread
 * group's leader shows Z as soon as it exits itself, while its other threads
 * may still run (a Go program exiting, or a leader that called pthread_exit)
 * and hold its sockets open: exited means a zombie whose thread count (field
 * 20) is down to the leader's own.
 */
static int proc_start(pid_t pid, unsigned long long *start, bool *exited)
{
	char path[64], buf[1024], *p;
	unsigned long threads = 0;
	bool zombie;
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
	zombie = p[2] == 'Z' || p[2] == 'X';
	for (int field = 3; field <= 22; ++field) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -EBADMSG;
		if (field == 20)
			threads = strtoul(p + 1, NULL, 10);
	}
	*start = strtoull(p + 1, NULL, 10);
	*exited = zombie && threads <= 1;
	return 0;
}

int daemon_proc_of(pid_t pid, struct daemon_proc *p)
{
	bool exited;

	p->pid = pid;
	return proc_start(pid, &p->start, &exited);
}

bool daemon_alive(const struct daemon_proc *p)
{
	unsigned long long start = 0;
	bool exited = false;

	if (p->pid <= 0 || proc_start(p->pid, &start, &exited))
		return false;
	return start == p->start && !exited;
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
 * exits unrun if nswg dies first. Then its descriptors are put in place:
 * each first out of the way (one to be placed may sit where another goes),
 * then where it belongs; the report's, close-on-exec, last.
 */
static void exec_child(const struct daemon_args *a, int gate_fd, int report_fd)
{
	int moved[DAEMON_FDS_MAX], base = 3 + (int)a->n_fds + 1, null, log, report, reporting = report_fd, err;
	sigset_t none;
	char go, num[32];
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
	/* Its sockets are born where it runs: --via's namespace for a userspace WireGuard. */
	if (a->netns_fd && setns(*a->netns_fd, CLONE_NEWNET))
		goto fail;
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		goto fail;
	null = fcntl(null, F_DUPFD_CLOEXEC, base);
	log = fcntl(a->log_fd >= 0 ? a->log_fd : null, F_DUPFD_CLOEXEC, base);
	report = fcntl(report_fd, F_DUPFD_CLOEXEC, base);
	if (null < 0 || log < 0 || report < 0)
		goto fail;
	reporting = report;
	for (size_t i = 0; i < a->n_fds; ++i) {
		if ((moved[i] = fcntl(a->fds[i], F_DUPFD_CLOEXEC, base)) < 0)
			goto fail;
	}
	if (dup2(null, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0)
		goto fail;
	for (size_t i = 0; i < a->n_fds; ++i) {
		if (dup2(moved[i], 3 + (int)i) < 0)
			goto fail;
	}
	if (dup3(report, base - 1, O_CLOEXEC) < 0)
		goto fail;
	reporting = base - 1;
	close_from(base);
	for (size_t i = 0; a->env && a->env[i]; ++i) {
		if (putenv((char *)a->env[i]))
			goto fail;
	}
	if (a->listen_fds) {
		snprintf(num, sizeof(num), "%zu", a->listen_fds);
		if (setenv("LISTEN_FDS", num, 1))
			goto fail;
		snprintf(num, sizeof(num), "%d", (int)getpid());
		if (setenv("LISTEN_PID", num, 1))
			goto fail;
	}
	if (a->path)
		execv(a->path, a->argv);
	else
		execvp(a->argv[0], a->argv);
fail:
	err = errno;
	if (write(reporting, &err, sizeof(err)) < 0)
		_exit(126);
	_exit(127);
}

int daemon_spawn(const struct daemon_args *a, struct daemon_proc *p, struct daemon_gate *g)
{
	int gate[2], report[2], err;
	pid_t pid;

	g->gate = g->report = -1;
	if (a->n_fds > DAEMON_FDS_MAX)
		return -EMFILE;
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
		exec_child(a, gate[0], report[1]);
	}
	close(gate[0]);
	close(report[1]);
	g->gate = gate[1];
	g->report = report[0];
	++nswg_stats.processes;
	if (daemon_proc_of(pid, p))
		p->start = 0;
	return 0;
}

void daemon_gate_close(struct daemon_gate *g)
{
	if (g->gate >= 0)
		close(g->gate);
	if (g->report >= 0)
		close(g->report);
	g->gate = g->report = -1;
}

int daemon_release(struct daemon_gate *g, const struct daemon_proc *p)
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

long daemon_poll_step(long waited)
{
	return waited < 200 ? 1 : 10;
}

bool daemon_reaped(const struct daemon_proc *p, int *status)
{
	return waitpid(p->pid, status, WNOHANG) == p->pid;
}

/* Until p is gone: reaped when it is nswg's child, else watched in /proc. */
static bool wait_gone(const struct daemon_proc *p, long ms)
{
	for (long waited = 0;; waited += daemon_poll_step(waited)) {
		if (daemon_reaped(p, NULL) || !daemon_alive(p))
			return true;
		if (waited >= ms)
			return false;
		daemon_sleep_ms(daemon_poll_step(waited));
	}
}

int daemon_pidfd(const struct daemon_proc *p)
{
	int fd;

	if (p->pid <= 0 || !daemon_alive(p))
		return -ESRCH;
	if ((fd = (int)syscall(SYS_pidfd_open, p->pid, 0)) < 0)
		return errno == ESRCH ? -ESRCH : -errno;
	/* The pid is pinned now: the process recorded, still? */
	if (!daemon_alive(p)) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

/* Through the pidfd, which no other process can answer to; without one (Linux before 5.3), by pid, just checked. */
static void send_to(int pidfd, const struct daemon_proc *p, int sig)
{
	if (pidfd >= 0)
		syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
	else if (daemon_alive(p))
		kill(p->pid, sig);
}

int daemon_terminate(const struct daemon_proc *p)
{
	int fd = daemon_pidfd(p), ret = 0;

	if (fd == -ESRCH) {
		if (p->pid > 0)
			waitpid(p->pid, NULL, WNOHANG); /* reaps our own child; harmless otherwise */
		return 0;
	}
	send_to(fd, p, SIGTERM);
	if (!wait_gone(p, WAIT_TERM_MS)) {
		send_to(fd, p, SIGKILL);
		if (!wait_gone(p, WAIT_KILL_MS))
			ret = -ETIMEDOUT;
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

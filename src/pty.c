// SPDX-License-Identifier: MIT
/*
 * A child in a session of its own and, when the caller has a terminal, a
 * pseudo-terminal between the two (pty.h): what sudo's use_pty does, so
 * that a less trusted program cannot push input into the caller's terminal
 * with TIOCSTI or signal the caller's jobs through it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "pty.h"

/* The signals the parent passes on; SIGCHLD and SIGWINCH it handles. */
static const int relayed[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGCONT };

static struct termios saved_termios;
static sigset_t saved_mask;
static int sfd = -1;
static bool tty[3];

static int open_pty(int *master, int *slave)
{
	int ret;

	*master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*master < 0)
		return -errno;
	/* The peer by descriptor: no path under /dev/pts to race for. */
	if (grantpt(*master) || unlockpt(*master) ||
	    (*slave = ioctl(*master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		ret = -errno;
		close(*master);
		*master = -1;
		return ret;
	}
	return 0;
}

/* The child: a session, its own terminal on 0-2 where the caller had one, then setup(). */
static void child_side(int slave, void (*setup)(void *arg), void *arg)
{
	if (setsid() < 0)
		_exit(126);
	if (slave >= 0) {
		if (ioctl(slave, TIOCSCTTY, 0))
			_exit(126);
		for (int i = 0; i < 3; ++i) {
			if (tty[i] && dup2(slave, i) < 0)
				_exit(126);
		}
		if (slave > 2)
			close(slave);
	}
	for (size_t i = 0; i < sizeof(relayed) / sizeof(relayed[0]); ++i)
		signal(relayed[i], SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, &saved_mask, NULL);
	setup(arg);
	_exit(127);
}

static int block_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGWINCH);
	for (size_t i = 0; i < sizeof(relayed) / sizeof(relayed[0]); ++i)
		sigaddset(&set, relayed[i]);
	if (sigprocmask(SIG_BLOCK, &set, &saved_mask))
		return -errno;
	sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return sfd < 0 ? -errno : 0;
}

int child_spawn(struct child *c, void (*setup)(void *arg), void *arg)
{
	struct termios raw;
	struct winsize ws;
	int slave = -1, ret;

	c->pid = -1;
	c->master = -1;
	c->raw = false;
	for (int i = 0; i < 3; ++i)
		tty[i] = isatty(i);
	if ((ret = block_signals()))
		return ret;
	/* A write to a closed stdout fails with EPIPE; the relay then stops. */
	signal(SIGPIPE, SIG_IGN);
	if (tty[0]) {
		if ((ret = open_pty(&c->master, &slave)))
			return ret;
		if (!tcgetattr(0, &saved_termios))
			tcsetattr(slave, TCSANOW, &saved_termios);
		if (!ioctl(0, TIOCGWINSZ, &ws))
			ioctl(slave, TIOCSWINSZ, &ws);
	}
	c->pid = fork();
	if (c->pid < 0) {
		ret = -errno;
		if (slave >= 0)
			close(slave);
		return ret;
	}
	if (!c->pid)
		child_side(slave, setup, arg);
	if (slave >= 0)
		close(slave);
	/* Raw, so that ^C, ^Z and the rest reach the child's terminal as keys; only in the foreground. */
	if (c->master >= 0 && tcgetpgrp(0) == getpgrp()) {
		raw = saved_termios;
		cfmakeraw(&raw);
		c->raw = !tcsetattr(0, TCSADRAIN, &raw);
	}
	return 0;
}

static bool write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* What the child's terminal printed, to the caller's; false once it is closed. */
static bool relay_out(int master)
{
	char buf[4096];
	ssize_t n = read(master, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	/* EIO: every descriptor of the other side is closed. */
	if (n <= 0)
		return false;
	write_all(tty[1] ? 1 : 2, buf, (size_t)n);
	return true;
}

/* A signal for the parent: the child's end, a new window size, or one to pass on. */
static bool handle_signal(struct child *c, int *status)
{
	struct signalfd_siginfo si;
	struct winsize ws;
	bool exited = false;

	while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			if (waitpid(c->pid, status, WNOHANG) == c->pid)
				exited = true;
		} else if (si.ssi_signo == SIGWINCH) {
			if (c->master >= 0 && !ioctl(0, TIOCGWINSZ, &ws))
				ioctl(c->master, TIOCSWINSZ, &ws);
		} else
			kill(c->pid, (int)si.ssi_signo);
	}
	return exited;
}

int child_wait(struct child *c)
{
	struct pollfd p[3] = { { .fd = sfd, .events = POLLIN },
			       { .fd = c->master, .events = POLLIN },
			       { .fd = c->master >= 0 ? 0 : -1, .events = POLLIN } };
	bool exited = false;
	int status = 0;

	while (!exited) {
		if (poll(p, 3, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			exited = handle_signal(c, &status);
		if (p[1].revents && !relay_out(c->master))
			p[1].fd = -1; /* the child closed its terminal; its end still comes */
		if (p[2].revents) {
			char buf[4096];
			ssize_t n = read(0, buf, sizeof(buf));

			if (n <= 0 || !write_all(c->master, buf, (size_t)n))
				p[2].fd = -1;
		}
	}
	/* What the child printed last, without waiting for any process it left holding the terminal. */
	if (c->master >= 0 && p[1].fd >= 0 && !fcntl(c->master, F_SETFL, O_NONBLOCK)) {
		while (relay_out(c->master) && poll(&p[1], 1, 0) > 0)
			;
	}
	if (c->raw)
		tcsetattr(0, TCSADRAIN, &saved_termios);
	if (c->master >= 0)
		close(c->master);
	close(sfd);
	if (!exited)
		return 126;
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

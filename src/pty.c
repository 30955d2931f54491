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
static sigset_t relayed_set; /* those of relayed[] not ignored at start */
static bool sigpipe_ignored;  /* at start: the child gets it so again */
static bool tty[3];
static int term = -1; /* the first of 0-2 that is a terminal, or -1 */

static int open_pty(int *master, int *slave)
{
	int ret;

	char name[64];

	*master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*master < 0)
		return -errno;
	if (grantpt(*master) || unlockpt(*master))
		goto err;
	/* The peer by descriptor, no path under /dev/pts to race for; by name before Linux 4.13. */
	*slave = ioctl(*master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*slave < 0 && (errno != EINVAL && errno != ENOTTY))
		goto err;
	if (*slave < 0 && (ptsname_r(*master, name, sizeof(name)) ||
			   (*slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0))
		goto err;
	return 0;
err:
	ret = -errno;
	close(*master);
	*master = -1;
	return ret;
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
	for (size_t i = 0; i < sizeof(relayed) / sizeof(relayed[0]); ++i) {
		if (sigismember(&relayed_set, relayed[i]))
			signal(relayed[i], SIG_DFL);
	}
	signal(SIGPIPE, sigpipe_ignored ? SIG_IGN : SIG_DFL);
	sigprocmask(SIG_SETMASK, &saved_mask, NULL);
	setup(arg);
	_exit(127);
}

/*
 * Blocked and read from a signalfd. A signal nswg was started with ignored
 * (SIGHUP under nohup, SIGINT in a script's background job) stays ignored,
 * for the child too; SIGCHLD ignored would reap the child unseen.
 */
static int block_signals(void)
{
	struct sigaction sa;
	sigset_t set;

	sigemptyset(&set);
	sigemptyset(&relayed_set);
	signal(SIGCHLD, SIG_DFL);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGWINCH);
	for (size_t i = 0; i < sizeof(relayed) / sizeof(relayed[0]); ++i) {
		if (!sigaction(relayed[i], NULL, &sa) && sa.sa_handler == SIG_IGN)
			continue;
		sigaddset(&set, relayed[i]);
		sigaddset(&relayed_set, relayed[i]);
	}
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
	c->signo = 0;
	term = -1;
	for (int i = 2; i >= 0; --i) {
		tty[i] = isatty(i);
		if (tty[i])
			term = i;
	}
	if ((ret = block_signals()))
		return ret;
	/* A write to a closed stdout fails with EPIPE; the relay then stops. */
	sigpipe_ignored = signal(SIGPIPE, SIG_IGN) == SIG_IGN;
	/*
	 * Any of 0-2 on a terminal: the child gets one of its own in their
	 * place. A terminal it merely holds, without controlling it, it could
	 * still read (the caller's typing) and reconfigure.
	 */
	if (term >= 0) {
		if ((ret = open_pty(&c->master, &slave)))
			return ret;
		if (!tcgetattr(term, &saved_termios))
			tcsetattr(slave, TCSANOW, &saved_termios);
		if (!ioctl(term, TIOCGWINSZ, &ws))
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
	/* Raw, so that ^C and the rest reach the child's terminal as keys; only in the foreground. */
	if (c->master >= 0 && tty[0] && tcgetpgrp(0) == getpgrp()) {
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
	/* To the caller's terminal: stdout, stderr, or stdin itself (a terminal is opened read-write). */
	write_all(tty[1] ? 1 : tty[2] ? 2 : 0, buf, (size_t)n);
	return true;
}

/*
 * The child stopped (SIGSTOP, SIGTTOU...): the caller's terminal as it was,
 * and nswg stopped in its turn, so that its shell gets the prompt back; at
 * SIGCONT (fg), raw again and the child continued.
 */
static void child_stopped(struct child *c)
{
	if (c->raw)
		tcsetattr(0, TCSADRAIN, &saved_termios);
	kill(getpid(), SIGSTOP);
	if (c->raw) {
		struct termios raw = saved_termios;

		cfmakeraw(&raw);
		tcsetattr(0, TCSADRAIN, &raw);
	}
	kill(c->pid, SIGCONT);
}

/* A signal for the parent: the child's end, a new window size, or one to pass on. */
static bool handle_signal(struct child *c, int *status)
{
	struct signalfd_siginfo si;
	struct winsize ws;
	bool exited = false;

	while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			if (waitpid(c->pid, status, WNOHANG | WUNTRACED) != c->pid)
				continue;
			if (WIFSTOPPED(*status))
				child_stopped(c);
			else
				exited = true;
		} else if (exited) {
			continue; /* reaped: its pid may be another's now */
		} else if (si.ssi_signo == SIGWINCH) {
			if (c->master >= 0 && !ioctl(term, TIOCGWINSZ, &ws))
				ioctl(c->master, TIOCSWINSZ, &ws);
		} else
			kill(c->pid, (int)si.ssi_signo);
	}
	return exited;
}

int child_wait(struct child *c)
{
	/* Keys are read only in the foreground, where the terminal was made raw: never a background job's. */
	struct pollfd p[3] = { { .fd = sfd, .events = POLLIN },
			       { .fd = c->master, .events = POLLIN },
			       { .fd = c->raw ? 0 : -1, .events = POLLIN } };
	bool exited = false;
	int status = 0, drained = 0;

	while (!exited) {
		if (poll(p, 3, -1) < 0 && errno != EINTR) {
			kill(c->pid, SIGKILL);
			exited = waitpid(c->pid, &status, 0) == c->pid;
			break;
		}
		if (p[0].revents)
			exited = handle_signal(c, &status);
		if (p[1].revents && !relay_out(c->master))
			p[1].fd = -1; /* the child closed its terminal; its end still comes */
		if (p[2].revents) {
			char buf[4096];
			ssize_t n = read(0, buf, sizeof(buf));

			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0 || !write_all(c->master, buf, (size_t)n))
				p[2].fd = -1;
		}
	}
	/*
	 * What the child printed last, without waiting for any process it left
	 * holding the terminal, nor reading one that keeps printing for ever.
	 */
	if (c->master >= 0 && p[1].fd >= 0 && !fcntl(c->master, F_SETFL, O_NONBLOCK)) {
		while (drained++ < 256 && relay_out(c->master) && poll(&p[1], 1, 0) > 0)
			;
	}
	if (c->raw)
		tcsetattr(0, TCSADRAIN, &saved_termios);
	if (c->master >= 0)
		close(c->master);
	close(sfd);
	if (!exited)
		return 126;
	c->signo = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	return c->signo ? 128 + c->signo : WEXITSTATUS(status);
}

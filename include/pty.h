/* SPDX-License-Identifier: MIT */
#ifndef NSWG_PTY_H
#define NSWG_PTY_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * A child in a session of its own, as sudo's use_pty and `su --pty' give
 * one: it can reach no terminal of the caller's (TIOCSTI, job control).
 *
 * child_spawn() forks; the child calls setup(arg) and must exec or _exit.
 * When any of 0-2 is a terminal, the child gets a pseudo-terminal of its
 * own as controlling terminal, on each of them; otherwise it is only a new
 * session, without one. The parent then relays (keys in raw mode when stdin
 * is the terminal and nswg is in the foreground, window size changes, the
 * signals it gets) and, with child_wait(), returns the child's status as a
 * shell's: its exit code, or 128 + the signal that ended it (in signo).
 */
struct child {
	pid_t pid;
	int master; /* the pseudo-terminal's, or -1 */
	bool raw;   /* stdin's terminal was put in raw mode */
	int signo;  /* the signal that ended the child, or 0 */
};

int child_spawn(struct child *c, void (*setup)(void *arg), void *arg);
int child_wait(struct child *c);

#endif

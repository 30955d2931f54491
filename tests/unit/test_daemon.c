// SPDX-License-Identifier: MIT
/*
 * When a process nswg started is gone. A thread group's leader that has
 * exited shows Z while its other threads still run and hold its sockets: a
 * Go program in exit, or here a leader that called pthread_exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon.h"

static int hold_fd;

static void *linger(void *unused)
{
	char c;

	(void)unused;
	/* Blocks until killed: the write end it shares stays open meanwhile. */
	while (read(hold_fd, &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

/* Waits until the leader of pid shows Z, the state ps and /proc give. */
static void wait_leader_zombie(pid_t pid)
{
	char path[64], line[256];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	for (int i = 0; i < 5000; ++i) {
		FILE *f = fopen(path, "re");
		bool z = false;

		assert_non_null(f);
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "State:", 6))
				z = strchr(line, 'Z') != NULL;
		fclose(f);
		if (z)
			return;
		usleep(1000);
	}
	fail_msg("the leader of %d never showed Z", (int)pid);
}

static void test_leader_exited_threads_run(void **unused)
{
	int hold[2], watch[2];
	struct daemon_proc p;
	char c;
	pid_t pid;

	(void)unused;
	assert_int_equal(pipe2(hold, O_CLOEXEC), 0);
	assert_int_equal(pipe2(watch, O_CLOEXEC | O_NONBLOCK), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		pthread_t t;

		close(hold[1]);
		close(watch[0]);
		hold_fd = hold[0];
		if (pthread_create(&t, NULL, linger, NULL))
			_exit(1);
		pthread_exit(NULL);
	}
	close(hold[0]);
	close(watch[1]);
	assert_int_equal(daemon_proc_of(pid, &p), 0);
	wait_leader_zombie(pid);

	/* Its thread still holds watch[1]: the process has not exited. */
	assert_true(daemon_alive(&p));
	assert_int_equal(read(watch[0], &c, 1), -1);
	assert_int_equal(errno, EAGAIN);

	/* Stopped, it is gone with all its threads: what it held is closed. */
	assert_int_equal(daemon_terminate(&p), 0);
	assert_int_equal(read(watch[0], &c, 1), 0);
	assert_false(daemon_alive(&p));

	close(hold[1]);
	close(watch[0]);
	waitpid(pid, NULL, 0);
}

static void test_exited_is_gone(void **unused)
{
	struct daemon_proc p;
	pid_t pid;

	(void)unused;
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		pause();
		_exit(0);
	}
	assert_int_equal(daemon_proc_of(pid, &p), 0);
	assert_true(daemon_alive(&p));
	kill(pid, SIGKILL);
	wait_leader_zombie(pid);
	/* A zombie, not yet reaped: gone all the same. */
	assert_false(daemon_alive(&p));
	assert_int_equal(daemon_terminate(&p), 0);
	assert_int_equal(waitpid(pid, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leader_exited_threads_run),
		cmocka_unit_test(test_exited_is_gone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: MIT
/*
 * measure CMD [ARGS...] [--- CMD [ARGS...]]...: runs the commands one after
 * the other and prints "SECONDS MAXRSS_KIB STATUS" on stdout: their total wall
 * time, the largest peak RSS among them (each one's own, from wait4), and
 * the first non-zero exit status. Their own output goes where it would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char *argv[])
{
	double total = 0;
	long maxrss = 0;
	int status = 0;

	for (int i = 1; i < argc;) {
		int end = i, st;
		struct rusage ru;
		double t0;
		pid_t pid;

		while (end < argc && strcmp(argv[end], "---"))
			++end;
		argv[end < argc ? end : argc] = NULL;
		t0 = now();
		pid = fork();
		if (pid < 0)
			return 2;
		if (!pid) {
			execvp(argv[i], argv + i);
			perror(argv[i]);
			_exit(127);
		}
		if (wait4(pid, &st, 0, &ru) != pid)
			return 2;
		total += now() - t0;
		if (ru.ru_maxrss > maxrss)
			maxrss = ru.ru_maxrss;
		if (!status)
			status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		i = end + 1;
	}
	printf("%.6f %ld %d\n", total, maxrss, status);
	return 0;
}

// SPDX-License-Identifier: MIT
/*
 * measure CMD [ARGS...] [--- CMD [ARGS...]]...: runs the commands one after
 * the other and prints "SECONDS MAXRSS_KIB STATUS CPU_SECONDS" on stdout:
 * their total wall time, the largest peak RSS among them (each one's own,
 * from wait4), the first non-zero exit status, and their user and system
 * time together (what a bound holds to on a loaded machine). Their own output goes where it would.
 * Two steps are not commands: "@spawn CMD..." starts CMD in a session of its
 * own without waiting for it (a daemon kept in the foreground), and "@wait
 * PATH" waits, polling every 100 us for up to 10 s, until PATH exists.
 */
#include <fcntl.h>
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
	double total = 0, cpu = 0;
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
		if (!strcmp(argv[i], "@wait") && argv[i + 1]) {
			struct timespec pause = { .tv_nsec = 100000 };
			int tries = 0;

			while (access(argv[i + 1], F_OK) && tries++ < 100000)
				nanosleep(&pause, NULL);
			if (access(argv[i + 1], F_OK) && !status)
				status = 124;
			total += now() - t0;
			i = end + 1;
			continue;
		}
		if (!strcmp(argv[i], "@spawn") && argv[i + 1]) {
			pid = fork();
			if (pid < 0)
				return 2;
			if (!pid) {
				/* Not our output: whoever reads it would wait for the daemon's end. */
				int null = open("/dev/null", O_RDWR);

				setsid();
				dup2(null, 0);
				dup2(null, 1);
				dup2(null, 2);
				execvp(argv[i + 1], argv + i + 1);
				_exit(127);
			}
			total += now() - t0;
			i = end + 1;
			continue;
		}
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
		cpu += ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
		if (!status)
			status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		i = end + 1;
	}
	printf("%.6f %ld %d %.6f\n", total, maxrss, status, cpu);
	return 0;
}

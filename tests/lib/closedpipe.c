// SPDX-License-Identifier: MIT
/*
 * closedpipe COMMAND...: runs COMMAND with stderr a pipe whose only reader
 * is closed before the exec, so that its first write to stderr fails with
 * EPIPE (and raises SIGPIPE), every time. `cmd 2>&1 | true' races with
 * true's exit; this does not. A test tool.
 */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
	int p[2];

	if (argc < 2 || pipe(p) || dup2(p[1], 2) < 0) {
		fprintf(stderr, "usage: closedpipe COMMAND [ARG...]\n");
		return 125;
	}
	close(p[0]);
	close(p[1]);
	execvp(argv[1], argv + 1);
	return 127;
}

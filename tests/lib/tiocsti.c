// SPDX-License-Identifier: MIT
/*
 * tiocsti TEXT: pushes TEXT, and a newline, into the input of its
 * controlling terminal with TIOCSTI, as a hostile program would to have the
 * terminal's shell run it. Prints "tiocsti: injected" or why it could not;
 * exits 0 only when it could.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY);
	char nl = '\n';

	if (argc != 2) {
		fprintf(stderr, "usage: tiocsti TEXT\n");
		return 2;
	}
	if (fd < 0) {
		printf("tiocsti: no controlling terminal: %s\n", strerror(errno));
		return 1;
	}
	for (const char *p = argv[1]; *p; ++p) {
		if (ioctl(fd, TIOCSTI, p)) {
			printf("tiocsti: refused: %s\n", strerror(errno));
			return 1;
		}
	}
	if (ioctl(fd, TIOCSTI, &nl)) {
		printf("tiocsti: refused: %s\n", strerror(errno));
		return 1;
	}
	printf("tiocsti: injected\n");
	return 0;
}

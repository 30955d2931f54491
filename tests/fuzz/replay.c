// SPDX-License-Identifier: MIT
/*
 * Runs a fuzz harness over every file in the given directories, so that
 * `make check' replays the corpora and every input that ever crashed, with
 * any compiler and without libFuzzer.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	struct stat st;
	uint8_t *buf;
	FILE *f;
	size_t n;

	f = fopen(path, "rb");
	if (!f || fstat(fileno(f), &st)) {
		perror(path);
		if (f)
			fclose(f);
		return -1;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

int main(int argc, char *argv[])
{
	unsigned long count = 0;
	char path[4096];
	struct dirent *de;
	DIR *d;

	for (int i = 1; i < argc; ++i) {
		d = opendir(argv[i]);
		if (!d) {
			if (errno == ENOENT)
				continue; /* no crash ever kept for this harness */
			perror(argv[i]);
			return 1;
		}
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
			if (replay_file(path)) {
				closedir(d);
				return 1;
			}
			++count;
		}
		closedir(d);
	}
	printf("  REPLAY	%s: %lu inputs\n", argv[0], count);
	return count ? 0 : 1;
}

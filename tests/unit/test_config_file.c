// SPDX-License-Identifier: MIT
/* Names and files, as wg-quick(8) takes them. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"

static char dir[] = "/tmp/nswg-unit-XXXXXX";

static void write_file(const char *name, const char *text, mode_t mode)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	chmod(path, mode);
}

static int setup(void **state)
{
	if (!mkdtemp(dir))
		return -1;
	chmod(dir, 0700);
	write_file("wg0.conf", "[Interface]\n", 0600);
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void test_ifname(void **state)
{
	assert_true(config_ifname_valid("wg0"));
	assert_true(config_ifname_valid("a_b=c+d.e-f"));
	assert_true(config_ifname_valid("123456789012345"));
	assert_false(config_ifname_valid("1234567890123456"));
	assert_false(config_ifname_valid(""));
	assert_false(config_ifname_valid("wg 0"));
	assert_false(config_ifname_valid("wg/0"));
	assert_false(config_ifname_valid("wg:0"));
}

static void test_resolve(void **state)
{
	char ifname[IFNAMSIZ], path[300], *got;

	/* A bare name is looked up in the configuration directory. */
	assert_int_equal(config_resolve_path("wg0", dir, &got, ifname), 0);
	snprintf(path, sizeof(path), "%s/wg0.conf", dir);
	assert_string_equal(got, path);
	assert_string_equal(ifname, "wg0");
	free(got);

	assert_int_equal(config_resolve_path("wg1", dir, &got, ifname), -ENOENT);
	snprintf(path, sizeof(path), "%s/wg1.conf", dir);
	assert_string_equal(got, path);
	free(got);

	/* A path: its file name is the interface name. */
	snprintf(path, sizeof(path), "%s/wg0.conf", dir);
	assert_int_equal(config_resolve_path(path, "/nonexistent", &got, ifname), 0);
	assert_string_equal(got, path);
	assert_string_equal(ifname, "wg0");
	free(got);

	write_file("bad name.conf", "", 0600);
	snprintf(path, sizeof(path), "%s/bad name.conf", dir);
	assert_int_equal(config_resolve_path(path, "/nonexistent", &got, ifname), -EINVAL);
	free(got);
	write_file("wg0.cfg", "", 0600);
	snprintf(path, sizeof(path), "%s/wg0.cfg", dir);
	assert_int_equal(config_resolve_path(path, "/nonexistent", &got, ifname), -EINVAL);
	free(got);
	snprintf(path, sizeof(path), "%s/missing.conf", dir);
	assert_int_equal(config_resolve_path(path, "/nonexistent", &got, ifname), -ENOENT);
	free(got);
}

static void test_read(void **state)
{
	char path[300], *buf;
	size_t len;

	snprintf(path, sizeof(path), "%s/wg0.conf", dir);
	assert_int_equal(config_read_file(path, &buf, &len), 0);
	assert_int_equal(len, 12);
	assert_string_equal(buf, "[Interface]\n");
	free(buf);
	assert_int_equal(config_read_file(dir, &buf, &len), -EISDIR);
	assert_int_equal(config_read_file("/dev/null", &buf, &len), -EINVAL);
	snprintf(path, sizeof(path), "%s/fifo.conf", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(config_read_file(path, &buf, &len), -EINVAL);
	snprintf(path, sizeof(path), "%s/nothing.conf", dir);
	assert_int_equal(config_read_file(path, &buf, &len), -ENOENT);
}

static void test_world_accessible(void **state)
{
	char path[300], *canonical;

	snprintf(path, sizeof(path), "%s/open.conf", dir);
	write_file("open.conf", "", 0644);
	/* 0644 in a 0700 directory: others cannot reach it. */
	assert_false(config_world_accessible(path, &canonical));
	free(canonical);
	chmod(dir, 0755);
	assert_true(config_world_accessible(path, &canonical));
	assert_string_equal(canonical, path);
	free(canonical);
	write_file("open.conf", "", 0600);
	assert_false(config_world_accessible(path, &canonical));
	free(canonical);
	chmod(dir, 0700);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ifname),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_world_accessible),
	};

	return cmocka_run_group_tests_name("config_file", tests, setup, teardown);
}

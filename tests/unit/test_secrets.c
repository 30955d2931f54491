// SPDX-License-Identifier: MIT
/*
 * Keys left in freed memory (issue 13): every block nswg's code frees or
 * reallocates is searched for the key, in binary, base64 and hex, before it
 * goes back to the allocator. free and realloc are wrapped at link time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <malloc.h>

#include "config.h"
#include "key.h"
#include "nl.h"
#include "uapi.h"
#include "util.h"

static const char *const priv = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=";
static const char *const pub = "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=";
static uint8_t key[NSWG_KEY_LEN];
static char key_hex[NSWG_KEY_LEN_HEX];
static unsigned int leaks;

void __real_free(void *p);
void *__real_realloc(void *p, size_t n);

/* Enough of the key that finding it means a copy was left. */
static void look(const void *p)
{
	size_t n;

	if (!p)
		return;
	n = malloc_usable_size((void *)p);
	if (memmem(p, n, key, 16) || memmem(p, n, priv, 20) || memmem(p, n, key_hex, 20))
		++leaks;
}

void __wrap_free(void *p)
{
	look(p);
	__real_free(p);
}

void *__wrap_realloc(void *p, size_t n)
{
	look(p); /* the old block may be freed */
	return __real_realloc(p, n);
}

static int setup(void **state)
{
	assert_true(key_from_base64(key, priv));
	key_to_hex(key_hex, key);
	leaks = 0;
	return 0;
}

static void test_strbuf_growth_and_free(void **state)
{
	struct strbuf sb = { 0 };

	assert_int_equal(strbuf_addf(&sb, "private_key=%s\n", key_hex), 0);
	for (int i = 0; i < 200; ++i)
		assert_int_equal(strbuf_addf(&sb, "%s\n", priv), 0);
	strbuf_free(&sb);
	assert_int_equal(leaks, 0);
}

static void test_array_growth(void **state)
{
	uint8_t(*keys)[NSWG_KEY_LEN] = NULL;
	size_t cap = 0;

	for (size_t n = 0; n < 100; ++n) {
		assert_int_equal(array_grow(&keys, &cap, n, sizeof(*keys)), 0);
		memcpy(keys[n], key, sizeof(key));
	}
	memzero_explicit(keys, cap * sizeof(*keys));
	free(keys);
	assert_int_equal(leaks, 0);
}

static void test_netlink_buffers(void **state)
{
	struct nl nl = { .bufsize = 64U << 10 };

	nl.buf = malloc(nl.bufsize);
	nl.req = nl_msg_buf();
	assert_non_null(nl.buf);
	assert_non_null(nl.req);
	memcpy(nl.buf + 1000, key, sizeof(key)); /* a device dump */
	memcpy(nl.req + 100, key, sizeof(key)); /* a WG_CMD_SET_DEVICE */
	nl_close(&nl);
	assert_int_equal(leaks, 0);
}

static void test_config_uapi_and_render(void **state)
{
	struct nswg_config_error err = { 0 };
	struct nswg_config *cfg = NULL, *got;
	struct strbuf text = { 0 }, msg = { 0 };

	assert_int_equal(strbuf_addf(&text, "[Interface]\nPrivateKey = %s\n", priv), 0);
	for (int i = 0; i < 50; ++i)
		assert_int_equal(strbuf_addf(&text, "[Peer]\nPublicKey = %s\nPresharedKey = %s\nAllowedIPs = 10.%d.0.0/16\n",
					     pub, priv, i),
				 0);
	assert_int_equal(config_parse_buf(text.s, text.len, &cfg, &err), 0);
	strbuf_free(&text);
	assert_int_equal(uapi_msg_set(cfg, true, &msg), 0);
	assert_non_null(strstr(msg.s, key_hex));
	strbuf_free(&msg);
	/* A "get=1" reply, as wireguard-go gives it: grown line by line. */
	assert_int_equal(strbuf_addf(&msg, "private_key=%s\nlisten_port=51820\n", key_hex), 0);
	for (int i = 0; i < 50; ++i)
		assert_int_equal(strbuf_addf(&msg, "public_key=%02x%s\npreshared_key=%s\nallowed_ip=10.%d.0.0/16\n", i,
					     key_hex + 2, key_hex, i),
				 0);
	assert_int_equal(strbuf_addf(&msg, "errno=0\n\n"), 0);
	got = calloc(1, sizeof(*got));
	assert_non_null(got);
	assert_int_equal(uapi_parse_get(msg.s, msg.len, got), 0);
	assert_int_equal(got->n_peers, 50);
	strbuf_free(&msg);
	config_free(got);
	config_free(cfg);
	assert_int_equal(leaks, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_strbuf_growth_and_free, setup),
		cmocka_unit_test_setup(test_array_growth, setup),
		cmocka_unit_test_setup(test_netlink_buffers, setup),
		cmocka_unit_test_setup(test_config_uapi_and_render, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

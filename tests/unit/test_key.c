// SPDX-License-Identifier: MIT
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "key.h"

/* The private key of wg(8)'s example, and its bytes in hex. */
static const char b64[] = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=";
static const char hex[] = "c809f3e5317e9575c9b5ed78b638b7ce530dabe85ddab614220241801ddf0669";

static void test_base64_round_trip(void **state)
{
	uint8_t key[NSWG_KEY_LEN];
	char out[NSWG_KEY_LEN_BASE64], outhex[NSWG_KEY_LEN_HEX];

	assert_true(key_from_base64(key, b64));
	key_to_base64(out, key);
	assert_string_equal(out, b64);
	key_to_hex(outhex, key);
	assert_string_equal(outhex, hex);
}

static void test_base64_every_value(void **state)
{
	uint8_t key[NSWG_KEY_LEN], back[NSWG_KEY_LEN];
	char out[NSWG_KEY_LEN_BASE64];

	/* Every byte value in every position of a 3-byte group. */
	for (unsigned int v = 0; v < 256; ++v) {
		for (unsigned int i = 0; i < NSWG_KEY_LEN; ++i)
			key[i] = (uint8_t)(v + i * 7);
		key_to_base64(out, key);
		assert_true(key_from_base64(back, out));
		assert_memory_equal(key, back, NSWG_KEY_LEN);
	}
}

static void test_base64_rejects(void **state)
{
	uint8_t key[NSWG_KEY_LEN];
	char bad[NSWG_KEY_LEN_BASE64];

	assert_false(key_from_base64(key, ""));
	assert_false(key_from_base64(key, "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBm="));
	assert_false(key_from_base64(key, "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmkA"));
	assert_false(key_from_base64(key, "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=="));
	/* The last character carries two bits too many: they must be zero. */
	assert_false(key_from_base64(key, "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBml="));
	for (const char *c = "-_=*. \n\x80"; *c; ++c) {
		strcpy(bad, b64);
		bad[10] = *c;
		assert_false(key_from_base64(key, bad));
	}
}

static void test_hex(void **state)
{
	uint8_t key[NSWG_KEY_LEN], upper[NSWG_KEY_LEN];
	char up[NSWG_KEY_LEN_HEX];

	assert_true(key_from_hex(key, hex));
	for (size_t i = 0; i < sizeof(up); ++i)
		up[i] = (char)(hex[i] >= 'a' ? hex[i] - 32 : hex[i]);
	assert_true(key_from_hex(upper, up));
	assert_memory_equal(key, upper, NSWG_KEY_LEN);
	assert_false(key_from_hex(key, "c8"));
	up[5] = 'g';
	assert_false(key_from_hex(key, up));
}

static void test_zero(void **state)
{
	uint8_t key[NSWG_KEY_LEN] = { 0 };

	assert_true(key_is_zero(key));
	key[31] = 1;
	assert_false(key_is_zero(key));
}

static void from_hex(uint8_t key[NSWG_KEY_LEN], const char *h)
{
	assert_true(key_from_hex(key, h));
}

/* RFC 7748, section 6.1, and wg(8)'s example key against `wg pubkey'. */
static void test_public(void **state)
{
	static const struct {
		const char *priv, *pub;
	} v[] = {
		{ "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
		  "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a" },
		{ "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
		  "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f" },
	};
	uint8_t priv[NSWG_KEY_LEN], pub[NSWG_KEY_LEN], want[NSWG_KEY_LEN];
	char out[NSWG_KEY_LEN_BASE64];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); ++i) {
		from_hex(priv, v[i].priv);
		from_hex(want, v[i].pub);
		key_public(pub, priv);
		assert_memory_equal(pub, want, NSWG_KEY_LEN);
	}
	assert_true(key_from_base64(priv, b64));
	key_public(pub, priv);
	key_to_base64(out, pub);
	assert_string_equal(out, "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64_round_trip),
		cmocka_unit_test(test_base64_every_value),
		cmocka_unit_test(test_base64_rejects),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_zero),
		cmocka_unit_test(test_public),
	};

	return cmocka_run_group_tests_name("key", tests, NULL, NULL);
}

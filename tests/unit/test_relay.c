// SPDX-License-Identifier: MIT
/* The relay's pure parts: every spec form and every message, SOCKS5's bytes, DNS's. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "relay.h"
#include "socks.h"

static void addr_is(const union relay_addr *a, const char *expected)
{
	char buf[64];

	relay_addr_format(a, buf, sizeof(buf));
	assert_string_equal(buf, expected);
}

static void spec_ok(enum relay_kind kind, const char *text, const char *listen, const char *target, int type)
{
	struct relay_spec s;
	char why[160] = "";
	int ret = relay_spec_parse(kind, text, &s, why, sizeof(why));

	if (ret)
		print_error("%s: %s\n", text, why);
	assert_int_equal(ret, 0);
	addr_is(&s.listen, listen);
	if (target)
		addr_is(&s.target, target);
	assert_int_equal(s.type, type);
	assert_string_equal(s.text, text);
	assert_int_equal(s.kind, kind);
}

static void spec_fails(enum relay_kind kind, const char *text, const char *why_part)
{
	struct relay_spec s;
	char why[160] = "";

	assert_int_equal(relay_spec_parse(kind, text, &s, why, sizeof(why)), -EINVAL);
	if (!strstr(why, why_part))
		print_error("%s: `%s' lacks `%s'\n", text, why, why_part);
	assert_non_null(strstr(why, why_part));
}

static void test_spec_forms(void **state)
{
	spec_ok(RELAY_PUBLISH, "8080", "127.0.0.1:8080", "127.0.0.1:8080", SOCK_STREAM);
	spec_ok(RELAY_PUBLISH, "8080:80", "127.0.0.1:8080", "127.0.0.1:80", SOCK_STREAM);
	spec_ok(RELAY_PUBLISH, "0.0.0.0:8080", "0.0.0.0:8080", "127.0.0.1:8080", SOCK_STREAM);
	spec_ok(RELAY_PUBLISH, "192.168.1.2:8080:80", "192.168.1.2:8080", "127.0.0.1:80", SOCK_STREAM);
	spec_ok(RELAY_PUBLISH, "8080:10.0.0.2:80", "127.0.0.1:8080", "10.0.0.2:80", SOCK_STREAM);
	spec_ok(RELAY_PUBLISH, "[::]:8080:10.0.0.2:80", "[::]:8080", "10.0.0.2:80", SOCK_STREAM);
	spec_ok(RELAY_PUBLISH, "[::1]:53:53/udp", "[::1]:53", "127.0.0.1:53", SOCK_DGRAM);
	spec_ok(RELAY_PUBLISH, "8080/tcp", "127.0.0.1:8080", "127.0.0.1:8080", SOCK_STREAM);
	spec_ok(RELAY_PUBLISH, "8080:[fd00::2]:80", "127.0.0.1:8080", "[fd00::2]:80", SOCK_STREAM);
	spec_ok(RELAY_PUBLISH, "65535:1", "127.0.0.1:65535", "127.0.0.1:1", SOCK_STREAM);
	spec_ok(RELAY_HOST_PORT, "5432", "127.0.0.1:5432", "127.0.0.1:5432", SOCK_STREAM);
	spec_ok(RELAY_HOST_PORT, "127.0.0.1:15432:5432", "127.0.0.1:15432", "127.0.0.1:5432", SOCK_STREAM);
	spec_ok(RELAY_SOCKS, "1080", "127.0.0.1:1080", NULL, SOCK_STREAM);
	spec_ok(RELAY_SOCKS, "[::1]:1080", "[::1]:1080", NULL, SOCK_STREAM);
	spec_ok(RELAY_SOCKS, "0.0.0.0:1080/tcp", "0.0.0.0:1080", NULL, SOCK_STREAM);
}

static void test_spec_errors(void **state)
{
	spec_fails(RELAY_PUBLISH, "0", "port `0' is out of range (1-65535)");
	spec_fails(RELAY_PUBLISH, "65536", "port `65536' is out of range");
	spec_fails(RELAY_PUBLISH, "123456", "port `123456' is out of range");
	spec_fails(RELAY_PUBLISH, "8080:0", "port `0' is out of range");
	spec_fails(RELAY_PUBLISH, "localhost:80", "`localhost' is not a numeric address or a port (no name is resolved here)");
	spec_fails(RELAY_PUBLISH, "[127.0.0.1]:80", "`127.0.0.1' is an IPv4 address in brackets");
	spec_fails(RELAY_PUBLISH, "[::g]:80", "`::g' is not an IPv6 address");
	spec_fails(RELAY_PUBLISH, "::1:80", "an empty field");
	spec_fails(RELAY_PUBLISH, "1.2.3:80", "`1.2.3' is not a numeric address");
	spec_fails(RELAY_PUBLISH, "8080/sctp", "`/sctp' is not a protocol (/tcp or /udp)");
	spec_fails(RELAY_PUBLISH, "1:2:3:4:5", "too many fields");
	spec_fails(RELAY_PUBLISH, "1.2.3.4", "expected [ADDR:]PORT");
	spec_fails(RELAY_PUBLISH, "80:1.2.3.4", "expected [ADDR:]PORT");
	spec_fails(RELAY_PUBLISH, "1.2.3.4:5.6.7.8:80", "expected [ADDR:]PORT");
	spec_fails(RELAY_PUBLISH, "[::1:80", "unbalanced brackets");
	spec_fails(RELAY_PUBLISH, "::1]:80", "an IPv6 address goes in brackets");
	spec_fails(RELAY_PUBLISH, "[[::1]]:80", "unbalanced brackets");
	spec_fails(RELAY_PUBLISH, "", "an empty field");
	spec_fails(RELAY_PUBLISH, "80:", "an empty field");
	spec_fails(RELAY_SOCKS, "1080:80", "expected [ADDR:]PORT");
	spec_fails(RELAY_SOCKS, "1080/udp", "a SOCKS entrance is TCP only");
	spec_fails(RELAY_PUBLISH, "111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111",
		   "too long");
}

static int set_args(struct relay_set *set, const char *a, const char *b, char *why, size_t size)
{
	char *argv[] = { (char *)a, (char *)b, NULL };
	int i = 0;

	return relay_set_option(set, b ? 2 : 1, argv, &i, why, size);
}

static void test_set_options(void **state)
{
	struct relay_set set;
	char why[320], text[256];

	relay_set_init(&set);
	assert_string_equal(set.user, "nobody");
	assert_int_equal(set.max_connections, 4096);
	assert_int_equal(set.udp_timeout, 60);
	assert_int_equal(set_args(&set, "--publish", "8080", why, sizeof(why)), 1);
	assert_int_equal(set_args(&set, "--socks=1080", NULL, why, sizeof(why)), 1);
	assert_int_equal(set_args(&set, "--host-port", "5432", why, sizeof(why)), 1);
	/* The same port on the other side is another socket. */
	assert_int_equal(set_args(&set, "--host-port", "8080", why, sizeof(why)), 1);
	assert_int_equal(set_args(&set, "--publish", "8080/udp", why, sizeof(why)), 1);
	assert_int_equal(set_args(&set, "--publish", "127.0.0.1:8080:81", why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "--publish 127.0.0.1:8080:81: listens where --publish 8080 does");
	assert_int_equal(set_args(&set, "--socks", "8080", why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "--socks 8080: listens where --publish 8080 does");
	assert_int_equal(set_args(&set, "--publish", "x", why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "--publish x: `x' is not a numeric address or a port (no name is resolved here)");
	assert_int_equal(set_args(&set, "--publish", NULL, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "--publish: a value is expected");
	assert_int_equal(set_args(&set, "--max-connections", "0", why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "--max-connections 0: expected a number from 1 to 1000000");
	assert_int_equal(set_args(&set, "--max-connections", "12x", why, sizeof(why)), -EINVAL);
	assert_int_equal(set_args(&set, "--max-connections", "-1", why, sizeof(why)), -EINVAL);
	assert_int_equal(set_args(&set, "--max-connections", "64", why, sizeof(why)), 1);
	assert_int_equal(set.max_connections, 64);
	assert_int_equal(set_args(&set, "--udp-timeout", "86401", why, sizeof(why)), -EINVAL);
	assert_int_equal(set_args(&set, "--udp-timeout", "5", why, sizeof(why)), 1);
	assert_int_equal(set.udp_timeout, 5);
	assert_int_equal(set_args(&set, "--relay-user", "daemon", why, sizeof(why)), 1);
	assert_string_equal(set.user, "daemon");
	assert_int_equal(set_args(&set, "--netns", "x", why, sizeof(why)), 0);
	assert_int_equal(set_args(&set, "--publishx", "1", why, sizeof(why)), 0);
	assert_int_equal(relay_set_format(&set, text, sizeof(text)), 0);
	assert_string_equal(text, "--publish 8080 --socks 1080 --host-port 5432 --host-port 8080 --publish 8080/udp");
	assert_int_equal(relay_set_format(&set, text, 20), -ENAMETOOLONG);
	/* Read back from the journal: the same specs, in their order; what nswg never wrote is refused. */
	{
		struct relay_set back;

		assert_int_equal(relay_set_format(&set, text, sizeof(text)), 0);
		assert_int_equal(relay_set_parse_recorded(&back, text), 0);
		assert_int_equal(back.n, set.n);
		for (size_t i = 0; i < set.n; ++i) {
			assert_int_equal(back.specs[i].kind, set.specs[i].kind);
			assert_int_equal(back.specs[i].type, set.specs[i].type);
			assert_true(relay_addr_same(&back.specs[i].listen, &set.specs[i].listen));
			assert_string_equal(back.specs[i].text, set.specs[i].text);
		}
		assert_int_equal(relay_set_parse_recorded(&back, ""), 0);
		assert_int_equal(back.n, 0);
		assert_int_equal(relay_set_parse_recorded(&back, "--publish"), -EINVAL);
		assert_int_equal(relay_set_parse_recorded(&back, "--netns x"), -EINVAL);
		assert_int_equal(relay_set_parse_recorded(&back, "--publish 99999"), -EINVAL);
	}
	for (size_t i = set.n; i < RELAY_SPEC_MAX; ++i) {
		char port[16];

		snprintf(port, sizeof(port), "%zu", 20000 + i);
		assert_int_equal(set_args(&set, "--publish", port, why, sizeof(why)), 1);
	}
	assert_int_equal(set_args(&set, "--publish", "30000", why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "--publish 30000: more than 32 relays");
}

static void test_set_check(void **state)
{
	struct relay_set set;
	char why[320];

	relay_set_init(&set);
	assert_int_equal(relay_set_check(&set, 2048, why, sizeof(why)), 0);
	assert_int_equal(set_args(&set, "--max-connections", "5", why, sizeof(why)), 1);
	assert_int_equal(relay_set_check(&set, 2048, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "--max-connections: there is no --publish, --host-port or --socks to apply it to");
	assert_int_equal(set_args(&set, "--publish", "80", why, sizeof(why)), 1);
	assert_int_equal(relay_set_check(&set, 2048, why, sizeof(why)), 0);
	assert_int_equal(set_args(&set, "--socks-auth", "/f", why, sizeof(why)), 1);
	assert_int_equal(relay_set_check(&set, 2048, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "--socks-auth: it is for a --socks entrance, and there is none");
	assert_int_equal(set_args(&set, "--socks", "1080", why, sizeof(why)), 1);
	assert_int_equal(relay_set_check(&set, 2048, why, sizeof(why)), 0);
	assert_int_equal(set_args(&set, "--udp-timeout", "5", why, sizeof(why)), 1);
	assert_int_equal(relay_set_check(&set, 2048, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "--udp-timeout: it is for a /udp relay, and there is none");
	assert_int_equal(set_args(&set, "--publish", "53/udp", why, sizeof(why)), 1);
	assert_int_equal(relay_set_check(&set, 2048, why, sizeof(why)), 0);
	/* "--publish 80 --socks 1080 --publish 53/udp" does not fit in 20 bytes of journal. */
	assert_int_equal(relay_set_check(&set, 20, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "the relays are too many or too long to record (20 bytes at most as options)");
}

static void test_same_listener(void **state)
{
	struct relay_set set;
	char why[320];

	relay_set_init(&set);
	assert_int_equal(set_args(&set, "--publish", "0.0.0.0:80", why, sizeof(why)), 1);
	assert_int_equal(set_args(&set, "--publish", "192.0.2.1:80", why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "--publish 192.0.2.1:80: listens where --publish 0.0.0.0:80 does");
	/* [::] is IPv6 alone (IPV6_V6ONLY): no clash with IPv4's. */
	assert_int_equal(set_args(&set, "--publish", "[::]:80", why, sizeof(why)), 1);
	assert_int_equal(set_args(&set, "--publish", "[::1]:80", why, sizeof(why)), -EINVAL);
	assert_int_equal(set_args(&set, "--publish", "0.0.0.0:81", why, sizeof(why)), 1);
	assert_int_equal(set_args(&set, "--publish", "0.0.0.0:80/udp", why, sizeof(why)), 1);
	assert_int_equal(set_args(&set, "--host-port", "0.0.0.0:80", why, sizeof(why)), 1);
}

/* ---- SOCKS5 ---- */

static void test_socks_greeting(void **state)
{
	bool none, userpass;

	assert_int_equal(socks_parse_greeting((const uint8_t *)"", 0, &none, &userpass), 0);
	assert_int_equal(socks_parse_greeting((const uint8_t *)"\x05", 1, &none, &userpass), 0);
	assert_int_equal(socks_parse_greeting((const uint8_t *)"\x04", 1, &none, &userpass), -EPROTO);
	assert_int_equal(socks_parse_greeting((const uint8_t *)"\x05\x00", 2, &none, &userpass), -EPROTO);
	assert_int_equal(socks_parse_greeting((const uint8_t *)"\x05\x02\x00", 3, &none, &userpass), 0);
	assert_int_equal(socks_parse_greeting((const uint8_t *)"\x05\x02\x00\x02", 4, &none, &userpass), 4);
	assert_true(none && userpass);
	assert_int_equal(socks_parse_greeting((const uint8_t *)"\x05\x01\x01rest", 7, &none, &userpass), 3);
	assert_false(none || userpass);
}

static void test_socks_userpass(void **state)
{
	struct socks_credentials c;

	assert_int_equal(socks_parse_userpass((const uint8_t *)"\x01\x05" "alice\x06" "s3cret", 14, &c), 14);
	assert_string_equal(c.user, "alice");
	assert_string_equal(c.pass, "s3cret");
	assert_true(socks_credentials_match(&c, "alice", "s3cret"));
	assert_false(socks_credentials_match(&c, "alice", "s3cre"));
	assert_false(socks_credentials_match(&c, "alice", "s3cretx"));
	assert_false(socks_credentials_match(&c, "alicf", "s3cret"));
	assert_int_equal(socks_parse_userpass((const uint8_t *)"\x01\x05" "alice\x06" "s3cre", 13, &c), 0);
	assert_int_equal(socks_parse_userpass((const uint8_t *)"\x01\x05" "ali", 5, &c), 0);
	assert_int_equal(socks_parse_userpass((const uint8_t *)"\x02\x01" "a\x01" "b", 5, &c), -EPROTO);
	/* A NUL inside would cut a name short of what is compared. */
	assert_int_equal(socks_parse_userpass((const uint8_t *)"\x01\x03" "a\0b\x01" "p", 7, &c), -EPROTO);
	assert_int_equal(socks_parse_userpass((const uint8_t *)"\x01\x00\x00", 3, &c), 3);
	assert_string_equal(c.user, "");
}

static void test_socks_request(void **state)
{
	struct socks_request r;

	assert_int_equal(socks_parse_request((const uint8_t *)"\x05\x01\x00\x01\x7f\x00\x00\x01\x1f\x90", 10, &r), 10);
	assert_false(r.is_name);
	addr_is(&r.addr, "127.0.0.1:8080");
	assert_int_equal(socks_parse_request((const uint8_t *)"\x05\x01\x00\x01\x7f\x00\x00\x01\x1f", 9, &r), 0);
	assert_int_equal(socks_parse_request((const uint8_t *)"\x05\x01\x00\x04\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01\x00\x50", 22,
					     &r), 22);
	addr_is(&r.addr, "[::1]:80");
	assert_int_equal(socks_parse_request((const uint8_t *)"\x05\x01\x00\x03\x0b" "example.com\x01\xbb", 18, &r), 18);
	assert_true(r.is_name);
	assert_string_equal(r.name, "example.com");
	assert_int_equal(ntohs(r.addr.in.sin_port), 443);
	assert_int_equal(socks_parse_request((const uint8_t *)"\x05\x01\x00\x03\x0b" "example.com\x01", 17, &r), 0);
	assert_int_equal(socks_parse_request((const uint8_t *)"\x05\x01\x00\x03\x00\x00\x50", 7, &r), -EPROTO);
	assert_int_equal(socks_parse_request((const uint8_t *)"\x05\x01\x00\x03\x03" "a\0b\x00\x50", 10, &r), -EPROTO);
	assert_int_equal(socks_parse_request((const uint8_t *)"\x05\x02\x00\x01\x7f\x00\x00\x01\x1f\x90", 10, &r), -ENOTSUP);
	assert_int_equal(socks_parse_request((const uint8_t *)"\x05\x03\x00\x01\x7f\x00\x00\x01\x1f\x90", 10, &r), -ENOTSUP);
	assert_int_equal(socks_parse_request((const uint8_t *)"\x05\x01\x00\x02\x7f\x00\x00\x01\x1f\x90", 10, &r), -EAFNOSUPPORT);
	assert_int_equal(socks_parse_request((const uint8_t *)"\x04\x01", 2, &r), -EPROTO);
	assert_int_equal(socks_parse_request((const uint8_t *)"\x05\x01\x00", 3, &r), 0);
}

static void test_socks_credentials_parse(void **state)
{
	struct socks_credentials c;
	char a[] = "alice:s3:cret\nrest", b[] = "bob:\r\n", none[] = "nocolon", empty[] = ":pw";
	char longer[300];

	assert_int_equal(socks_credentials_parse(a, &c), 0);
	assert_string_equal(c.user, "alice");
	assert_string_equal(c.pass, "s3:cret");
	assert_int_equal(socks_credentials_parse(b, &c), 0);
	assert_string_equal(c.pass, "");
	assert_int_equal(socks_credentials_parse(none, &c), -EINVAL);
	assert_int_equal(socks_credentials_parse(empty, &c), -EINVAL);
	memset(longer, 'u', sizeof(longer));
	longer[256] = ':';
	longer[sizeof(longer) - 1] = '\0';
	assert_int_equal(socks_credentials_parse(longer, &c), -EINVAL);
}

static union relay_addr addr_of(const char *text)
{
	union relay_addr a = { 0 };

	if (inet_pton(AF_INET, text, &a.in.sin_addr) == 1)
		a.in.sin_family = AF_INET;
	else if (inet_pton(AF_INET6, text, &a.in6.sin6_addr) == 1)
		a.in6.sin6_family = AF_INET6;
	return a;
}

static void test_socks_local(void **state)
{
	static const char *const local[] = { "127.0.0.1", "127.255.0.9", "0.0.0.0", "224.0.0.1", "255.255.255.255",
					     "::1", "::", "ff02::1", "::ffff:127.0.0.1", "::ffff:0.0.0.0" };
	static const char *const out[] = { "10.39.0.2", "192.0.2.1", "8.8.8.8", "fd00::2", "2001:db8::1",
					   "::ffff:192.0.2.1", "128.0.0.1" };

	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); ++i) {
		union relay_addr a = addr_of(local[i]);

		if (!socks_destination_is_local(&a))
			print_error("%s\n", local[i]);
		assert_true(socks_destination_is_local(&a));
	}
	for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); ++i) {
		union relay_addr a = addr_of(out[i]);

		assert_false(socks_destination_is_local(&a));
	}
}

static void test_socks_reply(void **state)
{
	uint8_t out[SOCKS_REPLY_LEN];

	socks_reply(SOCKS_HOST_UNREACHABLE, out);
	assert_memory_equal(out, "\x05\x04\x00\x01\0\0\0\0\0\0", SOCKS_REPLY_LEN);
}

/* ---- DNS ---- */

static void test_dns_query(void **state)
{
	uint8_t q[512];

	assert_int_equal(dns_query_build(q, sizeof(q), 0xbeef, "only.inside.test", DNS_TYPE_A), 12 + 18 + 4);
	assert_memory_equal(q, "\xbe\xef\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x04only\x06inside\x04test\x00\x00\x01\x00\x01",
			    34);
	assert_int_equal(dns_query_build(q, sizeof(q), 1, "example.com.", DNS_TYPE_AAAA), 12 + 13 + 4);
	assert_int_equal(dns_query_build(q, sizeof(q), 1, "", DNS_TYPE_A), -EINVAL);
	assert_int_equal(dns_query_build(q, sizeof(q), 1, ".", DNS_TYPE_A), -EINVAL);
	assert_int_equal(dns_query_build(q, sizeof(q), 1, "a..b", DNS_TYPE_A), -EINVAL);
	assert_int_equal(dns_query_build(q, sizeof(q), 1, "a b", DNS_TYPE_A), -EINVAL);
	assert_int_equal(dns_query_build(q, sizeof(q), 1, "a\x7f", DNS_TYPE_A), -EINVAL);
	assert_int_equal(dns_query_build(q, sizeof(q), 1,
					 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b", DNS_TYPE_A), -EINVAL);
	assert_int_equal(dns_query_build(q, 20, 1, "example.com", DNS_TYPE_A), -EINVAL);
}

/* An answer: the question echoed, a CNAME, then the address, the names compressed. */
static size_t answer(uint8_t *buf, uint16_t id, uint8_t rcode, uint16_t qtype, bool with_a)
{
	static const uint8_t head[] = "\x00\x00\x81\x80\x00\x01\x00\x02\x00\x00\x00\x00"
				      "\x04only\x06inside\x04test\x00\x00\x01\x00\x01";
	static const uint8_t cname[] = "\xc0\x0c\x00\x05\x00\x01\x00\x00\x00\x3c\x00\x05\x02xy\xc0\x11";
	static const uint8_t a[] = "\xc0\x2e\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\x0a\x01\x02\x03";
	size_t len = 0;

	memcpy(buf, head, sizeof(head) - 1);
	buf[0] = (uint8_t)(id >> 8);
	buf[1] = (uint8_t)id;
	buf[3] |= rcode;
	buf[sizeof(head) - 1 - 3] = (uint8_t)qtype;
	len = sizeof(head) - 1;
	memcpy(buf + len, cname, sizeof(cname) - 1);
	len += sizeof(cname) - 1;
	if (with_a) {
		memcpy(buf + len, a, sizeof(a) - 1);
		len += sizeof(a) - 1;
	} else {
		buf[7] = 1;
	}
	return len;
}

static void test_dns_answer(void **state)
{
	union relay_addr addr;
	uint8_t buf[512];
	size_t len = answer(buf, 0x1234, 0, DNS_TYPE_A, true);

	assert_int_equal(dns_answer_parse(buf, len, 0x1234, "only.inside.test", DNS_TYPE_A, &addr), 0);
	addr_is(&addr, "10.1.2.3:0");
	assert_int_equal(dns_answer_parse(buf, len, 0x1234, "ONLY.Inside.test.", DNS_TYPE_A, &addr), 0);
	assert_int_equal(dns_answer_parse(buf, len, 0x1235, "only.inside.test", DNS_TYPE_A, &addr), -ESRCH);
	assert_int_equal(dns_answer_parse(buf, len, 0x1234, "other.test", DNS_TYPE_A, &addr), -ESRCH);
	assert_int_equal(dns_answer_parse(buf, len, 0x1234, "only.inside.test", DNS_TYPE_AAAA, &addr), -ESRCH);
	/* Cut anywhere inside the records: malformed, never read beyond. */
	for (size_t cut = 12; cut < len; ++cut) {
		int ret = dns_answer_parse(buf, cut, 0x1234, "only.inside.test", DNS_TYPE_A, &addr);

		assert_true(ret == -EPROTO || ret == -ESRCH);
	}
	len = answer(buf, 7, 3, DNS_TYPE_A, true);
	assert_int_equal(dns_answer_parse(buf, len, 7, "only.inside.test", DNS_TYPE_A, &addr), -ENOENT);
	len = answer(buf, 7, 0, DNS_TYPE_A, false);
	assert_int_equal(dns_answer_parse(buf, len, 7, "only.inside.test", DNS_TYPE_A, &addr), -ENOENT);
	/* A pointer to itself: bounded, malformed. */
	len = answer(buf, 7, 0, DNS_TYPE_A, true);
	buf[34] = 0xc0;
	buf[35] = 34;
	assert_int_equal(dns_answer_parse(buf, len, 7, "only.inside.test", DNS_TYPE_A, &addr), -EPROTO);
	/* Not a response. */
	len = answer(buf, 7, 0, DNS_TYPE_A, true);
	buf[2] &= 0x7f;
	assert_int_equal(dns_answer_parse(buf, len, 7, "only.inside.test", DNS_TYPE_A, &addr), -ESRCH);
	assert_int_equal(dns_answer_parse(buf, 11, 7, "only.inside.test", DNS_TYPE_A, &addr), -EPROTO);
}

static void test_resolv_conf(void **state)
{
	union relay_addr ns[3];

	assert_int_equal(resolv_conf_nameservers("# x\nnameserver 10.0.0.53\nsearch example.com\n"
						 "nameserver\tfd00::53%eth0\nnameserver bogus\nnameserverx 1.1.1.1\n"
						 "nameserver 9.9.9.9 # comment\nnameserver 8.8.8.8\n",
						 ns, 3),
			 3);
	addr_is(&ns[0], "10.0.0.53:53");
	addr_is(&ns[1], "[fd00::53]:53");
	addr_is(&ns[2], "9.9.9.9:53");
	assert_int_equal(resolv_conf_nameservers("", ns, 3), 0);
	assert_int_equal(resolv_conf_nameservers("nameserver 1.2.3.4", ns, 3), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_forms),
		cmocka_unit_test(test_spec_errors),
		cmocka_unit_test(test_set_options),
		cmocka_unit_test(test_set_check),
		cmocka_unit_test(test_same_listener),
		cmocka_unit_test(test_socks_credentials_parse),
		cmocka_unit_test(test_socks_local),
		cmocka_unit_test(test_socks_greeting),
		cmocka_unit_test(test_socks_userpass),
		cmocka_unit_test(test_socks_request),
		cmocka_unit_test(test_socks_reply),
		cmocka_unit_test(test_dns_query),
		cmocka_unit_test(test_dns_answer),
		cmocka_unit_test(test_resolv_conf),
	};

	return cmocka_run_group_tests_name("relay", tests, NULL, NULL);
}

// SPDX-License-Identifier: MIT
/* The UAPI text protocol: requests as wg(8) writes them, replies as wireguard-go gives them. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "uapi.h"

#define K1 "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="
#define K1_HEX "c809f3e5317e9575c9b5ed78b638b7ce530dabe85ddab614220241801ddf0669"
#define K2 "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
#define K2_HEX "c53201039adba14be71f886da1d8dbe9eebded08cb111b75340078999aa9f038"

static struct nswg_config *parse(const char *text)
{
	struct nswg_config_error err;
	struct nswg_config *cfg;

	assert_int_equal(config_parse_buf(text, strlen(text), &cfg, &err), 0);
	return cfg;
}

static void test_set_replace(void **state)
{
	struct nswg_config *cfg = parse("[Interface]\nPrivateKey = " K1 "\nListenPort = 51820\n"
					"[Peer]\nPublicKey = " K2 "\nPresharedKey = " K1 "\n"
					"Endpoint = [2001:db8::1]:51820\nPersistentKeepalive = 25\n"
					"AllowedIPs = 10.0.0.0/8, ::/0\n"
					"[Peer]\nPublicKey = " K1 "\nEndpoint = 192.0.2.1:1\n");
	struct strbuf sb = { 0 };

	assert_int_equal(uapi_msg_set(cfg, true, &sb), 0);
	assert_string_equal(sb.s, "set=1\n"
				  "private_key=" K1_HEX "\n"
				  "listen_port=51820\n"
				  "fwmark=0\n"
				  "replace_peers=true\n"
				  "public_key=" K2_HEX "\n"
				  "preshared_key=" K1_HEX "\n"
				  "endpoint=[2001:db8::1]:51820\n"
				  "persistent_keepalive_interval=25\n"
				  "replace_allowed_ips=true\n"
				  "allowed_ip=10.0.0.0/8\n"
				  "allowed_ip=::/0\n"
				  "public_key=" K1_HEX "\n"
				  "endpoint=192.0.2.1:1\n"
				  "replace_allowed_ips=true\n"
				  "\n");
	strbuf_free(&sb);
	config_free(cfg);
}

/* Without replace (reload), only what is set goes out; a removed peer says only that. */
static void test_set_update_and_remove(void **state)
{
	struct nswg_config *cfg = parse("[Interface]\nListenPort = 1\n[Peer]\nPublicKey = " K2 "\n");
	struct strbuf sb = { 0 };

	cfg->peers[0].flags |= NSWG_PEER_REMOVE;
	assert_int_equal(uapi_msg_set(cfg, false, &sb), 0);
	assert_string_equal(sb.s, "set=1\nlisten_port=1\npublic_key=" K2_HEX "\nremove=true\n\n");
	strbuf_free(&sb);
	config_free(cfg);
}

/* reresolve's: one peer's endpoint, the peer never made again if it went meanwhile. */
static void test_set_endpoint_update_only(void **state)
{
	struct nswg_config *cfg = parse("[Interface]\n[Peer]\nPublicKey = " K2 "\nEndpoint = 192.0.2.7:51820\n");
	struct strbuf sb = { 0 };

	cfg->peers[0].flags = NSWG_PEER_HAS_PUBLIC_KEY | NSWG_PEER_HAS_ENDPOINT | NSWG_PEER_UPDATE_ONLY;
	assert_int_equal(uapi_msg_set(cfg, false, &sb), 0);
	assert_string_equal(sb.s, "set=1\npublic_key=" K2_HEX "\nupdate_only=true\nendpoint=192.0.2.7:51820\n\n");
	strbuf_free(&sb);
	config_free(cfg);
}

/* "AllowedIPs = -10.0.0.0/8" cannot be said over UAPI: refused, not turned into an add. */
static void test_set_refuses_allowedip_removal(void **state)
{
	struct nswg_config *cfg = parse("[Interface]\n[Peer]\nPublicKey = " K2 "\nAllowedIPs = 10.0.0.0/8\n");
	struct strbuf sb = { 0 };

	cfg->peers[0].allowedips[0].flags |= NSWG_ALLOWEDIP_REMOVE;
	assert_int_equal(uapi_msg_set(cfg, false, &sb), -EOPNOTSUPP);
	strbuf_free(&sb);
	config_free(cfg);
}

/* A reply as wireguard-go 0.0.20220316 writes it. */
static const char reply[] = "private_key=" K1_HEX "\n"
			    "listen_port=51820\n"
			    "fwmark=7\n"
			    "public_key=" K2_HEX "\n"
			    "preshared_key=0000000000000000000000000000000000000000000000000000000000000000\n"
			    "protocol_version=1\n"
			    "endpoint=[fe80::1%3]:9\n"
			    "last_handshake_time_sec=1700000000\n"
			    "last_handshake_time_nsec=5\n"
			    "tx_bytes=1234\n"
			    "rx_bytes=5678\n"
			    "persistent_keepalive_interval=0\n"
			    "allowed_ip=10.0.0.0/8\n"
			    "allowed_ip=2001:db8::/32\n"
			    "public_key=" K1_HEX "\n"
			    "preshared_key=" K2_HEX "\n"
			    "endpoint=127.0.0.1:51821\n"
			    "persistent_keepalive_interval=25\n"
			    "errno=0\n\n";

static void test_parse_get(void **state)
{
	struct nswg_config *c = calloc(1, sizeof(*c)), cfg;
	char b64[NSWG_KEY_LEN_BASE64];
	const struct nswg_peer *p;

	assert_int_equal(uapi_parse_get(reply, strlen(reply), c), 0);
	cfg = *c;
	assert_int_equal(cfg.flags, NSWG_DEV_HAS_PRIVATE_KEY | NSWG_DEV_HAS_LISTEN_PORT | NSWG_DEV_HAS_FWMARK);
	key_to_base64(b64, cfg.private_key);
	assert_string_equal(b64, K1);
	assert_int_equal(cfg.listen_port, 51820);
	assert_int_equal(cfg.fwmark, 7);
	assert_int_equal(cfg.n_peers, 2);
	p = &cfg.peers[0];
	assert_int_equal(p->flags, NSWG_PEER_HAS_PUBLIC_KEY | NSWG_PEER_REPLACE_ALLOWEDIPS | NSWG_PEER_HAS_ENDPOINT);
	assert_int_equal(p->endpoint.addr.sa.sa_family, AF_INET6);
	assert_int_equal(p->endpoint.addr.in6.sin6_scope_id, 3);
	assert_int_equal(p->last_handshake_sec, 1700000000);
	assert_int_equal(p->last_handshake_nsec, 5);
	assert_int_equal(p->tx_bytes, 1234);
	assert_int_equal(p->rx_bytes, 5678);
	assert_int_equal(p->n_allowedips, 2);
	assert_int_equal(p->allowedips[1].prefix.family, AF_INET6);
	assert_int_equal(p->allowedips[1].prefix.cidr, 32);
	p = &cfg.peers[1];
	assert_int_equal(p->flags, NSWG_PEER_HAS_PUBLIC_KEY | NSWG_PEER_REPLACE_ALLOWEDIPS | NSWG_PEER_HAS_ENDPOINT |
					   NSWG_PEER_HAS_PRESHARED_KEY | NSWG_PEER_HAS_KEEPALIVE);
	assert_int_equal(p->keepalive, 25);
	assert_int_equal(ntohs(p->endpoint.addr.in.sin_port), 51821);
	config_free(c);
}

static void test_parse_errors(void **state)
{
	static const struct {
		const char *text;
		int ret;
	} v[] = {
		{ "errno=0\n\n", 0 },
		{ "errno=22\n\n", -22 },
		{ "", -EBADMSG },
		{ "listen_port=1\n", -EBADMSG },             /* cut before errno */
		{ "errno=0\n", -EBADMSG },                   /* no blank line */
		{ "listen_port=1\nerrno=0", -EBADMSG },      /* unterminated */
		{ "endpoint=1.2.3.4:5\nerrno=0\n\n", -EBADMSG }, /* a peer field before any peer */
		{ "listen_port=65536\nerrno=0\n\n", -EBADMSG },
		{ "listen_port=-1\nerrno=0\n\n", -EBADMSG },
		{ "private_key=zz\nerrno=0\n\n", -EBADMSG },
		{ "public_key=" K1_HEX "\nendpoint=1.2.3.4\nerrno=0\n\n", -EBADMSG },
		{ "public_key=" K1_HEX "\nendpoint=[::1:5\nerrno=0\n\n", -EBADMSG },
		{ "public_key=" K1_HEX "\nallowed_ip=10.0.0.0/33\nerrno=0\n\n", -EBADMSG },
		{ "public_key=" K1_HEX "\nallowed_ip=10.0.0.0\nerrno=0\n\n", -EBADMSG },
		{ "public_key=" K1_HEX "\nnew_key_from_the_future=1\nerrno=0\n\n", 0 },
		{ "=1\nerrno=0\n\n", -EBADMSG },
		{ "errno=99999\n\n", -EBADMSG },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); ++i) {
		struct nswg_config *cfg = calloc(1, sizeof(*cfg));

		assert_int_equal(uapi_parse_get(v[i].text, strlen(v[i].text), cfg), v[i].ret);
		config_free(cfg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_replace),
		cmocka_unit_test(test_set_update_and_remove),
		cmocka_unit_test(test_set_refuses_allowedip_removal),
		cmocka_unit_test(test_set_endpoint_update_only),
		cmocka_unit_test(test_parse_get),
		cmocka_unit_test(test_parse_errors),
	};

	return cmocka_run_group_tests_name("uapi", tests, NULL, NULL);
}

// SPDX-License-Identifier: MIT
/* The config reader: every rule, every message. */
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

#include "config.h"
#include "util.h"

#define K1 "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="
#define K2 "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
#define K3 "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0="

static struct nswg_config *parse_len(const char *text, size_t len)
{
	struct nswg_config_error err;
	struct nswg_config *cfg = NULL;
	int ret = config_parse_buf(text, len, &cfg, &err);

	if (ret)
		print_error("unexpected error %d at line %u: %s\n", ret, err.line, err.message);
	assert_int_equal(ret, 0);
	return cfg;
}

static struct nswg_config *parse(const char *text)
{
	return parse_len(text, strlen(text));
}

static void parse_fails_len(const char *text, size_t len, unsigned int line, const char *message)
{
	struct nswg_config_error err;
	struct nswg_config *cfg = (void *)1;

	assert_int_equal(config_parse_buf(text, len, &cfg, &err), -EINVAL);
	assert_null(cfg);
	assert_string_equal(err.message, message);
	assert_int_equal(err.line, line);
}

static void parse_fails(const char *text, unsigned int line, const char *message)
{
	parse_fails_len(text, strlen(text), line, message);
}

static char *ip_str(const struct nswg_prefix *p, char *buf)
{
	char ip[INET6_ADDRSTRLEN];

	inet_ntop(p->family, p->raw, ip, sizeof(ip));
	sprintf(buf, "%s/%u", ip, p->cidr);
	return buf;
}

static void assert_key(const uint8_t key[NSWG_KEY_LEN], const char *b64)
{
	char out[NSWG_KEY_LEN_BASE64];

	key_to_base64(out, key);
	assert_string_equal(out, b64);
}

static void test_minimal_and_empty(void **state)
{
	struct nswg_config *cfg = parse("[Interface]\nPrivateKey = " K1 "\n");

	assert_true(cfg->flags & NSWG_DEV_HAS_PRIVATE_KEY);
	assert_key(cfg->private_key, K1);
	assert_int_equal(cfg->n_peers, 0);
	assert_int_equal(cfg->table, NSWG_TABLE_AUTO);
	assert_int_equal(cfg->mtu, 0);
	config_free(cfg);

	cfg = parse("");
	assert_int_equal(cfg->flags, 0);
	config_free(cfg);

	/* A missing PrivateKey is allowed, as in wg(8). */
	cfg = parse("[Interface]\nListenPort = 1\n[Peer]\nPublicKey = " K2 "\n");
	assert_false(cfg->flags & NSWG_DEV_HAS_PRIVATE_KEY);
	assert_int_equal(cfg->n_peers, 1);
	config_free(cfg);
}

static void test_case_insensitive(void **state)
{
	struct nswg_config *cfg = parse("[iNtErFaCe]\nprivatekey = " K1 "\nLISTENPORT = 7\nsaveconfig = TRUE\n"
					"aDdReSs = 10.0.0.1/24\n[PEER]\npublickey = " K2 "\nALLOWEDIPS = 10.0.0.0/24\n");

	assert_true(cfg->flags & NSWG_DEV_HAS_PRIVATE_KEY);
	assert_int_equal(cfg->listen_port, 7);
	assert_true(cfg->save_config);
	assert_int_equal(cfg->n_addresses, 1);
	assert_int_equal(cfg->n_peers, 1);
	assert_int_equal(cfg->peers[0].n_allowedips, 1);
	config_free(cfg);
}

static void test_comments(void **state)
{
	struct nswg_config *cfg = parse("# top\n[Interface] # header\nPrivateKey = " K1 " # the key\n"
					"   # indented\n[Peer]#x\nPublicKey=" K2 "#tight\n"
					"AllowedIPs = 10.0.0.0/24 # ; not inih's comment\n");

	assert_key(cfg->private_key, K1);
	config_free(cfg);
	/* ";" is no comment in wg(8): it reaches the value and is refused there. */
	parse_fails("[Interface]\n[Peer]\nPublicKey = " K2 "\nAllowedIPs = 10.0.0.0/24 ; x\n", 4,
		    "AllowedIP is not in the correct format: `10.0.0.0/24;x'");
}

static void test_spaces_inside_values(void **state)
{
	struct nswg_config *cfg = parse("[ Interface ]\nPrivate Key = yAnz5TF+lXXJte14  tji3zlMNq+hd2rYUIgJBgB3fBmk=\n"
					"Listen\tPort = 5 1 8\n[ Peer ]\nPublic Key = " K2 "\n"
					"Allowed IPs = 10.0.0.0 / 8 , fd00:: / 8\nEnd point = 192.0.2.1 : 9\n");

	assert_key(cfg->private_key, K1);
	assert_int_equal(cfg->listen_port, 518);
	assert_int_equal(cfg->peers[0].n_allowedips, 2);
	assert_int_equal(ntohs(cfg->peers[0].endpoint.addr.in.sin_port), 9);
	config_free(cfg);
}

static void test_line_endings(void **state)
{
	struct nswg_config *cfg = parse("[Interface]\r\nPrivateKey = " K1 "\r\nAddress = 10.0.0.1/24\r\n"
					"DNS = 1.1.1.1\r\n[Peer]\r\nPublicKey = " K2 "\r\nAllowedIPs = 10.0.0.0/24");

	assert_int_equal(cfg->n_addresses, 1);
	assert_int_equal(cfg->dns.n, 1);
	assert_string_equal(cfg->dns.v[0], "1.1.1.1");
	assert_int_equal(cfg->peers[0].n_allowedips, 1);
	config_free(cfg);
}

static void test_indented_lines_are_not_continuations(void **state)
{
	struct nswg_config *cfg = parse("[Interface]\n  PrivateKey = " K1 "\n\tListenPort = 9\n"
					"    [Peer]\n        PublicKey = " K2 "\n  AllowedIPs = 10.0.0.0/8\n");

	assert_int_equal(cfg->listen_port, 9);
	assert_int_equal(cfg->n_peers, 1);
	assert_int_equal(cfg->peers[0].n_allowedips, 1);
	config_free(cfg);
}

static void test_long_lines(void **state)
{
	struct strbuf sb = { 0 };
	struct nswg_config *cfg;
	char buf[64];

	assert_int_equal(strbuf_addf(&sb, "[Interface]\n[Peer]\nPublicKey = %s\nAllowedIPs = ", K2), 0);
	for (unsigned int i = 0; i < 6000; ++i)
		assert_int_equal(strbuf_addf(&sb, "%s10.%u.%u.0/24", i ? ", " : "", i / 256, i % 256), 0);
	assert_true(sb.len > 80000);
	assert_int_equal(strbuf_addf(&sb, "\nEndpoint = 192.0.2.1:1\n"), 0);
	cfg = parse(sb.s);
	assert_int_equal(cfg->peers[0].n_allowedips, 6000);
	assert_string_equal(ip_str(&cfg->peers[0].allowedips[5999].prefix, buf), "10.23.111.0/24");
	assert_true(cfg->peers[0].flags & NSWG_PEER_HAS_ENDPOINT);
	config_free(cfg);
	strbuf_free(&sb);

	/* A long hook, with every byte inih could misread, arrives intact. */
	assert_int_equal(strbuf_addf(&sb, "[Interface]\nPostUp = "), 0);
	for (unsigned int i = 0; i < 300; ++i)
		assert_int_equal(strbuf_addf(&sb, "a;b:c=d%%e [f] ;#"), 0);
	assert_int_equal(strbuf_addf(&sb, "\n"), 0);
	cfg = parse(sb.s);
	assert_int_equal(cfg->n_hooks, 1);
	assert_int_equal(strlen(cfg->hooks[0].command), 300 * 16);
	assert_memory_equal(cfg->hooks[0].command, "a;b:c=d%e [f] ;#a;b", 19);
	config_free(cfg);
	strbuf_free(&sb);
}

static void test_peers_are_separate(void **state)
{
	struct nswg_config *cfg = parse("[Interface]\n[Peer]\nPublicKey = " K1 "\n[Peer]\nPublicKey = " K2
					"\nAllowedIPs = 10.0.0.0/8\n\n[Peer]\nPublicKey = " K3 "\n");

	assert_int_equal(cfg->n_peers, 3);
	assert_key(cfg->peers[0].public_key, K1);
	assert_key(cfg->peers[1].public_key, K2);
	assert_key(cfg->peers[2].public_key, K3);
	assert_int_equal(cfg->peers[0].n_allowedips, 0);
	assert_int_equal(cfg->peers[1].n_allowedips, 1);
	assert_int_equal(cfg->peers[2].line, 8);
	for (size_t i = 0; i < 3; ++i)
		assert_true(cfg->peers[i].flags & NSWG_PEER_REPLACE_ALLOWEDIPS);
	config_free(cfg);
}

static void test_lists_accumulate(void **state)
{
	struct nswg_config *cfg = parse("[Interface]\nAddress = 10.0.0.1/24,10.0.1.1/24\nAddress = fd00::1/64 10.0.2.1\t10.0.3.1/255.255.0.0\n"
					"DNS = 10.0.0.53, fd00::53 corp.example\nDNS = example.org,,1.1.1.1\n"
					"[Peer]\nPublicKey = " K2 "\nAllowedIPs = 10.0.0.0/24\nAllowedIPs = fd00::/64,0.0.0.0/0\n");
	const char *want[] = { "10.0.0.1/24", "10.0.1.1/24", "fd00::1/64", "10.0.2.1/32", "10.0.3.1/16" };
	char buf[64];

	assert_int_equal(cfg->n_addresses, 5);
	for (size_t i = 0; i < 5; ++i)
		assert_string_equal(ip_str(&cfg->addresses[i], buf), want[i]);
	assert_int_equal(cfg->dns.n, 3);
	assert_string_equal(cfg->dns.v[1], "fd00::53");
	assert_string_equal(cfg->dns.v[2], "1.1.1.1");
	assert_int_equal(cfg->dns_search.n, 2);
	assert_string_equal(cfg->dns_search.v[0], "corp.example");
	assert_string_equal(cfg->dns_search.v[1], "example.org");
	assert_int_equal(cfg->peers[0].n_allowedips, 3);
	assert_string_equal(ip_str(&cfg->peers[0].allowedips[2].prefix, buf), "0.0.0.0/0");
	config_free(cfg);
}

static void test_bom(void **state)
{
	struct nswg_config *cfg = parse("\xef\xbb\xbf[Interface]\nPrivateKey = " K1 "\n");

	assert_key(cfg->private_key, K1);
	config_free(cfg);
	/* Only at the very start. */
	parse_fails("[Interface]\n\xef\xbb\xbfPrivateKey = " K1 "\n", 2,
		    "Line unrecognized: `\\xef\\xbb\\xbfPrivateKey=(hidden)'");
}

static void test_wgquick_keys(void **state)
{
	struct nswg_config *cfg = parse("[Interface]\nMTU = 1380\nTable = 1234\nSaveConfig = false\n");

	assert_int_equal(cfg->mtu, 1380);
	assert_int_equal(cfg->table, NSWG_TABLE_ID);
	assert_int_equal(cfg->table_id, 1234);
	assert_false(cfg->save_config);
	config_free(cfg);

	cfg = parse("[Interface]\nMTU = 1380\nMTU =\nTable = off\n");
	assert_int_equal(cfg->mtu, 0);
	assert_int_equal(cfg->table, NSWG_TABLE_OFF);
	config_free(cfg);

	cfg = parse("[Interface]\nTable = main\nTable = Auto\n");
	assert_int_equal(cfg->table, NSWG_TABLE_AUTO);
	config_free(cfg);
	cfg = parse("[Interface]\nTable = main\n");
	assert_int_equal(cfg->table_id, 254);
	config_free(cfg);
	cfg = parse("[Interface]\nTable = 4294967295\n");
	assert_int_equal(cfg->table_id, 4294967295U);
	config_free(cfg);
}

static void test_hooks_warn(void **state)
{
	struct nswg_config *cfg = parse("[Interface]\nPreUp = echo 1 # kept\nPostUp = echo 2\n\nPreDown = \nPostDown = echo %i\n");

	assert_int_equal(cfg->n_hooks, 4);
	assert_int_equal(cfg->hooks[0].type, NSWG_HOOK_PREUP);
	assert_string_equal(cfg->hooks[0].command, "echo 1 # kept");
	assert_int_equal(cfg->hooks[2].type, NSWG_HOOK_PREDOWN);
	assert_string_equal(cfg->hooks[2].command, "");
	assert_int_equal(cfg->hooks[3].line, 6);
	assert_int_equal(cfg->n_warnings, 4);
	assert_int_equal(cfg->warnings[1].line, 3);
	assert_string_equal(cfg->warnings[1].message,
			    "PostUp is not run: nswg never runs commands on the host: `echo 2'");
	assert_string_equal(cfg->warnings[2].message, "PreDown is not run: nswg never runs commands on the host");
	config_free(cfg);
}

static void test_endpoints(void **state)
{
	struct nswg_config *cfg = parse("[Interface]\n"
					"[Peer]\nPublicKey = " K1 "\nEndpoint = 192.0.2.1:51820\n"
					"[Peer]\nPublicKey = " K2 "\nEndpoint = [2001:db8::1]:443\n"
					"[Peer]\nPublicKey = " K3 "\nEndpoint = 2001:db8::2:80\n"
					"[Peer]\nPublicKey = " K1 "\nEndpoint = vpn.example.com:1194\n"
					"[Peer]\nPublicKey = " K2 "\nEndpoint = [fe80::1%eth0]:5\n"
					"[Peer]\nPublicKey = " K3 "\nEndpoint = [192.0.2.9]:0\n");
	struct nswg_peer *p = cfg->peers;
	char ip[INET6_ADDRSTRLEN];

	assert_int_equal(p[0].endpoint.addr.sa.sa_family, AF_INET);
	assert_int_equal(ntohs(p[0].endpoint.addr.in.sin_port), 51820);
	assert_int_equal(p[1].endpoint.addr.sa.sa_family, AF_INET6);
	assert_int_equal(ntohs(p[1].endpoint.addr.in6.sin6_port), 443);
	inet_ntop(AF_INET6, &p[2].endpoint.addr.in6.sin6_addr, ip, sizeof(ip));
	assert_string_equal(ip, "2001:db8::2");
	assert_null(p[2].endpoint.host);
	assert_string_equal(p[3].endpoint.host, "vpn.example.com");
	assert_int_equal(p[3].endpoint.port, 1194);
	assert_int_equal(p[3].endpoint.addr.sa.sa_family, AF_UNSPEC);
	assert_string_equal(p[4].endpoint.host, "fe80::1%eth0");
	assert_int_equal(p[5].endpoint.addr.sa.sa_family, AF_INET);
	for (size_t i = 0; i < cfg->n_peers; ++i)
		assert_true(p[i].flags & NSWG_PEER_HAS_ENDPOINT);
	config_free(cfg);
}

static void test_numbers(void **state)
{
	struct nswg_config *cfg = parse("[Interface]\nListenPort = 65535\nFwMark = 0xffffffff\n"
					"[Peer]\nPublicKey = " K1 "\nPersistentKeepalive = 65535\n"
					"[Peer]\nPublicKey = " K2 "\nPersistentKeepalive = off\n");

	assert_int_equal(cfg->listen_port, 65535);
	assert_int_equal(cfg->fwmark, 0xffffffffU);
	assert_int_equal(cfg->peers[0].keepalive, 65535);
	assert_int_equal(cfg->peers[1].keepalive, 0);
	assert_true(cfg->peers[1].flags & NSWG_PEER_HAS_KEEPALIVE);
	config_free(cfg);

	cfg = parse("[Interface]\nFwMark = 1234\nFwMark = OFF\nListenPort = 0\n");
	assert_int_equal(cfg->fwmark, 0);
	assert_true(cfg->flags & NSWG_DEV_HAS_FWMARK);
	assert_true(cfg->flags & NSWG_DEV_HAS_LISTEN_PORT);
	config_free(cfg);
}

static void test_allowedips(void **state)
{
	struct nswg_config *cfg = parse("[Interface]\n[Peer]\nPublicKey = " K1 "\nAllowedIPs = 10.1.2.3, fd00::1, 10.0.0.0/0\n"
					"[Peer]\nPublicKey = " K2 "\nAllowedIPs = +10.2.0.0/16, -10.3.0.0/16\n"
					"[Peer]\nPublicKey = " K3 "\nAllowedIPs = 10.4.0.9/24\n");
	struct nswg_peer *p = cfg->peers;
	char buf[64];

	assert_string_equal(ip_str(&p[0].allowedips[0].prefix, buf), "10.1.2.3/32");
	assert_string_equal(ip_str(&p[0].allowedips[1].prefix, buf), "fd00::1/128");
	assert_true(p[0].flags & NSWG_PEER_REPLACE_ALLOWEDIPS);
	assert_false(p[1].flags & NSWG_PEER_REPLACE_ALLOWEDIPS);
	assert_int_equal(p[1].allowedips[0].flags, 0);
	assert_int_equal(p[1].allowedips[1].flags, NSWG_ALLOWEDIP_REMOVE);
	/* Host bits: kept, with wg(8)'s warning. */
	assert_string_equal(ip_str(&p[2].allowedips[0].prefix, buf), "10.4.0.9/24");
	assert_int_equal(cfg->n_warnings, 2);
	assert_string_equal(cfg->warnings[0].message, "AllowedIP has nonzero host part: `10.0.0.0/0'");
	assert_int_equal(cfg->warnings[1].line, 10);
	config_free(cfg);
}

/* down and save: wg-quick's own [Interface] keys, as the full reader reads them; nothing else. */
static void test_interface_only(void **state)
{
	static const char head[] = "[Interface]\nPrivateKey = " K1 "\nAddress = 10.0.0.1/24, fd00::1/64\n"
				   "DNS = 10.0.0.53, example.org\nMTU = 1380\nTable = off\nSaveConfig = true\n"
				   "PostUp = echo up\n";
	static const char good_peer[] = "[Peer]\nPublicKey = " K2 "\nAllowedIPs = 0.0.0.0/0\n";
	static const char broken_peer[] = "[Peer]\nPublicKey = broken\nAllowedIPs = 300.0.0.0/0\nnonsense\n";
	struct nswg_config *full, *cfg = NULL;
	struct nswg_config_error err;
	char text[1024], a[64], b[64];

	(void)state;
	snprintf(text, sizeof(text), "%s%s", head, good_peer);
	full = parse(text);
	snprintf(text, sizeof(text), "%s%s", head, broken_peer);
	parse_fails(text, 10, "PublicKey is not the correct length or format: `broken'");
	assert_int_equal(config_parse_interface(text, strlen(text), &cfg, &err), 0);
	assert_int_equal(cfg->n_peers, 0);
	assert_false(cfg->flags & NSWG_DEV_HAS_PRIVATE_KEY);
	assert_int_equal(cfg->n_addresses, full->n_addresses);
	for (size_t i = 0; i < cfg->n_addresses; ++i)
		assert_string_equal(ip_str(&cfg->addresses[i], a), ip_str(&full->addresses[i], b));
	assert_int_equal(cfg->dns.n, 1);
	assert_string_equal(cfg->dns.v[0], full->dns.v[0]);
	assert_string_equal(cfg->dns_search.v[0], "example.org");
	assert_int_equal(cfg->mtu, 1380);
	assert_string_equal(cfg->table_text, full->table_text);
	assert_true(cfg->save_config);
	assert_int_equal(cfg->n_hooks, 1);
	assert_string_equal(cfg->hooks[0].command, "echo up");
	config_free(cfg);
	config_free(full);

	/* Its own keys are still read strictly, and named by line. */
	snprintf(text, sizeof(text), "%s", "[Interface]\nPrivateKey = abc\nMTU = x\n");
	assert_int_equal(config_parse_interface(text, strlen(text), &cfg, &err), -EINVAL);
	assert_null(cfg);
	assert_int_equal(err.line, 3);
	/* As wg-quick: a line opening with '[' ends [Interface]. */
	snprintf(text, sizeof(text), "%s", "[Interface]\nMTU = 1400\n[Other]\nMTU = x\n");
	assert_int_equal(config_parse_interface(text, strlen(text), &cfg, &err), 0);
	assert_int_equal(cfg->mtu, 1400);
	config_free(cfg);
}

static void test_errors(void **state)
{
	static const struct {
		const char *text;
		unsigned int line;
		const char *message;
	} cases[] = {
		{ "PrivateKey = " K1, 1, "Line unrecognized: `PrivateKey=(hidden)'" },
		{ "[Interface]\nFoo = bar", 2, "Line unrecognized: `Foo=bar'" },
		{ "[Interface]\nPublicKey = " K1, 2, "Line unrecognized: `PublicKey=(hidden)'" },
		{ "[Peer]\nPrivateKey = " K1, 2, "Line unrecognized: `PrivateKey=(hidden)'" },
		/* Nothing that could be a key is ever quoted (issue 13). */
		{ "[Interface]\nPrivatKey = " K1, 2, "Line unrecognized: `PrivatKey=(hidden)'" },
		{ "[Interface]\nPrivateKee = short", 2, "Line unrecognized: `PrivateKee=(hidden)'" },
		{ "[Interface]\nPre-Shared-Key = x", 2, "Line unrecognized: `Pre-Shared-Key=(hidden)'" },
		{ "[Interface]\n" K1, 2, "Line unrecognized: `(hidden)'" },
		{ "[Interface]\nFoo = 0123456789abcdefABCD", 2, "Line unrecognized: `(hidden)'" },
		{ "[Interface]\nFoo = 0123456789abcdefABC", 2, "Line unrecognized: `Foo=0123456789abcdefABC'" },
		{ "[Interface]\nListenPort = " K1, 2, "ListenPort is not a port number from 0 to 65535: `(hidden)'" },
		{ "[Peer]\nPublicKey = " K1 "\nEndpoint = " K1, 3, "Unable to find port of endpoint: `(hidden)'" },
		{ "[Peer]\nPublicKey = " K1 "\nMTU = 1", 3, "Line unrecognized: `MTU=1'" },
		{ "[Interface]\n[Interfaces]", 2, "Line unrecognized: `[Interfaces]'" },
		{ "[Interface\n", 1, "Line unrecognized: `[Interface'" },
		{ "[Interface]\nPrivateKey", 2, "Line unrecognized: `PrivateKey'" },
		{ "[Interface]\nPrivateKey =", 2, "Line unrecognized: `PrivateKey='" },
		{ "[Interface]\nListenPort = # none", 2, "Line unrecognized: `ListenPort='" },
		{ "[Interface]\nPrivateKey = abc", 2, "PrivateKey is not the correct length or format" },
		{ "[Peer]\nPublicKey = abc", 2, "PublicKey is not the correct length or format: `abc'" },
		{ "[Peer]\nPublicKey = " K1 "\nPresharedKey = abc", 3, "PresharedKey is not the correct length or format" },
		{ "[Interface]\nListenPort = 65536", 2, "ListenPort is not a port number from 0 to 65535: `65536'" },
		{ "[Interface]\nListenPort = wireguard", 2, "ListenPort is not a port number from 0 to 65535: `wireguard'" },
		{ "[Interface]\nFwMark = 0x", 2, "Fwmark is neither 0/off nor 0-0xffffffff: `0x'" },
		{ "[Interface]\nFwMark = 0x100000000", 2, "Fwmark is neither 0/off nor 0-0xffffffff: `0x100000000'" },
		{ "[Interface]\nFwMark = 0X10", 2, "Fwmark is neither 0/off nor 0-0xffffffff: `0X10'" },
		{ "[Peer]\nPublicKey = " K1 "\nEndpoint = host", 3, "Unable to find port of endpoint: `host'" },
		{ "[Peer]\nPublicKey = " K1 "\nEndpoint = host:", 3, "Unable to find port of endpoint: `host:'" },
		{ "[Peer]\nPublicKey = " K1 "\nEndpoint = [::1]", 3, "Unable to find port of endpoint: `[::1]'" },
		{ "[Peer]\nPublicKey = " K1 "\nEndpoint = [::1]x1", 3, "Unable to find port of endpoint: `[::1]x1'" },
		{ "[Peer]\nPublicKey = " K1 "\nEndpoint = [::1:1", 3, "Unable to find matching brace of endpoint: `[::1:1'" },
		{ "[Peer]\nPublicKey = " K1 "\nEndpoint = []:1", 3, "Unable to find host of endpoint: `[]:1'" },
		{ "[Peer]\nPublicKey = " K1 "\nEndpoint = h:http", 3, "Unable to parse port of endpoint: `h:http'" },
		{ "[Peer]\nPublicKey = " K1 "\nPersistentKeepalive = -1", 3,
		  "Persistent keepalive interval is neither 0/off nor 1-65535: `-1'" },
		{ "[Peer]\nPublicKey = " K1 "\nAllowedIPs = 1.2.3.4/", 3, "AllowedIP is not in the correct format: `1.2.3.4/'" },
		{ "[Peer]\nPublicKey = " K1 "\nAllowedIPs = ::/129", 3, "AllowedIP is not in the correct format: `::/129'" },
		{ "[Peer]\nPublicKey = " K1 "\nAllowedIPs = 1.2.3.4/+8", 3, "AllowedIP is not in the correct format: `1.2.3.4/+8'" },
		{ "[Peer]\nPublicKey = " K1 "\nAllowedIPs = 1.2.3/8", 3, "Unable to parse IP address: `1.2.3'" },
		{ "[Peer]\nPublicKey = " K1 "\nAllowedIPs = ,", 3, "Unable to parse IP address: `'" },
		{ "[Peer]\nAllowedIPs = 10.0.0.0/8", 1, "A peer is missing a public key" },
		{ "[Interface]\n\n[Peer]\nPublicKey = " K1 "\n[Peer]\n", 5, "A peer is missing a public key" },
		{ "[Interface]\nAddress = 10.0.0.1/33", 2, "Address has an invalid prefix length: `10.0.0.1/33'" },
		{ "[Interface]\nAddress = 10.0.0.1/255.0.255.0", 2, "Address has an invalid prefix length: `10.0.0.1/255.0.255.0'" },
		{ "[Interface]\nAddress = host.example", 2, "Unable to parse address: `host.example'" },
		{ "[Interface]\nDNS = 1.1.1.1, 300.1.1.1", 2, "Unable to parse DNS server: `300.1.1.1'" },
		{ "[Interface]\nDNS = fe80::1%", 2, "Unable to parse DNS server: `fe80::1%'" },
		{ "[Interface]\nMTU = 65536", 2, "MTU is neither empty nor 68-65535: `65536'" },
		{ "[Interface]\nTable = foo", 2, "Table is neither off, auto, main, default, local nor 1-4294967295: `foo'" },
		{ "[Interface]\nTable = MAIN", 2, "Table is neither off, auto, main, default, local nor 1-4294967295: `MAIN'" },
		{ "[Interface]\nSaveConfig =", 2, "SaveConfig is neither true nor false: `'" },
		{ "[Interface]\nSave Config = true", 2, "Line unrecognized: `SaveConfig=true'" },
		{ "[Interface]\nFoo\x01 = \xff", 2, "Line unrecognized: `Foo\\x01=\\xff'" },
		{ "[Interface]\nFoo = a\\b", 2, "Line unrecognized: `Foo=a\\x5cb'" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); ++i)
		parse_fails(cases[i].text, cases[i].line, cases[i].message);
}

static void test_nul_and_size(void **state)
{
	static const char nul[] = "[Interface]\n\nListenPort = 1\0 2\n";
	struct nswg_config_error err;
	struct nswg_config *cfg;
	char *big;

	parse_fails_len(nul, sizeof(nul) - 1, 3, "Line contains a NUL byte");
	big = calloc(1, NSWG_CONFIG_MAX_SIZE + 1);
	assert_non_null(big);
	assert_int_equal(config_parse_buf(big, NSWG_CONFIG_MAX_SIZE + 1, &cfg, &err), -EFBIG);
	assert_int_equal(err.line, 0);
	assert_string_equal(err.message, "file is larger than 8 MiB");
	free(big);
}

static void test_error_quote_is_bounded(void **state)
{
	struct nswg_config_error err;
	struct nswg_config *cfg;
	char text[4096];

	strcpy(text, "[Interface]\nFoo = ");
	/* Dotted, as a host name: a long run of letters would be hidden instead. */
	for (size_t i = 0; i < 3000; ++i)
		text[18 + i] = i % 8 == 7 ? '.' : 'x';
	text[18 + 3000] = '\0';
	assert_int_equal(config_parse_buf(text, strlen(text), &cfg, &err), -EINVAL);
	assert_true(strlen(err.message) < 140);
	assert_non_null(strstr(err.message, "...'"));
}

static void strip_is(const char *in, const char *want)
{
	char *out;
	size_t len;

	assert_int_equal(config_strip_buf(in, strlen(in), &out, &len), 0);
	assert_int_equal(len, strlen(want));
	assert_string_equal(out, want);
	free(out);
}

static void test_strip(void **state)
{
	strip_is("", "\n");
	strip_is("[Interface]\nAddress = 1.2.3.4/32\nPrivateKey = x\n", "[Interface]\nPrivateKey = x\n\n");
	/* bash's read: spaces and tabs trimmed at both ends, a CR kept. */
	strip_is("  [Interface] \r\n\tDNS=1.1.1.1\r\n  MTU = 1 # c\n ListenPort = 1 \t\n",
		 "[Interface] \r\nListenPort = 1\n\n");
	/* Outside [Interface] they are wg's business, and stay. */
	strip_is("[Peer]\nAddress = 1\n[Interface]\nAddress = 2\n", "[Peer]\nAddress = 1\n[Interface]\n\n");
	/* A last line without newline is kept; one of blanks is not. */
	strip_is("[Interface]\nListenPort = 1", "[Interface]\nListenPort = 1\n\n");
	strip_is("[Interface]\n \t", "[Interface]\n\n");
	strip_is("\xef\xbb\xbf[Interface]\nPostUp = x\n", "[Interface]\n\n");
	strip_is("[Interface]\nPre Up = x\n# PostUp = y\n", "[Interface]\nPre Up = x\n# PostUp = y\n\n");
}

static void render_is(const char *in, const char *want)
{
	struct nswg_config *cfg = parse(in);
	char *out;
	size_t len;

	assert_int_equal(config_render_wg(cfg, &out, &len), 0);
	assert_string_equal(out, want);
	free(out);
	config_free(cfg);
}

static void test_render(void **state)
{
	render_is("", "[Interface]\n\n");
	render_is("[Interface]\nPrivateKey = " K1 "\nListenPort = 9\nFwMark = 255\n",
		  "[Interface]\nListenPort = 9\nFwMark = 0xff\nPrivateKey = " K1 "\n\n");
	/* One device peer per key; a prefix belongs to the last peer that names it. */
	render_is("[Peer]\nPublicKey = " K1 "\nAllowedIPs = 10.0.0.0/8, 10.1.0.0/16\nEndpoint = [::1]:1\n"
		  "[Peer]\nPublicKey = " K2 "\nAllowedIPs = 10.1.0.7/16\nPersistentKeepalive = 5\n"
		  "[Peer]\nPublicKey = " K1 "\nAllowedIPs = 10.2.0.0/16, 10.2.0.0/16\nPresharedKey = " K3 "\n",
		  "[Interface]\n\n"
		  "[Peer]\nPublicKey = " K1 "\nPresharedKey = " K3 "\nAllowedIPs = 10.2.0.0/16\nEndpoint = [::1]:1\n\n"
		  "[Peer]\nPublicKey = " K2 "\nAllowedIPs = 10.1.0.0/16\nPersistentKeepalive = 5\n");
	/* Incremental lists add to and take from what the key already has. */
	render_is("[Peer]\nPublicKey = " K1 "\nAllowedIPs = 10.0.0.0/8, 10.1.0.0/16\n"
		  "[Peer]\nPublicKey = " K1 "\nAllowedIPs = +10.2.0.0/16, -10.0.0.0/8\n",
		  "[Interface]\n\n[Peer]\nPublicKey = " K1 "\nAllowedIPs = 10.1.0.0/16, 10.2.0.0/16\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_and_empty),
		cmocka_unit_test(test_case_insensitive),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_spaces_inside_values),
		cmocka_unit_test(test_line_endings),
		cmocka_unit_test(test_indented_lines_are_not_continuations),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_peers_are_separate),
		cmocka_unit_test(test_lists_accumulate),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_wgquick_keys),
		cmocka_unit_test(test_hooks_warn),
		cmocka_unit_test(test_endpoints),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_allowedips),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_interface_only),
		cmocka_unit_test(test_nul_and_size),
		cmocka_unit_test(test_error_quote_is_bounded),
		cmocka_unit_test(test_strip),
		cmocka_unit_test(test_render),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}

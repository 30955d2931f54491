// SPDX-License-Identifier: MIT
/* What `nswg show' prints: wg(8)'s words for time and sizes, and JSON that scripts can parse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "show.h"

static void test_duration(void **state)
{
	static const struct {
		unsigned long long seconds;
		const char *text;
	} v[] = {
		{ 0, "Now" },
		{ 1, "1 second" },
		{ 59, "59 seconds" },
		{ 61, "1 minute, 1 second" },
		{ 3600, "1 hour" },
		{ 90061, "1 day, 1 hour, 1 minute, 1 second" },
		{ 2 * 31536000ULL + 2 * 86400, "2 years, 2 days" },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); ++i) {
		struct strbuf sb = { 0 };

		assert_int_equal(show_add_duration(&sb, v[i].seconds), 0);
		assert_string_equal(sb.s, v[i].text);
		strbuf_free(&sb);
	}
}

static void test_bytes(void **state)
{
	static const struct {
		unsigned long long bytes;
		const char *text;
	} v[] = {
		{ 0, "0 B" },
		{ 1023, "1023 B" },
		{ 1024, "1.00 KiB" },
		{ 1536, "1.50 KiB" },
		{ 5ULL << 20, "5.00 MiB" },
		{ 3ULL << 30, "3.00 GiB" },
		{ 2048ULL << 40, "2048.00 TiB" },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); ++i) {
		struct strbuf sb = { 0 };

		assert_int_equal(show_add_bytes(&sb, v[i].bytes), 0);
		assert_string_equal(sb.s, v[i].text);
		strbuf_free(&sb);
	}
}

static struct nswg_config *device(void)
{
	static const char text[] = "[Interface]\nPrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\n"
				   "ListenPort = 51820\n[Peer]\nPublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\n"
				   "PresharedKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\n"
				   "Endpoint = 192.0.2.1:51820\nAllowedIPs = 0.0.0.0/0, ::/0\nPersistentKeepalive = 25\n";
	struct nswg_config_error err;
	struct nswg_config *cfg;

	assert_int_equal(config_parse_buf(text, strlen(text), &cfg, &err), 0);
	/* As a userspace implementation reports it: the public key is derived when shown. */
	cfg->peers[0].last_handshake_sec = 1000;
	cfg->peers[0].rx_bytes = 2048;
	cfg->peers[0].tx_bytes = 100;
	return cfg;
}

static void test_text(void **state)
{
	struct nswg_config *cfg = device();
	struct show_item it = { .netns = "egress", .ifname = "wg0", .implementation = "kernel", .device = cfg };
	struct strbuf sb = { 0 };

	assert_int_equal(show_render_text(&it, 1065, &sb), 0);
	assert_string_equal(sb.s, "namespace: egress\n"
				  "interface: wg0\n"
				  "  implementation: kernel\n"
				  "  host: interface not in the host namespace; default routes as at up\n"
				  "  public key: HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=\n"
				  "  private key: (hidden)\n"
				  "  listening port: 51820\n"
				  "\n"
				  "peer: xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\n"
				  "  preshared key: (hidden)\n"
				  "  endpoint: 192.0.2.1:51820\n"
				  "  allowed ips: 0.0.0.0/0, ::/0\n"
				  "  latest handshake: 1 minute, 5 seconds ago\n"
				  "  transfer: 2.00 KiB received, 100 B sent\n"
				  "  persistent keepalive: every 25 seconds\n");
	strbuf_free(&sb);
	it.host_link = it.routes_changed = true;
	it.device = NULL;
	it.error = "gone";
	assert_int_equal(show_render_text(&it, 1065, &sb), 0);
	assert_non_null(strstr(sb.s, "  host: A LINK OF THIS NAME EXISTS IN THE HOST NAMESPACE; DEFAULT ROUTES CHANGED SINCE UP\n"
				     "  error: gone\n"));
	assert_null(strstr(sb.s, "socket:"));
	strbuf_free(&sb);
	/* --via: the chain as a chain; one that ends in a namespace nswg does not know stops there. */
	static const char *const chain[] = { "no", "np1" };
	it.chain = chain;
	it.n_chain = 2;
	it.chain_host = true;
	assert_int_equal(show_render_text(&it, 1065, &sb), 0);
	assert_non_null(strstr(sb.s, "  host: A LINK OF THIS NAME EXISTS IN THE HOST NAMESPACE; DEFAULT ROUTES CHANGED SINCE UP\n"
				     "  socket: namespace no; chain: egress via no via np1 via the host\n"));
	strbuf_free(&sb);
	it.n_chain = 1;
	it.chain_host = false;
	assert_int_equal(show_render_text(&it, 1065, &sb), 0);
	assert_non_null(strstr(sb.s, "  socket: namespace no; chain: egress via no\n"));
	strbuf_free(&sb);
	/* Its name deleted, or another namespace's now: said, where the chain begins. */
	it.via_gone = true;
	assert_int_equal(show_render_text(&it, 1065, &sb), 0);
	assert_non_null(strstr(sb.s, "  socket: namespace no (THAT NAME IS GONE OR NAMES ANOTHER NAMESPACE NOW); "
				     "chain: egress via no\n"));
	strbuf_free(&sb);
	config_free(cfg);
}

static void test_relays_text(void **state)
{
	static const struct show_relay relays[] = {
		{ .option = "--publish", .spec = "8080:80", .ctr = { .open = 2, .total = 9, .bytes_in = 100, .bytes_out = 3 << 20 } },
		{ .option = "--host-port", .spec = "5432", .ctr = { .total = 1, .bytes_in = 5, .bytes_out = 7 } },
	};
	struct show_item it = { .netns = "egress", .ifname = "wg0", .implementation = "kernel", .error = "gone",
				.relays = relays, .n_relays = 2, .relay_pid = 77, .relay_running = true };
	struct strbuf sb = { 0 };

	assert_int_equal(show_render_text(&it, 0, &sb), 0);
	assert_non_null(strstr(sb.s, "  relay: pid 77\n"
				     "  --publish 8080:80: 2 open, 9 in all; 100 B into the namespace, 3.00 MiB back\n"
				     "  --host-port 5432: 0 open, 1 in all; 5 B to the host, 7 B back\n"
				     "  error: gone\n"));
	strbuf_free(&sb);
	it.relay_running = false;
	assert_int_equal(show_render_text(&it, 0, &sb), 0);
	assert_non_null(strstr(sb.s, "  relay: NOT RUNNING (pid 77 was recorded)\n"));
	strbuf_free(&sb);
	/* After reload --no-relays: no spec, the replaced relay still draining. */
	it.n_relays = 0;
	it.relay_draining_pid = 66;
	assert_int_equal(show_render_text(&it, 0, &sb), 0);
	assert_non_null(strstr(sb.s, "  relay replaced by reload: pid 66, serving the connections it had\n  error: gone\n"));
	assert_null(strstr(sb.s, "relay: "));
	strbuf_free(&sb);
}

static void test_json(void **state)
{
	static const char *const chain[] = { "no", "np\"1" };
	struct nswg_config *cfg = device();
	static const struct show_relay relays[] = {
		{ .option = "--publish", .spec = "8080", .ctr = { .open = 1, .total = 3, .bytes_in = 10, .bytes_out = 2048 } },
		{ .option = "--host-port", .spec = "5432" },
	};
	struct show_item it[2] = {
		{ .netns = "/run/\"odd\"\\\n", .ifname = "wg0", .implementation = "wireguard-go", .pid = 42, .device = cfg,
		  .relays = relays, .n_relays = 2, .relay_pid = 77, .relay_running = true, .relay_draining_pid = 66 },
		{ .netns = "b", .ifname = "wg1", .implementation = "kernel", .error = "no such device", .chain = chain,
		  .n_chain = 2, .chain_host = true, .via_gone = true },
	};
	struct strbuf sb = { 0 };

	assert_int_equal(show_render_json(it, 2, &sb), 0);
	assert_string_equal(sb.s,
		"[{\"namespace\":\"/run/\\\"odd\\\"\\\\\\u000a\",\"interface\":\"wg0\",\"implementation\":\"wireguard-go\","
		"\"pid\":42,\"host\":{\"interface_absent\":true,\"default_routes_unchanged\":true},"
		"\"via\":null,\"via_gone\":false,\"chain\":[null],\"relay_pid\":77,\"relay_running\":true,\"relay_draining_pid\":66,\"relays\":[{\"option\":\"--publish\",\"spec\":\"8080\",\"open\":1,"
		"\"total\":3,\"bytes_to_target\":10,\"bytes_from_target\":2048},{\"option\":\"--host-port\",\"spec\":\"5432\","
		"\"open\":0,\"total\":0,\"bytes_to_target\":0,\"bytes_from_target\":0}],"
		"\"public_key\":\"HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=\",\"listen_port\":51820,\"fwmark\":0,"
		"\"peers\":[{\"public_key\":\"xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\",\"endpoint\":\"192.0.2.1:51820\","
		"\"allowed_ips\":[\"0.0.0.0/0\",\"::/0\"],\"latest_handshake\":1000,\"rx_bytes\":2048,\"tx_bytes\":100,"
		"\"persistent_keepalive\":25,\"preshared_key\":true}]},"
		"{\"namespace\":\"b\",\"interface\":\"wg1\",\"implementation\":\"kernel\",\"pid\":null,"
		"\"host\":{\"interface_absent\":true,\"default_routes_unchanged\":true},"
		"\"via\":\"no\",\"via_gone\":true,\"chain\":[\"no\",\"np\\\"1\",null],\"relay_pid\":null,"
		"\"relay_running\":false,\"relay_draining_pid\":null,\"relays\":[],\"error\":\"no such device\"}]\n");
	/* No secret in it, whatever the device held. */
	assert_null(strstr(sb.s, "yAnz5TF"));
	strbuf_free(&sb);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_relays_text),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests_name("show", tests, NULL, NULL);
}

// SPDX-License-Identifier: MIT
/*
 * The pure pieces of the lifecycle: the journal's records, the DNS files,
 * the allowed IPs as routes, the host guard's comparison, endpoint retries,
 * reload's diff, and the address arithmetic under them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <errno.h>

#include "config.h"
#include "device.h"
#include "dns.h"
#include "prefix.h"
#include "resolve.h"
#include "rtnl.h"
#include "state.h"
#include "util.h"

static struct nswg_config *parse(const char *text)
{
	struct nswg_config_error err = { 0 };
	struct nswg_config *cfg = NULL;

	if (config_parse_buf(text, strlen(text), &cfg, &err))
		fail_msg("%u: %s", err.line, err.message);
	return cfg;
}

static const char *const priv = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=";
static const char *const pub1 = "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=";
static const char *const pub2 = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";

static void test_state_round_trip(void **unused)
{
	struct nswg_state st = { .complete = true, .link = NSWG_LINK_HOST, .userspace_pid = 4242,
				 .userspace_start = 123456789012ULL, .netns_id = { 4, 4026532000ULL, 0x1234 },
				 .host_routes = 0xfedcba9876543210ULL },
			  back;
	struct strbuf text = { 0 };

	strcpy(st.ifname, "wg0");
	strcpy(st.netns, "/proc/1234/ns/net");
	strcpy(st.config, "/etc/wireguard/with = sign.conf");
	assert_int_equal(state_format(&st, &text), 0);
	assert_null(strstr(text.s, "PrivateKey"));
	state_parse(text.s, &back);
	assert_memory_equal(&st, &back, sizeof(st));
	/* A newer nswg's key is skipped; one missing takes its default. */
	state_parse("interface=wg1\nfuture=1\ncomplete=1\n", &back);
	assert_string_equal(back.ifname, "wg1");
	assert_true(back.complete);
	assert_int_equal(back.link, NSWG_LINK_NONE);
	assert_int_equal(back.userspace_pid, 0);
	strbuf_free(&text);
}

/* One key per namespace, none two (issue 13): names that look like nswg's own or like a path's are escaped. */
static void test_state_keys(void **unused)
{
	static const char *const cases[][2] = {
		{ "egress", "egress" }, { ".x", "%.x" }, { "@1:2", "%@1:2" }, { "@1:2:3", "%@1:2:3" },
		{ "%y", "%%y" },        { "a@b", "a@b" }, { ".host", "%.host" },
	};
	struct netns_id a = { 1, 2, 3 }, b = { 1, 2, 4 }, old = { 1, 2, 0 }, other = { 1, 5, 3 };
	char key[300];

	for (size_t i = 0; i < ARRAY_SIZE(cases); ++i) {
		assert_int_equal(state_key(cases[i][0], -1, key, sizeof(key)), 0);
		assert_string_equal(key, cases[i][1]);
	}
	/* A later namespace with the inode of a gone one is another. */
	assert_true(netns_id_same(&a, &a));
	assert_false(netns_id_same(&a, &b));
	assert_false(netns_id_same(&a, &other));
	/* A record without a cookie (a kernel without them) goes by the inode. */
	assert_true(netns_id_same(&a, &old));
}

static void test_room_round_trip(void **unused)
{
	struct nswg_room room, back;
	struct strbuf text = { 0 };

	room_init(&room, "egress");
	assert_int_equal(room.ipv6_all, -1);
	assert_int_equal(room.ipv6_default, -1);
	room.netns_created = room.lo_brought_up = room.lo_bare = room.etc_dir_created = true;
	room.ipv6_all = 0;
	room.ipv6_default = 1;
	room.netns_id.ino = 99;
	strcpy(room.dns_by, "wg1");
	assert_int_equal(room_format(&room, &text), 0);
	room_parse(text.s, &back);
	assert_memory_equal(&room, &back, sizeof(room));
	/* What a record does not say is untouched: IPv6 included. */
	room_parse("netns=x\n", &back);
	assert_int_equal(back.ipv6_all, -1);
	assert_false(back.netns_created);
	strbuf_free(&text);
}

static void test_dns_files(void **unused)
{
	struct nswg_config *cfg = parse("[Interface]\nPrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\n"
					"DNS = 10.0.0.53, example.com, fd00::53\n");
	static const char host[] = "passwd: files\nhosts:  files resolve [!UNAVAIL=return] dns\n  hosts: mdns\ngroup: files";
	struct strbuf out = { 0 };

	assert_int_equal(dns_render_resolv(cfg, "wg0", &out), 0);
	assert_string_equal(out.s, "# Written by nswg for wg0; nswg down puts back what was here.\n"
				   "nameserver 10.0.0.53\nnameserver fd00::53\nsearch example.com\n");
	strbuf_reset(&out);
	assert_int_equal(dns_render_nsswitch(host, strlen(host), "wg0", &out), 0);
	/* The host's file, every hosts: line replaced by one of files and DNS only. */
	assert_string_equal(out.s, "# Written by nswg for wg0; nswg down puts back what was here.\n"
				   "passwd: files\ngroup: files\nhosts: files dns\n");
	strbuf_reset(&out);
	assert_int_equal(dns_render_nsswitch("", 0, "wg0", &out), 0);
	assert_string_equal(out.s, "# Written by nswg for wg0; nswg down puts back what was here.\nhosts: files dns\n");
	strbuf_free(&out);
	config_free(cfg);
}

static void test_routes_of_allowed_ips(void **unused)
{
	char text[1024];
	struct nswg_config *cfg;
	struct nswg_prefix *p = NULL;
	size_t n = 0;
	char ip[INET6_ADDRSTRLEN];

	snprintf(text, sizeof(text),
		 "[Interface]\nPrivateKey = %s\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.1.2.3/16, 0.0.0.0/0, ::/0\n"
		 "[Peer]\nPublicKey = %s\nAllowedIPs = 10.1.0.0/16, 10.1.5.0/24, fd00::1/128\n",
		 priv, pub1, pub2);
	cfg = parse(text);
	assert_int_equal(config_device_allowedips(cfg, &p, &n), 0);
	/* Masked, each once (the device keeps the last peer's), longest first as wg-quick's sort -nr -k 2 -t /. */
	assert_int_equal(n, 5);
	for (size_t i = 1; i < n; ++i)
		assert_true(p[i - 1].cidr >= p[i].cidr);
	assert_int_equal(p[0].family, AF_INET6);
	assert_int_equal(p[0].cidr, 128);
	assert_string_equal(inet_ntop(AF_INET, p[1].raw, ip, sizeof(ip)), "10.1.5.0");
	assert_int_equal(p[1].cidr, 24);
	assert_string_equal(inet_ntop(AF_INET, p[2].raw, ip, sizeof(ip)), "10.1.0.0");
	assert_int_equal(p[2].cidr, 16);
	assert_int_equal(p[3].family, AF_INET);
	assert_int_equal(p[3].cidr, 0);
	assert_int_equal(p[4].family, AF_INET6);
	free(p);
	config_free(cfg);
}

static void test_prefixes(void **unused)
{
	struct nswg_prefix net = { .family = AF_INET, .cidr = 20 }, p = { .family = AF_INET, .cidr = 24 };

	inet_pton(AF_INET, "10.9.16.0", net.raw);
	inet_pton(AF_INET, "10.9.31.0", p.raw);
	assert_true(prefix_contains(&net, &p));
	inet_pton(AF_INET, "10.9.32.0", p.raw);
	assert_false(prefix_contains(&net, &p));
	p.cidr = 16;
	assert_false(prefix_contains(&net, &p)); /* shorter: not held */
	inet_pton(AF_INET, "10.9.255.255", p.raw);
	p.cidr = 17;
	assert_false(prefix_is_masked(&p));
	prefix_mask(&p);
	assert_true(prefix_is_masked(&p));
	assert_int_equal(p.raw[2], 0x80);
	assert_int_equal(prefix_bits(AF_INET6), 128);
	assert_int_equal(prefix_addr_len(AF_INET), 4);
	assert_string_equal(prefix_family_flag(AF_INET6), "-6");
}

static void test_address_given_twice(void **unused)
{
	static const char *const bad[] = { "10.0.0.1/24, 10.0.0.1/24", "fd00::1/64, fd00::1/128", "10.0.0.1/24\nAddress = 10.0.0.1/24" };
	static const char *const good[] = { "10.0.0.1/24, 10.0.0.1/16", "10.0.0.1/24, 10.0.0.2/24" };
	struct nswg_config_error err;
	struct nswg_config *cfg;
	char text[512];

	for (size_t i = 0; i < ARRAY_SIZE(bad); ++i) {
		snprintf(text, sizeof(text), "[Interface]\nPrivateKey = %s\nAddress = %s\n", priv, bad[i]);
		cfg = NULL;
		assert_int_equal(config_parse_buf(text, strlen(text), &cfg, &err), -EINVAL);
		assert_non_null(strstr(err.message, "Address is given twice"));
		assert_int_equal(err.line, i == 2 ? 4 : 3);
	}
	for (size_t i = 0; i < ARRAY_SIZE(good); ++i) {
		snprintf(text, sizeof(text), "[Interface]\nPrivateKey = %s\nAddress = %s\n", priv, good[i]);
		cfg = parse(text);
		assert_int_equal(cfg->n_addresses, 2);
		config_free(cfg);
	}
}

static void test_host_guard(void **unused)
{
	struct rtnl_link links[] = { { .ifindex = 1, .name = "lo" }, { .ifindex = 2, .name = "eth0" } };
	struct rtnl_link more[] = { { .ifindex = 1, .name = "lo" }, { .ifindex = 2, .name = "eth0" },
				    { .ifindex = 7, .name = "docker0", .kind = "bridge" } };
	struct rtnl_link ours[] = { { .ifindex = 1, .name = "lo" }, { .ifindex = 8, .name = "wg0", .kind = "tun" } };
	struct rtnl_link other_wg[] = { { .ifindex = 1, .name = "lo" }, { .ifindex = 9, .name = "x", .kind = "wireguard" } };
	char *r1[] = { "default via 10.0.0.1 dev eth0" }, *r2[] = { "default via 10.0.0.254 dev eth0" };
	struct rtnl_snapshot before = { .links = links, .n_links = 2, .routes = r1, .n_routes = 1 }, after = before;
	char what[256];

	assert_true(rtnl_snapshot_same(&before, &after, "wg0", what, sizeof(what)));
	/* The host may make its own links meanwhile; not one named like ours, nor a WireGuard one. */
	after.links = more;
	after.n_links = 3;
	assert_true(rtnl_snapshot_same(&before, &after, "wg0", what, sizeof(what)));
	after.links = ours;
	after.n_links = 2;
	assert_false(rtnl_snapshot_same(&before, &after, "wg0", what, sizeof(what)));
	assert_string_equal(what, "a link appeared: wg0 (tun)");
	after.links = other_wg;
	assert_false(rtnl_snapshot_same(&before, &after, "wg0", what, sizeof(what)));
	after.links = links;
	after.routes = r2;
	assert_false(rtnl_snapshot_same(&before, &after, "wg0", what, sizeof(what)));
	assert_string_equal(what, "the default routes changed: default via 10.0.0.254 dev eth0");
	after.n_routes = 0;
	assert_false(rtnl_snapshot_same(&before, &after, "wg0", what, sizeof(what)));
	assert_string_equal(what, "a default route is gone: default via 10.0.0.1 dev eth0");
	assert_int_not_equal(rtnl_snapshot_digest(&before), rtnl_snapshot_digest(&(struct rtnl_snapshot){ .routes = r2, .n_routes = 1 }));
}

static void test_endpoint_retries(void **unused)
{
	int retries;
	unsigned int us = RESOLVE_PAUSE_FIRST_US, total = 0;

	assert_int_equal(resolve_retries(NULL, &retries), 0);
	assert_int_equal(retries, 15);
	assert_int_equal(resolve_retries("infinity", &retries), 0);
	assert_int_equal(retries, -1);
	assert_int_equal(resolve_retries("0", &retries), 0);
	assert_int_equal(retries, 0);
	assert_int_equal(resolve_retries("-1", &retries), -EINVAL);
	assert_int_equal(resolve_retries("5s", &retries), -EINVAL);
	assert_int_equal(resolve_retries("", &retries), -EINVAL);
	/* 1 s, then a fifth more each time, never over 20 s. */
	assert_int_equal(resolve_next_pause(us), 1200000);
	for (int i = 0; i < 15; ++i, us = resolve_next_pause(us))
		total += us / 1000;
	assert_int_equal(total, 72030);
	for (int i = 0; i < 100; ++i)
		us = resolve_next_pause(us);
	assert_int_equal(us, RESOLVE_PAUSE_MAX_US);
	assert_true(resolve_failure_permanent(EAI_NONAME));
	assert_true(resolve_failure_permanent(EAI_FAIL));
	assert_false(resolve_failure_permanent(EAI_AGAIN));
}

/*
 * explicit_bzero, wrapped (Makefile), and the checked variant that
 * _FORTIFY_SOURCE turns it into: the regions wiped, to check that keys are.
 */
void __real_explicit_bzero(void *p, size_t n);
void __wrap_explicit_bzero(void *p, size_t n);
void __real___explicit_bzero_chk(void *p, size_t n, size_t size);
void __wrap___explicit_bzero_chk(void *p, size_t n, size_t size);
static struct {
	const char *p;
	size_t n;
} wiped[64];
static size_t n_wiped;

void __wrap_explicit_bzero(void *p, size_t n)
{
	if (n_wiped < ARRAY_SIZE(wiped))
		wiped[n_wiped++] = (typeof(wiped[0])){ p, n };
	__real_explicit_bzero(p, n);
}

void __wrap___explicit_bzero_chk(void *p, size_t n, size_t size)
{
	if (n_wiped < ARRAY_SIZE(wiped))
		wiped[n_wiped++] = (typeof(wiped[0])){ p, n };
	__real___explicit_bzero_chk(p, n, size);
}

static bool was_wiped(const void *p, size_t n)
{
	for (size_t i = 0; i < n_wiped; ++i) {
		if ((const char *)p >= wiped[i].p && (const char *)p + n <= wiped[i].p + wiped[i].n)
			return true;
	}
	return false;
}

/* Every private and preshared key a configuration held is wiped before its memory is given back. */
static void test_keys_wiped(void **unused)
{
	char text[512];
	struct nswg_config *cfg, *running, upd;
	const void *priv_at, *psk_at;

	snprintf(text, sizeof(text), "[Interface]\nPrivateKey = %s\n[Peer]\nPublicKey = %s\nPresharedKey = %s\n", priv,
		 pub1, pub2);
	cfg = parse(text);
	priv_at = cfg->private_key;
	psk_at = cfg->peers[0].preshared_key;
	n_wiped = 0;
	config_free(cfg);
	assert_true(was_wiped(priv_at, NSWG_KEY_LEN));
	assert_true(was_wiped(psk_at, NSWG_KEY_LEN));
	/* reload's update holds copies of both. */
	cfg = parse(text);
	running = parse("[Interface]\n");
	assert_int_equal(device_diff(cfg, running, &upd), 0);
	priv_at = upd.private_key;
	psk_at = upd.peers[0].preshared_key;
	n_wiped = 0;
	device_diff_free(&upd);
	assert_true(was_wiped(priv_at, NSWG_KEY_LEN));
	assert_true(was_wiped(psk_at, NSWG_KEY_LEN));
	config_free(running);
	config_free(cfg);
}

static void test_reload_diff(void **unused)
{
	char text[1024];
	struct nswg_config *want, *running, upd;

	snprintf(text, sizeof(text), "[Interface]\nPrivateKey = %s\nListenPort = 51820\n[Peer]\nPublicKey = %s\n"
		 "AllowedIPs = 10.0.0.2/32\n", priv, pub1);
	running = parse(text);
	/* The same file: no device field, the peer's allowed IPs replaced as they are. */
	want = parse(text);
	assert_int_equal(device_diff(want, running, &upd), 0);
	assert_int_equal(upd.flags, 0);
	assert_int_equal(upd.n_peers, 1);
	assert_true(upd.peers[0].flags & NSWG_PEER_REPLACE_ALLOWEDIPS);
	assert_false(upd.peers[0].flags & NSWG_PEER_REMOVE);
	device_diff_free(&upd);
	config_free(want);
	/* Another port, another peer: the port set, the new peer added, the old one removed. */
	snprintf(text, sizeof(text), "[Interface]\nPrivateKey = %s\nListenPort = 51821\n[Peer]\nPublicKey = %s\n"
		 "AllowedIPs = 10.0.0.3/32\n", priv, pub2);
	want = parse(text);
	assert_int_equal(device_diff(want, running, &upd), 0);
	assert_int_equal(upd.flags, NSWG_DEV_HAS_LISTEN_PORT);
	assert_int_equal(upd.listen_port, 51821);
	assert_int_equal(upd.n_peers, 2);
	assert_memory_equal(upd.peers[0].public_key, want->peers[0].public_key, NSWG_KEY_LEN);
	assert_memory_equal(upd.peers[1].public_key, running->peers[0].public_key, NSWG_KEY_LEN);
	assert_int_equal(upd.peers[1].flags, NSWG_PEER_HAS_PUBLIC_KEY | NSWG_PEER_REMOVE);
	device_diff_free(&upd);
	assert_null(upd.peers);
	config_free(want);
	/* No ListenPort in the file: the running port stays. */
	snprintf(text, sizeof(text), "[Interface]\nPrivateKey = %s\n", priv);
	want = parse(text);
	assert_int_equal(device_diff(want, running, &upd), 0);
	assert_int_equal(upd.flags, 0);
	assert_int_equal(upd.n_peers, 1);
	assert_true(upd.peers[0].flags & NSWG_PEER_REMOVE);
	device_diff_free(&upd);
	config_free(want);
	config_free(running);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_round_trip),
		cmocka_unit_test(test_state_keys),
		cmocka_unit_test(test_room_round_trip),
		cmocka_unit_test(test_dns_files),
		cmocka_unit_test(test_routes_of_allowed_ips),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_address_given_twice),
		cmocka_unit_test(test_host_guard),
		cmocka_unit_test(test_endpoint_retries),
		cmocka_unit_test(test_reload_diff),
		cmocka_unit_test(test_keys_wiped),
	};

	return cmocka_run_group_tests_name("lifecycle", tests, NULL, NULL);
}

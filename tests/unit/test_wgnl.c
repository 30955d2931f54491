// SPDX-License-Identifier: MIT
/* WG_CMD_SET_DEVICE messages: fields, and the split of large configurations. */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/wireguard.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util.h"
#include "wgnl.h"

/* The transport is not used here, but the binary links with it wrapped. */
ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len);
ssize_t __wrap_recvmsg(int fd, struct msghdr *msg, int flags);
ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len)
{
	return -1;
}
ssize_t __wrap_recvmsg(int fd, struct msghdr *msg, int flags)
{
	return -1;
}

#define K1 "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="
#define K2 "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="

static struct nswg_config *parse(const char *text)
{
	struct nswg_config_error err;
	struct nswg_config *cfg;

	assert_int_equal(config_parse_buf(text, strlen(text), &cfg, &err), 0);
	return cfg;
}

/* What one message says, decoded. */
struct seen {
	bool ifname, private_key, listen_port, fwmark, replace_peers;
	size_t peers, allowedips;
	uint32_t first_peer_flags;
	bool first_peer_has_endpoint, first_peer_has_psk, first_peer_has_keepalive;
	uint8_t first_peer_key[32];
};

static int aip_cb(const struct nlattr *attr, void *data)
{
	++((struct seen *)data)->allowedips;
	return MNL_CB_OK;
}

struct peer_ctx {
	struct seen *s;
	bool first;
};

static int peer_attr_cb(const struct nlattr *attr, void *data)
{
	struct peer_ctx *p = data;

	switch (mnl_attr_get_type(attr)) {
	case WGPEER_A_PUBLIC_KEY:
		if (p->first)
			memcpy(p->s->first_peer_key, mnl_attr_get_payload(attr), 32);
		break;
	case WGPEER_A_FLAGS:
		if (p->first)
			p->s->first_peer_flags = mnl_attr_get_u32(attr);
		break;
	case WGPEER_A_ENDPOINT:
		p->s->first_peer_has_endpoint |= p->first;
		break;
	case WGPEER_A_PRESHARED_KEY:
		p->s->first_peer_has_psk |= p->first;
		break;
	case WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL:
		p->s->first_peer_has_keepalive |= p->first;
		break;
	case WGPEER_A_ALLOWEDIPS:
		mnl_attr_parse_nested(attr, aip_cb, p->s);
		break;
	}
	return MNL_CB_OK;
}

static int peers_cb(const struct nlattr *attr, void *data)
{
	struct seen *s = data;
	struct peer_ctx p = { s, s->peers == 0 };

	++s->peers;
	mnl_attr_parse_nested(attr, peer_attr_cb, &p);
	return MNL_CB_OK;
}

static int device_cb(const struct nlattr *attr, void *data)
{
	struct seen *s = data;

	switch (mnl_attr_get_type(attr)) {
	case WGDEVICE_A_IFNAME:
		s->ifname = !strcmp(mnl_attr_get_str(attr), "wg0");
		break;
	case WGDEVICE_A_PRIVATE_KEY:
		s->private_key = true;
		break;
	case WGDEVICE_A_LISTEN_PORT:
		s->listen_port = true;
		break;
	case WGDEVICE_A_FWMARK:
		s->fwmark = true;
		break;
	case WGDEVICE_A_FLAGS:
		s->replace_peers = mnl_attr_get_u32(attr) == WGDEVICE_F_REPLACE_PEERS;
		break;
	case WGDEVICE_A_PEERS:
		mnl_attr_parse_nested(attr, peers_cb, s);
		break;
	}
	return MNL_CB_OK;
}

static struct seen decode(const struct nlmsghdr *nlh, size_t size)
{
	struct seen s = { 0 };
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

	assert_true(nlh->nlmsg_len <= size);
	assert_int_equal(nlh->nlmsg_type, 0x1234);
	assert_int_equal(g->cmd, WG_CMD_SET_DEVICE);
	assert_int_equal(g->version, WG_GENL_VERSION);
	assert_true(mnl_attr_parse(nlh, sizeof(*g), device_cb, &s) >= 0);
	assert_true(s.ifname);
	return s;
}

static void test_small(void **state)
{
	struct nswg_config *cfg = parse("[Interface]\nPrivateKey = " K1 "\n[Peer]\nPublicKey = " K2
					"\nAllowedIPs = 10.0.0.0/8, ::/0\nEndpoint = [::1]:1\nPersistentKeepalive = 5\n");
	struct wgnl_cursor cur = { 0 };
	void *buf = calloc(1, 4096);
	struct seen s;

	s = decode(wgnl_msg_set_device(buf, 4096, 0x1234, "wg0", cfg, true, &cur), 4096);
	assert_true(cur.done);
	assert_true(s.private_key && s.listen_port && s.fwmark && s.replace_peers);
	assert_int_equal(s.peers, 1);
	assert_int_equal(s.allowedips, 2);
	assert_int_equal(s.first_peer_flags, WGPEER_F_REPLACE_ALLOWEDIPS);
	assert_true(s.first_peer_has_endpoint && s.first_peer_has_keepalive);
	assert_false(s.first_peer_has_psk);
	assert_memory_equal(s.first_peer_key, cfg->peers[0].public_key, 32);

	/* Without replace, only what the file names: like `wg addconf'. */
	memset(&cur, 0, sizeof(cur));
	s = decode(wgnl_msg_set_device(buf, 4096, 0x1234, "wg0", cfg, false, &cur), 4096);
	assert_true(s.private_key);
	assert_false(s.listen_port || s.fwmark || s.replace_peers);
	free(buf);
	config_free(cfg);
}

static void test_split_allowedips(void **state)
{
	struct strbuf text = { 0 };
	struct wgnl_cursor cur = { 0 };
	struct nswg_config *cfg;
	size_t total = 0, messages = 0;
	void *buf = calloc(1, 4096);
	struct seen s;

	strbuf_addf(&text, "[Interface]\nPrivateKey = %s\n[Peer]\nPublicKey = %s\nPresharedKey = %s\nEndpoint = 192.0.2.1:1\n",
		    K1, K2, K1);
	for (unsigned int i = 0; i < 3000; ++i)
		strbuf_addf(&text, "AllowedIPs = 10.%u.%u.0/24\n", i / 256, i % 256);
	cfg = parse(text.s);
	while (!cur.done) {
		s = decode(wgnl_msg_set_device(buf, 4096, 0x1234, "wg0", cfg, true, &cur), 4096);
		assert_int_equal(s.peers, 1);
		assert_true(s.allowedips > 0);
		if (messages == 0) {
			assert_true(s.private_key && s.replace_peers);
			assert_int_equal(s.first_peer_flags, WGPEER_F_REPLACE_ALLOWEDIPS);
			assert_true(s.first_peer_has_psk && s.first_peer_has_endpoint);
		} else {
			/* Continuations: only the key and more allowed IPs, never the device's fields. */
			assert_false(s.private_key || s.listen_port || s.fwmark || s.replace_peers);
			assert_int_equal(s.first_peer_flags, 0);
			assert_false(s.first_peer_has_psk || s.first_peer_has_endpoint);
		}
		assert_memory_equal(s.first_peer_key, cfg->peers[0].public_key, 32);
		total += s.allowedips;
		++messages;
	}
	assert_int_equal(total, 3000);
	assert_true(messages > 10);
	free(buf);
	strbuf_free(&text);
	config_free(cfg);
}

static void test_split_peers(void **state)
{
	struct strbuf text = { 0 };
	struct wgnl_cursor cur = { 0 };
	struct nswg_config *cfg;
	size_t peers = 0, aips = 0, continued = 0;
	void *buf = calloc(1, 4096);
	struct seen s;

	strbuf_addf(&text, "[Interface]\n");
	/* A key of its own for each peer: the order checked below is the file's, not a parity. */
	for (unsigned int i = 0; i < 500; ++i) {
		uint8_t key[NSWG_KEY_LEN] = { (uint8_t)i, (uint8_t)(i >> 8), 0x5a };
		char b64[NSWG_KEY_LEN_BASE64];

		key_to_base64(b64, key);
		strbuf_addf(&text, "[Peer]\nPublicKey = %s\nAllowedIPs = 10.%u.%u.0/24, fd00::%x/128\n", b64, i / 256,
			    i % 256, i);
	}
	cfg = parse(text.s);
	while (!cur.done) {
		s = decode(wgnl_msg_set_device(buf, 4096, 0x1234, "wg0", cfg, true, &cur), 4096);
		/*
		 * In the file's order; a message may open with the rest of the
		 * previous message's last peer, which carries no flags then.
		 */
		if (s.first_peer_flags) {
			assert_memory_equal(s.first_peer_key, cfg->peers[peers - continued].public_key, 32);
		} else {
			assert_true(peers > 0);
			assert_memory_equal(s.first_peer_key, cfg->peers[peers - continued - 1].public_key, 32);
			++continued;
		}
		peers += s.peers;
		aips += s.allowedips;
	}
	assert_int_equal(peers - continued, 500);
	assert_int_equal(aips, 1000);
	free(buf);
	strbuf_free(&text);
	config_free(cfg);
}

static void test_family(void **state)
{
	void *buf = nl_msg_buf();
	struct nlmsghdr *nlh = wgnl_msg_get_family(buf);
	struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	uint16_t family;

	assert_int_equal(nlh->nlmsg_type, GENL_ID_CTRL);
	assert_int_equal(g->cmd, CTRL_CMD_GETFAMILY);
	/* A reply carrying the id. */
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "wireguard");
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, 27);
	assert_int_equal(wgnl_parse_family(nlh, &family), 0);
	assert_int_equal(family, 27);
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	assert_int_equal(wgnl_parse_family(nlh, &family), -EBADMSG);
	free(buf);
}

static struct nlmsghdr *device_reply(void *buf, const uint8_t *key, unsigned int first, unsigned int count)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlattr *peers, *peer, *aips, *aip;

	mnl_nlmsg_put_extra_header(nlh, sizeof(struct genlmsghdr));
	mnl_attr_put_u16(nlh, WGDEVICE_A_LISTEN_PORT, 51820);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	peer = mnl_attr_nest_start(nlh, 0);
	mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, 32, key);
	mnl_attr_put_u16(nlh, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, 25);
	aips = mnl_attr_nest_start(nlh, WGPEER_A_ALLOWEDIPS);
	for (unsigned int i = first; i < first + count; ++i) {
		uint8_t ip[4] = { 10, (uint8_t)(i >> 8), (uint8_t)i, 0 };

		aip = mnl_attr_nest_start(nlh, 0);
		mnl_attr_put_u16(nlh, WGALLOWEDIP_A_FAMILY, AF_INET);
		mnl_attr_put(nlh, WGALLOWEDIP_A_IPADDR, 4, ip);
		mnl_attr_put_u8(nlh, WGALLOWEDIP_A_CIDR_MASK, 24);
		mnl_attr_nest_end(nlh, aip);
	}
	mnl_attr_nest_end(nlh, aips);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, peers);
	return nlh;
}

static void test_parse_device(void **state)
{
	struct nswg_config *cfg = calloc(1, sizeof(*cfg));
	uint8_t key[32] = { 1, 2, 3 }, other[32] = { 9 };
	void *buf = calloc(1, 8192);

	/* One peer over two messages is one peer; a new key is a new peer. */
	assert_int_equal(wgnl_parse_device(device_reply(buf, key, 0, 100), cfg), 0);
	assert_int_equal(wgnl_parse_device(device_reply(buf, key, 100, 50), cfg), 0);
	assert_int_equal(wgnl_parse_device(device_reply(buf, other, 200, 1), cfg), 0);
	assert_int_equal(cfg->n_peers, 2);
	assert_int_equal(cfg->peers[0].n_allowedips, 150);
	assert_int_equal(cfg->peers[0].keepalive, 25);
	assert_true(cfg->peers[0].flags & NSWG_PEER_HAS_KEEPALIVE);
	assert_false(cfg->peers[0].flags & (NSWG_PEER_HAS_PRESHARED_KEY | NSWG_PEER_HAS_ENDPOINT));
	assert_int_equal(cfg->peers[0].allowedips[149].prefix.raw[2], 149);
	assert_int_equal(cfg->listen_port, 51820);
	assert_false(cfg->flags & NSWG_DEV_HAS_PRIVATE_KEY);
	free(buf);
	config_free(cfg);
}

static void test_render_saved(void **state)
{
	struct nswg_config *file = parse("[Interface]\nPrivateKey = " K1 "\nAddress = 10.0.0.1/24\nDNS = 10.0.0.53, corp\n"
					 "MTU = 1300\nTable = main\nPostDown = b\nPreUp = a # c\nSaveConfig = true\n"
					 "[Peer]\nPublicKey = " K2 "\nAllowedIPs = 10.0.0.0/24\n");
	struct nswg_prefix addrs[2] = { { .family = AF_INET, .cidr = 24, .raw = { 10, 0, 0, 1 } },
					{ .family = AF_INET6, .cidr = 64, .raw = { 0xfd } } };
	char *out;
	size_t len;

	assert_int_equal(config_render_saved(file, addrs, 2, 1280, file, &out, &len), 0);
	assert_string_equal(out, "[Interface]\nAddress = 10.0.0.1/24\nAddress = fd00::/64\nDNS = 10.0.0.53\nDNS = corp\n"
				 "MTU = 1280\nTable = main\nSaveConfig = true\nPreUp = a # c\nPostDown = b\n"
				 "PrivateKey = " K1 "\n\n[Peer]\nPublicKey = " K2 "\nAllowedIPs = 10.0.0.0/24\n");
	free(out);
	config_free(file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small),
		cmocka_unit_test(test_split_allowedips),
		cmocka_unit_test(test_split_peers),
		cmocka_unit_test(test_family),
		cmocka_unit_test(test_parse_device),
		cmocka_unit_test(test_render_saved),
	};

	return cmocka_run_group_tests_name("wgnl", tests, NULL, NULL);
}

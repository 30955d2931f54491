// SPDX-License-Identifier: MIT
/*
 * The netlink transport and the rtnetlink builders and parsers, with the
 * socket's send and receive wrapped (-Wl,--wrap): what nswg sends is
 * recorded, what the kernel answers is scripted.
 */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nl.h"
#include "rtnl.h"

static uint8_t sent[65536];
static size_t sent_len;
static uint32_t sent_seq;

/* Replies, one datagram per recvfrom(); seq 1 means "the sent request's". */
static uint8_t replies[8][4096];
static size_t reply_len[8];
static size_t n_replies, next_reply;

ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len);
ssize_t __wrap_recvmsg(int fd, struct msghdr *msg, int flags);

ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len)
{
	memcpy(sent, buf, len);
	sent_len = len;
	sent_seq = ((const struct nlmsghdr *)buf)->nlmsg_seq;
	return (ssize_t)len;
}

/* Who the scripted datagrams come from: the kernel (0) unless a test forges them. */
static uint32_t sender_pid[8];

ssize_t __wrap_recvmsg(int fd, struct msghdr *msg, int flags)
{
	struct sockaddr_nl *from = msg->msg_name;
	void *buf = msg->msg_iov[0].iov_base;
	struct nlmsghdr *nlh;
	size_t off = 0;

	assert_true(next_reply < n_replies);
	assert_true(msg->msg_namelen >= sizeof(*from));
	memset(from, 0, sizeof(*from));
	from->nl_family = AF_NETLINK;
	from->nl_pid = sender_pid[next_reply];
	msg->msg_namelen = sizeof(*from);
	msg->msg_flags = 0;
	memcpy(buf, replies[next_reply], reply_len[next_reply]);
	for (off = 0; off < reply_len[next_reply]; off += MNL_ALIGN(nlh->nlmsg_len)) {
		nlh = (struct nlmsghdr *)((char *)buf + off);
		if (nlh->nlmsg_seq == 1)
			nlh->nlmsg_seq = sent_seq;
		else if (nlh->nlmsg_seq >= 1000 && nlh->nlmsg_seq < 2000) /* the k-th of a batch */
			nlh->nlmsg_seq = sent_seq + nlh->nlmsg_seq - 1000;
	}
	return (ssize_t)reply_len[next_reply++];
}

static void reset(void)
{
	memset(sender_pid, 0, sizeof(sender_pid));
	n_replies = next_reply = 0;
	sent_len = 0;
}

/* Appends a message to the reply datagram i. */
static struct nlmsghdr *reply(size_t i, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(replies[i] + reply_len[i]);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = 1;
	if (i >= n_replies)
		n_replies = i + 1;
	return nlh;
}

static void reply_done(size_t i, struct nlmsghdr *nlh)
{
	reply_len[i] += MNL_ALIGN(nlh->nlmsg_len);
}

static void reply_error(size_t i, int error, const char *msg)
{
	struct nlmsghdr *nlh = reply(i, NLMSG_ERROR, msg ? NLM_F_CAPPED | NLM_F_ACK_TLVS : 0);
	struct nlmsgerr *err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));

	err->error = error;
	err->msg = *(struct nlmsghdr *)sent;
	if (msg)
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
	reply_done(i, nlh);
}

static int setup(void **state)
{
	static struct nl nl;

	if (nl_open(&nl, NETLINK_ROUTE))
		return -1;
	*state = &nl;
	return 0;
}

static int teardown(void **state)
{
	nl_close(*state);
	return 0;
}

static void test_create_asks_for_an_ack(void **state)
{
	struct nl *nl = *state;
	void *buf = nl_msg_buf();
	const struct nlmsghdr *s = (const void *)sent;

	reset();
	/* Sent before the reply is scripted: the error echoes the request. */
	memset(replies, 0, sizeof(replies));
	memset(reply_len, 0, sizeof(reply_len));
	n_replies = 1;
	reply_len[0] = 0;
	{
		struct nlmsghdr *nlh = reply(0, NLMSG_ERROR, 0);
		struct nlmsgerr *err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));

		err->error = 0;
		reply_done(0, nlh);
	}
	assert_int_equal(nl_request(nl, rtnl_msg_link_create(buf, "wg0", "wireguard", 7), NULL, NULL), 0);
	/* NLM_F_EXCL shares its bit with NLM_F_MATCH: this is no dump, and wants its ACK. */
	assert_int_equal(s->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	assert_int_equal(s->nlmsg_seq, nl->seq);
	free(buf);
}

static void test_error_with_extack(void **state)
{
	struct nl *nl = *state;
	void *buf = nl_msg_buf();
	struct nlmsghdr *req = rtnl_msg_link_create(buf, "wg0", "wireguard", -1);

	reset();
	memset(reply_len, 0, sizeof(reply_len));
	memcpy(sent, req, req->nlmsg_len);
	reply_error(0, -EEXIST, "Interface name in use");
	assert_int_equal(nl_request(nl, req, NULL, NULL), -EEXIST);
	assert_string_equal(nl->ext_ack, "Interface name in use");
	free(buf);
}

static int count_cb(const struct nlmsghdr *nlh, void *data);
static struct nlmsghdr *link_reply(size_t i, int ifindex, const char *name, const char *kind, uint16_t flags);

/* Replies nswg must not believe (issue 13): a datagram from another socket, another request's answer. */
static void test_forged_replies_are_ignored(void **state)
{
	struct nl *nl = *state;
	void *buf = nl_msg_buf();
	struct nlmsghdr *req = rtnl_msg_link_create(buf, "wg0", "wireguard", -1), *nlh;

	reset();
	memset(reply_len, 0, sizeof(reply_len));
	memcpy(sent, req, req->nlmsg_len);
	/* 0: an error from a process's socket, with our sequence number. */
	reply_error(0, -EPERM, NULL);
	sender_pid[0] = 4242;
	/* 1: from the kernel, but for another sequence number, then another port id. */
	nlh = reply(1, NLMSG_ERROR, 0);
	((struct nlmsgerr *)mnl_nlmsg_put_extra_header(nlh, sizeof(struct nlmsgerr)))->error = -EPERM;
	nlh->nlmsg_seq = 77;
	reply_done(1, nlh);
	nlh = reply(1, NLMSG_ERROR, 0);
	((struct nlmsgerr *)mnl_nlmsg_put_extra_header(nlh, sizeof(struct nlmsgerr)))->error = -EPERM;
	nlh->nlmsg_pid = nl->portid + 1;
	reply_done(1, nlh);
	/* 2: the kernel's answer. */
	reply_error(2, 0, NULL);
	assert_int_equal(nl_request(nl, req, NULL, NULL), 0);
	assert_int_equal(next_reply, 3);
	free(buf);
}

/* A length of 2 GiB passes libmnl's signed check; an echoed request shorter than a header made an offset wrap. */
static void test_hostile_lengths(void **state)
{
	struct nl *nl = *state;
	void *buf = nl_msg_buf();
	struct nlmsghdr *req = rtnl_msg_link_create(buf, "wg0", "wireguard", -1), *nlh;
	struct nlmsgerr *err;
	int count = 0;

	reset();
	memset(reply_len, 0, sizeof(reply_len));
	memcpy(sent, req, req->nlmsg_len);
	link_reply(0, 1, "lo", NULL, 0)->nlmsg_len = 0x80000000U;
	assert_int_equal(nl_request(nl, req, count_cb, &count), -EBADMSG);
	assert_int_equal(count, 0);

	reset();
	memset(reply_len, 0, sizeof(reply_len));
	nlh = reply(0, NLMSG_ERROR, NLM_F_ACK_TLVS);
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));
	err->error = -EEXIST;
	err->msg.nlmsg_len = 4;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "not read");
	reply_done(0, nlh);
	assert_int_equal(nl_request(nl, req, NULL, NULL), -EEXIST);
	assert_string_equal(nl->ext_ack, "");
	free(buf);
}

/* Sequence numbers nobody can guess from the pid. */
static void test_sequence_numbers_are_random(void **state)
{
	struct nl a, b;

	assert_int_equal(nl_open(&a, NETLINK_ROUTE), 0);
	assert_int_equal(nl_open(&b, NETLINK_ROUTE), 0);
	assert_int_not_equal(a.seq, b.seq);
	assert_int_not_equal(a.seq, (uint32_t)getpid() << 8);
	nl_close(&a);
	nl_close(&b);
}

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rtnl_link link;

	assert_int_equal(rtnl_parse_link(nlh, &link), 0);
	++*(int *)data;
	return MNL_CB_OK;
}

static struct nlmsghdr *link_reply(size_t i, int ifindex, const char *name, const char *kind, uint16_t flags)
{
	struct nlmsghdr *nlh = reply(i, RTM_NEWLINK, NLM_F_MULTI | flags);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	struct nlattr *nest;

	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1420);
	if (kind) {
		nest = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
		mnl_attr_nest_end(nlh, nest);
	}
	reply_done(i, nlh);
	return nlh;
}

static void test_dump_over_several_datagrams(void **state)
{
	struct nl *nl = *state;
	void *buf = nl_msg_buf();
	int count = 0;

	reset();
	memset(reply_len, 0, sizeof(reply_len));
	link_reply(0, 1, "lo", NULL, 0);
	link_reply(0, 2, "eth0", "veth", 0);
	link_reply(1, 3, "wg0", "wireguard", 0);
	reply_done(1, reply(1, NLMSG_DONE, NLM_F_MULTI));
	assert_int_equal(nl_request(nl, rtnl_msg_dump(buf, RTM_GETLINK, AF_UNSPEC), count_cb, &count), 0);
	assert_int_equal(count, 3);
	assert_int_equal(((struct nlmsghdr *)sent)->nlmsg_flags & (NLM_F_DUMP | NLM_F_ACK), NLM_F_DUMP);

	/*
	 * A dump the kernel interrupted is reported, for the caller to start
	 * over, after the rest of it is read: the next request must not take
	 * it for its own answer (16 ups at once showed it, as EPROTO).
	 */
	reset();
	memset(reply_len, 0, sizeof(reply_len));
	link_reply(0, 1, "lo", NULL, NLM_F_DUMP_INTR);
	link_reply(0, 2, "eth0", "veth", NLM_F_DUMP_INTR);
	link_reply(1, 3, "wg0", "wireguard", NLM_F_DUMP_INTR);
	reply_done(1, reply(1, NLMSG_DONE, NLM_F_MULTI | NLM_F_DUMP_INTR));
	assert_int_equal(nl_request(nl, rtnl_msg_dump(buf, RTM_GETLINK, AF_UNSPEC), count_cb, &count), -EINTR);
	assert_int_equal(next_reply, 2);

	/* A failed dump says why in its DONE. */
	reset();
	memset(reply_len, 0, sizeof(reply_len));
	{
		struct nlmsghdr *nlh = reply(0, NLMSG_DONE, NLM_F_MULTI);
		int *err = mnl_nlmsg_put_extra_header(nlh, sizeof(int));

		*err = -EPERM;
		reply_done(0, nlh);
	}
	assert_int_equal(nl_request(nl, rtnl_msg_dump(buf, RTM_GETLINK, AF_UNSPEC), NULL, NULL), -EPERM);
	free(buf);
}

static void test_parse_link(void **state)
{
	struct rtnl_link link;
	struct nlmsghdr *nlh;

	memset(reply_len, 0, sizeof(reply_len));
	nlh = link_reply(0, 5, "wg0", "wireguard", 0);
	assert_int_equal(rtnl_parse_link(nlh, &link), 0);
	assert_int_equal(link.ifindex, 5);
	assert_string_equal(link.name, "wg0");
	assert_string_equal(link.kind, "wireguard");
	assert_int_equal(link.mtu, 1420);
	assert_true(link.flags & IFF_UP);
	/* Too short for its header, or of another type: refused. */
	nlh->nlmsg_len = sizeof(struct nlmsghdr) + 2;
	assert_int_equal(rtnl_parse_link(nlh, &link), -EBADMSG);
	nlh->nlmsg_len = sizeof(struct nlmsghdr) + sizeof(struct ifinfomsg);
	nlh->nlmsg_type = RTM_NEWADDR;
	assert_int_equal(rtnl_parse_link(nlh, &link), -EBADMSG);
}

static void test_link_create_bytes(void **state)
{
	static const uint8_t want[] = {
		68, 0, 0, 0, 16, 0, 0x01, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, /* RTM_NEWLINK, REQUEST|EXCL|CREATE */
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,          /* ifinfomsg */
		8, 0, 3, 0, 'w', 'g', '0', 0,                            /* IFLA_IFNAME */
		8, 0, 28, 0, 7, 0, 0, 0,                                 /* IFLA_NET_NS_FD 7 */
		20, 0, 18, 0x80,                                         /* IFLA_LINKINFO, nested */
		14, 0, 1, 0, 'w', 'i', 'r', 'e', 'g', 'u', 'a', 'r', 'd', 0, 0, 0,
	};
	void *buf = nl_msg_buf();
	struct nlmsghdr *nlh = rtnl_msg_link_create(buf, "wg0", "wireguard", 7);

	assert_int_equal(nlh->nlmsg_len, sizeof(want));
	assert_memory_equal(nlh, want, sizeof(want));
	/* Without a namespace: no IFLA_NET_NS_FD. */
	nlh = rtnl_msg_link_create(buf, "wg0", "wireguard", -1);
	assert_int_equal(nlh->nlmsg_len, sizeof(want) - 8);
	free(buf);
}

struct route_seen {
	const struct nlattr *tb[RTA_MAX + 1];
};

static int route_attr_cb(const struct nlattr *attr, void *data)
{
	struct route_seen *r = data;

	if (mnl_attr_type_valid(attr, RTA_MAX) > 0)
		r->tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static void test_route_and_address(void **state)
{
	struct nswg_prefix p = { .family = AF_INET, .cidr = 8, .raw = { 10 } };
	struct route_seen r = { 0 };
	void *buf = nl_msg_buf();
	struct nlmsghdr *nlh = rtnl_msg_route_add(buf, 4, &p, 254);
	struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct ifaddrmsg *ifa;

	assert_int_equal(nlh->nlmsg_type, RTM_NEWROUTE);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL);
	assert_int_equal(rtm->rtm_dst_len, 8);
	assert_int_equal(rtm->rtm_table, 254);
	assert_int_equal(rtm->rtm_scope, RT_SCOPE_LINK);
	assert_int_equal(rtm->rtm_type, RTN_UNICAST);
	mnl_attr_parse(nlh, sizeof(*rtm), route_attr_cb, &r);
	assert_int_equal(mnl_attr_get_u32(r.tb[RTA_OIF]), 4);
	assert_int_equal(mnl_attr_get_u32(r.tb[RTA_TABLE]), 254);
	assert_memory_equal(mnl_attr_get_payload(r.tb[RTA_DST]), "\x0a\0\0\0", 4);

	/* A default route has no destination; a table past 255 rides in RTA_TABLE only. */
	memset(&r, 0, sizeof(r));
	p.cidr = 0;
	nlh = rtnl_msg_route_add(buf, 4, &p, 1234);
	rtm = mnl_nlmsg_get_payload(nlh);
	mnl_attr_parse(nlh, sizeof(*rtm), route_attr_cb, &r);
	assert_null(r.tb[RTA_DST]);
	assert_int_equal(rtm->rtm_table, RT_TABLE_UNSPEC);
	assert_int_equal(mnl_attr_get_u32(r.tb[RTA_TABLE]), 1234);

	p.family = AF_INET6;
	p.cidr = 64;
	nlh = rtnl_msg_addr_add(buf, 9, &p);
	ifa = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ifa->ifa_family, AF_INET6);
	assert_int_equal(ifa->ifa_prefixlen, 64);
	assert_int_equal(ifa->ifa_index, 9);
	assert_int_equal(nlh->nlmsg_len, NLMSG_SPACE(sizeof(*ifa)) + 2 * (4 + 16));
	free(buf);
}

static void reply_batch_ack(size_t i, uint32_t k, int error, const char *msg)
{
	struct nlmsghdr *nlh = reply(i, NLMSG_ERROR, msg ? NLM_F_CAPPED | NLM_F_ACK_TLVS : 0);
	struct nlmsgerr *err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));

	nlh->nlmsg_seq = 1000 + k;
	err->error = error;
	if (msg)
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
	reply_done(i, nlh);
}

/* Three routes in one write; the kernel refuses the second and goes on. */
static void test_batch(void **state)
{
	struct nl *nl = *state;
	struct nswg_prefix p = { .family = AF_INET, .cidr = 24, .raw = { 10, 0, 0, 0 } };
	char *buf = calloc(1, 4096);
	const struct nlmsghdr *m;
	size_t len = 0, failed = 99;
	int rest;

	for (int i = 0; i < 3; ++i) {
		p.raw[2] = (uint8_t)i;
		len += MNL_ALIGN(rtnl_msg_route_add(buf + len, 7, &p, 254)->nlmsg_len);
	}
	reset();
	memset(reply_len, 0, sizeof(reply_len));
	reply_batch_ack(0, 0, 0, NULL);
	reply_batch_ack(0, 1, -EEXIST, "route exists");
	reply_batch_ack(1, 2, 0, NULL);
	assert_int_equal(nl_request_batch(nl, buf, len, 3, &failed), -EEXIST);
	assert_int_equal(failed, 1);
	assert_string_equal(nl->ext_ack, "route exists");
	/* One write held all three, numbered in order, each asking for an ack. */
	assert_int_equal(sent_len, len);
	assert_int_equal(next_reply, 2);
	rest = (int)sent_len;
	m = (const struct nlmsghdr *)sent;
	for (uint32_t k = 0; k < 3; ++k, m = mnl_nlmsg_next(m, &rest)) {
		assert_true(mnl_nlmsg_ok(m, rest));
		assert_int_equal(m->nlmsg_type, RTM_NEWROUTE);
		assert_int_equal(m->nlmsg_seq, sent_seq + k);
		assert_true(m->nlmsg_flags & NLM_F_ACK);
	}
	/* All acknowledged: 0. */
	reset();
	memset(reply_len, 0, sizeof(reply_len));
	for (uint32_t k = 0; k < 3; ++k)
		reply_batch_ack(0, k, 0, NULL);
	assert_int_equal(nl_request_batch(nl, buf, len, 3, &failed), 0);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_asks_for_an_ack),
		cmocka_unit_test(test_error_with_extack),
		cmocka_unit_test(test_dump_over_several_datagrams),
		cmocka_unit_test(test_parse_link),
		cmocka_unit_test(test_link_create_bytes),
		cmocka_unit_test(test_route_and_address),
		cmocka_unit_test(test_batch),
		cmocka_unit_test(test_forged_replies_are_ignored),
		cmocka_unit_test(test_hostile_lengths),
		cmocka_unit_test(test_sequence_numbers_are_random),
	};

	return cmocka_run_group_tests_name("nl", tests, setup, teardown);
}

// SPDX-License-Identifier: MIT
#include <errno.h>
#include <limits.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "netns.h"
#include "nl.h"
#include "stats.h"

size_t nl_msg_bufsize(void)
{
	return MNL_SOCKET_BUFFER_SIZE;
}

void *nl_msg_buf(void)
{
	return calloc(1, nl_msg_bufsize());
}

void *nl_request_buf(struct nl *nl)
{
	return memset(nl->req, 0, nl_msg_bufsize());
}

static const struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

/* What may have come between bind and connect, from anyone: dropped unread. */
static void drain_before_connect(struct nl *nl)
{
	while (recv(mnl_socket_get_fd(nl->sock), nl->buf, nl->bufsize, MSG_DONTWAIT | MSG_TRUNC) >= 0)
		;
}

/*
 * One datagram into nl->buf, from the kernel: one from another socket (a
 * connected socket gets none; this holds even so) is dropped unread.
 * Returns its length or -errno.
 */
static ssize_t nl_recv(struct nl *nl)
{
	for (;;) {
		struct sockaddr_nl from;
		struct iovec iov = { .iov_base = nl->buf, .iov_len = nl->bufsize };
		struct msghdr msg = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = recvmsg(mnl_socket_get_fd(nl->sock), &msg, 0);

		if (n < 0)
			return -errno;
		if (msg.msg_flags & MSG_TRUNC)
			return -ENOSPC;
		if (msg.msg_namelen == sizeof(from) && from.nl_family == AF_NETLINK && !from.nl_pid)
			return n;
	}
}

int nl_open(struct nl *nl, int bus)
{
	int one = 1, ret;

	memset(nl, 0, sizeof(*nl));
	/* Dump replies come in skbs of up to 32 KiB; more is harmless. */
	nl->bufsize = 64U << 10;
	nl->buf = malloc(nl->bufsize);
	nl->req = nl_msg_buf();
	if (!nl->buf || !nl->req) {
		nl_close(nl);
		return -ENOMEM;
	}
	nl->sock = mnl_socket_open2(bus, SOCK_CLOEXEC);
	if (!nl->sock)
		goto err;
	/* Ask for the kernel's reasons; older kernels ignore it. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		goto err;
	nl->portid = mnl_socket_get_portid(nl->sock);
	/*
	 * Connected to the kernel, the socket takes datagrams from no one else:
	 * in a namespace of another user namespace, its root could otherwise
	 * send replies to this port id, which /proc/net/netlink shows.
	 */
	if (connect(mnl_socket_get_fd(nl->sock), (const struct sockaddr *)&kernel, sizeof(kernel)))
		goto err;
	drain_before_connect(nl);
	/* Nothing to guess either: the first sequence number is random. */
	if (getrandom(&nl->seq, sizeof(nl->seq), 0) != (ssize_t)sizeof(nl->seq))
		goto err;
	return 0;
err:
	ret = -errno;
	nl_close(nl);
	return ret;
}

struct open_job {
	struct nl *nl;
	int bus;
};

static int open_here(void *arg)
{
	struct open_job *job = arg;

	return nl_open(job->nl, job->bus);
}

int nl_open_in(struct nl *nl, int bus, int netns_fd)
{
	struct open_job job = { nl, bus };

	/* A socket keeps the namespace it was born in. */
	return netns_run_in(netns_fd, open_here, &job);
}

void nl_close(struct nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	/* Device dumps and requests carry the private and preshared keys. */
	if (nl->buf)
		explicit_bzero(nl->buf, nl->bufsize);
	if (nl->req)
		explicit_bzero(nl->req, nl_msg_bufsize());
	free(nl->buf);
	free(nl->req);
	nl->sock = NULL;
	nl->buf = NULL;
	nl->req = NULL;
	nl->genl_family = 0;
}

static int ext_ack_attr_cb(const struct nlattr *attr, void *data)
{
	struct nl *nl = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG && !mnl_attr_validate(attr, MNL_TYPE_NUL_STRING)) {
		strncpy(nl->ext_ack, mnl_attr_get_str(attr), sizeof(nl->ext_ack) - 1);
		nl->ext_ack[sizeof(nl->ext_ack) - 1] = '\0';
	}
	return MNL_CB_OK;
}

/*
 * The errno of an error a reply reports: the kernel's are -1 to -4095; any
 * other value (INT_MIN, whose negation overflows, the fuzzer found) is a
 * reply the kernel did not write.
 */
static int reply_errno(int error)
{
	if (error < -4095 || error > 4095)
		return EPROTO;
	return error < 0 ? -error : error;
}

struct nl_call {
	struct nl *nl;
	mnl_cb_t cb;
	void *data;
};

static int nl_error_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_call *call = data;
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	unsigned int offset;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!err->error)
		return MNL_CB_STOP;
	/*
	 * The extended ack follows the error and, unless capped, our request:
	 * its length as the reply says, checked before any arithmetic on it.
	 */
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		size_t room = nlh->nlmsg_len - mnl_nlmsg_size(sizeof(*err));

		offset = sizeof(*err);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
			if (err->msg.nlmsg_len < sizeof(struct nlmsghdr) || err->msg.nlmsg_len > room)
				offset = 0;
			else
				offset += MNL_ALIGN(err->msg.nlmsg_len - sizeof(struct nlmsghdr));
		}
		if (offset && mnl_nlmsg_size(offset) <= nlh->nlmsg_len)
			mnl_attr_parse(nlh, offset, ext_ack_attr_cb, call->nl);
	}
	errno = reply_errno(err->error);
	return MNL_CB_ERROR;
}

/* The end of a dump; a failed dump says why in it. */
static int nl_done_cb(const struct nlmsghdr *nlh, void *data)
{
	int err;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(err)) {
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
		if (err < 0) {
			errno = reply_errno(err);
			return MNL_CB_ERROR;
		}
	}
	return MNL_CB_STOP;
}

static int nl_data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_call *call = data;

	return call->cb ? call->cb(nlh, call->data) : MNL_CB_OK;
}

/*
 * Reads and drops the rest of a dump the kernel marked interrupted, up to
 * its NLMSG_DONE (or error), so that the next request on this socket does
 * not read it as its own answer. The first len bytes of nl->buf were read.
 */
static int drain_dump(struct nl *nl, uint32_t seq, size_t len)
{
	for (;;) {
		const struct nlmsghdr *m = (const struct nlmsghdr *)nl->buf;
		int rest = len > INT_MAX ? INT_MAX : (int)len;
		ssize_t got;

		for (; nl_msg_ok(m, rest); m = mnl_nlmsg_next(m, &rest)) {
			if (m->nlmsg_seq == seq && (m->nlmsg_type == NLMSG_DONE || m->nlmsg_type == NLMSG_ERROR))
				return 0;
		}
		got = nl_recv(nl);
		if (got < 0)
			return (int)got;
		len = (size_t)got;
	}
}

int nl_walk(struct nl *nl, const void *buf, size_t len, uint32_t seq, mnl_cb_t cb, void *data)
{
	struct nl_call call = { .nl = nl, .cb = cb, .data = data };
	const struct nlmsghdr *m = buf;
	int rest = len > INT_MAX ? INT_MAX : (int)len, ret = MNL_CB_OK;

	for (; ret >= MNL_CB_OK && nl_msg_ok(m, rest); m = mnl_nlmsg_next(m, &rest)) {
		/* Another request's (a dump cut short before): not an answer to this one. */
		if (m->nlmsg_seq != seq || (m->nlmsg_pid && m->nlmsg_pid != nl->portid))
			continue;
		if (m->nlmsg_flags & NLM_F_DUMP_INTR) {
			errno = EINTR;
			return MNL_CB_ERROR;
		}
		switch (m->nlmsg_type) {
		case NLMSG_NOOP:
			break;
		case NLMSG_ERROR:
			ret = nl_error_cb(m, &call);
			break;
		case NLMSG_DONE:
			ret = nl_done_cb(m, &call);
			break;
		case NLMSG_OVERRUN:
			errno = ENOSPC;
			ret = MNL_CB_ERROR;
			break;
		default:
			if (m->nlmsg_type >= NLMSG_MIN_TYPE)
				ret = nl_data_cb(m, &call);
		}
	}
	/* Bytes left that are no whole message: the datagram is not one the kernel sent. */
	if (ret == MNL_CB_OK && rest > 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	return ret;
}

int nl_request(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	/* Both bits: NLM_F_EXCL alone shares its bit with NLM_F_MATCH. */
	bool dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	ssize_t len;
	int ret;

	nl->ext_ack[0] = '\0';
	if ((ret = fault_injected()))
		return ret;
	++nswg_stats.netlink_requests;
	++nswg_stats.netlink_round_trips;
	nlh->nlmsg_seq = ++nl->seq;
	nlh->nlmsg_flags |= NLM_F_REQUEST | (dump ? 0 : NLM_F_ACK);
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		len = nl_recv(nl);
		if (len < 0)
			return (int)len;
		ret = nl_walk(nl, nl->buf, (size_t)len, nlh->nlmsg_seq, cb, data);
	} while (ret == MNL_CB_OK);
	if (ret != MNL_CB_ERROR)
		return 0;
	ret = -errno;
	/* libmnl stops at the first message marked interrupted; the rest of the dump still comes. */
	if (ret == -EINTR && dump) {
		int drained = drain_dump(nl, nlh->nlmsg_seq, (size_t)len);

		if (drained)
			return drained;
	}
	return ret;
}

/* ---- batches ---- */

struct batch_acks {
	struct nl *nl;
	uint32_t first_seq;
	size_t n, acked, failed;
	int err;
};

static void batch_ack(struct batch_acks *b, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct nl_call call = { .nl = b->nl };
	size_t index;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)) || nlh->nlmsg_seq - b->first_seq >= b->n)
		return; /* not an answer to this batch */
	index = nlh->nlmsg_seq - b->first_seq;
	++b->acked;
	if (e->error && !b->err) {
		nl_error_cb(nlh, &call); /* the extended ack, into nl->ext_ack */
		b->err = -reply_errno(e->error);
		b->failed = index;
	}
}

int nl_request_batch(struct nl *nl, void *buf, size_t len, size_t n, size_t *failed)
{
	struct batch_acks b = { .nl = nl, .first_seq = nl->seq + 1 };
	struct nlmsghdr *nlh = buf;
	size_t sent = 0;
	int rest = (int)len;
	ssize_t got;

	nl->ext_ack[0] = '\0';
	*failed = 0;
	/* Number the messages; a fault injected at one of them cuts the batch there. */
	for (; sent < n && nl_msg_ok(nlh, rest); ++sent, nlh = mnl_nlmsg_next(nlh, &rest)) {
		if ((b.err = fault_injected())) {
			b.failed = sent;
			break;
		}
		nlh->nlmsg_seq = ++nl->seq;
		nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	}
	b.n = sent;
	if (sent) {
		nswg_stats.netlink_requests += sent;
		++nswg_stats.netlink_round_trips;
		if (mnl_socket_sendto(nl->sock, buf, (size_t)((char *)nlh - (char *)buf)) < 0)
			return -errno;
	}
	/* The kernel answers every message, in order, even after one failed. */
	while (b.acked < b.n) {
		got = nl_recv(nl);
		if (got < 0)
			return (int)got;
		rest = got > INT_MAX ? INT_MAX : (int)got;
		for (nlh = (struct nlmsghdr *)nl->buf; nl_msg_ok(nlh, rest); nlh = mnl_nlmsg_next(nlh, &rest)) {
			if (nlh->nlmsg_type == NLMSG_ERROR && (!nlh->nlmsg_pid || nlh->nlmsg_pid == nl->portid))
				batch_ack(&b, nlh);
		}
	}
	*failed = b.failed;
	return b.err;
}

int nl_attr_table_cb(const struct nlattr *attr, void *data)
{
	struct nl_attr_table *t = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, (uint16_t)t->max) > 0)
		t->tb[type] = attr;
	return MNL_CB_OK;
}

/* SPDX-License-Identifier: MIT */
#ifndef NSWG_NL_H
#define NSWG_NL_H

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A netlink socket and what one request needs: the transport. Message
 * builders live in rtnl.c and wgnl.c and never send anything.
 */
struct nl {
	struct mnl_socket *sock;
	unsigned int portid;
	uint32_t seq;
	char *buf; /* for replies */
	size_t bufsize;
	char *req; /* for the request being built: nl_msg_bufsize() bytes */
	char ext_ack[256]; /* the kernel's words about the last error, if any */
	uint16_t genl_family; /* generic netlink: the family's id once asked for, else 0 */
};

/*
 * mnl_nlmsg_ok() compares the length as a signed int: a length of 2 GiB or
 * more passes it. This one holds for any input (the fuzzers found it).
 */
static inline bool nl_msg_ok(const struct nlmsghdr *nlh, int len)
{
	return len >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) && nlh->nlmsg_len <= (unsigned int)len;
}

/* A message buffer: libmnl's size is not a constant, so it is allocated. */
void *nl_msg_buf(void);
size_t nl_msg_bufsize(void);

int nl_open(struct nl *nl, int bus);
/* The socket's own request buffer, zeroed, for one message builder. */
void *nl_request_buf(struct nl *nl);
void nl_close(struct nl *nl);

/*
 * Sends one request (its sequence number is set here) and reads until its
 * acknowledgement or the end of a dump, calling cb for every reply. Returns
 * 0 or -errno; the kernel's extended ack text, if any, lands in nl->ext_ack.
 */
int nl_request(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

/*
 * Sends the n requests built one after another in buf (len bytes) in one
 * write, and reads all their acknowledgements: one round trip for many
 * routes. The kernel handles them in order and goes on after a failure;
 * returns 0, or the first error with *failed the index of its message.
 */
int nl_request_batch(struct nl *nl, void *buf, size_t len, size_t n, size_t *failed);

/*
 * Walks one datagram of replies (len bytes of buf) as nl_request() does:
 * each message must lie inside it (nl_msg_ok), answer seq and nl's port id,
 * and is handed to cb, errors and the end of a dump to nswg's own handlers.
 * Returns MNL_CB_OK for more to read, MNL_CB_STOP at the end, MNL_CB_ERROR
 * with errno set. Pure: the receive fuzzer drives it.
 */
int nl_walk(struct nl *nl, const void *buf, size_t len, uint32_t seq, mnl_cb_t cb, void *data);

/* For mnl_attr_parse(): each valid attribute up to max into tb[], by type. */
struct nl_attr_table {
	const struct nlattr **tb;
	int max;
};
int nl_attr_table_cb(const struct nlattr *attr, void *data);

/* Opens a socket inside the namespace of netns_fd and comes back. */
int nl_open_in(struct nl *nl, int bus, int netns_fd);

#endif

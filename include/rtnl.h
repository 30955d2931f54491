/* SPDX-License-Identifier: MIT */
#ifndef NSWG_RTNL_H
#define NSWG_RTNL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config.h"
#include "nl.h"

/* Builders: a buffer of nl_msg_bufsize() bytes in, one message out. */
struct nlmsghdr *rtnl_msg_link_create(void *buf, const char *ifname, const char *kind, int netns_fd);
struct nlmsghdr *rtnl_msg_link_move(void *buf, int ifindex, int netns_fd);
struct nlmsghdr *rtnl_msg_link_set(void *buf, int ifindex, unsigned int mtu, bool up);
struct nlmsghdr *rtnl_msg_link_delete(void *buf, int ifindex);
struct nlmsghdr *rtnl_msg_link_get(void *buf, const char *ifname, int ifindex);
struct nlmsghdr *rtnl_msg_addr_add(void *buf, int ifindex, const struct nswg_prefix *p);
struct nlmsghdr *rtnl_msg_route_add(void *buf, int ifindex, const struct nswg_prefix *p, uint32_t table);
struct nlmsghdr *rtnl_msg_addr_del(void *buf, int ifindex, const struct nswg_prefix *p);
struct nlmsghdr *rtnl_msg_route_del(void *buf, int ifindex, const struct nswg_prefix *p, uint32_t table);
struct nlmsghdr *rtnl_msg_route_get(void *buf, const struct sockaddr *dst);
struct nlmsghdr *rtnl_msg_dump(void *buf, uint16_t type, uint8_t family);

/* A link as a dump or a get reports it. */
struct rtnl_link {
	int ifindex;
	char name[16];
	char kind[16];
	unsigned int mtu;
	unsigned int flags; /* IFF_* */
};

/* Reply parsers, for the transport's callbacks and for tests. */
int rtnl_parse_link(const struct nlmsghdr *nlh, struct rtnl_link *link);
/* An address of any link: -EAFNOSUPPORT for families other than IPv4 and IPv6. */
int rtnl_parse_addr(const struct nlmsghdr *nlh, int *ifindex, struct nswg_prefix *p);
/* A route as the host guard compares it: its canonical text, to free. */
int rtnl_route_describe(const struct nlmsghdr *nlh, char **text);

/* Operations: one request each over nl, -errno on failure. */
int rtnl_link_get(struct nl *nl, const char *ifname, int ifindex, struct rtnl_link *link);
int rtnl_link_create(struct nl *nl, const char *ifname, const char *kind, int netns_fd);
int rtnl_link_move(struct nl *nl, int ifindex, int netns_fd);
int rtnl_link_set(struct nl *nl, int ifindex, unsigned int mtu, bool up);
int rtnl_link_delete(struct nl *nl, int ifindex);
int rtnl_addr_add(struct nl *nl, int ifindex, const struct nswg_prefix *p);
int rtnl_route_add(struct nl *nl, int ifindex, const struct nswg_prefix *p, uint32_t table);
int rtnl_addr_del(struct nl *nl, int ifindex, const struct nswg_prefix *p);
int rtnl_route_del(struct nl *nl, int ifindex, const struct nswg_prefix *p, uint32_t table);

/* A route as nswg makes them: through one link, proto boot, unicast. */
struct rtnl_route {
	struct nswg_prefix dst;
	uint32_t table;
};

/* The routes through ifindex that nswg (or `ip route add') could have made, in every table. */
int rtnl_route_list(struct nl *nl, int ifindex, struct rtnl_route **out, size_t *n);

/* The addresses of a link, in the kernel's order (IPv4 first). */
int rtnl_addr_list(struct nl *nl, int ifindex, struct nswg_prefix **out, size_t *n);

/*
 * The MTU of the route to dst (its "mtu" metric, else its device's), as
 * `ip route get' shows it; dst NULL means the default route. 0 if none.
 */
int rtnl_route_mtu(struct nl *nl, const struct sockaddr *dst, unsigned int *mtu);

/* What must not change on the host: its links and its default routes. */
struct rtnl_snapshot {
	struct rtnl_link *links;
	size_t n_links, cap_links;
	char **routes; /* canonical text of each default route, sorted */
	size_t n_routes, cap_routes;
};

int rtnl_snapshot_take(struct nl *nl, struct rtnl_snapshot *s);
void rtnl_snapshot_free(struct rtnl_snapshot *s);

/* A digest of the default routes, recorded at up for `nswg show' to compare. */
unsigned long long rtnl_snapshot_digest(const struct rtnl_snapshot *s);

/*
 * Compares two snapshots; on a difference, describes it in what and
 * returns false. A link that appears in after is a difference when it is
 * named ifname or is a WireGuard link: those nswg could have left there.
 */
bool rtnl_snapshot_same(const struct rtnl_snapshot *before, const struct rtnl_snapshot *after, const char *ifname,
			char *what, size_t size);

#endif

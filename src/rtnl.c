// SPDX-License-Identifier: MIT
/* rtnetlink operations: links, addresses, routes, and the host guard's snapshot. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prefix.h"
#include "rtnl.h"
#include "util.h"

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	return rtnl_parse_link(nlh, data) ? MNL_CB_ERROR : MNL_CB_OK;
}

/* ---- operations ---- */

static int simple(struct nl *nl, struct nlmsghdr *nlh)
{
	return nl_request(nl, nlh, NULL, NULL);
}

int rtnl_link_get(struct nl *nl, const char *ifname, int ifindex, struct rtnl_link *link)
{
	int ret = nl_request(nl, rtnl_msg_link_get(nl_request_buf(nl), ifname, ifindex), link_cb, link);

	return ret == -ENODEV || ret == -ENOENT ? -ENODEV : ret;
}

int rtnl_link_create(struct nl *nl, const char *ifname, const char *kind, int netns_fd)
{
	return simple(nl, rtnl_msg_link_create(nl_request_buf(nl), ifname, kind, netns_fd));
}

int rtnl_link_move(struct nl *nl, int ifindex, int netns_fd)
{
	return simple(nl, rtnl_msg_link_move(nl_request_buf(nl), ifindex, netns_fd));
}

int rtnl_link_set(struct nl *nl, int ifindex, unsigned int mtu, bool up)
{
	return simple(nl, rtnl_msg_link_set(nl_request_buf(nl), ifindex, mtu, up));
}

int rtnl_link_delete(struct nl *nl, int ifindex)
{
	return simple(nl, rtnl_msg_link_delete(nl_request_buf(nl), ifindex));
}

int rtnl_addr_add(struct nl *nl, int ifindex, const struct nswg_prefix *p)
{
	return simple(nl, rtnl_msg_addr_add(nl_request_buf(nl), ifindex, p));
}

int rtnl_addr_del(struct nl *nl, int ifindex, const struct nswg_prefix *p)
{
	return simple(nl, rtnl_msg_addr_del(nl_request_buf(nl), ifindex, p));
}

int rtnl_route_del(struct nl *nl, int ifindex, const struct nswg_prefix *p, uint32_t table)
{
	return simple(nl, rtnl_msg_route_del(nl_request_buf(nl), ifindex, p, table));
}

int rtnl_route_add(struct nl *nl, int ifindex, const struct nswg_prefix *p, uint32_t table)
{
	return simple(nl, rtnl_msg_route_add(nl_request_buf(nl), ifindex, p, table));
}

struct addr_list {
	int ifindex;
	struct nswg_prefix *v;
	size_t n, cap;
};

int rtnl_parse_addr(const struct nlmsghdr *nlh, int *ifindex, struct nswg_prefix *p)
{
	const struct nlattr *tb[IFA_MAX + 1] = { 0 };
	struct nl_attr_table t = { tb, IFA_MAX };
	const struct ifaddrmsg *ifa;
	const struct nlattr *a;

	memset(p, 0, sizeof(*p));
	if (nlh->nlmsg_type != RTM_NEWADDR || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifa)))
		return -EBADMSG;
	ifa = mnl_nlmsg_get_payload(nlh);
	*ifindex = (int)ifa->ifa_index;
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return -EAFNOSUPPORT;
	if (mnl_attr_parse(nlh, sizeof(*ifa), nl_attr_table_cb, &t) < 0)
		return -EBADMSG;
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a || mnl_attr_get_payload_len(a) != prefix_addr_len(ifa->ifa_family))
		return -EBADMSG;
	p->family = ifa->ifa_family;
	p->cidr = ifa->ifa_prefixlen;
	memcpy(p->raw, mnl_attr_get_payload(a), prefix_addr_len(p->family));
	return 0;
}

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_list *l = data;
	struct nswg_prefix p;
	int ifindex, ret = rtnl_parse_addr(nlh, &ifindex, &p);

	if (ret == -EBADMSG && (nlh->nlmsg_type != RTM_NEWADDR || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct ifaddrmsg))))
		return MNL_CB_ERROR;
	if (ret || ifindex != l->ifindex)
		return MNL_CB_OK;
	if (array_grow(&l->v, &l->cap, l->n, sizeof(p)))
		return MNL_CB_ERROR;
	l->v[l->n++] = p;
	return MNL_CB_OK;
}

int rtnl_addr_list(struct nl *nl, int ifindex, struct nswg_prefix **out, size_t *n)
{
	struct addr_list l = { .ifindex = ifindex };
	int ret;

	do {
		free(l.v);
		l.v = NULL;
		l.n = l.cap = 0;
		ret = nl_request(nl, rtnl_msg_dump(nl_request_buf(nl), RTM_GETADDR, AF_UNSPEC), addr_cb, &l);
	} while (ret == -EINTR);
	if (ret) {
		free(l.v);
		return ret;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

/* ---- routes: MTU and the host's default routes ---- */

struct route_info {
	uint8_t family, dst_len, table, protocol, scope, type;
	uint32_t oif, table_id, priority, mtu;
	bool has_gateway;
	uint8_t dst[16], gateway[16], prefsrc[16];
	bool has_prefsrc;
	const struct nlattr *multipath;
};

static int metrics_cb(const struct nlattr *attr, void *data)
{
	struct route_info *r = data;

	if (mnl_attr_get_type(attr) == RTAX_MTU && !mnl_attr_validate(attr, MNL_TYPE_U32))
		r->mtu = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

static void copy_addr(uint8_t out[16], const struct nlattr *a)
{
	uint16_t len = mnl_attr_get_payload_len(a);

	memcpy(out, mnl_attr_get_payload(a), len > 16 ? 16 : len);
}

static int parse_route(const struct nlmsghdr *nlh, struct route_info *r)
{
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	struct nl_attr_table t = { tb, RTA_MAX };
	const struct rtmsg *rtm;

	memset(r, 0, sizeof(*r));
	if (nlh->nlmsg_type != RTM_NEWROUTE || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*rtm)))
		return -EBADMSG;
	rtm = mnl_nlmsg_get_payload(nlh);
	if (mnl_attr_parse(nlh, sizeof(*rtm), nl_attr_table_cb, &t) < 0)
		return -EBADMSG;
	r->family = rtm->rtm_family;
	r->dst_len = rtm->rtm_dst_len;
	r->table_id = r->table = rtm->rtm_table;
	r->protocol = rtm->rtm_protocol;
	r->scope = rtm->rtm_scope;
	r->type = rtm->rtm_type;
	if (tb[RTA_TABLE] && !mnl_attr_validate(tb[RTA_TABLE], MNL_TYPE_U32))
		r->table_id = mnl_attr_get_u32(tb[RTA_TABLE]);
	if (tb[RTA_OIF] && !mnl_attr_validate(tb[RTA_OIF], MNL_TYPE_U32))
		r->oif = mnl_attr_get_u32(tb[RTA_OIF]);
	if (tb[RTA_PRIORITY] && !mnl_attr_validate(tb[RTA_PRIORITY], MNL_TYPE_U32))
		r->priority = mnl_attr_get_u32(tb[RTA_PRIORITY]);
	if (tb[RTA_DST])
		copy_addr(r->dst, tb[RTA_DST]);
	if (tb[RTA_GATEWAY]) {
		r->has_gateway = true;
		copy_addr(r->gateway, tb[RTA_GATEWAY]);
	}
	if (tb[RTA_PREFSRC]) {
		r->has_prefsrc = true;
		copy_addr(r->prefsrc, tb[RTA_PREFSRC]);
	}
	if (tb[RTA_METRICS] && !mnl_attr_validate(tb[RTA_METRICS], MNL_TYPE_NESTED))
		mnl_attr_parse_nested(tb[RTA_METRICS], metrics_cb, r);
	if (tb[RTA_MULTIPATH])
		r->multipath = tb[RTA_MULTIPATH];
	return 0;
}

static int route_get_cb(const struct nlmsghdr *nlh, void *data)
{
	return parse_route(nlh, data) ? MNL_CB_ERROR : MNL_CB_OK;
}

struct default_routes {
	struct route_info first;
	bool found;
	struct rtnl_snapshot *snap;
	int ret;
};

static int route_canonical(const struct route_info *r, char **out)
{
	char gw[INET6_ADDRSTRLEN] = "-", src[INET6_ADDRSTRLEN] = "-";
	struct strbuf sb = { 0 };
	int ret;

	if (r->has_gateway)
		inet_ntop(r->family, r->gateway, gw, sizeof(gw));
	if (r->has_prefsrc)
		inet_ntop(r->family, r->prefsrc, src, sizeof(src));
	ret = strbuf_addf(&sb, "family %u table %u proto %u scope %u type %u oif %u via %s src %s metric %u mtu %u",
			  r->family, r->table_id, r->protocol, r->scope, r->type, r->oif, gw, src, r->priority, r->mtu);
	if (!ret && r->multipath) {
		const uint8_t *p = mnl_attr_get_payload(r->multipath);

		ret = strbuf_addf(&sb, " nexthops");
		for (uint16_t i = 0; !ret && i < mnl_attr_get_payload_len(r->multipath); ++i)
			ret = strbuf_addf(&sb, "%02x", p[i]);
	}
	*out = sb.s;
	return ret;
}

static int default_route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct default_routes *d = data;
	struct route_info r;
	char *text;

	if (parse_route(nlh, &r))
		return MNL_CB_ERROR;
	if (r.dst_len || r.table_id == RT_TABLE_LOCAL || r.type != RTN_UNICAST)
		return MNL_CB_OK;
	if (!d->found && r.table_id == RT_TABLE_MAIN) {
		d->first = r;
		d->found = true;
	}
	if (!d->snap)
		return MNL_CB_OK;
	text = NULL;
	if (route_canonical(&r, &text) ||
	    array_grow(&d->snap->routes, &d->snap->cap_routes, d->snap->n_routes, sizeof(char *))) {
		free(text);
		d->ret = -ENOMEM;
		return MNL_CB_ERROR;
	}
	d->snap->routes[d->snap->n_routes++] = text;
	return MNL_CB_OK;
}

static int dump_default_routes(struct nl *nl, uint8_t family, struct default_routes *d)
{
	size_t had = d->snap ? d->snap->n_routes : 0;
	int ret;

	for (;;) {
		ret = nl_request(nl, rtnl_msg_dump(nl_request_buf(nl), RTM_GETROUTE, family), default_route_cb, d);
		if (ret != -EINTR || d->ret)
			break;
		/* A dump interrupted by a change starts over. */
		while (d->snap && d->snap->n_routes > had)
			free(d->snap->routes[--d->snap->n_routes]);
		d->found = false;
	}
	return d->ret ? d->ret : ret;
}

struct route_list {
	int ifindex;
	struct rtnl_route *v;
	size_t n, cap;
	int ret;
};

static int route_list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_list *l = data;
	struct route_info r;

	if (parse_route(nlh, &r))
		return MNL_CB_ERROR;
	if (r.oif != (uint32_t)l->ifindex || r.protocol != RTPROT_BOOT || r.type != RTN_UNICAST ||
	    (r.family != AF_INET && r.family != AF_INET6))
		return MNL_CB_OK;
	if (array_grow(&l->v, &l->cap, l->n, sizeof(*l->v))) {
		l->ret = -ENOMEM;
		return MNL_CB_ERROR;
	}
	memset(&l->v[l->n], 0, sizeof(*l->v));
	l->v[l->n].dst.family = r.family;
	l->v[l->n].dst.cidr = r.dst_len;
	memcpy(l->v[l->n].dst.raw, r.dst, prefix_addr_len(r.family));
	l->v[l->n].table = r.table_id;
	++l->n;
	return MNL_CB_OK;
}

int rtnl_route_list(struct nl *nl, int ifindex, struct rtnl_route **out, size_t *n)
{
	static const uint8_t families[] = { AF_INET, AF_INET6 };
	struct route_list l = { .ifindex = ifindex };
	int ret = 0;

	for (size_t i = 0; !ret && i < ARRAY_SIZE(families); ++i) {
		size_t had = l.n;

		do {
			l.n = had; /* a dump interrupted by a change starts over */
			ret = nl_request(nl, rtnl_msg_dump(nl_request_buf(nl), RTM_GETROUTE, families[i]), route_list_cb, &l);
		} while (ret == -EINTR && !l.ret);
		if (l.ret)
			ret = l.ret;
		if (ret == -EAFNOSUPPORT)
			ret = 0; /* no IPv6 in this kernel */
	}
	if (ret) {
		free(l.v);
		return ret;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

int rtnl_route_mtu(struct nl *nl, const struct sockaddr *dst, unsigned int *mtu)
{
	struct default_routes d = { 0 };
	struct route_info r = { 0 };
	struct rtnl_link link;
	int ret;

	*mtu = 0;
	if (dst) {
		ret = nl_request(nl, rtnl_msg_route_get(nl_request_buf(nl), dst), route_get_cb, &r);
	} else {
		ret = dump_default_routes(nl, AF_INET, &d);
		if (!ret && !d.found)
			ret = dump_default_routes(nl, AF_INET6, &d);
		r = d.first;
	}
	if (ret == -ENETUNREACH || ret == -EHOSTUNREACH)
		return 0;
	if (ret)
		return ret;
	if (r.mtu) {
		*mtu = r.mtu;
		return 0;
	}
	if (!r.oif)
		return 0;
	ret = rtnl_link_get(nl, NULL, (int)r.oif, &link);
	if (!ret)
		*mtu = link.mtu;
	return ret;
}

/* ---- the host guard ---- */

static int snapshot_link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rtnl_snapshot *s = data;

	if (array_grow(&s->links, &s->cap_links, s->n_links, sizeof(*s->links)))
		return MNL_CB_ERROR;
	if (rtnl_parse_link(nlh, &s->links[s->n_links]))
		return MNL_CB_ERROR;
	++s->n_links;
	return MNL_CB_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int rtnl_snapshot_take(struct nl *nl, struct rtnl_snapshot *s)
{
	struct default_routes d = { .snap = s };
	int ret;

	memset(s, 0, sizeof(*s));
	do {
		s->n_links = 0;
		ret = nl_request(nl, rtnl_msg_dump(nl_request_buf(nl), RTM_GETLINK, AF_UNSPEC), snapshot_link_cb, s);
	} while (ret == -EINTR);
	if (!ret)
		ret = dump_default_routes(nl, AF_INET, &d);
	if (!ret)
		ret = dump_default_routes(nl, AF_INET6, &d);
	if (ret) {
		rtnl_snapshot_free(s);
		return ret;
	}
	if (s->n_routes) /* qsort() wants a pointer even for nothing */
		qsort(s->routes, s->n_routes, sizeof(*s->routes), cmp_str);
	return 0;
}

int rtnl_route_describe(const struct nlmsghdr *nlh, char **text)
{
	struct route_info r;
	int ret = parse_route(nlh, &r);

	*text = NULL;
	return ret ? ret : route_canonical(&r, text);
}

unsigned long long rtnl_snapshot_digest(const struct rtnl_snapshot *s)
{
	unsigned long long h = 14695981039346656037ULL; /* FNV-1a, 64 bits */

	for (size_t i = 0; i < s->n_routes; ++i) {
		for (const char *c = s->routes[i]; *c; ++c)
			h = (h ^ (unsigned char)*c) * 1099511628211ULL;
		h = (h ^ '\n') * 1099511628211ULL;
	}
	return h;
}

void rtnl_snapshot_free(struct rtnl_snapshot *s)
{
	for (size_t i = 0; i < s->n_routes; ++i)
		free(s->routes[i]);
	free(s->routes);
	free(s->links);
	memset(s, 0, sizeof(*s));
}

static bool link_known(const struct rtnl_snapshot *s, const struct rtnl_link *l)
{
	for (size_t i = 0; i < s->n_links; ++i) {
		if (s->links[i].ifindex == l->ifindex && !strcmp(s->links[i].name, l->name))
			return true;
	}
	return false;
}

bool rtnl_snapshot_same(const struct rtnl_snapshot *before, const struct rtnl_snapshot *after, const char *ifname,
			char *what, size_t size)
{
	for (size_t i = 0; i < after->n_links; ++i) {
		const struct rtnl_link *l = &after->links[i];

		if (link_known(before, l))
			continue;
		/*
		 * Not any new link: the host may make its own (containers, VPNs)
		 * while nswg works, and a concurrent nswg's userspace TUN passes
		 * through the host for an instant. Ours would be named ifname.
		 */
		if (!strcmp(l->name, ifname) || !strcmp(l->kind, "wireguard")) {
			snprintf(what, size, "a link appeared: %s (%s)", l->name,
				 *l->kind ? l->kind : "unknown kind");
			return false;
		}
	}
	for (size_t i = 0; i < before->n_routes || i < after->n_routes; ++i) {
		if (i >= after->n_routes) {
			snprintf(what, size, "a default route is gone: %s", before->routes[i]);
			return false;
		}
		if (i >= before->n_routes || strcmp(before->routes[i], after->routes[i])) {
			snprintf(what, size, "the default routes changed: %s", after->routes[i]);
			return false;
		}
	}
	return true;
}

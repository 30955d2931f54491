// SPDX-License-Identifier: MIT
/* rtnetlink messages: the builders, and the parser of a link reply. Nothing here sends. */
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

static struct nlmsghdr *msg_start(void *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	return nlh;
}

static struct ifinfomsg *put_ifinfo(struct nlmsghdr *nlh, int ifindex)
{
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return ifi;
}

struct nlmsghdr *rtnl_msg_link_create(void *buf, const char *ifname, const char *kind, int netns_fd)
{
	struct nlmsghdr *nlh = msg_start(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct nlattr *linkinfo;

	put_ifinfo(nlh, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	/* Born in that namespace; its UDP socket in the sender's. */
	if (netns_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)netns_fd);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
	mnl_attr_nest_end(nlh, linkinfo);
	return nlh;
}

struct nlmsghdr *rtnl_msg_link_move(void *buf, int ifindex, int netns_fd)
{
	struct nlmsghdr *nlh = msg_start(buf, RTM_NEWLINK, 0);

	put_ifinfo(nlh, ifindex);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)netns_fd);
	return nlh;
}

struct nlmsghdr *rtnl_msg_link_set(void *buf, int ifindex, unsigned int mtu, bool up)
{
	struct nlmsghdr *nlh = msg_start(buf, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = put_ifinfo(nlh, ifindex);

	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return nlh;
}

struct nlmsghdr *rtnl_msg_link_delete(void *buf, int ifindex)
{
	struct nlmsghdr *nlh = msg_start(buf, RTM_DELLINK, 0);

	put_ifinfo(nlh, ifindex);
	return nlh;
}

struct nlmsghdr *rtnl_msg_link_get(void *buf, const char *ifname, int ifindex)
{
	struct nlmsghdr *nlh = msg_start(buf, RTM_GETLINK, 0);

	put_ifinfo(nlh, ifindex);
	if (ifname)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return nlh;
}

struct nlmsghdr *rtnl_msg_addr_add(void *buf, int ifindex, const struct nswg_prefix *p)
{
	struct nlmsghdr *nlh = msg_start(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));

	ifa->ifa_family = (uint8_t)p->family;
	ifa->ifa_prefixlen = p->cidr;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, prefix_addr_len(p->family), p->raw);
	mnl_attr_put(nlh, IFA_ADDRESS, prefix_addr_len(p->family), p->raw);
	return nlh;
}

struct nlmsghdr *rtnl_msg_route_add(void *buf, int ifindex, const struct nswg_prefix *p, uint32_t table)
{
	struct nlmsghdr *nlh = msg_start(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

	/* As `ip route add PREFIX dev IF table T': a link-scope unicast route. */
	rtm->rtm_family = (uint8_t)p->family;
	rtm->rtm_dst_len = p->cidr;
	rtm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	if (p->cidr)
		mnl_attr_put(nlh, RTA_DST, prefix_addr_len(p->family), p->raw);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	mnl_attr_put_u32(nlh, RTA_TABLE, table);
	return nlh;
}

struct nlmsghdr *rtnl_msg_addr_del(void *buf, int ifindex, const struct nswg_prefix *p)
{
	struct nlmsghdr *nlh = rtnl_msg_addr_add(buf, ifindex, p);

	nlh->nlmsg_type = RTM_DELADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	return nlh;
}

struct nlmsghdr *rtnl_msg_route_del(void *buf, int ifindex, const struct nswg_prefix *p, uint32_t table)
{
	struct nlmsghdr *nlh = rtnl_msg_route_add(buf, ifindex, p, table);

	nlh->nlmsg_type = RTM_DELROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	return nlh;
}

struct nlmsghdr *rtnl_msg_route_get(void *buf, const struct sockaddr *dst)
{
	struct nlmsghdr *nlh = msg_start(buf, RTM_GETROUTE, 0);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

	rtm->rtm_family = (uint8_t)dst->sa_family;
	if (dst->sa_family == AF_INET) {
		rtm->rtm_dst_len = 32;
		mnl_attr_put(nlh, RTA_DST, 4, &((const struct sockaddr_in *)dst)->sin_addr);
	} else {
		rtm->rtm_dst_len = 128;
		mnl_attr_put(nlh, RTA_DST, 16, &((const struct sockaddr_in6 *)dst)->sin6_addr);
	}
	return nlh;
}

struct nlmsghdr *rtnl_msg_dump(void *buf, uint16_t type, uint8_t family)
{
	struct nlmsghdr *nlh = msg_start(buf, type, NLM_F_DUMP);

	/* rtgenmsg, ifinfomsg and rtmsg all start with the family byte. */
	if (type == RTM_GETLINK) {
		put_ifinfo(nlh, 0)->ifi_family = family;
		mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	} else {
		struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

		rtm->rtm_family = family;
	}
	return nlh;
}

/* ---- replies ---- */

static void parse_linkinfo_kind(const struct nlattr *linkinfo, char *kind, size_t size)
{
	const struct nlattr *tb[IFLA_INFO_MAX + 1] = { 0 };
	struct nl_attr_table t = { tb, IFLA_INFO_MAX };

	if (mnl_attr_parse_nested(linkinfo, nl_attr_table_cb, &t) < 0 || !tb[IFLA_INFO_KIND] ||
	    mnl_attr_validate(tb[IFLA_INFO_KIND], MNL_TYPE_STRING))
		return;
	snprintf(kind, size, "%.*s", (int)mnl_attr_get_payload_len(tb[IFLA_INFO_KIND]),
		 (const char *)mnl_attr_get_payload(tb[IFLA_INFO_KIND]));
	kind[strcspn(kind, "\n")] = '\0';
}

int rtnl_parse_link(const struct nlmsghdr *nlh, struct rtnl_link *link)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	struct nl_attr_table t = { tb, IFLA_MAX };
	const struct ifinfomsg *ifi;

	memset(link, 0, sizeof(*link));
	if (nlh->nlmsg_type != RTM_NEWLINK || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifi)))
		return -EBADMSG;
	ifi = mnl_nlmsg_get_payload(nlh);
	if (mnl_attr_parse(nlh, sizeof(*ifi), nl_attr_table_cb, &t) < 0)
		return -EBADMSG;
	link->ifindex = ifi->ifi_index;
	link->flags = ifi->ifi_flags;
	if (tb[IFLA_IFNAME] && !mnl_attr_validate(tb[IFLA_IFNAME], MNL_TYPE_NUL_STRING))
		snprintf(link->name, sizeof(link->name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_MTU] && !mnl_attr_validate(tb[IFLA_MTU], MNL_TYPE_U32))
		link->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_LINKINFO] && !mnl_attr_validate(tb[IFLA_LINKINFO], MNL_TYPE_NESTED))
		parse_linkinfo_kind(tb[IFLA_LINKINFO], link->kind, sizeof(link->kind));
	return 0;
}

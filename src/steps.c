// SPDX-License-Identifier: MIT
/*
 * The steps up and reload share: endpoints, the MTU, IPv6, addresses,
 * routes and DNS. Each says its "[#]" line, is skipped on --dry-run, and
 * records in the journal, before it changes anything, what it may leave.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "kernel_wg.h"
#include "netns.h"
#include "prefix.h"
#include "resolve.h"
#include "tunnel.h"
#include "userspace.h"

static void resolve_notice(const struct nswg_peer *peer, const char *error, double seconds, void *arg)
{
	fprintf(stderr, "%s: `%s:%u'. Trying again in %.2f seconds...\n", error, peer->endpoint.host,
		peer->endpoint.port, seconds);
}

int tunnel_resolve(struct tunnel *t)
{
	struct resolve_error err;
	int retries, ret;

	if (resolve_retries(getenv("WG_ENDPOINT_RESOLUTION_RETRIES"), &retries)) {
		fprintf(stderr, "%s: Unable to parse WG_ENDPOINT_RESOLUTION_RETRIES: `%s'\n", prog,
			getenv("WG_ENDPOINT_RESOLUTION_RETRIES"));
		return -EINVAL;
	}
	/* Never the host's resolver for --via: it would learn the name of the next hop. */
	if (t->via_fd >= 0)
		return tunnel_resolve_in_via(t, retries, resolve_notice);
	ret = resolve_endpoints(t->lc.cfg, retries, resolve_notice, NULL, &tunnel_stop, &err);
	if (ret == -EHOSTUNREACH)
		fprintf(stderr, "%s: %s:%u: %s\n", prog, t->lc.path, err.peer->line, err.message);
	return ret;
}

/* The first "-" allowed IP of the file, or NULL. */
static const struct nswg_allowedip *first_removal(const struct nswg_config *cfg)
{
	for (size_t i = 0; i < cfg->n_peers; ++i) {
		for (size_t k = 0; k < cfg->peers[i].n_allowedips; ++k) {
			if (cfg->peers[i].allowedips[k].flags & NSWG_ALLOWEDIP_REMOVE)
				return &cfg->peers[i].allowedips[k];
		}
	}
	return NULL;
}

int tunnel_check_removals(struct tunnel *t, bool userspace)
{
	const struct nswg_allowedip *aip = first_removal(t->lc.cfg);
	char ip[INET6_ADDRSTRLEN] = "", why[256] = "";
	bool unknown = false;
	struct wg_features f;
	int ret;

	if (!aip)
		return 0;
	if (userspace || userspace_requested()) {
		snprintf(why, sizeof(why), "the userspace implementation's protocol cannot remove an allowed IP");
	} else if ((ret = features_probe(&f)) ||
		   (f.kernel == FEATURE_YES && f.allowedip_flags == FEATURE_UNKNOWN)) {
		unknown = true;
		snprintf(why, sizeof(why), "unable to find out whether the kernel's WireGuard can remove one: %s",
			 strerror(-(ret ? ret : f.err)));
	} else if (f.kernel == FEATURE_NO) {
		snprintf(why, sizeof(why), "no WireGuard in the kernel, and the userspace implementation's protocol "
					   "cannot remove an allowed IP");
	} else if (f.allowedip_flags == FEATURE_NO) {
		snprintf(why, sizeof(why), "this kernel's WireGuard cannot remove an allowed IP (it has no "
					   "WGALLOWEDIP_A_FLAGS: Linux 6.16 and later have it)");
	}
	if (!*why)
		return 0;
	inet_ntop(aip->prefix.family, aip->prefix.raw, ip, sizeof(ip));
	/* A dry run says what up would refuse; what it cannot find out (unprivileged, say) it only warns of. */
	if (t->dry_run && unknown) {
		fprintf(stderr, "Warning: %s:%u: AllowedIPs `-%s/%u': %s\n", t->lc.path, aip->line, ip,
			aip->prefix.cidr, why);
		return 0;
	}
	fprintf(stderr, "%s: %s:%u: AllowedIPs `-%s/%u': %s\n", prog, t->lc.path, aip->line, ip, aip->prefix.cidr, why);
	return -EOPNOTSUPP;
}

/* wg-quick's rule, where the socket is (the host, or --via's): the smallest MTU towards the endpoints, or of the default route, less 80. */
int tunnel_find_mtu(struct tunnel *t)
{
	const struct nswg_config *cfg = t->lc.cfg;
	const struct nswg_endpoint *last = NULL;
	unsigned int mtu, best = 0;
	int ret;

	if (cfg->mtu) {
		t->mtu = cfg->mtu;
		return 0;
	}
	for (size_t i = 0; i < cfg->n_peers; ++i) {
		const struct nswg_endpoint *ep = &cfg->peers[i].endpoint;

		if (ep->addr.sa.sa_family == AF_UNSPEC)
			continue;
		/* Many peers behind one address (one provider, loopback tests): one lookup. */
		if (last && sockaddr_same_host(&last->addr.sa, &ep->addr.sa))
			continue;
		last = ep;
		ret = rtnl_route_mtu(&t->host, &ep->addr.sa, &mtu);
		if (ret)
			return tunnel_failed("unable to find the route to an endpoint", ret, &t->host);
		if (mtu && (!best || mtu < best))
			best = mtu;
	}
	if (!best) {
		ret = rtnl_route_mtu(&t->host, NULL, &best);
		if (ret)
			return tunnel_failed("unable to read the default route", ret, &t->host);
	}
	t->mtu = (best ? best : NSWG_MTU_DEFAULT_LINK) - NSWG_MTU_OVERHEAD;
	return 0;
}

bool tunnel_has_ipv6_address(const struct nswg_config *cfg)
{
	for (size_t i = 0; i < cfg->n_addresses; ++i) {
		if (cfg->addresses[i].family == AF_INET6)
			return true;
	}
	return false;
}

/* ---- IPv6: off while the namespace's interfaces of nswg's have no IPv6 address ---- */

bool tunnel_room_ipv6_off(const struct nswg_room *room)
{
	return room->ipv6_all >= 0 || room->ipv6_default >= 0;
}

/* Off, the namespace's own settings recorded in the room first. */
static int ipv6_switch_off(struct tunnel *t)
{
	struct netns_ipv6 old, off = { .all = 1, .def = 1 };
	int ret;

	if (!tunnel_say(t, "ip netns exec %s sysctl -q net.ipv6.conf.default.disable_ipv6=1 "
			   "net.ipv6.conf.all.disable_ipv6=1", t->ns))
		return 0;
	ret = netns_ipv6_read(t->ns_fd, &old);
	if (ret)
		return tunnel_failed("unable to read the namespace's IPv6 settings", ret, NULL);
	t->room.ipv6_all = old.all;
	t->room.ipv6_default = old.def;
	if ((ret = tunnel_record_room(t)))
		return ret;
	ret = netns_ipv6_write(t->ns_fd, &off);
	return ret ? tunnel_failed("unable to disable IPv6 in the namespace", ret, NULL) : 0;
}

int tunnel_ipv6_disable(struct tunnel *t)
{
	size_t others = 0;
	int ret;

	if (tunnel_room_ipv6_off(&t->room)) {
		t->ipv6_off = true;
		return 0;
	}
	/* Left on by an interface already there: one of them has an IPv6 address. */
	if (!t->dry_run && (ret = state_others(t->key, t->lc.ifname, &others)))
		return tunnel_failed("unable to read the state", ret, NULL);
	if (others)
		return 0;
	if ((ret = ipv6_switch_off(t)))
		return ret;
	t->ipv6_off = true;
	return 0;
}

/* The settings from before tunnel_ipv6_disable(); for an interface with an IPv6 address, and for the last down. */
int tunnel_ipv6_enable(struct tunnel *t)
{
	struct netns_ipv6 old = { .all = t->room.ipv6_all, .def = t->room.ipv6_default };
	size_t others = 0;
	int ret;

	t->ipv6_off = false;
	if (!tunnel_room_ipv6_off(&t->room))
		return 0;
	if (!tunnel_say(t, "ip netns exec %s sysctl -q net.ipv6.conf.default.disable_ipv6=%d "
			   "net.ipv6.conf.all.disable_ipv6=%d", t->ns, old.def, old.all))
		return 0;
	/* Among interfaces without IPv6: recorded, so that its down (or rollback) turns it off again. */
	if (!t->undoing && (ret = state_others(t->key, t->lc.ifname, &others)))
		return tunnel_failed("unable to read the state", ret, NULL);
	if (others) {
		fprintf(stderr, "Warning: %s: IPv6 is enabled again in namespace `%s', whose other interfaces have no "
				"IPv6 address and so no IPv6 route\n", t->lc.path, t->ns);
		t->st.ipv6_enabled = true;
		if ((ret = tunnel_record(t)))
			return ret;
	}
	ret = netns_ipv6_write(t->ns_fd, &old);
	if (ret)
		return tunnel_failed("unable to put back the namespace's IPv6 settings", ret, NULL);
	t->room.ipv6_all = t->room.ipv6_default = -1;
	return tunnel_record_room(t);
}

/*
 * The down of an interface that turned IPv6 back on while others without it
 * remain: off again, the namespace's own settings kept in the room (recorded
 * even while undoing: the last down must find them). Runs again harmlessly.
 */
int tunnel_ipv6_redisable(struct tunnel *t)
{
	bool undoing = t->undoing;
	int ret;

	if (tunnel_room_ipv6_off(&t->room))
		return 0;
	t->undoing = false;
	ret = ipv6_switch_off(t);
	t->undoing = undoing;
	return ret;
}

/* ---- addresses and routes ---- */

int tunnel_address_change(struct tunnel *t, const struct nswg_prefix *p, bool add)
{
	char ip[INET6_ADDRSTRLEN], ipn[4200], what[128];
	int ret;

	inet_ntop(p->family, p->raw, ip, sizeof(ip));
	if (!tunnel_say(t, "%s %s address %s %s/%u dev %s", tunnel_ip_n(t, ipn, sizeof(ipn)), prefix_family_flag(p->family),
			add ? "add" : "del", ip, p->cidr, t->lc.ifname))
		return 0;
	ret = add ? rtnl_addr_add(&t->target, t->ifindex, p) : rtnl_addr_del(&t->target, t->ifindex, p);
	if (ret) {
		snprintf(what, sizeof(what), "unable to %s address %s/%u", add ? "add" : "remove", ip, p->cidr);
		tunnel_failed(what, ret, &t->target);
	}
	return ret;
}

/* Whether the prefix route of one of the interface's own addresses covers p. */
static bool covered_by_address(const struct nswg_config *cfg, const struct nswg_prefix *p)
{
	for (size_t i = 0; i < cfg->n_addresses; ++i) {
		const struct nswg_prefix *a = &cfg->addresses[i];

		if (a->cidr < prefix_bits(a->family) && prefix_contains(a, p))
			return true;
	}
	return false;
}

bool tunnel_route_wanted(const struct tunnel *t, const struct nswg_prefix *p)
{
	const struct nswg_config *cfg = t->lc.cfg;

	if (p->family == AF_INET6 && t->ipv6_off)
		return false;
	return cfg->table == NSWG_TABLE_ID || !covered_by_address(cfg, p);
}

uint32_t tunnel_route_table(const struct nswg_config *cfg)
{
	return cfg->table == NSWG_TABLE_ID ? cfg->table_id : RT_TABLE_MAIN;
}

/* ---- DNS: the files hold the DNS= of the first interface that has one ---- */

/* Whether the interface named in the room as the files' author is still up. */
static bool dns_author_up(const struct tunnel *t)
{
	struct nswg_state other;

	return *t->room.dns_by && strcmp(t->room.dns_by, t->lc.ifname) && !state_read(t->key, t->room.dns_by, &other);
}

int tunnel_dns_put_back(struct tunnel *t)
{
	int ret;

	if (!tunnel_say(t, "restore %s/%s/resolv.conf and nsswitch.conf", NSWG_NETNS_ETC_DIR, t->ns))
		return 0;
	ret = dns_restore(t->ns, t->state_dir, t->room.etc_dir_created);
	if (ret)
		return tunnel_failed("unable to restore the namespace's DNS files", ret, NULL);
	t->room.dns_by[0] = '\0';
	t->room.etc_dir_created = false;
	return tunnel_record_room(t);
}

int tunnel_set_dns(struct tunnel *t)
{
	const struct nswg_config *cfg = t->lc.cfg;
	char path[4200];
	int ret;

	if (!t->ns_named) {
		if (cfg->dns.n || cfg->dns_search.n)
			fprintf(stderr, "Warning: %s: DNS is not set for a namespace given as a path: there, it is the "
					"container's business\n", t->lc.path);
		return 0;
	}
	/* As wg-quick: search domains alone set nothing. */
	if (!cfg->dns.n) {
		if (!strcmp(t->room.dns_by, t->lc.ifname))
			return tunnel_dns_put_back(t); /* reload: DNS= removed */
		if (dns_host_resolver_is_loopback())
			fprintf(stderr, "Warning: %s has no DNS=, and the host's resolver is on a loopback address that "
					"namespace `%s' cannot reach\n", t->lc.path, t->ns);
		return 0;
	}
	if (dns_author_up(t)) {
		fprintf(stderr, "Warning: %s: DNS= is not applied: namespace `%s' keeps the DNS of `%s', which came up "
				"first\n", t->lc.path, t->ns, t->room.dns_by);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/%s", NSWG_NETNS_ETC_DIR, t->ns);
	if (!tunnel_say(t, "write %s/resolv.conf and nsswitch.conf", path))
		return 0;
	if (strcmp(t->room.dns_by, t->lc.ifname)) {
		if (!*t->room.dns_by)
			t->room.etc_dir_created = dns_etc_dir_missing(t->ns);
		snprintf(t->room.dns_by, sizeof(t->room.dns_by), "%s", t->lc.ifname);
		if ((ret = tunnel_record_room(t)))
			return ret;
	}
	ret = dns_apply(t->ns, t->lc.ifname, cfg, t->state_dir);
	return ret ? tunnel_failed("unable to write the namespace's DNS files", ret, NULL) : 0;
}

// SPDX-License-Identifier: MIT
/*
 * nswg reload: the running interface made to match the file, as
 * `wg syncconf' and wg-quick's addresses, routes and DNS would, all or
 * nothing. Everything that can fail on the file fails before the first
 * change; what the interface ran is kept, and a request that still fails
 * midway puts it back, through the same comparisons turned the other way.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "dns.h"
#include "netns.h"
#include "prefix.h"
#include "tunnel.h"
#include "util.h"

/* What the interface ran before reload touched it. */
struct running {
	struct nswg_config *device;
	struct nswg_prefix *addresses;
	size_t n_addresses;
	struct rtnl_route *routes;
	size_t n_routes;
	unsigned int mtu;
	struct nswg_room room;
	struct dns_files dns;
};

/* As `wg syncconf': what differs between want and the device, sent as one update. */
static int sync_device(struct tunnel *t, const struct nswg_config *want)
{
	struct nswg_config *running = NULL, upd;
	int ret;

	say("ip netns exec %s wg syncconf %s <(nswg strip %s)", t->ns, t->lc.ifname, t->lc.path);
	ret = device_get(&t->genl, t->ns_fd, t->lc.ifname, t->userspace, &running);
	if (ret)
		return tunnel_failed("unable to read the interface's configuration", ret, &t->genl);
	ret = device_diff(want, running, &upd);
	if (ret)
		tunnel_failed("unable to compare configurations", ret, NULL);
	else if ((ret = device_set(&t->genl, t->ns_fd, t->lc.ifname, t->userspace, &upd, false)))
		tunnel_failed("unable to configure the interface", ret, &t->genl);
	device_diff_free(&upd);
	config_free(running);
	return ret;
}

static bool has_prefix(const struct nswg_prefix *v, size_t n, const struct nswg_prefix *p)
{
	for (size_t i = 0; i < n; ++i) {
		if (prefix_same(&v[i], p))
			return true;
	}
	return false;
}

static bool is_link_local6(const struct nswg_prefix *p)
{
	return p->family == AF_INET6 && p->raw[0] == 0xfe && (p->raw[1] & 0xc0) == 0x80;
}

static int sync_addresses(struct tunnel *t, const struct nswg_prefix *want, size_t nw)
{
	struct nswg_prefix *running = NULL;
	size_t n = 0;
	int ret = rtnl_addr_list(&t->target, t->ifindex, &running, &n);

	if (ret)
		return tunnel_failed("unable to read the interface's addresses", ret, &t->target);
	/* The kernel's own link-local address is not the file's business. */
	for (size_t i = 0; !ret && i < n; ++i) {
		if (!is_link_local6(&running[i]) && !has_prefix(want, nw, &running[i]))
			ret = tunnel_address_change(t, &running[i], false);
	}
	for (size_t i = 0; !ret && i < nw; ++i) {
		if (!has_prefix(running, n, &want[i]) && !(want[i].family == AF_INET6 && t->ipv6_off))
			ret = tunnel_address_change(t, &want[i], true);
	}
	free(running);
	return ret;
}

static int route_cmp(const void *a, const void *b)
{
	const struct rtnl_route *x = a, *y = b;

	if (x->table != y->table)
		return x->table < y->table ? -1 : 1;
	if (x->dst.family != y->dst.family)
		return x->dst.family < y->dst.family ? -1 : 1;
	if (x->dst.cidr != y->dst.cidr)
		return x->dst.cidr > y->dst.cidr ? -1 : 1; /* longest first, as up adds them */
	return memcmp(x->dst.raw, y->dst.raw, 16);
}

static int route_change(struct tunnel *t, const struct rtnl_route *r, bool add)
{
	char ip[INET6_ADDRSTRLEN], ipn[4200], tbl[32] = "", what[4400];
	int ret;

	if (r->table != RT_TABLE_MAIN)
		snprintf(tbl, sizeof(tbl), " table %u", r->table);
	inet_ntop(r->dst.family, r->dst.raw, ip, sizeof(ip));
	say("%s %s route %s %s/%u dev %s%s", tunnel_ip_n(t, ipn, sizeof(ipn)), prefix_family_flag(r->dst.family),
	    add ? "add" : "del", ip, r->dst.cidr, t->lc.ifname, tbl);
	ret = add ? rtnl_route_add(&t->target, t->ifindex, &r->dst, r->table)
		  : rtnl_route_del(&t->target, t->ifindex, &r->dst, r->table);
	if (ret) {
		snprintf(what, sizeof(what), "unable to %s route %s/%u", add ? "add" : "remove", ip, r->dst.cidr);
		tunnel_failed(what, ret, &t->target);
	}
	return ret;
}

/* The routes the file asks for, as up would add them. */
static int wanted_routes(struct tunnel *t, struct rtnl_route **want, size_t *nw)
{
	const struct nswg_config *cfg = t->lc.cfg;
	struct nswg_prefix *prefixes = NULL;
	size_t n = 0;
	int ret = 0;

	*nw = 0;
	if (cfg->table != NSWG_TABLE_OFF)
		ret = config_device_allowedips(cfg, &prefixes, &n);
	if (!ret && !(*want = calloc(n + 1, sizeof(**want))))
		ret = -ENOMEM;
	for (size_t k = 0; !ret && k < n; ++k) {
		if (tunnel_route_wanted(t, &prefixes[k]))
			(*want)[(*nw)++] = (struct rtnl_route){ .dst = prefixes[k], .table = tunnel_route_table(cfg) };
	}
	free(prefixes);
	return ret ? tunnel_failed("unable to list the allowed IPs", ret, NULL) : 0;
}

/* The routes through the interface made to match want, in one sorted walk. */
static int sync_routes(struct tunnel *t, struct rtnl_route *want, size_t nw)
{
	struct rtnl_route *have = NULL;
	size_t nh = 0, i, j;
	int ret = rtnl_route_list(&t->target, t->ifindex, &have, &nh);

	if (ret)
		return tunnel_failed("unable to compare routes", ret, &t->target);
	if (nw)
		qsort(want, nw, sizeof(*want), route_cmp);
	if (nh)
		qsort(have, nh, sizeof(*have), route_cmp);
	/* Removals first: a route that moves to another table must not be there twice. */
	for (i = 0, j = 0; !ret && j < nh;) {
		int c = i < nw ? route_cmp(&want[i], &have[j]) : 1;

		if (c == 0)
			++i, ++j;
		else if (c < 0)
			++i;
		else
			ret = route_change(t, &have[j++], false);
	}
	for (i = 0, j = 0; !ret && i < nw;) {
		int c = j < nh ? route_cmp(&want[i], &have[j]) : -1;

		if (c == 0)
			++i, ++j;
		else if (c > 0)
			++j;
		else
			ret = route_change(t, &want[i++], true);
	}
	free(have);
	return ret;
}

static int set_mtu(struct tunnel *t, unsigned int mtu)
{
	char ipn[4200];
	int ret;

	say("%s link set mtu %u dev %s", tunnel_ip_n(t, ipn, sizeof(ipn)), mtu, t->lc.ifname);
	ret = rtnl_link_set(&t->target, t->ifindex, mtu, true);
	return ret ? tunnel_failed("unable to set the MTU", ret, &t->target) : 0;
}

static int keep_running(struct tunnel *t, struct running *r, const struct rtnl_link *link)
{
	int ret = device_get(&t->genl, t->ns_fd, t->lc.ifname, t->userspace, &r->device);

	if (ret)
		return tunnel_failed("unable to read the interface's configuration", ret, &t->genl);
	ret = rtnl_addr_list(&t->target, t->ifindex, &r->addresses, &r->n_addresses);
	if (ret)
		return tunnel_failed("unable to read the interface's addresses", ret, &t->target);
	ret = rtnl_route_list(&t->target, t->ifindex, &r->routes, &r->n_routes);
	if (ret)
		return tunnel_failed("unable to read the interface's routes", ret, &t->target);
	r->mtu = link->mtu;
	r->room = t->room;
	ret = t->ns_named ? dns_files_read(t->ns, &r->dns) : 0;
	return ret ? tunnel_failed("unable to read the namespace's DNS files", ret, NULL) : 0;
}

static void running_free(struct running *r)
{
	config_free(r->device);
	free(r->addresses);
	free(r->routes);
	dns_files_free(&r->dns);
}

static int apply(struct tunnel *t, unsigned int mtu_now)
{
	struct rtnl_route *want = NULL;
	size_t nw = 0;
	int ret;

	if ((ret = sync_device(t, t->lc.cfg)))
		return ret;
	ret = tunnel_has_ipv6_address(t->lc.cfg) ? tunnel_ipv6_enable(t) : tunnel_ipv6_disable(t);
	if (ret || (ret = sync_addresses(t, t->lc.cfg->addresses, t->lc.cfg->n_addresses)))
		return ret;
	if (mtu_now != t->mtu && (ret = set_mtu(t, t->mtu)))
		return ret;
	if (!(ret = wanted_routes(t, &want, &nw)))
		ret = sync_routes(t, want, nw);
	free(want);
	if (ret || (ret = tunnel_set_dns(t)))
		return ret;
	return tunnel_stop ? -EINTR : 0;
}

/* Best effort: each part goes back even when another could not. */
static void put_back(struct tunnel *t, struct running *r)
{
	struct netns_ipv6 off = { .all = 1, .def = 1 }, old = { .all = t->room.ipv6_all, .def = t->room.ipv6_default };
	bool was_off = tunnel_room_ipv6_off(&r->room), is_off = tunnel_room_ipv6_off(&t->room);

	fprintf(stderr, "%s: reload failed; putting back what `%s' ran before\n", prog, t->lc.ifname);
	if (was_off != is_off) {
		say("ip netns exec %s sysctl -q net.ipv6.conf.default.disable_ipv6=%d net.ipv6.conf.all.disable_ipv6=%d",
		    t->ns, was_off ? 1 : old.def, was_off ? 1 : old.all);
		netns_ipv6_write(t->ns_fd, was_off ? &off : &old);
	}
	t->ipv6_off = was_off;
	sync_device(t, r->device);
	sync_addresses(t, r->addresses, r->n_addresses);
	if (r->mtu != t->mtu)
		set_mtu(t, r->mtu);
	sync_routes(t, r->routes, r->n_routes);
	/*
	 * Files nswg began to write in this reload go back with their backups.
	 * Ones it had put back (DNS= removed) are copied again first, so that
	 * down still finds the originals; then all as they were.
	 */
	if (t->ns_named && !*r->room.dns_by && *t->room.dns_by) {
		tunnel_dns_put_back(t);
	} else if (t->ns_named) {
		if (*r->room.dns_by && !*t->room.dns_by && dns_keep_originals(t->ns, t->state_dir))
			fprintf(stderr, "%s: unable to keep the namespace's DNS files again\n", prog);
		dns_files_write(t->ns, &r->dns);
	}
	t->room = r->room;
	tunnel_record_room(t);
}

int cmd_reload(int argc, char *argv[])
{
	struct running before = { 0 };
	struct rtnl_link link;
	struct tunnel t;
	int ret;

	tunnel_catch_signals();
	if ((ret = tunnel_open_existing(&t, argc, argv, TUNNEL_RELOAD, &link)))
		goto out;
	if (!t.has_record) {
		fprintf(stderr, "%s: `%s' in namespace `%s' was not brought up by nswg: nothing to reload\n", prog,
			t.lc.ifname, t.ns);
		ret = -ENOENT;
		goto out;
	}
	/* Relay options given: checked with the file, before anything is touched. */
	if ((ret = tunnel_check_removals(&t, t.userspace)) || (t.relays_given && (ret = tunnel_relay_check(&t))))
		goto out;
	/* The via kept: names resolved, and the MTU found, where the socket is. */
	if ((ret = tunnel_open_outer(&t)) || (ret = tunnel_resolve(&t)) || (ret = tunnel_find_mtu(&t)))
		goto out;
	t.ipv6_off = tunnel_room_ipv6_off(&t.room);
	if (t.dry_run) {
		say("ip netns exec %s wg syncconf %s <(nswg strip %s)", t.ns, t.lc.ifname, t.lc.path);
		if (t.relays_given)
			ret = tunnel_relay_reload(&t);
		goto out;
	}
	if ((ret = keep_running(&t, &before, &link)))
		goto out;
	/* The relay last: until it is replaced, a failure of the rest leaves it untouched. */
	if ((ret = apply(&t, link.mtu)) || (t.relays_given && !tunnel_stop && (ret = tunnel_relay_reload(&t)))) {
		if (tunnel_stop)
			fprintf(stderr, "%s: interrupted by signal %d, rolling back\n", prog, (int)tunnel_stop);
		tunnel_block_signals();
		put_back(&t, &before);
	}
out:
	running_free(&before);
	tunnel_close(&t);
	return ret ? 1 : 0;
}

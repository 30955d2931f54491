// SPDX-License-Identifier: MIT
/*
 * nswg up and nswg down: the steps, their order, and the way back.
 *
 * Everything that can fail without touching anything (reading the file,
 * resolving endpoints, finding the MTU) happens first. Then each step that
 * changes something records it in struct tunnel, and rollback() undoes
 * exactly what was recorded, in reverse, whatever failed and wherever a
 * signal arrived.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "dns.h"
#include "netns.h"
#include "resolve.h"
#include "rtnl.h"
#include "state.h"
#include "wgnl.h"

struct tunnel {
	struct loaded_config lc;
	const char *ns;        /* as given: a name, or a path */
	bool ns_named;
	char *ns_path;
	int ns_fd, lock_fd;
	char key[4096];
	char state_dir[4200];
	bool ns_given, dry_run, keep_netns, force_move;

	struct nl host, target, genl;
	struct rtnl_snapshot before;
	unsigned int mtu;
	bool ipv6_off;

	/* What was done, for rollback() and for down. */
	struct nswg_state st;
	int ifindex;
	bool link_created, link_in_host, state_written;
};

static volatile int stop;

static void on_signal(int sig)
{
	stop = sig;
}

/* SIGINT and SIGTERM no longer kill: they make up stop and roll back. */
static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static int failed(const char *step, int err, const struct nl *nl)
{
	if (nl && *nl->ext_ack)
		fprintf(stderr, "%s: %s: %s (%s)\n", prog, step, strerror(-err), nl->ext_ack);
	else
		fprintf(stderr, "%s: %s: %s\n", prog, step, strerror(-err));
	return err;
}

/* The namespace as ip(8) would be told about it, for the "[#]" lines. */
static const char *ip_n(const struct tunnel *t, char *buf, size_t size)
{
	if (t->ns_named)
		snprintf(buf, size, "ip -n %s", t->ns);
	else
		snprintf(buf, size, "nsenter --net=%s ip", t->ns);
	return buf;
}

static const char *family_flag(uint16_t family)
{
	return family == AF_INET6 ? "-6" : "-4";
}

static void tunnel_close(struct tunnel *t)
{
	nl_close(&t->host);
	nl_close(&t->target);
	nl_close(&t->genl);
	rtnl_snapshot_free(&t->before);
	if (t->ns_fd >= 0)
		close(t->ns_fd);
	if (t->lock_fd >= 0)
		close(t->lock_fd);
	free(t->ns_path);
	loaded_config_free(&t->lc);
}

/* ---- options ---- */

static int parse_options(struct tunnel *t, int argc, char *argv[], bool down)
{
	const char *config = NULL;

	memset(t, 0, sizeof(*t));
	t->ns_fd = t->lock_fd = -1;
	t->st.ipv6_all = t->st.ipv6_default = -1;
	for (int i = 1; i < argc; ++i) {
		if (!strcmp(argv[i], "--netns") && i + 1 < argc)
			t->ns = argv[++i];
		else if (!strncmp(argv[i], "--netns=", 8))
			t->ns = argv[i] + 8;
		else if (!strcmp(argv[i], "--"))
			continue;
		else if (!strcmp(argv[i], "--dry-run"))
			t->dry_run = true;
		else if (down && !strcmp(argv[i], "--keep-netns"))
			t->keep_netns = true;
		else if (argv[i][0] != '-' && !config)
			config = argv[i];
		else {
			fprintf(stderr, "%s: unknown or misplaced argument `%s'\n", prog, argv[i]);
			return -EINVAL;
		}
	}
	if (!config) {
		fprintf(stderr, "Usage: %s %s [ CONFIG_FILE | INTERFACE ] [ --netns NS ]%s\n", prog, argv[0],
			down ? " [ --keep-netns ]" : "");
		return -EINVAL;
	}
	/* A test switch: the way for kernels that refuse to create a link in another namespace. */
	t->force_move = getenv("NSWG_CREATE_THEN_MOVE") && !strcmp(getenv("NSWG_CREATE_THEN_MOVE"), "1");
	if (!t->dry_run && !check_privileges())
		return -EPERM;
	if (load_config(config, &t->lc))
		return -EINVAL;
	t->ns_given = t->ns != NULL;
	if (!t->ns)
		t->ns = t->lc.ifname;
	t->ns_named = !netns_arg_is_path(t->ns);
	if (netns_path(t->ns, &t->ns_path)) {
		fprintf(stderr, "%s: `%s' is not a valid namespace name\n", prog, t->ns);
		return -EINVAL;
	}
	snprintf(t->st.ifname, sizeof(t->st.ifname), "%s", t->lc.ifname);
	snprintf(t->st.netns, sizeof(t->st.netns), "%s", t->ns);
	if (!realpath(t->lc.path, t->st.config))
		snprintf(t->st.config, sizeof(t->st.config), "%s", t->lc.path);
	return 0;
}

/* ---- what happens before anything changes ---- */

static void resolve_notice(const struct nswg_peer *peer, const char *error, double seconds, void *arg)
{
	fprintf(stderr, "%s: `%s:%u'. Trying again in %.2f seconds...\n", error, peer->endpoint.host,
		peer->endpoint.port, seconds);
}

static int resolve(struct tunnel *t)
{
	struct resolve_error err;
	int retries, ret;

	if (resolve_retries(getenv("WG_ENDPOINT_RESOLUTION_RETRIES"), &retries)) {
		fprintf(stderr, "%s: Unable to parse WG_ENDPOINT_RESOLUTION_RETRIES: `%s'\n", prog,
			getenv("WG_ENDPOINT_RESOLUTION_RETRIES"));
		return -EINVAL;
	}
	ret = resolve_endpoints(t->lc.cfg, retries, resolve_notice, NULL, &stop, &err);
	if (ret == -EHOSTUNREACH)
		fprintf(stderr, "%s: %s:%u: %s\n", prog, t->lc.path, err.peer->line, err.message);
	return ret;
}

/* wg-quick's rule, on the host: the smallest MTU towards the endpoints, or of the default route, less 80. */
static int find_mtu(struct tunnel *t)
{
	const struct nswg_config *cfg = t->lc.cfg;
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
		ret = rtnl_route_mtu(&t->host, &ep->addr.sa, &mtu);
		if (ret)
			return failed("unable to find the route to an endpoint", ret, &t->host);
		if (mtu && (!best || mtu < best))
			best = mtu;
	}
	if (!best) {
		ret = rtnl_route_mtu(&t->host, NULL, &best);
		if (ret)
			return failed("unable to read the default route", ret, &t->host);
	}
	t->mtu = (best ? best : 1500) - 80;
	return 0;
}

static bool has_ipv6_address(const struct nswg_config *cfg)
{
	for (size_t i = 0; i < cfg->n_addresses; ++i) {
		if (cfg->addresses[i].family == AF_INET6)
			return true;
	}
	return false;
}

/* ---- IPv6 inside the namespace ---- */

struct sysctl_job {
	int all, def;             /* to write, or -1 to leave alone */
	int old_all, old_default; /* what was there */
};

static int sysctl_rw(const char *path, int value, int *old)
{
	char buf[16] = "";
	int fd, ret = 0;
	ssize_t n;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		ret = -errno;
	*old = atoi(buf);
	if (!ret && value >= 0) {
		snprintf(buf, sizeof(buf), "%d\n", value);
		if (pwrite(fd, buf, strlen(buf), 0) < 0)
			ret = -errno;
	}
	close(fd);
	return ret;
}

/* Runs inside the namespace: /proc/sys/net is the opener's namespace's. */
static int ipv6_sysctl_in_ns(void *arg)
{
	struct sysctl_job *job = arg;
	int ret;

	/* "default" first, so that nothing made in between comes up with IPv6. */
	ret = sysctl_rw("/proc/sys/net/ipv6/conf/default/disable_ipv6", job->def, &job->old_default);
	if (!ret)
		ret = sysctl_rw("/proc/sys/net/ipv6/conf/all/disable_ipv6", job->all, &job->old_all);
	return ret == -ENOENT ? 0 : ret; /* no IPv6 in this kernel: nothing to leak */
}

static int ipv6_disable(struct tunnel *t)
{
	struct sysctl_job job = { .all = 1, .def = 1, .old_all = -1, .old_default = -1 };
	int ret;

	say("ip netns exec %s sysctl -q net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.all.disable_ipv6=1", t->ns);
	if (t->dry_run)
		return 0;
	ret = netns_run_in(t->ns_fd, ipv6_sysctl_in_ns, &job);
	if (ret)
		return failed("unable to disable IPv6 in the namespace", ret, NULL);
	t->st.ipv6_all = job.old_all;
	t->st.ipv6_default = job.old_default;
	t->ipv6_off = true;
	return 0;
}

/* A namespace nswg did not make gets its loopback state back. */
static void lo_restore(struct tunnel *t, struct nl *nl)
{
	struct rtnl_link link;
	char ipn[4200];

	if (!t->st.lo_brought_up || t->st.netns_created)
		return;
	say("%s link set lo down", ip_n(t, ipn, sizeof(ipn)));
	if (!rtnl_link_get(nl, "lo", 0, &link))
		rtnl_link_set(nl, link.ifindex, 0, false);
}

/* A namespace nswg did not make gets its IPv6 settings back. */
static void ipv6_restore(struct tunnel *t)
{
	struct sysctl_job job = { .all = t->st.ipv6_all, .def = t->st.ipv6_default };

	if (t->st.ipv6_default < 0 || t->st.netns_created || t->ns_fd < 0)
		return;
	netns_run_in(t->ns_fd, ipv6_sysctl_in_ns, &job);
}

/* ---- the namespace ---- */

static int open_namespace(struct tunnel *t, bool create)
{
	int ret;

	if (t->dry_run) {
		if (t->ns_named && access(t->ns_path, F_OK))
			say("ip netns add %s", t->ns);
		return 0;
	}
	t->ns_fd = netns_open(t->ns_path);
	if (t->ns_fd == -ENOENT && t->ns_named && create) {
		say("ip netns add %s", t->ns);
		ret = netns_create(t->ns);
		if (ret)
			return failed("unable to create the namespace", ret, NULL);
		t->st.netns_created = true;
		t->ns_fd = netns_open(t->ns_path);
	}
	if (t->ns_fd < 0) {
		fprintf(stderr, "%s: unable to open namespace `%s': %s\n", prog, t->ns, strerror(-t->ns_fd));
		return t->ns_fd;
	}
	ret = netns_is_self(t->ns_fd);
	if (ret) {
		if (ret > 0)
			fprintf(stderr, "%s: `%s' is the namespace nswg runs in, the host's: nswg never configures the host\n",
				prog, t->ns);
		else
			failed("unable to compare namespaces", ret, NULL);
		return ret > 0 ? -EINVAL : ret;
	}
	return 0;
}

static int lock_namespace(struct tunnel *t)
{
	int ret = state_key(t->ns, t->ns_fd, t->key, sizeof(t->key));

	if (!ret)
		ret = state_dir(t->key, t->state_dir, sizeof(t->state_dir));
	if (!ret) {
		t->lock_fd = state_lock(t->key);
		ret = t->lock_fd < 0 ? t->lock_fd : 0;
	}
	return ret ? failed("unable to lock " NSWG_STATE_DIR, ret, NULL) : 0;
}

/* ---- the interface ---- */

static int create_link(struct tunnel *t)
{
	struct rtnl_link link;
	int ret = -EOPNOTSUPP;

	if (!t->force_move) {
		say("ip link add %s netns %s type wireguard", t->lc.ifname, t->ns);
		if (t->dry_run)
			return 0;
		ret = rtnl_link_create(&t->host, t->lc.ifname, "wireguard", t->ns_fd);
		if (!ret) {
			t->link_created = true;
			return 0;
		}
		/* No WireGuard at all, or a name taken in the namespace: moving would not help. */
		if (ret == -EOPNOTSUPP || ret == -EEXIST || ret == -ENFILE)
			return failed("unable to create the interface in the namespace", ret, &t->host);
		fprintf(stderr, "%s: the kernel refused to create %s in the namespace (%s%s%s%s); "
				"creating it on the host and moving it\n",
			prog, t->lc.ifname, strerror(-ret), *t->host.ext_ack ? ": " : "", t->host.ext_ack, "");
	}
	/* Older kernels: create on the host, and move it before anything is configured. */
	say("ip link add %s type wireguard", t->lc.ifname);
	say("ip link set %s netns %s", t->lc.ifname, t->ns);
	if (t->dry_run)
		return 0;
	ret = rtnl_link_create(&t->host, t->lc.ifname, "wireguard", -1);
	if (ret)
		return failed("unable to create the interface", ret, &t->host);
	t->link_created = t->link_in_host = true;
	ret = rtnl_link_get(&t->host, t->lc.ifname, 0, &link);
	if (!ret)
		ret = rtnl_link_move(&t->host, link.ifindex, t->ns_fd);
	if (ret)
		return failed("unable to move the interface into the namespace", ret, &t->host);
	t->link_in_host = false;
	return 0;
}

static int configure_device(struct tunnel *t)
{
	uint16_t family;
	int ret;

	say("ip netns exec %s wg setconf %s <(nswg strip %s)", t->ns, t->lc.ifname, t->lc.path);
	if (t->dry_run)
		return 0;
	/* The genl socket lives in the namespace: the kernel looks the name up there. */
	ret = wgnl_family(&t->genl, &family);
	if (!ret)
		ret = wgnl_set_device(&t->genl, family, t->lc.ifname, t->lc.cfg, true);
	return ret ? failed("unable to configure the interface", ret, &t->genl) : 0;
}

static int add_addresses(struct tunnel *t)
{
	const struct nswg_config *cfg = t->lc.cfg;
	char ip[INET6_ADDRSTRLEN], ipn[4200];
	int ret;

	for (size_t i = 0; i < cfg->n_addresses; ++i) {
		const struct nswg_prefix *p = &cfg->addresses[i];

		inet_ntop(p->family, p->raw, ip, sizeof(ip));
		say("%s %s address add %s/%u dev %s", ip_n(t, ipn, sizeof(ipn)), family_flag(p->family), ip, p->cidr,
		    t->lc.ifname);
		if (t->dry_run)
			continue;
		ret = rtnl_addr_add(&t->target, t->ifindex, p);
		if (ret) {
			snprintf(ipn, sizeof(ipn), "unable to add address %s/%u", ip, p->cidr);
			return failed(ipn, ret, &t->target);
		}
		if (stop)
			return -EINTR;
	}
	return 0;
}

/* The kernel's own route for an address's prefix, which wg-quick's `ip route show match' finds. */
static bool covered_by_address(const struct nswg_config *cfg, const struct nswg_prefix *p)
{
	for (size_t i = 0; i < cfg->n_addresses; ++i) {
		const struct nswg_prefix *a = &cfg->addresses[i];
		unsigned int bits = a->cidr;

		if (a->family != p->family || bits > p->cidr || bits == (a->family == AF_INET6 ? 128U : 32U))
			continue;
		if (memcmp(a->raw, p->raw, bits / 8))
			continue;
		if (bits % 8 && ((a->raw[bits / 8] ^ p->raw[bits / 8]) & (0xff00 >> (bits % 8))))
			continue;
		return true;
	}
	return false;
}

static int add_routes(struct tunnel *t)
{
	const struct nswg_config *cfg = t->lc.cfg;
	uint32_t table = cfg->table == NSWG_TABLE_ID ? cfg->table_id : 254;
	char ip[INET6_ADDRSTRLEN], ipn[4200], tbl[32] = "";
	struct nswg_prefix *prefixes;
	size_t n;
	int ret;

	if (cfg->table == NSWG_TABLE_OFF)
		return 0;
	if (cfg->table == NSWG_TABLE_ID)
		snprintf(tbl, sizeof(tbl), " table %u", table);
	ret = config_device_allowedips(cfg, &prefixes, &n);
	if (ret)
		return failed("unable to list the allowed IPs", ret, NULL);
	/* No other way out: 0.0.0.0/0 is a plain route, no fwmark or rules needed. */
	for (size_t i = 0; !ret && i < n; ++i) {
		const struct nswg_prefix *p = &prefixes[i];

		if ((p->family == AF_INET6 && t->ipv6_off) ||
		    (cfg->table != NSWG_TABLE_ID && covered_by_address(cfg, p)))
			continue;
		inet_ntop(p->family, p->raw, ip, sizeof(ip));
		say("%s %s route add %s/%u dev %s%s", ip_n(t, ipn, sizeof(ipn)), family_flag(p->family), ip, p->cidr,
		    t->lc.ifname, tbl);
		if (t->dry_run)
			continue;
		ret = rtnl_route_add(&t->target, t->ifindex, p, table);
		if (ret) {
			snprintf(ipn, sizeof(ipn), "unable to add route %s/%u", ip, p->cidr);
			failed(ipn, ret, &t->target);
		} else if (stop)
			ret = -EINTR;
	}
	free(prefixes);
	return ret;
}

static int set_dns(struct tunnel *t)
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
		if (dns_host_resolver_is_loopback())
			fprintf(stderr, "Warning: %s has no DNS=, and the host's resolver is on a loopback address that "
					"namespace `%s' cannot reach\n", t->lc.path, t->ns);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/%s", NSWG_NETNS_ETC_DIR, t->ns);
	say("write %s/resolv.conf and nsswitch.conf", path);
	if (t->dry_run)
		return 0;
	ret = dns_apply(t->ns, cfg, t->state_dir, &t->st);
	return ret ? failed("unable to write the namespace's DNS files", ret, NULL) : 0;
}

static int verify_host(struct tunnel *t)
{
	struct rtnl_snapshot after;
	char what[512];
	int ret;

	if (t->dry_run)
		return 0;
	ret = rtnl_snapshot_take(&t->host, &after);
	if (ret)
		return failed("unable to read the host's links and routes", ret, &t->host);
	if (!rtnl_snapshot_same(&t->before, &after, t->lc.ifname, what, sizeof(what))) {
		fprintf(stderr, "%s: the host changed during up, rolling back: %s\n", prog, what);
		ret = -EAGAIN;
	}
	rtnl_snapshot_free(&after);
	return ret;
}

/* ---- the way back ---- */

static void remove_link(struct tunnel *t)
{
	char ipn[4200];

	if (t->link_in_host) {
		struct rtnl_link link;

		say("ip link delete dev %s", t->lc.ifname);
		if (!rtnl_link_get(&t->host, t->lc.ifname, 0, &link))
			rtnl_link_delete(&t->host, link.ifindex);
		return;
	}
	say("%s link delete dev %s", ip_n(t, ipn, sizeof(ipn)), t->lc.ifname);
	if (!t->ifindex) {
		struct rtnl_link link;

		if (rtnl_link_get(&t->target, t->lc.ifname, 0, &link))
			return;
		t->ifindex = link.ifindex;
	}
	rtnl_link_delete(&t->target, t->ifindex);
}

static void rollback(struct tunnel *t)
{
	if (t->dry_run)
		return;
	if (t->link_created)
		remove_link(t);
	if (t->st.dns_written)
		dns_restore(t->ns, t->state_dir, &t->st);
	ipv6_restore(t);
	lo_restore(t, &t->target);
	if (t->st.netns_created) {
		say("ip netns delete %s", t->ns);
		netns_delete(t->ns);
	}
	if (t->state_written)
		state_remove(t->key, t->lc.ifname);
}

/* ---- up ---- */

static int open_sockets(struct tunnel *t)
{
	int ret = nl_open(&t->host, NETLINK_ROUTE);

	if (!ret)
		ret = rtnl_snapshot_take(&t->host, &t->before);
	if (ret)
		return failed("unable to read the host's links and routes", ret, &t->host);
	return 0;
}

static int open_target_sockets(struct tunnel *t)
{
	int ret = nl_open_in(&t->target, NETLINK_ROUTE, t->ns_fd);

	if (!ret)
		ret = nl_open_in(&t->genl, NETLINK_GENERIC, t->ns_fd);
	return ret ? failed("unable to open netlink sockets in the namespace", ret, NULL) : 0;
}

static int check_absent(struct tunnel *t)
{
	struct rtnl_link link;
	int ret = rtnl_link_get(&t->target, t->lc.ifname, 0, &link);

	if (!ret) {
		fprintf(stderr, "%s: `%s' already exists in namespace `%s'\n", prog, t->lc.ifname, t->ns);
		return -EEXIST;
	}
	return ret == -ENODEV ? 0 : failed("unable to look for the interface", ret, &t->target);
}

static int bring_up(struct tunnel *t)
{
	struct rtnl_link link;
	char ipn[4200];
	int ret;

	if (!has_ipv6_address(t->lc.cfg) && (ret = ipv6_disable(t)))
		return ret;
	if ((ret = create_link(t)) || stop)
		return ret ? ret : -EINTR;
	if (!t->dry_run) {
		ret = rtnl_link_get(&t->target, t->lc.ifname, 0, &link);
		if (ret)
			return failed("unable to find the new interface in the namespace", ret, &t->target);
		t->ifindex = link.ifindex;
	}
	if ((ret = configure_device(t)) || stop)
		return ret ? ret : -EINTR;
	if ((ret = add_addresses(t)))
		return ret;
	say("%s link set mtu %u up dev %s", ip_n(t, ipn, sizeof(ipn)), t->mtu, t->lc.ifname);
	if (!t->dry_run && (ret = rtnl_link_set(&t->target, t->ifindex, t->mtu, true)))
		return failed("unable to set the MTU and bring the interface up", ret, &t->target);
	if ((ret = add_routes(t)) || stop)
		return ret ? ret : -EINTR;
	/* Late: bringing lo up leaves a trace (its qdisc) that going down does not undo. */
	if (!t->dry_run && (ret = rtnl_link_get(&t->target, "lo", 0, &link)))
		return failed("unable to find the namespace's loopback", ret, &t->target);
	if (t->dry_run || !(link.flags & IFF_UP)) {
		say("%s link set lo up", ip_n(t, ipn, sizeof(ipn)));
		if (!t->dry_run && (ret = rtnl_link_set(&t->target, link.ifindex, 0, true)))
			return failed("unable to bring up the namespace's loopback", ret, &t->target);
		t->st.lo_brought_up = !t->st.netns_created;
	}
	if ((ret = set_dns(t)) || stop)
		return ret ? ret : -EINTR;
	return 0;
}

int cmd_up(int argc, char *argv[])
{
	struct tunnel t;
	int ret;

	catch_signals();
	ret = parse_options(&t, argc, argv, false);
	if (ret)
		goto out;
	if ((ret = resolve(&t)))
		goto out;
	if (t.dry_run) {
		t.mtu = t.lc.cfg->mtu ? t.lc.cfg->mtu : 1420;
		ret = open_namespace(&t, true);
		if (!ret)
			ret = bring_up(&t);
		goto out;
	}
	if ((ret = open_sockets(&t)) || (ret = find_mtu(&t)))
		goto out;
	if ((ret = open_namespace(&t, true)))
		goto rollback;
	if ((ret = lock_namespace(&t)) || (ret = open_target_sockets(&t)) || (ret = check_absent(&t)))
		goto rollback;
	if ((ret = bring_up(&t)))
		goto rollback;
	ret = state_write(t.key, &t.st);
	if (ret) {
		failed("unable to record the state under " NSWG_STATE_DIR, ret, NULL);
		goto rollback;
	}
	t.state_written = true;
	if ((ret = verify_host(&t)) || stop)
		goto rollback;
	goto out;
rollback:
	if (stop)
		fprintf(stderr, "%s: interrupted by signal %d, rolling back\n", prog, stop);
	rollback(&t);
	ret = ret ? ret : -EINTR;
out:
	tunnel_close(&t);
	return ret ? 1 : 0;
}

/* ---- save ---- */

/* As `wg-quick save': the running configuration back into the file. */
static int save_running(struct tunnel *t, const struct rtnl_link *link)
{
	struct nswg_config *device = NULL;
	struct nswg_prefix *addresses = NULL;
	char path[4096], *text = NULL;
	size_t n, len = 0;
	bool renaming;
	uint16_t family;
	int ret;

	say("ip netns exec %s wg showconf %s", t->ns, t->lc.ifname);
	if (t->dry_run)
		return 0;
	if (!realpath(t->lc.path, path))
		return failed("unable to find the configuration file", -errno, NULL);
	ret = nl_open_in(&t->genl, NETLINK_GENERIC, t->ns_fd);
	if (!ret)
		ret = wgnl_family(&t->genl, &family);
	if (!ret)
		ret = wgnl_get_device(&t->genl, family, t->lc.ifname, &device);
	if (ret)
		return failed("unable to read the interface's configuration", ret, &t->genl);
	ret = rtnl_addr_list(&t->target, link->ifindex, &addresses, &n);
	if (ret)
		failed("unable to read the interface's addresses", ret, &t->target);
	else if ((ret = config_render_saved(t->lc.cfg, addresses, n, link->mtu, device, &text, &len)))
		failed("unable to compose the configuration", ret, NULL);
	else if ((ret = file_write_atomic(path, text, len, 0600, &renaming)))
		fprintf(stderr, "%s: Could not %s configuration file: %s\n", prog, renaming ? "move" : "write",
			strerror(-ret));
	if (text)
		memzero_explicit(text, len);
	free(text);
	free(addresses);
	config_free(device);
	return ret;
}

/* ---- down ---- */

static int find_state(struct tunnel *t, bool ns_given)
{
	int ret;

	if (!ns_given) {
		/* Without --netns: the one namespace nswg put this interface in. */
		ret = state_find(t->lc.ifname, t->key, sizeof(t->key));
		if (ret == -EEXIST) {
			fprintf(stderr, "%s: `%s' is up in several namespaces: name one with --netns\n", prog,
				t->lc.ifname);
			return ret;
		}
		if (!ret) {
			ret = state_read(t->key, t->lc.ifname, &t->st);
			if (ret)
				return failed("unable to read the state", ret, NULL);
			t->ns = t->st.netns;
			t->ns_named = !netns_arg_is_path(t->ns);
			free(t->ns_path);
			if (netns_path(t->ns, &t->ns_path))
				return -ENOMEM;
		}
	}
	t->ns_fd = netns_open(t->ns_path);
	if (t->ns_fd < 0) {
		fprintf(stderr, "%s: `%s' is not a WireGuard interface: namespace `%s' does not exist\n", prog,
			t->lc.ifname, t->ns);
		return t->ns_fd;
	}
	ret = lock_namespace(t);
	if (ret)
		return ret;
	ret = state_read(t->key, t->lc.ifname, &t->st);
	if (ret && ret != -ENOENT)
		return failed("unable to read the state", ret, NULL);
	if (ret) {
		/* Not brought up by nswg: take the interface down, touch nothing else. */
		memset(&t->st, 0, sizeof(t->st));
		t->st.ipv6_all = t->st.ipv6_default = -1;
	}
	return 0;
}

/* For down and save: the interface an earlier up made, and its namespace. */
static int open_existing(struct tunnel *t, int argc, char *argv[], bool down, struct rtnl_link *link)
{
	int ret = parse_options(t, argc, argv, down);

	if (ret || (ret = find_state(t, t->ns_given)))
		return ret;
	ret = nl_open_in(&t->target, NETLINK_ROUTE, t->ns_fd);
	if (ret)
		return failed("unable to open a netlink socket in the namespace", ret, NULL);
	ret = rtnl_link_get(&t->target, t->lc.ifname, 0, link);
	if (ret || (strcmp(link->kind, "wireguard") && strcmp(link->kind, "tun"))) {
		fprintf(stderr, "%s: `%s' is not a WireGuard interface in namespace `%s'\n", prog, t->lc.ifname, t->ns);
		return ret ? ret : -EINVAL;
	}
	return 0;
}

int cmd_down(int argc, char *argv[])
{
	struct rtnl_link link;
	struct tunnel t;
	char ipn[4200];
	int ret;

	if ((ret = open_existing(&t, argc, argv, true, &link)))
		goto out;
	/* As wg-quick: a configuration that cannot be saved stops down. */
	if (t.lc.cfg->save_config && (ret = save_running(&t, &link)))
		goto out;
	say("%s link delete dev %s", ip_n(&t, ipn, sizeof(ipn)), t.lc.ifname);
	if (!t.dry_run && (ret = rtnl_link_delete(&t.target, link.ifindex))) {
		failed("unable to delete the interface", ret, &t.target);
		goto out;
	}
	if (t.st.dns_written) {
		say("restore %s/%s/resolv.conf and nsswitch.conf", NSWG_NETNS_ETC_DIR, t.ns);
		if (!t.dry_run && (ret = dns_restore(t.ns, t.state_dir, &t.st)))
			failed("unable to restore the namespace's DNS files", ret, NULL);
	}
	if (t.st.netns_created && !t.keep_netns) {
		say("ip netns delete %s", t.ns);
		if (!t.dry_run && netns_delete(t.ns))
			fprintf(stderr, "%s: unable to delete namespace `%s'\n", prog, t.ns);
	} else if (!t.dry_run) {
		if (t.keep_netns)
			t.st.netns_created = false;
		ipv6_restore(&t);
		lo_restore(&t, &t.target);
	}
	if (!t.dry_run)
		state_remove(t.key, t.lc.ifname);
out:
	tunnel_close(&t);
	return ret ? 1 : 0;
}

int cmd_save(int argc, char *argv[])
{
	struct rtnl_link link;
	struct tunnel t;
	int ret;

	if (!(ret = open_existing(&t, argc, argv, false, &link)))
		ret = save_running(&t, &link);
	tunnel_close(&t);
	return ret ? 1 : 0;
}

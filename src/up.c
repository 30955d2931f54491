// SPDX-License-Identifier: MIT
/*
 * nswg up: the steps, in order, as wg-quick's cmd_up lists them.
 *
 * Everything that can fail without touching anything (reading the file,
 * resolving endpoints, finding the MTU) happens first. Then each step that
 * changes something is named in the journal before it runs (tunnel.h), and
 * any failure or signal goes the one way back, tunnel_teardown(), which
 * down takes too.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "device.h"
#include "netns.h"
#include "prefix.h"
#include "tunnel.h"
#include "uapi.h"
#include "userspace.h"
#include "util.h"

/* ---- the interface ---- */

/* The interface just made on the host, of that kind, into the namespace at once. */
static int move_into_namespace(struct tunnel *t, const char *kind)
{
	struct rtnl_link link;
	char ipn[4200];
	int ret;

	if (!tunnel_say(t, "%s link set %s netns %s", tunnel_via_ip(t, ipn, sizeof(ipn)), t->lc.ifname, t->ns))
		return 0;
	ret = rtnl_link_get(&t->host, t->lc.ifname, 0, &link);
	if (!ret && strcmp(link.kind, kind))
		ret = -EINVAL; /* not ours: someone else's link of that name */
	if (ret)
		return tunnel_failed("unable to move the interface into the namespace", ret, &t->host);
	/* By its index from now on: a link of that name on the host later is the host's. */
	t->st.host_ifindex = link.ifindex;
	if ((ret = tunnel_record(t)))
		return ret;
	ret = rtnl_link_move(&t->host, link.ifindex, t->ns_fd);
	if (ret)
		return tunnel_failed("unable to move the interface into the namespace", ret, &t->host);
	t->st.link = NSWG_LINK_NETNS;
	t->st.host_ifindex = 0;
	return tunnel_record(t);
}

/* The host has no link of this name: one there after a crash can then only be ours. */
static int check_absent_on_host(struct tunnel *t, const char *why)
{
	struct rtnl_link link;
	char where[4200];
	int ret;

	if (t->dry_run)
		return 0;
	ret = rtnl_link_get(&t->host, t->lc.ifname, 0, &link);
	if (!ret) {
		fprintf(stderr, "%s: `%s' exists in %s, where %s\n", prog, t->lc.ifname,
			*t->st.via ? tunnel_outer_name(t, where, sizeof(where)) : "the host namespace", why);
		return -EEXIST;
	}
	return ret == -ENODEV ? 0 : tunnel_failed("unable to look for the interface where its socket goes", ret, &t->host);
}

/* Started, its pid recorded before it may run, and answering on its socket. */
static int run_implementation(struct tunnel *t, const char *impl, const char *sock)
{
	struct daemon_proc proc;
	struct daemon_gate gate;
	int ret, status = 0;

	ret = userspace_spawn(impl, t->lc.ifname, t->log_fd, t->via_fd, &proc, &gate);
	if (ret) {
		fprintf(stderr, "%s: unable to run `%s': %s\n", prog, impl, strerror(-ret));
		return ret;
	}
	if ((ret = tunnel_record_gated(t, &proc, &gate, &t->st.userspace_pid, &t->st.userspace_start)))
		return ret;
	if ((ret = daemon_release(&gate, &proc))) {
		/* It could not be run, and has been waited for. */
		fprintf(stderr, "%s: unable to run `%s': %s\n", prog, impl, strerror(-ret));
		t->st.userspace_pid = 0;
		return ret;
	}
	ret = userspace_wait(t->lc.ifname, &proc, &status);
	if (ret == -ECHILD) {
		fprintf(stderr, "%s: %s exited with status %d before its socket `%s' answered\n", prog, impl,
			WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), sock);
		tunnel_print_log(t, userspace_implementation());
		t->st.userspace_pid = 0;
	} else if (ret) {
		fprintf(stderr, "%s: %s did not open its socket `%s': %s\n", prog, impl, sock, strerror(-ret));
		tunnel_print_log(t, userspace_implementation());
	}
	return ret;
}

/*
 * No WireGuard in the kernel: a userspace implementation, started on the
 * host (in --via's namespace) so that its UDP socket is there. Its TUN
 * interface is born there too; it goes into the namespace before it has an
 * address or a route. The socket's path is the host's whatever the via, and
 * so is the TUN's name: locked host-wide.
 */
static int start_userspace(struct tunnel *t)
{
	const char *impl = userspace_implementation(), *via = t->st.via;
	char sock[128], why[256];
	bool said;
	int ret, fd;

	t->userspace = true;
	if (!*via)
		said = tunnel_say(t, "%s %s", impl, t->lc.ifname);
	else if (netns_arg_is_path(via))
		said = tunnel_say(t, "nsenter --net=%s %s %s", via, impl, t->lc.ifname);
	else
		said = tunnel_say(t, "ip netns exec %s %s %s", via, impl, t->lc.ifname);
	if (!said)
		return move_into_namespace(t, "tun");
	if ((ret = tunnel_lock_host_name(t)))
		return ret;
	uapi_path(t->lc.ifname, sock, sizeof(sock));
	snprintf(why, sizeof(why), "%s must create its interface first", impl);
	if ((ret = check_absent_on_host(t, why)))
		return ret;
	fd = uapi_connect(t->lc.ifname);
	if (fd >= 0) {
		close(fd);
		fprintf(stderr, "%s: `%s' is held by a running userspace implementation\n", prog, sock);
		return -EBUSY;
	}
	t->log_fd = state_log_open(t->key, t->lc.ifname, true);
	if (t->log_fd < 0)
		return tunnel_failed("unable to create the implementation's log under " NSWG_STATE_DIR, t->log_fd, NULL);
	t->st.link = NSWG_LINK_HOST;
	if ((ret = tunnel_record(t)) || (ret = run_implementation(t, impl, sock)))
		return ret;
	return move_into_namespace(t, "tun");
}

/* Older kernels: create on the host, and move it before anything is configured. */
static int create_and_move(struct tunnel *t)
{
	char ipn[4200];
	int ret;

	if (!tunnel_say(t, "%s link add %s type wireguard", tunnel_via_ip(t, ipn, sizeof(ipn)), t->lc.ifname))
		return move_into_namespace(t, "wireguard");
	/* The name is the host's while the link is there: locked host-wide, and seen free. */
	if ((ret = tunnel_lock_host_name(t)) || (ret = check_absent_on_host(t, "it would be created before its move")))
		return ret;
	t->st.link = NSWG_LINK_HOST;
	if ((ret = tunnel_record(t)))
		return ret;
	ret = rtnl_link_create(&t->host, t->lc.ifname, "wireguard", -1);
	if (ret) {
		/* Not made: a link of that name there now is someone else's. */
		t->st.link = NSWG_LINK_NONE;
		tunnel_record(t);
		return tunnel_failed("unable to create the interface", ret, &t->host);
	}
	return move_into_namespace(t, "wireguard");
}

/*
 * The RTM_NEWLINK goes out of the socket's namespace (t->host: the host's,
 * or one opened in --via's) with IFLA_NET_NS_FD naming the target: the
 * interface is born in the target, its UDP socket where the request came from.
 */
static int create_link(struct tunnel *t)
{
	char ipn[4200];
	int ret;

	if (userspace_requested()) {
		fprintf(stderr, "[!] Using the userspace implementation `%s', as the environment asks.\n",
			userspace_implementation());
		return start_userspace(t);
	}
	if (t->force_move)
		return create_and_move(t);
	if (!tunnel_say(t, "%s link add %s netns %s type wireguard", tunnel_via_ip(t, ipn, sizeof(ipn)), t->lc.ifname, t->ns))
		return 0;
	t->st.link = NSWG_LINK_NETNS;
	if ((ret = tunnel_record(t)))
		return ret;
	ret = rtnl_link_create(&t->host, t->lc.ifname, "wireguard", t->ns_fd);
	if (!ret)
		return 0;
	t->st.link = NSWG_LINK_NONE;
	if (ret == -EOPNOTSUPP) {
		fprintf(stderr, "[!] Missing WireGuard kernel module. Falling back to slow userspace implementation.\n");
		return start_userspace(t);
	}
	/* A name taken in the namespace: moving would not help. */
	if (ret == -EEXIST || ret == -ENFILE)
		return tunnel_failed("unable to create the interface in the namespace", ret, &t->host);
	fprintf(stderr, "%s: the kernel refused to create %s in the namespace (%s%s%s); creating it %s%s and "
			"moving it\n", prog, t->lc.ifname, strerror(-ret), *t->host.ext_ack ? ": " : "", t->host.ext_ack,
		*t->st.via ? "in " : "on ", tunnel_outer_name(t, ipn, sizeof(ipn)));
	return create_and_move(t);
}

static int find_link(struct tunnel *t)
{
	struct rtnl_link link;
	int ret;

	if (t->dry_run)
		return 0;
	ret = rtnl_link_get(&t->target, t->lc.ifname, 0, &link);
	if (ret)
		return tunnel_failed("unable to find the new interface in the namespace", ret, &t->target);
	t->ifindex = t->st.ifindex = link.ifindex;
	return tunnel_record(t);
}

static int configure_device(struct tunnel *t)
{
	int ret;

	if (!tunnel_say(t, "ip netns exec %s wg setconf %s <(nswg strip %s)", t->ns, t->lc.ifname, t->lc.path))
		return 0;
	ret = device_set(&t->genl, t->ns_fd, t->lc.ifname, t->userspace, t->lc.cfg, true);
	return ret ? tunnel_failed("unable to configure the interface", ret, &t->genl) : 0;
}

static int add_addresses(struct tunnel *t)
{
	const struct nswg_config *cfg = t->lc.cfg;
	int ret;

	for (size_t i = 0; i < cfg->n_addresses; ++i) {
		if ((ret = tunnel_address_change(t, &cfg->addresses[i], true)))
			return ret;
		if (tunnel_stop)
			return -EINTR;
	}
	return 0;
}

static int set_mtu_up(struct tunnel *t)
{
	char ipn[4200];
	int ret;

	if (!tunnel_say(t, "%s link set mtu %u up dev %s", tunnel_ip_n(t, ipn, sizeof(ipn)), t->mtu, t->lc.ifname))
		return 0;
	ret = rtnl_link_set(&t->target, t->ifindex, t->mtu, true);
	return ret ? tunnel_failed("unable to set the MTU and bring the interface up", ret, &t->target) : 0;
}

/*
 * Routes go to the kernel in batches, one round trip each. The kernel queues
 * every acknowledgement of a batch before we read one, each taking far more
 * of the socket's receive buffer than its size: 128 of them fit easily.
 */
#define ROUTE_BATCH_MSGS 128
#define ROUTE_MSG_MAX 128
#define ROUTE_BATCH_BYTES (ROUTE_BATCH_MSGS * ROUTE_MSG_MAX)

struct route_batch {
	char *buf;
	size_t len, n;
	const struct nswg_prefix *prefixes[ROUTE_BATCH_MSGS];
};

static int route_flush(struct tunnel *t, struct route_batch *b)
{
	char ip[INET6_ADDRSTRLEN], what[128];
	size_t bad;
	int ret;

	if (!b->n)
		return 0;
	ret = nl_request_batch(&t->target, b->buf, b->len, b->n, &bad);
	if (ret) {
		const struct nswg_prefix *p = b->prefixes[bad];

		snprintf(what, sizeof(what), "unable to add route %s/%u", inet_ntop(p->family, p->raw, ip, sizeof(ip)),
			 p->cidr);
		tunnel_failed(what, ret, &t->target);
	}
	memset(b->buf, 0, b->len);
	b->len = b->n = 0;
	return ret ? ret : tunnel_stop ? -EINTR : 0;
}

/* No other way out: 0.0.0.0/0 is a plain route, no fwmark or rules needed. */
static int add_routes(struct tunnel *t)
{
	const struct nswg_config *cfg = t->lc.cfg;
	uint32_t table = tunnel_route_table(cfg);
	char ip[INET6_ADDRSTRLEN], ipn[4200], tbl[32] = "";
	struct route_batch b = { 0 };
	struct nswg_prefix *prefixes;
	struct nlmsghdr *nlh;
	size_t n;
	int ret;

	if (cfg->table == NSWG_TABLE_OFF)
		return 0;
	if (cfg->table == NSWG_TABLE_ID)
		snprintf(tbl, sizeof(tbl), " table %u", table);
	ret = config_device_allowedips(cfg, &prefixes, &n);
	if (!ret && !(b.buf = calloc(1, ROUTE_BATCH_BYTES)))
		ret = -ENOMEM;
	if (ret) {
		free(prefixes);
		return tunnel_failed("unable to list the allowed IPs", ret, NULL);
	}
	for (size_t i = 0; !ret && i < n; ++i) {
		const struct nswg_prefix *p = &prefixes[i];

		if (!tunnel_route_wanted(t, p))
			continue;
		inet_ntop(p->family, p->raw, ip, sizeof(ip));
		if (!tunnel_say(t, "%s %s route add %s/%u dev %s%s", tunnel_ip_n(t, ipn, sizeof(ipn)),
				prefix_family_flag(p->family), ip, p->cidr, t->lc.ifname, tbl))
			continue;
		if ((b.len + ROUTE_MSG_MAX > ROUTE_BATCH_BYTES || b.n == ARRAY_SIZE(b.prefixes)) &&
		    (ret = route_flush(t, &b)))
			break;
		nlh = rtnl_msg_route_add(b.buf + b.len, t->ifindex, p, table);
		b.len += MNL_ALIGN(nlh->nlmsg_len);
		b.prefixes[b.n++] = p;
	}
	if (!ret)
		ret = route_flush(t, &b);
	free(b.buf);
	free(prefixes);
	return ret;
}

/* Late: bringing lo up leaves a trace (its qdisc) that going down does not undo. */
static int loopback_up(struct tunnel *t)
{
	struct rtnl_link link = { 0 };
	char ipn[4200];
	int ret;

	if (!t->dry_run && (ret = rtnl_link_get(&t->target, "lo", 0, &link)))
		return tunnel_failed("unable to find the namespace's loopback", ret, &t->target);
	if (link.flags & IFF_UP)
		return 0;
	if (!tunnel_say(t, "%s link set lo up", tunnel_ip_n(t, ipn, sizeof(ipn))))
		return 0;
	if (!t->room.netns_created && !t->room.lo_brought_up) {
		struct nswg_prefix *addresses = NULL;
		size_t n = 0;

		if ((ret = rtnl_addr_list(&t->target, link.ifindex, &addresses, &n)))
			return tunnel_failed("unable to read the loopback's addresses", ret, &t->target);
		free(addresses);
		t->room.lo_brought_up = true;
		t->room.lo_bare = !n;
		if ((ret = tunnel_record_room(t)))
			return ret;
	}
	ret = rtnl_link_set(&t->target, link.ifindex, 0, true);
	return ret ? tunnel_failed("unable to bring up the namespace's loopback", ret, &t->target) : 0;
}

static int set_ipv6(struct tunnel *t)
{
	return tunnel_has_ipv6_address(t->lc.cfg) ? tunnel_ipv6_enable(t) : tunnel_ipv6_disable(t);
}

/* The steps, in order; each checks nothing of the others' but the tunnel. */
static const struct {
	int (*run)(struct tunnel *t);
} steps[] = {
	{ set_ipv6 },
	{ create_link },
	{ find_link },
	{ configure_device },
	{ add_addresses },
	{ set_mtu_up },
	{ add_routes },
	{ loopback_up },
	{ tunnel_set_dns },
	{ tunnel_relay_start },
};

static int bring_up(struct tunnel *t)
{
	int ret;

	for (size_t i = 0; i < ARRAY_SIZE(steps); ++i) {
		if ((ret = steps[i].run(t)) || tunnel_stop)
			return ret ? ret : -EINTR;
	}
	return 0;
}

/* ---- before and after the steps ---- */

/* The guard's first look: at the socket's namespace, and with --via at the host too. */
static int open_host(struct tunnel *t)
{
	char where[4200], step[4300];
	int ret = tunnel_open_outer(t);

	if (ret)
		return ret;
	ret = rtnl_snapshot_take(&t->host, &t->before);
	if (!ret && t->real_host.sock)
		ret = rtnl_snapshot_take(&t->real_host, &t->real_before);
	snprintf(step, sizeof(step), "unable to read the links and routes of %s", tunnel_outer_name(t, where, sizeof(where)));
	return ret ? tunnel_failed(step, ret, &t->host) : 0;
}

static int open_target_sockets(struct tunnel *t)
{
	int ret = nl_open_in(&t->target, NETLINK_ROUTE, t->ns_fd);

	if (!ret)
		ret = nl_open_in(&t->genl, NETLINK_GENERIC, t->ns_fd);
	return ret ? tunnel_failed("unable to open netlink sockets in the namespace", ret, NULL) : 0;
}

static int check_absent(struct tunnel *t)
{
	struct rtnl_link link;
	int ret = rtnl_link_get(&t->target, t->lc.ifname, 0, &link);

	if (!ret) {
		fprintf(stderr, "%s: `%s' already exists in namespace `%s'\n", prog, t->lc.ifname, t->ns);
		return -EEXIST;
	}
	return ret == -ENODEV ? 0 : tunnel_failed("unable to look for the interface", ret, &t->target);
}

/* The namespace the room names, when another interface is already there. */
static int check_room(struct tunnel *t)
{
	struct netns_id id;
	char other[256];
	int vias = -1, ret = netns_identity(t->ns_fd, &id);

	if (ret)
		return tunnel_failed("unable to identify the namespace", ret, NULL);
	/* One namespace, one room: spelled another way (a path, an attached name), it would get a second. */
	if (!state_find_room(&id, other, sizeof(other)) && strcmp(other, t->key)) {
		fprintf(stderr, "%s: `%s' is the namespace nswg knows as `%s': name it so\n", prog, t->ns,
			*other == '@' ? "a path" : other + (*other == '%'));
		return -EEXIST;
	}
	if (t->room.netns_id.ino && !netns_id_same(&t->room.netns_id, &id)) {
		fprintf(stderr, "%s: namespace `%s' was removed and made again since nswg brought up an interface in "
				"it: `nswg down' that one first\n", prog, t->ns);
		return -ESTALE;
	}
	if (*t->st.via && (vias = state_lock_vias()) < 0)
		return tunnel_failed("unable to lock the records' vias", vias, NULL);
	if (!(ret = tunnel_via_not_inner(t, &id))) {
		t->st.netns_id = t->room.netns_id = id;
		if (!(ret = tunnel_record_room(t)))
			ret = tunnel_record(t);
	}
	if (vias >= 0)
		close(vias);
	return ret;
}

/*
 * A record left by an up that was killed: its undo is finished first, and
 * this up starts afresh. A complete record means the interface is up.
 */
static int finish_interrupted(struct tunnel *t)
{
	struct nswg_state fresh = t->st;
	bool had_fd = t->ns_fd >= 0;
	int ret = state_read(t->key, t->lc.ifname, &t->st);

	if (ret == -ENOENT) {
		t->st = fresh;
		return 0;
	}
	if (ret)
		return tunnel_failed("unable to read the state", ret, NULL);
	if (t->st.complete) {
		fprintf(stderr, "%s: `%s' already exists in namespace `%s'\n", prog, t->lc.ifname, t->ns);
		return -EEXIST;
	}
	fprintf(stderr, "%s: an earlier up of `%s' was interrupted: finishing its undo first\n", prog, t->lc.ifname);
	t->has_record = true;
	/* The teardown opens a named namespace itself, and finds out whether it is still the one recorded. */
	ret = tunnel_teardown(t, TEARDOWN_ROLLBACK);
	tunnel_unblock_signals();
	nl_close(&t->target);
	if (!had_fd && t->ns_fd >= 0) {
		close(t->ns_fd);
		t->ns_fd = -1;
	}
	t->ns_gone = t->has_record = t->undoing = false;
	t->ifindex = 0;
	t->st = fresh;
	/* Not finished: its record stays for a later down, and this up touches nothing. */
	if (ret)
		return ret;
	/* The room may be gone with it, and the namespace too. */
	return tunnel_read_room(t);
}

static int verify_namespace(struct tunnel *t)
{
	if (t->dry_run || tunnel_name_leads_to_namespace(t))
		return 0;
	fprintf(stderr, "%s: namespace `%s' was removed or replaced during up, rolling back\n", prog, t->ns);
	return -ESTALE;
}

/*
 * And the via's: removed meanwhile (a down of its tunnel that did not see
 * this one's record yet), it would die with nswg, and this socket with it.
 */
static int verify_via(struct tunnel *t)
{
	if (t->dry_run || t->via_fd < 0 || tunnel_via_name_leads(t))
		return 0;
	fprintf(stderr, "%s: namespace `%s' (--via) was removed or replaced during up, rolling back\n", prog, t->st.via);
	return -ESTALE;
}

/* ifname: the link that may pass through there (a TUN, the fallback's), or "". */
static int verify_one(struct nl *nl, const struct rtnl_snapshot *before, const char *where, const char *ifname)
{
	struct rtnl_snapshot after;
	char what[512], step[4300];
	int ret = rtnl_snapshot_take(nl, &after);

	if (ret) {
		snprintf(step, sizeof(step), "unable to read the links and routes of %s", where);
		return tunnel_failed(step, ret, nl);
	}
	if (!rtnl_snapshot_same(before, &after, ifname, what, sizeof(what))) {
		fprintf(stderr, "%s: %s changed during up, rolling back: %s\n", prog, where, what);
		ret = -EAGAIN;
	}
	rtnl_snapshot_free(&after);
	return ret;
}

static int verify_host(struct tunnel *t)
{
	char where[4200];
	int ret;

	if (t->dry_run)
		return 0;
	ret = verify_one(&t->host, &t->before, tunnel_outer_name(t, where, sizeof(where)), t->lc.ifname);
	/* With --via nothing of this interface's ever is on the host, not even for an instant. */
	if (!ret && t->real_host.sock)
		ret = verify_one(&t->real_host, &t->real_before, "the host", "");
	return ret;
}

/* Locked, a fresh record, the namespace open and checked: ready for the steps. */
static int prepare(struct tunnel *t)
{
	int ret;

	/*
	 * A named namespace is locked before it is looked for or made: an up
	 * that loses a race must not remove a namespace another up has filled.
	 */
	if (t->ns_named) {
		if ((ret = tunnel_lock_namespace(t)) || (ret = finish_interrupted(t)) || (ret = tunnel_record(t)))
			return ret;
		return tunnel_open_namespace(t, true);
	}
	if ((ret = tunnel_open_namespace(t, false)) || (ret = tunnel_lock_namespace(t)) ||
	    (ret = finish_interrupted(t)))
		return ret;
	return tunnel_record(t);
}

int cmd_up(int argc, char *argv[])
{
	struct tunnel t;
	int ret;

	tunnel_catch_signals();
	ret = tunnel_parse_options(&t, argc, argv, TUNNEL_UP);
	if (ret || (ret = tunnel_check_removals(&t, false)) || (ret = tunnel_via_open(&t)) ||
	    (ret = tunnel_relay_check(&t)) || (ret = tunnel_resolve(&t)))
		goto out;
	if (t.dry_run) {
		/* No route is asked for: the MTU shown is the rule's without one. */
		t.mtu = t.lc.cfg->mtu ? t.lc.cfg->mtu : NSWG_MTU_DEFAULT_LINK - NSWG_MTU_OVERHEAD;
		if (!(ret = tunnel_open_namespace(&t, true)))
			ret = bring_up(&t);
		goto out;
	}
	if ((ret = open_host(&t)) || (ret = tunnel_find_mtu(&t)))
		goto out;
	if ((ret = prepare(&t))) {
		if (ret == -EEXIST && !t.has_record)
			goto out; /* already up: not ours to touch */
		goto rollback;
	}
	if ((ret = check_room(&t)) || (ret = open_target_sockets(&t)) || (ret = check_absent(&t)) ||
	    (ret = bring_up(&t)))
		goto rollback;
	/* What show compares with the host's default routes: the host's, whatever the via. */
	t.st.host_routes = rtnl_snapshot_digest(t.real_host.sock ? &t.real_before : &t.before);
	if ((ret = verify_host(&t)) || tunnel_stop)
		goto rollback;
	t.st.complete = true;
	/* Last: nothing after this asks anything of the kernel or writes the journal. */
	if (!(ret = tunnel_record(&t)) && !(ret = verify_namespace(&t)) && !(ret = verify_via(&t)) && !tunnel_stop)
		goto out;
rollback:
	if (tunnel_stop)
		fprintf(stderr, "%s: interrupted by signal %d, rolling back\n", prog, (int)tunnel_stop);
	if (t.has_record)
		tunnel_teardown(&t, TEARDOWN_ROLLBACK);
	ret = ret ? ret : -EINTR;
out:
	tunnel_close(&t);
	return ret ? 1 : 0;
}

// SPDX-License-Identifier: MIT
/*
 * The one way back. A failed up and a down both come here, driven by the
 * journal: each step undoes one thing the record names and tolerates that
 * thing being absent (the record is written before each step of up, so it
 * may name what was never made). Each is idempotent, so the record is not
 * rewritten on the way: an interrupted teardown simply runs again, and the
 * record goes only once everything went back.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netns.h"
#include "tunnel.h"
#include "userspace.h"

static bool kind_is_ours(const struct rtnl_link *link)
{
	return !strcmp(link->kind, "wireguard") || !strcmp(link->kind, "tun");
}

static int open_target(struct tunnel *t)
{
	if (t->target.sock)
		return 0;
	return nl_open_in(&t->target, NETLINK_ROUTE, t->ns_fd);
}

/* The interface in the namespace: the one open, or the one the record says may exist. */
static int remove_link_in_namespace(struct tunnel *t)
{
	struct rtnl_link link;
	char ipn[4200];
	int ret;

	if (t->ns_gone || t->ns_fd < 0 || (!t->ifindex && t->st.link == NSWG_LINK_NONE))
		return 0;
	if (!tunnel_say(t, "%s link delete dev %s", tunnel_ip_n(t, ipn, sizeof(ipn)), t->lc.ifname))
		return 0;
	if ((ret = open_target(t)))
		return ret;
	if (!t->ifindex) {
		ret = rtnl_link_get(&t->target, t->lc.ifname, 0, &link);
		if (ret == -ENODEV || (!ret && !kind_is_ours(&link)))
			return 0;
		if (ret)
			return ret;
		t->ifindex = link.ifindex;
	}
	ret = rtnl_link_delete(&t->target, t->ifindex);
	if (ret == -ENODEV)
		ret = 0;
	if (!ret)
		t->ifindex = 0;
	return ret;
}

/* A TUN, or the fallback's link, that was still to be moved. */
static int remove_link_on_host(struct tunnel *t)
{
	struct rtnl_link link;
	int ret;

	if (t->st.link != NSWG_LINK_HOST)
		return 0;
	if (!t->host.sock && (ret = nl_open(&t->host, NETLINK_ROUTE)))
		return ret;
	ret = rtnl_link_get(&t->host, t->lc.ifname, 0, &link);
	if (ret == -ENODEV || (!ret && !kind_is_ours(&link)))
		return 0;
	if (!ret && tunnel_say(t, "ip link delete dev %s", t->lc.ifname))
		ret = rtnl_link_delete(&t->host, link.ifindex);
	return ret == -ENODEV ? 0 : ret;
}

static int remove_link(struct tunnel *t)
{
	int ret = remove_link_in_namespace(t);

	if (!ret)
		ret = remove_link_on_host(t);
	if (ret)
		return tunnel_failed("unable to delete the interface", ret, &t->target);
	t->st.link = NSWG_LINK_NONE;
	return 0;
}

static int stop_userspace(struct tunnel *t)
{
	struct userspace_proc proc = { .pid = t->st.userspace_pid, .start = t->st.userspace_start };
	int ret;

	if (!proc.pid || !tunnel_say(t, "kill %d", proc.pid))
		return 0;
	/* The socket path is the host's: no up of the same name may look at it meanwhile. */
	if ((ret = tunnel_lock_host_name(t)))
		return ret;
	ret = userspace_stop(&proc, t->lc.ifname);
	if (ret) {
		fprintf(stderr, "%s: unable to stop %s (pid %d): %s\n", prog, userspace_implementation(), proc.pid,
			strerror(-ret));
		return ret;
	}
	t->st.userspace_pid = 0;
	t->st.userspace_start = 0;
	return 0;
}

/* The addresses the kernel gave a bare loopback when it came up (127.0.0.1/8, ::1), and their local routes. */
static int lo_strip(struct tunnel *t, int ifindex)
{
	struct nswg_prefix *addresses = NULL;
	size_t n = 0;
	int ret = rtnl_addr_list(&t->target, ifindex, &addresses, &n);

	for (size_t i = 0; !ret && i < n; ++i) {
		ret = rtnl_addr_del(&t->target, ifindex, &addresses[i]);
		if (ret == -EADDRNOTAVAIL)
			ret = 0;
	}
	free(addresses);
	return ret;
}

/* A namespace nswg did not make gets its loopback state back. */
static int lo_restore(struct tunnel *t)
{
	struct rtnl_link link;
	char ipn[4200];
	int ret;

	if (!t->room.lo_brought_up || !tunnel_say(t, "%s link set lo down", tunnel_ip_n(t, ipn, sizeof(ipn))))
		return 0;
	ret = open_target(t);
	if (!ret)
		ret = rtnl_link_get(&t->target, "lo", 0, &link);
	if (!ret)
		ret = rtnl_link_set(&t->target, link.ifindex, 0, false);
	if (!ret && t->room.lo_bare)
		ret = lo_strip(t, link.ifindex);
	if (ret)
		return tunnel_failed("unable to set the namespace's loopback down again", ret, &t->target);
	t->room.lo_brought_up = t->room.lo_bare = false;
	return 0;
}

/* The last interface of the namespace puts back what they shared. */
static int restore_room(struct tunnel *t, unsigned int flags)
{
	bool remove_netns = t->room.netns_created && !(flags & TEARDOWN_KEEP_NETNS);
	int ret = 0, r;

	if (*t->room.dns_by && t->ns_named && (r = tunnel_dns_put_back(t)))
		ret = r;
	if (!t->ns_gone && t->ns_fd >= 0 && !remove_netns) {
		if ((r = tunnel_ipv6_enable(t)) && !ret)
			ret = r;
		if ((r = lo_restore(t)) && !ret)
			ret = r;
	}
	if (remove_netns && !t->ns_gone && t->ns_named && tunnel_name_leads_to_namespace(t) &&
	    tunnel_say(t, "ip netns delete %s", t->ns)) {
		r = netns_delete(t->ns);
		if (r) {
			fprintf(stderr, "%s: unable to delete namespace `%s': %s\n", prog, t->ns, strerror(-r));
			ret = ret ? ret : r;
		}
	}
	if (!ret && !t->dry_run)
		room_remove(t->key);
	return ret;
}

int tunnel_teardown(struct tunnel *t, unsigned int flags)
{
	size_t others = 0;
	int ret, r;

	tunnel_block_signals();
	t->undoing = true;
	ret = remove_link(t);
	/* down: the interface could not be deleted, and nothing else has changed. */
	if (ret && !(flags & TEARDOWN_ROLLBACK))
		return ret;
	if ((r = stop_userspace(t)) && !ret)
		ret = r;
	if (!t->dry_run && *t->key && (r = state_others(t->key, t->lc.ifname, &others))) {
		tunnel_failed("unable to read the state", r, NULL);
		return ret ? ret : r;
	}
	if (!others && (r = restore_room(t, flags)) && !ret)
		ret = r;
	/* What failed stays recorded, for another down to finish. */
	if (!ret && !t->dry_run && *t->key)
		state_remove(t->key, t->lc.ifname);
	return ret;
}

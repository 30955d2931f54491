// SPDX-License-Identifier: MIT
/*
 * The one way back. A failed up and a down both come here, driven by the
 * journal: each step undoes one thing the record names and tolerates that
 * thing being absent (the record is written before each step of up, so it
 * may name what was never made). Each is idempotent, so the record is not
 * rewritten on the way: an interrupted teardown simply runs again, and the
 * record goes only once everything went back. Nothing is touched that the
 * record does not show to be nswg's: a link by its recorded index, a
 * namespace by its recorded identity.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/*
 * The interface in the namespace: the one down found (no record: the
 * administrator named it), or the one the record says may exist, of our
 * kind and, once known, of the index recorded.
 */
static int remove_link_in_namespace(struct tunnel *t, bool *found)
{
	struct rtnl_link link;
	char ipn[4200];
	int ret;

	*found = false;
	if (t->ns_gone || t->ns_fd < 0 || (t->has_record ? t->st.link == NSWG_LINK_NONE : !t->ifindex))
		return 0;
	if (t->dry_run) {
		tunnel_say(t, "%s link delete dev %s", tunnel_ip_n(t, ipn, sizeof(ipn)), t->lc.ifname);
		return 0;
	}
	if ((ret = open_target(t)))
		return ret;
	ret = rtnl_link_get(&t->target, t->lc.ifname, 0, &link);
	if (ret == -ENODEV)
		return 0;
	if (ret)
		return ret;
	if (!kind_is_ours(&link) || (t->has_record && t->st.ifindex && link.ifindex != t->st.ifindex))
		return 0; /* not the one nswg made */
	*found = true;
	tunnel_say(t, "%s link delete dev %s", tunnel_ip_n(t, ipn, sizeof(ipn)), t->lc.ifname);
	ret = rtnl_link_delete(&t->target, link.ifindex);
	return ret == -ENODEV ? 0 : ret;
}

/*
 * A TUN, or the fallback's link, that was still to be moved: by its recorded
 * index. Without one, a TUN goes with its implementation, which is stopped
 * next; the fallback's link, made under the host-wide lock of its name after
 * nswg saw that name free, is taken by name and kind.
 */
static int remove_link_on_host(struct tunnel *t)
{
	bool userspace = t->userspace || t->st.userspace_pid;
	struct nl outer = { 0 };
	char ipn[4200];
	struct rtnl_link link;
	int ret;

	if (t->st.link != NSWG_LINK_HOST || (!t->st.host_ifindex && userspace))
		return 0;
	/*
	 * Where the record says it was born (the host, or --via's namespace,
	 * which may be another up's than this one's). A via gone took it along.
	 */
	ret = tunnel_open_recorded_outer(t, &outer);
	if (ret == -ENOENT)
		return 0;
	if (!ret)
		ret = rtnl_link_get(&outer, t->st.host_ifindex ? NULL : t->lc.ifname, t->st.host_ifindex, &link);
	if (ret == -ENODEV || (!ret && (strcmp(link.name, t->lc.ifname) || strcmp(link.kind, userspace ? "tun" : "wireguard"))))
		ret = 0;
	else if (!ret && tunnel_say(t, "%s link delete dev %s", tunnel_via_ip(t, ipn, sizeof(ipn)), t->lc.ifname))
		ret = rtnl_link_delete(&outer, link.ifindex);
	nl_close(&outer);
	return ret == -ENODEV ? 0 : ret;
}

static int remove_link(struct tunnel *t)
{
	bool found;
	int ret = remove_link_in_namespace(t, &found);

	/* Found in the namespace: it was moved, and a link of its name on the host is the host's. */
	if (!ret && !found)
		ret = remove_link_on_host(t);
	if (ret)
		return tunnel_failed("unable to delete the interface", ret, &t->target);
	t->st.link = NSWG_LINK_NONE;
	return 0;
}

static int stop_userspace(struct tunnel *t)
{
	struct daemon_proc proc = { .pid = t->st.userspace_pid, .start = t->st.userspace_start };
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

/* What the kernel gave a bare loopback when it came up: 127.0.0.1/8 and ::1, nothing the administrator added since. */
static int lo_strip(struct tunnel *t, int ifindex)
{
	static const struct nswg_prefix given[] = {
		{ .family = AF_INET, .cidr = 8, .raw = { 127, 0, 0, 1 } },
		{ .family = AF_INET6, .cidr = 128, .raw = { [15] = 1 } },
	};
	int ret = 0;

	for (size_t i = 0; !ret && i < sizeof(given) / sizeof(given[0]); ++i) {
		ret = rtnl_addr_del(&t->target, ifindex, &given[i]);
		if (ret == -EADDRNOTAVAIL || ret == -ENOENT)
			ret = 0;
	}
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

/*
 * The namespace nswg made, only while its name leads to it: by the identity
 * recorded, or, killed before that was written, when nothing but its
 * loopback is in it.
 */
static bool netns_ours(struct tunnel *t)
{
	struct netns_id id;
	struct rtnl_snapshot s = { 0 };
	bool bare;

	if (!tunnel_name_leads_to_namespace(t))
		return false;
	if (t->room.netns_id.ino)
		return !netns_identity(t->ns_fd, &id) && netns_id_same(&id, &t->room.netns_id);
	bare = !open_target(t) && !rtnl_snapshot_take(&t->target, &s) && s.n_links <= 1;
	rtnl_snapshot_free(&s);
	return bare;
}

/*
 * The namespace nswg made, deleted, unless another tunnel's socket came to
 * live in it meanwhile (an up --via it while this one rolled back): under
 * the vias' lock, which that up's record waits for.
 */
static int delete_netns(struct tunnel *t, int ret)
{
	int vias, r;

	if (t->dry_run) {
		tunnel_say(t, "ip netns delete %s", t->ns);
		return ret;
	}
	if ((vias = state_lock_vias()) < 0) {
		tunnel_failed("unable to lock the records' vias", vias, NULL);
		return ret ? ret : vias;
	}
	if ((r = tunnel_via_keeps_netns(t)) < 0)
		tunnel_failed("unable to read the records' vias", r, NULL);
	else if (!r && tunnel_say(t, "ip netns delete %s", t->ns) && (r = netns_delete(t->ns)))
		fprintf(stderr, "%s: unable to delete namespace `%s': %s\n", prog, t->ns, strerror(-r));
	close(vias);
	return ret ? ret : r < 0 ? r : 0;
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
	if (remove_netns && !t->ns_gone && t->ns_named && netns_ours(t))
		ret = delete_netns(t, ret);
	if (!ret && !t->dry_run)
		room_remove(t->key);
	return ret;
}

/*
 * The namespace, if it was not opened: gone (nothing inside to undo), the
 * empty file of a creation that was killed (removed), or an error that
 * keeps the records for a later down.
 */
static int reach_namespace(struct tunnel *t)
{
	struct stat st;

	if (t->ns_gone || t->ns_fd >= 0 || t->dry_run)
		return 0;
	t->ns_fd = netns_open(t->ns_path);
	if (t->ns_fd >= 0) {
		if (!tunnel_same_namespace(t)) {
			close(t->ns_fd);
			t->ns_fd = -1;
			t->ns_gone = true;
		}
		return 0;
	}
	if (t->ns_fd == -ENOENT) {
		t->ns_gone = true;
		return 0;
	}
	if (t->ns_fd == -ENOTNAM && t->ns_named && t->room.netns_created && !lstat(t->ns_path, &st) &&
	    S_ISREG(st.st_mode) && !st.st_size && !unlink(t->ns_path)) {
		t->ns_gone = true;
		return 0;
	}
	return tunnel_failed("unable to open the namespace", t->ns_fd, NULL);
}

int tunnel_teardown(struct tunnel *t, unsigned int flags)
{
	size_t others = 0;
	int ret, r;

	tunnel_block_signals();
	t->undoing = true;
	/* First, as it came last: its listening sockets go with it, and nothing is relayed into a half-undone namespace. */
	if ((r = tunnel_relay_stop(t)) && !(flags & TEARDOWN_ROLLBACK))
		return r;
	if ((ret = reach_namespace(t)))
		return ret;
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
	/* The DNS files are the interface's that wrote them: they go back with it. */
	if (others && !strcmp(t->room.dns_by, t->lc.ifname) && t->ns_named && (r = tunnel_dns_put_back(t)) && !ret)
		ret = r;
	/* IPv6 it turned back on among others goes off again, for theirs. */
	if (others && t->st.ipv6_enabled && !t->ns_gone && t->ns_fd >= 0 && (r = tunnel_ipv6_redisable(t)) && !ret)
		ret = r;
	if (!others && (r = restore_room(t, flags)) && !ret)
		ret = r;
	/* What failed stays recorded, for another down to finish. */
	if (!ret && !t->dry_run && *t->key)
		state_remove(t->key, t->lc.ifname);
	return ret;
}

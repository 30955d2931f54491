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
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "device.h"
#include "dns.h"
#include "netns.h"
#include "resolve.h"
#include "rtnl.h"
#include "state.h"
#include "uapi.h"
#include "userspace.h"
#include "util.h"
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
	bool userspace; /* the device is a userspace implementation's TUN */
	bool ns_gone;   /* down: the namespace was deleted under us */
	int log_fd;
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
	if (t->log_fd >= 0)
		close(t->log_fd);
	free(t->ns_path);
	loaded_config_free(&t->lc);
}

/* ---- options ---- */

/*
 * `nswg down wg0' after `nswg up ./wg0.conf': without CONFDIR/wg0.conf, the
 * file that up recorded for the interface is the one meant.
 */
static const char *config_of_running(const char *arg, const char *ns, char *path, size_t size)
{
	char conf[4200], key[4096];
	struct nswg_state st;

	if (!config_ifname_valid(arg) || strstr(arg, ".conf"))
		return arg;
	snprintf(conf, sizeof(conf), "%s/%s.conf", NSWG_CONFDIR, arg);
	if (!access(conf, F_OK))
		return arg;
	if (ns && !netns_arg_is_path(ns))
		snprintf(key, sizeof(key), "%s", ns);
	else if (state_find(arg, key, sizeof(key)))
		return arg;
	if (state_read(key, arg, &st) || !*st.config || access(st.config, F_OK))
		return arg;
	snprintf(path, size, "%s", st.config);
	return path;
}

static int parse_options(struct tunnel *t, int argc, char *argv[], bool down)
{
	const char *config = NULL;
	static char state_config[4096];

	memset(t, 0, sizeof(*t));
	t->ns_fd = t->lock_fd = t->log_fd = -1;
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
	if (strcmp(argv[0], "up"))
		config = config_of_running(config, t->ns, state_config, sizeof(state_config));
	/* down and save read what wg-quick down reads: a broken peer does not stop them. */
	if (load_config(config, &t->lc, !strcmp(argv[0], "down") || !strcmp(argv[0], "save")))
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

static bool same_address(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a->sa_family != b->sa_family)
		return false;
	if (a->sa_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr == ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr, &((const struct sockaddr_in6 *)b)->sin6_addr,
		       sizeof(struct in6_addr)) &&
	       ((const struct sockaddr_in6 *)a)->sin6_scope_id == ((const struct sockaddr_in6 *)b)->sin6_scope_id;
}

/* wg-quick's rule, on the host: the smallest MTU towards the endpoints, or of the default route, less 80. */
static int find_mtu(struct tunnel *t)
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
		if (last && same_address(&last->addr.sa, &ep->addr.sa))
			continue;
		last = ep;
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

/* The IPv6 settings from before ipv6_disable(). */
static int ipv6_set_back(struct tunnel *t)
{
	struct sysctl_job job = { .all = t->st.ipv6_all, .def = t->st.ipv6_default };
	int ret;

	say("ip netns exec %s sysctl -q net.ipv6.conf.default.disable_ipv6=%d net.ipv6.conf.all.disable_ipv6=%d", t->ns,
	    job.def, job.all);
	ret = netns_run_in(t->ns_fd, ipv6_sysctl_in_ns, &job);
	if (!ret) {
		t->st.ipv6_all = t->st.ipv6_default = -1;
		t->ipv6_off = false;
	}
	return ret;
}

/* A namespace nswg did not make gets its IPv6 settings back. */
static void ipv6_restore(struct tunnel *t)
{
	if (t->st.ipv6_default < 0 || t->st.netns_created || t->ns_fd < 0)
		return;
	ipv6_set_back(t);
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
		fprintf(stderr, "%s: unable to open namespace `%s': %s\n", prog, t->ns, netns_strerror(t->ns_fd));
		return t->ns_fd;
	}
	ret = netns_is_host(t->ns_fd);
	if (ret == NETNS_HOST_SELF)
		fprintf(stderr, "%s: `%s' is the namespace nswg runs in, the host's: nswg never configures the host\n",
			prog, t->ns);
	else if (ret == NETNS_HOST_INIT)
		fprintf(stderr, "%s: `%s' is the namespace of init (PID 1), the host's: nswg never configures the host\n",
			prog, t->ns);
	else if (ret)
		failed("unable to compare namespaces", ret, NULL);
	if (ret)
		return ret > 0 ? -EINVAL : ret;
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

/* The interface just made on the host, of that kind, into the namespace at once. */
static int move_into_namespace(struct tunnel *t, const char *kind)
{
	struct rtnl_link link;
	int ret = rtnl_link_get(&t->host, t->lc.ifname, 0, &link);

	if (!ret && strcmp(link.kind, kind))
		ret = -EINVAL; /* not ours: someone else's link of that name */
	if (!ret)
		ret = rtnl_link_move(&t->host, link.ifindex, t->ns_fd);
	if (ret)
		return failed("unable to move the interface into the namespace", ret, &t->host);
	t->link_in_host = false;
	return 0;
}

static struct userspace_proc tunnel_proc(const struct tunnel *t)
{
	return (struct userspace_proc){ .pid = t->st.userspace_pid, .start = t->st.userspace_start };
}

/* What the implementation wrote before it failed, for the administrator. */
static void print_log(const struct tunnel *t)
{
	char path[4200], buf[2048];
	ssize_t n = 0;
	int fd = -1;

	if (!state_log_path(t->key, t->lc.ifname, path, sizeof(path)))
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	if (n > 0) {
		buf[n] = '\0';
		fprintf(stderr, "%s: %s said:\n%s%s", prog, userspace_implementation(), buf,
			buf[n - 1] == '\n' ? "" : "\n");
	}
}

/*
 * No WireGuard in the kernel: a userspace implementation, started on the
 * host so that its UDP socket is there. Its TUN interface is born on the
 * host too; it goes into the namespace before it has an address or a route.
 */
static int start_userspace(struct tunnel *t)
{
	const char *impl = userspace_implementation();
	struct userspace_proc proc;
	struct rtnl_link link;
	char sock[128];
	int ret, status = 0, fd;

	t->userspace = true;
	if (t->dry_run) {
		say("%s %s", impl, t->lc.ifname);
		say("ip link set %s netns %s", t->lc.ifname, t->ns);
		return 0;
	}
	uapi_path(t->lc.ifname, sock, sizeof(sock));
	ret = rtnl_link_get(&t->host, t->lc.ifname, 0, &link);
	if (!ret) {
		fprintf(stderr, "%s: `%s' exists in the host namespace, where %s must create its interface first\n",
			prog, t->lc.ifname, impl);
		return -EEXIST;
	}
	if (ret != -ENODEV)
		return failed("unable to look for the interface on the host", ret, &t->host);
	fd = uapi_connect(t->lc.ifname);
	if (fd >= 0) {
		close(fd);
		fprintf(stderr, "%s: `%s' is held by a running userspace implementation\n", prog, sock);
		return -EBUSY;
	}
	t->log_fd = state_log_open(t->key, t->lc.ifname);
	if (t->log_fd < 0)
		return failed("unable to create the implementation's log under " NSWG_STATE_DIR, t->log_fd, NULL);
	say("%s %s", impl, t->lc.ifname);
	ret = userspace_start(impl, t->lc.ifname, t->log_fd, &proc);
	if (ret) {
		fprintf(stderr, "%s: unable to run `%s': %s\n", prog, impl, strerror(-ret));
		return ret;
	}
	t->st.userspace_pid = proc.pid;
	t->st.userspace_start = proc.start;
	t->link_created = t->link_in_host = true;
	ret = userspace_wait(t->lc.ifname, &proc, &status);
	if (ret == -ECHILD) {
		fprintf(stderr, "%s: %s exited with status %d before its socket `%s' answered\n", prog, impl,
			WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), sock);
		print_log(t);
		t->st.userspace_pid = 0;
		return ret;
	}
	if (ret) {
		fprintf(stderr, "%s: %s did not open its socket `%s': %s\n", prog, impl, sock, strerror(-ret));
		print_log(t);
		return ret;
	}
	say("ip link set %s netns %s", t->lc.ifname, t->ns);
	return move_into_namespace(t, "tun");
}

static int create_link(struct tunnel *t)
{
	int ret = -EOPNOTSUPP;

	if (userspace_requested()) {
		fprintf(stderr, "[!] Using the userspace implementation `%s', as the environment asks.\n",
			userspace_implementation());
		return start_userspace(t);
	}
	if (!t->force_move) {
		say("ip link add %s netns %s type wireguard", t->lc.ifname, t->ns);
		if (t->dry_run)
			return 0;
		ret = rtnl_link_create(&t->host, t->lc.ifname, "wireguard", t->ns_fd);
		if (!ret) {
			t->link_created = true;
			return 0;
		}
		if (ret == -EOPNOTSUPP) {
			fprintf(stderr, "[!] Missing WireGuard kernel module. Falling back to slow userspace "
					"implementation.\n");
			return start_userspace(t);
		}
		/* A name taken in the namespace: moving would not help. */
		if (ret == -EEXIST || ret == -ENFILE)
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
	return move_into_namespace(t, "wireguard");
}

static int configure_device(struct tunnel *t)
{
	int ret;

	say("ip netns exec %s wg setconf %s <(nswg strip %s)", t->ns, t->lc.ifname, t->lc.path);
	if (t->dry_run)
		return 0;
	ret = device_set(&t->genl, t->ns_fd, t->lc.ifname, t->userspace, t->lc.cfg, true);
	return ret ? failed("unable to configure the interface", ret, &t->genl) : 0;
}

/* `ip address add|del', said and done (unless --dry-run). */
static int address_change(struct tunnel *t, const struct nswg_prefix *p, bool add)
{
	char ip[INET6_ADDRSTRLEN], ipn[4200], what[128];
	int ret;

	inet_ntop(p->family, p->raw, ip, sizeof(ip));
	say("%s %s address %s %s/%u dev %s", ip_n(t, ipn, sizeof(ipn)), family_flag(p->family), add ? "add" : "del", ip,
	    p->cidr, t->lc.ifname);
	if (t->dry_run)
		return 0;
	ret = add ? rtnl_addr_add(&t->target, t->ifindex, p) : rtnl_addr_del(&t->target, t->ifindex, p);
	if (ret) {
		snprintf(what, sizeof(what), "unable to %s address %s/%u", add ? "add" : "remove", ip, p->cidr);
		failed(what, ret, &t->target);
	}
	return ret;
}

static int add_addresses(struct tunnel *t)
{
	const struct nswg_config *cfg = t->lc.cfg;
	int ret;

	for (size_t i = 0; i < cfg->n_addresses; ++i) {
		if ((ret = address_change(t, &cfg->addresses[i], true)))
			return ret;
		if (stop)
			return -EINTR;
	}
	return 0;
}

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

/* An allowed IP gets a route unless the interface's own prefix route covers it. */
static bool route_wanted(const struct tunnel *t, const struct nswg_prefix *p)
{
	const struct nswg_config *cfg = t->lc.cfg;

	if (p->family == AF_INET6 && t->ipv6_off)
		return false;
	return cfg->table == NSWG_TABLE_ID || !covered_by_address(cfg, p);
}

static uint32_t route_table(const struct nswg_config *cfg)
{
	return cfg->table == NSWG_TABLE_ID ? cfg->table_id : 254;
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

		snprintf(what, sizeof(what), "unable to add route %s/%u",
			 inet_ntop(p->family, p->raw, ip, sizeof(ip)), p->cidr);
		failed(what, ret, &t->target);
	}
	memset(b->buf, 0, b->len);
	b->len = b->n = 0;
	return ret ? ret : stop ? -EINTR : 0;
}

static int add_routes(struct tunnel *t)
{
	const struct nswg_config *cfg = t->lc.cfg;
	uint32_t table = route_table(cfg);
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
		return failed("unable to list the allowed IPs", ret, NULL);
	}
	/* No other way out: 0.0.0.0/0 is a plain route, no fwmark or rules needed. */
	for (size_t i = 0; !ret && i < n; ++i) {
		const struct nswg_prefix *p = &prefixes[i];

		if (!route_wanted(t, p))
			continue;
		inet_ntop(p->family, p->raw, ip, sizeof(ip));
		say("%s %s route add %s/%u dev %s%s", ip_n(t, ipn, sizeof(ipn)), family_flag(p->family), ip, p->cidr,
		    t->lc.ifname, tbl);
		if (t->dry_run)
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

/* The name still leads to the namespace configured: it was not removed or replaced meanwhile. */
static int verify_namespace(struct tunnel *t)
{
	struct stat a, b;

	if (t->dry_run || (!fstat(t->ns_fd, &a) && !stat(t->ns_path, &b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino))
		return 0;
	fprintf(stderr, "%s: namespace `%s' was removed or replaced during up, rolling back\n", prog, t->ns);
	return -ESTALE;
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
	/* Last: nothing after this asks anything of the kernel. */
	return ret ? ret : verify_namespace(t);
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

static int stop_userspace(struct tunnel *t)
{
	struct userspace_proc proc = tunnel_proc(t);
	int ret;

	say("kill %d", proc.pid);
	ret = userspace_stop(&proc, t->lc.ifname);
	if (ret)
		fprintf(stderr, "%s: unable to stop %s (pid %d): %s\n", prog, userspace_implementation(), proc.pid,
			strerror(-ret));
	return ret;
}

static void rollback(struct tunnel *t)
{
	if (t->dry_run)
		return;
	if (t->link_created)
		remove_link(t);
	if (t->st.userspace_pid)
		stop_userspace(t);
	if (t->st.dns_written)
		dns_restore(t->ns, t->state_dir, &t->st);
	ipv6_restore(t);
	lo_restore(t, &t->target);
	/* Only while the name is still ours: someone may have made another since. */
	if (t->st.netns_created && !verify_namespace(t)) {
		say("ip netns delete %s", t->ns);
		netns_delete(t->ns);
	}
	if (t->state_written || t->userspace)
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
	/*
	 * A named namespace is locked before it is looked for or made: an up
	 * that loses a race must not remove a namespace another up has filled.
	 */
	if (t.ns_named && (ret = lock_namespace(&t)))
		goto out;
	if ((ret = open_namespace(&t, true)))
		goto rollback;
	if (!t.ns_named && (ret = lock_namespace(&t)))
		goto rollback;
	if ((ret = open_target_sockets(&t)) || (ret = check_absent(&t)))
		goto rollback;
	if ((ret = bring_up(&t)))
		goto rollback;
	t.st.host_routes = rtnl_snapshot_digest(&t.before);
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
	int ret;

	say("ip netns exec %s wg showconf %s", t->ns, t->lc.ifname);
	if (t->dry_run)
		return 0;
	if (!realpath(t->lc.path, path))
		return failed("unable to find the configuration file", -errno, NULL);
	ret = device_get(&t->genl, t->ns_fd, t->lc.ifname, !strcmp(link->kind, "tun"), &device);
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

static int find_state(struct tunnel *t, bool ns_given, bool down)
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
	/* As up: a named namespace is locked first, so down waits for an up under way. */
	if (t->ns_named && (ret = lock_namespace(t)))
		return ret;
	t->ns_fd = netns_open(t->ns_path);
	if (t->ns_fd == -ENOENT && down && t->ns_named && !state_read(t->key, t->lc.ifname, &t->st)) {
		/* Someone deleted it (ip netns delete): its interface went with it; undo the rest. */
		fprintf(stderr, "%s: namespace `%s' is gone, and `%s' with it; undoing what nswg recorded for it\n",
			prog, t->ns, t->lc.ifname);
		t->ns_gone = true;
		t->st.netns_created = false;
		return 0;
	}
	if (t->ns_fd == -ENOENT) {
		fprintf(stderr, "%s: `%s' is not a WireGuard interface: namespace `%s' does not exist\n", prog,
			t->lc.ifname, t->ns);
		return t->ns_fd;
	}
	if (t->ns_fd < 0) {
		fprintf(stderr, "%s: unable to open namespace `%s': %s\n", prog, t->ns, netns_strerror(t->ns_fd));
		return t->ns_fd;
	}
	if (!t->ns_named && (ret = lock_namespace(t)))
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

	if (ret || (ret = find_state(t, t->ns_given, down)))
		return ret;
	if (t->ns_gone) {
		link->ifindex = 0;
		return 0;
	}
	ret = nl_open_in(&t->target, NETLINK_ROUTE, t->ns_fd);
	if (ret)
		return failed("unable to open a netlink socket in the namespace", ret, NULL);
	ret = rtnl_link_get(&t->target, t->lc.ifname, 0, link);
	if (ret && ret != -ENODEV)
		return failed("unable to look for the interface", ret, &t->target);
	if (ret == -ENODEV && down && *t->st.ifname) {
		/* Its implementation died, or someone deleted it: undo the rest. */
		fprintf(stderr, "%s: `%s' is gone from namespace `%s'; undoing what nswg recorded for it\n", prog,
			t->lc.ifname, t->ns);
		link->ifindex = 0;
		return 0;
	}
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
	if (link.ifindex && t.lc.cfg->save_config && (ret = save_running(&t, &link)))
		goto out;
	if (link.ifindex) {
		say("%s link delete dev %s", ip_n(&t, ipn, sizeof(ipn)), t.lc.ifname);
		if (!t.dry_run && (ret = rtnl_link_delete(&t.target, link.ifindex))) {
			failed("unable to delete the interface", ret, &t.target);
			goto out;
		}
	}
	if (t.st.userspace_pid && !t.dry_run)
		ret = stop_userspace(&t);
	if (t.st.dns_written) {
		say("restore %s/%s/resolv.conf and nsswitch.conf", NSWG_NETNS_ETC_DIR, t.ns);
		if (!t.dry_run && (ret = dns_restore(t.ns, t.state_dir, &t.st)))
			failed("unable to restore the namespace's DNS files", ret, NULL);
	}
	if (t.st.netns_created && !t.keep_netns) {
		say("ip netns delete %s", t.ns);
		if (!t.dry_run && netns_delete(t.ns))
			fprintf(stderr, "%s: unable to delete namespace `%s'\n", prog, t.ns);
	} else if (!t.dry_run && !t.ns_gone) {
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

/* ---- reload ---- */

static int key_cmp(const void *a, const void *b)
{
	return memcmp(*(const uint8_t *const *)a, *(const uint8_t *const *)b, NSWG_KEY_LEN);
}

/*
 * As `wg syncconf': the file's peers with their allowed IPs replaced, the
 * running peers the file no longer has removed, and the device's fields set
 * only where they differ. A peer that did not change keeps its session.
 */
static int sync_device(struct tunnel *t)
{
	static const uint8_t zero[NSWG_KEY_LEN];
	const struct nswg_config *file = t->lc.cfg;
	struct nswg_config *running = NULL, upd = { 0 };
	const uint8_t **keys = NULL;
	int ret;

	say("ip netns exec %s wg syncconf %s <(nswg strip %s)", t->ns, t->lc.ifname, t->lc.path);
	ret = device_get(&t->genl, t->ns_fd, t->lc.ifname, t->userspace, &running);
	if (ret)
		return failed("unable to read the interface's configuration", ret, &t->genl);
	upd.peers = calloc(file->n_peers + running->n_peers + 1, sizeof(*upd.peers));
	keys = calloc(file->n_peers + 1, sizeof(*keys));
	if (!upd.peers || !keys) {
		ret = failed("unable to compare configurations", -ENOMEM, NULL);
		goto out;
	}
	if (memcmp((file->flags & NSWG_DEV_HAS_PRIVATE_KEY) ? file->private_key : zero,
		   (running->flags & NSWG_DEV_HAS_PRIVATE_KEY) ? running->private_key : zero, NSWG_KEY_LEN)) {
		upd.flags |= NSWG_DEV_HAS_PRIVATE_KEY;
		memcpy(upd.private_key, file->private_key, NSWG_KEY_LEN);
	}
	/* Without ListenPort the running port stays: rebinding would gain nothing. */
	if ((file->flags & NSWG_DEV_HAS_LISTEN_PORT) && file->listen_port != running->listen_port) {
		upd.flags |= NSWG_DEV_HAS_LISTEN_PORT;
		upd.listen_port = file->listen_port;
	}
	if (file->fwmark != running->fwmark) {
		upd.flags |= NSWG_DEV_HAS_FWMARK;
		upd.fwmark = file->fwmark;
	}
	for (size_t i = 0; i < file->n_peers; ++i) {
		struct nswg_peer *p = &upd.peers[upd.n_peers++];

		*p = file->peers[i]; /* shares allowedips: upd is never config_free()d */
		p->flags |= NSWG_PEER_HAS_PRESHARED_KEY | NSWG_PEER_HAS_KEEPALIVE;
		if (!(file->peers[i].flags & NSWG_PEER_HAS_PRESHARED_KEY))
			memset(p->preshared_key, 0, NSWG_KEY_LEN);
		keys[i] = file->peers[i].public_key;
	}
	qsort(keys, file->n_peers, sizeof(*keys), key_cmp);
	for (size_t i = 0; i < running->n_peers; ++i) {
		const uint8_t *k = running->peers[i].public_key;
		struct nswg_peer *p;

		if (file->n_peers && bsearch(&k, keys, file->n_peers, sizeof(*keys), key_cmp))
			continue;
		p = &upd.peers[upd.n_peers++];
		memcpy(p->public_key, k, NSWG_KEY_LEN);
		p->flags = NSWG_PEER_HAS_PUBLIC_KEY | NSWG_PEER_REMOVE;
	}
	ret = device_set(&t->genl, t->ns_fd, t->lc.ifname, t->userspace, &upd, false);
	if (ret)
		failed("unable to configure the interface", ret, &t->genl);
out:
	if (upd.peers)
		memzero_explicit(upd.peers, (file->n_peers + running->n_peers + 1) * sizeof(*upd.peers));
	memzero_explicit(upd.private_key, sizeof(upd.private_key));
	free(upd.peers);
	free(keys);
	config_free(running);
	return ret;
}

static bool same_prefix(const struct nswg_prefix *a, const struct nswg_prefix *b)
{
	return a->family == b->family && a->cidr == b->cidr && !memcmp(a->raw, b->raw, a->family == AF_INET6 ? 16 : 4);
}

static bool has_prefix(const struct nswg_prefix *v, size_t n, const struct nswg_prefix *p)
{
	for (size_t i = 0; i < n; ++i) {
		if (same_prefix(&v[i], p))
			return true;
	}
	return false;
}

static int sync_addresses(struct tunnel *t)
{
	const struct nswg_config *cfg = t->lc.cfg;
	struct nswg_prefix *running = NULL;
	size_t n = 0;
	int ret = rtnl_addr_list(&t->target, t->ifindex, &running, &n);

	if (ret)
		return failed("unable to read the interface's addresses", ret, &t->target);
	for (size_t i = 0; !ret && i < n; ++i) {
		const struct nswg_prefix *p = &running[i];

		/* The kernel's own link-local address is not the file's business. */
		if ((p->family == AF_INET6 && p->raw[0] == 0xfe && (p->raw[1] & 0xc0) == 0x80) ||
		    has_prefix(cfg->addresses, cfg->n_addresses, p))
			continue;
		ret = address_change(t, p, false);
	}
	for (size_t i = 0; !ret && i < cfg->n_addresses; ++i) {
		const struct nswg_prefix *p = &cfg->addresses[i];

		if (!has_prefix(running, n, p) && !(p->family == AF_INET6 && t->ipv6_off))
			ret = address_change(t, p, true);
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

	if (r->table != 254)
		snprintf(tbl, sizeof(tbl), " table %u", r->table);
	inet_ntop(r->dst.family, r->dst.raw, ip, sizeof(ip));
	say("%s %s route %s %s/%u dev %s%s", ip_n(t, ipn, sizeof(ipn)), family_flag(r->dst.family), add ? "add" : "del",
	    ip, r->dst.cidr, t->lc.ifname, tbl);
	ret = add ? rtnl_route_add(&t->target, t->ifindex, &r->dst, r->table)
		  : rtnl_route_del(&t->target, t->ifindex, &r->dst, r->table);
	if (ret) {
		snprintf(what, sizeof(what), "unable to %s route %s/%u", add ? "add" : "remove", ip, r->dst.cidr);
		failed(what, ret, &t->target);
	}
	return ret;
}

/* The routes through the interface made to match the file's, in one sorted walk. */
static int sync_routes(struct tunnel *t)
{
	const struct nswg_config *cfg = t->lc.cfg;
	struct rtnl_route *want = NULL, *have = NULL;
	struct nswg_prefix *prefixes = NULL;
	size_t n = 0, nw = 0, nh = 0, i = 0, j = 0;
	int ret = 0;

	if (cfg->table != NSWG_TABLE_OFF)
		ret = config_device_allowedips(cfg, &prefixes, &n);
	if (!ret && !(want = calloc(n + 1, sizeof(*want))))
		ret = -ENOMEM;
	if (!ret)
		ret = rtnl_route_list(&t->target, t->ifindex, &have, &nh);
	if (ret) {
		failed("unable to compare routes", ret, &t->target);
		goto out;
	}
	for (size_t k = 0; k < n; ++k) {
		if (route_wanted(t, &prefixes[k]))
			want[nw++] = (struct rtnl_route){ .dst = prefixes[k], .table = route_table(cfg) };
	}
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
out:
	free(prefixes);
	free(want);
	free(have);
	return ret;
}

int cmd_reload(int argc, char *argv[])
{
	struct rtnl_link link;
	struct tunnel t;
	char ipn[4200];
	bool want_off;
	int ret;

	/* Everything that can fail on the file fails here, before anything changes. */
	if ((ret = open_existing(&t, argc, argv, false, &link)))
		goto out;
	if (!*t.st.ifname) {
		fprintf(stderr, "%s: `%s' in namespace `%s' was not brought up by nswg: nothing to reload\n", prog,
			t.lc.ifname, t.ns);
		ret = -ENOENT;
		goto out;
	}
	if ((ret = resolve(&t)))
		goto out;
	if ((ret = nl_open(&t.host, NETLINK_ROUTE)) || (ret = find_mtu(&t)))
		goto out;
	t.ifindex = link.ifindex;
	t.userspace = !strcmp(link.kind, "tun");
	t.ipv6_off = t.st.ipv6_default >= 0;
	if (t.dry_run) {
		say("ip netns exec %s wg syncconf %s <(nswg strip %s)", t.ns, t.lc.ifname, t.lc.path);
		goto out;
	}
	if ((ret = sync_device(&t)))
		goto out;
	want_off = !has_ipv6_address(t.lc.cfg);
	if (want_off && !t.ipv6_off)
		ret = ipv6_disable(&t);
	else if (!want_off && t.ipv6_off && (ret = ipv6_set_back(&t)))
		failed("unable to enable IPv6 in the namespace", ret, NULL);
	if (ret || (ret = sync_addresses(&t)))
		goto out;
	if (link.mtu != t.mtu) {
		say("%s link set mtu %u dev %s", ip_n(&t, ipn, sizeof(ipn)), t.mtu, t.lc.ifname);
		if ((ret = rtnl_link_set(&t.target, t.ifindex, t.mtu, true))) {
			failed("unable to set the MTU", ret, &t.target);
			goto out;
		}
	}
	if ((ret = sync_routes(&t)))
		goto out;
	if (t.st.dns_written) {
		say("restore %s/%s/resolv.conf and nsswitch.conf", NSWG_NETNS_ETC_DIR, t.ns);
		if ((ret = dns_restore(t.ns, t.state_dir, &t.st))) {
			failed("unable to restore the namespace's DNS files", ret, NULL);
			goto out;
		}
	}
	if ((ret = set_dns(&t)))
		goto out;
	if ((ret = state_write(t.key, &t.st)))
		failed("unable to record the state under " NSWG_STATE_DIR, ret, NULL);
out:
	tunnel_close(&t);
	return ret ? 1 : 0;
}

// SPDX-License-Identifier: MIT
/*
 * nswg show [IFACE | --netns NS | all] [--json]: the interfaces nswg
 * manages, wherever they live, read from their kernel or implementation,
 * with a verdict on the host: the interface is not there, and the host's
 * default routes are those recorded at up.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "device.h"
#include "kernel_wg.h"
#include "netns.h"
#include "rtnl.h"
#include "show.h"
#include "state.h"
#include "userspace.h"

struct shown {
	struct show_item item;
	struct nswg_state st;
	struct show_relay relays[RELAY_SPEC_MAX];
	char chain_names[SHOW_CHAIN_MAX][256];
	const char *chain[SHOW_CHAIN_MAX];
	struct nswg_config *device;
	char error[4400];
};

/* The relays recorded ("--publish 8080 --socks 1080"), and the counters their relay keeps. */
static void read_relays(struct shown *s, const char *key)
{
	struct daemon_proc proc = { .pid = s->st.relay_pid, .start = s->st.relay_start },
			   draining = { .pid = s->st.relay_draining_pid, .start = s->st.relay_draining_start };
	struct relay_stats stats = { 0 };
	size_t n = 0;
	char *save = NULL, text[sizeof(s->st.relays)];
	int fd;

	snprintf(text, sizeof(text), "%s", s->st.relays);
	for (char *opt = strtok_r(text, " ", &save), *spec; opt && n < RELAY_SPEC_MAX; opt = strtok_r(NULL, " ", &save)) {
		if (!(spec = strtok_r(NULL, " ", &save)))
			break;
		snprintf(s->relays[n].option, sizeof(s->relays[n].option), "%s", opt);
		snprintf(s->relays[n].spec, sizeof(s->relays[n].spec), "%s", spec);
		++n;
	}
	s->item.relay_draining_pid = draining.pid && daemon_alive(&draining) ? draining.pid : 0;
	if (!n)
		return;
	fd = state_relay_stats_open(key, s->st.ifname, false);
	if (fd >= 0) {
		if (read(fd, &stats, sizeof(stats)) != (ssize_t)sizeof(stats) || stats.magic != RELAY_STATS_MAGIC ||
		    stats.n != n)
			memset(&stats, 0, sizeof(stats));
		close(fd);
	}
	for (size_t i = 0; i < n; ++i)
		s->relays[i].ctr = stats.spec[i];
	s->item.relays = s->relays;
	s->item.n_relays = n;
	s->item.relay_pid = proc.pid;
	s->item.relay_running = daemon_alive(&proc);
}

/* Reads one interface: its namespace, its link, its device. */
static void read_one(struct shown *s, struct nl *host, unsigned long long routes_now)
{
	struct nl target = { 0 }, genl = { 0 };
	struct rtnl_link link;
	char *path = NULL;
	int fd = -1, ret;

	s->item.netns = s->st.netns;
	s->item.ifname = s->st.ifname;
	s->item.implementation = s->st.userspace_pid ? userspace_implementation() : "kernel";
	s->item.pid = s->st.userspace_pid;
	s->item.host_link = !rtnl_link_get(host, s->st.ifname, 0, &link);
	s->item.routes_changed = s->st.host_routes && s->st.host_routes != routes_now;
	s->item.error = s->error;

	if (!s->st.complete) {
		snprintf(s->error, sizeof(s->error), "its up was interrupted: `nswg down %s' finishes the undo",
			 s->st.ifname);
		return;
	}
	if (netns_path(s->st.netns, &path)) {
		snprintf(s->error, sizeof(s->error), "invalid namespace");
		return;
	}
	fd = netns_open(path);
	if (fd < 0) {
		snprintf(s->error, sizeof(s->error), "namespace `%s': %s", s->st.netns, netns_strerror(fd));
		goto out;
	}
	ret = nl_open_in(&target, NETLINK_ROUTE, fd);
	if (!ret)
		ret = rtnl_link_get(&target, s->st.ifname, 0, &link);
	if (ret) {
		snprintf(s->error, sizeof(s->error), "no interface `%s' in the namespace: %s", s->st.ifname,
			 strerror(-ret));
		goto out;
	}
	ret = device_get(&genl, fd, s->st.ifname, !strcmp(link.kind, "tun"), &s->device);
	if (ret)
		snprintf(s->error, sizeof(s->error), "unable to read the device: %s%s%s", strerror(-ret),
			 *genl.ext_ack ? ": " : "", genl.ext_ack);
	else
		s->item.device = s->device;
out:
	nl_close(&genl);
	nl_close(&target);
	if (fd >= 0)
		close(fd);
	free(path);
}

/*
 * Each hop's own via, from the record of a tunnel of nswg's in that hop's
 * namespace, to one without (the host) or one nswg does not know.
 */
static void read_chain(struct shown *s)
{
	struct netns_id id = s->st.via_id;
	struct nswg_state other;
	char name[256];
	int hop, fd;

	s->item.chain = s->chain;
	if (!*s->st.via) {
		s->item.chain_host = true;
		return;
	}
	snprintf(name, sizeof(name), "%.255s", s->st.via);
	/* The name the socket's namespace had at up: deleted since, or another namespace's now. */
	fd = netns_open_as(s->st.via, &s->st.via_id);
	s->item.via_gone = fd == -ENOENT;
	if (fd >= 0)
		close(fd);
	while (s->item.n_chain < SHOW_CHAIN_MAX) {
		memcpy(s->chain_names[s->item.n_chain], name, sizeof(name));
		s->chain[s->item.n_chain] = s->chain_names[s->item.n_chain];
		++s->item.n_chain;
		hop = state_next_hop(&id, &other);
		if (!hop)
			return; /* not nswg's: what lies beyond it is not known */
		if (hop == 2) {
			s->item.chain_host = true;
			return;
		}
		id = other.via_id;
		snprintf(name, sizeof(name), "%.255s", other.via);
	}
}

/* show --features: what the kernel's WireGuard can do, each probed (kernel_wg.h). */
static int show_features(void)
{
	struct wg_features f;
	int ret = features_probe(&f);

	if (ret) {
		fprintf(stderr, "%s: unable to ask the kernel about WireGuard: %s\n", prog, strerror(-ret));
		return 1;
	}
	printf("wireguard in the kernel: %s%s\n", feature_word(f.kernel),
	       f.kernel == FEATURE_NO ? " (a userspace implementation serves instead)" : "");
	if (f.kernel != FEATURE_YES)
		return 0;
	printf("creation in another namespace (IFLA_NET_NS_FD): %s%s", feature_word(f.create_in_netns),
	       f.create_in_netns == FEATURE_NO ? " (created where its socket goes, and moved at once instead)" : "");
	if (f.create_in_netns == FEATURE_UNKNOWN && f.err)
		printf(" (%s)", strerror(-f.err));
	printf("\n");
	printf("allowed-IP flags (\"-\" in AllowedIPs, WGALLOWEDIP_A_FLAGS): %s", feature_word(f.allowedip_flags));
	if (f.allowedip_flags == FEATURE_UNKNOWN && f.err)
		printf(" (%s)", strerror(-f.err));
	printf("\n");
	return fflush(stdout) ? 1 : 0;
}

static bool wanted(const struct state_entry *e, const char *ifname, const char *ns, const char *ns_key)
{
	if (ifname && strcmp(e->ifname, ifname))
		return false;
	if (ns && strcmp(e->key, ns_key))
		return false;
	return true;
}

/* The state key of --netns NS: its name, or "@DEV:INO" of a path. */
static int key_of(const char *ns, char *key, size_t size)
{
	char *path = NULL;
	int fd, ret;

	if (!netns_arg_is_path(ns))
		return state_key(ns, -1, key, size);
	if (netns_path(ns, &path))
		return -EINVAL;
	fd = netns_open(path);
	free(path);
	if (fd < 0)
		return fd;
	ret = state_key(ns, fd, key, size);
	close(fd);
	return ret;
}

int cmd_show(int argc, char *argv[])
{
	const char *ifname = NULL, *ns = NULL;
	struct state_entry *entries = NULL;
	struct rtnl_snapshot snap = { 0 };
	struct shown *shown = NULL;
	struct show_item *items = NULL;
	struct strbuf out = { 0 };
	struct nl host = { 0 };
	char ns_key[4096] = "";
	unsigned long long routes_now;
	size_t n = 0, m = 0;
	bool json = false;
	int ret, status = 0;

	if (argc == 2 && !strcmp(argv[1], "--features"))
		return check_privileges() ? show_features() : 1;
	for (int i = 1; i < argc; ++i) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--netns") && i + 1 < argc)
			ns = argv[++i];
		else if (!strncmp(argv[i], "--netns=", 8))
			ns = argv[i] + 8;
		else if (argv[i][0] != '-' && !ifname)
			ifname = argv[i];
		else {
			fprintf(stderr, "Usage: %s show [ INTERFACE | --netns NS | all ] [ --json ] | --features\n", prog);
			return 1;
		}
	}
	if (ifname && !strcmp(ifname, "all"))
		ifname = NULL;
	if (!check_privileges())
		return 1;
	if (ns && (ret = key_of(ns, ns_key, sizeof(ns_key)))) {
		fprintf(stderr, "%s: unable to open namespace `%s': %s\n", prog, ns, netns_strerror(ret));
		return 1;
	}
	ret = state_list(&entries, &n);
	if (!ret)
		ret = nl_open(&host, NETLINK_ROUTE);
	if (!ret)
		ret = rtnl_snapshot_take(&host, &snap);
	if (!ret && !(shown = calloc(n ? n : 1, sizeof(*shown))))
		ret = -ENOMEM;
	if (ret) {
		fprintf(stderr, "%s: unable to read what nswg manages: %s\n", prog, strerror(-ret));
		status = 1;
		goto out;
	}
	routes_now = rtnl_snapshot_digest(&snap);
	for (size_t i = 0; i < n; ++i) {
		if (!wanted(&entries[i], ifname, ns, ns_key))
			continue;
		if (state_read(entries[i].key, entries[i].ifname, &shown[m].st))
			continue; /* taken down meanwhile */
		read_one(&shown[m], &host, routes_now);
		read_relays(&shown[m], entries[i].key);
		read_chain(&shown[m]);
		if (!shown[m].item.device || shown[m].item.host_link || shown[m].item.routes_changed ||
		    (shown[m].item.n_relays && !shown[m].item.relay_running))
			status = 1;
		++m;
	}
	if (ifname && !m) {
		fprintf(stderr, "%s: `%s' is not an interface nswg manages\n", prog, ifname);
		status = 1;
		goto out;
	}
	items = calloc(m ? m : 1, sizeof(*items));
	for (size_t i = 0; items && i < m; ++i)
		items[i] = shown[i].item;
	ret = items ? 0 : -ENOMEM;
	if (!ret && json)
		ret = show_render_json(items, m, &out);
	for (size_t i = 0; !ret && !json && i < m; ++i)
		ret = (i ? strbuf_addc(&out, '\n') : 0) ?: show_render_text(&items[i], time(NULL), &out);
	if (ret || (out.len && (fwrite(out.s, 1, out.len, stdout) != out.len || fflush(stdout)))) {
		fprintf(stderr, "%s: unable to print: %s\n", prog, strerror(ret ? -ret : errno));
		status = 1;
	}
out:
	for (size_t i = 0; shown && i < m; ++i)
		config_free(shown[i].device);
	free(shown);
	free(items);
	free(entries);
	strbuf_free(&out);
	rtnl_snapshot_free(&snap);
	nl_close(&host);
	return status;
}

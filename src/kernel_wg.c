// SPDX-License-Identifier: MIT
/* The kernel's WireGuard, asked what it can do (kernel_wg.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "kernel_wg.h"
#include "netns.h"
#include "nl.h"
#include "rtnl.h"
#include "wgnl.h"

#define PROBE_IFNAME "nswgprobe0"

/*
 * A peer with one allowed IP, then the same removed: the first any kernel
 * takes (so that an EINVAL of the second is the flag's, not the request's),
 * the second only one that knows WGALLOWEDIP_A_FLAGS.
 */
static const char probe_add[] = "[Interface]\n"
				"[Peer]\n"
				"PublicKey = HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=\n"
				"AllowedIPs = 192.0.2.0/24\n";
static const char probe_remove[] = "[Interface]\n"
				   "[Peer]\n"
				   "PublicKey = HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=\n"
				   "AllowedIPs = -192.0.2.0/24\n";

const char *feature_word(enum feature f)
{
	return f == FEATURE_YES ? "yes" : f == FEATURE_NO ? "no" : "unknown";
}

static int unshare_here(void *arg)
{
	int *fd = arg;

	if (unshare(CLONE_NEWNET))
		return -errno;
	*fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	return *fd < 0 ? -errno : 0;
}

/*
 * A namespace of nobody's, alive as long as its fd: unshared inside
 * netns_run_in(), which comes back to where we were, as netns_create() does.
 * The calling thread's own: unshare() moves it alone.
 */
static int scratch_namespace(void)
{
	int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC), fd = -1, ret;

	if (self < 0)
		return -errno;
	ret = netns_run_in(self, unshare_here, &fd);
	close(self);
	return ret ? ret : fd;
}

/* The probe interface in ns: made from the host with IFLA_NET_NS_FD, or failing that from inside. */
static int make_probe_link(int ns, struct wg_features *f)
{
	struct nl host = { 0 }, inside = { 0 };
	int ret = nl_open(&host, NETLINK_ROUTE);

	if (!ret)
		ret = rtnl_link_create(&host, PROBE_IFNAME, "wireguard", ns);
	f->create_in_netns = ret ? FEATURE_NO : FEATURE_YES;
	if (ret) {
		f->err = ret;
		ret = nl_open_in(&inside, NETLINK_ROUTE, ns);
		if (!ret)
			ret = rtnl_link_create(&inside, PROBE_IFNAME, "wireguard", -1);
	}
	nl_close(&inside);
	nl_close(&host);
	return ret;
}

static int set_probe(struct nl *genl, uint16_t family, const char *text, size_t len)
{
	struct nswg_config_error err;
	struct nswg_config *cfg = NULL;
	int ret = config_parse_buf(text, len, &cfg, &err);

	if (!ret)
		ret = wgnl_set_device(genl, family, PROBE_IFNAME, cfg, false);
	config_free(cfg);
	return ret;
}

static void probe_allowedip_flags(int ns, struct wg_features *f)
{
	struct nl genl = { 0 };
	uint16_t family;
	int ret = nl_open_in(&genl, NETLINK_GENERIC, ns);

	if (!ret)
		ret = wgnl_family(&genl, &family);
	if (!ret)
		ret = set_probe(&genl, family, probe_add, sizeof(probe_add) - 1);
	if (ret) {
		f->err = ret;
	} else {
		ret = set_probe(&genl, family, probe_remove, sizeof(probe_remove) - 1);
		/* A kernel without the attribute rejects it in its strict parse of the allowed IP. */
		f->allowedip_flags = !ret ? FEATURE_YES : ret == -EINVAL ? FEATURE_NO : FEATURE_UNKNOWN;
		if (ret && ret != -EINVAL)
			f->err = ret;
	}
	nl_close(&genl);
}

int features_probe(struct wg_features *f)
{
	struct nl genl = { 0 };
	uint16_t family;
	int ns, ret;

	memset(f, 0, sizeof(*f));
	ret = nl_open(&genl, NETLINK_GENERIC);
	if (!ret)
		ret = wgnl_family(&genl, &family);
	nl_close(&genl);
	f->kernel = !ret ? FEATURE_YES : ret == -EPROTONOSUPPORT ? FEATURE_NO : FEATURE_UNKNOWN;
	if (f->kernel == FEATURE_UNKNOWN)
		return f->err = ret;
	if (f->kernel != FEATURE_YES)
		return 0;
	/* What could not be asked stays unknown: the kernel's own answer above holds. */
	ns = scratch_namespace();
	if (ns < 0) {
		f->err = ns;
		return 0;
	}
	/* The interface dies with the namespace, when its last fd closes below. */
	ret = make_probe_link(ns, f);
	if (!ret)
		probe_allowedip_flags(ns, f);
	else
		f->err = ret;
	close(ns);
	return 0;
}

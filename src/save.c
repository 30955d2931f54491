// SPDX-License-Identifier: MIT
/* nswg save: as `wg-quick save', the running configuration back into the file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "tunnel.h"
#include "util.h"

int tunnel_save_running(struct tunnel *t, const struct rtnl_link *link)
{
	struct nswg_config *device = NULL;
	struct nswg_prefix *addresses = NULL;
	char path[4096], *text = NULL;
	size_t n, len = 0;
	bool renaming = false;
	int ret;

	if (!tunnel_say(t, "ip netns exec %s wg showconf %s", t->ns, t->lc.ifname))
		return 0;
	if (!realpath(t->lc.path, path))
		return tunnel_failed("unable to find the configuration file", -errno, NULL);
	ret = device_get(&t->genl, t->ns_fd, t->lc.ifname, !strcmp(link->kind, "tun"), &device);
	if (ret)
		return tunnel_failed("unable to read the interface's configuration", ret, &t->genl);
	ret = rtnl_addr_list(&t->target, link->ifindex, &addresses, &n);
	if (ret)
		tunnel_failed("unable to read the interface's addresses", ret, &t->target);
	else if ((ret = config_render_saved(t->lc.cfg, addresses, n, link->mtu, device, &text, &len)))
		tunnel_failed("unable to compose the configuration", ret, NULL);
	else if ((ret = file_dir_trusted(path)) == -EPERM)
		fprintf(stderr, "%s: refusing to write `%s': its directory may be written by a user other than root\n",
			prog, path);
	else if (ret || (ret = file_write_atomic(path, text, len, 0600, &renaming)))
		fprintf(stderr, "%s: Could not %s configuration file: %s\n", prog, renaming ? "move" : "write",
			strerror(-ret));
	if (text)
		memzero_explicit(text, len);
	free(text);
	free(addresses);
	config_free(device);
	return ret;
}

int cmd_save(int argc, char *argv[])
{
	struct rtnl_link link;
	struct tunnel t;
	int ret = tunnel_open_existing(&t, argc, argv, TUNNEL_SAVE, &link);

	if (!ret)
		ret = tunnel_save_running(&t, &link);
	tunnel_close(&t);
	return ret ? 1 : 0;
}

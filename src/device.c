// SPDX-License-Identifier: MIT
/* One way to a device's configuration, kernel or userspace. */
#include <errno.h>
#include <linux/netlink.h>

#include "device.h"
#include "uapi.h"
#include "wgnl.h"

/* reload reads then writes: the family is asked for once per socket. */
static int genl_family(struct nl *genl, int ns_fd, uint16_t *family)
{
	int ret = 0;

	/* In the namespace: the kernel looks the interface's name up there. */
	if (!genl->sock)
		ret = nl_open_in(genl, NETLINK_GENERIC, ns_fd);
	if (!ret && !genl->genl_family)
		ret = wgnl_family(genl, &genl->genl_family);
	*family = genl->genl_family;
	return ret;
}

int device_get(struct nl *genl, int ns_fd, const char *ifname, bool userspace, struct nswg_config **out)
{
	uint16_t family;
	int ret;

	if (userspace)
		return uapi_get_device(ifname, out);
	ret = genl_family(genl, ns_fd, &family);
	return ret ? ret : wgnl_get_device(genl, family, ifname, out);
}

int device_set(struct nl *genl, int ns_fd, const char *ifname, bool userspace, const struct nswg_config *cfg,
	       bool replace)
{
	uint16_t family;
	int ret;

	if (userspace)
		return uapi_set_device(ifname, cfg, replace);
	ret = genl_family(genl, ns_fd, &family);
	return ret ? ret : wgnl_set_device(genl, family, ifname, cfg, replace);
}

// SPDX-License-Identifier: MIT
/*
 * Writes seed inputs for the reply fuzzers from nswg's own message builders
 * (a SET_DEVICE message has the attribute layout of a GET_DEVICE reply):
 *   seeds OUTDIR CONFIG...
 * into OUTDIR/{rtnl,wgnl,uapi}/. Run by `make fuzz-seeds'; the results are
 * committed under tests/fuzz/corpus/.
 */
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "nl.h"
#include "rtnl.h"
#include "uapi.h"
#include "wgnl.h"

static void write_seed(const char *dir, const char *kind, const char *name, const void *data, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, kind, name);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static void rtnl_seeds(const char *dir)
{
	struct nswg_prefix v4 = { .family = AF_INET, .cidr = 24, .raw = { 10, 0, 0, 1 } };
	struct nswg_prefix v6 = { .family = AF_INET6, .cidr = 64, .raw = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 } };
	char *buf = calloc(1, 1 << 16);
	struct nlmsghdr *nlh;
	size_t len = 0;

	nlh = rtnl_msg_link_create(buf + len, "wg0", "wireguard", -1);
	nlh->nlmsg_type = RTM_NEWLINK;
	len += MNL_ALIGN(nlh->nlmsg_len);
	len += MNL_ALIGN(rtnl_msg_addr_add(buf + len, 7, &v4)->nlmsg_len);
	len += MNL_ALIGN(rtnl_msg_addr_add(buf + len, 7, &v6)->nlmsg_len);
	len += MNL_ALIGN(rtnl_msg_route_add(buf + len, 7, &v4, 254)->nlmsg_len);
	len += MNL_ALIGN(rtnl_msg_route_add(buf + len, 7, &v6, 1000)->nlmsg_len);
	write_seed(dir, "rtnl", "link-addr-route", buf, len);
	free(buf);
}

static void config_seeds(const char *dir, const char *path)
{
	struct nswg_config_error err;
	struct wgnl_cursor cur = { 0 };
	struct strbuf sb = { 0 };
	struct nswg_config *cfg;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char *text, *buf;
	size_t len, off = 0;

	if (config_read_file(path, &text, &len) || config_parse_buf(text, len, &cfg, &err)) {
		fprintf(stderr, "%s: not a good configuration\n", path);
		exit(1);
	}
	buf = calloc(1, 1 << 20);
	/* Small messages, so that peers and allowed IPs continue across them. */
	while (!cur.done && off + 4096 < (1 << 20)) {
		struct nlmsghdr *nlh = wgnl_msg_set_device(buf + off, 1024, 21, "wg0", cfg, true, &cur);

		if (!nlh)
			break;
		off += MNL_ALIGN(nlh->nlmsg_len);
	}
	write_seed(dir, "wgnl", base, buf, off);
	if (!uapi_msg_set(cfg, true, &sb)) {
		/* A get reply has the same keys, without "set=1" and with errno=0. */
		strbuf_add(&sb, "errno=0\n\n", 9);
		write_seed(dir, "uapi", base, sb.s + 6, sb.len - 6);
	}
	strbuf_free(&sb);
	free(buf);
	free(text);
	config_free(cfg);
}

int main(int argc, char *argv[])
{
	if (argc < 2) {
		fprintf(stderr, "usage: seeds OUTDIR CONFIG...\n");
		return 2;
	}
	rtnl_seeds(argv[1]);
	for (int i = 2; i < argc; ++i)
		config_seeds(argv[1], argv[i]);
	return 0;
}

// SPDX-License-Identifier: MIT
/*
 * The command layer: the only place that prints. Everything below it returns
 * -errno and leaves the words to this file.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/capability.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "cli.h"
#include "stats.h"
#include "config.h"
#include "netns.h"
#include "util.h"

#ifndef NSWG_VERSION
#define NSWG_VERSION "unknown"
#endif
#ifndef NSWG_CONFDIR
#define NSWG_CONFDIR "/etc/wireguard"
#endif

const char *prog = "nswg";

void vsay(const char *fmt, va_list ap)
{
	fputs("[#] ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
}

bool check_privileges(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };
	const uint32_t need = (1U << CAP_NET_ADMIN) | (1U << CAP_SYS_ADMIN);

	if (!syscall(SYS_capget, &hdr, data) && (data[0].effective & need) == need)
		return true;
	fprintf(stderr, "%s: must be run as root (it needs CAP_NET_ADMIN and CAP_SYS_ADMIN)\n", prog);
	return false;
}

int refuse_host_namespace(int fd, const char *ns)
{
	int ret = netns_is_host(fd);

	if (ret == NETNS_HOST_SELF)
		fprintf(stderr, "%s: `%s' is the namespace nswg runs in, the host's: nswg never configures the host\n",
			prog, ns);
	else if (ret == NETNS_HOST_INIT)
		fprintf(stderr, "%s: `%s' is the namespace of init (PID 1), the host's: nswg never configures the host\n",
			prog, ns);
	else if (ret)
		fprintf(stderr, "%s: unable to compare namespaces: %s\n", prog, strerror(-ret));
	return ret > 0 ? -EINVAL : ret;
}

void loaded_config_free(struct loaded_config *lc)
{
	if (lc->buf)
		memzero_explicit(lc->buf, lc->len);
	free(lc->buf);
	free(lc->path);
	config_free(lc->cfg);
	memset(lc, 0, sizeof(*lc));
}

/* Finds, reads and parses CONFIG_FILE | INTERFACE; prints what went wrong. */
int load_config(const char *arg, struct loaded_config *lc, bool interface_only)
{
	struct nswg_config_error err;
	char *canonical = NULL;
	int ret;

	memset(lc, 0, sizeof(*lc));
	ret = config_resolve_path(arg, NSWG_CONFDIR, &lc->path, lc->ifname);
	if (ret == -ENOENT)
		fprintf(stderr, "%s: `%s' does not exist\n", prog, lc->path);
	else if (ret == -EINVAL)
		fprintf(stderr, "%s: The config file must be a valid interface name, followed by .conf\n", prog);
	else if (ret)
		fprintf(stderr, "%s: %s\n", prog, strerror(-ret));
	if (ret)
		goto err;
	if (config_world_accessible(lc->path, &canonical))
		fprintf(stderr, "Warning: `%s' is world accessible\n", canonical);
	free(canonical);

	ret = config_read_file(lc->path, &lc->buf, &lc->len);
	if (ret == -EFBIG)
		fprintf(stderr, "%s: %s: file is larger than %u MiB\n", prog, lc->path, NSWG_CONFIG_MAX_SIZE >> 20);
	else if (ret == -EINVAL)
		fprintf(stderr, "%s: %s: not a regular file\n", prog, lc->path);
	else if (ret)
		fprintf(stderr, "%s: %s: %s\n", prog, lc->path, strerror(-ret));
	if (ret)
		goto err;

	ret = (interface_only ? config_parse_interface : config_parse_buf)(lc->buf, lc->len, &lc->cfg, &err);
	if (ret == -EINVAL || ret == -EFBIG) {
		if (err.line)
			fprintf(stderr, "%s: %s:%u: %s\n", prog, lc->path, err.line, err.message);
		else
			fprintf(stderr, "%s: %s: %s\n", prog, lc->path, err.message);
	} else if (ret)
		fprintf(stderr, "%s: %s: %s\n", prog, lc->path, strerror(-ret));
	if (ret)
		goto err;
	for (size_t i = 0; i < lc->cfg->n_warnings; ++i)
		fprintf(stderr, "Warning: %s:%u: %s\n", lc->path, lc->cfg->warnings[i].line,
			lc->cfg->warnings[i].message);
	return 0;
err:
	loaded_config_free(lc);
	return ret;
}

void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [ up | down | save | reload | reresolve ] [ CONFIG_FILE | INTERFACE ] [ --netns NS ] [ OPTIONS ]\n"
		"       %s show [ INTERFACE | --netns NS | all ] [ --json ] | --features\n"
		"       %s exec NS [ --user USER ] -- COMMAND [ ARGS... ]\n"
		"       %s strip [ CONFIG_FILE | INTERFACE ]\n"
		"       %s relay NS [ --publish SPEC | --host-port SPEC | --socks SPEC ]...\n"
		"\n"
		"  CONFIG_FILE is a configuration file, whose filename is the interface name\n"
		"  followed by `.conf'. Otherwise, INTERFACE is an interface name, with\n"
		"  configuration found at %s/INTERFACE.conf. The file is read as\n"
		"  wg-quick(8) reads it.\n"
		"\n"
		"  up         create the interface inside the network namespace NS and\n"
		"             configure it there; the host's networking is not touched\n"
		"  down       remove the interface, and the namespace if nswg made it\n"
		"  save       write the running configuration back into the file\n"
		"  reload     apply the file to the running interface, as `wg syncconf'\n"
		"             does for peers, and bring addresses, routes, MTU and DNS in line\n"
		"  reresolve  resolve again the endpoint names of peers without a handshake\n"
		"             for 135 seconds, and set those that moved\n"
		"  show       the interfaces nswg manages, and whether the host is untouched;\n"
		"             --features: what the kernel's WireGuard can do\n"
		"  exec       run a command inside the namespace, as `ip netns exec' does\n"
		"  strip      print the configuration without the keys only wg-quick(8)\n"
		"             reads, for `wg syncconf INTERFACE <(%s strip INTERFACE)'\n"
		"\n"
		"  --netns NS     a name from `ip netns' (made if missing), or a path to a\n"
		"                 namespace file; the default is the interface's name\n"
		"  --via NS       with up: the namespace of the encrypted socket (an existing\n"
		"                 one, another tunnel's for a chain); the default is the host\n"
		"  --dry-run      print what would be done, do nothing\n"
		"  --keep-netns   with down: keep a namespace nswg made\n"
		"  --json         with show: JSON, for scripts\n"
		"  --user USER    with exec: run as USER, with USER's groups\n"
		"  --publish SPEC, --host-port SPEC, --socks SPEC\n"
		"                 with up, reload and relay: a port relayed into or out of\n"
		"                 the namespace, or a SOCKS5 entrance (see nswg(8))\n"
		"  --no-relays    with reload: no relay any more\n"
		"\n"
		"  help, --help, -h    show this message\n"
		"  --version           show the version\n",
		prog, prog, prog, prog, prog, NSWG_CONFDIR, prog);
}

static const struct {
	const char *name;
	int (*run)(int argc, char *argv[]);
} commands[] = {
	{ "up", cmd_up },
	{ "down", cmd_down },
	{ "save", cmd_save },
	{ "show", cmd_show },
	{ "reload", cmd_reload },
	{ "reresolve", cmd_reresolve },
	{ "exec", cmd_exec },
	{ "strip", cmd_strip },
	{ "relay", cmd_relay },
};

/* The descriptors open beyond stdin, stdout and stderr: a command must leave none it opened. */
static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name);

		n += de->d_name[0] != '.' && fd > 2 && fd != dirfd(d);
	}
	closedir(d);
	return n;
}

int main(int argc, char *argv[])
{
	int inherited_fds = getenv("NSWG_STATS") ? count_fds() : 0;

	/*
	 * Whatever nswg writes is private unless it says otherwise (DNS files).
	 * Not for exec: the command gets the caller's umask.
	 */
	if (argc < 2 || strcmp(argv[1], "exec"))
		umask(077);
	if (argc == 2 && (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		printf("nswg v%s\n", NSWG_VERSION);
		return 0;
	}
	for (size_t i = 0; argc >= 2 && i < ARRAY_SIZE(commands); ++i) {
		if (!strcmp(argv[1], commands[i].name)) {
			int status = commands[i].run(argc - 1, argv + 1);

			if (getenv("NSWG_STATS"))
				fprintf(stderr,
					"nswg-stats: netlink_requests=%lu netlink_round_trips=%lu uapi_requests=%lu processes=%lu "
					"journal_writes=%lu open_fds=%d\n",
					nswg_stats.netlink_requests, nswg_stats.netlink_round_trips, nswg_stats.uapi_requests,
					nswg_stats.processes, nswg_stats.journal_writes, count_fds() - inherited_fds);
			return status;
		}
	}
	usage(stderr);
	return 1;
}

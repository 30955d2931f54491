// SPDX-License-Identifier: MIT
/*
 * What up, down, save and reload share: their options, the namespace and
 * its locks, the refusal of the host, the journal, and finding what an
 * earlier up made.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"
#include "netns.h"
#include "tunnel.h"
#include "util.h"

volatile sig_atomic_t tunnel_stop;

/* Catchable signals whose default is to end the process; the real-time ones too. */
static const int fatal_signals[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGALRM, SIGTERM, SIGUSR1, SIGUSR2,
	SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGIO, SIGPWR, SIGSTKFLT,
};
static sigset_t unblocked;

static void on_signal(int sig, siginfo_t *info, void *unused)
{
	/*
	 * The kernel sends SIGPIPE as the writer's own (SI_USER, si_pid the
	 * writer): a closed stderr. Printing then fails with EPIPE, nothing more.
	 */
	if (sig == SIGPIPE && info && info->si_code == SI_USER && info->si_pid == getpid())
		return;
	tunnel_stop = sig;
}

void tunnel_catch_signals(void)
{
	struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(fatal_signals); ++i)
		sigaction(fatal_signals[i], &sa, NULL);
	for (int sig = SIGRTMIN; sig <= SIGRTMAX; ++sig)
		sigaction(sig, &sa, NULL);
}

void tunnel_block_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < ARRAY_SIZE(fatal_signals); ++i)
		sigaddset(&set, fatal_signals[i]);
	for (int sig = SIGRTMIN; sig <= SIGRTMAX; ++sig)
		sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, &unblocked);
}

void tunnel_unblock_signals(void)
{
	sigprocmask(SIG_SETMASK, &unblocked, NULL);
}

int tunnel_failed(const char *step, int err, const struct nl *nl)
{
	if (nl && *nl->ext_ack)
		fprintf(stderr, "%s: %s: %s (%s)\n", prog, step, strerror(-err), nl->ext_ack);
	else
		fprintf(stderr, "%s: %s: %s\n", prog, step, strerror(-err));
	return err;
}

bool tunnel_say(const struct tunnel *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
	return !t->dry_run;
}

const char *tunnel_ip_n(const struct tunnel *t, char *buf, size_t size)
{
	if (t->ns_named)
		snprintf(buf, size, "ip -n %s", t->ns);
	else
		snprintf(buf, size, "nsenter --net=%s ip", t->ns);
	return buf;
}

void tunnel_close(struct tunnel *t)
{
	nl_close(&t->host);
	nl_close(&t->target);
	nl_close(&t->genl);
	nl_close(&t->real_host);
	rtnl_snapshot_free(&t->before);
	rtnl_snapshot_free(&t->real_before);
	if (t->via_fd >= 0)
		close(t->via_fd);
	free(t->via_path);
	if (t->ns_fd >= 0)
		close(t->ns_fd);
	if (t->lock_fd >= 0)
		close(t->lock_fd);
	if (t->host_lock_fd >= 0)
		close(t->host_lock_fd);
	if (t->log_fd >= 0)
		close(t->log_fd);
	free(t->ns_path);
	free(t->socks_auth_path);
	loaded_config_free(&t->lc);
}

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

static const char *const command_names[] = { "up", "down", "save", "reload", "reresolve" };

int tunnel_parse_options(struct tunnel *t, int argc, char *argv[], enum tunnel_command cmd)
{
	const char *config = NULL, *move;
	static char state_config[4096];

	char why[320];
	bool no_relays = false;
	int r;

	memset(t, 0, sizeof(*t));
	t->cmd = cmd;
	t->ns_fd = t->lock_fd = t->host_lock_fd = t->log_fd = t->via_fd = -1;
	relay_set_init(&t->relays);
	for (int i = 1; i < argc; ++i) {
		if ((cmd == TUNNEL_UP || cmd == TUNNEL_RELOAD) &&
		    (r = relay_set_option(&t->relays, argc, argv, &i, why, sizeof(why)))) {
			t->relays_given = true;
			if (r > 0)
				continue;
			fprintf(stderr, "%s: %s\n", prog, why);
			return -EINVAL;
		}
		if (!strcmp(argv[i], "--netns") && i + 1 < argc)
			t->ns = argv[++i];
		else if (!strncmp(argv[i], "--netns=", 8))
			t->ns = argv[i] + 8;
		else if ((cmd == TUNNEL_UP || cmd == TUNNEL_RELOAD) && !strcmp(argv[i], "--via") && i + 1 < argc)
			t->via = argv[++i];
		else if ((cmd == TUNNEL_UP || cmd == TUNNEL_RELOAD) && !strncmp(argv[i], "--via=", 6))
			t->via = argv[i] + 6;
		else if (!strcmp(argv[i], "--"))
			continue;
		else if (!strcmp(argv[i], "--dry-run"))
			t->dry_run = true;
		/* up takes it too, meaning what up does without relay options: one NSWG_OPTS for both. */
		else if ((cmd == TUNNEL_RELOAD || cmd == TUNNEL_UP) && !strcmp(argv[i], "--no-relays"))
			t->relays_given = no_relays = true;
		else if (cmd == TUNNEL_DOWN && !strcmp(argv[i], "--keep-netns"))
			t->keep_netns = true;
		else if (!strcmp(argv[i], "--trust-netns-owner"))
			t->trust_owner = true;
		else if (argv[i][0] != '-' && !config)
			config = argv[i];
		else {
			fprintf(stderr, "%s: unknown or misplaced argument `%s'\n", prog, argv[i]);
			return -EINVAL;
		}
	}
	if (no_relays && t->relays.n) {
		fprintf(stderr, "%s: --no-relays: and relays given (%s %s)\n", prog,
			relay_kind_option(t->relays.specs[0].kind), t->relays.specs[0].text);
		return -EINVAL;
	}
	if (!config) {
		fprintf(stderr, "Usage: %s %s [ CONFIG_FILE | INTERFACE ] [ --netns NS ]%s\n", prog, command_names[cmd],
			cmd == TUNNEL_DOWN ? " [ --keep-netns ] [ --trust-netns-owner ]" :
			cmd == TUNNEL_UP ? " [ --via NS ] [ --trust-netns-owner ] [ --publish SPEC | --host-port SPEC | --socks SPEC ]..." :
			cmd == TUNNEL_RELOAD ? " [ --trust-netns-owner ] [ --no-relays | --publish SPEC | --host-port SPEC | --socks SPEC ]..." :
					   " [ --trust-netns-owner ]");
		return -EINVAL;
	}
	/* A test switch: the way for kernels that refuse to create a link in another namespace. */
	move = getenv("NSWG_CREATE_THEN_MOVE");
	t->force_move = move && !strcmp(move, "1");
	if (!t->dry_run && !check_privileges())
		return -EPERM;
	if (cmd != TUNNEL_UP)
		config = config_of_running(config, t->ns, state_config, sizeof(state_config));
	/* down and save read what wg-quick down reads: a broken peer does not stop them. */
	if (load_config(config, &t->lc, cmd == TUNNEL_DOWN || cmd == TUNNEL_SAVE))
		return -EINVAL;
	t->ns_given = t->ns != NULL;
	if (!t->ns)
		t->ns = t->lc.ifname;
	/* The journal is lines of key=value: a namespace is one line. */
	if (text_has_control(t->ns)) {
		fprintf(stderr, "%s: a namespace name or path with a control character is refused\n", prog);
		return -EINVAL;
	}
	/* RUNSTATEDIR/netns/NAME is NAME: one namespace, one name, one lock. */
	if (!strncmp(t->ns, NSWG_NETNS_RUN_DIR "/", strlen(NSWG_NETNS_RUN_DIR) + 1) &&
	    netns_name_valid(t->ns + strlen(NSWG_NETNS_RUN_DIR) + 1))
		t->ns += strlen(NSWG_NETNS_RUN_DIR) + 1;
	/* The directory of the host-wide locks is no namespace's. */
	if (!strcmp(t->ns, ".host")) {
		fprintf(stderr, "%s: `%s' is a name nswg keeps for itself\n", prog, t->ns);
		return -EINVAL;
	}
	t->ns_named = !netns_arg_is_path(t->ns);
	if (netns_path(t->ns, &t->ns_path)) {
		fprintf(stderr, "%s: `%s' is not a valid namespace name\n", prog, t->ns);
		return -EINVAL;
	}
	snprintf(t->st.ifname, sizeof(t->st.ifname), "%s", t->lc.ifname);
	snprintf(t->st.netns, sizeof(t->st.netns), "%s", t->ns);
	if (!realpath(t->lc.path, t->st.config))
		snprintf(t->st.config, sizeof(t->st.config), "%s", t->lc.path);
	room_init(&t->room, t->ns);
	return 0;
}

/* ---- the namespace ---- */

/*
 * A namespace another user namespace owns is another root's: it can read
 * the private key over the wireguard family and change the peers that save
 * would write back. up, save and reload refuse it unless told to trust its
 * owner; down, which only takes away, always goes on.
 */
static int tunnel_refuse_foreign(struct tunnel *t)
{
	int ours = netns_owner_is_ours(t->ns_fd);

	if (ours < 0 && ours != -ENOTTY && ours != -EINVAL && t->cmd != TUNNEL_DOWN) {
		fprintf(stderr, "%s: unable to find the owner of namespace `%s': %s\n", prog, t->ns, strerror(-ours));
		return ours;
	}
	/* Kernels without NS_GET_USERNS (before 4.9) have one user namespace for all that matters here. */
	t->foreign = ours <= 0 && ours != -ENOTTY && ours != -EINVAL; /* unknown counts as foreign */
	if (ours != 0 || t->cmd == TUNNEL_DOWN)
		return 0;
	if (!t->trust_owner) {
		fprintf(stderr,
			"%s: namespace `%s' belongs to another user namespace, whose root could read the private key: "
			"--trust-netns-owner accepts it\n",
			prog, t->ns);
		return -EPERM;
	}
	fprintf(stderr, "%s: warning: namespace `%s' belongs to another user namespace: its root can read the private "
			"key and change the peers\n",
		prog, t->ns);
	return 0;
}

int tunnel_refuse_host(struct tunnel *t)
{
	int ret = refuse_host_namespace(t->ns_fd, t->ns);

	return ret ? ret : tunnel_refuse_foreign(t);
}

int tunnel_open_namespace(struct tunnel *t, bool create)
{
	int ret;

	if (t->dry_run) {
		if (t->ns_named && access(t->ns_path, F_OK))
			say("ip netns add %s", t->ns);
		return 0;
	}
	t->ns_fd = netns_open(t->ns_path);
	if (t->ns_fd == -ENOENT && t->ns_named && create) {
		/* Recorded first: a namespace that may exist is one the journal names. */
		t->room.netns_created = true;
		if ((ret = tunnel_record_room(t)))
			return ret;
		say("ip netns add %s", t->ns);
		ret = netns_create(t->ns);
		if (ret) {
			/* Not made (someone else's ip netns add won, say): not ours to remove. */
			t->room.netns_created = false;
			tunnel_record_room(t);
			return tunnel_failed("unable to create the namespace", ret, NULL);
		}
		t->ns_fd = netns_open(t->ns_path);
		/* Its identity at once: the teardown removes only that namespace. */
		if (t->ns_fd >= 0 && !netns_identity(t->ns_fd, &t->room.netns_id) &&
		    (ret = tunnel_record_room(t)))
			return ret;
	}
	if (t->ns_fd < 0) {
		fprintf(stderr, "%s: unable to open namespace `%s': %s\n", prog, t->ns, netns_strerror(t->ns_fd));
		return t->ns_fd;
	}
	return tunnel_refuse_host(t);
}

int tunnel_lock_namespace(struct tunnel *t)
{
	int ret = 0;

	/* A key found through the journal stays: a path may lead elsewhere now. */
	if (!*t->key)
		ret = state_key(t->ns, t->ns_fd, t->key, sizeof(t->key));
	if (!ret)
		ret = state_dir(t->key, t->state_dir, sizeof(t->state_dir));
	if (!ret) {
		t->lock_fd = state_lock(t->key);
		ret = t->lock_fd < 0 ? t->lock_fd : 0;
	}
	if (ret)
		return tunnel_failed("unable to lock " NSWG_STATE_DIR, ret, NULL);
	return tunnel_read_room(t);
}

int tunnel_read_room(struct tunnel *t)
{
	int ret = room_read(t->key, &t->room);

	if (ret == -ENOENT)
		room_init(&t->room, t->ns);
	else if (ret)
		return tunnel_failed("unable to read the state", ret, NULL);
	return 0;
}

int tunnel_lock_host_name(struct tunnel *t)
{
	if (t->dry_run || t->host_lock_fd >= 0)
		return 0;
	t->host_lock_fd = state_lock_host_name(t->lc.ifname);
	if (t->host_lock_fd < 0)
		return tunnel_failed("unable to lock the interface's name on the host", t->host_lock_fd, NULL);
	return 0;
}

bool tunnel_name_leads_to_namespace(const struct tunnel *t)
{
	struct stat a, b;

	return t->ns_fd >= 0 && !fstat(t->ns_fd, &a) && !stat(t->ns_path, &b) && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* ---- the journal ---- */

/*
 * Not while tearing down: every undo step is idempotent, so an interrupted
 * teardown simply runs again from the record as it was.
 */
int tunnel_record(struct tunnel *t)
{
	int ret;

	if (t->dry_run || t->undoing)
		return 0;
	ret = state_write(t->key, &t->st);
	if (ret)
		return tunnel_failed("unable to record the state under " NSWG_STATE_DIR, ret, NULL);
	t->has_record = true;
	return 0;
}

int tunnel_record_room(struct tunnel *t)
{
	int ret;

	if (t->dry_run || t->undoing)
		return 0;
	ret = room_write(t->key, &t->room);
	if (ret)
		return tunnel_failed("unable to record the state under " NSWG_STATE_DIR, ret, NULL);
	return 0;
}

/* ---- what an earlier up made ---- */

/* Without --netns: the one namespace nswg put this interface in, from its record. */
static int find_record(struct tunnel *t)
{
	int ret = state_find(t->lc.ifname, t->key, sizeof(t->key));

	if (ret == -EEXIST) {
		fprintf(stderr, "%s: `%s' is up in several namespaces: name one with --netns\n", prog, t->lc.ifname);
		return ret;
	}
	if (ret) {
		*t->key = '\0';
		return 0;
	}
	ret = state_read(t->key, t->lc.ifname, &t->st);
	if (ret)
		return tunnel_failed("unable to read the state", ret, NULL);
	t->ns = t->st.netns;
	t->ns_named = !netns_arg_is_path(t->ns);
	free(t->ns_path);
	t->ns_path = NULL;
	return netns_path(t->ns, &t->ns_path) ? -ENOMEM : 0;
}

bool tunnel_same_namespace(const struct tunnel *t)
{
	struct netns_id id;

	if (!t->st.netns_id.ino)
		return true;
	return !netns_identity(t->ns_fd, &id) && netns_id_same(&id, &t->st.netns_id);
}

static int find_namespace(struct tunnel *t, enum tunnel_command cmd)
{
	int ret;

	if (!t->ns_given && (ret = find_record(t)))
		return ret;
	/* As up: a named namespace is locked first, so that down waits for an up under way. */
	if (t->ns_named && (ret = tunnel_lock_namespace(t)))
		return ret;
	t->ns_fd = netns_open(t->ns_path);
	if (t->ns_fd >= 0 && (ret = tunnel_refuse_host(t)))
		return ret;
	if (t->ns_fd >= 0 && !t->ns_named && (ret = tunnel_lock_namespace(t)))
		return ret;
	if (t->ns_fd >= 0 || t->ns_fd == -ENOENT) {
		ret = *t->key ? state_read(t->key, t->lc.ifname, &t->st) : -ENOENT;
		if (ret && ret != -ENOENT)
			return tunnel_failed("unable to read the state", ret, NULL);
		t->has_record = !ret;
	}
	if (t->ns_fd == -ENOENT && cmd == TUNNEL_DOWN && t->has_record) {
		/* Someone deleted it (ip netns delete): its interface went with it; undo the rest. */
		fprintf(stderr, "%s: namespace `%s' is gone, and `%s' with it; undoing what nswg recorded for it\n",
			prog, t->ns, t->lc.ifname);
		t->ns_gone = true;
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
	if (t->has_record && !tunnel_same_namespace(t)) {
		if (cmd != TUNNEL_DOWN) {
			fprintf(stderr, "%s: `%s' no longer names the namespace `%s' was brought up in: refusing it\n",
				prog, t->ns, t->lc.ifname);
			return -ESTALE;
		}
		fprintf(stderr, "%s: `%s' no longer names the namespace `%s' was brought up in: leaving that one "
				"alone; undoing the rest of what nswg recorded\n", prog, t->ns, t->lc.ifname);
		t->ns_gone = true;
		close(t->ns_fd);
		t->ns_fd = -1;
	}
	return 0;
}

int tunnel_open_existing(struct tunnel *t, int argc, char *argv[], enum tunnel_command cmd, struct rtnl_link *link)
{
	int ret = tunnel_parse_options(t, argc, argv, cmd);

	link->ifindex = 0;
	if (ret || (ret = find_namespace(t, cmd)) || (ret = tunnel_via_reopen(t)))
		return ret;
	if (!t->has_record) {
		/* Not brought up by nswg: down takes the interface down and touches nothing else. */
		memset(&t->st, 0, sizeof(t->st));
	} else if (!t->st.complete && cmd != TUNNEL_DOWN) {
		fprintf(stderr, "%s: the up of `%s' in namespace `%s' was interrupted: `nswg down %s' finishes its undo\n",
			prog, t->lc.ifname, t->ns, t->lc.ifname);
		return -EAGAIN;
	}
	if (t->ns_gone)
		return 0;
	ret = nl_open_in(&t->target, NETLINK_ROUTE, t->ns_fd);
	if (ret)
		return tunnel_failed("unable to open a netlink socket in the namespace", ret, NULL);
	ret = rtnl_link_get(&t->target, t->lc.ifname, 0, link);
	if (ret && ret != -ENODEV)
		return tunnel_failed("unable to look for the interface", ret, &t->target);
	if (ret == -ENODEV && cmd == TUNNEL_DOWN && t->has_record) {
		/* Its implementation died, someone deleted it, or up was cut short: undo the rest. */
		if (t->st.complete)
			fprintf(stderr, "%s: `%s' is gone from namespace `%s'; undoing what nswg recorded for it\n",
				prog, t->lc.ifname, t->ns);
		link->ifindex = 0;
		return 0;
	}
	if (ret || (strcmp(link->kind, "wireguard") && strcmp(link->kind, "tun"))) {
		fprintf(stderr, "%s: `%s' is not a WireGuard interface in namespace `%s'\n", prog, t->lc.ifname, t->ns);
		return ret ? ret : -EINVAL;
	}
	t->ifindex = link->ifindex;
	t->userspace = !strcmp(link->kind, "tun");
	return 0;
}

int tunnel_record_gated(struct tunnel *t, const struct daemon_proc *proc, struct daemon_gate *gate, int *pid,
			unsigned long long *start)
{
	int ret;

	*pid = proc->pid;
	*start = proc->start;
	if (!(ret = tunnel_record(t)))
		return 0;
	/* Still at its gate: ours to end, and never waited for unended. */
	daemon_gate_close(gate);
	kill(proc->pid, SIGKILL);
	waitpid(proc->pid, NULL, 0);
	*pid = 0;
	return ret;
}

/* Its last lines: the log may hold wireguard-go's and the relay's, the failure's words come last. */
#define LOG_TAIL 2048

void tunnel_print_log(const struct tunnel *t, const char *who)
{
	char path[4200], buf[LOG_TAIL + 1], *start = buf;
	struct stat st;
	ssize_t n = 0;
	bool cut = false;
	int fd = -1;

	if (!state_log_path(t->key, t->lc.ifname, path, sizeof(path)))
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		/* What was written from log_from on: reload appends, and what came before is not this failure's. */
		if (!fstat(fd, &st) && st.st_size - t->log_from > LOG_TAIL)
			cut = lseek(fd, st.st_size - LOG_TAIL, SEEK_SET) > 0;
		else if (t->log_from > 0)
			lseek(fd, t->log_from, SEEK_SET);
		n = read(fd, buf, LOG_TAIL);
		close(fd);
	}
	if (n <= 0)
		return;
	buf[n] = '\0';
	/* Cut into a line: from the next one, if there is one. */
	if (cut && strchr(buf, '\n') && strchr(buf, '\n')[1])
		start = strchr(buf, '\n') + 1;
	if (*start)
		fprintf(stderr, "%s: %s said:\n%s%s", prog, who, start, buf[n - 1] == '\n' ? "" : "\n");
}

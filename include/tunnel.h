/* SPDX-License-Identifier: MIT */
#ifndef NSWG_TUNNEL_H
#define NSWG_TUNNEL_H

#include <linux/rtnetlink.h>
#include <signal.h>
#include <stdbool.h>

#include "cli.h"
#include "nl.h"
#include "relay.h"
#include "resolve.h"
#include "rtnl.h"
#include "state.h"

/* wg-quick's MTU rule: the route's MTU less the encapsulation's 80 bytes; 1500 without one. */
#define NSWG_MTU_OVERHEAD 80
#define NSWG_MTU_DEFAULT_LINK 1500

/*
 * One interface in one namespace, as up, down, save and reload see it: the
 * file, the namespace, the sockets, and the journal of what was done.
 */
enum tunnel_command { TUNNEL_UP, TUNNEL_DOWN, TUNNEL_SAVE, TUNNEL_RELOAD, TUNNEL_RERESOLVE };

struct tunnel {
	struct loaded_config lc;
	const char *ns; /* as given: a name, or a path */
	bool ns_named;
	char *ns_path;
	int ns_fd, lock_fd, host_lock_fd;
	char key[4096];
	char state_dir[4200];
	bool ns_given, dry_run, keep_netns, force_move;
	bool trust_owner; /* --trust-netns-owner: a namespace of another user namespace is accepted */
	bool foreign;     /* the namespace is owned by another user namespace */
	enum tunnel_command cmd;
	struct relay_set relays; /* up's --publish, --host-port, --socks; reload's */
	bool relays_given;       /* reload: relay options (or --no-relays) given; none: the relays stay */
	char *socks_auth_path;   /* --socks-auth, absolute */

	/*
	 * --via: the namespace the encrypted socket lives in. host is the
	 * netlink socket there (the host's without --via), before its guard's
	 * snapshot; with --via the host proper is guarded too (real_host).
	 */
	const char *via;
	char *via_path;
	bool via_named;
	int via_fd;
	bool via_gone; /* recorded, and not reachable any more: touch nothing there */
	struct nl host, target, genl, real_host;
	struct rtnl_snapshot before, real_before;
	unsigned int mtu;

	/* The journal: written before each step (tunnel_record). */
	struct nswg_state st;
	struct nswg_room room;
	bool has_record; /* st was read from, or written to, the journal */
	bool undoing;    /* in tunnel_teardown(): the journal stays as it is */

	int ifindex;
	bool ipv6_off;  /* nswg keeps IPv6 off in the namespace */
	bool userspace; /* the device is a userspace implementation's TUN */
	bool ns_gone;   /* the namespace recorded is not reachable any more: touch nothing inside */
	int log_fd;
	off_t log_from; /* where this command's part of IFNAME.log begins */
};

/* The signal that asks for a rollback, or 0. */
extern volatile sig_atomic_t tunnel_stop;
/*
 * Every catchable signal that would kill nswg makes it roll back instead.
 * A SIGPIPE that nswg's own write to a closed stderr raises only stops the
 * printing: stderr going away never stops a step halfway.
 */
void tunnel_catch_signals(void);
/* Held off while the way back runs, so that it runs to its end; unblocked to go on after one. */
void tunnel_block_signals(void);
void tunnel_unblock_signals(void);

/* The end of IFNAME.log, what wireguard-go or the relay (who) wrote before it failed. */
void tunnel_print_log(const struct tunnel *t, const char *who);
/* Prints "nswg: STEP: REASON (the kernel's words)"; returns err. */
int tunnel_failed(const char *step, int err, const struct nl *nl);
/* A step's "[#]" line; true when the step is to be done (not --dry-run). */
bool tunnel_say(const struct tunnel *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "ip -n NS", or "nsenter --net=PATH ip", for the "[#]" lines. */
const char *tunnel_ip_n(const struct tunnel *t, char *buf, size_t size);

int tunnel_parse_options(struct tunnel *t, int argc, char *argv[], enum tunnel_command cmd);
void tunnel_close(struct tunnel *t);

/*
 * Opens the namespace (up: makes a named one that is missing, recorded in
 * the room first) and refuses the host's, by nsfs device and inode.
 */
int tunnel_open_namespace(struct tunnel *t, bool create);
int tunnel_refuse_host(struct tunnel *t);
int tunnel_lock_namespace(struct tunnel *t);
/* The room of the namespace locked: as recorded, or a fresh one. */
int tunnel_read_room(struct tunnel *t);
/* The namespace open is the one the record names (a path's PID may name another one now). */
bool tunnel_same_namespace(const struct tunnel *t);
/* The namespace's name or path still leads to the namespace open: not removed or replaced meanwhile. */
bool tunnel_name_leads_to_namespace(const struct tunnel *t);
/* The host-wide lock of the interface's name (userspace: TUN and socket). */
int tunnel_lock_host_name(struct tunnel *t);

/*
 * A process spawned at its gate (daemon.h): its pid and start time put in
 * *pid and *start of the record, and the record written, before it may run.
 * When the record cannot be written, it is ended at its gate and *pid is 0
 * again. 0 or -errno; the caller releases it.
 */
struct daemon_proc;
struct daemon_gate;
int tunnel_record_gated(struct tunnel *t, const struct daemon_proc *proc, struct daemon_gate *gate, int *pid,
			unsigned long long *start);

/* The journal: the interface's record and the room's, written now. */
int tunnel_record(struct tunnel *t);
int tunnel_record_room(struct tunnel *t);

/*
 * For down, save and reload (and an up that finds an interrupted one): the
 * record, the namespace and the link an earlier up made. link->ifindex is 0
 * when the link is gone (down undoes the rest).
 */
int tunnel_open_existing(struct tunnel *t, int argc, char *argv[], enum tunnel_command cmd, struct rtnl_link *link);

/*
 * The one way back, for a failed up and for down alike: everything the
 * journal names, in reverse, each step tolerant of its thing being absent,
 * so that an interrupted teardown can run again. The shared things of the
 * namespace go back only with its last interface.
 */
enum {
	TEARDOWN_ROLLBACK = 1U << 0, /* a failed up: quiet, and the namespace is always ours to remove */
	TEARDOWN_KEEP_NETNS = 1U << 1,
};
int tunnel_teardown(struct tunnel *t, unsigned int flags);

/*
 * --via (via.c). up: OUTER opened and checked (it exists, is not the host),
 * and recorded; down and reload: reopened from the record (via_gone when it
 * is not there any more). Then the netlink socket there, "host" to the
 * steps, and the host's own, guarded too.
 */
int tunnel_via_open(struct tunnel *t);
int tunnel_via_reopen(struct tunnel *t);
int tunnel_via_not_inner(struct tunnel *t, const struct netns_id *inner);
/* up's last look: the via's name or path still leads to the namespace open. */
bool tunnel_via_name_leads(const struct tunnel *t);
int tunnel_open_outer(struct tunnel *t);
/* The teardown's: a socket in the namespace the record names (-ENOENT: gone, and what it held with it). */
int tunnel_open_recorded_outer(const struct tunnel *t, struct nl *nl);
/* "ip", "ip -n OUTER" or "nsenter --net=PATH ip": where the "[#]" lines' link commands run. */
const char *tunnel_via_ip(const struct tunnel *t, char *buf, size_t size);
/* "the host" or "namespace `OUTER'", for messages. */
const char *tunnel_outer_name(const struct tunnel *t, char *buf, size_t size);
/* Endpoint names resolved as OUTER resolves them: in a child, with OUTER's /etc/netns files. */
int tunnel_resolve_in_via(struct tunnel *t, int retries, resolve_notify_fn notify);
/* down: refused while another tunnel's socket lives in this namespace. */
int tunnel_via_dependents(struct tunnel *t);
/*
 * A namespace nswg made, about to be deleted (a rollback, a down that found
 * no record of its own): 1 when another tunnel's socket is in it, which
 * keeps it, with a warning; 0; or -errno. Under state_lock_vias().
 */
int tunnel_via_keeps_netns(const struct tunnel *t);

/* The steps up and reload share. */
/*
 * A "-" allowed IP where nothing can remove one (a userspace
 * implementation, a kernel without WGALLOWEDIP_A_FLAGS): refused with its
 * FILE:LINE, before anything is touched.
 */
int tunnel_check_removals(struct tunnel *t, bool userspace);
int tunnel_find_mtu(struct tunnel *t);
int tunnel_resolve(struct tunnel *t);
bool tunnel_has_ipv6_address(const struct nswg_config *cfg);
int tunnel_ipv6_disable(struct tunnel *t);
int tunnel_ipv6_enable(struct tunnel *t);
int tunnel_ipv6_redisable(struct tunnel *t);
/* Whether the room holds settings of the namespace's own: IPv6 is off by nswg. */
bool tunnel_room_ipv6_off(const struct nswg_room *room);
int tunnel_set_dns(struct tunnel *t);
int tunnel_dns_put_back(struct tunnel *t);
int tunnel_address_change(struct tunnel *t, const struct nswg_prefix *p, bool add);
bool tunnel_route_wanted(const struct tunnel *t, const struct nswg_prefix *p);
uint32_t tunnel_route_table(const struct nswg_config *cfg);
/* The relay (tunnel_relay.c): its specs checked before anything is touched, started as up's last step. */
int tunnel_relay_check(struct tunnel *t);
int tunnel_relay_start(struct tunnel *t);
/* Both: the running relay, and the one a reload replaced. */
int tunnel_relay_stop(struct tunnel *t);
/* reload's relay options (t->relays, given): the relay replaced, its open connections left to end. */
int tunnel_relay_reload(struct tunnel *t);
/* reload: the options not given again (--socks-auth, --relay-user, the limits) kept from the journal. */
int tunnel_relay_inherit(struct tunnel *t);
/* Used by down too: the running configuration written back into the file. */
int tunnel_save_running(struct tunnel *t, const struct rtnl_link *link);

#endif

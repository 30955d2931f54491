/* SPDX-License-Identifier: MIT */
#ifndef NSWG_STATE_H
#define NSWG_STATE_H

#include <net/if.h>
#include <stdbool.h>

#include "netns.h"

#define NSWG_STATE_DIR NSWG_RUNSTATEDIR "/nswg"

/* Where an interface nswg makes may be while up runs. */
enum nswg_link_place {
	NSWG_LINK_NONE,    /* not asked for yet */
	NSWG_LINK_NETNS,   /* created in (or moved into) the namespace */
	NSWG_LINK_HOST,    /* created on the host, to be moved: a TUN, or the fallback */
};

/*
 * One interface's journal, NS/IFNAME.state. up writes it before each step
 * that changes something, naming what that step may leave, so that at any
 * instant (SIGKILL included) the record covers everything that may exist;
 * down, and a later up of the same interface, undo from it. No key is ever
 * written here.
 */
struct nswg_state {
	char ifname[IFNAMSIZ];
	char netns[4096]; /* as given: a name, or a path */
	char config[4096];
	struct netns_id netns_id; /* the namespace's identity, 0 until opened */
	char via[4096];           /* --via: the namespace of the encrypted socket, as given; "": the host */
	struct netns_id via_id;
	bool complete;                            /* up finished: false means interrupted */
	int link;                                 /* enum nswg_link_place */
	int ifindex;                              /* the link's in the namespace, once found; 0: not known */
	int host_ifindex;                         /* its index on the host, while it is there; 0: not known */
	bool ipv6_enabled;                        /* this interface turned IPv6 back on among others */
	int userspace_pid;                        /* 0: kernel WireGuard */
	unsigned long long userspace_start;
	unsigned long long host_routes; /* digest of the host's default routes at up */
	int relay_pid;                  /* the relay of --publish, --host-port, --socks; 0: none */
	unsigned long long relay_start;
	char relays[2048];              /* its specs, as options */
	int relay_draining_pid;         /* the relay reload replaced, serving its last connections; 0: none */
	unsigned long long relay_draining_start;
	/* The relay's options besides its specs, for reload to keep: "" and 0 where not given. */
	char relay_socks_auth[4096];
	char relay_socks_auth_id[96];   /* the file's device, inode and modification time, as the relay read it */
	char relay_user[256];
	int relay_max_connections;
	int relay_udp_timeout;
};

/*
 * What the interfaces of one namespace share, NS/room: the namespace itself,
 * its loopback, its IPv6 switches, its DNS files. The first up that changes
 * one records it here before changing it; the down of the last interface
 * puts it back.
 */
struct nswg_room {
	char netns[4096];
	struct netns_id netns_id;
	bool netns_created;
	bool lo_brought_up;         /* in a namespace nswg did not make */
	bool lo_bare;               /* and it had no address: those the kernel gives it at up go again */
	int ipv6_all, ipv6_default; /* previous disable_ipv6 values; -1: untouched */
	char dns_by[IFNAMSIZ];      /* the interface whose DNS= the files hold; "": none */
	bool etc_dir_created;       /* /etc/netns/NAME */
};

/* Pure: a record as the journal's file holds it (key=value lines), and back. */
struct strbuf;
int state_format(const struct nswg_state *st, struct strbuf *text);
void state_parse(const char *text, struct nswg_state *st);
int room_format(const struct nswg_room *room, struct strbuf *text);
void room_parse(const char *text, struct nswg_room *room);

/* The directory of a namespace's state: its name, or "@DEV:INO" for a path. */
int state_key(const char *netns_arg, int netns_fd, char *key, size_t size);
int state_dir(const char *key, char *path, size_t size);

/* An exclusive lock on the namespace's state; returns its fd, or -errno. */
int state_lock(const char *key);
/*
 * An exclusive lock on a name that is the host's, whatever the namespace:
 * a userspace implementation's TUN is born on the host and its socket path
 * is host-wide. Returns its fd, or -errno.
 */
int state_lock_host_name(const char *ifname);
/*
 * The one lock of every record's via: held from up's search for a loop to
 * the record that holds its via, so that two ups cannot each miss the other's.
 * Taken after a namespace's lock, never before one. Returns its fd, or -errno.
 */
int state_lock_vias(void);

int state_write(const char *key, const struct nswg_state *st);
int state_read(const char *key, const char *ifname, struct nswg_state *st);
int state_remove(const char *key, const char *ifname);

/* The room: -ENOENT from room_read when no interface of nswg's is there. */
void room_init(struct nswg_room *room, const char *netns);
int room_write(const char *key, const struct nswg_room *room);
int room_read(const char *key, struct nswg_room *room);
int room_remove(const char *key);

/* Every interface with state, sorted by namespace key then name. */
struct state_entry {
	char key[256];
	char ifname[IFNAMSIZ];
};
int state_list(struct state_entry **out, size_t *n);
/* How many interfaces other than ifname have state in the namespace of key. */
int state_others(const char *key, const char *ifname, size_t *n);

/* IFNAME.log beside the state, for a userspace implementation's messages. */
/* fresh: emptied first (up); else appended to (reload's relay). */
int state_log_open(const char *key, const char *ifname, bool fresh);
int state_log_path(const char *key, const char *ifname, char *path, size_t size);

/*
 * IFNAME.relay beside the state: the relay's counters (struct relay_stats),
 * made by up for the relay to map, read by show. Returns an fd (O_RDWR
 * when creating, else O_RDONLY), or -errno.
 */
int state_relay_stats_open(const char *key, const char *ifname, bool create);
/*
 * For reload: the counters of the relay that replaces the running one,
 * made as IFNAME.relay.next and put in place once it serves (or dropped,
 * keep false). The relay it replaces keeps its own file mapped to its end.
 */
int state_relay_stats_open_next(const char *key, const char *ifname);
int state_relay_stats_commit(const char *key, const char *ifname, bool keep);

/* The key of the one namespace that has state for ifname: -ENOENT, -EEXIST if several. */
int state_find(const char *ifname, char *key, size_t size);
/*
 * --via's chains: a record of a tunnel of nswg's in the namespace of id, in
 * st. 1: it has a via (st->via, the next hop); 2: it has none, its socket is
 * the host's; 0: no tunnel of nswg's there, what lies beyond is not known.
 */
int state_next_hop(const struct netns_id *id, struct nswg_state *st);
/* The key of a room recorded for the namespace of that identity: -ENOENT if none. */
int state_find_room(const struct netns_id *id, char *key, size_t size);

#endif

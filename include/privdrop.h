/* SPDX-License-Identifier: MIT */
#ifndef NSWG_PRIVDROP_H
#define NSWG_PRIVDROP_H

#include <pwd.h>
#include <stdbool.h>

/* USER by name, or by a number that is no name. */
struct passwd *privdrop_find_user(const char *user);

/*
 * Becomes pw for good: its groups (all of them, or none but its primary
 * with groups false), its gid and uid, an empty bounding set (best-effort
 * without CAP_SETPCAP: no_new_privs covers it), PR_SET_NO_NEW_PRIVS, and a
 * session keyring of its own. Fails when root could be had back. Returns 0
 * or -errno; for a process with threads, the threads' credentials follow
 * (glibc), the bounding set and no_new_privs are the calling thread's.
 */
int privdrop_become(const struct passwd *pw, bool groups);
/*
 * The part of privdrop_become() that is per thread (an empty bounding set,
 * no_new_privs, a session keyring of its own), for a process about to start
 * threads that drop root with it later: they inherit it. 0 or -errno.
 */
int privdrop_seal(void);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef NSWG_NSVIEW_H
#define NSWG_NSVIEW_H

/*
 * A process's view of a named namespace, as `ip netns exec' gives it: a
 * mount namespace of its own (mounts made after stay in it), and every file
 * of /etc/netns/NAME bound over its namesake in /etc (one that cannot be is
 * a warning, as there). For exec, and for resolving names as --via's
 * namespace resolves them.
 */
int nsview_private_mounts(void);
void nsview_bind_etc(const char *name);

#endif

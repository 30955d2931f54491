/* SPDX-License-Identifier: MIT */
#ifndef NSWG_STATS_H
#define NSWG_STATS_H

/*
 * What one run of nswg asked of the kernel and of the system: printed with
 * NSWG_STATS=1 for `make bench'. One request is one message sent and
 * answered (a dump counts once, however many replies it has).
 */
struct nswg_stats {
	unsigned long netlink_requests;
	unsigned long netlink_round_trips; /* a batch of requests is one */
	unsigned long uapi_requests;
	unsigned long processes;
	unsigned long journal_writes; /* each a step of the journal, for the fault build too */
};

extern struct nswg_stats nswg_stats;

/*
 * Fault injection, in test builds only (build/fault/nswg): with
 * NSWG_FAULT=N:ERRNO, the Nth request (netlink or UAPI) or journal write,
 * counted together, is not made and fails with -ERRNO; with NSWG_FAULT_SIGNAL=N:SIG, SIG is
 * raised just before it. Returns 0 or that error.
 */
#ifdef NSWG_FAULT_INJECTION
int fault_injected(void);
#else
static inline int fault_injected(void)
{
	return 0;
}
#endif

#endif

// SPDX-License-Identifier: MIT
/*
 * nswg down: what the journal names, undone by the teardown a failed up
 * takes too. An up that was interrupted (even by SIGKILL) is finished here.
 */
#include <stdio.h>

#include "tunnel.h"

int cmd_down(int argc, char *argv[])
{
	struct rtnl_link link;
	struct tunnel t;
	int ret;

	tunnel_catch_signals();
	if ((ret = tunnel_open_existing(&t, argc, argv, TUNNEL_DOWN, &link)) || (ret = tunnel_via_dependents(&t)))
		goto out;
	if (t.has_record && !t.st.complete)
		fprintf(stderr, "%s: the up of `%s' in namespace `%s' was interrupted; finishing its undo\n", prog,
			t.lc.ifname, t.ns);
	/* What another root may have changed is not written into this one's file. */
	else if (link.ifindex && t.lc.cfg->save_config && t.foreign && !t.trust_owner)
		fprintf(stderr, "%s: warning: not saving `%s': namespace `%s' belongs to another user namespace, "
				"whose root may have changed the peers (--trust-netns-owner saves them)\n",
			prog, t.lc.ifname, t.ns);
	/* As wg-quick: a configuration that cannot be saved stops down. */
	else if (link.ifindex && t.lc.cfg->save_config && (ret = tunnel_save_running(&t, &link)))
		goto out;
	ret = tunnel_teardown(&t, t.keep_netns ? TEARDOWN_KEEP_NETNS : 0);
out:
	tunnel_close(&t);
	return ret ? 1 : 0;
}

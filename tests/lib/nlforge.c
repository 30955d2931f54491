// SPDX-License-Identifier: MIT
/*
 * nlforge: what the root of a user namespace can do to a netlink socket of
 * nswg's in a network namespace it owns. Finds every other socket in
 * /proc/net/netlink and sends each forged replies: errors with the
 * sequence numbers nswg once used (pid << 8 + n), and a message whose
 * length (2 GiB) passes libmnl's signed check. Prints what the kernel
 * delivered; exits 0 only when it found sockets and delivered nothing.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct forged {
	struct nlmsghdr h;
	struct nlmsgerr err;
};

static int sock_for(int proto, int socks[32])
{
	if (proto < 0 || proto >= 32)
		return -1;
	if (socks[proto] < 0)
		socks[proto] = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, proto);
	return socks[proto];
}

int main(void)
{
	char line[512];
	unsigned int found = 0, delivered = 0, refused = 0, other = 0;
	int socks[32];
	FILE *f = fopen("/proc/net/netlink", "r");

	for (int i = 0; i < 32; ++i)
		socks[i] = -1;
	if (!f) {
		perror("nlforge: /proc/net/netlink");
		return 2;
	}
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return 2;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long long sk;
		int proto;
		unsigned int portid;
		struct sockaddr_nl to = { .nl_family = AF_NETLINK };
		int fd;

		if (sscanf(line, "%llx %d %u", &sk, &proto, &portid) != 3 || !portid)
			continue;
		fd = sock_for(proto, socks);
		if (fd < 0)
			continue;
		/* Not one of this program's own sockets. */
		{
			struct sockaddr_nl me;
			socklen_t len = sizeof(me);

			if (!getsockname(fd, (struct sockaddr *)&me, &len) && me.nl_pid == portid)
				continue;
		}
		++found;
		to.nl_pid = portid;
		for (uint32_t n = 0; n < 64; ++n) {
			struct forged m = { .h = { .nlmsg_len = sizeof(m), .nlmsg_type = NLMSG_ERROR, .nlmsg_pid = portid } };

			m.h.nlmsg_seq = ((uint32_t)portid << 8) + n;
			m.err.error = -EPERM;
			if (n == 63) { /* the length libmnl takes for a valid one */
				m.h.nlmsg_len = 0x80000000U;
				m.h.nlmsg_type = 16; /* RTM_NEWLINK */
			}
			if (sendto(fd, &m, sizeof(m), 0, (struct sockaddr *)&to, sizeof(to)) >= 0)
				++delivered;
			else if (errno == ECONNREFUSED)
				++refused;
			else
				++other;
		}
	}
	fclose(f);
	printf("nlforge: sockets %u, delivered %u, refused %u, other errors %u\n", found, delivered, refused, other);
	return found && !delivered ? 0 : 1;
}

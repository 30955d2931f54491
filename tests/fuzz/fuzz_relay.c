// SPDX-License-Identifier: MIT
/*
 * What the relay reads from others under libFuzzer: a SOCKS5 client's
 * bytes (greeting, credentials, request, consumed in turn as the relay
 * consumes them), a DNS answer from the namespace's resolver, the specs
 * of --publish, --host-port and --socks, and a resolv.conf. The first byte
 * chooses which; the rest is the input. FUZZ_RELAY_ONLY=0..3 gives every
 * input to one of them (the first byte still set aside), so that each can
 * be taken to ten million executions of its own.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relay.h"
#include "socks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Each message takes no more than it was given; a name is a C string of the length it said. */
static void socks_stream(const uint8_t *p, size_t n)
{
	struct socks_credentials cred;
	struct socks_request req;
	bool none, userpass;
	int r = socks_parse_greeting(p, n, &none, &userpass);

	if (r <= 0)
		return;
	assert((size_t)r <= n);
	p += r;
	n -= (size_t)r;
	if (userpass) {
		r = socks_parse_userpass(p, n, &cred);
		if (r <= 0)
			return;
		assert((size_t)r <= n && strlen(cred.user) < 256 && strlen(cred.pass) < 256);
		(void)socks_credentials_match(&cred, "user", "pass");
		p += r;
		n -= (size_t)r;
	}
	r = socks_parse_request(p, n, &req);
	if (r > 0) {
		assert((size_t)r <= n);
		assert(!req.is_name || (strlen(req.name) > 0 && strlen(req.name) < 256));
	}
}

static void dns(const uint8_t *p, size_t n)
{
	union relay_addr addr;
	uint8_t q[600];
	char name[300];
	size_t len;

	if (n < 3)
		return;
	(void)dns_answer_parse(p + 3, n - 3, (uint16_t)(p[0] << 8 | p[1]), "only.inside.test",
			       p[2] & 1 ? DNS_TYPE_AAAA : DNS_TYPE_A, &addr);
	/* The question built from any name fits what it says, or is refused. */
	len = n - 3 < sizeof(name) - 1 ? n - 3 : sizeof(name) - 1;
	memcpy(name, p + 3, len);
	name[len] = '\0';
	int ql = dns_query_build(q, sizeof(q), 1, name, DNS_TYPE_A);

	assert(ql < 0 || (size_t)ql <= sizeof(q));
}

static char *text_of(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s) {
		memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

static void specs(const uint8_t *p, size_t n)
{
	static const char *const options[] = { "--publish", "--host-port", "--socks", "--max-connections",
					       "--udp-timeout", "--socks-auth", "--relay-user" };
	struct relay_set set;
	char why[320], text[4096], *s, *save = NULL, *v;
	int i = 0;

	if (!n)
		return;
	s = text_of(p + 1, n - 1);
	if (!s)
		return;
	relay_set_init(&set);
	/* The value split at newlines: up to eight options of the kind the first byte says, in turn. */
	for (v = strtok_r(s, "\n", &save); v && i < 8; v = strtok_r(NULL, "\n", &save), ++i) {
		char *argv[] = { (char *)options[(p[0] + i) % 7], v, NULL };
		int k = 0, r = relay_set_option(&set, 2, argv, &k, why, sizeof(why));

		assert(r == 1 || r == -EINVAL);
		assert(set.n <= RELAY_SPEC_MAX);
	}
	(void)relay_set_format(&set, text, sizeof(text));
	for (size_t i = 0; i < set.n; ++i) {
		relay_addr_format(&set.specs[i].listen, text, 64);
		relay_addr_format(&set.specs[i].target, text, 64);
	}
	free(s);
}

static void resolv(const uint8_t *p, size_t n)
{
	union relay_addr ns[RELAY_SPEC_MAX];
	char *s = text_of(p, n);

	if (s)
		assert(resolv_conf_nameservers(s, ns, 3) <= 3);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int only = -2;

	if (only == -2)
		only = getenv("FUZZ_RELAY_ONLY") ? atoi(getenv("FUZZ_RELAY_ONLY")) & 3 : -1;
	if (!size)
		return 0;
	switch (only >= 0 ? only : data[0] & 3) {
	case 0:
		socks_stream(data + 1, size - 1);
		break;
	case 1:
		dns(data + 1, size - 1);
		break;
	case 2:
		specs(data + 1, size - 1);
		break;
	default:
		resolv(data + 1, size - 1);
	}
	return 0;
}

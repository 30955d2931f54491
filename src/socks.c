// SPDX-License-Identifier: MIT
/*
 * The bytes of SOCKS5 and of the DNS questions its entrance asks inside the
 * namespace. Every length is checked against what was received before it
 * is used: these parsers read what any local user (SOCKS) or the network
 * (DNS) sends, and a fuzzer drives them (tests/fuzz).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "socks.h"

int socks_parse_greeting(const uint8_t *buf, size_t len, bool *none, bool *userpass)
{
	size_t n;

	*none = *userpass = false;
	if (len < 2)
		return len && buf[0] != SOCKS_VERSION ? -EPROTO : 0;
	if (buf[0] != SOCKS_VERSION || !buf[1])
		return -EPROTO;
	n = buf[1];
	if (len < 2 + n)
		return 0;
	for (size_t i = 0; i < n; ++i) {
		*none |= buf[2 + i] == SOCKS_METHOD_NONE;
		*userpass |= buf[2 + i] == SOCKS_METHOD_USERPASS;
	}
	return (int)(2 + n);
}

/* A length-prefixed string at buf[*off], copied NUL-terminated; 0 while incomplete. */
static int counted_string(const uint8_t *buf, size_t len, size_t *off, char out[256])
{
	size_t n;

	if (*off >= len)
		return 0;
	n = buf[*off];
	if (len < *off + 1 + n)
		return 0;
	if (memchr(buf + *off + 1, '\0', n))
		return -EPROTO;
	memcpy(out, buf + *off + 1, n);
	out[n] = '\0';
	*off += 1 + n;
	return 1;
}

int socks_parse_userpass(const uint8_t *buf, size_t len, struct socks_credentials *cred)
{
	size_t off = 1;
	int ret;

	if (!len)
		return 0;
	if (buf[0] != SOCKS_AUTH_VERSION)
		return -EPROTO;
	if ((ret = counted_string(buf, len, &off, cred->user)) <= 0 ||
	    (ret = counted_string(buf, len, &off, cred->pass)) <= 0)
		return ret;
	return (int)off;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

int socks_parse_request(const uint8_t *buf, size_t len, struct socks_request *req)
{
	size_t need;

	memset(req, 0, sizeof(*req));
	if (len && buf[0] != SOCKS_VERSION)
		return -EPROTO;
	if (len < 5)
		return 0;
	if (buf[1] != SOCKS_CMD_CONNECT)
		return -ENOTSUP;
	switch (buf[3]) {
	case SOCKS_ATYP_IPV4:
	case SOCKS_ATYP_IPV6: {
		size_t alen = buf[3] == SOCKS_ATYP_IPV4 ? 4 : 16;

		need = 4 + alen + 2;
		if (len < need)
			return 0;
		if (alen == 4) {
			req->addr.in.sin_family = AF_INET;
			memcpy(&req->addr.in.sin_addr, buf + 4, 4);
		} else {
			req->addr.in6.sin6_family = AF_INET6;
			memcpy(&req->addr.in6.sin6_addr, buf + 4, 16);
		}
		/* sin_port and sin6_port are at one offset: the union's port for either. */
		req->addr.in.sin_port = htons(get16(buf + 4 + alen));
		return (int)need;
	}
	case SOCKS_ATYP_DOMAIN:
		if (!buf[4])
			return -EPROTO;
		need = 4 + 1 + buf[4] + 2;
		if (len < need)
			return 0;
		if (memchr(buf + 5, '\0', buf[4]))
			return -EPROTO;
		memcpy(req->name, buf + 5, buf[4]);
		req->name[buf[4]] = '\0';
		req->is_name = true;
		req->addr.in.sin_port = htons(get16(buf + 5 + buf[4]));
		return (int)need;
	default:
		return -EAFNOSUPPORT;
	}
}

void socks_reply(enum socks_reply code, uint8_t out[SOCKS_REPLY_LEN])
{
	memset(out, 0, SOCKS_REPLY_LEN);
	out[0] = SOCKS_VERSION;
	out[1] = (uint8_t)code;
	out[3] = SOCKS_ATYP_IPV4;
}

int socks_credentials_parse(char *text, struct socks_credentials *cred)
{
	char *end = text + strcspn(text, "\r\n"), *colon;
	size_t ulen, plen;

	*end = '\0';
	colon = strchr(text, ':');
	if (!colon)
		return -EINVAL;
	ulen = (size_t)(colon - text);
	plen = (size_t)(end - colon - 1);
	if (!ulen || ulen >= sizeof(cred->user) || plen >= sizeof(cred->pass))
		return -EINVAL;
	memcpy(cred->user, text, ulen);
	cred->user[ulen] = '\0';
	memcpy(cred->pass, colon + 1, plen);
	cred->pass[plen] = '\0';
	return 0;
}

/* Equal, in time that depends on b's length alone. */
static bool same_secret(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char diff = la != lb;

	for (size_t i = 0; i < lb; ++i)
		diff |= (unsigned char)(b[i] ^ (i < la ? a[i] : 0));
	return !diff;
}

bool socks_credentials_match(const struct socks_credentials *given, const char *user, const char *pass)
{
	bool u = same_secret(given->user, user), p = same_secret(given->pass, pass);

	return u & p;
}

bool socks_destination_is_local(const union relay_addr *a)
{
	if (a->sa.sa_family == AF_INET6) {
		const struct in6_addr *x = &a->in6.sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(x)) {
			uint32_t v4 = (uint32_t)x->s6_addr[12] << 24 | (uint32_t)x->s6_addr[13] << 16 |
				      (uint32_t)x->s6_addr[14] << 8 | x->s6_addr[15];

			return v4 >> 24 == 127 || !v4 || v4 >> 28 == 0xe;
		}
		return IN6_IS_ADDR_LOOPBACK(x) || IN6_IS_ADDR_UNSPECIFIED(x) || IN6_IS_ADDR_MULTICAST(x);
	}
	uint32_t v4 = ntohl(a->in.sin_addr.s_addr);

	return v4 >> 24 == 127 || !v4 || v4 >> 28 == 0xe || v4 == 0xffffffffU;
}

/* ---- DNS ---- */

#define DNS_HEADER 12
#define DNS_CLASS_IN 1
#define DNS_NAME_MAX 255
#define DNS_JUMPS_MAX 16

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

int dns_query_build(uint8_t *buf, size_t size, uint16_t id, const char *name, uint16_t qtype)
{
	size_t off = DNS_HEADER, nlen = strlen(name);
	const char *label = name;

	if (nlen && name[nlen - 1] == '.')
		--nlen;
	if (!nlen || nlen > 253 || size < DNS_HEADER + nlen + 2 + 4)
		return -EINVAL;
	memset(buf, 0, DNS_HEADER);
	put16(buf, id);
	buf[2] = 0x01; /* recursion desired */
	put16(buf + 4, 1);
	while (label < name + nlen) {
		const char *dot = memchr(label, '.', (size_t)(name + nlen - label));
		size_t l = dot ? (size_t)(dot - label) : (size_t)(name + nlen - label);

		if (!l || l > 63)
			return -EINVAL;
		for (size_t i = 0; i < l; ++i) {
			if ((unsigned char)label[i] <= ' ' || (unsigned char)label[i] >= 0x7f)
				return -EINVAL;
		}
		buf[off++] = (uint8_t)l;
		memcpy(buf + off, label, l);
		off += l;
		label += l + 1;
	}
	buf[off++] = 0;
	put16(buf + off, qtype);
	put16(buf + off + 2, DNS_CLASS_IN);
	return (int)(off + 4);
}

/*
 * The name at *off, compression pointers followed (a bounded number of
 * times), into out as dotted text; *off moves past it where it is written.
 */
static int name_read(const uint8_t *buf, size_t len, size_t *off, char out[DNS_NAME_MAX + 2])
{
	size_t pos = *off, n = 0;
	int jumps = 0;
	bool jumped = false;

	for (;;) {
		uint8_t l;

		if (pos >= len)
			return -EPROTO;
		l = buf[pos];
		if ((l & 0xc0) == 0xc0) {
			if (pos + 1 >= len || ++jumps > DNS_JUMPS_MAX)
				return -EPROTO;
			if (!jumped)
				*off = pos + 2;
			jumped = true;
			pos = (size_t)(l & 0x3f) << 8 | buf[pos + 1];
			continue;
		}
		if (l & 0xc0)
			return -EPROTO;
		if (!l)
			break;
		if (pos + 1 + l > len || n + l + 1 > DNS_NAME_MAX)
			return -EPROTO;
		if (n)
			out[n++] = '.';
		memcpy(out + n, buf + pos + 1, l);
		n += l;
		pos += 1 + l;
	}
	out[n] = '\0';
	if (!jumped)
		*off = pos + 1;
	return 0;
}

static bool name_same(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la && a[la - 1] == '.')
		--la;
	if (lb && b[lb - 1] == '.')
		--lb;
	return la == lb && !strncasecmp(a, b, la);
}

int dns_answer_parse(const uint8_t *buf, size_t len, uint16_t id, const char *name, uint16_t qtype,
		     union relay_addr *addr)
{
	char qname[DNS_NAME_MAX + 2];
	size_t off = DNS_HEADER;
	unsigned int an;

	if (len < DNS_HEADER)
		return -EPROTO;
	if (get16(buf) != id || !(buf[2] & 0x80) || get16(buf + 4) != 1)
		return -ESRCH;
	if (name_read(buf, len, &off, qname) || off + 4 > len)
		return -EPROTO;
	if (!name_same(qname, name) || get16(buf + off) != qtype || get16(buf + off + 2) != DNS_CLASS_IN)
		return -ESRCH;
	off += 4;
	if (buf[3] & 0x0f)
		return -ENOENT; /* NXDOMAIN, SERVFAIL, REFUSED: no address to be had */
	an = get16(buf + 6);
	for (unsigned int i = 0; i < an; ++i) {
		char rname[DNS_NAME_MAX + 2];
		uint16_t type, class, rdlen;

		if (name_read(buf, len, &off, rname) || off + 10 > len)
			return -EPROTO;
		type = get16(buf + off);
		class = get16(buf + off + 2);
		rdlen = get16(buf + off + 8);
		off += 10;
		if (off + rdlen > len)
			return -EPROTO;
		memset(addr, 0, sizeof(*addr));
		if (class == DNS_CLASS_IN && type == qtype && qtype == DNS_TYPE_A && rdlen == 4) {
			addr->in.sin_family = AF_INET;
			memcpy(&addr->in.sin_addr, buf + off, 4);
			return 0;
		}
		if (class == DNS_CLASS_IN && type == qtype && qtype == DNS_TYPE_AAAA && rdlen == 16) {
			addr->in6.sin6_family = AF_INET6;
			memcpy(&addr->in6.sin6_addr, buf + off, 16);
			return 0;
		}
		off += rdlen;
	}
	return -ENOENT;
}

size_t resolv_conf_nameservers(const char *text, union relay_addr *out, size_t max)
{
	size_t n = 0;

	for (const char *line = text; *line && n < max; line += strcspn(line, "\n"), line += *line == '\n') {
		char addr[INET6_ADDRSTRLEN + 8];
		size_t len;

		if (strncmp(line, "nameserver", 10) || (line[10] != ' ' && line[10] != '\t'))
			continue;
		line += 10;
		line += strspn(line, " \t");
		len = strcspn(line, " \t\n%#;");
		if (!len || len >= sizeof(addr))
			continue;
		memcpy(addr, line, len);
		addr[len] = '\0';
		memset(&out[n], 0, sizeof(out[n]));
		if (inet_pton(AF_INET, addr, &out[n].in.sin_addr) == 1) {
			out[n].in.sin_family = AF_INET;
			out[n++].in.sin_port = htons(53);
		} else if (inet_pton(AF_INET6, addr, &out[n].in6.sin6_addr) == 1) {
			out[n].in6.sin6_family = AF_INET6;
			out[n++].in6.sin6_port = htons(53);
		}
	}
	return n;
}

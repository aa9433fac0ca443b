/*
 * The directory section of the file, past what the loader sees: which TLS
 * each URI gets, and the local files the section names. No LDAP here: this
 * is decided before any packet is sent, and tested without a server.
 *
 * A URI is one server: scheme, host and port, nothing else. libldap would
 * take "ldap://a ldap://b" as a list and fail over by itself, without
 * mutualize's timeouts; the list is the file's, and a URI holds no space.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mutualize.h"

#define CA_FILE_MAX	(1024 * 1024)

enum scheme { SCHEME_LDAP, SCHEME_LDAPS, SCHEME_LDAPI };

const char *
tls_mode_name(enum tls_mode t)
{
	switch (t) {
	case TLS_NONE:
		return "none";
	case TLS_STARTTLS:
		return "starttls";
	case TLS_LDAPS:
		return "ldaps";
	default:
		return "default";
	}
}

static int
is_loopback_address(const char *host, int bracketed)
{
	struct in_addr	 a4;
	struct in6_addr	 a6;

	if (bracketed) {
		if (inet_pton(AF_INET6, host, &a6) != 1)
			return 0;
		return IN6_IS_ADDR_LOOPBACK(&a6) || (IN6_IS_ADDR_V4MAPPED(&a6) &&
		    a6.s6_addr[12] == 127);
	}
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return strcasecmp(host, "localhost") == 0 ||
	    strcasecmp(host, "localhost.") == 0;
}

/* host[:port] or [v6][:port]. Returns 0, or -1 with why. */
static int
parse_hostport(const char *p, size_t len, int *loopback, const char **why)
{
	char		 host[256];
	const char	*h = p, *after;
	size_t		 hlen;
	int		 bracketed = 0;
	long		 port;
	char		*end;

	if (len == 0) {
		*why = "names no host";
		return -1;
	}
	if (*p == '[') {
		if ((after = memchr(p, ']', len)) == NULL)
			goto badhost;
		h = p + 1;
		hlen = (size_t)(after - h);
		after++;
		bracketed = 1;
	} else {
		after = memchr(p, ':', len);
		if (after == NULL)
			after = p + len;
		hlen = (size_t)(after - p);
	}
	if (hlen == 0 || hlen >= sizeof(host))
		goto badhost;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (bracketed) {
		struct in6_addr	a6;

		if (inet_pton(AF_INET6, host, &a6) != 1)
			goto badhost;
	} else if (strspn(host, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != hlen)
		goto badhost;
	if (after < p + len) {
		if (*after != ':' || after + 1 == p + len ||
		    strspn(after + 1, "0123456789") != (size_t)(p + len - after - 1))
			goto badport;
		errno = 0;
		port = strtol(after + 1, &end, 10);
		if (errno != 0 || port < 1 || port > 65535)
			goto badport;
	}
	*loopback = is_loopback_address(host, bracketed);
	return 0;
badhost:
	*why = "has a host that is neither a name nor an address";
	return -1;
badport:
	*why = "has a port that is not a number from 1 to 65535";
	return -1;
}

/* Returns 0 with the scheme and whether the server is this machine, or -1. */
static int
parse_uri(const char *uri, enum scheme *scheme, int *loopback, const char **why)
{
	static const struct {
		const char	*prefix;
		enum scheme	 scheme;
	} schemes[] = {
		{ "ldap://", SCHEME_LDAP },
		{ "ldaps://", SCHEME_LDAPS },
		{ "ldapi://", SCHEME_LDAPI },
	};
	const char	*p = NULL;
	size_t		 i, len;

	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strncasecmp(uri, schemes[i].prefix,
		    strlen(schemes[i].prefix)) == 0) {
			*scheme = schemes[i].scheme;
			p = uri + strlen(schemes[i].prefix);
			break;
		}
	if (p == NULL) {
		*why = "is not an ldap://, ldaps:// or ldapi:// URI";
		return -1;
	}
	if (strpbrk(uri, " \t\r\n,") != NULL) {
		*why = "holds a space or a comma: give each URI as an item of a "
		    "list";
		return -1;
	}
	len = strcspn(p, "/?#");
	if (p[len] != '\0' && strcmp(p + len, "/") != 0) {
		*why = "has more than a host and a port";
		return -1;
	}
	if (*scheme == SCHEME_LDAPI) {
		/* The host part is the socket's path, percent-encoded. */
		if (strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789%._~-") != len) {
			*why = "has a socket path that is not percent-encoded";
			return -1;
		}
		*loopback = 1;
		return 0;
	}
	return parse_hostport(p, len, loopback, why);
}

/*
 * ldaps:// is TLS from the first byte and ldapi:// is a local socket that the
 * file system protects: neither takes another mode. ldap:// gets StartTLS
 * unless the file says otherwise or the server is this machine.
 */
int
directory_uri_tls(const char *uri, enum tls_mode asked, enum bind_method bind,
    enum tls_mode *got, const char **why)
{
	enum scheme	scheme;
	int		loopback = 0;

	if (parse_uri(uri, &scheme, &loopback, why) == -1)
		return -1;
	if (bind == BIND_EXTERNAL && scheme != SCHEME_LDAPI) {
		*why = "is not an ldapi:// URI, which bind: external needs";
		return -1;
	}
	switch (scheme) {
	case SCHEME_LDAPI:
		*got = TLS_NONE;
		return 0;
	case SCHEME_LDAPS:
		if (asked == TLS_NONE || asked == TLS_STARTTLS) {
			*why = asked == TLS_NONE ? "always uses TLS: it cannot go "
			    "with tls: none" : "is TLS from the start: it cannot "
			    "go with tls: starttls";
			return -1;
		}
		*got = TLS_LDAPS;
		return 0;
	default:
		if (asked == TLS_LDAPS) {
			*why = "is not an ldaps:// URI, which tls: ldaps needs";
			return -1;
		}
		if (asked == TLS_DEFAULT)
			*got = loopback ? TLS_NONE : TLS_STARTTLS;
		else
			*got = asked;
		return 0;
	}
}

int
directory_uri_cleartext(const char *uri, enum tls_mode asked,
    enum bind_method bind)
{
	enum scheme	 scheme;
	enum tls_mode	 got;
	const char	*why;
	int		 loopback = 0;

	if (bind != BIND_SIMPLE || parse_uri(uri, &scheme, &loopback, &why) == -1 ||
	    directory_uri_tls(uri, asked, bind, &got, &why) == -1)
		return 0;
	return got == TLS_NONE && !loopback;
}

char *
directory_path(const struct model *m, const char *name)
{
	if (name[0] == '/')
		return xstrdup(name);
	return xasprintf("%s/%s", m->dir, name);
}

/*
 * The CA file is read here, before any packet: a missing or wrong file stops
 * the run at the file's position rather than as a failed handshake with every
 * server in turn. libldap reads it again to build its TLS context.
 */
int
directory_ca_check(const struct model *m, struct diags *d)
{
	struct diags	 fd = { 0 };
	struct pos	 pos = m->directory.ca_file_pos;
	char		*path, *buf;
	size_t		 len, i;
	int		 rc = -1;

	if (m->directory.ca_file == NULL)
		return 0;
	path = directory_path(m, m->directory.ca_file);
	if ((buf = file_read(path, CA_FILE_MAX, &fd, &len)) == NULL) {
		for (i = 0; i < fd.n; i++)
			diag_add(d, pos, "ca_file %s: %s", path, fd.v[i].msg);
	} else if (strstr(buf, "-----BEGIN CERTIFICATE-----") == NULL)
		diag_add(d, pos, "ca_file %s: holds no PEM certificate", path);
	else
		rc = 0;
	diag_free(&fd);
	free(buf);
	free(path);
	return rc;
}

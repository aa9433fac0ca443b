/*
 * Connecting and binding to the directory; the one LDAP error reporter.
 *
 * The URIs of the file are tried in order, each in a handle of its own, so
 * that mutualize, not libldap, decides when a server is given up: one that
 * refuses the connection, does not answer within the timeout (a hung slapd
 * still accepts TCP), or fails TLS is reported and the next one is tried.
 * A server that answers the bind with a refusal stops the run: the next one
 * would refuse the same credentials, and a retry may lock the account.
 *
 * TLS always verifies the server's certificate and host name, and a server
 * that refuses StartTLS is given up: never a word in clear text instead.
 *
 * libldap bounds the TCP connection and mutualize's own ldap_result calls
 * bound every operation, but nothing bounds a TLS handshake that libldap
 * (with GnuTLS) runs against a server that accepted TCP and went silent: it
 * spins for ever. So TLS, ldaps:// included, is started on a connection
 * that is plain TCP so far, and a timer shuts that socket down if the
 * handshake is not over by the timeout.
 */
#include <sys/socket.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "mutualize.h"
#include "conn.h"

enum attempt { ATTEMPT_BOUND, ATTEMPT_NEXT, ATTEMPT_STOP };

/* What a class of LDAP errors means for the admin, and its exit status. */
static const struct fault {
	int		 rc;
	int		 status;
	const char	*hint;
} faults[] = {
	{ LDAP_SERVER_DOWN, EXIT_UNREACHABLE,
	    "the connection to the server was lost" },
	{ LDAP_CONNECT_ERROR, EXIT_UNREACHABLE,
	    "the connection to the server was lost" },
	{ LDAP_TIMEOUT, EXIT_UNREACHABLE,
	    "the server did not answer within the timeout" },
	{ LDAP_UNAVAILABLE, EXIT_UNREACHABLE, "the server is unavailable" },
	{ LDAP_BUSY, EXIT_UNREACHABLE, "the server is busy" },
	{ LDAP_INVALID_CREDENTIALS, EXIT_CREDENTIALS,
	    "the server refused the bind: check bind_dn and its password" },
	{ LDAP_INAPPROPRIATE_AUTH, EXIT_CREDENTIALS,
	    "the server refused the bind: this DN cannot bind this way" },
	{ LDAP_INSUFFICIENT_ACCESS, EXIT_ACCESS,
	    "the server's access control refused it: the bind DN needs the "
	    "right to read and write the managed subtree" },
	{ LDAP_OBJECT_CLASS_VIOLATION, EXIT_SCHEMA,
	    "the server's schema refused the entry" },
	{ LDAP_NAMING_VIOLATION, EXIT_SCHEMA,
	    "the server's schema refused the entry" },
	{ LDAP_UNDEFINED_TYPE, EXIT_SCHEMA,
	    "the server's schema lacks an attribute mutualize writes" },
	{ LDAP_INVALID_SYNTAX, EXIT_SCHEMA,
	    "the server's schema refused a value" },
	{ LDAP_CONSTRAINT_VIOLATION, EXIT_SCHEMA,
	    "the server's schema refused a value" },
	{ LDAP_NOT_ALLOWED_ON_RDN, EXIT_SCHEMA,
	    "the server's schema refused the change" },
	{ LDAP_NO_OBJECT_CLASS_MODS, EXIT_SCHEMA,
	    "the server's schema refused the change" },
	{ LDAP_ALREADY_EXISTS, EXIT_EXISTS,
	    "the entry exists though the directory read did not show it: another "
	    "writer added it since, or an ACL hides it from the bind DN; run "
	    "plan again" },
	{ LDAP_SIZELIMIT_EXCEEDED, EXIT_SIZELIMIT,
	    "a size limit of the server cut the read short: the bind DN needs a "
	    "limits line allowing whole paged searches (size.prtotal=unlimited)" },
	{ LDAP_ADMINLIMIT_EXCEEDED, EXIT_SIZELIMIT,
	    "an administrative limit of the server refused it: to read, the "
	    "bind DN needs a limits line allowing paged searches of 1000 "
	    "entries a page (size.pr)" },
};

static const struct fault *
fault_of(int rc)
{
	size_t	i;

	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
		if (faults[i].rc == rc)
			return &faults[i];
	return NULL;
}

void
conn_perror(struct conn *c, const char *op, const char *dn, int rc,
    const char *matched, const char *diag)
{
	const struct fault	*f = fault_of(rc);
	/* a DN or a diagnostic may hold what a terminal would act on */
	char			*edn = text_escape(dn);

	msg_warn("%s \"%s\" on %s: %s (%d)", op, edn, c->uri,
	    ldap_err2string(rc), rc);
	free(edn);
	if (matched != NULL && *matched != '\0') {
		fputs("\tmatched DN: ", stderr);
		fputs_escaped(matched, stderr);
		fputc('\n', stderr);
	}
	if (diag != NULL && *diag != '\0') {
		fputs("\tserver says: ", stderr);
		fputs_escaped(diag, stderr);
		fputc('\n', stderr);
	}
	if (f != NULL)
		msg_warn("%s", f->hint);
	if (c->status == 0)
		c->status = f != NULL ? f->status : EXIT_ERROR;
}

int
conn_status(const struct conn *c)
{
	return c->status != 0 ? c->status : EXIT_ERROR;
}

int
conn_result(struct conn *c, int msgid, int all, LDAPMessage **res)
{
	struct timeval	tv = { (time_t)c->timeout, 0 };
	int		r;

	*res = NULL;
	r = ldap_result(c->ld, msgid, all, &tv, res);
	if (r == 0) {
		ldap_abandon_ext(c->ld, msgid, NULL, NULL);
		return LDAP_TIMEOUT;
	}
	if (r == -1) {
		ldap_get_option(c->ld, LDAP_OPT_RESULT_CODE, &r);
		return r != LDAP_SUCCESS ? r : LDAP_OTHER;
	}
	return LDAP_SUCCESS;
}

int
conn_wait(struct conn *c, int msgid, char **matched, char **diag)
{
	LDAPMessage	*res;
	int		 rc, err;

	*matched = *diag = NULL;
	if ((rc = conn_result(c, msgid, LDAP_MSG_ALL, &res)) != LDAP_SUCCESS)
		return rc;
	rc = ldap_parse_result(c->ld, res, &err, matched, diag, NULL, NULL, 1);
	return rc != LDAP_SUCCESS ? rc : err;
}

/*
 * Says why the server is given up, behind its URI; the same words are kept
 * for a caller that asked for them (status reports them per server).
 */
static void
gave_up(struct conn *c, const char *fmt, ...)
{
	va_list	 ap;
	char	*text;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) == -1)
		msg_fatal("out of memory");
	va_end(ap);
	msg_warn("%s: %s", c->uri, text);
	if (c->why != NULL && c->why[0] == '\0')
		snprintf(c->why, c->whylen, "%s", text);
	free(text);
}

/* One line about a server given up, with libldap's own words when it has some. */
static void
give_up(struct conn *c, const char *what, int rc, const char *hint)
{
	char	*diag = NULL;

	ldap_get_option(c->ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
	gave_up(c, "%s: %s (%d)%s%s", what, ldap_err2string(rc), rc,
	    diag != NULL && *diag != '\0' ? ": " : "",
	    diag != NULL ? diag : "");
	if (hint != NULL)
		msg_warn("%s", hint);
	ldap_memfree(diag);
}

/*
 * Certificates are verified whatever ldap.conf says: the CA from ca_file, or
 * the system's, and a TLS context of the handle's own. A CA that libldap
 * cannot use is an error of the file, not of the server.
 */
static int
tls_setup(struct conn *c, const struct conn_opts *o)
{
	int	demand = LDAP_OPT_X_TLS_DEMAND, min = LDAP_OPT_X_TLS_PROTOCOL_TLS1_2;
	int	off = 0;

	if (ldap_set_option(c->ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand) != 0 ||
	    ldap_set_option(c->ld, LDAP_OPT_X_TLS_PROTOCOL_MIN, &min) != 0 ||
	    (o->ca_file != NULL && ldap_set_option(c->ld,
	    LDAP_OPT_X_TLS_CACERTFILE, o->ca_file) != 0) ||
	    ldap_set_option(c->ld, LDAP_OPT_X_TLS_NEWCTX, &off) != 0) {
		msg_warn("%s: cannot set up TLS with the CA certificates of %s",
		    c->uri, o->ca_file != NULL ? o->ca_file : "the system");
		c->status = EXIT_ERROR;
		return -1;
	}
	return 0;
}

/*
 * The handle for one URI; no packet is sent yet. An ldaps:// server is
 * reached as ldap:// by libldap, and TLS started at once by tls_handshake:
 * the same bytes on the wire, with a deadline.
 */
static int
handle_new(struct conn *c, const struct conn_target *t,
    const struct conn_opts *o)
{
	struct timeval	 tv = { (time_t)o->timeout, 0 };
	char		*uri;
	int		 version = LDAP_VERSION3, rc;

	if (t->tls == TLS_LDAPS && strncasecmp(t->uri, "ldaps://", 8) == 0)
		uri = xasprintf("ldap://%s", t->uri + 8);
	else
		uri = xstrdup(t->uri);
	rc = ldap_initialize(&c->ld, uri);
	free(uri);
	if (rc != LDAP_SUCCESS) {
		gave_up(c, "%s", ldap_err2string(rc));
		c->ld = NULL;
		return -1;
	}
	ldap_set_option(c->ld, LDAP_OPT_PROTOCOL_VERSION, &version);
	ldap_set_option(c->ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);	/* TCP */
	ldap_set_option(c->ld, LDAP_OPT_TIMEOUT, &tv);
	ldap_set_option(c->ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
	if (t->tls != TLS_NONE)
		return tls_setup(c, o);
	return 0;
}

/* The StartTLS request: the server must agree before any TLS byte. */
static int
start_tls(struct conn *c)
{
	char	*matched = NULL, *diag = NULL;
	int	 msgid, rc;

	rc = ldap_start_tls(c->ld, NULL, NULL, &msgid);
	if (rc == LDAP_SUCCESS)
		rc = conn_wait(c, msgid, &matched, &diag);
	if (rc == LDAP_TIMEOUT)
		gave_up(c, "no answer to StartTLS within %u s", c->timeout);
	else if (rc != LDAP_SUCCESS)
		gave_up(c, "StartTLS refused: %s (%d)%s%s; not going on in "
		    "clear text", ldap_err2string(rc), rc,
		    diag && *diag ? ": " : "", diag ? diag : "");
	ldap_memfree(matched);
	ldap_memfree(diag);
	return rc == LDAP_SUCCESS ? 0 : -1;
}

static const char *const tls_hint = "the server's certificate was refused: "
    "ca_file must hold the CA that signed it, and the URI's host must be a "
    "name or address the certificate was made for";

static void
shut_socket(union sigval sv)
{
	shutdown(sv.sival_int, SHUT_RDWR);
}

/*
 * Why libldap refused the server's certificate: it says so only in its trace,
 * which is kept for the handshake alone. Returns a line to print, or NULL.
 */
static const char *
tls_refusal(const char *trace, const char *ca_file, char *buf, size_t len)
{
	const char	*p, *end;
	int		 n;

	if ((p = strstr(trace, "TLS: hostname")) != NULL) {
		end = strchr(p, '\n');
		n = (int)(end != NULL ? end - p : (ptrdiff_t)strlen(p));
		snprintf(buf, len, "the server's certificate is not made for the "
		    "host of the URI (libldap: %.*s)", n, p);
		return buf;
	}
	if ((p = strstr(trace, "TLS: peer cert untrusted")) != NULL) {
		end = strchr(p, '\n');
		n = (int)(end != NULL ? end - p : (ptrdiff_t)strlen(p));
		snprintf(buf, len, "the server's certificate is not signed by a CA "
		    "of %s, or has expired (libldap: %.*s)", ca_file != NULL ?
		    ca_file : "the system", n, p);
		return buf;
	}
	return NULL;
}

#define LIBLDAP_TRACE	0x0001	/* LDAP_DEBUG_TRACE of OpenLDAP's ldap_log.h */

/*
 * libldap's log hook takes no argument, so the trace of the one handshake
 * under way goes through this; it is set only while tls_handshake runs.
 */
static FILE	*handshake_trace;

static void
trace_line(const char *line)
{
	if (handshake_trace != NULL)
		fputs(line, handshake_trace);
}

/*
 * TLS on the connection, within the timeout: blocking I/O (libldap's own
 * non-blocking handshake is what spins), and a timer that shuts the socket
 * down at the deadline, which makes any read fail at once.
 */
static int
tls_handshake(struct conn *c, const struct conn_opts *o)
{
	struct timeval	 forever = { -1, 0 };
	struct itimerspec deadline;
	struct sigevent	 sev;
	struct timespec	 t0, t1;
	timer_t		 timer;
	char		*trace = NULL, why[512];
	const char	*refusal;
	size_t		 tracelen = 0;
	int		 fd = -1, rc, level;

	if (ldap_get_option(c->ld, LDAP_OPT_DESC, &fd) != LDAP_OPT_SUCCESS ||
	    fd < 0)
		return -1;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD;
	sev.sigev_notify_function = shut_socket;
	sev.sigev_value.sival_int = fd;
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer) == -1) {
		msg_warn("timer_create: %s", strerror(errno));
		return -1;
	}
	memset(&deadline, 0, sizeof(deadline));
	deadline.it_value.tv_sec = (time_t)o->timeout;
	ldap_set_option(c->ld, LDAP_OPT_NETWORK_TIMEOUT, &forever);
	if ((handshake_trace = open_memstream(&trace, &tracelen)) == NULL)
		abort();
	ber_set_option(NULL, LBER_OPT_LOG_PRINT_FN, trace_line);
	level = LIBLDAP_TRACE;
	ldap_set_option(NULL, LDAP_OPT_DEBUG_LEVEL, &level);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	timer_settime(timer, 0, &deadline, NULL);
	rc = ldap_install_tls(c->ld);
	timer_delete(timer);
	clock_gettime(CLOCK_MONOTONIC, &t1);

	level = 0;
	ldap_set_option(NULL, LDAP_OPT_DEBUG_LEVEL, &level);
	fclose(handshake_trace);
	handshake_trace = NULL;
	/* Past the deadline the timer may have fired: the socket is gone. */
	if (t1.tv_sec - t0.tv_sec >= (time_t)o->timeout) {
		gave_up(c, "no TLS handshake within %u s", o->timeout);
		rc = LDAP_TIMEOUT;
	} else if (rc != LDAP_SUCCESS) {
		if ((refusal = tls_refusal(trace, o->ca_file, why,
		    sizeof(why))) != NULL)
			gave_up(c, "TLS handshake failed: %s", refusal);
		else
			give_up(c, "TLS handshake failed", rc, tls_hint);
	}
	free(trace);
	return rc == LDAP_SUCCESS ? 0 : -1;
}

static enum attempt
bind_as(struct conn *c, const struct conn_opts *o)
{
	struct berval	 cred;
	const char	*who = o->bind == BIND_EXTERNAL ? "(SASL EXTERNAL)" :
			    o->bind_dn;
	char		*matched = NULL, *diag = NULL;
	int		 msgid, rc;

	/* EXTERNAL with an empty initial response: done in one exchange. */
	if (o->bind == BIND_EXTERNAL) {
		cred.bv_val = "";
		cred.bv_len = 0;
		rc = ldap_sasl_bind(c->ld, NULL, "EXTERNAL", &cred, NULL, NULL,
		    &msgid);
	}
	else {
		cred.bv_val = (char *)o->password;
		cred.bv_len = strlen(o->password);
		rc = ldap_sasl_bind(c->ld, o->bind_dn, LDAP_SASL_SIMPLE, &cred,
		    NULL, NULL, &msgid);
	}
	if (rc == LDAP_SUCCESS)
		rc = conn_wait(c, msgid, &matched, &diag);
	if (rc == LDAP_SUCCESS) {
		if (c->verbose)
			msg_warn("bound to %s as %s", c->uri, who);
		return ATTEMPT_BOUND;
	}
	if (rc == LDAP_TIMEOUT)
		gave_up(c, "no answer to the bind within %u s", c->timeout);
	else if (rc < 0 || rc == LDAP_UNAVAILABLE || rc == LDAP_BUSY)
		give_up(c, "bind failed", rc, NULL);
	else {
		conn_perror(c, "bind as", who, rc, matched, diag);
		if (c->why != NULL)
			snprintf(c->why, c->whylen, "bind as %s refused: %s "
			    "(%d)", who, ldap_err2string(rc), rc);
	}
	ldap_memfree(matched);
	ldap_memfree(diag);
	return c->status != 0 ? ATTEMPT_STOP : ATTEMPT_NEXT;
}

static enum attempt
attempt(struct conn *c, const struct conn_target *t, const struct conn_opts *o)
{
	int	rc;

	free(c->uri);
	c->uri = xstrdup(t->uri);
	if (handle_new(c, t, o) == -1)
		return c->ld == NULL ? ATTEMPT_NEXT : ATTEMPT_STOP;
	if (o->verbose)
		msg_warn("connecting to %s (TLS: %s)", t->uri,
		    tls_mode_name(t->tls));
	if ((rc = ldap_connect(c->ld)) != LDAP_SUCCESS) {
		ldap_get_option(c->ld, LDAP_OPT_RESULT_CODE, &rc);
		give_up(c, "cannot connect", rc, NULL);
		return ATTEMPT_NEXT;
	}
	if (t->tls == TLS_STARTTLS && start_tls(c) == -1)
		return ATTEMPT_NEXT;
	if (t->tls != TLS_NONE && tls_handshake(c, o) == -1)
		return ATTEMPT_NEXT;
	if (t->tls != TLS_NONE && !ldap_tls_inplace(c->ld)) {
		gave_up(c, "TLS is not in place");
		return ATTEMPT_NEXT;
	}
	return bind_as(c, o);
}

struct conn *
conn_open(const struct conn_opts *o, int *status)
{
	struct conn	*c = xcalloc(1, sizeof(*c));
	size_t		 i;

	c->verbose = o->verbose;
	c->timeout = o->timeout;
	c->why = o->why;
	c->whylen = o->whylen;
	if (c->why != NULL && c->whylen > 0)
		c->why[0] = '\0';
	for (i = 0; i < o->ntargets; i++) {
		switch (attempt(c, &o->targets[i], o)) {
		case ATTEMPT_BOUND:
			return c;
		case ATTEMPT_STOP:
			goto fail;
		default:
			break;
		}
		if (c->ld != NULL)
			ldap_unbind_ext(c->ld, NULL, NULL);
		c->ld = NULL;
	}
	msg_warn("no directory server could be reached (%zu URI%s tried)",
	    o->ntargets, o->ntargets == 1 ? "" : "s");
	c->status = EXIT_UNREACHABLE;
fail:
	*status = conn_status(c);
	conn_close(c);
	return NULL;
}

void
conn_close(struct conn *c)
{
	if (c == NULL)
		return;
	if (c->ld != NULL)
		ldap_unbind_ext_s(c->ld, NULL, NULL);
	free(c->uri);
	free(c);
}

/* LDAPMod array for an add or a modify; freed with free_mods. */
LDAPMod **
mods_new(size_t n)
{
	return xcalloc(n + 1, sizeof(LDAPMod *));
}

/* The value pointers and the bervals share one block, freed with the array. */
LDAPMod *
mod_new(int op, const char *attr, const char **vals, size_t nvals)
{
	LDAPMod		*m = xcalloc(1, sizeof(*m));
	struct berval	*bv;
	size_t		 i, ptrs = (nvals + 1) * sizeof(struct berval *);

	m->mod_op = op | LDAP_MOD_BVALUES;
	m->mod_type = (char *)attr;
	m->mod_bvalues = xcalloc(1, ptrs + nvals * sizeof(*bv));
	bv = (struct berval *)((char *)m->mod_bvalues + ptrs);
	for (i = 0; i < nvals; i++) {
		bv[i].bv_val = (char *)vals[i];
		bv[i].bv_len = strlen(vals[i]);
		m->mod_bvalues[i] = &bv[i];
	}
	return m;
}

void
free_mods(LDAPMod **mods)
{
	size_t	i;

	for (i = 0; mods[i] != NULL; i++) {
		free(mods[i]->mod_bvalues);
		free(mods[i]);
	}
	free(mods);
}

/*
 * The servers a command tries and what it binds with: the file's URIs or
 * the one of -H, each with the TLS it gets, the bind password and the CA
 * file, every local part read before the first packet; then the first
 * server that answers. Shared by every command that reads the directory.
 */
#include <stdlib.h>
#include <string.h>

#include "mutualize.h"
#include "run.h"

/*
 * tls: none is allowed, for a server behind a tunnel of its own; but a
 * password in clear text on a network is said every time, so that it is a
 * choice and never an accident.
 */
void
warn_cleartext(const struct model *m, const char *uri)
{
	size_t		 i, n = uri != NULL ? 1 : m->directory.nuris;
	const char	*u;

	for (i = 0; i < n; i++) {
		u = uri != NULL ? uri : m->directory.uris[i].uri;
		if (!directory_uri_cleartext(u, m->directory.tls, m->directory.bind))
			continue;
		msg_warn("warning: %s: the bind password would go in clear "
		    "text to a host that is not this machine (tls: "
		    "none);\nwarning: use StartTLS or ldaps://, or ldapi:// "
		    "on the server itself", u);
	}
}

/*
 * The servers to try: the file's URIs, or the one of -H, each with the TLS it
 * gets. Returns the number of them (the caller frees *targets), or 0 after
 * printing why -H cannot serve.
 */
static size_t
targets_of(const struct model *m, const char *uri,
    struct conn_target **targets)
{
	const char	*why;
	size_t		 i, n = uri != NULL ? 1 : m->directory.nuris;

	*targets = xcalloc(n, sizeof(**targets));
	for (i = 0; i < n; i++) {
		(*targets)[i].uri = uri != NULL ? uri : m->directory.uris[i].uri;
		if (directory_uri_tls((*targets)[i].uri, m->directory.tls,
		    m->directory.bind, &(*targets)[i].tls, &why) == -1) {
			/* the file's URIs were checked with it: this is -H */
			msg_warn("-H %s: the URI %s", uri, why);
			return 0;
		}
	}
	return n;
}

/*
 * Every local input is read before the first packet: the password (unless
 * SASL EXTERNAL), the CA file; the servers to try, with the TLS each gets.
 */
int
conn_inputs_load(struct conn_inputs *in, const struct model *m,
    const struct options *o)
{
	struct diags		 d = { 0 };
	struct conn_opts	*co = &in->co;
	int			 ret = -1;

	memset(in, 0, sizeof(*in));
	if ((co->ntargets = targets_of(m, o->uri, &in->targets)) == 0)
		goto out;
	warn_cleartext(m, o->uri);
	if (m->directory.bind == BIND_SIMPLE &&
	    (in->password = secret_bind_password(m, &d)) == NULL)
		goto out;
	if (directory_ca_check(m, &d) == -1)
		goto out;
	if (m->directory.ca_file != NULL)
		in->ca_file = directory_path(m, m->directory.ca_file);
	co->targets = in->targets;
	co->bind = m->directory.bind;
	co->bind_dn = m->directory.bind_dn;
	co->password = in->password;
	co->ca_file = in->ca_file;
	co->timeout = m->directory.timeout;
	co->verbose = o->verbose;
	ret = 0;
out:
	diag_print(&d, stderr);
	diag_free(&d);
	return ret;
}

void
conn_inputs_free(struct conn_inputs *in)
{
	secret_free(in->password);
	free(in->ca_file);
	free(in->targets);
	memset(in, 0, sizeof(*in));
}

/* The servers tried in order; NULL with *status after saying why. */
struct conn *
connect_directory(const struct model *m, const struct options *o, int *status)
{
	struct conn_inputs	 in;
	struct conn		*c = NULL;

	*status = EXIT_ERROR;
	if (conn_inputs_load(&in, m, o) == 0)
		c = conn_open(&in.co, status);
	conn_inputs_free(&in);
	return c;
}

/*
 * mutualize report: the counts per tenant that the syndicate shares its
 * costs by, as the directory holds them. The file says only how to reach the
 * directory and which services there are (their groups, and the attribute
 * each template keeps the quota in): a tenant in the directory and not in
 * the file is counted, one in the file only is not.
 *
 * Two reads, paged: the member values of each service's group, kept as a
 * set of DNs; then the subtree of ou=tenants with the few attributes the
 * counts need. Each entry is placed by its DN, and counted from its message
 * where it lies: beyond libldap's BerElement, nothing is allocated for an
 * entry but a new tenant's row. Each person's memberOf would cost the same
 * to read (measured: README, Performance), but memberOf is computed entry
 * by entry where dynlist provides it (a replicated directory) and missing
 * where no overlay keeps it (slapadd); the groups are what mutualize
 * writes. A search that fails or is cut short prints no count.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mutualize.h"
#include "census.h"
#include "conn.h"
#include "run.h"

/* What the entries of the searches are counted into. */
struct counter {
	struct conn		*conn;
	struct census		*c;
	size_t			 service;	/* whose group is read */
	struct span		*v;		/* an attribute's values, reused */
	size_t			 nv, capv;
	struct span		*quota;		/* per service, reused */
	unsigned long long	 entries;	/* read in the subtree */
	unsigned long long	 broken;	/* messages that did not decode */
};

static int
is_name(struct berval name, const char *want)
{
	return name.bv_len == strlen(want) &&
	    strncasecmp(name.bv_val, want, name.bv_len) == 0;
}

/* The member values of a service's group, into the set. */
static void
take_group(void *arg, LDAPMessage *msg)
{
	struct counter	*k = arg;
	BerElement	*ber = NULL;
	struct berval	 dn, name;
	size_t		 i;
	int		 rc;

	if (ldap_get_dn_ber(k->conn->ld, msg, &ber, &dn) != LDAP_SUCCESS) {
		k->broken++;
		goto out;
	}
	for (k->nv = 0; (rc = read_attr(ber, &name, &k->v, &k->nv,
	    &k->capv)) == 1; k->nv = 0)
		for (i = 0; is_name(name, "member") && i < k->nv; i++)
			census_member(k->c, k->service, k->v[i].s, k->v[i].len);
	if (rc == -1)
		k->broken++;
out:
	ber_free(ber, 0);
}

/* One attribute of an entry: what the counts need of it. */
static void
take_attr(struct counter *k, struct census_entry *e, struct berval name)
{
	struct span	first = k->nv > 0 ? k->v[0] : (struct span){ NULL, 0 };
	size_t		i;

	if (is_name(name, "objectClass")) {
		for (i = 0; i < k->nv; i++)
			if (k->v[i].len == 16 && strncasecmp(k->v[i].s,
			    "mutualizeManaged", 16) == 0)
				e->managed = 1;
	} else if (is_name(name, "mutualizeDisabled"))
		e->disabled = k->nv > 0;
	else if (is_name(name, "employeeType"))
		e->kind = first;
	else if (is_name(name, "ou"))
		e->ou = first;
	else if (is_name(name, "description"))
		e->description = first;
	for (i = 0; i < k->c->nservices; i++)
		if (k->c->services[i].quota_attr != NULL &&
		    is_name(name, k->c->services[i].quota_attr))
			e->quota[i] = first;
}

/* An entry of the tenants subtree, counted where it stands. */
static void
take_entry(void *arg, LDAPMessage *msg)
{
	struct counter		*k = arg;
	struct census		*c = k->c;
	struct census_entry	 e;
	BerElement		*ber = NULL;
	struct berval		 dn, name;
	int			 rc;

	k->entries++;
	if (ldap_get_dn_ber(k->conn->ld, msg, &ber, &dn) != LDAP_SUCCESS) {
		k->broken++;
		goto out;
	}
	memset(&e, 0, sizeof(e));
	e.place = census_place(c, (struct span){ dn.bv_val, dn.bv_len },
	    &e.tenant);
	if (e.place == PLACE_OTHER)
		goto out;
	memset(k->quota, 0, c->nservices * sizeof(*k->quota));
	e.quota = k->quota;
	for (k->nv = 0; (rc = read_attr(ber, &name, &k->v, &k->nv,
	    &k->capv)) == 1; k->nv = 0)
		take_attr(k, &e, name);
	if (rc == -1) {
		k->broken++;
		goto out;
	}
	if (e.place == PLACE_PERSON && e.managed && !e.disabled)
		e.member = census_member_of(c, census_lower(c, dn.bv_val,
		    dn.bv_len));
	census_take(c, &e);
out:
	ber_free(ber, 0);
}

/*
 * The groups, then the tenants. Returns 0, or the exit status after saying
 * why: what was read is not printed.
 */
static int
count(struct conn *conn, struct census *c, const char *tenants_dn,
    const char *const *attrs)
{
	static const char *const member[] = { "member", NULL };
	struct counter	k = { conn, c, 0, NULL, 0, 0, NULL, 0, 0 };
	int		ret = -1;

	k.quota = xcalloc(c->nservices + 1, sizeof(*k.quota));
	for (k.service = 0; k.service < c->nservices; k.service++)
		if (read_paged(conn, c->services[k.service].group_dn,
		    LDAP_SCOPE_BASE, member, take_group, &k) == -1)
			goto out;
	if (read_paged(conn, tenants_dn, LDAP_SCOPE_SUBTREE, attrs, take_entry,
	    &k) == -1)
		goto out;
	if (k.broken > 0) {
		msg_warn("%llu entries of %s could not be decoded: no count "
		    "printed", k.broken, conn->uri);
		ret = EXIT_ERROR;
		goto out;
	}
	census_done(c);
	if (c->bad_quotas > 0)
		msg_warn("%llu quota values are no number of bytes: not counted",
		    c->bad_quotas);
	if (conn->verbose)
		msg_warn("read %llu entries below %s from %s", k.entries,
		    tenants_dn, conn->uri);
	ret = 0;
out:
	free(k.v);
	free(k.quota);
	return ret == -1 ? conn_status(conn) : ret;
}

/* The attribute of a template whose value is "{quota}", or NULL. */
static const char *
quota_attr(const struct template *t)
{
	size_t	i, j;

	for (i = 0; t != NULL && i < t->nattrs; i++)
		for (j = 0; j < t->attrs[i].nvals; j++)
			if (strcmp(t->attrs[i].vals[j], "{quota}") == 0)
				return t->attrs[i].name;
	return NULL;
}

/*
 * The services of the file, and the attributes the read asks for: the
 * counts', and each template's quota attribute once.
 */
static struct census_service *
services_of(const struct model *m, struct arena *a, const char ***attrs)
{
	static const char *const base[] = {
		"objectClass", "ou", "description", "employeeType",
		"mutualizeDisabled", NULL
	};
	struct census_service	*v = arena_alloc(a, (m->nservices + 1) *
	    sizeof(*v));
	const char		**at = arena_alloc(a, (m->nservices + 6) *
	    sizeof(*at));
	size_t			 i, j, n = 0;

	for (n = 0; base[n] != NULL; n++)
		at[n] = base[n];
	for (i = 0; i < m->nservices; i++) {
		v[i].id = m->services[i].id;
		v[i].group_dn = arena_printf(a, "cn=%s,ou=services,%s",
		    m->services[i].id, m->syndicate.base_dn);
		v[i].quota_attr = quota_attr(m->services[i].tmpl);
		for (j = 0; v[i].quota_attr != NULL && j < n &&
		    strcasecmp(at[j], v[i].quota_attr) != 0; j++)
			;
		if (v[i].quota_attr != NULL && j == n)
			at[n++] = v[i].quota_attr;
	}
	at[n] = NULL;
	*attrs = at;
	return v;
}

/* The counts to standard output, or to a new file (-o). */
static int
print(const struct census *c, int format, const char *output)
{
	struct secret_file	sf;

	if (output == NULL) {
		census_print(c, format, stdout);
		if (fflush(stdout) == EOF || ferror(stdout)) {
			msg_warn("standard output: %s", strerror(errno));
			return EXIT_ERROR;
		}
		return EXIT_OK;
	}
	if (secret_file_create(&sf, output) == -1)
		return EXIT_ERROR;
	census_print(c, format, sf.fp);
	return secret_file_commit(&sf) == -1 ? EXIT_ERROR : EXIT_OK;
}

int
run_report(const struct options *o)
{
	struct census		 c;
	struct census_service	*sv;
	struct model		*m;
	struct conn		*conn;
	struct arena		 a = { 0 };
	const char		**attrs, *tenants_dn;
	int			 format, ret;

	format = census_format(o->report_format != NULL ? o->report_format :
	    "text");
	if (format == -1) {
		msg_warn("report --format takes text, csv or json");
		return EXIT_ERROR;
	}
	if ((m = load_checked(o)) == NULL)
		return EXIT_ERROR;
	if (o->output != NULL && path_check_new(o->output, "report") == -1) {
		model_free(m);
		return EXIT_ERROR;
	}
	sv = services_of(m, &a, &attrs);
	tenants_dn = render_tenants_dn(&a, m);
	census_init(&c, o->file, tenants_dn, sv, m->nservices);
	if ((conn = connect_directory(m, o, &ret)) != NULL) {
		ret = count(conn, &c, tenants_dn, attrs);
		conn_close(conn);
		if (ret == 0)
			ret = print(&c, format, o->output);
	}
	census_free(&c);
	arena_free(&a);
	model_free(m);
	return ret;
}

/*
 * The model as the entries it wants in the directory:
 *
 *   BASE                                   dcObject + organization (if missing)
 *     ou=tenants                           organizationalUnit
 *       ou=<tenant>                        organizationalUnit + domainRelatedObject
 *         ou=people   uid=<login>          inetOrgPerson
 *         ou=groups   cn=<group>           groupOfNames
 */
#include <stdlib.h>
#include <string.h>

#include "mutualize.h"

static const char *const managed_tenant[] = {
	"objectClass", "ou", "description", "associatedDomain", NULL
};
static const char *const managed_ou[] = { "objectClass", "ou", NULL };
static const char *const managed_person[] = {
	"objectClass", "uid", "cn", "sn", "givenName", "displayName", "mail",
	"employeeNumber", "employeeType", NULL
};
static const char *const managed_group[] = {
	"objectClass", "cn", "description", "member", NULL
};
static const char *const managed_none[] = { NULL };

/* What read asks the server for: every attribute mutualize may manage. */
const char *const render_read_attrs[] = {
	"objectClass", "ou", "description", "associatedDomain", "uid", "cn", "sn",
	"givenName", "displayName", "mail", "employeeNumber", "employeeType",
	"member", NULL
};

/* The base entry and ou=tenants are created when missing, never changed. */
const char *const *
render_managed_attrs(enum entry_kind kind)
{
	switch (kind) {
	case ENTRY_TENANT:
		return managed_tenant;
	case ENTRY_PEOPLE:
	case ENTRY_GROUPS:
		return managed_ou;
	case ENTRY_PERSON:
		return managed_person;
	case ENTRY_GROUP:
		return managed_group;
	default:
		return managed_none;
	}
}

const char *
render_tenants_dn(struct arena *a, const struct model *m)
{
	return arena_printf(a, "ou=tenants,%s", m->syndicate.base_dn);
}

static const char *
child_dn(struct arena *a, const char *attr, const char *value, const char *parent)
{
	char		*esc = dn_escape_value(value);
	const char	*dn = arena_printf(a, "%s=%s,%s", attr, esc, parent);

	free(esc);
	return dn;
}

/* Returns "given.surname" as a login; the caller frees it. */
static char *
derive_login(const struct person *p)
{
	char	*given = translit_login(p->given_name);
	char	*sur = translit_login(p->surname);
	char	*login;

	login = given[0] != '\0' ? xasprintf("%s.%s", given, sur) : xstrdup(sur);
	free(given);
	free(sur);
	return login;
}

static int
cmp_person_id(const void *a, const void *b)
{
	const struct person	*pa = *(const struct person *const *)a;
	const struct person	*pb = *(const struct person *const *)b;

	return strcmp(pa->id, pb->id);
}

/* Where the homonyms of one derived login are: the next suffix to try. */
struct homonym {
	const char	*base;
	size_t		 next;
};

/*
 * A person whose entry exists (found by employeeNumber) keeps its uid. Everyone
 * else gets the derived login; where it is taken, people in order of id get the
 * first of login2, login3, ... that is free, so the result never depends on the
 * order of the file. Every uid already in the directory counts as taken. The
 * suffix search resumes where the previous homonym stopped: all below it are
 * taken, and a thousand Marie Martin cost a thousand tries, not half a million.
 */
void
render_logins(struct model *m, const struct entries *current)
{
	struct hmap	 taken = { 0 }, homonyms = { 0 };
	struct ptrvec	 fresh = { 0 };
	struct homonym	*h;
	size_t		 i, j, n;

	for (i = 0; current != NULL && i < current->v.n; i++) {
		const struct entry	*e = current->v.v[i];
		const struct attr	*uid = entry_attr(e, "uid");

		if (e->kind == ENTRY_PERSON && uid != NULL && uid->nvals > 0)
			hmap_put(&taken, uid->vals[0], (void *)e);
	}
	for (i = 0; i < m->ntenants; i++)
		for (j = 0; j < m->tenants[i].npeople; j++) {
			struct person		*p = &m->tenants[i].people[j];
			const struct entry	*e = NULL;
			const struct attr	*uid;

			if (current != NULL)
				e = hmap_get(&current->by_id, p->id);
			if (e != NULL && (uid = entry_attr(e, "uid")) != NULL &&
			    uid->nvals > 0)
				p->login = uid->vals[0];
			else
				ptrvec_push(&fresh, p);
		}
	if (fresh.n > 1)
		qsort(fresh.v, fresh.n, sizeof(*fresh.v), cmp_person_id);
	for (i = 0; i < fresh.n; i++) {
		struct person	*p = fresh.v[i];
		char		*base = derive_login(p), *login = xstrdup(base);

		h = hmap_get(&homonyms, base);
		for (n = h ? h->next : 2; hmap_get(&taken, login) != NULL; n++) {
			free(login);
			login = xasprintf("%s%zu", base, n);
		}
		if (h == NULL && n > 2) {
			h = arena_alloc(&m->arena, sizeof(*h));
			h->base = arena_strdup(&m->arena, base);
			hmap_put(&homonyms, h->base, h);
		}
		if (h != NULL)
			h->next = n;
		p->login = arena_strdup(&m->arena, login);
		hmap_put(&taken, p->login, p);
		free(login);
		free(base);
	}
	ptrvec_free(&fresh);
	hmap_free(&taken);
	hmap_free(&homonyms);
}

static void
add_values(struct entries *es, struct entry *e, const char *attr,
    const char *const *vals)
{
	for (; *vals != NULL; vals++)
		entry_add_value(es, e, attr, *vals);
}

static void
render_base(const struct model *m, struct entries *es)
{
	const char	*base = m->syndicate.base_dn, *eq = strchr(base, '=');
	const char	*comma = strchr(base, ','), *rdnval;
	struct entry	*e;

	e = entries_add(es, base, NULL, ENTRY_BASE);
	rdnval = arena_strndup(&es->arena, eq + 1,
	    comma ? (size_t)(comma - eq - 1) : strlen(eq + 1));
	if (strncasecmp(base, "dc=", 3) == 0) {
		add_values(es, e, "objectClass",
		    (const char *const[]){ "dcObject", "organization", NULL });
		entry_add_value(es, e, "dc", rdnval);
	} else {
		entry_add_value(es, e, "objectClass", "organization");
	}
	entry_add_value(es, e, "o", strncasecmp(base, "o=", 2) == 0 ? rdnval :
	    m->syndicate.name);
}

static void
render_ou(struct entries *es, const char *dn, const char *ou, const char *tenant,
    enum entry_kind kind)
{
	struct entry	*e = entries_add(es, dn, tenant, kind);

	entry_add_value(es, e, "objectClass", "organizationalUnit");
	entry_add_value(es, e, "ou", ou);
}

static const struct entry *
render_person(const struct person *p, const char *people_dn, struct sbuf *sb,
    struct entries *es)
{
	char		*uid = dn_escape_value(p->login);
	struct entry	*e;
	const char	*full;

	e = entries_add(es, sbuf_join(sb, "uid=", uid, ",", people_dn, NULL),
	    p->tenant->id, ENTRY_PERSON);
	free(uid);
	add_values(es, e, "objectClass", (const char *const[]){ "person",
	    "organizationalPerson", "inetOrgPerson", NULL });
	entry_add_value(es, e, "uid", p->login);
	full = sbuf_join(sb, p->given_name, " ", p->surname, NULL);
	entry_add_value(es, e, "cn", full);
	entry_add_value(es, e, "sn", p->surname);
	entry_add_value(es, e, "givenName", p->given_name);
	entry_add_value(es, e, "displayName", full);
	entry_add_value(es, e, "mail", sbuf_join(sb, p->login, "@",
	    p->tenant->mail_domain, NULL));
	entry_add_value(es, e, "employeeNumber", p->id);
	entry_add_value(es, e, "employeeType",
	    p->kind == KIND_ELECTED ? "elected" : "agent");
	return e;
}

/* groupOfNames must have a member: an empty group holds the empty DN. */
static void
render_group(const char *groups_dn, const struct tenant *t, const struct group *g,
    const struct ptrvec *members, struct entries *es)
{
	struct entry	*e = entries_add(es, child_dn(&es->arena, "cn", g->id,
	    groups_dn), t->id, ENTRY_GROUP);
	size_t		 i;

	entry_add_value(es, e, "objectClass", "groupOfNames");
	entry_add_value(es, e, "cn", g->id);
	entry_add_value(es, e, "description", g->name);
	for (i = 0; i < members->n; i++)
		entry_add_value(es, e, "member", members->v[i]);
	if (members->n == 0)
		entry_add_value(es, e, "member", "");
}

static void
render_tenant(const struct tenant *t, const char *tenants_dn, struct sbuf *sb,
    struct entries *es)
{
	const char	*tdn = child_dn(&es->arena, "ou", t->id, tenants_dn);
	const char	*people_dn = arena_printf(&es->arena, "ou=people,%s", tdn);
	const char	*groups_dn = arena_printf(&es->arena, "ou=groups,%s", tdn);
	struct hmap	 gindex = { 0 };
	struct ptrvec	*members;
	struct entry	*e;
	size_t		 i, j;

	e = entries_add(es, tdn, t->id, ENTRY_TENANT);
	add_values(es, e, "objectClass", (const char *const[]){
	    "organizationalUnit", "domainRelatedObject", NULL });
	entry_add_value(es, e, "ou", t->id);
	entry_add_value(es, e, "description", t->name);
	entry_add_value(es, e, "associatedDomain", t->mail_domain);
	render_ou(es, people_dn, "people", t->id, ENTRY_PEOPLE);
	render_ou(es, groups_dn, "groups", t->id, ENTRY_GROUPS);

	members = xcalloc(t->ngroups, sizeof(*members));
	for (i = 0; i < t->ngroups; i++)
		hmap_put(&gindex, t->groups[i].id, &members[i]);
	for (i = 0; i < t->npeople; i++) {
		const struct person	*p = &t->people[i];
		const struct entry	*pe = render_person(p, people_dn, sb, es);

		for (j = 0; j < p->ngroups; j++) {
			struct ptrvec	*pv = hmap_get(&gindex, p->groups[j].id);

			if (pv != NULL)
				ptrvec_push(pv, (void *)pe->dn);
		}
	}
	for (i = 0; i < t->ngroups; i++) {
		render_group(groups_dn, t, &t->groups[i], &members[i], es);
		ptrvec_free(&members[i]);
	}
	free(members);
	hmap_free(&gindex);
}

/* The model must be checked and its logins assigned (render_logins). */
void
render(const struct model *m, struct entries *es)
{
	const char	*tenants_dn = render_tenants_dn(&es->arena, m);
	struct sbuf	 sb = { 0 };
	size_t		 i;

	render_base(m, es);
	render_ou(es, tenants_dn, "tenants", NULL, ENTRY_TENANTS);
	for (i = 0; i < m->ntenants; i++)
		render_tenant(&m->tenants[i], tenants_dn, &sb, es);
	sbuf_free(&sb);
}

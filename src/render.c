/*
 * The model as the entries it wants in the directory:
 *
 *   BASE                                   dcObject + organization (if missing)
 *     ou=services   cn=<service>           groupOfNames: who is entitled to it
 *     ou=system     cn=<service>           applicationProcess +
 *                                          simpleSecurityObject: the account
 *                                          the service binds with (when the
 *                                          file names no bind_dn for it)
 *     ou=tenants                           organizationalUnit
 *       ou=<tenant>                        organizationalUnit + domainRelatedObject
 *         ou=people   uid=<login>          inetOrgPerson
 *         ou=groups   cn=<group>           groupOfNames
 *                     cn=admins            groupOfNames: the tenant's admins
 *         ou=mailboxes uid=<address>       inetOrgPerson, no password: a
 *                                          functional mailbox (when the
 *                                          tenant lists any)
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mutualize.h"

/* The mark of what mutualize manages: it changes or removes nothing else. */
#define MARK	"mutualizeManaged"

static const char *const managed_tenant[] = {
	"objectClass", "ou", "description", "associatedDomain", NULL
};
static const char *const managed_ou[] = { "objectClass", "ou", NULL };
static const char *const managed_person[] = {
	"objectClass", "uid", "cn", "sn", "givenName", "displayName", "mail",
	"employeeNumber", "employeeType", "title", "ou", "telephoneNumber",
	"mailLocalAddress", "mutualizeFormerMail", "pwdStartTime", "pwdEndTime",
	"mutualizeMailboxAccess", NULL
};
static const char *const managed_group[] = {
	"objectClass", "cn", "description", "member", NULL
};
/* Its userPassword is set when it is added, never compared afterwards. */
static const char *const managed_account[] = {
	"objectClass", "cn", "description", NULL
};
static const char *const managed_none[] = { NULL };

/*
 * What read asks the server for: every attribute mutualize may manage, and
 * the operational ones it checks: memberOf is what the services filter on.
 */
static const char *const read_attrs[] = {
	"objectClass", "ou", "description", "associatedDomain", "uid", "cn", "sn",
	"givenName", "displayName", "mail", "employeeNumber", "employeeType",
	"title", "telephoneNumber", "mailLocalAddress", "member",
	"mutualizeFormerMail", "mutualizeDisabled", "pwdAccountLockedTime",
	"pwdStartTime", "pwdEndTime", "entryCSN", "memberOf",
	"mutualizeMailboxAccess", NULL
};

/*
 * The containers (base, ou=tenants, ou=services, ou=system) are created,
 * never changed.
 * The lists with the templates' attributes are made by templates_load.
 */
const char *const *
render_managed_attrs(const struct model *m, enum entry_kind kind)
{
	switch (kind) {
	case ENTRY_TENANT:
		return managed_tenant;
	case ENTRY_PEOPLE:
	case ENTRY_GROUPS:
	case ENTRY_MAILBOXES:
		return managed_ou;
	case ENTRY_PERSON:
	case ENTRY_MAILBOX:	/* what it lacks of a person's, it never has */
		if (m != NULL && m->person_attrs != NULL)
			return m->person_attrs;
		return managed_person;
	case ENTRY_GROUP:
	case ENTRY_SERVICE:
		return managed_group;
	case ENTRY_ACCOUNT:
		return managed_account;
	default:
		return managed_none;
	}
}

const char *const *
render_read_attrs(const struct model *m)
{
	if (m != NULL && m->read_attrs != NULL)
		return m->read_attrs;
	return read_attrs;
}

const char *
render_tenants_dn(struct arena *a, const struct model *m)
{
	return arena_printf(a, "ou=tenants,%s", m->syndicate.base_dn);
}

const char *
render_services_dn(struct arena *a, const struct model *m)
{
	return arena_printf(a, "ou=services,%s", m->syndicate.base_dn);
}

const char *
render_system_dn(struct arena *a, const struct model *m)
{
	return arena_printf(a, "ou=system,%s", m->syndicate.base_dn);
}

static const char *
child_dn(struct arena *a, const char *attr, const char *value, const char *parent)
{
	char		*esc = dn_escape_value(value);
	const char	*dn = arena_printf(a, "%s=%s,%s", attr, esc, parent);

	free(esc);
	return dn;
}

/* Adds an entry the renderer made; its DN cannot already be there. */
static struct entry *
new_entry(struct entries *es, const char *dn, const char *tenant,
    enum entry_kind kind)
{
	struct entry	*e = entries_add(es, dn, tenant, kind);

	if (e == NULL)
		msg_fatal("two entries would have the DN %s", dn);
	return e;
}

static void
add_values(struct entries *es, struct entry *e, const char *attr,
    const char *const *vals)
{
	for (; *vals != NULL; vals++)
		entry_add_value(es, e, attr, *vals);
}

void
render_base(const struct model *m, struct entries *es)
{
	const char	*base = m->syndicate.base_dn, *eq = strchr(base, '=');
	const char	*comma = strchr(base, ','), *rdnval;
	struct entry	*e;

	e = new_entry(es, base, NULL, ENTRY_BASE);
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
	struct entry	*e = new_entry(es, dn, tenant, kind);

	entry_add_value(es, e, "objectClass", "organizationalUnit");
	if (kind == ENTRY_PEOPLE || kind == ENTRY_GROUPS ||
	    kind == ENTRY_MAILBOXES)
		entry_add_value(es, e, "objectClass", MARK);
	entry_add_value(es, e, "ou", ou);
}

/*
 * Logins made here are letters, digits, '.', '-' and '_', which a DN takes as
 * they are; one kept from the directory may be anything, and is escaped.
 */
static struct entry *
render_person(const struct person *p, const char *people_dn, struct sbuf *sb,
    struct entries *es)
{
	static const char	 plain[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_";
	struct entry		*e;
	const char		*full;
	char			*esc;
	size_t			 i;

	if (p->login[strspn(p->login, plain)] == '\0')
		e = new_entry(es, sbuf_join(sb, "uid=", p->login, ",", people_dn,
		    NULL), p->tenant->id, ENTRY_PERSON);
	else {
		esc = dn_escape_value(p->login);
		e = new_entry(es, sbuf_join(sb, "uid=", esc, ",", people_dn, NULL),
		    p->tenant->id, ENTRY_PERSON);
		free(esc);
	}

	/* nine always, those the file gives, two for the templates' */
	entry_reserve(es, e, 11 + (p->title != NULL) + (p->department != NULL) +
	    (p->phone != NULL) + (p->naliases > 0));
	add_values(es, e, "objectClass", (const char *const[]){ "person",
	    "organizationalPerson", "inetOrgPerson", MARK, NULL });
	if (p->naliases > 0)
		entry_add_value(es, e, "objectClass", "inetLocalMailRecipient");
	entry_add_value(es, e, "uid", p->login);
	full = sbuf_join(sb, p->given_name, " ", p->surname, NULL);
	entry_add_value(es, e, "cn", full);
	entry_add_value(es, e, "sn", p->surname);
	entry_add_value(es, e, "givenName", p->given_name);
	entry_add_value(es, e, "displayName", full);
	entry_add_value(es, e, "mail", p->mail);
	entry_add_value(es, e, "employeeNumber", p->id);
	entry_add_value(es, e, "employeeType",
	    p->kind == KIND_ELECTED ? "elected" : "agent");
	if (p->title != NULL)
		entry_add_value(es, e, "title", p->title);
	if (p->department != NULL)
		entry_add_value(es, e, "ou", p->department);
	if (p->phone != NULL)
		entry_add_value(es, e, "telephoneNumber", p->phone);
	for (i = 0; i < p->naliases; i++)
		entry_add_value(es, e, "mailLocalAddress", p->aliases[i].id);
	return e;
}

/*
 * groupOfNames must have a member: an empty group holds the empty DN. Members
 * are listed once, however many ways they were named, in the order of the
 * file: the order the directory then keeps, so that an unchanged group of
 * 100,000 compares in one pass. (Member DNs come from render itself, in one
 * spelling each: comparing them exactly finds the repeats.)
 */
static void
render_group(struct entries *es, const char *dn, const char *tenant,
    enum entry_kind kind, const char *cn, const char *description,
    struct ptrvec *members)
{
	struct arena_mark mark = arena_mark(&es->arrays);
	struct entry	*e = new_entry(es, dn, tenant, kind);
	struct hmap	 seen = { 0 };
	size_t		 i;

	entry_add_value(es, e, "objectClass", "groupOfNames");
	entry_add_value(es, e, "objectClass", MARK);
	entry_add_value(es, e, "cn", cn);
	entry_add_value(es, e, "description", description);
	for (i = 0; i < members->n; i++)
		if (members->n == 1 || hmap_put(&seen, members->v[i], e) == NULL)
			entry_add_value(es, e, "member", members->v[i]);
	if (members->n == 0)
		entry_add_value(es, e, "member", "");
	hmap_free(&seen);
	entry_done(es, e, mark);
}

/* What render needs to find while it goes: DNs of people, members of groups. */
struct renderer {
	const struct model	*m;
	struct entries		*es;
	struct hmap		 person_dn;	/* person id -> DN */
	struct hmap		 members;	/* "tenant/group" -> struct ptrvec */
	struct hmap		 access;	/* person id -> struct ptrvec:
						   the mailboxes she reads */
	struct ptrvec		 lists;		/* every struct ptrvec, to free */
	struct sbuf		 sb, key;	/* strings being built */
};

static struct ptrvec *
member_list(struct renderer *r, const char *key)
{
	struct ptrvec	*pv = hmap_get(&r->members, key);

	if (pv == NULL) {
		pv = xcalloc(1, sizeof(*pv));
		hmap_put(&r->members, arena_strdup(&r->es->arena, key), pv);
		ptrvec_push(&r->lists, pv);
	}
	return pv;
}

/* A person's group "g" is of its own tenant; "t/g" is group g of tenant t. */
static void
join_group(struct renderer *r, const struct person *p, const char *ref,
    const char *dn)
{
	const char	*key = strchr(ref, '/') ? ref :
	    sbuf_join(&r->key, p->tenant->id, "/", ref, NULL);

	ptrvec_push(member_list(r, key), (void *)dn);
}

static void
add_members(struct renderer *r, struct ptrvec *pv, const struct ref *refs,
    size_t n)
{
	size_t		 i;
	const char	*dn;

	for (i = 0; i < n; i++)
		if ((dn = hmap_get(&r->person_dn, refs[i].id)) != NULL)
			ptrvec_push(pv, (void *)dn);
}

/* What an entitlement adds to the entry, as the service's template says. */
static void
apply_template(struct entries *es, struct entry *e, const struct person *p,
    const struct service *s, const struct entitlement *ent)
{
	const struct template	*t = s->tmpl;
	const char		*v;
	size_t			 i, j;

	for (i = 0; i < t->nclasses; i++)
		if (!entry_has(e, "objectClass", t->classes[i]))
			entry_add_value(es, e, "objectClass", t->classes[i]);
	for (i = 0; i < t->nattrs; i++)
		for (j = 0; j < t->attrs[i].nvals; j++) {
			v = template_value(&es->arena,
			    t->attrs[i].vals[j], p, s, ent);
			if (v != NULL && !entry_has(e, t->attrs[i].name, v))
				entry_add_value(es, e, t->attrs[i].name, v);
		}
}

/*
 * The services a person is entitled to: its own list, else its tenant's. Each
 * puts the person in the service's group (unless the person's dates keep
 * them out: !member) and adds what its template says, which a disabled
 * account keeps, as a departed one does.
 */
static void
entitle(struct renderer *r, const struct person *p, struct entry *e,
    int member)
{
	const struct entitlement *ents = p->services ? p->services :
	    p->tenant->services;
	size_t			  n = p->services ? p->nservices :
	    p->tenant->nservices, i;
	const struct service	 *s;

	if (p->state == STATE_SUSPENDED)
		return;		/* suspended: kept, but entitled to nothing */
	for (i = 0; i < n; i++) {
		if (member)
			ptrvec_push(member_list(r, sbuf_join(&r->key, "/",
			    ents[i].id, NULL)), (void *)e->dn);
		if ((s = model_service(r->m, ents[i].id)) != NULL && s->tmpl != NULL)
			apply_template(r->es, e, p, s, &ents[i]);
	}
}

/*
 * ppolicy's side of a person's dates, where the server has it: slapd refuses
 * a bind before pwdStartTime and from pwdEndTime on, whether or not an apply
 * ran on the day. The last day is worked whole: the end is the midnight
 * after it.
 */
static void
render_validity(struct entries *es, struct entry *e, const struct person *p)
{
	char	 t[16];
	long	 until;
	int	 mandate;

	if (p->valid_from != DATE_NONE) {
		date_gentime(p->valid_from, t);
		entry_add_value(es, e, "pwdStartTime", t);
	}
	if ((until = person_until(p, &mandate)) != DATE_NONE) {
		date_gentime(until + 1, t);
		entry_add_value(es, e, "pwdEndTime", t);
	}
}

/*
 * A person out of their dates is disabled as a departure is (stamped,
 * locked where ppolicy is, in no group), but kept in the file: an account
 * added so is made disabled, and diff disables one that exists. Neither
 * attribute is compared: diff_entry reads their presence only.
 */
static void
render_disabled(const struct model *m, struct entries *es, struct entry *e)
{
	char	 t[16];

	date_gentime(m->today, t);
	entry_add_value(es, e, "mutualizeDisabled", t);
	if (es->ppolicy)
		entry_add_value(es, e, "pwdAccountLockedTime", LOCKED_FOREVER);
}

/* The mailboxes a delegate reads, by address; nothing for anyone else. */
static void
render_access(struct renderer *r, const struct person *p, struct entry *e)
{
	const struct ptrvec	*pv = hmap_get(&r->access, p->id);
	size_t			 i;

	if (pv == NULL)
		return;
	entry_add_value(r->es, e, "objectClass", "mutualizeDelegate");
	for (i = 0; i < pv->n; i++)
		entry_add_value(r->es, e, "mutualizeMailboxAccess", pv->v[i]);
}

/* Who reads which mailbox, before the people are rendered. */
static void
index_delegates(struct renderer *r)
{
	const struct mailbox	*b;
	struct ptrvec		*pv;
	size_t			 i, j, k;

	for (i = 0; i < r->m->ntenants; i++)
		for (j = 0; j < r->m->tenants[i].nmailboxes; j++) {
			b = &r->m->tenants[i].mailboxes[j];
			for (k = 0; k < b->ndelegates; k++) {
				pv = hmap_get(&r->access, b->delegates[k].id);
				if (pv == NULL) {
					pv = xcalloc(1, sizeof(*pv));
					hmap_put(&r->access, b->delegates[k].id, pv);
					ptrvec_push(&r->lists, pv);
				}
				ptrvec_push(pv, (void *)b->address);
			}
		}
}

/*
 * One person's entry, groups and services. pwdReset goes with the first
 * password of a new account; as an unmanaged attribute it is written by the
 * add and never compared, so that the person's change of password, which
 * clears it, stays.
 */
static void
render_one(struct renderer *r, const struct person *p, const char *people_dn)
{
	struct entries		*es = r->es;
	struct arena_mark	 mark = arena_mark(&es->arrays);
	struct entry		*pe = render_person(p, people_dn, &r->sb, es);
	int			 in = person_period(p, r->m->today) == PERIOD_IN;
	size_t			 j;

	if (in)
		hmap_put(&r->person_dn, p->id, (void *)pe->dn);
	for (j = 0; in && j < p->ngroups; j++)
		join_group(r, p, p->groups[j].id, pe->dn);
	entitle(r, p, pe, in);
	if (es->ppolicy)
		render_validity(es, pe, p);
	if (!in)
		render_disabled(r->m, es, pe);
	if (es->ppolicy && r->m->policy.first_password == FIRST_RESET)
		entry_add_value(es, pe, "pwdReset", "TRUE");
	render_access(r, p, pe);
	entry_done(es, pe, mark);
}

/*
 * A functional mailbox: an account nobody logs in as (no userPassword),
 * in the groups of its services and with what their templates set, as
 * for a person whose login and mail are the address and whose name is the
 * mailbox's; its key in employeeNumber.
 */
static void
render_mailbox(struct renderer *r, const struct mailbox *b, const char *dn)
{
	struct entries		*es = r->es;
	struct arena_mark	 mark = arena_mark(&es->arrays);
	const char		*name = b->name ? b->name : b->address;
	const struct entitlement *ents;
	const struct service	*s;
	struct person		 as;
	struct entry		*e = new_entry(es, dn, b->tenant->id,
	    ENTRY_MAILBOX);
	size_t			 i, n;

	memset(&as, 0, sizeof(as));
	as.id = mailbox_key(&es->arena, b->tenant->id, b->id);
	as.login = as.mail = b->address;
	as.surname = name;
	as.tenant = b->tenant;
	add_values(es, e, "objectClass", (const char *const[]){ "person",
	    "organizationalPerson", "inetOrgPerson", MARK, NULL });
	entry_add_value(es, e, "uid", b->address);
	entry_add_value(es, e, "cn", name);
	entry_add_value(es, e, "sn", name);
	entry_add_value(es, e, "displayName", name);
	entry_add_value(es, e, "mail", b->address);
	entry_add_value(es, e, "employeeNumber", as.id);
	ents = mailbox_services(&es->arena, r->m, b, &n);
	for (i = 0; i < n; i++) {
		ptrvec_push(member_list(r, sbuf_join(&r->key, "/", ents[i].id,
		    NULL)), (void *)e->dn);
		if ((s = model_service(r->m, ents[i].id)) != NULL &&
		    s->tmpl != NULL)
			apply_template(es, e, &as, s, &ents[i]);
	}
	entry_done(es, e, mark);
}

static void
render_mailboxes(struct renderer *r, const struct tenant *t, const char *tdn)
{
	struct entries	*es = r->es;
	const char	*mdn = arena_printf(&es->arena, "ou=mailboxes,%s", tdn);
	size_t		 i;

	render_ou(es, mdn, "mailboxes", t->id, ENTRY_MAILBOXES);
	for (i = 0; i < t->nmailboxes; i++)
		render_mailbox(r, &t->mailboxes[i], mailbox_dn(&es->arena,
		    t->mailboxes[i].address, mdn));
}

static void
render_tenant(struct renderer *r, const struct tenant *t, const char *tenants_dn)
{
	struct entries	*es = r->es;
	const char	*tdn = child_dn(&es->arena, "ou", t->id, tenants_dn);
	const char	*people_dn = arena_printf(&es->arena, "ou=people,%s", tdn);
	struct entry	*e;
	size_t		 i;

	e = new_entry(es, tdn, t->id, ENTRY_TENANT);
	add_values(es, e, "objectClass", (const char *const[]){
	    "organizationalUnit", "domainRelatedObject", MARK, NULL });
	entry_add_value(es, e, "ou", t->id);
	entry_add_value(es, e, "description", t->name);
	entry_add_value(es, e, "associatedDomain", t->mail_domain);
	render_ou(es, people_dn, "people", t->id, ENTRY_PEOPLE);
	render_ou(es, arena_printf(&es->arena, "ou=groups,%s", tdn), "groups",
	    t->id, ENTRY_GROUPS);
	for (i = 0; i < t->npeople; i++)
		render_one(r, &t->people[i], people_dn);
	if (t->nmailboxes > 0)
		render_mailboxes(r, t, tdn);
}

static void
render_tenant_groups(struct renderer *r, const struct tenant *t,
    const char *tenants_dn)
{
	struct entries	*es = r->es;
	const char	*gdn = arena_printf(&es->arena, "ou=groups,ou=%s,%s", t->id,
	    tenants_dn);
	struct ptrvec	*pv;
	size_t		 i;

	for (i = 0; i < t->ngroups; i++) {
		const struct group	*g = &t->groups[i];

		pv = member_list(r, sbuf_join(&r->key, t->id, "/", g->id, NULL));
		add_members(r, pv, g->members, g->nmembers);
		render_group(es, child_dn(&es->arena, "cn", g->id, gdn), t->id,
		    ENTRY_GROUP, g->id, g->name, pv);
	}
	if (t->nadmins > 0) {
		struct ptrvec	admins = { 0 };

		add_members(r, &admins, t->admins, t->nadmins);
		render_group(es, arena_printf(&es->arena, "cn=admins,%s", gdn),
		    t->id, ENTRY_GROUP, "admins", arena_printf(&es->arena,
		    "Administrators of %s", t->name), &admins);
		ptrvec_free(&admins);
	}
}

static void
render_services(struct renderer *r)
{
	const struct model	*m = r->m;
	const char		*sdn = render_services_dn(&r->es->arena, m);
	size_t			 i;

	render_ou(r->es, sdn, "services", NULL, ENTRY_SERVICES);
	for (i = 0; i < m->nservices; i++) {
		const struct service	*s = &m->services[i];
		const char		*what;

		if (s->tmpl != NULL && s->tmpl->description != NULL)
			what = s->tmpl->description;
		else
			what = arena_printf(&r->es->arena, "People entitled to "
			    "the %s service", s->id);
		render_group(r->es, child_dn(&r->es->arena, "cn", s->id, sdn), NULL,
		    ENTRY_SERVICE, s->id, what, member_list(r, sbuf_join(&r->key,
		    "/", s->id, NULL)));
	}
}

/*
 * The accounts the services bind with, for those that name no bind_dn of
 * their own. Their password is no attribute of the entry: apply adds it (see
 * accounts_ready), and nothing compares it afterwards.
 */
static void
render_accounts(const struct model *m, struct entries *es)
{
	const char	*sdn = NULL;
	struct entry	*e;
	size_t		 i;

	for (i = 0; i < m->nservices; i++) {
		const struct service	*s = &m->services[i];

		if (!account_wanted(s))
			continue;
		if (sdn == NULL) {
			sdn = render_system_dn(&es->arena, m);
			render_ou(es, sdn, "system", NULL, ENTRY_SYSTEM);
		}
		e = new_entry(es, child_dn(&es->arena, "cn", s->id, sdn), NULL,
		    ENTRY_ACCOUNT);
		add_values(es, e, "objectClass", (const char *const[]){
		    "top", "applicationProcess", "simpleSecurityObject", MARK,
		    NULL });
		entry_add_value(es, e, "cn", s->id);
		entry_add_value(es, e, "description", arena_printf(&es->arena,
		    "The account the %s service binds to the directory with",
		    s->id));
	}
}

/* The model must be checked and its identities assigned (model_identities). */
void
render(const struct model *m, struct entries *es)
{
	struct renderer	 r;
	const char	*tenants_dn = render_tenants_dn(&es->arena, m);
	size_t		 i;

	memset(&r, 0, sizeof(r));
	r.m = m;
	r.es = es;
	render_base(m, es);
	render_ou(es, tenants_dn, "tenants", NULL, ENTRY_TENANTS);
	index_delegates(&r);
	for (i = 0; i < m->ntenants; i++)
		render_tenant(&r, &m->tenants[i], tenants_dn);
	for (i = 0; i < m->ntenants; i++)
		render_tenant_groups(&r, &m->tenants[i], tenants_dn);
	if (m->nservices > 0)
		render_services(&r);
	render_accounts(m, es);
	for (i = 0; i < r.lists.n; i++) {
		ptrvec_free(r.lists.v[i]);
		free(r.lists.v[i]);
	}
	ptrvec_free(&r.lists);
	hmap_free(&r.members);
	hmap_free(&r.access);
	hmap_free(&r.person_dn);
	sbuf_free(&r.sb);
	sbuf_free(&r.key);
}

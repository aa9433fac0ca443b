/*
 * Who may do what in the syndicate's database: the access rules and limits
 * that directory-config writes. slapd takes the first rule whose "to" matches
 * an entry and attribute, then the first "by" that matches the client; "by *
 * break" goes on to the next rule. In order:
 *
 *   mutualize (its bind_dn, or root over ldapi://)  manages everything;
 *   the replication account                         reads everything
 *   userPassword of a person                        the person changes it,
 *                                                   the town's admins reset it,
 *                                                   anyone may bind with it
 *   pwdReset of a person                            the town's admins set it
 *   any other userPassword                          bind only
 *   ou=tenants and the base, as a search base       any bound client
 *   for each service: the members of its group      its account reads what
 *   (people, mailboxes), their memberOf of it, and  its template needs (and
 *   its group                                       Dovecot's delegates'
 *                                                   mutualizeMailboxAccess)
 *   a town's entries                                the town's admins read
 *   a person's entry                                the person reads
 *   active people (policy.address_book)             people read the names
 *
 * Everything else is refused, the lock and the other towns included. The
 * person patterns hold the base DN as slapd normalises it.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mutualize.h"

/* The identity of root on the server's host over ldapi:// (SASL EXTERNAL). */
#define ROOT_EXTERNAL \
	"gidNumber=0+uidNumber=0,cn=peercred,cn=external,cn=auth"

/* What the address book shows of active people. */
#define BOOK_ATTRS \
	"entry,objectClass,cn,sn,givenName,displayName,mail,telephoneNumber," \
	"title,ou"

/*
 * What every service may read of its people, besides its template's: the
 * id and the entryUUID are what service-config keys their data on.
 */
static const char *const service_attrs[] = {
	"entry", "entryDN", "objectClass", "entryUUID", "employeeNumber", "cn",
	"displayName", "givenName", "sn", "mail", "uid", "mutualizeDisabled",
	NULL
};

struct rules {
	const struct model	*m;
	struct arena		*a;
	struct access		*out;
	const char		*base;		/* as written in the file */
	const char		*person;	/* dn.regex of a person, town $1 */
	const char		*anyone;	/* dn.regex of any person */
	const char		*user;		/* ... of a person or mailbox */
	const char		*admins;	/* group.expand of town $1's admins */
	const char		*replicator;	/* or NULL */
};

/*
 * The base DN as slapd normalises it (dn_plain), each character a regular
 * expression gives a meaning to put in brackets: a backslash would go
 * through two parsers (directory-config refuses a base DN with one, or with
 * a caret or a double quote).
 */
static const char *
base_regex(struct arena *a, const char *base)
{
	const char	*s = dn_plain(a, base);
	char		*out = arena_alloc(a, 3 * strlen(s) + 1), *o = out;

	for (; *s != '\0'; s++) {
		if (strchr(".$|?*+()[]{}", *s) != NULL) {
			*o++ = '[';
			*o++ = *s;
			*o++ = ']';
		} else
			*o++ = *s;
	}
	*o = '\0';
	return out;
}

/* Whether the DN can stand in an access rule as directory-config writes it. */
int
access_dn_ok(const char *dn)
{
	return strpbrk(dn, "\\\"^") == NULL;
}

static void
rule(struct rules *r, const char *text)
{
	ptrvec_push(&r->out->rules, (void *)text);
}

/* The attribute names of an LDAP filter: each "(" followed by a name. */
static void
filter_attrs(struct arena *a, const char *filter, struct ptrvec *names)
{
	const char	*s, *e;

	for (s = filter; (s = strchr(s, '(')) != NULL; s++) {
		for (e = s + 1; isalnum((unsigned char)*e) || *e == '-' ||
		    *e == ';' || *e == '.'; e++)
			;
		if (e > s + 1 && strchr("=~<>:", *e) != NULL)
			ptrvec_push(names, arena_strndup(a, s + 1,
			    (size_t)(e - s - 1)));
	}
}

/* Adds name to the list unless it is there already. */
static void
list_add(struct ptrvec *names, const char *name)
{
	size_t	i;

	for (i = 0; i < names->n; i++)
		if (strcasecmp(names->v[i], name) == 0)
			return;
	ptrvec_push(names, (void *)name);
}

/* The names, comma-separated. */
static const char *
list_join(struct arena *a, const struct ptrvec *names)
{
	size_t	 i, len = 1;
	char	*out, *o;

	for (i = 0; i < names->n; i++)
		len += strlen(names->v[i]) + 1;
	o = out = arena_alloc(a, len);
	for (i = 0; i < names->n; i++) {
		if (i > 0)
			*o++ = ',';
		o = stpcpy(o, names->v[i]);
	}
	*o = '\0';
	return out;
}

/*
 * What a service's account may read of a person entitled to it: the common
 * attributes, its template's, and those its filter names; memberOf alone is
 * left out, its own value being granted by a rule of its own.
 */
static const char *
service_read(struct rules *r, const struct service *s)
{
	const struct template	*t = s->tmpl;
	struct ptrvec		 names = { 0 }, filter = { 0 };
	const char		*out;
	char			*f;
	size_t			 i;

	for (i = 0; service_attrs[i] != NULL; i++)
		list_add(&names, service_attrs[i]);
	list_add(&names, t->login_attr);
	for (i = 0; i < t->nattrs; i++)
		list_add(&names, t->attrs[i].name);
	/* the master passdb's filter: the mailboxes a delegate reads */
	if (t->configs & CONFIG_DOVECOT)
		list_add(&names, "mutualizeMailboxAccess");
	/* Postfix's virtual_alias_maps: aliases and former addresses */
	if (t->configs & CONFIG_POSTFIX)
		list_add(&names, "mailLocalAddress");
	f = template_filter(r->m, s);
	filter_attrs(r->a, f, &filter);
	free(f);
	for (i = 0; i < filter.n; i++)
		if (strcasecmp(filter.v[i], "memberOf") != 0)
			list_add(&names, filter.v[i]);
	out = list_join(r->a, &names);
	ptrvec_free(&names);
	ptrvec_free(&filter);
	return out;
}

/*
 * A service's account: its people, their memberOf of it, and its group. Its
 * people are those whose memberOf names its group; where the directory
 * replicates, dynlist makes memberOf, which a rule's filter does not see:
 * they are then the members its group lists (a set, slower: each entry
 * reads the group), and entryDN, what dynlist turns a search on memberOf
 * into, is theirs to search.
 */
static void
service_rules(struct rules *r, const struct service *s)
{
	const char	*dn = account_dn(r->a, r->m, s);
	const char	*group = arena_printf(r->a, "cn=%s,ou=services,%s", s->id,
	    r->base);

	rule(r, arena_printf(r->a, "to dn.regex=\"%s\" attrs=memberOf "
	    "val=\"%s\" by dn.exact=\"%s\" read by * break", r->user, group,
	    dn));
	if (r->replicator == NULL)
		rule(r, arena_printf(r->a, "to dn.regex=\"%s\" "
		    "filter=\"(memberOf=%s)\" attrs=%s by dn.exact=\"%s\" read "
		    "by * break", r->user, group, service_read(r, s), dn));
	else
		rule(r, arena_printf(r->a, "to dn.regex=\"%s\" attrs=%s "
		    "by dn.exact=\"%s\" set=\"[%s]/member & this\" read "
		    "by * break", r->user, service_read(r, s), dn, group));
	rule(r, arena_printf(r->a, "to dn.base=\"%s\" attrs=entry,objectClass,"
	    "cn,member by dn.exact=\"%s\" read by * break", group, dn));
}

/* Who manages, who replicates; the others go on to the next rules. */
static void
first_rule(struct rules *r)
{
	const char	*bind = r->m->directory.bind_dn, *who = "", *repl = "";

	if (bind != NULL)
		who = arena_printf(r->a, " by dn.exact=\"%s\" manage", bind);
	if (r->replicator != NULL)
		repl = arena_printf(r->a, " by dn.exact=\"%s\" read",
		    r->replicator);
	rule(r, arena_printf(r->a, "to * by dn.exact=\"" ROOT_EXTERNAL "\" "
	    "manage%s%s by * break", who, repl));
}

/* Passwords: people change theirs, their town's admins reset them. */
static void
password_rules(struct rules *r)
{
	rule(r, arena_printf(r->a, "to dn.regex=\"%s\" attrs=userPassword "
	    "by self =xw by %s =w by anonymous auth by * none", r->person,
	    r->admins));
	rule(r, arena_printf(r->a, "to dn.regex=\"%s\" attrs=pwdReset by %s "
	    "write by * none", r->person, r->admins));
	rule(r, "to attrs=userPassword by anonymous auth by * none");
}

static void
make_rules(struct rules *r)
{
	const struct model	*m = r->m;
	size_t			 i;

	first_rule(r);
	password_rules(r);
	rule(r, arena_printf(r->a, "to dn.base=\"ou=tenants,%s\" attrs=entry "
	    "by users search", r->base));
	/* where dynlist looks for the groups that make a memberOf */
	if (r->replicator != NULL)
		rule(r, arena_printf(r->a, "to dn.base=\"%s\" attrs=entry "
		    "by users search", r->base));
	for (i = 0; i < m->nservices; i++)
		if (m->services[i].tmpl != NULL)
			service_rules(r, &m->services[i]);
	rule(r, arena_printf(r->a, "to dn.regex=\"^(.+,)?ou=([^,]+),ou=tenants,"
	    "%s$\" by group.expand=\"cn=admins,ou=groups,ou=$2,ou=tenants,%s\" "
	    "read by * break", base_regex(r->a, r->base), r->base));
	rule(r, arena_printf(r->a, "to dn.regex=\"%s\" by self read by * break",
	    r->anyone));
	if (m->policy.address_book)
		rule(r, arena_printf(r->a, "to dn.regex=\"%s\" "
		    "filter=\"(!(mutualizeDisabled=*))\" attrs=" BOOK_ATTRS
		    " by dn.regex=\"%s\" read", r->anyone, r->anyone));
}

/*
 * Limits: none for mutualize; a search without paging stops at 1,000
 * entries for a service and 500 for a person, a paged one goes on; each
 * search of theirs stops after a minute.
 */
static void
make_limits(struct rules *r)
{
	const struct model	*m = r->m;
	struct ptrvec		*l = &r->out->limits;
	size_t			 i;

	ptrvec_push(l, "dn.exact=\"" ROOT_EXTERNAL "\" size=unlimited "
	    "time=unlimited");
	if (r->replicator != NULL)
		ptrvec_push(l, arena_printf(r->a, "dn.exact=\"%s\" "
		    "size=unlimited time=unlimited", r->replicator));
	if (m->directory.bind_dn != NULL)
		ptrvec_push(l, arena_printf(r->a, "dn.exact=\"%s\" size=unlimited"
		    " time=unlimited", m->directory.bind_dn));
	for (i = 0; i < m->nservices; i++)
		ptrvec_push(l, arena_printf(r->a, "dn.exact=\"%s\" "
		    "size.soft=1000 size.hard=1000 size.pr=1000 "
		    "size.prtotal=unlimited time.soft=60 time.hard=60",
		    account_dn(r->a, m, &m->services[i])));
	ptrvec_push(l, arena_printf(r->a, "dn.regex=\"%s\" size.soft=500 "
	    "size.hard=500 size.pr=500 size.prtotal=unlimited time.soft=60 "
	    "time.hard=60", r->anyone));
}

void
access_make(const struct model *m, const char *replicator, struct arena *a,
    struct access *out)
{
	struct rules	r;
	const char	*b;

	memset(out, 0, sizeof(*out));
	r.m = m;
	r.replicator = replicator;
	r.a = a;
	r.out = out;
	r.base = m->syndicate.base_dn;
	b = base_regex(a, r.base);
	r.person = arena_printf(a, "^uid=[^,]+,ou=people,ou=([^,]+),"
	    "ou=tenants,%s$", b);
	r.anyone = arena_printf(a, "^uid=[^,]+,ou=people,ou=[^,]+,"
	    "ou=tenants,%s$", b);
	r.user = arena_printf(a, "^uid=[^,]+,ou=(people|mailboxes),ou=[^,]+,"
	    "ou=tenants,%s$", b);
	r.admins = arena_printf(a, "group.expand=\"cn=admins,ou=groups,ou=$1,"
	    "ou=tenants,%s\"", r.base);
	make_rules(&r);
	make_limits(&r);
}

void
access_free(struct access *ac)
{
	ptrvec_free(&ac->rules);
	ptrvec_free(&ac->limits);
}

/*
 * mutualize import: an existing directory, read over LDAP (read.c's paged
 * search of the base) or from an LDIF file (ldifread.c), mapped to a tenants
 * file: each person below the base with the id attribute becomes a person of
 * the tenant an attribute or an RDN of their DN names; each groupOfNames or
 * groupOfUniqueNames a group, or the entitlement to a service when
 * --service-group names it. What cannot be mapped is reported, with why.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import.h"
#include "run.h"

void
import_say(struct import *im, const char *dn, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	msg = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(msg, (size_t)n + 1, fmt, ap);
	va_end(ap);
	ptrvec_push(&im->report, arena_printf(&im->arena, "%s: %s", dn, msg));
	free(msg);
}

static const char *
first(const struct entry *e, const char *attr, size_t *n)
{
	const struct attr	*a = entry_attr(e, attr);

	*n = a != NULL ? a->nvals : 0;
	return *n > 0 ? a->vals[0] : NULL;
}

static int
is_below(const char *key, const char *base)
{
	size_t	k = strlen(key), b = strlen(base);

	return k > b + 1 && key[k - b - 1] == ',' && strcmp(key + k - b, base) == 0;
}

static int
is_person(const struct entry *e)
{
	return entry_has(e, "objectClass", "inetOrgPerson") ||
	    entry_has(e, "objectClass", "organizationalPerson") ||
	    entry_has(e, "objectClass", "person");
}

static int
is_group(const struct entry *e)
{
	return entry_has(e, "objectClass", "groupOfNames") ||
	    entry_has(e, "objectClass", "groupOfUniqueNames");
}

static int
is_container(const struct entry *e)
{
	static const char *const	 kinds[] = { "organizationalUnit",
	    "organization", "dcObject", "domain", "locality", "country", NULL };
	size_t				 i;

	for (i = 0; kinds[i] != NULL; i++)
		if (entry_has(e, "objectClass", kinds[i]))
			return 1;
	return 0;
}

/* The value of the RDN at index i from the left of dn, unescaped; NULL if none. */
static const char *
rdn_value(struct arena *a, const char *dn, unsigned i)
{
	const char	*p = dn, *eq;
	char		*v, *o;

	for (; i > 0; i--) {
		for (; *p != '\0' && *p != ','; p++)
			if (*p == '\\' && p[1] != '\0')
				p++;
		if (*p++ == '\0')
			return NULL;
	}
	if ((eq = strchr(p, '=')) == NULL)
		return NULL;
	v = o = arena_strdup(a, eq + 1);
	for (p = v; *p != '\0' && *p != ',' && *p != '+'; p++) {
		if (*p == '\\' && p[1] != '\0' && p[2] != '\0' &&
		    strchr("0123456789abcdefABCDEF", p[1]) != NULL &&
		    strchr("0123456789abcdefABCDEF", p[2]) != NULL) {
			char hex[3] = { p[1], p[2], '\0' };

			*o++ = (char)strtol(hex, NULL, 16);
			p += 2;
		} else if (*p == '\\' && p[1] != '\0')
			*o++ = *++p;
		else
			*o++ = *p;
	}
	*o = '\0';
	return v;
}

/* The tenant's name for e: the attribute's value or the RDN's; NULL if none. */
static const char *
tenant_value(struct import *im, const struct entry *e, unsigned base_depth)
{
	size_t	n;

	if (im->tenant_attr != NULL)
		return first(e, im->tenant_attr, &n);
	if (e->depth <= base_depth + im->tenant_level)
		return NULL;
	return rdn_value(&im->arena, e->dn, e->depth - base_depth -
	    im->tenant_level);
}

static struct imp_tenant *
tenant_get(struct import *im, const char *id, const char *name)
{
	struct imp_tenant	*t = hmap_get(&im->tenant_ids, id);

	if (t == NULL) {
		t = arena_alloc(&im->arena, sizeof(*t));
		memset(t, 0, sizeof(*t));
		t->id = id;
		t->name = arena_strdup(&im->arena, name);
		hmap_put(&im->tenant_ids, id, t);
		ptrvec_push(&im->tenants, t);
	} else if (strcmp(name, t->name) < 0)
		t->name = arena_strdup(&im->arena, name);
	return t;
}

/* The text values a person needs, each refused for why. 0, or -1 said. */
static int
person_texts(struct import *im, const struct entry *e, struct imp_person *p)
{
	static const char *const attrs[] = { "givenName", "sn", "uid" };
	const char	*v[3];
	size_t		 i, n;

	for (i = 0; i < 3; i++) {
		v[i] = first(e, attrs[i], &n);
		if (v[i] == NULL || *v[i] == '\0') {
			import_say(im, e->dn, "no %s", attrs[i]);
			return -1;
		}
		if (!import_text_ok(v[i])) {
			import_say(im, e->dn, "%s holds a control character or "
			    "bytes that are no UTF-8", attrs[i]);
			return -1;
		}
	}
	p->given_name = v[0];
	p->surname = v[1];
	p->login = v[2];
	if (!valid_login(p->login)) {
		import_say(im, e->dn, "uid \"%s\" is no login (lowercase letters "
		    "and digits, inner '.', '-' or '_', at most %d)", p->login,
		    LOGIN_MAX);
		return -1;
	}
	if ((p->mail = first(e, "mail", &n)) != NULL && !valid_mail(p->mail)) {
		import_say(im, e->dn, "mail \"%s\" is no address", p->mail);
		return -1;
	}
	return 0;
}

/* A person of e, or NULL after saying why not. */
static struct imp_person *
person_of(struct import *im, const struct entry *e, unsigned base_depth)
{
	struct imp_person	*p = arena_alloc(&im->arena, sizeof(*p));
	const struct attr	*al;
	const char		*tv, *tid;
	size_t			 n, i;

	memset(p, 0, sizeof(*p));
	p->dn = e->dn;
	if ((p->id = first(e, im->id_attr, &n)) == NULL) {
		import_say(im, e->dn, "no %s", im->id_attr);
		return NULL;
	}
	if (n > 1) {
		import_say(im, e->dn, "%s has %zu values", im->id_attr, n);
		return NULL;
	}
	if (!valid_person_id(p->id)) {
		import_say(im, e->dn, "%s \"%s\" is no person id (1 to 64 "
		    "letters, digits, '.', '_' or '-')", im->id_attr, p->id);
		return NULL;
	}
	if (person_texts(im, e, p) == -1)
		return NULL;
	if ((tv = tenant_value(im, e, base_depth)) == NULL) {
		import_say(im, e->dn, "in no tenant: no %s", im->tenant_attr ?
		    im->tenant_attr : "RDN at --tenant-level");
		return NULL;
	}
	if ((tid = import_slug(&im->arena, tv)) == NULL) {
		import_say(im, e->dn, "tenant \"%s\" makes no tenant id", tv);
		return NULL;
	}
	p->tenant = tid;
	p->tenant_name = tv;
	al = entry_attr(e, "mailLocalAddress");
	for (i = 0; al != NULL && i < al->nvals; i++) {
		if (valid_mail(al->vals[i]))
			ptrvec_push(&p->aliases, (void *)al->vals[i]);
		else
			import_say(im, e->dn, "mailLocalAddress \"%s\" is no "
			    "address: left out", al->vals[i]);
	}
	return p;
}

static size_t
count_of(const struct hmap *h, const char *k)
{
	return (size_t)(uintptr_t)hmap_get(h, k);
}

static void
count_up(struct hmap *h, const char *k)
{
	hmap_put(h, k, (void *)(uintptr_t)(count_of(h, k) + 1));
}

/*
 * The people: each id and each login held by one entry only; of those
 * held by more, none is taken, since the file could not tell them apart.
 */
static void
map_people(struct import *im, const struct entries *es, const char *bkey,
    unsigned bdepth)
{
	struct hmap	 ids = { 0 }, logins = { 0 };
	struct ptrvec	 found = { 0 };
	size_t		 i;

	for (i = 0; i < es->v.n; i++) {
		const struct entry	*e = es->v.v[i];
		struct imp_person	*p;

		if (!is_below(e->key, bkey) || !is_person(e) ||
		    (p = person_of(im, e, bdepth)) == NULL)
			continue;
		p->key = e->key;
		count_up(&ids, p->id);
		count_up(&logins, p->login);
		ptrvec_push(&found, p);
	}
	for (i = 0; i < found.n; i++) {
		struct imp_person	*p = found.v[i];
		size_t			 n;

		if ((n = count_of(&ids, p->id)) > 1)
			import_say(im, p->dn, "%s \"%s\" is held by %zu entries: "
			    "none of them is imported", im->id_attr, p->id, n);
		else if ((n = count_of(&logins, p->login)) > 1)
			import_say(im, p->dn, "uid \"%s\" is held by %zu entries: "
			    "none of them is imported", p->login, n);
		if (n > 1) {
			ptrvec_free(&p->aliases);
		} else {
			hmap_put(&im->people, p->key, p);
			ptrvec_push(&tenant_get(im, p->tenant,
			    p->tenant_name)->people, p);
			im->npeople++;
		}
	}
	hmap_free(&ids);
	hmap_free(&logins);
	ptrvec_free(&found);
}

/* A member value as a DN: uniqueMember's optional "#'0101'B" taken off. */
static const char *
member_key(struct import *im, const char *v)
{
	const char	*h = strrchr(v, '#');
	char		*dn;
	const char	*k;

	if (h == NULL || h[1] != '\'')
		return dn_key(&im->arena, v);
	dn = xstrndup(v, (size_t)(h - v));
	k = dn_key(&im->arena, dn);
	free(dn);
	return k;
}

/* The imported people a group lists; the other members said. */
static void
group_members(struct import *im, const struct entry *e, struct ptrvec *out)
{
	static const char *const	 attrs[] = { "member", "uniqueMember" };
	const struct attr		*a;
	struct imp_person		*p;
	size_t				 i, k;

	for (k = 0; k < 2; k++) {
		if ((a = entry_attr(e, attrs[k])) == NULL)
			continue;
		for (i = 0; i < a->nvals; i++) {
			if (*a->vals[i] == '\0')
				continue;
			if ((p = hmap_get(&im->people, member_key(im,
			    a->vals[i]))) != NULL)
				ptrvec_push(out, p);
			else
				import_say(im, e->dn, "member \"%s\" is not an "
				    "imported person: left out", a->vals[i]);
		}
	}
}

/* The tenant most of the members are in (the first id of a tie); NULL if none. */
static const char *
members_tenant(const struct ptrvec *members)
{
	struct hmap	 counts = { 0 };
	const char	*best = NULL, *t;
	size_t		 i, n, bestn = 0;

	for (i = 0; i < members->n; i++) {
		t = ((struct imp_person *)members->v[i])->tenant;
		n = count_of(&counts, t) + 1;
		hmap_put(&counts, t, (void *)(uintptr_t)n);
		if (n > bestn || (n == bestn && strcmp(t, best) < 0)) {
			best = t;
			bestn = n;
		}
	}
	hmap_free(&counts);
	return best;
}

/* A group of e, or NULL after saying why not. */
static struct imp_group *
group_of(struct import *im, const struct entry *e, unsigned bdepth)
{
	struct imp_group	*g = arena_alloc(&im->arena, sizeof(*g));
	const char		*tv;
	size_t			 n;

	memset(g, 0, sizeof(*g));
	g->dn = e->dn;
	group_members(im, e, &g->members);
	if ((g->id = first(e, "cn", &n)) == NULL || !valid_id(g->id)) {
		import_say(im, e->dn, "cn \"%s\" is no group id (lowercase "
		    "letters, digits and inner '-', at most 63): left out",
		    g->id != NULL ? g->id : "");
		goto fail;
	}
	if ((g->name = first(e, "description", &n)) == NULL ||
	    !import_text_ok(g->name))
		g->name = g->id;
	if ((tv = tenant_value(im, e, bdepth)) != NULL)
		g->tenant = import_slug(&im->arena, tv);
	if (g->tenant == NULL)
		g->tenant = members_tenant(&g->members);
	if (g->tenant == NULL || hmap_get(&im->tenant_ids, g->tenant) == NULL) {
		import_say(im, e->dn, "a group of no tenant (no imported "
		    "member, and its own tenant has no one): left out");
		goto fail;
	}
	return g;
fail:
	ptrvec_free(&g->members);
	return NULL;
}

/* A service group's members are entitled to the service. */
static void
entitle(struct import *im, const struct entry *e, const char *service)
{
	struct ptrvec	 members = { 0 };
	size_t		 i;

	group_members(im, e, &members);
	for (i = 0; i < members.n; i++)
		ptrvec_push(&((struct imp_person *)members.v[i])->services,
		    (void *)service);
	ptrvec_free(&members);
}

/* Each person lists the group: by its id in its tenant, else tenant/id. */
static void
join(struct import *im, struct imp_group *g)
{
	size_t	i;

	for (i = 0; i < g->members.n; i++) {
		struct imp_person	*p = g->members.v[i];

		ptrvec_push(&p->groups, strcmp(p->tenant, g->tenant) == 0 ?
		    (void *)g->id : arena_printf(&im->arena, "%s/%s", g->tenant,
		    g->id));
	}
	ptrvec_push(&((struct imp_tenant *)hmap_get(&im->tenant_ids,
	    g->tenant))->groups, g);
	im->ngroups++;
}

static void
map_groups(struct import *im, const struct entries *es, const char *bkey,
    unsigned bdepth, const struct hmap *service_groups)
{
	struct hmap	 seen = { 0 };
	struct ptrvec	 found = { 0 };
	const char	*svc;
	size_t		 i, n;

	for (i = 0; i < es->v.n; i++) {
		const struct entry	*e = es->v.v[i];
		struct imp_group	*g;

		if (!is_below(e->key, bkey) || is_person(e) || !is_group(e)) {
			if (is_below(e->key, bkey) && !is_person(e) &&
			    !is_container(e))
				import_say(im, e->dn, "neither a person nor a "
				    "group: left out");
			continue;
		}
		if ((svc = hmap_get(service_groups, e->key)) != NULL)
			entitle(im, e, svc);
		else if ((g = group_of(im, e, bdepth)) != NULL) {
			count_up(&seen, arena_printf(&im->arena, "%s/%s",
			    g->tenant, g->id));
			ptrvec_push(&found, g);
		}
	}
	for (i = 0; i < found.n; i++) {
		struct imp_group	*g = found.v[i];

		if ((n = count_of(&seen, arena_printf(&im->arena, "%s/%s",
		    g->tenant, g->id))) > 1)
			import_say(im, g->dn, "%zu groups \"%s\" in tenant %s: "
			    "none of them is imported", n, g->id, g->tenant);
		else
			join(im, g);
	}
	for (i = 0; i < found.n; i++)
		ptrvec_free(&((struct imp_group *)found.v[i])->members);
	hmap_free(&seen);
	ptrvec_free(&found);
}

static void
import_free(struct import *im)
{
	size_t	i, j;

	for (i = 0; i < im->tenants.n; i++) {
		struct imp_tenant	*t = im->tenants.v[i];

		for (j = 0; j < t->people.n; j++) {
			struct imp_person	*p = t->people.v[j];

			ptrvec_free(&p->aliases);
			ptrvec_free(&p->groups);
			ptrvec_free(&p->services);
		}
		ptrvec_free(&t->people);
		ptrvec_free(&t->groups);
	}
	ptrvec_free(&im->tenants);
	ptrvec_free(&im->report);
	hmap_free(&im->people);
	hmap_free(&im->tenant_ids);
	arena_free(&im->arena);
}

/*
 * --service-group service=DN, each: the service declared by the template.
 * Returns 0, or -1 after saying why.
 */
static int
service_groups(struct import *im, const struct model *m,
    const struct options *o, struct hmap *out)
{
	size_t	i;

	for (i = 0; i < o->service_groups.n; i++) {
		const char	*arg = o->service_groups.v[i], *eq;
		char		*svc;

		if (arg == NULL)
			continue;
		if ((eq = strchr(arg, '=')) == NULL || eq[1] == '\0') {
			msg_warn("--service-group %s: give service=DN", arg);
			return -1;
		}
		svc = arena_strndup(&im->arena, arg, (size_t)(eq - arg));
		if (model_service(m, svc) == NULL) {
			msg_warn("--service-group %s: the template declares no "
			    "service \"%s\"", arg, svc);
			return -1;
		}
		hmap_put(out, dn_key(&im->arena, eq + 1), svc);
	}
	return 0;
}

/* The entries below the base, from --ldif or over LDAP. Returns 0 or the exit status. */
static int
read_source(struct import *im, const struct model *m, const struct options *o,
    struct entries *es)
{
	const char	*attrs[] = { "objectClass", "cn", "sn", "givenName",
	    "uid", "mail", "mailLocalAddress", "description", "member",
	    "uniqueMember", im->id_attr, im->tenant_attr, NULL };
	const char	*none[] = { NULL };
	struct conn_inputs in;
	struct conn	*c;
	struct diags	 d = { 0 };
	char		*text;
	size_t		 len;
	int		 status = EXIT_ERROR;

	if (o->ldif != NULL) {
		if ((text = file_read(o->ldif, (size_t)1 << 32, &d, &len)) != NULL)
			status = ldif_read(o->ldif, text, len, es, &d) == 0 ?
			    0 : EXIT_ERROR;
		free(text);
		diag_print(&d, stderr);
		diag_free(&d);
		return status;
	}
	if (conn_inputs_load(&in, m, o) == -1)
		return EXIT_ERROR;
	c = conn_open(&in.co, &status);
	conn_inputs_free(&in);
	if (c == NULL)
		return status;
	status = read_directory(c, im->base, im->base, none, attrs, es) == 0 ?
	    0 : conn_status(c);
	conn_close(c);
	return status;
}

struct output {
	const struct import	*im;
	const char		*text, *cmdline;
	size_t			 len;
};

static void
write_output(FILE *fp, void *arg)
{
	const struct output	*out = arg;

	import_write(fp, out->im, out->text, out->len, out->cmdline);
}

static void
write_report(FILE *fp, void *arg)
{
	import_report(fp, arg);
}

/* The tenants file and the report, where the options say. 0 or -1, said. */
static int
write_files(const struct import *im, const struct options *o,
    const char *text, size_t len)
{
	struct output	 out = { im, text, NULL, len };
	int		 ret = 0;

	out.cmdline = arena_printf((struct arena *)&im->arena, "mutualize "
	    "adopt --id-attr %s --move FILE", im->id_attr);
	/* the files the tenants file names are there before it */
	if (im->people_dir != NULL && (import_people_new(im, o->output) == -1 ||
	    import_write_people(im, o->output) == -1))
		return -1;
	if (o->output == NULL) {
		write_output(stdout, &out);
		ret = fflush(stdout) == EOF ? -1 : 0;
	} else if (file_rewrite(o->output, 1, write_output, &out) == -1)
		ret = -1;
	if (ret == -1)
		msg_warn("%s: cannot write", o->output ? o->output : "output");
	if (o->report == NULL)
		import_report(stderr, im);
	else if (file_rewrite(o->report, 1, write_report, (void *)im) == -1) {
		msg_warn("%s: cannot write", o->report);
		ret = -1;
	}
	return ret;
}

int
run_import(const struct options *o)
{
	struct import	 im;
	struct entries	 es;
	struct hmap	 svc = { 0 };
	struct model	*m;
	struct diags	 d = { 0 };
	char		*text = NULL;
	size_t		 len;
	int		 ret = EXIT_ERROR;

	memset(&im, 0, sizeof(im));
	entries_init(&es);
	if ((m = load_checked(o)) == NULL)
		goto out;
	if (m->ntenants > 0 || (text = file_read(o->file, (size_t)1 << 24, &d,
	    &len)) == NULL || !import_template_ok(text, len)) {
		diag_print(&d, stderr);
		msg_warn("%s: a template has every section but its tenants, "
		    "written \"tenants: []\" on a line of its own", o->file);
		goto out;
	}
	if (o->tenant_attr == NULL && o->tenant_level == 0) {
		msg_warn("import: give --tenant-attr or --tenant-level: where "
		    "each person's town is written");
		goto out;
	}
	if ((o->output != NULL && path_check_new(o->output, "output") == -1) ||
	    (o->report != NULL && path_check_new(o->report, "report") == -1))
		goto out;
	if (o->people_dir != NULL && (o->output == NULL ||
	    *o->people_dir == '/' || strstr(o->people_dir, "..") != NULL)) {
		msg_warn("import: --people-files names a directory beside the "
		    "output of -o: a relative path, without \"..\"");
		goto out;
	}
	im.people_dir = o->people_dir;
	im.base = o->base != NULL ? o->base : m->syndicate.base_dn;
	im.id_attr = o->id_attr != NULL ? o->id_attr : "employeeNumber";
	im.tenant_attr = o->tenant_attr;
	im.tenant_level = o->tenant_level;
	if (service_groups(&im, m, o, &svc) == -1 ||
	    (ret = read_source(&im, m, o, &es)) != 0)
		goto out;
	ret = EXIT_ERROR;
	map_people(&im, &es, dn_key(&im.arena, im.base), dn_depth(im.base));
	map_groups(&im, &es, dn_key(&im.arena, im.base), dn_depth(im.base),
	    &svc);
	import_sort(&im);
	if (write_files(&im, o, text, len) == -1)
		goto out;
	fprintf(stderr, "%s: %zu people, %zu groups, %zu tenants; %zu "
	    "entr%s or values left out%s%s.\n", o->output ? o->output :
	    "import", im.npeople, im.ngroups, im.tenants.n, im.report.n,
	    im.report.n == 1 ? "y" : "ies", o->report ? ", listed in " : "",
	    o->report ? o->report : "");
	ret = EXIT_OK;
out:
	free(text);
	diag_free(&d);
	hmap_free(&svc);
	import_free(&im);
	entries_free(&es);
	model_free(m);
	return ret;
}

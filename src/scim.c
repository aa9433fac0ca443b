/*
 * SCIM 2.0 (RFC 7643, 7644): the users of a service created or updated (PUT
 * of the whole resource), deactivated, and the tenants' groups with their
 * entitled members; found again by externalId, the person's id.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "connectors.h"

#define SCIM_USER	"urn:ietf:params:scim:schemas:core:2.0:User"
#define SCIM_GROUP	"urn:ietf:params:scim:schemas:core:2.0:Group"
#define SCIM_PATCH	"urn:ietf:params:scim:api:messages:2.0:PatchOp"

/* A user as SCIM has it, from a person's entry. */
static char *
scim_user(const struct entry *e, int active)
{
	struct memtext	 t;
	FILE		*fp = memtext_open(&t);

	fputs("{\"schemas\": [\"" SCIM_USER "\"], \"externalId\": ", fp);
	json_string(fp, call_attr(e, "employeeNumber"));
	fputs(", \"userName\": ", fp);
	json_string(fp, call_attr(e, "uid"));
	fputs(", \"name\": {\"givenName\": ", fp);
	json_string(fp, call_attr(e, "givenName"));
	fputs(", \"familyName\": ", fp);
	json_string(fp, call_attr(e, "sn"));
	fputs("}, \"displayName\": ", fp);
	json_string(fp, call_attr(e, "displayName"));
	fputs(", \"emails\": [{\"value\": ", fp);
	json_string(fp, call_attr(e, "mail"));
	fprintf(fp, ", \"type\": \"work\", \"primary\": true}], "
	    "\"active\": %s}\n", active ? "true" : "false");
	return memtext_close(&t);
}

struct scim_planner {
	struct connectors	*cn;
	const struct service	*s;
	const struct entry	*want, *had;	/* its group: new, old */
	struct hmap		 seen;		/* externalIds with a call */
};

static void
scim_person(struct scim_planner *sp, const struct entry *e, int entitled)
{
	const char	*id = call_attr(e, "employeeNumber");
	struct call	*c;

	if (*id == '\0' || hmap_get(&sp->seen, id) != NULL)
		return;
	hmap_put(&sp->seen, id, (void *)e);
	c = call_new(sp->cn, entitled ? CALL_SCIM_USER : CALL_SCIM_DEACTIVATE,
	    sp->s);
	c->key = arena_strdup(&sp->cn->arena, id);
	c->body = entitled ? scim_user(e, 1) : NULL;
	c->what = arena_printf(&sp->cn->arena, "SCIM %s: %s user %s (%s) at %s",
	    sp->s->id, entitled ? "create or update" : "deactivate",
	    call_attr(e, "uid"), id, sp->s->scim.url);
}

static int
in_group(const struct entry *group, const struct entry *person)
{
	return group != NULL && person != NULL &&
	    entry_has(group, "member", person->dn);
}

/* People: created or updated while entitled, deactivated when no longer. */
static void
scim_people(struct scim_planner *sp, const struct change *ch,
    const struct entries *desired, const struct entries *current)
{
	const struct entry	*e = ch->entry, *now;
	const struct mod	*mod;
	size_t			 i, j;

	if (ch->why == WHY_DRIFT)
		return;		/* the same members, written again */
	if (e->kind == ENTRY_SERVICE && ch->op == CHANGE_MODIFY &&
	    e == sp->had) {
		for (i = 0; i < ch->nmods; i++) {
			mod = &ch->mods[i];
			if (strcasecmp(mod->attr, "member") != 0)
				continue;
			for (j = 0; j < mod->nvals; j++) {
				if (mod->op == MOD_ADD &&
				    (now = call_person(desired, mod->vals[j])))
					scim_person(sp, now, 1);
				else if (mod->op == MOD_DELETE &&
				    (now = call_person(current, mod->vals[j])))
					scim_person(sp, now, 0);
			}
		}
		return;
	}
	if (e->kind != ENTRY_PERSON)
		return;
	switch (ch->op) {
	case CHANGE_ADD:
		if (in_group(sp->want, e))
			scim_person(sp, e, 1);
		break;
	case CHANGE_MODRDN:
	case CHANGE_MODIFY:
		now = call_person(desired, ch->op == CHANGE_MODRDN ? ch->newdn :
		    ch->dn);
		if (!change_disables(ch) && in_group(sp->want, now))
			scim_person(sp, now, 1);
		else if (in_group(sp->had, e))
			scim_person(sp, e, 0);
		break;
	default:
		if (in_group(sp->had, e))
			scim_person(sp, e, 0);
	}
}

/* A tenant's group: its entitled members, known to SCIM by their ids. */
static void
scim_group(struct scim_planner *sp, const struct change *ch,
    const struct entries *desired)
{
	const struct entry	*e = ch->entry, *g, *p;
	const struct attr	*members;
	const char		*tenant = e->tenant ? e->tenant : "";
	struct arena		*a = &sp->cn->arena;
	struct call		*c;
	size_t			 i, n;

	/* a part of a long change: the change before it told the group */
	if (e->kind != ENTRY_GROUP || ch->op == CHANGE_MODRDN ||
	    ch->why == WHY_CONTINUED)
		return;
	c = call_new(sp->cn, ch->op == CHANGE_DELETE ? CALL_SCIM_UNGROUP :
	    CALL_SCIM_GROUP, sp->s);
	c->key = arena_printf(a, "%s/%s", tenant, call_attr(e, "cn"));
	if (ch->op == CHANGE_DELETE) {
		c->what = arena_printf(a, "SCIM %s: delete group %s at %s",
		    sp->s->id, c->key, sp->s->scim.url);
		return;
	}
	/* the whole group: an add holds the first part of a long one */
	if ((g = entries_find(desired, ch->dn)) == NULL && ch->op == CHANGE_ADD)
		g = e;
	members = g != NULL ? entry_attr(g, "member") : NULL;
	n = members != NULL ? members->nvals : 0;
	c->members = arena_alloc(a, (n + 1) * sizeof(*c->members));
	for (i = 0; i < n; i++)
		if ((p = call_person(desired, members->vals[i])) != NULL &&
		    in_group(sp->want, p))
			c->members[c->nmembers++] = call_attr(p, "employeeNumber");
	c->name = arena_printf(a, "%s (%s)", call_attr(g ? g : e, "description"),
	    tenant);
	c->what = arena_printf(a, "SCIM %s: create or update group %s (%zu "
	    "member%s) at %s", sp->s->id, c->key, c->nmembers,
	    c->nmembers == 1 ? "" : "s", sp->s->scim.url);
}

static void
plan_service(struct connectors *cn, const struct service *s,
    const struct plan *p, size_t done, const struct entries *desired,
    const struct entries *current)
{
	struct scim_planner	 sp;
	char			*gdn = xasprintf("cn=%s,ou=services,%s", s->id,
	    cn->m->syndicate.base_dn);
	size_t			 i;

	memset(&sp, 0, sizeof(sp));
	sp.cn = cn;
	sp.s = s;
	sp.want = entries_find(desired, gdn);
	sp.had = entries_find(current, gdn);
	free(gdn);
	/* Users first, so that the groups find their members. */
	for (i = 0; i < done; i++)
		scim_people(&sp, &p->v[i], desired, current);
	for (i = 0; i < done; i++)
		scim_group(&sp, &p->v[i], desired);
	hmap_free(&sp.seen);
}

void
scim_plan(struct connectors *cn, const struct plan *p, size_t done,
    const struct entries *desired, const struct entries *current,
    char *const *passwords)
{
	const struct model	*m = cn->m;
	size_t			 i;

	(void)passwords;
	for (i = 0; i < m->nservices; i++)
		if (m->services[i].scim.url != NULL)
			plan_service(cn, &m->services[i], p, done, desired,
			    current);
}

/*
 * The first "id" member of a JSON text: the id of a created resource, or of
 * the first of a list. Returns 0, or -1 when there is none.
 */
static int
json_first_id(const char *s, char *out, size_t outlen)
{
	const char	*p = s, *start, *q;
	size_t		 len;

	while (*p != '\0') {
		if (*p++ != '"')
			continue;
		for (start = p; *p != '\0' && *p != '"'; p++)
			if (*p == '\\' && p[1] != '\0')
				p++;
		if (*p == '\0')
			return -1;
		len = (size_t)(p++ - start);
		q = p + strspn(p, " \t\r\n");
		if (*q != ':' || len != 2 || strncmp(start, "id", 2) != 0)
			continue;
		q += 1 + strspn(q + 1, " \t\r\n");
		if (*q++ != '"')
			return -1;
		len = strcspn(q, "\"\\");
		if (q[len] != '"' || len == 0 || len >= outlen)
			return -1;
		memcpy(out, q, len);
		out[len] = '\0';
		return 0;
	}
	return -1;
}

/* Where a service's SCIM resources of a type are, without a doubled '/'. */
static char *
scim_url(const struct service *s, const char *type, const char *id)
{
	size_t	len = strlen(s->scim.url);

	if (len > 0 && s->scim.url[len - 1] == '/')
		len--;
	return id != NULL ? xasprintf("%.*s/%s/%s", (int)len, s->scim.url, type,
	    id) : xasprintf("%.*s/%s", (int)len, s->scim.url, type);
}

/*
 * The id the SCIM server gave the resource with that externalId. Returns 1
 * when found, 0 when there is none, -1 when the lookup failed.
 */
static int
scim_find(const struct service *s, const char *token, const char *type,
    const char *external_id, char *id, size_t idlen, char *err, size_t errlen)
{
	char		*filter, *esc, *base, *url, *answer = NULL;
	struct request	 r = { "GET", NULL, token, NULL, NULL, NULL, NULL };
	long		 status;
	int		 ret = -1;

	/* The ids are person ids and tenant/group: no quote to escape. */
	filter = xasprintf("externalId eq \"%s\"", external_id);
	if ((esc = http_escape(filter)) == NULL) {
		snprintf(err, errlen, "cannot start libcurl");
		free(filter);
		return -1;
	}
	base = scim_url(s, type, NULL);
	url = xasprintf("%s?filter=%s", base, esc);
	r.url = url;
	status = http_request(&r, &answer, err, errlen);
	if (status == 200)
		ret = json_first_id(answer, id, idlen) == 0;
	free(esc);
	free(filter);
	free(base);
	free(url);
	free(answer);
	return ret;
}

/* A request on a resource, or on all of its type when id is NULL. */
static int
scim_send(const struct service *s, const char *type, const char *id,
    struct request *r, char *err, size_t errlen)
{
	char	*url = scim_url(s, type, id);
	int	 rc;

	r->url = url;
	rc = http_ok(r, err, errlen);
	free(url);
	return rc;
}

/* Creates (POST) or replaces (PUT) the resource, found by its externalId. */
static int
scim_put(const struct service *s, const char *token, const char *type,
    const char *external_id, const char *body, char *err, size_t errlen)
{
	char		 id[256];
	struct request	 r = { NULL, NULL, token, "application/scim+json", NULL,
	    body, NULL };
	int		 found;

	if ((found = scim_find(s, token, type, external_id, id, sizeof(id), err,
	    errlen)) == -1)
		return -1;
	r.method = found ? "PUT" : "POST";
	return scim_send(s, type, found ? id : NULL, &r, err, errlen);
}

/* Deactivates a user (PATCH active), or deletes a group; none is done. */
static int
scim_remove(const struct service *s, const char *token, const char *type,
    const char *external_id, char *err, size_t errlen)
{
	static const char patch[] = "{\"schemas\": [\"" SCIM_PATCH "\"], "
	    "\"Operations\": [{\"op\": \"replace\", \"path\": \"active\", "
	    "\"value\": false}]}\n";
	char		 id[256];
	struct request	 r = { NULL, NULL, token, NULL, NULL, NULL, NULL };
	int		 found, user = strcmp(type, "Users") == 0;

	if ((found = scim_find(s, token, type, external_id, id, sizeof(id), err,
	    errlen)) != 1)
		return found;	/* nothing there: nothing to do */
	r.method = user ? "PATCH" : "DELETE";
	r.type = user ? "application/scim+json" : NULL;
	r.body = user ? patch : NULL;
	return scim_send(s, type, id, &r, err, errlen);
}

static int
scim_group_put(const struct call *c, const char *token, char *err,
    size_t errlen)
{
	struct memtext	 t;
	FILE		*fp = memtext_open(&t);
	char		 id[256], *body;
	size_t		 i, n = 0;
	int		 rc;

	fputs("{\"schemas\": [\"" SCIM_GROUP "\"], \"externalId\": ", fp);
	json_string(fp, c->key);
	fputs(", \"displayName\": ", fp);
	json_string(fp, c->name);
	fputs(", \"members\": [", fp);
	for (i = 0; i < c->nmembers; i++) {
		rc = scim_find(c->service, token, "Users", c->members[i], id,
		    sizeof(id), err, errlen);
		if (rc == -1) {
			free(memtext_close(&t));
			return -1;
		}
		if (rc == 0)
			continue;	/* not provisioned there */
		fprintf(fp, "%s{\"value\": ", n++ > 0 ? ", " : "");
		json_string(fp, id);
		fputc('}', fp);
	}
	fputs("]}\n", fp);
	body = memtext_close(&t);
	rc = scim_put(c->service, token, "Groups", c->key, body, err, errlen);
	free(body);
	return rc;
}

int
scim_run(struct connectors *cn, struct call *c, char *err, size_t errlen)
{
	const char	*token = cn->scim_tokens[c->service - cn->m->services];

	switch (c->kind) {
	case CALL_SCIM_USER:
		return scim_put(c->service, token, "Users", c->key, c->body,
		    err, errlen);
	case CALL_SCIM_DEACTIVATE:
		return scim_remove(c->service, token, "Users", c->key, err,
		    errlen);
	case CALL_SCIM_GROUP:
		return scim_group_put(c, token, err, errlen);
	default:
		return scim_remove(c->service, token, "Groups", c->key, err,
		    errlen);
	}
}

/* The calls the connectors plan, and what they read of the entries. */
#include <stdlib.h>
#include <string.h>

#include "connectors.h"

struct call *
call_new(struct connectors *cn, enum call_kind kind, const struct service *s)
{
	struct call	*c = xcalloc(1, sizeof(*c));

	c->kind = kind;
	c->service = s;
	ptrvec_push(&cn->calls, c);
	return c;
}

const char *
call_attr(const struct entry *e, const char *name)
{
	const struct attr	*a = entry_attr(e, name);

	return a != NULL && a->nvals > 0 ? a->vals[0] : "";
}

const struct entry *
call_person(const struct entries *es, const char *dn)
{
	const struct entry	*e = dn != NULL ? entries_find(es, dn) : NULL;

	return e != NULL && e->kind == ENTRY_PERSON ? e : NULL;
}

void
call_free(struct call *c)
{
	if (c->body != NULL) {
		explicit_bzero(c->body, strlen(c->body));
		free(c->body);
	}
	free(c);
}

static const char *const kind_names[] = {
	[CALL_WEBHOOK] = "webhook", [CALL_SCIM_USER] = "scim-user",
	[CALL_SCIM_DEACTIVATE] = "scim-deactivate",
	[CALL_SCIM_GROUP] = "scim-group", [CALL_SCIM_UNGROUP] = "scim-ungroup",
	[CALL_MAIL] = "mail", [CALL_COMMAND] = "command",
};
#define NKINDS	(sizeof(kind_names) / sizeof(kind_names[0]))

/* What the call does and where, as the outbox says it. */
static void
record_target(const struct connectors *cn, const struct call *c,
    struct outbox_call *r)
{
	static const char *const methods[] = {
		[CALL_WEBHOOK] = "POST", [CALL_SCIM_USER] = "PUT",
		[CALL_SCIM_DEACTIVATE] = "PATCH", [CALL_SCIM_GROUP] = "PUT",
		[CALL_SCIM_UNGROUP] = "DELETE", [CALL_MAIL] = "SMTP",
		[CALL_COMMAND] = "EXEC",
	};
	const int	 group = c->kind == CALL_SCIM_GROUP ||
	    c->kind == CALL_SCIM_UNGROUP;

	r->method = xstrdup(methods[c->kind]);
	if (c->kind == CALL_COMMAND)
		r->url = xstrdup("/bin/sh");
	else if (c->kind == CALL_WEBHOOK)
		r->url = xstrdup(cn->m->webhook.url);
	else if (c->kind == CALL_MAIL) {
		r->url = xstrdup(cn->m->welcome.url);
		r->to = xstrdup(c->key);
	} else
		r->url = xasprintf("%s%s%s", c->service->scim.url,
		    c->service->scim.url[0] != '\0' && c->service->scim.url[
		    strlen(c->service->scim.url) - 1] == '/' ? "" : "/",
		    group ? "Groups" : "Users");
}

struct outbox_call *
call_record(const struct connectors *cn, const struct call *c)
{
	struct outbox_call	*r = xcalloc(1, sizeof(*r));
	size_t			 i;

	r->kind = xstrdup(kind_names[c->kind]);
	r->service = c->service != NULL ? xstrdup(c->service->id) : NULL;
	record_target(cn, c, r);
	r->key = c->key != NULL ? xstrdup(c->key) : NULL;
	r->name = c->name != NULL ? xstrdup(c->name) : NULL;
	r->what = c->what != NULL ? xstrdup(c->what) : NULL;
	r->body = c->body != NULL ? xstrdup(c->body) : NULL;
	r->nmembers = c->nmembers;
	r->members = xcalloc(c->nmembers ? c->nmembers : 1,
	    sizeof(*r->members));
	for (i = 0; i < c->nmembers; i++)
		r->members[i] = xstrdup(c->members[i]);
	r->queued = r->next = cn->now;
	return r;
}

/* The kind of that name, or -1. */
static int
kind_of(const char *name)
{
	size_t	i;

	for (i = 0; name != NULL && i < NKINDS; i++)
		if (strcmp(name, kind_names[i]) == 0)
			return (int)i;
	return -1;
}

struct call *
call_of_record(const struct connectors *cn, struct outbox_call *r,
    char *err, size_t errlen)
{
	const struct service	*s = NULL;
	struct call		*c;
	int			 kind = kind_of(r->kind);

	if (kind == -1) {
		snprintf(err, errlen, "a call of a kind this version does not "
		    "make");
		return NULL;
	}
	if (kind == CALL_COMMAND && (r->body == NULL || (s = r->service ?
	    model_service(cn->m, r->service) : NULL) == NULL)) {
		snprintf(err, errlen, "the file has no such service any more");
		return NULL;
	}
	if (kind != CALL_WEBHOOK && kind != CALL_MAIL && kind != CALL_COMMAND &&
	    ((s = r->service ? model_service(cn->m, r->service) : NULL) ==
	    NULL || s->scim.url == NULL)) {
		snprintf(err, errlen, "the file has no SCIM endpoint for this "
		    "service any more");
		return NULL;
	}
	if ((kind == CALL_WEBHOOK && cn->m->webhook.url == NULL) ||
	    (kind == CALL_MAIL && (cn->m->welcome.url == NULL || !r->body))) {
		snprintf(err, errlen, "the file has no %s any more",
		    kind == CALL_MAIL ? "welcome" : "webhook");
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->kind = (enum call_kind)kind;
	c->service = s;
	c->what = r->what != NULL ? r->what : r->kind;
	c->key = r->key != NULL ? r->key : "";
	c->name = r->name != NULL ? r->name : "";
	c->body = r->body != NULL ? xstrdup(r->body) : NULL;
	c->members = (const char **)r->members;
	c->nmembers = r->nmembers;
	c->rec = r;
	return c;
}

int
call_same_target(const struct outbox_call *a, const struct outbox_call *b)
{
	int	ka = kind_of(a->kind), kb = kind_of(b->kind);
	int	ua = ka == CALL_SCIM_USER || ka == CALL_SCIM_DEACTIVATE;
	int	ub = kb == CALL_SCIM_USER || kb == CALL_SCIM_DEACTIVATE;
	int	ga = ka == CALL_SCIM_GROUP || ka == CALL_SCIM_UNGROUP;
	int	gb = kb == CALL_SCIM_GROUP || kb == CALL_SCIM_UNGROUP;

	/* a SCIM resource's newest state replaces the older one's */
	return ((ua && ub) || (ga && gb)) && a->service != NULL &&
	    b->service != NULL && a->key != NULL && b->key != NULL &&
	    strcmp(a->service, b->service) == 0 && strcmp(a->key, b->key) == 0;
}

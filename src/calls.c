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

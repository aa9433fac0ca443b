/*
 * Whether a change that failed finds its work already done. Right after a
 * provider of a multi-provider directory dies, the changes it had accepted
 * keep reaching the next one for a few seconds: an apply that read the
 * directory before they arrived finds some of its changes made already, and
 * fails them ("Already exists", "No such object"...). What the entry holds
 * now, read back after the failure, decides: a change whose effect is there
 * is not an error, and not a change this apply made either.
 *
 * A decision on plain data, the entries as read, so that each rule can be
 * tried on entries made by hand.
 */
#include <string.h>
#include <strings.h>

#include "mutualize.h"

/* Whether e holds value v of attr, compared as entry_has does. */
static int
holds(const struct entry *e, const char *attr, const char *v)
{
	return e != NULL && entry_has(e, attr, v);
}

/*
 * An add: the entry is there with every value wanted. Values it holds
 * besides are the next plan's to compare; userPassword is never compared:
 * an existing account keeps its own.
 */
static int
add_done(const struct change *ch, const struct found *f)
{
	const struct entry	*want = ch->entry;
	size_t			 i, k;

	if (f->at == NULL)
		return 0;
	for (i = 0; i < want->nattrs; i++) {
		const struct attr	*a = &want->attrs[i];

		if (strcasecmp(a->name, "userPassword") == 0)
			continue;
		for (k = 0; k < a->nvals; k++)
			if (!holds(f->at, a->name, a->vals[k]))
				return 0;
	}
	return 1;
}

/* A replace: the attribute holds exactly the new values. */
static int
replaced(const struct entry *e, const struct mod *m)
{
	const struct attr	*a = entry_attr(e, m->attr);
	size_t			 k;

	if (a == NULL || a->nvals != m->nvals)
		return a == NULL && m->nvals == 0;
	for (k = 0; k < m->nvals; k++)
		if (!holds(e, m->attr, m->vals[k]))
			return 0;
	return 1;
}

/* A modify: each value added is there, each deleted is not, each replace holds. */
static int
modify_done(const struct change *ch, const struct found *f)
{
	size_t	i, k;

	if (f->at == NULL)
		return 0;
	for (i = 0; i < ch->nmods; i++) {
		const struct mod	*m = &ch->mods[i];

		if (m->op == MOD_REPLACE) {
			if (!replaced(f->at, m))
				return 0;
			continue;
		}
		/* a delete of no value deletes the attribute */
		if (m->op == MOD_DELETE && m->nvals == 0 &&
		    entry_attr(f->at, m->attr) != NULL)
			return 0;
		for (k = 0; k < m->nvals; k++)
			if (holds(f->at, m->attr, m->vals[k]) !=
			    (m->op == MOD_ADD))
				return 0;
	}
	return 1;
}

/* The same entry, by what never changes: its id, else its entryUUID. */
static int
same_entry(const struct entry *was, const struct entry *now)
{
	static const char *const keys[] = { "employeeNumber", "entryUUID" };
	const struct attr	*a;
	size_t			 i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if ((a = entry_attr(was, keys[i])) != NULL && a->nvals == 1)
			return holds(now, keys[i], a->vals[0]);
	return 0;
}

/* A modrdn: the old DN is gone, the same entry stands at the new one. */
static int
modrdn_done(const struct change *ch, const struct found *f)
{
	return f->at_absent && f->at_new != NULL &&
	    same_entry(ch->entry, f->at_new);
}

int
already_done(const struct change *ch, const struct found *f)
{
	switch (ch->op) {
	case CHANGE_ADD:
		return add_done(ch, f);
	case CHANGE_MODIFY:
		return modify_done(ch, f);
	case CHANGE_MODRDN:
		return modrdn_done(ch, f);
	default:
		return f->at_absent;
	}
}

const char *
already_key(struct arena *a, const struct change *ch)
{
	return arena_printf(a, "%s %s", change_op_name(ch->op),
	    dn_key(a, ch->dn));
}

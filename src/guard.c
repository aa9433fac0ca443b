/*
 * The guard rails: a plan that removes a tenant nobody confirmed, that
 * disables or deletes more people than max_removals allows, or that changes
 * more than half of what mutualize manages, is refused before anything is
 * written. Each refusal says how to override it.
 */
#include <stdlib.h>

#include "mutualize.h"

/* Below this many managed entries, "more than half" says nothing. */
#define GUARD_MIN_MANAGED	20

size_t
guard_removal_limit(const struct policy *pol, size_t people)
{
	size_t	limit;

	if (pol->max_removals_set)
		return pol->max_removals_percent ?
		    (people * pol->max_removals + 99) / 100 : pol->max_removals;
	limit = (people * GUARD_DEFAULT_PERCENT + 99) / 100;
	return limit < GUARD_DEFAULT_MIN ? GUARD_DEFAULT_MIN :
	    limit > GUARD_DEFAULT_MAX ? GUARD_DEFAULT_MAX : limit;
}

static unsigned
guard_tenants(const struct plan *p, const char *file, FILE *err)
{
	size_t	i;

	for (i = 0; i < p->tenants_gone.n; i++) {
		const struct entry	*t = p->tenants_gone.v[i];
		char			*id = text_escape(t->tenant);
		char			*dn = text_escape(t->dn);

		/* read from the directory: shown, never acted on by a terminal */
		fprintf(err, "mutualize: tenant \"%s\" (%s) is in the directory "
		    "but not in %s; mutualize never removes a tenant by itself.\n"
		    "mutualize: to remove it with everything in it, run again with "
		    "--remove-tenant %s\n", id, dn, file, id);
		free(id);
		free(dn);
	}
	return p->tenants_gone.n > 0 ? GUARD_TENANT : 0;
}

unsigned
guard_plan(const struct plan *p, const struct entries *current,
    const struct policy *pol, const struct guard_opts *o, FILE *err)
{
	size_t		 i, people = 0, managed = 0, limit, changes;
	unsigned	 refused;

	for (i = 0; i < current->v.n; i++) {
		const struct entry	*e = current->v.v[i];

		if (!entry_managed(e))
			continue;
		managed++;
		people += e->kind == ENTRY_PERSON;
	}
	refused = guard_tenants(p, o->file, err);
	limit = guard_removal_limit(pol, people);
	if (p->nremovals > limit && !o->allow_mass_removal) {
		fprintf(err, "mutualize: this plan disables or deletes %zu people, "
		    "more than max_removals allows (%zu of %zu).\nmutualize: if that "
		    "is meant, run again with --allow-mass-removal\n", p->nremovals,
		    limit, people);
		refused |= GUARD_REMOVALS;
	}
	changes = p->nmodify + p->nrename + p->ndisable + p->ndelete;
	if (managed >= GUARD_MIN_MANAGED && changes * 2 > managed &&
	    !o->allow_mass_change) {
		fprintf(err, "mutualize: this plan changes %zu of the %zu entries "
		    "mutualize manages, more than half: the sign of a broken file "
		    "or template.\nmutualize: if that is meant, run again with "
		    "--allow-mass-change\n", changes, managed);
		refused |= GUARD_CHANGES;
	}
	if (refused)
		fprintf(err, "mutualize: the plan is refused; nothing was "
		    "written.\n");
	return refused;
}

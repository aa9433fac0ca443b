/*
 * People who left the file: disabled (stamped, locked) and kept, or deleted
 * when the policy says so or --prune finds them disabled long enough. Their
 * groups drop them by the groups' own changes, not here.
 */
#include <string.h>

#include "mutualize.h"
#include "differ.h"

/* Whether a person no longer in the file is deleted now, not kept disabled. */
int
leaver_deleted(const struct differ *d, const struct entry *have)
{
	const struct attr	*stamp = entry_attr(have, "mutualizeDisabled");

	return d->o->on_departure == DEPART_DELETE || (stamp != NULL &&
	    stamp->nvals > 0 && d->o->prune && d->o->prune_before != NULL &&
	    strcmp(stamp->vals[0], d->o->prune_before) < 0);
}

/* A person no longer in the file: disabled, kept, pruned or deleted. */
void
depart(struct differ *d, const struct entry *have)
{
	struct plan		*p = d->p;
	const struct attr	*stamp = entry_attr(have, "mutualizeDisabled");
	struct ptrvec		 mods = { 0 };

	if (leaver_deleted(d, have)) {
		plan_push(p, CHANGE_DELETE, have)->why =
		    d->o->on_departure == DEPART_DELETE ? WHY_DEPART : WHY_PRUNE;
		p->ndelete++;
		p->nremovals++;
		return;
	}
	if (stamp != NULL && stamp->nvals > 0)
		return;		/* disabled already */
	mod_push(&p->arena, &mods, MOD_ADD, "mutualizeDisabled",
	    one_value(&p->arena, d->o->now), 1, NULL, 0);
	if (d->o->lock_accounts && !entry_has(have, "pwdAccountLockedTime",
	    LOCKED_FOREVER))
		mod_push(&p->arena, &mods, MOD_ADD, "pwdAccountLockedTime",
		    one_value(&p->arena, LOCKED_FOREVER), 1, NULL, 0);
	plan_push_modify(p, have, have->dn, &mods, WHY_DISABLE);
	p->nmodify--;
	p->ndisable++;
	p->nremovals++;
}

/*
 * People who left the file: disabled (stamped, locked) and kept, or deleted
 * when the policy says so or --prune finds them disabled long enough. People
 * still in the file whose dates keep them out (not started, ended) are
 * disabled the same way, and enabled again once within their dates. Their
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

/* The stamp and the lock of a disabled account, those it lacks. */
static void
disable_mods(const struct differ *d, const struct entry *have,
    struct ptrvec *mods)
{
	struct arena	*ar = &d->p->arena;

	mod_push(ar, mods, MOD_ADD, "mutualizeDisabled",
	    one_value(ar, d->o->now), 1, NULL, 0);
	if (d->o->lock_accounts && !entry_has(have, "pwdAccountLockedTime",
	    LOCKED_FOREVER))
		mod_push(ar, mods, MOD_ADD, "pwdAccountLockedTime",
		    one_value(ar, LOCKED_FOREVER), 1, NULL, 0);
}

/* Whether the account carries the stamp of a disabled one. */
static int
stamped(const struct entry *e)
{
	const struct attr	*stamp = entry_attr(e, "mutualizeDisabled");

	return stamp != NULL && stamp->nvals > 0;
}

/* The person of the file an entry wanted renders, or NULL without a model. */
static const struct person *
want_person(const struct differ *d, const struct entry *want)
{
	const struct attr	*id = entry_attr(want, "employeeNumber");

	if (d->o->model == NULL || id == NULL || id->nvals == 0)
		return NULL;
	return model_person(d->o->model, id->vals[0]);
}

/*
 * Why a person of the file is disabled (render stamped the entry wanted):
 * not started yet or ended, by the model's dates; a plain disable when the
 * model is not at hand.
 */
enum change_why
dated_why(const struct differ *d, const struct entry *want)
{
	const struct person	*p;

	if (!stamped(want))
		return WHY_NONE;
	if ((p = want_person(d, want)) == NULL)
		return WHY_DISABLE;
	return person_period(p, d->o->model->today) == PERIOD_BEFORE ?
	    WHY_NOT_STARTED : WHY_ENDED;
}

/*
 * Why a disabled account is enabled: its person started, when the stamp is
 * not after the midnight valid_from starts at (an account made before its
 * first day is stamped with the midnight of the day it was made), else is
 * back in the file or within their dates again.
 */
static enum change_why
enable_why(const struct differ *d, const struct entry *want,
    const struct entry *have)
{
	const struct person	*p = want_person(d, want);
	const struct attr	*stamp = entry_attr(have, "mutualizeDisabled");
	char			 from[16];

	if (p == NULL || p->valid_from == DATE_NONE)
		return WHY_ENABLE;
	date_gentime(p->valid_from, from);
	return strcmp(stamp->vals[0], from) <= 0 ? WHY_STARTED : WHY_ENABLE;
}

/*
 * A person of the file disabled or enabled by their dates: the mods, and
 * the change's why (WHY_NONE when the account is as it should be).
 */
enum change_why
dated_mods(struct differ *d, const struct entry *want,
    const struct entry *have, struct ptrvec *mods)
{
	struct arena	*ar = &d->p->arena;

	if (stamped(want)) {
		if (stamped(have))
			return WHY_NONE;	/* disabled already */
		disable_mods(d, have, mods);
		return dated_why(d, want);
	}
	if (!stamped(have))
		return WHY_NONE;
	mod_push(ar, mods, MOD_DELETE, "mutualizeDisabled",
	    entry_attr(have, "mutualizeDisabled")->vals, 1, NULL, 0);
	if (entry_has(have, "pwdAccountLockedTime", LOCKED_FOREVER))
		mod_push(ar, mods, MOD_DELETE, "pwdAccountLockedTime",
		    one_value(ar, LOCKED_FOREVER), 1, NULL, 0);
	return enable_why(d, want, have);
}

/* A person no longer in the file: disabled, kept, pruned or deleted. */
void
depart(struct differ *d, const struct entry *have)
{
	struct plan		*p = d->p;
	struct ptrvec		 mods = { 0 };

	if (leaver_deleted(d, have)) {
		plan_push(p, CHANGE_DELETE, have)->why =
		    d->o->on_departure == DEPART_DELETE ? WHY_DEPART : WHY_PRUNE;
		p->ndelete++;
		p->nremovals++;
		return;
	}
	if (stamped(have))
		return;		/* disabled already */
	disable_mods(d, have, &mods);
	plan_push_modify(p, have, have->dn, &mods, WHY_DISABLE);
	p->nmodify--;
	p->ndisable++;
	p->nremovals++;
}

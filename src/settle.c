/*
 * What a batch's answers mean, change by change: each result in the journal
 * with its undo record kept or dropped, a new account's line in the
 * credentials file marked when the account was not made with it (or may have
 * been, by a server that did not answer), what landed counted and said.
 */
#include <stdlib.h>

#include "mutualize.h"
#include "apply.h"

/*
 * The result of a change, in the journal; a new account's line marked, with
 * why, if the account was not made with it.
 */
static void
record_why(struct apply *a, size_t i, const char *result,
    enum undo_state state, const char *why)
{
	const struct change	*ch = &a->p->v[i];
	struct slot		*s = &a->slots[i - a->from];

	s->settled = 1;
	if (a->o->journal != NULL && a->intended)
		journal_result(a->o->journal, s->undo, ch, result, state);
	if (!a->pw[i - a->from].wanted || a->o->credentials == NULL)
		return;
	if (state == UNDO_DROPPED)
		credentials_unmade(a->o->credentials, ch->entry, why);
	else if (state == UNDO_UNCERTAIN)
		credentials_unknown(a->o->credentials, ch->entry);
}

static void
record(struct apply *a, size_t i, const char *result, enum undo_state state)
{
	record_why(a, i, result, state, result);
}

static void
landed(struct apply *a, size_t i)
{
	const struct change	*ch = &a->p->v[i];
	const struct initial	*pw = &a->pw[i - a->from];
	char			*dn;

	record(a, i, "ok", UNDO_DONE);
	if (a->o->fate != NULL)
		a->o->fate[i] = APPLY_MADE;
	if (pw->wanted && a->res->passwords != NULL)
		a->res->passwords[i] = xstrdup(pw->password);
	if (a->o->verbose) {
		dn = text_escape(ch->dn);
		msg_warn("%s %s", change_op_name(ch->op), dn);
		free(dn);
	}
	a->res->done++;
}

static void
refuse(struct apply *a, size_t i)
{
	const struct change	*ch = &a->p->v[i];
	char			*dn = text_escape(ch->dn);

	/* the entry changed since the plan was reviewed: not this one */
	record(a, i, ldap_err2string(LDAP_ASSERTION_FAILED), UNDO_DROPPED);
	msg_warn("refused: %s changed on the server since the plan was made", dn);
	free(dn);
	a->refused[i] = 1;
	a->res->refused++;
}

/*
 * A change whose work the directory holds already: not made by this apply,
 * so its undo record is dropped (taking it back would undo another's work),
 * and a new account's password, unused, is marked so in the credentials file.
 */
static void
found(struct apply *a, size_t i)
{
	const struct change	*ch = &a->p->v[i];
	char			*dn = text_escape(ch->dn);

	record_why(a, i, "already done", UNDO_DROPPED, "it exists already, "
	    "with a password of its own; this one is unused");
	msg_warn("%s \"%s\": already done (%s): the directory holds what it "
	    "wanted", change_op_name(ch->op), dn,
	    ldap_err2string(a->slots[i - a->from].rc));
	free(dn);
	if (a->o->fate != NULL)
		a->o->fate[i] = APPLY_FOUND;
	a->found[i] = 1;
	a->res->already++;
}

/*
 * The changes of a settled batch that neither landed nor failed: not sent,
 * rolled back, or sent on a connection that went before the answer, which
 * the server may have made: the commit of a transaction, or a change outside
 * one.
 */
void
apply_unsettled(struct apply *a)
{
	struct slot	*s;
	size_t		 i;
	int		 maybe;

	for (i = a->from; i < a->to; i++) {
		s = &a->slots[i - a->from];
		if (s->settled || a->refused[i] || a->found[i])
			continue;
		maybe = a->lost && (a->txn ? a->ending : s->state == SLOT_SENT);
		if (maybe)
			record(a, i, "unknown: the connection went before the "
			    "answer", UNDO_UNCERTAIN);
		else
			record(a, i, s->state == SLOT_IDLE && !a->txn ? "not sent" :
			    "not made", UNDO_DROPPED);
	}
}

/*
 * What the batch's answers mean, in the plan's order. Returns 1 when the
 * batch is to be sent again without the changes that were refused, 0 when it
 * is settled, -1 on an error.
 */
int
apply_settle(struct apply *a, int ret)
{
	const struct change	*ch;
	struct slot		*s;
	size_t			 i;
	int			 again = 0;

	for (i = a->from; i < a->to; i++) {
		s = &a->slots[i - a->from];
		ch = &a->p->v[i];
		if (s->state == SLOT_REFUSED || s->state == SLOT_FOUND) {
			if (s->state == SLOT_REFUSED)
				refuse(a, i);
			else
				found(a, i);
			/* a transaction rolled back: again without it */
			again = a->txn;
		} else if (s->state == SLOT_OK && (!a->txn || ret == 0))
			landed(a, i);
		else if (s->state == SLOT_FAILED) {
			record(a, i, ldap_err2string(s->rc), UNDO_DROPPED);
			conn_perror(a->c, change_op_name(ch->op), ch->dn, s->rc,
			    s->matched, s->diag);
			if (a->res->failed == a->p->n)
				a->res->failed = i;
		}
	}
	if (again && a->res->failed == a->p->n && !a->lost)
		return 1;
	apply_unsettled(a);
	return ret == 0 && a->nfailed == 0 ? 0 : -1;
}


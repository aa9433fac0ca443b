/*
 * How an apply cuts a plan into batches and where, within a batch, it waits
 * for the answers before sending more: decisions on a plan alone, without a
 * server, so that each rule can be tried on a plan made by hand.
 *
 * The plan's order groups changes of one kind, which never depend on each
 * other (adds and deletes of one depth, modifications): those are pipelined.
 * Wherever a change may depend on one before it, the apply first waits for
 * every answer (or, in a transaction, for every change to be queued).
 */
#include "mutualize.h"

/*
 * slapd 2.5's memberof overlay fails the delete of a group inside a
 * transaction (error 80), and a rename inside one has been seen to crash it:
 * both go outside, in batches of their own; they are few, and the plan puts
 * them together.
 */
int
batch_txn_able(const struct change *ch)
{
	return ch->op != CHANGE_DELETE && ch->op != CHANGE_MODRDN;
}

size_t
batch_end(const struct plan *p, size_t from, size_t size, int txn)
{
	size_t	i, to = from + size < p->n ? from + size : p->n;

	for (i = from + 1; txn && i < to; i++)
		if (batch_txn_able(&p->v[i]) != batch_txn_able(&p->v[from]))
			return i;
	return to;
}

size_t
batch_count(const struct plan *p, size_t size, int txn)
{
	size_t	from, n = 0;

	for (from = 0; from < p->n; from = batch_end(p, from, size, txn))
		n++;
	return n;
}

/*
 * Renames go one by one: one may free the name that the next takes. Adds go
 * parents first (a new depth waits), people before the groups that list them
 * (a new kind waits), and groups one by one, so that each member's memberOf
 * is written in the plan's order. Deletes go children first.
 */
int
batch_barrier(const struct plan *p, size_t i)
{
	const struct change	*a = &p->v[i - 1], *b = &p->v[i];

	if (a->op != b->op || b->op == CHANGE_MODRDN || b->waits)
		return 1;
	if (b->op == CHANGE_ADD)
		return a->entry->kind != b->entry->kind ||
		    b->entry->kind == ENTRY_GROUP ||
		    b->entry->kind == ENTRY_SERVICE ||
		    a->entry->depth != b->entry->depth;
	if (b->op == CHANGE_DELETE)
		return a->entry->depth != b->entry->depth;
	return 0;
}

int
change_wants_password(const struct change *ch)
{
	return ch->op == CHANGE_ADD && ch->entry->kind == ENTRY_PERSON;
}

int
plan_wants_passwords(const struct plan *p)
{
	size_t	i;

	for (i = 0; i < p->n; i++)
		if (change_wants_password(&p->v[i]))
			return 1;
	return 0;
}

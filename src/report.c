/*
 * What an apply that stops early says of its batches: which landed, which
 * went partly or not at all, which changes were never sent, so that the admin
 * knows what the directory holds without reading it.
 */
#include "mutualize.h"

void
report_failed(const struct batch_pos *b, int uncertain)
{
	if (b->batch == 2)
		msg_warn("batch 1 of %zu landed (changes 1 to %zu)",
		    b->nbatches, b->from);
	else if (b->batch > 2)
		msg_warn("batches 1 to %zu of %zu landed (changes 1 to %zu)",
		    b->batch - 1, b->nbatches, b->from);
	if (!b->txn)
		msg_warn("batch %zu (changes %zu to %zu) went outside a "
		    "transaction: what the server took before the error stays",
		    b->batch, b->from + 1, b->to);
	else if (uncertain)
		msg_warn("batch %zu (changes %zu to %zu) either landed whole or "
		    "not at all: the connection went before the server said "
		    "which", b->batch, b->from + 1, b->to);
	else
		msg_warn("batch %zu (changes %zu to %zu) was rolled back: nothing "
		    "of it was written\nslapd 2.5 can damage its database in "
		    "rolling a transaction back: check it with slapcat before "
		    "writing again", b->batch, b->from + 1, b->to);
	if (b->to < b->n)
		msg_warn("changes %zu to %zu were not sent", b->to + 1, b->n);
}

void
report_landed(const struct batch_pos *b, size_t upto)
{
	/* the batch itself, when it landed before the stop */
	size_t	last = upto == b->to ? b->batch : b->batch - 1;

	if (last == 1)
		msg_warn("batch 1 of %zu landed (changes 1 to %zu)",
		    b->nbatches, upto);
	else if (last > 1)
		msg_warn("batches 1 to %zu of %zu landed (changes 1 to %zu)",
		    last, b->nbatches, upto);
	if (upto < b->n)
		msg_warn("changes %zu to %zu were not sent", upto + 1, b->n);
}

/*
 * The apply's state, shared by apply.c, which sends the batches, batch by
 * batch or a batch as one transaction, and settle.c, which settles their
 * answers; a header of its own
 * so that it stays out of mutualize.h, which files that do not speak LDAP
 * include.
 */
#ifndef MUTUALIZE_APPLY_H
#define MUTUALIZE_APPLY_H

#include "conn.h"

/* SLOT_FOUND: failed, yet the directory holds what the change wanted. */
enum slot_state {
	SLOT_IDLE, SLOT_SENT, SLOT_OK, SLOT_FAILED, SLOT_REFUSED, SLOT_FOUND
};

/* One change of the batch: what was sent and what came back. */
struct slot {
	enum slot_state		 state;
	int			 rc;		/* the server's result */
	char			*matched;	/* its matched DN, or NULL */
	char			*diag;		/* its diagnostic, or NULL */
	const struct entry	*gone;		/* a delete's entry, for undo */
	size_t			 undo;		/* its journal record */
	int			 settled;	/* its result is journaled */
};

/* One apply: the plan, where it stands, and the batch on the wire. */
struct apply {
	struct conn		*c;
	const struct plan	*p;
	const struct apply_opts	*o;
	struct apply_result	*res;
	struct entries		 before;	/* what deletes removed */
	char			*refused;	/* per change of the plan */
	char			*found;		/* per change: done already */
	int			 server_txn;	/* the server has transactions */
	int			 txn;		/* this batch is one */
	struct berval		 txnid;
	size_t			 from, to;	/* the batch: changes [from, to) */
	size_t			 batch, nbatches;	/* its number, from 1 */
	struct slot		*slots;		/* [i - from] */
	int			*msgids;	/* in the order sent, ascending */
	size_t			*sent;		/* the change of each msgid */
	size_t			 nsent, outstanding;
	size_t			 nfailed;	/* answers that fail the batch */
	int			 lost;		/* the connection went */
	int			 ending;	/* ... once the commit was sent */
	/*
	 * New people's passwords: the batch's in pw, the next one's made
	 * meanwhile by the pool in the other buffer.
	 */
	struct initial		*pws[2], *pw;	/* [i - from] */
	int			 cur;		/* pw is pws[cur] */
	struct hashpool		*pool;		/* or NULL: none to make */
	size_t			 size;		/* changes a batch, at most */
	int			 intended;	/* the batch is in the journal */
	int			 landed;	/* ... and was answered in full */
	struct progress		*progress;	/* or NULL */
};

/* The change a message answers; NULL when none of the batch. */
struct slot	*apply_slot_of(struct apply *, int msgid);
/* What the server said of a change. */
void		 apply_answer(struct apply *, struct slot *, int rc);
/*
 * Sends the changes of the batch and reads every answer; a failure stops the
 * sending. Returns 0, or -1 when the connection went.
 */
int		 apply_send_batch(struct apply *);
/*
 * One batch as one transaction: queued, then committed, or abandoned
 * when a change was refused on the way. Returns 0, or -1 with the slots
 * saying why.
 */
int		 txn_batch(struct apply *);

/*
 * settle.c: what the batch's answers mean. The changes that neither landed
 * nor failed: not sent, rolled back, or without an answer.
 */
void		 apply_unsettled(struct apply *);
/*
 * Returns 1 when the batch is to be sent again without the changes that
 * were refused, 0 when it is settled, -1 on an error.
 */
int		 apply_settle(struct apply *, int ret);

#endif

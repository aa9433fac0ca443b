/*
 * Carrying out a plan through LDAP, in the plan's order, batch by batch. A
 * batch's changes are pipelined, with a pause wherever a change may depend on
 * those before it (a parent before its children, people before the groups
 * that list them): batch.c decides where, on the plan alone. Only when asked,
 * and when the server offers transactions (RFC 5805), is each batch one
 * (below). The first error stops the apply, which then says which batches
 * landed (report.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mutualize.h"
#include "apply.h"

static int
ldap_op(enum mod_op op)
{
	switch (op) {
	case MOD_ADD:
		return LDAP_MOD_ADD;
	case MOD_DELETE:
		return LDAP_MOD_DELETE;
	default:
		return LDAP_MOD_REPLACE;
	}
}

/* Requests on the wire before the answers are read: both sides keep moving. */
#define WINDOW		64

/*
 * Sends one change without waiting for its answer; ctrls are the
 * transaction's and the change's assertion. Returns libldap's code.
 */
static int
send_change(struct apply *a, size_t i, LDAPControl **ctrls, int *msgid)
{
	const struct change	*ch = &a->p->v[i];
	const struct entry	*e = ch->entry;
	const struct initial	*pw = &a->pw[i - a->from];
	const char		*hash[1];
	LDAPMod			**mods;
	size_t			  k;
	int			  rc;

	switch (ch->op) {
	case CHANGE_ADD:
		mods = mods_new(e->nattrs + 1);
		for (k = 0; k < e->nattrs; k++)
			mods[k] = mod_new(LDAP_MOD_ADD, e->attrs[k].name,
			    e->attrs[k].vals, e->attrs[k].nvals);
		/* made, and in the credentials file, before the add is sent */
		if (pw->wanted && pw->hash != NULL)
			hash[0] = pw->hash;
		/* an account's: its password file was written first */
		else if (a->o->account_hashes != NULL)
			hash[0] = a->o->account_hashes[i];
		else
			hash[0] = NULL;
		if (hash[0] != NULL)
			mods[k] = mod_new(LDAP_MOD_ADD, "userPassword", hash, 1);
		rc = ldap_add_ext(a->c->ld, e->dn, mods, ctrls, NULL, msgid);
		free_mods(mods);
		return rc;
	case CHANGE_MODIFY:
		mods = mods_new(ch->nmods);
		for (k = 0; k < ch->nmods; k++)
			mods[k] = mod_new(ldap_op(ch->mods[k].op), ch->mods[k].attr,
			    ch->mods[k].vals, ch->mods[k].nvals);
		rc = ldap_modify_ext(a->c->ld, ch->dn, mods, ctrls, NULL, msgid);
		free_mods(mods);
		return rc;
	case CHANGE_MODRDN:
		return ldap_rename(a->c->ld, ch->dn, ch->newrdn, ch->newsuperior,
		    !ch->keep_old_rdn, ctrls, NULL, msgid);
	default:
		return ldap_delete_ext(a->c->ld, ch->dn, ctrls, NULL, msgid);
	}
}

/* The change a message answers: msgids grow in the order of sending. */
struct slot *
apply_slot_of(struct apply *a, int msgid)
{
	size_t	lo = 0, hi = a->nsent, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (a->msgids[mid] == msgid)
			return &a->slots[a->sent[mid] - a->from];
		if (a->msgids[mid] < msgid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * The results that say a change's work may be there already: what another
 * writer, or a failed provider's changes arriving by replication, made
 * between the read and the write.
 */
static int
may_be_done(enum change_op op, int rc)
{
	switch (op) {
	case CHANGE_ADD:
		return rc == LDAP_ALREADY_EXISTS;
	case CHANGE_MODIFY:
		return rc == LDAP_TYPE_OR_VALUE_EXISTS ||
		    rc == LDAP_NO_SUCH_ATTRIBUTE;
	case CHANGE_MODRDN:
		return rc == LDAP_ALREADY_EXISTS || rc == LDAP_NO_SUCH_OBJECT;
	default:
		return rc == LDAP_NO_SUCH_OBJECT;
	}
}

/*
 * Whether the change of slot s, which failed, finds the directory holding
 * what it wanted: read back now (answers still on the wire wait in libldap's
 * queue meanwhile). One found done in the round before and failing again
 * is an error: the directory does not show what it holds.
 */
static int
found_done(struct apply *a, const struct slot *s)
{
	const struct change	*ch = &a->p->v[a->from + (size_t)(s - a->slots)];
	const struct hmap	*before = a->o->found_before;
	struct entries		 now;
	struct found		 f = { NULL, 0, NULL };
	int			 rc, done = 0;

	if (!may_be_done(ch->op, s->rc) || (before != NULL &&
	    hmap_get(before, already_key(&a->before.arena, ch)) != NULL))
		return 0;
	entries_init(&now);
	rc = lookup_now(a->c, &now, ch->dn, &f.at);
	f.at_absent = rc == 0;
	if (rc != -1 && (ch->op != CHANGE_MODRDN ||
	    lookup_now(a->c, &now, ch->newdn, &f.at_new) != -1))
		done = already_done(ch, &f);
	entries_free(&now);
	return done;
}

/*
 * What the server said of a change. A refusal by its assertion, or a change
 * found done already, fails the batch too when the batch is a transaction.
 */
void
apply_answer(struct apply *a, struct slot *s, int rc)
{
	s->rc = rc;
	s->state = rc == LDAP_SUCCESS ? SLOT_OK :
	    rc == LDAP_ASSERTION_FAILED ? SLOT_REFUSED : SLOT_FAILED;
	if (s->state == SLOT_FAILED && found_done(a, s))
		s->state = SLOT_FOUND;
	a->nfailed += s->state == SLOT_FAILED || (a->txn &&
	    (s->state == SLOT_REFUSED || s->state == SLOT_FOUND));
}

/* Reads one answer into its change. Returns 0, or -1 when the connection went. */
static int
take_answer(struct apply *a)
{
	LDAPMessage	*msg;
	struct slot	*s;
	int		 rc, err;

	if ((rc = conn_result(a->c, LDAP_RES_ANY, LDAP_MSG_ONE, &msg)) !=
	    LDAP_SUCCESS) {
		conn_perror(a->c, "read the answers of", a->p->v[a->from].dn, rc,
		    NULL, NULL);
		a->lost = 1;
		return -1;
	}
	if ((s = apply_slot_of(a, ldap_msgid(msg))) == NULL ||
	    s->state != SLOT_SENT) {
		ldap_msgfree(msg);
		return 0;
	}
	a->outstanding--;
	rc = ldap_parse_result(a->c->ld, msg, &err, &s->matched, &s->diag, NULL,
	    NULL, 1);
	apply_answer(a, s, rc != LDAP_SUCCESS ? rc : err);
	progress_step(a->progress, a->from + a->nsent - a->outstanding);
	return 0;
}

static int
drain(struct apply *a)
{
	while (a->outstanding > 0)
		if (take_answer(a) == -1)
			return -1;
	return 0;
}

static int
send_one(struct apply *a, size_t i)
{
	const struct change	*ch = &a->p->v[i];
	struct berval		 empty = { 0, "" };
	LDAPControl		 spec = { LDAP_CONTROL_TXN_SPEC, empty, 1 };
	LDAPControl		*ctrls[3] = { NULL, NULL, NULL }, *assertion = NULL;
	size_t			 n = 0;
	int			 rc, msgid;

	if (a->txn)
		ctrls[n++] = &spec;
	if (a->o->assert && ch->assertion != NULL &&
	    ldap_create_assertion_control(a->c->ld, (char *)ch->assertion, 1,
	    &assertion) == LDAP_SUCCESS)
		ctrls[n++] = assertion;
	rc = send_change(a, i, n > 0 ? ctrls : NULL, &msgid);
	ldap_control_free(assertion);
	if (rc != LDAP_SUCCESS) {
		conn_perror(a->c, change_op_name(ch->op), ch->dn, rc, NULL, NULL);
		a->lost = 1;
		return -1;
	}
	a->msgids[a->nsent] = msgid;
	a->sent[a->nsent++] = i;
	a->slots[i - a->from].state = SLOT_SENT;
	a->outstanding++;
	return 0;
}

/*
 * Sends the changes of the batch and reads every answer; a failure stops the
 * sending. In a transaction the server only queues the changes, each as its
 * thread comes to it: the order of the queue is kept at each barrier too.
 */
int
apply_send_batch(struct apply *a)
{
	size_t	i;

	a->nsent = a->outstanding = a->nfailed = 0;
	for (i = a->from; i < a->to; i++) {
		if (a->refused[i] || a->found[i])
			continue;
		if (i > a->from && batch_barrier(a->p, i) &&
		    (drain(a) == -1 || a->nfailed > 0))
			break;
		if (send_one(a, i) == -1)
			break;
		while (a->outstanding >= WINDOW && !a->lost)
			take_answer(a);
		if (a->lost || a->nfailed > 0)
			break;
	}
	if (!a->lost)
		drain(a);
	return a->lost ? -1 : 0;
}

/* The entries the batch deletes, read whole before anything is sent. */
static void
read_gone(struct apply *a)
{
	size_t	i;

	if (a->o->journal == NULL)
		return;
	for (i = a->from; i < a->to; i++)
		if (a->p->v[i].op == CHANGE_DELETE && !a->refused[i] &&
		    !a->found[i])
			a->slots[i - a->from].gone = lookup_entry(a->c,
			    &a->before, a->p->v[i].dn);
}

/* Forgets the answers of a batch that is sent again; keeps what was read. */
static void
slots_clear(struct apply *a, int keep)
{
	struct slot	*s;
	size_t		 i;

	for (i = a->from; i < a->to; i++) {
		s = &a->slots[i - a->from];
		ldap_memfree(s->matched);
		ldap_memfree(s->diag);
		s->matched = s->diag = NULL;
		s->state = SLOT_IDLE;
		s->rc = LDAP_SUCCESS;
		if (!keep) {
			s->gone = NULL;
			s->settled = 0;
		}
	}
}

/*
 * What must not be lost, on disk before the batch is sent: the passwords of
 * its new accounts, then its journal lines and undo records. Returns 0, or
 * -1 after saying why: then nothing of the batch is sent.
 */
static int
write_ahead(struct apply *a)
{
	struct credentials	*cr = a->o->credentials;
	struct journal		*j = a->o->journal;
	size_t			 i, n = 0;

	for (i = a->from; i < a->to; i++) {
		if (!a->pw[i - a->from].wanted)
			continue;
		if (cr == NULL || credentials_add(cr, a->p->v[i].entry,
		    a->pw[i - a->from].password) == -1)
			return -1;
		n++;
	}
	if (n > 0 && credentials_sync(cr) == -1)
		return -1;
	if (j == NULL)
		return 0;
	for (i = a->from; i < a->to; i++)
		a->slots[i - a->from].undo = journal_intent(j, &a->p->v[i],
		    a->slots[i - a->from].gone);
	a->intended = 1;
	return journal_sync(j);
}

/* After a batch: its results on disk too. Returns 0 or -1. */
static int
write_after(struct apply *a)
{
	int	rc = 0;

	if (a->o->credentials != NULL && a->o->credentials->path != NULL &&
	    credentials_sync(a->o->credentials) == -1)
		rc = -1;
	if (a->o->journal != NULL && journal_sync(a->o->journal) == -1)
		rc = -1;
	return rc;
}

/* Which of the changes [from, to) are new people who get a password. */
static void
want_passwords(struct apply *a, struct initial *v, size_t from, size_t to)
{
	size_t	i;

	for (i = from; i < to; i++)
		v[i - from].wanted = a->pool != NULL &&
		    change_wants_password(&a->p->v[i]);
}

/*
 * The passwords of this batch, waited for; a stop signal meanwhile cancels
 * them, for the batch will not be sent. Returns the signal, or 0.
 */
static int
passwords_ready(struct apply *a)
{
	int	sig = 0;

	a->pw = a->pws[a->cur];
	while (!hashpool_wait_for(a->pool, 100))
		if (a->o->stop != NULL && (sig = a->o->stop()) != 0) {
			hashpool_cancel(a->pool);
			hashpool_wait(a->pool);
			return sig;
		}
	return a->o->stop != NULL ? a->o->stop() : 0;
}

/* The next batch's passwords, made by the pool while this one is sent. */
static void
passwords_next(struct apply *a)
{
	size_t	next = a->to, end;

	if (a->pool == NULL || next >= a->p->n)
		return;
	end = batch_end(a->p, next, a->size, a->server_txn);
	want_passwords(a, a->pws[!a->cur], next, end);
	hashpool_start(a->pool, a->pws[!a->cur], end - next);
}

static int
apply_batch(struct apply *a)
{
	int	ret;

	slots_clear(a, 0);
	a->ending = a->intended = a->landed = 0;
	a->nsent = 0;
	/* the last safe point before the batch: a stop sends none of it */
	if ((a->res->stopped = passwords_ready(a)) != 0)
		return -1;
	passwords_next(a);
	read_gone(a);
	if (write_ahead(a) == -1) {
		msg_warn("batch %zu (changes %zu to %zu) was not sent: its "
		    "passwords, journal lines and undo records must be on disk "
		    "first", a->batch, a->from + 1, a->to);
		a->res->unwritten = 1;
		apply_unsettled(a);
		write_after(a);
		return -1;
	}
	while ((ret = apply_settle(a, a->txn ? txn_batch(a) :
	    apply_send_batch(a))) == 1)
		slots_clear(a, 1);
	a->landed = ret == 0;
	if (write_after(a) == -1) {
		a->res->unwritten = 1;
		ret = -1;
	}
	return ret;
}

/*
 * After the batch that stopped the apply: the progress line cleared, then
 * what landed; upto: the changes before it did, or a batch of them failed.
 */
static void
say_stopped(struct apply *a, int failed, size_t upto)
{
	struct batch_pos	 pos = { a->batch, a->nbatches, a->from, a->to,
	    a->p->n, a->txn };

	progress_free(a->progress);
	a->progress = NULL;
	if (failed)
		report_failed(&pos, a->lost && a->ending);
	else
		report_landed(&pos, upto);
}

/* The batches, each apply_batch; a signal stops them between two. */
static int
apply_batches(struct apply *a)
{
	const struct plan	*p = a->p;
	int			 ret = 0;

	for (a->from = 0; a->from < p->n && ret == 0; a->from = a->to) {
		a->to = batch_end(p, a->from, a->size, a->server_txn);
		a->txn = a->server_txn && batch_txn_able(&p->v[a->from]);
		a->batch++;
		if ((ret = apply_batch(a)) == -1 && a->res->stopped)
			say_stopped(a, 0, a->from);
		else if (ret == -1 && a->res->unwritten &&
		    (a->nsent == 0 || a->landed))
			say_stopped(a, 0, a->landed ? a->to : a->from);
		else if (ret == -1)
			say_stopped(a, 1, 0);
		else if (a->o->verbose && a->txn)
			msg_warn("batch %zu of %zu landed", a->batch,
			    a->nbatches);
		slots_clear(a, 0);
		initial_wipe(a->pw, a->size);
		a->cur = !a->cur;
		if (ret == 0 && a->to < p->n && a->o->stop != NULL &&
		    (a->res->stopped = a->o->stop()) != 0) {
			say_stopped(a, 0, a->to);
			ret = -1;
		}
	}
	return ret;
}

int
apply_plan(struct conn *c, const struct plan *p, const struct apply_opts *o,
    struct apply_result *res)
{
	struct apply	 a;
	int		 ret;

	memset(&a, 0, sizeof(a));
	a.c = c;
	a.p = p;
	a.o = o;
	a.res = res;
	a.size = o->batch > 0 ? o->batch : 1;
	res->done = res->refused = res->already = 0;
	res->stopped = res->unwritten = 0;
	res->failed = p->n;
	res->passwords = o->keep_passwords ? xcalloc(p->n ? p->n : 1,
	    sizeof(*res->passwords)) : NULL;
	if (p->n == 0)
		return 0;
	entries_init(&a.before);
	a.refused = xcalloc(p->n, 1);
	a.found = xcalloc(p->n, 1);
	a.slots = xcalloc(a.size, sizeof(*a.slots));
	a.msgids = xcalloc(a.size, sizeof(*a.msgids));
	a.sent = xcalloc(a.size, sizeof(*a.sent));
	a.pws[0] = xcalloc(a.size, sizeof(*a.pws[0]));
	a.pws[1] = xcalloc(a.size, sizeof(*a.pws[1]));
	a.server_txn = o->transactions && lookup_transactions(c);
	a.txnid.bv_val = "";
	/* asked for, yet the admin who runs it from cron may not remember why */
	if (a.server_txn)
		msg_warn("in transactions, which slapd 2.5 can damage its "
		    "database in rolling back (mutualize(1), BUGS)");
	if (o->verbose)
		msg_warn("%zu changes in batches of %zu, %s", p->n, a.size,
		    a.server_txn ? "each one transaction" :
		    "pipelined without transactions");
	a.nbatches = batch_count(p, a.size, a.server_txn);
	/* the first batch's passwords, the one wait that nothing overlaps */
	a.pool = plan_wants_passwords(p) ? hashpool_new(o->scheme) : NULL;
	a.to = batch_end(p, 0, a.size, a.server_txn);
	want_passwords(&a, a.pws[0], 0, a.to);
	hashpool_start(a.pool, a.pws[0], a.to);
	a.progress = progress_new(stderr, "changes", p->n, o->progress);
	ret = apply_batches(&a);
	progress_free(a.progress);
	/* a stopped apply does not hash the batch it will not send */
	hashpool_cancel(a.pool);
	hashpool_free(a.pool);
	initial_wipe(a.pws[0], a.size);
	initial_wipe(a.pws[1], a.size);
	free(a.pws[0]);
	free(a.pws[1]);
	free(a.slots);
	free(a.msgids);
	free(a.sent);
	free(a.refused);
	free(a.found);
	entries_free(&a.before);
	return ret == 0 && res->refused > 0 ? -1 : ret;
}

/*
 * A batch as one RFC 5805 transaction, only when the admin asks for it and
 * the server offers them: one commit for thousands of changes instead of an
 * fsync each. The changes are sent as the others are, each with the
 * transaction's control; the server queues them and makes them at the end.
 */
/*
 * slapd 2.5 has been seen to crash when the end of a transaction follows its
 * last update too closely: the update's thread may still be finishing, on
 * memory the commit then uses. A pause of a few milliseconds a batch, once.
 */
#define TXN_SETTLE_NS	20000000L

/*
 * Ends the transaction. libldap's ldap_txn_end_s misreads the answer's
 * messageID, so the answer is read here. Returns the result code; *failed is
 * the change the server refused, when it says.
 */
static int
txn_end(struct apply *a, int commit, struct slot **failed)
{
	struct timeval	 tv = { (time_t)(a->c->timeout + (a->to - a->from) / 100),
	    0 };
	struct berval	*data = NULL;
	LDAPMessage	*msg = NULL;
	BerElement	*ber;
	ber_int_t	 id;
	ber_len_t	 len;
	int		 msgid, rc, err;

	*failed = NULL;
	if ((rc = ldap_txn_end(a->c->ld, commit, &a->txnid, NULL, NULL,
	    &msgid)) != LDAP_SUCCESS)
		return rc;
	if ((rc = ldap_result(a->c->ld, msgid, LDAP_MSG_ALL, &tv, &msg)) <= 0) {
		ldap_msgfree(msg);
		return rc == 0 ? LDAP_TIMEOUT : LDAP_SERVER_DOWN;
	}
	rc = ldap_parse_extended_result(a->c->ld, msg, NULL, &data, 0);
	if (rc == LDAP_SUCCESS)
		rc = ldap_parse_result(a->c->ld, msg, &err, NULL, NULL, NULL,
		    NULL, 0);
	ldap_msgfree(msg);
	if (data != NULL && (ber = ber_init(data)) != NULL) {
		if (ber_scanf(ber, "{") != LBER_ERROR &&
		    ber_peek_tag(ber, &len) == LBER_INTEGER &&
		    ber_scanf(ber, "i", &id) != LBER_ERROR)
			*failed = apply_slot_of(a, (int)id);
		ber_free(ber, 1);
	}
	ber_bvfree(data);
	return rc != LDAP_SUCCESS ? rc : err;
}

/*
 * One batch as one transaction: queued, then committed, or abandoned when a
 * change was refused on the way. Returns 0, or -1 with the slots saying why.
 */
int
txn_batch(struct apply *a)
{
	struct timespec	 pause = { 0, TXN_SETTLE_NS };
	struct berval	*id = NULL;
	struct slot	*failed;
	size_t		 i;
	int		 rc;

	if ((rc = ldap_txn_start_s(a->c->ld, NULL, NULL, &id)) != LDAP_SUCCESS) {
		conn_perror(a->c, "start a transaction for",
		    a->p->v[a->from].dn, rc, NULL, NULL);
		a->lost = rc == LDAP_SERVER_DOWN || rc == LDAP_TIMEOUT;
		return -1;
	}
	ber_bvfree(id);
	if (apply_send_batch(a) == -1)
		return -1;
	if (a->nsent == 0 || a->nfailed > 0) {
		/* nothing to commit: every change of the batch was refused */
		txn_end(a, 0, &failed);
		return a->nsent == 0 ? 0 : -1;
	}
	nanosleep(&pause, NULL);
	a->ending = 1;
	rc = txn_end(a, 1, &failed);
	if (rc == LDAP_SERVER_DOWN || rc == LDAP_TIMEOUT) {
		conn_perror(a->c, "end the transaction of", a->p->v[a->from].dn,
		    rc, NULL, NULL);
		a->lost = 1;
		return -1;
	}
	if (rc == LDAP_SUCCESS)
		return 0;
	/* rolled back: what was queued did not land */
	for (i = a->from; i < a->to; i++)
		if (a->slots[i - a->from].state == SLOT_OK)
			a->slots[i - a->from].state = SLOT_IDLE;
	if (failed == NULL)
		failed = &a->slots[a->sent[a->nsent - 1] - a->from];
	apply_answer(a, failed, rc);
	return -1;
}

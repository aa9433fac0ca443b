/*
 * A batch as one RFC 5805 transaction, only when the admin asks for it and
 * the server offers them: one commit for thousands of changes instead of an
 * fsync each. The changes are sent as apply.c sends them, each with the
 * transaction's control; the server queues them and makes them at the end.
 */
#include <time.h>

#include "mutualize.h"
#include "apply.h"

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

/*
 * apply_plan against a server made up by the test: libldap's calls are
 * wrapped by the linker (-Wl,--wrap=ldap_add_ext and the others, see the
 * Makefile), so what the server answers, in which order, and when the
 * connection goes are the test's to choose. The LDAP handle given to the
 * apply is the fake server itself.
 */
#include <fcntl.h>

#include "harness.h"
#include "conn.h"

#define PEOPLE	"ou=people,ou=ven,ou=tenants,dc=sitiv,dc=fr"
#define MAXOPS	16

/* One answer the fake server gives: LDAPMessage * points to one. */
struct answer {
	int	msgid;
	int	rc;
};

struct fake {
	const char	*sent[MAXOPS];	/* the DNs sent, msgid i + 1 */
	int		 rc[MAXOPS];	/* the result of msgid i + 1 */
	struct answer	 answers[MAXOPS];
	size_t		 nsent, nanswered;
	int		 answered[MAXOPS];
	int		 lifo;		/* the last sent is answered first */
	int		 lose_at;	/* the connection goes at this msgid */
	int		 lost;
	int		 search_rc;	/* of a read back: 0, no such object */
	size_t		 searched;	/* reads back */
};

int	__wrap_ldap_add_ext(LDAP *, const char *, LDAPMod **, LDAPControl **,
	    LDAPControl **, int *);
int	__wrap_ldap_modify_ext(LDAP *, const char *, LDAPMod **,
	    LDAPControl **, LDAPControl **, int *);
int	__wrap_ldap_delete_ext(LDAP *, const char *, LDAPControl **,
	    LDAPControl **, int *);
int	__wrap_ldap_rename(LDAP *, const char *, const char *, const char *,
	    int, LDAPControl **, LDAPControl **, int *);
int	__wrap_ldap_result(LDAP *, int, int, struct timeval *,
	    LDAPMessage **);
int	__wrap_ldap_msgid(LDAPMessage *);
int	__wrap_ldap_parse_result(LDAP *, LDAPMessage *, int *, char **,
	    char **, char ***, LDAPControl ***, int);
int	__wrap_ldap_msgfree(LDAPMessage *);
int	__wrap_ldap_get_option(LDAP *, int, void *);
int	__wrap_ldap_abandon_ext(LDAP *, int, LDAPControl **, LDAPControl **);
int	__wrap_ldap_search_ext_s(LDAP *, const char *, int, const char *,
	    char **, int, LDAPControl **, LDAPControl **, struct timeval *, int,
	    LDAPMessage **);

static int
fake_send(LDAP *ld, const char *dn, int *msgid)
{
	struct fake	*f = (struct fake *)ld;

	if (f->lost || f->nsent == MAXOPS)
		return LDAP_SERVER_DOWN;
	f->sent[f->nsent++] = dn;
	*msgid = (int)f->nsent;
	return LDAP_SUCCESS;
}

int
__wrap_ldap_add_ext(LDAP *ld, const char *dn, LDAPMod **mods,
    LDAPControl **sctrls, LDAPControl **cctrls, int *msgid)
{
	(void)mods, (void)sctrls, (void)cctrls;
	return fake_send(ld, dn, msgid);
}

int
__wrap_ldap_modify_ext(LDAP *ld, const char *dn, LDAPMod **mods,
    LDAPControl **sctrls, LDAPControl **cctrls, int *msgid)
{
	(void)mods, (void)sctrls, (void)cctrls;
	return fake_send(ld, dn, msgid);
}

int
__wrap_ldap_delete_ext(LDAP *ld, const char *dn, LDAPControl **sctrls,
    LDAPControl **cctrls, int *msgid)
{
	(void)sctrls, (void)cctrls;
	return fake_send(ld, dn, msgid);
}

int
__wrap_ldap_rename(LDAP *ld, const char *dn, const char *newrdn,
    const char *newsup, int del, LDAPControl **sctrls, LDAPControl **cctrls,
    int *msgid)
{
	(void)newrdn, (void)newsup, (void)del, (void)sctrls, (void)cctrls;
	return fake_send(ld, dn, msgid);
}

/* The next answer: of the first (or last) change sent and not answered. */
int
__wrap_ldap_result(LDAP *ld, int msgid, int all, struct timeval *tv,
    LDAPMessage **res)
{
	struct fake	*f = (struct fake *)ld;
	struct answer	*a;
	size_t		 i, pick = MAXOPS;

	(void)msgid, (void)all, (void)tv;
	for (i = 0; i < f->nsent; i++)
		if (!f->answered[i] && (pick == MAXOPS || f->lifo))
			pick = i;
	assert_true(pick < MAXOPS);
	if (f->lose_at == (int)pick + 1)
		f->lost = 1;
	if (f->lost)
		return -1;
	f->answered[pick] = 1;
	a = &f->answers[f->nanswered++];
	a->msgid = (int)pick + 1;
	a->rc = f->rc[pick];
	*res = (LDAPMessage *)a;
	return LDAP_RES_MODIFY;
}

int
__wrap_ldap_msgid(LDAPMessage *msg)
{
	return ((struct answer *)msg)->msgid;
}

int
__wrap_ldap_parse_result(LDAP *ld, LDAPMessage *msg, int *err, char **matched,
    char **diag, char ***referrals, LDAPControl ***ctrls, int freeit)
{
	(void)ld, (void)referrals, (void)ctrls, (void)freeit;
	*err = ((struct answer *)msg)->rc;
	*matched = *diag = NULL;
	return LDAP_SUCCESS;
}

int
__wrap_ldap_msgfree(LDAPMessage *msg)
{
	(void)msg;
	return 0;
}

int
__wrap_ldap_get_option(LDAP *ld, int option, void *out)
{
	(void)ld;
	assert_int_equal(option, LDAP_OPT_RESULT_CODE);
	*(int *)out = LDAP_SERVER_DOWN;
	return LDAP_OPT_SUCCESS;
}

/* A read back after a failure: the entry is not there, or not readable. */
int
__wrap_ldap_search_ext_s(LDAP *ld, const char *base, int scope,
    const char *filter, char **attrs, int attrsonly, LDAPControl **sctrls,
    LDAPControl **cctrls, struct timeval *tv, int limit, LDAPMessage **res)
{
	struct fake	*f = (struct fake *)ld;

	(void)base, (void)scope, (void)filter, (void)attrs, (void)attrsonly;
	(void)sctrls, (void)cctrls, (void)tv, (void)limit;
	f->searched++;
	*res = NULL;
	return f->search_rc != 0 ? f->search_rc : LDAP_NO_SUCH_OBJECT;
}

int
__wrap_ldap_abandon_ext(LDAP *ld, int msgid, LDAPControl **sctrls,
    LDAPControl **cctrls)
{
	(void)ld, (void)msgid, (void)sctrls, (void)cctrls;
	return LDAP_SUCCESS;
}

/* A plan of n changes, all modifies or all adds of people, in es. */
static void
make_plan(struct plan *p, struct entries *es, enum change_op op, size_t n)
{
	struct entry	*e;
	char		 uid[32], *dn;
	size_t		 i;

	memset(p, 0, sizeof(*p));
	p->v = xcalloc(n, sizeof(*p->v));
	p->n = p->cap = n;
	for (i = 0; i < n; i++) {
		snprintf(uid, sizeof(uid), "p%zu", i + 1);
		dn = xasprintf("uid=%s," PEOPLE, uid);
		e = entries_add(es, dn, "ven", ENTRY_PERSON);
		entry_add_value(es, e, "uid", uid);
		p->v[i].op = op;
		p->v[i].entry = e;
		p->v[i].dn = e->dn;
		free(dn);
	}
}

/* Runs the apply with standard error in *err; the caller frees it. */
static int
run_apply(struct fake *f, const struct plan *p, const struct apply_opts *o,
    struct apply_result *res, char **err)
{
	struct conn	 c = { .ld = (LDAP *)f, .uri = "ldap://fake.invalid",
	    .timeout = 1 };
	char		*path = write_temp("", 0);
	int		 fd = open(path, O_WRONLY), saved = dup(2), rc;

	fflush(stderr);
	dup2(fd, 2);
	rc = apply_plan(&c, p, o, res);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	*err = slurp(path);
	unlink(path);
	free(path);
	return rc;
}

static void
contains(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		fail_msg("\"%s\" not in:\n%s", want, text);
}

static void
an_error_on_the_third_change_says_which_and_what_landed(void **state)
{
	struct fake		 f = { .rc = { [2] = LDAP_NO_SUCH_ATTRIBUTE } };
	struct apply_opts	 o = { .scheme = PW_NONE, .batch = 2 };
	struct apply_result	 res;
	struct entries		 es;
	struct plan		 p;
	char			*err;

	(void)state;
	entries_init(&es);
	make_plan(&p, &es, CHANGE_MODIFY, 5);
	assert_int_equal(run_apply(&f, &p, &o, &res, &err), -1);
	assert_int_equal(res.failed, 2);
	/* the 4th was on the wire with the 3rd, outside a transaction */
	assert_int_equal(res.done, 3);
	assert_int_equal(f.nsent, 4);
	contains(err, "mutualize: modify \"uid=p3," PEOPLE "\" on "
	    "ldap://fake.invalid: No such attribute (16)\n");
	contains(err, "mutualize: batch 1 of 3 landed (changes 1 to 2)\n"
	    "mutualize: batch 2 (changes 3 to 4) went outside a transaction: "
	    "what the server took before the error stays\n"
	    "mutualize: changes 5 to 5 were not sent\n");
	assert_null(strstr(err, "uid=p4,"));
	free(err);
	free(p.v);
	entries_free(&es);
}

static void
answers_out_of_order_go_to_their_changes(void **state)
{
	struct fake		 f = { .rc = { [2] = LDAP_NO_SUCH_ATTRIBUTE },
	    .lifo = 1 };
	struct apply_opts	 o = { .scheme = PW_NONE, .batch = 10 };
	struct apply_result	 res;
	struct entries		 es;
	struct plan		 p;
	char			*err;

	(void)state;
	entries_init(&es);
	make_plan(&p, &es, CHANGE_MODIFY, 4);
	assert_int_equal(run_apply(&f, &p, &o, &res, &err), -1);
	/* answered 4, 3, 2, 1: the error is the 3rd change's, not the 2nd's */
	assert_int_equal(f.answers[0].msgid, 4);
	assert_int_equal(res.failed, 2);
	assert_int_equal(res.done, 3);
	contains(err, "mutualize: modify \"uid=p3," PEOPLE "\" on ");
	assert_null(strstr(err, "uid=p2,"));
	free(err);
	free(p.v);
	entries_free(&es);
}

static void
nothing_is_sent_past_a_barrier_after_an_error(void **state)
{
	struct fake		 f = { .rc = { [1] = LDAP_ALREADY_EXISTS } };
	struct apply_opts	 o = { .scheme = PW_NONE, .batch = 10 };
	struct apply_result	 res;
	struct entries		 es;
	struct plan		 p;
	struct entry		*g;
	char			*err;

	(void)state;
	entries_init(&es);
	make_plan(&p, &es, CHANGE_ADD, 3);
	/* people, then the group that lists them: it waits for their answers */
	g = entries_add(&es, "cn=dsi,ou=groups,ou=ven,ou=tenants,dc=sitiv,dc=fr",
	    "ven", ENTRY_GROUP);
	p.v[2].entry = g;
	p.v[2].dn = g->dn;
	assert_int_equal(run_apply(&f, &p, &o, &res, &err), -1);
	assert_int_equal(f.nsent, 2);
	assert_int_equal(res.done, 1);
	assert_int_equal(res.failed, 1);
	assert_null(strstr(err, "cn=dsi"));
	free(err);
	free(p.v);
	entries_free(&es);
}

static void
a_lost_connection_keeps_the_passwords_of_adds_unanswered(void **state)
{
	struct fake		 f = { .lose_at = 2 };
	struct credentials	 cr;
	struct apply_opts	 o = { .credentials = &cr,
	    .scheme = PW_SHA512_CRYPT, .batch = 10, .keep_passwords = 1 };
	struct apply_result	 res;
	struct entries		 es;
	struct plan		 p;
	char			 dir[64], *path, *err, *text;
	size_t			 i;

	(void)state;
	temp_dir(dir, "mutualize-wire");
	path = xasprintf("%s/credentials", dir);
	assert_int_equal(credentials_create(&cr, path), 0);
	entries_init(&es);
	make_plan(&p, &es, CHANGE_ADD, 3);
	assert_int_equal(run_apply(&f, &p, &o, &res, &err), -1);
	assert_int_equal(credentials_close(&cr), 0);
	/* the 1st was answered; the 2nd and 3rd may have been made */
	assert_int_equal(f.nsent, 3);
	assert_int_equal(res.done, 1);
	assert_int_equal(res.failed, 3);
	assert_non_null(res.passwords[0]);
	assert_null(res.passwords[1]);
	contains(err, "mutualize: read the answers of \"uid=p1," PEOPLE "\"");
	text = slurp(path);
	contains(text, "p1\t\t");
	contains(text, "p2\t\t");
	contains(text, "p3\t\t");
	assert_null(strstr(text, "not created"));
	for (i = 0; i < p.n; i++)
		secret_free(res.passwords[i]);
	free(res.passwords);
	free(text);
	free(err);
	free(p.v);
	entries_free(&es);
	remove_tree(dir);
	free(path);
}

static void
a_refused_add_marks_its_password_not_created(void **state)
{
	struct fake		 f = { .rc = { [1] = LDAP_ALREADY_EXISTS } };
	struct credentials	 cr;
	struct apply_opts	 o = { .credentials = &cr,
	    .scheme = PW_SHA512_CRYPT, .batch = 10 };
	struct apply_result	 res;
	struct entries		 es;
	struct plan		 p;
	char			 dir[64], *path, *err, *text;

	(void)state;
	temp_dir(dir, "mutualize-wire");
	path = xasprintf("%s/credentials", dir);
	assert_int_equal(credentials_create(&cr, path), 0);
	entries_init(&es);
	make_plan(&p, &es, CHANGE_ADD, 3);
	assert_int_equal(run_apply(&f, &p, &o, &res, &err), -1);
	assert_int_equal(credentials_close(&cr), 0);
	assert_int_equal(res.failed, 1);
	assert_int_equal(res.done, 2);
	text = slurp(path);
	contains(text, "# not created (Already exists): p2\n");
	assert_null(strstr(text, "(Already exists): p1"));
	assert_null(strstr(text, "(Already exists): p3"));
	free(text);
	free(err);
	free(p.v);
	entries_free(&es);
	remove_tree(dir);
	free(path);
}

/*
 * A delete whose entry is gone already (a failed provider's delete, come by
 * replication): found done, counted apart, the apply goes on; its undo
 * record is dropped, for this apply did not delete it.
 */
static void
a_delete_that_finds_its_entry_gone_is_already_done(void **state)
{
	struct fake		 f = { .rc = { [1] = LDAP_NO_SUCH_OBJECT } };
	unsigned char		 fate[3];
	struct apply_opts	 o = { .scheme = PW_NONE, .batch = 10,
	    .fate = fate };
	struct apply_result	 res;
	struct entries		 es;
	struct plan		 p;
	char			*err;

	(void)state;
	entries_init(&es);
	make_plan(&p, &es, CHANGE_DELETE, 3);
	assert_int_equal(run_apply(&f, &p, &o, &res, &err), 0);
	assert_int_equal(f.nsent, 3);
	assert_int_equal(res.done, 2);
	assert_int_equal(res.already, 1);
	assert_int_equal(fate[0], APPLY_MADE);
	assert_int_equal(fate[1], APPLY_FOUND);
	assert_int_equal(fate[2], APPLY_MADE);
	contains(err, "mutualize: delete \"uid=p2," PEOPLE "\": already done "
	    "(No such object): the directory holds what it wanted\n");
	free(err);
	free(p.v);
	entries_free(&es);
}

/* Unreadable is not absent: the delete stays an error. */
static void
a_delete_whose_entry_cannot_be_read_stays_an_error(void **state)
{
	struct fake		 f = { .rc = { [1] = LDAP_NO_SUCH_OBJECT },
	    .search_rc = LDAP_INSUFFICIENT_ACCESS };
	struct apply_opts	 o = { .scheme = PW_NONE, .batch = 10 };
	struct apply_result	 res;
	struct entries		 es;
	struct plan		 p;
	char			*err;

	(void)state;
	entries_init(&es);
	make_plan(&p, &es, CHANGE_DELETE, 3);
	assert_int_equal(run_apply(&f, &p, &o, &res, &err), -1);
	assert_int_equal(res.failed, 1);
	assert_int_equal(res.already, 0);
	assert_int_equal(f.searched, 1);
	contains(err, "No such object (32)\n");
	free(err);
	free(p.v);
	entries_free(&es);
}

/* Found done in the round before and failing again: an error, not read back. */
static void
a_change_found_done_in_the_round_before_is_an_error(void **state)
{
	struct fake		 f = { .rc = { [1] = LDAP_NO_SUCH_OBJECT } };
	struct apply_opts	 o = { .scheme = PW_NONE, .batch = 10 };
	struct apply_result	 res;
	struct entries		 es;
	struct plan		 p;
	struct arena		 a = { NULL };
	struct hmap		 before;
	const char		*key;
	char			*err;

	(void)state;
	memset(&before, 0, sizeof(before));
	entries_init(&es);
	make_plan(&p, &es, CHANGE_DELETE, 3);
	key = already_key(&a, &p.v[1]);
	hmap_put(&before, key, (void *)key);
	o.found_before = &before;
	assert_int_equal(run_apply(&f, &p, &o, &res, &err), -1);
	assert_int_equal(res.failed, 1);
	assert_int_equal(f.searched, 0);
	free(err);
	free(p.v);
	entries_free(&es);
	hmap_free(&before);
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    an_error_on_the_third_change_says_which_and_what_landed),
		cmocka_unit_test(answers_out_of_order_go_to_their_changes),
		cmocka_unit_test(nothing_is_sent_past_a_barrier_after_an_error),
		cmocka_unit_test(
		    a_lost_connection_keeps_the_passwords_of_adds_unanswered),
		cmocka_unit_test(a_refused_add_marks_its_password_not_created),
		cmocka_unit_test(a_delete_that_finds_its_entry_gone_is_already_done),
		cmocka_unit_test(a_delete_whose_entry_cannot_be_read_stays_an_error),
		cmocka_unit_test(a_change_found_done_in_the_round_before_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

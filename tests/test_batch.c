/*
 * Where an apply cuts its batches and where it waits for answers, on plans
 * made by hand: each rule of batch.c has a test that fails without it. Then
 * what report.c says of the batches of an apply that stops early.
 */
#include <fcntl.h>

#include "harness.h"

/* Entries as the plan's changes point to them: only kind and depth count. */
static const struct entry tenant = { .dn = "ou=ven", .kind = ENTRY_TENANT,
    .depth = 4 };
static const struct entry people = { .dn = "ou=people,ou=ven",
    .kind = ENTRY_PEOPLE, .depth = 5 };
static const struct entry people2 = { .dn = "ou=people,ou=fey",
    .kind = ENTRY_PEOPLE, .depth = 5 };
static const struct entry groups = { .dn = "ou=groups,ou=ven",
    .kind = ENTRY_GROUPS, .depth = 5 };
static const struct entry person = { .dn = "uid=a,ou=people,ou=ven",
    .kind = ENTRY_PERSON, .depth = 6 };
static const struct entry person2 = { .dn = "uid=b,ou=people,ou=ven",
    .kind = ENTRY_PERSON, .depth = 6 };
static const struct entry group = { .dn = "cn=dsi,ou=groups,ou=ven",
    .kind = ENTRY_GROUP, .depth = 6 };
static const struct entry group2 = { .dn = "cn=rh,ou=groups,ou=ven",
    .kind = ENTRY_GROUP, .depth = 6 };
static const struct entry service = { .dn = "cn=mail,ou=services",
    .kind = ENTRY_SERVICE, .depth = 4 };
static const struct entry service2 = { .dn = "cn=files,ou=services",
    .kind = ENTRY_SERVICE, .depth = 4 };
/* entries of one kind at two depths: only the depth tells them apart */
static const struct entry other = { .dn = "ou=x", .kind = ENTRY_OTHER,
    .depth = 4 };
static const struct entry other_child = { .dn = "ou=y,ou=x",
    .kind = ENTRY_OTHER, .depth = 5 };

static struct change
ch(enum change_op op, const struct entry *e)
{
	struct change	c;

	memset(&c, 0, sizeof(c));
	c.op = op;
	c.entry = e;
	c.dn = e->dn;
	return c;
}

/* Whether the second of two changes waits for the answer to the first. */
static int
waits(struct change a, struct change b)
{
	struct change	v[2] = { a, b };
	struct plan	p = { .v = v, .n = 2, .cap = 2 };

	return batch_barrier(&p, 1);
}

static void
adds_of_one_kind_and_depth_are_pipelined(void **state)
{
	(void)state;
	assert_false(waits(ch(CHANGE_ADD, &person), ch(CHANGE_ADD, &person2)));
	assert_false(waits(ch(CHANGE_ADD, &people), ch(CHANGE_ADD, &people2)));
}

static void
modifies_are_pipelined(void **state)
{
	(void)state;
	assert_false(waits(ch(CHANGE_MODIFY, &person),
	    ch(CHANGE_MODIFY, &person2)));
	/* a person then a group: the plan marks the group's change waits */
	assert_false(waits(ch(CHANGE_MODIFY, &person),
	    ch(CHANGE_MODIFY, &group)));
}

static void
deletes_of_one_depth_are_pipelined(void **state)
{
	(void)state;
	assert_false(waits(ch(CHANGE_DELETE, &person), ch(CHANGE_DELETE, &group)));
}

static void
a_child_waits_for_its_parent(void **state)
{
	(void)state;
	/* the same kind: the depth alone says it */
	assert_true(waits(ch(CHANGE_ADD, &other), ch(CHANGE_ADD, &other_child)));
}

static void
a_new_kind_waits_for_the_one_before(void **state)
{
	(void)state;
	/* a group lists the people added before it; same depth */
	assert_true(waits(ch(CHANGE_ADD, &person), ch(CHANGE_ADD, &group)));
	assert_true(waits(ch(CHANGE_ADD, &tenant), ch(CHANGE_ADD, &service)));
	/* neither a group nor a service: the kind alone says it */
	assert_true(waits(ch(CHANGE_ADD, &people), ch(CHANGE_ADD, &groups)));
}

static void
groups_are_added_one_at_a_time(void **state)
{
	(void)state;
	assert_true(waits(ch(CHANGE_ADD, &group), ch(CHANGE_ADD, &group2)));
}

static void
services_are_added_one_at_a_time(void **state)
{
	(void)state;
	assert_true(waits(ch(CHANGE_ADD, &service), ch(CHANGE_ADD, &service2)));
}

static void
renames_go_one_at_a_time(void **state)
{
	(void)state;
	assert_true(waits(ch(CHANGE_MODRDN, &person),
	    ch(CHANGE_MODRDN, &person2)));
}

static void
a_change_marked_waits_waits(void **state)
{
	struct change	b = ch(CHANGE_MODIFY, &group);

	(void)state;
	b.waits = 1;
	assert_true(waits(ch(CHANGE_MODIFY, &person), b));
	b = ch(CHANGE_ADD, &person2);
	b.waits = 1;
	assert_true(waits(ch(CHANGE_ADD, &person), b));
}

static void
a_new_operation_waits(void **state)
{
	(void)state;
	assert_true(waits(ch(CHANGE_ADD, &person), ch(CHANGE_MODIFY, &person2)));
	assert_true(waits(ch(CHANGE_MODIFY, &person), ch(CHANGE_DELETE, &person2)));
}

static void
deletes_go_children_first(void **state)
{
	(void)state;
	assert_true(waits(ch(CHANGE_DELETE, &person), ch(CHANGE_DELETE, &people)));
}

static void
deletes_and_renames_stay_out_of_transactions(void **state)
{
	(void)state;
	assert_true(batch_txn_able(&(struct change){ .op = CHANGE_ADD }));
	assert_true(batch_txn_able(&(struct change){ .op = CHANGE_MODIFY }));
	assert_false(batch_txn_able(&(struct change){ .op = CHANGE_DELETE }));
	assert_false(batch_txn_able(&(struct change){ .op = CHANGE_MODRDN }));
}

/* add add modify delete delete modrdn modify add */
static struct plan
mixed_plan(struct change v[8])
{
	v[0] = ch(CHANGE_ADD, &person);
	v[1] = ch(CHANGE_ADD, &person2);
	v[2] = ch(CHANGE_MODIFY, &group);
	v[3] = ch(CHANGE_DELETE, &person);
	v[4] = ch(CHANGE_DELETE, &person2);
	v[5] = ch(CHANGE_MODRDN, &group2);
	v[6] = ch(CHANGE_MODIFY, &group);
	v[7] = ch(CHANGE_ADD, &person);
	return (struct plan){ .v = v, .n = 8, .cap = 8 };
}

static void
batches_hold_size_changes(void **state)
{
	struct change	v[8];
	struct plan	p = mixed_plan(v);

	(void)state;
	assert_int_equal(batch_end(&p, 0, 3, 0), 3);
	assert_int_equal(batch_end(&p, 3, 3, 0), 6);
	assert_int_equal(batch_end(&p, 6, 3, 0), 8);
	assert_int_equal(batch_count(&p, 3, 0), 3);
	assert_int_equal(batch_count(&p, 100, 0), 1);
	assert_int_equal(batch_count(&p, 1, 0), 8);
}

static void
a_transaction_ends_where_its_kind_of_change_does(void **state)
{
	struct change	v[8];
	struct plan	p = mixed_plan(v);

	(void)state;
	assert_int_equal(batch_end(&p, 0, 100, 1), 3);
	assert_int_equal(batch_end(&p, 3, 100, 1), 6);
	assert_int_equal(batch_end(&p, 6, 100, 1), 8);
	assert_int_equal(batch_end(&p, 0, 2, 1), 2);
	assert_int_equal(batch_count(&p, 100, 1), 3);
	assert_int_equal(batch_count(&p, 2, 1), 5);
}

static void
new_people_and_only_they_get_passwords(void **state)
{
	struct change	v[8];
	struct plan	p = mixed_plan(v);

	(void)state;
	assert_true(change_wants_password(&v[0]));
	assert_false(change_wants_password(&v[3]));
	v[2] = ch(CHANGE_ADD, &group);
	assert_false(change_wants_password(&v[2]));
	assert_true(plan_wants_passwords(&p));
	p.n = 7;
	v[0] = v[1] = ch(CHANGE_ADD, &people);
	assert_false(plan_wants_passwords(&p));
}

/* What report_failed (upto == (size_t)-1) or report_landed say; caller frees. */
static char *
said(const struct batch_pos *b, int uncertain, size_t upto)
{
	char	*path = write_temp("", 0), *text;
	int	 fd = open(path, O_WRONLY), saved = dup(2);

	fflush(stderr);
	dup2(fd, 2);
	if (upto == (size_t)-1)
		report_failed(b, uncertain);
	else
		report_landed(b, upto);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	text = slurp(path);
	unlink(path);
	free(path);
	return text;
}

static void
assert_said(const struct batch_pos *b, int uncertain, size_t upto,
    const char *want)
{
	char	*got = said(b, uncertain, upto);

	assert_string_equal(got, want);
	free(got);
}

static void
a_failed_batch_says_what_landed_before_it(void **state)
{
	struct batch_pos	 b = { .batch = 3, .nbatches = 4, .from = 20,
	    .to = 30, .n = 35 };

	(void)state;
	assert_said(&b, 0, (size_t)-1, "mutualize: batches 1 to 2 of 4 landed "
	    "(changes 1 to 20)\nmutualize: batch 3 (changes 21 to 30) went "
	    "outside a transaction: what the server took before the error "
	    "stays\nmutualize: changes 31 to 35 were not sent\n");
	b.txn = 1;
	assert_said(&b, 1, (size_t)-1, "mutualize: batches 1 to 2 of 4 landed "
	    "(changes 1 to 20)\nmutualize: batch 3 (changes 21 to 30) either "
	    "landed whole or not at all: the connection went before the "
	    "server said which\nmutualize: changes 31 to 35 were not sent\n");
	b.batch = 1;
	b.from = 0;
	b.to = b.n;
	assert_said(&b, 0, (size_t)-1, "mutualize: batch 1 (changes 1 to 35) "
	    "was rolled back: nothing of it was written\nmutualize: slapd 2.5 "
	    "can damage its database in rolling a transaction back: check it "
	    "with slapcat before writing again\n");
}

static void
a_stopped_apply_says_what_landed_and_what_was_not_sent(void **state)
{
	struct batch_pos	 b = { .batch = 2, .nbatches = 3, .from = 10,
	    .to = 20, .n = 25 };

	(void)state;
	/* stopped before batch 2 was sent */
	assert_said(&b, 0, 10, "mutualize: batch 1 of 3 landed (changes 1 to "
	    "10)\nmutualize: changes 11 to 25 were not sent\n");
	/* stopped once batch 2 landed */
	assert_said(&b, 0, 20, "mutualize: batches 1 to 2 of 3 landed (changes "
	    "1 to 20)\nmutualize: changes 21 to 25 were not sent\n");
	b.batch = 1;
	b.from = 0;
	b.to = 10;
	assert_said(&b, 0, 0, "mutualize: changes 1 to 25 were not sent\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(adds_of_one_kind_and_depth_are_pipelined),
		cmocka_unit_test(modifies_are_pipelined),
		cmocka_unit_test(deletes_of_one_depth_are_pipelined),
		cmocka_unit_test(a_child_waits_for_its_parent),
		cmocka_unit_test(a_new_kind_waits_for_the_one_before),
		cmocka_unit_test(groups_are_added_one_at_a_time),
		cmocka_unit_test(services_are_added_one_at_a_time),
		cmocka_unit_test(renames_go_one_at_a_time),
		cmocka_unit_test(a_change_marked_waits_waits),
		cmocka_unit_test(a_new_operation_waits),
		cmocka_unit_test(deletes_go_children_first),
		cmocka_unit_test(deletes_and_renames_stay_out_of_transactions),
		cmocka_unit_test(batches_hold_size_changes),
		cmocka_unit_test(a_transaction_ends_where_its_kind_of_change_does),
		cmocka_unit_test(new_people_and_only_they_get_passwords),
		cmocka_unit_test(a_failed_batch_says_what_landed_before_it),
		cmocka_unit_test(
		    a_stopped_apply_says_what_landed_and_what_was_not_sent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

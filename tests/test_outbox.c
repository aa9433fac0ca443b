/*
 * The outbox on plain files: a call written and read back, what became of
 * it, the backoff, the give-up, the compaction at the close, and a line cut
 * short by a crash.
 */
#include <sys/stat.h>

#include "harness.h"
#include "outbox.h"

static struct outbox_call *
user_call(const char *key, long long now)
{
	struct outbox_call	*c = xcalloc(1, sizeof(*c));

	c->kind = xstrdup("scim-user");
	c->service = xstrdup("files");
	c->method = xstrdup("PUT");
	c->url = xstrdup("http://127.0.0.1:1/scim/v2/Users");
	c->key = xstrdup(key);
	c->what = xstrdup("SCIM files: create or update user \"x\"\n");
	c->body = xstrdup("{\"userName\": \"h\\u00e9l\u00e8ne\"}\n\t");
	c->members = xcalloc(2, sizeof(*c->members));
	c->members[0] = xstrdup("V-1");
	c->members[1] = xstrdup("V-2");
	c->nmembers = 2;
	c->queued = c->next = now;
	return c;
}

static void
a_call_is_written_0600_and_read_back(void **state)
{
	char			 dir[64], *path;
	struct outbox		 ob;
	struct outbox_call	*c;
	struct stat		 st;

	(void)state;
	temp_dir(dir, "mutualize-outbox");
	path = xasprintf("%s/ob", dir);
	assert_int_equal(outbox_open(&ob, path), 0);
	c = outbox_queue(&ob, user_call("V-1", 1000));
	assert_int_equal(strlen(c->id), 32);
	assert_int_equal(outbox_sync(&ob), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	outbox_free(&ob);
	assert_int_equal(outbox_read(&ob, path), 0);
	assert_int_equal(ob.n, 1);
	c = ob.v[0];
	assert_int_equal(c->state, OUTBOX_PENDING);
	assert_string_equal(c->kind, "scim-user");
	assert_string_equal(c->key, "V-1");
	assert_string_equal(c->what, "SCIM files: create or update user \"x\"\n");
	assert_string_equal(c->body,
	    "{\"userName\": \"h\\u00e9l\u00e8ne\"}\n\t");
	assert_int_equal(c->nmembers, 2);
	assert_string_equal(c->members[1], "V-2");
	assert_null(c->to);
	assert_true(c->queued == 1000 && c->next == 1000);
	outbox_free(&ob);
	remove_tree(dir);
	free(path);
}

static void
done_and_failed_are_what_a_call_became(void **state)
{
	char			 dir[64], *path;
	struct outbox		 ob;
	struct outbox_call	*a, *b;

	(void)state;
	temp_dir(dir, "mutualize-outbox");
	path = xasprintf("%s/ob", dir);
	assert_int_equal(outbox_open(&ob, path), 0);
	a = outbox_queue(&ob, user_call("V-1", 1000));
	b = outbox_queue(&ob, user_call("V-2", 1000));
	outbox_done(&ob, a, 1001, NULL);
	outbox_failed(&ob, b, 1002, "couldn't connect");
	assert_int_equal(outbox_sync(&ob), 0);
	outbox_free(&ob);
	assert_int_equal(outbox_read(&ob, path), 0);
	assert_int_equal(ob.n, 2);
	assert_int_equal(ob.v[0]->state, OUTBOX_DONE);
	assert_int_equal(ob.v[1]->state, OUTBOX_PENDING);
	assert_int_equal(ob.v[1]->attempts, 1);
	assert_true(ob.v[1]->next == 1002 + 60);
	assert_string_equal(ob.v[1]->error, "couldn't connect");
	assert_false(outbox_due(ob.v[1], 1061));
	assert_true(outbox_due(ob.v[1], 1062));
	outbox_free(&ob);
	remove_tree(dir);
	free(path);
}

static void
the_backoff_grows_then_stays_at_six_hours(void **state)
{
	(void)state;
	assert_true(outbox_backoff(1) == 60);
	assert_true(outbox_backoff(2) == 300);
	assert_true(outbox_backoff(3) == 1800);
	assert_true(outbox_backoff(4) == 7200);
	assert_true(outbox_backoff(5) == 21600);
	assert_true(outbox_backoff(6) == 21600);
	assert_true(outbox_backoff(1000) == 21600);
}

static void
the_close_keeps_only_pending_calls(void **state)
{
	char			 dir[64], *path;
	char			*text;
	struct outbox		 ob;
	struct outbox_call	*a;
	struct stat		 st;

	(void)state;
	temp_dir(dir, "mutualize-outbox");
	path = xasprintf("%s/ob", dir);
	assert_int_equal(outbox_open(&ob, path), 0);
	a = outbox_queue(&ob, user_call("V-1", 1000));
	outbox_queue(&ob, user_call("V-2", 1000));
	outbox_done(&ob, a, 1001, NULL);
	assert_int_equal(outbox_close(&ob), 0);
	text = slurp(path);
	assert_null(strstr(text, "\"key\": \"V-1\""));
	assert_non_null(strstr(text, "\"key\": \"V-2\""));
	assert_null(strstr(text, "\"done\""));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	free(text);
	/* nothing pending: an empty file, not a growing one */
	assert_int_equal(outbox_open(&ob, path), 0);
	outbox_done(&ob, ob.v[0], 1002, NULL);
	assert_int_equal(outbox_close(&ob), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);
	remove_tree(dir);
	free(path);
}

static void
calls_past_the_give_up_go_to_the_dead_letter_file(void **state)
{
	char			 dir[64], *path;
	struct outbox		 ob;
	struct outbox_summary	 s;
	struct outbox_call	*m;

	(void)state;
	temp_dir(dir, "mutualize-outbox");
	path = xasprintf("%s/ob", dir);
	assert_int_equal(outbox_open(&ob, path), 0);
	outbox_queue(&ob, user_call("V-1", 1000));
	outbox_queue(&ob, user_call("V-2", 1000 + 86400));
	m = outbox_queue(&ob, user_call("V-3", 1000 + 86400));
	free(m->kind);
	m->kind = xstrdup("mail");
	assert_int_equal(outbox_sending(&ob, m, 1000 + 86400), 0);
	/* a day after the first: it alone is past a give-up of one day */
	assert_int_equal(outbox_give_up(&ob, 1000 + 86400, 1), 2);
	assert_int_equal(ob.v[0]->state, OUTBOX_DEAD);
	assert_int_equal(ob.v[1]->state, OUTBOX_PENDING);
	/* the mail whose try has no result: it may have gone */
	assert_int_equal(ob.v[2]->state, OUTBOX_DEAD);
	assert_int_equal(outbox_close(&ob), 0);
	assert_int_equal(outbox_summary_read(path, &s), 0);
	assert_int_equal(s.pending, 1);
	assert_int_equal(s.dead, 2);
	assert_true(s.oldest == 1000 + 86400);
	remove_tree(dir);
	free(path);
}

static void
a_torn_last_line_is_ignored(void **state)
{
	char			 dir[64], *path;
	char			*text, *cut;
	struct outbox		 ob;
	FILE			*fp;

	(void)state;
	temp_dir(dir, "mutualize-outbox");
	path = xasprintf("%s/ob", dir);
	assert_int_equal(outbox_open(&ob, path), 0);
	outbox_queue(&ob, user_call("V-1", 1000));
	outbox_queue(&ob, user_call("V-2", 1000));
	assert_int_equal(outbox_sync(&ob), 0);
	outbox_free(&ob);
	/* the second line cut in its middle, as a crash leaves it */
	text = slurp(path);
	cut = strchr(text, '\n') + 40;
	*cut = '\0';
	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	fclose(fp);
	assert_int_equal(outbox_read(&ob, path), 0);
	assert_int_equal(ob.n, 1);
	assert_int_equal(ob.torn, 1);
	assert_string_equal(ob.v[0]->key, "V-1");
	outbox_free(&ob);
	free(text);
	remove_tree(dir);
	free(path);
}

static void
lines_that_are_not_ours_are_torn_never_a_crash(void **state)
{
	static const char *const bad[] = {
		"", "{", "}", "[]", "{\"type\": \"call\"}",
		"{\"type\": \"call\", \"id\": \"x\", \"kind\": \"mail\"",
		"{\"type\": \"call\", \"id\": \"x\", \"kind\": 3}",
		"{\"type\": \"call\", \"id\": \"x\", \"kind\": \"a\\q\"}",
		"{\"type\": \"call\", \"id\": \"x\", \"kind\": \"\\u00\"}",
		"{\"type\": \"call\", \"id\": \"x\", \"members\": [1]}",
		"{\"type\": \"call\", \"id\": \"x\", \"queued\": -1, "
		    "\"kind\": \"mail\"}",
		"{\"type\": \"call\", \"id\": \"x\", \"kind\": \"m\", "
		    "\"kind\": \"m\"}",
		"{\"type\": \"call\", \"id\": \"x\", \"kind\": \"m\"} x",
		"{\"type\": \"nothing\", \"id\": \"x\"}", NULL
	};
	struct outbox	ob;
	size_t		i;

	(void)state;
	memset(&ob, 0, sizeof(ob));
	assert_int_equal(outbox_line(&ob, "{\"type\": \"call\", \"id\": \"x\", "
	    "\"kind\": \"mail\", \"future\": null}"), 0);
	for (i = 0; bad[i] != NULL; i++)
		assert_int_equal(outbox_line(&ob, bad[i]), -1);
	assert_int_equal(ob.n, 1);
	outbox_free(&ob);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(a_call_is_written_0600_and_read_back),
		cmocka_unit_test(done_and_failed_are_what_a_call_became),
		cmocka_unit_test(the_backoff_grows_then_stays_at_six_hours),
		cmocka_unit_test(the_close_keeps_only_pending_calls),
		cmocka_unit_test(calls_past_the_give_up_go_to_the_dead_letter_file),
		cmocka_unit_test(a_torn_last_line_is_ignored),
		cmocka_unit_test(lines_that_are_not_ours_are_torn_never_a_crash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

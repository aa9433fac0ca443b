/* Helpers shared by the cmocka tests. Tests run from the top of the tree. */
#ifndef MUTUALIZE_TEST_HARNESS_H
#define MUTUALIZE_TEST_HARNESS_H

#include <sys/stat.h>

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "mutualize.h"

#define UNUSED	__attribute__((unused))

/* Writes text to a new temporary file; returns its path, which the caller frees. */
UNUSED static char *
write_temp(const char *text, size_t len)
{
	char	*path = xasprintf("%s/mutualize-test.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	int	 fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

/* Makes a new temporary directory, its path in buf. */
UNUSED static void
temp_dir(char buf[64], const char *name)
{
	snprintf(buf, 64, "/tmp/%s.XXXXXX", name);
	assert_non_null(mkdtemp(buf));
}

/* Writes a file of that mode in dir; returns its path, which the caller frees. */
UNUSED static char *
write_file(const char *dir, const char *name, const char *text, mode_t mode)
{
	char	*path = xasprintf("%s/%s", dir, name);
	FILE	*fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

/* Removes a directory made by temp_dir, with what is in it. */
UNUSED static void
remove_tree(const char *dir)
{
	char	*cmd = xasprintf("rm -rf '%s'", dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
}

/* The values of an attribute of an entry, joined with '|', are want. */
UNUSED static void
assert_attr(const struct entry *e, const char *attr, const char *want)
{
	const struct attr	*a = entry_attr(e, attr);
	char			 got[4096] = "";
	size_t			 i;

	for (i = 0; a != NULL && i < a->nvals; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s",
		    i ? "|" : "", a->vals[i]);
	assert_string_equal(got, want);
}

/* Loads YAML text as a tenants file; the model may be NULL. Errors in d. */
UNUSED static struct model *
load_text(const char *yaml, struct diags *d)
{
	char		*path = write_temp(yaml, strlen(yaml));
	struct model	*m = model_load(path, d);

	if (m != NULL)
		model_check(m, d);
	diag_sort(d);
	unlink(path);
	free(path);
	return m;
}

/* The errors as the program prints them, without the file name. */
UNUSED static char *
diags_text(const struct diags *d)
{
	char	*buf = NULL, *out;
	size_t	 len = 0, i;
	FILE	*fp = open_memstream(&buf, &len);

	for (i = 0; i < d->n; i++)
		fprintf(fp, "%u:%u: %s\n", d->v[i].pos.line, d->v[i].pos.col,
		    d->v[i].msg);
	fclose(fp);
	out = xstrdup(buf ? buf : "");
	free(buf);
	return out;
}

/* Asserts that loading the YAML gives exactly these errors ("LINE:COL: msg\n"...). */
UNUSED static void
assert_errors(const char *yaml, const char *want)
{
	struct diags	 d = { 0 };
	struct model	*m = load_text(yaml, &d);
	char		*got = diags_text(&d);

	assert_string_equal(got, want);
	free(got);
	model_free(m);
	diag_free(&d);
}

/* Returns the whole file; the caller frees it. */
UNUSED static char *
slurp(const char *path)
{
	FILE	*fp = fopen(path, "r");
	char	*buf;
	long	 len;

	if (fp == NULL)
		fail_msg("cannot open %s", path);
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	buf = xmalloc((size_t)len + 1);
	assert_int_equal(fread(buf, 1, (size_t)len, fp), (size_t)len);
	buf[len] = '\0';
	fclose(fp);
	return buf;
}

/*
 * Compares got with the golden file tests/golden/NAME. With
 * MUTUALIZE_UPDATE_GOLDEN=1 it writes got there instead, and the test is
 * skipped rather than passed: a rewritten file proves nothing (review the
 * diff before committing).
 */
UNUSED static void
assert_golden(const char *got, const char *name)
{
	char	*path = xasprintf("tests/golden/%s", name), *want;
	FILE	*fp;

	if (getenv("MUTUALIZE_UPDATE_GOLDEN") != NULL) {
		assert_non_null(fp = fopen(path, "w"));
		fputs(got, fp);
		assert_int_equal(fclose(fp), 0);
		free(path);
		skip();
	}
	want = slurp(path);
	assert_string_equal(got, want);
	free(want);
	free(path);
}

/* Assigns logins and mails; returns the number of errors (printed). */
UNUSED static size_t
identities(struct model *m, const struct entries *current)
{
	struct diags	d = { 0 };
	size_t		n = model_identities(m, current, &d);

	diag_print(&d, stderr);
	diag_free(&d);
	return n;
}

/* The subtrees whose undeclared entries diff deletes. */
UNUSED static const char *const MANAGED[] = {
	"ou=tenants,dc=sitiv,dc=fr", "ou=services,dc=sitiv,dc=fr", NULL
};

/* Options of diff as a plain run makes them, at a fixed time. */
UNUSED static struct diff_opts
diff_opts_default(void)
{
	struct diff_opts	o;

	memset(&o, 0, sizeof(o));
	o.managed = MANAGED;
	o.on_departure = DEPART_DISABLE;
	o.now = "20261128120000Z";
	o.prune_before = "20260830120000Z";
	o.lock_accounts = 1;
	return o;
}

/* tests/data/small.yaml loaded, with empty entry sets and plan to fill. */
struct small {
	struct model	*m;
	struct entries	 desired, current;
	struct plan	 plan;
	struct diff_opts opts;
};

UNUSED static int
small_setup(void **state)
{
	struct small	*f = xcalloc(1, sizeof(*f));
	struct diags	 d = { 0 };

	f->m = model_load("tests/data/small.yaml", &d);
	assert_non_null(f->m);
	assert_int_equal(model_check(f->m, &d), 0);
	entries_init(&f->desired);
	entries_init(&f->current);
	f->opts = diff_opts_default();
	*state = f;
	return 0;
}

/* The same, with logins assigned for an empty directory and desired rendered. */
UNUSED static int
small_setup_rendered(void **state)
{
	struct small	*f;

	small_setup(state);
	f = *state;
	assert_int_equal(identities(f->m, NULL), 0);
	render(f->m, &f->desired);
	return 0;
}

UNUSED static int
small_teardown(void **state)
{
	struct small	*f = *state;

	plan_free(&f->plan);
	entries_free(&f->desired);
	entries_free(&f->current);
	model_free(f->m);
	free(f);
	return 0;
}

/* A strict JSON syntax check (RFC 8259), enough to know a document parses. */
UNUSED static const char *
json_value(const char *p);

UNUSED static const char *
json_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

UNUSED static const char *
json_str(const char *p)
{
	if (*p++ != '"')
		return NULL;
	for (; *p != '"'; p++) {
		if (*p == '\0' || (unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				if (strspn(p + 1, "0123456789abcdefABCDEF") < 4)
					return NULL;
				p += 4;
			} else if (strchr("\"\\/bfnrt", *p) == NULL || *p == '\0')
				return NULL;
		}
	}
	return p + 1;
}

UNUSED static const char *
json_value(const char *p)
{
	p = json_ws(p);
	if (*p == '"')
		return json_str(p);
	if (*p == '{' || *p == '[') {
		char	close = *p == '{' ? '}' : ']';

		p = json_ws(p + 1);
		if (*p == close)
			return p + 1;
		for (;;) {
			if (close == '}') {
				if ((p = json_str(json_ws(p))) == NULL)
					return NULL;
				p = json_ws(p);
				if (*p++ != ':')
					return NULL;
			}
			if ((p = json_value(p)) == NULL)
				return NULL;
			p = json_ws(p);
			if (*p == close)
				return p + 1;
			if (*p++ != ',')
				return NULL;
		}
	}
	if (strncmp(p, "true", 4) == 0 || strncmp(p, "null", 4) == 0)
		return p + 4;
	if (strncmp(p, "false", 5) == 0)
		return p + 5;
	if (*p == '-' || (*p >= '0' && *p <= '9')) {
		p += *p == '-';
		p += strspn(p, "0123456789");
		return p;
	}
	return NULL;
}

/* Whether text is exactly one JSON document. */
UNUSED static int
json_valid(const char *text)
{
	const char	*end = json_value(text);

	return end != NULL && *json_ws(end) == '\0';
}

/* The head of a valid file, for tests that add tenants to it. */
#define YAML_HEAD \
	"version: 1\n" \
	"syndicate: {id: sitiv, name: SITIV, base_dn: \"dc=sitiv,dc=fr\", " \
	"mail_domain: sitiv.fr}\n" \
	"directory: {uri: \"ldap://127.0.0.1:3890\", " \
	"bind_dn: \"cn=admin,dc=sitiv,dc=fr\"}\n"

#endif

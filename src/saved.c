/*
 * Reviewed plans. plan --out writes the plan as LDIF change records, each
 * modify, modrdn and delete with an assertion control on the entry's entryCSN
 * as it was read, after a header with the digest of the input files.
 * apply --plan refuses a plan whose input files changed; otherwise it makes the
 * plan again and applies only the changes that are, record for record, in the
 * reviewed one, each with the assertion saved with it: an entry changed on the
 * server since the review refuses its change, and only that one.
 */
#include <stdlib.h>
#include <string.h>

#include "mutualize.h"

/* A record as compared: no comments, no control lines (nor their folds). */
static char *
record_key(struct arena *a, const char *rec, size_t len, const char **assertion)
{
	char		*out = arena_alloc(a, len + 1), *o = out;
	const char	*p = rec, *end = rec + len, *nl;
	int		 in_control = 0;

	*assertion = NULL;
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (*p == ' ' && in_control)
			continue;
		in_control = strncmp(p, "control:", 8) == 0;
		if (strncmp(p, "# assert: ", 10) == 0)
			*assertion = arena_strndup(a, p + 10, (size_t)(nl - p - 10));
		if (*p == '#' || in_control || p == nl)
			continue;
		memcpy(o, p, (size_t)(nl - p));
		o += nl - p;
		*o++ = '\n';
	}
	*o = '\0';
	return out;
}

int
saved_load(struct saved *s, const char *path, const char *digest)
{
	struct diags	 d = { 0 };
	const char	*p, *rec, *assertion, *now;
	char		*buf, *key, *want;
	size_t		 len, n = 0;

	memset(s, 0, sizeof(*s));
	if ((buf = file_read(path, ylimits_default.max_file, &d, &len)) == NULL) {
		diag_print(&d, stderr);
		diag_free(&d);
		return -1;
	}
	want = xasprintf("\n# inputs: %s\n", digest);
	if (strstr(buf, want) == NULL || (p = strstr(buf, "\nversion: 1\n")) ==
	    NULL) {
		fprintf(stderr, "mutualize: %s was not made from the files as they "
		    "are now: make a new plan and review it\n", path);
		free(want);
		free(buf);
		return -1;
	}
	free(want);
	if ((now = strstr(buf, "\n# now: ")) != NULL && now < p)
		s->now = arena_strndup(&s->arena, now + 8, strcspn(now + 8, "\n"));
	for (p += strlen("\nversion: 1\n"); *p != '\0'; p = *p ? p + 1 : p) {
		while (*p == '\n')
			p++;
		if (*p == '\0')
			break;
		rec = p;
		p = strstr(rec, "\n\n");
		len = p ? (size_t)(p - rec) + 1 : strlen(rec);
		key = record_key(&s->arena, rec, len, &assertion);
		hmap_put(&s->records, key, (void *)(assertion ? assertion : ""));
		n++;
		if (p == NULL)
			break;
	}
	s->n = n;
	free(buf);
	return 0;
}

/*
 * Keeps the changes of the plan that the saved plan has, with their saved
 * assertions; says which it leaves out, and which reviewed ones are no
 * longer to be done. Returns how many it left out either way.
 */
size_t
saved_match(struct saved *s, struct plan *p, const char *path)
{
	unsigned char	*keep = xcalloc(p->n ? p->n : 1, 1);
	struct hmap	 used = { 0 };
	char		*buf = NULL, *key;
	const char	*assertion, *saved;
	size_t		 len = 0, i, left = 0;
	FILE		*fp;

	for (i = 0; i < p->n; i++) {
		fp = open_memstream(&buf, &len);
		ldif_write_change(fp, &p->v[i], NULL, NULL, 0);
		fclose(fp);
		key = record_key(&s->arena, buf, len, &assertion);
		free(buf);
		buf = NULL;
		if ((saved = hmap_get(&s->records, key)) == NULL ||
		    hmap_get(&used, key) != NULL) {
			fprintf(stderr, "mutualize: not in the reviewed plan %s, "
			    "left out: %s\n", path, p->v[i].dn);
			left++;
			continue;
		}
		hmap_put(&used, key, p);
		p->v[i].assertion = *saved ? saved : NULL;
		keep[i] = 1;
	}
	if (used.n < s->n) {
		fprintf(stderr, "mutualize: %zu change%s of the reviewed plan %s "
		    "no longer to be made as reviewed: the directory changed\n",
		    s->n - used.n, s->n - used.n == 1 ? " is" : "s are", path);
		left += s->n - used.n;
	}
	plan_keep(p, keep);
	free(keep);
	hmap_free(&used);
	return left;
}

void
saved_free(struct saved *s)
{
	hmap_free(&s->records);
	arena_free(&s->arena);
}

/*
 * Reviewed plans. plan --out writes the plan as LDIF change records, each
 * modify, modrdn and delete with an assertion control on the entry's entryCSN
 * as it was read, after a header with the digest of the input files.
 * apply --plan refuses a plan whose input files changed; otherwise it makes the
 * plan again and applies only the changes that are, record for record, in the
 * reviewed one, each with the assertion saved with it: an entry changed on the
 * server since the review refuses its change, and only that one.
 *
 * The file ends with the SHA-256 of all that precedes it, and apply --plan
 * refuses a file whose content does not match, or whose change lacks the
 * assertion that its entry, as read now, calls for: a plan edited after the
 * review is not the plan reviewed. The digest is no signature (whoever edits
 * the file can compute it again); the assertions are what a forger cannot
 * take away, for a change whose assertion is gone is refused whole. Groups,
 * and changes after another of the same entry, carry none (plan_ops.c,
 * compare.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "mutualize.h"

#define SEAL	"# sha256: "
#define SEALLEN	(sizeof(SEAL) - 1 + 64 + 1)	/* the line, newline included */

static void
sha256_hex(const char *buf, size_t len, char hex[65])
{
	struct sha256_ctx	ctx;
	uint8_t			digest[SHA256_DIGEST_SIZE];
	size_t			i;

	sha256_init(&ctx);
	sha256_update(&ctx, len, (const uint8_t *)buf);
	sha256_digest(&ctx, sizeof(digest), digest);
	for (i = 0; i < sizeof(digest); i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

/*
 * What a saved plan was made from: the tenants file and its people files,
 * hashed in the order they were read. Each is read again whole.
 */
int
model_digest(const struct model *m, char hex[65])
{
	struct sha256_ctx	 ctx;
	struct diags		 d = { 0 };
	uint8_t			 digest[SHA256_DIGEST_SIZE];
	char			*buf;
	size_t			 i, len;

	sha256_init(&ctx);
	for (i = 0; i <= m->docs.n; i++) {
		const char	*file = i == 0 ? m->file :
		    ((struct ydoc *)m->docs.v[i - 1])->file;

		if ((buf = file_read(file, ylimits_default.max_file, &d, &len)) ==
		    NULL) {
			diag_print(&d, stderr);
			diag_free(&d);
			return -1;
		}
		sha256_update(&ctx, len, (const uint8_t *)buf);
		free(buf);
	}
	sha256_digest(&ctx, sizeof(digest), digest);
	for (i = 0; i < sizeof(digest); i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	return 0;
}

int
saved_seal(FILE *fp, const char *text, size_t len)
{
	char	hex[65];

	sha256_hex(text, len, hex);
	fwrite(text, 1, len, fp);
	fprintf(fp, SEAL "%s\n", hex);
	return fflush(fp) == 0 && !ferror(fp) ? 0 : -1;
}

/* Whether the file ends with the digest of what precedes it. */
static int
sealed(const char *buf, size_t len)
{
	const char	*seal;
	char		 hex[65];

	if (len < SEALLEN)
		return 0;
	seal = buf + len - SEALLEN;
	if ((seal > buf && seal[-1] != '\n') ||
	    strncmp(seal, SEAL, sizeof(SEAL) - 1) != 0 || buf[len - 1] != '\n')
		return 0;
	sha256_hex(buf, (size_t)(seal - buf), hex);
	return strncmp(seal + sizeof(SEAL) - 1, hex, 64) == 0;
}

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

/*
 * The records of a saved plan, from p, one a blank line apart. Whether each
 * change carries the assertion it should is known only once the plan is made
 * again (saved_match): groups carry none.
 */
static int
saved_records(struct saved *s, const char *p)
{
	const char	*rec, *assertion;
	char		*key;
	size_t		 len;

	for (; *p != '\0'; p = *p ? p + 1 : p) {
		while (*p == '\n')
			p++;
		if (*p == '\0')
			break;
		rec = p;
		p = strstr(rec, "\n\n");
		len = p ? (size_t)(p - rec) + 1 : strlen(rec);
		key = record_key(&s->arena, rec, len, &assertion);
		hmap_put(&s->records, key, (void *)(assertion ? assertion : ""));
		s->n++;
		if (p == NULL)
			break;
	}
	return 0;
}

int
saved_load(struct saved *s, const char *path, const char *digest)
{
	struct diags	 d = { 0 };
	const char	*p, *now;
	char		*buf, *want;
	size_t		 len;
	int		 rc;

	memset(s, 0, sizeof(*s));
	if ((buf = file_read(path, ylimits_default.max_file, &d, &len)) == NULL) {
		diag_print(&d, stderr);
		diag_free(&d);
		return -1;
	}
	if (!sealed(buf, len)) {
		msg_warn("%s does not end with the digest of its content: it was "
		    "edited after plan --out wrote it (or made by an older "
		    "mutualize); it is refused, nothing was written", path);
		free(buf);
		return -1;
	}
	buf[len - SEALLEN] = '\0';
	want = xasprintf("\n# inputs: %s\n", digest);
	if (strstr(buf, want) == NULL || (p = strstr(buf, "\nversion: 1\n")) ==
	    NULL) {
		msg_warn("%s was not made from the files as they are now: make "
		    "a new plan and review it", path);
		free(want);
		free(buf);
		return -1;
	}
	free(want);
	if ((now = strstr(buf, "\n# now: ")) != NULL && now < p)
		s->now = arena_strndup(&s->arena, now + 8, strcspn(now + 8, "\n"));
	rc = saved_records(s, p + strlen("\nversion: 1\n"));
	free(buf);
	return rc;
}

/*
 * Keeps the changes of the plan that the saved plan has, with their saved
 * assertions; says which it leaves out, and which reviewed ones are no
 * longer to be done. Returns how many it left out either way.
 */
int
saved_match(struct saved *s, struct plan *p, const char *path, size_t *leftp)
{
	unsigned char	*keep = xcalloc(p->n ? p->n : 1, 1);
	struct hmap	 used = { 0 };
	char		*buf = NULL, *key, *esc;
	const char	*assertion, *saved;
	size_t		 len = 0, i, left = 0, stripped = 0;
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
			esc = text_escape(p->v[i].dn);
			msg_warn("not in the reviewed plan %s, left out: %s",
			    path, esc);
			free(esc);
			left++;
			continue;
		}
		hmap_put(&used, key, p);
		/* the entry has an entryCSN now: the review had one too */
		if (*saved == '\0' && p->v[i].assertion != NULL)
			stripped++;
		p->v[i].assertion = *saved ? saved : NULL;
		keep[i] = 1;
	}
	if (used.n < s->n) {
		msg_warn("%zu change%s of the reviewed plan %s no longer to be "
		    "made as reviewed: the directory changed",
		    s->n - used.n, s->n - used.n == 1 ? " is" : "s are", path);
		left += s->n - used.n;
	}
	if (stripped > 0)
		msg_warn("%zu change%s of the reviewed plan %s lack%s the "
		    "assertion that the entry has not changed since: the plan "
		    "was edited; it is refused, nothing was written",
		    stripped, stripped == 1 ? "" : "s", path,
		    stripped == 1 ? "s" : "");
	plan_keep(p, keep);
	free(keep);
	hmap_free(&used);
	*leftp = left;
	return stripped > 0 ? -1 : 0;
}

void
saved_free(struct saved *s)
{
	hmap_free(&s->records);
	arena_free(&s->arena);
}

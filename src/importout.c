/*
 * What an import writes: the tenants file, in the language load.c reads,
 * every string a double-quoted YAML scalar, and the report of what was left
 * out. Both are sorted, so that two imports of the same directory, over
 * LDAP or from its LDIF, write the same bytes.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"

/* The length of the UTF-8 sequence at s and its code point; 0 if none. */
static size_t
utf8_at(const unsigned char *s, unsigned long *cp)
{
	size_t	n, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, *cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, *cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, *cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (*cp < 0x800 || (*cp >= 0xd800 && *cp <= 0xdfff))) ||
	    (n == 4 && (*cp < 0x10000 || *cp > 0x10ffff)))
		return 0;
	return n;
}

int
import_text_ok(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	unsigned long		 cp;
	size_t			 n;

	for (; *p != '\0'; p += n)
		if ((n = utf8_at(p, &cp)) == 0 || cp < 0x20 ||
		    (cp >= 0x7f && cp <= 0x9f))
			return 0;
	return 1;
}

/*
 * A double-quoted YAML scalar: quote and backslash escaped, and every
 * character YAML does not print (C0, DEL, C1, U+FEFF, U+FFFE, U+FFFF,
 * the line separators) as an escape; bytes that are no UTF-8 as \xNN,
 * which reads back as that character, not that byte (the import says so
 * in its report before it gets here).
 */
void
yaml_quote(FILE *fp, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	unsigned long		 cp;
	size_t			 n;

	putc('"', fp);
	while (*p != '\0') {
		if ((n = utf8_at(p, &cp)) == 0) {
			fprintf(fp, "\\x%02x", *p++);
			continue;
		}
		if (cp == '"' || cp == '\\')
			fprintf(fp, "\\%c", (int)cp);
		else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			fprintf(fp, "\\x%02lx", cp);
		else if (cp == 0x2028 || cp == 0x2029 || cp == 0xfeff ||
		    cp == 0xfffe || cp == 0xffff)
			fprintf(fp, "\\u%04lx", cp);
		else
			fwrite(p, 1, n, fp);
		p += n;
	}
	putc('"', fp);
}

/* A flow list of quoted strings: ["a", "b"]. */
static void
put_list(FILE *fp, const char *indent, const char *key,
    const struct ptrvec *v)
{
	size_t	i;

	if (v->n == 0)
		return;
	fprintf(fp, "%s%s: [", indent, key);
	for (i = 0; i < v->n; i++) {
		if (i > 0)
			fputs(", ", fp);
		yaml_quote(fp, v->v[i]);
	}
	fputs("]\n", fp);
}

static void
put_key(FILE *fp, const char *indent, const char *key, const char *val)
{
	if (val == NULL)
		return;
	fprintf(fp, "%s%s: ", indent, key);
	yaml_quote(fp, val);
	putc('\n', fp);
}

/* A person, an item of a list indented by margin (the tenants file's, or none). */
static void
put_person(FILE *fp, const char *margin, const struct imp_person *p)
{
	char	first[16], rest[16];

	snprintf(first, sizeof(first), "%s- ", margin);
	snprintf(rest, sizeof(rest), "%s  ", margin);
	put_key(fp, first, "id", p->id);
	put_key(fp, rest, "given_name", p->given_name);
	put_key(fp, rest, "surname", p->surname);
	fprintf(fp, "%skind: agent\n", rest);
	put_key(fp, rest, "login", p->login);
	put_key(fp, rest, "mail", p->mail);
	put_list(fp, rest, "aliases", &p->aliases);
	put_list(fp, rest, "groups", &p->groups);
	put_list(fp, rest, "services", &p->services);
}

static void
write_people(FILE *fp, void *arg)
{
	const struct imp_tenant	*t = arg;
	size_t			 i;

	for (i = 0; i < t->people.n; i++)
		put_person(fp, "", t->people.v[i]);
}

/* The people file of tenant i; caller frees. */
static char *
people_path(const struct import *im, const char *output, size_t i)
{
	const struct imp_tenant	*t = im->tenants.v[i];
	char			*dir = path_dir(output), *path;

	path = xasprintf("%s/%s/%s.yaml", dir, im->people_dir, t->id);
	free(dir);
	return path;
}

int
import_people_new(const struct import *im, const char *output)
{
	size_t	 i;
	int	 ret = 0;

	for (i = 0; i < im->tenants.n; i++) {
		char	*path = people_path(im, output, i);

		if (path_check_new(path, "people file") == -1)
			ret = -1;
		free(path);
	}
	return ret;
}

int
import_write_people(const struct import *im, const char *output)
{
	char	*dir = path_dir(output), *sub, *path;
	size_t	 i;
	int	 ret = 0;

	sub = xasprintf("%s/%s", dir, im->people_dir);
	if (mkdir(sub, 0700) == -1 && errno != EEXIST) {
		msg_warn("%s: %s", sub, strerror(errno));
		ret = -1;
	}
	for (i = 0; ret == 0 && i < im->tenants.n; i++) {
		path = people_path(im, output, i);
		if ((ret = file_rewrite(path, 1, write_people,
		    im->tenants.v[i])) == -1)
			msg_warn("%s: cannot write: %s", path, strerror(errno));
		free(path);
	}
	free(sub);
	free(dir);
	return ret;
}

static void
put_tenant(FILE *fp, const struct imp_tenant *t, const char *people_dir)
{
	char	*path;
	size_t	 i;

	put_key(fp, "  - ", "id", t->id);
	put_key(fp, "    ", "name", t->name);
	if (t->groups.n > 0)
		fputs("    groups:\n", fp);
	for (i = 0; i < t->groups.n; i++) {
		const struct imp_group	*g = t->groups.v[i];

		fputs("      - {id: ", fp);
		yaml_quote(fp, g->id);
		fputs(", name: ", fp);
		yaml_quote(fp, g->name);
		fputs("}\n", fp);
	}
	if (people_dir != NULL) {
		path = xasprintf("%s/%s.yaml", people_dir, t->id);
		put_key(fp, "    ", "people_file", path);
		free(path);
		return;
	}
	if (t->people.n > 0)
		fputs("    people:\n", fp);
	for (i = 0; i < t->people.n; i++)
		put_person(fp, "      ", t->people.v[i]);
}

/* The line "tenants: []" of the template, at the left margin: its offset, or -1. */
static long
tenants_line(const char *t, size_t len)
{
	static const char	 want[] = "tenants: []";
	size_t			 off = 0, n;
	const char		*nl;

	while (off < len) {
		nl = memchr(t + off, '\n', len - off);
		n = (nl != NULL ? (size_t)(nl - t) : len) - off;
		while (n > 0 && (t[off + n - 1] == ' ' || t[off + n - 1] == '\r'))
			n--;
		if (n == sizeof(want) - 1 && memcmp(t + off, want, n) == 0)
			return (long)off;
		off = nl != NULL ? (size_t)(nl - t) + 1 : len;
	}
	return -1;
}

int
import_template_ok(const char *t, size_t len)
{
	return tenants_line(t, len) >= 0;
}

int
import_write(FILE *fp, const struct import *im, const char *template,
    size_t len, const char *cmdline)
{
	long		 at = tenants_line(template, len);
	const char	*nl;
	size_t		 i, rest;

	if (at < 0)
		return -1;
	fwrite(template, 1, (size_t)at, fp);
	fprintf(fp, "# Imported by mutualize import from %s, ids from %s: %zu "
	    "people, %zu groups, %zu tenants.\n# Take the entries over with: "
	    "%s\n", im->base, im->id_attr, im->npeople, im->ngroups,
	    im->tenants.n, cmdline);
	fputs(im->tenants.n == 0 ? "tenants: []\n" : "tenants:\n", fp);
	for (i = 0; i < im->tenants.n; i++)
		put_tenant(fp, im->tenants.v[i], im->people_dir);
	nl = memchr(template + at, '\n', len - (size_t)at);
	rest = nl != NULL ? len - (size_t)(nl + 1 - template) : 0;
	if (rest > 0)
		fwrite(nl + 1, 1, rest, fp);
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* People, groups and tenants are ordered by id. */
static int
cmp_person(const void *a, const void *b)
{
	return strcmp((*(struct imp_person *const *)a)->id,
	    (*(struct imp_person *const *)b)->id);
}

static int
cmp_group(const void *a, const void *b)
{
	return strcmp((*(struct imp_group *const *)a)->id,
	    (*(struct imp_group *const *)b)->id);
}

static int
cmp_tenant(const void *a, const void *b)
{
	return strcmp((*(struct imp_tenant *const *)a)->id,
	    (*(struct imp_tenant *const *)b)->id);
}

static void
sort_vec(struct ptrvec *v, int (*cmp)(const void *, const void *))
{
	if (v->n > 1)
		qsort(v->v, v->n, sizeof(*v->v), cmp);
}

void
import_sort(struct import *im)
{
	size_t	i, j;

	sort_vec(&im->tenants, cmp_tenant);
	for (i = 0; i < im->tenants.n; i++) {
		struct imp_tenant	*t = im->tenants.v[i];

		sort_vec(&t->people, cmp_person);
		sort_vec(&t->groups, cmp_group);
		for (j = 0; j < t->people.n; j++) {
			struct imp_person	*p = t->people.v[j];

			sort_vec(&p->aliases, cmp_str);
			sort_vec(&p->groups, cmp_str);
			sort_vec(&p->services, cmp_str);
		}
	}
}

void
import_report(FILE *fp, const struct import *im)
{
	const char	**v = xcalloc(im->report.n + 1, sizeof(*v));
	size_t		  i;

	memcpy(v, im->report.v, im->report.n * sizeof(*v));
	qsort(v, im->report.n, sizeof(*v), cmp_str);
	for (i = 0; i < im->report.n; i++) {
		fputs_escaped(v[i], fp);
		putc('\n', fp);
	}
	free(v);
}

/*
 * Words (runs of letters and digits, accented ones included) transliterated
 * as logins are, joined by '-': "L'Isle-d'Abeau" -> "l-isle-d-abeau".
 */
char *
import_slug(struct arena *a, const char *name)
{
	struct memtext	 mt;
	FILE		*fp = memtext_open(&mt);
	const char	*p = name, *w;
	char		*word, *t, *s, *out = NULL;
	int		 words = 0;

	while (*p != '\0') {
		for (w = p; *p != '\0' && ((unsigned char)*p >= 0x80 ||
		    (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9')); p++)
			;
		if (p > w) {
			word = xstrndup(w, (size_t)(p - w));
			t = translit_login(word);
			if (*t != '\0')
				fprintf(fp, "%s%s", words++ > 0 ? "-" : "", t);
			free(t);
			free(word);
		}
		if (*p != '\0')
			p++;
	}
	s = memtext_close(&mt);
	if (valid_id(s))
		out = arena_strdup(a, s);
	free(s);
	return out;
}

/*
 * One line of the outbox: a JSON object on one line, as the journal's. A
 * "call" line holds a whole call; the others ("sending", "done", "failed",
 * "dead") say what became of the call of their id since. Only what
 * outbox.c writes is read back: strings, integers, null and arrays of
 * strings, no nested object; a line that is not that is torn.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "mutualize.h"
#include "outbox.h"

static void
put_str(FILE *fp, const char *key, const char *s)
{
	fprintf(fp, ", \"%s\": ", key);
	if (s != NULL)
		json_string(fp, s);
	else
		fputs("null", fp);
}

void
outbox_write_call(FILE *fp, const struct outbox_call *c)
{
	size_t	i;

	fprintf(fp, "{\"type\": \"call\", \"id\": \"%s\"", c->id);
	put_str(fp, "kind", c->kind);
	put_str(fp, "service", c->service);
	put_str(fp, "method", c->method);
	put_str(fp, "url", c->url);
	put_str(fp, "to", c->to);
	put_str(fp, "key", c->key);
	put_str(fp, "name", c->name);
	fputs(", \"members\": [", fp);
	for (i = 0; i < c->nmembers; i++) {
		fputs(i ? ", " : "", fp);
		json_string(fp, c->members[i]);
	}
	fputc(']', fp);
	put_str(fp, "what", c->what);
	put_str(fp, "body", c->body);
	fprintf(fp, ", \"queued\": %lld, \"attempts\": %u, \"next\": %lld, "
	    "\"sending\": %lld", c->queued, c->attempts, c->next, c->sending);
	put_str(fp, "error", c->error);
	fputs("}\n", fp);
}

static void
skip_ws(const char **p)
{
	*p += strspn(*p, " \t");
}

static int
hex4(const char *p, unsigned *v)
{
	size_t	i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		char	c = p[i];

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

/* A \u escape of the basic plane, as UTF-8; json_string writes only these. */
static void
put_utf8(FILE *fp, unsigned v)
{
	if (v >= 0xD800 && v <= 0xDFFF)
		v = '?';
	if (v < 0x80)
		fputc((int)v, fp);
	else if (v < 0x800) {
		fputc((int)(0xC0 | v >> 6), fp);
		fputc((int)(0x80 | (v & 0x3F)), fp);
	} else {
		fputc((int)(0xE0 | v >> 12), fp);
		fputc((int)(0x80 | (v >> 6 & 0x3F)), fp);
		fputc((int)(0x80 | (v & 0x3F)), fp);
	}
}

/* A JSON string at *p; caller frees. NULL when it is not one. */
static char *
parse_string(const char **p)
{
	static const char	 from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	struct memtext		 t;
	FILE			*fp;
	const char		*s = *p, *e;
	unsigned		 v;

	if (*s++ != '"')
		return NULL;
	fp = memtext_open(&t);
	for (; *s != '"'; s++) {
		if (*s == '\0' || (unsigned char)*s < 0x20)
			goto bad;
		if (*s != '\\') {
			fputc(*s, fp);
			continue;
		}
		if (*++s == 'u') {
			if (hex4(s + 1, &v) == -1 || v == 0)
				goto bad;
			put_utf8(fp, v);
			s += 4;
		} else if (*s != '\0' && (e = strchr(from, *s)) != NULL)
			fputc(to[e - from], fp);
		else
			goto bad;
	}
	*p = s + 1;
	return memtext_close(&t);
bad:
	free(memtext_close(&t));
	return NULL;
}

static int
parse_number(const char **p, long long *v)
{
	char	*end;

	*v = strtoll(*p, &end, 10);
	if (end == *p || *v < 0)
		return -1;
	*p = end;
	return 0;
}

/* An array of strings, into c's members. */
static int
parse_members(const char **p, struct outbox_call *c)
{
	char	*s;

	if (*(*p)++ != '[')
		return -1;
	skip_ws(p);
	while (**p != ']') {
		if (c->nmembers > 0 && *(*p)++ != ',')
			return -1;
		skip_ws(p);
		if ((s = parse_string(p)) == NULL)
			return -1;
		c->members = xreallocarray(c->members, c->nmembers + 1,
		    sizeof(*c->members));
		c->members[c->nmembers++] = s;
		skip_ws(p);
	}
	(*p)++;
	return 0;
}

/* The string fields of a call line, by name. */
static char **
string_field(struct outbox_call *c, const char *key, char **type, char **id)
{
	static const struct { const char *key; size_t off; } fields[] = {
		{ "kind", offsetof(struct outbox_call, kind) },
		{ "service", offsetof(struct outbox_call, service) },
		{ "method", offsetof(struct outbox_call, method) },
		{ "url", offsetof(struct outbox_call, url) },
		{ "to", offsetof(struct outbox_call, to) },
		{ "key", offsetof(struct outbox_call, key) },
		{ "name", offsetof(struct outbox_call, name) },
		{ "what", offsetof(struct outbox_call, what) },
		{ "body", offsetof(struct outbox_call, body) },
		{ "error", offsetof(struct outbox_call, error) },
	};
	size_t	i;

	if (strcmp(key, "type") == 0)
		return type;
	if (strcmp(key, "id") == 0)
		return id;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strcmp(key, fields[i].key) == 0)
			return (char **)(void *)((char *)c + fields[i].off);
	return NULL;
}

static long long *
number_field(struct outbox_call *c, const char *key, long long *attempts,
    long long *time)
{
	if (strcmp(key, "queued") == 0)
		return &c->queued;
	if (strcmp(key, "next") == 0)
		return &c->next;
	if (strcmp(key, "sending") == 0)
		return &c->sending;
	if (strcmp(key, "attempts") == 0)
		return attempts;
	if (strcmp(key, "time") == 0)
		return time;
	return NULL;
}

/* One member's value at *p, into its field of c. */
static int
parse_value(const char **p, struct outbox_call *c, const char *key,
    char **type, char **id, long long *attempts, long long *time)
{
	char		**s = string_field(c, key, type, id);
	long long	 *n = number_field(c, key, attempts, time);

	if (strncmp(*p, "null", 4) == 0) {
		*p += 4;
		return 0;
	}
	if (strcmp(key, "members") == 0)
		return parse_members(p, c);
	if (n != NULL)
		return parse_number(p, n);
	if (s == NULL || *s != NULL)
		return -1;	/* unknown, or twice */
	return (*s = parse_string(p)) != NULL ? 0 : -1;
}

int
outbox_parse(const char *line, struct outbox_call *c, char **type, char **id,
    long long *time)
{
	const char	*p = line;
	char		*key;
	long long	 attempts = 0;
	int		 first = 1, rc;

	*type = *id = NULL;
	*time = 0;
	skip_ws(&p);
	if (*p++ != '{')
		return -1;
	for (skip_ws(&p); *p != '}'; skip_ws(&p), first = 0) {
		if (!first && *p++ != ',')
			return -1;
		skip_ws(&p);
		if ((key = parse_string(&p)) == NULL)
			return -1;
		skip_ws(&p);
		rc = *p++ == ':' ? (skip_ws(&p), parse_value(&p, c, key, type,
		    id, &attempts, time)) : -1;
		free(key);
		if (rc == -1)
			return -1;
	}
	p++;
	skip_ws(&p);
	if ((*p != '\0' && *p != '\n') || *type == NULL || *id == NULL ||
	    attempts < 0 || attempts > 1000000)
		return -1;
	c->attempts = (unsigned)attempts;
	return 0;
}

/*
 * Reading LDIF content records (RFC 2849), as slapcat and ldapsearch -L
 * write them, into a set of entries: comments, folded lines (a line that
 * starts with one space continues the one before), "type: value" and
 * "type:: base64" lines, a "version: 1" line first. Change records and
 * values by URL ("type:< file") are refused: an import reads a directory's
 * content, not a program of changes or files named by it.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mutualize.h"

/* One logical line: folds joined, its first byte's offset for errors. */
struct lline {
	char	*s;
	size_t	 len, cap, off;
};

static void
lline_put(struct lline *l, const char *s, size_t n)
{
	if (l->len + n + 1 > l->cap) {
		l->cap = (l->len + n + 1) * 2;
		l->s = xreallocarray(l->s, l->cap, 1);
	}
	memcpy(l->s + l->len, s, n);
	l->len += n;
	l->s[l->len] = '\0';
}

static int
b64_digit(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/*
 * Decodes base64 (RFC 4648, padded, spaces ignored) in place. Returns the
 * length decoded, or -1 if it is no base64.
 */
long
ldif_base64_decode(char *s, size_t len)
{
	size_t		 i, out = 0, n = 0, pad = 0;
	unsigned long	 acc = 0;
	int		 d;

	for (i = 0; i < len; i++) {
		if (s[i] == ' ')
			continue;
		if (s[i] == '=') {
			pad++;
			d = 0;
		} else if (pad > 0 || (d = b64_digit((unsigned char)s[i])) < 0)
			return -1;
		acc = acc << 6 | (unsigned long)d;
		if (++n % 4 == 0) {
			s[out++] = (char)(acc >> 16);
			s[out++] = (char)(acc >> 8);
			s[out++] = (char)acc;
			acc = 0;
		}
	}
	if (n % 4 != 0 || pad > 2)
		return -1;
	return (long)(out - pad);
}

struct lreader {
	const char	*path, *text;
	size_t		 len, off;
	struct entries	*es;
	struct diags	*d;
	struct entry	*e;		/* the record being read */
	int		 first;		/* no record read yet */
};

static void
lerr(struct lreader *r, size_t off, const char *msg, const char *arg)
{
	diag_add(r->d, diag_offset_pos(r->path, r->text, r->len, off), msg,
	    arg);
}

/*
 * The next logical line into l: 1, or 0 at a record's end (a blank line or
 * the end of the text; *eof set at the end). Comments are skipped.
 */
static int
next_line(struct lreader *r, struct lline *l, int *eof)
{
	const char	*t = r->text, *nl;
	size_t		 n;

	l->len = 0;
	for (;;) {
		if (r->off >= r->len) {
			*eof = 1;
			return l->len > 0;
		}
		nl = memchr(t + r->off, '\n', r->len - r->off);
		n = (nl != NULL ? (size_t)(nl - t) : r->len) - r->off;
		if (l->len > 0 && (n == 0 || t[r->off] != ' '))
			return 1;	/* not a continuation: left for the next */
		if (l->len == 0 && t[r->off] == ' ' && n > 0) {
			lerr(r, r->off, "a continuation line with no line "
			    "before it%s", "");
			r->off += n + 1;
			continue;
		}
		if (n > 0 && t[r->off + n - 1] == '\r')
			n--;
		if (l->len == 0 && n == 0) {
			r->off = nl != NULL ? (size_t)(nl - t) + 1 : r->len;
			return 0;
		}
		if (l->len == 0)
			l->off = r->off;
		if (l->len > 0)
			lline_put(l, t + r->off + 1, n - 1);
		else if (t[r->off] != '#')
			lline_put(l, t + r->off, n);
		r->off = nl != NULL ? (size_t)(nl - t) + 1 : r->len;
		if (l->len == 0)	/* a comment, and its continuations */
			while (r->off < r->len && t[r->off] == ' ')
				r->off = (nl = memchr(t + r->off, '\n',
				    r->len - r->off)) != NULL ?
				    (size_t)(nl - t) + 1 : r->len;
	}
}

/*
 * One "type: value" line of a record: the value decoded in place.
 * Returns 0, or -1 after an error.
 */
static int
split_line(struct lreader *r, struct lline *l, char **type, char **val,
    size_t *vlen)
{
	char	*colon = memchr(l->s, ':', l->len), *v;
	long	 n;

	if (colon == NULL || colon == l->s) {
		lerr(r, l->off, "not a \"type: value\" line%s", "");
		return -1;
	}
	*colon = '\0';
	*type = l->s;
	v = colon + 1;
	if (*v == '<') {
		lerr(r, l->off, "%s: values by URL are not read", *type);
		return -1;
	}
	if (*v == ':') {
		for (v++; *v == ' '; v++)
			;
		if ((n = ldif_base64_decode(v, l->len - (size_t)(v - l->s))) < 0) {
			lerr(r, l->off, "%s: the value is not base64", *type);
			return -1;
		}
		*vlen = (size_t)n;
	} else {
		for (; *v == ' '; v++)
			;
		*vlen = l->len - (size_t)(v - l->s);
	}
	v[*vlen] = '\0';
	*val = v;
	return 0;
}

/* One line of a record. Returns 0, or -1 when the record is given up. */
static int
take_line(struct lreader *r, struct lline *l)
{
	char	*type, *val;
	size_t	 vlen;

	if (split_line(r, l, &type, &val, &vlen) == -1)
		return -1;
	if (r->e == NULL && r->first && strcasecmp(type, "version") == 0) {
		r->first = 0;
		if (strcmp(val, "1") != 0)
			lerr(r, l->off, "LDIF version %s: only 1 is read", val);
		return 0;
	}
	r->first = 0;
	if (r->e == NULL) {
		if (strcasecmp(type, "dn") != 0) {
			lerr(r, l->off, "a record starts with dn:, not %s:", type);
			return -1;
		}
		if (memchr(val, '\0', vlen) != NULL ||
		    (r->e = entries_add(r->es, val, NULL, ENTRY_OTHER)) == NULL) {
			lerr(r, l->off, "dn \"%s\": a second record of this DN "
			    "(or a NUL in it)", val);
			return -1;
		}
		return 0;
	}
	if (strcasecmp(type, "changetype") == 0) {
		lerr(r, l->off, "change records are not read (changetype: %s): "
		    "give the content, as slapcat or ldapsearch -L writes it",
		    val);
		return -1;
	}
	if (strcasecmp(type, "control") == 0) {
		lerr(r, l->off, "%s: controls are not read", type);
		return -1;
	}
	entry_add_valuen(r->es, r->e, type, val, vlen);
	return 0;
}

int
ldif_read(const char *path, const char *text, size_t len,
    struct entries *es, struct diags *d)
{
	struct lreader	 r = { path, text, len, 0, es, d, NULL, 1 };
	struct lline	 l = { 0 };
	size_t		 before = d->n;
	int		 eof = 0, skip = 0;

	while (!eof) {
		if (next_line(&r, &l, &eof) == 0) {
			r.e = NULL;	/* the record ends */
			skip = 0;
			continue;
		}
		if (!skip && take_line(&r, &l) == -1)
			skip = 1;
	}
	free(l.s);
	return d->n > before ? -1 : 0;
}

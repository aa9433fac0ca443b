/*
 * LDIF (RFC 2849): entries as content records, which slapadd and ldapadd
 * load, and changes as change records, which ldapmodify applies. A value is
 * written as it is only when it is a SAFE-STRING that does not end with a
 * space; any other, and every value with a byte above 127, goes in base64.
 * Lines are folded at 76 columns.
 */
#include <stdio.h>
#include <string.h>

#include "mutualize.h"

#define LDIF_COLUMNS	76

/* RFC 2849: SAFE-INIT-CHAR then SAFE-CHAR; a trailing space would be lost. */
int
ldif_is_safe(const char *v, size_t len)
{
	size_t	i;

	if (len == 0)
		return 1;
	if (v[0] == ' ' || v[0] == ':' || v[0] == '<' || v[len - 1] == ' ')
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char	c = (unsigned char)v[i];

		if (c == '\0' || c == '\n' || c == '\r' || c > 127)
			return 0;
	}
	return 1;
}

/* Writes s, continuing the line at column *col and folding where it is full. */
static void
put_folded(FILE *fp, size_t *col, const char *s, size_t len)
{
	size_t	room, n;

	while (len > 0) {
		if (*col >= LDIF_COLUMNS) {
			fputs("\n ", fp);
			*col = 1;
		}
		room = LDIF_COLUMNS - *col;
		n = len < room ? len : room;
		fwrite(s, 1, n, fp);
		*col += n;
		s += n;
		len -= n;
	}
}

static void
put_base64(FILE *fp, size_t *col, const unsigned char *v, size_t len)
{
	static const char	 b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	char			 quad[4];
	size_t			 i;

	for (i = 0; i < len; i += 3) {
		unsigned long	w = (unsigned long)v[i] << 16;

		if (i + 1 < len)
			w |= (unsigned long)v[i + 1] << 8;
		if (i + 2 < len)
			w |= v[i + 2];
		quad[0] = b64[w >> 18 & 63];
		quad[1] = b64[w >> 12 & 63];
		quad[2] = i + 1 < len ? b64[w >> 6 & 63] : '=';
		quad[3] = i + 2 < len ? b64[w & 63] : '=';
		put_folded(fp, col, quad, 4);
	}
}

/* One "type: value" or "type:: base64" line. */
void
ldif_put(FILE *fp, const char *type, const char *value)
{
	size_t	len = strlen(value), col = 0;

	put_folded(fp, &col, type, strlen(type));
	if (ldif_is_safe(value, len)) {
		put_folded(fp, &col, ":", 1);
		if (len > 0)
			put_folded(fp, &col, " ", 1);
		put_folded(fp, &col, value, len);
	} else {
		put_folded(fp, &col, ":: ", 3);
		put_base64(fp, &col, (const unsigned char *)value, len);
	}
	fputc('\n', fp);
}

static void
put_values(FILE *fp, const char *type, const char **vals, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		ldif_put(fp, type, vals[i]);
}

void
ldif_write_entry(FILE *fp, const struct entry *e)
{
	size_t	i;

	ldif_put(fp, "dn", e->dn);
	for (i = 0; i < e->nattrs; i++)
		put_values(fp, e->attrs[i].name, e->attrs[i].vals,
		    e->attrs[i].nvals);
	fputc('\n', fp);
}

void
ldif_write_change(FILE *fp, const struct change *c)
{
	static const char *const	 ops[] = {
		[MOD_ADD] = "add", [MOD_DELETE] = "delete", [MOD_REPLACE] = "replace"
	};
	size_t				 i;

	ldif_put(fp, "dn", c->dn);
	switch (c->op) {
	case CHANGE_ADD:
		ldif_put(fp, "changetype", "add");
		for (i = 0; i < c->entry->nattrs; i++)
			put_values(fp, c->entry->attrs[i].name,
			    c->entry->attrs[i].vals, c->entry->attrs[i].nvals);
		break;
	case CHANGE_MODIFY:
		ldif_put(fp, "changetype", "modify");
		for (i = 0; i < c->nmods; i++) {
			ldif_put(fp, ops[c->mods[i].op], c->mods[i].attr);
			put_values(fp, c->mods[i].attr, c->mods[i].vals,
			    c->mods[i].nvals);
			fputs("-\n", fp);
		}
		break;
	case CHANGE_MODRDN:
		ldif_put(fp, "changetype", "modrdn");
		ldif_put(fp, "newrdn", c->newrdn);
		ldif_put(fp, "deleteoldrdn", "1");
		if (c->newsuperior != NULL)
			ldif_put(fp, "newsuperior", c->newsuperior);
		break;
	case CHANGE_DELETE:
		ldif_put(fp, "changetype", "delete");
		break;
	}
	fputc('\n', fp);
}

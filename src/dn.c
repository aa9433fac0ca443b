/*
 * Escaping data for LDAP strings: attribute values in a DN (RFC 4514 section
 * 2.4) and assertion values in a search filter (RFC 4515 section 3). Names come
 * from the tenants file, so any of them may hold ',', '*' or ')'.
 */
#include <ctype.h>
#include <string.h>

#include "mutualize.h"

enum escape { ESC_NONE, ESC_CHAR, ESC_HEX };

/*
 * Escapes each byte of v as how says: kept, after a backslash, or as a
 * backslash and two hex digits. Returns the result; the caller frees it.
 */
static char *
escape(const char *v, enum escape (*how)(const char *, size_t, size_t))
{
	size_t		 len = strlen(v), i, o = 0;
	char		*out = xmalloc(len * 3 + 1);
	static const char hex[] = "0123456789ABCDEF";

	for (i = 0; i < len; i++) {
		unsigned char	c = (unsigned char)v[i];

		switch (how(v, i, len)) {
		case ESC_HEX:
			out[o++] = '\\';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 0xF];
			continue;
		case ESC_CHAR:
			out[o++] = '\\';
			break;
		default:
			break;
		}
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
}

/* RFC 4514: specials after a backslash, a space or '#' first, a space last. */
static enum escape
dn_how(const char *v, size_t i, size_t len)
{
	unsigned char	c = (unsigned char)v[i];

	if (c < 0x20 || c == 0x7F)
		return ESC_HEX;
	if (strchr("\"+,;<>\\", c) != NULL ||
	    (i == 0 && (c == ' ' || c == '#')) || (i == len - 1 && c == ' '))
		return ESC_CHAR;
	return ESC_NONE;
}

char *
dn_escape_value(const char *v)
{
	return escape(v, dn_how);
}

/*
 * Returns the value escaped for a search filter; the caller frees it. Besides
 * the characters RFC 4515 requires ('*', '(', ')' and the backslash), every
 * byte outside printable ASCII is written as a backslash and two hex digits:
 * the filter stays 7-bit text whatever the value holds (even bytes that are no
 * UTF-8), and it means the same to the server. So are '%' and '$', which the
 * services' configuration files would take for their variables; RFC 4515
 * allows any octet to be escaped.
 */
static enum escape
filter_how(const char *v, size_t i, size_t len)
{
	unsigned char	c = (unsigned char)v[i];

	(void)len;
	if (c < 0x20 || c >= 0x7F || strchr("*()\\%$", c) != NULL)
		return ESC_HEX;
	return ESC_NONE;
}

char *
filter_escape_value(const char *v)
{
	return escape(v, filter_how);
}

const char *
dn_plain(struct arena *a, const char *dn)
{
	char		*out = arena_alloc(a, strlen(dn) + 1), *o = out;
	const char	*s;

	for (s = dn; *s != '\0'; s++) {
		if (*s == ' ' && (o == out || o[-1] == ',' || o[-1] == '=' ||
		    s[1] == ',' || s[1] == '=' || s[1] == ' '))
			continue;
		*o++ = (char)tolower((unsigned char)*s);
	}
	*o = '\0';
	return out;
}


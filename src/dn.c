/*
 * Escaping data for LDAP strings: attribute values in a DN (RFC 4514 section
 * 2.4) and assertion values in a search filter (RFC 4515 section 3). Names come
 * from the tenants file, so any of them may hold ',', '*' or ')'.
 */
#include <string.h>

#include "mutualize.h"

/* Returns the escaped value; the caller frees it. */
char *
dn_escape_value(const char *v)
{
	size_t		 len = strlen(v), i, o = 0;
	char		*out = xmalloc(len * 3 + 1);
	static const char hex[] = "0123456789ABCDEF";

	for (i = 0; i < len; i++) {
		unsigned char	c = (unsigned char)v[i];

		if (c == '\0' || c < 0x20 || c == 0x7F) {
			out[o++] = '\\';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 0xF];
			continue;
		}
		if (strchr("\"+,;<>\\", c) != NULL ||
		    (i == 0 && (c == ' ' || c == '#')) ||
		    (i == len - 1 && c == ' '))
			out[o++] = '\\';
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
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
char *
filter_escape_value(const char *v)
{
	size_t		 len = strlen(v), i, o = 0;
	char		*out = xmalloc(len * 3 + 1);
	static const char hex[] = "0123456789abcdef";

	for (i = 0; i < len; i++) {
		unsigned char	c = (unsigned char)v[i];

		if (c < 0x20 || c >= 0x7F || strchr("*()\\%$", c) != NULL) {
			out[o++] = '\\';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 0xF];
		} else
			out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
}

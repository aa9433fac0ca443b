/* RFC 4514 section 2.4: escaping an attribute value for use in a DN. */
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
 * RFC 4515 section 3: in a filter, '*', '(', ')', '\' and NUL are written as
 * a backslash and two hex digits. So are '%' and '$', which the services'
 * configuration files would take for their variables; RFC 4515 allows any
 * octet to be escaped. Returns the escaped value; the caller frees it.
 */
char *
filter_escape_value(const char *v)
{
	size_t		 len = strlen(v), i, o = 0;
	char		*out = xmalloc(len * 3 + 1);
	static const char hex[] = "0123456789abcdef";

	for (i = 0; i < len; i++) {
		unsigned char	c = (unsigned char)v[i];

		if (strchr("*()\\%$", c) != NULL) {
			out[o++] = '\\';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 0xF];
		} else
			out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
}

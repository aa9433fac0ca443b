/*
 * Names to logins. libunistring's compatibility decomposition (NFKD) splits
 * accented letters and ligatures into base letters and combining marks, which
 * are dropped. The few Latin letters that Unicode deliberately does not
 * decompose (they are letters of their own, not accented ones) are spelt as
 * French and German typists do.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "mutualize.h"

static const struct {
	ucs4_t		 c;
	const char	*ascii;
} undecomposed[] = {
	{ 0x00C6, "ae" }, { 0x00E6, "ae" },	/* Æ æ */
	{ 0x00D0, "d" },  { 0x00F0, "d" },	/* Ð ð */
	{ 0x00D8, "o" },  { 0x00F8, "o" },	/* Ø ø */
	{ 0x00DE, "th" }, { 0x00FE, "th" },	/* Þ þ */
	{ 0x00DF, "ss" }, { 0x1E9E, "ss" },	/* ß ẞ */
	{ 0x0110, "d" },  { 0x0111, "d" },	/* Đ đ */
	{ 0x0131, "i" },			/* ı */
	{ 0x0141, "l" },  { 0x0142, "l" },	/* Ł ł */
	{ 0x0152, "oe" }, { 0x0153, "oe" },	/* Œ œ */
};

static void
put_ascii(char *out, size_t *len, ucs4_t c)
{
	size_t	i;

	if (c < 0x80) {
		if (c >= 'A' && c <= 'Z')
			out[(*len)++] = (char)(c - 'A' + 'a');
		else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-')
			out[(*len)++] = (char)c;
		return;		/* spaces, apostrophes, other punctuation */
	}
	if (uc_is_general_category(c, UC_CATEGORY_M))
		return;		/* combining accents */
	for (i = 0; i < sizeof(undecomposed) / sizeof(undecomposed[0]); i++)
		if (undecomposed[i].c == c) {
			memcpy(out + *len, undecomposed[i].ascii,
			    strlen(undecomposed[i].ascii));
			*len += strlen(undecomposed[i].ascii);
			return;
		}
}

/* Keeps hyphens only between letters: "Jean--Luc" and "-x-" lose the extras. */
static void
squeeze_hyphens(char *s)
{
	size_t	i, j = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '-' && (j == 0 || s[j - 1] == '-'))
			continue;
		s[j++] = s[i];
	}
	while (j > 0 && s[j - 1] == '-')
		j--;
	s[j] = '\0';
}

char *
translit_login(const char *name)
{
	uint8_t	*nfkd;
	size_t	 nlen = 0, len = 0, i;
	ucs4_t	 c;
	char	*out;

	for (i = 0; name[i] != '\0' && (unsigned char)name[i] < 0x80; i++)
		;
	if (name[i] == '\0') {
		/* ASCII, most names: nothing to decompose */
		out = xmalloc(i + 1);
		for (i = 0; name[i] != '\0'; i++)
			put_ascii(out, &len, (unsigned char)name[i]);
		out[len] = '\0';
		squeeze_hyphens(out);
		return out;
	}
	nfkd = u8_normalize(UNINORM_NFKD, (const uint8_t *)name, strlen(name),
	    NULL, &nlen);
	if (nfkd == NULL)
		return xstrdup("");
	out = xmalloc(nlen * 2 + 1);	/* at most two ASCII letters a byte */
	for (i = 0; i < nlen; ) {
		i += (size_t)u8_mbtouc(&c, nfkd + i, nlen - i);
		put_ascii(out, &len, c);
	}
	free(nfkd);
	out[len] = '\0';
	squeeze_hyphens(out);
	return out;
}

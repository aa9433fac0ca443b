/*
 * Messages to the admin on standard error, each line behind the program's
 * name. No allocation of ours: running out of memory is said through here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mutualize.h"

/* Each line of the message on standard error, behind the program's name. */
static void
vmsg(const char *fmt, va_list ap)
{
	char		*text;
	const char	*line, *nl;

	if (vasprintf(&text, fmt, ap) == -1) {
		fputs("mutualize: out of memory\n", stderr);
		abort();
	}
	line = text;

	do {
		nl = strchr(line, '\n');
		fprintf(stderr, "mutualize: %.*s\n", nl != NULL ?
		    (int)(nl - line) : (int)strlen(line), line);
		line = nl != NULL ? nl + 1 : NULL;
	} while (line != NULL && *line != '\0');
	free(text);
}

void
msg_warn(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void
msg_fatal(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	abort();
}

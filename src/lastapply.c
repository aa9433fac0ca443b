/*
 * The last apply, as the journal tells it (journal.c writes it): one JSON
 * line a change before it is sent ("result": "sending") and one after, with
 * what the server said. Every line of one apply carries the same time, user
 * and host, the apply's start; a new triple starts a new apply. A change
 * sent that no answer follows means that the apply stopped mid-way: killed,
 * the machine down, the disk full.
 *
 * The journal only grows, so it is read a line at a time and only the last
 * apply's counts are kept.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mutualize.h"
#include "status.h"

/*
 * The string value of "key" in one of the journal's lines, into buf. A key's
 * pattern cannot match inside a string: a quote there is escaped. Returns 0,
 * or -1 when the line has no such key.
 */
static int
json_field(const char *line, const char *key, char *buf, size_t len)
{
	char		 pat[32];
	const char	*p;
	size_t		 n = 0;

	snprintf(pat, sizeof(pat), "\"%s\": \"", key);
	if ((p = strstr(line, pat)) == NULL)
		return -1;
	for (p += strlen(pat); *p != '\0' && *p != '"'; p++) {
		char	c = *p;

		if (c == '\\' && p[1] != '\0') {
			c = *++p;
			if (c == 'n')
				c = '\n';
			else if (c == 'u') {
				/* what json_string writes so: control characters */
				c = '?';
				p += strspn(p + 1, "0123456789abcdefABCDEF") >= 4 ?
				    4 : 0;
			}
		}
		if (n + 1 < len)
			buf[n++] = c;
	}
	buf[n] = '\0';
	return *p == '"' ? 0 : -1;
}

void
last_apply_line(struct last_apply *a, const char *line)
{
	char	when[32], user[64], host[256], result[256];

	if (json_field(line, "time", when, sizeof(when)) == -1 ||
	    json_field(line, "user", user, sizeof(user)) == -1 ||
	    json_field(line, "host", host, sizeof(host)) == -1 ||
	    json_field(line, "result", result, sizeof(result)) == -1)
		return;		/* not one of ours: a torn last line, say */
	if (!a->found || strcmp(when, a->time) != 0 ||
	    strcmp(user, a->user) != 0 || strcmp(host, a->host) != 0) {
		memset(a, 0, sizeof(*a));
		a->found = 1;
		memcpy(a->time, when, sizeof(a->time));
		memcpy(a->user, user, sizeof(a->user));
		memcpy(a->host, host, sizeof(a->host));
	}
	if (strcmp(result, "sending") == 0)
		a->sent++;
	else if (strcmp(result, "ok") == 0)
		a->done++;
	else
		a->failed++;
}

size_t
last_apply_unanswered(const struct last_apply *a)
{
	size_t	answered = a->done + a->failed;

	return a->sent > answered ? a->sent - answered : 0;
}

int
last_apply_read(const char *path, struct last_apply *a)
{
	const char	*why;
	char		*line = NULL;
	size_t		 cap = 0;
	FILE		*fp;
	int		 fd, ret = 0;

	memset(a, 0, sizeof(*a));
	errno = 0;		/* set by open only: a directory leaves it 0 */
	if ((fd = file_open_input(path, &why)) == -1) {
		if (errno == ENOENT)
			return 0;
		msg_warn("journal %s: %s", path, why);
		return -1;
	}
	if ((fp = fdopen(fd, "r")) == NULL) {
		close(fd);
		msg_warn("journal %s: %s", path, strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, fp) != -1)
		last_apply_line(a, line);
	if (ferror(fp)) {
		msg_warn("journal %s: %s", path, strerror(errno));
		ret = -1;
	}
	free(line);
	fclose(fp);
	return ret;
}

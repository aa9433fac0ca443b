/*
 * The welcome mail: SMTP, STARTTLS when the server offers it, to each new
 * person or to their tenant's admins, from the template welcome.txt.
 */
#include <sys/random.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "connectors.h"

#define WELCOME_MAX	65536	/* bytes of the welcome template */

/* What the welcome template may name; {password} only when the policy says. */
static const char *const welcome_fields[] = {
	"given_name", "surname", "login", "mail", "tenant", "syndicate",
	"password", NULL
};

size_t
welcome_load(struct connectors *cn, const char *dir, struct diags *d)
{
	const struct model	*m = cn->m;
	char			*path;
	const char		*pw;
	struct pos		 pos = { NULL, 0, 0 };
	size_t			 before = d->n, len = 0;
	FILE			*fp;
	const char		*why;
	long			 at;
	int			 fd;

	path = xasprintf("%s/%s", dir, m->welcome.template);
	pos.file = path;
	if ((fd = file_open_input(path, &why)) == -1 ||
	    (fp = fdopen(fd, "r")) == NULL) {
		diag_add(d, m->welcome.pos, "welcome template %s: %s", path,
		    why != NULL ? why : strerror(errno));
		if (fd != -1)
			close(fd);
		goto out;
	}
	cn->welcome = xmalloc(WELCOME_MAX + 1);
	len = fread(cn->welcome, 1, WELCOME_MAX + 1, fp);
	fclose(fp);
	cn->welcome[len > WELCOME_MAX ? WELCOME_MAX : len] = '\0';
	if (len > WELCOME_MAX || strlen(cn->welcome) != len) {
		diag_add(d, pos, "not a text of at most %d bytes", WELCOME_MAX);
		goto out;
	}
	if (strncmp(cn->welcome, "Subject: ", 9) != 0 ||
	    strstr(cn->welcome, "\n\n") == NULL) {
		pos = diag_offset_pos(path, cn->welcome, len, 0);
		diag_add(d, pos, "a welcome template starts with a "
		    "\"Subject: \" line and an empty line");
	} else if ((at = placeholder_unknown(cn->welcome,
	    welcome_fields)) >= 0) {
		pos = diag_offset_pos(path, cn->welcome, len, (size_t)at);
		diag_add(d, pos, "unknown placeholder; known: {given_name}, "
		    "{surname}, {login}, {mail}, {tenant}, {syndicate}, "
		    "{password}");
	} else if (!m->policy.welcome_password &&
	    (pw = strstr(cn->welcome, "{password}")) != NULL) {
		pos = diag_offset_pos(path, cn->welcome, len,
		    (size_t)(pw - cn->welcome));
		diag_add(d, pos, "{password} needs policy welcome_password: "
		    "include; without it, passwords go to the credentials file "
		    "only");
	}
out:
	free(path);
	return d->n - before;
}

/* RFC 2047: a header text that is not ASCII, as one encoded word per chunk. */
static void
put_header_text(FILE *fp, const char *s)
{
	static const char	b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 len = strlen(s), i, n;
	int			 ascii = 1;

	for (i = 0; i < len; i++)
		ascii &= u[i] >= 0x20 && u[i] < 0x7F;
	if (ascii) {
		fputs(s, fp);
		return;
	}
	/* 45 bytes make 60 characters: at most 76 with the markers. */
	for (i = 0; i < len; i += n) {
		size_t	j;

		n = len - i > 45 ? 45 : len - i;
		while (n < len - i && (u[i + n] & 0xC0) == 0x80)
			n--;	/* never split a UTF-8 character */
		fputs(i > 0 ? "\n =?UTF-8?B?" : "=?UTF-8?B?", fp);
		for (j = 0; j < n; j += 3) {
			unsigned	v = (unsigned)u[i + j] << 16;

			if (j + 1 < n)
				v |= (unsigned)u[i + j + 1] << 8;
			if (j + 2 < n)
				v |= u[i + j + 2];
			fputc(b64[v >> 18 & 63], fp);
			fputc(b64[v >> 12 & 63], fp);
			fputc(j + 1 < n ? b64[v >> 6 & 63] : '=', fp);
			fputc(j + 2 < n ? b64[v & 63] : '=', fp);
		}
		fputs("?=", fp);
	}
}

static const char *
tenant_name(const struct model *m, const char *id)
{
	size_t	i;

	for (i = 0; id != NULL && i < m->ntenants; i++)
		if (m->tenants[i].id != NULL &&
		    strcmp(m->tenants[i].id, id) == 0)
			return m->tenants[i].name;
	return id != NULL ? id : "";
}

/* The message for one recipient, headers and body, lines ending in LF. */
static char *
welcome_message(struct connectors *cn, const struct entry *e, const char *to,
    const char *password)
{
	const struct model	*m = cn->m;
	const char *const	 vals[] = {
		call_attr(e, "givenName"), call_attr(e, "sn"), call_attr(e, "uid"),
		call_attr(e, "mail"), tenant_name(m, e->tenant), m->syndicate.name,
		password != NULL ? password : "(password)", NULL
	};
	char			*text = placeholder_expand(cn->welcome,
	    welcome_fields, vals), *body, date[64], *out;
	unsigned char		 rnd[12];
	struct memtext		 t;
	FILE			*fp = memtext_open(&t);
	time_t			 now = time(NULL);
	struct tm		 tm;
	size_t			 i;

	body = strstr(text, "\n\n");
	*body = '\0';
	localtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm);
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		memset(rnd, 0, sizeof(rnd));
	fprintf(fp, "From: %s\nTo: %s\nSubject: ", m->welcome.from, to);
	put_header_text(fp, text + 9);
	fprintf(fp, "\nDate: %s\nMessage-ID: <", date);
	for (i = 0; i < sizeof(rnd); i++)
		fprintf(fp, "%02x", rnd[i]);
	fprintf(fp, ".mutualize@%s>\nMIME-Version: 1.0\nContent-Type: "
	    "text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n%s",
	    strchr(m->welcome.from, '@') + 1, body + 2);
	out = memtext_close(&t);
	explicit_bzero(text, strlen(text) + strlen(body + 2) + 2);
	free(text);
	return out;
}

static void
plan_change(struct connectors *cn, const struct change *ch,
    const struct entries *desired, const char *password)
{
	const struct entry	*e = ch->entry, *admins, *a;
	const struct attr	*members;
	struct call		*c;
	char			*dn;
	size_t			 i;

	if (ch->op != CHANGE_ADD || e->kind != ENTRY_PERSON)
		return;
	if (!cn->m->welcome.to_admins) {
		if (*call_attr(e, "mail") == '\0')
			return;
		c = call_new(cn, CALL_MAIL, NULL);
		c->key = call_attr(e, "mail");
		c->body = welcome_message(cn, e, c->key, password);
		c->unkept = password != NULL;
		c->what = arena_printf(&cn->arena, "SMTP %s: welcome mail for "
		    "%s to %s", cn->m->welcome.url, call_attr(e, "uid"), c->key);
		return;
	}
	dn = xasprintf("cn=admins,ou=groups,ou=%s,ou=tenants,%s", e->tenant,
	    cn->m->syndicate.base_dn);
	admins = entries_find(desired, dn);
	free(dn);
	members = admins != NULL ? entry_attr(admins, "member") : NULL;
	for (i = 0; members != NULL && i < members->nvals; i++) {
		if ((a = call_person(desired, members->vals[i])) == NULL ||
		    *call_attr(a, "mail") == '\0')
			continue;
		c = call_new(cn, CALL_MAIL, NULL);
		c->key = call_attr(a, "mail");
		c->body = welcome_message(cn, e, c->key, password);
		c->unkept = password != NULL;
		c->what = arena_printf(&cn->arena, "SMTP %s: welcome mail for "
		    "%s to %s, an admin of %s", cn->m->welcome.url,
		    call_attr(e, "uid"), c->key, e->tenant);
	}
}

void
welcome_plan(struct connectors *cn, const struct plan *p, size_t done,
    const struct entries *desired, const struct entries *current,
    char *const *passwords)
{
	const struct model	*m = cn->m;
	size_t			 i;

	(void)current;
	if (m->welcome.url == NULL)
		return;
	for (i = 0; i < done; i++)
		plan_change(cn, &p->v[i], desired, passwords != NULL &&
		    m->policy.welcome_password ? passwords[i] : NULL);
}

int
welcome_run(struct connectors *cn, struct call *c, char *err, size_t errlen)
{
	return smtp_send(cn->m->welcome.url, cn->m->welcome.from, c->key,
	    c->body, err, errlen);
}

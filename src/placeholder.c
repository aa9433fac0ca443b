/*
 * Placeholders, the one engine for every text the files write with them: the
 * login and mail formats of the policy, the values of a template and its
 * filter. "{name}" is replaced by the value of name; a '{' always opens a
 * placeholder, so that a name out of a list is an error the loader or the
 * check reports, never text left as it is.
 */
#include <stdlib.h>
#include <string.h>

#include "mutualize.h"

/* Those of policy.login and policy.mail, in the order of enum format_field. */
static const char *const format_fields[] = {
	"given_name", "surname", "given_initial", "surname_initial", "id",
	"login", "mail_domain", "tenant", NULL
};

/* Those of the values an entitled person gets. */
static const char *const value_fields[] = {
	"login", "mail", "given_name", "surname", "id", "tenant", "mail_domain",
	"quota", "service", NULL
};

/* Those of the filter a service finds its people with. */
static const char *const filter_fields[] = { "group", "base", "service", NULL };

int
placeholder_at(const char *s, const char *const *fields, size_t *len)
{
	const char	*end = strchr(s, '}');
	size_t		 i, n;

	if (end == NULL)
		return -1;
	n = (size_t)(end - s - 1);
	for (i = 0; fields[i] != NULL; i++)
		if (strlen(fields[i]) == n &&
		    strncmp(s + 1, fields[i], n) == 0) {
			*len = n + 2;
			return (int)i;
		}
	return -1;
}

enum format_field
format_placeholder(const char *s, size_t *len)
{
	int	f;

	if (s[0] != '{' || (f = placeholder_at(s, format_fields, len)) < 0)
		return FMT_NONE;
	return (enum format_field)f;
}

/*
 * Returns NULL when fmt is a valid login (mail = 0) or mail (mail = 1) format,
 * else what is wrong, in a buffer the caller frees.
 */
char *
format_error(const char *fmt, int mail)
{
	const char		*p;
	size_t			 len;
	enum format_field	 f;
	int			 at = 0;

	for (p = fmt; *p != '\0'; p++) {
		if (*p == '{') {
			if ((f = format_placeholder(p, &len)) == FMT_NONE)
				return xasprintf("unknown placeholder in \"%s\"; "
				    "known: {given_name}, {surname}, {given_initial}, "
				    "{surname_initial}, {id}%s", fmt, mail ?
				    ", {login}, {mail_domain}, {tenant}" : "");
			if (!mail && f >= FMT_LOGIN)
				return xasprintf("{%s} cannot be used in a login",
				    format_fields[f]);
			p += len - 1;
		} else if (*p == '@')
			at++;
		else if (!mail && strchr("abcdefghijklmnopqrstuvwxyz0123456789.-_",
		    *p) == NULL)
			return xasprintf("'%c' cannot be part of a login", *p);
	}
	if (mail && at != 1)
		return xasprintf("a mail format needs one '@', as in "
		    "\"{login}@{mail_domain}\"");
	return NULL;
}

long
placeholder_unknown(const char *text, const char *const *fields)
{
	const char	*p;
	size_t		 len;

	for (p = text; *p != '\0'; p++) {
		if (*p != '{')
			continue;
		if (placeholder_at(p, fields, &len) < 0)
			return (long)(p - text);
		p += len - 1;
	}
	return -1;
}

char *
placeholder_error(const char *text, int filter)
{
	const char *const	*fields = filter ? filter_fields : value_fields;

	if (placeholder_unknown(text, fields) < 0)
		return NULL;
	return xasprintf("unknown placeholder in \"%s\"; known: %s", text,
	    filter ? "{group}, {base}, {service}" : "{login}, {mail}, "
	    "{given_name}, {surname}, {id}, {tenant}, {mail_domain}, {quota}, "
	    "{service}");
}

char *
placeholder_expand(const char *pattern, const char *const *fields,
    const char *const *vals)
{
	char		*out = NULL;
	size_t		 outlen = 0, len;
	FILE		*fp = open_memstream(&out, &outlen);
	const char	*p;
	int		 f, ok = 1;

	if (fp == NULL)
		msg_fatal("out of memory");
	for (p = pattern; *p != '\0'; p++) {
		if (*p == '{' && (f = placeholder_at(p, fields, &len)) >= 0) {
			if (vals[f] == NULL)
				ok = 0;
			else
				fputs(vals[f], fp);
			p += len - 1;
		} else
			fputc(*p, fp);
	}
	fclose(fp);
	if (!ok) {
		free(out);
		return NULL;
	}
	return out;
}

const char *
template_value(struct arena *a, const char *pattern,
    const struct person *p, const struct service *s,
    const struct entitlement *e)
{
	unsigned long long	 quota = e->quota ? e->quota : s->quota;
	char			 qbuf[24], *v;
	const char		*out;
	const char *const	 vals[] = {
		p->login, p->mail, p->given_name, p->surname, p->id,
		p->tenant->id, p->tenant->mail_domain, quota ? qbuf : NULL,
		s->id, NULL
	};

	snprintf(qbuf, sizeof(qbuf), "%llu", quota);
	if ((v = placeholder_expand(pattern, value_fields, vals)) == NULL)
		return NULL;
	out = arena_strdup(a, v);
	free(v);
	return out;
}

char *
template_filter(const struct model *m, const struct service *s)
{
	char	*group, *gdn, *base, *id, *out;

	gdn = xasprintf("cn=%s,ou=services,%s", s->id, m->syndicate.base_dn);
	group = filter_escape_value(gdn);
	base = filter_escape_value(m->syndicate.base_dn);
	id = filter_escape_value(s->id);
	{
		const char *const	vals[] = { group, base, id, NULL };

		out = placeholder_expand(s->tmpl->filter, filter_fields, vals);
	}
	free(gdn);
	free(group);
	free(base);
	free(id);
	return out;
}

/*
 * A functional mailbox's names and entitlements: the key that finds its
 * entry, the DN of the entry, the services it gets when the file names none.
 */
#include <stdio.h>
#include <string.h>

#include "mutualize.h"

const char *
mailbox_key(struct arena *a, const char *tenant, const char *id)
{
	return arena_printf(a, "mailbox+%s+%s", tenant, id);
}

const struct entitlement *
mailbox_services(struct arena *a, const struct model *m,
    const struct mailbox *b, size_t *n)
{
	struct entitlement	*v;
	size_t			 i;

	if (b->services != NULL) {
		*n = b->nservices;
		return b->services;
	}
	v = arena_alloc(a, (m->nservices ? m->nservices : 1) * sizeof(*v));
	for (*n = i = 0; i < m->nservices; i++)
		if (m->services[i].tmpl != NULL &&
		    (m->services[i].tmpl->configs & CONFIG_DOVECOT)) {
			memset(&v[*n], 0, sizeof(v[*n]));
			v[*n].id = m->services[i].id;
			v[(*n)++].pos = m->services[i].pos;
		}
	return v;
}

/*
 * A mailbox's DN as slapd gives it back, so that an unchanged one compares
 * equal, as an entry's DN and as a member value: of what an address may
 * hold (valid_mail), slapd writes '+', '=' and a leading '#' in hex.
 */
const char *
mailbox_dn(struct arena *a, const char *address, const char *parent)
{
	char		*rdn = arena_alloc(a, 3 * strlen(address) + 1), *o = rdn;
	const char	*s;

	for (s = address; *s != '\0'; s++)
		if (*s == '+' || *s == '=' || (*s == '#' && s == address))
			o += sprintf(o, "\\%02X", (unsigned char)*s);
		else
			*o++ = *s;
	*o = '\0';
	return arena_printf(a, "uid=%s,%s", rdn, parent);
}

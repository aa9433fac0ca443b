/*
 * The counting of report, on plain data: each entry of the tenants subtree
 * placed by its DN alone (which tenant, person or mailbox), then counted in
 * its tenant's row. The read hands the entries in the server's order, which
 * need not put a tenant before its people: a row is made by whichever comes
 * first. Nothing is allocated for an entry but a new tenant's row.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mutualize.h"
#include "census.h"

#define KEY_MAX	256	/* tenant RDN values longer are looked up from the heap */

void
census_init(struct census *c, const char *file, const char *tenants_dn,
    const struct census_service *services, size_t nservices)
{
	memset(c, 0, sizeof(*c));
	c->file = file;
	c->services = services;
	c->nservices = nservices;
	c->tenants_depth = dn_depth(tenants_dn);
	c->total.entitled = arena_alloc(&c->arena, nservices * sizeof(unsigned
	    long long));
	c->total.quota = arena_alloc(&c->arena, nservices * sizeof(unsigned
	    long long));
	memset(c->total.entitled, 0, nservices * sizeof(unsigned long long));
	memset(c->total.quota, 0, nservices * sizeof(unsigned long long));
}

void
census_free(struct census *c)
{
	ptrvec_free(&c->rows);
	hmap_free(&c->by_key);
	hmap_free(&c->members);
	free(c->lower);
	arena_free(&c->arena);
	memset(c, 0, sizeof(*c));
}

const char *
census_lower(struct census *c, const char *s, size_t len)
{
	size_t	i;

	if (len + 1 > c->lowercap) {
		c->lowercap = len + 1 > 256 ? len + 1 : 256;
		free(c->lower);
		c->lower = xmalloc(c->lowercap);
	}
	for (i = 0; i < len; i++)
		c->lower[i] = (char)tolower((unsigned char)s[i]);
	c->lower[len] = '\0';
	return c->lower;
}

void
census_member(struct census *c, size_t service, const char *dn, size_t len)
{
	const char	*k = census_lower(c, dn, len);
	unsigned char	*flags = hmap_get(&c->members, k);

	if (flags == NULL) {
		flags = arena_alloc(&c->arena, c->nservices);
		memset(flags, 0, c->nservices);
		hmap_put(&c->members, arena_strdup(&c->arena, k), flags);
	}
	flags[service] = 1;
}

const unsigned char *
census_member_of(const struct census *c, const char *dn)
{
	return hmap_get(&c->members, dn);
}

/* Whether a value is this word, without regard to case. */
static int
span_is(struct span v, const char *word)
{
	return v.s != NULL && v.len == strlen(word) &&
	    strncasecmp(v.s, word, v.len) == 0;
}

/* The value of an RDN of this type, or a span whose s is NULL. */
static struct span
rdn_value(struct span rdn, const char *type)
{
	size_t	n = strlen(type);

	if (rdn.len > n && rdn.s[n] == '=' && strncasecmp(rdn.s, type, n) == 0)
		return (struct span){ rdn.s + n + 1, rdn.len - n - 1 };
	return (struct span){ NULL, 0 };
}

/* The first RDNs of a DN, up to max of them; returns how many it has. */
static unsigned
split_rdns(struct span dn, struct span *rdn, unsigned max)
{
	size_t		i, start = 0;
	unsigned	n = 0;

	for (i = 0; i <= dn.len; i++) {
		if (i < dn.len && dn.s[i] == '\\') {
			i++;
			continue;
		}
		if (i < dn.len && dn.s[i] != ',')
			continue;
		if (n < max)
			rdn[n] = (struct span){ dn.s + start, i - start };
		n++;
		start = i + 1;
	}
	return n;
}

/*
 * The search is of ou=tenants,<base>: every DN it returns ends with it, so
 * the RDNs before it say where the entry stands.
 */
enum census_place
census_place(const struct census *c, struct span dn, struct span *tenant)
{
	struct span	rdn[3], box;
	unsigned	n = split_rdns(dn, rdn, 3);

	if (n == c->tenants_depth + 1) {
		*tenant = rdn_value(rdn[0], "ou");
		return tenant->s != NULL ? PLACE_TENANT : PLACE_OTHER;
	}
	if (n != c->tenants_depth + 3)
		return PLACE_OTHER;
	*tenant = rdn_value(rdn[2], "ou");
	box = rdn_value(rdn[1], "ou");
	if (tenant->s == NULL)
		return PLACE_OTHER;
	if (span_is(box, "people"))
		return PLACE_PERSON;
	return span_is(box, "mailboxes") ? PLACE_MAILBOX : PLACE_OTHER;
}

static struct census_row *
row_new(struct census *c, const char *key)
{
	struct census_row	*r = arena_alloc(&c->arena, sizeof(*r));
	size_t			 size = c->nservices * sizeof(unsigned long long);

	memset(r, 0, sizeof(*r));
	r->key = arena_strdup(&c->arena, key);
	r->entitled = arena_alloc(&c->arena, size);
	r->quota = arena_alloc(&c->arena, size);
	memset(r->entitled, 0, size);
	memset(r->quota, 0, size);
	hmap_put(&c->by_key, r->key, r);
	ptrvec_push(&c->rows, r);
	return r;
}

/*
 * The row of a tenant's RDN value. People come in runs of one tenant: the
 * row found last is tried first.
 */
static struct census_row *
row_of(struct census *c, struct span v)
{
	char			 buf[KEY_MAX], *k = buf;
	struct census_row	*r;
	size_t			 i;

	if (c->last != NULL && span_is(v, c->last->key))
		return c->last;
	if (v.len >= sizeof(buf))
		k = xmalloc(v.len + 1);
	for (i = 0; i < v.len; i++)
		k[i] = (char)tolower((unsigned char)v.s[i]);
	k[v.len] = '\0';
	if ((r = hmap_get(&c->by_key, k)) == NULL)
		r = row_new(c, k);
	if (k != buf)
		free(k);
	return c->last = r;
}

/* A quota value: decimal digits, in bytes. Returns 0, or -1 if not one. */
static int
quota_bytes(struct span v, unsigned long long *n)
{
	size_t	i;

	*n = 0;
	if (v.len == 0 || v.len > 20)
		return -1;
	for (i = 0; i < v.len; i++) {
		if (v.s[i] < '0' || v.s[i] > '9' ||
		    *n > (~0ULL - (unsigned)(v.s[i] - '0')) / 10)
			return -1;
		*n = *n * 10 + (unsigned)(v.s[i] - '0');
	}
	return 0;
}

/* Sizes add up to at most the largest number: never wrap round. */
static unsigned long long
sum(unsigned long long a, unsigned long long b)
{
	return b > ~0ULL - a ? ~0ULL : a + b;
}

/*
 * A person is entitled to a service as the service's filter sees her: in
 * its group and not disabled (mutualize takes a disabled person out of the
 * groups; one left in by hand is not let in).
 */
static void
count_person(struct census *c, struct census_row *r,
    const struct census_entry *e)
{
	unsigned long long	 q;
	size_t			 k;

	r->people++;
	if (span_is(e->kind, "agent"))
		r->agents++;
	else if (span_is(e->kind, "elected"))
		r->elected++;
	if (e->disabled) {
		r->disabled++;
		return;
	}
	r->active++;
	for (k = 0; e->member != NULL && k < c->nservices; k++) {
		if (!e->member[k])
			continue;
		r->entitled[k]++;
		if (c->services[k].quota_attr == NULL || e->quota == NULL ||
		    e->quota[k].s == NULL)
			continue;
		if (quota_bytes(e->quota[k], &q) == -1)
			c->bad_quotas++;
		else
			r->quota[k] = sum(r->quota[k], q);
	}
}

void
census_take(struct census *c, const struct census_entry *e)
{
	struct census_row	*r;
	struct span		 id;

	if (e->place == PLACE_OTHER ||
	    (e->place != PLACE_TENANT && !e->managed))
		return;
	r = row_of(c, e->tenant);
	switch (e->place) {
	case PLACE_TENANT:
		id = e->ou.s != NULL ? e->ou : e->tenant;
		r->id = arena_strndup(&c->arena, id.s, id.len);
		if (e->description.s != NULL)
			r->name = arena_strndup(&c->arena, e->description.s,
			    e->description.len);
		break;
	case PLACE_PERSON:
		count_person(c, r, e);
		break;
	default:
		r->mailboxes++;
		break;
	}
}

static int
row_cmp(const void *a, const void *b)
{
	const struct census_row	*x = *(const struct census_row *const *)a;
	const struct census_row	*y = *(const struct census_row *const *)b;
	int			 d = strcmp(x->id, y->id);

	return d != 0 ? d : strcmp(x->key, y->key);
}

/* A tenant whose entry the read did not see (an ACL hid it) is its RDN value. */
void
census_done(struct census *c)
{
	struct census_row	*t = &c->total, *r;
	size_t			 i, k;

	for (i = 0; i < c->rows.n; i++) {
		r = c->rows.v[i];
		if (r->id == NULL)
			r->id = r->key;
		t->people += r->people;
		t->agents += r->agents;
		t->elected += r->elected;
		t->active += r->active;
		t->disabled += r->disabled;
		t->mailboxes += r->mailboxes;
		for (k = 0; k < c->nservices; k++) {
			t->entitled[k] += r->entitled[k];
			t->quota[k] = sum(t->quota[k], r->quota[k]);
		}
	}
	if (c->rows.n > 1)
		qsort(c->rows.v, c->rows.n, sizeof(*c->rows.v), row_cmp);
}

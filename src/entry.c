/* Directory entries as plain data: a DN, its kind and its attributes. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mutualize.h"

void
entries_init(struct entries *es)
{
	memset(es, 0, sizeof(*es));
}

void
entries_free(struct entries *es)
{
	ptrvec_free(&es->v);
	hmap_free(&es->by_key);
	hmap_free(&es->by_id);
	hmap_free(&es->strings);
	arena_free(&es->arena);
	arena_free(&es->arrays);
}

/*
 * The set's one copy of a string that most entries repeat (attribute names,
 * tenant ids, object classes): at 100,000 entries a copy each would be
 * megabytes of the same few words.
 */
static const char *
intern(struct entries *es, const char *s, size_t len)
{
	return arena_intern(&es->arena, &es->strings, s, len);
}

/*
 * DNs are compared in lowercase: every attribute mutualize names in a DN (dc,
 * ou, uid, cn) matches case-insensitively, and its own values are lowercase.
 */
const char *
dn_key(struct arena *a, const char *dn)
{
	char	*k = arena_strdup(a, dn), *p;

	for (p = k; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return k;
}

/* The number of RDNs: unescaped commas plus one. */
unsigned
dn_depth(const char *dn)
{
	unsigned	n = 1;

	if (*dn == '\0')
		return 0;
	for (; *dn != '\0'; dn++) {
		if (*dn == '\\' && dn[1] != '\0')
			dn++;
		else if (*dn == ',')
			n++;
	}
	return n;
}

/*
 * The key of a DN in buf when it fits, else in memory the caller frees.
 * Sets *same when the DN is its own key (already lowercase).
 */
static char *
lower_key(const char *dn, char *buf, size_t size, int *same)
{
	size_t	 len = strlen(dn), i;
	char	*k = len < size ? buf : xmalloc(len + 1);

	*same = 1;
	for (i = 0; i <= len; i++) {
		k[i] = (char)tolower((unsigned char)dn[i]);
		if (k[i] != dn[i])
			*same = 0;
	}
	return k;
}

/* An inetOrgPerson as mutualize writes it has 9 attributes: one allocation. */
#define ENTRY_ATTRS	9

/* The entry of the shared set with the same DN as e, if any. */
static const struct entry *
twin(struct entries *es, const struct entry *e)
{
	if (es->share == NULL)
		return NULL;
	if (es->twin_of != e) {
		es->twin_of = e;
		es->twin = hmap_get(&es->share->by_key, e->key);
	}
	return es->twin;
}

struct entry *
entries_add(struct entries *es, const char *dn, const char *tenant,
    enum entry_kind kind)
{
	struct entry		*e = NULL;
	const struct entry	*t;
	char			 buf[512], *k;
	int			 same;

	k = lower_key(dn, buf, sizeof(buf), &same);
	if (hmap_get(&es->by_key, k) != NULL)
		goto out;
	e = arena_alloc(&es->arena, sizeof(*e));
	memset(e, 0, sizeof(*e));
	if (es->share != NULL && (t = hmap_get(&es->share->by_key, k)) != NULL &&
	    strcmp(t->dn, dn) == 0) {
		e->dn = t->dn;
		e->key = t->key;
	} else {
		e->dn = arena_strdup(&es->arena, dn);
		e->key = same ? e->dn : arena_strdup(&es->arena, k);
	}
	e->tenant = tenant ? intern(es, tenant, strlen(tenant)) : NULL;
	e->kind = kind;
	e->depth = dn_depth(dn);
	hmap_put(&es->by_key, e->key, e);
	ptrvec_push(&es->v, e);
out:
	if (k != buf)
		free(k);
	return e;
}

struct entry *
entries_find(const struct entries *es, const char *dn)
{
	char		 buf[512], *k;
	struct entry	*e;
	int		 same;

	/* a DN in lowercase is its own key; keys have no capitals */
	if ((e = hmap_get(&es->by_key, dn)) != NULL)
		return e;
	k = lower_key(dn, buf, sizeof(buf), &same);
	e = hmap_get(&es->by_key, k);
	if (k != buf)
		free(k);
	return e;
}

/* Attribute names match without regard to case; most differ at the first letter. */
static int
is_attr(const char *name, const char *known)
{
	return tolower((unsigned char)*name) == tolower((unsigned char)*known) &&
	    strcasecmp(name, known) == 0;
}

const struct attr *
entry_attr(const struct entry *e, const char *name)
{
	size_t	i;

	for (i = 0; i < e->nattrs; i++)
		if (is_attr(e->attrs[i].name, name))
			return &e->attrs[i];
	return NULL;
}

/* Whether s is the value of len bytes (which may hold a NUL, s cannot). */
static int
same_value(const char *s, const char *value, size_t len)
{
	return memchr(value, '\0', len) == NULL && strncmp(s, value, len) == 0 &&
	    s[len] == '\0';
}

/*
 * A value of the shared set's entry equal to the one that comes at of's end:
 * the twin was written in the same order, so its attribute and its value at
 * the same places are looked at first; a few others after.
 */
static const char *
shared_value(struct entries *es, const struct entry *e, const struct attr *of,
    const char *value, size_t len)
{
	const struct entry	*t = twin(es, e);
	const struct attr	*a;
	size_t			 i, at = (size_t)(of - e->attrs);

	if (t == NULL)
		return NULL;
	if (at < t->nattrs && (t->attrs[at].name == of->name ||
	    is_attr(t->attrs[at].name, of->name)))
		a = &t->attrs[at];
	else if ((a = entry_attr(t, of->name)) == NULL)
		return NULL;
	if (of->nvals < a->nvals && same_value(a->vals[of->nvals], value, len))
		return a->vals[of->nvals];
	for (i = 0; a->nvals <= 8 && i < a->nvals; i++)
		if (same_value(a->vals[i], value, len))
			return a->vals[i];
	return NULL;
}

/*
 * How the values of an attribute are kept: decided once an attribute, or
 * (VALUE_UNKNOWN) only for a value the shared set does not have.
 */
enum value_kind { VALUE_UNKNOWN, VALUE_COPY, VALUE_INTERN, VALUE_MEMBER };

static enum value_kind
value_kind(const char *name)
{
	if (is_attr(name, "objectClass") || is_attr(name, "employeeType") ||
	    is_attr(name, "memberOf"))
		return VALUE_INTERN;
	return is_attr(name, "member") ? VALUE_MEMBER : VALUE_COPY;
}

/*
 * The set's copy of the value that comes after a's. A value the shared set
 * has is not copied. Object classes, employee types and memberOf (the DNs
 * of a few groups) are the same few strings on every entry; a member is
 * usually an entry of the same set, whose DN is kept once.
 */
static const char *
value_copy(struct entries *es, const struct entry *e, const struct attr *a,
    enum value_kind kind, const char *value, size_t len)
{
	const struct entry	*m;
	const char		*v;
	char			 buf[512];

	if (es->share != NULL &&
	    (v = shared_value(es, e, a, value, len)) != NULL)
		return v;
	if (kind == VALUE_UNKNOWN)
		kind = value_kind(a->name);
	if (kind == VALUE_INTERN)
		return intern(es, value, len);
	if (kind == VALUE_MEMBER && len < sizeof(buf)) {
		memcpy(buf, value, len);
		buf[len] = '\0';
		m = hmap_get(&es->by_key, buf);
		if (m != NULL && strcmp(m->dn, buf) == 0)
			return m->dn;
	}
	return arena_strndup(&es->arena, value, len);
}

void
entry_add_value(struct entries *es, struct entry *e, const char *name,
    const char *value)
{
	entry_add_valuen(es, e, name, value, strlen(value));
}

/*
 * An entry that took its twin's arrays (entry_done) and is changed after
 * all: it gets arrays of its own first, the twin is left as it was.
 */
static void
unshare(struct entries *es, struct entry *e)
{
	struct attr	*attrs = arena_alloc(&es->arrays, e->nattrs *
	    sizeof(*attrs));
	size_t		 i, cap;

	for (i = 0; i < e->nattrs; i++) {
		attrs[i] = e->attrs[i];
		for (cap = 1; cap < attrs[i].nvals; cap *= 2)
			;
		attrs[i].vals = arena_alloc(&es->arrays, cap * sizeof(char *));
		memcpy(attrs[i].vals, e->attrs[i].vals, attrs[i].nvals *
		    sizeof(char *));
	}
	e->attrs = attrs;
	e->capattrs = e->nattrs;
}

void
entry_done(struct entries *es, struct entry *e, struct arena_mark m)
{
	const struct entry	*t = twin(es, e);
	const struct attr	*a, *b;
	size_t			 i, k;

	if (t == NULL || e->nattrs == 0 || t->nattrs < e->nattrs ||
	    e->capattrs < e->nattrs)
		return;
	for (i = 0; i < e->nattrs; i++) {
		a = &e->attrs[i];
		b = &t->attrs[i];
		if (a->nvals != b->nvals || strcmp(a->name, b->name) != 0)
			return;
		for (k = 0; k < a->nvals; k++)
			if (a->vals[k] != b->vals[k] &&
			    strcmp(a->vals[k], b->vals[k]) != 0)
				return;
	}
	/* the twin's arrays are never changed: both sets only read them now */
	e->attrs = t->attrs;
	e->capattrs = 0;
	arena_release(&es->arrays, m);
}

void
entry_reserve(struct entries *es, struct entry *e, size_t n)
{
	if (e->nattrs > 0 || n <= e->capattrs)
		return;
	e->attrs = arena_alloc(&es->arrays, n * sizeof(*e->attrs));
	e->capattrs = n;
}

/* A new attribute of the entry, without values; name is the set's copy. */
static struct attr *
new_attr(struct entries *es, struct entry *e, const char *name)
{
	struct attr	*a;

	if (e->nattrs == e->capattrs) {
		struct attr	*attrs;

		e->capattrs = e->capattrs ? e->capattrs * 2 : ENTRY_ATTRS;
		attrs = arena_alloc(&es->arrays, e->capattrs * sizeof(*attrs));
		if (e->nattrs > 0)
			memcpy(attrs, e->attrs, e->nattrs * sizeof(*attrs));
		e->attrs = attrs;
	}
	a = &e->attrs[e->nattrs++];
	a->name = name;
	a->vals = NULL;
	a->nvals = 0;
	return a;
}

/*
 * The name of a new attribute: the twin's, written in the same order, when
 * it is spelt the same; else the set's copy.
 */
static const char *
attr_name(struct entries *es, const struct entry *e, const char *name)
{
	const struct entry	*t = twin(es, e);

	if (t != NULL && e->nattrs < t->nattrs &&
	    strcmp(t->attrs[e->nattrs].name, name) == 0)
		return t->attrs[e->nattrs].name;
	return intern(es, name, strlen(name));
}

/* The attribute of that name: the last one first, as values come grouped. */
static struct attr *
find_attr(struct entry *e, const char *name)
{
	if (e->nattrs > 0 && is_attr(e->attrs[e->nattrs - 1].name, name))
		return &e->attrs[e->nattrs - 1];
	return (struct attr *)entry_attr(e, name);
}

/*
 * Values arrive one at a time; arrays double in the arena (old ones stay
 * there, hence entry_reserve).
 */
void
entry_add_valuen(struct entries *es, struct entry *e, const char *name,
    const char *value, size_t len)
{
	struct attr	*a;
	const char	**vals, *v;

	if (e->capattrs < e->nattrs)
		unshare(es, e);
	if ((a = find_attr(e, name)) == NULL)
		a = new_attr(es, e, attr_name(es, e, name));
	/* Capacity is the next power of two at or above nvals. */
	if ((a->nvals & (a->nvals - 1)) == 0) {
		vals = arena_alloc(&es->arrays, (a->nvals ? a->nvals * 2 : 1) *
		    sizeof(*vals));
		if (a->nvals > 0)
			memcpy(vals, a->vals, a->nvals * sizeof(*vals));
		a->vals = vals;
	}
	v = value_copy(es, e, a, VALUE_UNKNOWN, value, len);
	a->vals[a->nvals++] = v;
}

/*
 * The attribute of the entry read before e at the same place, if it has the
 * same name: entries read in a row are mostly alike (people after people),
 * and their names and interned values are taken from it without hashing.
 */
static const struct attr *
attr_before(const struct entries *es, const struct entry *e, const char *name)
{
	const struct entry	*prev;
	size_t			 at = e->nattrs;

	if (es->v.n < 2 || es->v.v[es->v.n - 1] != e)
		return NULL;
	prev = es->v.v[es->v.n - 2];
	if (at >= prev->nattrs || strcmp(prev->attrs[at].name, name) != 0)
		return NULL;
	return &prev->attrs[at];
}

/* An interned value: the one before's at the same place when they are equal. */
static const char *
intern_like(struct entries *es, const struct attr *before, size_t i,
    const char *value, size_t len)
{
	/* with no NUL in value, equal bytes mean before's is as long */
	if (before != NULL && i < before->nvals &&
	    memchr(value, '\0', len) == NULL &&
	    strncmp(before->vals[i], value, len) == 0 &&
	    before->vals[i][len] == '\0')
		return before->vals[i];
	return intern(es, value, len);
}

/*
 * The values of an attribute read whole: its array made once, to size, and
 * how its values are kept decided once rather than for each (100,000 entries
 * of a dozen values each).
 */
void
entry_add_values(struct entries *es, struct entry *e, const char *name,
    const struct span *v, size_t n)
{
	const struct attr	*before;
	struct attr		*a;
	const char		*value;
	enum value_kind		 kind;
	size_t			 i, cap;

	if (e->capattrs < e->nattrs)
		unshare(es, e);
	if (n == 0 || (a = find_attr(e, name)) != NULL) {
		for (i = 0; i < n; i++)
			entry_add_valuen(es, e, name, v[i].s, v[i].len);
		return;
	}
	before = attr_before(es, e, name);
	a = new_attr(es, e, before != NULL ? before->name :
	    intern(es, name, strlen(name)));
	kind = value_kind(a->name);
	/* the capacity entry_add_valuen expects, should a value follow */
	for (cap = 1; cap < n; cap *= 2)
		;
	a->vals = arena_alloc(&es->arrays, cap * sizeof(*a->vals));
	for (i = 0; i < n; i++) {
		value = kind == VALUE_INTERN ?
		    intern_like(es, before, i, v[i].s, v[i].len) :
		    value_copy(es, e, a, kind, v[i].s, v[i].len);
		a->vals[a->nvals++] = value;
	}
}

/* The RDN of a DN key that ends at end: start of the attribute type. */
static const char *
rdn_start(const char *key, const char *end)
{
	const char	*p = end;

	while (p > key) {
		if (p[-1] == ',' && !(p - 1 > key && p[-2] == '\\'))
			break;
		p--;
	}
	return p;
}

static int
rdn_is(const char *rdn, const char *end, const char *want)
{
	size_t	len = strlen(want);

	return (size_t)(end - rdn) == len && strncmp(rdn, want, len) == 0;
}

/*
 * A container below the base (ou=services, ou=system: ou is "ou=services,"),
 * and cn=<service> right below it.
 */
static int
classify_container(struct entry *e, const char *base_key, const char *ou,
    enum entry_kind container, enum entry_kind child)
{
	size_t		 klen = strlen(e->key), blen = strlen(base_key);
	size_t		 olen = strlen(ou);
	const char	*end;

	if (klen < blen + olen || strcmp(e->key + klen - blen, base_key) != 0)
		return 0;
	end = e->key + klen - blen - olen;	/* where ou would start */
	if (strncmp(end, ou, olen) != 0)
		return 0;
	if (end == e->key) {
		e->kind = container;
		return 1;
	}
	if (end[-1] == ',' && strncmp(e->key, "cn=", 3) == 0 &&
	    rdn_start(e->key, end - 1) == e->key) {
		e->kind = child;
		return 1;
	}
	return 0;
}

/*
 * Recognises an entry read from the directory by where it stands:
 * ou=services and ou=system below the base, cn= below each; ou=<tenant>;
 * ou=people, ou=groups or ou=mailboxes below it; uid= below ou=people and
 * ou=mailboxes, cn= below ou=groups. Anything else is ENTRY_OTHER (still inside a tenant).
 */
void
entry_classify(struct entries *es, struct entry *e, const char *base_key,
    const char *tenants_key)
{
	size_t		 klen = strlen(e->key), tlen = strlen(tenants_key);
	const char	*end, *t, *mid, *first;

	if (strcmp(e->key, base_key) == 0) {
		e->kind = ENTRY_BASE;
		return;
	}
	if (strcmp(e->key, tenants_key) == 0) {
		e->kind = ENTRY_TENANTS;
		return;
	}
	if (classify_container(e, base_key, "ou=services,", ENTRY_SERVICES,
	    ENTRY_SERVICE) ||
	    classify_container(e, base_key, "ou=system,", ENTRY_SYSTEM,
	    ENTRY_ACCOUNT))
		return;
	if (klen <= tlen + 1 || e->key[klen - tlen - 1] != ',' ||
	    strcmp(e->key + klen - tlen, tenants_key) != 0)
		return;
	end = e->key + klen - tlen - 1;
	t = rdn_start(e->key, end);
	if (strncmp(t, "ou=", 3) != 0)
		return;
	e->tenant = intern(es, t + 3, (size_t)(end - t - 3));
	if (t == e->key) {
		e->kind = ENTRY_TENANT;
		return;
	}
	mid = rdn_start(e->key, t - 1);
	if (mid == e->key) {
		if (rdn_is(mid, t - 1, "ou=people"))
			e->kind = ENTRY_PEOPLE;
		else if (rdn_is(mid, t - 1, "ou=groups"))
			e->kind = ENTRY_GROUPS;
		else if (rdn_is(mid, t - 1, "ou=mailboxes"))
			e->kind = ENTRY_MAILBOXES;
		return;
	}
	first = rdn_start(e->key, mid - 1);
	if (first != e->key)
		return;
	if (rdn_is(mid, t - 1, "ou=people") && strncmp(first, "uid=", 4) == 0)
		e->kind = ENTRY_PERSON;
	else if (rdn_is(mid, t - 1, "ou=groups") && strncmp(first, "cn=", 3) == 0)
		e->kind = ENTRY_GROUP;
	else if (rdn_is(mid, t - 1, "ou=mailboxes") &&
	    strncmp(first, "uid=", 4) == 0)
		e->kind = ENTRY_MAILBOX;
}

int
entry_has(const struct entry *e, const char *attr, const char *value)
{
	const struct attr	*a = entry_attr(e, attr);
	size_t			 i;

	for (i = 0; a != NULL && i < a->nvals; i++)
		if (strcasecmp(a->vals[i], value) == 0)
			return 1;
	return 0;
}

int
entry_managed(const struct entry *e)
{
	return entry_has(e, "objectClass", "mutualizeManaged");
}

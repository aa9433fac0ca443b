/*
 * Logins and mail addresses. A person keeps the uid the directory already gives
 * it (found by employeeNumber); the file's login, when set, wins over both the
 * directory and the derivation. Everyone else gets policy.login expanded from
 * their names; where that login is taken, people in order of id get the first of
 * login2, login3, ... that is free, so the result never depends on the order of
 * the files. Mail addresses follow policy.mail unless the file sets one; a mail
 * or alias that two people would share cannot be numbered away and is an error,
 * as is one that a mailbox of the file has.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mutualize.h"

/*
 * Names repeat (a syndicate has many Maries): each is spelt in ASCII once. The
 * spellings live in the model's arena.
 */
struct speller {
	struct model	*m;
	struct hmap	 ascii;		/* name -> ASCII spelling */
};

/* The ASCII spelling of a name, in the model's arena. */
static const char *
spell(struct speller *sp, const char *name)
{
	char	*a = hmap_get(&sp->ascii, name), *s;

	if (a == NULL) {
		s = translit_login(name);
		a = arena_strdup(&sp->m->arena, s);
		free(s);
		hmap_put(&sp->ascii, name, a);
	}
	return a;
}

/*
 * The ASCII form of a name part, or its first letter: *len bytes from the
 * pointer returned, which *owned holds when the caller must free it.
 */
static const char *
field_value(struct speller *sp, const struct person *p, enum format_field f,
    const char *login, size_t *len, char **owned)
{
	const char	*s;

	*owned = NULL;
	switch (f) {
	case FMT_GIVEN_NAME:
	case FMT_GIVEN_INITIAL:
		s = spell(sp, p->given_name);
		break;
	case FMT_SURNAME:
	case FMT_SURNAME_INITIAL:
		s = spell(sp, p->surname);
		break;
	case FMT_ID:
		s = *owned = translit_login(p->id);
		break;
	case FMT_LOGIN:
		s = login ? login : "";
		break;
	case FMT_MAIL_DOMAIN:
		s = p->tenant->mail_domain ? p->tenant->mail_domain : "";
		break;
	default:
		s = p->tenant->id ? p->tenant->id : "";
	}
	*len = strlen(s);
	if ((f == FMT_GIVEN_INITIAL || f == FMT_SURNAME_INITIAL) && *len > 1)
		*len = 1;
	return s;
}

/*
 * Expands a (valid) format for a person. Caller frees. Each piece is put
 * where it goes, not copied first: 100,000 people have two formats each.
 */
static char *
expand(struct speller *sp, const char *fmt, const struct person *p,
    const char *login)
{
	const char	*v;
	char		*out, *owned;
	size_t		 len, n = 0, cap = 64, vlen;
	enum format_field f;

	out = xmalloc(cap);
	for (; *fmt != '\0'; fmt++) {
		owned = NULL;
		if (*fmt == '{' && (f = format_placeholder(fmt, &len)) != FMT_NONE) {
			v = field_value(sp, p, f, login, &vlen, &owned);
			fmt += len - 1;
		} else {
			v = fmt;
			vlen = 1;
		}
		if (n + vlen + 1 > cap) {
			cap = (n + vlen + 1) * 2;
			out = xreallocarray(out, cap, 1);
		}
		memcpy(out + n, v, vlen);
		n += vlen;
		free(owned);
	}
	out[n] = '\0';
	return out;
}

/* A login has no separators at its ends nor two in a row (empty name parts). */
static void
tidy_login(char *s)
{
	size_t	i, j = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if (strchr(".-_", s[i]) != NULL &&
		    (j == 0 || strchr(".-_", s[j - 1]) != NULL))
			continue;
		s[j++] = s[i];
	}
	while (j > 0 && strchr(".-_", s[j - 1]) != NULL)
		j--;
	s[j] = '\0';
}

/* Returns the login policy.login gives a person (maybe empty); caller frees. */
static char *
derive_login(struct speller *sp, const struct person *p)
{
	char	*login = expand(sp, sp->m->policy.login_format, p, NULL);

	tidy_login(login);
	return login;
}

static int
cmp_person_id(const void *a, const void *b)
{
	const struct person	*pa = *(const struct person *const *)a;
	const struct person	*pb = *(const struct person *const *)b;

	return strcmp(pa->id, pb->id);
}

/* The key of a login or an address: s itself when it has no capital. */
static const char *
lower(struct arena *a, const char *s)
{
	const char	*c;
	char		*k, *q;

	for (c = s; *c != '\0' && !isupper((unsigned char)*c); c++)
		;
	if (*c == '\0')
		return s;
	k = arena_strdup(a, s);
	for (q = k; *q != '\0'; q++)
		*q = (char)tolower((unsigned char)*q);
	return k;
}

/*
 * A string of the model's arena, as it was before if unchanged: identities
 * are assigned twice, before the directory is read and after.
 */
static const char *
keep(struct arena *a, const char *before, const char *now)
{
	return before != NULL && strcmp(before, now) == 0 ? before :
	    arena_strdup(a, now);
}

/*
 * Claims a login for a person that cannot be renumbered (set in the file or
 * held in the directory). Reports who else has it.
 */
static void
claim(struct model *m, struct hmap *owners, const struct hmap *held,
    struct person *p, const char *login, struct diags *d)
{
	const char		*key = lower(&m->arena, login);
	const struct person	*other = hmap_get(owners, key);
	const char		*holder = hmap_get(held, key);

	p->login = NULL;	/* no mail is derived from a login in dispute */
	if (other != NULL)
		diag_add(d, p->login_set ? p->login_pos : p->id_pos, "login \"%s\" "
		    "of person \"%s\" is also the login of person \"%s\"", login,
		    p->id, other->id);
	else if (holder != NULL && strcmp(holder, p->id) != 0)
		diag_add(d, p->login_pos, "login \"%s\" of person \"%s\" is held in "
		    "the directory by employeeNumber \"%s\"", login, p->id, holder);
	else {
		p->login = login;
		hmap_put(owners, key, p);
	}
}

/* base, or base followed by n when n > 1, without printf's cost. */
static void
number(char *out, const char *base, size_t n)
{
	char	digits[24];
	size_t	len = strlen(base), k = 0;

	memcpy(out, base, len);
	if (n > 1)
		for (; n > 0; n /= 10)
			digits[k++] = (char)('0' + n % 10);
	while (k > 0)
		out[len++] = digits[--k];
	out[len] = '\0';
}

/*
 * The first free login from base: base itself, then base2, base3... The next
 * number to try is kept for each base, so that a thousand namesakes do not
 * each try every number before theirs.
 */
static char *
free_login(struct model *m, struct hmap *owners, const struct hmap *held,
    struct hmap *next, const char *base)
{
	size_t	*n = hmap_get(next, base);
	char	*login;

	if (n == NULL) {
		n = arena_alloc(&m->arena, sizeof(*n));
		*n = 1;
		hmap_put(next, arena_strdup(&m->arena, base), n);
	}
	login = xmalloc(strlen(base) + 24);
	for (;; (*n)++) {
		number(login, base, *n);
		if (hmap_get(owners, login) == NULL && hmap_get(held, login) == NULL)
			return login;
	}
}

static void
assign_logins(struct speller *sp, const struct entries *current,
    struct diags *d)
{
	struct model	*m = sp->m;
	struct hmap	 owners = { 0 }, held = { 0 }, next = { 0 };
	struct ptrvec	 fresh = { 0 };
	size_t		 i, j;

	/* Every uid of the directory is taken, by whoever holds it. */
	for (i = 0; current != NULL && i < current->v.n; i++) {
		const struct entry	*e = current->v.v[i];
		const struct attr	*uid = entry_attr(e, "uid");
		const struct attr	*id = entry_attr(e, "employeeNumber");

		if (e->kind == ENTRY_PERSON && uid != NULL && uid->nvals > 0)
			hmap_put(&held, lower(&m->arena, uid->vals[0]),
			    (void *)(id != NULL && id->nvals > 0 ? id->vals[0] : ""));
	}
	for (i = 0; i < m->ntenants; i++)
		for (j = 0; j < m->tenants[i].npeople; j++) {
			struct person		*p = &m->tenants[i].people[j];
			const struct entry	*e = NULL;
			const struct attr	*uid;

			if (p->id == NULL || p->given_name == NULL ||
			    p->surname == NULL)
				continue;
			if (current != NULL)
				e = hmap_get(&current->by_id, p->id);
			if (p->login_set != NULL)
				claim(m, &owners, &held, p, p->login_set, d);
			else if (e != NULL && (uid = entry_attr(e, "uid")) != NULL &&
			    uid->nvals > 0)
				claim(m, &owners, &held, p, uid->vals[0], d);
			else
				ptrvec_push(&fresh, p);
		}
	if (fresh.n > 1)
		qsort(fresh.v, fresh.n, sizeof(*fresh.v), cmp_person_id);
	for (i = 0; i < fresh.n; i++) {
		struct person	*p = fresh.v[i];
		char		*base = derive_login(sp, p);
		char		*login = free_login(m, &owners, &held, &next, base);

		if (base[0] == '\0') {
			diag_add(d, p->pos, "no login can be derived for person \"%s\" "
			    "from \"%s\"; set login", p->id, m->policy.login_format);
			p->login = NULL;	/* and no mail derived from it */
		} else if (strlen(login) > LOGIN_MAX) {
			diag_add(d, p->pos, "the login derived for person \"%s\" "
			    "(\"%.24s...\") has %zu characters, more than %d: set "
			    "login", p->id, login, strlen(login), LOGIN_MAX);
			p->login = NULL;	/* and no mail derived from it */
		} else {
			p->login = keep(&m->arena, p->login, login);
			hmap_put(&owners, p->login, p);
		}
		free(login);
		free(base);
	}
	ptrvec_free(&fresh);
	hmap_free(&owners);
	hmap_free(&held);
	hmap_free(&next);
}

/*
 * A derived address obeys what a written one does (valid_mail: 64 characters
 * before the '@', a domain name after); long names would otherwise make
 * addresses no mail server takes.
 */
static void
derived_mail_check(const struct person *p, struct diags *d)
{
	const char	*at = strrchr(p->mail, '@');

	if (valid_mail(p->mail))
		return;
	if (at != NULL && at - p->mail > 64)
		diag_add(d, p->pos, "the mail address derived for person \"%s\" "
		    "(\"%.24s...\") has %zu characters before the '@', more "
		    "than 64: set mail", p->id, p->mail, (size_t)(at - p->mail));
	else
		diag_add(d, p->pos, "the mail address derived for person \"%s\", "
		    "\"%s\", is not an address: set mail", p->id, p->mail);
}

/* Mails and aliases share one space: an address belongs to one person. */
static void
take_address(struct model *m, struct hmap *addrs, const struct person *p,
    const char *addr, struct pos pos, struct diags *d)
{
	const char		*key = lower(&m->arena, addr);
	const struct person	*other = hmap_get(addrs, key);

	if (other == NULL)
		hmap_put(addrs, key, (void *)p);
	else if (other == p)
		diag_add(d, pos, "address \"%s\" is given twice to person \"%s\"",
		    addr, p->id);
	else
		diag_add(d, pos, "address \"%s\" of person \"%s\" is also an address "
		    "of person \"%s\"; set mail for one of them", addr, p->id,
		    other->id);
}

/* A mailbox's address is no person's mail or alias. */
static void
mailboxes_apart(struct model *m, const struct hmap *addrs, struct diags *d)
{
	const struct person	*p;
	size_t			 i, j;

	for (i = 0; i < m->ntenants; i++)
		for (j = 0; j < m->tenants[i].nmailboxes; j++) {
			const struct mailbox	*b = &m->tenants[i].mailboxes[j];

			if (b->address == NULL || b->id == NULL ||
			    (p = hmap_get(addrs, lower(&m->arena,
			    b->address))) == NULL)
				continue;
			diag_add(d, b->address_pos, "address \"%s\" of mailbox "
			    "\"%s\" is also an address of person \"%s\"",
			    b->address, b->id, p->id);
		}
}

static void
assign_mails(struct speller *sp, struct diags *d)
{
	struct model	*m = sp->m;
	struct hmap	 addrs = { 0 };
	size_t		 i, j, k;
	char		*mail;

	for (i = 0; i < m->ntenants; i++)
		for (j = 0; j < m->tenants[i].npeople; j++) {
			struct person	*p = &m->tenants[i].people[j];

			if (p->login == NULL)
				continue;
			if (p->mail_set != NULL)
				p->mail = p->mail_set;
			else {
				mail = expand(sp, m->policy.mail_format, p, p->login);
				p->mail = keep(&m->arena, p->mail, mail);
				free(mail);
				derived_mail_check(p, d);
			}
			take_address(m, &addrs, p, p->mail, p->mail_set ?
			    p->mail_pos : p->id_pos, d);
			for (k = 0; k < p->naliases; k++)
				take_address(m, &addrs, p, p->aliases[k].id,
				    p->aliases[k].pos, d);
		}
	mailboxes_apart(m, &addrs, d);
	hmap_free(&addrs);
}

/* The managed people and mailboxes of the directory by their addresses to keep. */
static void
held_addresses(struct model *m, const struct entries *current,
    struct hmap *held)
{
	static const char *const kept[] = { "mail", "mutualizeFormerMail", NULL };
	size_t	i, k, v;

	for (i = 0; i < current->v.n; i++) {
		const struct entry	*e = current->v.v[i];

		if (!ENTRY_IS_USER(e->kind) || !entry_managed(e))
			continue;
		for (k = 0; kept[k] != NULL; k++) {
			const struct attr	*a = entry_attr(e, kept[k]);

			for (v = 0; a != NULL && v < a->nvals; v++)
				if (hmap_get(held, lower(&m->arena,
				    a->vals[v])) == NULL)
					hmap_put(held, lower(&m->arena,
					    a->vals[v]), (void *)e);
		}
	}
}

/*
 * A mailbox's address is no other entry's mail or former address in the
 * directory: those stay their owner's addresses (a former one an alias), and
 * mail to the mailbox would go there.
 */
static void
mailboxes_unheld(struct model *m, const struct entries *current,
    struct diags *d)
{
	struct hmap		 held = { 0 };
	const struct entry	*e;
	const struct attr	*key;
	size_t			 i, j;
	int			 read = 0;

	for (i = 0; i < m->ntenants; i++)
		for (j = 0; j < m->tenants[i].nmailboxes; j++) {
			const struct mailbox	*b = &m->tenants[i].mailboxes[j];

			if (b->address == NULL || b->id == NULL ||
			    m->tenants[i].id == NULL)
				continue;
			if (!read++)
				held_addresses(m, current, &held);
			if ((e = hmap_get(&held, lower(&m->arena,
			    b->address))) == NULL)
				continue;
			key = entry_attr(e, "employeeNumber");
			if (e->kind == ENTRY_MAILBOX && key != NULL &&
			    key->nvals > 0 && strcmp(key->vals[0], mailbox_key(
			    &m->arena, m->tenants[i].id, b->id)) == 0)
				continue;	/* its own */
			diag_add(d, b->address_pos, "address \"%s\" of mailbox "
			    "\"%s\" is an address of %s in the directory: mail "
			    "to it goes there", b->address, b->id, e->dn);
		}
	hmap_free(&held);
}

size_t
model_identities(struct model *m, const struct entries *current, struct diags *d)
{
	struct speller	sp = { m, { 0 } };
	size_t		before = d->n;

	assign_logins(&sp, current, d);
	assign_mails(&sp, d);
	if (current != NULL)
		mailboxes_unheld(m, current, d);
	hmap_free(&sp.ascii);
	return d->n - before;
}

/*
 * The connectors: what the services cannot read from LDAP, told them once the
 * changes it depends on were made in the directory.
 *
 *   SCIM 2.0 (RFC 7643, 7644)  users of a service created or updated (PUT of
 *                              the whole resource), deactivated, and the
 *                              tenants' groups with their entitled members;
 *                              found again by externalId, the person's id
 *   webhook                    a JSON POST of each change made, signed with
 *                              HMAC-SHA256 over the body
 *   welcome mail               SMTP, STARTTLS when the server offers it, to
 *                              each new person or to their tenant's admins
 *
 * Planning the calls reads only the plan and the two pictures, so that a dry
 * run lists exactly what apply will call. Each call has a timeout and a few
 * tries with a growing pause; a failure is reported and never undoes LDAP.
 * Secrets are read from files before any packet, given to libcurl only as
 * options, and wiped when done.
 */
#include <curl/curl.h>
#include <nettle/hmac.h>
#include <sys/random.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "mutualize.h"

#define CONNECT_TIMEOUT	5L	/* seconds to reach a server */
#define CALL_TIMEOUT	20L	/* seconds for one request */
#define TRIES		3	/* attempts of one request */
#define PAUSE_MS	250	/* before the second attempt; doubled after */
#define WELCOME_MAX	65536	/* bytes of the welcome template */

#define SCIM_USER	"urn:ietf:params:scim:schemas:core:2.0:User"
#define SCIM_GROUP	"urn:ietf:params:scim:schemas:core:2.0:Group"
#define SCIM_PATCH	"urn:ietf:params:scim:api:messages:2.0:PatchOp"

/* What the welcome template may name; {password} only when the policy says. */
static const char *const welcome_fields[] = {
	"given_name", "surname", "login", "mail", "tenant", "syndicate",
	"password", NULL
};

static size_t
load_welcome(struct connectors *cn, const char *dir, struct diags *d)
{
	const struct model	*m = cn->m;
	char			*path;
	const char		*pw;
	struct pos		 pos = { NULL, 0, 0 };
	size_t			 before = d->n, len = 0;
	FILE			*fp;
	long			 at;

	path = xasprintf("%s/%s", dir, m->welcome.template);
	pos.file = path;
	if ((fp = fopen(path, "r")) == NULL) {
		diag_add(d, m->welcome.pos, "welcome template %s: %s", path,
		    strerror(errno));
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

size_t
connectors_load(struct connectors *cn, const struct model *m, const char *dir,
    struct diags *d)
{
	size_t	before = d->n, i;

	memset(cn, 0, sizeof(*cn));
	cn->m = m;
	cn->scim_tokens = xcalloc(m->nservices ? m->nservices : 1,
	    sizeof(*cn->scim_tokens));
	if (m->webhook.url != NULL)
		cn->webhook_secret = secret_read_file(m, "secret_file",
		    m->webhook.secret_file, m->webhook.pos, d);
	for (i = 0; i < m->nservices; i++) {
		const struct scim	*sc = &m->services[i].scim;

		if (sc->url != NULL)
			cn->scim_tokens[i] = secret_read_file(m, "token_file",
			    sc->token_file, sc->pos, d);
	}
	if (m->welcome.url != NULL)
		load_welcome(cn, dir, d);
	return d->n - before;
}

static void
call_free(struct call *c)
{
	if (c->body != NULL) {
		explicit_bzero(c->body, strlen(c->body));
		free(c->body);
	}
	free(c);
}

void
connectors_free(struct connectors *cn)
{
	size_t	i;

	for (i = 0; i < cn->calls.n; i++)
		call_free(cn->calls.v[i]);
	ptrvec_free(&cn->calls);
	secret_free(cn->webhook_secret);
	for (i = 0; cn->scim_tokens != NULL && i < cn->m->nservices; i++)
		secret_free(cn->scim_tokens[i]);
	free(cn->scim_tokens);
	free(cn->welcome);
	arena_free(&cn->arena);
	memset(cn, 0, sizeof(*cn));
}

static struct call *
call_new(struct connectors *cn, enum call_kind kind, const struct service *s)
{
	struct call	*c = xcalloc(1, sizeof(*c));

	c->kind = kind;
	c->service = s;
	ptrvec_push(&cn->calls, c);
	return c;
}

static const char *
attr1(const struct entry *e, const char *name)
{
	const struct attr	*a = entry_attr(e, name);

	return a != NULL && a->nvals > 0 ? a->vals[0] : "";
}

static const struct entry *
person_at(const struct entries *es, const char *dn)
{
	const struct entry	*e = dn != NULL ? entries_find(es, dn) : NULL;

	return e != NULL && e->kind == ENTRY_PERSON ? e : NULL;
}

/* A body built in memory; the caller frees. */
struct text {
	char	*s;
	size_t	 len;
	FILE	*fp;
};

static FILE *
text_open(struct text *t)
{
	t->s = NULL;
	t->len = 0;
	if ((t->fp = open_memstream(&t->s, &t->len)) == NULL) {
		fputs("mutualize: out of memory\n", stderr);
		abort();
	}
	return t->fp;
}

static char *
text_close(struct text *t)
{
	fclose(t->fp);
	return t->s;
}

/* --- webhook ------------------------------------------------------------ */

static void
plan_webhook(struct connectors *cn, const struct change *ch)
{
	struct call	*c = call_new(cn, CALL_WEBHOOK, NULL);
	struct text	 t;
	FILE		*fp = text_open(&t);
	static const char *const ops[] = {
		"add", "modify", "modrdn", "delete"
	};

	fputs("{\"syndicate\": ", fp);
	json_string(fp, cn->m->syndicate.id);
	fputs(", \"change\": ", fp);
	plan_print_change_json(ch, fp);
	fputs("}\n", fp);
	c->body = text_close(&t);
	c->what = arena_printf(&cn->arena, "POST %s (webhook: %s %s)",
	    cn->m->webhook.url, ops[ch->op], ch->dn);
}

/* --- SCIM: planning ----------------------------------------------------- */

/* A user as SCIM has it, from a person's entry. */
static char *
scim_user(const struct entry *e, int active)
{
	struct text	 t;
	FILE		*fp = text_open(&t);

	fputs("{\"schemas\": [\"" SCIM_USER "\"], \"externalId\": ", fp);
	json_string(fp, attr1(e, "employeeNumber"));
	fputs(", \"userName\": ", fp);
	json_string(fp, attr1(e, "uid"));
	fputs(", \"name\": {\"givenName\": ", fp);
	json_string(fp, attr1(e, "givenName"));
	fputs(", \"familyName\": ", fp);
	json_string(fp, attr1(e, "sn"));
	fputs("}, \"displayName\": ", fp);
	json_string(fp, attr1(e, "displayName"));
	fputs(", \"emails\": [{\"value\": ", fp);
	json_string(fp, attr1(e, "mail"));
	fprintf(fp, ", \"type\": \"work\", \"primary\": true}], "
	    "\"active\": %s}\n", active ? "true" : "false");
	return text_close(&t);
}

struct scim_planner {
	struct connectors	*cn;
	const struct service	*s;
	const struct entry	*want, *had;	/* its group: new, old */
	struct hmap		 seen;		/* externalIds with a call */
};

static void
scim_person(struct scim_planner *sp, const struct entry *e, int entitled)
{
	const char	*id = attr1(e, "employeeNumber");
	struct call	*c;

	if (*id == '\0' || hmap_get(&sp->seen, id) != NULL)
		return;
	hmap_put(&sp->seen, id, (void *)e);
	c = call_new(sp->cn, entitled ? CALL_SCIM_USER : CALL_SCIM_DEACTIVATE,
	    sp->s);
	c->key = arena_strdup(&sp->cn->arena, id);
	c->body = entitled ? scim_user(e, 1) : NULL;
	c->what = arena_printf(&sp->cn->arena, "SCIM %s: %s user %s (%s) at %s",
	    sp->s->id, entitled ? "create or update" : "deactivate",
	    attr1(e, "uid"), id, sp->s->scim.url);
}

static int
in_group(const struct entry *group, const struct entry *person)
{
	return group != NULL && person != NULL &&
	    entry_has(group, "member", person->dn);
}

/* People: created or updated while entitled, deactivated when no longer. */
static void
scim_people(struct scim_planner *sp, const struct change *ch,
    const struct entries *desired, const struct entries *current)
{
	const struct entry	*e = ch->entry, *now;
	const struct mod	*mod;
	size_t			 i, j;

	if (ch->why == WHY_DRIFT)
		return;		/* the same members, written again */
	if (e->kind == ENTRY_SERVICE && ch->op == CHANGE_MODIFY &&
	    e == sp->had) {
		for (i = 0; i < ch->nmods; i++) {
			mod = &ch->mods[i];
			if (strcasecmp(mod->attr, "member") != 0)
				continue;
			for (j = 0; j < mod->nvals; j++) {
				if (mod->op == MOD_ADD &&
				    (now = person_at(desired, mod->vals[j])))
					scim_person(sp, now, 1);
				else if (mod->op == MOD_DELETE &&
				    (now = person_at(current, mod->vals[j])))
					scim_person(sp, now, 0);
			}
		}
		return;
	}
	if (e->kind != ENTRY_PERSON)
		return;
	switch (ch->op) {
	case CHANGE_ADD:
		if (in_group(sp->want, e))
			scim_person(sp, e, 1);
		break;
	case CHANGE_MODRDN:
	case CHANGE_MODIFY:
		now = person_at(desired, ch->op == CHANGE_MODRDN ? ch->newdn :
		    ch->dn);
		if (ch->why != WHY_DISABLE && in_group(sp->want, now))
			scim_person(sp, now, 1);
		else if (in_group(sp->had, e))
			scim_person(sp, e, 0);
		break;
	default:
		if (in_group(sp->had, e))
			scim_person(sp, e, 0);
	}
}

/* A tenant's group: its entitled members, known to SCIM by their ids. */
static void
scim_group(struct scim_planner *sp, const struct change *ch,
    const struct entries *desired)
{
	const struct entry	*e = ch->entry, *g, *p;
	const struct attr	*members;
	const char		*tenant = e->tenant ? e->tenant : "";
	struct arena		*a = &sp->cn->arena;
	struct call		*c;
	size_t			 i, n;

	if (e->kind != ENTRY_GROUP || ch->op == CHANGE_MODRDN)
		return;
	c = call_new(sp->cn, ch->op == CHANGE_DELETE ? CALL_SCIM_UNGROUP :
	    CALL_SCIM_GROUP, sp->s);
	c->key = arena_printf(a, "%s/%s", tenant, attr1(e, "cn"));
	if (ch->op == CHANGE_DELETE) {
		c->what = arena_printf(a, "SCIM %s: delete group %s at %s",
		    sp->s->id, c->key, sp->s->scim.url);
		return;
	}
	g = ch->op == CHANGE_ADD ? e : entries_find(desired, ch->dn);
	members = g != NULL ? entry_attr(g, "member") : NULL;
	n = members != NULL ? members->nvals : 0;
	c->members = arena_alloc(a, (n + 1) * sizeof(*c->members));
	for (i = 0; i < n; i++)
		if ((p = person_at(desired, members->vals[i])) != NULL &&
		    in_group(sp->want, p))
			c->members[c->nmembers++] = attr1(p, "employeeNumber");
	c->name = arena_printf(a, "%s (%s)", attr1(g ? g : e, "description"),
	    tenant);
	c->what = arena_printf(a, "SCIM %s: create or update group %s (%zu "
	    "member%s) at %s", sp->s->id, c->key, c->nmembers,
	    c->nmembers == 1 ? "" : "s", sp->s->scim.url);
}

static void
plan_scim(struct connectors *cn, const struct service *s, const struct plan *p,
    size_t done, const struct entries *desired, const struct entries *current)
{
	struct scim_planner	 sp;
	char			*gdn = xasprintf("cn=%s,ou=services,%s", s->id,
	    cn->m->syndicate.base_dn);
	size_t			 i;

	memset(&sp, 0, sizeof(sp));
	sp.cn = cn;
	sp.s = s;
	sp.want = entries_find(desired, gdn);
	sp.had = entries_find(current, gdn);
	free(gdn);
	/* Users first, so that the groups find their members. */
	for (i = 0; i < done; i++)
		scim_people(&sp, &p->v[i], desired, current);
	for (i = 0; i < done; i++)
		scim_group(&sp, &p->v[i], desired);
	hmap_free(&sp.seen);
}

/* --- welcome mail: planning ---------------------------------------------- */

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
		attr1(e, "givenName"), attr1(e, "sn"), attr1(e, "uid"),
		attr1(e, "mail"), tenant_name(m, e->tenant), m->syndicate.name,
		password != NULL ? password : "(password)", NULL
	};
	char			*text = placeholder_expand(cn->welcome,
	    welcome_fields, vals), *body, date[64], *out;
	unsigned char		 rnd[12];
	struct text		 t;
	FILE			*fp = text_open(&t);
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
	out = text_close(&t);
	explicit_bzero(text, strlen(text) + strlen(body + 2) + 2);
	free(text);
	return out;
}

static void
plan_welcome(struct connectors *cn, const struct change *ch,
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
		if (*attr1(e, "mail") == '\0')
			return;
		c = call_new(cn, CALL_MAIL, NULL);
		c->key = attr1(e, "mail");
		c->body = welcome_message(cn, e, c->key, password);
		c->what = arena_printf(&cn->arena, "SMTP %s: welcome mail for "
		    "%s to %s", cn->m->welcome.url, attr1(e, "uid"), c->key);
		return;
	}
	dn = xasprintf("cn=admins,ou=groups,ou=%s,ou=tenants,%s", e->tenant,
	    cn->m->syndicate.base_dn);
	admins = entries_find(desired, dn);
	free(dn);
	members = admins != NULL ? entry_attr(admins, "member") : NULL;
	for (i = 0; members != NULL && i < members->nvals; i++) {
		if ((a = person_at(desired, members->vals[i])) == NULL ||
		    *attr1(a, "mail") == '\0')
			continue;
		c = call_new(cn, CALL_MAIL, NULL);
		c->key = attr1(a, "mail");
		c->body = welcome_message(cn, e, c->key, password);
		c->what = arena_printf(&cn->arena, "SMTP %s: welcome mail for "
		    "%s to %s, an admin of %s", cn->m->welcome.url,
		    attr1(e, "uid"), c->key, e->tenant);
	}
}

void
connectors_plan(struct connectors *cn, const struct plan *p, size_t done,
    const struct entries *desired, const struct entries *current,
    char *const *passwords)
{
	const struct model	*m = cn->m;
	size_t			 i;

	/* The calls of an earlier plan (the one printed) are replaced. */
	for (i = 0; i < cn->calls.n; i++)
		call_free(cn->calls.v[i]);
	cn->calls.n = 0;
	if (m->webhook.url != NULL)
		for (i = 0; i < done; i++)
			plan_webhook(cn, &p->v[i]);
	for (i = 0; i < m->nservices; i++)
		if (m->services[i].scim.url != NULL)
			plan_scim(cn, &m->services[i], p, done, desired,
			    current);
	if (m->welcome.url != NULL)
		for (i = 0; i < done; i++)
			plan_welcome(cn, &p->v[i], desired, passwords != NULL &&
			    m->policy.welcome_password ? passwords[i] : NULL);
}

void
connectors_print(const struct connectors *cn, FILE *fp)
{
	size_t	i;

	if (cn->calls.n == 0)
		return;
	fprintf(fp, "\nThen %zu call%s to the services, once the directory is "
	    "changed:\n", cn->calls.n, cn->calls.n == 1 ? "" : "s");
	for (i = 0; i < cn->calls.n; i++) {
		const struct call	*c = cn->calls.v[i];

		fprintf(fp, "  %s\n", c->what);
	}
}

/* --- making the calls --------------------------------------------------- */

struct request {
	const char	*method, *url;
	const char	*token;		/* bearer, or NULL */
	const char	*type;		/* of the body, or NULL */
	const char	*signature;	/* X-Mutualize-Signature, or NULL */
	const char	*body;		/* or NULL */
};

static size_t
on_answer(char *data, size_t size, size_t n, void *arg)
{
	return fwrite(data, size, n, ((struct text *)arg)->fp) * size;
}

static void
pause_ms(long ms)
{
	struct timespec	ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * One HTTP request, tried again after a growing pause when the server cannot
 * be reached, is busy (429) or fails (5xx). Returns the last HTTP status, 0
 * when there was no answer (err says why); *answer is the body (caller frees).
 */
static long
http(const struct request *r, char **answer, char *err, size_t errlen)
{
	CURL			*h = curl_easy_init();
	struct curl_slist	*headers = NULL;
	struct text		 t;
	char			 buf[CURL_ERROR_SIZE] = "", *hdr;
	long			 status = 0;
	int			 try;
	CURLcode		 rc = CURLE_OK;

	*answer = NULL;
	if (h == NULL) {
		snprintf(err, errlen, "cannot start libcurl");
		return 0;
	}
	headers = curl_slist_append(headers, "Accept: application/scim+json, "
	    "application/json");
	if (r->type != NULL) {
		hdr = xasprintf("Content-Type: %s", r->type);
		headers = curl_slist_append(headers, hdr);
		free(hdr);
	}
	if (r->signature != NULL) {
		hdr = xasprintf("X-Mutualize-Signature: sha256=%s",
		    r->signature);
		headers = curl_slist_append(headers, hdr);
		free(hdr);
	}
	curl_easy_setopt(h, CURLOPT_URL, r->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, CALL_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "mutualize/" MUTUALIZE_VERSION);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, buf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_answer);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
	if (r->body != NULL)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body);
	if (r->token != NULL) {
		/* libcurl writes the header: no buffer of ours holds it. */
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
		curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, r->token);
	}
	for (try = 0; try < TRIES; try++) {
		if (try > 0)
			pause_ms((long)PAUSE_MS << (try - 1));
		free(*answer);
		text_open(&t);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
		rc = curl_easy_perform(h);
		*answer = text_close(&t);
		status = 0;
		if (rc == CURLE_OK)
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		if (rc == CURLE_OK && status != 429 && status < 500)
			break;
	}
	if (rc != CURLE_OK)
		snprintf(err, errlen, "%s (after %d tries)", buf[0] ? buf :
		    curl_easy_strerror(rc), TRIES);
	else if (status < 200 || status > 299)
		snprintf(err, errlen, "HTTP %ld%s: %.200s", status,
		    try == TRIES ? " (after 3 tries)" : "", *answer);
	curl_slist_free_all(headers);
	curl_easy_cleanup(h);
	return status;
}

/* The request, answered with a 2xx? Returns 0, or -1 with err saying why. */
static int
http_ok(const struct request *r, char *err, size_t errlen)
{
	char	*answer;
	long	 status = http(r, &answer, err, errlen);

	free(answer);
	return status >= 200 && status <= 299 ? 0 : -1;
}

/* HMAC-SHA256 of the body with the secret, in hexadecimal. */
static void
sign(const char *key, const char *body, char hex[SHA256_DIGEST_SIZE * 2 + 1])
{
	struct hmac_sha256_ctx	ctx;
	uint8_t			mac[SHA256_DIGEST_SIZE];
	size_t			i;

	hmac_sha256_set_key(&ctx, strlen(key), (const uint8_t *)key);
	hmac_sha256_update(&ctx, strlen(body), (const uint8_t *)body);
	hmac_sha256_digest(&ctx, sizeof(mac), mac);
	for (i = 0; i < sizeof(mac); i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	explicit_bzero(&ctx, sizeof(ctx));
}

static int
run_webhook(struct connectors *cn, struct call *c, char *err, size_t errlen)
{
	char		 sig[SHA256_DIGEST_SIZE * 2 + 1];
	struct request	 r = { "POST", cn->m->webhook.url, NULL,
	    "application/json", sig, c->body };

	sign(cn->webhook_secret, c->body, sig);
	return http_ok(&r, err, errlen);
}

/*
 * The first "id" member of a JSON text: the id of a created resource, or of
 * the first of a list. Returns 0, or -1 when there is none.
 */
static int
json_first_id(const char *s, char *out, size_t outlen)
{
	const char	*p = s, *start, *q;
	size_t		 len;

	while (*p != '\0') {
		if (*p++ != '"')
			continue;
		for (start = p; *p != '\0' && *p != '"'; p++)
			if (*p == '\\' && p[1] != '\0')
				p++;
		if (*p == '\0')
			return -1;
		len = (size_t)(p++ - start);
		q = p + strspn(p, " \t\r\n");
		if (*q != ':' || len != 2 || strncmp(start, "id", 2) != 0)
			continue;
		q += 1 + strspn(q + 1, " \t\r\n");
		if (*q++ != '"')
			return -1;
		len = strcspn(q, "\"\\");
		if (q[len] != '"' || len == 0 || len >= outlen)
			return -1;
		memcpy(out, q, len);
		out[len] = '\0';
		return 0;
	}
	return -1;
}

/* Where a service's SCIM resources of a type are, without a doubled '/'. */
static char *
scim_url(const struct service *s, const char *type, const char *id)
{
	size_t	len = strlen(s->scim.url);

	if (len > 0 && s->scim.url[len - 1] == '/')
		len--;
	return id != NULL ? xasprintf("%.*s/%s/%s", (int)len, s->scim.url, type,
	    id) : xasprintf("%.*s/%s", (int)len, s->scim.url, type);
}

/*
 * The id the SCIM server gave the resource with that externalId. Returns 1
 * when found, 0 when there is none, -1 when the lookup failed.
 */
static int
scim_find(const struct service *s, const char *token, const char *type,
    const char *external_id, char *id, size_t idlen, char *err, size_t errlen)
{
	CURL		*h = curl_easy_init();
	char		*filter, *esc, *base, *url, *answer = NULL;
	struct request	 r = { "GET", NULL, token, NULL, NULL, NULL };
	long		 status;
	int		 ret = -1;

	if (h == NULL) {
		snprintf(err, errlen, "cannot start libcurl");
		return -1;
	}
	/* The ids are person ids and tenant/group: no quote to escape. */
	filter = xasprintf("externalId eq \"%s\"", external_id);
	esc = curl_easy_escape(h, filter, 0);
	base = scim_url(s, type, NULL);
	url = xasprintf("%s?filter=%s", base, esc);
	r.url = url;
	status = http(&r, &answer, err, errlen);
	if (status == 200)
		ret = json_first_id(answer, id, idlen) == 0;
	curl_free(esc);
	curl_easy_cleanup(h);
	free(filter);
	free(base);
	free(url);
	free(answer);
	return ret;
}

/* A request on a resource, or on all of its type when id is NULL. */
static int
scim_send(const struct service *s, const char *type, const char *id,
    struct request *r, char *err, size_t errlen)
{
	char	*url = scim_url(s, type, id);
	int	 rc;

	r->url = url;
	rc = http_ok(r, err, errlen);
	free(url);
	return rc;
}

/* Creates (POST) or replaces (PUT) the resource, found by its externalId. */
static int
scim_put(const struct service *s, const char *token, const char *type,
    const char *external_id, const char *body, char *err, size_t errlen)
{
	char		 id[256];
	struct request	 r = { NULL, NULL, token, "application/scim+json", NULL,
	    body };
	int		 found;

	if ((found = scim_find(s, token, type, external_id, id, sizeof(id), err,
	    errlen)) == -1)
		return -1;
	r.method = found ? "PUT" : "POST";
	return scim_send(s, type, found ? id : NULL, &r, err, errlen);
}

/* Deactivates a user (PATCH active), or deletes a group; none is done. */
static int
scim_remove(const struct service *s, const char *token, const char *type,
    const char *external_id, char *err, size_t errlen)
{
	static const char patch[] = "{\"schemas\": [\"" SCIM_PATCH "\"], "
	    "\"Operations\": [{\"op\": \"replace\", \"path\": \"active\", "
	    "\"value\": false}]}\n";
	char		 id[256];
	struct request	 r = { NULL, NULL, token, NULL, NULL, NULL };
	int		 found, user = strcmp(type, "Users") == 0;

	if ((found = scim_find(s, token, type, external_id, id, sizeof(id), err,
	    errlen)) != 1)
		return found;	/* nothing there: nothing to do */
	r.method = user ? "PATCH" : "DELETE";
	r.type = user ? "application/scim+json" : NULL;
	r.body = user ? patch : NULL;
	return scim_send(s, type, id, &r, err, errlen);
}

static int
scim_group_put(const struct call *c, const char *token, char *err,
    size_t errlen)
{
	struct text	 t;
	FILE		*fp = text_open(&t);
	char		 id[256], *body;
	size_t		 i, n = 0;
	int		 rc;

	fputs("{\"schemas\": [\"" SCIM_GROUP "\"], \"externalId\": ", fp);
	json_string(fp, c->key);
	fputs(", \"displayName\": ", fp);
	json_string(fp, c->name);
	fputs(", \"members\": [", fp);
	for (i = 0; i < c->nmembers; i++) {
		rc = scim_find(c->service, token, "Users", c->members[i], id,
		    sizeof(id), err, errlen);
		if (rc == -1) {
			free(text_close(&t));
			return -1;
		}
		if (rc == 0)
			continue;	/* not provisioned there */
		fprintf(fp, "%s{\"value\": ", n++ > 0 ? ", " : "");
		json_string(fp, id);
		fputc('}', fp);
	}
	fputs("]}\n", fp);
	body = text_close(&t);
	rc = scim_put(c->service, token, "Groups", c->key, body, err, errlen);
	free(body);
	return rc;
}

struct upload {
	const char	*data;
	size_t		 len, off;
};

static size_t
on_upload(char *buf, size_t size, size_t n, void *arg)
{
	struct upload	*u = arg;
	size_t		 len = size * n;

	if (len > u->len - u->off)
		len = u->len - u->off;
	memcpy(buf, u->data + u->off, len);
	u->off += len;
	return len;
}

/* SMTP; STARTTLS whenever the server offers it, always for smtps://. */
static int
run_mail(struct connectors *cn, struct call *c, char *err, size_t errlen)
{
	CURL			*h = curl_easy_init();
	struct curl_slist	*rcpt = NULL;
	struct upload		 u;
	char			 buf[CURL_ERROR_SIZE] = "", *from, *to;
	int			 try;
	CURLcode		 rc = CURLE_OK;

	if (h == NULL) {
		snprintf(err, errlen, "cannot start libcurl");
		return -1;
	}
	from = xasprintf("<%s>", cn->m->welcome.from);
	to = xasprintf("<%s>", c->key);
	rcpt = curl_slist_append(rcpt, to);
	curl_easy_setopt(h, CURLOPT_URL, cn->m->welcome.url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(h, CURLOPT_USE_SSL, strncmp(cn->m->welcome.url,
	    "smtps:", 6) == 0 ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, CALL_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, buf);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_CRLF, 1L);	/* the lines end in LF */
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, on_upload);
	curl_easy_setopt(h, CURLOPT_READDATA, &u);
	for (try = 0; try < TRIES; try++) {
		if (try > 0)
			pause_ms((long)PAUSE_MS << (try - 1));
		u.data = c->body;
		u.len = strlen(c->body);
		u.off = 0;
		if ((rc = curl_easy_perform(h)) == CURLE_OK)
			break;
	}
	if (rc != CURLE_OK)
		snprintf(err, errlen, "%s (after %d tries)", buf[0] ? buf :
		    curl_easy_strerror(rc), TRIES);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(h);
	free(from);
	free(to);
	return rc == CURLE_OK ? 0 : -1;
}

static int
run_call(struct connectors *cn, struct call *c, char *err, size_t errlen)
{
	const char	*token = c->service != NULL ?
	    cn->scim_tokens[c->service - cn->m->services] : NULL;

	switch (c->kind) {
	case CALL_WEBHOOK:
		return run_webhook(cn, c, err, errlen);
	case CALL_SCIM_USER:
		return scim_put(c->service, token, "Users", c->key, c->body,
		    err, errlen);
	case CALL_SCIM_DEACTIVATE:
		return scim_remove(c->service, token, "Users", c->key, err,
		    errlen);
	case CALL_SCIM_GROUP:
		return scim_group_put(c, token, err, errlen);
	case CALL_SCIM_UNGROUP:
		return scim_remove(c->service, token, "Groups", c->key, err,
		    errlen);
	default:
		return run_mail(cn, c, err, errlen);
	}
}

size_t
connectors_run(struct connectors *cn, int verbose)
{
	char	err[512];
	size_t	i, failed = 0;

	if (cn->calls.n == 0)
		return 0;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fputs("mutualize: cannot start libcurl\n", stderr);
		return cn->calls.n;
	}
	for (i = 0; i < cn->calls.n; i++) {
		struct call	*c = cn->calls.v[i];

		err[0] = '\0';
		if (run_call(cn, c, err, sizeof(err)) == 0) {
			if (verbose)
				fprintf(stderr, "mutualize: done: %s\n",
				    c->what);
			continue;
		}
		c->failed = 1;
		failed++;
		fprintf(stderr, "mutualize: failed: %s: %s\n", c->what, err);
	}
	curl_global_cleanup();
	return failed;
}

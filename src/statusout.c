/*
 * status's verdict and its two formats: text for an admin (one line a
 * server, then the lock, the last apply, the verdict) and one JSON document
 * for a monitoring system, whose keys mutualize(1) lists.
 *
 * What degrades the verdict is what needs someone now and goes away once it
 * is dealt with: a server down or behind, a lock left over that stops every
 * apply, calls to the services given up (the dead-letter file, removed once
 * they are made by hand). Calls pending in the outbox are shown, not
 * counted: the next apply retries them. An apply that stopped mid-way is shown but does not count: the
 * journal keeps the last apply that wrote, and an apply with nothing to do
 * writes nothing, so a verdict from it would stay degraded after the
 * directory was put right; plan --exit-code says whether it is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mutualize.h"
#include "status.h"

long long
lock_since(const char *holder)
{
	const char	*p = strstr(holder, " since ");
	struct tm	 tm;
	char		*end;

	if (p == NULL)
		return -1;
	memset(&tm, 0, sizeof(tm));
	end = strptime(p + 7, "%Y%m%d%H%M%SZ", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	return (long long)timegm(&tm);
}

int
status_lock_stale(const struct status_report *r)
{
	const struct lock_status	*l = &r->lock;

	return l->held && (l->gone ||
	    (l->since != -1 && r->now - l->since > STATUS_LOCK_OLD));
}

static int
lagging(const struct status_report *r, const struct server_status *s)
{
	return s->lag != -1 && (unsigned long long)s->lag > r->max_lag;
}

enum health
status_health(const struct status_report *r)
{
	size_t	i, up = 0;
	int	worse = 0;

	for (i = 0; i < r->nservers; i++) {
		if (r->servers[i].reachable)
			up++;
		else
			worse = 1;
		if (lagging(r, &r->servers[i]))
			worse = 1;
	}
	if (up == 0)
		return HEALTH_DOWN;
	return worse || status_lock_stale(r) || r->calls.dead > 0 ?
	    HEALTH_DEGRADED : HEALTH_OK;
}

int
status_exit(enum health h)
{
	return h == HEALTH_OK ? EXIT_OK : h == HEALTH_DEGRADED ? 2 :
	    EXIT_UNREACHABLE;
}

static const char *
health_name(enum health h)
{
	return h == HEALTH_OK ? "ok" : h == HEALTH_DEGRADED ? "degraded" :
	    "down";
}

static const char *
server_state(const struct status_report *r, const struct server_status *s)
{
	return !s->reachable ? "unreachable" : lagging(r, s) ? "lagging" : "ok";
}

/* The newest of a server's contextCSN values, or NULL. */
static const struct csn *
csn_newest(const struct server_status *s)
{
	const struct csn	*best = NULL;
	size_t			 i;

	for (i = 0; i < s->ncsns; i++)
		if (best == NULL || s->csns[i].usec > best->usec)
			best = &s->csns[i];
	return best;
}

/* Each problem that makes the verdict, in one sentence, to each(). */
static void
problems(const struct status_report *r, void (*each)(const char *, void *),
    void *arg)
{
	char	buf[512];
	size_t	i;

	for (i = 0; i < r->nservers; i++) {
		const struct server_status	*s = &r->servers[i];

		if (!s->reachable)
			snprintf(buf, sizeof(buf), "%s unreachable", s->uri);
		else if (lagging(r, s))
			snprintf(buf, sizeof(buf), "%s %lld s behind (more than "
			    "%llu)", s->uri, s->lag, r->max_lag);
		else
			continue;
		each(buf, arg);
	}
	if (status_lock_stale(r)) {
		snprintf(buf, sizeof(buf), "the apply lock is stale (%s)",
		    r->lock.gone ? "its process is gone" : "held over an hour");
		each(buf, arg);
	}
	if (r->calls.dead > 0) {
		snprintf(buf, sizeof(buf), "%zu call%s to the services given "
		    "up (%s.dead)", r->calls.dead, r->calls.dead == 1 ? "" :
		    "s", r->outbox);
		each(buf, arg);
	}
}

/* One line a server, the URIs in a column as wide as the longest. */
static void
text_servers(const struct status_report *r, FILE *fp)
{
	const struct csn	*c;
	char			 lag[32];
	size_t			 i, w = strlen("server");

	for (i = 0; i < r->nservers; i++)
		if (strlen(r->servers[i].uri) > w)
			w = strlen(r->servers[i].uri);
	fprintf(fp, "%-*s  %-11s  %6s  %s\n", (int)w, "server", "state", "lag",
	    "contextCSN");
	for (i = 0; i < r->nservers; i++) {
		const struct server_status	*s = &r->servers[i];

		if (s->lag == -1)
			snprintf(lag, sizeof(lag), "-");
		else
			snprintf(lag, sizeof(lag), "%lld s", s->lag);
		fprintf(fp, "%-*s  %-11s  %6s  ", (int)w, s->uri,
		    server_state(r, s), lag);
		if (!s->reachable)
			fputs_escaped(s->why[0] ? s->why : "no answer", fp);
		else if ((c = csn_newest(s)) != NULL)
			fprintf(fp, "%s%s", c->text, s->ncsns > 1 ?
			    " (newest of several serverIDs)" : "");
		else
			fputs_escaped(s->note, fp);
		fputc('\n', fp);
	}
}

static void
text_lock(const struct status_report *r, FILE *fp)
{
	char	age[32];

	fputs("lock        ", fp);
	if (!r->lock.read) {
		fputs("unknown: no server could say\n", fp);
		return;
	}
	if (!r->lock.held) {
		fputs("none\n", fp);
		return;
	}
	fprintf(fp, "held: %s", r->lock.holder);
	if (r->lock.since != -1) {
		text_duration(age, sizeof(age), r->now - r->lock.since);
		fprintf(fp, " (%s ago)", age);
	}
	if (status_lock_stale(r))
		fputs(r->lock.gone ? "; stale: its process is gone" :
		    "; stale: held over an hour", fp);
	fputc('\n', fp);
}

static void
text_last_apply(const struct status_report *r, FILE *fp)
{
	const struct last_apply	*a = &r->last;
	size_t			 lost = last_apply_unanswered(a);

	fputs("last apply  ", fp);
	if (r->journal_unread) {
		fprintf(fp, "unknown: %s cannot be read\n", r->journal);
		return;
	}
	if (!a->found) {
		fprintf(fp, "none in %s\n", r->journal);
		return;
	}
	fputs_escaped(a->time, fp);
	fputs(" by ", fp);
	fputs_escaped(a->user, fp);
	fputs(" on ", fp);
	fputs_escaped(a->host, fp);
	fprintf(fp, ": %zu change%s, %zu made, %zu refused", a->sent,
	    a->sent == 1 ? "" : "s", a->done, a->failed);
	if (lost > 0)
		fprintf(fp, "; stopped mid-way: %zu sent without an answer "
		    "(see its undo file)\n", lost);
	else
		fputs("; finished\n", fp);
}

static void
text_calls(const struct status_report *r, FILE *fp)
{
	const struct outbox_summary	*c = &r->calls;
	char				 age[32];

	fputs("outbox      ", fp);
	if (c->unread) {
		fprintf(fp, "unknown: %s cannot be read\n", r->outbox);
		return;
	}
	fprintf(fp, "%zu call%s pending", c->pending, c->pending == 1 ? "" :
	    "s");
	if (c->pending > 0) {
		text_duration(age, sizeof(age), (long long)r->now - c->oldest);
		fprintf(fp, " (the oldest queued %s ago)", age);
	}
	fprintf(fp, ", %zu given up\n", c->dead);
}

/* Where problems() writes: a stream, and how many it has had. */
struct sink {
	FILE	*fp;
	int	 n;
};

static void
text_problem(const char *what, void *arg)
{
	struct sink	*k = arg;

	fputs(k->n++ ? "; " : ": ", k->fp);
	fputs_escaped(what, k->fp);
}

void
status_print_text(const struct status_report *r, FILE *fp)
{
	struct sink	k = { fp, 0 };

	text_servers(r, fp);
	text_lock(r, fp);
	text_last_apply(r, fp);
	text_calls(r, fp);
	fprintf(fp, "status      %s", health_name(status_health(r)));
	problems(r, text_problem, &k);
	fputc('\n', fp);
}

static void
json_server(const struct status_report *r, const struct server_status *s,
    FILE *fp)
{
	size_t	i;

	fputs("    {\"uri\": ", fp);
	json_string(fp, s->uri);
	fprintf(fp, ", \"reachable\": %s, \"state\": \"%s\", \"error\": ",
	    s->reachable ? "true" : "false", server_state(r, s));
	if (s->reachable)
		fputs("null", fp);
	else
		json_string(fp, s->why[0] ? s->why : "no answer");
	fputs(", \"context_csn\": [", fp);
	for (i = 0; i < s->ncsns; i++) {
		fputs(i ? ", " : "", fp);
		json_string(fp, s->csns[i].text);
	}
	fputs("], \"note\": ", fp);
	if (s->note[0])
		json_string(fp, s->note);
	else
		fputs("null", fp);
	if (s->lag == -1)
		fputs(", \"lag_seconds\": null}", fp);
	else
		fprintf(fp, ", \"lag_seconds\": %lld}", s->lag);
}

static void
json_lock(const struct status_report *r, FILE *fp)
{
	const struct lock_status	*l = &r->lock;
	char				 since[32];
	time_t				 t = (time_t)l->since;
	struct tm			 tm;

	fputs("  \"lock\": ", fp);
	if (!l->held) {
		fputs("null,\n", fp);
		return;
	}
	fputs("{\"holder\": ", fp);
	json_string(fp, l->holder);
	if (l->since == -1)
		fputs(", \"since\": null, \"age_seconds\": null", fp);
	else {
		gmtime_r(&t, &tm);
		strftime(since, sizeof(since), "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(fp, ", \"since\": \"%s\", \"age_seconds\": %lld", since,
		    (long long)r->now - l->since);
	}
	fprintf(fp, ", \"stale\": %s},\n", status_lock_stale(r) ? "true" :
	    "false");
}

static void
json_last_apply(const struct status_report *r, FILE *fp)
{
	const struct last_apply	*a = &r->last;

	fputs("  \"journal\": ", fp);
	json_string(fp, r->journal);
	fputs(",\n  \"last_apply\": ", fp);
	if (!a->found) {
		fputs("null,\n", fp);
		return;
	}
	fputs("{\"time\": ", fp);
	json_string(fp, a->time);
	fputs(", \"user\": ", fp);
	json_string(fp, a->user);
	fputs(", \"host\": ", fp);
	json_string(fp, a->host);
	fprintf(fp, ", \"changes\": %zu, \"done\": %zu, \"failed\": %zu, "
	    "\"unanswered\": %zu, \"finished\": %s},\n", a->sent, a->done,
	    a->failed, last_apply_unanswered(a),
	    last_apply_unanswered(a) == 0 ? "true" : "false");
}

static void
json_calls(const struct status_report *r, FILE *fp)
{
	const struct outbox_summary	*c = &r->calls;

	fputs("  \"pending_calls\": ", fp);
	if (c->unread) {
		fputs("null,\n", fp);
		return;
	}
	fputs("{\"outbox\": ", fp);
	json_string(fp, r->outbox);
	fprintf(fp, ", \"pending\": %zu, \"oldest_pending_seconds\": ",
	    c->pending);
	if (c->pending > 0)
		fprintf(fp, "%lld", (long long)r->now - c->oldest);
	else
		fputs("null", fp);
	fprintf(fp, ", \"dead\": %zu},\n", c->dead);
}

static void
json_problem(const char *what, void *arg)
{
	struct sink	*k = arg;

	fputs(k->n++ ? ", " : "", k->fp);
	json_string(k->fp, what);
}

void
status_print_json(const struct status_report *r, FILE *fp)
{
	enum health		 h = status_health(r);
	struct sink		 k = { fp, 0 };
	size_t			 i;

	fputs("{\n  \"file\": ", fp);
	json_string(fp, r->file);
	fprintf(fp, ",\n  \"status\": \"%s\",\n  \"exit\": %d,\n"
	    "  \"max_lag_seconds\": %llu,\n  \"servers\": [\n", health_name(h),
	    status_exit(h), r->max_lag);
	for (i = 0; i < r->nservers; i++) {
		json_server(r, &r->servers[i], fp);
		fputs(i + 1 < r->nservers ? ",\n" : "\n", fp);
	}
	fputs("  ],\n", fp);
	json_lock(r, fp);
	json_last_apply(r, fp);
	json_calls(r, fp);
	fputs("  \"problems\": [", fp);
	problems(r, json_problem, &k);
	fputs("]\n}\n", fp);
}

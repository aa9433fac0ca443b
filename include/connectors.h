/*
 * The connectors' parts, shared by connectors.c (the table of kinds),
 * webhook.c, scim.c, welcome.c, removal.c, calls.c and http.c only.
 */
#ifndef MUTUALIZE_CONNECTORS_H
#define MUTUALIZE_CONNECTORS_H

#include "mutualize.h"
#include "outbox.h"

/* calls.c: the calls a plan makes, and what they read of entries. */
/* A new call of the connectors' list, which owns it. */
struct call	*call_new(struct connectors *, enum call_kind,
		    const struct service *);
/* Frees a call; its body is wiped first. */
void		 call_free(struct call *);
/* The first value of an attribute, or "". */
const char	*call_attr(const struct entry *, const char *);
/* The person entry of that DN in es, or NULL. */
const struct entry *call_person(const struct entries *, const char *dn);
/* The outbox's record of a call (no password in it); caller frees. */
struct outbox_call *call_record(const struct connectors *,
		    const struct call *);
/*
 * A call of the outbox, to send again with the file's secrets and URLs: it
 * points into r, which must outlive it (call_free frees it). NULL with err
 * when the file no longer has what it needs.
 */
struct call	*call_of_record(const struct connectors *, struct outbox_call *r,
		    char *err, size_t errlen);
/* Whether two calls set the same SCIM resource (the newer one wins). */
int		 call_same_target(const struct outbox_call *,
		    const struct outbox_call *);

/* Each kind plans its calls from the plan's first done changes, and makes one. */
typedef void	 connector_plan_fn(struct connectors *, const struct plan *,
		    size_t done, const struct entries *desired,
		    const struct entries *current, char *const *passwords);
typedef int	 connector_run_fn(struct connectors *, struct call *, char *err,
		    size_t errlen);

/* webhook.c: a JSON POST of each change, signed with HMAC-SHA256. */
connector_plan_fn webhook_plan;
connector_run_fn  webhook_run;

/* scim.c: SCIM 2.0 users and groups of each service that has an endpoint. */
connector_plan_fn scim_plan;
connector_run_fn  scim_run;

/* welcome.c: the welcome mail of each new person. */
/* Reads the template; returns the number of errors added. */
size_t		 welcome_load(struct connectors *, const char *dir,
		    struct diags *);
connector_plan_fn welcome_plan;
connector_run_fn  welcome_run;

/* removal.c: the template's on_removal command for each person deleted. */
connector_plan_fn removal_plan;
connector_run_fn  removal_run;

/* http.c: HTTP and SMTP requests; the only user of libcurl. */
struct request {
	const char	*method, *url;
	const char	*token;		/* bearer, or NULL */
	const char	*type;		/* of the body, or NULL */
	const char	*signature;	/* X-Mutualize-Signature, or NULL */
	const char	*body;		/* or NULL */
	const char	*delivery;	/* X-Mutualize-Delivery, or NULL */
};
/* Returns 0, or -1 when libcurl cannot start. */
int		 http_init(void);
void		 http_cleanup(void);
/*
 * One HTTP request, tried again after a growing pause when the server cannot
 * be reached, is busy (429) or fails (5xx). Returns the last HTTP status, 0
 * when there was no answer (err says why); *answer is the body (caller frees).
 */
long		 http_request(const struct request *, char **answer, char *err,
		    size_t errlen);
/* The request, answered with a 2xx? Returns 0, or -1 with err saying why. */
int		 http_ok(const struct request *, char *err, size_t errlen);
/* A string escaped for a URL's query; caller frees. NULL if out of memory. */
char		*http_escape(const char *);
/*
 * Sends a message (lines ending in LF) over SMTP, with STARTTLS whenever the
 * server offers it, always for smtps://. Returns 0; -1 with err saying why
 * when the server was not reached or refused the session (nothing sent);
 * CALL_UNKNOWN when it failed later, when the message may have been taken.
 */
#define CALL_UNKNOWN	(-2)
int		 smtp_send(const char *url, const char *from, const char *to,
		    const char *message, char *err, size_t errlen);

#endif

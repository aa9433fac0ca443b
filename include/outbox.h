/*
 * outbox.c: the connectors' calls kept on disk until a service took them.
 * Shared by connectors.c (which queues, sends and marks them), run.c and
 * write.c (which open and close it), and status.c and statusout.c (which
 * count what waits). Plain data and files: no LDAP, no libcurl.
 */
#ifndef MUTUALIZE_OUTBOX_H
#define MUTUALIZE_OUTBOX_H

#include <stdio.h>

#include "mutualize.h"

#define OUTBOX_GIVE_UP_DAYS	7	/* policy.connector_give_up_days */

enum outbox_state { OUTBOX_PENDING, OUTBOX_DONE, OUTBOX_DEAD };

/* One call, as a "call" line of the file holds it; strings owned. */
struct outbox_call {
	char		 id[33];	/* random, hexadecimal; the delivery id */
	char		*kind;		/* call_kind_name() */
	char		*service;	/* SCIM: the service's id, or NULL */
	char		*method, *url;	/* what it does, where */
	char		*to;		/* mail: the recipient, or NULL */
	char		*key, *name, *what, *body, *error;	/* or NULL */
	char		**members;	/* SCIM group: externalIds */
	size_t		 nmembers;
	long long	 queued, next;	/* seconds since the epoch */
	long long	 sending;	/* a mail's try with no result yet, or 0 */
	unsigned	 attempts;
	enum outbox_state state;
	int		 retried;	/* sent again by this run */
};

struct outbox {
	char			*path, *dead_path;
	FILE			*fp;		/* appends; NULL when read only */
	struct outbox_call	**v;		/* every call read or queued */
	struct hmap		 by_id;		/* id -> struct outbox_call * */
	size_t			 n, cap;
	size_t			 torn;		/* lines that could not be read */
	int			 failed;	/* a write failed: said once */
};

/*
 * Opens the outbox at path for a run that sends (created 0600 when missing,
 * locked against another run) and reads it. Returns 0, or -1 after saying
 * why.
 */
int	 outbox_open(struct outbox *, const char *path);
/* Reads it without writing or locking; a missing file is an empty outbox. */
int	 outbox_read(struct outbox *, const char *path);
/* Takes one line of the file into the calls read; 0, or -1 when torn. */
int	 outbox_line(struct outbox *, const char *line);
/*
 * Written whole again, under a temporary name then renamed, with only its
 * pending calls; then closed and freed. Returns 0, or -1 after saying why.
 */
int	 outbox_close(struct outbox *);
/* Frees what was read, writing nothing. */
void	 outbox_free(struct outbox *);

/* A new pending call, its id drawn, appended (not synced); owned by ob. */
struct outbox_call *outbox_queue(struct outbox *, struct outbox_call *);
/* What was appended, on disk. 0 or -1 after saying why. */
int	 outbox_sync(struct outbox *);
/* A mail about to be sent: its try on disk first. 0 or -1. */
int	 outbox_sending(struct outbox *, struct outbox_call *, long long now);
/* A call the service took, or that a newer one replaces. */
void	 outbox_done(struct outbox *, struct outbox_call *, long long now,
	    const char *note);
/* A call that failed: its next try after the backoff. */
void	 outbox_failed(struct outbox *, struct outbox_call *, long long now,
	    const char *error);
/* A call given up: to the dead-letter file, out of the outbox. 0 or -1. */
int	 outbox_bury(struct outbox *, struct outbox_call *, long long now,
	    const char *why);
/*
 * The calls queued more than days ago, and the mails whose last try has no
 * result (it may have been sent), given up. Returns how many.
 */
size_t	 outbox_give_up(struct outbox *, long long now, unsigned days);

/* Seconds to wait after the attempts-th failure: 1 min, 5, 30, 2 h, 6 h. */
long long outbox_backoff(unsigned attempts);
/* Whether a pending call is due at now. */
int	 outbox_due(const struct outbox_call *, long long now);
void	 outbox_call_free(struct outbox_call *);

/* outboxline.c: one line of the file. */
/* A "call" line: the call as it is now, attempts and next try included. */
void	 outbox_write_call(FILE *, const struct outbox_call *);
/*
 * A line into c (its fields set), its type and id (caller frees both), the
 * time of a line about a call. Returns 0, or -1 when the line is torn.
 */
int	 outbox_parse(const char *line, struct outbox_call *c, char **type,
	    char **id, long long *time);

/* What waits, for plan and status. */
struct outbox_summary {
	size_t		 pending, dead;
	long long	 oldest;	/* queued time of the oldest pending; 0 */
	int		 unread;	/* a file exists and cannot be read */
};
/* Reads the outbox at path and its dead-letter file. 0, or -1 unread. */
int	 outbox_summary_read(const char *path, struct outbox_summary *);
/* The dead-letter file of an outbox; caller frees. */
char	*outbox_dead_path(const char *path);
/* plan's lines: a count of the pending calls, a line per dead call. */
void	 outbox_print(const char *path, long long now, FILE *);

#endif

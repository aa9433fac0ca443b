/*
 * The health of the directory a tenants file names, for status: shared by
 * status.c (gathering, over LDAP), csn.c (replication lag), lastapply.c (the
 * journal) and statusout.c (the decision and its text or JSON). Only
 * status.c speaks LDAP: the rest is plain data, tested without a server.
 */
#ifndef MUTUALIZE_STATUS_H
#define MUTUALIZE_STATUS_H

#include <stdio.h>
#include <time.h>

#include "outbox.h"

#define STATUS_MAX_LAG	60	/* seconds: --max-lag's default */
#define STATUS_LOCK_OLD	3600	/* seconds: a lock held longer is stale */
#define STATUS_WHY_LEN	256

/* csn.c: change sequence numbers, YYYYmmddHHMMSS.uuuuuuZ#cnt#sid#mod. */
struct csn {
	long long	 usec;		/* its time, microseconds since the epoch */
	unsigned	 sid;		/* the serverID that made it */
	char		 text[48];	/* as the server gave it */
};
/* Parses one CSN. Returns 0, or -1 when it is not one. */
int	 csn_parse(const char *, struct csn *);

/* One server of directory.uri, as status found it. */
struct server_status {
	const char	*uri;
	int		 reachable;	/* connected and bound as mutualize binds */
	char		 why[STATUS_WHY_LEN];	/* unreachable: as conn.c said */
	char		 note[STATUS_WHY_LEN];	/* reachable: no contextCSN... */
	struct csn	*csns;		/* its contextCSN values */
	size_t		 ncsns;
	long long	 lag;		/* seconds behind the newest; -1 unknown */
};
/*
 * Each server's lag: for every serverID, the newest time any server has for
 * it, less this server's time for it (its newest time of any serverID when
 * it has none for that one); the largest of these, in whole seconds. A server
 * unreachable or without contextCSN has none (-1).
 */
void	 csn_lags(struct server_status *, size_t n);

/* lastapply.c: the last apply, from the journal's JSON lines. */
struct last_apply {
	int	 found;			/* the journal holds an apply */
	char	 time[32], user[64], host[256];
	size_t	 sent;			/* "sending" lines: the changes */
	size_t	 done;			/* answered "ok" */
	size_t	 failed;		/* answered otherwise */
};
/*
 * The last apply the journal at path records; a journal that does not exist
 * records none. Returns 0, or -1 after saying why it cannot be read.
 */
int	 last_apply_read(const char *path, struct last_apply *);
/* Takes one journal line into the summary of the applies so far. */
void	 last_apply_line(struct last_apply *, const char *line);
/* Changes sent that no answer follows: the apply stopped mid-way. */
size_t	 last_apply_unanswered(const struct last_apply *);

/* The apply lock, read from the first server reachable. */
struct lock_status {
	int	 read;			/* a server answered whether it is held */
	int	 held;
	char	 holder[512];		/* its description, escaped */
	long long since;		/* seconds since the epoch, or -1 */
	int	 gone;			/* of this host, its process gone */
};
/* "pid N on HOST since YYYYmmddHHMMSSZ": the time, or -1 if it says none. */
long long lock_since(const char *holder);

/* statusout.c: the report, its verdict and its two formats. */
enum health { HEALTH_OK, HEALTH_DEGRADED, HEALTH_DOWN };
struct status_report {
	const char		*file, *journal, *outbox;
	struct server_status	*servers;
	size_t			 nservers;
	struct lock_status	 lock;
	struct last_apply	 last;
	int			 journal_unread;	/* it could not be read */
	struct outbox_summary	 calls;		/* the outbox's */
	unsigned long long	 max_lag;
	time_t			 now;
};
/*
 * The verdict: down when no server is reachable; degraded when one is not,
 * when one lags more than max_lag, when the lock is stale (older than
 * STATUS_LOCK_OLD, or its process of this host gone), or when the outbox
 * gave calls up (they wait for someone in its dead-letter file). An apply that stopped
 * mid-way is shown, not counted: see status_print_text.
 */
enum health	 status_health(const struct status_report *);
/* The exit status of a verdict: 0, 2 or 3. */
int		 status_exit(enum health);
/* Whether the lock is stale, as status_health counts it. */
int		 status_lock_stale(const struct status_report *);
void		 status_print_text(const struct status_report *, FILE *);
void		 status_print_json(const struct status_report *, FILE *);

#endif

/*
 * The parts of a run shared by run.c (the pipeline of plan and apply),
 * write.c (its apply stage), export.c, dirconf.c, stop.c, status.c and
 * census.c only.
 */
#ifndef MUTUALIZE_RUN_H
#define MUTUALIZE_RUN_H

#include <signal.h>

#include "mutualize.h"
#include "outbox.h"

/* run.c: one plan or apply, from the file to the directory written. */
struct run {
	const struct options	*o;
	int			 write;		/* apply without -n */
	struct model		*m;
	struct connectors	 cn;
	struct conn		*c;
	struct entries		 desired, current;
	const char		*managed[4];	/* subtrees read, NULL-ended */
	struct plan		 plan;
	struct saved		 saved;		/* apply --plan */
	size_t			 left_out;	/* by the saved plan */
	char			 now[16], digest[65];
	char			*lockdn, *journal, *undo;
	char			*outbox_path;
	struct outbox		 outbox;	/* open when cn.outbox is set */
	int			 wrote;		/* a round of the apply ran */
};
/*
 * The stages of run_plan, for adopt.c, which runs them with its own changes
 * put in between: each returns 0, or -1 after saying why (connect_directory:
 * NULL with the exit status); run_apply returns the exit status.
 */
void		 run_init(struct run *, const struct options *, int write);
/*
 * The run's end, whatever stopped it: the connectors' state, the lock, the
 * signals held back (mask, or NULL when none were), the run freed. Returns
 * the exit status, ret or the signal's.
 */
int		 run_end(struct run *, int ret, const sigset_t *mask);
int		 load_inputs(struct run *);
int		 build_plan(struct run *);
int		 present_plan(struct run *);
int		 run_guard(const struct run *);
int		 run_apply(struct run *);
/* The file and its templates, loaded and checked; NULL after saying why. */
struct model	*load_checked(const struct options *);
/*
 * target.c: what connecting needs, every local part of it read before any
 * packet.
 */
struct conn_inputs {
	struct conn_opts	 co;		/* points into the rest */
	struct conn_target	*targets;	/* the file's URIs, or -H */
	char			*password;	/* wiped when freed */
	char			*ca_file;
};
/* Says, for each URI (uri, else the file's), that a password would go in clear. */
void		 warn_cleartext(const struct model *, const char *uri);
/* 0, or -1 after saying why (a URI of -H, the password, the CA file). */
int		 conn_inputs_load(struct conn_inputs *, const struct model *,
		    const struct options *);
void		 conn_inputs_free(struct conn_inputs *);
/* The servers tried in order; NULL with *status after saying why. */
struct conn	*connect_directory(const struct model *,
		    const struct options *, int *status);

/*
 * write.c: makes the plan's changes, with the credentials file, the journal
 * and the undo file written ahead of them, then the calls to the services.
 * An apply whose changes find their work done already (replication) plans
 * again and writes in rounds: the files stay open from the first to the
 * last, and what each round made is added up.
 */
struct writing {
	struct credentials	 creds;
	struct journal		 journal;
	int			 opened;	/* the journal is open */
	int			 rc;		/* the last round's apply_plan */
	struct apply_result	 res;		/* the last round's */
	unsigned char		*fate;		/* per change of its plan */
	int			 pending;	/* its report is to come */
	size_t			 nadd, nmodify, nrename, ndisable, ndelete;
	size_t			 already;	/* found done, every round */
	size_t			 unused;	/* passwords of accounts found made */
	size_t			 calls, calls_failed;
	struct hmap		 found;		/* already_key: the last round's */
	struct arena		 keys;		/* owns them */
};
void		 write_begin(struct writing *);
/*
 * One round: the plan's changes made. Returns 0 when each was made or found
 * done already, -1 after an error said.
 */
int		 write_round(struct run *, struct writing *);
/*
 * Between two rounds: what the last one made added up, its calls to the
 * services made, the changes it found done kept for the next.
 */
void		 write_carry(struct run *, struct writing *);
/* The files closed, the whole apply reported; returns the exit status. */
int		 write_end(struct run *, struct writing *, int status);
/*
 * An apply with no change to make, or apply --retry-pending: the outbox's
 * due calls alone. Returns status, or EXIT_CONNECTORS when one failed.
 */
int		 write_retry(struct run *, int status);
/* New accounts that get a generated password. */
size_t		 people_added(const struct plan *, const struct model *);
/* Whether the plan's new accounts have a credentials file. 0 or -1, said. */
int		 need_credentials(const struct plan *, const struct model *,
		    const struct options *);

/* stop.c: SIGINT, SIGTERM and SIGHUP, blocked and taken at safe points. */
void		 stop_signals(sigset_t *);
/* The stop signal waiting to be taken, or 0. */
int		 stop_pending(void);
/* Takes the pending stop signals, the first of them returned, or 0. */
int		 stop_take(void);
const char	*signal_name(int);
/* Says a stop that came too late, which makes the status; restores mask. */
int		 stop_end(const sigset_t *mask, int ret, int wrote);

#endif

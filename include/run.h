/*
 * The parts of a run shared by run.c (the pipeline of plan and apply),
 * write.c (its apply stage), export.c, dirconf.c and stop.c only.
 */
#ifndef MUTUALIZE_RUN_H
#define MUTUALIZE_RUN_H

#include <signal.h>

#include "mutualize.h"

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
};
/* The file and its templates, loaded and checked; NULL after saying why. */
struct model	*load_checked(const struct options *);
/* What connecting needs, every local part of it read before any packet. */
struct conn_inputs {
	struct conn_opts	 co;		/* points into the rest */
	struct conn_target	*targets;	/* the file's URIs, or -H */
	char			*password;	/* wiped when freed */
	char			*ca_file;
};
/* 0, or -1 after saying why (a URI of -H, the password, the CA file). */
int		 conn_inputs_load(struct conn_inputs *, const struct model *,
		    const struct options *);
void		 conn_inputs_free(struct conn_inputs *);

/*
 * write.c: makes the plan's changes, with the credentials file, the journal
 * and the undo file written ahead of them, then the calls to the services.
 * Returns the exit status.
 */
int		 write_directory(struct run *);
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

/*
 * Stop signals. SIGINT, SIGTERM and SIGHUP are blocked from the moment a run
 * is connected, and looked for at safe points: between two batches of an
 * apply, once the directory was read. Blocked rather than caught, they need
 * no handler and no global flag, they never interrupt libldap in the middle
 * of an answer, and a second Ctrl-C cannot kill the run half-way through
 * writing its files. The threads that hash passwords are made while they are
 * blocked, so that none of them takes the signal either.
 */
#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "mutualize.h"
#include "run.h"

/* The signals that stop a run. */
void
stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}

/* The stop signal waiting to be taken, or 0. */
int
stop_pending(void)
{
	sigset_t	pending;

	if (sigpending(&pending) == -1)
		return 0;
	return sigismember(&pending, SIGINT) ? SIGINT :
	    sigismember(&pending, SIGTERM) ? SIGTERM :
	    sigismember(&pending, SIGHUP) ? SIGHUP : 0;
}

/* Takes the pending stop signals, so that unblocking them does not kill. */
int
stop_take(void)
{
	struct timespec	 zero = { 0, 0 };
	sigset_t	 set;
	int		 sig, first = 0;

	stop_signals(&set);
	while ((sig = sigtimedwait(&set, NULL, &zero)) > 0)
		if (first == 0)
			first = sig;
	return first;
}

const char *
signal_name(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP";
}

/*
 * The end of a run that blocked the stop signals: one that came too late to
 * stop anything is said, and makes the status; then the mask is restored.
 */
int
stop_end(const sigset_t *mask, int ret, int wrote)
{
	int	sig;

	if ((sig = stop_take()) != 0 && ret < 128) {
		msg_warn("%s received; %s", signal_name(sig),
		    wrote && ret != EXIT_ERROR ? "it came after the last change" :
		    "nothing was written");
		ret = 128 + sig;
	}
	sigprocmask(SIG_SETMASK, mask, NULL);
	return ret;
}

/*
 * The removal hooks: what a service's template runs for each person whose
 * entry an apply deleted (--prune, on_departure: delete, --remove-tenant),
 * once the delete landed, so that the service lets go of what it keeps of
 * them (Nextcloud's files, a mailbox): on_removal, a command line whose
 * placeholders {login}, {id} and {mail} are the deleted entry's, each put in
 * single quotes for /bin/sh. Planned with the other calls, listed by the
 * plan, kept in the outbox until the command exits 0.
 */
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "connectors.h"

extern char **environ;

/* How long a command may run before it is killed, as a failure. */
#define REMOVAL_SECONDS	300

static const char *const removal_fields[] = { "login", "id", "mail", NULL };

char *
removal_error(const char *command)
{
	if (placeholder_unknown(command, removal_fields) < 0)
		return NULL;
	return xasprintf("unknown placeholder in \"%s\"; known: {login}, {id}, "
	    "{mail}", command);
}

/* A value between single quotes, each of its own quotes closed and escaped. */
static char *
quoted(const char *v)
{
	char	*out = xmalloc(4 * strlen(v) + 3), *o = out;

	*o++ = '\'';
	for (; *v != '\0'; v++) {
		if (*v == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else
			*o++ = *v;
	}
	*o++ = '\'';
	*o = '\0';
	return out;
}

/* The command for a deleted entry; caller frees. */
static char *
command_for(const char *pattern, const struct entry *e)
{
	char		*vals[3];
	char		*out;
	size_t		 i;

	vals[0] = quoted(call_attr(e, "uid"));
	vals[1] = quoted(call_attr(e, "employeeNumber"));
	vals[2] = quoted(call_attr(e, "mail"));
	out = placeholder_expand(pattern, removal_fields,
	    (const char *const *)vals);
	for (i = 0; i < 3; i++)
		free(vals[i]);
	return out;
}

void
removal_plan(struct connectors *cn, const struct plan *p, size_t done,
    const struct entries *desired, const struct entries *current,
    char *const *passwords)
{
	const struct model	*m = cn->m;
	struct call		*c;
	size_t			 i, j;

	(void)desired;
	(void)current;
	(void)passwords;
	for (i = 0; i < done; i++) {
		const struct change	*ch = &p->v[i];

		if (ch->op != CHANGE_DELETE || ch->entry->kind != ENTRY_PERSON)
			continue;
		for (j = 0; j < m->nservices; j++) {
			const struct service	*s = &m->services[j];

			if (s->tmpl == NULL || s->tmpl->on_removal == NULL)
				continue;
			c = call_new(cn, CALL_COMMAND, s);
			c->key = call_attr(ch->entry, "employeeNumber");
			c->body = command_for(s->tmpl->on_removal, ch->entry);
			c->what = arena_printf(&cn->arena, "run for %s, removed "
			    "from %s: %s", call_attr(ch->entry, "uid"), s->id,
			    c->body);
		}
	}
}

/* Waits for the command at most REMOVAL_SECONDS; its status, or -1. */
static int
wait_command(pid_t pid, char *err, size_t errlen)
{
	struct timespec	 pause = { 0, 50000000 };
	int		 status, tries;

	for (tries = 0; tries < REMOVAL_SECONDS * 20; tries++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		nanosleep(&pause, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	snprintf(err, errlen, "still running after %d s: killed",
	    REMOVAL_SECONDS);
	return -1;
}

int
removal_run(struct connectors *cn, struct call *c, char *err, size_t errlen)
{
	char				*argv[] = { "/bin/sh", "-c", c->body, NULL };
	posix_spawn_file_actions_t	 fa;
	pid_t				 pid;
	int				 status, rc;

	(void)cn;
	/* what it prints goes to standard error, beside mutualize's messages */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, 2, 1);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		snprintf(err, errlen, "cannot run /bin/sh: %s", strerror(rc));
		return -1;
	}
	if ((status = wait_command(pid, err, errlen)) == -1)
		return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		snprintf(err, errlen, "exit status %d", WEXITSTATUS(status));
	else
		snprintf(err, errlen, "killed by signal %d", WTERMSIG(status));
	return -1;
}

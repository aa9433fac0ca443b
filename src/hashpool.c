/*
 * Initial passwords, made and hashed on every processor. A yescrypt hash
 * costs about 17 ms of CPU, a hundred times the add it goes in: a first load
 * is bound by it. The pool makes the passwords of the next batch while the
 * current one is on the wire, so that hashing and writing overlap, and uses
 * every processor while doing so. Workers take the next password to make
 * under a lock and hash without it; crypt_ra keeps its state per call.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mutualize.h"

struct hashpool {
	pthread_mutex_t		 mu;
	pthread_cond_t		 work;	/* a start, or the end */
	pthread_cond_t		 idle;	/* the last password made */
	pthread_t		*threads;
	size_t			 nthreads;
	enum password_scheme	 scheme;
	struct initial		*v;	/* the passwords to make */
	size_t			 n, next, done;
	int			 quit;
};

static void *
worker(void *arg)
{
	struct hashpool	*hp = arg;
	struct initial	*in;

	pthread_mutex_lock(&hp->mu);
	for (;;) {
		while (!hp->quit && hp->next == hp->n)
			pthread_cond_wait(&hp->work, &hp->mu);
		if (hp->quit)
			break;
		in = &hp->v[hp->next++];
		pthread_mutex_unlock(&hp->mu);
		if (in->wanted && in->hash == NULL)
			initial_make(in, hp->scheme);
		pthread_mutex_lock(&hp->mu);
		if (++hp->done == hp->n)
			pthread_cond_signal(&hp->idle);
	}
	pthread_mutex_unlock(&hp->mu);
	return NULL;
}

struct hashpool *
hashpool_new(enum password_scheme scheme)
{
	struct hashpool	*hp;
	long		 online = sysconf(_SC_NPROCESSORS_ONLN);
	size_t		 i;
	int		 rc;

	if (scheme == PW_NONE)
		return NULL;
	hp = xcalloc(1, sizeof(*hp));
	hp->scheme = scheme;
	hp->nthreads = online > 0 ? (size_t)online : 1;
	hp->threads = xcalloc(hp->nthreads, sizeof(*hp->threads));
	pthread_mutex_init(&hp->mu, NULL);
	pthread_cond_init(&hp->work, NULL);
	pthread_cond_init(&hp->idle, NULL);
	for (i = 0; i < hp->nthreads; i++)
		if ((rc = pthread_create(&hp->threads[i], NULL, worker, hp)) != 0)
			msg_fatal("pthread_create: %s", strerror(rc));
	return hp;
}

size_t
hashpool_threads(const struct hashpool *hp)
{
	return hp != NULL ? hp->nthreads : 0;
}

void
hashpool_start(struct hashpool *hp, struct initial *v, size_t n)
{
	if (hp == NULL)
		return;
	hashpool_wait(hp);
	pthread_mutex_lock(&hp->mu);
	hp->v = v;
	hp->n = n;
	hp->next = hp->done = 0;
	pthread_cond_broadcast(&hp->work);
	pthread_mutex_unlock(&hp->mu);
}

void
hashpool_wait(struct hashpool *hp)
{
	if (hp == NULL)
		return;
	pthread_mutex_lock(&hp->mu);
	while (hp->done < hp->n)
		pthread_cond_wait(&hp->idle, &hp->mu);
	pthread_mutex_unlock(&hp->mu);
}

int
hashpool_wait_for(struct hashpool *hp, long ms)
{
	struct timespec	deadline;
	int		done;

	if (hp == NULL)
		return 1;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += ms / 1000;
	deadline.tv_nsec += (ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&hp->mu);
	while (hp->done < hp->n &&
	    pthread_cond_timedwait(&hp->idle, &hp->mu, &deadline) == 0)
		;
	done = hp->done == hp->n;
	pthread_mutex_unlock(&hp->mu);
	return done;
}

void
hashpool_cancel(struct hashpool *hp)
{
	if (hp == NULL)
		return;
	pthread_mutex_lock(&hp->mu);
	/* no new password is taken; those being hashed are finished */
	hp->n = hp->next;
	if (hp->done == hp->n)
		pthread_cond_signal(&hp->idle);
	pthread_mutex_unlock(&hp->mu);
}

void
hashpool_free(struct hashpool *hp)
{
	size_t	i;

	if (hp == NULL)
		return;
	hashpool_wait(hp);
	pthread_mutex_lock(&hp->mu);
	hp->quit = 1;
	pthread_cond_broadcast(&hp->work);
	pthread_mutex_unlock(&hp->mu);
	for (i = 0; i < hp->nthreads; i++)
		pthread_join(hp->threads[i], NULL);
	pthread_cond_destroy(&hp->work);
	pthread_cond_destroy(&hp->idle);
	pthread_mutex_destroy(&hp->mu);
	free(hp->threads);
	free(hp);
}

void
initial_make(struct initial *in, enum password_scheme scheme)
{
	secret_password(in->password);
	in->hash = secret_hash(in->password, scheme);
}

void
initial_wipe(struct initial *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		explicit_bzero(v[i].password, sizeof(v[i].password));
		secret_free(v[i].hash);
		v[i].hash = NULL;
		v[i].wanted = 0;
	}
}

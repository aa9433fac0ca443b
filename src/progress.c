/*
 * A progress line for long runs: an apply of 100,000 changes takes tens of
 * seconds, and a silent terminal for that long looks like a hung one. The
 * line is drawn in place with a carriage return, only on a terminal, only
 * once the run has lasted long enough to be worth it, and at most ten times
 * a second whatever the rate of steps. The text is made by progress_format
 * alone, so that it is tested without a terminal or a clock.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mutualize.h"

#define PROGRESS_DELAY		0.5	/* seconds before the first draw */
#define PROGRESS_INTERVAL	0.1	/* seconds between draws */
#define PROGRESS_MAX_TIME	359999	/* 99:59:59; longer is no estimate */

struct progress {
	FILE		*fp;
	char		*what;
	size_t		 total;
	struct timespec	 start;
	double		 drawn_at;	/* seconds after start; < 0: never */
};

static double
seconds_since(const struct timespec *start)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) +
	    (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* 1234567 as "1,234,567": the same in every locale, as the tests expect. */
static void
group_digits(char buf[32], unsigned long long n)
{
	char	digits[32];
	size_t	len, i, o = 0;

	len = (size_t)snprintf(digits, sizeof(digits), "%llu", n);
	for (i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
}

/* A duration as m:ss, or h:mm:ss from an hour on; rounded up. */
static void
format_time(char buf[16], double seconds)
{
	unsigned	s;

	if (seconds > PROGRESS_MAX_TIME) {
		snprintf(buf, 16, ">99:59:59");
		return;
	}
	s = (unsigned)seconds;
	if ((double)s < seconds)
		s++;
	if (s >= 3600)
		snprintf(buf, 16, "%u:%02u:%02u", s / 3600, s / 60 % 60,
		    s % 60);
	else
		snprintf(buf, 16, "%u:%02u", s / 60, s % 60);
}

/* Steps a second: a tenth under 10, a whole number with commas above. */
static void
format_rate(char buf[32], double rate)
{
	if (rate < 10)
		snprintf(buf, 32, "%.1f", rate);
	else
		group_digits(buf, (unsigned long long)(rate + 0.5));
}

/* Appends as snprintf would write at *off, counting what does not fit. */
static void __attribute__((format(printf, 4, 5)))
append(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list	ap;
	size_t	room = *off < len ? len - *off : 0;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(room > 0 ? buf + *off : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += (size_t)n;
}

size_t
progress_format(char *buf, size_t len, const char *what, size_t done,
    size_t total, double seconds)
{
	char		 sdone[32], stotal[32], srate[32], stime[16];
	double		 rate = 0, pct;
	size_t		 off = 0;
	unsigned	 percent;

	if (len > 0)
		buf[0] = '\0';
	if (total > 0 && done > total)
		done = total;
	/* a rate that no real run reaches is a clock too coarse, not a rate */
	if (done > 0 && seconds > 0 && (rate = (double)done / seconds) >= 1e15)
		rate = 0;
	group_digits(sdone, done);
	format_rate(srate, rate);
	if (total == 0) {
		/* the total is unknown: a count and a rate only */
		append(buf, len, &off, "%s %s", sdone, what);
		if (rate > 0)
			append(buf, len, &off, "  %s/s", srate);
		return off;
	}
	group_digits(stotal, total);
	pct = (double)done * 100 / (double)total;
	/* 100% once done only, however the division rounds */
	if ((percent = (unsigned)pct) > 99 && done < total)
		percent = 99;
	/* done as wide as total: the line keeps its shape as it is redrawn */
	append(buf, len, &off, "%*s / %s %s  %3u%%", (int)strlen(stotal), sdone,
	    stotal, what, percent);
	if (rate > 0)
		append(buf, len, &off, "  %s/s", srate);
	if (rate > 0 && done < total) {
		format_time(stime, (double)(total - done) / rate);
		append(buf, len, &off, "  ETA %s", stime);
	} else if (done == total && seconds > 0) {
		format_time(stime, seconds);
		append(buf, len, &off, "  in %s", stime);
	}
	return off;
}

struct progress *
progress_new(FILE *fp, const char *what, size_t total, int enabled)
{
	struct progress	*p;

	if (!enabled || fp == NULL || !isatty(fileno(fp)))
		return NULL;
	p = xcalloc(1, sizeof(*p));
	p->fp = fp;
	p->what = xstrdup(what);
	p->total = total;
	p->drawn_at = -1;
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	return p;
}

/*
 * Reads the clock on each step (cheap: no system call on Linux) and draws
 * only when the last draw is a tenth of a second old. A run shorter than
 * PROGRESS_DELAY draws nothing, so that it leaves no flicker.
 */
void
progress_step(struct progress *p, size_t done)
{
	char	line[256];
	double	t;

	if (p == NULL)
		return;
	t = seconds_since(&p->start);
	if (t < PROGRESS_DELAY ||
	    (p->drawn_at >= 0 && t - p->drawn_at < PROGRESS_INTERVAL))
		return;
	progress_format(line, sizeof(line), p->what, done, p->total, t);
	/* erase to the end of the line: the new text may be shorter */
	fprintf(p->fp, "\r%s\033[K", line);
	fflush(p->fp);
	p->drawn_at = t;
}

void
progress_free(struct progress *p)
{
	if (p == NULL)
		return;
	if (p->drawn_at >= 0) {
		fputs("\r\033[K", p->fp);
		fflush(p->fp);
	}
	free(p->what);
	free(p);
}

/*
 * Change sequence numbers, as syncprov keeps them in contextCSN: one value
 * per serverID, YYYYmmddHHMMSS.uuuuuuZ#count#sid#mod. How far a server is
 * behind is the time of the newest change it lacks, for the provider that
 * made that change: times of different serverIDs are never compared with
 * each other, since a provider that made no change for a day is not late.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mutualize.h"
#include "status.h"

/* n decimal digits at s. Returns the number, or -1 if one is not a digit. */
static long
digits(const char *s, size_t n)
{
	long	v = 0;
	size_t	i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* n hexadecimal digits at s, as the CSN's count, sid and mod are written. */
static long
hexdigits(const char *s, size_t n)
{
	char	buf[8];

	if (n >= sizeof(buf) || strspn(s, "0123456789abcdefABCDEF") < n)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return strtol(buf, NULL, 16);
}

int
csn_parse(const char *s, struct csn *c)
{
	struct tm	tm;
	long		usec, sid;
	const char	*p;

	/* 20261201181613.123456Z#000000#000#000000 */
	if (strlen(s) != 40 || s[14] != '.' || s[21] != 'Z' || s[22] != '#' ||
	    s[29] != '#' || s[33] != '#' || hexdigits(s + 23, 6) == -1 ||
	    (sid = hexdigits(s + 30, 3)) == -1 || hexdigits(s + 34, 6) == -1 ||
	    (usec = digits(s + 15, 6)) == -1)
		return -1;
	memset(&tm, 0, sizeof(tm));
	p = s;
	tm.tm_year = (int)digits(p, 4) - 1900;
	tm.tm_mon = (int)digits(p + 4, 2) - 1;
	tm.tm_mday = (int)digits(p + 6, 2);
	tm.tm_hour = (int)digits(p + 8, 2);
	tm.tm_min = (int)digits(p + 10, 2);
	tm.tm_sec = (int)digits(p + 12, 2);
	if (tm.tm_year < 0 || tm.tm_mon < 0 || tm.tm_mon > 11 ||
	    tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour < 0 ||
	    tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 ||
	    tm.tm_sec < 0 || tm.tm_sec > 60)
		return -1;
	c->usec = (long long)timegm(&tm) * 1000000 + usec;
	c->sid = (unsigned)sid;
	snprintf(c->text, sizeof(c->text), "%s", s);
	return 0;
}

/* The server's time for sid; its newest of any when it has none for it. */
static long long
time_for(const struct server_status *s, unsigned sid)
{
	long long	newest = 0;
	size_t		i;

	for (i = 0; i < s->ncsns; i++) {
		if (s->csns[i].sid == sid)
			return s->csns[i].usec;
		if (s->csns[i].usec > newest)
			newest = s->csns[i].usec;
	}
	return newest;
}

/* The newest time any server has for sid. */
static long long
newest_for(const struct server_status *v, size_t n, unsigned sid)
{
	long long	newest = 0;
	size_t		i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < v[i].ncsns; j++)
			if (v[i].csns[j].sid == sid && v[i].csns[j].usec > newest)
				newest = v[i].csns[j].usec;
	return newest;
}

void
csn_lags(struct server_status *v, size_t n)
{
	long long	behind, worst;
	size_t		i, j, k;

	for (i = 0; i < n; i++) {
		v[i].lag = -1;
		if (!v[i].reachable || v[i].ncsns == 0)
			continue;
		worst = 0;
		/* every serverID that any server knows of */
		for (j = 0; j < n; j++)
			for (k = 0; k < v[j].ncsns; k++) {
				unsigned	sid = v[j].csns[k].sid;

				behind = newest_for(v, n, sid) -
				    time_for(&v[i], sid);
				if (behind > worst)
					worst = behind;
			}
		v[i].lag = worst / 1000000;
	}
}

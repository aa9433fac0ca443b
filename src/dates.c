/*
 * Calendar dates of the file (a contract's valid_from and valid_until, a
 * tenant's mandate_end) as day numbers, and where today falls among them.
 *
 * A date is a whole day of the syndicate's local time: an account that ends
 * on valid_until works all of that day and stops at the midnight after it,
 * which is also the pwdEndTime slapd enforces. Day numbers count from
 * 1970-01-01 so that two dates compare and subtract as integers.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mutualize.h"

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar. */
static long
days_from_civil(long y, unsigned m, unsigned d)
{
	long		 era;
	unsigned	 yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

/* The reverse of days_from_civil. */
static void
civil_from_days(long z, int *y, unsigned *m, unsigned *d)
{
	long		 era;
	unsigned	 doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)((long)yoe + era * 400 + (*m <= 2));
}

static int
leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
date_parse(const char *s, long *days)
{
	static const unsigned	 mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31,
	    30, 31, 30, 31 };
	unsigned		 y = 0, m, d, i;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	for (i = 0; i < 4; i++)
		y = y * 10 + (unsigned)(s[i] - '0');
	m = (unsigned)(s[5] - '0') * 10 + (unsigned)(s[6] - '0');
	d = (unsigned)(s[8] - '0') * 10 + (unsigned)(s[9] - '0');
	/* before 1970, a contract's date is a typing error, not history */
	if (y < DATE_YEAR_MIN || m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1] + (m == 2 && leap(y)))
		return -1;
	*days = days_from_civil(y, m, d);
	return 0;
}

void
date_format(long days, char buf[DATE_LEN + 1])
{
	int		 y;
	unsigned	 m, d;

	civil_from_days(days, &y, &m, &d);
	/* the compiler cannot see that m and d are at most 12 and 31 */
	snprintf(buf, DATE_LEN + 1, "%04u-%02u-%02u", (unsigned)y % 10000,
	    m % 100, d % 100);
}

long
date_today(void)
{
	time_t		 t = time(NULL);
	struct tm	 tm;

	localtime_r(&t, &tm);
	return days_from_civil(tm.tm_year + 1900L, (unsigned)tm.tm_mon + 1,
	    (unsigned)tm.tm_mday);
}

/*
 * The local midnight that starts the day, as generalized time in UTC, the
 * form slapd compares pwdStartTime and pwdEndTime in.
 */
void
date_gentime(long days, char buf[16])
{
	struct tm	 tm;
	time_t		 t;
	int		 y;
	unsigned	 m, d;

	civil_from_days(days, &y, &m, &d);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = (int)m - 1;
	tm.tm_mday = (int)d;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	gmtime_r(&t, &tm);
	strftime(buf, 16, "%Y%m%d%H%M%SZ", &tm);
}

/*
 * The person's last day: their own valid_until, else, for an elected
 * official, the end of their tenant's mandate; DATE_NONE when open-ended.
 */
long
person_until(const struct person *p, int *mandate)
{
	*mandate = 0;
	if (p->valid_until != DATE_NONE)
		return p->valid_until;
	if (p->kind == KIND_ELECTED && p->tenant != NULL &&
	    p->tenant->mandate_end != DATE_NONE) {
		*mandate = 1;
		return p->tenant->mandate_end;
	}
	return DATE_NONE;
}

enum period
person_period(const struct person *p, long today)
{
	int	 mandate;
	long	 until = person_until(p, &mandate);

	if (p->valid_from != DATE_NONE && today < p->valid_from)
		return PERIOD_BEFORE;
	if (until != DATE_NONE && today > until)
		return PERIOD_AFTER;
	return PERIOD_IN;
}

/* Numbers as people write them, in the files and on the command line. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "mutualize.h"

int
parse_uint(const char *s, unsigned long long min, unsigned long long max,
    unsigned long long *out)
{
	unsigned long long	 n;
	char			*end;

	/* strtoull alone would take spaces, a sign and an empty string */
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (*end != '\0' || errno != 0 || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

/*
 * Sizes as people write them: a number and an optional unit, SI (kB, MB, GB, TB:
 * powers of 1000) or binary (KiB, MiB, GiB, TiB: powers of 1024); no unit is bytes.
 */
int
parse_size(const char *s, unsigned long long *out)
{
	static const struct {
		const char		*unit;
		unsigned long long	 mult;
	} units[] = {
		{ "", 1 }, { "B", 1 },
		{ "kB", 1000ULL }, { "KB", 1000ULL }, { "MB", 1000000ULL },
		{ "GB", 1000000000ULL }, { "TB", 1000000000000ULL },
		{ "KiB", 1ULL << 10 }, { "MiB", 1ULL << 20 }, { "GiB", 1ULL << 30 },
		{ "TiB", 1ULL << 40 },
	};
	unsigned long long	 n;
	const char		*end = s + strspn(s, "0123456789");
	char			*num = xstrndup(s, (size_t)(end - s));
	size_t			 i;
	int			 bad = parse_uint(num, 0, ULLONG_MAX, &n);

	free(num);
	if (bad)
		return -1;
	while (*end == ' ')
		end++;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(end, units[i].unit) == 0) {
			if (n > ULLONG_MAX / units[i].mult)
				return -1;
			*out = n * units[i].mult;
			return 0;
		}
	return -1;
}


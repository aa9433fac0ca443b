/*
 * The seconds one password hash takes on one processor, with the libxcrypt
 * that mutualize uses: hashtime [-p yescrypt|sha512-crypt] [count]. The mean
 * of count hashes (20 by default), each with a new salt, as apply makes them.
 */
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int
main(int argc, char **argv)
{
	const char	*prefix = "$y$";
	struct timespec	 t0, t1;
	char		*setting, *hash;
	void		*data = NULL;
	int		 size = 0, i, n = 20;

	if (argc > 2 && strcmp(argv[1], "-p") == 0) {
		prefix = strcmp(argv[2], "sha512-crypt") == 0 ? "$6$" : "$y$";
		argc -= 2;
		argv += 2;
	}
	if (argc > 1 && (n = atoi(argv[1])) < 1) {
		fprintf(stderr, "usage: hashtime [-p scheme] [count]\n");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		if ((setting = crypt_gensalt_ra(prefix, 0, NULL, 0)) == NULL)
			return 1;
		hash = crypt_ra("abcd-efgh-ijkm-npqr-stuv-wxyz-2345", setting,
		    &data, &size);
		free(setting);
		if (hash == NULL || hash[0] == '*')
			return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	free(data);
	printf("%.6f\n", ((double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9) / n);
	return 0;
}

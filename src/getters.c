/*
 * The loader's getters: a node of a YAML document as what the model wants (a
 * mapping's values by key, a string, a list, one word of a few, a number, a
 * size), each error said at the node's place. load.c and template.c read
 * their files through them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"

static size_t
edit_distance(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b), i, j, prev, tmp, row[64];

	if (la >= NKEYS(row) || lb >= NKEYS(row))
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (tmp + 1 < row[j])
				row[j] = tmp + 1;
			prev = tmp;
		}
	}
	return row[lb];
}

static void
unknown_key(struct loader *l, const struct ynode *key, const char *what,
    const struct keyspec *keys, size_t nkeys)
{
	size_t	i, best = SIZE_MAX, dist, bi = 0;

	for (i = 0; i < nkeys; i++) {
		dist = edit_distance(key->value, keys[i].name);
		if (dist < best) {
			best = dist;
			bi = i;
		}
	}
	if (best <= 2 || (best <= 3 && strlen(keys[bi].name) > 6))
		diag_add(l->d, key->pos, "unknown key \"%s\" in %s; did you mean "
		    "\"%s\"?", key->value, what, keys[bi].name);
	else
		diag_add(l->d, key->pos, "unknown key \"%s\" in %s", key->value, what);
}

/*
 * Finds the value of each key of the table in a mapping (NULL when absent) and
 * reports unknown, duplicate and missing keys. Returns -1 when not a mapping.
 */
int
map_keys(struct loader *l, const struct ynode *map, const char *what,
    const struct keyspec *keys, size_t nkeys, const struct ynode **vals)
{
	size_t	i, k;

	for (k = 0; k < nkeys; k++)
		vals[k] = NULL;
	if (map == NULL || map->kind != YN_MAP) {
		diag_add(l->d, map ? map->pos : l->m->syndicate.pos,
		    "%s must be a mapping", what);
		return -1;
	}
	for (i = 0; i < map->n; i += 2) {
		const struct ynode	*key = map->items[i];

		if (key->kind != YN_SCALAR) {
			diag_add(l->d, key->pos, "keys of %s must be plain names", what);
			continue;
		}
		for (k = 0; k < nkeys; k++)
			if (strcmp(key->value, keys[k].name) == 0)
				break;
		if (k == nkeys) {
			unknown_key(l, key, what, keys, nkeys);
			continue;
		}
		if (vals[k] != NULL) {
			diag_add(l->d, key->pos, "duplicate key \"%s\" in %s",
			    key->value, what);
			continue;
		}
		vals[k] = map->items[i + 1];
	}
	for (k = 0; k < nkeys; k++)
		if (keys[k].required && vals[k] == NULL)
			diag_add(l->d, map->pos, "%s has no \"%s\"", what,
			    keys[k].name);
	return 0;
}

/* Returns the scalar's text, or NULL after reporting an error. */
const char *
get_string(struct loader *l, const struct ynode *n, const char *what)
{
	if (n == NULL)
		return NULL;
	if (n->kind != YN_SCALAR) {
		diag_add(l->d, n->pos, "%s must be a string", what);
		return NULL;
	}
	if (ynode_is_null(n) || n->len == 0) {
		diag_add(l->d, n->pos, "%s must not be empty", what);
		return NULL;
	}
	if (strlen(n->value) != n->len) {
		diag_add(l->d, n->pos, "%s contains a NUL character", what);
		return NULL;
	}
	return n->value;
}

/* The position of a value, or of its mapping when the key is absent. */
struct pos
vpos(const struct ynode *n, struct pos fallback)
{
	return n != NULL ? n->pos : fallback;
}

/* Returns the number of items of a sequence (0 for null), or reports an error. */
size_t
get_seq(struct loader *l, const struct ynode *n, const char *what)
{
	if (n == NULL || ynode_is_null(n))
		return 0;
	if (n->kind != YN_SEQ) {
		diag_add(l->d, n->pos, "%s must be a list", what);
		return 0;
	}
	return n->n;
}

/* Returns the index of the scalar's text in names, or -1 after an error. */
int
get_enum(struct loader *l, const struct ynode *n, const char *what,
    const char *const *names, size_t count)
{
	const char	*v = get_string(l, n, what);
	size_t		 i;

	if (v == NULL)
		return -1;
	for (i = 0; i < count; i++)
		if (strcmp(v, names[i]) == 0)
			return (int)i;
	if (count == 2)
		diag_add(l->d, n->pos, "%s \"%s\" is neither \"%s\" nor \"%s\"",
		    what, v, names[0], names[1]);
	else
		diag_add(l->d, n->pos, "%s \"%s\" is not one of \"%s\", \"%s\" or "
		    "\"%s\"", what, v, names[0], names[1], names[2]);
	return -1;
}

/* A whole number written plainly, at most max. Returns -1 after an error. */
int
get_uint(struct loader *l, const struct ynode *n, const char *what,
    unsigned max, unsigned *out)
{
	const char		*v = get_string(l, n, what);
	unsigned long long	 u;

	if (v == NULL)
		return -1;
	if (parse_uint(v, 0, max, &u) == -1) {
		diag_add(l->d, n->pos, "%s must be a whole number from 0 to %u, not "
		    "\"%s\"", what, max, v);
		return -1;
	}
	*out = (unsigned)u;
	return 0;
}

int
get_size(struct loader *l, const struct ynode *n, const char *what,
    unsigned long long *out)
{
	const char	*v = get_string(l, n, what);

	if (v == NULL)
		return -1;
	if (parse_size(v, out) == -1) {
		diag_add(l->d, n->pos, "%s \"%s\" is not a size such as 500MB or "
		    "5GiB", what, v);
		return -1;
	}
	return 0;
}

/* Returns the index of the word in the NULL-terminated list, or -1 after an error. */
int
get_word(struct loader *l, const struct ynode *n, const char *what,
    const char *const *words, const char *expected)
{
	const char	*s = get_string(l, n, what);
	int		 i;

	if (s == NULL)
		return -1;
	for (i = 0; words[i] != NULL; i++)
		if (strcmp(s, words[i]) == 0)
			return i;
	diag_add(l->d, n->pos, "%s \"%s\" is not %s", what, s, expected);
	return -1;
}

/* A date written YYYY-MM-DD; *days stays DATE_NONE after an error or if absent. */
int
get_date(struct loader *l, const struct ynode *n, const char *what, long *days)
{
	const char	*s = get_string(l, n, what);

	*days = DATE_NONE;
	if (s == NULL)
		return -1;
	if (date_parse(s, days) == -1) {
		*days = DATE_NONE;
		diag_add(l->d, n->pos, "%s \"%s\" is not a date of the calendar "
		    "written YYYY-MM-DD, from %d", what, s, DATE_YEAR_MIN);
		return -1;
	}
	return 0;
}

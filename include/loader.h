/*
 * The loader's own: what load.c, policy.c, people.c and template.c share to
 * read YAML documents into the model. Not part of the program's interface.
 */
#ifndef LOADER_H
#define LOADER_H

#include "mutualize.h"

/* getters.c: a node as what the model wants, each error at its place. */

/* A load under way: the model it fills, the errors it finds. */
struct loader {
	struct model	*m;
	struct diags	*d;
};

/* A key a mapping may have. */
struct keyspec {
	const char	*name;
	int		 required;
};

#define NKEYS(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Finds the value of each key of the table in a mapping (NULL when absent) and
 * reports unknown (with the nearest known key), duplicate and missing keys.
 * Returns -1 when not a mapping.
 */
int	 map_keys(struct loader *, const struct ynode *map, const char *what,
	    const struct keyspec *, size_t nkeys, const struct ynode **vals);
/* Returns the scalar's text, or NULL after reporting an error (NULL n: none). */
const char *get_string(struct loader *, const struct ynode *, const char *what);
/* The position of a value, or of its mapping when the key is absent. */
struct pos vpos(const struct ynode *, struct pos fallback);
/* Returns the number of items of a sequence (0 for null), or reports an error. */
size_t	 get_seq(struct loader *, const struct ynode *, const char *what);
/* The index of the scalar's text in names (2 or 3 of them), or -1 after an error. */
int	 get_enum(struct loader *, const struct ynode *, const char *what,
	    const char *const *names, size_t count);
/* A whole number written plainly, at most max. Returns 0, or -1 after an error. */
int	 get_uint(struct loader *, const struct ynode *, const char *what,
	    unsigned max, unsigned *);
/* A size such as 5GiB. Returns 0, or -1 after an error. */
int	 get_size(struct loader *, const struct ynode *, const char *what,
	    unsigned long long *);
/* A date YYYY-MM-DD as a day number; DATE_NONE after an error or when absent. */
int	 get_date(struct loader *, const struct ynode *, const char *what,
	    long *days);
/*
 * The index of the word in the NULL-terminated list, or -1 after an error
 * saying the word is not expected.
 */
int	 get_word(struct loader *, const struct ynode *, const char *what,
	    const char *const *words, const char *expected);

/* policy.c: the policy section, or its defaults when n is NULL. */
void	 load_policy(struct loader *, const struct ynode *n);

/*
 * people.c: adds the person nodes of the people file n names (YAML if !csv)
 * to nodes; the document goes to the model's list.
 */
void	 people_from_file(struct loader *, const struct ynode *n, int csv,
	    struct ptrvec *nodes);

#endif

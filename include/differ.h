/*
 * What the files of diff share while one plan is made: diff.c matches the
 * entries and emits the changes in order, and calls down to members.c (the
 * member values that go first), compare.c (one entry's attributes),
 * memberof.c (memberOf drift), depart.c (people who left) and plan_ops.c
 * (pushing a change), in the order of the plan. Each calls only files later
 * in this list, so that no two of them call each other. A header of its own
 * keeps the differ out of mutualize.h, as apply.h keeps the apply's.
 */
#ifndef MUTUALIZE_DIFFER_H
#define MUTUALIZE_DIFFER_H

#include "mutualize.h"

enum { RANK_BASE, RANK_CONTAINER, RANK_TENANT, RANK_OU, RANK_PERSON, RANK_GROUP,
    NRANKS };

/*
 * Room for comparing two value lists, reused from one attribute to the next:
 * an unchanged directory of 100,000 entries costs no memory in the plan.
 */
struct scratch {
	const char	**want, **have, **plus, **minus;
	size_t		  cap;
};

struct differ {
	const struct entries	*desired, *current;
	const struct diff_opts	*o;
	struct plan		*p;
	const char		**mkeys;	/* managed subtrees, as keys */
	struct scratch		 sc;
	struct hmap		 claimed;	/* current key -> desired entry */
	struct hmap		 tenants;	/* ids of the tenants of the file */
	struct ptrvec		 adds[NRANKS];
	struct ptrvec		 renames;	/* desired, current, ... */
	struct ptrvec		 pairs;		/* desired, current, ... */
	struct ptrvec		 leavers;	/* current people no longer in the file */
	struct ptrvec		 dels;		/* current entries to delete */
	struct hmap		 after;		/* group key -> struct attr *: its
						   members once the removals are made */
	struct hmap		 removed;	/* "group key\tperson key" removed */
	struct hmap		 touched;	/* key of each group changed so far */
	struct arena		 tmp;		/* what lives as long as the differ */
};

/* members.c: the member values a group loses, before any rename. */
void	 remove_members(struct differ *, const struct entry *want,
	    const struct entry *have);

/* compare.c: one kept entry against the one the file wants. */
void	 diff_entry(struct differ *, const struct entry *want,
	    const struct entry *have, const char *dn, int renamed);
/* The values of have that want lacks (sc->minus) and the reverse (sc->plus). */
void	 value_diff(struct scratch *, const struct attr *want,
	    const struct attr *have, size_t *nplus, size_t *nminus);
int	 same_in_order(const struct attr *want, const struct attr *have);
void	 scratch_free(struct scratch *);

/* memberof.c: memberOf checked, and repaired through the groups. */
void	 check_memberof(struct differ *);

/*
 * depart.c: what becomes of a person no longer in the file, or out of their
 * dates (render stamps the entry wanted of such a person).
 */
int	 leaver_deleted(const struct differ *, const struct entry *have);
void	 depart(struct differ *, const struct entry *have);
/* Why the person of an entry wanted is disabled, or WHY_NONE. */
enum change_why dated_why(const struct differ *, const struct entry *want);
/* The mods that disable or enable a kept person by the entry wanted; the why. */
enum change_why dated_mods(struct differ *, const struct entry *want,
	    const struct entry *have, struct ptrvec *mods);

/* diff.c: the RDN of a DN (up to the first unescaped comma) and its parent. */
void		 split_dn(struct arena *, const char *dn, const char **rdn,
		    const char **parent);

/* plan_ops.c: the changes diff's files push onto the plan. */
/* A change of op to e, asserting e as read where that is safe. */
struct change	*plan_push(struct plan *, enum change_op,
		    const struct entry *e);
/* A modify of the mods gathered (then freed), or NULL when there are none. */
struct change	*plan_push_modify(struct plan *, const struct entry *have,
		    const char *dn, struct ptrvec *mods, enum change_why);
void		 mod_push(struct arena *, struct ptrvec *mods, enum mod_op,
		    const char *attr, const char **vals, size_t nvals,
		    const char **old, size_t nold);
/* One value, or a copy of n, in the arena, where the plan keeps them. */
const char	**one_value(struct arena *, const char *v);
const char	**keep_values(struct arena *, const char **v, size_t n);
/* Whether s is in the NULL-terminated list (which may be NULL). */
int		 in_list(const char *const *list, const char *s);

#endif

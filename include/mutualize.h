/*
 * mutualize: make an OpenLDAP directory match a syndicate's YAML description.
 *
 * This header is the whole program at a glance, one group per stage:
 *
 *   FILE --yaml--> nodes --load--> model --check--> model
 *   model --render--> desired entries     directory --read--> current entries
 *   diff(desired, current) --> plan --print--> text
 *                                   --apply--> LDAP writes
 *
 * Stages pass plain data; only read.c, apply.c and conn.c speak LDAP.
 */
#ifndef MUTUALIZE_H
#define MUTUALIZE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#define MUTUALIZE_VERSION "0.1.0"

/* Exit statuses, documented in mutualize(1). */
#define EXIT_OK      0
#define EXIT_ERROR   1
#define EXIT_CHANGES 2	/* --exit-code: the plan is not empty */
#define EXIT_UNREACHABLE 3	/* no server could be reached */
#define EXIT_CREDENTIALS 4	/* the server refused the bind */
#define EXIT_ACCESS  5	/* the server's access control refused an operation */
#define EXIT_SCHEMA  6	/* the server's schema refused an entry or a value */
#define EXIT_EXISTS  7	/* an entry to add exists already */
#define EXIT_SIZELIMIT 8	/* a server limit cut a search short */

/* xmem.c: allocation; on failure these print a message and abort. */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
/* Returns a string the caller frees. */
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));

/* Bump allocator: everything allocated from an arena is freed with it. */
struct arena {
	struct arena_chunk	*head;
};
void	*arena_alloc(struct arena *, size_t);
char	*arena_strndup(struct arena *, const char *, size_t);
char	*arena_strdup(struct arena *, const char *);
char	*arena_printf(struct arena *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 arena_free(struct arena *);

/* Growable array of pointers; the array owns nothing it points to. */
struct ptrvec {
	void	**v;
	size_t	  n, cap;
};
void	 ptrvec_push(struct ptrvec *, void *);
void	 ptrvec_free(struct ptrvec *);

/* hmap.c: string-keyed hash table; keys and values are borrowed. */
struct hmap {
	struct hmap_slot	*slots;
	size_t			 n, cap;
};
void	*hmap_get(const struct hmap *, const char *);
/* Returns the previous value for the key, or NULL. */
void	*hmap_put(struct hmap *, const char *, void *);
void	 hmap_free(struct hmap *);

/* diag.c: positions and error lists. Every model node keeps where it came from. */
struct pos {
	const char	*file;		/* borrowed from the model's file list */
	unsigned	 line, col;	/* 1-based; 0 when not from a file */
};
struct diag {
	struct pos	 pos;
	char		*msg;
};
struct diags {
	struct diag	*v;
	size_t		 n, cap;
};
void	 diag_add(struct diags *, struct pos, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* Orders the errors by file, line and column, keeping the order of ties. */
void	 diag_sort(struct diags *);
void	 diag_print(const struct diags *, FILE *);
void	 diag_free(struct diags *);
/* Returns a regular file's bytes (NUL-terminated; caller frees), or NULL with an error. */
char	*file_read(const char *, size_t max, struct diags *, size_t *len);

/* yaml.c: a YAML stream as a tree of nodes with their positions, within limits. */
enum ynode_kind { YN_SCALAR, YN_SEQ, YN_MAP };
struct ynode {
	enum ynode_kind	  kind;
	struct pos	  pos;
	int		  plain;	/* scalar written without quotes */
	const char	 *value;	/* scalar, NUL-terminated */
	size_t		  len;
	struct ynode	**items;	/* seq: items; map: key, value, key, ... */
	size_t		  n;		/* number of items (map: 2 * pairs) */
	size_t		  weight;	/* nodes reachable, aliases expanded */
};
struct ylimits {
	size_t	max_file;	/* bytes */
	size_t	max_depth;
	size_t	max_scalar;	/* bytes */
	size_t	max_weight;	/* nodes after alias expansion */
};
extern const struct ylimits ylimits_default;
struct ydoc {
	const char	 *file;		/* owned by the arena */
	struct ynode	**roots;	/* one per document in the stream */
	size_t		  nroots;
	struct arena	  arena;	/* owns every node and string */
};
/* Returns a document the caller frees with ydoc_free, or NULL with errors. */
struct ydoc	*ydoc_load_file(const char *, const struct ylimits *, struct diags *);
struct ydoc	*ydoc_load_buffer(const char *, const char *, size_t,
		    const struct ylimits *, struct diags *);
void		 ydoc_free(struct ydoc *);
int		 ynode_is_null(const struct ynode *);

/* model.c, load.c: what the file says. */
enum person_kind { KIND_AGENT, KIND_ELECTED };
enum tls_mode { TLS_DEFAULT, TLS_NONE, TLS_STARTTLS, TLS_LDAPS };
enum bind_method { BIND_SIMPLE, BIND_EXTERNAL };
#define DIRECTORY_TIMEOUT	10	/* seconds, when the file says nothing */
#define DIRECTORY_TIMEOUT_MAX	3600
struct dir_uri {
	const char	*uri;
	struct pos	 pos;
};
struct ref {
	const char	*id;
	struct pos	 pos;
};
struct person {
	const char	*id;
	const char	*given_name, *surname;
	enum person_kind kind;
	struct ref	*groups;
	size_t		 ngroups;
	struct pos	 pos, id_pos;
	struct tenant	*tenant;	/* the tenant that lists this person */
	const char	*login;		/* set by render_logins */
};
struct group {
	const char	*id, *name;
	struct pos	 pos, id_pos;
};
struct tenant {
	const char	*id, *name, *mail_domain;
	struct group	*groups;
	size_t		 ngroups;
	struct person	*people;
	size_t		 npeople;
	struct pos	 pos, id_pos, mail_domain_pos;
};
struct model {
	struct {
		const char	*id, *name, *base_dn, *mail_domain;
		struct pos	 pos, id_pos, base_dn_pos, mail_domain_pos;
	} syndicate;
	struct {
		struct dir_uri	*uris;		/* tried in this order */
		size_t		 nuris;
		const char	*bind_dn, *bind_password_file, *ca_file;
		enum bind_method bind;
		enum tls_mode	 tls;		/* as written; each URI resolves it */
		unsigned	 timeout;	/* seconds, connect and each operation */
		struct pos	 pos, bind_dn_pos, bind_password_file_pos;
		struct pos	 ca_file_pos;
	} directory;
	struct tenant	*tenants;
	size_t		 ntenants;
	const char	*file;		/* the tenants file as named */
	const char	*dir;		/* its directory, for relative paths */
	struct ydoc	*doc;		/* owns the strings of the model */
	struct arena	 arena;		/* owns the arrays and derived strings */
};
/*
 * Returns the model the caller frees with model_free; errors found on the way are
 * added to the list and leave fields NULL. NULL when the file is no YAML at all.
 */
struct model	*model_load(const char *, struct diags *);
void		 model_free(struct model *);

/* check.c: every rule of the file that needs more than one node. */
/* Returns the number of errors added. */
size_t	 model_check(const struct model *, struct diags *);
int	 valid_id(const char *);
int	 valid_person_id(const char *);
int	 valid_domain(const char *);

/* directory.c: the directory section: the TLS each URI gets, the files it names. */
/*
 * Returns 0 with the TLS the URI gets when the file asks for tls and binds with
 * bind, or -1 with why the URI cannot serve (a phrase to follow the URI).
 */
int		 directory_uri_tls(const char *uri, enum tls_mode, enum bind_method,
		    enum tls_mode *, const char **why);
const char	*tls_mode_name(enum tls_mode);
/* Returns a file named by the tenants file, relative to it; caller frees. */
char		*directory_path(const struct model *, const char *);
/* Reads ca_file, if any: 0, or -1 with an error at its position. */
int		 directory_ca_check(const struct model *, struct diags *);

/* translit.c: names to ASCII logins. */
/* Returns a lowercase ASCII string the caller frees (may be empty). */
char	*translit_login(const char *);

/* entry.c: directory entries, desired or current, as plain data. */
enum entry_kind {
	ENTRY_OTHER,	/* read from the directory, not recognised */
	ENTRY_BASE, ENTRY_TENANTS, ENTRY_TENANT, ENTRY_PEOPLE, ENTRY_GROUPS,
	ENTRY_PERSON, ENTRY_GROUP
};
struct attr {
	const char	 *name;
	const char	**vals;
	size_t		  nvals;
};
struct entry {
	const char	*dn;
	const char	*key;		/* normalised DN, for lookups */
	const char	*tenant;	/* tenant id, NULL above ou=tenants */
	enum entry_kind	 kind;
	struct attr	*attrs;
	size_t		 nattrs, capattrs;
	unsigned	 depth;		/* number of RDNs */
};
struct entries {
	struct ptrvec	 v;		/* struct entry *, in arena */
	struct hmap	 by_key;
	struct hmap	 by_id;		/* employeeNumber -> person entry */
	struct arena	 arena;		/* owns entries and their strings */
};
void		 entries_init(struct entries *);
void		 entries_free(struct entries *);
/* Returns the new entry, or NULL if the DN is already present. */
struct entry	*entries_add(struct entries *, const char *dn, const char *tenant,
		    enum entry_kind);
struct entry	*entries_find(const struct entries *, const char *dn);
void		 entry_add_value(struct entries *, struct entry *, const char *attr,
		    const char *value);
const struct attr *entry_attr(const struct entry *, const char *);
/* Sets the kind and tenant of an entry read from the directory. */
void		 entry_classify(struct entries *, struct entry *, const char *base_key,
		    const char *tenants_key);
/* Returns the normalised form of a DN in the arena. */
const char	*dn_key(struct arena *, const char *);
unsigned	 dn_depth(const char *);

/* dn.c: escaping of values, for a DN (RFC 4514) or a filter (RFC 4515). */
/* Each returns a string the caller frees. */
char	*dn_escape_value(const char *);
char	*filter_escape_value(const char *);

/* render.c: the model as the entries it wants in the directory. */
const char	*render_tenants_dn(struct arena *, const struct model *);
/* Assigns person->login: the uid already in the directory, else the derivation. */
void		 render_logins(struct model *, const struct entries *current);
void		 render(const struct model *, struct entries *);
/* Returns a NULL-terminated list of the attributes mutualize owns for a kind. */
const char *const *render_managed_attrs(enum entry_kind);
extern const char *const render_read_attrs[];

/* diff.c: the changes that make current into desired, in the order to apply them. */
enum change_op { CHANGE_ADD, CHANGE_MODIFY, CHANGE_DELETE };
enum mod_op { MOD_ADD, MOD_DELETE, MOD_REPLACE };
struct mod {
	enum mod_op	  op;
	const char	 *attr;
	const char	**vals;		/* new values (add, replace), or those deleted */
	size_t		  nvals;
	const char	**old;		/* replace: the values it replaces */
	size_t		  nold;
};
struct change {
	enum change_op		 op;
	const struct entry	*entry;	/* add: desired; modify, delete: current */
	struct mod		*mods;
	size_t			 nmods;
};
struct plan {
	struct change	*v;
	size_t		 n, cap;
	size_t		 nadd, nmodify, ndelete;
	struct arena	 arena;
};
/* The plan borrows from both entry sets: free it before them. */
void	 diff(const struct entries *desired, const struct entries *current,
	    const char *managed_dn, struct plan *);
void	 plan_free(struct plan *);

/* plan.c: printing a plan. */
struct print_opts {
	int	 color;
};
void	 plan_print_text(const struct plan *, const struct model *, FILE *,
	    const struct print_opts *);
void	 plan_print_summary(const struct plan *, const char *file, FILE *,
	    const struct print_opts *);

/* secret.c: the bind password, files of secrets, no core dumps. */
/* Returns the password the caller frees with secret_free, or NULL with a message. */
char	*secret_bind_password(const struct model *, struct diags *);
void	 secret_free(char *);
void	 secret_protect(void);
struct secret_file {
	FILE	*fp;		/* write the secrets here */
	char	*path;		/* the name the file takes on commit */
	char	*tmp;		/* its name until then */
	char	 buf[BUFSIZ];	/* stdio's buffer, wiped on close */
};
/* Each returns 0, or -1 after printing why; commit and close free the struct. */
int	 secret_file_create(struct secret_file *, const char *path);
int	 secret_file_commit(struct secret_file *);
void	 secret_file_close(struct secret_file *);

/* conn.c, read.c, apply.c: the directory. */
struct conn;
struct conn_target {
	const char	*uri;
	enum tls_mode	 tls;		/* resolved: none, starttls or ldaps */
};
struct conn_opts {
	const struct conn_target *targets;	/* tried in this order */
	size_t		 ntargets;
	enum bind_method bind;
	const char	*bind_dn;	/* simple bind */
	const char	*password;	/* simple bind */
	const char	*ca_file;	/* path, or NULL for the system's CAs */
	unsigned	 timeout;	/* seconds, connect and each operation */
	int		 verbose;
};
/*
 * Returns a connection bound to the first server that answers, or NULL after
 * printing why each one failed, with the exit status for it.
 */
struct conn	*conn_open(const struct conn_opts *, int *status);
void		 conn_close(struct conn *);
/* The exit status that the first error on the connection calls for. */
int		 conn_status(const struct conn *);
/* Reads the base entry and the subtree below tenants_dn. Returns 0 or -1. */
int		 read_directory(struct conn *, const char *base_dn,
		    const char *tenants_dn, struct entries *);
struct apply_result {
	size_t	done;		/* changes the server accepted */
	size_t	failed;		/* index of the change that failed, if any */
};
/* Returns 0 when every change was made, -1 after printing the error. */
int		 apply_plan(struct conn *, const struct plan *, struct apply_result *,
		    int verbose);

#endif

/*
 * mutualize: make an OpenLDAP directory match a syndicate's YAML description.
 *
 * This header is the whole program at a glance: the utilities first, then
 * one group per file in the order of the pipeline (read the files, check,
 * render, read the directory, diff, guard, present, apply, tell the
 * services), then the command line:
 *
 *   FILE --yaml--> nodes --load--> model --check--> model
 *   model + templates --render--> desired entries
 *   directory --read--> current entries
 *   diff(desired, current) --> plan --print--> text
 *                                   --apply--> LDAP writes
 *                                   --connect--> SCIM, webhook, mail
 *
 * Stages pass plain data; only read.c, apply.c (with lookup.c and save.c),
 * lock.c and conn.c speak LDAP, and only http.c HTTP and SMTP
 * (libcurl), for the connectors.
 */
#ifndef MUTUALIZE_H
#define MUTUALIZE_H

#include <limits.h>
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
#define EXIT_CONNECTORS 9	/* the directory changed; a connector failed */

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
/*
 * Where an arena stands, to give back what was allocated since, when that is
 * the last thing allocated: the space is reused, the chunks are kept.
 */
struct arena_mark {
	struct arena_chunk	*chunk;
	size_t			 used;
};
struct arena_mark arena_mark(const struct arena *);
void	 arena_release(struct arena *, struct arena_mark);

/*
 * A string built from pieces, reused from one piece of work to the next, so
 * that building 100,000 DNs costs no allocation each.
 */
struct sbuf {
	char	*s;
	size_t	 len, cap;
};
/* Sets the buffer to the strings joined, up to NULL; the result lives until the next call. */
const char *sbuf_join(struct sbuf *, ...) __attribute__((sentinel));
void	 sbuf_free(struct sbuf *);

/* A text built in memory by stdio: memtext_close returns it (caller frees). */
struct memtext {
	char	*s;
	size_t	 len;
	FILE	*fp;
};
FILE	*memtext_open(struct memtext *);
char	*memtext_close(struct memtext *);

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
/*
 * The one copy in the arena of a string that repeats, found through kept,
 * which maps each such string to itself.
 */
const char *arena_intern(struct arena *, struct hmap *kept, const char *,
	    size_t);

/*
 * msg.c: messages. msg_warn says something on standard error, each line
 * behind "mutualize: "; msg_fatal then aborts (what cannot go on, such as
 * memory running out).
 */
void	 msg_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 msg_fatal(const char *, ...) __attribute__((format(printf, 1, 2),
	    noreturn));

/* diag.c: positions and error lists. Every model node keeps where it came from. */
struct pos {
	const char	*file;		/* borrowed from the model's file list */
	unsigned	 line, col;	/* 1-based; 0 when not from a file */
};
struct diag {
	struct pos	 pos;		/* pos.file is the diag's own copy */
	char		*msg;
};
struct diags {
	struct diag	*v;
	size_t		 n, cap;
};
void	 diag_add(struct diags *, struct pos, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* The line and column of a byte offset of a text. */
struct pos diag_offset_pos(const char *file, const char *text, size_t len,
	    size_t off);
/* Orders the errors by file, line, column and text; drops exact repeats. */
void	 diag_sort(struct diags *);
void	 diag_print(const struct diags *, FILE *);
void	 diag_free(struct diags *);
/* Returns a regular file's bytes (NUL-terminated; caller frees), or NULL with an error. */
char	*file_read(const char *, size_t max, struct diags *, size_t *len);

/*
 * The same text for a terminal: control characters (C0, DEL, C1), and format
 * and bidirectional characters (Unicode category Cf), line and paragraph
 * separators, escaped as \xNN, \uNNNN or \UNNNNNNNN, as are bytes that are
 * no UTF-8; everything else is kept as it is. Returns a string the caller
 * frees.
 */
char	*text_escape(const char *);
/* Seconds as people read them: 42 s, 5 min, 3 h, 2 d (below 0: 0 s). */
void	 text_duration(char *, size_t, long long seconds);
/* fputs of text_escape(s). */
void	 fputs_escaped(const char *, FILE *);
/* A JSON string: quotes, backslashes and control characters escaped; NULL is null. */
void	 json_string(FILE *, const char *);

/*
 * files.c: files mutualize creates (new, mode 0600, never through a link) and
 * reads (regular files only, opened without blocking).
 */
/* 0 when path does not exist in any form, a link included; else -1, said. */
int	 path_check_new(const char *path, const char *what);
/* 0 when path is absent or a regular file, not a link; else -1, said. */
int	 path_check_regular(const char *path, const char *what);
/* The directory of path ("." if none); caller frees. */
char	*path_dir(const char *path);
/* fsync of the directory path is in, so that a new name lasts. 0 or -1. */
int	 dir_sync(const char *path);
/* A new file, O_EXCL | O_NOFOLLOW, mode 0600. Returns its fd, or -1 (errno). */
int	 file_create(const char *path);
/*
 * A file written whole: under a new temporary name beside path (0600), by
 * write_fn, synced, renamed over path (with noreplace, to path, which must
 * be free), and the directory synced. Returns 0, or -1 with errno, leaving
 * path as it was.
 */
int	 file_rewrite(const char *path, int noreplace,
	    void (*write_fn)(FILE *, void *), void *arg);
/*
 * A file to append to, created 0600 if absent; refused (-1, errno) when a
 * link or not a regular file. Returns its fd.
 */
int	 file_append(const char *path);
/* A regular file to read; -1 with why when it is not one or cannot be opened. */
int	 file_open_input(const char *path, const char **why);
/* Writes all of buf. Returns 0, or -1 with errno. */
int	 write_all(int fd, const void *buf, size_t len);

/* number.c: numbers as people write them. */
/* Decimal digits alone, from min to max. Returns 0, or -1 if not such a number. */
int	 parse_uint(const char *, unsigned long long min, unsigned long long max,
	    unsigned long long *);
/* Sizes: "5GiB", "500MB", "1024". Returns 0, or -1 if not a size. */
int	 parse_size(const char *, unsigned long long *);

/* yaml.c: a YAML stream as a tree of nodes with their positions, within limits. */
enum ynode_kind { YN_SCALAR, YN_SEQ, YN_MAP };
/* Fields in this order leave no padding: a file of 100,000 people has 1.4M nodes. */
struct ynode {
	struct pos	  pos;
	const char	 *value;	/* scalar, NUL-terminated */
	size_t		  len;
	struct ynode	**items;	/* seq: items; map: key, value, key, ... */
	size_t		  n;		/* number of items (map: 2 * pairs) */
	size_t		  weight;	/* nodes reachable, aliases expanded */
	enum ynode_kind	  kind;
	int		  plain;	/* scalar written without quotes */
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
	struct arena	  nodes;	/* owns the nodes and their item lists */
	struct arena	  arena;	/* owns every string */
};
/* Returns a document the caller frees with ydoc_free, or NULL with errors. */
struct ydoc	*ydoc_load_file(const char *, const struct ylimits *, struct diags *);
struct ydoc	*ydoc_load_buffer(const char *, const char *, size_t,
		    const struct ylimits *, struct diags *);
void		 ydoc_free(struct ydoc *);
/* Frees the nodes once what they say is elsewhere; the strings stay. */
void		 ydoc_drop_nodes(struct ydoc *);
int		 ynode_is_null(const struct ynode *);

/* csv.c: an RFC 4180 file as a sequence of mappings, one per row after the header. */
/* Returns a document the caller frees with ydoc_free, or NULL with errors. */
struct ydoc	*csv_load_file(const char *, const struct ylimits *, struct diags *,
		    const char *const *list_keys);

/* load.c: what the tenants file and its people files (people.c) say, as a model. */
struct entries;
struct journal;
enum person_kind { KIND_AGENT, KIND_ELECTED };
enum tls_mode { TLS_DEFAULT, TLS_NONE, TLS_STARTTLS, TLS_LDAPS };
enum bind_method { BIND_SIMPLE, BIND_EXTERNAL };
#define DIRECTORY_TIMEOUT	10	/* seconds, when the file says nothing */
#define DIRECTORY_TIMEOUT_MAX	3600
struct dir_uri {
	const char	*uri;
	struct pos	 pos;
};
enum person_state { STATE_ACTIVE, STATE_SUSPENDED };
enum departure { DEPART_DISABLE, DEPART_DELETE };
/* PW_NONE: new accounts get no password; another way sets it. */
enum password_scheme { PW_YESCRYPT, PW_SHA512_CRYPT, PW_NONE };
/* FIRST_RESET: the generated password must be changed at the first bind. */
enum first_password { FIRST_GENERATED, FIRST_RESET };
/* A date the file does not give (dates are day numbers: see dates.c). */
#define DATE_NONE	LONG_MIN
/* A name given in the file that must name something else: where it was written. */
struct ref {
	const char	*id;
	struct pos	 pos;
};
/* A service a person is entitled to, with its options. */
struct entitlement {
	const char	*id;
	struct pos	 pos;
	unsigned long long quota;	/* bytes; 0: the service's default */
};
struct template;
/* A SCIM 2.0 endpoint (RFC 7644) that learns a service's users and groups. */
struct scim {
	const char	*url;		/* of /Users and /Groups; NULL: none */
	const char	*token_file;	/* the bearer token */
	struct pos	 pos;
};
struct service {
	const char	*id, *template;
	unsigned long long quota;	/* bytes; 0: none */
	const char	*bind_dn;	/* what the service binds as, or NULL:
					   its account, which mutualize makes */
	const char	*bind_password_file;	/* as written, or NULL */
	struct scim	 scim;
	const struct template *tmpl;	/* set by templates_load */
	struct pos	 pos, id_pos, template_pos, bind_dn_pos;
	struct pos	 bind_password_file_pos;
};
/* One attribute a template sets, each value with its placeholders. */
struct template_attr {
	const char	 *name;
	const char	**vals;
	size_t		  nvals;
	struct pos	  pos;
};
/* The configurations service-config knows how to write. */
enum {
	CONFIG_DOVECOT = 1 << 0, CONFIG_POSTFIX = 1 << 1,
	CONFIG_APACHE = 1 << 2, CONFIG_NEXTCLOUD = 1 << 3,
	CONFIG_PROSODY = 1 << 4
};
/* How an entitled person is rendered, and how the service finds them. */
struct template {
	const char		 *name;		/* as services names it */
	const char		 *path;		/* the file read */
	const char		 *description;	/* of the group, or NULL */
	const char		**classes;	/* auxiliary classes to add */
	size_t			  nclasses;
	struct template_attr	 *attrs;
	size_t			  nattrs;
	const char		 *login_attr;	/* holds the login */
	const char		 *filter;	/* who may use the service */
	unsigned		  configs;	/* CONFIG_* */
	const char		 *on_removal;	/* command, or NULL */
};
struct person {
	const char	*id;
	const char	*given_name, *surname;
	enum person_kind kind;
	enum person_state state;
	const char	*title, *department, *phone;
	const char	*mail_set, *login_set;	/* given in the file, or NULL */
	struct ref	*aliases, *groups;
	size_t		 naliases, ngroups;
	struct entitlement *services;	/* NULL: the tenant's */
	size_t		 nservices;
	long		 valid_from, valid_until;	/* days, or DATE_NONE */
	struct pos	 pos, id_pos, mail_pos, login_pos, phone_pos;
	struct pos	 valid_from_pos, valid_until_pos;
	struct tenant	*tenant;	/* the tenant that lists this person */
	const char	*login;		/* set by model_identities */
	const char	*mail;		/* set by model_identities */
};
struct group {
	const char	*id, *name;
	struct ref	*members;	/* person ids, of any tenant */
	size_t		 nmembers;
	struct pos	 pos, id_pos;
};
struct mailbox;
struct tenant {
	const char	*id, *name, *mail_domain;
	struct group	*groups;
	size_t		 ngroups;
	struct person	*people;
	size_t		 npeople;
	struct mailbox	*mailboxes;	/* functional addresses */
	size_t		 nmailboxes;
	struct entitlement *services;	/* default entitlements of its people */
	size_t		 nservices;
	struct ref	*admins;	/* person ids */
	size_t		 nadmins;
	long		 mandate_end;	/* its elected officials' last day, or DATE_NONE */
	struct pos	 pos, id_pos, mail_domain_pos, mandate_end_pos;
};
/*
 * A tenant's functional mailbox (mairie@, accueil@), which outlives the
 * people who read it: only its delegates change.
 */
struct mailbox {
	const char	*id, *address, *name;	/* name: NULL, the address */
	struct ref	*delegates;	/* person ids, of any tenant */
	size_t		 ndelegates;
	struct entitlement *services;	/* NULL: the default (render.c) */
	size_t		 nservices;
	struct pos	 pos, id_pos, address_pos, name_pos;
	struct tenant	*tenant;
};
/* policy.password_min_length: the default, and the range allowed. */
#define PASSWORD_MIN_DEFAULT	12
#define PASSWORD_MIN_MIN	8
#define PASSWORD_MIN_MAX	128
struct policy {
	const char	*login_format, *mail_format;
	enum password_scheme password_scheme;
	enum departure	 on_departure;
	unsigned	 retention_days;
	unsigned	 max_removals;		/* a count, or a percentage */
	int		 max_removals_percent;	/* max_removals is a percentage */
	int		 max_removals_set;
	int		 welcome_password;	/* welcome mails may hold it */
	int		 address_book;	/* people read each other's names, mail */
	unsigned	 password_min_length;	/* ppolicy's pwdMinLength */
	unsigned	 connector_give_up_days;	/* outbox: then dead */
	enum first_password first_password;
	struct pos	 pos, login_pos, mail_pos, first_password_pos;
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
	struct policy	 policy;
	struct {
		const char	*url, *secret_file;	/* url NULL: none */
		struct pos	 pos;
	} webhook;
	struct {
		const char	*url, *from, *template;	/* url NULL: none */
		int		 to_admins;	/* to the tenant's admins */
		struct pos	 pos;
	} welcome;
	struct service	*services;
	size_t		 nservices;
	struct tenant	*tenants;
	size_t		 ntenants;
	const char	*file;		/* the tenants file as named */
	const char	*dir;		/* its directory, for relative paths */
	struct ydoc	*doc;		/* the tenants file */
	struct ptrvec	 docs;		/* struct ydoc *: people files */
	struct hmap	 people_by_id;	/* filled by model_check */
	const char	**person_attrs;	/* managed attributes of people, with */
	const char	**read_attrs;	/* the templates': templates_load */
	long		 today;		/* the day of the run, from the clock */
	struct arena	 arena;		/* owns the arrays and derived strings */
};
/*
 * Returns the model the caller frees with model_free; errors found on the way are
 * added to the list and leave fields NULL. NULL when the file is no YAML at all.
 */
struct model	*model_load(const char *, struct diags *);
void		 model_free(struct model *);
/* The service of that id; NULL if none. */
const struct service *model_service(const struct model *, const char *);

/*
 * dates.c: the days of contracts and mandates (YYYY-MM-DD, local time), and
 * where today falls among a person's.
 */
#define DATE_LEN	10
#define DATE_YEAR_MIN	1970
/* A date written YYYY-MM-DD that the calendar has: 0 and its day number, or -1. */
int	 date_parse(const char *, long *days);
void	 date_format(long days, char buf[DATE_LEN + 1]);
/* Today, by the system clock and the local time zone. */
long	 date_today(void);
/* The local midnight that starts the day, as generalized time (UTC). */
void	 date_gentime(long days, char buf[16]);
/*
 * The person's last day: valid_until, else the tenant's mandate_end for an
 * elected official (*mandate set), else DATE_NONE.
 */
long	 person_until(const struct person *, int *mandate);
/* Before valid_from, within the dates, or after the last day. */
enum period { PERIOD_IN, PERIOD_BEFORE, PERIOD_AFTER };
enum period person_period(const struct person *, long today);

/* check.c: every rule of the file that needs more than one node. */
/* Returns the number of errors added. */
size_t	 model_check(struct model *, struct diags *);
/* Looks up a person by id; NULL if none. */
struct person	*model_person(const struct model *, const char *);
int	 valid_id(const char *);
int	 valid_person_id(const char *);
int	 valid_login(const char *);
int	 valid_domain(const char *);
int	 valid_mail(const char *);

/* identity.c: logins and mail addresses. */
/*
 * The longest login, written or derived: the uid is the entry's RDN, and
 * slapd 2.5's mdb refuses (error 80) a uid RDN of about 250 bytes.
 */
#define LOGIN_MAX	64
/*
 * Assigns every person's login and mail: the login the file sets, else the uid
 * already in the directory (found by employeeNumber in current, which may be
 * NULL), else the policy's derivation, numbered where taken. Reports the collisions no
 * numbering can resolve. Returns the number of errors added.
 */
size_t	 model_identities(struct model *, const struct entries *current,
	    struct diags *);

/* translit.c: names to ASCII logins. */
/* Returns a lowercase ASCII string the caller frees (may be empty). */
char	*translit_login(const char *);

/* template.c: the service templates, what each makes of an entitled person. */
/*
 * The templates directory: the option if given, else MUTUALIZE_TEMPLATES, else
 * "templates" beside the tenants file if there is one, else the installed one.
 */
const char	*templates_dir(struct model *, const char *option);
/*
 * Reads the template of every service from dir (errors with their places) and
 * the attributes they make mutualize manage. Returns the number of errors
 * added.
 */
size_t		 templates_load(struct model *, const char *dir,
		    struct diags *);

/*
 * placeholder.c: "{name}" in the policy's login and mail formats, in the
 * values of templates and in their filters.
 */
/* Those of a login or mail format, in the order format_error names them. */
enum format_field {
	FMT_GIVEN_NAME, FMT_SURNAME, FMT_GIVEN_INITIAL, FMT_SURNAME_INITIAL,
	FMT_ID, FMT_LOGIN, FMT_MAIL_DOMAIN, FMT_TENANT, FMT_NONE
};
/* The placeholder of a format at s ("{surname}") and its length, or FMT_NONE. */
enum format_field format_placeholder(const char *, size_t *len);
/* Returns what is wrong with a login or mail format (caller frees), or NULL. */
char		*format_error(const char *, int mail);
/*
 * The index in fields (NULL-terminated) of the placeholder "{name}" at s, and
 * its length; -1 if none.
 */
int		 placeholder_at(const char *, const char *const *fields,
		    size_t *len);
/*
 * Placeholders such as {login}: the offset of the first '{' of text that opens
 * none of fields (NULL-terminated), or -1; and text with each replaced by its
 * value, NULL when one it uses is NULL (caller frees).
 */
long		 placeholder_unknown(const char *, const char *const *fields);
char		*placeholder_expand(const char *, const char *const *fields,
		    const char *const *vals);
/* removal.c: what is wrong with an on_removal command (caller frees), or NULL. */
char		*removal_error(const char *);
/* What is wrong with a template's value or filter (caller frees), or NULL. */
char		*placeholder_error(const char *, int filter);
/*
 * A template's value for a person entitled with e: placeholders expanded, in
 * the arena. NULL when it names what the person has not (no quota).
 */
const char	*template_value(struct arena *, const char *,
		    const struct person *, const struct service *,
		    const struct entitlement *);
/* The service's filter, {group} and {base} filled in; caller frees. */
char		*template_filter(const struct model *, const struct service *);

/* directory.c: the directory section: the TLS each URI gets, the files it names. */
/*
 * Returns 0 with the TLS the URI gets when the file asks for tls and binds with
 * bind, or -1 with why the URI cannot serve (a phrase to follow the URI).
 */
int		 directory_uri_tls(const char *uri, enum tls_mode, enum bind_method,
		    enum tls_mode *, const char **why);
/*
 * Whether a simple bind on the URI would send the password in clear text to
 * a host that is not this machine (loopback, localhost and ldapi:// are).
 */
int		 directory_uri_cleartext(const char *uri, enum tls_mode,
		    enum bind_method);
const char	*tls_mode_name(enum tls_mode);
/* Returns a file named by the tenants file, relative to it; caller frees. */
char		*directory_path(const struct model *, const char *);
/* Reads ca_file, if any: 0, or -1 with an error at its position. */
int		 directory_ca_check(const struct model *, struct diags *);

/* entry.c: directory entries, desired or current, as plain data. */
enum entry_kind {
	ENTRY_OTHER,	/* read from the directory, not recognised */
	ENTRY_BASE, ENTRY_TENANTS, ENTRY_TENANT, ENTRY_PEOPLE, ENTRY_GROUPS,
	ENTRY_PERSON, ENTRY_GROUP,
	ENTRY_SERVICES,	/* ou=services: who is entitled to what */
	ENTRY_SERVICE,	/* cn=<service>,ou=services */
	ENTRY_SYSTEM,	/* ou=system: the accounts services bind with */
	ENTRY_ACCOUNT,	/* cn=<service>,ou=system */
	ENTRY_MAILBOXES,	/* ou=mailboxes,ou=<tenant> */
	ENTRY_MAILBOX	/* uid=<address>,ou=mailboxes,ou=<tenant> */
};
/* Whether services see the entry as one that reads mail: a person, a mailbox. */
#define ENTRY_IS_USER(k)	((k) == ENTRY_PERSON || (k) == ENTRY_MAILBOX)
struct attr {
	const char	 *name;
	const char	**vals;
	size_t		  nvals;
};
struct entry {
	const char	*dn;
	const char	*key;		/* normalised DN, for lookups */
	const char	*tenant;	/* tenant id, NULL above ou=tenants */
	struct attr	*attrs;
	unsigned	 nattrs, capattrs;	/* 48 bytes: 100,000s of them */
	enum entry_kind	 kind;
	unsigned	 depth;		/* number of RDNs */
};
struct entries {
	struct ptrvec	 v;		/* struct entry *, in arena */
	struct hmap	 by_key;
	struct hmap	 by_id;		/* employeeNumber -> marked person or mailbox */
	int		 ppolicy;	/* read: the server knows pwdAccountLockedTime;
					   wanted: render writes ppolicy's */
	struct hmap	 strings;	/* strings kept once for all entries */
	struct arena	 arena;		/* owns entries and their strings */
	struct arena	 arrays;	/* owns their attribute and value arrays */
	/*
	 * Set by the caller: a set whose strings this one points to where they
	 * are equal (the directory, for the entries wanted), rather than
	 * copying them. It must be freed after this one.
	 */
	const struct entries *share;
	const struct entry *twin_of, *twin;	/* the entry of share last matched */
};
void		 entries_init(struct entries *);
void		 entries_free(struct entries *);
/* Returns the new entry, or NULL if the DN is already present. */
struct entry	*entries_add(struct entries *, const char *dn, const char *tenant,
		    enum entry_kind);
struct entry	*entries_find(const struct entries *, const char *dn);
void		 entry_add_value(struct entries *, struct entry *, const char *attr,
		    const char *value);
void		 entry_add_valuen(struct entries *, struct entry *, const char *attr,
		    const char *value, size_t len);
/* A value as a protocol gives it: not NUL-terminated. */
struct span {
	const char	*s;
	size_t		 len;
};
/* The n values of an attribute at once, as read. */
void		 entry_add_values(struct entries *, struct entry *, const char *attr,
		    const struct span *, size_t n);
/* Room for n attributes in a new entry, when the count is known. */
void		 entry_reserve(struct entries *, struct entry *, size_t n);
/*
 * A complete entry whose twin in the shared set begins with the same
 * attributes and values takes the twin's arrays and gives its own back: the
 * arrays allocated since mark. An unchanged entry then costs no arrays.
 */
void		 entry_done(struct entries *, struct entry *, struct arena_mark);
const struct attr *entry_attr(const struct entry *, const char *);
/* Whether the entry has this value (compared without regard to case). */
int		 entry_has(const struct entry *, const char *attr, const char *value);
/* Whether mutualize manages the entry: it carries objectClass mutualizeManaged. */
int		 entry_managed(const struct entry *);
/*
 * Sets the kind and tenant of an entry read from the directory, from where it
 * stands below the base (keys as dn_key makes them).
 */
void		 entry_classify(struct entries *, struct entry *, const char *base_key,
		    const char *tenants_key);
/* Returns the normalised form of a DN in the arena. */
const char	*dn_key(struct arena *, const char *);
unsigned	 dn_depth(const char *);

/* dn.c: escaping of values, for a DN (RFC 4514) or a filter (RFC 4515). */
/* Each returns a string the caller frees. */
char	*dn_escape_value(const char *);
char	*filter_escape_value(const char *);
/*
 * A DN as slapd compares the names mutualize writes: lowercase, no spaces
 * around the separators; in the arena.
 */
const char *dn_plain(struct arena *, const char *);

/* render.c: the model as the entries it wants in the directory. */
const char	*render_tenants_dn(struct arena *, const struct model *);
/* The base entry, as apply creates it when missing. */
void		 render_base(const struct model *, struct entries *);
const char	*render_services_dn(struct arena *, const struct model *);
const char	*render_system_dn(struct arena *, const struct model *);
/* The model must be checked and its identities assigned (model_identities). */
/*
 * People out of their dates come disabled; where the entries' set says
 * ppolicy (es->ppolicy, copied from the directory read), people also get
 * pwdStartTime, pwdEndTime and, under first_password: reset_required, pwdReset.
 */
void		 render(const struct model *, struct entries *);
/* mailbox.c: a functional mailbox's names. */
/*
 * A mailbox's key, its employeeNumber, which no person id can take ('+') and
 * which is safe as a directory name: "mailbox+<tenant>+<id>"; in the arena.
 */
const char	*mailbox_key(struct arena *, const char *tenant, const char *id);
/*
 * The services of a mailbox: its own list, else every service whose
 * template writes a Dovecot configuration (the mail service). The array is
 * the mailbox's or in the arena; *n its length.
 */
const struct entitlement *mailbox_services(struct arena *,
		    const struct model *, const struct mailbox *, size_t *n);
/*
 * The DN of a mailbox's entry below parent (ou=mailboxes), in the arena, as
 * slapd gives it back: '+', '=' and a leading '#' of the address in hex.
 */
const char	*mailbox_dn(struct arena *, const char *address,
		    const char *parent);
/* ppolicy's value for "locked until an administrator unlocks". */
#define LOCKED_FOREVER	"000001010000Z"
/*
 * The attributes mutualize owns for a kind of entry, NULL-terminated: for
 * people, those of the model's templates too (the model may be NULL).
 */
const char *const *render_managed_attrs(const struct model *, enum entry_kind);
/* What read asks the server for: every attribute mutualize may manage. */
const char *const *render_read_attrs(const struct model *);

/* secret.c: the bind password. */
/* Returns the password the caller frees with secret_free, or NULL with a message. */
char	*secret_bind_password(const struct model *, struct diags *);
/*
 * The first line of a secret file (relative to the tenants file), refused when
 * group or others may read it or when empty. Caller frees with secret_free.
 */
char	*secret_read_file(const struct model *, const char *what,
	    const char *file, struct pos, struct diags *);
void	 secret_free(char *);
#define SECRET_PASSWORD_LEN	34	/* 7 groups of 4, 6 dashes */
void	 secret_password(char [SECRET_PASSWORD_LEN + 1]);
/* Returns the userPassword value (caller frees with secret_free). */
char	*secret_hash(const char *, enum password_scheme);
/* Writes a new account's line to a credentials file. Returns 0 or -1. */
int	 secret_credentials(FILE *, const struct entry *, const char *password);
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

/*
 * The credentials file of an apply, written ahead of the adds: created before
 * the first, a batch's lines synced before its adds are sent.
 */
struct credentials {
	int	 fd;
	char	*path;		/* NULL: none */
	size_t	 lines;		/* passwords written */
};
/* Each returns 0, or -1 after saying why. */
int	 credentials_create(struct credentials *, const char *path);
int	 credentials_add(struct credentials *, const struct entry *,
	    const char *password);
/* A comment line: the account above was not created, and why. */
int	 credentials_unmade(struct credentials *, const struct entry *,
	    const char *why);
/*
 * A comment line: the add of the account was sent and not answered; a
 * server that stopped may still make it, with this password.
 */
int	 credentials_unknown(struct credentials *, const struct entry *);
int	 credentials_sync(struct credentials *);
/* Closes the file; one that never got a password is removed. */
int	 credentials_close(struct credentials *);

/*
 * account.c: the accounts services bind with (cn=<service>,ou=system) and
 * their password files, written before the account is added.
 */
struct plan;
struct change;
/* Whether mutualize makes the service's account: it names no bind_dn. */
int		 account_wanted(const struct service *);
/* The DN the service binds as: its bind_dn, or its account's; in the arena. */
const char	*account_dn(struct arena *, const struct model *,
		    const struct service *);
/* The password file as written, or its default, secret/<service>.pw. */
const char	*account_password_file(struct arena *, const struct service *);
/* The same, as a path (relative to the tenants file); caller frees. */
char		*account_password_path(const struct model *,
		    const struct service *);
/* The service whose account e is (by its cn), or NULL. */
const struct service *account_service(const struct model *,
		    const struct entry *);
/*
 * The userPassword of each account the plan adds, per change (NULL for the
 * others; the caller frees each with secret_free): the first line of its
 * password file, or a new password written there first. Every file that
 * exists is read before any is written. Returns 0 or -1 after saying why.
 */
int		 accounts_ready(const struct plan *, const struct model *,
		    char **hashes);
/* Frees the n hashes of accounts_ready and the array. */
void		 accounts_free_hashes(char **hashes, size_t n);
/* The same for one change, from an existing file only (plan --show-hashes). */
char		*account_hash_existing(const struct model *,
		    const struct change *);
/*
 * The password kept in a file relative to the tenants file: its first line,
 * or a new one written there first (0600). NULL after saying why; caller
 * frees with secret_free.
 */
char		*password_file_take(const struct model *, const char *file,
		    struct pos);
/* Says once for each existing account whose password file is missing. */
void		 accounts_warn_missing(const struct model *,
		    const struct entries *current);

/* conn.c: the connection to the directory, to the first server that answers. */
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
	/* when not NULL: why the last server was given up, as it was said */
	char		*why;
	size_t		 whylen;
};
/*
 * Returns a connection bound to the first server that answers, or NULL after
 * printing why each one failed, with the exit status for it.
 */
struct conn	*conn_open(const struct conn_opts *, int *status);
void		 conn_close(struct conn *);
/* The exit status that the first error on the connection calls for. */
int		 conn_status(const struct conn *);

/* lock.c: one apply at a time. */
/*
 * Takes the apply lock of the directory (cn=mutualize-lock below the base), or
 * says who holds it. *lockdn is what lock_release frees (NULL when the base
 * does not exist yet). Returns 0 or -1.
 */
int		 lock_take(struct conn *, const char *base_dn, const char *started,
		    char **lockdn);
void		 lock_release(struct conn *, char *lockdn);
/*
 * Reads who holds the lock, touching nothing: 1 held (holder says by whom,
 * escaped), 0 free, -1 after saying why it cannot be read.
 */
int		 lock_peek(struct conn *, const char *base_dn, char *holder,
		    size_t len);
/* Whether a holder names this host and a process of it that has gone. */
int		 lock_stale(const char *holder);

/*
 * read.c: the base entry and the subtrees below tenants_dn and the others
 * (NULL-terminated), read with the paged-results control. Returns 0 or -1
 * after printing why.
 */
int		 read_directory(struct conn *, const char *base_dn,
		    const char *tenants_dn, const char *const *subtrees,
		    const char *const *attrs, struct entries *);

/*
 * diff.c: the changes that make current into desired, in the order to apply
 * them; its parts (members.c, compare.c, memberof.c, depart.c) share differ.h.
 */
enum change_op { CHANGE_ADD, CHANGE_MODIFY, CHANGE_MODRDN, CHANGE_DELETE };
/* Why a change is made, when its operation alone does not say it. */
enum change_why {
	WHY_NONE,
	WHY_DISABLE,	/* the person left the file: locked, stamped, kept */
	WHY_ENABLE,	/* a disabled person is back in the file */
	WHY_PRUNE,	/* disabled longer than retention_days (--prune) */
	WHY_DEPART,	/* the person left and on_departure is delete */
	WHY_TENANT,	/* its tenant is removed (--remove-tenant) */
	WHY_DRIFT,	/* members whose memberOf is wrong, written again */
	WHY_NOT_STARTED,	/* in the file, before valid_from: disabled */
	WHY_ENDED,	/* in the file, after valid_until or mandate_end */
	WHY_STARTED,	/* made disabled before valid_from, enabled from it */
	WHY_CONTINUED	/* more member values of the change before it */
};
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
	enum change_why		 why;
	const struct entry	*entry;	/* add: desired; the others: current */
	const char		*dn;	/* the DN the operation names */
	const char		*newrdn;	/* modrdn */
	const char		*newsuperior;	/* modrdn to another parent, or NULL */
	const char		*newdn;		/* modrdn: the DN afterwards */
	const char		*newtenant;	/* modrdn: its tenant afterwards */
	/*
	 * modrdn: the old RDN's value stays (deleteoldrdn: 0), when it names
	 * the entry by another attribute than the new RDN (adopt: cn= to uid=),
	 * which the entry's class may require
	 */
	int			 keep_old_rdn;
	/* "(entryCSN=...)": the entry as read, for the assertion control */
	const char		*assertion;
	struct mod		*mods;
	size_t			 nmods;
	/* sent once every change before it is answered: it changes an entry again */
	int			 waits;
};
/* What diff needs to know besides the two pictures. */
struct diff_opts {
	const struct model *model;	/* its templates' attributes too */
	const char *const *managed;	/* subtrees whose undeclared entries go */
	const char *const *remove_tenants; /* tenants the admin confirms removing */
	enum departure	 on_departure;
	int		 prune;		/* delete accounts disabled long enough: */
	const char	*prune_before;	/* those disabled before this time */
	const char	*now;		/* generalized time of this run */
	int		 lock_accounts;	/* the server has ppolicy's lock attribute */
};
struct plan {
	struct change	*v;
	size_t		 n, cap;
	size_t		 nadd, nmodify, nrename, ndisable, ndelete;
	size_t		 nremovals;	/* people disabled or deleted */
	struct ptrvec	 unmanaged;	/* const struct entry *: left alone */
	struct ptrvec	 tenants_gone;	/* const struct entry *: unconfirmed */
	struct entries	 scratch;	/* entries diff makes (history of people) */
	struct arena	 arena;
};
/*
 * The plan borrows from both entry sets: free it before them. People are
 * matched by employeeNumber, everything else by DN; only entries marked
 * mutualizeManaged are changed or removed.
 */
void	 diff(const struct entries *desired, const struct entries *current,
	    const struct diff_opts *, struct plan *);

/*
 * plan_cut.c: changes of more member values than MEMBERS_PER_CHANGE cut into
 * parts (WHY_CONTINUED), for memberof's sake; diff does it, and adopt.
 */
#define MEMBERS_PER_CHANGE	1000
void	 plan_cut_members(struct plan *);

/* plan_ops.c: the plan trimmed to some of its changes, and freed. */
/* Keeps the changes of these tenants (NULL-terminated) only. */
void	 plan_restrict(struct plan *, const char *const *tenants);
/* Keeps the changes whose keep[i] is set, and counts them again. */
void	 plan_keep(struct plan *, const unsigned char *keep);
void	 plan_free(struct plan *);
/* Whether the change disables a person (left the file, or out of dates). */
int	 change_disables(const struct change *);
/* The names of operations, as LDIF and the plans write them. */
const char *change_op_name(enum change_op);
const char *mod_op_name(enum mod_op);

/* guard.c: the guard rails, checked before anything is written. */
#define GUARD_DEFAULT_PERCENT	5	/* of the people, when max_removals is unset */
#define GUARD_DEFAULT_MIN	10
#define GUARD_DEFAULT_MAX	500
enum {
	GUARD_TENANT = 1 << 0,	/* a tenant would go without --remove-tenant */
	GUARD_REMOVALS = 1 << 1,	/* more removals than max_removals */
	GUARD_CHANGES = 1 << 2	/* more than half of the managed entries */
};
struct guard_opts {
	const char	*file;		/* the tenants file, for messages */
	int		 allow_mass_removal;
	int		 allow_mass_change;
};
/* How many people a plan may disable or delete, of those managed. */
size_t	 guard_removal_limit(const struct policy *, size_t people);
/* Returns 0, or the GUARD_* refusals, each said on err with its override. */
unsigned guard_plan(const struct plan *, const struct entries *current,
	    const struct policy *, const struct guard_opts *, FILE *err);

/* plan.c: printing a plan. */
struct print_opts {
	int		 color;
	unsigned	 horizon;	/* days ahead for "Coming up" */
	int		 cut;		/* show at most detail_limit changes */
	size_t		 detail_limit;
};
/* plan --detail-limit: the changes the text plan details, by default. */
#define DETAIL_LIMIT_DEFAULT	200
/*
 * The text plan: first one line per tenant with its counts (a move counts
 * in both tenants), then each tenant's changes, at most o->detail_limit of
 * them in all when o->cut; then the entries left alone.
 */
void	 plan_print_text(const struct plan *, const struct model *, FILE *,
	    const struct print_opts *);
void	 plan_print_summary(const struct plan *, const char *file, FILE *,
	    const struct print_opts *);
/*
 * coming.c: "Coming up", the accounts of the model that start or end within
 * the horizon (after today, up to today + horizon days); nothing when none.
 */
void	 plan_print_coming(const struct model *, FILE *,
	    const struct print_opts *);
/* The same as a JSON object: {"horizon": N, "accounts": [...]}. */
void	 plan_print_coming_json(const struct model *, unsigned horizon,
	    FILE *);
/* planjson.c: the plan as JSON, every change complete. */
/* With "Coming up" within o->horizon days. */
void	 plan_print_json(const struct plan *, const struct model *,
	    const struct print_opts *, const char *file, FILE *);

/* One change as the JSON plan shows it; a JSON string. */
void	 plan_print_change_json(const struct change *, FILE *);

/* ldif.c: RFC 2849 LDIF, for slapadd, ldapadd and ldapmodify. */
/* Whether a value may be written as it is (a SAFE-STRING not ending in a space). */
int	 ldif_is_safe(const char *, size_t);
/* One "type: value" line, in base64 when not safe, folded at 76 columns. */
void	 ldif_put(FILE *, const char *type, const char *value);
/* A content record: what slapadd and ldapadd load. */
void	 ldif_write_entry(FILE *, const struct entry *);
/*
 * A change record: what ldapmodify applies; hash: a new person's userPassword;
 * ctrl: the BER value of an assertion control to put in it, or NULL.
 */
void	 ldif_write_change(FILE *, const struct change *, const char *hash,
	    const void *ctrl, size_t ctrllen);

/* saved.c: reviewed plans, applied as they were reviewed. */
struct saved {
	struct hmap	 records;	/* record text -> its assertion ("" if none) */
	size_t		 n;
	const char	*now;		/* the time of the plan, for its stamps */
	struct arena	 arena;
};
/*
 * Reads a saved plan made from inputs of this digest: refused (-1, said) when
 * its own digest does not match its content or when a change to an existing
 * entry lacks its assertion. Returns 0 or -1.
 */
int	 saved_load(struct saved *, const char *path, const char *digest);
/*
 * Keeps the changes of the plan the saved one has; *left: how many were left
 * out. Returns 0, or -1 when a kept change lost its assertion: refused whole.
 */
int	 saved_match(struct saved *, struct plan *, const char *path,
	    size_t *left);
/*
 * The SHA-256 of every input file (the tenants file, then its people files),
 * in hex, which a saved plan names; 0, or -1 after an error.
 */
int	 model_digest(const struct model *, char hex[65]);
/* Writes a saved plan's text and the digest that ends it. Returns 0 or -1. */
int	 saved_seal(FILE *, const char *text, size_t len);
void	 saved_free(struct saved *);

/*
 * save.c: writes the plan as a saved plan: LDIF change records with their assertion
 * controls, after a header naming the digest of the input files. Returns 0 or -1.
 */
int		 plan_save(struct conn *, const struct plan *, FILE *,
		    const char *file, const char *digest, const char *now);

/* progress.c: a progress line on a terminal for long runs. */
struct progress;
/*
 * A progress line on fp for `total` steps of `what` (e.g. "changes"); NULL
 * (and every call a no-op) when !enabled or fp is not a terminal.
 */
struct progress	*progress_new(FILE *fp, const char *what, size_t total,
		    int enabled);
/* done: the steps done so far, absolute, not since the last call. */
void		 progress_step(struct progress *, size_t done);
/* Clears the line, so that what follows is written clean; NULL is a no-op. */
void		 progress_free(struct progress *);
/*
 * The text of the line after seconds: done / total, the percentage, the rate
 * and the time left once a step is done, the time taken once all are; total
 * 0 is unknown: the count and rate only. Returns its length as snprintf does.
 */
size_t		 progress_format(char *buf, size_t len, const char *what,
		    size_t done, size_t total, double seconds);

/* hashpool.c: initial passwords made and hashed on every processor. */
struct initial {
	char	 password[SECRET_PASSWORD_LEN + 1];
	char	*hash;		/* the userPassword value, once made */
	int	 wanted;	/* a new person's: make it */
};
struct hashpool;
/* Threads for the processors online; NULL when there is nothing to hash. */
struct hashpool	*hashpool_new(enum password_scheme);
size_t		 hashpool_threads(const struct hashpool *);
/* Starts making the wanted ones of v[0..n) and returns at once. */
void		 hashpool_start(struct hashpool *, struct initial *v, size_t n);
/* Waits until the last start's passwords are all made. */
void		 hashpool_wait(struct hashpool *);
/* Waits at most ms milliseconds: 1 when they are all made, else 0. */
int		 hashpool_wait_for(struct hashpool *, long ms);
/* Makes no more of the last start's: a stopped apply need not wait for them. */
void		 hashpool_cancel(struct hashpool *);
void		 hashpool_free(struct hashpool *);
/*
 * Makes a new account's password and its userPassword value: the one place
 * both are made, for apply and for the LDIF of plan --show-hashes alike.
 */
void		 initial_make(struct initial *, enum password_scheme);
/* Wipes v[0..n): the passwords and their hashes. */
void		 initial_wipe(struct initial *v, size_t n);

/*
 * journal.c: what an apply leaves behind: a journal and an undo file, both
 * written ahead of the changes they record.
 */
enum undo_state {
	UNDO_PENDING,	/* sent or about to be: not answered yet */
	UNDO_DONE,	/* the server made the change */
	UNDO_UNCERTAIN,	/* the connection went before the answer */
	UNDO_DROPPED	/* not made: nothing to take back */
};
struct undo {
	char		*ldif;		/* the record that takes a change back */
	enum undo_state	 state;
};
struct journal {
	FILE		*log;		/* JSON lines, appended, mode 0600 */
	const char	*log_path, *undo_path;
	struct undo	*undos;		/* oldest first */
	size_t		 n, cap;
	int		 undo_named;	/* the undo file has its name */
	int		 unsaved;	/* records the undo file lacks */
	int		 failed;	/* a write failed: send nothing more */
	char		 started[32], user[64], host[256];
};
/*
 * Opens the journal (a regular file, not a link) and makes the undo file,
 * which must not exist. Returns 0 or -1 after saying why.
 */
int	 journal_open(struct journal *, const char *log, const char *undo);
/*
 * Before a change is sent: its journal line ("sending") and its undo record;
 * before is the whole entry a delete removes. Returns the record's number.
 */
size_t	 journal_intent(struct journal *, const struct change *,
	    const struct entry *before);
/* After: what the server said ("ok" or its message), and the record's fate. */
void	 journal_result(struct journal *, size_t rec, const struct change *,
	    const char *result, enum undo_state);
/* Puts both on disk, synced. Returns 0, or -1 after saying why. */
/* The calls to the services made after the changes, and how each went. */
void	 journal_calls(struct journal *, const char *const *what,
	    const int *failed, size_t n);
int	 journal_sync(struct journal *);
int	 journal_close(struct journal *);

/*
 * batch.c: how apply cuts a plan into batches and where it waits for answers;
 * decisions on the plan alone.
 */
/* Whether a change may go in a transaction (slapd 2.5: not deletes, renames). */
int	 batch_txn_able(const struct change *);
/*
 * The end of the batch that starts at change from: at most size changes and,
 * when batches are transactions (txn), all alike for batch_txn_able.
 */
size_t	 batch_end(const struct plan *, size_t from, size_t size, int txn);
/* How many batches batch_end cuts the plan into. */
size_t	 batch_count(const struct plan *, size_t size, int txn);
/*
 * Whether change i (i > 0) may depend on one before it that has not been
 * answered: then every answer is read before it is sent.
 */
int	 batch_barrier(const struct plan *, size_t i);
/* Whether the change adds a person, who gets an initial password. */
int	 change_wants_password(const struct change *);
int	 plan_wants_passwords(const struct plan *);

/* report.c: what an apply that stops early says of its batches. */
struct batch_pos {
	size_t	 batch, nbatches;	/* the batch's number, from 1, of */
	size_t	 from, to;		/* its changes: [from, to) */
	size_t	 n;			/* the plan's changes */
	int	 txn;			/* the batch is one transaction */
};
/* After an error in the batch; uncertain: its commit went unanswered. */
void	 report_failed(const struct batch_pos *, int uncertain);
/* After a stop: the changes before upto landed, the rest were not sent. */
void	 report_landed(const struct batch_pos *, size_t upto);

/*
 * lookup.c: whether the server offers RFC 5805 transactions, and entries
 * read back whole.
 */
int		 lookup_transactions(struct conn *);
/*
 * The whole entry at dn as the server holds it, added to es, for the undo of
 * its delete; NULL when it cannot be read.
 */
const struct entry *lookup_entry(struct conn *, struct entries *es,
		    const char *dn);
/*
 * The entry at dn as it is now, into es: 1 and *e when read, 0 when the
 * server says there is none, -1 when it cannot say (access, a lost link).
 */
int		 lookup_now(struct conn *, struct entries *es, const char *dn,
		    const struct entry **e);

/*
 * already.c: whether a change that failed finds its work done already, as
 * when a failed provider's changes reach the next one by replication.
 */
struct found {
	const struct entry *at;		/* the entry at the change's DN, or NULL */
	int		 at_absent;	/* ... which the server says is not there */
	const struct entry *at_new;	/* a modrdn's: at the new DN, or NULL */
};
/* Whether the directory, as found, holds what the change wanted. */
int		 already_done(const struct change *, const struct found *);
/* The change's operation and DN, as one key, in the arena. */
const char	*already_key(struct arena *, const struct change *);

/* apply.c: the plan's changes made, batch by batch. */
struct apply_opts {
	struct credentials	*credentials;	/* new people's passwords */
	/* per change: the userPassword of a service account added, or NULL */
	char *const		*account_hashes;
	enum password_scheme	 scheme;
	struct journal		*journal;	/* or NULL */
	int			 assert;	/* send each change's assertion */
	int			 keep_passwords;	/* for welcome mails */
	int			 verbose;
	int			 progress;	/* a progress line, if on a terminal */
	size_t			 batch;		/* changes a batch */
	int			 transactions;	/* asked for: --transactions */
	/* between two batches: a signal to stop at, or 0; may be NULL */
	int			(*stop)(void);
	/*
	 * The changes (already_key) found done in the round before: failing
	 * again, they are errors, for the directory does not settle.
	 */
	const struct hmap	*found_before;	/* or NULL */
	unsigned char		*fate;		/* per change, APPLY_*, or NULL */
};
/* What became of each change, in apply_opts.fate. */
enum { APPLY_UNMADE, APPLY_MADE, APPLY_FOUND };
struct apply_result {
	size_t	  done;		/* changes the server accepted */
	size_t	  failed;	/* index of the change that failed, if any */
	size_t	  refused;	/* assertions that failed: changed since */
	size_t	  already;	/* failed, yet found done: not made here */
	char	**passwords;	/* keep_passwords: per change, or NULL; the
				   caller frees each with secret_free */
	int	  stopped;	/* the signal that stopped the apply, or 0 */
	int	  unwritten;	/* the credentials, journal or undo file
				   could not be written: the apply stopped */
};

/*
 * apply.c: makes the plan's changes in batches, pipelined; each batch is one
 * transaction only when asked (o->transactions) and the server has them, for
 * slapd 2.5 can damage its database in rolling one back. Returns 0 when every
 * change was made, -1 after printing the error and which batches landed.
 */
#define BATCH_DEFAULT	2000
#define BATCH_MAX	100000
int		 apply_plan(struct conn *, const struct plan *,
		    const struct apply_opts *, struct apply_result *);

/*
 * connectors.c: what the services cannot read from LDAP, told them after the
 * changes it depends on were made: SCIM 2.0 (scim.c), the webhook
 * (webhook.c), the welcome mail (welcome.c); their requests go through
 * http.c, the only user of libcurl.
 */
enum call_kind {
	CALL_WEBHOOK, CALL_SCIM_USER, CALL_SCIM_DEACTIVATE, CALL_SCIM_GROUP,
	CALL_SCIM_UNGROUP, CALL_MAIL, CALL_COMMAND
};
struct call {
	enum call_kind		 kind;
	const struct service	*service;	/* SCIM */
	const char		*what;		/* one line, no secret in it */
	const char		*key;		/* externalId, or recipient */
	const char		*name;		/* SCIM group displayName */
	char			*body;		/* JSON or message; wiped */
	const char		**members;	/* SCIM group: externalIds */
	size_t			 nmembers;
	int			 failed;
	int			 unkept;	/* its body holds a password: it
						   never goes to the outbox */
	struct outbox_call	*rec;		/* its record in the outbox */
};
struct outbox;
struct outbox_call;
struct connectors {
	const struct model	*m;
	char			*webhook_secret;	/* HMAC-SHA256 key */
	char			**scim_tokens;		/* per service */
	char			*welcome;		/* mail template */
	struct ptrvec		 calls;			/* struct call * */
	struct arena		 arena;
	struct outbox		*outbox;	/* set by the run, or NULL */
	long long		 now;		/* the run's start, epoch s */
	int			 retried;	/* the due calls were sent */
	size_t			 redelivered;	/* earlier calls taken now */
	size_t			 refailed;	/* earlier calls failed again */
	size_t			 queued;	/* this run's, failed, kept */
	size_t			 buried;	/* given up by this run */
	size_t			 unkept;	/* failed and not kept */
};
/*
 * Reads the connectors' secrets and the welcome template, before any packet.
 * Returns the number of errors added.
 */
size_t	 connectors_load(struct connectors *, const struct model *,
	    const char *templates_dir, struct diags *);
/*
 * The calls that the first done changes of the plan call for. passwords, when
 * not NULL, holds per change the initial password of a new person, or NULL.
 */
void	 connectors_plan(struct connectors *, const struct plan *, size_t done,
	    const struct entries *desired, const struct entries *current,
	    char *const *passwords);
void	 connectors_print(const struct connectors *, FILE *);
/*
 * Makes the calls: those of the outbox that are due first, then the plan's,
 * each written to the outbox before it is sent (when cn->outbox is set).
 * Returns how many failed, each said on standard error.
 */
size_t	 connectors_run(struct connectors *, int verbose);
void	 connectors_free(struct connectors *);

/* svcconf.c: the LDAP part of a service's configuration, from its template. */
void	 service_config(const struct model *, const struct service *,
	    const char *uri, FILE *);

/* access.c: who may do what in the syndicate's database (directory-config). */
struct access {
	struct ptrvec	 rules;		/* const char *: olcAccess values, in order */
	struct ptrvec	 limits;	/* const char *: olcLimits values */
};
/*
 * The strings live in the arena; access_free frees the lists. replicator:
 * the replication account, which reads everything, or NULL.
 */
void	 access_make(const struct model *, const char *replicator,
	    struct arena *, struct access *);
void	 access_free(struct access *);
/*
 * Whether a DN can stand in the rules: none of backslash, double quote or
 * caret, which two parsers (the configuration's, the regex's) would read.
 */
int	 access_dn_ok(const char *);

/* slapdconf.c: what a slapd's cn=config holds, as directory-config needs it. */
struct slapd_db {
	const char	*dn;		/* olcDatabase={1}mdb,cn=config */
	const char	*type;		/* mdb, config, frontend... */
	const char	*directory;	/* olcDbDirectory, or NULL */
	struct ptrvec	 suffixes;	/* const char * */
	struct ptrvec	 overlays;	/* const char *: memberof, without {n} */
	struct ptrvec	 indexed;	/* const char *: attributes with an index */
	struct ptrvec	 access, limits;	/* const char *: without {n} */
	struct ptrvec	 syncrepl;	/* const char *: without {n} */
	const char	*rootdn, *multiprovider, *updateref;	/* or NULL */
};
struct slapd_config {
	struct ptrvec	 modules;	/* const char *: loaded, as "memberof" */
	const char	*module_dn;	/* the first module list, or NULL */
	const char	*module_path;	/* its olcModulePath, or NULL */
	struct ptrvec	 schemas;	/* const char *: "core", "misc" */
	const char	*mutualize_dn;	/* mutualize's schema entry, or NULL */
	struct ptrvec	 mutualize_defs;	/* const char *: its attribute
					   types and classes, without {n} */
	struct ptrvec	 dbs;		/* struct slapd_db * */
	struct ptrvec	 server_ids;	/* const char *: olcServerID, no {n} */
	int		 next_db;	/* the number a database added takes */
	struct arena	 arena;
};
/* Reads cn=config over the connection. 0, or -1 after saying why. */
int	 slapd_config_read(struct conn *, struct slapd_config *);
/* The cn=config that Debian's slapd package installs. */
void	 slapd_config_stock(struct slapd_config *);
void	 slapd_config_free(struct slapd_config *);
/* Whether the list of names holds this one, without regard to case. */
int	 slapd_has(const struct ptrvec *, const char *);
/* Whether two lists hold the same strings in the same order. */
int	 slapd_same(const struct ptrvec *, const struct ptrvec *);

/* main.c: the parsed command line, the only state shared by the whole run. */
enum plan_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_LDIF };
struct options {
	int		 verbose;
	int		 quiet;		/* -q: no progress line */
	int		 dry_run;
	int		 exit_code;
	int		 prune;
	int		 allow_mass_removal;
	int		 allow_mass_change;
	const char	*uri;
	const char	*credentials;
	const char	*output;	/* export: NULL for standard output */
	const char	*templates;	/* --templates */
	const char	*service;	/* service-config */
	const char	*file;
	struct ptrvec	 remove_tenants; /* const char *, NULL-terminated */
	struct ptrvec	 tenants;	/* --tenant, NULL-terminated */
	const char	*journal;	/* --journal */
	const char	*out;		/* plan --out */
	const char	*saved;		/* apply --plan */
	const char	*undo;		/* --undo */
	enum plan_format format;	/* --format */
	int		 show_hashes;
	size_t		 batch_size;	/* --batch-size */
	int		 transactions;	/* --transactions: 1, --no-: -1 */
	const char	*config_format;	/* directory-config --format */
	const char	*replicas;	/* directory-config --replicas */
	const char	*server_id;	/* directory-config --server-id */
	const char	*consumer_of;	/* directory-config --consumer-of */
	const char	*db_directory;	/* directory-config --db-directory */
	int		 stock;		/* directory-config --stock */
	unsigned long long max_lag;	/* status --max-lag, if max_lag_set */
	int		 max_lag_set;
	const char	*outbox;	/* --outbox */
	int		 retry_pending;	/* apply --retry-pending */
	unsigned	 horizon;	/* plan --horizon, if horizon_set */
	int		 horizon_set;
	int		 detail;	/* --detail: every change in the text */
	size_t		 detail_limit;	/* --detail-limit, if detail_limit_set */
	int		 detail_limit_set;
	const char	*report_format;	/* report --format */
	/* import and adopt */
	const char	*ldif;		/* import --ldif */
	const char	*base;		/* import --base */
	const char	*id_attr;	/* --id-attr */
	const char	*tenant_attr;	/* import --tenant-attr */
	unsigned	 tenant_level;	/* import --tenant-level; 0: none */
	struct ptrvec	 service_groups; /* import --service-group: "id=DN" */
	const char	*report;	/* import --report */
	const char	*people_dir;	/* import --people-files */
	int		 move;		/* adopt --move */
};
/* plan --horizon: the days ahead that "Coming up" looks, by default, at most. */
#define HORIZON_DEFAULT	30
#define HORIZON_MAX	3650

/* run.c: the pipeline of plan and apply; validate and service-config. */
int	 run_validate(const struct options *);
int	 run_service_config(const struct options *);
/* plan, apply -n (write 0) and apply (write 1); returns the exit status. */
int	 run_plan(const struct options *, int write);
/* apply --retry-pending: the outbox's due calls, no directory read. */
int	 run_retry(const struct options *);
/* The format of that name, as --format says it, or -1. */
int	 plan_format(const char *);

/*
 * import.c (with importout.c, ldifread.c): an existing directory, over LDAP
 * or from LDIF, written as a tenants file; adopt.c: its entries marked
 * managed and moved into the layout.
 */
int	 run_import(const struct options *);
int	 run_adopt(const struct options *);
/* Reads LDIF content records into es. 0, or -1 with the errors added. */
int	 ldif_read(const char *path, const char *text, size_t len,
	    struct entries *es, struct diags *);
/* Base64 decoded in place: the length, or -1 if it is no base64. */
long	 ldif_base64_decode(char *, size_t);
/* A string as a double-quoted YAML scalar, every unprintable escaped. */
void	 yaml_quote(FILE *, const char *);

/* dirconf.c: the slapd configuration of the syndicate's directory. */
int	 run_directory_config(const struct options *);

/* export.c: the directory the file describes, as LDIF for slapadd. */
int	 run_export(const struct options *);

/*
 * status.c: each server of the file reachable or not and how far behind, the
 * lock, the last apply; returns 0 healthy, 2 degraded, 3 none reachable.
 */
int	 run_status(const struct options *);

/*
 * census.c: the counts per tenant for cost sharing, read from the
 * directory (censuscount.c counts, censusout.c prints; census.h).
 */
int	 run_report(const struct options *);

#endif

/*
 * mutualize directory-config: what makes a slapd the syndicate's directory.
 * The server's cn=config is read first (as root over ldapi://), and only what
 * it lacks is printed, in the order ldapmodify must apply it: the modules,
 * the schemas, the database of the base DN (or the changes to the one that
 * serves it), its overlays, then the entries the rules name. A database that
 * would overlap another, a module the host lacks or a database directory not
 * made yet is refused before anything is printed.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "mutualize.h"
#include "dirconf.h"
#include "run.h"

/* Whether DN a is below DN b (both plain). */
static int
dn_below(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b);

	return la > lb + 1 && a[la - lb - 1] == ',' && strcmp(a + la - lb, b) == 0;
}

/*
 * The database that serves the base DN, or none; -1 when another database's
 * suffix contains it or lies below it, or it is not an mdb database.
 */
static int
find_database(struct dirconf *d)
{
	const char	*base = dn_plain(&d->a, d->m->syndicate.base_dn), *s;
	size_t		 i, j;

	for (i = 0; i < d->sc.dbs.n; i++) {
		struct slapd_db	*db = d->sc.dbs.v[i];

		for (j = 0; j < db->suffixes.n; j++) {
			s = dn_plain(&d->a, db->suffixes.v[j]);
			if (strcmp(s, base) == 0 && strcasecmp(db->type, "mdb")
			    == 0) {
				d->db = db;
				continue;
			}
			if (strcmp(s, base) != 0 && !dn_below(base, s) &&
			    !dn_below(s, base))
				continue;
			msg_warn("%s serves %s with %s (%s): the base DN %s needs "
			    "an mdb database of its own", d->server,
			    (const char *)db->suffixes.v[j], db->dn, db->type,
			    d->m->syndicate.base_dn);
			return -1;
		}
	}
	return 0;
}

/* Whether the server has a database of type mdb: back_mdb is loaded. */
static int
has_mdb(const struct slapd_config *sc)
{
	size_t	i;

	for (i = 0; i < sc->dbs.n; i++)
		if (strcasecmp(((struct slapd_db *)sc->dbs.v[i])->type, "mdb")
		    == 0)
			return 1;
	return 0;
}

/* Whether a module is in one of the directories of a modulepath (a:b:c). */
static int
module_file(const char *path, const char *name)
{
	const char	*dir = path, *end;
	struct stat	 st;
	char		*f;
	int		 found = 0;

	for (; !found && *dir != '\0'; dir = end + (*end == ':')) {
		end = dir + strcspn(dir, ":");
		f = xasprintf("%.*s/%s.la", (int)(end - dir), dir, name);
		found = stat(f, &st) == 0;
		free(f);
	}
	return found;
}

/* A module the server has not loaded: this host must have its file. */
static int
check_module(struct dirconf *d, const char *name)
{
	const char	*path = d->sc.module_path != NULL ? d->sc.module_path :
	    "/usr/lib/ldap";

	if (!d->local || module_file(path, name))
		return 0;
	msg_warn("the server cannot load the module %s: there is no %s.la in "
	    "its module path %s", name, name, path);
	return -1;
}

/* The modules the configuration needs that the server lacks. 0 or -1. */
static int
missing_modules(struct dirconf *d)
{
	const char	*needed[] = { "back_mdb", dirrepl_on(d) ? "dynlist" :
	    "memberof", "refint", "ppolicy", d->server_id != 0 ? "syncprov" :
	    NULL, NULL };
	size_t		 i;
	int		 ret = 0;

	for (i = 0; needed[i] != NULL; i++) {
		if (slapd_has(&d->sc.modules, needed[i]) ||
		    (i == 0 && (d->db != NULL || has_mdb(&d->sc))))
			continue;
		if (check_module(d, needed[i]) == -1)
			ret = -1;
		ptrvec_push(&d->modules, (void *)needed[i]);
	}
	return ret;
}

/* The schemas Debian loads on install, which mutualize's entries need. */
static int
check_schemas(struct dirconf *d)
{
	static const char *const needed[] = { "core", "cosine",
	    "inetorgperson", NULL };
	size_t	i;

	for (i = 0; needed[i] != NULL; i++)
		if (!slapd_has(&d->sc.schemas, needed[i])) {
			msg_warn("%s has no %s schema: load /etc/ldap/schema/%s."
			    "ldif first", d->server, needed[i], needed[i]);
			return -1;
		}
	return 0;
}

/*
 * slapd runs as the owner of its other databases' directories (openldap on
 * Debian): a new one owned by another user is said, since slapd would fail
 * to open it.
 */
static void
same_owner(const struct dirconf *d, const struct stat *mine)
{
	struct stat	st;
	size_t		i;

	for (i = 0; i < d->sc.dbs.n; i++) {
		const struct slapd_db	*db = d->sc.dbs.v[i];

		if (db->directory == NULL || stat(db->directory, &st) == -1)
			continue;
		if (st.st_uid != mine->st_uid)
			msg_warn("warning: %s is owned by uid %ld, but %s, the "
			    "directory of %s, by uid %ld, as whom slapd runs",
			    d->db_directory, (long)mine->st_uid, db->directory,
			    db->dn, (long)st.st_uid);
		return;
	}
}

/* A new database's directory must exist: slapd does not make it. */
static int
check_db_directory(struct dirconf *d)
{
	struct stat	st;

	if (d->db != NULL || !d->local)
		return 0;
	if (stat(d->db_directory, &st) == 0 && S_ISDIR(st.st_mode)) {
		same_owner(d, &st);
		return 0;
	}
	msg_warn("the database directory %s does not exist: make it for slapd's "
	    "user first (install -d -o openldap -g openldap -m 0700 %s), or "
	    "choose another with --db-directory", d->db_directory,
	    d->db_directory);
	return -1;
}

/* -H, else the file's first ldapi:// URI, else the default socket's. */
static const char *
server_uri(const struct dirconf *d)
{
	size_t	i;

	if (d->o->uri != NULL)
		return d->o->uri;
	for (i = 0; i < d->m->directory.nuris; i++)
		if (strncmp(d->m->directory.uris[i].uri, "ldapi://", 8) == 0)
			return d->m->directory.uris[i].uri;
	return "ldapi:///";
}

/* Connects as root over ldapi:// and reads cn=config. */
static int
read_server(struct dirconf *d)
{
	struct conn_target	 t;
	struct conn_opts	 co;
	int			 status;

	t.uri = server_uri(d);
	t.tls = TLS_NONE;
	if (strncmp(t.uri, "ldapi://", 8) != 0) {
		msg_warn("%s: directory-config reads cn=config as root over "
		    "ldapi:// (SASL EXTERNAL); give an ldapi:// URI", t.uri);
		return -1;
	}
	memset(&co, 0, sizeof(co));
	co.targets = &t;
	co.ntargets = 1;
	co.bind = BIND_EXTERNAL;
	co.timeout = d->m->directory.timeout;
	co.verbose = d->o->verbose;
	if ((d->c = conn_open(&co, &status)) == NULL) {
		d->status = status;
		return -1;
	}
	d->server = t.uri;
	d->local = 1;
	return slapd_config_read(d->c, &d->sc);
}

/* The DNs the rules name, each one a rule can hold. 0, or -1 after saying. */
static int
check_dns(const struct model *m)
{
	struct diags	d = { 0 };
	size_t		i;
	int		ret;

	if (!access_dn_ok(m->syndicate.base_dn))
		diag_add(&d, m->syndicate.base_dn_pos, "base_dn \"%s\": "
		    "directory-config writes no rule for a DN with a backslash, "
		    "a double quote or a caret", m->syndicate.base_dn);
	if (m->directory.bind_dn != NULL && !access_dn_ok(m->directory.bind_dn))
		diag_add(&d, m->directory.bind_dn_pos, "bind_dn \"%s\": "
		    "directory-config writes no rule for a DN with a backslash, "
		    "a double quote or a caret", m->directory.bind_dn);
	for (i = 0; i < m->nservices; i++)
		if (m->services[i].bind_dn != NULL &&
		    !access_dn_ok(m->services[i].bind_dn))
			diag_add(&d, m->services[i].bind_dn_pos, "bind_dn \"%s\": "
			    "directory-config writes no rule for a DN with a "
			    "backslash, a double quote or a caret",
			    m->services[i].bind_dn);
	ret = d.n > 0 ? -1 : 0;
	diag_print(&d, stderr);
	diag_free(&d);
	return ret;
}

static int
prepare(struct dirconf *d)
{
	const struct model	*m = d->m;

	if (check_dns(m) == -1)
		return -1;
	d->db_directory = d->o->db_directory != NULL ? d->o->db_directory :
	    arena_printf(&d->a, "/var/lib/ldap/%s", m->syndicate.id);
	if (d->format != DIRCONF_LDIF || d->o->stock) {
		slapd_config_stock(&d->sc);
		d->server = "the configuration of Debian's slapd package";
	} else if (read_server(d) == -1)
		return -1;
	if (find_database(d) == -1 || check_schemas(d) == -1 ||
	    dirrepl_prepare(d) == -1 || dirrepl_check_server(d) == -1 ||
	    missing_modules(d) == -1 ||
	    check_db_directory(d) == -1)
		return -1;
	d->policy_dn = arena_printf(&d->a, POLICY_RDN ",%s", m->syndicate.base_dn);
	d->db_dn = d->db != NULL ? d->db->dn : arena_printf(&d->a,
	    "olcDatabase={%d}mdb,cn=config", d->sc.next_db);
	access_make(m, d->repl_dn, &d->a, &d->ac);
	return d->format == DIRCONF_SLAPD_CONF ? 0 : dirconf_entries(d);
}

static int
format_of(const char *name)
{
	static const char *const names[] = { "ldif", "slapd.conf", "entries" };
	size_t	i;

	if (name == NULL)
		return DIRCONF_LDIF;
	for (i = 0; i < 3; i++)
		if (strcmp(name, names[i]) == 0)
			return (int)i;
	msg_warn("--format takes ldif, slapd.conf or entries, not \"%s\"", name);
	return -1;
}

/* Prints to -o's file (made 0600: the LDIF may hold secrets) or stdout. */
static int
print_out(struct dirconf *d)
{
	struct secret_file	 sf;
	int			 ret;

	if (d->o->output == NULL)
		return dirconf_print(d, stdout);
	if (secret_file_create(&sf, d->o->output) == -1)
		return -1;
	if ((ret = dirconf_print(d, sf.fp)) == 0)
		return secret_file_commit(&sf);
	secret_file_close(&sf);
	return ret;
}

int
run_directory_config(const struct options *o)
{
	struct dirconf	 d;
	int		 ret = EXIT_ERROR, f;

	memset(&d, 0, sizeof(d));
	d.o = o;
	if ((f = format_of(o->config_format)) == -1 ||
	    dirrepl_options(&d) == -1 || (d.m = load_checked(o)) == NULL) {
		ptrvec_free(&d.replicas);
		arena_free(&d.a);
		return EXIT_ERROR;
	}
	d.format = (enum dirconf_format)f;
	entries_init(&d.es);
	if (prepare(&d) == 0)
		ret = print_out(&d) == 0 ? EXIT_OK : EXIT_ERROR;
	else if (d.status != 0)
		ret = d.status;
	if (d.c != NULL)
		conn_close(d.c);
	access_free(&d.ac);
	ptrvec_free(&d.modules);
	ptrvec_free(&d.data);
	ptrvec_free(&d.replicas);
	ptrvec_free(&d.server_ids);
	ptrvec_free(&d.syncrepl);
	secret_free(d.repl_password);
	slapd_config_free(&d.sc);
	entries_free(&d.es);
	arena_free(&d.a);
	model_free(d.m);
	return ret;
}

/*
 * directory-config's output: the LDIF that ldapmodify applies to cn=config
 * (only what the server lacks, in the order it must be applied), the same
 * configuration for slapd.conf, or the entries alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mutualize.h"
#include "dirconf.h"

/*
 * The overlays, in the order they are declared: slapd runs the last first.
 * memberof is dynlist where the directory replicates; syncprov, a
 * provider's only, is the last.
 */
static const char *const overlays[] = { "memberof", "refint", "ppolicy",
    "syncprov", NULL };

/* What dynlist makes: memberOf from the groupOfNames that list an entry. */
#define DYNLIST_ATTRSET	"groupOfURLs memberURL member+memberOf@groupOfNames"

/* The schemas mutualize's entries need, as /etc/ldap/schema names them. */
static const char *const schemas[] = { "core", "cosine", "inetorgperson",
    "misc", NULL };

/* What mutualize and the services search, each with the index it needs. */
static const char *const indexes[][2] = {
	{ "objectClass", "eq" }, { "uid", "eq" }, { "mail", "eq" },
	{ "employeeNumber", "eq" }, { "member", "eq" }, { "memberOf", "eq" },
	{ "entryUUID", "eq" }, { "entryCSN", "eq" },
	{ "mutualizeDisabled", "pres,eq" }, { "mailLocalAddress", "eq" },
	{ "mutualizeFormerMail", "eq" }, { "mutualizeMailboxAccess", "eq" },
	{ NULL, NULL }
};

/* The index values the database lacks (all of them for a new one). */
static void
missing_indexes(struct dirconf *d, struct ptrvec *out)
{
	const struct model	*m = d->m;
	struct ptrvec		 seen = { 0 };
	const char		*a;
	size_t			 i;

	for (i = 0; indexes[i][0] != NULL; i++) {
		ptrvec_push(&seen, (void *)indexes[i][0]);
		if (d->db == NULL || !slapd_has(&d->db->indexed, indexes[i][0]))
			ptrvec_push(out, arena_printf(&d->a, "%s %s",
			    indexes[i][0], indexes[i][1]));
	}
	for (i = 0; i < m->nservices; i++) {
		if (m->services[i].tmpl == NULL)
			continue;
		a = m->services[i].tmpl->login_attr;
		if (slapd_has(&seen, a))
			continue;
		ptrvec_push(&seen, (void *)a);
		if (d->db == NULL || !slapd_has(&d->db->indexed, a))
			ptrvec_push(out, arena_printf(&d->a, "%s eq", a));
	}
	ptrvec_free(&seen);
}

static void
put_all(FILE *fp, const char *type, const struct ptrvec *vals)
{
	size_t	i;

	for (i = 0; i < vals->n; i++)
		ldif_put(fp, type, vals->v[i]);
}

/* A record of one modification: "op: attr", the values, "-". */
static void
put_mod(FILE *fp, const char *op, const char *attr, const struct ptrvec *vals)
{
	ldif_put(fp, op, attr);
	put_all(fp, attr, vals);
	fputs("-\n", fp);
}

static void
put_modules(struct dirconf *d, FILE *fp)
{
	if (d->sc.module_dn != NULL) {
		ldif_put(fp, "dn", d->sc.module_dn);
		ldif_put(fp, "changetype", "modify");
		put_mod(fp, "add", "olcModuleLoad", &d->modules);
	} else {
		ldif_put(fp, "dn", "cn=module,cn=config");
		ldif_put(fp, "changetype", "add");
		ldif_put(fp, "objectClass", "olcModuleList");
		ldif_put(fp, "cn", "module");
		ldif_put(fp, "olcModulePath", "/usr/lib/ldap");
		put_all(fp, "olcModuleLoad", &d->modules);
	}
	fputc('\n', fp);
}

/*
 * A schema LDIF file as ldapmodify takes it: each record an add. The files
 * are Debian's (/etc/ldap/schema) and mutualize's own; ldapadd reads them
 * as they are, ldapmodify wants the change type said.
 */
static int
put_schema_file(FILE *fp, const char *path)
{
	struct diags	 d = { 0 };
	size_t		 len;
	char		*text = file_read(path, 1 << 20, &d, &len), *line, *next;

	if (text == NULL) {
		diag_print(&d, stderr);
		diag_free(&d);
		return -1;
	}
	fprintf(fp, "# %s\n", path);
	for (line = text; *line != '\0'; line = next) {
		next = line + strcspn(line, "\n");
		next += *next == '\n';
		if (line[0] == '#')
			continue;
		fwrite(line, 1, (size_t)(next - line), fp);
		if (strncasecmp(line, "dn:", 3) == 0)
			fputs("changetype: add\n", fp);
	}
	fputc('\n', fp);
	free(text);
	return 0;
}

/* Whether the server's mutualize schema defines the OID of this definition. */
static int
defined(const struct dirconf *d, const char *def)
{
	size_t	len = strcspn(def, " "), i;

	for (i = 0; i < d->sc.mutualize_defs.n; i++) {
		const char	*have = d->sc.mutualize_defs.v[i];

		if (strncmp(have, "( ", 2) == 0 && strncmp(have + 2, def, len) == 0 &&
		    have[2 + len] == ' ')
			return 1;
	}
	return 0;
}

/*
 * The values of kind ("olcAttributeTypes") in mutualize.ldif whose OID the
 * server's mutualize schema lacks, added to it: what a newer mutualize
 * defines (its lines are not folded). Returns how many.
 */
static size_t
put_schema_adds(struct dirconf *d, FILE *fp, const char *text, const char *kind)
{
	size_t		 klen = strlen(kind), n = 0, len;
	const char	*line, *next;

	for (line = text; *line != '\0'; line = next) {
		len = strcspn(line, "\n");
		next = line + len + (line[len] == '\n');
		if (strncmp(line, kind, klen) != 0 || strncmp(line + klen, ": ( ",
		    4) != 0 || defined(d, line + klen + 4))
			continue;
		if (n++ == 0)
			fprintf(fp, "add: %s\n", kind);
		fprintf(fp, "%.*s\n", (int)len, line);
	}
	if (n > 0)
		fputs("-\n", fp);
	return n;
}

/* A mutualize schema loaded by an older mutualize: what it lacks. */
static int
put_schema_upgrade(struct dirconf *d, FILE *fp, const char *path, size_t *n)
{
	struct diags	 dg = { 0 };
	struct memtext	 mt;
	size_t		 len, adds;
	char		*text = file_read(path, 1 << 20, &dg, &len), *mods;
	FILE		*m;

	if (text == NULL) {
		diag_print(&dg, stderr);
		diag_free(&dg);
		return -1;
	}
	m = memtext_open(&mt);
	adds = put_schema_adds(d, m, text, "olcAttributeTypes");
	adds += put_schema_adds(d, m, text, "olcObjectClasses");
	mods = memtext_close(&mt);
	if (adds > 0) {
		fprintf(fp, "# %s: what the loaded schema lacks\n", path);
		ldif_put(fp, "dn", d->sc.mutualize_dn);
		fprintf(fp, "changetype: modify\n%s\n", mods);
		++*n;
	}
	free(mods);
	free(text);
	return 0;
}

static int
put_schemas(struct dirconf *d, FILE *fp, size_t *n)
{
	char	*path;
	int	 ret = 0;

	if (!slapd_has(&d->sc.schemas, "misc")) {
		ret = put_schema_file(fp, "/etc/ldap/schema/misc.ldif");
		++*n;
	}
	if (ret == 0 && dirrepl_on(d) && !slapd_has(&d->sc.schemas, "dyngroup")) {
		ret = put_schema_file(fp, "/etc/ldap/schema/dyngroup.ldif");
		++*n;
	}
	path = xasprintf("%s/mutualize.ldif", templates_dir(d->m,
	    d->o->templates));
	if (ret == 0 && !slapd_has(&d->sc.schemas, "mutualize")) {
		ret = put_schema_file(fp, path);
		++*n;
	} else if (ret == 0 && d->sc.mutualize_dn != NULL)
		ret = put_schema_upgrade(d, fp, path, n);
	free(path);
	return ret;
}

static void
put_new_database(struct dirconf *d, FILE *fp, const struct ptrvec *idx)
{
	ldif_put(fp, "dn", "olcDatabase=mdb,cn=config");
	ldif_put(fp, "changetype", "add");
	ldif_put(fp, "objectClass", "olcDatabaseConfig");
	ldif_put(fp, "objectClass", "olcMdbConfig");
	ldif_put(fp, "olcDatabase", "mdb");
	ldif_put(fp, "olcSuffix", d->m->syndicate.base_dn);
	ldif_put(fp, "olcDbDirectory", d->db_directory);
	/* The most the database may grow to, not what it takes. */
	ldif_put(fp, "olcDbMaxSize", "10737418240");
	ldif_put(fp, "olcDbCheckpoint", "512 30");
	put_all(fp, "olcDbIndex", idx);
	put_all(fp, "olcLimits", &d->ac.limits);
	put_all(fp, "olcAccess", &d->ac.rules);
	fputc('\n', fp);
}

/*
 * The database that serves the base already: the indexes it lacks, its
 * limits and rules when they differ. Returns whether it printed a record.
 */
static int
put_database_changes(struct dirconf *d, FILE *fp, const struct ptrvec *idx)
{
	int	limits = !slapd_same(&d->db->limits, &d->ac.limits);
	int	rules = !slapd_same(&d->db->access, &d->ac.rules);

	if (idx->n == 0 && !limits && !rules)
		return 0;
	fprintf(fp, "# %s serves %s already:%s%s%s\n", d->db->dn,
	    d->m->syndicate.base_dn, idx->n > 0 ? " indexes added;" : "",
	    limits ? " its limits replaced;" : "",
	    rules ? " its access rules replaced;" : "");
	ldif_put(fp, "dn", d->db->dn);
	ldif_put(fp, "changetype", "modify");
	if (idx->n > 0)
		put_mod(fp, "add", "olcDbIndex", idx);
	if (limits)
		put_mod(fp, "replace", "olcLimits", &d->ac.limits);
	if (rules)
		put_mod(fp, "replace", "olcAccess", &d->ac.rules);
	fputc('\n', fp);
	return 1;
}

static void
put_overlay(struct dirconf *d, FILE *fp, const char *name)
{
	ldif_put(fp, "dn", arena_printf(&d->a, "olcOverlay=%s,%s", name,
	    d->db_dn));
	ldif_put(fp, "changetype", "add");
	ldif_put(fp, "objectClass", "olcOverlayConfig");
	if (strcmp(name, "memberof") == 0) {
		ldif_put(fp, "objectClass", "olcMemberOf");
	} else if (strcmp(name, "dynlist") == 0) {
		ldif_put(fp, "objectClass", "olcDynListConfig");
		ldif_put(fp, "olcDynListAttrSet", DYNLIST_ATTRSET);
	} else if (strcmp(name, "refint") == 0) {
		ldif_put(fp, "objectClass", "olcRefintConfig");
		ldif_put(fp, "olcRefintAttribute", "member");
	} else if (strcmp(name, "ppolicy") == 0) {
		ldif_put(fp, "objectClass", "olcPPolicyConfig");
		ldif_put(fp, "olcPPolicyDefault", d->policy_dn);
		ldif_put(fp, "olcPPolicyHashCleartext", "TRUE");
	} else {
		ldif_put(fp, "objectClass", "olcSyncProvConfig");
		ldif_put(fp, "olcSpCheckpoint", "100 10");
		ldif_put(fp, "olcSpSessionlog", "10000");
	}
	ldif_put(fp, "olcOverlay", name);
	fputc('\n', fp);
}

/*
 * The policy that exists already, when a value the configuration sets
 * differs. Returns whether it printed a record.
 */
static size_t
put_policy_changes(struct dirconf *d, FILE *fp)
{
	size_t	i, n = 0;

	if (!d->policy_exists)
		return 0;
	for (i = 0; policy_attrs[i] != NULL; i++) {
		const char	*want = policy_value(d, i);

		if (d->policy_now[i] != NULL &&
		    strcasecmp(d->policy_now[i], want) == 0)
			continue;
		if (n++ == 0) {
			ldif_put(fp, "dn", d->policy_dn);
			ldif_put(fp, "changetype", "modify");
		}
		ldif_put(fp, "replace", policy_attrs[i]);
		ldif_put(fp, policy_attrs[i], want);
		fputs("-\n", fp);
	}
	if (n > 0)
		fputc('\n', fp);
	return n > 0;
}

/* The entries to add, then the changes to the policy. */
static size_t
put_entries(struct dirconf *d, FILE *fp)
{
	size_t	i;

	for (i = 0; i < d->data.n; i++) {
		const struct entry	*e = d->data.v[i];
		const struct change	 ch = { .op = CHANGE_ADD, .entry = e,
		    .dn = e->dn };

		ldif_write_change(fp, &ch, NULL, NULL, 0);
	}
	return d->data.n + put_policy_changes(d, fp);
}

/* Whether the configuration has the overlay: syncprov, a provider's only. */
static int
wants_overlay(const struct dirconf *d, size_t i)
{
	return strcmp(overlays[i], "syncprov") != 0 || d->server_id != 0;
}

/* The overlay's name in this configuration. */
static const char *
overlay_name(const struct dirconf *d, size_t i)
{
	return i == 0 && dirrepl_on(d) ? "dynlist" : overlays[i];
}

/* The LDIF of what the server lacks; n counts the records. */
static int
put_ldif(struct dirconf *d, FILE *fp, size_t *n)
{
	struct ptrvec	idx = { 0 };
	size_t		i;

	if (d->modules.n > 0) {
		put_modules(d, fp);
		++*n;
	}
	if (put_schemas(d, fp, n) == -1)
		return -1;
	*n += dirrepl_put_server_ids(d, fp);
	missing_indexes(d, &idx);
	if (d->db == NULL) {
		put_new_database(d, fp, &idx);
		++*n;
	} else
		*n += (size_t)put_database_changes(d, fp, &idx);
	ptrvec_free(&idx);
	for (i = 0; overlays[i] != NULL; i++)
		if (wants_overlay(d, i) && (d->db == NULL ||
		    !slapd_has(&d->db->overlays, overlay_name(d, i)))) {
			put_overlay(d, fp, overlay_name(d, i));
			++*n;
		}
	*n += dirrepl_put_database(d, fp);
	*n += put_entries(d, fp);
	return 0;
}

static void
put_conf(struct dirconf *d, FILE *fp)
{
	struct ptrvec	idx = { 0 };
	size_t		i;

	for (i = 0; schemas[i] != NULL; i++)
		fprintf(fp, "include /etc/ldap/schema/%s.schema\n", schemas[i]);
	if (dirrepl_on(d))
		fputs("include /etc/ldap/schema/dyngroup.schema\n", fp);
	fprintf(fp, "include %s/mutualize.schema\nmodulepath /usr/lib/ldap\n"
	    "moduleload back_mdb\n", templates_dir(d->m, d->o->templates));
	for (i = 0; overlays[i] != NULL; i++)
		if (wants_overlay(d, i))
			fprintf(fp, "moduleload %s\n", overlay_name(d, i));
	dirrepl_put_conf_global(d, fp);
	fprintf(fp, "\ndatabase mdb\nsuffix \"%s\"\ndirectory \"%s\"\n"
	    "maxsize 10737418240\ncheckpoint 512 30\n", d->m->syndicate.base_dn,
	    d->db_directory);
	missing_indexes(d, &idx);
	for (i = 0; i < idx.n; i++)
		fprintf(fp, "index %s\n", (const char *)idx.v[i]);
	ptrvec_free(&idx);
	for (i = 0; i < d->ac.limits.n; i++)
		fprintf(fp, "limits %s\n", (const char *)d->ac.limits.v[i]);
	for (i = 0; i < d->ac.rules.n; i++)
		fprintf(fp, "access %s\n", (const char *)d->ac.rules.v[i]);
	dirrepl_put_conf_database(d, fp);
	if (dirrepl_on(d))
		fputs("overlay dynlist\ndynlist-attrset " DYNLIST_ATTRSET "\n", fp);
	else
		fputs("overlay memberof\n", fp);
	fprintf(fp, "overlay refint\nrefint_attributes member\n"
	    "overlay ppolicy\nppolicy_default \"%s\"\nppolicy_hash_cleartext\n",
	    d->policy_dn);
	if (d->server_id != 0)
		fputs("overlay syncprov\nsyncprov-checkpoint 100 10\n"
		    "syncprov-sessionlog 10000\n", fp);
}

int
dirconf_print(struct dirconf *d, FILE *fp)
{
	const struct model	*m = d->m;
	size_t			 n = 0, i;

	fprintf(fp, "# The directory of %s (%s), from %s,\n# for %s.\n",
	    m->syndicate.id, m->syndicate.base_dn, m->file, d->server);
	switch (d->format) {
	case DIRCONF_SLAPD_CONF:
		put_conf(d, fp);
		break;
	case DIRCONF_ENTRIES:
		for (i = 0; i < d->data.n; i++)
			ldif_write_entry(fp, d->data.v[i]);
		break;
	case DIRCONF_LDIF:
		fputs("# As root on the server's host: "
		    "ldapmodify -Y EXTERNAL -H ldapi:/// -f FILE\n", fp);
		if (d->repl_password != NULL)
			fputs("# It holds the replication account's password: "
			    "keep it as secret as secret/replicator.pw.\n", fp);
		fputc('\n', fp);
		if (put_ldif(d, fp, &n) == -1)
			return -1;
		if (n == 0)
			fprintf(fp, "# Nothing to change: the server has this "
			    "configuration.\n");
		if (n == 0 && !d->o->quiet)
			fprintf(stderr, "mutualize: %s has this configuration "
			    "already; nothing to change\n", d->server);
		break;
	}
	return fflush(fp) == 0 && !ferror(fp) ? 0 : -1;
}

/*
 * Replication in directory-config: multi-provider (--replicas, the same list
 * on every provider, --server-id saying which one this is) or a read replica
 * (--consumer-of). Each provider gets a server ID per URI, syncprov on the
 * database, one syncrepl stanza per provider (itself included: slapd skips
 * the one its server ID names) and multiprovider; a read replica one stanza
 * and a referral for writes. memberOf is not replicated: each server's
 * dynlist makes it from the groups it holds at each read (memberof would
 * leave it wrong on a replica that refreshes, OpenLDAP ITS#8613). All bind
 * as the replication account, cn=replicator,<base>, which reads everything
 * and writes nothing; its password lives in secret/replicator.pw beside the
 * tenants file, made on the first run and read on the others, so that every
 * server's stanzas carry the same. TLS is always verified: StartTLS for ldap://.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mutualize.h"
#include "dirconf.h"

#define REPLICAS_MAX	16
#define REPLICATOR_FILE	"secret/replicator.pw"

/* Splits the comma-separated URIs; each an ldap:// or ldaps:// URI. */
static int
split_uris(struct dirconf *d, const char *list)
{
	char	*copy = arena_strdup(&d->a, list), *u, *save = NULL;

	for (u = strtok_r(copy, ",", &save); u != NULL;
	    u = strtok_r(NULL, ",", &save)) {
		if (strncmp(u, "ldap://", 7) != 0 &&
		    strncmp(u, "ldaps://", 8) != 0) {
			msg_warn("--replicas: \"%s\" is not an ldap:// or "
			    "ldaps:// URI of a provider", u);
			return -1;
		}
		ptrvec_push(&d->replicas, u);
	}
	if (d->replicas.n >= 2 && d->replicas.n <= REPLICAS_MAX)
		return 0;
	msg_warn("--replicas takes from 2 to %d provider URIs, comma-separated",
	    REPLICAS_MAX);
	return -1;
}

/* The options of replication, checked before anything is read. */
int
dirrepl_options(struct dirconf *d)
{
	const struct options	*o = d->o;
	unsigned long long	 id;

	if (o->replicas != NULL && o->consumer_of != NULL) {
		msg_warn("--replicas and --consumer-of exclude each other");
		return -1;
	}
	if (o->consumer_of != NULL) {
		if (strncmp(o->consumer_of, "ldap://", 7) != 0 &&
		    strncmp(o->consumer_of, "ldaps://", 8) != 0) {
			msg_warn("--consumer-of takes the ldap:// or ldaps:// URI "
			    "of a provider");
			return -1;
		}
		return 0;
	}
	if (o->replicas == NULL) {
		if (o->server_id == NULL)
			return 0;
		msg_warn("--server-id goes with --replicas");
		return -1;
	}
	if (split_uris(d, o->replicas) == -1)
		return -1;
	if (o->server_id == NULL || parse_uint(o->server_id, 1, d->replicas.n,
	    &id) == -1) {
		msg_warn("--replicas needs --server-id: which of the %zu URIs "
		    "this server is, from 1 to %zu", d->replicas.n,
		    d->replicas.n);
		return -1;
	}
	d->server_id = (unsigned)id;
	return 0;
}

int
dirrepl_on(const struct dirconf *d)
{
	return d->syncrepl.n > 0;
}

/* One stanza: the provider, the account, the tree, TLS verified. */
static const char *
stanza(struct dirconf *d, unsigned rid, const char *uri)
{
	const char	*ca = d->m->directory.ca_file;
	char		*capath = ca != NULL ? directory_path(d->m, ca) : NULL;
	const char	*out;

	out = arena_printf(&d->a, "rid=%03u provider=%s bindmethod=simple "
	    "binddn=\"%s\" credentials=\"%s\" searchbase=\"%s\" "
	    "exattrs=\"memberOf\" type=refreshAndPersist retry=\"5 10 30 +\" timeout=10 "
	    "network-timeout=5 %stls_reqcert=demand%s%s", rid, uri,
	    d->repl_dn, d->repl_password, d->m->syndicate.base_dn,
	    strncmp(uri, "ldap://", 7) == 0 ? "starttls=critical " : "",
	    capath != NULL ? " tls_cacert=" : "", capath != NULL ? capath : "");
	free(capath);
	return out;
}

/* The stanzas, the server IDs, and the account's password. 0 or -1. */
int
dirrepl_prepare(struct dirconf *d)
{
	size_t	i;

	if (d->server_id == 0 && d->o->consumer_of == NULL)
		return 0;
	d->repl_dn = arena_printf(&d->a, "cn=replicator,%s",
	    d->m->syndicate.base_dn);
	if ((d->repl_password = password_file_take(d->m, REPLICATOR_FILE,
	    d->m->syndicate.pos)) == NULL)
		return -1;
	if (d->o->consumer_of != NULL) {
		ptrvec_push(&d->syncrepl, (void *)stanza(d, 1,
		    d->o->consumer_of));
		return 0;
	}
	for (i = 0; i < d->replicas.n; i++) {
		ptrvec_push(&d->server_ids, arena_printf(&d->a, "%zu %s", i + 1,
		    (const char *)d->replicas.v[i]));
		ptrvec_push(&d->syncrepl, (void *)stanza(d, (unsigned)i + 1,
		    d->replicas.v[i]));
	}
	return 0;
}

/*
 * A server that replicates already is configured again with its
 * replication: without it, the new access rules would lock the replication
 * account out.
 */
int
dirrepl_check_server(struct dirconf *d)
{
	if (d->db != NULL && dirrepl_on(d) &&
	    slapd_has(&d->db->overlays, "memberof")) {
		msg_warn("%s runs memberof, whose memberOf a replica's refresh "
		    "leaves wrong (OpenLDAP ITS#8613): a replicated directory "
		    "gets it from dynlist; remove the memberof overlay first",
		    d->db->dn);
		return -1;
	}
	if (d->db == NULL || d->db->syncrepl.n == 0 || dirrepl_on(d))
		return 0;
	msg_warn("%s replicates %s (olcSyncrepl): give --replicas and "
	    "--server-id, or --consumer-of, as when it was configured",
	    d->db->dn, d->m->syndicate.base_dn);
	return -1;
}

static void
put_replace(FILE *fp, const char *attr, const struct ptrvec *vals)
{
	size_t	i;

	ldif_put(fp, "replace", attr);
	for (i = 0; i < vals->n; i++)
		ldif_put(fp, attr, vals->v[i]);
	fputs("-\n", fp);
}

static int
differs(const struct slapd_db *db, const char *attr, const char *want)
{
	const char	*have = NULL;

	if (db != NULL && strcasecmp(attr, "olcRootDN") == 0)
		have = db->rootdn;
	else if (db != NULL && strcasecmp(attr, "olcMultiProvider") == 0)
		have = db->multiprovider;
	else if (db != NULL)
		have = db->updateref;
	return have == NULL || strcasecmp(have, want) != 0;
}

/* The server IDs of cn=config. Returns the number of records printed. */
size_t
dirrepl_put_server_ids(struct dirconf *d, FILE *fp)
{
	if (d->server_ids.n == 0 || slapd_same(&d->sc.server_ids,
	    &d->server_ids))
		return 0;
	ldif_put(fp, "dn", "cn=config");
	ldif_put(fp, "changetype", "modify");
	put_replace(fp, "olcServerID", &d->server_ids);
	fputc('\n', fp);
	return 1;
}

/*
 * The database's replication: the rootdn syncrepl writes as (a name no entry
 * can hold, so that nobody binds as it), the stanzas, and multiprovider or
 * the referral of a read replica. Returns the number of records printed.
 */
size_t
dirrepl_put_database(struct dirconf *d, FILE *fp)
{
	const struct slapd_db	*db = d->db;
	const char		*ref = d->o->consumer_of;
	int			 root, stanzas, mode;

	if (d->syncrepl.n == 0)
		return 0;
	root = differs(db, "olcRootDN", "cn=syncrepl,cn=config");
	stanzas = db == NULL || !slapd_same(&db->syncrepl, &d->syncrepl);
	mode = ref != NULL ? differs(db, "olcUpdateRef", ref) :
	    differs(db, "olcMultiProvider", "TRUE");
	if (!root && !stanzas && !mode)
		return 0;
	ldif_put(fp, "dn", d->db_dn);
	ldif_put(fp, "changetype", "modify");
	if (root) {
		ldif_put(fp, "replace", "olcRootDN");
		ldif_put(fp, "olcRootDN", "cn=syncrepl,cn=config");
		fputs("-\n", fp);
	}
	if (stanzas)
		put_replace(fp, "olcSyncrepl", &d->syncrepl);
	if (mode) {
		ldif_put(fp, "replace", ref != NULL ? "olcUpdateRef" :
		    "olcMultiProvider");
		ldif_put(fp, ref != NULL ? "olcUpdateRef" : "olcMultiProvider",
		    ref != NULL ? ref : "TRUE");
		fputs("-\n", fp);
	}
	fputc('\n', fp);
	return 1;
}

/* The same for slapd.conf: the global server IDs, then the database's. */
void
dirrepl_put_conf_global(struct dirconf *d, FILE *fp)
{
	size_t	i;

	for (i = 0; i < d->server_ids.n; i++)
		fprintf(fp, "serverID %s\n", (const char *)d->server_ids.v[i]);
}

void
dirrepl_put_conf_database(struct dirconf *d, FILE *fp)
{
	size_t	i;

	if (d->syncrepl.n == 0)
		return;
	fputs("rootdn \"cn=syncrepl,cn=config\"\n", fp);
	for (i = 0; i < d->syncrepl.n; i++)
		fprintf(fp, "syncrepl %s\n", (const char *)d->syncrepl.v[i]);
	if (d->o->consumer_of != NULL)
		fprintf(fp, "updateref %s\n", d->o->consumer_of);
	else
		fputs("multiprovider on\n", fp);
}

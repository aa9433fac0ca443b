/*
 * What a slapd's cn=config holds, as directory-config needs it: the modules
 * loaded, the schemas, the databases with their suffixes, overlays and
 * indexes. Read over the connection (root's SASL EXTERNAL over ldapi://
 * manages cn=config on a Debian install), or taken as the slapd package
 * makes it.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "mutualize.h"
#include "conn.h"

#define CONFIG_FILTER	"(|(objectClass=olcGlobal)(objectClass=olcModuleList)" \
	"(objectClass=olcSchemaConfig)(objectClass=olcDatabaseConfig)" \
	"(objectClass=olcOverlayConfig))"

/* A value without its "{n}" ordering prefix nor a module's ".la" or ".so". */
static const char *
plain(struct arena *a, const char *v, size_t len)
{
	size_t	n;

	if (len > 0 && v[0] == '{' && (n = strcspn(v, "}")) < len) {
		v += n + 1;
		len -= n + 1;
	}
	if (len > 3 && (strncmp(v + len - 3, ".la", 3) == 0 ||
	    strncmp(v + len - 3, ".so", 3) == 0))
		len -= 3;
	return arena_strndup(a, v, len);
}

/* The "{n}" of an ordered value, or -1. */
static int
order_of(const char *v)
{
	return v[0] == '{' ? atoi(v + 1) : -1;
}

/* The names an olcDbIndex value indexes: "cn,uid eq" gives cn and uid. */
static void
add_indexed(struct arena *a, struct ptrvec *out, const char *v)
{
	size_t	n;

	while (*v != '\0' && *v != ' ' && *v != '\t') {
		n = strcspn(v, ", \t");
		if (n > 0)
			ptrvec_push(out, (void *)arena_strndup(a, v, n));
		v += n;
		v += *v == ',';
	}
}

typedef void	(*value_fn)(struct slapd_config *, void *, const char *,
		    size_t);

/* Calls fn for each value of attr in the entry. */
static void
each_value(struct slapd_config *sc, LDAP *ld, LDAPMessage *e, const char *attr,
    value_fn fn, void *arg)
{
	struct berval	**v = ldap_get_values_len(ld, e, attr);
	size_t		  i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		fn(sc, arg, v[i]->bv_val, v[i]->bv_len);
	ldap_value_free_len(v);
}

/* A value without its "{n}" into the list arg points to (none when NULL). */
static void
take_plain(struct slapd_config *sc, void *arg, const char *v, size_t len)
{
	if (arg != NULL)
		ptrvec_push(arg, (void *)plain(&sc->arena, v, len));
}

/* A value as it is into the list arg points to. */
static void
take_copy(struct slapd_config *sc, void *arg, const char *v, size_t len)
{
	ptrvec_push(arg, arena_strndup(&sc->arena, v, len));
}

/* A single value: where the caller's pointer is. */
static void
take_one(struct slapd_config *sc, void *arg, const char *v, size_t len)
{
	*(const char **)arg = arena_strndup(&sc->arena, v, len);
}

static void
take_db(struct slapd_config *sc, void *arg, const char *v, size_t len)
{
	struct slapd_db	*db = arg;
	char		*s = arena_strndup(&sc->arena, v, len);

	db->type = plain(&sc->arena, s, len);
	if (order_of(s) >= sc->next_db)
		sc->next_db = order_of(s) + 1;
}

static void
take_index(struct slapd_config *sc, void *arg, const char *v, size_t len)
{
	add_indexed(&sc->arena, arg, arena_strndup(&sc->arena, v, len));
}

static struct slapd_db *
new_db(struct slapd_config *sc, const char *dn)
{
	struct slapd_db	*db = arena_alloc(&sc->arena, sizeof(*db));

	memset(db, 0, sizeof(*db));
	db->dn = arena_strdup(&sc->arena, dn);
	ptrvec_push(&sc->dbs, db);
	return db;
}

/* The database an overlay's entry is below: its DN without the first RDN. */
static struct slapd_db *
db_of_overlay(struct slapd_config *sc, const char *dn)
{
	const char	*parent = strchr(dn, ',');
	size_t		 i;

	for (i = 0; parent != NULL && i < sc->dbs.n; i++)
		if (strcasecmp(((struct slapd_db *)sc->dbs.v[i])->dn,
		    parent + 1) == 0)
			return sc->dbs.v[i];
	return NULL;
}

/*
 * mutualize's schema as the server has it: what an older one lacks is
 * added to it (see dirprint.c).
 */
static void
take_mutualize(struct slapd_config *sc, LDAP *ld, LDAPMessage *e,
    const char *dn)
{
	sc->mutualize_dn = arena_strdup(&sc->arena, dn);
	each_value(sc, ld, e, "olcAttributeTypes", take_plain,
	    &sc->mutualize_defs);
	each_value(sc, ld, e, "olcObjectClasses", take_plain,
	    &sc->mutualize_defs);
}

/* One entry of cn=config; slapd returns a database before its overlays. */
static void
take_entry(struct slapd_config *sc, LDAP *ld, LDAPMessage *e)
{
	char		*dn = ldap_get_dn(ld, e);
	struct slapd_db	*db;

	if (dn == NULL)
		return;
	if (strncasecmp(dn, "cn=module", 9) == 0) {
		if (sc->module_dn == NULL)
			sc->module_dn = arena_strdup(&sc->arena, dn);
		each_value(sc, ld, e, "olcModuleLoad", take_plain, &sc->modules);
		each_value(sc, ld, e, "olcModulePath", take_one,
		    &sc->module_path);
	} else if (strncasecmp(dn, "olcOverlay=", 11) == 0) {
		db = db_of_overlay(sc, dn);
		each_value(sc, ld, e, "olcOverlay", take_plain,
		    db != NULL ? &db->overlays : NULL);
	} else if (strncasecmp(dn, "olcDatabase=", 12) == 0) {
		db = new_db(sc, dn);
		each_value(sc, ld, e, "olcDatabase", take_db, db);
		each_value(sc, ld, e, "olcSuffix", take_copy, &db->suffixes);
		each_value(sc, ld, e, "olcDbDirectory", take_one, &db->directory);
		each_value(sc, ld, e, "olcDbIndex", take_index, &db->indexed);
		each_value(sc, ld, e, "olcAccess", take_plain, &db->access);
		each_value(sc, ld, e, "olcLimits", take_plain, &db->limits);
		each_value(sc, ld, e, "olcSyncrepl", take_plain, &db->syncrepl);
		each_value(sc, ld, e, "olcRootDN", take_one, &db->rootdn);
		each_value(sc, ld, e, "olcMultiProvider", take_one,
		    &db->multiprovider);
		each_value(sc, ld, e, "olcUpdateRef", take_one, &db->updateref);
	} else if (strcasecmp(dn, "cn=config") == 0) {
		each_value(sc, ld, e, "olcServerID", take_plain, &sc->server_ids);
	} else if (strcasecmp(dn, "cn=schema,cn=config") != 0) {
		each_value(sc, ld, e, "cn", take_plain, &sc->schemas);
		if (sc->schemas.n > 0 && strcmp(sc->schemas.v[sc->schemas.n - 1],
		    "mutualize") == 0)
			take_mutualize(sc, ld, e, dn);
	}
	ldap_memfree(dn);
}

int
slapd_config_read(struct conn *c, struct slapd_config *sc)
{
	char		*attrs[] = { "olcModuleLoad", "olcModulePath", "cn",
	    "olcDatabase", "olcSuffix", "olcDbDirectory", "olcDbIndex",
	    "olcOverlay", "olcAccess", "olcLimits", "olcSyncrepl", "olcRootDN",
	    "olcMultiProvider", "olcUpdateRef", "olcServerID",
	    "olcAttributeTypes", "olcObjectClasses", NULL };
	struct timeval	 tv = { (time_t)c->timeout, 0 };
	LDAPMessage	*res = NULL, *e;
	int		 rc;

	memset(sc, 0, sizeof(*sc));
	rc = ldap_search_ext_s(c->ld, "cn=config", LDAP_SCOPE_SUBTREE,
	    CONFIG_FILTER, attrs, 0, NULL, NULL, &tv, 0, &res);
	if (rc == LDAP_SUCCESS)
		for (e = ldap_first_entry(c->ld, res); e != NULL;
		    e = ldap_next_entry(c->ld, e))
			take_entry(sc, c->ld, e);
	ldap_msgfree(res);
	if (rc == LDAP_SUCCESS && sc->dbs.n > 0)
		return 0;
	msg_warn("%s: cannot read cn=config: %s (%d); it takes the server's "
	    "root over ldapi:// (run as root on the server's host) or an "
	    "identity that may manage cn=config", c->uri,
	    rc == LDAP_SUCCESS ? "no database there" : ldap_err2string(rc), rc);
	return -1;
}

/* The cn=config that Debian's slapd package writes (slapd.init.ldif). */
void
slapd_config_stock(struct slapd_config *sc)
{
	static const char *const schemas[] = { "core", "cosine", "nis",
	    "inetorgperson", NULL };
	struct slapd_db	*db;
	size_t		 i;

	memset(sc, 0, sizeof(*sc));
	sc->module_dn = "cn=module{0},cn=config";
	sc->module_path = "/usr/lib/ldap";
	ptrvec_push(&sc->modules, "back_mdb");
	for (i = 0; schemas[i] != NULL; i++)
		ptrvec_push(&sc->schemas, (void *)schemas[i]);
	new_db(sc, "olcDatabase={-1}frontend,cn=config")->type = "frontend";
	new_db(sc, "olcDatabase={0}config,cn=config")->type = "config";
	db = new_db(sc, "olcDatabase={1}mdb,cn=config");
	db->type = "mdb";
	db->directory = "/var/lib/ldap";
	ptrvec_push(&db->suffixes, "dc=nodomain");
	sc->next_db = 2;
}

void
slapd_config_free(struct slapd_config *sc)
{
	size_t	i;

	for (i = 0; i < sc->dbs.n; i++) {
		struct slapd_db	*db = sc->dbs.v[i];

		ptrvec_free(&db->suffixes);
		ptrvec_free(&db->overlays);
		ptrvec_free(&db->indexed);
		ptrvec_free(&db->access);
		ptrvec_free(&db->limits);
		ptrvec_free(&db->syncrepl);
	}
	ptrvec_free(&sc->dbs);
	ptrvec_free(&sc->modules);
	ptrvec_free(&sc->schemas);
	ptrvec_free(&sc->mutualize_defs);
	ptrvec_free(&sc->server_ids);
	arena_free(&sc->arena);
}

/* Whether the list holds the name, without regard to case. */
int
slapd_has(const struct ptrvec *names, const char *name)
{
	size_t	i;

	for (i = 0; i < names->n; i++)
		if (strcasecmp(names->v[i], name) == 0)
			return 1;
	return 0;
}

/* Whether two lists hold the same strings in the same order. */
int
slapd_same(const struct ptrvec *a, const struct ptrvec *b)
{
	size_t	i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return 0;
	return 1;
}

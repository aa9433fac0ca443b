/*
 * The LDAP part of a service's own configuration, written from the template of
 * the service and the directory the file names, so that nobody writes a filter
 * by hand: the filter of the template, the login attribute, the base, and the
 * account the service reads the directory as. Each format is quoted by its own
 * rules; the data in filters is escaped as RFC 4515 says. The password of that
 * account is never printed: each service that can read a secret from a file
 * is told to read the account's password file, and BIND_PASSWORD stands for
 * it in the others, with a comment that says which file holds it.
 */
#include <stdlib.h>
#include <string.h>

#include "mutualize.h"

/* Where service-config puts the mailboxes, for the admin to replace. */
#define MAIL_STORE	"/var/vmail"

#define BIND_PASSWORD	"@BIND_PASSWORD@"

/* What every format needs, computed once. */
struct svc {
	const struct model	*m;
	const struct service	*s;
	const char		*uri;		/* without a trailing '/' */
	const char		*base;		/* ou=tenants: the people */
	const char		*group;		/* the service group's DN */
	char			*filter;	/* who may use the service */
	const char		*login;		/* the login attribute */
	const char		*quota;		/* where "{quota}" goes */
	const char		*cmt;		/* how comments start */
	const char		*dn;		/* what the service binds as */
	char			*pwfile;	/* absolute; NULL: none named */
	FILE			*fp;
};

/* For Dovecot and Postfix, '%' starts a variable. */
static void
put_percent(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++)
		fputs(*s == '%' ? "%%" : (char[]){ *s, '\0' }, fp);
}

/* "key = value" for Dovecot and Postfix, on a line of its own. */
static void
put_setting(FILE *fp, const char *key, const char *value)
{
	fprintf(fp, "%s = ", key);
	put_percent(fp, value);
	fputc('\n', fp);
}

/* A double-quoted string for Lua and Apache: '\' and '"' escaped. */
static void
put_quoted(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

/* A single-quoted shell word. */
static void
put_shell(FILE *fp, const char *s)
{
	fputc('\'', fp);
	for (; *s != '\0'; s++)
		fputs(*s == '\'' ? "'\\''" : (char[]){ *s, '\0' }, fp);
	fputc('\'', fp);
}

/* RFC 4516: what an LDAP URL may hold as it is; the rest is %-encoded. */
static void
put_url(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char	c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~!$&'()*+,;=:@", c))
			fputc(c, fp);
		else
			fprintf(fp, "%%%02X", c);
	}
}

/* The filter for one login: the service's filter and login = variable. */
static char *
login_filter(const struct svc *v, const char *var)
{
	return xasprintf("(&%s(%s=%s))", v->filter, v->login, var);
}

/* host:port of an ldap:// URI, for the services that want them apart. */
static void
host_port(const char *uri, char **host, char **port)
{
	const char	*h = strstr(uri, "://"), *colon, *end;

	h = h != NULL ? h + 3 : uri;
	end = h + strcspn(h, "/");
	colon = memchr(h, ':', (size_t)(end - h));
	if (colon == NULL) {
		*host = xstrndup(h, (size_t)(end - h));
		*port = xstrdup(strncmp(uri, "ldaps:", 6) == 0 ? "636" : "389");
	} else {
		*host = xstrndup(h, (size_t)(colon - h));
		*port = xstrndup(colon + 1, (size_t)(end - colon - 1));
	}
}

/* The login filter for Dovecot or Postfix: '%' doubled, but not in var. */
static char *
percent_filter(const struct svc *v, const char *attr, const char *var)
{
	char	*out = NULL;
	size_t	 len = 0;
	FILE	*mem = open_memstream(&out, &len);

	if (mem == NULL)
		abort();
	fputs("(&", mem);
	put_percent(mem, v->filter);
	fprintf(mem, "(%s=%s))", attr, var);
	fclose(mem);
	return out;
}

static void
dovecot(const struct svc *v)
{
	char	*f = percent_filter(v, v->login, "%u");
	FILE	*fp = v->fp;

	fputs("\n# Dovecot 2.3: dovecot-ldap.conf.ext, named by\n"
	    "#   passdb { driver = ldap\n"
	    "#     args = /etc/dovecot/dovecot-ldap.conf.ext }\n"
	    "#   userdb { driver = ldap\n"
	    "#     args = /etc/dovecot/dovecot-ldap.conf.ext }\n"
	    "# Dovecot escapes %u for the filter. The password is checked\n"
	    "# by a bind as the person (auth_bind): no hash leaves the\n"
	    "# directory.\n",
	    fp);
	if (v->pwfile != NULL)
		fprintf(fp, "# Dovecot 2.3 takes no value of this file from "
		    "another: put the first\n# line of %s where "
		    BIND_PASSWORD "\n# stands, and keep this file 0640, "
		    "root:dovecot.\n", v->pwfile);
	put_setting(fp, "uris", v->uri);
	fputs("ldap_version = 3\n", fp);
	put_setting(fp, "dn", v->dn);
	fputs("dnpass = " BIND_PASSWORD "\n", fp);
	fputs("auth_bind = yes\n", fp);
	put_setting(fp, "base", v->base);
	fputs("# The home, where the mail is, comes from the person's id\n"
	    "# (employeeNumber), which a new login after a change of name never\n"
	    "# changes: put the mail store in place of " MAIL_STORE ".\n", fp);
	fprintf(fp, "scope = subtree\nderef = never\npass_filter = %s\n"
	    "pass_attrs = %s=user\nuser_filter = %s\nuser_attrs = %s=user, "
	    "=home=" MAIL_STORE "/%%{ldap:employeeNumber}", f, v->login, f,
	    v->login);
	if (v->quota != NULL)
		fprintf(fp, ", =quota_rule=*:bytes=%%{ldap:%s:0}", v->quota);
	fputc('\n', fp);
	put_setting(fp, "iterate_filter", v->filter);
	fprintf(fp, "iterate_attrs = %s=user\n", v->login);
	free(f);
}

/*
 * The delegates of functional mailboxes: a master passdb (Dovecot's master
 * users) that lets a person the service admits log in to a mailbox as
 * "ADDRESS*LOGIN" with her own password (auth_bind binds as her), when she
 * holds mutualizeMailboxAccess: ADDRESS. In a master passdb lookup %u is
 * the master user, the delegate, and %{login_user} the user she logs in
 * as; result_success = continue looks the mailbox up in the passdb above.
 */
static void
dovecot_delegates(const struct svc *v)
{
	char	*f = percent_filter(v, v->login, "%u"), *g;
	FILE	*fp = v->fp;

	g = xasprintf("(&%.*s(mutualizeMailboxAccess=%%{login_user}))",
	    (int)strlen(f) - 3, f + 2);
	fputs("\n# Dovecot 2.3, delegates: a delegate of a functional mailbox "
	    "logs in to it as\n# \"ADDRESS*LOGIN\" with her own password. In "
	    "dovecot.conf, beside the\n# passdb above:\n"
	    "#   auth_master_user_separator = *\n"
	    "#   passdb { driver = ldap\n"
	    "#     args = /etc/dovecot/dovecot-ldap-delegates.conf.ext\n"
	    "#     master = yes\n#     result_success = continue }\n"
	    "# and this file, dovecot-ldap-delegates.conf.ext (0640, "
	    "root:dovecot):\n", fp);
	put_setting(fp, "uris", v->uri);
	fputs("ldap_version = 3\n", fp);
	put_setting(fp, "dn", v->dn);
	fputs("dnpass = " BIND_PASSWORD "\nauth_bind = yes\n", fp);
	put_setting(fp, "base", v->base);
	fprintf(fp, "scope = subtree\nderef = never\npass_filter = %s\n", g);
	free(f);
	free(g);
}

static void
postfix_table(const struct svc *v, const char *file, const char *param,
    const char *filter, const char *result)
{
	FILE	*fp = v->fp;

	fprintf(fp, "\n# /etc/postfix/%s, for %s = ldap:/etc/postfix/%s\n",
	    file, param, file);
	put_setting(fp, "server_host", v->uri);
	fputs("version = 3\nbind = yes\n", fp);
	put_setting(fp, "bind_dn", v->dn);
	fputs("bind_pw = " BIND_PASSWORD "\n", fp);
	put_setting(fp, "search_base", v->base);
	fputs("scope = sub\nquery_filter = ", fp);
	fputs(filter, fp);	/* made of escaped parts and %s */
	fprintf(fp, "\nresult_attribute = %s\n", result);
}

/* Postfix escapes %s for the filter; the rest of the filter is ours. */
static void
postfix(const struct svc *v)
{
	char	*f;

	fputs("\n# Postfix: three LDAP lookup tables (ldap_table(5)), one file "
	    "each:\n# the domains of the tenants, the mailboxes, and the "
	    "aliases and former\n# addresses, which lead to the mailbox.\n",
	    v->fp);
	if (v->pwfile != NULL)
		fprintf(v->fp, "# ldap_table takes bind_pw only as written: put "
		    "the first line of\n# %s where " BIND_PASSWORD " stands,\n"
		    "# and keep the three files 0640, root:postfix.\n",
		    v->pwfile);
	postfix_table(v, "ldap-domains.cf", "virtual_mailbox_domains",
	    "(&(objectClass=domainRelatedObject)(associatedDomain=%s))",
	    "associatedDomain");
	f = percent_filter(v, "mail", "%s");
	postfix_table(v, "ldap-mailboxes.cf", "virtual_mailbox_maps", f,
	    "mail");
	free(f);
	f = percent_filter(v, "mailLocalAddress", "%s");
	postfix_table(v, "ldap-aliases.cf", "virtual_alias_maps", f, "mail");
	free(f);
}

/*
 * httpd runs the exec: command when it reads its configuration, as root,
 * and takes the first line the command writes.
 */
static void
apache_password(const struct svc *v)
{
	char	*cmd;

	if (v->pwfile == NULL) {
		fputs("\"" BIND_PASSWORD "\"\n", v->fp);
		return;
	}
	cmd = xasprintf("exec:/bin/cat %s", v->pwfile);
	put_quoted(v->fp, cmd);
	fputc('\n', v->fp);
	free(cmd);
}

static void
apache(const struct svc *v)
{
	FILE	*fp = v->fp;

	fputs("\n# Apache httpd 2.4, mod_authnz_ldap: inside the <Location>\n"
	    "# or <Directory> of the service. The filter is in the URL,\n"
	    "# %-encoded.\n", fp);
	if (v->pwfile != NULL)
		fputs("# httpd runs the exec: command as root when it starts: "
		    "the password\n# file may stay root's, mode 0600.\n", fp);
	fprintf(fp, "AuthType Basic\nAuthName \"%s\"\nAuthBasicProvider ldap\n",
	    v->s->id);
	/* The URI is one the file checked: scheme, host and port. */
	fprintf(fp, "AuthLDAPURL \"%s/", v->uri);
	put_url(fp, v->base);
	fprintf(fp, "?%s?sub?", v->login);
	put_url(fp, v->filter);
	fputs("\" NONE\n", fp);
	fputs("AuthLDAPBindDN ", fp);
	put_quoted(fp, v->dn);
	fputs("\nAuthLDAPBindPassword ", fp);
	apache_password(v);
	fputs("AuthLDAPGroupAttribute member\nAuthLDAPGroupAttributeIsDN on\n"
	    "Require ldap-group ", fp);
	fputs(v->group, fp);
	fputc('\n', fp);
}

static void
nextcloud_set(FILE *fp, const char *key, const char *value)
{
	fprintf(fp, "occ ldap:set-config s01 %s ", key);
	put_shell(fp, value);
	fputc('\n', fp);
}

static void
nextcloud(const struct svc *v)
{
	char		*host, *port, *login, *url;
	const char	*sep;
	FILE		*fp = v->fp;

	host_port(v->uri, &host, &port);
	sep = strstr(v->uri, "://");
	url = sep != NULL ? xasprintf("%.*s://%s", (int)(sep - v->uri), v->uri,
	    host) : xstrdup(host);
	login = login_filter(v, "%uid");
	fputs("\n# Nextcloud user_ldap, with occ, on a configuration made by\n"
	    "# \"occ ldap:create-empty-config\" (here s01).\n", fp);
	nextcloud_set(fp, "ldapHost", url);
	nextcloud_set(fp, "ldapPort", port);
	if (v->pwfile != NULL)
		fprintf(fp, "# occ takes the password on its command line, "
		    "where others on the\n# machine may see it: put the first "
		    "line of %s\n# where " BIND_PASSWORD " stands on a machine "
		    "no one else uses, or paste it\n# in the LDAP settings "
		    "page (Server tab) instead of that line.\n", v->pwfile);
	nextcloud_set(fp, "ldapAgentName", v->dn);
	nextcloud_set(fp, "ldapAgentPassword", BIND_PASSWORD);
	nextcloud_set(fp, "ldapBase", v->base);
	nextcloud_set(fp, "ldapBaseUsers", v->base);
	nextcloud_set(fp, "ldapUserFilter", v->filter);
	nextcloud_set(fp, "ldapLoginFilter", login);
	/*
	 * Nextcloud keys its users and their files on the internal user name
	 * and on the UUID attribute: both from what never changes, the
	 * person's id and the entry's entryUUID, so that a new login after a
	 * change of name is the same Nextcloud user.
	 */
	nextcloud_set(fp, "ldapExpertUsernameAttr", "employeeNumber");
	nextcloud_set(fp, "ldapExpertUUIDUserAttr", "entryUUID");
	nextcloud_set(fp, "ldapExpertUUIDGroupAttr", "entryUUID");
	nextcloud_set(fp, "ldapUserDisplayName", "displayName");
	nextcloud_set(fp, "ldapEmailAttribute", "mail");
	if (v->quota != NULL)
		nextcloud_set(fp, "ldapQuotaAttribute", v->quota);
	nextcloud_set(fp, "ldapConfigurationActive", "1");
	free(host);
	free(port);
	free(url);
	free(login);
}

static void
prosody(const struct svc *v)
{
	char	*host, *port, *server, *f = login_filter(v, "$user");
	FILE	*fp = v->fp;

	host_port(v->uri, &host, &port);
	server = xasprintf("%s:%s", host, port);
	fputs("\n-- Prosody 0.12, mod_auth_ldap (lua-ldap): in the VirtualHost "
	    "of the\n-- service. Prosody escapes $user for the filter; in bind "
	    "mode the\n-- password is checked by a bind as the person.\n", fp);
	if (v->pwfile != NULL)
		fprintf(fp, "-- Prosody reads the password file when it starts, "
		    "as its own user:\n-- make it prosody's (chown prosody %s),"
		    "\n-- mode 0600.\n", v->pwfile);
	fputs("authentication = \"ldap\"\nldap_server = ", fp);
	put_quoted(fp, server);
	fputs("\nldap_rootdn = ", fp);
	put_quoted(fp, v->dn);
	fputs("\nldap_password = ", fp);
	if (v->pwfile != NULL) {
		/* Lua: read when Prosody starts, as its own user */
		fputs("assert(io.open(", fp);
		put_quoted(fp, v->pwfile);
		fputs(")):read(\"*l\")", fp);
	} else
		fputs("\"" BIND_PASSWORD "\"", fp);
	fputs("\nldap_base = ", fp);
	put_quoted(fp, v->base);
	fputs("\nldap_scope = \"subtree\"\nldap_filter = ", fp);
	put_quoted(fp, f);
	fprintf(fp, "\nldap_mode = \"bind\"\nldap_tls = %s\n",
	    strncmp(v->uri, "ldaps:", 6) == 0 ? "true" : "false");
	free(host);
	free(port);
	free(server);
	free(f);
}

/* The attribute whose one value is the quota, for the services that read it. */
static const char *
quota_attr(const struct template *t)
{
	size_t	i;

	for (i = 0; i < t->nattrs; i++)
		if (t->attrs[i].nvals == 1 && strcmp(t->attrs[i].vals[0],
		    "{quota}") == 0)
			return t->attrs[i].name;
	return NULL;
}

/*
 * The password file as the service must name it, from wherever it runs:
 * absolute. NULL when the service binds as a DN of the admin's and the file
 * names no password file for it. Caller frees.
 */
static char *
password_file(const struct model *m, const struct service *s)
{
	struct arena	 a = { 0 };
	const char	*file;
	char		*dir, *path;

	if (!account_wanted(s) && s->bind_password_file == NULL)
		return NULL;
	file = account_password_file(&a, s);
	if (file[0] == '/' || (dir = realpath(m->dir, NULL)) == NULL)
		path = account_password_path(m, s);
	else {
		path = xasprintf("%s/%s", dir, file);
		free(dir);
	}
	arena_free(&a);
	return path;
}

/* Which account the service binds as, and where its password is. */
static void
say_account(const struct svc *v)
{
	const char	*c = v->cmt;

	if (account_wanted(v->s))
		fprintf(v->fp, "%s The service binds as its account %s,\n%s "
		    "which \"mutualize apply\" adds. ", c, v->dn, c);
	else
		fprintf(v->fp, "%s The service binds as %s.\n%s ", c, v->dn, c);
	if (v->pwfile == NULL) {
		fprintf(v->fp, "Put its password where " BIND_PASSWORD "\n%s "
		    "stands (mutualize never prints it).\n", c);
		return;
	}
	fprintf(v->fp, "Its password is the first line of\n%s %s\n", c,
	    v->pwfile);
	if (account_wanted(v->s))
		fprintf(v->fp, "%s (written there, mode 0600, before the account "
		    "is added;\n%s mutualize never prints it).\n", c, c);
	else
		fprintf(v->fp, "%s (mutualize never prints it).\n", c);
}

void
service_config(const struct model *m, const struct service *s, const char *uri,
    FILE *fp)
{
	struct svc	 v;
	struct arena	 a = { 0 };
	size_t		 len = strlen(uri);

	v.m = m;
	v.s = s;
	if (len > 0 && uri[len - 1] == '/')
		len--;
	v.uri = arena_strndup(&a, uri, len);
	v.base = render_tenants_dn(&a, m);
	v.group = arena_printf(&a, "cn=%s,%s", s->id,
	    render_services_dn(&a, m));
	v.filter = template_filter(m, s);
	v.login = s->tmpl->login_attr;
	v.quota = quota_attr(s->tmpl);
	v.fp = fp;
	/* Prosody's configuration is Lua, where comments start with "--". */
	v.cmt = s->tmpl->configs == CONFIG_PROSODY ? "--" : "#";
	fprintf(fp, "%s The LDAP part of the configuration of the service "
	    "\"%s\" of %s,\n%s from the template %s.\n%s People entitled to it "
	    "are the members of %s.\n%s Base: %s\n%s Filter: %s\n%s Login "
	    "attribute: %s\n", v.cmt, s->id, m->syndicate.id, v.cmt,
	    s->tmpl->path, v.cmt, v.group, v.cmt, v.base, v.cmt, v.filter,
	    v.cmt, v.login);
	v.dn = account_dn(&a, m, s);
	v.pwfile = password_file(m, s);
	say_account(&v);
	if (s->tmpl->configs & CONFIG_DOVECOT) {
		dovecot(&v);
		dovecot_delegates(&v);
	}
	if (s->tmpl->configs & CONFIG_POSTFIX)
		postfix(&v);
	if (s->tmpl->configs & CONFIG_APACHE)
		apache(&v);
	if (s->tmpl->configs & CONFIG_NEXTCLOUD)
		nextcloud(&v);
	if (s->tmpl->configs & CONFIG_PROSODY)
		prosody(&v);
	free(v.filter);
	free(v.pwfile);
	arena_free(&a);
}

/*
 * A plan saved for review (plan --out): its changes as LDIF change records,
 * each with the assertion control that apply --plan sends, so that a change
 * to an entry edited since the review is refused rather than made. The
 * control's value is encoded by libldap, hence a file of its own among those
 * that speak LDAP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mutualize.h"
#include "conn.h"

int
plan_save(struct conn *c, const struct plan *p, FILE *fp, const char *file,
    const char *digest, const char *now)
{
	struct berval	bv;
	size_t		i, len = 0;
	time_t		t = time(NULL);
	char		when[32], *text = NULL;
	FILE		*mem = open_memstream(&text, &len);
	int		rc = 0;

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	fprintf(mem, "# A plan of mutualize for %s, made %s: mutualize apply "
	    "--plan this file.\n# inputs: %s\n# now: %s\nversion: 1\n\n", file,
	    when, digest, now);
	for (i = 0; i < p->n && rc == 0; i++) {
		const struct change	*ch = &p->v[i];

		bv.bv_val = NULL;
		bv.bv_len = 0;
		if (ch->assertion != NULL &&
		    ldap_create_assertion_control_value(c->ld,
		    (char *)ch->assertion, &bv) != LDAP_SUCCESS) {
			conn_perror(c, "encode the assertion for", ch->dn,
			    LDAP_ENCODING_ERROR, NULL, NULL);
			rc = -1;
		} else
			ldif_write_change(mem, ch, NULL, bv.bv_val, bv.bv_len);
		ber_memfree(bv.bv_val);
	}
	fclose(mem);
	/* the digest of the whole: apply --plan refuses an edited file */
	if (rc == 0)
		rc = saved_seal(fp, text, len);
	free(text);
	return rc;
}

/*
 * The webhook: a JSON POST of each change made, signed with HMAC-SHA256 over
 * the body with the secret of secret_file.
 */
#include <nettle/hmac.h>

#include <stdlib.h>
#include <string.h>

#include "connectors.h"

static void
plan_change(struct connectors *cn, const struct change *ch)
{
	struct call	*c = call_new(cn, CALL_WEBHOOK, NULL);
	struct memtext	 t;
	FILE		*fp = memtext_open(&t);

	fputs("{\"syndicate\": ", fp);
	json_string(fp, cn->m->syndicate.id);
	fputs(", \"change\": ", fp);
	plan_print_change_json(ch, fp);
	fputs("}\n", fp);
	c->body = memtext_close(&t);
	c->what = arena_printf(&cn->arena, "POST %s (webhook: %s %s)",
	    cn->m->webhook.url, change_op_name(ch->op), ch->dn);
}

void
webhook_plan(struct connectors *cn, const struct plan *p, size_t done,
    const struct entries *desired, const struct entries *current,
    char *const *passwords)
{
	size_t	i;

	(void)desired;
	(void)current;
	(void)passwords;
	if (cn->m->webhook.url == NULL)
		return;
	for (i = 0; i < done; i++)
		plan_change(cn, &p->v[i]);
}

/* HMAC-SHA256 of the body with the secret, in hexadecimal. */
static void
sign(const char *key, const char *body, char hex[SHA256_DIGEST_SIZE * 2 + 1])
{
	struct hmac_sha256_ctx	ctx;
	uint8_t			mac[SHA256_DIGEST_SIZE];
	size_t			i;

	hmac_sha256_set_key(&ctx, strlen(key), (const uint8_t *)key);
	hmac_sha256_update(&ctx, strlen(body), (const uint8_t *)body);
	hmac_sha256_digest(&ctx, sizeof(mac), mac);
	for (i = 0; i < sizeof(mac); i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	explicit_bzero(&ctx, sizeof(ctx));
}

int
webhook_run(struct connectors *cn, struct call *c, char *err, size_t errlen)
{
	char		 sig[SHA256_DIGEST_SIZE * 2 + 1];
	struct request	 r = { "POST", cn->m->webhook.url, NULL,
	    "application/json", sig, c->body, NULL };

	r.delivery = c->rec != NULL ? c->rec->id : NULL;
	sign(cn->webhook_secret, c->body, sig);
	return http_ok(&r, err, errlen);
}

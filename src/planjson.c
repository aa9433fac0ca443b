/*
 * The plan as JSON, for pipelines: every change complete, in the order of
 * application. Its shape is documented in mutualize(1).
 */
#include <stdio.h>

#include "mutualize.h"

static void
json_values(FILE *fp, const char **vals, size_t n)
{
	size_t	i;

	fputc('[', fp);
	for (i = 0; i < n; i++) {
		if (i > 0)
			fputs(", ", fp);
		json_string(fp, vals[i]);
	}
	fputc(']', fp);
}

static const char *const why_names[] = {
	NULL, "disable", "enable", "prune", "depart", "tenant", "drift",
	"not-started", "ended", "started", "continued"
};

void
plan_print_change_json(const struct change *c, FILE *fp)
{
	size_t	i;

	fprintf(fp, "{\"op\": \"%s\", \"dn\": ", change_op_name(c->op));
	json_string(fp, c->dn);
	if (c->entry->tenant != NULL) {
		fputs(", \"tenant\": ", fp);
		json_string(fp, c->entry->tenant);
	}
	if (c->why != WHY_NONE)
		fprintf(fp, ", \"why\": \"%s\"", why_names[c->why]);
	switch (c->op) {
	case CHANGE_ADD:
		fputs(", \"attributes\": {", fp);
		for (i = 0; i < c->entry->nattrs; i++) {
			fputs(i > 0 ? ", " : "", fp);
			json_string(fp, c->entry->attrs[i].name);
			fputs(": ", fp);
			json_values(fp, c->entry->attrs[i].vals,
			    c->entry->attrs[i].nvals);
		}
		fputc('}', fp);
		if (c->entry->kind == ENTRY_PERSON)
			fputs(", \"password\": \"generated\"", fp);
		else if (c->entry->kind == ENTRY_ACCOUNT)
			fputs(", \"password\": \"bind_password_file\"", fp);
		break;
	case CHANGE_MODIFY:
		fputs(", \"mods\": [", fp);
		for (i = 0; i < c->nmods; i++) {
			fprintf(fp, "%s{\"op\": \"%s\", \"attribute\": ", i > 0 ?
			    ", " : "", mod_op_name(c->mods[i].op));
			json_string(fp, c->mods[i].attr);
			fputs(", \"values\": ", fp);
			json_values(fp, c->mods[i].vals, c->mods[i].nvals);
			if (c->mods[i].op == MOD_REPLACE) {
				fputs(", \"old\": ", fp);
				json_values(fp, c->mods[i].old, c->mods[i].nold);
			}
			fputc('}', fp);
		}
		fputc(']', fp);
		break;
	case CHANGE_MODRDN:
		fputs(", \"newrdn\": ", fp);
		json_string(fp, c->newrdn);
		if (c->newsuperior != NULL) {
			fputs(", \"newsuperior\": ", fp);
			json_string(fp, c->newsuperior);
		}
		fputs(", \"newdn\": ", fp);
		json_string(fp, c->newdn);
		break;
	default:
		break;
	}
	fputc('}', fp);
}

/*
 * The plan as one JSON document, for pipelines: its shape is documented in
 * mutualize(1), and the order of "changes" is the order of application.
 */
void
plan_print_json(const struct plan *p, const struct model *m,
    const struct print_opts *o, const char *file, FILE *fp)
{
	size_t	i;

	fputs("{\n  \"file\": ", fp);
	json_string(fp, file);
	fprintf(fp, ",\n  \"summary\": {\"add\": %zu, \"change\": %zu, "
	    "\"rename\": %zu, \"disable\": %zu, \"delete\": %zu, "
	    "\"removals\": %zu},\n  \"changes\": [", p->nadd, p->nmodify,
	    p->nrename, p->ndisable, p->ndelete, p->nremovals);
	for (i = 0; i < p->n; i++) {
		fputs(i > 0 ? ",\n    " : "\n    ", fp);
		plan_print_change_json(&p->v[i], fp);
	}
	fputs(p->n > 0 ? "\n  ],\n  \"unmanaged\": [" : "],\n  \"unmanaged\": [",
	    fp);
	for (i = 0; i < p->unmanaged.n; i++) {
		fputs(i > 0 ? ", " : "", fp);
		json_string(fp,
		    ((const struct entry *)p->unmanaged.v[i])->dn);
	}
	fputs("],\n  \"coming\": ", fp);
	plan_print_coming_json(m, o->horizon, fp);
	fputs("\n}\n", fp);
}

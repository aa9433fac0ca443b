/*
 * The people files a tenant names, a YAML list of people or a CSV file with a
 * row each, read as documents the model keeps. They are named relative to the
 * tenants file and may not lead out of its directory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"

/*
 * A people file is named relative to the file that names it, and must stay in
 * that file's directory or below: "../" or a link that leads out is refused, so
 * that a tenants file cannot be made to read what its author could not see.
 * Returns the path to open (caller frees), or NULL after an error.
 */
static char *
people_path(struct loader *l, const struct ynode *n, const char *what)
{
	const char	*rel = get_string(l, n, what);
	char		*path, *real = NULL, *dir = NULL;
	size_t		 dlen;

	if (rel == NULL)
		return NULL;
	if (rel[0] == '/') {
		diag_add(l->d, n->pos, "%s \"%s\" must be a path relative to this "
		    "file's directory", what, rel);
		return NULL;
	}
	path = strcmp(l->m->dir, ".") == 0 ? xstrdup(rel) :
	    xasprintf("%s/%s", l->m->dir, rel);
	if ((dir = realpath(l->m->dir, NULL)) == NULL ||
	    (real = realpath(path, NULL)) == NULL) {
		diag_add(l->d, n->pos, "%s \"%s\": %s", what, rel, strerror(errno));
		goto fail;
	}
	dlen = strlen(dir);
	if (strncmp(real, dir, dlen) != 0 || (real[dlen] != '/' &&
	    strcmp(dir, "/") != 0)) {
		diag_add(l->d, n->pos, "%s \"%s\" leads out of this file's "
		    "directory", what, rel);
		goto fail;
	}
	free(real);
	free(dir);
	return path;
fail:
	free(real);
	free(dir);
	free(path);
	return NULL;
}

/* The keys of a person whose CSV cells are lists ("dsi; rh"). */
static const char *const csv_list_keys[] = {
	"aliases", "services", "groups", NULL
};

/* Adds the person nodes of a people file (YAML list or CSV) to the list. */
void
people_from_file(struct loader *l, const struct ynode *n, int csv,
    struct ptrvec *nodes)
{
	const char	*what = csv ? "people_csv" : "people_file";
	char		*path = people_path(l, n, what);
	struct ydoc	*doc;
	size_t		 i;

	if (path == NULL)
		return;
	doc = csv ? csv_load_file(path, &ylimits_default, l->d, csv_list_keys) :
	    ydoc_load_file(path, &ylimits_default, l->d);
	free(path);
	if (doc == NULL)
		return;
	ptrvec_push(&l->m->docs, doc);
	if (doc->nroots != 1 || doc->roots[0]->kind != YN_SEQ) {
		struct pos	pos = { doc->file, 1, 1 };

		diag_add(l->d, doc->nroots ? doc->roots[0]->pos : pos,
		    "a people file must hold one list of people");
		return;
	}
	for (i = 0; i < doc->roots[0]->n; i++)
		ptrvec_push(nodes, doc->roots[0]->items[i]);
}

/* Allocation with one failure policy, arenas and pointer vectors. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mutualize.h"

static void
oom(void)
{
	msg_fatal("out of memory");
}

void *
xmalloc(size_t size)
{
	void	*p = malloc(size ? size : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		oom();
	p = realloc(p, n * size != 0 ? n * size : 1);
	if (p == NULL)
		oom();
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t len)
{
	char	*p = xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

static char *
vxasprintf(const char *fmt, va_list ap)
{
	va_list	 ap2;
	int	 len;
	char	*p;

	va_copy(ap2, ap);
	len = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (len < 0)
		oom();
	p = xmalloc((size_t)len + 1);
	vsnprintf(p, (size_t)len + 1, fmt, ap);
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	va_start(ap, fmt);
	p = vxasprintf(fmt, ap);
	va_end(ap);
	return p;
}

/* Arena chunks grow geometrically; large requests get a chunk of their own. */
struct arena_chunk {
	struct arena_chunk	*next;
	size_t			 used, size;
	max_align_t		 data[];
};

#define ARENA_MIN_CHUNK	(64 * 1024)

/*
 * What arenas hold: pointers, sizes, integers. Aligning every request to
 * max_align_t instead (32 bytes here) doubled the memory of 100,000 entries.
 */
union arena_word {
	void		*p;
	size_t		 z;
	uint64_t	 u;
	double		 d;
};
#define ARENA_ALIGN	_Alignof(union arena_word)

static void *
arena_take(struct arena *a, size_t size, size_t align)
{
	struct arena_chunk	*c = a->head;
	size_t			 at = 0, want;

	if (c != NULL)
		at = (c->used + align - 1) & ~(align - 1);
	if (c == NULL || at > c->size || c->size - at < size) {
		want = c ? c->size * 2 : ARENA_MIN_CHUNK;
		if (want > 16 * 1024 * 1024)
			want = 16 * 1024 * 1024;
		if (want < size)
			want = size;
		c = xmalloc(sizeof(*c) + want);
		c->used = 0;
		c->size = want;
		c->next = a->head;
		a->head = c;
		at = 0;
	}
	c->used = at + size;
	return (char *)c->data + at;
}

void *
arena_alloc(struct arena *a, size_t size)
{
	return arena_take(a, size ? size : 1, ARENA_ALIGN);
}

/* Strings need no alignment: they are packed end to end. */
char *
arena_strndup(struct arena *a, const char *s, size_t len)
{
	char	*p = arena_take(a, len + 1, 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list	 ap;
	char	*tmp, *p;

	va_start(ap, fmt);
	tmp = vxasprintf(fmt, ap);
	va_end(ap);
	p = arena_strdup(a, tmp);
	free(tmp);
	return p;
}

struct arena_mark
arena_mark(const struct arena *a)
{
	struct arena_mark	m = { a->head, a->head != NULL ? a->head->used : 0 };

	return m;
}

void
arena_release(struct arena *a, struct arena_mark m)
{
	if (a->head == NULL)
		return;
	/* a chunk added since is kept, emptied, for what comes next */
	a->head->used = a->head == m.chunk ? m.used : 0;
}

void
arena_free(struct arena *a)
{
	struct arena_chunk	*c, *next;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
}

const char *
sbuf_join(struct sbuf *b, ...)
{
	va_list		 ap;
	const char	*s;
	size_t		 len;

	b->len = 0;
	va_start(ap, b);
	while ((s = va_arg(ap, const char *)) != NULL) {
		len = strlen(s);
		if (b->len + len + 1 > b->cap) {
			b->cap = (b->len + len + 1) * 2;
			b->s = xreallocarray(b->s, b->cap, 1);
		}
		memcpy(b->s + b->len, s, len);
		b->len += len;
	}
	va_end(ap);
	if (b->s == NULL)
		b->s = xcalloc(1, b->cap = 1);
	b->s[b->len] = '\0';
	return b->s;
}

void
sbuf_free(struct sbuf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

void
ptrvec_push(struct ptrvec *pv, void *p)
{
	if (pv->n == pv->cap) {
		pv->cap = pv->cap ? pv->cap * 2 : 16;
		pv->v = xreallocarray(pv->v, pv->cap, sizeof(*pv->v));
	}
	pv->v[pv->n++] = p;
}

void
ptrvec_free(struct ptrvec *pv)
{
	free(pv->v);
	pv->v = NULL;
	pv->n = pv->cap = 0;
}

FILE *
memtext_open(struct memtext *t)
{
	t->s = NULL;
	t->len = 0;
	if ((t->fp = open_memstream(&t->s, &t->len)) == NULL)
		msg_fatal("out of memory");
	return t->fp;
}

char *
memtext_close(struct memtext *t)
{
	fclose(t->fp);
	return t->s;
}

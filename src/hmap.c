/* Open-addressing hash table from strings to pointers (linear probing). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mutualize.h"

struct hmap_slot {
	const char	*key;
	void		*value;
	uint64_t	 hash;
};

/*
 * Eight bytes at a time, each word mixed by a multiplication (the constants
 * of MurmurHash3's finaliser): keys are mostly DNs of some 80 bytes, hashed
 * several times each in a plan, where a byte at a time showed.
 */
static uint64_t
hash_str(const char *s)
{
	size_t		len = strlen(s), i;
	uint64_t	h = 0x9E3779B97F4A7C15ULL ^ len, w;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s + i, len - i);
	h = (h ^ w) * 0xC4CEB9FE1A85EC53ULL;
	return h ^ h >> 33;
}

static struct hmap_slot *
find_slot(const struct hmap *m, const char *key, uint64_t h)
{
	size_t	i = h & (m->cap - 1);

	for (;;) {
		struct hmap_slot	*s = &m->slots[i];

		if (s->key == NULL || (s->hash == h && strcmp(s->key, key) == 0))
			return s;
		i = (i + 1) & (m->cap - 1);
	}
}

static void
grow(struct hmap *m)
{
	struct hmap_slot	*old = m->slots;
	size_t			 oldcap = m->cap, i;

	m->cap = oldcap ? oldcap * 2 : 64;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	for (i = 0; i < oldcap; i++)
		if (old[i].key != NULL)
			*find_slot(m, old[i].key, old[i].hash) = old[i];
	free(old);
}

void *
hmap_get(const struct hmap *m, const char *key)
{
	if (m->cap == 0)
		return NULL;
	return find_slot(m, key, hash_str(key))->value;
}

void *
hmap_put(struct hmap *m, const char *key, void *value)
{
	struct hmap_slot	*s;
	uint64_t		 h = hash_str(key);
	void			*prev;

	if ((m->n + 1) * 4 > m->cap * 3)
		grow(m);
	s = find_slot(m, key, h);
	prev = s->value;
	if (s->key == NULL)
		m->n++;
	s->key = key;
	s->value = value;
	s->hash = h;
	return prev;
}

const char *
arena_intern(struct arena *a, struct hmap *kept, const char *s, size_t len)
{
	char	 buf[256], *p;

	if (len >= sizeof(buf) || memchr(s, '\0', len) != NULL)
		return arena_strndup(a, s, len);
	memcpy(buf, s, len);
	buf[len] = '\0';
	if ((p = hmap_get(kept, buf)) == NULL) {
		p = arena_strndup(a, s, len);
		hmap_put(kept, p, p);
	}
	return p;
}

void
hmap_free(struct hmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->n = m->cap = 0;
}

/*-------------------------------------------------------------------------
 *
 * bp_scene_words.c
 *	  What one word weighs: its surface form is looked up in a cache of
 *	  the run; on a miss it is case-folded with ICU, stemmed with Snowball
 *	  and looked up in the language's stem table, and the answer (often
 *	  "in no list") is cached.  A novel has some ten thousand distinct
 *	  forms among a quarter million words, so stemming costs little.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include <libstemmer.h>

#include "bp_scene.h"
#include "bp_text_int.h"

#define CACHE_FIRST		4096	/* slots at first */
#define CACHE_MAX		(1 << 17)	/* slots at most; then no more caching */

/* One cached surface form. */
typedef struct cache_slot
{
	uint32_t	hash;
	uint32_t	len;			/* 0: empty */
	const char *key;			/* in the arena */
	const bp_scene_entry *entry;	/* NULL: in no list */
} cache_slot;

struct bp_scene_cache
{
	cache_slot *slots;
	uint32_t	mask;
	uint32_t	used;
	char	   *blocks;			/* newest block of keys; each block starts
								 * with a pointer to the one before */
	char	   *block;			/* free space in the newest block */
	size_t		block_left;
};

/* Start a scanner for lang; false (ctx failed) when out of memory. */
bool
bp_scene_scanner_start(bp_scene_scanner *sc, bp_ctx *ctx,
					   const bp_scene_lang *lang)
{
	bp_text_state *st;

	memset(sc, 0, sizeof(*sc));
	sc->ctx = ctx;
	sc->lang = lang;
	st = bp_text_get_state(ctx);
	if (st == NULL || (sc->classes = bp_text_class_cache(ctx, st)) == NULL)
		return false;
	if (lang == NULL)
		return true;
	sc->stemmer = sb_stemmer_new(lang->code, "UTF_8");
	if (sc->stemmer == NULL)
		return bp_fail(ctx, BP_ERR_LIMIT, "out of memory opening a stemmer");
	sc->cache = bp_alloc0(ctx, sizeof(bp_scene_cache));
	if (sc->cache == NULL)
		return false;
	sc->cache->slots = bp_alloc0(ctx, CACHE_FIRST * sizeof(cache_slot));
	if (sc->cache->slots == NULL)
		return false;
	sc->cache->mask = CACHE_FIRST - 1;
	return true;
}

/* Release what a scanner holds (its ctx keeps nothing of it). */
void
bp_scene_scanner_end(bp_scene_scanner *sc)
{
	if (sc->stemmer)
		sb_stemmer_delete(sc->stemmer);
	sc->stemmer = NULL;
	if (sc->cache)
	{
		bp_scene_cache *c = sc->cache;
		char	   *b = c->blocks;

		while (b)
		{
			char	   *next;

			memcpy(&next, b, sizeof(next));
			bp_free(sc->ctx, b);
			b = next;
		}
		if (c->slots)
			bp_free(sc->ctx, c->slots);
		bp_free(sc->ctx, c);
	}
	sc->cache = NULL;
	bp_text_cleanup(sc->ctx);
	sc->classes = NULL;
}

/* Copy a key into the arena; NULL (ctx failed) when out of memory. */
static const char *
arena_put(bp_scene_scanner *sc, const char *s, size_t len)
{
	bp_scene_cache *c = sc->cache;
	char	   *p;

	if (c->block_left < len)
	{
		size_t		size = 16384;
		char	   *b = bp_alloc(sc->ctx, size);

		if (b == NULL)
			return NULL;
		memcpy(b, &c->blocks, sizeof(char *));
		c->blocks = b;
		c->block = b + sizeof(char *);
		c->block_left = size - sizeof(char *);
	}
	p = c->block;
	memcpy(p, s, len);
	c->block += len;
	c->block_left -= len;
	return p;
}

/* Double the cache's slots; false (ctx failed) when out of memory. */
static bool
cache_grow(bp_scene_scanner *sc)
{
	bp_scene_cache *c = sc->cache;
	uint32_t	size = (c->mask + 1) * 2;
	cache_slot *s = bp_alloc0(sc->ctx, size * sizeof(cache_slot));
	uint32_t	i;

	if (s == NULL)
		return false;
	for (i = 0; i <= c->mask; i++)
	{
		uint32_t	j;

		if (c->slots[i].len == 0)
			continue;
		j = c->slots[i].hash & (size - 1);
		while (s[j].len)
			j = (j + 1) & (size - 1);
		s[j] = c->slots[i];
	}
	bp_free(sc->ctx, c->slots);
	c->slots = s;
	c->mask = size - 1;
	return true;
}

/* Fold and stem a word and find its stem; NULL when in no list. */
static const bp_scene_entry *
lookup(bp_scene_scanner *sc, const char *s, size_t len)
{
	char		folded[BP_SCENE_MAX_WORD + 1];
	size_t		flen;
	const sb_symbol *stem;
	const bp_scene_entry *e;

	if (!bp_scene_fold(s, len + 1 < BP_SCENE_MAX_WORD ? len : 0, folded + 1,
					   &flen))
		return NULL;
	folded[0] = BP_SCENE_EXACT;
	e = bp_scene_find(sc->lang, folded, flen + 1);
	if (e != NULL)
		return e;
	if (!bp_scene_may_have(sc->lang, folded + 1, flen))
		return NULL;
	stem = sb_stemmer_stem(sc->stemmer, (const sb_symbol *) folded + 1,
						   (int) flen);
	if (stem == NULL)
		return NULL;
	return bp_scene_find(sc->lang, (const char *) stem,
						 (size_t) sb_stemmer_length(sc->stemmer));
}

/* Hash of a surface word: its first 8 bytes at once, FNV-1a for the rest. */
static inline uint32_t
word_hash(const char *s, size_t len)
{
	uint64_t	v = len;
	size_t		i;
	size_t		n = len < 8 ? len : 8;

	for (i = 0; i < n; i++)
		v |= (uint64_t) (unsigned char) s[i] << (8 * i);
	v ^= len << 59;
	v *= 0x9E3779B97F4A7C15ull;
	return (uint32_t) (v >> 32) ^ (len > 8 ? bp_scene_hash(s + 8, len - 8) : 0);
}

/* Are the len bytes at a and b the same?  (Words are short: no call.) */
static inline bool
same_bytes(const char *a, const char *b, size_t len)
{
	size_t		i;

	for (i = 0; i < len; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/* The weights of the word [s, s+len), through the cache. */
const bp_scene_entry *
bp_scene_word(bp_scene_scanner *sc, const char *s, size_t len)
{
	bp_scene_cache *c = sc->cache;
	uint32_t	h;
	uint32_t	i;
	const bp_scene_entry *e;

	if (c == NULL || len == 0 || len >= BP_SCENE_MAX_WORD)
		return NULL;
	h = word_hash(s, len);
	i = h & c->mask;
	while (c->slots[i].len)
	{
		if (c->slots[i].hash == h && c->slots[i].len == len &&
			same_bytes(c->slots[i].key, s, len))
			return c->slots[i].entry;
		i = (i + 1) & c->mask;
	}
	e = lookup(sc, s, len);
	if ((c->used + 1) * 2 > c->mask + 1)
	{
		if (c->mask + 1 >= CACHE_MAX)
			return e;			/* full: answer without caching */
		if (!cache_grow(sc))
			return NULL;
		i = h & c->mask;
		while (c->slots[i].len)
			i = (i + 1) & c->mask;
	}
	c->slots[i].key = arena_put(sc, s, len);
	if (c->slots[i].key == NULL)
		return NULL;
	c->slots[i].hash = h;
	c->slots[i].len = (uint32_t) len;
	c->slots[i].entry = e;
	c->used++;
	return e;
}

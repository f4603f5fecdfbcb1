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

#define CACHE_FIRST		16384	/* slots at first */
#define CACHE_MAX		(1 << 17)	/* slots at most; then no more caching */

/* One cached surface form. */
typedef struct cache_slot
{
	uint64_t	head;			/* its first 8 bytes, zero-padded */
	uint32_t	key;			/* offset of the form in the arena */
	uint16_t	len;			/* 0: empty */
	int32_t		entry;			/* index in the language's table, or -1 */
} cache_slot;

struct bp_scene_cache
{
	cache_slot *slots;
	uint32_t	mask;
	uint32_t	used;
	bp_buf		arena;			/* the forms, one after another */
};

/* Start a scanner for lang; false (ctx failed) when out of memory. */
bool
bp_scene_scanner_start(bp_scene_scanner *sc, bp_ctx *ctx,
					   const bp_scene_lang *lang)
{
	bp_text_state *st;
	int			c;

	memset(sc, 0, sizeof(*sc));
	sc->ctx = ctx;
	sc->lang = lang;
	st = bp_text_get_state(ctx);
	if (st == NULL || (sc->classes = bp_text_class_cache(ctx, st)) == NULL)
		return false;
	/* the scan takes runs of these letters 8 bytes at a time when so */
	sc->cyrillic_plain = true;
	for (c = 0x400; c <= 0x47F; c++)
	{
		uint16_t	cls = sc->classes->lo[c] ?
			(uint16_t) (sc->classes->lo[c] & ~CL_KNOWN) :
			bp_text_lo_fill(sc->classes, c);

		if (!(cls & CL_PLAIN))
			sc->cyrillic_plain = false;
	}
	if (lang == NULL)
		return true;
	if (!bp_scene_lang_build(lang, ctx))
		return false;
	sc->stemmer = sb_stemmer_new(lang->code, "UTF_8");
	if (sc->stemmer == NULL)
		return bp_fail(ctx, BP_ERR_LIMIT, "out of memory opening a stemmer");
	sc->cache = bp_alloc0(ctx, sizeof(bp_scene_cache));
	if (sc->cache == NULL)
		return false;
	sc->cache->slots = bp_alloc0(ctx, CACHE_FIRST * sizeof(cache_slot));
	if (sc->cache->slots == NULL)
		return false;
	bp_buf_init(&sc->cache->arena, ctx);
	sc->front = bp_alloc0(ctx, BP_SCENE_FRONT * sizeof(bp_scene_front));
	if (sc->front == NULL)
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
		bp_buf_free(&sc->cache->arena);
		if (sc->cache->slots)
			bp_free(sc->ctx, sc->cache->slots);
		bp_free(sc->ctx, sc->cache);
	}
	if (sc->front)
		bp_free(sc->ctx, sc->front);
	sc->front = NULL;
	sc->cache = NULL;
	bp_text_cleanup(sc->ctx);
	sc->classes = NULL;
}

/*
 * Hash of a word from its head and length, and the bytes past 8 (read 8
 * at a time; only the word's own bytes are read).
 */
static inline uint32_t
word_hash(uint64_t head, const char *s, size_t len)
{
	uint64_t	v = (head ^ ((uint64_t) len << 58)) * UINT64_C(0x9E3779B97F4A7C15);
	size_t		i;

	for (i = 8; i < len; i += 8)
	{
		uint64_t	w = 0;

		if (i + 8 <= len)
			memcpy(&w, s + i, 8);
		else
		{
			size_t		j;

			for (j = 0; i + j < len; j++)
				w |= (uint64_t) (unsigned char) s[i + j] << (8 * j);
		}
		v = (v ^ (v >> 29) ^ w) * UINT64_C(0x9E3779B97F4A7C15);
	}
	return (uint32_t) (v >> 32);
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
		const cache_slot *o = &c->slots[i];
		uint32_t	j;

		if (o->len == 0)
			continue;
		j = word_hash(o->head, c->arena.data + o->key, o->len) & (size - 1);
		while (s[j].len)
			j = (j + 1) & (size - 1);
		s[j] = *o;
	}
	bp_free(sc->ctx, c->slots);
	c->slots = s;
	c->mask = size - 1;
	return true;
}

/*
 * The filter before the stemmer, in one pass over a folded word w of len
 * bytes (valid UTF-8): *exact_bit is the prefix bit of the key "=w" (the
 * word as written, for the pronouns), and the result is whether a prefix
 * of w that a stemmer could leave has its bit set (see
 * bp_scene_prefix_set()): at most BP_SCENE_MAX_SUFFIX characters after
 * it, at most BP_SCENE_SHORT_SUFFIX after one of BP_SCENE_SHORT_STEM
 * characters or fewer.
 */
static bool
filter(const bp_scene_lang *lang, const char *w, size_t len, bool *exact_bit)
{
	uint32_t	ends[BP_SCENE_MAX_WORD + 1];	/* hash of the first k characters */
	uint32_t	h = 2166136261u;
	uint32_t	he = bp_scene_prefix_step(2166136261u, BP_SCENE_EXACT);
	size_t		chars = 0;
	size_t		k;
	size_t		n;

	for (n = 0; n < len; n++)
	{
		unsigned char c = (unsigned char) w[n];

		h = bp_scene_prefix_step(h, c);
		he = bp_scene_prefix_step(he, c);
		if (n + 1 == len || (w[n + 1] & 0xC0) != 0x80)
			ends[++chars] = h;	/* a character ends here */
	}
	*exact_bit = bp_scene_prefix_set(lang, bp_scene_prefix_bit(he));
	k = chars > BP_SCENE_MAX_SUFFIX ? chars - BP_SCENE_MAX_SUFFIX : 1;
	for (; k <= chars; k++)
	{
		if (k <= BP_SCENE_SHORT_STEM && chars - k > BP_SCENE_SHORT_SUFFIX)
			continue;
		if (bp_scene_prefix_set(lang, bp_scene_prefix_bit(ends[k])))
			return true;
	}
	return false;
}

/* Fold and stem a word and find its stem; NULL when in no list. */
static const bp_scene_entry *
lookup(bp_scene_scanner *sc, const char *s, size_t len)
{
	char		folded[BP_SCENE_MAX_WORD + 1];
	size_t		flen;
	const sb_symbol *stem;
	const bp_scene_entry *e;
	bool		exact_bit;
	bool		may_have;

	if (!bp_scene_fold(s, len + 1 < BP_SCENE_MAX_WORD ? len : 0, folded + 1,
					   &flen))
		return NULL;
	folded[0] = BP_SCENE_EXACT;
	may_have = filter(sc->lang, folded + 1, flen, &exact_bit);
	if (exact_bit &&
		(e = bp_scene_find(sc->lang, folded, flen + 1)) != NULL)
		return e;
	if (!may_have)
		return NULL;
	stem = sb_stemmer_stem(sc->stemmer, (const sb_symbol *) folded + 1,
						   (int) flen);
	if (stem == NULL)
		return NULL;
	return bp_scene_find(sc->lang, (const char *) stem,
						 (size_t) sb_stemmer_length(sc->stemmer));
}

/*
 * The weights of the word [s, s+len), through the cache; avail bytes may
 * be read from s (at least len).
 */
const bp_scene_entry *
bp_scene_word(bp_scene_scanner *sc, const char *s, size_t len, size_t avail)
{
	bp_scene_cache *c = sc->cache;
	bp_scene_front *f = NULL;
	uint64_t	head;
	uint32_t	i;
	const bp_scene_entry *e;

	if (c == NULL || len == 0 || len >= BP_SCENE_MAX_WORD)
		return NULL;
	head = bp_scene_word_head(s, len, avail);
	if (len <= 8)
	{
		/* the front cache: most words of a text are short and frequent */
		f = bp_scene_front_slot(sc, head);
		if (f->head == head && f->len == len)
			return f->entry < 0 ? NULL : &sc->lang->table[f->entry];
	}
	i = word_hash(head, s, len) & c->mask;
	while (c->slots[i].len)
	{
		if (c->slots[i].head == head && c->slots[i].len == len &&
			(len <= 8 ||
			 memcmp(c->arena.data + c->slots[i].key + 8, s + 8, len - 8) == 0))
		{
			if (f)
			{
				f->head = head;
				f->len = (uint32_t) len;
				f->entry = c->slots[i].entry;
			}
			return c->slots[i].entry < 0 ? NULL :
				&sc->lang->table[c->slots[i].entry];
		}
		i = (i + 1) & c->mask;
	}
	e = lookup(sc, s, len);
	if ((c->used + 1) * 2 > c->mask + 1)
	{
		if (c->mask + 1 >= CACHE_MAX)
			return e;			/* full: answer without caching */
		if (!cache_grow(sc))
			return NULL;
		i = word_hash(head, s, len) & c->mask;
		while (c->slots[i].len)
			i = (i + 1) & c->mask;
	}
	c->slots[i].key = (uint32_t) c->arena.len;
	if (!bp_buf_append(&c->arena, s, len))
		return NULL;
	c->slots[i].head = head;
	c->slots[i].len = (uint16_t) len;
	c->slots[i].entry = e ? (int32_t) (e - sc->lang->table) : -1;
	c->used++;
	if (f)
	{
		f->head = head;
		f->len = (uint32_t) len;
		f->entry = c->slots[i].entry;
	}
	return e;
}

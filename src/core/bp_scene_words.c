/*-------------------------------------------------------------------------
 *
 * bp_scene_words.c
 *	  What one word weighs: its surface form is looked up in the
 *	  language's memo; on a miss it is case-folded with ICU, stemmed with
 *	  Snowball and looked up in the language's stem table, and the answer
 *	  (often "in no list") is kept in the memo.  The memo lives with the
 *	  loaded lists, so a process (a worker) folds and stems each form once
 *	  for all the books it judges; it starts with the lists' own words.  A
 *	  novel has some ten thousand distinct forms among a quarter million
 *	  words.  The memo is bounded (CACHE_MAX slots, three quarters of them
 *	  used at most, and the lists' memory bound); when full, further forms
 *	  are answered without keeping them.
 *	  The lists are process-local and used by one thread at a time.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include <libstemmer.h>

#include "bp_scene.h"
#include "bp_text_int.h"

#define CACHE_FIRST		16384	/* slots at first */
#define CACHE_MAX		(1 << 17)	/* slots at most; then no more caching */
#define ARENA_FIRST		65536	/* bytes of forms at first */

/* One remembered surface form (16 bytes). */
typedef struct cache_slot
{
	uint64_t	head;			/* its first 8 bytes, zero-padded */
	uint32_t	key;			/* offset in the arena << 6 | length (0: empty) */
	int32_t		entry;			/* index in the language's table, or -1 */
} cache_slot;

#define SLOT_LEN(sl)	((sl)->key & 63)	/* lengths are < BP_SCENE_MAX_WORD */
#define SLOT_AT(sl)		((sl)->key >> 6)
#define ARENA_MAX		((size_t) 1 << 26)	/* bytes of forms at most */

struct bp_scene_cache
{
	bp_ctx	   *ctx;			/* the lists' */
	cache_slot *slots;
	uint32_t	mask;
	uint32_t	used;
	char	   *arena;			/* the forms, one after another */
	size_t		arena_len;
	size_t		arena_cap;
	bool		full;			/* no more forms are kept */
};

/*
 * Allocate size zeroed bytes of the memo, or NULL when that would pass the
 * lists' memory bound: the memo then stops growing, and the lists' context
 * stays usable.
 */
static void *
memo_alloc(bp_ctx *ctx, size_t size)
{
	void	   *p;

	if (bp_failed(ctx) || size > ctx->opts.max_memory ||
		bp_mem_total(ctx) + size + 64 > ctx->opts.max_memory)
		return NULL;
	p = bp_alloc0(ctx, size);
	if (p == NULL)
		memset(&ctx->err, 0, sizeof(ctx->err));	/* malloc failed: go on */
	return p;
}

/* Create lang's memo and front cache; false (ctx failed) without memory. */
bool
bp_scene_memo_start(bp_ctx *ctx, bp_scene_lang *lang)
{
	bp_scene_cache *c = bp_alloc0(ctx, sizeof(bp_scene_cache));

	if (c == NULL)
		return false;
	c->ctx = ctx;
	c->slots = bp_alloc0(ctx, CACHE_FIRST * sizeof(cache_slot));
	c->arena = bp_alloc(ctx, ARENA_FIRST);
	lang->front = bp_alloc0(ctx, BP_SCENE_FRONT * sizeof(bp_scene_front));
	if (c->slots == NULL || c->arena == NULL || lang->front == NULL)
		return false;
	c->mask = CACHE_FIRST - 1;
	c->arena_cap = ARENA_FIRST;
	lang->memo = c;
	return true;
}

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
	sc->cache = lang->memo;
	sc->front = lang->front;
	return true;
}

/* Release what a scanner holds (its ctx keeps nothing of it). */
void
bp_scene_scanner_end(bp_scene_scanner *sc)
{
	if (sc->stemmer)
		sb_stemmer_delete(sc->stemmer);
	sc->stemmer = NULL;
	sc->front = NULL;			/* the memo and front cache stay with the lists */
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

/* Double the memo's slots; false when it may not grow (then it is full). */
static bool
cache_grow(bp_scene_cache *c)
{
	uint32_t	size = (c->mask + 1) * 2;
	cache_slot *s;
	uint32_t	i;

	if (size > CACHE_MAX ||
		(s = memo_alloc(c->ctx, size * sizeof(cache_slot))) == NULL)
	{
		c->full = true;
		return false;
	}
	for (i = 0; i <= c->mask; i++)
	{
		const cache_slot *o = &c->slots[i];
		uint32_t	j;

		if (o->key == 0)
			continue;
		j = word_hash(o->head, c->arena + SLOT_AT(o), SLOT_LEN(o)) & (size - 1);
		while (s[j].key)
			j = (j + 1) & (size - 1);
		s[j] = *o;
	}
	bp_free(c->ctx, c->slots);
	c->slots = s;
	c->mask = size - 1;
	return true;
}

/* The slot of the form [s, s+len) with this head, or NULL. */
static inline const cache_slot *
cache_find(const bp_scene_cache *c, uint64_t head, const char *s, size_t len,
		   uint32_t *at)
{
	uint32_t	i = word_hash(head, s, len) & c->mask;

	while (c->slots[i].key)
	{
		if (c->slots[i].head == head && SLOT_LEN(&c->slots[i]) == len &&
			(len <= 8 ||
			 memcmp(c->arena + SLOT_AT(&c->slots[i]) + 8, s + 8, len - 8) == 0))
			return &c->slots[i];
		i = (i + 1) & c->mask;
	}
	*at = i;					/* the empty slot where it would go */
	return NULL;
}

/*
 * Keep the form [s, s+len) (not in the memo; its empty slot is i) with
 * entry; nothing when the memo is full.
 */
static void
cache_put(bp_scene_cache *c, uint64_t head, const char *s, size_t len,
		  uint32_t i, int32_t entry)
{
	if (c->full)
		return;
	if ((c->used + 1) * 4 > (c->mask + 1) * 3)
	{
		if (!cache_grow(c))
			return;
		i = word_hash(head, s, len) & c->mask;
		while (c->slots[i].key)
			i = (i + 1) & c->mask;
	}
	if (c->arena_len + len > c->arena_cap)
	{
		size_t		cap = c->arena_cap * 2;
		char	   *a;

		if (cap > ARENA_MAX || bp_failed(c->ctx) ||
			bp_mem_total(c->ctx) + (cap - c->arena_cap) + 64 >
			c->ctx->opts.max_memory ||
			(a = bp_realloc(c->ctx, c->arena, cap)) == NULL)
		{
			if (bp_failed(c->ctx))
				memset(&c->ctx->err, 0, sizeof(c->ctx->err));
			c->full = true;
			return;
		}
		c->arena = a;
		c->arena_cap = cap;
	}
	memcpy(c->arena + c->arena_len, s, len);
	c->slots[i].key = (uint32_t) (c->arena_len << 6 | len);
	c->arena_len += len;
	c->slots[i].head = head;
	c->slots[i].entry = entry;
	c->used++;
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
		h = bp_scene_prefix_step(h, (unsigned char) w[n]);
		if (n + 1 == len || (w[n + 1] & 0xC0) != 0x80)
			ends[++chars] = h;	/* a character ends here */
	}
	/* no key "=w" is longer than the longest word matched as written */
	*exact_bit = false;
	if (len <= lang->exact_max)
	{
		for (n = 0; n < len; n++)
			he = bp_scene_prefix_step(he, (unsigned char) w[n]);
		*exact_bit = bp_scene_prefix_set(lang, bp_scene_prefix_bit(he));
	}
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

/*
 * The entry of a folded word (folded[0] is free for the exact key's
 * mark, the word is folded + 1, flen bytes): its exact key's for a
 * pronoun, else its stem's when the filter lets it through (stem, when
 * not NULL, is its stem already), else NULL.
 */
static const bp_scene_entry *
resolve(const bp_scene_lang *lang, struct sb_stemmer *stemmer, char *folded,
		size_t flen, const char *stem, size_t stem_len)
{
	const bp_scene_entry *e;
	bool		exact_bit;
	bool		may_have;

	folded[0] = BP_SCENE_EXACT;
	may_have = filter(lang, folded + 1, flen, &exact_bit);
	if (exact_bit &&
		(e = bp_scene_find(lang, folded, flen + 1)) != NULL)
		return e;
	if (!may_have)
		return NULL;
	if (stem == NULL)
	{
		const sb_symbol *st = sb_stemmer_stem(stemmer,
											  (const sb_symbol *) folded + 1,
											  (int) flen);

		if (st == NULL)
			return NULL;
		stem = (const char *) st;
		stem_len = (size_t) sb_stemmer_length(stemmer);
	}
	return bp_scene_find(lang, stem, stem_len);
}

/* Fold and stem a word and find its stem; NULL when in no list. */
static const bp_scene_entry *
lookup(bp_scene_scanner *sc, const char *s, size_t len)
{
	char		folded[BP_SCENE_MAX_WORD + 1];
	size_t		flen;

	if (!bp_scene_fold(s, len + 1 < BP_SCENE_MAX_WORD ? len : 0, folded + 1,
					   &flen))
		return NULL;
	return resolve(sc->lang, sc->stemmer, folded, flen, NULL, 0);
}

/*
 * Put a word of the lists (folded, with its stem, or NULL to stem it)
 * into lang's memo as a surface form, with the entry a text's word of that form gets: once the
 * table is complete, so the answer is the one lookup() would give.
 */
void
bp_scene_memo_seed(bp_scene_lang *lang, struct sb_stemmer *stemmer,
				   const char *word, const char *stem)
{
	bp_scene_cache *c = lang->memo;
	char		folded[BP_SCENE_MAX_WORD + 1];
	size_t		len = strlen(word);
	size_t		flen;
	uint64_t	head;
	uint32_t	i;
	const bp_scene_entry *e;

	if (c == NULL || len == 0 || len + 1 >= BP_SCENE_MAX_WORD ||
		!bp_scene_fold(word, len, folded + 1, &flen) || flen != len ||
		memcmp(folded + 1, word, len) != 0)
		return;					/* not a form that folds to itself */
	head = bp_scene_word_head(word, len, len);
	if (cache_find(c, head, word, len, &i) != NULL)
		return;
	e = resolve(lang, stemmer, folded, flen, stem, stem ? strlen(stem) : 0);
	cache_put(c, head, word, len, i, e ? (int32_t) (e - lang->table) : -1);
}

/*
 * The weights of the word [s, s+len), through the memo; avail bytes may
 * be read from s (at least len).
 */
const bp_scene_entry *
bp_scene_word(bp_scene_scanner *sc, const char *s, size_t len, size_t avail)
{
	bp_scene_cache *c = sc->cache;
	bp_scene_front *f = NULL;
	const cache_slot *slot;
	uint64_t	head;
	uint32_t	i = 0;
	int32_t		entry;
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
	slot = cache_find(c, head, s, len, &i);
	if (slot != NULL)
		entry = slot->entry;
	else
	{
		e = lookup(sc, s, len);
		entry = e ? (int32_t) (e - sc->lang->table) : -1;
		cache_put(c, head, s, len, i, entry);
	}
	if (f)
	{
		f->head = head;
		f->len = (uint32_t) len;
		f->entry = entry;
	}
	return entry < 0 ? NULL : &sc->lang->table[entry];
}

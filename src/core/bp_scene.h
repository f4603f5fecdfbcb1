/*-------------------------------------------------------------------------
 *
 * bp_scene.h
 *	  Private declarations of the scene extractor (issue 13): the word
 *	  lists (bp_scene_load.c), the word scanner with its stem cache
 *	  (bp_scene_words.c), the paragraph classifier (bp_scene_classify.c)
 *	  and the extraction from a parsed book (bp_scene_book.c).
 *	  See docs/scenes.md.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BP_SCENE_H
#define BP_SCENE_H

#include <string.h>

#include "bp_internal.h"

/* Categories of words; a list file LANG.NAME holds one category. */
typedef enum bp_scat
{
	BP_SCAT_LOCATION = 0,		/* places, buildings, rooms, furniture */
	BP_SCAT_CHARACTER,			/* body, face, clothes, posture */
	BP_SCAT_ATMOSPHERE,			/* weather, sky, light, sounds, smells */
	BP_SCAT_DETAIL,				/* colour, shape, size, texture adjectives */
	BP_SCAT_SPEECH,				/* verbs of speaking, thinking, feeling */
	BP_SCAT_ACTION,				/* verbs of bare action and motion */
	BP_SCAT_PERSON,				/* first and second person pronouns */
	BP_SCAT__COUNT
} bp_scat;

#define BP_SCENE_MAX_LANGS	16
#define BP_SCENE_MAX_WORD	64	/* bytes of one word or stem */
#define BP_SCENE_EXACT		'='	/* table key of a word matched as written */

#define BP_SCENE_PREFIX_BITS	(1 << 18)

/* Step of the prefix hash: h of the first n+1 bytes from h of the first n. */
static inline uint32_t
bp_scene_prefix_step(uint32_t h, unsigned char c)
{
	return (h ^ c) * 16777619u;
}

/* The bit of a prefix hash in the prefix bitmap. */
static inline uint32_t
bp_scene_prefix_bit(uint32_t h)
{
	return (h ^ (h >> 15)) & (BP_SCENE_PREFIX_BITS - 1);
}

/* One stem of a language and its weight in each category. */
typedef struct bp_scene_entry
{
	char	   *stem;			/* NULL: empty slot */
	float		w[BP_SCAT__COUNT];
} bp_scene_entry;

/* A line of a list file, read and checked but not yet stemmed. */
typedef struct bp_scene_word_line
{
	char	   *folded;			/* the word, case-folded */
	char	   *stem;			/* its stem, once stemmed; NULL for a pronoun */
	bp_scat		cat;
	float		w;
} bp_scene_word_line;

/*
 * The lists of one language: an open-addressing table of stems.  The
 * files are read and checked by bp_scene_load(), but their words are
 * stemmed into the table only when a text in the language is first
 * judged (bp_scene_lang_build()): a process that meets one language
 * stems one language's lists.
 */
typedef struct bp_scene_lang
{
	char		code[8];		/* "en", "ru": the files' prefix */
	struct bp_scene_lists *lists;	/* the owner */
	bp_scene_word_line *lines;	/* the words of its files, in file order */
	int			nlines;
	int			lines_cap;
	bool		built;			/* table and prefixes are filled */
	size_t		exact_max;		/* bytes of the longest word matched as written */
	bp_scene_entry *table;
	uint32_t	mask;			/* table size - 1 (a power of two) */
	int			nstems;
	int			files;
	/*
	 * A bit per stem (and per English variant: "cri" also as "cry", "come"
	 * also as "com", "sky" also as "ski"): a Snowball stem is a prefix of
	 * its word but for those, so a word none of whose prefixes has a bit
	 * set is in no list, without stemming it.  BP_SCENE_PREFIX_BITS bits.
	 */
	uint8_t    *prefixes;
	/* surface form -> entry, kept for the process (bp_scene_words.c) */
	struct bp_scene_cache *memo;
	struct bp_scene_front *front;	/* direct-mapped, for short words */
} bp_scene_lang;

/*
 * Characters a stemmer takes off a word at most, as far as the filter
 * below is concerned: more only in rare words (English "-fulness",
 * Russian "-вшегося"), which then count as in no list.
 */
#define BP_SCENE_MAX_SUFFIX	6
#define BP_SCENE_SHORT_STEM		3
#define BP_SCENE_SHORT_SUFFIX	4

/*
 * Is the prefix-hash bit b set in lang?  A folded word might have a stem
 * in lang only when a prefix of it has its bit set, with at most
 * BP_SCENE_MAX_SUFFIX characters after it (at most BP_SCENE_SHORT_SUFFIX
 * after a prefix of BP_SCENE_SHORT_STEM characters or fewer: "sea" is
 * looked for in "seamen", not in "searching"); see filter() in
 * bp_scene_words.c.
 */
static inline bool
bp_scene_prefix_set(const bp_scene_lang *lang, uint32_t b)
{
	return (lang->prefixes[b / 8] & (1 << (b % 8))) != 0;
}

/* All loaded languages; memory belongs to ctx. */
struct bp_scene_lists
{
	bp_ctx	   *ctx;
	bp_scene_lang langs[BP_SCENE_MAX_LANGS];
	int			nlangs;
	char	   *chunk;			/* where the next word or stem is copied */
	size_t		chunk_left;		/* bytes free there */
};

/* Names of the categories, as in the file names (en.location, ...). */
extern const char *const bp_scene_cat_names[BP_SCAT__COUNT];

/* FNV-1a hash of len bytes. */
static inline uint32_t
bp_scene_hash(const char *s, size_t len)
{
	uint32_t	h = 2166136261u;
	size_t		i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char) s[i]) * 16777619u;
	return h;
}

/* The entry of stem in lang, or NULL. */
extern const bp_scene_entry *bp_scene_find(const bp_scene_lang *lang,
										   const char *stem, size_t len);
/* The language of lists with this code ("en"), or NULL. */
extern const bp_scene_lang *bp_scene_lang_get(const bp_scene_lists *lists,
											  const char *code);

/*
 * Stem lang's words into its table on first use (the lists are
 * process-local and used by one thread at a time); false with ctx failed
 * (the lists' error copied) when that fails.
 */
extern bool bp_scene_lang_build(const bp_scene_lang *lang, bp_ctx *ctx);

/*
 * Lower-case (ICU full case folding) a UTF-8 word into out (NUL-terminated,
 * at most BP_SCENE_MAX_WORD bytes); false when it does not fit or is not
 * UTF-8.
 */
extern bool bp_scene_fold(const char *s, size_t len, char *out,
						  size_t *outlen);

/* ---- bp_scene_words.c: words of a paragraph and what they weigh ---- */

/* The memo: surface form -> entry, kept with the lists for the process. */
typedef struct bp_scene_cache bp_scene_cache;

#define BP_SCENE_FRONT	16384	/* slots of the front cache */

/* A slot of the front cache: a word of at most 8 bytes and its entry. */
typedef struct bp_scene_front
{
	uint64_t	head;			/* the word's bytes, zero-padded */
	int32_t		entry;			/* index in the language's table, or -1 */
	uint32_t	len;			/* 0: empty */
} bp_scene_front;

/* A scanner over paragraphs of one language (stemmer, caches). */
typedef struct bp_scene_scanner
{
	bp_ctx	   *ctx;
	const bp_scene_lang *lang;
	struct sb_stemmer *stemmer;
	bp_scene_cache *cache;		/* the language's memo */
	struct bp_class_cache *classes;
	bp_scene_front *front;		/* the language's front cache */
	bool		cyrillic_plain; /* U+0400-U+047F are all plain letters */
} bp_scene_scanner;

/*
 * The first 8 bytes of a word of len bytes as a number, zero-padded; avail
 * bytes may be read from s (one load when there are 8).
 */
static inline uint64_t
bp_scene_word_head(const char *s, size_t len, size_t avail)
{
	uint64_t	v = 0;
	size_t		i;

	if (avail >= 8)
	{
		memcpy(&v, s, 8);
		if (len < 8)
			v &= (UINT64_C(1) << (8 * len)) - 1;	/* little-endian */
		return v;
	}
	for (i = 0; i < len && i < 8; i++)
		v |= (uint64_t) (unsigned char) s[i] << (8 * i);
	return v;
}

/* The front-cache slot of a word of at most 8 bytes with this head. */
static inline bp_scene_front *
bp_scene_front_slot(const bp_scene_scanner *sc, uint64_t head)
{
	return &sc->front[(head * UINT64_C(0x9E3779B97F4A7C15)) >> 50];
}

/* Create lang's memo (in the lists' ctx); false (ctx failed) without memory. */
extern bool bp_scene_memo_start(bp_ctx *ctx, bp_scene_lang *lang);

/* Put a word of lang's lists into its memo (see bp_scene_words.c). */
extern void bp_scene_memo_seed(bp_scene_lang *lang, struct sb_stemmer *stemmer,
							   const char *word, const char *stem);

/* Start a scanner for lang; false (ctx failed) when out of memory. */
extern bool bp_scene_scanner_start(bp_scene_scanner *sc, bp_ctx *ctx,
								   const bp_scene_lang *lang);
extern void bp_scene_scanner_end(bp_scene_scanner *sc);

/*
 * The weights of the word [s, s+len) (surface form; avail >= len bytes may
 * be read from s): its stem's entry, or NULL when the word is in no list.  NULL with ctx failed when out of
 * memory.
 */
extern const bp_scene_entry *bp_scene_word(bp_scene_scanner *sc,
										   const char *s, size_t len,
										   size_t avail);

/* ---- bp_scene_scan.c: one pass over a paragraph ---- */

#define BP_SCENE_MAX_SENTENCES	64	/* further ones join the last */

/* A sentence (outside direct speech) and what its words weigh. */
typedef struct bp_scene_sentence
{
	size_t		start;			/* byte offset in the paragraph */
	size_t		bytes;
	int			words;			/* words outside direct speech */
	int			visual;			/* of them, in a descriptive list */
	float		w[BP_SCAT__COUNT];	/* summed weights per category */
} bp_scene_sentence;

/* What the classifier decides on. */
typedef struct bp_scene_features
{
	size_t		bytes;
	int			words;			/* all words */
	int			speech_words;	/* words inside quotes or dash dialogue */
	bool		opens_quote;
	bool		opens_dash;
	bool		unterminated;	/* no stop at the end: a heading, a title */
	int			nsentences;
	bp_scene_sentence sentences[BP_SCENE_MAX_SENTENCES];
} bp_scene_features;

/* Is the paragraph direct speech (opens with a dash, half in quotes)? */
extern bool bp_scene_is_speech(const char *s, size_t len);

/* Scan a paragraph into *f; false (ctx failed) when out of memory. */
extern bool bp_scene_scan(bp_scene_scanner *sc, const char *s, size_t len,
						  bp_scene_features *f);

/* ---- bp_scene_classify.c ---- */

/* The verdict on scanned features. */
extern void bp_scene_decide(const bp_scene_features *f,
							bp_scene_verdict *out);


/* Classify one paragraph with a started scanner. */
extern bool bp_scene_judge(bp_scene_scanner *sc, const char *text,
						   size_t len, bp_scene_verdict *out);

/* ---- bp_scene_lang.c: choosing the language ---- */

/* "en" for a Latin text, "ru" for a Cyrillic one, NULL for neither. */
extern const char *bp_scene_script_language(const char *text, size_t len);

#endif							/* BP_SCENE_H */

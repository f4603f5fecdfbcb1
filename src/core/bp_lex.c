/*-------------------------------------------------------------------------
 *
 * bp_lex.c
 *	  Search lexemes of a text, the way to_tsvector() makes them for a
 *	  Snowball configuration (see bp_lex.h and docs/search.md).
 *
 * Three steps, each a copy of what PostgreSQL does, written for speed:
 * tokens (the default parser's words, compounds, numbers and dotted
 * names; tokenize()), lexemes (lowercase, stop words, Snowball stem, with
 * a cache of every token met; lookup()) and positions (to_tsvector()'s
 * numbering and 255-position cap per part, setweight() and the shift of
 * ||; end_part()).
 *
 *-------------------------------------------------------------------------
 */
#include "bp_lex.h"

#include <libstemmer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#define LEX_STEM_MAX	1000	/* longer words are not stemmed (dict_snowball) */
#define CACHE_MAX_BYTES (8u << 20) /* the stem cache is emptied past this */

/* character classes of the tokenizer */
#define C_OTHER		0
#define C_ALPHA		1			/* ASCII letter */
#define C_DIGIT		2			/* ASCII digit */
#define C_UALPHA	3			/* other letter (or, in C ctype, any) */

/* where a token's lexeme comes from */
typedef enum tok_dict
{
	TD_ASCII,					/* asciiword, asciihword, hword_asciipart */
	TD_WORD,					/* word, hword, hword_part */
	TD_SIMPLE					/* numbers, numword, dotted names */
} tok_dict;

/* A growable block of bytes, pointers into it stay valid (chained). */
typedef struct arena_block
{
	struct arena_block *next;
	size_t		used;
	size_t		size;
	char		data[];
} arena_block;

typedef struct arena
{
	arena_block *head;
	size_t		total;
} arena;

/*
 * A cached token: its bytes as written, its dictionary, its lexeme, and
 * its entry in the vector being built when gen is the vector's.
 */
typedef struct cache_slot
{
	const char *key;			/* NULL: empty */
	uint32_t	klen;
	uint32_t	hash;
	const char *lex;			/* NULL: a stop word */
	uint32_t	llen;
	int			dict;
	uint32_t	gen;			/* the vector id belongs to */
	uint32_t	id;
} cache_slot;

/* A lexeme of the vector being built. */
typedef struct entry
{
	const char *str;
	uint32_t	len;
	uint32_t	hash;
	uint32_t	off;			/* its positions in pool */
	uint16_t	n;
} entry;

/* A position met in the current part. */
typedef struct seg_pos
{
	uint32_t	id;
	uint16_t	pos;
} seg_pos;

struct bp_lex
{
	struct sb_stemmer *stem[2]; /* TD_ASCII, TD_WORD; NULL: none */
	const char *const *stop[2];
	size_t		nstop[2];
	bool		c_ctype;

	/* word -> lexeme, for every word met */
	arena		cache_arena;
	cache_slot *cache;
	uint32_t	cache_mask;
	uint32_t	cache_used;

	/* the vector */
	arena		vec_arena;
	entry	   *ent;
	uint32_t	nent,
				ent_cap;
	uint32_t   *table;			/* entry id + 1; 0 empty */
	uint32_t	table_mask;
	uint16_t   *pool;
	size_t		pool_len;
	uint16_t	maxpos;			/* largest position of the parts ended */
	uint32_t	gen;			/* vectors built so far (cache_slot.gen) */

	/* the current part */
	int			weight;
	uint32_t	pos;			/* tokens numbered so far */
	seg_pos    *seg;
	size_t		nseg,
				seg_cap;

	/* the result */
	bp_lexeme  *res;
	size_t		res_cap;
	size_t		dropped;
	/* bp_lex_find(): the lexemes looked for, and where one was met */
	const bp_lexeme *want;
	size_t		nwant;
	const char *base;
	bool		found;
	size_t		found_off;

	char	   *lower;			/* scratch for a lowercased token */
	size_t		lower_cap;
	bool		oom;
};

static unsigned char bmp_class[65536];
static bool bmp_ready;

/* Fill the class of every BMP code point (once per process). */
static void
bmp_init(void)
{
	uint32_t	c;

	for (c = 0; c < 65536; c++)
	{
		if (c < 128)
			bmp_class[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ? C_ALPHA :
				(c >= '0' && c <= '9') ? C_DIGIT : C_OTHER;
		else if (u_hasBinaryProperty((UChar32) c, UCHAR_ALPHABETIC) ||
				 u_charType((UChar32) c) == U_DECIMAL_DIGIT_NUMBER)
			bmp_class[c] = C_UALPHA;
		else
			bmp_class[c] = C_OTHER;
	}
	bmp_ready = true;
}

/* The class of the character at s[i] (of n) and its length in bytes. */
static inline int
char_class(const bp_lex *lx, const unsigned char *s, size_t i, size_t n, int *clen)
{
	UChar32		c;
	int32_t		j = 0;

	if (s[i] < 0x80)
	{
		*clen = 1;
		return bmp_class[s[i]];
	}
	U8_NEXT(s + i, j, (int32_t) (n - i < 8 ? n - i : 8), c);
	*clen = j > 0 ? j : 1;
	if (c < 0)
		return C_OTHER;
	if (lx->c_ctype)
		return C_UALPHA;
	if (c < 65536)
		return bmp_class[c];
	return u_hasBinaryProperty(c, UCHAR_ALPHABETIC) ||
		u_charType(c) == U_DECIMAL_DIGIT_NUMBER ? C_UALPHA : C_OTHER;
}

/* Bytes from an arena, 8-aligned; NULL when out of memory. */
static void *
arena_alloc(arena *a, size_t len)
{
	arena_block *b = a->head;

	len = (len + 7) & ~(size_t) 7;
	if (b == NULL || b->size - b->used < len)
	{
		size_t		size = len > 65536 ? len : 65536;

		b = malloc(sizeof(arena_block) + size);
		if (b == NULL)
			return NULL;
		b->next = a->head;
		b->used = 0;
		b->size = size;
		a->head = b;
		a->total += size;
	}
	b->used += len;
	return b->data + b->used - len;
}

/* Free every block of an arena. */
static void
arena_free(arena *a)
{
	while (a->head)
	{
		arena_block *b = a->head;

		a->head = b->next;
		free(b);
	}
	a->total = 0;
}

/* A hash of bytes, 8 at a time. */
static inline uint32_t
hash_bytes(const char *s, size_t len, uint32_t seed)
{
	uint64_t	h = (seed + 1) * UINT64_C(0x9E3779B97F4A7C15) ^ len;
	size_t		i = 0;

	for (; i + 8 <= len; i += 8)
	{
		uint64_t	w;

		memcpy(&w, s + i, 8);
		h = (h ^ w) * UINT64_C(0xFF51AFD7ED558CCD);
		h ^= h >> 32;
	}
	if (i < len)
	{
		uint64_t	w = 0;

		memcpy(&w, s + i, len - i);
		h = (h ^ w) * UINT64_C(0xFF51AFD7ED558CCD);
	}
	h ^= h >> 29;
	h *= UINT64_C(0xC4CEB9FE1A85EC53);
	return (uint32_t) (h >> 32);
}

/* Is w (len bytes) in the sorted stop list of dictionary d? */
static bool
is_stop(const bp_lex *lx, int d, const char *w, size_t len)
{
	size_t		lo = 0,
				hi = lx->nstop[d];

	while (lo < hi)
	{
		size_t		mid = (lo + hi) / 2;
		const char *s = lx->stop[d][mid];
		int			c = strncmp(s, w, len);

		if (c == 0)
			c = s[len] == '\0' ? 0 : 1;
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Lowercase a token into lx->lower as PostgreSQL's lowerstr does; its length. */
static size_t
lowercase(bp_lex *lx, const char *s, size_t len)
{
	size_t		i,
				o = 0;

	if (lx->lower_cap < len * 2 + 8)
	{
		char	   *p = realloc(lx->lower, len * 2 + 8);

		if (p == NULL)
		{
			lx->oom = true;
			return 0;
		}
		lx->lower = p;
		lx->lower_cap = len * 2 + 8;
	}
	for (i = 0; i < len;)
	{
		unsigned char b = (unsigned char) s[i];

		if (b < 0x80 || lx->c_ctype)
		{
			lx->lower[o++] = (char) (b >= 'A' && b <= 'Z' ? b + 32 : b);
			i++;
		}
		else
		{
			UChar32		c;
			int32_t		j = (int32_t) i;
			UBool		err = 0;

			U8_NEXT(s, j, (int32_t) len, c);
			if (c < 0)
			{
				lx->lower[o++] = (char) b;
				i++;
				continue;
			}
			i = (size_t) j;
			c = u_tolower(c);
			j = (int32_t) o;
			U8_APPEND(lx->lower, j, (int32_t) lx->lower_cap, c, err);
			o = (size_t) j;
			(void) err;
		}
	}
	return o;
}

/* Double the stem cache (or start it). */
static bool
cache_grow(bp_lex *lx)
{
	uint32_t	size = lx->cache ? (lx->cache_mask + 1) * 2 : 4096;
	cache_slot *c = calloc(size, sizeof(cache_slot));
	uint32_t	i;

	if (c == NULL)
		return false;
	if (lx->cache)
	{
		for (i = 0; i <= lx->cache_mask; i++)
		{
			cache_slot *s = &lx->cache[i];
			uint32_t	k;

			if (s->key == NULL)
				continue;
			for (k = s->hash & (size - 1); c[k].key; k = (k + 1) & (size - 1))
				;
			c[k] = *s;
		}
		free(lx->cache);
	}
	lx->cache = c;
	lx->cache_mask = size - 1;
	return true;
}

/* Empty the stem cache. */
static void
cache_clear(bp_lex *lx)
{
	free(lx->cache);
	lx->cache = NULL;
	lx->cache_mask = 0;
	lx->cache_used = 0;
	arena_free(&lx->cache_arena);
}

/* The lexeme of a lowercased word in dictionary d (as dsnowball_lexize()). */
static const char *
stem_word(bp_lex *lx, int d, const char *w, size_t len, uint32_t *llen)
{
	const char *lex;

	if (d == TD_SIMPLE || len > LEX_STEM_MAX || lx->stem[d] == NULL)
	{
		*llen = (uint32_t) len;
		return w;
	}
	if (len == 0 || is_stop(lx, d, w, len))
	{
		*llen = 0;
		return NULL;
	}
	lex = (const char *) sb_stemmer_stem(lx->stem[d], (const sb_symbol *) w, (int) len);
	if (lex == NULL)
	{
		lx->oom = true;
		return NULL;
	}
	*llen = (uint32_t) sb_stemmer_length(lx->stem[d]);
	return lex;
}

/*
 * The cache slot of a token as written in dictionary d, filled on first
 * meeting (lowercase, stop words, stem); NULL when out of memory.
 */
static cache_slot *
lookup(bp_lex *lx, int d, const char *tok, size_t tlen)
{
	uint32_t	h = hash_bytes(tok, tlen, (uint32_t) d);
	uint32_t	k,
				llen;
	cache_slot *s;
	const char *lex;
	char	   *key;
	size_t		len;

	if (lx->cache)
		for (k = h & lx->cache_mask; lx->cache[k].key; k = (k + 1) & lx->cache_mask)
		{
			s = &lx->cache[k];
			if (s->hash == h && s->klen == tlen && s->dict == d &&
				memcmp(s->key, tok, tlen) == 0)
				return s;
		}

	/* not met before */
	len = lowercase(lx, tok, tlen);
	if (lx->oom)
		return NULL;
	lex = stem_word(lx, d, lx->lower, len, &llen);
	if (lx->oom)
		return NULL;
	if (lx->cache_arena.total > CACHE_MAX_BYTES)
		cache_clear(lx);
	if ((lx->cache == NULL || (lx->cache_used + 1) * 2 > lx->cache_mask + 1) &&
		!cache_grow(lx))
	{
		lx->oom = true;
		return NULL;
	}
	key = arena_alloc(&lx->cache_arena, tlen + llen + 1);
	if (key == NULL)
	{
		lx->oom = true;
		return NULL;
	}
	memcpy(key, tok, tlen);
	if (lex)
	{
		memcpy(key + tlen, lex, llen);
		lex = key + tlen;
	}
	for (k = h & lx->cache_mask; lx->cache[k].key; k = (k + 1) & lx->cache_mask)
		;
	s = &lx->cache[k];
	s->key = key;
	s->klen = (uint32_t) tlen;
	s->hash = h;
	s->lex = lex;
	s->llen = llen;
	s->dict = d;
	s->gen = lx->gen - 1;		/* no entry in this vector yet */
	s->id = 0;
	lx->cache_used++;
	return s;
}

/* The id of a lexeme in the vector, added when new; UINT32_MAX: no memory. */
static uint32_t
entry_id(bp_lex *lx, const char *lex, uint32_t len)
{
	uint32_t	h = hash_bytes(lex, len, 0);
	uint32_t	k;
	entry	   *e;
	char	   *copy;

	if (lx->table == NULL || (lx->nent + 1) * 2 > lx->table_mask + 1)
	{
		uint32_t	size = lx->table ? (lx->table_mask + 1) * 2 : 1024;
		uint32_t   *t = calloc(size, sizeof(uint32_t));
		uint32_t	i;

		if (t == NULL)
			return UINT32_MAX;
		for (i = 0; i < lx->nent; i++)
		{
			for (k = lx->ent[i].hash & (size - 1); t[k]; k = (k + 1) & (size - 1))
				;
			t[k] = i + 1;
		}
		free(lx->table);
		lx->table = t;
		lx->table_mask = size - 1;
	}
	for (k = h & lx->table_mask; lx->table[k]; k = (k + 1) & lx->table_mask)
	{
		e = &lx->ent[lx->table[k] - 1];
		if (e->hash == h && e->len == len && memcmp(e->str, lex, len) == 0)
			return lx->table[k] - 1;
	}
	if (lx->nent == lx->ent_cap)
	{
		uint32_t	cap = lx->ent_cap ? lx->ent_cap * 2 : 1024;
		entry	   *n = realloc(lx->ent, cap * sizeof(entry));

		if (n == NULL)
			return UINT32_MAX;
		lx->ent = n;
		lx->ent_cap = cap;
	}
	copy = arena_alloc(&lx->vec_arena, len ? len : 1);
	if (copy == NULL)
		return UINT32_MAX;
	memcpy(copy, lex, len);
	e = &lx->ent[lx->nent];
	e->str = copy;
	e->len = len;
	e->hash = h;
	e->off = 0;
	e->n = 0;
	lx->table[k] = lx->nent + 1;
	return lx->nent++;
}

/* Number one token of the current part and record its lexeme, if any. */
static void
emit(bp_lex *lx, int d, const char *tok, size_t len)
{
	cache_slot *slot;
	uint32_t	id;

	if (len >= BP_LEX_MAX_WORD || lx->oom)
		return;					/* "word is too long to be indexed" */
	lx->pos++;
	slot = lookup(lx, d, tok, len);
	if (slot == NULL || slot->lex == NULL)
		return;					/* out of memory, or a stop word */
	if (lx->want)
	{
		size_t		k;

		for (k = 0; k < lx->nwant; k++)
			if (lx->want[k].len == slot->llen &&
				memcmp(lx->want[k].str, slot->lex, slot->llen) == 0)
			{
				lx->found = true;
				lx->found_off = (size_t) (tok - lx->base);
			}
		return;
	}
	if (slot->gen == lx->gen)
		id = slot->id;
	else
	{
		id = entry_id(lx, slot->lex, slot->llen);
		if (id == UINT32_MAX)
		{
			lx->oom = true;
			return;
		}
		slot->gen = lx->gen;
		slot->id = id;
	}
	if (lx->nseg == lx->seg_cap)
	{
		size_t		cap = lx->seg_cap ? lx->seg_cap * 2 : 4096;
		seg_pos    *n = realloc(lx->seg, cap * sizeof(seg_pos));

		if (n == NULL)
		{
			lx->oom = true;
			return;
		}
		lx->seg = n;
		lx->seg_cap = cap;
	}
	lx->seg[lx->nseg].id = id;
	lx->seg[lx->nseg].pos = (uint16_t) (lx->pos < BP_LEX_MAX_POS ? lx->pos : BP_LEX_MAX_POS);
	lx->nseg++;
}

/* An alphanumeric run at s[i]: its end and what it holds. */
static size_t
run_end(const bp_lex *lx, const unsigned char *s, size_t i, size_t n,
		bool *digit, bool *alpha, bool *ualpha)
{
	*digit = *alpha = *ualpha = false;
	while (i < n)
	{
		int			clen;
		int			c = char_class(lx, s, i, n, &clen);

		if (c == C_OTHER)
			break;
		if (c == C_DIGIT)
			*digit = true;
		else if (c == C_ALPHA)
			*alpha = true;
		else
			*ualpha = true;
		i += (size_t) clen;
	}
	return i;
}

/* The dictionary of a word or compound part by what it holds. */
static inline int
word_dict(bool digit, bool ualpha)
{
	return digit ? TD_SIMPLE : ualpha ? TD_WORD : TD_ASCII;
}

#define ASCII_ALNUM(c) ((c) < 0x80 && (bmp_class[(c)] == C_ALPHA || bmp_class[(c)] == C_DIGIT))
#define HOST_CHAR(c) (ASCII_ALNUM(c) || (c) == '-' || (c) == '_')

/* Is c a character of a URL path (the parser's p_isurlchar)? */
static inline bool
url_char(unsigned char c)
{
	return c > 0x20 && c < 0x7F && c != '"' && c != '<' && c != '>' &&
		c != '\\' && c != '^' && c != '`' && c != '{' && c != '|' && c != '}';
}

/*
 * The end of a host-like name at s[i]: labels of ASCII letters, digits,
 * '-' and '_', each starting with a letter or digit, joined by single
 * dots; i when there is no dot.  *labels counts them.
 */
static size_t
host_end(const unsigned char *s, size_t i, size_t n, int *labels)
{
	size_t		j = i,
				end = i;

	*labels = 0;
	while (j < n && ASCII_ALNUM(s[j]))
	{
		while (j < n && HOST_CHAR(s[j]))
			j++;
		(*labels)++;
		end = j;
		if (j + 1 < n && s[j] == '.' && ASCII_ALNUM(s[j + 1]))
			j++;
		else
			break;
	}
	return *labels >= 2 ? end : i;
}

/*
 * The end of an XML tag at s[i] ('<', a name, attributes, '>'): the
 * parser's tag token, not indexed; i when it is not one.
 */
static size_t
tag_end(const unsigned char *s, size_t i, size_t n)
{
	size_t		j = i + 1,
				lim = i + 1024 < n ? i + 1024 : n;

	if (j < n && (s[j] == '/' || s[j] == '?' || s[j] == '!'))
		j++;
	if (j >= n || !(s[j] < 0x80 && bmp_class[s[j]] == C_ALPHA))
		return i;
	while (j < n && (ASCII_ALNUM(s[j]) || s[j] == '-' || s[j] == '_' || s[j] == ':' ||
					 s[j] == '.'))
		j++;
	if (j >= n || !(s[j] == '>' || s[j] == ' ' || s[j] == '/' || s[j] == '\n' ||
					s[j] == '\t' || s[j] == '\r'))
		return i;
	for (; j < lim; j++)
	{
		if (s[j] == '>')
			return j + 1;
		if (s[j] == '<')
			return i;
	}
	return i;
}

/*
 * The names the parser reads whole, at s[i]: a protocol ("https://", not
 * indexed), an e-mail address, a URL (the URL, its host and its path), a
 * host or dotted number ("www.gutenberg.org", "e.g", "3.14"), a path
 * ("/usr/share/doc", "and/or").  Emits them and returns their end, or i
 * when there is none here.
 */
static size_t
names(bp_lex *lx, const unsigned char *s, size_t i, size_t n)
{
	const char *t = (const char *) s;
	size_t		j = i,
				h;
	int			labels;

	/* a protocol: skipped, then what follows as usual */
	while (j < n && s[j] < 0x80 && bmp_class[s[j]] == C_ALPHA)
		j++;
	if (j > i && j + 3 <= n && memcmp(s + j, "://", 3) == 0)
		return j + 3;

	/* e-mail: local part, '@', host */
	j = i;
	while (j < n && (ASCII_ALNUM(s[j]) || s[j] == '.' || s[j] == '_' || s[j] == '+' ||
					 s[j] == '-'))
		j++;
	if (j > i && j + 1 < n && s[j] == '@' && ASCII_ALNUM(s[i]) &&
		(h = host_end(s, j + 1, n, &labels)) > j + 1)
	{
		emit(lx, TD_SIMPLE, t + i, h - i);
		return h;
	}

	/* a number with dots (float, version: "2.6", "127.0.0.1") ends at a letter */
	if (s[i] >= '0' && s[i] <= '9')
	{
		j = i;
		while (j < n && s[j] >= '0' && s[j] <= '9')
			j++;
		if (j + 1 < n && s[j] == '.' && s[j + 1] >= '0' && s[j + 1] <= '9')
		{
			while (j + 1 < n && s[j] == '.' && s[j + 1] >= '0' && s[j + 1] <= '9')
			{
				j++;
				while (j < n && s[j] >= '0' && s[j] <= '9')
					j++;
			}
			if (j >= n || !(ASCII_ALNUM(s[j]) || s[j] == '_' ||
							(s[j] == '.' && j + 1 < n && ASCII_ALNUM(s[j + 1]))))
			{
				emit(lx, TD_SIMPLE, t + i, j - i);
				return j;
			}
		}
	}

	/* URL or host */
	if (ASCII_ALNUM(s[i]) && (h = host_end(s, i, n, &labels)) > i)
	{
		if (h + 1 < n && s[h] == '/' && url_char(s[h + 1]))
		{
			size_t		p = h + 1;

			while (p < n && url_char(s[p]))
				p++;
			emit(lx, TD_SIMPLE, t + i, p - i);	/* url */
			emit(lx, TD_SIMPLE, t + i, h - i);	/* host */
			emit(lx, TD_SIMPLE, t + h, p - h);	/* url_path */
			return p;
		}
		if (h + 1 >= n || s[h] != '/' || !ASCII_ALNUM(s[h + 1]))
		{
			emit(lx, TD_SIMPLE, t + i, h - i);
			return h;
		}
	}

	/* a path: segments of letters, digits, '.', '_', '-' joined by '/' */
	j = i;
	{
		size_t		end = i;
		bool		slash = false;

		while (j < n)
		{
			if (s[j] == '/' && j + 1 < n && (ASCII_ALNUM(s[j + 1]) || s[j + 1] == '.'))
			{
				slash = true;
				j++;
			}
			else if (HOST_CHAR(s[j]) || s[j] == '.')
			{
				j++;
				if (ASCII_ALNUM(s[j - 1]))
					end = j;
			}
			else
				break;
		}
		if (slash && end > i)
		{
			emit(lx, TD_SIMPLE, t + i, end - i);
			return end;
		}
	}
	return i;
}

/* Split text into the default parser's tokens and emit them. */
static void
tokenize(bp_lex *lx, const unsigned char *s, size_t n)
{
	size_t		i = 0;

	while (i < n && !lx->oom && !lx->found)
	{
		int			clen;
		int			c = char_class(lx, s, i, n, &clen);
		bool		dg,
					al,
					ua;
		size_t		e;

		if (c == C_OTHER)
		{
			/* an XML tag is not indexed; a path may start with '/' */
			if (s[i] == '<' && (e = tag_end(s, i, n)) > i)
			{
				i = e;
				continue;
			}
			if (s[i] == '/' && (e = names(lx, s, i, n)) > i)
			{
				i = e;
				continue;
			}
			/* a sign before digits: int ("-5", and "-1815" of "1812-1815") */
			if ((s[i] == '-' || s[i] == '+') && i + 1 < n &&
				s[i + 1] >= '0' && s[i + 1] <= '9')
			{
				e = i + 1;
				while (e < n && s[e] >= '0' && s[e] <= '9')
					e++;
				emit(lx, TD_SIMPLE, (const char *) s + i, e - i);
				i = e;
				continue;
			}
			i += (size_t) clen;
			continue;
		}

		e = run_end(lx, s, i, n, &dg, &al, &ua);

		/* names the parser reads whole: e-mail, URL, host, file, numbers */
		if (!ua && e < n && (s[e] == '.' || s[e] == ':' || s[e] == '/' || s[e] == '@' ||
							 s[e] == '_' || s[e] == '-' || s[e] == '+'))
		{
			size_t		j = names(lx, s, i, n);

			if (j > i)
			{
				i = j;
				continue;
			}
		}

		/* a compound: a part with a letter, then '-' and parts not all digits */
		if ((al || ua) && e + 1 < n && s[e] == '-')
		{
			size_t		ends[64];
			bool		pd[64],
						pu[64];
			int			np = 1,
						k;
			size_t		j = e;
			bool		anyd = dg,
						anyu = ua;

			ends[0] = e;
			pd[0] = dg;
			pu[0] = ua;
			while (np < 64 && j + 1 < n && s[j] == '-')
			{
				bool		d2,
							a2,
							u2;
				size_t		e2;
				int			c2 = char_class(lx, s, j + 1, n, &clen);

				if (c2 == C_OTHER)
					break;
				e2 = run_end(lx, s, j + 1, n, &d2, &a2, &u2);
				if (!a2 && !u2)
					break;		/* "-19": a signed number, not a part */
				ends[np] = e2;
				pd[np] = d2;
				pu[np] = u2;
				anyd |= d2;
				anyu |= u2;
				np++;
				j = e2;
			}
			if (np > 1)
			{
				size_t		start = i;

				emit(lx, word_dict(anyd, anyu), (const char *) s + i, j - i);
				for (k = 0; k < np; k++)
				{
					emit(lx, word_dict(pd[k], pu[k]), (const char *) s + start,
						 ends[k] - start);
					start = ends[k] + 1;
				}
				i = j;
				continue;
			}
		}

		emit(lx, word_dict(dg, ua), (const char *) s + i, e - i);
		i = e;
		/* "word.." before a space: the parser's relative path ".." */
		if (i + 1 < n && s[i] == '.' && s[i + 1] == '.' &&
			(i + 2 == n || s[i + 2] == ' ' || s[i + 2] == '\n' ||
			 s[i + 2] == '\t' || s[i + 2] == '\r'))
		{
			emit(lx, TD_SIMPLE, "..", 2);
			i += 2;
		}
	}
}

/* Create a lexer (see bp_lex.h). */
bp_lex *
bp_lex_new(const bp_lex_dict *ascii, const bp_lex_dict *word, bool c_ctype,
		   char *errbuf, size_t errlen)
{
	bp_lex	   *lx = calloc(1, sizeof(bp_lex));
	const bp_lex_dict *dicts[2] = {ascii, word};
	int			d;

	if (lx == NULL)
	{
		snprintf(errbuf, errlen, "out of memory");
		return NULL;
	}
	if (!bmp_ready)
		bmp_init();
	lx->c_ctype = c_ctype;
	for (d = 0; d < 2; d++)
	{
		if (dicts[d] == NULL)
			continue;
		lx->stop[d] = dicts[d]->stop;
		lx->nstop[d] = dicts[d]->nstop;
		if (dicts[d]->stem_lang == NULL)
			continue;
		lx->stem[d] = sb_stemmer_new(dicts[d]->stem_lang, "UTF_8");
		if (lx->stem[d] == NULL)
		{
			snprintf(errbuf, errlen, "no Snowball stemmer \"%s\" in libstemmer",
					 dicts[d]->stem_lang);
			bp_lex_free(lx);
			return NULL;
		}
	}
	return lx;
}

/* Free a lexer and all it holds. */
void
bp_lex_free(bp_lex *lx)
{
	int			d;

	if (lx == NULL)
		return;
	for (d = 0; d < 2; d++)
		if (lx->stem[d])
			sb_stemmer_delete(lx->stem[d]);
	cache_clear(lx);
	arena_free(&lx->vec_arena);
	free(lx->ent);
	free(lx->table);
	free(lx->pool);
	free(lx->seg);
	free(lx->res);
	free(lx->lower);
	free(lx);
}

/* Start a new vector. */
void
bp_lex_reset(bp_lex *lx)
{
	arena_free(&lx->vec_arena);
	lx->nent = 0;
	if (lx->table)
		memset(lx->table, 0, (lx->table_mask + 1) * sizeof(uint32_t));
	lx->pool_len = 0;
	lx->maxpos = 0;
	lx->nseg = 0;
	lx->pos = 0;
	lx->dropped = 0;
	lx->oom = false;
	lx->gen++;					/* cached entry ids are of the vector before */
}

/* Start a part with a weight. */
void
bp_lex_begin(bp_lex *lx, int weight)
{
	lx->weight = weight & 3;
	lx->pos = 0;
	lx->nseg = 0;
}

/* Add text to the current part. */
bool
bp_lex_add(bp_lex *lx, const char *text, size_t len)
{
	tokenize(lx, (const unsigned char *) text, len);
	return !lx->oom;
}

/*
 * End the current part: per lexeme, to_tsvector()'s positions (at most
 * 255, none after one clamped to the largest), weighted, then appended
 * after the positions of the parts before as || does (shifted by their
 * largest position, at most 256 in all).
 */
void
bp_lex_end(bp_lex *lx)
{
	uint32_t   *start;
	uint16_t   *pool;
	size_t		i,
				o = 0,
				cap;
	uint32_t	id;
	uint16_t	shift = lx->maxpos,
				maxpos = lx->maxpos;

	if (lx->oom || lx->nseg == 0)
		return;
	/* the part's positions grouped by lexeme, in text order */
	start = calloc(lx->nent + 1, sizeof(uint32_t));
	cap = lx->pool_len + lx->nseg;
	pool = malloc((cap ? cap : 1) * sizeof(uint16_t));
	{
		seg_pos    *sorted = malloc(lx->nseg * sizeof(seg_pos));

		if (start == NULL || pool == NULL || sorted == NULL)
		{
			free(start);
			free(pool);
			free(sorted);
			lx->oom = true;
			return;
		}
		for (i = 0; i < lx->nseg; i++)
			start[lx->seg[i].id + 1]++;
		for (id = 0; id < lx->nent; id++)
			start[id + 1] += start[id];
		for (i = 0; i < lx->nseg; i++)
			sorted[start[lx->seg[i].id]++] = lx->seg[i];
		/* start[id] is now the end of id's run: runs are consecutive */
		for (id = 0, i = 0; id < lx->nent; id++)
		{
			entry	   *e = &lx->ent[id];
			uint16_t	kept[BP_LEX_MAX_NPOS];
			int			nk = 0,
						k;
			uint16_t	n = 0;

			/* the positions of the parts before */
			if (e->n)
				memcpy(pool + o, lx->pool + e->off, e->n * sizeof(uint16_t));
			n = e->n;
			e->off = (uint32_t) o;
			/* uniqueWORD(): this part's, at most 255 */
			for (; i < start[id]; i++)
			{
				uint16_t	p = sorted[i].pos;

				if (nk == 0 || (nk < BP_LEX_MAX_NPOS - 1 &&
								kept[nk - 1] != BP_LEX_MAX_POS && kept[nk - 1] != p))
					kept[nk++] = p;
			}
			/* add_pos() of tsvector_concat() */
			for (k = 0; k < nk && n < BP_LEX_MAX_NPOS &&
				 (n == 0 || (pool[o + n - 1] & 0x3FFF) != BP_LEX_MAX_POS); k++)
			{
				uint32_t	p = (uint32_t) kept[k] + shift;

				if (p > BP_LEX_MAX_POS)
					p = BP_LEX_MAX_POS;
				pool[o + n] = (uint16_t) (p | ((uint32_t) lx->weight << 14));
				n++;
			}
			for (k = 0; k < n; k++)
				if ((pool[o + k] & 0x3FFF) > maxpos)
					maxpos = pool[o + k] & 0x3FFF;
			e->n = n;
			o += n;
		}
		free(sorted);
	}
	free(start);
	free(lx->pool);
	lx->pool = pool;
	lx->pool_len = o;
	lx->maxpos = maxpos;
	lx->nseg = 0;
}

/* tsvector order of two lexemes (tsCompareString: bytes, then length). */
static int
lexeme_cmp(const void *a, const void *b)
{
	const bp_lexeme *x = a,
			   *y = b;
	uint32_t	m = x->len < y->len ? x->len : y->len;
	int			c = memcmp(x->str, y->str, m);

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len ? 1 : 0;
}

/* Bytes a lexeme takes in a tsvector's data part, starting at offset off. */
static size_t
lexeme_bytes(size_t off, uint32_t len, uint16_t npos)
{
	size_t		o = off + len;

	if (npos)
		o = ((o + 1) & ~(size_t) 1) + 2 + 2 * (size_t) npos;
	return o - off;
}

/* The vector's lexemes in tsvector order (see bp_lex.h). */
const bp_lexeme *
bp_lex_result(bp_lex *lx, size_t *n, size_t *data_bytes)
{
	uint32_t	id,
				keep;
	size_t		i,
				total = 0;

	*n = 0;
	*data_bytes = 0;
	if (lx->oom || lx->nent == 0)
		return NULL;
	/* words met last are left out while the data would pass the limit */
	keep = lx->nent;
	for (id = 0; id < lx->nent; id++)
		total += lexeme_bytes(0, lx->ent[id].len, lx->ent[id].n) + 1;
	while (keep > 0 && total > BP_LEX_MAX_BYTES)
	{
		keep--;
		total -= lexeme_bytes(0, lx->ent[keep].len, lx->ent[keep].n) + 1;
	}
	lx->dropped = lx->nent - keep;
	if (lx->res_cap < keep)
	{
		bp_lexeme  *r = realloc(lx->res, keep * sizeof(bp_lexeme));

		if (r == NULL)
		{
			lx->oom = true;
			return NULL;
		}
		lx->res = r;
		lx->res_cap = keep;
	}
	for (id = 0; id < keep; id++)
	{
		lx->res[id].str = lx->ent[id].str;
		lx->res[id].len = lx->ent[id].len;
		lx->res[id].npos = lx->ent[id].n;
		lx->res[id].pos = lx->pool + lx->ent[id].off;
	}
	qsort(lx->res, keep, sizeof(bp_lexeme), lexeme_cmp);
	total = 0;
	for (i = 0; i < keep; i++)
		total += lexeme_bytes(total, lx->res[i].len, lx->res[i].npos);
	*n = keep;
	*data_bytes = total;
	return lx->res;
}

/* Lexemes left out of the last result by the size limit. */
size_t
bp_lex_dropped(const bp_lex *lx)
{
	return lx->dropped;
}

/* False once the lexer ran out of memory. */
bool
bp_lex_ok(const bp_lex *lx)
{
	return !lx->oom;
}

/*
 * Where in text the first word whose lexeme is one of want[] starts (the
 * lexemes as bp_lex_result() gives them; their positions are not used).
 * False when none is there.
 */
bool
bp_lex_find(bp_lex *lx, const char *text, size_t len, const bp_lexeme *want,
			size_t nwant, size_t *offset)
{
	bool		found;

	lx->want = want;
	lx->nwant = nwant;
	lx->base = text;
	lx->found = false;
	lx->pos = 0;
	tokenize(lx, (const unsigned char *) text, len);
	found = lx->found;
	*offset = lx->found_off;
	lx->want = NULL;
	lx->nwant = 0;
	lx->base = NULL;
	lx->found = false;
	return found;
}

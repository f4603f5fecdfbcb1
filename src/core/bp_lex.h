/*-------------------------------------------------------------------------
 *
 * bp_lex.h
 *	  Search lexemes of a text, as PostgreSQL's to_tsvector() makes them
 *	  for a Snowball configuration (issue 14, docs/search.md).
 *
 * The extension builds each chapter's search vector with this instead of
 * to_tsvector(): PostgreSQL's default text search parser reads about 5 MB
 * of text a second, and the search vector of every stored chapter made
 * storing books four times slower.  The lexer splits text into the same
 * tokens for prose (words, hyphenated compounds and their parts, numbers,
 * dotted and slashed names), lowercases, drops stop words and stems with
 * the same Snowball stemmers (libstemmer), and numbers positions and
 * keeps at most 255 of them per lexeme as to_tsvector() does, so that a
 * query parsed by websearch_to_tsquery() in the same configuration
 * matches.  Known differences (URLs, e-mail addresses, XML tags and
 * entities, signs before decimals) are listed in docs/search.md.
 *
 * No PostgreSQL header: the caller gives the stop words and the Snowball
 * language names it read from the catalog, and turns the result into a
 * tsvector.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BP_LEX_H
#define BP_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* PostgreSQL's tsvector limits (tsearch/ts_type.h) */
#define BP_LEX_MAX_POS		16383	/* MAXENTRYPOS - 1: larger positions clamp */
#define BP_LEX_MAX_NPOS		256 /* MAXNUMPOS: positions of one lexeme */
#define BP_LEX_MAX_WORD		2047	/* MAXSTRLEN: words this long are skipped */
#define BP_LEX_MAX_BYTES	1048575 /* MAXSTRPOS: lexemes and positions */

/* A dictionary: a Snowball stemmer (or none: simple) and its stop words. */
typedef struct bp_lex_dict
{
	const char *stem_lang;		/* libstemmer name ("english"), NULL: none */
	const char *const *stop;	/* stop words, lowercased, sorted by strcmp */
	size_t		nstop;
} bp_lex_dict;

/* One lexeme of the result: its bytes and positions (weight in bits 14-15). */
typedef struct bp_lexeme
{
	const char *str;
	uint32_t	len;
	uint16_t	npos;
	const uint16_t *pos;
} bp_lexeme;

typedef struct bp_lex bp_lex;

/*
 * A lexer for a configuration: ascii for words of ASCII letters, word for
 * the other words (PostgreSQL's asciiword and word token types); numbers
 * and dotted names always go to simple.  c_ctype: the database's
 * LC_CTYPE is C, where PostgreSQL takes every non-ASCII character for a
 * letter and lowercases only ASCII.  NULL when out of memory or a stemmer
 * is unknown (errbuf says which).
 */
extern bp_lex *bp_lex_new(const bp_lex_dict *ascii, const bp_lex_dict *word,
						  bool c_ctype, char *errbuf, size_t errlen);
extern void bp_lex_free(bp_lex *lx);

/* Start a new vector (the stem cache stays). */
extern void bp_lex_reset(bp_lex *lx);

/*
 * Start a part of the vector whose positions get weight (0 = D .. 3 = A):
 * like to_tsvector() of the part, setweight(), and || after the parts
 * before (positions shifted by the largest position so far).
 */
extern void bp_lex_begin(bp_lex *lx, int weight);

/*
 * Add text to the current part; a part may be given in pieces if each
 * piece ends at a space.  False when out of memory.
 */
extern bool bp_lex_add(bp_lex *lx, const char *text, size_t len);

/* End the current part. */
extern void bp_lex_end(bp_lex *lx);

/*
 * The lexemes in tsvector order (byte order, a prefix first) and the
 * bytes of a tsvector's data part they take (lexemes, alignment,
 * positions); NULL with *n = 0 for none.  Valid until the next reset.
 * Lexemes that would have made the data part exceed BP_LEX_MAX_BYTES are
 * left out (bp_lex_dropped() counts them).
 */
extern const bp_lexeme *bp_lex_result(bp_lex *lx, size_t *n, size_t *data_bytes);
extern size_t bp_lex_dropped(const bp_lex *lx);

/*
 * Where in text (a byte offset) the first word whose lexeme is one of
 * want[] starts: for a search result's snippet, the place of a match.
 * False when there is none (or out of memory).
 */
extern bool bp_lex_find(bp_lex *lx, const char *text, size_t len,
						const bp_lexeme *want, size_t nwant, size_t *offset);

/* False once the lexer ran out of memory (until the next reset). */
extern bool bp_lex_ok(const bp_lex *lx);

#endif							/* BP_LEX_H */

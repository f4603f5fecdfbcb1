/*-------------------------------------------------------------------------
 *
 * bp_text_int.h
 *	  Private declarations shared by bp_text.c (state, NFC), bp_text_icu.c
 *	  (ICU's break iterators), bp_text_class.c (code point classes) and
 *	  bp_text_count.c (counting words and sentences).
 *
 * Not part of the core's internal API: bp_internal.h is.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BP_TEXT_INT_H
#define BP_TEXT_INT_H

#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/uloc.h>
#include <unicode/utext.h>

#include "bp_internal.h"

/* ICU objects and scratch buffers kept for the whole parse. */
typedef struct bp_text_state
{
	char		locale[ULOC_FULLNAME_CAPACITY];
	char		language[64];	/* the tag locale was made from */
	UBreakIterator *words;
	UBreakIterator *sentences;
	UText	   *ut;
	UChar	   *ubuf;			/* UTF-16 of one chunk */
	int32_t		ucap;
	UChar	   *nbuf;			/* its normalised form */
	int32_t		ncap;
	struct bp_class_cache *classes; /* see bp_text_count() */
} bp_text_state;

/* Word classes (from Word_Break); WC_DICT: ICU's dictionary segments it. */
#define WC_OTHER		0
#define WC_LETTER		1		/* ALetter */
#define WC_HEBREW		2		/* Hebrew_Letter */
#define WC_NUM			3		/* Numeric */
#define WC_MIDLETTER	4
#define WC_MIDNUM		5
#define WC_MIDNUMLET	6
#define WC_SQUOTE		7
#define WC_DQUOTE		8
#define WC_EXTNUMLET	9
#define WC_IGNORE		10		/* Extend, Format, ZWJ: part of what precedes */
#define WC_DICT			11

/* Sentence classes (from Sentence_Break). */
#define SC_OTHER		0
#define SC_LOWER		1
#define SC_UPPER		2
#define SC_OLETTER		3
#define SC_NUM			4
#define SC_ATERM		5		/* full stop */
#define SC_STERM		6		/* ! ? and other terminators */
#define SC_CLOSE		7		/* quotes, brackets */
#define SC_SCONT		8		/* , ; : - and dashes */
#define SC_SP			9
#define SC_SEP			10		/* line and paragraph separators */
#define SC_IGNORE		11		/* Extend, Format */

/*
 * A class is WC | SC << 4 | CL_ALNUM (u_isalnum, for sentences) | CL_PLAIN
 * (a letter or digit inside a word: once one is seen, more of them change
 * nothing but the character count).
 */
#define CL_WORD(x)		((x) & 0x0F)
#define CL_SENT(x)		(((x) >> 4) & 0x0F)
#define CL_ALNUM		0x100
#define CL_PLAIN		0x200
#define CL_NFC			0x400	/* NFC_Quick_Check=Yes, combining class 0 */

#define BP_CLASS_CACHE	4096	/* code points cached, direct-mapped */

#define CL_KNOWN		0x8000	/* in lo[]: the entry is filled */

/*
 * Cached classes of code points: ASCII filled at once, U+0080-U+07FF
 * (2-byte UTF-8: Latin, Greek, Cyrillic, Hebrew, Arabic) filled on first
 * sight, the rest direct-mapped.
 */
typedef struct bp_class_cache
{
	uint16_t	ascii[128];
	uint16_t	lo[0x800];
	int32_t		cp[BP_CLASS_CACHE];
	uint16_t	cls[BP_CLASS_CACHE];
} bp_class_cache;

extern bool bp_text_count_start(bp_ctx *ctx, const char *text, size_t len,
								bp_counts *counts);
extern bp_text_state *bp_text_get_state(bp_ctx *ctx);
extern bool bp_text_ubuf(bp_ctx *ctx, UChar **arr, int32_t *cap, int32_t need);
extern bool bp_text_open_iterators(bp_ctx *ctx, bp_text_state *st,
								   const char *language, bool with_sentences);
extern bp_class_cache *bp_text_class_cache(bp_ctx *ctx, bp_text_state *st);
extern uint16_t bp_text_lo_fill(bp_class_cache *cc, UChar32 c);
extern uint16_t bp_text_next_class_slow(bp_class_cache *cc, const uint8_t *s,
										size_t len, size_t *i);
extern bool bp_text_quick_nfc(bp_ctx *ctx, bp_text_state *st, const char *s,
							  size_t len, size_t from);

/*
 * Class of the character at s[*i] (i < len); *i moves past it.  Bytes
 * that are not UTF-8 are a character of class "other" each.
 */
static inline uint16_t
bp_text_next_class(bp_class_cache *cc, const uint8_t *s, size_t len, size_t *i)
{
	uint8_t		b = s[*i];

	if (b < 0x80)
		return cc->ascii[s[(*i)++]];
	if (b >= 0xC2 && b < 0xE0 && len - *i >= 2 && (s[*i + 1] & 0xC0) == 0x80)
	{
		UChar32		c = ((b & 0x1F) << 6) | (s[*i + 1] & 0x3F);

		*i += 2;
		if (cc->lo[c])
			return (uint16_t) (cc->lo[c] & ~CL_KNOWN);
		return bp_text_lo_fill(cc, c);
	}
	return bp_text_next_class_slow(cc, s, len, i);
}

#endif							/* BP_TEXT_INT_H */

/*-------------------------------------------------------------------------
 *
 * bp_text.c
 *	  Text analysis with ICU: NFC normalisation of the text the writer
 *	  produces (unorm2) and counting words, sentences, characters and
 *	  paragraphs (ubrk word and sentence break iterators over a UTF-8
 *	  UText, dictionary-based for CJK and Thai).
 *
 * The break iterators are opened once per parse, for the locale of the
 * book's language, and kept with the scratch buffers of the normaliser in
 * ctx->text_state until bp_text_cleanup().  Everything works in bounded
 * chunks or directly on the UTF-8 text: no copy of a whole chapter is
 * made here.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/uloc.h>
#include <unicode/uscript.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>

#include "bp_internal.h"

#define BP_NFC_CHUNK	16384	/* UTF-8 bytes normalised at a time */

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

/* The text state of ctx, created on first use; NULL (ctx failed) if no memory. */
static bp_text_state *
bp_text_get_state(bp_ctx *ctx)
{
	if (ctx->text_state == NULL)
		ctx->text_state = bp_alloc0(ctx, sizeof(bp_text_state));
	return (bp_text_state *) ctx->text_state;
}

/* Release ICU objects held in ctx->text_state. */
void
bp_text_cleanup(bp_ctx *ctx)
{
	bp_text_state *st;

	if (ctx == NULL || ctx->text_state == NULL)
		return;
	st = (bp_text_state *) ctx->text_state;
	if (st->words)
		ubrk_close(st->words);
	if (st->sentences)
		ubrk_close(st->sentences);
	if (st->ut)
		utext_close(st->ut);
	if (st->ubuf)
		bp_free(ctx, st->ubuf);
	if (st->nbuf)
		bp_free(ctx, st->nbuf);
	if (st->classes)
		bp_free(ctx, st->classes);
	ctx->text_state = NULL;
	bp_free(ctx, st);
}

/* Make sure *arr holds at least need UChars (old contents are dropped). */
static bool
bp_text_ubuf(bp_ctx *ctx, UChar **arr, int32_t *cap, int32_t need)
{
	if (*cap >= need)
		return true;
	if (*arr)
		bp_free(ctx, *arr);
	*arr = bp_alloc(ctx, (size_t) need * sizeof(UChar));
	*cap = *arr ? need : 0;
	return *arr != NULL;
}

static bool bp_text_quick_nfc(bp_ctx *ctx, bp_text_state *st, const char *s,
							  size_t len, size_t from);

/* Is there a normalisation boundary before the code point at s[i]? */
static bool
bp_text_boundary_at(const UNormalizer2 *n2, const char *s, size_t len, size_t i)
{
	UChar32		c;
	int32_t		j = 0;
	int32_t		n = (int32_t) ((len - i) < 4 ? (len - i) : 4);

	if ((unsigned char) s[i] < 0xCC)
		return true;			/* below U+0300: never combines backwards */
	U8_NEXT((const uint8_t *) s + i, j, n, c);
	if (c < 0)
		return true;
	return unorm2_hasBoundaryBefore(n2, c);
}

/* Append UTF-16 as UTF-8 to buf (NUL-terminated afterwards). */
static bool
bp_text_put_utf16(bp_ctx *ctx, bp_buf *buf, const UChar *u, int32_t n)
{
	UErrorCode	status = U_ZERO_ERROR;
	int32_t		written = 0;

	if (!bp_buf_reserve(buf, (size_t) n * 3 + 1))
		return false;
	u_strToUTF8WithSub(buf->data + buf->len, (int32_t) (buf->cap - buf->len - 1),
					   &written, u, n, 0xFFFD, NULL, &status);
	if (U_FAILURE(status))
		return bp_fail(ctx, BP_ERR_INTERNAL, "u_strToUTF8: %s",
					   u_errorName(status));
	buf->len += written;
	buf->data[buf->len] = '\0';
	return true;
}

/* Append one chunk (ending at a normalisation boundary) in NFC. */
static bool
bp_text_nfc_chunk(bp_ctx *ctx, bp_text_state *st, const UNormalizer2 *n2,
				  bp_buf *buf, const char *s, size_t len)
{
	UErrorCode	status = U_ZERO_ERROR;
	int32_t		ulen = 0;
	int32_t		nsub = 0;
	int32_t		nlen;
	size_t		i;

	/* nothing at or above U+0300: NFC already */
	for (i = 0; i < len; i++)
		if ((unsigned char) s[i] >= 0xCC)
			break;
	if (i == len)
		return bp_buf_append(buf, s, len);

	if (!bp_text_ubuf(ctx, &st->ubuf, &st->ucap, (int32_t) len + 1))
		return false;
	u_strFromUTF8WithSub(st->ubuf, st->ucap, &ulen, s, (int32_t) len,
						 0xFFFD, &nsub, &status);
	if (U_FAILURE(status))
		return bp_fail(ctx, BP_ERR_INTERNAL, "u_strFromUTF8: %s",
					   u_errorName(status));
	if (unorm2_quickCheck(n2, st->ubuf, ulen, &status) == UNORM_YES &&
		U_SUCCESS(status))
	{
		if (nsub == 0)
			return bp_buf_append(buf, s, len);
		return bp_text_put_utf16(ctx, buf, st->ubuf, ulen);
	}

	status = U_ZERO_ERROR;
	if (!bp_text_ubuf(ctx, &st->nbuf, &st->ncap, ulen + ulen / 2 + 16))
		return false;
	nlen = unorm2_normalize(n2, st->ubuf, ulen, st->nbuf, st->ncap, &status);
	if (status == U_BUFFER_OVERFLOW_ERROR)
	{
		status = U_ZERO_ERROR;
		if (!bp_text_ubuf(ctx, &st->nbuf, &st->ncap, nlen + 1))
			return false;
		nlen = unorm2_normalize(n2, st->ubuf, ulen, st->nbuf, st->ncap, &status);
	}
	if (U_FAILURE(status))
		return bp_fail(ctx, BP_ERR_INTERNAL, "unorm2_normalize: %s",
					   u_errorName(status));
	return bp_text_put_utf16(ctx, buf, st->nbuf, nlen);
}

/* Append s to buf in NFC (s is valid UTF-8). */
bool
bp_text_nfc_append(bp_ctx *ctx, bp_buf *buf, const char *s, size_t len)
{
	UErrorCode	status = U_ZERO_ERROR;
	const UNormalizer2 *n2;
	bp_text_state *st;
	size_t		pos = 0;
	size_t		i;

	if (bp_failed(ctx))
		return false;

	/* ASCII (and anything below U+0300) is NFC: just copy */
	for (i = 0; i < len; i++)
		if ((unsigned char) s[i] >= 0xCC)
			break;
	if (i == len)
		return bp_buf_append(buf, s, len);

	st = bp_text_get_state(ctx);
	if (st == NULL)
		return false;
	/* only characters that never compose: NFC as well */
	if (bp_text_quick_nfc(ctx, st, s, len, i))
		return bp_buf_append(buf, s, len);
	if (bp_failed(ctx))
		return false;

	n2 = unorm2_getNFCInstance(&status);
	if (U_FAILURE(status))
		return bp_fail(ctx, BP_ERR_INTERNAL, "unorm2_getNFCInstance: %s",
					   u_errorName(status));

	while (pos < len)
	{
		size_t		end = len;

		if (len - pos > BP_NFC_CHUNK)
		{
			size_t		cut;

			end = pos + BP_NFC_CHUNK;
			/* back to the start of a code point */
			while (end > pos && ((unsigned char) s[end] & 0xC0) == 0x80)
				end--;
			/* and then to a normalisation boundary, within half a chunk */
			cut = end;
			while (cut > pos + BP_NFC_CHUNK / 2 &&
				   !bp_text_boundary_at(n2, s, len, cut))
			{
				cut--;
				while (cut > pos && ((unsigned char) s[cut] & 0xC0) == 0x80)
					cut--;
			}
			if (cut > pos + BP_NFC_CHUNK / 2)
				end = cut;
			if (end == pos)
				end = pos + BP_NFC_CHUNK;	/* not UTF-8 at all */
		}
		if (!bp_text_nfc_chunk(ctx, st, n2, buf, s + pos, end - pos))
			return false;
		pos = end;
	}
	return true;
}


/* Open an ICU break iterator of type for locale into *out; false (ctx failed) on error. */
static bool
open_break(bp_ctx *ctx, UBreakIteratorType type, const char *locale,
		   UBreakIterator **out)
{
	UErrorCode	status = U_ZERO_ERROR;

	*out = ubrk_open(type, locale, NULL, 0, &status);
	if (U_FAILURE(status))
	{
		*out = NULL;
		return bp_fail(ctx, BP_ERR_INTERNAL, "ubrk_open(%s): %s", locale,
					   u_errorName(status));
	}
	return true;
}
/*
 * Open the word break iterator (and the sentence one when with_sentences)
 * for a language (BCP 47 tag or NULL).
 */
static bool
bp_text_open_iterators(bp_ctx *ctx, bp_text_state *st, const char *language,
					   bool with_sentences)
{
	char		locale[ULOC_FULLNAME_CAPACITY];
	UErrorCode	status = U_ZERO_ERROR;

	/* the same language as last time: nothing to look up */
	if (st->words && (st->sentences || !with_sentences) &&
		strcmp(st->language, language ? language : "") == 0)
		return true;

	locale[0] = '\0';
	if (language && language[0] && strlen(language) < 64)
	{
		int32_t		n = uloc_forLanguageTag(language, locale, sizeof(locale),
											NULL, &status);

		if (U_FAILURE(status) || n <= 0 || n >= (int32_t) sizeof(locale))
			locale[0] = '\0';
		else
			locale[n] = '\0';
	}
	if (locale[0] == '\0')
		strcpy(locale, "en");

	if (st->words && strcmp(st->locale, locale) == 0)
	{
		if (st->sentences || !with_sentences)
			return true;
	}
	else
	{
		if (st->words)
			ubrk_close(st->words);
		if (st->sentences)
			ubrk_close(st->sentences);
		st->words = st->sentences = NULL;
		st->locale[0] = '\0';
		if (!open_break(ctx, UBRK_WORD, locale, &st->words))
			return false;
		strcpy(st->locale, locale);
	}
	st->language[0] = '\0';
	if (language && strlen(language) < sizeof(st->language))
		strcpy(st->language, language);
	if (with_sentences && !open_break(ctx, UBRK_SENTENCE, locale, &st->sentences))
		return false;
	return true;
}

/* Does [s, s+len) hold a letter or a digit? */
static bool
bp_text_has_alnum(const char *s, size_t len)
{
	size_t		i = 0;

	while (i < len)
	{
		unsigned char c = (unsigned char) s[i];
		UChar32		cp;

		if (c < 0x80)
		{
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				(c >= '0' && c <= '9'))
				return true;
			i++;
			continue;
		}
		U8_NEXT((const uint8_t *) s, i, len, cp);
		if (cp >= 0 && u_isalnum(cp))
			return true;
	}
	return false;
}

/*
 * Count words and sentences of UTF-8 text with ICU break iterators over
 * the whole text (dictionary-based for CJK/Thai); also characters (code
 * points other than line breaks) and paragraphs (non-empty blocks between
 * blank lines).  The reference bp_text_count() is checked against.
 */
bool
bp_text_count_icu(bp_ctx *ctx, const char *text, size_t len,
			  const char *language, bp_counts *counts)
{
	UErrorCode	status = U_ZERO_ERROR;
	bp_text_state *st;
	int64_t		words = 0;
	int64_t		sentences = 0;
	int64_t		chars = 0;
	int64_t		paras = 0;
	bool		line_blank = true;
	bool		prev_blank = true;
	int32_t		prev;
	int32_t		p;
	long		steps = 0;
	size_t		i;

	memset(counts, 0, sizeof(*counts));
	if (bp_failed(ctx))
		return false;
	if (text == NULL || len == 0)
		return true;
	if (len > (size_t) INT32_MAX)
		return bp_fail(ctx, BP_ERR_LIMIT, "chapter text too long to analyse");

	/* characters and paragraphs in one pass over the bytes */
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) text[i];

		if (c == '\n')
		{
			if (!line_blank && prev_blank)
				paras++;
			prev_blank = line_blank;
			line_blank = true;
			continue;
		}
		if ((c & 0xC0) != 0x80 && c != '\r')
			chars++;
		if (c != ' ' && c != '\t' && c != '\r' && c != '\f' && c != '\v')
			line_blank = false;
	}
	if (!line_blank && prev_blank)
		paras++;

	st = bp_text_get_state(ctx);
	if (st == NULL || !bp_text_open_iterators(ctx, st, language, true))
		return false;

	st->ut = utext_openUTF8(st->ut, text, (int64_t) len, &status);
	if (U_FAILURE(status))
		return bp_fail(ctx, BP_ERR_INTERNAL, "utext_openUTF8: %s",
					   u_errorName(status));

	/* words: segments whose rule status is not "none" */
	ubrk_setUText(st->words, st->ut, &status);
	if (U_FAILURE(status))
		return bp_fail(ctx, BP_ERR_INTERNAL, "ubrk_setUText: %s",
					   u_errorName(status));
	ubrk_first(st->words);
	while ((p = ubrk_next(st->words)) != UBRK_DONE)
	{
		if (ubrk_getRuleStatus(st->words) >= UBRK_WORD_NONE_LIMIT)
			words++;
		if ((++steps & 0xFFFF) == 0 &&
			!bp_progress(ctx, BP_PHASE_ANALYSING, (size_t) p))
			return false;
	}

	/* sentences: segments holding at least one letter or digit */
	ubrk_setUText(st->sentences, st->ut, &status);
	if (U_FAILURE(status))
		return bp_fail(ctx, BP_ERR_INTERNAL, "ubrk_setUText: %s",
					   u_errorName(status));
	prev = ubrk_first(st->sentences);
	while ((p = ubrk_next(st->sentences)) != UBRK_DONE)
	{
		if (p > prev && bp_text_has_alnum(text + prev, (size_t) (p - prev)))
			sentences++;
		prev = p;
		if ((++steps & 0xFFFF) == 0 &&
			!bp_progress(ctx, BP_PHASE_ANALYSING, (size_t) p))
			return false;
	}

	counts->words = words;
	counts->sentences = sentences;
	counts->characters = chars;
	counts->paragraphs = paras;
	return true;
}

/*
 * ---- Counting words and sentences without break iterators ----
 *
 * Scripts that separate words with spaces do not need ICU's rule engine:
 * one pass over the UTF-8 applies the same UAX #29 rules ICU's word and
 * sentence rules are built from, on the Word_Break and Sentence_Break
 * properties of each code point (looked up once per code point and
 * cached).  A word is what ICU's word iterator gives a rule status other
 * than "none": letters and digits, joined by apostrophes, full stops and
 * the like between letters (don't, U.S.A) or digits (3.14, 1,000),
 * underscores, combining marks; a hyphen splits.  A sentence is a
 * segment of ICU's sentence iterator holding a letter or a digit.  Runs
 * of Han, kana, Hangul syllables and of Thai, Lao, Khmer and Myanmar
 * letters still go to ICU's word iterator, whose dictionaries segment
 * them.
 */

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

/* The class of one code point, from ICU's character properties. */
static uint16_t
bp_text_classify(UChar32 c)
{
	UErrorCode	status = U_ZERO_ERROR;
	int			w;
	int			s;
	UScriptCode sc;
	uint16_t	cls;

	switch (u_getIntPropertyValue(c, UCHAR_WORD_BREAK))
	{
		case U_WB_ALETTER:
			w = WC_LETTER;
			break;
		case U_WB_HEBREW_LETTER:
			w = WC_HEBREW;
			break;
		case U_WB_NUMERIC:
			w = WC_NUM;
			break;
		case U_WB_MIDLETTER:
			/* ICU's rules take the colons out of MidLetter */
			w = (c == ':' || c == 0xFE55 || c == 0xFF1A) ? WC_OTHER : WC_MIDLETTER;
			break;
		case U_WB_MIDNUM:
			w = WC_MIDNUM;
			break;
		case U_WB_MIDNUMLET:
			w = WC_MIDNUMLET;
			break;
		case U_WB_SINGLE_QUOTE:
			w = WC_SQUOTE;
			break;
		case U_WB_DOUBLE_QUOTE:
			w = WC_DQUOTE;
			break;
		case U_WB_EXTENDNUMLET:
			w = WC_EXTNUMLET;
			break;
		case U_WB_EXTEND:
		case U_WB_FORMAT:
		case U_WB_ZWJ:
			w = WC_IGNORE;
			break;
		case U_WB_KATAKANA:
			w = WC_DICT;
			break;
		default:
			/* ICU's rules count "@" among the letters (e-mail addresses) */
			w = (c == '@') ? WC_LETTER : WC_OTHER;
			break;
	}
	/* what ICU's word rules hand to a dictionary (or keep as ideographs) */
	if (w != WC_IGNORE && w != WC_DICT && c >= 0x0E00)
	{
		sc = uscript_getScript(c, &status);
		if ((c >= 0xAC00 && c <= 0xD7A3) ||
			u_getIntPropertyValue(c, UCHAR_LINE_BREAK) == U_LB_COMPLEX_CONTEXT ||
			u_hasBinaryProperty(c, UCHAR_IDEOGRAPHIC) ||
			(U_SUCCESS(status) && (sc == USCRIPT_HAN || sc == USCRIPT_HIRAGANA)))
			w = WC_DICT;
	}

	switch (u_getIntPropertyValue(c, UCHAR_SENTENCE_BREAK))
	{
		case U_SB_LOWER:
			s = SC_LOWER;
			break;
		case U_SB_UPPER:
			s = SC_UPPER;
			break;
		case U_SB_OLETTER:
			s = SC_OLETTER;
			break;
		case U_SB_NUMERIC:
			s = SC_NUM;
			break;
		case U_SB_ATERM:
			s = SC_ATERM;
			break;
		case U_SB_STERM:
			s = SC_STERM;
			break;
		case U_SB_CLOSE:
			s = SC_CLOSE;
			break;
		case U_SB_SCONTINUE:
			s = SC_SCONT;
			break;
		case U_SB_SP:
			s = SC_SP;
			break;
		case U_SB_SEP:
		case U_SB_CR:
		case U_SB_LF:
			s = SC_SEP;
			break;
		case U_SB_EXTEND:
		case U_SB_FORMAT:
			s = SC_IGNORE;
			break;
		default:
			s = SC_OTHER;
			break;
	}
	cls = (uint16_t) (w | (s << 4));
	if (u_getIntPropertyValue(c, UCHAR_NFC_QUICK_CHECK) == UNORM_YES &&
		u_getCombiningClass(c) == 0)
		cls |= CL_NFC;
	if (u_isalnum(c))
	{
		cls |= CL_ALNUM;
		if ((w == WC_LETTER || w == WC_HEBREW || w == WC_NUM) &&
			(s == SC_LOWER || s == SC_UPPER || s == SC_OLETTER || s == SC_NUM))
			cls |= CL_PLAIN;
	}
	return cls;
}

/* The class cache of ctx, created on first use; NULL (ctx failed) if no memory. */
static bp_class_cache *
bp_text_class_cache(bp_ctx *ctx, bp_text_state *st)
{
	bp_class_cache *cc;
	int			i;

	if (st->classes)
		return st->classes;
	cc = bp_alloc(ctx, sizeof(bp_class_cache));
	if (cc == NULL)
		return NULL;
	for (i = 0; i < 128; i++)
		cc->ascii[i] = bp_text_classify(i);
	memset(cc->lo, 0, sizeof(cc->lo));
	for (i = 0; i < BP_CLASS_CACHE; i++)
		cc->cp[i] = -1;
	st->classes = cc;
	return cc;
}

/* The class of code point c, through the cache. */
static inline uint16_t
bp_text_cp_class(bp_class_cache *cc, UChar32 c)
{
	int32_t		k = c & (BP_CLASS_CACHE - 1);

	if (cc->cp[k] != c)
	{
		cc->cls[k] = bp_text_classify(c);
		cc->cp[k] = c;
	}
	return cc->cls[k];
}

/* The class of U+0080-U+07FF code point c, filling lo[] on first sight. */
static uint16_t
bp_text_lo_fill(bp_class_cache *cc, UChar32 c)
{
	uint16_t	cls = bp_text_classify(c);

	cc->lo[c] = cls | CL_KNOWN;
	return cls;
}

/* bp_text_next_class for what is not a 2-byte sequence. */
static uint16_t
bp_text_next_class_slow(bp_class_cache *cc, const uint8_t *s, size_t len,
						size_t *i)
{
	uint8_t		b = s[*i];
	size_t		left = len - *i;
	UChar32		c;
	int32_t		k = 0;
	int32_t		n;

	if (b >= 0xE0 && b < 0xF0 && left >= 3 && (s[*i + 1] & 0xC0) == 0x80 &&
		(s[*i + 2] & 0xC0) == 0x80)
	{
		c = ((b & 0x0F) << 12) | ((s[*i + 1] & 0x3F) << 6) | (s[*i + 2] & 0x3F);
		if (c >= 0x800 && (c < 0xD800 || c > 0xDFFF))
		{
			*i += 3;
			return bp_text_cp_class(cc, c);
		}
	}
	/* U8_NEXT works on int32_t offsets: decode from a window of 4 bytes */
	n = (int32_t) (left < 4 ? left : 4);
	U8_NEXT(s + *i, k, n, c);
	*i += k;
	if (c < 0)
		return WC_OTHER | (SC_OTHER << 4);
	if (c < 0x800)
		return cc->lo[c] ? (uint16_t) (cc->lo[c] & ~CL_KNOWN) :
			bp_text_lo_fill(cc, c);
	return bp_text_cp_class(cc, c);
}

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

/*
 * Is valid UTF-8 [s, s+len) in NFC because every character from s[from]
 * on is below U+0300 or has NFC_Quick_Check=Yes and combining class 0?
 * False also when unsure (ICU then decides) or out of memory (ctx failed).
 */
static bool
bp_text_quick_nfc(bp_ctx *ctx, bp_text_state *st, const char *s, size_t len,
				  size_t from)
{
	bp_class_cache *cc = bp_text_class_cache(ctx, st);
	const uint8_t *p = (const uint8_t *) s;
	size_t		i = from;

	if (cc == NULL)
		return false;
	while (i < len)
	{
		if (p[i] < 0xCC)
		{
			i++;				/* ASCII, a continuation byte, or < U+0300 */
			continue;
		}
		if (!(bp_text_next_class(cc, p, len, &i) & CL_NFC))
			return false;
	}
	return true;
}

/* Words ICU's word iterator finds in [s, s+len), a run of dictionary script. */
static bool
bp_text_dict_words(bp_ctx *ctx, bp_text_state *st, const char *language,
				   const char *s, size_t len, int64_t *words)
{
	UErrorCode	status = U_ZERO_ERROR;

	int32_t		ulen = 0;

	if (!bp_text_open_iterators(ctx, st, language, false))
		return false;

	/*
	 * As UTF-16 (never longer than the UTF-8): ICU's dictionary engine
	 * reads UTF-16 directly, UTF-8 only through UText calls per character.
	 */
	if (!bp_text_ubuf(ctx, &st->ubuf, &st->ucap, (int32_t) len + 1))
		return false;
	u_strFromUTF8WithSub(st->ubuf, st->ucap, &ulen, s, (int32_t) len, 0xFFFD,
						 NULL, &status);
	if (U_SUCCESS(status))
		ubrk_setText(st->words, st->ubuf, ulen, &status);
	if (U_FAILURE(status))
		return bp_fail(ctx, BP_ERR_INTERNAL, "ubrk_setText: %s",
					   u_errorName(status));
	ubrk_first(st->words);
	while (ubrk_next(st->words) != UBRK_DONE)
		if (ubrk_getRuleStatus(st->words) >= UBRK_WORD_NONE_LIMIT)
			(*words)++;
	return true;
}

/* State of the word and sentence rules during one pass. */
typedef struct bp_scan
{
	/* words */
	int64_t		words;
	int			wprev;			/* WC_LETTER, _HEBREW, _NUM, _EXTNUMLET or
								 * WC_OTHER: the character before */
	bool		in_word;		/* wprev is part of a counted word */
	int			pend;			/* a WC_MID* after wprev, waiting to see
								 * whether a letter or digit follows */
	/* sentences */
	int64_t		sentences;
	bool		has_alnum;		/* the current segment has a letter or digit */
	bool		in_term;		/* after a terminator, its closing quotes and
								 * spaces */
	bool		aterm;			/* that terminator is a full stop */
	bool		letter_before;	/* and a letter came right before it */
	int			phase;			/* 0 terminator, 1 closing marks, 2 spaces */
	int			slast;			/* class of the character before */
	size_t		la_from;		/* the last look-ahead went from here */
	size_t		la_end;			/* to here */
	int			la_result;
} bp_scan;

/* Word rules (UAX #29 WB5-WB13b) for one character of word class w. */
static inline void
bp_scan_word(bp_scan *sc, int w)
{
	if (w == WC_IGNORE)
		return;
	if (sc->pend != WC_OTHER)
	{
		bool		join = false;
		int			p = sc->pend;

		if ((w == WC_LETTER || w == WC_HEBREW) &&
			(sc->wprev == WC_LETTER || sc->wprev == WC_HEBREW))
			join = (p == WC_MIDLETTER || p == WC_MIDNUMLET || p == WC_SQUOTE ||
					(p == WC_DQUOTE && w == WC_HEBREW && sc->wprev == WC_HEBREW));
		else if (w == WC_NUM && sc->wprev == WC_NUM)
			join = (p == WC_MIDNUM || p == WC_MIDNUMLET || p == WC_SQUOTE);
		sc->pend = WC_OTHER;
		if (join)
		{
			sc->wprev = w;
			return;
		}
		sc->wprev = WC_OTHER;
		sc->in_word = false;
	}
	switch (w)
	{
		case WC_LETTER:
		case WC_HEBREW:
		case WC_NUM:
			if (!sc->in_word)
			{
				sc->words++;
				sc->in_word = true;
			}
			sc->wprev = w;
			break;
		case WC_EXTNUMLET:
			/* "_" joins what is around it; two of them are a word */
			if (!sc->in_word && sc->wprev == WC_EXTNUMLET)
			{
				sc->words++;
				sc->in_word = true;
			}
			sc->wprev = w;
			break;
		case WC_MIDLETTER:
		case WC_MIDNUM:
		case WC_MIDNUMLET:
		case WC_SQUOTE:
		case WC_DQUOTE:
			if (sc->wprev == WC_LETTER || sc->wprev == WC_HEBREW ||
				sc->wprev == WC_NUM)
				sc->pend = w;
			else
			{
				sc->wprev = WC_OTHER;
				sc->in_word = false;
			}
			break;
		default:
			sc->wprev = WC_OTHER;
			sc->in_word = false;
			break;
	}
}

/*
 * UAX #29 SB8 after a full stop: does a lower-case letter come after the
 * characters that are not letters, terminators or separators from s[pos]
 * on?  Returns 1 (no break) or 2 (break before s[pos]).  Remembers its
 * stretch so that a run of such characters is scanned once.
 */
static int
bp_scan_lookahead(bp_scan *sc, bp_class_cache *cc, const uint8_t *s,
				  size_t len, size_t pos)
{
	size_t		k = pos;
	int			cl = SC_OTHER;

	if (pos >= sc->la_from && pos < sc->la_end)
		return sc->la_result;
	while (k < len)
	{
		size_t		next = k;

		cl = CL_SENT(bp_text_next_class(cc, s, len, &next));
		if (cl == SC_OLETTER || cl == SC_UPPER || cl == SC_LOWER ||
			cl == SC_SEP || cl == SC_ATERM || cl == SC_STERM)
			break;
		k = next;
	}
	sc->la_from = pos;
	sc->la_end = k;
	sc->la_result = (k < len && cl == SC_LOWER) ? 1 : 2;
	return sc->la_result;
}

/* Sentence rules (UAX #29 SB4-SB11) for the character at s[pos] of class cls. */
static inline void
bp_scan_sentence(bp_scan *sc, bp_class_cache *cc, const uint8_t *s,
				 size_t len, size_t pos, uint16_t cls)
{
	int			cl = CL_SENT(cls);

	if (cl == SC_IGNORE)
		return;
	if (cl == SC_SEP)
	{
		/* a segment ends after a line or paragraph break */
		if (sc->has_alnum)
			sc->sentences++;
		sc->has_alnum = false;
		sc->in_term = false;
		sc->slast = cl;
		return;
	}
	if (sc->in_term)
	{
		int			brk;		/* 0 still in the terminator's tail, 1 no
								 * break, 2 break before this character */

		switch (cl)
		{
			case SC_ATERM:
			case SC_STERM:
			case SC_SCONT:
				brk = 1;		/* SB8a */
				break;
			case SC_CLOSE:
				if (sc->phase <= 1)
				{
					sc->phase = 1;
					brk = 0;
				}
				else
					brk = sc->aterm ? bp_scan_lookahead(sc, cc, s, len, pos) : 2;
				break;
			case SC_SP:
				sc->phase = 2;
				brk = 0;
				break;
			case SC_NUM:
				if (sc->aterm && sc->phase == 0)
					brk = 1;	/* SB6: 3.14 */
				else
					brk = sc->aterm ? bp_scan_lookahead(sc, cc, s, len, pos) : 2;
				break;
			case SC_UPPER:
				/* SB7: U.S.A */
				brk = (sc->aterm && sc->phase == 0 && sc->letter_before) ? 1 : 2;
				break;
			case SC_LOWER:
				brk = sc->aterm ? 1 : 2;	/* SB8 */
				break;
			case SC_OLETTER:
				brk = 2;
				break;
			default:
				brk = sc->aterm ? bp_scan_lookahead(sc, cc, s, len, pos) : 2;
				break;
		}
		if (brk == 2)
		{
			if (sc->has_alnum)
				sc->sentences++;
			sc->has_alnum = false;
		}
		if (brk != 0)
			sc->in_term = false;
	}
	if (cl == SC_ATERM || cl == SC_STERM)
	{
		sc->in_term = true;
		sc->aterm = (cl == SC_ATERM);
		sc->phase = 0;
		sc->letter_before = (sc->slast == SC_UPPER || sc->slast == SC_LOWER);
	}
	sc->slast = cl;
	if (cls & CL_ALNUM)
		sc->has_alnum = true;
}

/*
 * Count words and sentences of UTF-8 text, like ICU's word and sentence
 * break iterators would (see above; ICU's dictionaries for CJK, Thai and
 * the like); also characters (code points other than line breaks) and
 * paragraphs (non-empty blocks between blank lines).
 */
bool
bp_text_count(bp_ctx *ctx, const char *text, size_t len,
			  const char *language, bp_counts *counts)
{
	const uint8_t *s = (const uint8_t *) text;
	bp_text_state *st;
	bp_class_cache *cc;
	bp_scan		sc;
	int64_t		chars = 0;
	int64_t		paras = 0;
	bool		line_blank = true;
	bool		prev_blank = true;
	size_t		dict_end = 0;	/* end of the dictionary run done by ICU */
	size_t		next_progress = 1 << 18;
	size_t		i = 0;

	memset(counts, 0, sizeof(*counts));
	if (bp_failed(ctx))
		return false;
	if (text == NULL || len == 0)
		return true;
	if (len > (size_t) INT32_MAX)
		return bp_fail(ctx, BP_ERR_LIMIT, "chapter text too long to analyse");
	st = bp_text_get_state(ctx);
	if (st == NULL || (cc = bp_text_class_cache(ctx, st)) == NULL)
		return false;

	memset(&sc, 0, sizeof(sc));
	sc.wprev = sc.pend = WC_OTHER;
	sc.slast = SC_SEP;

	while (i < len)
	{
		size_t		start = i;
		uint16_t	cls;
		unsigned char b = s[i];

		if (b == ' ')
		{
			/* a space ends a word; after a terminator it is SB9-SB11's Sp */
			i++;
			chars++;
			sc.wprev = sc.pend = WC_OTHER;
			sc.in_word = false;
			if (sc.in_term)
				sc.phase = 2;
			sc.slast = SC_SP;
			continue;
		}
		if (b < 0x80 && (cc->ascii[b] & CL_PLAIN) && sc.pend == WC_OTHER &&
			!sc.in_term && start >= dict_end)
		{
			/*
			 * An ASCII letter or digit in plain running text: what the word
			 * and sentence rules below would do, without going through them.
			 */
			i++;
			cls = cc->ascii[b];
			chars++;
			line_blank = false;
			if (!sc.in_word)
			{
				sc.words++;
				sc.in_word = true;
			}
			sc.has_alnum = true;
			goto rest_of_word;
		}
		if (b < 0x80)
		{
			i++;
			cls = cc->ascii[b];
			if (b == '\n')
			{
				if (!line_blank && prev_blank)
					paras++;
				prev_blank = line_blank;
				line_blank = true;
			}
			else if (b == '\r')
			{
				if (i < len && s[i] == '\n')
					continue;	/* CR LF is one break */
			}
			else
			{
				chars++;
				if (b != ' ' && b != '\t' && b != '\f' && b != '\v')
					line_blank = false;
			}
		}
		else
		{
			size_t		k;

			cls = bp_text_next_class(cc, s, len, &i);
			for (k = start; k < i; k++)
				if ((s[k] & 0xC0) != 0x80)
					chars++;
			line_blank = false;
		}

		/* words */
		if (start >= dict_end)
		{
			if (CL_WORD(cls) == WC_DICT)
			{
				size_t		j = i;

				while (j < len)
				{
					size_t		k = j;
					int			w = CL_WORD(bp_text_next_class(cc, s, len, &k));

					if (w != WC_DICT && w != WC_IGNORE)
						break;
					j = k;
				}
				if (!bp_text_dict_words(ctx, st, language, text + start,
										j - start, &sc.words))
					return false;
				dict_end = j;
				sc.wprev = sc.pend = WC_OTHER;
				sc.in_word = false;
			}
			else
				bp_scan_word(&sc, CL_WORD(cls));
		}

		/* sentences */
		bp_scan_sentence(&sc, cc, s, len, start, cls);

		/* the rest of a word: only counted as characters */
rest_of_word:
		if (cls & CL_PLAIN)
		{
			uint16_t	last = cls;

			while (i < len)
			{
				size_t		k = i;
				uint16_t	c2;

				if (s[i] < 0x80)
				{
					c2 = cc->ascii[s[i]];
					if (!(c2 & CL_PLAIN))
						break;
					i++;
				}
				else
				{
					c2 = bp_text_next_class(cc, s, len, &k);
					if (!(c2 & CL_PLAIN))
						break;
					i = k;		/* valid UTF-8: one lead byte */
				}
				chars++;
				last = c2;
			}
			sc.wprev = CL_WORD(last);
			sc.slast = CL_SENT(last);
		}

		if (i >= next_progress)
		{
			if (!bp_progress(ctx, BP_PHASE_ANALYSING, i))
				return false;
			next_progress = i + (1 << 18);
		}
	}
	if (!line_blank && prev_blank)
		paras++;
	if (sc.has_alnum)
		sc.sentences++;

	counts->words = sc.words;
	counts->sentences = sc.sentences;
	counts->characters = chars;
	counts->paragraphs = paras;
	return true;
}

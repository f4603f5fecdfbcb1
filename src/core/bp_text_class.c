/*-------------------------------------------------------------------------
 *
 * bp_text_class.c
 *	  The classes of code points that counting words and sentences works
 *	  on: Word_Break and Sentence_Break (as ICU's rules use them), whether
 *	  a dictionary segments the character, letter or digit, and whether it
 *	  is trivially in NFC; from ICU's character properties, cached per
 *	  code point for the parse.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include "bp_text_int.h"

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
bp_class_cache *
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
uint16_t
bp_text_lo_fill(bp_class_cache *cc, UChar32 c)
{
	uint16_t	cls = bp_text_classify(c);

	cc->lo[c] = cls | CL_KNOWN;
	return cls;
}

/* bp_text_next_class for what is not a 2-byte sequence. */
uint16_t
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
 * Is valid UTF-8 [s, s+len) in NFC because every character from s[from]
 * on is below U+0300 or has NFC_Quick_Check=Yes and combining class 0?
 * False also when unsure (ICU then decides) or out of memory (ctx failed).
 */
bool
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

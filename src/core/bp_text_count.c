/*-------------------------------------------------------------------------
 *
 * bp_text_count.c
 *	  Counting words, sentences, characters and paragraphs of a chapter's
 *	  text in one pass over its UTF-8.
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
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include <unicode/ustring.h>

#include "bp_text_int.h"

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

	if (!bp_text_count_start(ctx, text, len, counts))
		return !bp_failed(ctx);
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

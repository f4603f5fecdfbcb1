/*-------------------------------------------------------------------------
 *
 * bp_text_icu.c
 *	  ICU's word and sentence break iterators: opened once per parse for
 *	  the locale of the book's language (kept in ctx->text_state), used by
 *	  bp_text_count.c for the runs its dictionaries segment (CJK, Thai,
 *	  ...), and bp_text_count_icu(), the reference the tests compare the
 *	  one-pass counter with.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include <unicode/ustring.h>

#include "bp_text_int.h"

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
bool
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

	if (!bp_text_count_start(ctx, text, len, counts))
		return !bp_failed(ctx);

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

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
	UBreakIterator *words;
	UBreakIterator *sentences;
	UText	   *ut;
	UChar	   *ubuf;			/* UTF-16 of one chunk */
	int32_t		ucap;
	UChar	   *nbuf;			/* its normalised form */
	int32_t		ncap;
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

	n2 = unorm2_getNFCInstance(&status);
	if (U_FAILURE(status))
		return bp_fail(ctx, BP_ERR_INTERNAL, "unorm2_getNFCInstance: %s",
					   u_errorName(status));
	st = bp_text_get_state(ctx);
	if (st == NULL)
		return false;

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

/* Open the break iterators for a language (BCP 47 tag or NULL). */
static bool
bp_text_open_iterators(bp_ctx *ctx, bp_text_state *st, const char *language)
{
	char		locale[ULOC_FULLNAME_CAPACITY];
	UErrorCode	status = U_ZERO_ERROR;

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

	if (st->words && st->sentences && strcmp(st->locale, locale) == 0)
		return true;

	if (st->words)
		ubrk_close(st->words);
	if (st->sentences)
		ubrk_close(st->sentences);
	st->words = st->sentences = NULL;

	status = U_ZERO_ERROR;
	st->words = ubrk_open(UBRK_WORD, locale, NULL, 0, &status);
	if (U_SUCCESS(status))
		st->sentences = ubrk_open(UBRK_SENTENCE, locale, NULL, 0, &status);
	if (U_FAILURE(status))
	{
		if (st->words)
			ubrk_close(st->words);
		st->words = NULL;
		return bp_fail(ctx, BP_ERR_INTERNAL, "ubrk_open(%s): %s", locale,
					   u_errorName(status));
	}
	strcpy(st->locale, locale);
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
 * Count words and sentences of UTF-8 text with ICU break iterators
 * (dictionary-based for CJK/Thai); also characters (code points other than
 * line breaks) and paragraphs (non-empty blocks between blank lines).
 */
bool
bp_text_count(bp_ctx *ctx, const char *text, size_t len,
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
	if (st == NULL || !bp_text_open_iterators(ctx, st, language))
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

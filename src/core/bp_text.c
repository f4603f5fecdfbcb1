/*-------------------------------------------------------------------------
 *
 * bp_text.c
 *	  Text analysis with ICU: the per-parse state (ICU objects and scratch
 *	  buffers in ctx->text_state until bp_text_cleanup()) and NFC
 *	  normalisation of the text the writer produces (unorm2).
 *
 * Normalisation works in bounded chunks: no copy of a whole chapter is
 * made here.  Counting words and sentences is in bp_text_count.c, the
 * classes of code points it uses in bp_text_class.c, ICU's own break
 * iterators in bp_text_icu.c.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include "bp_text_int.h"

#define BP_NFC_CHUNK	16384	/* UTF-8 bytes normalised at a time */

/* The text state of ctx, created on first use; NULL (ctx failed) if no memory. */
bp_text_state *
bp_text_get_state(bp_ctx *ctx)
{
	if (ctx->text_state == NULL)
		ctx->text_state = bp_alloc0(ctx, sizeof(bp_text_state));
	return (bp_text_state *) ctx->text_state;
}

/*
 * The start of both counters: zero *counts; true when there is text to
 * count, false when there is none (ctx unchanged) or ctx has failed or
 * fails here (text too long).
 */
bool
bp_text_count_start(bp_ctx *ctx, const char *text, size_t len,
					bp_counts *counts)
{
	memset(counts, 0, sizeof(*counts));
	if (bp_failed(ctx) || text == NULL || len == 0)
		return false;
	if (len > (size_t) INT32_MAX)
		return bp_fail_bound(ctx, NULL, "2GB of text per chapter",
							 "chapter text too long to analyse");
	return true;
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
bool
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

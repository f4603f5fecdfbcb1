/*-------------------------------------------------------------------------
 *
 * bp_encoding.c
 *	  Text encodings with ICU: converting bytes in a named encoding to
 *	  UTF-8 (ucnv), recognising byte order marks, and guessing the
 *	  encoding of unlabelled text (ucsdet).
 *
 * Conversion works in bounded chunks: at most BP_ENC_CHUNK input bytes go
 * through ucnv_toUnicode into a fixed UChar buffer at a time, and that is
 * written out as UTF-8 into a bp_buf, so the only memory that grows with
 * the input is the (counted) output.  Invalid sequences become U+FFFD and
 * are counted by our own to-Unicode callback; U+0000 is dropped so the
 * output is a proper C string.
 *
 * ICU's own memory (converters, detectors) is not counted by bp_alloc.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include <unicode/ucnv.h>
#include <unicode/ucnv_cb.h>
#include <unicode/ucsdet.h>
#include <unicode/utypes.h>

#include "bp_internal.h"

#define BP_ENC_CHUNK		65536	/* input bytes per ucnv_toUnicode call */
#define BP_ENC_UBUF			32768	/* UChars in the intermediate buffer */
#define BP_ENC_SAMPLE		65536	/* bytes ucsdet looks at */
#define BP_ENC_SBCS_MIN		4096	/* shorter text: not worth a table */

/* State shared with the to-Unicode callback. */
typedef struct bp_enc_cb
{
	size_t		nbad;
} bp_enc_cb;

/* To-Unicode callback: replace any bad sequence with U+FFFD and count it. */
static void
bp_enc_to_u_callback(const void *context, UConverterToUnicodeArgs *args,
					 const char *codeUnits, int32_t length,
					 UConverterCallbackReason reason, UErrorCode *err)
{
	static const UChar fffd = 0xFFFD;
	bp_enc_cb  *cb = (bp_enc_cb *) context;

	if (reason > UCNV_IRREGULAR)
		return;					/* reset, close, clone: nothing to do */
	*err = U_ZERO_ERROR;
	cb->nbad++;
	ucnv_cbToUWriteUChars(args, &fffd, 1, 0, err);
}

/* Is name a spelling of UTF-8? */
static bool
bp_enc_is_utf8(const char *name)
{
	return ucnv_compareNames(name, "UTF-8") == 0 ||
		ucnv_compareNames(name, "utf8") == 0;
}

/*
 * Append UTF-16 units as UTF-8, dropping U+0000.  *pending carries a high
 * surrogate split from its low half at a chunk boundary (0 if none).
 * Unpaired surrogates become U+FFFD.
 */
static bool
bp_enc_put_utf16(bp_buf *out, const UChar *u, int32_t n, UChar *pending)
{
	char		tmp[1024];
	size_t		t = 0;
	int32_t		i;

	for (i = 0; i < n; i++)
	{
		uint32_t	c = u[i];

		/*
		 * Room for what this unit may write (at most 4 bytes), checked
		 * before every unit: the paths that "continue" below write too.
		 */
		if (t > sizeof(tmp) - 8)
		{
			if (!bp_buf_append(out, tmp, t))
				return false;
			t = 0;
		}
		if (*pending)
		{
			if (c >= 0xDC00 && c <= 0xDFFF)
			{
				c = 0x10000 + (((uint32_t) *pending - 0xD800) << 10) + (c - 0xDC00);
				*pending = 0;
			}
			else
			{
				/* unpaired high surrogate: emit U+FFFD and look at c again */
				*pending = 0;
				tmp[t++] = (char) 0xEF;
				tmp[t++] = (char) 0xBF;
				tmp[t++] = (char) 0xBD;
				i--;
				continue;
			}
		}
		else if (c >= 0xD800 && c <= 0xDBFF)
		{
			*pending = (UChar) c;
			continue;
		}
		else if (c >= 0xDC00 && c <= 0xDFFF)
			c = 0xFFFD;

		if (c == 0)
			continue;
		if (c < 0x80)
			tmp[t++] = (char) c;
		else if (c < 0x800)
		{
			tmp[t++] = (char) (0xC0 | (c >> 6));
			tmp[t++] = (char) (0x80 | (c & 0x3F));
		}
		else if (c < 0x10000)
		{
			tmp[t++] = (char) (0xE0 | (c >> 12));
			tmp[t++] = (char) (0x80 | ((c >> 6) & 0x3F));
			tmp[t++] = (char) (0x80 | (c & 0x3F));
		}
		else
		{
			tmp[t++] = (char) (0xF0 | (c >> 18));
			tmp[t++] = (char) (0x80 | ((c >> 12) & 0x3F));
			tmp[t++] = (char) (0x80 | ((c >> 6) & 0x3F));
			tmp[t++] = (char) (0x80 | (c & 0x3F));
		}
	}
	return t == 0 || bp_buf_append(out, tmp, t);
}

/*
 * What each byte of a single-byte encoding becomes: its UTF-8 (up to 3
 * bytes, padded to 4 so that it is copied as one word), how many of those
 * bytes count (0: U+0000, dropped), and whether it was undecodable (then
 * U+FFFD, counted).
 */
typedef struct bp_enc_sbcs
{
	uint32_t	utf8[256];
	uint8_t		len[256];
	uint8_t		bad[256];
} bp_enc_sbcs;

/*
 * Fill t with what conv turns each byte into, asking ICU once per byte.
 * False when conv is not a plain single-byte encoding (a byte that gives
 * more than one character, a surrogate or a BOM): the caller then goes
 * through ICU for the whole text.
 */
static bool
bp_enc_sbcs_table(UConverter *conv, bp_enc_cb *cb, bp_enc_sbcs *t)
{
	int			b;

	if (ucnv_getMaxCharSize(conv) != 1)
		return false;
	memset(t, 0, sizeof(*t));
	for (b = 0; b < 256; b++)
	{
		UErrorCode	status = U_ZERO_ERROR;
		char		in = (char) b;
		const char *src = &in;
		UChar		u[4];
		UChar	   *target = u;
		size_t		nbad = cb->nbad;
		uint32_t	c;
		uint8_t		out[4] = {0, 0, 0, 0};

		ucnv_resetToUnicode(conv);
		ucnv_toUnicode(conv, &target, u + 4, &src, &in + 1, NULL, true, &status);
		t->bad[b] = (cb->nbad != nbad);
		cb->nbad = nbad;
		ucnv_resetToUnicode(conv);
		if (U_FAILURE(status) || target - u != 1)
			return false;
		c = u[0];
		if ((c >= 0xD800 && c <= 0xDFFF) || c == 0xFEFF)
			return false;
		if (c < 0x80)
		{
			out[0] = (uint8_t) c;
			t->len[b] = (c != 0);
		}
		else if (c < 0x800)
		{
			out[0] = (uint8_t) (0xC0 | (c >> 6));
			out[1] = (uint8_t) (0x80 | (c & 0x3F));
			t->len[b] = 2;
		}
		else
		{
			out[0] = (uint8_t) (0xE0 | (c >> 12));
			out[1] = (uint8_t) (0x80 | ((c >> 6) & 0x3F));
			out[2] = (uint8_t) (0x80 | (c & 0x3F));
			t->len[b] = 3;
		}
		memcpy(&t->utf8[b], out, 4);
	}
	return true;
}

/*
 * Convert [data, data+len) with a single-byte table into buf, BP_ENC_CHUNK
 * bytes at a time; undecodable bytes are counted in *nbad.
 */
static bool
bp_enc_sbcs_convert(bp_ctx *ctx, const bp_enc_sbcs *t, bp_buf *buf,
					const unsigned char *data, size_t len, size_t *nbad)
{
	size_t		pos = 0;

	while (pos < len)
	{
		size_t		n = len - pos < BP_ENC_CHUNK ? len - pos : BP_ENC_CHUNK;
		size_t		i;
		size_t		bad = 0;
		char	   *d;

		/* 3 bytes per input byte at most, and the 4th of the last word */
		if (!bp_buf_reserve(buf, n * 3 + 1))
			return false;
		d = buf->data + buf->len;
		for (i = pos; i < pos + n; i++)
		{
			unsigned char b = data[i];

			memcpy(d, &t->utf8[b], 4);
			d += t->len[b];
			bad += t->bad[b];
		}
		*nbad += bad;
		buf->len = d - buf->data;
		buf->data[buf->len] = '\0';
		pos += n;
		if (!bp_progress(ctx, BP_PHASE_READING, pos))
			return false;
	}
	return true;
}

/* Convert bytes in a named encoding to NUL-terminated UTF-8 (see header). */
bool
bp_to_utf8(bp_ctx *ctx, const char *encoding,
		   const unsigned char *data, size_t len,
		   char **out, size_t *outlen, size_t *nbad)
{
	UErrorCode	status = U_ZERO_ERROR;
	UConverter *conv;
	bp_enc_cb	cb;
	bp_buf		buf;
	UChar	   *ubuf;
	UChar		pending = 0;
	size_t		pos = 0;
	bool		first = true;

	*out = NULL;
	if (outlen)
		*outlen = 0;
	if (nbad)
		*nbad = 0;
	if (bp_failed(ctx))
		return false;
	if (encoding == NULL || encoding[0] == '\0')
		encoding = "UTF-8";

	/* fast path: UTF-8 that is already valid (and has no NUL) */
	if (bp_enc_is_utf8(encoding))
	{
		if (len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF)
		{
			data += 3;
			len -= 3;
		}
		if (bp_utf8_valid((const char *) data, len))
		{
			*out = bp_strndup(ctx, (const char *) data, len);
			if (*out == NULL)
				return false;
			if (outlen)
				*outlen = len;
			return true;
		}
	}

	conv = ucnv_open(encoding, &status);
	if (U_FAILURE(status) || conv == NULL)
		return bp_fail(ctx, BP_ERR_ENCODING, "unknown encoding \"%.100s\"",
					   encoding);

	cb.nbad = 0;
	ucnv_setToUCallBack(conv, bp_enc_to_u_callback, &cb, NULL, NULL, &status);
	if (U_FAILURE(status))
	{
		ucnv_close(conv);
		return bp_fail(ctx, BP_ERR_INTERNAL, "ucnv_setToUCallBack: %s",
					   u_errorName(status));
	}

	ubuf = bp_alloc(ctx, BP_ENC_UBUF * sizeof(UChar));
	if (ubuf == NULL)
	{
		ucnv_close(conv);
		return false;
	}
	bp_buf_init(&buf, ctx);
	/* a first guess at the size: most text grows a little in UTF-8 */
	if (!bp_buf_reserve(&buf, len + len / 4 + 16))
		goto fail;
	buf.data[0] = '\0';

	/* single-byte encodings (windows-1251, KOI8-R, ...): a table, no UTF-16 */
	if (len >= BP_ENC_SBCS_MIN)
	{
		bp_enc_sbcs *t = bp_alloc(ctx, sizeof(bp_enc_sbcs));

		if (t == NULL)
			goto fail;
		if (bp_enc_sbcs_table(conv, &cb, t))
		{
			bool		ok = bp_enc_sbcs_convert(ctx, t, &buf, data, len,
												 &cb.nbad);

			bp_free(ctx, t);
			if (!ok)
				goto fail;
			pos = len;
		}
		else
			bp_free(ctx, t);
	}

	while (pos < len)
	{
		size_t		n = len - pos;
		const char *src = (const char *) data + pos;
		const char *srclimit;
		bool		flush;

		if (n > BP_ENC_CHUNK)
			n = BP_ENC_CHUNK;
		srclimit = src + n;
		flush = (pos + n == len);

		for (;;)
		{
			UChar	   *target = ubuf;
			const char *before = src;

			status = U_ZERO_ERROR;
			ucnv_toUnicode(conv, &target, ubuf + BP_ENC_UBUF, &src, srclimit,
						   NULL, flush, &status);
			if (U_FAILURE(status) && status != U_BUFFER_OVERFLOW_ERROR)
			{
				bp_fail(ctx, BP_ERR_ENCODING, "cannot decode %.100s: %s",
						encoding, u_errorName(status));
				goto fail;
			}
			/* a BOM that the converter kept (UTF-16LE etc.) is not text */
			if (first && target > ubuf)
			{
				first = false;
				if (ubuf[0] == 0xFEFF)
				{
					memmove(ubuf, ubuf + 1, (target - ubuf - 1) * sizeof(UChar));
					target--;
				}
			}
			if (!bp_enc_put_utf16(&buf, ubuf, (int32_t) (target - ubuf), &pending))
				goto fail;
			if (status != U_BUFFER_OVERFLOW_ERROR)
				break;
			/* overflow with no progress cannot happen, but never spin */
			if (src == before && target == ubuf)
				break;
		}
		pos += n;
		if (!bp_progress(ctx, BP_PHASE_READING, pos))
			goto fail;
	}

	/* a lone high surrogate at the very end */
	if (pending && !bp_buf_append(&buf, "\xEF\xBF\xBD", 3))
		goto fail;

	ucnv_close(conv);
	bp_free(ctx, ubuf);
	if (nbad)
		*nbad = cb.nbad;
	*out = bp_buf_steal(&buf, outlen);
	return *out != NULL;

fail:
	ucnv_close(conv);
	bp_free(ctx, ubuf);
	bp_buf_free(&buf);
	if (!bp_failed(ctx))
		bp_fail(ctx, BP_ERR_INTERNAL, "encoding conversion failed");
	return false;
}

/* Encoding from a BOM, or NULL; *bom_len gets the BOM's length. */
const char *
bp_bom_encoding(const unsigned char *data, size_t len, size_t *bom_len)
{
	size_t		dummy;

	if (bom_len == NULL)
		bom_len = &dummy;
	*bom_len = 0;
	if (len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF)
	{
		*bom_len = 3;
		return "UTF-8";
	}
	if (len >= 4 && data[0] == 0xFF && data[1] == 0xFE && data[2] == 0 && data[3] == 0)
	{
		*bom_len = 4;
		return "UTF-32LE";
	}
	if (len >= 4 && data[0] == 0 && data[1] == 0 && data[2] == 0xFE && data[3] == 0xFF)
	{
		*bom_len = 4;
		return "UTF-32BE";
	}
	if (len >= 2 && data[0] == 0xFF && data[1] == 0xFE)
	{
		*bom_len = 2;
		return "UTF-16LE";
	}
	if (len >= 2 && data[0] == 0xFE && data[1] == 0xFF)
	{
		*bom_len = 2;
		return "UTF-16BE";
	}
	return NULL;
}

/*
 * Do the bytes look like Cyrillic in a single-byte encoding?  In
 * windows-1251, KOI8-R and ISO-8859-5 nearly every letter of Russian text
 * is a byte >= 0xC0 (ISO-8859-5: >= 0xB0), so such bytes make up a large
 * share of the non-ASCII-space bytes, unlike Latin-1 text where accented
 * letters are rare.  *lower_hi counts 0xE0-0xFF, *lower_lo 0xC0-0xDF.
 */
static bool
bp_enc_looks_cyrillic(const unsigned char *data, size_t len,
					  size_t *lower_hi, size_t *lower_lo)
{
	size_t		letters = 0;
	size_t		hi = 0;
	size_t		i;
	bool		in_tag = false;

	*lower_hi = *lower_lo = 0;
	for (i = 0; i < len; i++)
	{
		unsigned char c = data[i];

		/* ASCII letters of XML markup say nothing about the text */
		if (c == '<')
			in_tag = true;
		else if (c == '>')
			in_tag = false;
		if (c >= 0xC0)
		{
			hi++;
			if (c >= 0xE0)
				(*lower_hi)++;
			else
				(*lower_lo)++;
		}
		else if (!in_tag && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			letters++;
	}
	return hi >= 8 && hi * 2 >= letters;
}

/*
 * Is the text UTF-8 with a few bad bytes?  Valid multi-byte sequences are
 * rare by chance in single-byte encodings (a lead byte must be followed by
 * exactly the right number of 0x80-0xBF bytes), so many of them and few
 * invalid bytes mean UTF-8 that was damaged, not another encoding.
 */
static bool
bp_enc_mostly_utf8(const unsigned char *data, size_t len)
{
	size_t		good = 0;
	size_t		bad = 0;
	size_t		i = 0;

	while (i < len)
	{
		uint32_t	cp;
		int			n;

		if (data[i] < 0x80)
		{
			i++;
			continue;
		}
		n = bp_utf8_decode(data + i, len - i, &cp);
		if (n > 1)
		{
			good++;
			i += n;
		}
		else
		{
			bad++;
			i++;
		}
	}
	return good >= 4 && good >= bad * 8;
}

/* Static IANA-ish name for a detected charset name, via ICU's alias table. */
static const char *
bp_enc_static_name(const char *name)
{
	static const char *const known[] = {
		"UTF-8", "UTF-16LE", "UTF-16BE", "UTF-32LE", "UTF-32BE",
		"windows-1251", "KOI8-R", "ISO-8859-5", "IBM866",
		"ISO-8859-1", "windows-1252", "ISO-8859-2", "windows-1250",
		"ISO-8859-7", "windows-1253", "ISO-8859-9", "windows-1254",
		"ISO-8859-6", "windows-1256", "ISO-8859-8", "windows-1255",
		"Shift_JIS", "EUC-JP", "ISO-2022-JP", "EUC-KR", "GB18030", "Big5",
		"ISO-2022-KR", "ISO-2022-CN", NULL
	};
	UErrorCode	status = U_ZERO_ERROR;
	const char *canon;
	int			i;

	for (i = 0; known[i]; i++)
		if (ucnv_compareNames(name, known[i]) == 0)
			return known[i];
	/* pointers into ICU's static alias data live as long as the process */
	canon = ucnv_getStandardName(name, "IANA", &status);
	if (U_SUCCESS(status) && canon)
		return canon;
	status = U_ZERO_ERROR;
	canon = ucnv_getCanonicalName(name, "", &status);
	if (U_SUCCESS(status) && canon)
		return canon;
	return "windows-1252";
}

/* Guess the encoding of text bytes: BOM, valid UTF-8, then ICU ucsdet. */
const char *
bp_guess_encoding(bp_ctx *ctx, const unsigned char *data, size_t len)
{
	const char *enc;
	size_t		bom;
	size_t		sample = len < BP_ENC_SAMPLE ? len : BP_ENC_SAMPLE;
	size_t		lower_hi,
				lower_lo;
	bool		cyr;
	UErrorCode	status = U_ZERO_ERROR;
	UCharsetDetector *det;
	const UCharsetMatch *m;
	const char *name = NULL;
	int32_t		conf = 0;
	const char *result = NULL;

	enc = bp_bom_encoding(data, len, &bom);
	if (enc)
		return enc;
	if (bp_utf8_valid((const char *) data, len) ||
		bp_enc_mostly_utf8(data, len))
		return "UTF-8";

	cyr = bp_enc_looks_cyrillic(data, sample, &lower_hi, &lower_lo);

	det = ucsdet_open(&status);
	if (U_SUCCESS(status))
	{
		ucsdet_setText(det, (const char *) data, (int32_t) sample, &status);
		m = ucsdet_detect(det, &status);
		if (U_SUCCESS(status) && m)
		{
			name = ucsdet_getName(m, &status);
			conf = ucsdet_getConfidence(m, &status);
			if (U_SUCCESS(status) && name)
				result = bp_enc_static_name(name);
		}
		ucsdet_close(det);
	}

	/*
	 * ucsdet is good on long Russian text; on short text, or when it says
	 * Latin-1 for bytes that are plainly Cyrillic, pick between
	 * windows-1251 and KOI8-R ourselves: Russian is mostly lowercase, which
	 * is 0xE0-0xFF in windows-1251 but 0xC0-0xDF in KOI8-R.
	 */
	if (cyr)
	{
		bool		cyr_answer = result &&
			(strcmp(result, "windows-1251") == 0 ||
			 strcmp(result, "KOI8-R") == 0 ||
			 strcmp(result, "ISO-8859-5") == 0 ||
			 strcmp(result, "IBM866") == 0);

		if (!cyr_answer || conf < 30)
			result = lower_lo > lower_hi ? "KOI8-R" : "windows-1251";
	}
	if (result == NULL)
		result = "windows-1252";
	return result;
}

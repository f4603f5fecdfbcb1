/*-------------------------------------------------------------------------
 *
 * bp_fb2_binary.c
 *	  FB2 <binary> elements as assets: base64 decoding (whitespace skipped,
 *	  junk counted) and the media type sniffed from the first bytes when
 *	  none is given.  The bytes are decoded whole only when the caller
 *	  wants asset bytes; otherwise the size is counted without decoding.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include <libxml/tree.h>

#include "bp_fb2_int.h"

/*
 * Base64 values of bytes: 0..63, or FB2_B64_SPACE (skipped), FB2_B64_END
 * ('=') or -1 (junk).  '-' and '_' are the URL-safe 62 and 63.
 */
#define FB2_B64_SPACE (-2)
#define FB2_B64_END (-3)
static const signed char fb2_b64_tab[256] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -2, -2, -1, -1, -2, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-2, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, 62, -1, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -3, -1, -1,
	-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, 63,
	-1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

/*
 * Decode base64 text (whitespace skipped, junk counted) into out (NULL:
 * only count).  Returns the decoded size.
 */
static size_t
fb2_b64_decode(const char *s, size_t len, unsigned char *out, size_t *junk)
{
	const unsigned char *p = (const unsigned char *) s;
	uint32_t	acc = 0;
	int			bits = 0;
	size_t		n = 0;
	size_t		nvalid = 0;
	size_t		i;

	if (out == NULL)
	{
		/* only the size: 6 bits per base64 character */
		for (i = 0; i < len; i++)
		{
			int			v = fb2_b64_tab[p[i]];

			if (v >= 0)
				nvalid++;
			else if (v == FB2_B64_END)
				break;
			else if (v == -1)
				(*junk)++;
		}
		return nvalid * 6 / 8;
	}
	for (i = 0; i < len; i++)
	{
		int			v = fb2_b64_tab[p[i]];

		if (v < 0)
		{
			if (v == FB2_B64_END)
				break;
			if (v == -1)
				(*junk)++;
			continue;
		}
		acc = (acc << 6) | (uint32_t) v;
		bits += 6;
		if (bits >= 8)
		{
			bits -= 8;
			out[n++] = (unsigned char) (acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	return n;
}

/* Media type from the first bytes of an image. */
static const char *
fb2_sniff(const unsigned char *d, size_t n)
{
	if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
		return "image/jpeg";
	if (n >= 4 && d[0] == 0x89 && d[1] == 'P' && d[2] == 'N' && d[3] == 'G')
		return "image/png";
	if (n >= 4 && d[0] == 'G' && d[1] == 'I' && d[2] == 'F' && d[3] == '8')
		return "image/gif";
	return "application/octet-stream";
}

/* Add one <binary> as an asset. */
bool
bp_fb2_binary(bp_ctx *ctx, const xmlNode *bin, const char *cover_id)
{
	const char *id = bp_xml_attr(bin, "id");
	const char *type = bp_xml_attr(bin, "content-type");
	const xmlNode *c;
	size_t		size = 0;
	size_t		junk = 0;
	unsigned char *data = NULL;
	bool		is_cover;
	int			idx;

	if (id == NULL || *id == '\0')
	{
		bp_warn(ctx, "fb2_binary_no_id", "FB2 binary without an id skipped");
		return true;
	}
	is_cover = cover_id && strcmp(cover_id, id) == 0;
	bp_set_activity(ctx, "decoding binary \"%.100s\"", id);

	/* the size first (no memory) */
	for (c = bin->children; c; c = c->next)
		if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
			c->content)
			size += fb2_b64_decode((const char *) c->content,
								   strlen((const char *) c->content), NULL, &junk);
	if (junk > 0)
		bp_warn(ctx, "fb2_bad_base64",
				"binary \"%.100s\": %zu characters that are not base64 skipped",
				id, junk);

	if (ctx->opts.want_assets || type == NULL || *type == '\0')
	{
		size_t		n = 0;
		size_t		want = ctx->opts.want_assets ? size : (size < 16 ? size : 16);
		unsigned char head[16];

		data = ctx->opts.want_assets ? bp_alloc(ctx, size > 0 ? size : 1) : head;
		if (data == NULL)
			return false;
		for (c = bin->children; c && n < want; c = c->next)
			if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
				c->content)
			{
				size_t		clen = strlen((const char *) c->content);
				size_t		j = 0;

				/* decode at most what is left, in bounded pieces */
				if (ctx->opts.want_assets)
					n += fb2_b64_decode((const char *) c->content, clen, data + n, &j);
				else
				{
					unsigned char tmp[64];
					size_t		k = fb2_b64_decode((const char *) c->content,
												   clen < 64 ? clen : 64, tmp, &j);

					if (k > want - n)
						k = want - n;
					memcpy(head + n, tmp, k);
					n += k;
				}
			}
		if (type == NULL || *type == '\0')
			type = fb2_sniff(data, n);
		if (!ctx->opts.want_assets)
			data = NULL;
	}

	idx = bp_asset_add(ctx, id, type, NULL, size, is_cover);
	if (idx < 0)
	{
		if (data)
			bp_free(ctx, data);
		return !bp_failed(ctx);
	}
	if (data)
	{
		/* hand the decoded bytes to the asset without a copy */
		if (ctx->book->assets[idx].data == NULL)
			ctx->book->assets[idx].data = data;
		else
			bp_free(ctx, data);
	}
	return !bp_failed(ctx);
}

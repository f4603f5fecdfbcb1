/*-------------------------------------------------------------------------
 *
 * bp_txt.c
 *	  The plain-text parser: encoding detection, paragraphs, chapter
 *	  headings in English and Russian, scene breaks and Project Gutenberg
 *	  header metadata.
 *
 * The text is decoded to UTF-8 and split into lines, the lines into blocks
 * and the blocks into units (bp_txt_units.c), recognising chapter headings
 * and scene breaks (bp_txt_heading.c).  The Project Gutenberg header above
 * the START marker gives metadata, and the licence after the END marker is
 * left out (bp_txt_meta.c).  The units are then written as chapters
 * (bp_txt_write.c).  This file decodes the text and drives these steps.
 *
 * Every loop is bounded by the number of bytes or lines of the input.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "bp_txt_int.h"

/* Parse plain text. */
bool
bp_parse_txt(bp_ctx *ctx, const unsigned char *data, size_t len)
{
	txt_state	t;
	const char *enc;
	size_t		bom = 0;
	char	   *utf8 = NULL;
	size_t		ulen = 0;
	size_t		nbad = 0;
	int			body_start = 0;
	int			body_end;
	int			i;
	bool		ok = false;

	if (bp_failed(ctx))
		return false;
	memset(&t, 0, sizeof(t));
	t.ctx = ctx;
	bp_set_activity(ctx, "decoding text");

	enc = bp_bom_encoding(data, len, &bom);
	if (enc == NULL)
		enc = bp_utf8_valid((const char *) data, len) ? "UTF-8" :
			bp_guess_encoding(ctx, data, len);
	else
	{
		data += bom;
		len -= bom;
	}
	if (!bp_to_utf8(ctx, enc, data, len, &utf8, &ulen, &nbad))
		return false;
	ctx->book->encoding = bp_strdup(ctx, enc);
	if (nbad > 0)
		bp_warn(ctx, "encoding_errors",
				"%zu invalid byte sequences in %s text replaced with U+FFFD",
				nbad, enc);

	t.text = utf8;
	t.len = ulen;
	bp_set_activity(ctx, "splitting text");
	if (!bp_txt_split_lines(&t))
		goto done;

	/* Project Gutenberg: metadata above the START marker, licence after END */
	body_end = t.nlines;
	for (i = 0; i < t.nlines && i < 2000; i++)
		if (bp_txt_gutenberg_marker(t.text + t.lines[i].off, t.lines[i].len, "start of"))
		{
			body_start = i + 1;
			break;
		}
	for (i = t.nlines - 1; i >= body_start; i--)
		if (bp_txt_gutenberg_marker(t.text + t.lines[i].off, t.lines[i].len, "end of"))
		{
			body_end = i;
			break;
		}
	if (!bp_txt_header_metadata(&t, 0, body_start > 0 ? body_start :
							 (t.nlines < 60 ? t.nlines : 60)))
		goto done;

	if (!bp_txt_title_line(&t, body_start, body_end))
		goto done;

	/* blocks of non-blank lines */
	bp_set_activity(ctx, "parsing text");
	i = body_start;
	while (i < body_end)
	{
		int			j;

		if (t.lines[i].blank)
		{
			i++;
			continue;
		}
		j = i;
		while (j < body_end && !t.lines[j].blank)
			j++;
		if (!bp_txt_block_units(&t, i, j))
			goto done;
		i = j;
	}
	bp_txt_demote_contents(&t);

	if (ctx->book->toc_source == NULL)
		ctx->book->toc_source = bp_strdup(ctx, "headings");
	ok = bp_txt_write(&t);

done:
	if (t.units)
		bp_free(ctx, t.units);
	if (t.lines)
		bp_free(ctx, t.lines);
	bp_free(ctx, utf8);
	return ok && !bp_failed(ctx);
}

/* The registry's plain-text detector: whatever detection found to be text. */
bool
bp_detect_txt(const bp_sniff *sniff)
{
	return sniff->container == BP_CONTAINER_TEXT;
}

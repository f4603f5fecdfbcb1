/*-------------------------------------------------------------------------
 *
 * bp_txt_write.c
 *	  Writing the units of a plain text as chapters.
 *
 * Each heading starts a chapter.  Parts (and books) get depth 1 and the
 * chapters inside them depth 2 (3 under both).  Long texts without any
 * heading are split at scene breaks or paragraph boundaries of about 10k
 * words.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>

#include "bp_txt_int.h"

#define TXT_SPLIT_BOOK		50000	/* words: split headless books above this */
#define TXT_SPLIT_WORDS		10000	/* words per chapter when splitting */
#define TXT_SPLIT_SCENE		4000	/* a scene break splits above this */

/* Write the lines of a unit as one paragraph-level element. */
static bool
txt_write_lines(txt_state *t, bp_tag tag, int first, int nlines, bool br)
{
	bp_ctx	   *ctx = t->ctx;
	int			i;

	if (!bp_w_open(ctx, tag, NULL, NULL))
		return false;
	for (i = first; i < first + nlines; i++)
	{
		if (i > first)
		{
			if (br)
			{
				if (!bp_w_br(ctx))
					return false;
			}
			else if (!bp_w_text(ctx, " ", 1))
				return false;
		}
		if (!bp_w_text(ctx, t->text + t->lines[i].off, t->lines[i].len))
			return false;
	}
	return bp_w_close(ctx, tag);
}

/* Write all units through the chapter writer. */
bool
bp_txt_write(txt_state *t)
{
	bp_ctx	   *ctx = t->ctx;
	bool		seen_book = false,
				seen_part = false;
	int			nheadings = 0;
	int64_t		total_words = 0;
	int64_t		chapter_words = 0;
	bool		split;
	int			i;
	char		source[64];

	for (i = 0; i < t->nunits; i++)
	{
		if (t->units[i].type == U_HEADING)
			nheadings++;
		total_words += t->units[i].words;
	}
	split = (nheadings == 0 && total_words > TXT_SPLIT_BOOK);

	for (i = 0; i < t->nunits; i++)
	{
		txt_unit   *u = &t->units[i];
		int			line = u->first + 1;

		if ((i & 1023) == 0 &&
			!bp_progress(ctx, BP_PHASE_PARSING, t->lines[u->first].off))
			return false;

		if (u->type == U_HEADING)
		{
			int			depth = 1;
			bp_tag		tag = BP_TAG_H2;
			char	   *title;
			const txt_line *l = &t->lines[u->first];

			switch (u->kind)
			{
				case H_BOOK:
					seen_book = true;
					tag = BP_TAG_H1;
					break;
				case H_PART:
					depth = seen_book ? 2 : 1;
					seen_part = true;
					tag = BP_TAG_H1;
					break;
				case H_CHAPTER:
					depth = 1 + (seen_book ? 1 : 0) + (seen_part ? 1 : 0);
					break;
				default:
					break;
			}
			if (u->subtitle >= 0)
			{
				const txt_line *s = &t->lines[u->subtitle];
				char		last = t->text[l->off + l->len - 1];

				title = bp_sprintf(ctx, "%.*s%s%.*s", (int) l->len, t->text + l->off,
								   (last == '.' || last == ':') ? " " : ". ",
								   (int) s->len, t->text + s->off);
			}
			else
				title = bp_strndup(ctx, t->text + l->off, l->len);
			if (title == NULL)
				return false;
			snprintf(source, sizeof(source), "line %d", line);
			if (!bp_w_chapter(ctx, title, depth, source, false) ||
				!bp_toc_add(ctx, title, source, depth))
				return false;
			bp_free(ctx, title);
			if (!txt_write_lines(t, tag, u->first, u->subtitle >= 0 ? 2 : 1, true))
				return false;
			chapter_words = 0;
			continue;
		}

		if (!bp_w_in_chapter(ctx) ||
			(split && u->type != U_BREAK && chapter_words >= TXT_SPLIT_WORDS))
		{
			snprintf(source, sizeof(source), "line %d", line);
			if (!bp_w_chapter(ctx, NULL, 1, source, false))
				return false;
			chapter_words = 0;
		}
		if (u->type == U_BREAK)
		{
			if (split && chapter_words >= TXT_SPLIT_SCENE)
			{
				/* the next paragraph starts a new chapter */
				chapter_words = TXT_SPLIT_WORDS;
				continue;
			}
			if (!bp_w_hr(ctx))
				return false;
			continue;
		}
		if (!txt_write_lines(t, BP_TAG_P, u->first, u->nlines, u->type == U_VERSE))
			return false;
		chapter_words += u->words;
	}
	return true;
}

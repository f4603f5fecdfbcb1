/*-------------------------------------------------------------------------
 *
 * bp_scene_book.c
 *	  Scenes of a parsed book: every paragraph of every chapter's text (a
 *	  block between blank lines) judged in the book's language, kept with
 *	  its place in the chapter and a short excerpt.  Memory comes from the
 *	  book's context, so it counts against the parse's max_memory.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "bp_scene.h"

#define EXCERPT_CHARS	200		/* characters of an excerpt at most */

/* The language code to judge book in, or NULL when no lists fit. */
static const char *
book_language(const bp_book *book, const bp_scene_lists *lists)
{
	const bp_chapter *longest = NULL;
	int			i;

	if (book->meta.language && book->meta.language[0])
		return bp_scene_pick_language(lists, book->meta.language, NULL, 0);
	for (i = 0; i < book->nchapters; i++)
		if (book->chapters[i].text && !book->chapters[i].is_notes &&
			(longest == NULL || book->chapters[i].text_len > longest->text_len))
			longest = &book->chapters[i];
	if (longest == NULL)
		return NULL;
	return bp_scene_pick_language(lists, NULL, longest->text,
								  longest->text_len);
}

/*
 * An excerpt of [s, s+len): at most EXCERPT_CHARS characters, cut between
 * words, on one line (tabs and line breaks become spaces).
 */
static char *
excerpt(bp_ctx *ctx, const char *s, size_t len)
{
	size_t		i;
	size_t		cut = len;		/* bytes kept */
	size_t		last = 0;		/* start of the 200th character */
	int			chars = 0;
	char	   *out;
	size_t		n;

	/*
	 * chapter text is UTF-8: a character starts at each non-continuation
	 * byte.  8 bytes at a time while the 200th character is further on
	 * (a continuation byte has its top bit set and the next one clear).
	 */
	for (i = 0; i + 8 <= len && chars + 8 < EXCERPT_CHARS - 1; i += 8)
	{
		uint64_t	v;

		memcpy(&v, s + i, 8);
		chars += 8 - __builtin_popcountll(v & ~(v << 1) &
										  UINT64_C(0x8080808080808080));
	}
	for (; i < len; i++)
		if (((unsigned char) s[i] & 0xC0) != 0x80)
		{
			if (chars == EXCERPT_CHARS - 1)
				last = i;
			else if (chars == EXCERPT_CHARS)
				break;
			chars++;
		}
	if (i < len)
	{
		/* too long: cut at the last space before the 200th character */
		for (cut = last; cut > 0 && s[cut] != ' ' && s[cut] != '\n'; cut--)
			;
		if (cut == 0)
			cut = last;			/* one long word: cut inside it */
	}
	out = bp_alloc(ctx, cut + 4);
	if (out == NULL)
		return NULL;
	memcpy(out, s, cut);
	for (n = 0; n < cut; n++)
	{
		uint64_t	v;

		/* skip 8 bytes at a time that hold no byte below 0x20 */
		while (n + 8 <= cut &&
			   (memcpy(&v, out + n, 8),
				((v - UINT64_C(0x2020202020202020)) & ~v &
				 UINT64_C(0x8080808080808080)) == 0))
			n += 8;
		if (n < cut && (unsigned char) out[n] < 0x20)	/* \n, \t, \r */
			out[n] = ' ';
	}
	if (cut < len)
		memcpy(out + cut, "\xE2\x80\xA6", 3);	/* … */
	out[cut + (cut < len ? 3 : 0)] = '\0';
	return out;
}

/* Add one judged paragraph to set. */
static bool
add_scene(bp_ctx *ctx, bp_scene_set *set, int *cap, const bp_chapter *c,
		  int para, size_t off, size_t len, const bp_scene_verdict *v)
{
	bp_scene   *sc;

	set->scenes = bp_array_grow(ctx, set->scenes, cap, set->nscenes + 1,
								sizeof(bp_scene));
	if (set->scenes == NULL)
		return false;
	sc = &set->scenes[set->nscenes];
	sc->chapter = c->number;
	sc->paragraph = para;
	sc->kind = v->kind;
	sc->score = v->score;
	sc->illustratable = v->illustratable;
	sc->offset = off;
	sc->length = len;
	sc->excerpt = excerpt(ctx, c->text + off, len);
	if (sc->excerpt == NULL)
		return false;
	set->nscenes++;
	return true;
}

/* The first "\n\n" in [s, s+len), or NULL. */
static const char *
find_blank(const char *s, size_t len)
{
	const char *end = s + len;
	const char *p = s;

	while ((p = memchr(p, '\n', (size_t) (end - p))) != NULL)
	{
		if (p + 1 < end && p[1] == '\n')
			return p;
		p++;
	}
	return NULL;
}

/* Judge the paragraphs of one chapter. */
static bool
chapter_scenes(bp_scene_scanner *sc, bp_scene_set *set, int *cap,
			   const bp_chapter *c, int flags)
{
	const char *t = c->text;
	size_t		len = c->text_len;
	size_t		i = 0;
	int			para = 0;

	while (i < len)
	{
		size_t		start;
		size_t		end;
		const char *blank;
		bp_scene_verdict v;

		while (i < len && t[i] == '\n')
			i++;
		if (i >= len)
			break;
		start = i;
		blank = find_blank(t + i, len - i);
		end = blank ? (size_t) (blank - t) : len;
		while (end > start && t[end - 1] == '\n')
			end--;
		i = blank ? (size_t) (blank - t) + 2 : len;
		para++;
		set->paragraphs++;
		if (c->is_notes)
			memset(&v, 0, sizeof(v));
		else if (!bp_scene_judge(sc, t + start, end - start, &v))
			return false;
		if ((flags & BP_SCENES_ALL) || v.kind != BP_SCENE_NONE ||
			v.illustratable)
		{
			if (!add_scene(sc->ctx, set, cap, c, para, start, end - start, &v))
				return false;
		}
	}
	return true;
}

/* Judge every paragraph of a parsed book (see bookparse_core.h). */
const bp_scene_set *
bp_book_scenes(bp_book *book, const bp_scene_lists *lists, int flags,
			   bp_error *err)
{
	bp_ctx	   *ctx;
	bp_scene_set *set;
	bp_scene_scanner sc;
	int			cap = 0;
	int			i;
	bool		ok;

	memset(err, 0, sizeof(*err));
	if (book == NULL || book->ctx == NULL || bp_failed(book->ctx))
	{
		err->code = BP_ERR_INTERNAL;
		strcpy(err->message, "no parsed book to find scenes in");
		return NULL;
	}
	ctx = book->ctx;
	bp_set_activity(ctx, "finding scenes");
	set = bp_alloc0(ctx, sizeof(bp_scene_set));
	ok = set != NULL;
	if (ok)
		set->language = book_language(book, lists);
	ok = ok && bp_scene_scanner_start(&sc, ctx,
									  bp_scene_lang_get(lists, set->language));
	for (i = 0; ok && i < book->nchapters; i++)
		if (book->chapters[i].text)
			ok = chapter_scenes(&sc, set, &cap, &book->chapters[i], flags);
	if (set != NULL)
		bp_scene_scanner_end(&sc);
	if (!ok || bp_failed(ctx))
	{
		/* report the error; the book itself stays as it was */
		*err = ctx->err;
		if (err->code == BP_OK)
			err->code = BP_ERR_INTERNAL;
		memset(&ctx->err, 0, sizeof(ctx->err));
		return NULL;
	}
	return set;
}

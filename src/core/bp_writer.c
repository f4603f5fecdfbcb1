/*-------------------------------------------------------------------------
 *
 * bp_writer.c
 *	  The chapter writer: format parsers describe a book's content with a
 *	  small set of output elements, and the writer turns that into each
 *	  chapter's plain text and sanitized HTML at once.
 *
 * Plain text: paragraphs (p, headings, list items, pre, figure captions,
 * table rows) are separated by one blank line; whitespace runs collapse to
 * one space (kept inside pre); <br> is a newline; table cells are
 * separated by a tab; soft hyphens, NUL and control characters are
 * dropped; invalid UTF-8 becomes U+FFFD; text is NFC.
 *
 * HTML: only the elements of bp_tag, with only href (a), src/alt (img) and
 * id attributes; links keep only relative, #fragment, http(s) and mailto
 * targets.  Tags are always balanced: the writer keeps a stack of open
 * elements, closes what a format leaves open, and wraps loose text in an
 * implicit <p>.
 *
 * A chapter split (bp_w_chapter) closes the open elements in the old
 * chapter and reopens them in the new one, so a chapter can start at an
 * anchor deep inside a blockquote or a list.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "bp_internal.h"

typedef enum tag_kind
{
	K_PARA,						/* a paragraph of the text */
	K_CONTAINER,				/* holds paragraphs */
	K_CELL,						/* table cell */
	K_INLINE,
	K_VOID
} tag_kind;

static const struct
{
	const char *name;
	tag_kind	kind;
}			tag_info[BP_TAG__COUNT] =
{
	[BP_TAG_NONE] = {"", K_INLINE},
	[BP_TAG_P] = {"p", K_PARA},
	[BP_TAG_H1] = {"h1", K_PARA},
	[BP_TAG_H2] = {"h2", K_PARA},
	[BP_TAG_H3] = {"h3", K_PARA},
	[BP_TAG_H4] = {"h4", K_PARA},
	[BP_TAG_H5] = {"h5", K_PARA},
	[BP_TAG_H6] = {"h6", K_PARA},
	[BP_TAG_LI] = {"li", K_PARA},
	[BP_TAG_PRE] = {"pre", K_PARA},
	[BP_TAG_FIGCAPTION] = {"figcaption", K_PARA},
	[BP_TAG_TR] = {"tr", K_PARA},
	[BP_TAG_BLOCKQUOTE] = {"blockquote", K_CONTAINER},
	[BP_TAG_UL] = {"ul", K_CONTAINER},
	[BP_TAG_OL] = {"ol", K_CONTAINER},
	[BP_TAG_TABLE] = {"table", K_CONTAINER},
	[BP_TAG_FIGURE] = {"figure", K_CONTAINER},
	[BP_TAG_TH] = {"th", K_CELL},
	[BP_TAG_TD] = {"td", K_CELL},
	[BP_TAG_EM] = {"em", K_INLINE},
	[BP_TAG_STRONG] = {"strong", K_INLINE},
	[BP_TAG_A] = {"a", K_INLINE},
	[BP_TAG_SUP] = {"sup", K_INLINE},
	[BP_TAG_SUB] = {"sub", K_INLINE},
	[BP_TAG_CODE] = {"code", K_INLINE},
	[BP_TAG_BR] = {"br", K_VOID},
	[BP_TAG_HR] = {"hr", K_VOID},
	[BP_TAG_IMG] = {"img", K_VOID},
};

/* Is the tag a block (anything but inline and void)? */
static inline bool
is_block(bp_tag tag)
{
	tag_kind	k = tag_info[tag].kind;

	return k == K_PARA || k == K_CONTAINER || k == K_CELL;
}

/* Append s to buf with HTML escaping (&, <, >, " and '). */
static bool
html_escape(bp_buf *buf, const char *s, size_t len)
{
	size_t		i;
	size_t		start = 0;

	for (i = 0; i < len; i++)
	{
		const char *rep = NULL;

		switch (s[i])
		{
			case '&':
				rep = "&amp;";
				break;
			case '<':
				rep = "&lt;";
				break;
			case '>':
				rep = "&gt;";
				break;
			case '"':
				rep = "&quot;";
				break;
			case '\'':
				rep = "&#39;";
				break;
			default:
				break;
		}
		if (rep)
		{
			if (!bp_buf_append(buf, s + start, i - start) || !bp_buf_puts(buf, rep))
				return false;
			start = i + 1;
		}
	}
	return bp_buf_append(buf, s + start, len - start);
}

/* Is this link target safe to keep (relative, #frag, http(s), mailto)? */
static bool
safe_href(const char *href)
{
	const char *p;

	if (href == NULL || *href == '\0')
		return false;
	for (p = href; *p; p++)
	{
		if (*p == ':')
		{
			char		scheme[8];
			size_t		n = (size_t) (p - href);

			if (n >= sizeof(scheme))
				return false;
			memcpy(scheme, href, n);
			scheme[n] = '\0';
			return bp_strcasecmp(scheme, "http") == 0 ||
				bp_strcasecmp(scheme, "https") == 0 ||
				bp_strcasecmp(scheme, "mailto") == 0;
		}
		if (*p == '/' || *p == '?' || *p == '#')
			return true;		/* no scheme: relative */
		if ((unsigned char) *p < 0x21)
			return false;
	}
	return true;
}

/* Is this id attribute value harmless to keep? */
static bool
safe_id(const char *id)
{
	size_t		n = 0;

	if (id == NULL || *id == '\0')
		return false;
	for (; *id; id++, n++)
	{
		char		c = *id;

		if (n > 100)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == ':'))
			return false;
	}
	return true;
}

/* Emit the opening tag of a frame into the chapter HTML. */
static bool
emit_open(bp_ctx *ctx, bp_tag tag, const char *href, const char *id)
{
	bp_buf	   *h = &ctx->w.html;

	if (!ctx->opts.want_html)
		return true;
	if (!bp_buf_putc(h, '<') || !bp_buf_puts(h, tag_info[tag].name))
		return false;
	if (tag == BP_TAG_A && href && safe_href(href))
	{
		if (!bp_buf_puts(h, " href=\"") || !html_escape(h, href, strlen(href)) ||
			!bp_buf_putc(h, '"'))
			return false;
	}
	if (id && safe_id(id))
	{
		if (!bp_buf_puts(h, " id=\"") || !bp_buf_puts(h, id) || !bp_buf_putc(h, '"'))
			return false;
	}
	return bp_buf_putc(h, '>');
}

/* Emit the closing tag of a frame into the chapter HTML. */
static bool
emit_close(bp_ctx *ctx, bp_tag tag)
{
	bp_buf	   *h = &ctx->w.html;

	if (!ctx->opts.want_html)
		return true;
	return bp_buf_puts(h, "</") && bp_buf_puts(h, tag_info[tag].name) &&
		bp_buf_putc(h, '>');
}

/* End the paragraph being built: append it to the chapter text. */
static bool
flush_para(bp_ctx *ctx)
{
	bp_writer  *w = &ctx->w;
	size_t		n = w->para.len;

	while (n > 0 && (w->para.data[n - 1] == ' ' || w->para.data[n - 1] == '\n' ||
					 w->para.data[n - 1] == '\t'))
		n--;
	w->pending_space = false;
	if (n == 0)
	{
		bp_buf_reset(&w->para);
		return true;
	}
	if (w->text.len > 0 && !bp_buf_append(&w->text, "\n\n", 2))
		return false;
	if (!bp_buf_append(&w->text, w->para.data, n))
		return false;
	w->paragraphs++;
	bp_buf_reset(&w->para);
	return true;
}

/* Pop the top frame, emitting its closing tag. */
static bool
pop_frame(bp_ctx *ctx)
{
	bp_writer  *w = &ctx->w;
	bp_wframe  *f = &w->stack[w->depth - 1];
	bp_tag		tag = f->tag;

	if (!emit_close(ctx, tag))
		return false;
	if (tag == BP_TAG_PRE)
		w->pre_depth--;
	bp_free(ctx, f->href);
	f->href = NULL;
	w->depth--;
	if (tag_info[tag].kind == K_PARA || tag_info[tag].kind == K_CONTAINER)
		return flush_para(ctx);
	return true;
}

/* Index of the innermost implicit <p>, or -1. */
static int
find_implicit(bp_writer *w)
{
	int			i;

	for (i = w->depth - 1; i >= 0; i--)
		if (w->stack[i].implicit)
			return i;
	return -1;
}

/* Close the implicit <p> (and the inline elements opened inside it). */
static bool
close_implicit(bp_ctx *ctx)
{
	bp_writer  *w = &ctx->w;
	int			i = find_implicit(w);

	if (i < 0)
		return true;
	while (w->depth > i)
		if (!pop_frame(ctx))
			return false;
	return true;
}

/* Push a frame and emit its opening tag. */
static bool
push_frame(bp_ctx *ctx, bp_tag tag, const char *href, const char *id,
		   bool implicit)
{
	bp_writer  *w = &ctx->w;
	bp_wframe  *f;

	if (w->depth >= BP_WRITER_MAX_DEPTH)
	{
		w->overflow++;
		return true;
	}
	f = &w->stack[w->depth];
	f->tag = tag;
	f->implicit = implicit;
	f->href = (tag == BP_TAG_A && href) ? bp_strdup(ctx, href) : NULL;
	if (bp_failed(ctx))
		return false;
	w->depth++;
	if (tag == BP_TAG_PRE)
		w->pre_depth++;
	return emit_open(ctx, tag, href, id);
}

/* Make sure loose text sits in a paragraph: open an implicit <p> if needed. */
static bool
ensure_para(bp_ctx *ctx)
{
	bp_writer  *w = &ctx->w;
	int			i;

	for (i = w->depth - 1; i >= 0; i--)
	{
		tag_kind	k = tag_info[w->stack[i].tag].kind;

		if (k == K_PARA || k == K_CELL)
			return true;
		if (k == K_CONTAINER)
			break;
	}
	/* inline elements outside any paragraph: the <p> goes around them */
	if (i < w->depth - 1)
	{
		/* rare: text in <em> directly in a container; keep it simple */
		return true;
	}
	return push_frame(ctx, BP_TAG_P, NULL, NULL, true);
}

/* Store the finished chapter text/html and counts in the current chapter. */
static bool
store_chapter(bp_ctx *ctx, bp_chapter *ch)
{
	bp_writer  *w = &ctx->w;

	ch->text = bp_buf_steal(&w->text, &ch->text_len);
	if (ctx->opts.want_html)
		ch->html = bp_buf_steal(&w->html, &ch->html_len);
	else
		bp_buf_reset(&w->html);
	if (ch->text == NULL)
		return false;
	if (!bp_text_count(ctx, ch->text, ch->text_len, ctx->book->meta.language,
					   &ch->counts))
		return false;
	ch->counts.paragraphs = w->paragraphs;
	if (!ctx->opts.want_text)
	{
		bp_free(ctx, ch->text);
		ch->text = bp_strdup(ctx, "");
		ch->text_len = 0;
	}
	return !bp_failed(ctx);
}

/* Add a chapter record to the book; returns it or NULL. */
static bp_chapter *
new_chapter(bp_ctx *ctx, const char *title, int depth, const char *source,
			bool is_notes)
{
	bp_book    *b = ctx->book;
	bp_chapter *ch;

	b->chapters = bp_array_grow(ctx, b->chapters, &ctx->chapters_cap,
								b->nchapters + 1, sizeof(bp_chapter));
	if (b->chapters == NULL)
		return NULL;
	ch = &b->chapters[b->nchapters];
	memset(ch, 0, sizeof(*ch));
	ch->number = b->nchapters + 1;
	ch->title = title ? bp_clean_space(ctx, title, strlen(title)) : NULL;
	ch->depth = depth < 1 ? 1 : depth;
	ch->source = source ? bp_strdup(ctx, source) : NULL;
	ch->is_notes = is_notes;
	if (bp_failed(ctx))
		return NULL;
	b->nchapters++;
	return ch;
}

/*
 * Close everything open and end the current chapter (creating a leading
 * untitled one if content came before any chapter).
 */
static bool
end_chapter(bp_ctx *ctx, bp_wframe *saved, int *nsaved)
{
	bp_writer  *w = &ctx->w;
	int			i;

	*nsaved = 0;
	/* remember the explicit frames to reopen them in the next chapter */
	for (i = 0; i < w->depth; i++)
	{
		if (w->stack[i].implicit)
			break;
		saved[*nsaved].tag = w->stack[i].tag;
		saved[*nsaved].implicit = false;
		saved[*nsaved].href = w->stack[i].href ? bp_strdup(ctx, w->stack[i].href) : NULL;
		(*nsaved)++;
	}
	while (w->depth > 0)
		if (!pop_frame(ctx))
			return false;
	if (!flush_para(ctx))
		return false;
	if (!w->in_chapter && w->has_content)
	{
		if (new_chapter(ctx, NULL, 1, NULL, false) == NULL)
			return false;
		w->in_chapter = true;
	}
	if (w->in_chapter)
	{
		if (!store_chapter(ctx, &ctx->book->chapters[ctx->book->nchapters - 1]))
			return false;
	}
	else
	{
		bp_buf_reset(&w->text);
		bp_buf_reset(&w->html);
	}
	w->in_chapter = false;
	w->has_content = false;
	w->paragraphs = 0;
	w->cells_in_row = 0;
	return true;
}

/* Start a new chapter, ending the current one and reopening its containers. */
bool
bp_w_chapter(bp_ctx *ctx, const char *title, int depth, const char *source,
			 bool is_notes)
{
	bp_writer  *w = &ctx->w;
	bp_wframe	saved[BP_WRITER_MAX_DEPTH];
	int			nsaved;
	int			i;

	if (bp_failed(ctx))
		return false;
	if (!end_chapter(ctx, saved, &nsaved))
		return false;
	if (new_chapter(ctx, title, depth, source, is_notes) == NULL)
		return false;
	w->in_chapter = true;
	for (i = 0; i < nsaved; i++)
	{
		if (!push_frame(ctx, saved[i].tag, saved[i].href, NULL, false))
			return false;
		bp_free(ctx, saved[i].href);
	}
	return true;
}

/* Is a chapter open? */
bool
bp_w_in_chapter(bp_ctx *ctx)
{
	return ctx->w.in_chapter;
}

/* Open an output element. */
bool
bp_w_open(bp_ctx *ctx, bp_tag tag, const char *href, const char *id)
{
	bp_writer  *w = &ctx->w;

	if (bp_failed(ctx))
		return false;
	if (tag <= BP_TAG_NONE || tag >= BP_TAG__COUNT)
		return true;
	if (tag_info[tag].kind == K_VOID)
	{
		if (tag == BP_TAG_BR)
			return bp_w_br(ctx);
		if (tag == BP_TAG_HR)
			return bp_w_hr(ctx);
		return true;
	}
	if (is_block(tag))
	{
		if (!close_implicit(ctx))
			return false;
		if (tag_info[tag].kind == K_CELL)
		{
			if (w->cells_in_row > 0 && w->para.len > 0)
			{
				if (!bp_buf_putc(&w->para, '\t'))
					return false;
			}
			w->pending_space = false;
			w->cells_in_row++;
		}
		else
		{
			if (!flush_para(ctx))
				return false;
			if (tag == BP_TAG_TR)
				w->cells_in_row = 0;
		}
	}
	return push_frame(ctx, tag, href, id, false);
}

/* Close the innermost open element with this tag. */
bool
bp_w_close(bp_ctx *ctx, bp_tag tag)
{
	bp_writer  *w = &ctx->w;
	int			i;

	if (bp_failed(ctx))
		return false;
	if (tag <= BP_TAG_NONE || tag >= BP_TAG__COUNT || tag_info[tag].kind == K_VOID)
		return true;
	for (i = w->depth - 1; i >= 0; i--)
		if (w->stack[i].tag == tag && !w->stack[i].implicit)
			break;
	if (i < 0)
	{
		if (w->overflow > 0)
			w->overflow--;
		return true;
	}
	while (w->depth > i)
		if (!pop_frame(ctx))
			return false;
	return true;
}

/* Is cp a whitespace character that collapses? */
static inline bool
is_space_cp(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' ||
		cp == '\v' || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
		cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

/* Is cp dropped from the text (controls, soft hyphen, zero-width marks)? */
static inline bool
is_dropped_cp(uint32_t cp)
{
	return (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
		(cp >= 0x7F && cp <= 0x9F) || cp == 0xAD || cp == 0x200B ||
		cp == 0xFEFF || cp == 0xFFFE || cp == 0xFFFF;
}

/*
 * Length of the 2- or 3-byte UTF-8 sequence at p if it is valid and its
 * character neither dropped nor a space; else 0.
 */
static inline int
w_plain_len(const unsigned char *p, size_t len)
{
	uint32_t	cp;

	if (p[0] >= 0xC2 && p[0] < 0xE0)
	{
		if (len < 2 || (p[1] & 0xC0) != 0x80)
			return 0;
		cp = ((p[0] & 0x1F) << 6) | (p[1] & 0x3F);
		return (cp < 0xA1 || cp == 0xAD) ? 0 : 2;
	}
	if (p[0] >= 0xE0 && p[0] < 0xF0)
	{
		if (len < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
			return 0;
		cp = ((p[0] & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F);
		if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF) ||
			is_space_cp(cp) || is_dropped_cp(cp))
			return 0;
		return 3;
	}
	return 0;
}

/* Append text to the current paragraph (and HTML). */
bool
bp_w_text(bp_ctx *ctx, const char *s, size_t len)
{
	bp_writer  *w = &ctx->w;
	bp_buf	   *tmp = &w->scratch;
	const unsigned char *p = (const unsigned char *) s;
	size_t		i = 0;
	bool		pre = w->pre_depth > 0;
	size_t		start;

	if (bp_failed(ctx))
		return false;
	bp_buf_reset(tmp);
	if (!bp_buf_reserve(tmp, len))
		return false;
	while (i < len)
	{
		uint32_t	cp;
		int			n;

		if ((p[i] == ' ' || p[i] == '\n' || p[i] == '\t') && !pre)
		{
			w->pending_space = true;
			i++;
			continue;
		}

		/*
		 * A run of printable characters other than spaces (ASCII, valid
		 * 2- and 3-byte UTF-8 that is neither space nor dropped): copied
		 * as it is.
		 */
		if ((p[i] > 0x20 && p[i] < 0x7F) || w_plain_len(p + i, len - i) > 0)
		{
			char	   *d;

			/* room for the rest of the input and a space */
			if (tmp->cap - tmp->len < len - i + 2 &&
				!bp_buf_reserve(tmp, len - i + 2))
				return false;
			d = tmp->data + tmp->len;
			if (w->pending_space && !pre)
			{
				char		last = tmp->len > 0 ? d[-1] :
				(w->para.len > 0 ? w->para.data[w->para.len - 1] : '\n');

				if (last != '\n' && last != '\t')
					*d++ = ' ';
				w->pending_space = false;
			}
			for (;;)
			{
				if (p[i] > 0x20 && p[i] < 0x7F)
					*d++ = (char) p[i++];
				else if (p[i] == ' ' && i + 1 < len &&
						 p[i + 1] > 0x20 && p[i + 1] < 0x7F)
				{
					/* one space between words stays one space */
					d[0] = ' ';
					d[1] = (char) p[i + 1];
					d += 2;
					i += 2;
				}
				else if ((n = w_plain_len(p + i, len - i)) > 0)
				{
					do
						*d++ = (char) p[i++];
					while (--n > 0);
				}
				else
					break;
				if (i >= len)
					break;
			}
			*d = '\0';
			tmp->len = d - tmp->data;
			continue;
		}
		if (p[i] < 0x80)
		{
			cp = p[i];
			n = 1;
		}
		else
		{
			n = bp_utf8_decode(p + i, len - i, &cp);
			if (n == 0)
			{
				cp = 0xFFFD;
				n = 1;
			}
		}
		i += (size_t) n;
		if (is_dropped_cp(cp))
			continue;
		if (pre)
		{
			if (cp == '\r')
				continue;
			if (!bp_buf_put_cp(tmp, cp == 0xA0 ? ' ' : cp))
				return false;
			continue;
		}
		if (is_space_cp(cp))
		{
			w->pending_space = true;
			continue;
		}
		if (w->pending_space)
		{
			char		last = tmp->len > 0 ? tmp->data[tmp->len - 1] :
			(w->para.len > 0 ? w->para.data[w->para.len - 1] : '\n');

			if (last != '\n' && last != '\t')
			{
				if (!bp_buf_putc(tmp, ' '))
					return false;
			}
			w->pending_space = false;
		}
		if (cp < 0x80)
		{
			if (!bp_buf_putc(tmp, (char) cp))
				return false;
		}
		else if (n > 1)
		{
			/* valid UTF-8: the bytes as they are */
			if (!bp_buf_append(tmp, p + i - n, (size_t) n))
				return false;
		}
		else if (!bp_buf_put_cp(tmp, cp))
			return false;
	}
	if (tmp->len == 0)
		return true;
	if (!ensure_para(ctx))
		return false;
	w->has_content = true;
	start = w->para.len;
	if (!bp_text_nfc_append(ctx, &w->para, tmp->data, tmp->len))
		return false;
	if (ctx->opts.want_html &&
		!html_escape(&w->html, w->para.data + start, w->para.len - start))
		return false;
	if (bp_w_chapter_text_len(ctx) > ctx->opts.max_memory)
		return bp_fail_bound(ctx, ctx->opts.memory_setting, NULL,
							 "chapter text larger than %s",
							 ctx->opts.memory_setting);
	return true;
}

/* An image (asset href) with optional alt text. */
bool
bp_w_img(bp_ctx *ctx, const char *src, const char *alt)
{
	bp_buf	   *h = &ctx->w.html;

	if (bp_failed(ctx))
		return false;
	if (src == NULL || *src == '\0')
		return true;
	ctx->w.has_content = true;
	if (!ctx->opts.want_html)
		return true;
	if (!bp_buf_puts(h, "<img src=\"") || !html_escape(h, src, strlen(src)))
		return false;
	if (alt && *alt)
	{
		if (!bp_buf_puts(h, "\" alt=\"") || !html_escape(h, alt, strlen(alt)))
			return false;
	}
	return bp_buf_puts(h, "\"/>");
}

/* A line break inside the current paragraph. */
bool
bp_w_br(bp_ctx *ctx)
{
	bp_writer  *w = &ctx->w;

	if (bp_failed(ctx))
		return false;
	if (w->para.len == 0)
	{
		w->pending_space = false;
		return true;
	}
	while (w->para.len > 0 && w->para.data[w->para.len - 1] == ' ')
		w->para.data[--w->para.len] = '\0';
	if (w->para.len > 0 && w->para.data[w->para.len - 1] != '\n' &&
		!bp_buf_putc(&w->para, '\n'))
		return false;
	w->pending_space = false;
	if (ctx->opts.want_html)
		return bp_buf_puts(&w->html, "<br/>");
	return true;
}

/* A thematic break: ends the paragraph. */
bool
bp_w_hr(bp_ctx *ctx)
{
	if (bp_failed(ctx))
		return false;
	if (!close_implicit(ctx) || !flush_para(ctx))
		return false;
	if (ctx->opts.want_html)
		return bp_buf_puts(&ctx->w.html, "<hr/>");
	return true;
}

/* A block boundary: ends the paragraph (and any implicit <p>). */
bool
bp_w_boundary(bp_ctx *ctx)
{
	if (bp_failed(ctx))
		return false;
	return close_implicit(ctx) && flush_para(ctx);
}

/* End the last chapter. */
bool
bp_w_finish(bp_ctx *ctx)
{
	bp_wframe	saved[BP_WRITER_MAX_DEPTH];
	int			nsaved;
	int			i;
	bool		ok;

	if (bp_failed(ctx))
		return false;
	ok = end_chapter(ctx, saved, &nsaved);
	for (i = 0; i < nsaved; i++)
		bp_free(ctx, saved[i].href);
	bp_buf_free(&ctx->w.text);
	bp_buf_free(&ctx->w.html);
	bp_buf_free(&ctx->w.para);
	bp_buf_free(&ctx->w.scratch);
	return ok;
}

/* Bytes of text in the current chapter so far. */
size_t
bp_w_chapter_text_len(bp_ctx *ctx)
{
	return ctx->w.text.len + ctx->w.para.len;
}

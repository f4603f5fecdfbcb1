/*-------------------------------------------------------------------------
 *
 * bp_fb2_body.c
 *	  FB2 bodies to chapters: sections, titles, poems, notes bodies and the
 *	  inline markup, written through the chapter writer; see bp_fb2.c's
 *	  header for the rules.
 *
 * The tree is walked iteratively with an explicit stack of bounded size;
 * elements nested deeper than that are flattened to their text.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "bp_fb2_int.h"

#define FB2_MAX_TITLE	4096	/* bytes of a chapter title kept */

/* ---- small tree helpers ---- */

/* Next element sibling, or NULL. */
static const xmlNode *
fb2_next_element(const xmlNode *n)
{
	for (n = n->next; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			return n;
	return NULL;
}

/*
 * Text of a title: its lines (<p>) joined with ". ", or just a space after
 * a line that already ends in punctuation.
 */
static char *
fb2_title_text(bp_ctx *ctx, const xmlNode *title)
{
	bp_buf		b;
	const xmlNode *c;
	bool		any_p = false;

	if (title == NULL)
		return NULL;
	bp_buf_init(&b, ctx);
	for (c = title->children; c != NULL; c = c->next)
	{
		char	   *t;

		if (c->type != XML_ELEMENT_NODE || bp_xml_is(c, "empty-line"))
			continue;
		any_p = true;
		t = bp_xml_text(ctx, c);
		if (t == NULL)
			continue;
		if (b.len > 0 && b.len < FB2_MAX_TITLE)
		{
			char		last = b.data[b.len - 1];

			if (!bp_buf_puts(&b, strchr(".!?:;,…", last) || (unsigned char) last >= 0x80 ?
							 (strchr(".!?:;,", last) ? " " : ". ") : ". "))
				break;
		}
		if (b.len < FB2_MAX_TITLE)
			bp_buf_puts(&b, t);
		bp_free(ctx, t);
	}
	if (!any_p)
	{
		bp_buf_free(&b);
		return bp_xml_text(ctx, title);
	}
	if (b.len == 0)
	{
		bp_buf_free(&b);
		return NULL;
	}
	return bp_buf_steal(&b, NULL);
}

/* ---- bodies ---- */

/* Heading tag for a level, clamped to h1..h6. */
static bp_tag
fb2_h(int level)
{
	if (level < 1)
		level = 1;
	if (level > 6)
		level = 6;
	return (bp_tag) (BP_TAG_H1 + level - 1);
}

/* The source path of the innermost section: body[1]/section[3]/section[2]. */
static char *
fb2_source(fb2_walk *w)
{
	bp_buf		b;
	int			i;

	bp_buf_init(&b, w->ctx);
	bp_buf_printf(&b, "body[%d]", w->body_index);
	for (i = 0; i < w->depth && b.len < 2000; i++)
		if (w->stack[i].kind == F_SECTION)
			bp_buf_printf(&b, "/section[%d]", w->stack[i].index);
	return bp_buf_steal(&b, NULL);
}

/* Write a text or entity-reference node. */
static bool
fb2_text_node(fb2_walk *w, const xmlNode *n)
{
	if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE)
	{
		if (n->content == NULL)
			return true;
		return bp_w_text(w->ctx, (const char *) n->content,
						 strlen((const char *) n->content));
	}
	if (n->type == XML_ENTITY_REF_NODE)
	{
		bp_buf_reset(&w->tmp);
		if (!bp_xml_ref_text(w->ctx, n, &w->tmp))
			return false;
		return w->tmp.len == 0 || bp_w_text(w->ctx, w->tmp.data, w->tmp.len);
	}
	return true;
}

/* Start the chapter of a section (main bodies). */
static bool
fb2_section_chapter(fb2_walk *w, const xmlNode *sec)
{
	char	   *title = fb2_title_text(w->ctx, bp_xml_child(sec, "title"));
	char	   *source = fb2_source(w);
	bool		ok;

	if (source == NULL)
		return false;
	ok = bp_w_chapter(w->ctx, title, w->level, source, false);
	if (ok && title)
		ok = bp_toc_add(w->ctx, title, source, w->level);
	if (ok && title && w->first_title == NULL)
		w->first_title = bp_strdup(w->ctx, title);
	bp_free(w->ctx, title);
	bp_free(w->ctx, source);
	return ok;
}

/* What an element of a body is to fb2_enter. */
typedef enum fb2_role
{
	FE_UNWRAP = 0,				/* not in the table: its content, unwrapped */
	FE_IMAGE,					/* <image>, <img>: an image, no content */
	FE_BR,						/* a line break */
	FE_EMPTY_LINE,				/* a break in a title, else a boundary */
	FE_HR,
	FE_SECTION,					/* a chapter (main bodies) */
	FE_TITLE,					/* a heading one level below the section */
	FE_P,						/* a paragraph, or a line of a title */
	FE_SUBTITLE,				/* a heading below the section's */
	FE_POEM,
	FE_STANZA,
	FE_V,						/* a verse line */
	FE_A,						/* a link when it has an href */
	FE_DIV,
	FE_TAG						/* the output element in the row */
} fb2_role;

/* An element of the table. */
typedef struct fb2_elem
{
	const char *name;			/* local name, case-sensitive */
	fb2_role	role;
	bp_tag		tag;			/* for FE_TAG (and the paragraph of P, V,
								 * STANZA, the link of A) */
} fb2_elem;

/* The elements fb2_enter knows, sorted by name (strcmp) for bsearch. */
static const fb2_elem fb2_elems[] = {
	{"a", FE_A, BP_TAG_A},
	{"annotation", FE_TAG, BP_TAG_BLOCKQUOTE},
	{"b", FE_TAG, BP_TAG_STRONG},
	{"blockquote", FE_TAG, BP_TAG_BLOCKQUOTE},
	{"br", FE_BR, BP_TAG_NONE},
	{"cite", FE_TAG, BP_TAG_BLOCKQUOTE},
	{"code", FE_TAG, BP_TAG_CODE},
	{"date", FE_TAG, BP_TAG_P},
	{"div", FE_DIV, BP_TAG_NONE},
	{"em", FE_TAG, BP_TAG_EM},
	{"emphasis", FE_TAG, BP_TAG_EM},
	{"empty-line", FE_EMPTY_LINE, BP_TAG_NONE},
	{"epigraph", FE_TAG, BP_TAG_BLOCKQUOTE},
	{"h1", FE_TAG, BP_TAG_H1},
	{"h2", FE_TAG, BP_TAG_H2},
	{"h3", FE_TAG, BP_TAG_H3},
	{"h4", FE_TAG, BP_TAG_H4},
	{"h5", FE_TAG, BP_TAG_H5},
	{"h6", FE_TAG, BP_TAG_H6},
	{"hr", FE_HR, BP_TAG_NONE},
	{"i", FE_TAG, BP_TAG_EM},
	{"image", FE_IMAGE, BP_TAG_NONE},
	{"img", FE_IMAGE, BP_TAG_NONE},
	{"li", FE_TAG, BP_TAG_LI},
	{"ol", FE_TAG, BP_TAG_OL},
	{"p", FE_P, BP_TAG_P},
	{"poem", FE_POEM, BP_TAG_NONE},
	{"pre", FE_TAG, BP_TAG_PRE},
	{"section", FE_SECTION, BP_TAG_NONE},
	{"stanza", FE_STANZA, BP_TAG_P},
	{"strong", FE_TAG, BP_TAG_STRONG},
	{"sub", FE_TAG, BP_TAG_SUB},
	{"subtitle", FE_SUBTITLE, BP_TAG_NONE},
	{"sup", FE_TAG, BP_TAG_SUP},
	{"table", FE_TAG, BP_TAG_TABLE},
	{"td", FE_TAG, BP_TAG_TD},
	{"text-author", FE_TAG, BP_TAG_P},
	{"th", FE_TAG, BP_TAG_TH},
	{"title", FE_TITLE, BP_TAG_NONE},
	{"tr", FE_TAG, BP_TAG_TR},
	{"ul", FE_TAG, BP_TAG_UL},
	{"v", FE_V, BP_TAG_P},
};

/* bsearch comparison of a name with a table entry. */
static int
fb2_elem_cmp(const void *key, const void *elem)
{
	return strcmp((const char *) key, ((const fb2_elem *) elem)->name);
}

/* Table entry of an element's local name, or NULL. */
static const fb2_elem *
fb2_lookup(const char *name)
{
	return bsearch(name, fb2_elems, sizeof(fb2_elems) / sizeof(fb2_elems[0]),
				   sizeof(fb2_elem), fb2_elem_cmp);
}

/*
 * Enter an element: write what it opens.  Returns true when its children
 * are to be walked (a frame was pushed), false when it was handled whole.
 */
static bool
fb2_enter(fb2_walk *w, const xmlNode *n, bool *descend)
{
	static const char *const skip[] = {
		"binary", "description", "stylesheet", "script", NULL
	};
	bp_ctx	   *ctx = w->ctx;
	fb2_frame  *f;
	fb2_frame  *parent = w->depth > 0 ? &w->stack[w->depth - 1] : NULL;
	const char *id = bp_xml_attr(n, "id");
	bp_tag		tag = BP_TAG_NONE;
	fb2_kind	kind = F_OTHER;
	const fb2_elem *e;
	fb2_role	role;

	*descend = false;
	if (bp_fb2_is_any(n, skip))
		return true;
	e = fb2_lookup(bp_xml_name(n));
	role = e != NULL ? e->role : FE_UNWRAP;

	/* void-ish elements */
	switch (role)
	{
		case FE_IMAGE:
			{
				const char *href = bp_xml_attr(n, "href");
				const char *alt = bp_xml_attr(n, "alt");

				if (href == NULL)
					href = bp_xml_attr(n, "src");
				if (alt == NULL)
					alt = bp_xml_attr(n, "title");
				if (href && href[0] == '#' && href[1] != '\0')
					return bp_w_img(ctx, href + 1, alt);
				if (href && *href)
					return bp_w_img(ctx, href, alt);
				return true;
			}
		case FE_BR:
			return bp_w_br(ctx);
		case FE_EMPTY_LINE:
			if (parent && parent->kind == F_TITLE)
				return bp_w_br(ctx);
			return bp_w_boundary(ctx);
		case FE_HR:
			return bp_w_hr(ctx);
		default:
			break;
	}

	if (w->depth >= FB2_MAX_DEPTH)
	{
		/* too deep to track: keep the text, flattened */
		char	   *t = bp_xml_text(ctx, n);
		bool		ok = true;

		if (t)
		{
			ok = bp_w_text(ctx, " ", 1) && bp_w_text(ctx, t, strlen(t)) &&
				bp_w_text(ctx, " ", 1);
			bp_free(ctx, t);
		}
		return ok;
	}

	switch (role)
	{
		case FE_SECTION:
			kind = F_SECTION;
			w->level++;
			if (parent)
				parent->nsections++;
			break;
		case FE_TITLE:
			kind = F_TITLE;
			if (parent && (parent->kind == F_POEM || parent->kind == F_STANZA))
				tag = fb2_h(w->level + 1);
			else
				tag = fb2_h(w->notes && w->level > 0 ? w->level + 1 : w->level);
			if (parent && (parent->kind == F_SECTION || parent->kind == F_BODY) && !id)
				id = bp_xml_attr(parent->node, "id");
			break;
		case FE_P:
			if (parent && parent->kind == F_TITLE)
			{
				/* a line of a title: lines are separated by <br> */
				if (parent->lines++ > 0 && !bp_w_br(ctx))
					return false;
			}
			else
				tag = e->tag;
			break;
		case FE_SUBTITLE:
			tag = fb2_h(w->level + 1);
			break;
		case FE_POEM:
			kind = F_POEM;
			if (!bp_w_boundary(ctx))
				return false;
			break;
		case FE_STANZA:
			kind = F_STANZA;
			tag = e->tag;
			break;
		case FE_V:
			kind = F_V;
			if (!(parent && parent->kind == F_STANZA))
				tag = e->tag;
			break;
		case FE_A:
			if (bp_xml_attr(n, "href"))
				tag = e->tag;
			break;
		case FE_DIV:
			kind = F_DIV;
			if (!bp_w_boundary(ctx))
				return false;
			break;
		case FE_TAG:
			tag = e->tag;
			break;
		default:
			/* strikethrough, style, span, unknown: unwrapped */
			break;
	}

	if (kind == F_SECTION)
	{
		if (!w->notes)
		{
			f = &w->stack[w->depth];
			memset(f, 0, sizeof(*f));
			f->node = n;
			f->kind = F_SECTION;
			f->index = parent ? parent->nsections : 1;
			w->depth++;
			if (!fb2_section_chapter(w, n))
				return false;
			*descend = true;
			return true;
		}
		if (!bp_w_boundary(ctx))
			return false;
	}

	if (tag != BP_TAG_NONE)
	{
		const char *href = tag == BP_TAG_A ? bp_xml_attr(n, "href") : NULL;

		if (!bp_w_open(ctx, tag, href, id))
			return false;
	}
	f = &w->stack[w->depth++];
	memset(f, 0, sizeof(*f));
	f->node = n;
	f->kind = kind;
	f->tag = tag;
	f->index = (kind == F_SECTION && parent) ? parent->nsections : 0;
	*descend = true;
	return true;
}

/* Leave an element entered with a frame: close what it opened. */
static bool
fb2_leave(fb2_walk *w)
{
	bp_ctx	   *ctx = w->ctx;
	fb2_frame  *f = &w->stack[--w->depth];
	const xmlNode *next;

	if (f->tag != BP_TAG_NONE && !bp_w_close(ctx, f->tag))
		return false;
	switch (f->kind)
	{
		case F_SECTION:
			w->level--;
			return bp_w_boundary(ctx);
		case F_POEM:
		case F_DIV:
			return bp_w_boundary(ctx);
		case F_V:
			/* a verse line: <br> unless it is the stanza's last */
			next = fb2_next_element(f->node);
			if (w->depth > 0 && w->stack[w->depth - 1].kind == F_STANZA &&
				next != NULL && bp_xml_is(next, "v"))
				return bp_w_br(ctx);
			return true;
		default:
			return true;
	}
}

/* Walk the children of a body (iteratively). */
static bool
fb2_walk_body(fb2_walk *w, const xmlNode *body)
{
	const xmlNode *n = body->children;
	fb2_frame  *bf = &w->stack[0];

	memset(bf, 0, sizeof(*bf));
	bf->node = body;
	bf->kind = F_BODY;
	w->depth = 1;
	w->level = 0;

	while (n != NULL)
	{
		bool		descend = false;

		if ((++w->nodes & 4095) == 0 &&
			!bp_progress(w->ctx, BP_PHASE_PARSING,
						 (size_t) w->nodes * 32 < w->input_len ?
						 (size_t) w->nodes * 32 : w->input_len))
			return false;
		if (n->type == XML_ELEMENT_NODE)
		{
			if (!fb2_enter(w, n, &descend))
				return false;
		}
		else if (!fb2_text_node(w, n))
			return false;

		if (descend && n->children != NULL)
		{
			n = n->children;
			continue;
		}
		if (descend && !fb2_leave(w))
			return false;
		while (n != NULL && n->next == NULL)
		{
			n = n->parent;
			if (n == NULL || n == body)
			{
				n = NULL;
				break;
			}
			if (!fb2_leave(w))
				return false;
		}
		if (n != NULL)
			n = n->next;
	}
	/* close anything left (cannot happen, but keep the writer balanced) */
	while (w->depth > 1)
		if (!fb2_leave(w))
			return false;
	w->depth = 0;
	return !bp_failed(w->ctx);
}

/* Does the body have content (not just whitespace) before its first section? */
static bool
fb2_has_leading(const xmlNode *body)
{
	const xmlNode *c;

	for (c = body->children; c != NULL; c = c->next)
	{
		if (c->type == XML_ELEMENT_NODE)
		{
			if (bp_xml_is(c, "section"))
				return false;
			return true;
		}
		if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
			c->content)
		{
			const unsigned char *s = c->content;

			for (; *s; s++)
				if (*s != ' ' && *s != '\n' && *s != '\r' && *s != '\t')
					return true;
		}
		if (c->type == XML_ENTITY_REF_NODE)
			return true;
	}
	return false;
}

/* Is this body a notes/comments body? */
static bool
fb2_is_notes_body(const xmlNode *body)
{
	const char *name = bp_xml_attr(body, "name");

	return name && (bp_strcasecmp(name, "notes") == 0 ||
					bp_strcasecmp(name, "comments") == 0 ||
					bp_strcasecmp(name, "footnotes") == 0);
}

/* Write one body. */
bool
bp_fb2_body(fb2_walk *w, const xmlNode *body)
{
	bp_ctx	   *ctx = w->ctx;
	char	   *title = fb2_title_text(ctx, bp_xml_child(body, "title"));
	char		source[32];
	bool		ok = true;

	w->notes = fb2_is_notes_body(body);
	snprintf(source, sizeof(source), "body[%d]", w->body_index);
	if (w->notes)
	{
		const char *name = bp_xml_attr(body, "name");
		const char *t = title ? title :
			(name && bp_strcasecmp(name, "comments") == 0 ? "Comments" : "Notes");

		ok = bp_w_chapter(ctx, t, 1, source, true) &&
			bp_toc_add(ctx, t, source, 1);
	}
	else if (fb2_has_leading(body))
	{
		ok = bp_w_chapter(ctx, title, 1, source, false);
		if (ok && title)
			ok = bp_toc_add(ctx, title, source, 1);
		if (ok && title && w->first_title == NULL)
			w->first_title = bp_strdup(ctx, title);
	}
	bp_free(ctx, title);
	return ok && fb2_walk_body(w, body);
}

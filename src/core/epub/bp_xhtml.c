/*-------------------------------------------------------------------------
 *
 * bp_xhtml.c
 *	  An XHTML document's body, turned into the chapter writer's elements.
 *
 * The walk is iterative (a byte stack of what each open element wrote, no
 * recursion).  Paragraph-level elements map to the writer's tags, block
 * containers such as div and section become boundaries, presentational
 * inline elements are unwrapped, and elements whose content is not text
 * (script, style, template, MathML annotations, ...) are skipped.  Ruby
 * annotations (rt, rp) are kept: a plain-text reading of the body keeps
 * them too, and rp gives "kanji(reading)".
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>

#include "bp_epub.h"

typedef enum xh_kind
{
	XH_UNWRAP = 0,				/* content kept, no element of its own */
	XH_TAG,						/* a writer tag */
	XH_BOUNDARY,				/* a block boundary around the content */
	XH_DROP,					/* content skipped */
	XH_BR,
	XH_HR,
	XH_IMG,						/* <img src> */
	XH_SVGIMAGE,				/* <svg:image xlink:href> */
	XH_A
} xh_kind;

typedef struct xh_elem
{
	const char *name;
	xh_kind		kind;
	bp_tag		tag;
} xh_elem;

/* Known elements, sorted by name for bsearch. */
static const xh_elem xh_elems[] = {
	{"a", XH_A, BP_TAG_A},
	{"address", XH_BOUNDARY, BP_TAG_NONE},
	{"annotation", XH_DROP, BP_TAG_NONE},
	{"annotation-xml", XH_DROP, BP_TAG_NONE},
	{"article", XH_BOUNDARY, BP_TAG_NONE},
	{"aside", XH_BOUNDARY, BP_TAG_NONE},
	{"b", XH_TAG, BP_TAG_STRONG},
	{"blockquote", XH_TAG, BP_TAG_BLOCKQUOTE},
	{"body", XH_BOUNDARY, BP_TAG_NONE},
	{"br", XH_BR, BP_TAG_NONE},
	{"caption", XH_BOUNDARY, BP_TAG_NONE},
	{"center", XH_BOUNDARY, BP_TAG_NONE},
	{"cite", XH_TAG, BP_TAG_EM},
	{"code", XH_TAG, BP_TAG_CODE},
	{"dd", XH_BOUNDARY, BP_TAG_NONE},
	{"details", XH_BOUNDARY, BP_TAG_NONE},
	{"dfn", XH_TAG, BP_TAG_EM},
	{"dialog", XH_BOUNDARY, BP_TAG_NONE},
	{"dir", XH_TAG, BP_TAG_UL},
	{"div", XH_BOUNDARY, BP_TAG_NONE},
	{"dl", XH_BOUNDARY, BP_TAG_NONE},
	{"dt", XH_BOUNDARY, BP_TAG_NONE},
	{"em", XH_TAG, BP_TAG_EM},
	{"fieldset", XH_BOUNDARY, BP_TAG_NONE},
	{"figcaption", XH_TAG, BP_TAG_FIGCAPTION},
	{"figure", XH_TAG, BP_TAG_FIGURE},
	{"footer", XH_BOUNDARY, BP_TAG_NONE},
	{"form", XH_BOUNDARY, BP_TAG_NONE},
	{"h1", XH_TAG, BP_TAG_H1},
	{"h2", XH_TAG, BP_TAG_H2},
	{"h3", XH_TAG, BP_TAG_H3},
	{"h4", XH_TAG, BP_TAG_H4},
	{"h5", XH_TAG, BP_TAG_H5},
	{"h6", XH_TAG, BP_TAG_H6},
	{"head", XH_DROP, BP_TAG_NONE},
	{"header", XH_BOUNDARY, BP_TAG_NONE},
	{"hgroup", XH_BOUNDARY, BP_TAG_NONE},
	{"hr", XH_HR, BP_TAG_NONE},
	{"i", XH_TAG, BP_TAG_EM},
	{"iframe", XH_DROP, BP_TAG_NONE},
	{"image", XH_SVGIMAGE, BP_TAG_NONE},
	{"img", XH_IMG, BP_TAG_NONE},
	{"kbd", XH_TAG, BP_TAG_CODE},
	{"legend", XH_BOUNDARY, BP_TAG_NONE},
	{"li", XH_TAG, BP_TAG_LI},
	{"main", XH_BOUNDARY, BP_TAG_NONE},
	{"menu", XH_TAG, BP_TAG_UL},
	{"nav", XH_BOUNDARY, BP_TAG_NONE},
	{"noscript", XH_DROP, BP_TAG_NONE},
	{"object", XH_DROP, BP_TAG_NONE},
	{"ol", XH_TAG, BP_TAG_OL},
	{"p", XH_TAG, BP_TAG_P},
	{"pre", XH_TAG, BP_TAG_PRE},
	{"samp", XH_TAG, BP_TAG_CODE},
	{"script", XH_DROP, BP_TAG_NONE},
	{"section", XH_BOUNDARY, BP_TAG_NONE},
	{"strong", XH_TAG, BP_TAG_STRONG},
	{"style", XH_DROP, BP_TAG_NONE},
	{"sub", XH_TAG, BP_TAG_SUB},
	{"summary", XH_BOUNDARY, BP_TAG_NONE},
	{"sup", XH_TAG, BP_TAG_SUP},
	{"table", XH_TAG, BP_TAG_TABLE},
	{"td", XH_TAG, BP_TAG_TD},
	{"template", XH_DROP, BP_TAG_NONE},
	{"th", XH_TAG, BP_TAG_TH},
	{"title", XH_DROP, BP_TAG_NONE},
	{"tr", XH_TAG, BP_TAG_TR},
	{"tt", XH_TAG, BP_TAG_CODE},
	{"ul", XH_TAG, BP_TAG_UL},
	{"var", XH_TAG, BP_TAG_EM},
};

#define XH_FRAME_BOUNDARY 0x80	/* frame byte: a boundary after the content */

/* State of one document's walk. */
typedef struct xh_walk
{
	bp_ctx	   *ctx;
	const char *doc_path;
	const bp_xhtml_cb *cb;
	bp_buf		stack;			/* one byte per open element */
	bp_buf		tmp;
} xh_walk;

/* bsearch comparison of a name with a table entry. */
static int
xh_cmp(const void *key, const void *elem)
{
	return strcmp((const char *) key, ((const xh_elem *) elem)->name);
}

/* Table entry of an element (by lower-cased local name), or NULL. */
static const xh_elem *
xh_lookup(const xmlNode *node)
{
	const char *name = bp_xml_name(node);
	char		lower[24];
	size_t		i;

	for (i = 0; i < sizeof(lower) - 1 && name[i]; i++)
	{
		char		c = name[i];

		lower[i] = (c >= 'A' && c <= 'Z') ? (char) (c + 'a' - 'A') : c;
	}
	if (name[i])
		return NULL;
	lower[i] = '\0';
	return bsearch(lower, xh_elems, sizeof(xh_elems) / sizeof(xh_elems[0]),
				   sizeof(xh_elem), xh_cmp);
}

/* Is this the epub:case of an epub:switch (alternative content)? */
static bool
xh_is_epub_case(const xmlNode *node)
{
	return bp_xml_is(node, "case") && node->ns != NULL && node->ns->href != NULL &&
		strstr((const char *) node->ns->href, "idpf.org/2007/ops") != NULL;
}

/* Is this an element whose content is never text? */
bool
bp_xhtml_is_dropped(const xmlNode *node)
{
	const xh_elem *e;

	if (node == NULL || node->type != XML_ELEMENT_NODE)
		return false;
	if (xh_is_epub_case(node))
		return true;
	e = xh_lookup(node);
	return e != NULL && e->kind == XH_DROP;
}

/* The <body> of a document, or its root element when it has none. */
xmlNode *
bp_xhtml_body(xmlDoc *doc)
{
	xmlNode    *root = doc ? xmlDocGetRootElement(doc) : NULL;
	xmlNode    *body;

	if (root == NULL)
		return NULL;
	if (bp_xml_is(root, "body"))
		return root;
	body = bp_xml_child(root, "body");
	if (body == NULL)
		body = bp_xml_find(root, "body");
	return body ? body : root;
}

/* Text of the first h1-h6 below the body; with use_title, else <title>. */
char *
bp_xhtml_first_heading(bp_ctx *ctx, xmlDoc *doc, bool use_title)
{
	xmlNode    *body = bp_xhtml_body(doc);
	xmlNode    *n;
	char	   *t = NULL;

	if (body == NULL)
		return NULL;
	n = body->children;
	while (n != NULL && t == NULL)
	{
		bool		descend = true;

		if (n->type == XML_ELEMENT_NODE)
		{
			const char *name = bp_xml_name(n);

			if ((name[0] == 'h' || name[0] == 'H') && name[1] >= '1' &&
				name[1] <= '6' && name[2] == '\0')
			{
				t = bp_xml_text(ctx, n);
				descend = false;
			}
			else if (bp_xhtml_is_dropped(n))
				descend = false;
		}
		n = bp_xml_walk_next(body, n, descend);
	}
	if (t == NULL && use_title)
	{
		xmlNode    *root = xmlDocGetRootElement(doc);
		xmlNode    *head = bp_xml_child(root, "head");

		if (head != NULL && bp_xml_child(head, "title") != NULL)
			t = bp_xml_text(ctx, bp_xml_child(head, "title"));
	}
	return t;
}

/* Does [s, s+len) hold anything but whitespace? */
static bool
xh_has_nonspace(const char *s, size_t len)
{
	size_t		i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return true;
	return false;
}

/* Write text, telling the caller first when it is real content. */
static bool
xh_text(xh_walk *w, const char *s, size_t len)
{
	if (len == 0)
		return true;
	if (w->cb && w->cb->on_content && xh_has_nonspace(s, len) &&
		!w->cb->on_content(w->cb->arg))
		return false;
	return bp_w_text(w->ctx, s, len);
}

/* Is href an external link we keep as written? */
static bool
xh_external(const char *href)
{
	return strncasecmp(href, "http://", 7) == 0 ||
		strncasecmp(href, "https://", 8) == 0 ||
		strncasecmp(href, "mailto:", 7) == 0;
}

/* Resolve a link target: zip path (+#fragment), external kept, else NULL. */
static char *
xh_link(xh_walk *w, const char *href)
{
	char	   *path,
			   *frag = NULL,
			   *out;

	while (*href == ' ' || *href == '\t' || *href == '\n' || *href == '\r')
		href++;
	if (*href == '\0')
		return NULL;
	if (xh_external(href))
		return bp_strdup(w->ctx, href);
	path = bp_path_resolve(w->ctx, w->doc_path, href, &frag, NULL);
	if (path == NULL)
		return NULL;
	if (frag == NULL)
		return path;
	out = bp_sprintf(w->ctx, "%s#%s", path, frag);
	bp_free(w->ctx, path);
	bp_free(w->ctx, frag);
	return out;
}

/* An image element: resolved src (never remote) and alt. */
static bool
xh_image(xh_walk *w, const char *src, const char *alt)
{
	char	   *path;
	bool		ok;

	if (src == NULL)
		return true;
	path = bp_path_resolve(w->ctx, w->doc_path, src, NULL, NULL);
	if (path == NULL)
		return !bp_failed(w->ctx);
	if (w->cb && w->cb->on_content && !w->cb->on_content(w->cb->arg))
	{
		bp_free(w->ctx, path);
		return false;
	}
	ok = bp_w_img(w->ctx, path, alt);
	bp_free(w->ctx, path);
	return ok;
}

/*
 * Enter an element: write what it opens and push one frame byte when its
 * content is to be walked.  Returns false on failure; *descend says
 * whether to walk the content.
 */
static bool
xh_enter(xh_walk *w, xmlNode *node, bool *descend)
{
	const xh_elem *e = xh_lookup(node);
	xh_kind		kind = e ? e->kind : XH_UNWRAP;
	const char *id = bp_xml_attr(node, "id");
	unsigned char frame = BP_TAG_NONE;
	bp_ctx	   *ctx = w->ctx;

	*descend = false;
	if (xh_is_epub_case(node))
		kind = XH_DROP;
	if (kind == XH_DROP)
		return true;
	if (id == NULL && kind == XH_A)
		id = bp_xml_attr(node, "name");
	if (id != NULL && *id && w->cb && w->cb->on_id && !w->cb->on_id(w->cb->arg, id))
		return false;

	switch (kind)
	{
		case XH_TAG:
			if (!bp_w_open(ctx, e->tag, NULL, id))
				return false;
			frame = (unsigned char) e->tag;
			break;
		case XH_BOUNDARY:
			if (!bp_w_boundary(ctx))
				return false;
			frame = XH_FRAME_BOUNDARY;
			break;
		case XH_A:
			{
				const char *href = bp_xml_attr(node, "href");
				char	   *link = href ? xh_link(w, href) : NULL;

				if (bp_failed(ctx))
					return false;
				if (link != NULL || (id != NULL && *id))
				{
					bool		ok = bp_w_open(ctx, BP_TAG_A, link, id);

					bp_free(ctx, link);
					if (!ok)
						return false;
					frame = BP_TAG_A;
				}
				break;
			}
		case XH_BR:
			return bp_w_br(ctx);
		case XH_HR:
			return bp_w_hr(ctx);
		case XH_IMG:
			if (!xh_image(w, bp_xml_attr(node, "src"), bp_xml_attr(node, "alt")))
				return false;
			break;
		case XH_SVGIMAGE:
			if (!xh_image(w, bp_xml_attr(node, "href"), NULL))
				return false;
			break;
		case XH_UNWRAP:
		case XH_DROP:
			break;
	}
	if (node->children == NULL)
	{
		/* nothing inside: close at once */
		if (frame & XH_FRAME_BOUNDARY)
			return bp_w_boundary(ctx);
		if (frame != BP_TAG_NONE)
			return bp_w_close(ctx, (bp_tag) frame);
		return true;
	}
	if (!bp_buf_putc(&w->stack, (char) frame))
		return false;
	*descend = true;
	return true;
}

/* Leave an element whose content was walked: pop and close its frame. */
static bool
xh_leave(xh_walk *w)
{
	unsigned char frame;

	if (w->stack.len == 0)
		return true;
	frame = (unsigned char) w->stack.data[--w->stack.len];
	if (frame & XH_FRAME_BOUNDARY)
		return bp_w_boundary(w->ctx);
	if (frame != BP_TAG_NONE)
		return bp_w_close(w->ctx, (bp_tag) frame);
	return true;
}

/* Write the content of body to the chapter writer (see bp_epub.h). */
bool
bp_xhtml_write(bp_ctx *ctx, xmlNode *body, const char *doc_path,
			   const bp_xhtml_cb *cb)
{
	xh_walk		w;
	xmlNode    *node;
	bool		ok = true;

	if (body == NULL || bp_failed(ctx))
		return !bp_failed(ctx);
	memset(&w, 0, sizeof(w));
	w.ctx = ctx;
	w.doc_path = doc_path;
	w.cb = cb;
	bp_buf_init(&w.stack, ctx);
	bp_buf_init(&w.tmp, ctx);

	ok = bp_w_boundary(ctx);
	node = body->children;
	while (ok && node != NULL)
	{
		bool		descend = false;

		switch (node->type)
		{
			case XML_TEXT_NODE:
			case XML_CDATA_SECTION_NODE:
				if (node->content != NULL)
					ok = xh_text(&w, (const char *) node->content,
								 strlen((const char *) node->content));
				break;
			case XML_ENTITY_REF_NODE:
				bp_buf_reset(&w.tmp);
				ok = bp_xml_ref_text(ctx, node, &w.tmp);
				if (ok && w.tmp.len > 0)
					ok = xh_text(&w, w.tmp.data, w.tmp.len);
				break;
			case XML_ELEMENT_NODE:
				ok = xh_enter(&w, node, &descend);
				break;
			default:
				break;
		}
		if (!ok)
			break;
		if (descend)
		{
			node = node->children;
			continue;
		}
		/* next sibling, else climb, leaving each element on the way */
		for (;;)
		{
			if (node->next != NULL)
			{
				node = node->next;
				break;
			}
			node = node->parent;
			if (node == NULL || node == body)
			{
				node = NULL;
				break;
			}
			if (!(ok = xh_leave(&w)))
				break;
		}
	}
	/* close whatever is still open (only after a failure) */
	while (ok && w.stack.len > 0)
		ok = xh_leave(&w);
	if (ok)
		ok = bp_w_boundary(ctx);
	bp_buf_free(&w.stack);
	bp_buf_free(&w.tmp);
	return ok && !bp_failed(ctx);
}

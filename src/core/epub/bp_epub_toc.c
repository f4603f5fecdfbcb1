/*-------------------------------------------------------------------------
 *
 * bp_epub_toc.c
 *	  The table of contents of an EPUB: the EPUB 3 navigation document
 *	  (<nav epub:type="toc">), else the EPUB 2 NCX (navMap/navPoint).
 *
 * Every entry goes into the book's toc as found (title, resolved
 * href#fragment, depth) and into ep->toc, from which bp_epub.c plans the
 * chapters.  Hrefs are resolved against the TOC document's own path.
 * Walks are iterative; depth is counted from the list nesting.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include <libxml/tree.h>

#include "bp_epub.h"

#define BP_TOC_MAX_ENTRIES 100000

/* Record one TOC entry found in toc_doc (a zip path). */
static bool
toc_add(bp_epub *ep, const char *toc_doc, const char *title, const char *href,
		int depth)
{
	bp_ctx	   *ctx = ep->ctx;
	bp_epub_toc *t;
	char	   *path = NULL,
			   *frag = NULL,
			   *full = NULL;
	char	   *clean = NULL;

	if (ep->ntoc >= BP_TOC_MAX_ENTRIES)
	{
		if (ep->ntoc == BP_TOC_MAX_ENTRIES)
		{
			bp_warn(ctx, "toc_truncated", "more than %d TOC entries; the rest ignored",
					BP_TOC_MAX_ENTRIES);
			ep->ntoc++;
		}
		return true;
	}
	if (title != NULL)
		clean = bp_clean_space(ctx, title, strlen(title));
	if (href != NULL && *href)
	{
		path = bp_path_resolve(ctx, toc_doc, href, &frag, NULL);
		if (path != NULL)
			full = frag ? bp_sprintf(ctx, "%s#%s", path, frag) : bp_strdup(ctx, path);
	}
	if (bp_failed(ctx))
		return false;
	if (clean == NULL && full == NULL)
		return true;
	ep->toc = bp_array_grow(ctx, ep->toc, &ep->toc_cap, ep->ntoc + 1,
							sizeof(bp_epub_toc));
	if (ep->toc == NULL)
		return false;
	t = &ep->toc[ep->ntoc++];
	memset(t, 0, sizeof(*t));
	t->title = clean;
	t->path = path;
	t->frag = frag;
	t->depth = depth < 1 ? 1 : depth;
	t->spine = -1;
	if (!bp_toc_add(ctx, clean, full, t->depth))
		return false;
	if (full)
		bp_free(ctx, full);
	return true;
}

/* Is n an element with local name a or b (b may be NULL)? */
static bool
is_level(const xmlNode *n, const char *a, const char *b)
{
	return bp_xml_is(n, a) || (b != NULL && bp_xml_is(n, b));
}

/*
 * Next node in document order below top (like bp_xml_walk_next), keeping
 * *depth the number of elements named a or b that contain the node.
 */
static xmlNode *
walk_depth(const xmlNode *top, xmlNode *n, bool descend, int *depth,
		   const char *a, const char *b)
{
	if (descend && n->type == XML_ELEMENT_NODE && n->children != NULL)
	{
		if (n != top && is_level(n, a, b))
			(*depth)++;
		return n->children;
	}
	while (n != NULL && n != top)
	{
		if (n->next != NULL)
			return n->next;
		n = n->parent;
		if (n == NULL || n == top)
			return NULL;
		if (is_level(n, a, b))
			(*depth)--;
	}
	return NULL;
}

/* The label element of a nav <li>: its a or span, not a nested list's. */
static xmlNode *
nav_label(xmlNode *li)
{
	xmlNode    *c;
	int			budget = 1000;	/* nodes looked at: no quadratic walks */

	for (c = li->children; c != NULL; c = c->next)
		if (bp_xml_is(c, "a") || bp_xml_is(c, "span"))
			return c;
	/* a label wrapped in something else: first a/span before a list */
	c = li->children;
	while (c != NULL && --budget > 0)
	{
		bool		descend = true;

		if (bp_xml_is(c, "ol") || bp_xml_is(c, "ul"))
			descend = false;
		else if (bp_xml_is(c, "a") || bp_xml_is(c, "span"))
			return c;
		c = bp_xml_walk_next(li, c, descend);
	}
	return NULL;
}

/* Read the EPUB 3 navigation document of manifest item idx. */
static bool
read_nav(bp_epub *ep, int idx)
{
	bp_ctx	   *ctx = ep->ctx;
	bp_epub_item *it = &ep->items[idx];
	xmlDoc	   *doc;
	xmlNode    *root,
			   *n,
			   *nav = NULL;
	int			depth = 0;

	doc = bp_epub_read_xml(ep, it->entry, it->path,
						   BP_XML_HTML_ENTITIES | BP_XML_HTML_FALLBACK);
	if (doc == NULL)
		return !bp_failed(ctx);
	root = xmlDocGetRootElement(doc);
	for (n = root; n != NULL; n = bp_xml_walk_next(root, n, true))
	{
		if (!bp_xml_is(n, "nav"))
			continue;
		if (nav == NULL)
			nav = n;
		if (bp_has_token(bp_xml_attr(n, "type"), "toc"))
		{
			nav = n;
			break;
		}
	}
	n = nav;
	while (n != NULL && !bp_failed(ctx))
	{
		bool		descend = true;

		if (n != nav && bp_xml_is(n, "li"))
		{
			xmlNode    *label = nav_label(n);
			char	   *title = label ? bp_xml_text(ctx, label) : NULL;
			const char *href = (label && bp_xml_is(label, "a")) ?
			bp_xml_attr(label, "href") : NULL;

			if (title == NULL && label != NULL && bp_xml_attr(label, "title"))
				title = bp_strdup(ctx, bp_xml_attr(label, "title"));
			if (!toc_add(ep, it->path, title, href, depth))
				break;
			if (title)
				bp_free(ctx, title);
		}
		else if (bp_xhtml_is_dropped(n))
			descend = false;
		n = walk_depth(nav, n, descend, &depth, "ol", "ul");
	}
	bp_xml_free(doc);
	return !bp_failed(ctx);
}

/* Read the NCX document of manifest item idx (or a bare zip entry). */
static bool
read_ncx(bp_epub *ep, const bp_zip_entry *e, const char *path)
{
	bp_ctx	   *ctx = ep->ctx;
	xmlDoc	   *doc;
	xmlNode    *root,
			   *map,
			   *n;
	int			depth = 0;

	doc = bp_epub_read_xml(ep, e, path, BP_XML_HTML_ENTITIES);
	if (doc == NULL)
		return !bp_failed(ctx);
	root = xmlDocGetRootElement(doc);
	map = bp_xml_is(root, "navMap") ? root : bp_xml_find(root, "navMap");
	n = map;
	while (n != NULL && !bp_failed(ctx))
	{
		if (n != map && bp_xml_is(n, "navPoint"))
		{
			xmlNode    *label = bp_xml_child(n, "navLabel");
			xmlNode    *content = bp_xml_child(n, "content");
			char	   *title = NULL;

			if (label != NULL)
				title = bp_xml_text(ctx, bp_xml_child(label, "text") ?
									bp_xml_child(label, "text") : label);
			if (!toc_add(ep, path, title,
						 content ? bp_xml_attr(content, "src") : NULL, depth + 1))
				break;
			if (title)
				bp_free(ctx, title);
		}
		n = walk_depth(map, n, true, &depth, "navPoint", NULL);
	}
	bp_xml_free(doc);
	return !bp_failed(ctx);
}

/* Fill ep->toc from the nav document, else the NCX (see bp_epub.h). */
bool
bp_epub_read_toc(bp_epub *ep)
{
	bp_ctx	   *ctx = ep->ctx;
	int			i,
				ncx = -1;

	for (i = 0; i < ep->nitems; i++)
	{
		bp_epub_item *it = &ep->items[i];

		if (it->entry != NULL && bp_has_token(it->properties, "nav"))
		{
			if (!read_nav(ep, i))
				return false;
			if (ep->ntoc > 0)
			{
				ctx->book->toc_source = bp_strdup(ctx, "nav");
				return !bp_failed(ctx);
			}
			bp_warn(ctx, "nav_empty", "%s: navigation document without TOC entries",
					it->path);
			break;
		}
	}

	if (ep->spine_toc != NULL)
	{
		ncx = bp_epub_find_item(ep, ep->spine_toc);
		if (ncx >= 0 && ep->items[ncx].entry == NULL)
			ncx = -1;
	}
	for (i = 0; ncx < 0 && i < ep->nitems; i++)
		if (ep->items[i].entry != NULL && ep->items[i].media_type != NULL &&
			strcmp(ep->items[i].media_type, "application/x-dtbncx+xml") == 0)
			ncx = i;
	if (ncx >= 0)
	{
		if (!read_ncx(ep, ep->items[ncx].entry, ep->items[ncx].path))
			return false;
	}
	else
	{
		/* an NCX the manifest does not list */
		for (i = 0; i < ep->zip->nentries; i++)
		{
			const bp_zip_entry *e = &ep->zip->entries[i];

			if (bp_has_suffix_ci(e->name, ".ncx"))
			{
				if (!read_ncx(ep, e, e->name))
					return false;
				break;
			}
		}
	}
	if (ep->ntoc > 0)
		ctx->book->toc_source = bp_strdup(ctx, "ncx");
	return !bp_failed(ctx);
}

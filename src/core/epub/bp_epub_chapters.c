/*-------------------------------------------------------------------------
 *
 * bp_epub_chapters.c
 *	  EPUB chapters: the spine documents in reading order, split where the
 *	  TOC points (a document's start or the element of a #fragment); see
 *	  bp_epub.c's header for the rules.
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "bp_epub.h"

/* A TOC entry in a document's fragment index. */
typedef struct frag_key
{
	const char *frag;
	int			toc;
} frag_key;

/* State of writing one spine document. */
typedef struct chap_state
{
	bp_epub    *ep;
	const char *path;
	xmlDoc	   *doc;
	frag_key   *frags;			/* this document's #fragment entries */
	int			nfrags;
	bool		lead_pending;	/* a leading chapter starts at content */
} chap_state;

/* qsort comparison of fragment keys: by fragment, then TOC order. */
static int
frag_cmp(const void *a, const void *b)
{
	const frag_key *x = a,
			   *y = b;
	int			c = strcmp(x->frag, y->frag);

	if (c != 0)
		return c;
	return (x->toc > y->toc) - (x->toc < y->toc);
}

/* First fragment key equal to id, or -1. */
static int
frag_find(const chap_state *cs, const char *id)
{
	int			lo = 0,
				hi = cs->nfrags;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (strcmp(cs->frags[mid].frag, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo < cs->nfrags && strcmp(cs->frags[lo].frag, id) == 0) ? lo : -1;
}

/* Start the chapter of TOC entry t. */
static bool
start_toc_chapter(bp_epub *ep, int t)
{
	bp_ctx	   *ctx = ep->ctx;
	bp_epub_toc *e = &ep->toc[t];
	char	   *source;
	bool		ok;

	e->done = true;
	source = e->frag ? bp_sprintf(ctx, "%s#%s", e->path, e->frag) : bp_strdup(ctx, e->path);
	if (source == NULL)
		return false;
	ok = bp_w_chapter(ctx, e->title, e->depth, source, false);
	bp_free(ctx, source);
	return ok;
}

/* Walk callback: an element with an id is about to be written. */
static bool
on_id(void *arg, const char *id)
{
	chap_state *cs = arg;
	int			i = frag_find(cs, id);

	if (i < 0)
		return true;
	for (; i < cs->nfrags && strcmp(cs->frags[i].frag, id) == 0; i++)
	{
		bp_epub_toc *e = &cs->ep->toc[cs->frags[i].toc];

		if (e->found && !e->done)
		{
			if (!start_toc_chapter(cs->ep, cs->frags[i].toc))
				return false;
			cs->lead_pending = false;
		}
	}
	return true;
}

static char *lead_title(chap_state *cs);

/* Walk callback: content is about to be written (leading chapter). */
static bool
on_content(void *arg)
{
	chap_state *cs = arg;
	bp_ctx	   *ctx = cs->ep->ctx;
	char	   *title;
	bool		ok;

	if (!cs->lead_pending)
		return true;
	cs->lead_pending = false;
	if (bp_w_in_chapter(ctx))
		return true;
	title = lead_title(cs);
	ok = bp_w_chapter(ctx, title, 1, cs->path, false);
	if (title)
		bp_free(ctx, title);
	return ok;
}

/* The id an element is known by for TOC targets (id, or a@name). */
static const char *
element_id(const xmlNode *n)
{
	const char *id = bp_xml_attr(n, "id");

	if (id == NULL && bp_xml_is(n, "a"))
		id = bp_xml_attr(n, "name");
	return id;
}

/* Mark the fragment entries whose element the body holds. */
static void
find_fragments(chap_state *cs, xmlNode *body)
{
	xmlNode    *n;

	if (cs->nfrags == 0 || body == NULL)
		return;
	n = body->children;
	while (n != NULL)
	{
		bool		descend = true;

		if (n->type == XML_ELEMENT_NODE)
		{
			if (bp_xhtml_is_dropped(n))
				descend = false;
			else
			{
				const char *id = element_id(n);
				int			i = id ? frag_find(cs, id) : -1;

				for (; i >= 0 && i < cs->nfrags && strcmp(cs->frags[i].frag, id) == 0; i++)
					cs->ep->toc[cs->frags[i].toc].found = true;
			}
		}
		n = bp_xml_walk_next(body, n, descend);
	}
}

/*
 * Title of a leading chapter: the document's first heading that comes
 * before the first TOC target in it (a later heading is not its title).
 */
static char *
lead_title(chap_state *cs)
{
	xmlNode    *body = bp_xhtml_body(cs->doc);
	xmlNode    *n = body ? body->children : NULL;

	while (n != NULL)
	{
		bool		descend = true;

		if (n->type == XML_ELEMENT_NODE)
		{
			const char *name = bp_xml_name(n);
			const char *id = element_id(n);

			if (id != NULL && frag_find(cs, id) >= 0 &&
				cs->ep->toc[cs->frags[frag_find(cs, id)].toc].found)
				return NULL;
			if (bp_xhtml_is_dropped(n))
				descend = false;
			else if ((name[0] == 'h' || name[0] == 'H') && name[1] >= '1' &&
					 name[1] <= '6' && name[2] == '\0')
				return bp_xml_text(cs->ep->ctx, n);
		}
		n = bp_xml_walk_next(body, n, descend);
	}
	return NULL;
}

/* Report progress after a document of n inflated bytes. */
static bool
doc_progress(bp_epub *ep, size_t n)
{
	bp_ctx	   *ctx = ep->ctx;
	double		f;

	ep->done_bytes += n;
	f = ep->spine_bytes > 0 ? (double) ep->done_bytes / (double) ep->spine_bytes : 1.0;
	if (f > 1.0)
		f = 1.0;
	return bp_progress(ctx, BP_PHASE_PARSING, (size_t) (f * (double) ctx->input_len));
}

/*
 * Write spine document pos.  order[lo..hi) are the TOC entries that point
 * at it, in TOC order; with whole, the document is one chapter of its own.
 */
static bool
write_document(bp_epub *ep, int pos, const int *order, int lo, int hi,
			   bool whole, bool headings)
{
	bp_ctx	   *ctx = ep->ctx;
	bp_epub_item *it = &ep->items[ep->spine[pos].item];
	chap_state	cs;
	bp_xhtml_cb cb;
	xmlNode    *body;
	int			i;
	bool		ok = true;

	memset(&cs, 0, sizeof(cs));
	cs.ep = ep;
	cs.path = it->path;
	bp_set_activity(ctx, "parsing %s", it->path);
	cs.doc = bp_epub_read_xml(ep, it->entry, it->path,
							  BP_XML_HTML_ENTITIES | BP_XML_HTML_FALLBACK);
	if (cs.doc == NULL)
	{
		if (bp_failed(ctx))
			return false;
		bp_epub_note_unread(ep, it->entry);
		/* keep the TOC's shape even when the document is unreadable */
		for (i = lo; i < hi && !whole; i++)
			if (!ep->toc[order[i]].done && !start_toc_chapter(ep, order[i]))
				return false;
		return doc_progress(ep, (size_t) it->entry->uncomp_size);
	}
	ep->ndocs_read++;
	body = bp_xhtml_body(cs.doc);

	if (whole)
	{
		char	   *title = NULL;
		int			depth = 1;

		if (lo < hi)
		{
			title = ep->toc[order[lo]].title ? bp_strdup(ctx, ep->toc[order[lo]].title) : NULL;
			depth = ep->toc[order[lo]].depth;
		}
		if (title == NULL)
			title = bp_xhtml_first_heading(ctx, cs.doc, true);
		ok = bp_w_chapter(ctx, title, depth, it->path, false);
		if (ok && headings && title != NULL && ep->ntoc == 0)
			ok = bp_toc_add(ctx, title, it->path, 1);
		if (title)
			bp_free(ctx, title);
	}
	else
	{
		/* this document's #fragment entries, indexed */
		for (i = lo; i < hi; i++)
			if (ep->toc[order[i]].frag != NULL)
				cs.nfrags++;
		if (cs.nfrags > 0)
		{
			int			k = 0;

			cs.frags = bp_alloc(ctx, (size_t) cs.nfrags * sizeof(frag_key));
			if (cs.frags == NULL)
				ok = false;
			for (i = lo; ok && i < hi; i++)
				if (ep->toc[order[i]].frag != NULL)
				{
					cs.frags[k].frag = ep->toc[order[i]].frag;
					cs.frags[k++].toc = order[i];
				}
			if (ok)
				qsort(cs.frags, (size_t) cs.nfrags, sizeof(frag_key), frag_cmp);
			if (ok)
				find_fragments(&cs, body);
		}
		/* entries at the document's start (or whose target is missing) */
		for (i = lo; ok && i < hi; i++)
		{
			bp_epub_toc *e = &ep->toc[order[i]];

			if (e->frag != NULL && e->found)
				continue;
			if (e->frag != NULL && ep->nmissing_targets++ == 0)
				ep->first_missing_target = order[i];
			ok = start_toc_chapter(ep, order[i]);
		}
		cs.lead_pending = !bp_w_in_chapter(ctx);
	}

	if (ok)
	{
		cb.on_id = whole ? NULL : on_id;
		cb.on_content = whole ? NULL : on_content;
		cb.arg = &cs;
		ok = bp_xhtml_write(ctx, body, it->path, &cb);
	}
	/* entries whose element was never reached keep their (empty) chapter */
	for (i = lo; ok && !whole && i < hi; i++)
		if (!ep->toc[order[i]].done)
			ok = start_toc_chapter(ep, order[i]);

	if (cs.frags)
		bp_free(ctx, cs.frags);
	bp_xml_free(cs.doc);
	return ok && doc_progress(ep, (size_t) it->entry->uncomp_size);
}

/*
 * A TOC entry whose path names no item: find the one spine document with
 * the same file name (a TOC written for another directory).  Fixes the
 * entry (and the book's copy of it) and sets *idx.
 */
static bool
repair_toc_path(bp_epub *ep, int t, int *idx)
{
	bp_ctx	   *ctx = ep->ctx;
	bp_epub_toc *e = &ep->toc[t];
	const char *base = strrchr(e->path, '/');
	int			pos,
				found = -1,
				found_linear = -1,
				n = 0,
				nlinear = 0;

	/* each try scans the spine: bounded, so a hostile TOC stays linear */
	if (++ep->nrepairs > 1000)
		return false;
	base = base ? base + 1 : e->path;
	for (pos = 0; pos < ep->nspine; pos++)
	{
		const char *p = ep->items[ep->spine[pos].item].path;
		const char *pb = strrchr(p, '/');

		pb = pb ? pb + 1 : p;
		if (strcmp(pb, base) != 0)
			continue;
		n++;
		found = ep->spine[pos].item;
		if (ep->spine[pos].linear)
		{
			nlinear++;
			found_linear = found;
		}
	}
	/* one such document, or one in the reading order */
	if (nlinear == 1)
		found = found_linear;
	else if (n != 1)
		return false;
	e->path = ep->items[found].path;
	if (t < ctx->book->ntoc)
		ctx->book->toc[t].href = e->frag ?
			bp_sprintf(ctx, "%s#%s", e->path, e->frag) : bp_strdup(ctx, e->path);
	*idx = found;
	return !bp_failed(ctx);
}

/* Write all chapters: linear documents, then non-linear ones. */
bool
bp_epub_write_chapters(bp_epub *ep)
{
	bp_ctx	   *ctx = ep->ctx;
	int		   *order = NULL;
	int		   *start = NULL;
	int			norder = 0,
				i,
				pos,
				hits = 0,
				nrepaired = 0;
	bool		headings;
	bool		ok = true;

	/* map TOC entries to spine positions */
	for (i = 0; i < ep->ntoc; i++)
	{
		int			idx = bp_epub_find_path(ep, ep->toc[i].path);

		if (idx < 0 && ep->toc[i].path != NULL && repair_toc_path(ep, i, &idx))
			nrepaired++;

		ep->toc[i].spine = idx >= 0 ? ep->items[idx].spine_pos : -1;
		if (ep->toc[i].spine >= 0 && ep->spine[ep->toc[i].spine].linear)
			hits++;
	}
	if (nrepaired > 0)
		bp_warn(ctx, "toc_href_repaired",
				"%d TOC hrefs name no document; matched to a spine document by file name",
				nrepaired);
	headings = hits == 0;
	if (headings && ep->ntoc > 0)
		bp_warn(ctx, "toc_unusable",
				"no TOC entry points into the reading order; one chapter per document");
	if (headings && ctx->book->toc_source == NULL)
		ctx->book->toc_source = bp_strdup(ctx, "headings");

	/* entries grouped by spine position (counting sort keeps TOC order) */
	start = bp_alloc0(ctx, (size_t) (ep->nspine + 1) * sizeof(int));
	order = bp_alloc(ctx, (size_t) (ep->ntoc + 1) * sizeof(int));
	if (start == NULL || order == NULL)
		return false;
	for (i = 0; i < ep->ntoc; i++)
		if (ep->toc[i].spine >= 0)
			start[ep->toc[i].spine + 1]++;
	for (pos = 0; pos < ep->nspine; pos++)
		start[pos + 1] += start[pos];
	{
		int		   *fill = bp_alloc(ctx, (size_t) (ep->nspine + 1) * sizeof(int));

		if (fill == NULL)
			return false;
		memcpy(fill, start, (size_t) (ep->nspine + 1) * sizeof(int));
		for (i = 0; i < ep->ntoc; i++)
			if (ep->toc[i].spine >= 0)
				order[fill[ep->toc[i].spine]++] = i;
		norder = start[ep->nspine];
		bp_free(ctx, fill);
	}
	(void) norder;

	for (pos = 0; ok && pos < ep->nspine; pos++)
		if (ep->spine[pos].linear)
			ok = write_document(ep, pos, order, start[pos], start[pos + 1],
								headings, headings);
	for (pos = 0; ok && pos < ep->nspine; pos++)
		if (!ep->spine[pos].linear)
			ok = write_document(ep, pos, order, start[pos], start[pos + 1], true, false);

	if (ok && ep->nmissing_targets > 0)
	{
		bp_epub_toc *e = &ep->toc[ep->first_missing_target];

		bp_warn(ctx, "toc_target_missing",
				"%d TOC entries name an id their document lacks; they start at the "
				"document, first: \"%s\" -> %s#%s", ep->nmissing_targets,
				e->title ? e->title : "", e->path, e->frag);
	}
	bp_free(ctx, order);
	bp_free(ctx, start);
	return ok && !bp_failed(ctx);
}

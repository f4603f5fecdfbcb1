/*-------------------------------------------------------------------------
 *
 * bp_fb2_meta.c
 *	  FB2 metadata: the <description>.  Authors and translators as creators
 *	  with file-as, genres as subjects, title, language, the annotation as
 *	  plain text, the cover image's id, the series (<sequence>), publisher,
 *	  year, ISBN and the document id.
 *
 *-------------------------------------------------------------------------
 */
#include <libxml/tree.h>

#include "bp_fb2_int.h"

/* ---- text helpers ---- */

/* Text of a child element, or NULL. */
static char *
fb2_child_text(bp_ctx *ctx, const xmlNode *parent, const char *name)
{
	const xmlNode *c = bp_xml_child(parent, name);

	return c ? bp_xml_text(ctx, c) : NULL;
}

/*
 * Plain text of block content (an annotation): the text of each paragraph
 * on its own line.
 */
static char *
fb2_block_text(bp_ctx *ctx, const xmlNode *node)
{
	static const char *const leaves[] = {
		"p", "v", "subtitle", "text-author", "date", "td", "th", "title", NULL
	};
	bp_buf		b;
	const xmlNode *n;

	bp_buf_init(&b, ctx);
	n = bp_xml_walk_next(node, node, true);
	while (n != NULL && !bp_failed(ctx))
	{
		bool		descend = true;

		if (n->type == XML_ELEMENT_NODE && bp_fb2_is_any(n, leaves))
		{
			char	   *t = bp_xml_text(ctx, n);

			if (t)
			{
				if (b.len > 0)
					bp_buf_putc(&b, '\n');
				bp_buf_puts(&b, t);
				bp_free(ctx, t);
			}
			descend = false;
		}
		n = bp_xml_walk_next(node, n, descend);
	}
	if (b.len == 0)
	{
		bp_buf_free(&b);
		return bp_xml_text(ctx, node);
	}
	return bp_buf_steal(&b, NULL);
}

/* ---- metadata ---- */

/* Add an author or translator element as a creator. */
static bool
fb2_person(bp_ctx *ctx, const xmlNode *p, const char *role)
{
	char	   *first = fb2_child_text(ctx, p, "first-name");
	char	   *middle = fb2_child_text(ctx, p, "middle-name");
	char	   *last = fb2_child_text(ctx, p, "last-name");
	char	   *nick = fb2_child_text(ctx, p, "nickname");
	char	   *name = NULL;
	char	   *file_as = NULL;
	bool		ok = true;

	if (first || middle || last)
		name = bp_sprintf(ctx, "%s%s%s%s%s",
						  first ? first : "", first && (middle || last) ? " " : "",
						  middle ? middle : "", middle && last ? " " : "",
						  last ? last : "");
	else if (nick)
		name = bp_strdup(ctx, nick);
	else
		name = bp_xml_text(ctx, p);		/* <author>Name</author> */
	if (last && first)
		file_as = bp_sprintf(ctx, "%s, %s", last, first);
	else if (last)
		file_as = bp_strdup(ctx, last);
	if (name && *name)
		ok = bp_meta_add_creator(ctx, name, role, file_as);
	bp_free(ctx, first);
	bp_free(ctx, middle);
	bp_free(ctx, last);
	bp_free(ctx, nick);
	bp_free(ctx, name);
	bp_free(ctx, file_as);
	return ok && !bp_failed(ctx);
}

/* Series from a <sequence name number> (the first with a name wins). */
static bool
fb2_sequence(bp_ctx *ctx, const xmlNode *parent)
{
	const xmlNode *s;
	bp_metadata *m = &ctx->book->meta;

	for (s = bp_xml_child(parent, "sequence"); s; s = bp_xml_next(s, "sequence"))
	{
		const char *name = bp_xml_attr(s, "name");
		const char *num = bp_xml_attr(s, "number");

		if (name == NULL || *name == '\0' || m->series != NULL)
			continue;
		if (!bp_meta_set(ctx, &m->series, name))
			return false;
		if (num && *num && !bp_meta_set(ctx, &m->series_index, num))
			return false;
	}
	return true;
}

/* Set a metadata field from the text of a child element. */
static bool
fb2_set_child(bp_ctx *ctx, char **field, const xmlNode *parent,
			  const char *name)
{
	char	   *t;
	bool		ok;

	if (parent == NULL || *field != NULL)
		return true;
	t = fb2_child_text(ctx, parent, name);
	ok = bp_meta_set(ctx, field, t);
	bp_free(ctx, t);
	return ok;
}

/* Read the <description>; *cover_id gets the cover binary's id or NULL. */
bool
bp_fb2_description(bp_ctx *ctx, const xmlNode *desc, char **cover_id)
{
	bp_metadata *m = &ctx->book->meta;
	const xmlNode *ti = bp_xml_child(desc, "title-info");
	const xmlNode *pi = bp_xml_child(desc, "publish-info");
	const xmlNode *di = bp_xml_child(desc, "document-info");
	const xmlNode *n;

	*cover_id = NULL;
	if (ti == NULL)
	{
		bp_warn(ctx, "fb2_no_title_info", "FB2 description without title-info");
		ti = bp_xml_child(desc, "src-title-info");
	}
	if (ti != NULL)
	{
		for (n = bp_xml_child(ti, "genre"); n; n = bp_xml_next(n, "genre"))
		{
			char	   *g = bp_xml_text(ctx, n);

			if (g && !bp_meta_add_subject(ctx, g))
				return false;
			bp_free(ctx, g);
		}
		for (n = bp_xml_child(ti, "author"); n; n = bp_xml_next(n, "author"))
			if (!fb2_person(ctx, n, "aut"))
				return false;
		for (n = bp_xml_child(ti, "translator"); n; n = bp_xml_next(n, "translator"))
			if (!fb2_person(ctx, n, "trl"))
				return false;
		if (!fb2_set_child(ctx, &m->title, ti, "book-title") ||
			!fb2_set_child(ctx, &m->language, ti, "lang"))
			return false;
		if ((n = bp_xml_child(ti, "annotation")) != NULL && m->description == NULL)
		{
			char	   *d = fb2_block_text(ctx, n);

			if (d)
				m->description = d;
		}
		if ((n = bp_xml_child(ti, "coverpage")) != NULL)
		{
			const xmlNode *img = bp_xml_child(n, "image");
			const char *href = img ? bp_xml_attr(img, "href") : NULL;

			if (href && *href)
				*cover_id = bp_strdup(ctx, href[0] == '#' ? href + 1 : href);
		}
		if (!fb2_sequence(ctx, ti))
			return false;
	}
	if (pi != NULL)
	{
		char	   *isbn;

		if (!fb2_set_child(ctx, &m->publisher, pi, "publisher") ||
			!fb2_set_child(ctx, &m->published, pi, "year"))
			return false;
		isbn = fb2_child_text(ctx, pi, "isbn");
		if (isbn && !bp_meta_add_identifier(ctx, "isbn", isbn))
			return false;
		bp_free(ctx, isbn);
		if (!fb2_sequence(ctx, pi))
			return false;
	}
	if (ti != NULL && m->published == NULL &&
		(n = bp_xml_child(ti, "date")) != NULL)
	{
		char	   *d = bp_xml_text(ctx, n);
		const char *v = bp_xml_attr(n, "value");

		if (!bp_meta_set(ctx, &m->published, d ? d : v))
			return false;
		bp_free(ctx, d);
	}
	if (di != NULL)
	{
		char	   *id = fb2_child_text(ctx, di, "id");

		if (id && !bp_meta_add_identifier(ctx, "fb2-id", id))
			return false;
		bp_free(ctx, id);
	}
	return !bp_failed(ctx);
}

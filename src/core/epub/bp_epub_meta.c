/*-------------------------------------------------------------------------
 *
 * bp_epub_meta.c
 *	  EPUB package metadata: Dublin Core title, creators with roles and
 *	  file-as (EPUB 2 attributes or EPUB 3 refines), language, identifiers,
 *	  publisher, date, description as plain text, subjects and series.
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "bp_epub.h"

/* A refining <meta> of EPUB 3 metadata. */
typedef struct opf_refine
{
	const char *refines;		/* id without '#' */
	const char *property;
	char	   *value;
	xmlNode    *node;
} opf_refine;

/* Collect the refining <meta> elements of the metadata. */
static opf_refine *
collect_refines(bp_epub *ep, xmlNode *md, int *n)
{
	bp_ctx	   *ctx = ep->ctx;
	opf_refine *r = NULL;
	int			cap = 0;
	xmlNode    *m;

	*n = 0;
	for (m = md; m != NULL; m = bp_xml_walk_next(md, m, true))
	{
		const char *ref,
				   *prop;

		if (!bp_xml_is(m, "meta"))
			continue;
		ref = bp_xml_attr(m, "refines");
		prop = bp_xml_attr(m, "property");
		if (ref == NULL || prop == NULL)
			continue;
		if (*n >= 10000)
			break;
		r = bp_array_grow(ctx, r, &cap, *n + 1, sizeof(opf_refine));
		if (r == NULL)
			return NULL;
		while (*ref == ' ' || *ref == '#')
			ref++;
		r[*n].refines = ref;
		r[*n].property = prop;
		r[*n].value = bp_xml_text(ctx, m);
		r[*n].node = m;
		(*n)++;
	}
	return r;
}

/* Value of the first refinement of element id with this property. */
static const char *
refine(opf_refine *r, int n, const char *id, const char *property)
{
	int			i;

	if (id == NULL)
		return NULL;
	for (i = 0; i < n; i++)
	{
		const char *p = r[i].property;
		const char *colon = strchr(p, ':');

		if (colon)
			p = colon + 1;
		if (strcmp(r[i].refines, id) == 0 && strcmp(p, property) == 0 && r[i].value)
			return r[i].value;
	}
	return NULL;
}

/* Description text: markup stripped, HTML entities decoded. */
static char *
strip_markup(bp_ctx *ctx, const char *s)
{
	bp_buf		b;
	size_t		i = 0,
				len = strlen(s);

	bp_buf_init(&b, ctx);
	if (!bp_buf_reserve(&b, len + 1))
		return NULL;
	while (i < len)
	{
		if (s[i] == '<')
		{
			const char *gt = strchr(s + i, '>');

			if (gt != NULL)
			{
				bp_buf_putc(&b, ' ');
				i = (size_t) (gt - s) + 1;
				continue;
			}
		}
		else if (s[i] == '&')
		{
			size_t		j = i + 1;
			uint32_t	cp = 0;
			char		name[33];

			while (j < len && j - i < 32 && s[j] != ';' && s[j] != '&' &&
				   s[j] != ' ' && s[j] != '<')
				j++;
			if (j < len && s[j] == ';' && j > i + 1)
			{
				memcpy(name, s + i + 1, j - i - 1);
				name[j - i - 1] = '\0';
				if (name[0] == '#')
					cp = (uint32_t) strtoul(name + 1 + (name[1] == 'x' || name[1] == 'X'),
											NULL, (name[1] == 'x' || name[1] == 'X') ? 16 : 10);
				else if (strcmp(name, "apos") == 0)
					cp = '\'';
				else
				{
					const htmlEntityDesc *d = htmlEntityLookup((const xmlChar *) name);

					cp = d ? d->value : 0;
				}
				if (cp > 0 && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF))
				{
					bp_buf_put_cp(&b, cp);
					i = j + 1;
					continue;
				}
			}
		}
		bp_buf_putc(&b, s[i]);
		i++;
	}
	if (bp_failed(ctx) || b.len == 0)
	{
		bp_buf_free(&b);
		return NULL;
	}
	return bp_buf_steal(&b, NULL);
}

/* Normalised identifier scheme name. */
static char *
id_scheme(bp_ctx *ctx, const char *s)
{
	if (s == NULL || *s == '\0')
		return NULL;
	if (strcmp(s, "15") == 0 || strcmp(s, "02") == 0)	/* ONIX codelist 5 */
		return bp_strdup(ctx, "isbn");
	if (strcmp(s, "06") == 0)
		return bp_strdup(ctx, "doi");
	if (bp_strcasecmp(s, "url") == 0)
		return bp_strdup(ctx, "uri");
	return bp_epub_lower_dup(ctx, s);
}

/* Read the metadata element of the package. */
bool
bp_epub_read_metadata(bp_epub *ep, struct _xmlNode *md)
{
	bp_ctx	   *ctx = ep->ctx;
	bp_metadata *m = &ctx->book->meta;
	opf_refine *refs;
	int			nrefs;
	xmlNode    *n,
			   *title = NULL,
			   *date = NULL;
	int			pass;
	char	   *t;
	bool		series_typed = false;

	refs = collect_refines(ep, md, &nrefs);
	if (bp_failed(ctx))
		return false;

	/* title: the main one of EPUB 3, else the first */
	for (n = md; n != NULL; n = bp_xml_walk_next(md, n, true))
		if (bp_xml_is(n, "title") && n != md)
		{
			const char *type = refine(refs, nrefs, bp_xml_attr(n, "id"), "title-type");

			if (title == NULL)
				title = n;
			if (type != NULL && strcmp(type, "main") == 0)
			{
				title = n;
				break;
			}
		}
	if (title != NULL && (t = bp_xml_text(ctx, title)) != NULL)
		bp_meta_set(ctx, &m->title, t);

	/* creators, then contributors */
	for (pass = 0; pass < 2; pass++)
		for (n = md; n != NULL; n = bp_xml_walk_next(md, n, true))
		{
			const char *id,
					   *role,
					   *file_as;

			if (!bp_xml_is(n, pass == 0 ? "creator" : "contributor"))
				continue;
			t = bp_xml_text(ctx, n);
			if (t == NULL)
				continue;
			id = bp_xml_attr(n, "id");
			role = bp_xml_attr(n, "role");
			if (role == NULL)
				role = refine(refs, nrefs, id, "role");
			if (role == NULL && pass == 1)
				role = "ctb";
			file_as = bp_xml_attr(n, "file-as");
			if (file_as == NULL)
				file_as = refine(refs, nrefs, id, "file-as");
			if (!bp_meta_add_creator(ctx, t, role, file_as))
				return false;
		}

	for (n = md; n != NULL; n = bp_xml_walk_next(md, n, true))
	{
		if (n->type != XML_ELEMENT_NODE || n == md)
			continue;
		if (bp_xml_is(n, "language"))
		{
			if ((t = bp_xml_text(ctx, n)) != NULL)
				bp_meta_set(ctx, &m->language, t);
		}
		else if (bp_xml_is(n, "identifier"))
		{
			const char *scheme = bp_xml_attr(n, "scheme");
			char	   *sch;
			const char *v;

			if ((t = bp_xml_text(ctx, n)) == NULL)
				continue;
			if (scheme == NULL)
				scheme = refine(refs, nrefs, bp_xml_attr(n, "id"), "identifier-type");
			sch = id_scheme(ctx, scheme);
			v = t;
			if (bp_epub_has_prefix_ci(v, "urn:isbn:") || bp_epub_has_prefix_ci(v, "urn:uuid:"))
			{
				if (sch == NULL)
					sch = bp_strndup(ctx, v + 4, 4);
				v += 9;
			}
			else if (bp_epub_has_prefix_ci(v, "isbn:") || bp_epub_has_prefix_ci(v, "uuid:"))
			{
				if (sch == NULL)
					sch = bp_strndup(ctx, v, 4);
				v += 5;
			}
			if (sch != NULL && (strcmp(sch, "ISBN") == 0 || strcmp(sch, "UUID") == 0))
			{
				sch[0] += 'a' - 'A';
				sch[1] += 'a' - 'A';
				sch[2] += 'a' - 'A';
				sch[3] += 'a' - 'A';
			}
			if (!bp_meta_add_identifier(ctx, sch, v))
				return false;
		}
		else if (bp_xml_is(n, "publisher"))
		{
			if ((t = bp_xml_text(ctx, n)) != NULL)
				bp_meta_set(ctx, &m->publisher, t);
		}
		else if (bp_xml_is(n, "date"))
		{
			const char *ev = bp_xml_attr(n, "event");

			if (date == NULL || (ev != NULL && strcmp(ev, "publication") == 0 &&
								 bp_xml_attr(date, "event") != NULL &&
								 strcmp(bp_xml_attr(date, "event"), "publication") != 0))
				date = n;
		}
		else if (bp_xml_is(n, "description"))
		{
			if (m->description == NULL && (t = bp_xml_text(ctx, n)) != NULL)
			{
				char	   *plain = strip_markup(ctx, t);

				if (plain != NULL)
					bp_meta_set(ctx, &m->description, plain);
			}
		}
		else if (bp_xml_is(n, "subject"))
		{
			if ((t = bp_xml_text(ctx, n)) != NULL && !bp_meta_add_subject(ctx, t))
				return false;
		}
		else if (bp_xml_is(n, "meta"))
		{
			const char *name = bp_xml_attr(n, "name");
			const char *prop = bp_xml_attr(n, "property");
			const char *content = bp_xml_attr(n, "content");

			if (prop != NULL && strcmp(prop, "belongs-to-collection") == 0 &&
				bp_xml_attr(n, "refines") == NULL)
			{
				const char *id = bp_xml_attr(n, "id");
				const char *type = refine(refs, nrefs, id, "collection-type");
				bool		typed = type != NULL && strcmp(type, "series") == 0;

				/* a series: typed "series" wins over untyped; sets are not */
				if ((type == NULL || typed) && (m->series == NULL || (typed && !series_typed)) &&
					(t = bp_xml_text(ctx, n)) != NULL)
				{
					const char *pos = refine(refs, nrefs, id, "group-position");

					m->series = NULL;
					m->series_index = NULL;
					bp_meta_set(ctx, &m->series, t);
					if (pos != NULL)
						bp_meta_set(ctx, &m->series_index, pos);
					series_typed = typed;
				}
			}
			else if (name != NULL && content != NULL &&
					 strcmp(name, "calibre:series") == 0)
				bp_meta_set(ctx, &m->series, content);
			else if (name != NULL && content != NULL &&
					 strcmp(name, "calibre:series_index") == 0 && m->series_index == NULL)
			{
				char	   *idx = bp_strdup(ctx, content);
				size_t		l = idx ? strlen(idx) : 0;

				/* calibre writes "3.0" for 3 */
				if (l > 2 && strcmp(idx + l - 2, ".0") == 0)
					idx[l - 2] = '\0';
				bp_meta_set(ctx, &m->series_index, idx);
			}
		}
		if (bp_failed(ctx))
			return false;
	}
	if (date != NULL && (t = bp_xml_text(ctx, date)) != NULL)
		bp_meta_set(ctx, &m->published, t);
	return !bp_failed(ctx);
}

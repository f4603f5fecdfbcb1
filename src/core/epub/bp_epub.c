/*-------------------------------------------------------------------------
 *
 * bp_epub.c
 *	  The EPUB 2/3 parser: OCF container, OPF package (metadata, manifest,
 *	  spine, cover, assets) and the chapters.
 *
 * Chapters follow the reading order (the spine).  A TOC entry that points
 * at a spine document starts a chapter at the document's start; one with
 * a #fragment starts a chapter just before the element with that id.
 * Documents no entry points at belong to the chapter before them; those
 * before the first TOC target form a leading chapter.  Non-linear
 * documents come last, one chapter each.  Without a usable TOC every
 * document is a chapter titled by its first heading.  Every text node of
 * every spine document's body lands in exactly one chapter.
 *
 * Real books are broken in many ways; each recovery is a warning.  The
 * parse fails only when there is no package document at all (or a limit
 * is hit); bp_parse.c fails books without text.
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "bp_epub.h"

#define EPUB_MIMETYPE "application/epub+zip"
#define OPF_MEDIA_TYPE "application/oebps-package+xml"


/* Forget a recoverable error (one document only) so the parse goes on. */
static void
clear_error(bp_ctx *ctx)
{
	ctx->err.code = BP_OK;
	ctx->err.message[0] = '\0';
}

/* Lower-case ASCII copy of s. */
char *
bp_epub_lower_dup(bp_ctx *ctx, const char *s)
{
	char	   *r = bp_strdup(ctx, s);
	char	   *p;

	for (p = r; p && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p += 'a' - 'A';
	return r;
}

/* Does s start with prefix (ASCII case-insensitive)? */
bool
bp_epub_has_prefix_ci(const char *s, const char *prefix)
{
	return s != NULL && strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- reading XML entries ---- */

/* The encoding an XML declaration or HTML meta names, into out; or false. */
static bool
declared_encoding(const unsigned char *data, size_t len, char *out, size_t outlen)
{
	size_t		lim = len < 1024 ? len : 1024;
	size_t		i;
	static const char *const keys[] = {"encoding=", "charset="};
	int			k;

	for (k = 0; k < 2; k++)
	{
		size_t		kl = strlen(keys[k]);

		for (i = 0; i + kl < lim; i++)
		{
			size_t		j,
						n = 0;

			if (strncasecmp((const char *) data + i, keys[k], kl) != 0)
				continue;
			j = i + kl;
			if (j < lim && (data[j] == '"' || data[j] == '\''))
				j++;
			while (j < lim && n + 1 < outlen &&
				   ((data[j] >= 'a' && data[j] <= 'z') || (data[j] >= 'A' && data[j] <= 'Z') ||
					(data[j] >= '0' && data[j] <= '9') || data[j] == '-' || data[j] == '_' ||
					data[j] == '.' || data[j] == ':'))
				out[n++] = (char) data[j++];
			out[n] = '\0';
			if (n > 0)
				return true;
		}
	}
	return false;
}

/*
 * Bring an entry's bytes to UTF-8: a UTF-16/32 BOM or layout, else a
 * declared encoding when the bytes are not valid UTF-8.  Returns the
 * (possibly new) buffer; *data is freed when replaced.
 */
static unsigned char *
entry_to_utf8(bp_epub *ep, unsigned char *data, size_t *len, const char *what)
{
	bp_ctx	   *ctx = ep->ctx;
	size_t		bom_len = 0;
	const char *enc = bp_bom_encoding(data, *len, &bom_len);
	char		declared[64];
	char	   *out = NULL;
	size_t		outlen = 0,
				nbad = 0;

	if (enc != NULL && strcmp(enc, "UTF-8") == 0)
		return data;			/* bp_xml_parse skips the BOM */
	if (enc == NULL && *len >= 4)
	{
		if (data[0] == 0 && data[1] == '<' && data[2] == 0)
			enc = "UTF-16BE";
		else if (data[0] == '<' && data[1] == 0 && data[2] != 0)
			enc = "UTF-16LE";
	}
	if (enc == NULL)
	{
		if (bp_utf8_valid((const char *) data, *len))
			return data;
		if (!declared_encoding(data, *len, declared, sizeof(declared)) ||
			bp_strcasecmp(declared, "utf-8") == 0 ||
			bp_strcasecmp(declared, "utf8") == 0)
			return data;		/* bad bytes become U+FFFD */
		enc = declared;
	}
	if (!bp_to_utf8(ctx, enc, data + bom_len, *len - bom_len, &out, &outlen, &nbad))
	{
		if (ctx->err.code != BP_ERR_ENCODING)
			return NULL;
		clear_error(ctx);
		bp_warn(ctx, "encoding_unknown", "%s: unknown encoding \"%s\", read as UTF-8",
				what, enc);
		return data;
	}
	if (nbad > 0)
		bp_warn(ctx, "encoding_bad_bytes", "%s: %zu bytes invalid in %s replaced",
				what, nbad, enc);
	bp_free(ctx, data);
	*len = outlen;
	return (unsigned char *) out;
}

/*
 * Read and parse an XML entry of the book.  A document that cannot be read
 * at all is a warning (NULL, ctx not failed); limits fail the parse.
 */
xmlDoc *
bp_epub_read_xml(bp_epub *ep, const bp_zip_entry *e, const char *what, int flags)
{
	bp_ctx	   *ctx = ep->ctx;
	unsigned char *data = NULL;
	size_t		len = 0;
	xmlDoc	   *doc;

	ep->last_unread = BP_EPUB_UNREAD_OTHER;
	if (e == NULL || bp_failed(ctx))
		return NULL;
	bp_set_activity(ctx, "parsing %s", what);
	if (bp_epub_is_drm(ep, e, what))
		return NULL;
	if (!bp_zip_read(ep->zip, e, &data, &len))
	{
		if (ep->zip->last_skip == BP_ZIP_SKIP_ENCRYPTED)
			ep->last_unread = BP_EPUB_UNREAD_PASSWORD;
		else if (ep->zip->last_skip == BP_ZIP_SKIP_METHOD)
			ep->last_unread = BP_EPUB_UNREAD_METHOD;
		return NULL;
	}
	data = entry_to_utf8(ep, data, &len, what);
	if (data == NULL)
		return NULL;
	doc = bp_xml_parse(ctx, (const char *) data, len, what, flags);
	bp_free(ctx, data);
	if (doc == NULL && ctx->err.code == BP_ERR_BAD_XML)
	{
		char		msg[sizeof(ctx->err.message)];

		memcpy(msg, ctx->err.message, sizeof(msg));
		clear_error(ctx);
		bp_warn(ctx, "xml_unreadable", "%s", msg);
	}
	return doc;
}

/* ---- the item indexes ---- */

/* qsort/bsearch comparison of index keys (ties: manifest order). */
static int
key_cmp(const void *a, const void *b)
{
	const bp_epub_key *x = a,
			   *y = b;
	int			c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	return (x->item > y->item) - (x->item < y->item);
}

/* The same, ignoring ASCII case. */
static int
key_cmp_ci(const void *a, const void *b)
{
	const bp_epub_key *x = a,
			   *y = b;
	int			c = bp_strcasecmp(x->key, y->key);

	if (c != 0)
		return c;
	return (x->item > y->item) - (x->item < y->item);
}

/* First index entry with this key (ci: ignoring case), or -1. */
static int
key_find(const bp_epub_key *keys, int n, const char *key, bool ci)
{
	int			lo = 0,
				hi = n;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int			c = ci ? bp_strcasecmp(keys[mid].key, key) : strcmp(keys[mid].key, key);

		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n && (ci ? bp_strcasecmp(keys[lo].key, key) : strcmp(keys[lo].key, key)) == 0)
		return keys[lo].item;
	return -1;
}

/* Build the sorted id and path indexes of the manifest. */
static bool
build_indexes(bp_epub *ep)
{
	bp_ctx	   *ctx = ep->ctx;
	int			i;

	ep->by_id = bp_alloc(ctx, (size_t) (ep->nitems + 1) * sizeof(bp_epub_key));
	ep->by_path = bp_alloc(ctx, (size_t) (ep->nitems + 1) * sizeof(bp_epub_key));
	ep->by_path_ci = bp_alloc(ctx, (size_t) (ep->nitems + 1) * sizeof(bp_epub_key));
	if (ep->by_id == NULL || ep->by_path == NULL || ep->by_path_ci == NULL)
		return false;
	for (i = 0; i < ep->nitems; i++)
	{
		if (ep->items[i].id != NULL)
		{
			ep->by_id[ep->nby_id].key = ep->items[i].id;
			ep->by_id[ep->nby_id++].item = i;
		}
		if (ep->items[i].path != NULL)
		{
			ep->by_path[ep->nby_path].key = ep->items[i].path;
			ep->by_path[ep->nby_path++].item = i;
		}
	}
	qsort(ep->by_id, (size_t) ep->nby_id, sizeof(bp_epub_key), key_cmp);
	qsort(ep->by_path, (size_t) ep->nby_path, sizeof(bp_epub_key), key_cmp);
	memcpy(ep->by_path_ci, ep->by_path, (size_t) ep->nby_path * sizeof(bp_epub_key));
	qsort(ep->by_path_ci, (size_t) ep->nby_path, sizeof(bp_epub_key), key_cmp_ci);
	return true;
}

/* Manifest item with this id, or -1. */
int
bp_epub_find_item(bp_epub *ep, const char *id)
{
	if (id == NULL || ep->by_id == NULL)
		return -1;
	return key_find(ep->by_id, ep->nby_id, id, false);
}

/* Manifest item with this zip path (exact, then ignoring case), or -1. */
int
bp_epub_find_path(bp_epub *ep, const char *path)
{
	int			i;

	if (path == NULL || ep->by_path == NULL)
		return -1;
	i = key_find(ep->by_path, ep->nby_path, path, false);
	if (i >= 0)
		return i;
	return key_find(ep->by_path_ci, ep->nby_path, path, true);
}

/* ---- container ---- */

/* Check the mimetype entry: present, first, right content. */
static bool
check_mimetype(bp_epub *ep)
{
	bp_ctx	   *ctx = ep->ctx;
	const bp_zip_entry *e = bp_zip_find(ep->zip, "mimetype");
	unsigned char *data = NULL;
	size_t		len = 0;

	if (e == NULL)
	{
		bp_warn(ctx, "mimetype_missing", "the EPUB has no mimetype entry");
		return true;
	}
	if (ep->zip->nentries > 0 && e != &ep->zip->entries[0])
		bp_warn(ctx, "mimetype_not_first", "the mimetype entry is not the first in the zip");
	if (e->uncomp_size > 256)
	{
		bp_warn(ctx, "mimetype_wrong", "the mimetype entry is not \"%s\"", EPUB_MIMETYPE);
		return true;
	}
	if (!bp_zip_read(ep->zip, e, &data, &len))
		return !bp_failed(ctx);
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r' ||
					   data[len - 1] == ' ' || data[len - 1] == '\t'))
		len--;
	if (len != strlen(EPUB_MIMETYPE) || memcmp(data, EPUB_MIMETYPE, len) != 0)
		bp_warn(ctx, "mimetype_wrong", "the mimetype entry is not \"%s\"", EPUB_MIMETYPE);
	bp_free(ctx, data);
	return true;
}

/* Find the package document: container.xml's rootfile, else any .opf. */
static bool
find_opf(bp_epub *ep)
{
	bp_ctx	   *ctx = ep->ctx;
	const bp_zip_entry *e = bp_zip_find(ep->zip, "META-INF/container.xml");
	const char *why = "META-INF/container.xml is missing";
	int			i;

	if (e != NULL)
	{
		xmlDoc	   *doc = bp_epub_read_xml(ep, e, "META-INF/container.xml", 0);
		xmlNode    *root,
				   *n,
				   *best = NULL,
				   *first = NULL;

		if (bp_failed(ctx))
			return false;
		why = "META-INF/container.xml cannot be read";
		if (doc != NULL)
		{
			root = xmlDocGetRootElement(doc);
			for (n = root; n != NULL; n = bp_xml_walk_next(root, n, true))
			{
				const char *mt;

				if (!bp_xml_is(n, "rootfile") || bp_xml_attr(n, "full-path") == NULL)
					continue;
				if (first == NULL)
					first = n;
				mt = bp_xml_attr(n, "media-type");
				if (best == NULL && mt != NULL && strcmp(mt, OPF_MEDIA_TYPE) == 0)
					best = n;
			}
			if (best == NULL)
				best = first;
			why = "META-INF/container.xml names no rootfile";
			if (best != NULL)
			{
				const char *fp = bp_xml_attr(best, "full-path");
				char	   *path = bp_path_resolve(ctx, NULL, fp, NULL, NULL);
				const bp_zip_entry *oe = path ? bp_zip_find(ep->zip, path) : NULL;

				if (oe != NULL)
					ep->opf_path = bp_strdup(ctx, oe->name);
				else
					why = "the rootfile of META-INF/container.xml is not in the zip";
				if (path)
					bp_free(ctx, path);
			}
			bp_xml_free(doc);
		}
	}
	if (bp_failed(ctx))
		return false;
	if (ep->opf_path != NULL)
		return true;

	for (i = 0; i < ep->zip->nentries; i++)
		if (bp_has_suffix_ci(ep->zip->entries[i].name, ".opf"))
		{
			ep->opf_path = bp_strdup(ctx, ep->zip->entries[i].name);
			bp_warn(ctx, "opf_fallback", "%s; using %s", why, ep->opf_path);
			return !bp_failed(ctx);
		}
	return bp_fail(ctx, BP_ERR_NOT_A_BOOK, "zip archive without an EPUB package (no .opf)");
}

/* ---- manifest, spine, cover, assets ---- */

/* Read the manifest's items. */
static bool
read_manifest(bp_epub *ep, xmlNode *manifest)
{
	bp_ctx	   *ctx = ep->ctx;
	xmlNode    *n;
	int			nfrag = 0,
				nclamped = 0,
				nmissing = 0,
				nremote = 0;
	const char *first_missing = NULL;
	bool		truncated = false;

	for (n = manifest; n != NULL; n = bp_xml_walk_next(manifest, n, true))
	{
		const char *href;
		bp_epub_item *it;
		unsigned	st = 0;
		char	   *frag = NULL;

		if (!bp_xml_is(n, "item"))
			continue;
		if (ep->nitems >= ctx->opts.max_entries)
		{
			truncated = true;
			break;
		}
		ep->items = bp_array_grow(ctx, ep->items, &ep->items_cap, ep->nitems + 1,
								  sizeof(bp_epub_item));
		if (ep->items == NULL)
			return false;
		it = &ep->items[ep->nitems++];
		memset(it, 0, sizeof(*it));
		it->spine_pos = -1;
		if (bp_xml_attr(n, "id"))
			it->id = bp_strdup(ctx, bp_xml_attr(n, "id"));
		if (bp_xml_attr(n, "media-type"))
			it->media_type = bp_epub_lower_dup(ctx, bp_xml_attr(n, "media-type"));
		if (bp_xml_attr(n, "properties"))
			it->properties = bp_strdup(ctx, bp_xml_attr(n, "properties"));
		href = bp_xml_attr(n, "href");
		if (href != NULL)
			it->path = bp_path_resolve(ctx, ep->opf_path, href, &frag, &st);
		if (bp_failed(ctx))
			return false;
		if (st & BP_PATH_FRAGMENT)
			nfrag++;
		if (st & BP_PATH_CLAMPED)
			nclamped++;
		if (st & BP_PATH_REMOTE)
			nremote++;
		if (it->path != NULL)
		{
			it->entry = bp_zip_find(ep->zip, it->path);
			if (it->entry != NULL && strcmp(it->entry->name, it->path) != 0)
				it->path = bp_strdup(ctx, it->entry->name);
			else if (it->entry == NULL && nmissing++ == 0)
				first_missing = it->path;
		}
	}
	if (truncated)
		bp_warn(ctx, "manifest_truncated", "more than %d manifest items; the rest ignored",
				ctx->opts.max_entries);
	if (nfrag > 0)
		bp_warn(ctx, "manifest_href_fragment",
				"%d manifest hrefs have a #fragment; it was ignored", nfrag);
	if (nclamped > 0)
		bp_warn(ctx, "manifest_href_outside",
				"%d manifest hrefs point above the book's root; clamped", nclamped);
	if (nremote > 0)
		bp_warn(ctx, "manifest_remote",
				"%d manifest items are remote resources; not read", nremote);
	if (nmissing > 0)
		bp_warn(ctx, "manifest_item_missing",
				"%d manifest items are not in the zip, first: %s", nmissing, first_missing);
	return !bp_failed(ctx) && build_indexes(ep);
}

/* Can this item be read as a content document? */
static bool
is_document(bp_epub *ep, const bp_epub_item *it)
{
	const char *mt = it->media_type;

	if (it->path == NULL || (ep->opf_path && strcmp(it->path, ep->opf_path) == 0))
		return false;
	if (mt != NULL && (strcmp(mt, "application/xhtml+xml") == 0 ||
					   strcmp(mt, "text/html") == 0 ||
					   strcmp(mt, "image/svg+xml") == 0 ||
					   strcmp(mt, "application/x-dtbook+xml") == 0 ||
					   strcmp(mt, "text/x-oeb1-document") == 0))
		return true;
	if (mt != NULL && (strncmp(mt, "image/", 6) == 0 || strncmp(mt, "audio/", 6) == 0 ||
					   strncmp(mt, "video/", 6) == 0 || strncmp(mt, "font/", 5) == 0 ||
					   strcmp(mt, "text/css") == 0 ||
					   strcmp(mt, "application/x-dtbncx+xml") == 0 ||
					   strcmp(mt, OPF_MEDIA_TYPE) == 0))
		return false;
	/* a missing or odd media type: trust the name */
	return bp_has_suffix_ci(it->path, ".xhtml") || bp_has_suffix_ci(it->path, ".html") ||
		bp_has_suffix_ci(it->path, ".htm") || bp_has_suffix_ci(it->path, ".xml");
}

/* Is the document of this item (by path) already in the spine? */
static bool
in_spine(bp_epub *ep, const bp_epub_item *it)
{
	int			canon = bp_epub_find_path(ep, it->path);

	return canon >= 0 && ep->items[canon].spine_pos >= 0;
}

/* Append item idx to the spine. */
static bool
spine_add(bp_epub *ep, int idx, bool linear)
{
	int			canon;

	ep->spine = bp_array_grow(ep->ctx, ep->spine, &ep->spine_cap, ep->nspine + 1,
							  sizeof(bp_epub_spine));
	if (ep->spine == NULL)
		return false;
	ep->spine[ep->nspine].item = idx;
	ep->spine[ep->nspine].linear = linear;
	ep->items[idx].spine_pos = ep->nspine;
	canon = bp_epub_find_path(ep, ep->items[idx].path);
	if (canon >= 0)
		ep->items[canon].spine_pos = ep->nspine;
	ep->nspine++;
	ep->spine_bytes += ep->items[idx].entry->uncomp_size;
	return true;
}

/* Read the spine: readable documents in reading order, each once. */
static bool
read_spine(bp_epub *ep, xmlNode *spine)
{
	bp_ctx	   *ctx = ep->ctx;
	xmlNode    *n;
	int			nmissing = 0,
				ndup = 0,
				nnondoc = 0,
				i;
	const char *first_missing = NULL,
			   *first_nondoc = NULL;

	if (spine != NULL && bp_xml_attr(spine, "toc"))
		ep->spine_toc = bp_strdup(ctx, bp_xml_attr(spine, "toc"));
	for (n = spine; n != NULL; n = bp_xml_walk_next(spine, n, true))
	{
		const char *idref,
				   *linear;
		int			idx;
		bp_epub_item *it;

		if (!bp_xml_is(n, "itemref"))
			continue;
		idref = bp_xml_attr(n, "idref");
		linear = bp_xml_attr(n, "linear");
		idx = bp_epub_find_item(ep, idref);
		if (idx < 0 || ep->items[idx].entry == NULL)
		{
			if (nmissing++ == 0)
				first_missing = idref ? idref : "(no idref)";
			continue;
		}
		it = &ep->items[idx];
		if (it->spine_pos >= 0 || in_spine(ep, it))
		{
			ndup++;
			continue;
		}
		if (!is_document(ep, it))
		{
			if (nnondoc++ == 0)
				first_nondoc = it->path;
			continue;
		}
		if (!spine_add(ep, idx, linear == NULL || strcmp(linear, "no") != 0))
			return false;
	}
	if (nmissing > 0)
		bp_warn(ctx, "spine_item_missing",
				"%d spine items are missing from the manifest or the zip, first: %s",
				nmissing, first_missing);
	if (ndup > 0)
		bp_warn(ctx, "spine_duplicate", "%d spine items repeat a document; skipped", ndup);
	if (nnondoc > 0)
		bp_warn(ctx, "spine_not_document",
				"%d spine items are not content documents, first: %s", nnondoc, first_nondoc);
	if (ep->nspine == 0)
	{
		/* no usable spine: every document of the manifest, in its order */
		for (i = 0; i < ep->nitems; i++)
		{
			bp_epub_item *it = &ep->items[i];

			if (it->entry != NULL && is_document(ep, it) && it->spine_pos < 0 &&
				!in_spine(ep, it) &&
				!bp_has_token(it->properties, "nav") &&
				!spine_add(ep, i, true))
				return false;
		}
		if (ep->nspine > 0)
			bp_warn(ctx, "spine_empty",
					"the spine lists no readable document; reading the manifest's %d documents",
					ep->nspine);
	}
	return !bp_failed(ctx);
}

/* Is item idx an image? */
static bool
is_image(bp_epub *ep, int idx)
{
	return idx >= 0 && ep->items[idx].media_type != NULL &&
		strncmp(ep->items[idx].media_type, "image/", 6) == 0;
}

/* Find the cover image: cover-image property, meta cover, guide. */
static int
find_cover(bp_epub *ep, xmlNode *md, xmlNode *guide)
{
	bp_ctx	   *ctx = ep->ctx;
	xmlNode    *n;
	int			i;

	for (i = 0; i < ep->nitems; i++)
		if (bp_has_token(ep->items[i].properties, "cover-image") && is_image(ep, i))
			return i;
	for (n = md; n != NULL; n = bp_xml_walk_next(md, n, true))
	{
		const char *name = bp_xml_attr(n, "name");
		const char *content = bp_xml_attr(n, "content");

		if (bp_xml_is(n, "meta") && name && content && strcmp(name, "cover") == 0)
		{
			int			idx = bp_epub_find_item(ep, content);

			if (idx < 0)
			{
				char	   *p = bp_path_resolve(ctx, ep->opf_path, content, NULL, NULL);

				idx = bp_epub_find_path(ep, p);
			}
			if (is_image(ep, idx))
				return idx;
		}
	}
	for (n = guide; n != NULL; n = bp_xml_walk_next(guide, n, true))
	{
		const char *type = bp_xml_attr(n, "type");

		if (bp_xml_is(n, "reference") && type != NULL &&
			(bp_strcasecmp(type, "cover") == 0 || bp_strcasecmp(type, "other.ms-coverimage-standard") == 0))
		{
			char	   *p = bp_path_resolve(ctx, ep->opf_path, bp_xml_attr(n, "href"),
											NULL, NULL);
			int			idx = bp_epub_find_path(ep, p);

			if (is_image(ep, idx))
				return idx;
		}
	}
	for (i = 0; i < ep->nitems; i++)
		if (ep->items[i].id != NULL && is_image(ep, i) &&
			(bp_strcasecmp(ep->items[i].id, "cover") == 0 ||
			 bp_strcasecmp(ep->items[i].id, "cover-image") == 0))
			return i;
	return -1;
}

/* Record every image of the manifest that the zip holds. */
static bool
read_assets(bp_epub *ep, int cover)
{
	bp_ctx	   *ctx = ep->ctx;
	int			i;

	for (i = 0; i < ep->nitems; i++)
	{
		bp_epub_item *it = &ep->items[i];
		unsigned char *data = NULL;
		size_t		len;

		if (it->entry == NULL || !is_image(ep, i))
			continue;
		len = (size_t) it->entry->uncomp_size;
		if (ctx->opts.want_assets && !bp_epub_is_drm(ep, it->entry, it->path))
		{
			bp_set_activity(ctx, "reading %s", it->path);
			if (!bp_zip_read(ep->zip, it->entry, &data, &len))
			{
				if (bp_failed(ctx))
					return false;
				data = NULL;
				len = (size_t) it->entry->uncomp_size;
			}
		}
		bp_asset_add(ctx, it->path, it->media_type, data, len, i == cover);
		if (data)
			bp_free(ctx, data);
		if (bp_failed(ctx))
			return false;
	}
	return true;
}

/* Read the package document: version, metadata, manifest, spine, assets. */
static bool
read_opf(bp_epub *ep)
{
	bp_ctx	   *ctx = ep->ctx;
	bp_book    *book = ctx->book;
	const bp_zip_entry *e = bp_zip_find(ep->zip, ep->opf_path);
	xmlDoc	   *doc;
	xmlNode    *root,
			   *md,
			   *manifest,
			   *spine,
			   *guide;
	const char *version;
	bool		ok;

	doc = bp_epub_read_xml(ep, e, ep->opf_path, BP_XML_HTML_ENTITIES);
	if (doc == NULL)
	{
		if (e != NULL && ep->last_unread != BP_EPUB_UNREAD_OTHER)
		{
			/* the package itself is protected: say so, naming it */
			bp_epub_note_unread(ep, e);
			return bp_epub_check_readable(ep);
		}
		if (!bp_failed(ctx))
			bp_fail(ctx, BP_ERR_BAD_XML, "the package document %s cannot be read",
					ep->opf_path);
		return false;
	}
	root = xmlDocGetRootElement(doc);
	if (!bp_xml_is(root, "package") && bp_xml_find(root, "package") != NULL)
		root = bp_xml_find(root, "package");
	version = bp_xml_attr(root, "version");
	if (version != NULL)
	{
		while (*version == ' ')
			version++;
		book->version = bp_clean_space(ctx, version, strlen(version));
	}
	ep->version = (version != NULL && version[0] == '3') ? 3 : 2;
	book->format = ep->version == 3 ? "epub3" : "epub2";

	md = bp_xml_is(root, "metadata") ? root : bp_xml_find(root, "metadata");
	manifest = bp_xml_find(root, "manifest");
	spine = bp_xml_find(root, "spine");
	guide = bp_xml_find(root, "guide");
	if (manifest == NULL)
		bp_warn(ctx, "manifest_missing", "%s has no manifest", ep->opf_path);
	if (spine == NULL)
		bp_warn(ctx, "spine_missing", "%s has no spine", ep->opf_path);

	ok = (md == NULL || bp_epub_read_metadata(ep, md)) &&
		read_manifest(ep, manifest) &&
		read_spine(ep, spine) &&
		read_assets(ep, find_cover(ep, md, guide));
	bp_xml_free(doc);
	return ok && !bp_failed(ctx);
}

/* Parse an EPUB from an opened zip (see bp_internal.h). */
bool
bp_parse_epub(bp_ctx *ctx, bp_zip *zip)
{
	bp_epub		ep;

	memset(&ep, 0, sizeof(ep));
	ep.ctx = ctx;
	ep.zip = zip;
	ctx->book->format = "epub2";
	if (!check_mimetype(&ep) || !bp_epub_read_encryption(&ep) ||
		!find_opf(&ep) || !read_opf(&ep))
		return false;
	if (!bp_epub_read_toc(&ep))
		return false;
	return bp_epub_write_chapters(&ep) && bp_epub_check_readable(&ep);
}

/*
 * The registry's EPUB detector: a zip with an EPUB mimetype entry, a
 * META-INF/container.xml, or an .opf package and no .fb2 file.
 */
bool
bp_detect_epub(const bp_sniff *sniff)
{
	const bp_zip_seen *seen = &sniff->zip;

	return sniff->container == BP_CONTAINER_ZIP &&
		(seen->epub_mimetype || seen->container ||
		 (seen->opf && !seen->fb2));
}

/* The registry's EPUB parser: open the zip archive, parse the package. */
bool
bp_parse_epub_data(bp_ctx *ctx, const unsigned char *data, size_t len)
{
	bp_zip		zip;
	bool		ok;

	memset(&zip, 0, sizeof(zip));
	bp_set_activity(ctx, "reading the zip directory");
	if (!bp_zip_open(ctx, data, len, &zip))
		return false;
	ok = bp_parse_epub(ctx, &zip);
	bp_zip_close(&zip);
	return ok;
}

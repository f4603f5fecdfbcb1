/*-------------------------------------------------------------------------
 *
 * bp_fb2.c
 *	  The FictionBook 2 parser.
 *
 * The bytes are decoded to UTF-8 first (BOM, else the XML declaration's
 * encoding, else UTF-8; a declaration that lies is caught by checking the
 * bytes), then parsed by bp_xml in recover mode.  The description gives
 * the metadata; <binary> elements become assets (base64 decoded only when
 * the caller wants asset bytes, else just measured); the bodies give the
 * chapters:
 *	- every <section> of a main body starts a chapter whose depth is its
 *	  nesting level and whose title is the text of its <title>;
 *	- a body's own title, epigraph, image or loose text before its first
 *	  section makes a leading chapter;
 *	- a notes/comments/footnotes body is one trailing chapter (is_notes).
 * Text after a section's subsections continues the last chapter, so every
 * text node lands in exactly one chapter.
 *
 * The tree is walked iteratively with an explicit stack of bounded size;
 * elements nested deeper than that are flattened to their text.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>

#include <libxml/tree.h>
#include <unicode/ucnv.h>

#include "bp_internal.h"

#define FB2_MAX_DEPTH	300		/* open elements tracked while walking */
#define FB2_MAX_TITLE	4096	/* bytes of a chapter title kept */

typedef enum fb2_kind
{
	F_OTHER = 0,
	F_BODY,
	F_SECTION,
	F_TITLE,
	F_POEM,
	F_STANZA,
	F_V,
	F_DIV
} fb2_kind;

typedef struct fb2_frame
{
	const xmlNode *node;
	fb2_kind	kind;
	bp_tag		tag;			/* output element opened, or NONE */
	int			index;			/* for sections: 1-based among siblings */
	int			nsections;		/* child sections seen so far */
	int			lines;			/* for titles: lines written */
} fb2_frame;

typedef struct fb2_walk
{
	bp_ctx	   *ctx;
	bool		notes;			/* walking a notes body */
	int			body_index;
	int			level;			/* section nesting level */
	fb2_frame	stack[FB2_MAX_DEPTH];
	int			depth;
	long		nodes;
	size_t		input_len;
	char	   *first_title;	/* for books without a description */
	bp_buf		tmp;
} fb2_walk;

/* ---- encoding ---- */

/* The encoding named by an XML declaration at the start of data, or "". */
static void
fb2_declared_encoding(const unsigned char *data, size_t len, char *out,
					  size_t outsz)
{
	size_t		i = 0;
	size_t		end;
	size_t		n;

	out[0] = '\0';
	while (i < len && i < 64 && (data[i] == ' ' || data[i] == '\t' ||
								 data[i] == '\r' || data[i] == '\n'))
		i++;
	if (len - i < 6 || memcmp(data + i, "<?xml", 5) != 0)
		return;
	for (end = i; end + 1 < len && end < i + 512; end++)
		if (data[end] == '?' && data[end + 1] == '>')
			break;
	for (; i + 8 < end; i++)
	{
		if (memcmp(data + i, "encoding", 8) == 0)
		{
			char		q;

			i += 8;
			while (i < end && (data[i] == ' ' || data[i] == '\t'))
				i++;
			if (i >= end || data[i] != '=')
				return;
			i++;
			while (i < end && (data[i] == ' ' || data[i] == '\t'))
				i++;
			if (i >= end || (data[i] != '"' && data[i] != '\''))
				return;
			q = (char) data[i++];
			for (n = 0; i < end && data[i] != q && n + 1 < outsz; i++)
				out[n++] = (char) data[i];
			out[n] = '\0';
			return;
		}
	}
}

/* Is this a name ICU can convert from? */
static bool
fb2_encoding_known(const char *name)
{
	UErrorCode	status = U_ZERO_ERROR;
	UConverter *c = ucnv_open(name, &status);

	if (c)
		ucnv_close(c);
	return U_SUCCESS(status) && c != NULL;
}

/* A stable spelling of an encoding name (IANA's when ICU knows it). */
static const char *
fb2_encoding_name(const char *name)
{
	UErrorCode	status = U_ZERO_ERROR;
	const char *s;

	if (ucnv_compareNames(name, "UTF-8") == 0)
		return "UTF-8";
	if (ucnv_compareNames(name, "windows-1251") == 0 ||
		ucnv_compareNames(name, "cp1251") == 0)
		return "windows-1251";
	s = ucnv_getStandardName(name, "MIME", &status);
	if (U_SUCCESS(status) && s)
		return s;
	status = U_ZERO_ERROR;
	s = ucnv_getStandardName(name, "IANA", &status);
	if (U_SUCCESS(status) && s)
		return s;
	return name;
}

/* Does [s, s+len) contain a byte >= 0x80? */
static bool
fb2_has_high(const unsigned char *s, size_t len)
{
	size_t		i;

	for (i = 0; i < len; i++)
		if (s[i] >= 0x80)
			return true;
	return false;
}

/* Decode the FB2 bytes to UTF-8 and set book->encoding. */
static bool
fb2_decode(bp_ctx *ctx, const unsigned char *data, size_t len,
		   char **utf8, size_t *ulen)
{
	char		declared[64];
	const char *enc;
	size_t		bom = 0;
	size_t		nbad = 0;

	enc = bp_bom_encoding(data, len, &bom);
	if (enc != NULL)
	{
		data += bom;
		len -= bom;
	}
	else if (len >= 4 && data[0] == '<' && data[1] == 0 && data[2] != 0)
		enc = "UTF-16LE";
	else if (len >= 4 && data[0] == 0 && data[1] == '<' && data[3] != 0)
		enc = "UTF-16BE";
	else
	{
		fb2_declared_encoding(data, len, declared, sizeof(declared));
		if (declared[0] == '\0')
			enc = "UTF-8";
		else if (!fb2_encoding_known(declared))
		{
			enc = bp_guess_encoding(ctx, data, len);
			bp_warn(ctx, "encoding_unknown",
					"declared encoding \"%s\" is unknown; read as %s",
					declared, enc);
		}
		else
			enc = fb2_encoding_name(declared);

		if (strcmp(enc, "UTF-8") == 0)
		{
			if (!bp_utf8_valid((const char *) data, len))
			{
				const char *guess = bp_guess_encoding(ctx, data, len);

				if (strcmp(guess, "UTF-8") != 0)
				{
					bp_warn(ctx, "encoding_mismatch",
							"declared %s but the bytes are not UTF-8; read as %s",
							declared[0] ? declared : "UTF-8 (default)", guess);
					enc = guess;
				}
			}
		}
		else if (strncmp(enc, "UTF-16", 6) != 0 && strncmp(enc, "UTF-32", 6) != 0 &&
				 fb2_has_high(data, len) &&
				 bp_utf8_valid((const char *) data, len))
		{
			/* real single-byte text is practically never valid UTF-8 */
			bp_warn(ctx, "encoding_mismatch",
					"declared %s but the bytes are UTF-8; read as UTF-8", enc);
			enc = "UTF-8";
		}
	}

	ctx->book->encoding = bp_strdup(ctx, enc);
	if (!bp_to_utf8(ctx, enc, data, len, utf8, ulen, &nbad))
		return false;
	if (nbad > 0)
		bp_warn(ctx, "encoding_errors",
				"%zu invalid byte sequences in %s replaced with U+FFFD",
				nbad, enc);
	return !bp_failed(ctx);
}

/* ---- small tree helpers ---- */

/* Is the element's local name one of the NULL-terminated list? */
static bool
fb2_is_any(const xmlNode *n, const char *const *names)
{
	int			i;

	for (i = 0; names[i]; i++)
		if (bp_xml_is(n, names[i]))
			return true;
	return false;
}

/* Next element sibling, or NULL. */
static const xmlNode *
fb2_next_element(const xmlNode *n)
{
	for (n = n->next; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			return n;
	return NULL;
}

/* Text of a child element, or NULL. */
static char *
fb2_child_text(bp_ctx *ctx, const xmlNode *parent, const char *name)
{
	const xmlNode *c = bp_xml_child(parent, name);

	return c ? bp_xml_text(ctx, c) : NULL;
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

		if (n->type == XML_ELEMENT_NODE && fb2_is_any(n, leaves))
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
static bool
fb2_description(bp_ctx *ctx, const xmlNode *desc, char **cover_id)
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

/* ---- binaries ---- */

/*
 * Base64 values of bytes: 0..63, or FB2_B64_SPACE (skipped), FB2_B64_END
 * ('=') or -1 (junk).  '-' and '_' are the URL-safe 62 and 63.
 */
#define FB2_B64_SPACE (-2)
#define FB2_B64_END (-3)
static const signed char fb2_b64_tab[256] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -2, -2, -1, -1, -2, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-2, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, 62, -1, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -3, -1, -1,
	-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, 63,
	-1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

/*
 * Decode base64 text (whitespace skipped, junk counted) into out (NULL:
 * only count).  Returns the decoded size.
 */
static size_t
fb2_b64_decode(const char *s, size_t len, unsigned char *out, size_t *junk)
{
	const unsigned char *p = (const unsigned char *) s;
	uint32_t	acc = 0;
	int			bits = 0;
	size_t		n = 0;
	size_t		nvalid = 0;
	size_t		i;

	if (out == NULL)
	{
		/* only the size: 6 bits per base64 character */
		for (i = 0; i < len; i++)
		{
			int			v = fb2_b64_tab[p[i]];

			if (v >= 0)
				nvalid++;
			else if (v == FB2_B64_END)
				break;
			else if (v == -1)
				(*junk)++;
		}
		return nvalid * 6 / 8;
	}
	for (i = 0; i < len; i++)
	{
		int			v = fb2_b64_tab[p[i]];

		if (v < 0)
		{
			if (v == FB2_B64_END)
				break;
			if (v == -1)
				(*junk)++;
			continue;
		}
		acc = (acc << 6) | (uint32_t) v;
		bits += 6;
		if (bits >= 8)
		{
			bits -= 8;
			out[n++] = (unsigned char) (acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	return n;
}

/* Media type from the first bytes of an image. */
static const char *
fb2_sniff(const unsigned char *d, size_t n)
{
	if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
		return "image/jpeg";
	if (n >= 4 && d[0] == 0x89 && d[1] == 'P' && d[2] == 'N' && d[3] == 'G')
		return "image/png";
	if (n >= 4 && d[0] == 'G' && d[1] == 'I' && d[2] == 'F' && d[3] == '8')
		return "image/gif";
	return "application/octet-stream";
}

/* Add one <binary> as an asset. */
static bool
fb2_binary(bp_ctx *ctx, const xmlNode *bin, const char *cover_id)
{
	const char *id = bp_xml_attr(bin, "id");
	const char *type = bp_xml_attr(bin, "content-type");
	const xmlNode *c;
	size_t		size = 0;
	size_t		junk = 0;
	unsigned char *data = NULL;
	bool		is_cover;
	int			idx;

	if (id == NULL || *id == '\0')
	{
		bp_warn(ctx, "fb2_binary_no_id", "FB2 binary without an id skipped");
		return true;
	}
	is_cover = cover_id && strcmp(cover_id, id) == 0;
	bp_set_activity(ctx, "decoding binary \"%.100s\"", id);

	/* the size first (no memory) */
	for (c = bin->children; c; c = c->next)
		if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
			c->content)
			size += fb2_b64_decode((const char *) c->content,
								   strlen((const char *) c->content), NULL, &junk);
	if (junk > 0)
		bp_warn(ctx, "fb2_bad_base64",
				"binary \"%.100s\": %zu characters that are not base64 skipped",
				id, junk);

	if (ctx->opts.want_assets || type == NULL || *type == '\0')
	{
		size_t		n = 0;
		size_t		want = ctx->opts.want_assets ? size : (size < 16 ? size : 16);
		unsigned char head[16];

		data = ctx->opts.want_assets ? bp_alloc(ctx, size > 0 ? size : 1) : head;
		if (data == NULL)
			return false;
		for (c = bin->children; c && n < want; c = c->next)
			if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
				c->content)
			{
				size_t		clen = strlen((const char *) c->content);
				size_t		j = 0;

				/* decode at most what is left, in bounded pieces */
				if (ctx->opts.want_assets)
					n += fb2_b64_decode((const char *) c->content, clen, data + n, &j);
				else
				{
					unsigned char tmp[64];
					size_t		k = fb2_b64_decode((const char *) c->content,
												   clen < 64 ? clen : 64, tmp, &j);

					if (k > want - n)
						k = want - n;
					memcpy(head + n, tmp, k);
					n += k;
				}
			}
		if (type == NULL || *type == '\0')
			type = fb2_sniff(data, n);
		if (!ctx->opts.want_assets)
			data = NULL;
	}

	idx = bp_asset_add(ctx, id, type, NULL, size, is_cover);
	if (idx < 0)
	{
		if (data)
			bp_free(ctx, data);
		return !bp_failed(ctx);
	}
	if (data)
	{
		/* hand the decoded bytes to the asset without a copy */
		if (ctx->book->assets[idx].data == NULL)
			ctx->book->assets[idx].data = data;
		else
			bp_free(ctx, data);
	}
	return !bp_failed(ctx);
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
	const char *name = bp_xml_name(n);
	bp_tag		tag = BP_TAG_NONE;
	fb2_kind	kind = F_OTHER;

	*descend = false;
	if (fb2_is_any(n, skip))
		return true;

	/* void-ish elements */
	if (strcmp(name, "image") == 0 || strcmp(name, "img") == 0)
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
	if (strcmp(name, "empty-line") == 0 || strcmp(name, "br") == 0)
	{
		if (strcmp(name, "br") == 0 || (parent && parent->kind == F_TITLE))
			return bp_w_br(ctx);
		return bp_w_boundary(ctx);
	}
	if (strcmp(name, "hr") == 0)
		return bp_w_hr(ctx);

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

	if (strcmp(name, "section") == 0)
	{
		kind = F_SECTION;
		w->level++;
		if (parent)
			parent->nsections++;
	}
	else if (strcmp(name, "title") == 0)
	{
		kind = F_TITLE;
		if (parent && (parent->kind == F_POEM || parent->kind == F_STANZA))
			tag = fb2_h(w->level + 1);
		else
			tag = fb2_h(w->notes && w->level > 0 ? w->level + 1 : w->level);
		if (parent && (parent->kind == F_SECTION || parent->kind == F_BODY) && !id)
			id = bp_xml_attr(parent->node, "id");
	}
	else if (strcmp(name, "p") == 0)
	{
		if (parent && parent->kind == F_TITLE)
		{
			/* a line of a title: lines are separated by <br> */
			if (parent->lines++ > 0 && !bp_w_br(ctx))
				return false;
		}
		else
			tag = BP_TAG_P;
	}
	else if (strcmp(name, "subtitle") == 0)
		tag = fb2_h(w->level + 1);
	else if (strcmp(name, "epigraph") == 0 || strcmp(name, "cite") == 0 ||
			 strcmp(name, "annotation") == 0 || strcmp(name, "blockquote") == 0)
		tag = BP_TAG_BLOCKQUOTE;
	else if (strcmp(name, "text-author") == 0 || strcmp(name, "date") == 0)
		tag = BP_TAG_P;
	else if (strcmp(name, "poem") == 0)
	{
		kind = F_POEM;
		if (!bp_w_boundary(ctx))
			return false;
	}
	else if (strcmp(name, "stanza") == 0)
	{
		kind = F_STANZA;
		tag = BP_TAG_P;
	}
	else if (strcmp(name, "v") == 0)
	{
		kind = F_V;
		if (!(parent && parent->kind == F_STANZA))
			tag = BP_TAG_P;
	}
	else if (strcmp(name, "emphasis") == 0 || strcmp(name, "i") == 0 ||
			 strcmp(name, "em") == 0)
		tag = BP_TAG_EM;
	else if (strcmp(name, "strong") == 0 || strcmp(name, "b") == 0)
		tag = BP_TAG_STRONG;
	else if (strcmp(name, "sup") == 0)
		tag = BP_TAG_SUP;
	else if (strcmp(name, "sub") == 0)
		tag = BP_TAG_SUB;
	else if (strcmp(name, "code") == 0)
		tag = BP_TAG_CODE;
	else if (strcmp(name, "pre") == 0)
		tag = BP_TAG_PRE;
	else if (strcmp(name, "a") == 0)
	{
		if (bp_xml_attr(n, "href"))
			tag = BP_TAG_A;
	}
	else if (strcmp(name, "table") == 0)
		tag = BP_TAG_TABLE;
	else if (strcmp(name, "tr") == 0)
		tag = BP_TAG_TR;
	else if (strcmp(name, "td") == 0)
		tag = BP_TAG_TD;
	else if (strcmp(name, "th") == 0)
		tag = BP_TAG_TH;
	else if (strcmp(name, "ul") == 0)
		tag = BP_TAG_UL;
	else if (strcmp(name, "ol") == 0)
		tag = BP_TAG_OL;
	else if (strcmp(name, "li") == 0)
		tag = BP_TAG_LI;
	else if (name[0] == 'h' && name[1] >= '1' && name[1] <= '6' && name[2] == '\0')
		tag = fb2_h(name[1] - '0');
	else if (strcmp(name, "div") == 0)
	{
		kind = F_DIV;
		if (!bp_w_boundary(ctx))
			return false;
	}
	/* anything else (strikethrough, style, span, unknown): unwrapped */

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
static bool
fb2_body(fb2_walk *w, const xmlNode *body)
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

/* Parse a FictionBook 2 document. */
bool
bp_parse_fb2(bp_ctx *ctx, const unsigned char *data, size_t len)
{
	char	   *utf8 = NULL;
	size_t		ulen = 0;
	struct _xmlDoc *doc;
	const xmlNode *root;
	const xmlNode *desc;
	const xmlNode *c;
	char	   *cover_id = NULL;
	fb2_walk   *w;
	int			nbodies = 0;
	bool		ok = true;

	if (bp_failed(ctx))
		return false;
	ctx->book->format = "fb2";
	bp_set_activity(ctx, "decoding FB2");
	if (!fb2_decode(ctx, data, len, &utf8, &ulen))
		return false;
	bp_set_activity(ctx, "parsing FB2 XML");
	doc = bp_xml_parse(ctx, utf8, ulen, "FB2", BP_XML_HTML_ENTITIES);
	bp_free(ctx, utf8);
	if (doc == NULL)
		return false;
	root = xmlDocGetRootElement(doc);
	if (root == NULL)
	{
		bp_xml_free(doc);
		return bp_fail(ctx, BP_ERR_BAD_XML, "FB2 without a root element");
	}
	if (!bp_xml_is(root, "FictionBook"))
		bp_warn(ctx, "fb2_root", "FB2 root element is <%.50s>, not <FictionBook>",
				bp_xml_name(root));

	/* metadata */
	desc = bp_xml_child(root, "description");
	if (desc == NULL)
		desc = bp_xml_find(root, "description");
	if (desc != NULL)
		ok = fb2_description(ctx, desc, &cover_id);
	else
		bp_warn(ctx, "fb2_no_description",
				"FB2 without <description>: title taken from the text");

	/* binaries, before the text that refers to them */
	for (c = root->children; ok && c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && bp_xml_is(c, "binary"))
			ok = fb2_binary(ctx, c, cover_id);
	if (ok && cover_id && bp_asset_find(ctx, cover_id) < 0)
		bp_warn(ctx, "fb2_cover_missing", "cover image \"%.100s\" not among the binaries",
				cover_id);

	/* bodies */
	w = ok ? bp_alloc0(ctx, sizeof(fb2_walk)) : NULL;
	if (w != NULL)
	{
		w->ctx = ctx;
		w->input_len = len;
		bp_buf_init(&w->tmp, ctx);
		bp_set_activity(ctx, "reading FB2 bodies");
		for (c = root->children; ok && c != NULL; c = c->next)
			if (c->type == XML_ELEMENT_NODE && bp_xml_is(c, "body"))
			{
				w->body_index = ++nbodies;
				ok = fb2_body(w, c);
			}
		if (ok && nbodies == 0)
			bp_warn(ctx, "fb2_no_body", "FB2 without <body>");
		if (ok && ctx->book->meta.title == NULL && w->first_title)
			ok = bp_meta_set(ctx, &ctx->book->meta.title, w->first_title);
		bp_buf_free(&w->tmp);
		bp_free(ctx, w->first_title);
		bp_free(ctx, w);
	}
	if (ctx->book->toc_source == NULL && ctx->book->ntoc > 0)
		ctx->book->toc_source = bp_strdup(ctx, "sections");
	bp_free(ctx, cover_id);
	bp_xml_free(doc);
	return ok && !bp_failed(ctx);
}

/*-------------------------------------------------------------------------
 *
 * bp_fb2.c
 *	  The FictionBook 2 parser: the entry point and the decoding to UTF-8.
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
 * The description is read in bp_fb2_meta.c, the binaries in
 * bp_fb2_binary.c and the bodies in bp_fb2_body.c.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include <libxml/tree.h>
#include <unicode/ucnv.h>

#include "bp_fb2_int.h"

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
bool
bp_fb2_is_any(const xmlNode *n, const char *const *names)
{
	int			i;

	for (i = 0; names[i]; i++)
		if (bp_xml_is(n, names[i]))
			return true;
	return false;
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
		ok = bp_fb2_description(ctx, desc, &cover_id);
	else
		bp_warn(ctx, "fb2_no_description",
				"FB2 without <description>: title taken from the text");

	/* binaries, before the text that refers to them */
	for (c = root->children; ok && c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && bp_xml_is(c, "binary"))
			ok = bp_fb2_binary(ctx, c, cover_id);
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
				ok = bp_fb2_body(w, c);
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

/* The registry's FB2 detector: XML whose root element is FictionBook. */
bool
bp_detect_fb2(const bp_sniff *sniff)
{
	return sniff->container == BP_CONTAINER_XML &&
		bp_strcasecmp(sniff->xml_root, "FictionBook") == 0;
}

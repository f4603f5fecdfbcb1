/*
 * fuzz_xhtml.c
 *	  libFuzzer target: one XHTML document to chapter text and sanitized
 *	  HTML, with the flags the EPUB parser uses for spine documents
 *	  (HTML entities, HTML-parser fallback).
 */
#include "fuzz_common.h"
#include "epub/bp_epub.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The XHTML path: parse, first heading, write the body as a chapter. */
static bool
parse_xhtml(bp_ctx *ctx, const unsigned char *data, size_t len)
{
	struct _xmlDoc *doc;
	struct _xmlNode *body;
	char	   *title;
	bool		ok;

	doc = bp_xml_parse(ctx, (const char *) data, len, "OEBPS/text/c1.xhtml",
					   BP_XML_HTML_ENTITIES | BP_XML_HTML_FALLBACK);
	if (doc == NULL)
		return false;
	title = bp_xhtml_first_heading(ctx, doc, true);
	body = bp_xhtml_body(doc);
	ok = !bp_failed(ctx) &&
		bp_w_chapter(ctx, title, 1, "OEBPS/text/c1.xhtml", false) &&
		(body == NULL || bp_xhtml_write(ctx, body, "OEBPS/text/c1.xhtml", NULL));
	bp_xml_free(doc);
	return ok;
}

/* One input: an XHTML chapter. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	fz_parse_direct(data, size, parse_xhtml);
	return 0;
}

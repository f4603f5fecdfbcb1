/*
 * test_xml.c
 *	  Tests of the safe XML helpers (bp_xml.c): XXE, billion laughs, deep
 *	  nesting, HTML entities, recovery, the HTML fallback and the helpers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "bp_internal.h"
#include "bp_test.h"

/* A fresh context with default options. */
static bp_ctx *
new_ctx(void)
{
	bp_options	opts;

	bp_options_init(&opts);
	return bp_ctx_create(&opts, "test", 0);
}

/* Does the context have a warning with this code? */
static bool
has_warning(bp_ctx *ctx, const char *code)
{
	int			i;

	for (i = 0; i < ctx->book->nwarnings; i++)
		if (strcmp(ctx->book->warnings[i].code, code) == 0)
			return true;
	return false;
}

/* Parse s, return the collapsed text of the root (malloc'd copy) or NULL. */
static char *
parse_text(const char *s, int flags, bp_ctx **ctxp)
{
	bp_ctx	   *ctx = new_ctx();
	xmlDocPtr	doc = bp_xml_parse(ctx, s, strlen(s), "test.xml", flags);
	char	   *t = NULL,
			   *r = NULL;

	if (doc != NULL)
		t = bp_xml_text(ctx, xmlDocGetRootElement(doc));
	if (t != NULL)
		r = strdup(t);
	bp_xml_free(doc);
	if (ctxp)
		*ctxp = ctx;
	else
		bp_ctx_destroy(ctx);
	return r;
}

/* XXE: general and parameter entities pointing at files are never read. */
static void
test_xxe(void)
{
	const char *general =
		"<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
		"<r>a&x;b</r>";
	const char *param =
		"<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE r [<!ENTITY % p SYSTEM \"file:///etc/passwd\"> %p;]>\n"
		"<r>ab</r>";
	const char *extdtd =
		"<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE r SYSTEM \"file:///etc/passwd\">\n"
		"<r>ab&nbsp;</r>";
	char	   *t;

	t = parse_text(general, BP_XML_HTML_ENTITIES, NULL);
	CHECK(t != NULL && strstr(t, "root") == NULL && strncmp(t, "a", 1) == 0);
	free(t);
	t = parse_text(general, 0, NULL);
	CHECK(t != NULL && strstr(t, "root:") == NULL);
	free(t);
	t = parse_text(param, BP_XML_HTML_ENTITIES, NULL);
	CHECK(t != NULL && strcmp(t, "ab") == 0);
	free(t);
	t = parse_text(extdtd, BP_XML_HTML_ENTITIES, NULL);
	CHECK(t != NULL && strstr(t, "root") == NULL && strncmp(t, "ab", 2) == 0);
	free(t);
}

/* Billion laughs: the entity text stays small. */
static void
test_billion_laughs(void)
{
	const char *doc =
		"<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE lolz [\n"
		" <!ENTITY lol \"lol\">\n"
		" <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
		" <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
		" <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
		" <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
		" <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
		" <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
		" <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
		" <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
		" <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
		"]>\n"
		"<lolz>&lol9;&lol9;&lol9;</lolz>";
	const char *small =
		"<!DOCTYPE r [<!ENTITY who \"the author\">]><r>by &who;, &who;</r>";
	bp_ctx	   *ctx;
	char	   *t;

	t = parse_text(doc, BP_XML_HTML_ENTITIES, &ctx);
	CHECK(t == NULL || strlen(t) < 200000);
	CHECK(ctx->mem_peak < 16 * 1024 * 1024);
	free(t);
	bp_ctx_destroy(ctx);

	t = parse_text(small, BP_XML_HTML_ENTITIES, NULL);
	CHECK_MSG(t != NULL && strcmp(t, "by the author, the author") == 0, "got %s", t);
	free(t);
}

/* 100,000-deep nesting: no crash, the walk is iterative. */
static void
test_deep(void)
{
	size_t		depth = 100000;
	size_t		len = depth * 7 + 64;
	char	   *s = malloc(len),
			   *p = s;
	size_t		i;
	bp_ctx	   *ctx = new_ctx();
	xmlDocPtr	doc;

	p += sprintf(p, "<r>");
	for (i = 0; i < depth; i++)
		p += sprintf(p, "<a>");
	p += sprintf(p, "x");
	for (i = 0; i < depth; i++)
		p += sprintf(p, "</a>");
	p += sprintf(p, "</r>");
	doc = bp_xml_parse(ctx, s, (size_t) (p - s), "deep.xml", BP_XML_HTML_FALLBACK);
	CHECK(doc != NULL);
	if (doc != NULL)
	{
		xmlNodePtr	n = xmlDocGetRootElement(doc);
		size_t		count = 0;

		while (n != NULL)
		{
			count++;
			n = bp_xml_walk_next(xmlDocGetRootElement(doc), n, true);
		}
		CHECK(count > 1);
		CHECK(bp_xml_text(ctx, xmlDocGetRootElement(doc)) != NULL);
	}
	bp_xml_free(doc);
	bp_ctx_destroy(ctx);
	free(s);
}

/* &nbsp; &eacute; &mdash; resolve; a bare & and unknown names recover. */
static void
test_entities(void)
{
	bp_ctx	   *ctx;
	char	   *t;

	t = parse_text("<p>a&nbsp;caf&eacute;&mdash;&amp;&lt;</p>", BP_XML_HTML_ENTITIES, &ctx);
	CHECK_MSG(t != NULL && strcmp(t, "a\xC2\xA0" "caf\xC3\xA9\xE2\x80\x94&<") == 0, "got %s", t);
	CHECK(ctx->book->nwarnings == 0);
	free(t);
	bp_ctx_destroy(ctx);

	t = parse_text("<p title=\"caf&eacute;\">AT&T &amp; more</p>", BP_XML_HTML_ENTITIES, &ctx);
	CHECK_MSG(t != NULL && strcmp(t, "AT&T & more") == 0, "got %s", t);
	free(t);
	bp_ctx_destroy(ctx);

	t = parse_text("<p>x &foo; y</p>", BP_XML_HTML_ENTITIES, &ctx);
	CHECK_MSG(t != NULL && strcmp(t, "x &foo; y") == 0, "got %s", t);
	CHECK(has_warning(ctx, "xml_undefined_entity"));
	free(t);
	bp_ctx_destroy(ctx);

	/* entities after a well-formedness error are not lost */
	t = parse_text("<r><p>a</b> b &amp; c&nbsp;d</p></r>", BP_XML_HTML_ENTITIES, &ctx);
	CHECK_MSG(t != NULL && strstr(t, "b & c\xC2\xA0" "d") != NULL, "got %s", t);
	CHECK(has_warning(ctx, "xml_recovered"));
	free(t);
	bp_ctx_destroy(ctx);

	/* CDATA and comments are not rewritten */
	t = parse_text("<r><![CDATA[a &amp; b]]><!-- &x; --></r>", BP_XML_HTML_ENTITIES, NULL);
	CHECK_MSG(t != NULL && strcmp(t, "a &amp; b") == 0, "got %s", t);
	free(t);
}

/* Invalid UTF-8 and control characters do not stop the parse. */
static void
test_bad_bytes(void)
{
	bp_ctx	   *ctx;
	char	   *t;
	const char	s[] = "<r>a\xff b\x01 c\xed\xa0\x80 d</r>";

	t = parse_text(s, 0, &ctx);
	CHECK_MSG(t != NULL && strcmp(t, "a\xEF\xBF\xBD b c\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD d") == 0,
			  "got %s", t);
	CHECK(has_warning(ctx, "xml_bad_utf8"));
	CHECK(has_warning(ctx, "xml_bad_chars"));
	CHECK(ctx->book->nwarnings == 2);
	free(t);
	bp_ctx_destroy(ctx);
}

/* The HTML fallback wins when XML recovery loses text. */
static void
test_html_fallback(void)
{
	const char *s = "<html><body><p>one<p>two <b>three</i> four</p>"
		"<p>five < six</p><br><p>seven</p></body></html>";
	bp_ctx	   *ctx = new_ctx();
	xmlDocPtr	doc;
	char	   *t;

	doc = bp_xml_parse(ctx, s, strlen(s), "a.xhtml",
					   BP_XML_HTML_ENTITIES | BP_XML_HTML_FALLBACK);
	CHECK(doc != NULL);
	t = doc ? bp_xml_text(ctx, xmlDocGetRootElement(doc)) : NULL;
	CHECK_MSG(t != NULL && strstr(t, "seven") != NULL && strstr(t, "one") != NULL,
			  "got %s", t);
	CHECK(has_warning(ctx, "xml_recovered"));
	bp_xml_free(doc);
	bp_ctx_destroy(ctx);

	/* no root element at all */
	ctx = new_ctx();
	doc = bp_xml_parse(ctx, "just text", 9, "x", 0);
	CHECK(doc == NULL && ctx->err.code == BP_ERR_BAD_XML);
	bp_ctx_destroy(ctx);
}

/* Helpers: names, attributes by local name, children, find. */
static void
test_helpers(void)
{
	const char *s =
		"<opf:package xmlns:opf=\"http://www.idpf.org/2007/opf\" "
		"xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:l=\"http://www.w3.org/1999/xlink\">"
		"<opf:metadata><dc:title>  The\n  Title </dc:title>"
		"<dc:creator opf:role=\"aut\" opf:file-as=\"Doe, J\">J Doe</dc:creator>"
		"<dc:creator>Second</dc:creator></opf:metadata>"
		"<a l:href=\"#n1\" x:href=\"bad\"/></opf:package>";
	bp_ctx	   *ctx = new_ctx();
	xmlDocPtr	doc = bp_xml_parse(ctx, s, strlen(s), "opf", 0);
	xmlNodePtr	root,
				md,
				c;
	char	   *t;

	CHECK(doc != NULL);
	if (doc == NULL)
		return;
	root = xmlDocGetRootElement(doc);
	CHECK(strcmp(bp_xml_name(root), "package") == 0);
	md = bp_xml_child(root, "metadata");
	CHECK(md != NULL);
	t = bp_xml_text(ctx, bp_xml_child(md, "title"));
	CHECK(t != NULL && strcmp(t, "The Title") == 0);
	c = bp_xml_child(md, "creator");
	CHECK(c != NULL && strcmp(bp_xml_attr(c, "role"), "aut") == 0);
	CHECK(c != NULL && strcmp(bp_xml_attr(c, "file-as"), "Doe, J") == 0);
	c = bp_xml_next(c, "creator");
	CHECK(c != NULL && bp_xml_attr(c, "role") == NULL);
	CHECK(bp_xml_next(c, "creator") == NULL);
	c = bp_xml_find(root, "a");
	CHECK(c != NULL && strcmp(bp_xml_attr(c, "href"), "#n1") == 0);
	CHECK(bp_xml_find(root, "nothing") == NULL);
	bp_xml_free(doc);
	bp_ctx_destroy(ctx);
}

static int	global_errors = 0;

/* A global structured error handler that only counts. */
static void
count_global(void *data, xmlErrorPtr error)
{
	global_errors++;
}

/* A global entity loader that must stay in place. */
static xmlParserInputPtr
global_loader(const char *url, const char *id, xmlParserCtxtPtr pc)
{
	return NULL;
}

/* Errors never reach the global handler; the global loader is restored. */
static void
test_globals_untouched(void)
{
	const char *bad = "<r><p>a</b> &x; <c d=e></r>";
	const char *html = "<html><body><p>one<p>two</i></body></html>";
	bp_ctx	   *ctx;
	char	   *t;

	xmlSetStructuredErrorFunc(NULL, count_global);
	xmlSetExternalEntityLoader(global_loader);
	t = parse_text(bad, BP_XML_HTML_ENTITIES, &ctx);
	CHECK(has_warning(ctx, "xml_recovered"));
	free(t);
	bp_ctx_destroy(ctx);
	t = parse_text(html, BP_XML_HTML_ENTITIES | BP_XML_HTML_FALLBACK, NULL);
	free(t);
	CHECK_MSG(global_errors == 0, "%d errors went to the global handler", global_errors);
	CHECK(xmlGetExternalEntityLoader() == global_loader);
	xmlSetStructuredErrorFunc(NULL, NULL);
}

int
main(void)
{
	test_xxe();
	test_billion_laughs();
	test_deep();
	test_entities();
	test_bad_bytes();
	test_html_fallback();
	test_helpers();
	test_globals_untouched();
	return bp_test_summary("test_xml");
}

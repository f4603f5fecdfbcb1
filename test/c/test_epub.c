/*
 * test_epub.c
 *	  Tests of the EPUB parser: small EPUBs built here (chapter splits,
 *	  leading and non-linear chapters, broken manifests and spines,
 *	  metadata), every corpus EPUB through bp_parse(), and a letter count
 *	  of a few books against an independent reading with Python + lxml.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <unicode/uchar.h>
#include <unicode/utf8.h>
#include <zlib.h>

#include "bookparse_core.h"
#include "bp_internal.h"
#include "bp_test.h"

/* ---- a tiny stored-zip writer for test books ---- */

typedef struct tzip
{
	unsigned char *buf;
	size_t		len;
	size_t		cap;
	unsigned char *cd;
	size_t		cdlen;
	size_t		cdcap;
	int			n;
} tzip;

/* Append bytes to a growable buffer. */
static void
put(unsigned char **b, size_t *len, size_t *cap, const void *d, size_t n)
{
	if (*len + n > *cap)
	{
		*cap = (*len + n) * 2 + 256;
		*b = realloc(*b, *cap);
	}
	memcpy(*b + *len, d, n);
	*len += n;
}

/* Append a little-endian integer of n bytes. */
static void
put_le(unsigned char **b, size_t *len, size_t *cap, uint32_t v, int n)
{
	unsigned char t[4];
	int			i;

	for (i = 0; i < n; i++)
		t[i] = (unsigned char) (v >> (8 * i));
	put(b, len, cap, t, (size_t) n);
}

/* Add a stored entry of dl bytes (binary content allowed) to the zip. */
static void
tzip_add_n(tzip *z, const char *name, const char *data, size_t dl)
{
	size_t		nl = strlen(name);
	uint32_t	crc = (uint32_t) crc32(0, (const Bytef *) data, (uInt) dl);
	size_t		off = z->len;

	put_le(&z->buf, &z->len, &z->cap, 0x04034b50, 4);
	put_le(&z->buf, &z->len, &z->cap, 20, 2);
	put_le(&z->buf, &z->len, &z->cap, 0, 2);
	put_le(&z->buf, &z->len, &z->cap, 0, 2);	/* stored */
	put_le(&z->buf, &z->len, &z->cap, 0, 4);	/* time, date */
	put_le(&z->buf, &z->len, &z->cap, crc, 4);
	put_le(&z->buf, &z->len, &z->cap, (uint32_t) dl, 4);
	put_le(&z->buf, &z->len, &z->cap, (uint32_t) dl, 4);
	put_le(&z->buf, &z->len, &z->cap, (uint32_t) nl, 2);
	put_le(&z->buf, &z->len, &z->cap, 0, 2);
	put(&z->buf, &z->len, &z->cap, name, nl);
	put(&z->buf, &z->len, &z->cap, data, dl);

	put_le(&z->cd, &z->cdlen, &z->cdcap, 0x02014b50, 4);
	put_le(&z->cd, &z->cdlen, &z->cdcap, 20, 2);
	put_le(&z->cd, &z->cdlen, &z->cdcap, 20, 2);
	put_le(&z->cd, &z->cdlen, &z->cdcap, 0, 2);
	put_le(&z->cd, &z->cdlen, &z->cdcap, 0, 2);
	put_le(&z->cd, &z->cdlen, &z->cdcap, 0, 4);
	put_le(&z->cd, &z->cdlen, &z->cdcap, crc, 4);
	put_le(&z->cd, &z->cdlen, &z->cdcap, (uint32_t) dl, 4);
	put_le(&z->cd, &z->cdlen, &z->cdcap, (uint32_t) dl, 4);
	put_le(&z->cd, &z->cdlen, &z->cdcap, (uint32_t) nl, 2);
	put_le(&z->cd, &z->cdlen, &z->cdcap, 0, 2);
	put_le(&z->cd, &z->cdlen, &z->cdcap, 0, 2);
	put_le(&z->cd, &z->cdlen, &z->cdcap, 0, 2);
	put_le(&z->cd, &z->cdlen, &z->cdcap, 0, 2);
	put_le(&z->cd, &z->cdlen, &z->cdcap, 0, 4);
	put_le(&z->cd, &z->cdlen, &z->cdcap, (uint32_t) off, 4);
	put(&z->cd, &z->cdlen, &z->cdcap, name, nl);
	z->n++;
}

/* Add a stored entry holding the C string data to the zip. */
static void
tzip_add(tzip *z, const char *name, const char *data)
{
	tzip_add_n(z, name, data, strlen(data));
}

/* Finish the zip: central directory and end record. */
static void
tzip_finish(tzip *z)
{
	size_t		cdoff = z->len;

	put(&z->buf, &z->len, &z->cap, z->cd, z->cdlen);
	put_le(&z->buf, &z->len, &z->cap, 0x06054b50, 4);
	put_le(&z->buf, &z->len, &z->cap, 0, 4);
	put_le(&z->buf, &z->len, &z->cap, (uint32_t) z->n, 2);
	put_le(&z->buf, &z->len, &z->cap, (uint32_t) z->n, 2);
	put_le(&z->buf, &z->len, &z->cap, (uint32_t) z->cdlen, 4);
	put_le(&z->buf, &z->len, &z->cap, (uint32_t) cdoff, 4);
	put_le(&z->buf, &z->len, &z->cap, 0, 2);
	free(z->cd);
	z->cd = NULL;
}

/* ---- helpers ---- */

/* Does the book have a warning with this code? */
static bool
has_warning(const bp_book *b, const char *code)
{
	int			i;

	for (i = 0; i < b->nwarnings; i++)
		if (strcmp(b->warnings[i].code, code) == 0)
			return true;
	return false;
}

/* Parse bytes with default options (+ assets); NULL and err on failure. */
static bp_book *
parse(const unsigned char *data, size_t len, bp_error *err)
{
	bp_options	opts;

	bp_options_init(&opts);
	opts.want_assets = true;
	return bp_parse(data, len, "test.epub", &opts, err);
}

/* Is s (may be NULL) equal to t? */
static bool
streq(const char *s, const char *t)
{
	return s != NULL && strcmp(s, t) == 0;
}

/* Print a book's chapters (for failing checks). */
static void
dump_chapters(const bp_book *b)
{
	int			i;

	for (i = 0; i < b->nchapters; i++)
		fprintf(stderr, "  %d [%s] d%d %s: %.60s\n", b->chapters[i].number,
				b->chapters[i].title ? b->chapters[i].title : "(null)",
				b->chapters[i].depth, b->chapters[i].source ? b->chapters[i].source : "",
				b->chapters[i].text ? b->chapters[i].text : "");
	for (i = 0; i < b->nwarnings; i++)
		fprintf(stderr, "  warning %s: %s\n", b->warnings[i].code, b->warnings[i].message);
}

static const char *container_xml =
"<?xml version=\"1.0\"?>\n"
"<container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">"
"<rootfiles><rootfile full-path=\"OEBPS/content.opf\" "
"media-type=\"application/oebps-package+xml\"/></rootfiles></container>";

/* A small EPUB 3 exercising splits, spine defects and metadata. */
static void
test_synthetic_epub3(void)
{
	tzip		z = {0};
	bp_error	err;
	bp_book    *b;
	const char *opf =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" unique-identifier=\"uid\">"
	"<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
	"<dc:title id=\"t2\">A Subtitle</dc:title>"
	"<dc:title id=\"t1\">The Main Title</dc:title>"
	"<meta refines=\"#t1\" property=\"title-type\">main</meta>"
	"<meta refines=\"#t2\" property=\"title-type\">subtitle</meta>"
	"<dc:creator id=\"c1\">Jane Doe</dc:creator>"
	"<meta refines=\"#c1\" property=\"role\" scheme=\"marc:relators\">aut</meta>"
	"<meta refines=\"#c1\" property=\"file-as\">Doe, Jane</meta>"
	"<dc:contributor>Joe Helper</dc:contributor>"
	"<dc:identifier id=\"uid\">urn:isbn:9780306406157</dc:identifier>"
	"<dc:identifier>urn:uuid:12345678-1234-1234-1234-123456789abc</dc:identifier>"
	"<dc:language>en</dc:language>"
	"<dc:publisher>Pub &amp; Co</dc:publisher>"
	"<dc:date>2001-02-03</dc:date>"
	"<dc:subject>Fiction</dc:subject><dc:subject>Tests</dc:subject>"
	"<dc:description>&lt;p&gt;Hello &amp;amp; &lt;b&gt;bye&lt;/b&gt;&amp;eacute;&lt;/p&gt;</dc:description>"
	"<meta property=\"belongs-to-collection\" id=\"s\">The Series</meta>"
	"<meta refines=\"#s\" property=\"collection-type\">series</meta>"
	"<meta refines=\"#s\" property=\"group-position\">2</meta>"
	"</metadata><manifest>"
	"<item id=\"nav\" href=\"nav.xhtml\" media-type=\"application/xhtml+xml\" properties=\"nav\"/>"
	"<item id=\"a\" href=\"text/a.xhtml\" media-type=\"application/xhtml+xml\"/>"
	"<item id=\"b\" href=\"text/b%20x.xhtml\" media-type=\"application/xhtml+xml\"/>"
	"<item id=\"c\" href=\"text/c.xhtml\" media-type=\"application/xhtml+xml\"/>"
	"<item id=\"img\" href=\"img/cover.png\" media-type=\"image/png\" properties=\"cover-image\"/>"
	"<item id=\"css\" href=\"http://example.com/x.css\" media-type=\"text/css\"/>"
	"<item id=\"evil\" href=\"../../../etc/passwd\" media-type=\"application/xhtml+xml\"/>"
	"</manifest><spine>"
	"<itemref idref=\"a\"/><itemref idref=\"b\"/><itemref idref=\"a\"/>"
	"<itemref idref=\"img\"/><itemref idref=\"nothere\"/>"
	"<itemref idref=\"c\" linear=\"no\"/>"
	"</spine></package>";
	const char *nav =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\">"
	"<head><title>Nav</title></head><body>"
	"<nav epub:type=\"landmarks\"><ol><li><a href=\"text/b%20x.xhtml\">Landmark</a></li></ol></nav>"
	"<nav epub:type=\"toc\"><h1>Contents</h1><ol>"
	"<li><a href=\"text/a.xhtml\">Part One</a><ol>"
	"<li><a href=\"text/a.xhtml\">Chapter <em>1</em></a></li>"
	"<li><a href=\"text/a.xhtml#c2\">Chapter 2</a></li></ol></li>"
	"<li><span>Heading only</span></li>"
	"<li><a href=\"text/b%20x.xhtml#missing\">Chapter 3</a></li>"
	"<li><a href=\"text/c.xhtml\">Notes</a></li>"
	"<li><a href=\"http://example.com/\">Elsewhere</a></li>"
	"</ol></nav></body></html>";
	const char *a =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<!DOCTYPE html>\n"
	"<html xmlns=\"http://www.w3.org/1999/xhtml\"><head><title>A</title>"
	"<style>p { color: red }</style></head><body>"
	"<p>Intro text</p><div><p>more <a href=\"../text/b%20x.xhtml#n1\">link</a></p>"
	"<h2 id=\"c2\">Two</h2><p>two&nbsp;text &mdash; caf&eacute;<script>var x = 1 &amp;&amp; 2;</script></p>"
	"<img src=\"../img/cover.png\" alt=\"Cover\"/></div></body></html>";
	const char *bx =
	"<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><p>B text</p></body></html>";
	const char *c =
	"<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><h1>Notes head</h1><p id=\"n1\">Note text</p></body></html>";
	int			i;
	int64_t		total = 0;

	tzip_add(&z, "mimetype", "application/epub+zip");
	tzip_add(&z, "META-INF/container.xml", container_xml);
	tzip_add(&z, "OEBPS/content.opf", opf);
	tzip_add(&z, "OEBPS/nav.xhtml", nav);
	tzip_add(&z, "OEBPS/text/a.xhtml", a);
	tzip_add(&z, "OEBPS/text/b x.xhtml", bx);
	tzip_add(&z, "OEBPS/text/c.xhtml", c);
	tzip_add(&z, "OEBPS/img/cover.png", "\x89PNG fake");
	tzip_add(&z, "etc/passwd", "<html><body><p>not the real one</p></body></html>");
	tzip_finish(&z);

	b = parse(z.buf, z.len, &err);
	CHECK_MSG(b != NULL, "%s", err.message);
	if (b == NULL)
	{
		free(z.buf);
		return;
	}
	CHECK(streq(b->format, "epub3"));
	CHECK(streq(b->version, "3.0"));
	CHECK(streq(b->meta.title, "The Main Title"));
	CHECK(b->meta.ncreators == 2);
	if (b->meta.ncreators == 2)
	{
		CHECK(streq(b->meta.creators[0].name, "Jane Doe"));
		CHECK(streq(b->meta.creators[0].role, "aut"));
		CHECK(streq(b->meta.creators[0].file_as, "Doe, Jane"));
		CHECK(streq(b->meta.creators[1].role, "ctb"));
	}
	CHECK(streq(b->meta.isbn, "9780306406157"));
	CHECK(b->meta.nidentifiers == 2);
	if (b->meta.nidentifiers == 2)
	{
		CHECK(streq(b->meta.identifiers[1].scheme, "uuid"));
		CHECK(streq(b->meta.identifiers[1].value, "12345678-1234-1234-1234-123456789abc"));
	}
	CHECK(streq(b->meta.language, "en"));
	CHECK(streq(b->meta.publisher, "Pub & Co"));
	CHECK(streq(b->meta.published, "2001-02-03"));
	CHECK_MSG(streq(b->meta.description, "Hello & bye \xC3\xA9"), "got %s", b->meta.description);
	CHECK(b->meta.nsubjects == 2);
	CHECK(streq(b->meta.series, "The Series"));
	CHECK(streq(b->meta.series_index, "2"));

	/* TOC as found: 7 entries from the toc nav, not the landmarks */
	CHECK(streq(b->toc_source, "nav"));
	CHECK(b->ntoc == 7);
	if (b->ntoc == 7)
	{
		CHECK(streq(b->toc[1].title, "Chapter 1") && b->toc[1].depth == 2);
		CHECK(streq(b->toc[2].href, "OEBPS/text/a.xhtml#c2"));
		CHECK(streq(b->toc[3].title, "Heading only") && b->toc[3].href == NULL);
		CHECK(streq(b->toc[4].href, "OEBPS/text/b x.xhtml#missing"));
		CHECK(b->toc[6].href == NULL);
	}

	/* chapters: Part One (empty), Chapter 1, Chapter 2, Chapter 3, Notes */
	CHECK(b->nchapters == 5);
	if (b->nchapters == 5)
	{
		CHECK(streq(b->chapters[0].title, "Part One") && b->chapters[0].depth == 1);
		CHECK(b->chapters[0].text_len == 0);
		CHECK(streq(b->chapters[1].title, "Chapter 1") && b->chapters[1].depth == 2);
		CHECK(streq(b->chapters[1].source, "OEBPS/text/a.xhtml"));
		CHECK_MSG(streq(b->chapters[1].text, "Intro text\n\nmore link"), "got [%s]", b->chapters[1].text);
		CHECK(streq(b->chapters[2].title, "Chapter 2"));
		CHECK(streq(b->chapters[2].source, "OEBPS/text/a.xhtml#c2"));
		CHECK_MSG(b->chapters[2].text && strncmp(b->chapters[2].text, "Two\n\ntwo", 8) == 0 &&
				  strstr(b->chapters[2].text, "caf\xC3\xA9") != NULL &&
				  strstr(b->chapters[2].text, "var x") == NULL,
				  "got [%s]", b->chapters[2].text);
		CHECK(streq(b->chapters[3].title, "Chapter 3"));
		CHECK(streq(b->chapters[3].text, "B text"));
		CHECK(streq(b->chapters[4].title, "Notes"));
		CHECK(streq(b->chapters[4].source, "OEBPS/text/c.xhtml"));
		CHECK(streq(b->chapters[4].text, "Notes head\n\nNote text"));
		if (b->chapters[1].html)
			CHECK_MSG(strstr(b->chapters[1].html, "href=\"OEBPS/text/b x.xhtml#n1\"") != NULL ||
					  strstr(b->chapters[1].html, "href=\"OEBPS/text/b%20x.xhtml#n1\"") != NULL,
					  "html %s", b->chapters[1].html);
		if (b->chapters[2].html)
			CHECK_MSG(strstr(b->chapters[2].html, "OEBPS/img/cover.png") != NULL,
					  "html %s", b->chapters[2].html);
	}
	else
		dump_chapters(b);
	for (i = 0; i < b->nchapters; i++)
		total += (int64_t) b->chapters[i].text_len;
	CHECK(total > 0);

	/* the clamped "../../../etc/passwd" item is the zip's etc/passwd */
	CHECK(has_warning(b, "manifest_href_outside"));
	CHECK(has_warning(b, "manifest_remote"));
	CHECK(has_warning(b, "spine_duplicate"));
	CHECK(has_warning(b, "spine_not_document"));
	CHECK(has_warning(b, "spine_item_missing"));
	CHECK(has_warning(b, "toc_target_missing"));
	CHECK(!has_warning(b, "mimetype_missing"));

	CHECK(b->nassets == 1);
	if (b->nassets == 1)
	{
		CHECK(streq(b->assets[0].href, "OEBPS/img/cover.png"));
		CHECK(b->assets[0].is_cover);
		CHECK(b->assets[0].size == 9 && b->assets[0].data != NULL &&
			  memcmp(b->assets[0].data, "\x89PNG", 4) == 0);
	}
	bp_book_free(b);
	free(z.buf);
}

/* EPUB 2 without container.xml, opf: prefixes, no TOC: chapters by heading. */
static void
test_synthetic_epub2_headings(void)
{
	tzip		z = {0};
	bp_error	err;
	bp_book    *b;
	const char *opf =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<opf:package xmlns:opf=\"http://www.idpf.org/2007/opf\" version=\"2.0\">"
	"<opf:metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
	"<dc:title>Second Book</dc:title>"
	"<dc:creator opf:role=\"aut\" opf:file-as=\"Roe, Rick\">Rick Roe</dc:creator>"
	"<dc:identifier opf:scheme=\"ISBN\">0-306-40615-2</dc:identifier>"
	"<opf:meta name=\"calibre:series\" content=\"Cal Series\"/>"
	"<opf:meta name=\"calibre:series_index\" content=\"3.0\"/>"
	"<opf:meta name=\"cover\" content=\"cov\"/>"
	"</opf:metadata><opf:manifest>"
	"<opf:item id=\"d1\" href=\"one.html\" media-type=\"application/xhtml+xml\"/>"
	"<opf:item id=\"d2\" href=\"two.html#frag\" media-type=\"application/xhtml+xml\"/>"
	"<opf:item id=\"cov\" href=\"c.jpg\" media-type=\"image/jpeg\"/>"
	"</opf:manifest><opf:spine><opf:itemref idref=\"d1\"/><opf:itemref idref=\"d2\"/>"
	"</opf:spine></opf:package>";
	const char *one =
	"<html><head><title>T1</title></head><body><h1>First &amp; Foremost</h1>"
	"<p>Text one<br/>line two &copy; &bogus; AT&T</p></body></html>";
	const char *two =
	"<html><head><title>Second title</title></head><body><p>Text two <b>bold</i> after</p>"
	"<p>more &amp; more</p></body></html>";

	tzip_add(&z, "mimetype", "application/epub+zip\n");
	tzip_add(&z, "book.opf", opf);
	tzip_add(&z, "one.html", one);
	tzip_add(&z, "two.html", two);
	tzip_add(&z, "c.jpg", "JPEGDATA");
	tzip_finish(&z);

	b = parse(z.buf, z.len, &err);
	CHECK_MSG(b != NULL, "%s", err.message);
	if (b == NULL)
	{
		free(z.buf);
		return;
	}
	CHECK(streq(b->format, "epub2"));
	CHECK(streq(b->meta.title, "Second Book"));
	CHECK(b->meta.ncreators == 1 && streq(b->meta.creators[0].file_as, "Roe, Rick"));
	CHECK(streq(b->meta.isbn, "0306406152"));
	CHECK(streq(b->meta.series, "Cal Series"));
	CHECK(streq(b->meta.series_index, "3"));
	CHECK(has_warning(b, "opf_fallback"));
	CHECK(has_warning(b, "manifest_href_fragment"));
	CHECK(has_warning(b, "xml_recovered"));
	CHECK(has_warning(b, "xml_undefined_entity"));
	CHECK(streq(b->toc_source, "headings"));
	CHECK(b->nchapters == 2);
	if (b->nchapters == 2)
	{
		CHECK(streq(b->chapters[0].title, "First & Foremost"));
		CHECK_MSG(streq(b->chapters[0].text,
						"First & Foremost\n\nText one\nline two \xC2\xA9 &bogus; AT&T"),
				  "got [%s]", b->chapters[0].text);
		CHECK(streq(b->chapters[1].title, "Second title"));
		CHECK_MSG(b->chapters[1].text && strstr(b->chapters[1].text, "after") &&
				  strstr(b->chapters[1].text, "more & more"), "got [%s]", b->chapters[1].text);
	}
	else
		dump_chapters(b);
	CHECK(b->ntoc == 2);
	CHECK(b->nassets == 1 && b->assets[0].is_cover);
	bp_book_free(b);
	free(z.buf);
}

/* NCX pointing only at the second document: a leading chapter first. */
static void
test_synthetic_ncx_leading(void)
{
	tzip		z = {0};
	bp_error	err;
	bp_book    *b;
	const char *opf =
	"<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"2.0\">"
	"<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>Third</dc:title></metadata>"
	"<manifest><item id=\"ncx\" href=\"toc.ncx\" media-type=\"application/x-dtbncx+xml\"/>"
	"<item id=\"p\" href=\"pre.xhtml\" media-type=\"application/xhtml+xml\"/>"
	"<item id=\"m\" href=\"main.xhtml\" media-type=\"application/xhtml+xml\"/>"
	"<item id=\"q\" href=\"post.xhtml\" media-type=\"application/xhtml+xml\"/></manifest>"
	"<spine toc=\"ncx\"><itemref idref=\"p\"/><itemref idref=\"m\"/><itemref idref=\"q\"/></spine>"
	"</package>";
	const char *ncx =
	"<ncx xmlns=\"http://www.daisy.org/z3986/2005/ncx/\"><navMap>"
	"<navPoint><navLabel><text>Group</text></navLabel>"
	"<navPoint><navLabel><text>Main</text></navLabel><content src=\"main.xhtml#top\"/></navPoint>"
	"<navPoint><navLabel><text>Deep</text></navLabel><content src=\"main.xhtml#deep\"/></navPoint>"
	"</navPoint></navMap></ncx>";
	const char *pre =
	"<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><div><h2>Fore word</h2><p>Before</p></div></body></html>";
	const char *mainx =
	"<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><p id=\"top\">Main text</p>"
	"<blockquote><p>quoted <span id=\"deep\">deep</span> rest</p></blockquote></body></html>";
	const char *post =
	"<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><p>After</p></body></html>";

	tzip_add(&z, "mimetype", "application/epub+zip");
	tzip_add(&z, "META-INF/container.xml", container_xml);
	tzip_add(&z, "OEBPS/content.opf", opf);
	tzip_add(&z, "OEBPS/toc.ncx", ncx);
	tzip_add(&z, "OEBPS/pre.xhtml", pre);
	tzip_add(&z, "OEBPS/main.xhtml", mainx);
	tzip_add(&z, "OEBPS/post.xhtml", post);
	tzip_finish(&z);

	b = parse(z.buf, z.len, &err);
	CHECK_MSG(b != NULL, "%s", err.message);
	if (b == NULL)
	{
		free(z.buf);
		return;
	}
	CHECK(streq(b->toc_source, "ncx"));
	CHECK(b->ntoc == 3 && b->toc[0].href == NULL && b->toc[2].depth == 2);
	CHECK(b->nchapters == 3);
	if (b->nchapters == 3)
	{
		CHECK(streq(b->chapters[0].title, "Fore word"));
		CHECK(streq(b->chapters[0].source, "OEBPS/pre.xhtml"));
		CHECK(streq(b->chapters[0].text, "Fore word\n\nBefore"));
		CHECK(streq(b->chapters[1].title, "Main") && b->chapters[1].depth == 2);
		CHECK_MSG(streq(b->chapters[1].text, "Main text\n\nquoted"), "got [%s]",
				  b->chapters[1].text);
		CHECK(streq(b->chapters[2].title, "Deep"));
		CHECK_MSG(streq(b->chapters[2].text, "deep rest\n\nAfter"), "got [%s]",
				  b->chapters[2].text);
		if (b->chapters[2].html)
			CHECK_MSG(strncmp(b->chapters[2].html, "<blockquote>", 12) == 0,
					  "html %s", b->chapters[2].html);
	}
	else
		dump_chapters(b);
	bp_book_free(b);
	free(z.buf);
}

/* Content documents in Latin-1, UTF-16 and mislabelled UTF-8. */
static void
test_synthetic_encodings(void)
{
	tzip		z = {0};
	bp_error	err;
	bp_book    *b;
	const char *opf =
	"<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"2.0\">"
	"<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>Enc</dc:title></metadata>"
	"<manifest><item id=\"l\" href=\"l.xhtml\" media-type=\"application/xhtml+xml\"/>"
	"<item id=\"u\" href=\"u.xhtml\" media-type=\"application/xhtml+xml\"/>"
	"<item id=\"m\" href=\"m.xhtml\" media-type=\"application/xhtml+xml\"/>"
	"<item id=\"x\" href=\"x.xhtml\" media-type=\"application/xhtml+xml\"/></manifest>"
	"<spine><itemref idref=\"l\"/><itemref idref=\"u\"/><itemref idref=\"m\"/>"
	"<itemref idref=\"x\"/></spine></package>";
	const char *latin1 =
	"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
	"<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><h1>L</h1><p>caf\xe9 na\xefve</p></body></html>";
	const char *utf8_as_1251 =
	"<?xml version=\"1.0\" encoding=\"windows-1251\"?>\n"
	"<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><h1>M</h1><p>\xd0\xbc\xd0\xb8\xd1\x80</p></body></html>";
	const char *unknown =
	"<?xml version=\"1.0\" encoding=\"x-no-such-enc\"?>\n"
	"<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><h1>X</h1><p>bad \xff byte</p></body></html>";
	const char *u8 = "<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><h1>U</h1><p>\xe2\x82\xac uno</p></body></html>";
	char		u16[512];
	size_t		n = 0,
				i;

	/* UTF-16LE with a BOM; the euro sign is U+20AC */
	u16[n++] = (char) 0xFF;
	u16[n++] = (char) 0xFE;
	for (i = 0; u8[i]; i++)
	{
		if ((unsigned char) u8[i] == 0xe2)
		{
			u16[n++] = (char) 0xAC;
			u16[n++] = (char) 0x20;
			i += 2;
			continue;
		}
		u16[n++] = u8[i];
		u16[n++] = 0;
	}

	tzip_add(&z, "mimetype", "application/epub+zip");
	tzip_add(&z, "content.opf", opf);
	tzip_add(&z, "l.xhtml", latin1);
	tzip_add_n(&z, "u.xhtml", u16, n);
	tzip_add(&z, "m.xhtml", utf8_as_1251);
	tzip_add(&z, "x.xhtml", unknown);
	tzip_finish(&z);

	b = parse(z.buf, z.len, &err);
	CHECK_MSG(b != NULL, "%s", err.message);
	if (b == NULL)
	{
		free(z.buf);
		return;
	}
	CHECK(b->nchapters == 4);
	if (b->nchapters == 4)
	{
		CHECK_MSG(streq(b->chapters[0].text, "L\n\ncaf\xC3\xA9 na\xC3\xAFve"), "got [%s]", b->chapters[0].text);
		CHECK_MSG(streq(b->chapters[1].text, "U\n\n\xe2\x82\xac uno"), "got [%s]", b->chapters[1].text);
		CHECK_MSG(streq(b->chapters[2].text, "M\n\n\xd0\xbc\xd0\xb8\xd1\x80"), "got [%s]", b->chapters[2].text);
		CHECK_MSG(streq(b->chapters[3].text, "X\n\nbad \xEF\xBF\xBD byte"), "got [%s]", b->chapters[3].text);
	}
	else
		dump_chapters(b);
	CHECK(has_warning(b, "encoding_unknown"));
	CHECK(has_warning(b, "opf_fallback"));
	bp_book_free(b);
	free(z.buf);
}

/* Hostile TOC: 20,000 unclosed nested lists (HTML fallback, deep tree). */
static void
test_synthetic_deep_nav(void)
{
	tzip		z = {0};
	bp_error	err;
	bp_book    *b;
	const char *opf =
	"<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\">"
	"<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>Deep</dc:title></metadata>"
	"<manifest><item id=\"n\" href=\"nav.xhtml\" media-type=\"application/xhtml+xml\" properties=\"nav\"/>"
	"<item id=\"a\" href=\"a.xhtml\" media-type=\"application/xhtml+xml\"/></manifest>"
	"<spine><itemref idref=\"a\"/></spine></package>";
	const char *item = "<ol><li><a href=\"a.xhtml\">x</a>";
	size_t		depth = 20000,
				len = depth * strlen(item) + 256;
	char	   *nav = malloc(len),
			   *p = nav;
	size_t		i;

	p += sprintf(p, "<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><nav>");
	for (i = 0; i < depth; i++)
		p += sprintf(p, "%s", item);
	tzip_add(&z, "mimetype", "application/epub+zip");
	tzip_add(&z, "content.opf", opf);
	tzip_add(&z, "nav.xhtml", nav);
	tzip_add(&z, "a.xhtml", "<html><body><p>Deep text</p></body></html>");
	tzip_finish(&z);

	b = parse(z.buf, z.len, &err);
	CHECK_MSG(b != NULL, "%s", err.message);
	if (b != NULL)
	{
		CHECK(b->ntoc >= 1);
		printf("deep nav: %d toc entries, %d warnings\n", b->ntoc, b->nwarnings);
		CHECK(b->nchapters >= 1);
		bp_book_free(b);
	}
	free(nav);
	free(z.buf);
}

/* A leading chapter is not titled by the heading a TOC entry starts at. */
static void
test_synthetic_lead_title(void)
{
	tzip		z = {0};
	bp_error	err;
	bp_book    *b;
	const char *opf =
	"<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\">"
	"<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>Lead</dc:title></metadata>"
	"<manifest><item id=\"n\" href=\"nav.xhtml\" media-type=\"application/xhtml+xml\" properties=\"nav\"/>"
	"<item id=\"a\" href=\"a.xhtml\" media-type=\"application/xhtml+xml\"/></manifest>"
	"<spine><itemref idref=\"a\"/></spine></package>";
	const char *nav =
	"<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\"><body>"
	"<nav epub:type=\"toc\"><ol><li><a href=\"a.xhtml#c1\">Chapter One</a></li></ol></nav></body></html>";
	const char *a =
	"<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><p>Copyright</p>"
	"<section id=\"c1\"><h1>One</h1><p>Text</p></section></body></html>";

	tzip_add(&z, "mimetype", "application/epub+zip");
	tzip_add(&z, "content.opf", opf);
	tzip_add(&z, "nav.xhtml", nav);
	tzip_add(&z, "a.xhtml", a);
	tzip_finish(&z);
	b = parse(z.buf, z.len, &err);
	CHECK_MSG(b != NULL, "%s", err.message);
	if (b != NULL)
	{
		CHECK(b->nchapters == 2);
		if (b->nchapters == 2)
		{
			CHECK(b->chapters[0].title == NULL && streq(b->chapters[0].text, "Copyright"));
			CHECK(streq(b->chapters[1].title, "Chapter One") &&
				  streq(b->chapters[1].text, "One\n\nText"));
		}
		else
			dump_chapters(b);
		bp_book_free(b);
	}
	free(z.buf);
}

/* ---- the corpus ---- */

/* Count Unicode letters of UTF-8 text. */
static int64_t
count_letters(const char *s, size_t len)
{
	int32_t		i = 0;
	int64_t		n = 0;

	while ((size_t) i < len)
	{
		UChar32		c;

		U8_NEXT(s, i, (int32_t) len, c);
		if (c >= 0 && u_isalpha(c))
			n++;
	}
	return n;
}

/* Letters of the spine bodies counted by Python + lxml, or -1. */
static const char *letters_py =
"import sys, zipfile, posixpath, urllib.parse\n"
"from lxml import etree, html as lhtml\n"
"DROP = {'script','style','template','annotation','annotation-xml','noscript','iframe','object','head','title'}\n"
"def local(t):\n"
"    return t.split('}')[-1].lower() if isinstance(t, str) else None\n"
"def letters(s):\n"
"    return sum(1 for c in s if c.isalpha())\n"
"def body_letters(data):\n"
"    root = etree.fromstring(data, etree.XMLParser(recover=True, resolve_entities=False, no_network=True))\n"
"    if root is None: root = lhtml.fromstring(data)\n"
"    body = next((e for e in root.iter() if local(e.tag) == 'body'), root)\n"
"    n = 0\n"
"    stack = [(body, False)]\n"
"    while stack:\n"
"        e, done = stack.pop()\n"
"        if done:\n"
"            if e is not body and e.tail: n += letters(e.tail)\n"
"            continue\n"
"        tag = local(e.tag)\n"
"        if e is not body and (tag is None or tag in DROP or (tag == 'case' and 'idpf.org/2007/ops' in str(e.tag))):\n"
"            if e.tail: n += letters(e.tail)\n"
"            continue\n"
"        stack.append((e, True))\n"
"        if e.text: n += letters(e.text)\n"
"        for c in reversed(list(e)): stack.append((c, False))\n"
"    return n\n"
"z = zipfile.ZipFile(sys.argv[1])\n"
"c = etree.fromstring(z.read('META-INF/container.xml'))\n"
"opf = [e.get('full-path') for e in c.iter() if local(e.tag) == 'rootfile'][0]\n"
"o = etree.fromstring(z.read(opf), etree.XMLParser(recover=True))\n"
"items = {}\n"
"for e in o.iter():\n"
"    if local(e.tag) == 'item':\n"
"        items[e.get('id')] = posixpath.normpath(posixpath.join(posixpath.dirname(opf), urllib.parse.unquote(e.get('href').split('#')[0])))\n"
"total = 0; seen = set(); names = set(z.namelist())\n"
"for e in o.iter():\n"
"    if local(e.tag) == 'itemref':\n"
"        p = items.get(e.get('idref'))\n"
"        if p is None or p in seen or p not in names: continue\n"
"        seen.add(p)\n"
"        total += body_letters(z.read(p))\n"
"print(total)\n";

/* Run the Python counter on an EPUB file; -1 when it cannot run. */
static int64_t
python_letters(const char *path)
{
	char		script[] = "/tmp/bp_test_letters_XXXXXX";
	int			fd;
	char		cmd[2048];
	FILE	   *p;
	long long	n = -1;

	if (access("/usr/bin/python3", X_OK) != 0)
		return -1;
	fd = mkstemp(script);
	if (fd < 0)
		return -1;
	if (write(fd, letters_py, strlen(letters_py)) != (ssize_t) strlen(letters_py))
	{
		close(fd);
		unlink(script);
		return -1;
	}
	close(fd);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s '%s' 2>/dev/null", script, path);
	p = popen(cmd, "r");
	if (p != NULL)
	{
		if (fscanf(p, "%lld", &n) != 1)
			n = -1;
		pclose(p);
	}
	unlink(script);
	return (int64_t) n;
}

/* Expected outcome of a corpus file: NULL = parses, else an error name. */
static const char *
expected_failure(const char *name)
{
	if (strcmp(name, "epubcheck-ocf-zip-unreadable-empty-fatal.epub") == 0)
		return "empty";
	if (strcmp(name, "epubcheck-ocf-zip-unreadable-image-with-epub-extension-fatal.epub") == 0 ||
		strcmp(name, "epubcheck-ocf-container-not-ocf-error.epub") == 0)
		return "not_a_book";
	/* holds no content document: failing or parsing are both fine */
	if (strcmp(name, "epubcheck-ocf-zip-unreadable-no-end-header-fatal.epub") == 0 ||
		strcmp(name, "versone-missing-toc.epub") == 0 ||
		strcmp(name, "versone-xml11.epub") == 0)
		return "any";
	return NULL;
}

/* A warning code each named corpus file must have, or NULL. */
static const char *
expected_warning(const char *name)
{
	static const char *const map[][2] = {
		{"deb-live-manual-en-fragment-hrefs.epub", "manifest_href_fragment"},
		{"versone-typical-epub2-no-mimetype.epub", "mimetype_missing"},
		{"versone-typical-epub3-no-mimetype.epub", "mimetype_missing"},
		{"versone-remote-content-no-mimetype.epub", "manifest_remote"},
		{"epubcheck-ocf-mimetype-file-missing-error.epub", "mimetype_missing"},
		{"epubcheck-ocf-filename-duplicate-zip-entry-error.epub", "zip_duplicate_entry"},
		{"deb-calibre-quick_start-eng.epub", "mimetype_not_first"},
		{"deb-ubuntu-packaging-guide-ru.epub", "toc_href_repaired"},
		{"versone-invalid-manifest-items-epub3.epub", "spine_empty"},
	};
	size_t		i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(name, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

/* Find a chapter by title; -1 if none. */
static int
find_chapter(const bp_book *b, const char *title)
{
	int			i;

	for (i = 0; i < b->nchapters; i++)
		if (streq(b->chapters[i].title, title))
			return i;
	return -1;
}

/* Book-specific checks. */
static void
check_book(const char *name, const bp_book *b)
{
	if (strcmp(name, "idpf-moby-dick.epub") == 0)
	{
		int			i = find_chapter(b, "Chapter 1. Loomings.");

		CHECK(b->nchapters == 143);
		CHECK(i >= 0 && streq(b->chapters[i].source, "OPS/chapter_001.xhtml") &&
			  b->chapters[i].depth == 1 && b->chapters[i].counts.words > 2000);
		CHECK(i >= 0 && i + 1 < b->nchapters &&
			  streq(b->chapters[i + 1].title, "Chapter 2. The Carpet-Bag."));
		CHECK(find_chapter(b, "Epilogue") >= 0);
		CHECK(streq(b->toc_source, "nav"));
		CHECK(streq(b->meta.title, "Moby-Dick"));
		CHECK(b->meta.ncreators >= 1 && streq(b->meta.creators[0].name, "Herman Melville"));
	}
	else if (strcmp(name, "se-crime-and-punishment.epub") == 0)
	{
		int			p1 = find_chapter(b, "Part I");
		int			ep = find_chapter(b, "Epilogue");

		CHECK(b->nchapters == 55);
		CHECK(p1 >= 0 && b->chapters[p1].depth == 2);
		CHECK(p1 >= 0 && p1 + 1 < b->nchapters && streq(b->chapters[p1 + 1].title, "I") &&
			  b->chapters[p1 + 1].depth == 3 && b->chapters[p1 + 1].counts.words > 1000);
		CHECK(find_chapter(b, "Part VI") >= 0);
		CHECK(ep >= 0 && ep + 2 < b->nchapters &&
			  streq(b->chapters[ep + 1].source, "epub/text/epilogue.xhtml#epilogue-1") &&
			  streq(b->chapters[ep + 2].source, "epub/text/epilogue.xhtml#epilogue-2"));
		CHECK(streq(b->meta.creators[0].name, "Fyodor Dostoevsky"));
		CHECK(b->meta.nsubjects >= 1);
	}
	else if (strcmp(name, "idpf-jlreq-in-japanese.epub") == 0)
		CHECK(b->nassets == 335);
}

/* Parse every corpus EPUB in dir and check it. */
static void
test_corpus_dir(const char *corpus, const char *sub, bool letters)
{
	char		dirpath[1024];
	DIR		   *d;
	struct dirent *de;
	char	  **names = NULL;
	int			n = 0,
				i;

	snprintf(dirpath, sizeof(dirpath), "%s/%s", corpus, sub);
	d = opendir(dirpath);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (bp_has_suffix_ci(de->d_name, ".epub"))
		{
			names = realloc(names, sizeof(char *) * (size_t) (n + 1));
			names[n++] = strdup(de->d_name);
		}
	closedir(d);

	for (i = 0; i < n; i++)
	{
		char		path[2048];
		size_t		len = 0;
		unsigned char *data;
		bp_options	opts;
		bp_error	err;
		bp_book    *b;
		const char *fail = expected_failure(names[i]);
		const char *warn = expected_warning(names[i]);
		int			k;
		bool		text_ok = true;
		int64_t		ours = 0;

		snprintf(path, sizeof(path), "%s/%s", dirpath, names[i]);
		data = bp_test_read_file(path, &len);
		CHECK_MSG(data != NULL, "%s unreadable", path);
		if (data == NULL)
			continue;
		bp_options_init(&opts);
		b = bp_parse(data, len, names[i], &opts, &err);
		if (fail != NULL && strcmp(fail, "any") != 0)
		{
			CHECK_MSG(b == NULL && strcmp(bp_code_name(err.code), fail) == 0,
					  "%s: expected %s, got %s", names[i], fail,
					  b ? "success" : bp_code_name(err.code));
		}
		else if (fail == NULL)
		{
			CHECK_MSG(b != NULL, "%s: %s: %s", names[i], bp_code_name(err.code), err.message);
		}
		if (b == NULL)
		{
			free(data);
			continue;
		}
		CHECK_MSG(b->meta.title != NULL, "%s: no title", names[i]);
		/* a package without content documents is an empty book, flagged */
		{
			bool		flagged = false;

			for (k = 0; k < b->nwarnings; k++)
				if (strcmp(b->warnings[k].code, "no_text") == 0)
					flagged = true;
			CHECK_MSG(b->nchapters >= 1 || flagged, "%s: no chapter", names[i]);
		}
		CHECK_MSG(b->format && strncmp(b->format, "epub", 4) == 0, "%s: format", names[i]);
		for (k = 0; k < b->nchapters; k++)
		{
			const bp_chapter *c = &b->chapters[k];

			if (c->text != NULL &&
				(strlen(c->text) != c->text_len || !bp_utf8_valid(c->text, c->text_len)))
				text_ok = false;
			if (c->text)
				ours += count_letters(c->text, c->text_len);
		}
		CHECK_MSG(text_ok, "%s: chapter text with NUL or invalid UTF-8", names[i]);
		if (warn != NULL)
			CHECK_MSG(has_warning(b, warn), "%s: expected warning %s", names[i], warn);
		check_book(names[i], b);
		if (letters)
		{
			int64_t		ref = python_letters(path);

			if (ref >= 0)
				CHECK_MSG(ours == ref, "%s: %lld letters, lxml counts %lld", names[i],
						  (long long) ours, (long long) ref);
		}
		bp_book_free(b);
		free(data);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Letter spot check of a few named books. */
static void
test_letters(const char *corpus)
{
	static const char *const books[] = {
		"epub/idpf-moby-dick.epub",
		"epub/se-crime-and-punishment.epub",
		"epub/idpf-kusamakura-japanese-vertical-writing.epub",
		"epub/idpf-linear-algebra.epub",
		"malformed/deb-live-manual-en-fragment-hrefs.epub",
	};
	size_t		i;

	for (i = 0; i < sizeof(books) / sizeof(books[0]); i++)
	{
		char		path[2048];
		size_t		len = 0;
		unsigned char *data;
		bp_options	opts;
		bp_error	err;
		bp_book    *b;
		int64_t		ours = 0,
					ref;
		int			k;

		snprintf(path, sizeof(path), "%s/%s", corpus, books[i]);
		ref = python_letters(path);
		data = bp_test_read_file(path, &len);
		if (ref < 0 || data == NULL)
		{
			free(data);
			continue;
		}
		bp_options_init(&opts);
		b = bp_parse(data, len, books[i], &opts, &err);
		CHECK(b != NULL);
		for (k = 0; b && k < b->nchapters; k++)
			if (b->chapters[k].text)
				ours += count_letters(b->chapters[k].text, b->chapters[k].text_len);
		CHECK_MSG(ours == ref, "%s: %lld letters, lxml counts %lld", books[i],
				  (long long) ours, (long long) ref);
		printf("letters %s: ours %lld, lxml %lld\n", books[i], (long long) ours,
			   (long long) ref);
		bp_book_free(b);
		free(data);
	}
}

/* Resolving hrefs: percent escapes, fragments, escapes that are not UTF-8. */
static void
test_path_resolve(void)
{
	bp_options	opts;
	bp_ctx	   *ctx;
	char	   *p;
	char	   *frag;
	unsigned	st;

	bp_options_init(&opts);
	ctx = bp_ctx_create(&opts, "paths", 0);
	p = bp_path_resolve(ctx, "OEBPS/text/c1.xhtml", "../ch%20two.xhtml#s%31", &frag, &st);
	CHECK(p != NULL && strcmp(p, "OEBPS/ch two.xhtml") == 0);
	CHECK(frag != NULL && strcmp(frag, "s1") == 0);
	CHECK(st & BP_PATH_FRAGMENT);
	p = bp_path_resolve(ctx, "OEBPS/c1.xhtml", "%C3%A9t%C3%A9.xhtml", &frag, &st);
	CHECK(p != NULL && strcmp(p, "OEBPS/\xC3\xA9t\xC3\xA9.xhtml") == 0);
	/* escapes that decode to bytes that are not UTF-8 match no name */
	p = bp_path_resolve(ctx, "OEBPS/c1.xhtml", "intro%de.xhtml", &frag, &st);
	CHECK(p == NULL && frag == NULL);
	p = bp_path_resolve(ctx, "OEBPS/c1.xhtml", "%e9%ad", &frag, &st);
	CHECK(p == NULL);
	/* ... and such a fragment is dropped, the document kept */
	p = bp_path_resolve(ctx, "OEBPS/c1.xhtml", "c2.xhtml#a%ff", &frag, &st);
	CHECK(p != NULL && strcmp(p, "OEBPS/c2.xhtml") == 0 && frag == NULL);
	/* %00 never decodes */
	CHECK(bp_path_resolve(ctx, "OEBPS/c1.xhtml", "a%00b.xhtml", &frag, &st) == NULL);
	CHECK(!bp_failed(ctx));
	bp_ctx_destroy(ctx);
}

int
main(int argc, char **argv)
{
	const char *corpus = bp_test_corpus();

	test_path_resolve();

	test_synthetic_epub3();
	test_synthetic_epub2_headings();
	test_synthetic_ncx_leading();
	test_synthetic_encodings();
	test_synthetic_deep_nav();
	test_synthetic_lead_title();
	if (corpus != NULL)
	{
		/* BP_TEST_ALL_LETTERS=1 compares letters for every corpus book */
		bool		all = getenv("BP_TEST_ALL_LETTERS") != NULL;

		test_corpus_dir(corpus, "epub", all);
		test_corpus_dir(corpus, "derived", all);
		test_corpus_dir(corpus, "malformed", false);
		if (!all)
			test_letters(corpus);
	}
	else
		printf("test_epub: SKIPPED corpus tests: corpus not found\n");
	return bp_test_summary("test_epub");
}

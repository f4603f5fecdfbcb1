/*
 * fuzz_epub.c
 *	  libFuzzer target: the EPUB package and its TOC.  The input is split
 *	  at lines "#--#" into up to five parts placed in a generated EPUB:
 *	  OEBPS/content.opf, OEBPS/toc.ncx, OEBPS/nav.xhtml, OEBPS/c1.xhtml and
 *	  META-INF/container.xml (a standard one when absent).  The book is
 *	  then parsed as a worker would (text, HTML, assets, JSON).
 */
#define _GNU_SOURCE				/* memmem */
#include "fuzz_common.h"
#include "zipgen.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEP "\n#--#\n"
#define NPARTS 5

static const char *const part_names[NPARTS] = {
	"OEBPS/content.opf", "OEBPS/toc.ncx", "OEBPS/nav.xhtml",
	"OEBPS/c1.xhtml", "META-INF/container.xml"
};

static const char container[] =
"<?xml version=\"1.0\"?>\n"
"<container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">"
"<rootfiles><rootfile full-path=\"OEBPS/content.opf\" "
"media-type=\"application/oebps-package+xml\"/></rootfiles></container>\n";

/* One input: build the EPUB from its parts and parse it. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data;
	const uint8_t *end = data + size;
	zg			z;
	int			n;

	zg_init(&z);
	zg_add_str(&z, "mimetype", "application/epub+zip", 0);
	for (n = 0; n < NPARTS && p <= end; n++)
	{
		const uint8_t *q = memmem(p, (size_t) (end - p), SEP, strlen(SEP));
		size_t		plen = q ? (size_t) (q - p) : (size_t) (end - p);

		zg_add(&z, part_names[n], p, plen, 0, 0, false, false);
		if (q == NULL)
		{
			n++;
			break;
		}
		p = q + strlen(SEP);
	}
	if (n < NPARTS)
		zg_add_str(&z, "META-INF/container.xml", container, 0);
	zg_finish(&z, false);
	fz_parse_book(z.buf, z.len, "fuzz.epub");
	zg_free(&z);
	return 0;
}

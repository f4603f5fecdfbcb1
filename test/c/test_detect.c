/*
 * test_detect.c
 *	  Tests of bp_detect_format (src/core/bp_detect.c): synthetic buffers
 *	  of many kinds, zips built with zipgen.h, and every corpus file with
 *	  the format its MANIFEST gives.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bp_internal.h"
#include "bp_test.h"
#include "zipgen.h"

/* Detect buf and check the format (NULL allowed) and a piece of *what. */
static void
expect(const char *label, const void *buf, size_t len, const char *want_fmt,
	   const char *want_what)
{
	const char *what = NULL;
	const char *fmt = bp_detect_format((const unsigned char *) buf, len, &what);
	bool		fmt_ok = (fmt == NULL && want_fmt == NULL) ||
		(fmt != NULL && want_fmt != NULL && strcmp(fmt, want_fmt) == 0);
	bool		what_ok = what != NULL &&
		(want_what == NULL || strstr(what, want_what) != NULL);

	CHECK_MSG(fmt_ok && what_ok, "%s: got %s / \"%s\", want %s / \"%s\"", label,
			  fmt ? fmt : "NULL", what ? what : "(null)",
			  want_fmt ? want_fmt : "NULL", want_what ? want_what : "*");
}

/* Detect a NUL-terminated string. */
static void
expect_s(const char *s, const char *want_fmt, const char *want_what)
{
	expect(s, s, strlen(s), want_fmt, want_what);
}

/* Signatures of things that are not books. */
static void
test_signatures(void)
{
	unsigned char mobi[200];
	unsigned char bmp[64];

	expect("empty", "", 0, NULL, "empty file");
	CHECK(bp_detect_format(NULL, 0, NULL) == NULL);
	expect_s("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", NULL, "PDF document");
	expect("png", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, NULL, "PNG image");
	expect("jpeg", "\xFF\xD8\xFF\xE0\0\x10JFIF\0", 11, NULL, "JPEG image");
	expect_s("GIF89a\x01\x00\x01\x00", NULL, "GIF image");
	expect("webp", "RIFF\x10\0\0\0WEBPVP8 ", 16, NULL, "WebP image");
	expect("tiff", "II*\0\x08\0\0\0", 8, NULL, "TIFF image");
	expect("rar", "Rar!\x1a\x07\x01\0", 8, NULL, "RAR archive");
	expect("7z", "7z\xBC\xAF\x27\x1C\0\x04", 8, NULL, "7z archive");
	expect("gzip", "\x1F\x8B\x08\0\0\0\0\0", 8, NULL, "gzip");
	expect_s("BZh91AY&SY", NULL, "bzip2");
	expect("elf", "\x7F" "ELF\x02\x01\x01\0", 8, NULL, "ELF");
	expect_s("AT&TFORM\0\0\0\0DJVU", NULL, "DjVu");
	expect_s("{\\rtf1\\ansi\\deff0 {\\fonttbl}", NULL, "RTF document");
	expect("ole2", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0", 10, NULL, "legacy Office document");

	memset(mobi, 0, sizeof(mobi));
	memcpy(mobi, "My Book", 7);
	memcpy(mobi + 60, "BOOKMOBI", 8);
	expect("mobi", mobi, sizeof(mobi), NULL, "MOBI/Kindle book (not supported)");

	memset(bmp, 0, sizeof(bmp));
	memcpy(bmp, "BM", 2);
	bmp[2] = sizeof(bmp);
	bmp[10] = 54;
	bmp[14] = 40;
	expect("bmp", bmp, sizeof(bmp), NULL, "BMP image");
	/* text that merely starts with BM */
	expect_s("BMW cars are made in Bavaria.\nThey are fast.\n", "txt", "plain text");
}

/* XML: FictionBook in its many guises, HTML, other roots. */
static void
test_xml(void)
{
	const char *fb2 =
		"<?xml version=\"1.0\" encoding=\"windows-1251\"?>\n"
		"<FictionBook xmlns=\"http://www.gribuser.ru/xml/fictionbook/2.0\">"
		"<body><p>text</p></body></FictionBook>";
	char		u16[512];
	size_t		n = 0;
	const char *src = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\r\n<FictionBook><body/></FictionBook>";

	expect_s(fb2, "fb2", "FictionBook");
	expect_s("\xEF\xBB\xBF<?xml version=\"1.0\"?><FictionBook/>", "fb2", NULL);
	expect_s("  \n<fb:FictionBook xmlns:fb=\"x\"><fb:body/></fb:FictionBook>", "fb2", NULL);
	expect_s("<?xml version=\"1.0\"?>\n<!-- a <FictionBook> comment -->\n"
			 "<!DOCTYPE FictionBook [ <!ENTITY v \"1.0 > 0.9\"> <!-- ] > --> ]>\n"
			 "<?pi stuff?>\n<FictionBook>", "fb2", NULL);
	expect_s("<FictionBook>", "fb2", NULL);

	/* UTF-16 LE and BE, with and without a BOM */
	for (int variant = 0; variant < 4; variant++)
	{
		bool		be = variant & 1;
		bool		bom = variant < 2;

		n = 0;
		if (bom)
		{
			u16[n++] = be ? (char) 0xFE : (char) 0xFF;
			u16[n++] = be ? (char) 0xFF : (char) 0xFE;
		}
		for (const char *p = src; *p; p++)
		{
			u16[n++] = be ? 0 : *p;
			u16[n++] = be ? *p : 0;
		}
		expect(bom ? "fb2 utf-16 bom" : "fb2 utf-16", u16, n, "fb2", NULL);
	}

	expect_s("<!DOCTYPE html>\n<html lang=\"en\"><head><title>x</title></head></html>",
			 NULL, "HTML document");
	expect_s("<HTML><BODY>old school</BODY></HTML>", NULL, "HTML document");
	expect_s("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
			 "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.1//EN\" \"http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd\">\n"
			 "<html xmlns=\"http://www.w3.org/1999/xhtml\"><body/></html>", NULL, "HTML document");
	expect_s("<!doctype html><meta charset=utf-8><title>t</title><p>hi", NULL, "HTML document");
	expect_s("<?xml version=\"1.0\"?>\n<package xmlns=\"http://www.idpf.org/2007/opf\"/>",
			 NULL, "XML document (root <package>)");
	expect_s("<opf:package/>", NULL, "XML document (root <opf:package>)");
	/* a '<' that starts no tag: text */
	expect_s("<3 you\nsee you tomorrow\n", "txt", "plain text");
	expect_s("<<< Chapter One >>>\nIt was a dark night.\n", "txt", NULL);
	/* an unterminated comment is not XML, but is text */
	expect_s("<!-- never closed", "txt", NULL);
}

/* Text of several encodings, and binary data. */
static void
test_text(void)
{
	unsigned char bin[4096];
	unsigned char noz[300];
	unsigned	seed = 7;
	/* "Привет, мир" in windows-1251 and koi8-r */
	const char *cp1251 = "\xcf\xf0\xe8\xe2\xe5\xf2, \xec\xe8\xf0! \xc2\xee\xf2 \xf2\xe5\xea\xf1\xf2.\r\n";
	const char *koi8 = "\xf0\xd2\xc9\xd7\xc5\xd4, \xcd\xc9\xd2! \xf7\xcf\xd4 \xd4\xc5\xcb\xd3\xd4.\n";

	expect_s("Hello, world.\nThis is a plain text book.\n", "txt", "plain text");
	expect_s("\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82, \xd0\xbc\xd0\xb8\xd1\x80!\n", "txt", NULL);
	expect_s("\xEF\xBB\xBFWith a BOM.\n", "txt", NULL);
	expect_s("\xEF\xBB\xBF", "txt", NULL);
	expect_s(cp1251, "txt", NULL);
	expect_s(koi8, "txt", NULL);
	expect("utf-16le bom text", "\xFF\xFEH\0i\0\n\0", 8, "txt", NULL);
	expect("utf-16be bom text", "\xFE\xFF\0H\0i", 6, "txt", NULL);

	for (size_t i = 0; i < sizeof(bin); i++)
	{
		seed = seed * 1103515245u + 12345u;
		bin[i] = (unsigned char) (seed >> 16);
	}
	expect("random", bin, sizeof(bin), NULL, "binary data");
	expect("nul", "abc\0def", 7, NULL, "binary data");
	/* random bytes without any NUL: the control characters give it away */
	for (size_t i = 0; i < sizeof(noz); i++)
		noz[i] = bin[i] ? bin[i] : 1;
	expect("random without NUL", noz, sizeof(noz), NULL, "binary data");
}

/* Build a zip with the given entries (name, content pairs) and detect it. */
static void
expect_zip(const char *label, const char *const *entries, int n, bool finish,
		   size_t prefix, const char *want_fmt, const char *want_what)
{
	zg			z;
	unsigned char *buf;

	zg_init(&z);
	for (int i = 0; i < n; i++)
		zg_add_str(&z, entries[2 * i], entries[2 * i + 1],
				   strcmp(entries[2 * i], "mimetype") == 0 ? 0 : 8);
	if (finish)
		zg_finish(&z, false);
	/* bytes before the archive (a self-extractor) */
	buf = malloc(z.len + prefix);
	memset(buf, '#', prefix);
	memcpy(buf + prefix, z.buf, z.len);
	expect(label, buf, z.len + prefix, want_fmt, want_what);
	free(buf);
	zg_free(&z);
}

/* Zip archives: books and other zip-based formats. */
static void
test_zips(void)
{
	const char *epub[] = {"mimetype", "application/epub+zip",
		"META-INF/container.xml", "<container/>", "OEBPS/content.opf", "<package/>"};
	const char *epub_nomime[] = {"META-INF/container.xml", "<container/>",
	"OEBPS/content.opf", "<package/>"};
	const char *opf_only[] = {"book/content.OPF", "<package/>", "book/a.xhtml", "<html/>"};
	const char *mime_only[] = {"mimetype", "application/epub+zip\n"};
	const char *fb2zip[] = {"My Book.fb2", "<FictionBook/>"};
	const char *docx[] = {"[Content_Types].xml", "<Types/>", "_rels/.rels", "<x/>",
	"word/document.xml", "<w:document/>"};
	const char *odt[] = {"mimetype", "application/vnd.oasis.opendocument.text",
	"content.xml", "<office:document-content/>"};
	const char *ods[] = {"mimetype", "application/vnd.oasis.opendocument.spreadsheet",
	"content.xml", "<office:document-content/>"};
	const char *xlsx[] = {"[Content_Types].xml", "<Types/>", "xl/workbook.xml", "<workbook/>"};
	const char *plain[] = {"readme.txt", "hello", "src/main.c", "int main;"};

	expect_zip("epub", epub, 3, true, 0, "epub", NULL);
	expect_zip("epub no mimetype", epub_nomime, 2, true, 0, "epub", NULL);
	expect_zip("epub opf only", opf_only, 2, true, 0, "epub", NULL);
	expect_zip("epub mimetype only", mime_only, 1, true, 0, "epub", NULL);
	expect_zip("epub no central directory", epub, 3, false, 0, "epub", NULL);
	expect_zip("epub with prefix", epub, 3, true, 300, "epub", NULL);
	expect_zip("fb2.zip", fb2zip, 1, true, 0, "fb2.zip", NULL);
	expect_zip("fb2.zip no central directory", fb2zip, 1, false, 0, "fb2.zip", NULL);
	expect_zip("docx", docx, 3, true, 0, NULL, "DOCX document");
	expect_zip("odt", odt, 2, true, 0, NULL, "ODT document");
	expect_zip("ods", ods, 2, true, 0, NULL, "OpenDocument");
	expect_zip("xlsx", xlsx, 2, true, 0, NULL, "XLSX spreadsheet");
	expect_zip("plain zip", plain, 2, true, 0, NULL, "zip archive (no book inside)");
	expect_zip("empty zip", plain, 0, true, 0, NULL, "zip archive (no book inside)");
}

/* Every truncation and some byte flips of an epub: no crash, sane answers. */
static void
test_mangled(void)
{
	zg			z;
	unsigned char *copy;
	unsigned	seed = 1;
	bool		sane = true;

	zg_init(&z);
	zg_add_str(&z, "mimetype", "application/epub+zip", 0);
	zg_add_str(&z, "META-INF/container.xml", "<container>...</container>", 8);
	zg_add(&z, "OEBPS/x.xhtml", "<html/>", 7, 8, 0, true, true);
	zg_finish(&z, true);
	copy = malloc(z.len);
	for (size_t cut = 0; cut <= z.len + 3000; cut++)
	{
		size_t		len = cut <= z.len ? cut : z.len;
		const char *what = NULL;
		const char *fmt;

		memcpy(copy, z.buf, z.len);
		if (cut > z.len)
			for (int k = 0; k < 1 + (int) (cut % 4); k++)
			{
				seed = seed * 1103515245u + 12345u;
				copy[(seed >> 8) % z.len] = (unsigned char) (seed >> 24);
			}
		fmt = bp_detect_format(copy, len, &what);
		if (what == NULL || (fmt != NULL && strcmp(fmt, "epub") != 0 &&
							 strcmp(fmt, "txt") != 0 && strcmp(fmt, "fb2") != 0 &&
							 strcmp(fmt, "fb2.zip") != 0))
			sane = false;
		/* a whole local header of mimetype is enough to say epub */
		if (cut >= 58 && cut <= z.len && (fmt == NULL || strcmp(fmt, "epub") != 0))
			sane = false;
	}
	CHECK(sane);
	free(copy);
	zg_free(&z);
}

/* Every corpus file gets the format its MANIFEST gives. */
static void
test_corpus(void)
{
	const char *root = bp_test_corpus();
	char		path[1024];
	unsigned char *manifest;
	size_t		mlen;
	char	   *line;
	char	   *save = NULL;
	int			files = 0;

	if (root == NULL)
	{
		printf("test_detect: SKIPPED corpus tests: corpus not found\n");
		return;
	}
	snprintf(path, sizeof(path), "%s/MANIFEST.tsv", root);
	manifest = bp_test_read_file(path, &mlen);
	if (manifest == NULL)
	{
		printf("test_detect: SKIPPED corpus tests: no MANIFEST.tsv\n");
		return;
	}
	for (line = strtok_r((char *) manifest, "\n", &save); line != NULL;
		 line = strtok_r(NULL, "\n", &save))
	{
		char	   *tab1 = strchr(line, '\t');
		char	   *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
		char	   *tab3 = tab2 ? strchr(tab2 + 1, '\t') : NULL;
		const char *format;
		const char *want_fmt;
		const char *want_what = NULL;
		unsigned char *data;
		size_t		len;

		if (tab3 == NULL || strncmp(line, "file\t", 5) == 0)
			continue;
		*tab1 = '\0';
		*tab3 = '\0';
		format = tab2 + 1;
		if (strcmp(format, "EPUB2") == 0 || strcmp(format, "EPUB3") == 0)
			want_fmt = "epub";
		else if (strcmp(format, "FB2") == 0)
			want_fmt = "fb2";
		else if (strcmp(format, "FB2.ZIP") == 0)
			want_fmt = "fb2.zip";
		else if (strcmp(format, "EPUB(empty file)") == 0)
		{
			want_fmt = NULL;
			want_what = "empty file";
		}
		else if (strstr(line, "image-with-epub-extension") != NULL)
		{
			want_fmt = NULL;
			want_what = "image";
		}
		else if (strcmp(format, "EPUB(no OPF)") == 0)
		{
			want_fmt = NULL;
			want_what = "DOCX";
		}
		else if (strcmp(format, "EPUB(unreadable zip)") == 0)
			want_fmt = "epub";	/* no end record, but whole local headers */
		else
		{
			CHECK_MSG(false, "%s: unknown MANIFEST format %s", line, format);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", root, line);
		data = bp_test_read_file(path, &len);
		if (data == NULL)
			continue;
		expect(line, data, len, want_fmt, want_what);
		files++;
		free(data);
	}
	free(manifest);
	printf("test_detect: corpus: %d files\n", files);
	CHECK(files >= 60);
}

int
main(void)
{
	test_signatures();
	test_xml();
	test_text();
	test_zips();
	test_mangled();
	test_corpus();
	return bp_test_summary("test_detect");
}

/*
 * test_fb2.c
 *	  Tests of the FictionBook 2 parser: a synthetic windows-1251 book, a
 *	  lying encoding declaration, binaries, and real books of the corpus.
 */
#include <strings.h>

#include "bookparse_core.h"
#include "bp_test.h"

/* Parse a NUL-terminated buffer with default options. */
static bp_book *
parse(const char *s, size_t len, bp_error *err)
{
	bp_options	o;

	bp_options_init(&o);
	o.want_assets = true;
	return bp_parse((const unsigned char *) s, len, "t.fb2", &o, err);
}

/* A windows-1251 book: metadata, nested sections, notes, a cover binary. */
static void
test_cp1251(void)
{
	/* "Сад" = D1 E0 E4, "Глава" = C3 EB E0 E2 E0, "Текст" = D2 E5 EA F1 F2 */
	const char	book[] =
		"<?xml version=\"1.0\" encoding=\"windows-1251\"?>\n"
		"<FictionBook xmlns=\"http://www.gribuser.ru/xml/fictionbook/2.0\" "
		"xmlns:l=\"http://www.w3.org/1999/xlink\"><description><title-info>"
		"<genre>prose</genre><author><first-name>Anna</first-name>"
		"<last-name>Petrova</last-name></author><book-title>\xD1\xE0\xE4</book-title>"
		"<coverpage><image l:href=\"#c.png\"/></coverpage><lang>ru</lang>"
		"<sequence name=\"S\" number=\"4\"/></title-info>"
		"<publish-info><isbn>978-0-306-40615-7</isbn></publish-info></description>"
		"<body><section><title><p>Part</p></title>"
		"<section><title><p>\xC3\xEB\xE0\xE2\xE0 1</p></title><p>\xD2\xE5\xEA\xF1\xF2 one.</p></section>"
		"<section><title><p>Two</p></title><poem><stanza><v>a</v><v>b</v></stanza></poem></section>"
		"</section></body>"
		"<body name=\"notes\"><section id=\"n1\"><title><p>1</p></title><p>note</p></section></body>"
		"<binary id=\"c.png\" content-type=\"image/png\">iVBORw0KGgo=</binary></FictionBook>";
	bp_error	err;
	bp_book    *b = parse(book, sizeof(book) - 1, &err);

	CHECK_MSG(b != NULL, "%s", err.message);
	if (b == NULL)
		return;
	CHECK(strcmp(b->format, "fb2") == 0);
	CHECK(b->encoding && strcasecmp(b->encoding, "windows-1251") == 0);
	CHECK(b->meta.title && strcmp(b->meta.title, "\xD0\xA1\xD0\xB0\xD0\xB4") == 0);
	CHECK(b->meta.ncreators == 1 && strcmp(b->meta.creators[0].name, "Anna Petrova") == 0);
	CHECK(b->meta.isbn && strcmp(b->meta.isbn, "9780306406157") == 0);
	CHECK(b->meta.series && strcmp(b->meta.series, "S") == 0);
	CHECK(b->meta.series_index && strcmp(b->meta.series_index, "4") == 0);
	CHECK(b->nchapters == 4);
	if (b->nchapters == 4)
	{
		CHECK(b->chapters[0].depth == 1 && b->chapters[1].depth == 2);
		CHECK(strstr(b->chapters[1].text, "\xD0\xA2\xD0\xB5\xD0\xBA\xD1\x81\xD1\x82 one.") != NULL);
		CHECK_MSG(strstr(b->chapters[2].text, "a\nb") != NULL, "[%s]", b->chapters[2].text);
		CHECK(b->chapters[3].is_notes && !b->chapters[2].is_notes);
	}
	CHECK(b->nassets == 1 && b->assets[0].is_cover && b->assets[0].size == 8);
	bp_book_free(b);
}

/* A declaration that says UTF-8 over windows-1251 bytes is caught. */
static void
test_lying_declaration(void)
{
	const char	book[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?><FictionBook><body><section>"
		"<p>\xCF\xF0\xE8\xE2\xE5\xF2, \xEC\xE8\xF0! \xDD\xF2\xEE \xF0\xF3\xF1\xF1\xEA\xE8\xE9 "
		"\xF2\xE5\xEA\xF1\xF2 \xE2 \xEA\xEE\xE4\xE8\xF0\xEE\xE2\xEA\xE5 windows-1251.</p>"
		"</section></body></FictionBook>";
	bp_error	err;
	bp_book    *b = parse(book, sizeof(book) - 1, &err);
	int			i;
	bool		warned = false;

	CHECK_MSG(b != NULL, "%s", err.message);
	if (b == NULL)
		return;
	for (i = 0; i < b->nwarnings; i++)
		if (strcmp(b->warnings[i].code, "encoding_mismatch") == 0)
			warned = true;
	CHECK(warned);
	/* "Привет" decoded, not replaced by U+FFFD */
	CHECK_MSG(b->nchapters >= 1 &&
			  strstr(b->chapters[0].text, "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82") != NULL,
			  "[%s]", b->nchapters ? b->chapters[0].text : "");
	bp_book_free(b);
}

/* Real books: the Akunin cp1251 test book and the nested _Test.ru.fb2. */
static void
test_corpus(void)
{
	const char *dir = bp_test_corpus();
	char		path[1024];
	unsigned char *data;
	size_t		len;
	bp_error	err;
	bp_options	o;
	bp_book    *b;
	int			i;
	int			maxdepth = 0;
	int			notes = 0;

	if (dir == NULL)
	{
		printf("test_fb2: corpus absent, real books skipped\n");
		return;
	}
	bp_options_init(&o);
	snprintf(path, sizeof(path), "%s/fb2/fbreaderj-akunin-testfb2book-cp1251.fb2", dir);
	data = bp_test_read_file(path, &len);
	CHECK(data != NULL);
	b = data ? bp_parse(data, len, path, &o, &err) : NULL;
	CHECK(b != NULL);
	if (b)
	{
		CHECK(b->meta.title && strcmp(b->meta.title,
									  "\xD0\x90\xD0\xBB\xD0\xBC\xD0\xB0\xD0\xB7\xD0\xBD\xD0\xB0\xD1\x8F "
									  "\xD0\xBA\xD0\xBE\xD0\xBB\xD0\xB5\xD1\x81\xD0\xBD\xD0\xB8\xD1\x86\xD0\xB0") == 0);
		CHECK(b->meta.ncreators >= 1 && b->meta.creators[0].file_as != NULL);
		CHECK(b->meta.series != NULL && b->meta.series_index && strcmp(b->meta.series_index, "11") == 0);
		CHECK(b->nassets >= 1 && b->assets[0].is_cover);
		bp_book_free(b);
	}
	free(data);

	snprintf(path, sizeof(path), "%s/fb2/fb2cng-_Test.ru.fb2", dir);
	data = bp_test_read_file(path, &len);
	CHECK(data != NULL);
	b = data ? bp_parse(data, len, path, &o, &err) : NULL;
	CHECK(b != NULL);
	if (b)
	{
		for (i = 0; i < b->nchapters; i++)
		{
			if (b->chapters[i].depth > maxdepth)
				maxdepth = b->chapters[i].depth;
			if (b->chapters[i].is_notes)
				notes++;
			else
				CHECK_MSG(notes == 0, "chapter %d after the notes", i + 1);
		}
		CHECK_MSG(maxdepth >= 3, "max depth %d", maxdepth);
		CHECK(notes >= 1);
		bp_book_free(b);
	}
	free(data);
}

/* Runs the FB2 tests. */
int
main(void)
{
	test_cp1251();
	test_lying_declaration();
	test_corpus();
	return bp_test_summary("test_fb2");
}

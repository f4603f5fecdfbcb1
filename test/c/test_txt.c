/*
 * test_txt.c
 *	  Tests of the plain-text parser through bp_parse(): headings in English
 *	  and Russian, parts and chapter depths, scene breaks, verse, a table
 *	  of contents, Project Gutenberg headers, windows-1251, KOI8-R and
 *	  UTF-16 input, lib.ru-style indented paragraphs, long texts without
 *	  headings.
 */
#include <string.h>

#include <unicode/ucnv.h>

#include "bp_internal.h"
#include "bp_test.h"

static const char *english =
"The Project Gutenberg eBook of A Test Book\n"
"\n"
"Title: A Test Book\n"
"       With a Long Subtitle\n"
"Author: Jane Doe\n"
"Language: English\n"
"\n"
"*** START OF THE PROJECT GUTENBERG EBOOK A TEST BOOK ***\n"
"\n"
"A TEST BOOK\n"
"\n"
"by Jane Doe\n"
"\n"
"Contents\n"
"\n"
" CHAPTER I.     The Start\n"
" CHAPTER II.    The Middle\n"
" CHAPTER III.   The End\n"
"\n"
"PREFACE\n"
"\n"
"This is the preface, which is\n"
"wrapped over two lines.\n"
"\n"
"PART ONE\n"
"\n"
"CHAPTER I.\n"
"The Start\n"
"\n"
"It was a dark and stormy\n"
"night; the rain fell in torrents.\r\n"
"\n"
"* * *\n"
"\n"
"Later that night, nothing happened.\n"
"\n"
"CHAPTER II. The Middle\n"
"\n"
"    Twinkle, twinkle, little star,\n"
"    How I wonder what you are.\n"
"\n"
"Chapter Three: The End\n"
"\n"
"The end came. Chapter 12 was not a heading\n"
"in this paragraph.\n"
"\n"
"PART TWO\n"
"\n"
"Chapter 4\n"
"\n"
"More text.\n"
"\n"
"Epilogue\n"
"\n"
"Done.\n"
"\n"
"*** END OF THE PROJECT GUTENBERG EBOOK A TEST BOOK ***\n"
"\n"
"Licence text that is not part of the book.\n";

static const char *russian =
"Часть первая\n"
"\n"
"Глава 1. Начало\n"
"\n"
"Текст первой главы,\n"
"продолжение абзаца.\n"
"\n"
"***\n"
"\n"
"После разрыва.\n"
"\n"
"ГЛАВА ВТОРАЯ\n"
"\n"
"Текст второй главы.\n"
"\n"
"Часть II\n"
"\n"
"Глава третья\n"
"В которой всё кончается\n"
"\n"
"Конец.\n"
"\n"
"Эпилог\n"
"\n"
"Всё.\n";

/* Parse bytes with default options; NULL (and a message) on failure. */
static bp_book *
parse(const char *data, size_t len)
{
	bp_options	opts;
	bp_error	err;
	bp_book    *b;

	bp_options_init(&opts);
	b = bp_parse((const unsigned char *) data, len, "test.txt", &opts, &err);
	if (b == NULL)
		fprintf(stderr, "parse failed: %s: %s\n", bp_code_name(err.code), err.message);
	return b;
}

/* Is chapter i titled t (NULL for untitled) at depth d? */
static bool
chap(const bp_book *b, int i, const char *t, int d)
{
	const bp_chapter *c;

	if (i >= b->nchapters)
		return false;
	c = &b->chapters[i];
	if (c->depth != d || (t == NULL) != (c->title == NULL) ||
		(t && strcmp(t, c->title) != 0))
	{
		fprintf(stderr, "chapter %d: \"%s\" depth %d\n", i,
				c->title ? c->title : "(null)", c->depth);
		return false;
	}
	return true;
}

/* Convert UTF-8 to a charset with ICU; malloc'd. */
static char *
encode(const char *charset, const char *utf8, size_t *outlen)
{
	UErrorCode	st = U_ZERO_ERROR;
	size_t		cap = strlen(utf8) * 4 + 16;
	char	   *out = malloc(cap);
	int32_t		n = ucnv_convert(charset, "UTF-8", out, (int32_t) cap, utf8,
								 (int32_t) strlen(utf8), &st);

	if (U_FAILURE(st))
	{
		free(out);
		return NULL;
	}
	*outlen = (size_t) n;
	return out;
}

/* The English fixture: Gutenberg header, contents, parts, verse. */
static void
test_english(void)
{
	bp_book    *b = parse(english, strlen(english));
	int			i;

	CHECK(b != NULL);
	if (b == NULL)
		return;
	CHECK(strcmp(b->format, "txt") == 0);
	CHECK(b->encoding && strcmp(b->encoding, "UTF-8") == 0);
	CHECK(b->meta.title && strcmp(b->meta.title, "A Test Book With a Long Subtitle") == 0);
	CHECK(b->meta.ncreators == 1 && strcmp(b->meta.creators[0].name, "Jane Doe") == 0);
	CHECK(b->meta.language && strcmp(b->meta.language, "en") == 0);
	CHECK_MSG(b->nchapters == 9, "%d chapters", b->nchapters);
	CHECK(chap(b, 0, NULL, 1));
	CHECK(chap(b, 1, "PREFACE", 1));
	CHECK(chap(b, 2, "PART ONE", 1));
	CHECK(chap(b, 3, "CHAPTER I. The Start", 2));
	CHECK(chap(b, 4, "CHAPTER II. The Middle", 2));
	CHECK(chap(b, 5, "Chapter Three: The End", 2));
	CHECK(chap(b, 6, "PART TWO", 1));
	CHECK(chap(b, 7, "Chapter 4", 2));
	CHECK(chap(b, 8, "Epilogue", 1));
	if (b->nchapters == 9)
	{
		/* the contents list stays text of the leading chapter */
		CHECK(strstr(b->chapters[0].text, "CHAPTER II. The Middle") != NULL);
		CHECK(strstr(b->chapters[0].text, "Project Gutenberg") == NULL);
		CHECK(strstr(b->chapters[1].text, "This is the preface, which is wrapped over two lines.") != NULL);
		CHECK(strstr(b->chapters[3].text, "CHAPTER I.\nThe Start") != NULL);
		CHECK(strstr(b->chapters[3].text, "dark and stormy night; the rain") != NULL);
		CHECK(strstr(b->chapters[3].html, "<hr") != NULL);
		CHECK(strstr(b->chapters[3].text, "Later that night") != NULL);
		CHECK(strstr(b->chapters[4].text, "little star,\nHow I wonder") != NULL);
		CHECK(strstr(b->chapters[5].text, "Chapter 12 was not a heading in this") != NULL);
		CHECK(strstr(b->chapters[8].text, "Licence") == NULL);
		CHECK(b->chapters[2].html && strstr(b->chapters[2].html, "<h1>") != NULL);
		CHECK(b->chapters[3].html && strstr(b->chapters[3].html, "<h2>") != NULL);
	}
	CHECK(b->ntoc == 8);
	for (i = 0; i < b->nchapters; i++)
		CHECK(b->chapters[i].counts.words > 0);
	bp_book_free(b);
}

/* The Russian fixture in UTF-8, windows-1251, KOI8-R and UTF-16LE. */
static void
test_russian(void)
{
	const char *charsets[] = {"UTF-8", "windows-1251", "KOI8-R", "UTF-16LE"};
	int			k;

	for (k = 0; k < 4; k++)
	{
		size_t		len = 0;
		char	   *data = encode(charsets[k], russian, &len);
		bp_book    *b;

		CHECK(data != NULL);
		if (data == NULL)
			continue;
		if (k == 3)
		{
			/* UTF-16 with a BOM */
			char	   *d2 = malloc(len + 2);

			d2[0] = (char) 0xFF;
			d2[1] = (char) 0xFE;
			memcpy(d2 + 2, data, len);
			free(data);
			data = d2;
			len += 2;
		}
		b = parse(data, len);
		CHECK(b != NULL);
		if (b)
		{
			CHECK_MSG(strcmp(b->encoding, charsets[k]) == 0, "%s vs %s", b->encoding, charsets[k]);
			CHECK_MSG(b->nchapters == 6, "%s: %d chapters", charsets[k], b->nchapters);
			CHECK(chap(b, 0, "Часть первая", 1));
			CHECK(chap(b, 1, "Глава 1. Начало", 2));
			CHECK(chap(b, 2, "ГЛАВА ВТОРАЯ", 2));
			CHECK(chap(b, 3, "Часть II", 1));
			CHECK(chap(b, 4, "Глава третья. В которой всё кончается", 2));
			CHECK(chap(b, 5, "Эпилог", 1));
			if (b->nchapters == 6)
			{
				CHECK(strstr(b->chapters[1].text, "первой главы, продолжение абзаца.") != NULL);
				CHECK(strstr(b->chapters[1].html, "<hr") != NULL);
				CHECK(strstr(b->chapters[1].text, "После разрыва.") != NULL);
			}
			CHECK(b->nwarnings == 0);
			bp_book_free(b);
		}
		free(data);
	}
}

/* lib.ru style: paragraphs start with an indent, no blank lines. */
static void
test_indented(void)
{
	const char *t =
	"     Глава 1\n"
	"     Первый абзац, довольно длинный, переносится\n"
	"на вторую строку.\n"
	"     Второй абзац.\n"
	"     Глава 2\n"
	"     Третий абзац.\n";
	const char *longlines =
	"This is a long paragraph written on one line, as modern text files often do, and it goes on well past the usual width of a hard-wrapped line.\n"
	"A second paragraph on its own line, which is also rather long so that the parser sees one paragraph a line and not hard wrapping.\n"
	"Chapter 2\n"
	"The last paragraph, again long enough to be sure that it is a paragraph by itself and not a wrapped continuation line.\n";
	bp_book    *b = parse(t, strlen(t));

	CHECK(b != NULL);
	if (b)
	{
		CHECK_MSG(b->nchapters == 2, "%d", b->nchapters);
		CHECK(chap(b, 0, "Глава 1", 1));
		CHECK(chap(b, 1, "Глава 2", 1));
		CHECK(strstr(b->chapters[0].text, "переносится на вторую строку.\n\nВторой абзац.") != NULL);
		bp_book_free(b);
	}
	b = parse(longlines, strlen(longlines));
	CHECK(b != NULL);
	if (b)
	{
		CHECK_MSG(b->nchapters == 2, "%d", b->nchapters);
		CHECK(chap(b, 1, "Chapter 2", 1));
		CHECK(b->chapters[0].counts.paragraphs == 2);
		bp_book_free(b);
	}
}

/* Without headings: one chapter when short, split when long. */
static void
test_no_headings(void)
{
	const char *shorttext = "Just a note.\n\nTwo paragraphs.\n";
	bp_book    *b = parse(shorttext, strlen(shorttext));
	char	   *big;
	size_t		n = 0;
	int			i;

	CHECK(b != NULL);
	if (b)
	{
		CHECK(b->nchapters == 1 && b->chapters[0].title == NULL);
		CHECK(b->counts.paragraphs == 2);
		bp_book_free(b);
	}

	/* 70k words in 700 paragraphs */
	big = malloc(800000);
	for (i = 0; i < 700; i++)
	{
		int			j;

		for (j = 0; j < 100; j++)
		{
			memcpy(big + n, j % 10 == 9 ? "word.\n" : "word ", 5);
			n += 5;
			if (j % 10 == 9)
				big[n++] = '\n';
		}
		big[n++] = '\n';
	}
	b = parse(big, n);
	CHECK(b != NULL);
	if (b)
	{
		CHECK_MSG(b->nchapters >= 6 && b->nchapters <= 8, "%d chapters", b->nchapters);
		CHECK(b->counts.words == 70000);
		for (i = 0; i < b->nchapters; i++)
			CHECK(b->chapters[i].title == NULL);
		bp_book_free(b);
	}
	free(big);
}

/* Invalid bytes in otherwise UTF-8 text; empty and blank input. */
static void
test_odd(void)
{
	const char	mixed[] = "Hello w\xc3\xb6rld, some caf\xc3\xa9 and one bad \xff byte, then more "
	"text that is certainly UTF-8: \xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82.\n";
	bp_book    *b = parse(mixed, sizeof(mixed) - 1);
	bp_options	opts;
	bp_error	err;

	CHECK(b != NULL);
	if (b)
	{
		CHECK(b->nchapters == 1);
		CHECK(strstr(b->chapters[0].text, "caf\xc3\xa9") != NULL);
		bp_book_free(b);
	}
	bp_options_init(&opts);
	b = bp_parse((const unsigned char *) "\n\n   \n", 6, "blank.txt", &opts, &err);
	CHECK(b == NULL && err.code == BP_ERR_NO_TEXT);
	if (b)
		bp_book_free(b);
}

/* A short line standing alone at the top is the title; a long one is not. */
static void
test_title_line(void)
{
	const char	t1[] = "The Salt Road\n\nChapter 1\n\nIt began at the well.\n";
	const char	t2[] = "It began at the well, as these things do, with a bucket and a rope that was too short for it.\n\nThen more.\n";
	bp_book    *b = parse(t1, sizeof(t1) - 1);

	CHECK(b != NULL && b->meta.title && strcmp(b->meta.title, "The Salt Road") == 0);
	if (b)
		bp_book_free(b);
	b = parse(t2, sizeof(t2) - 1);
	CHECK(b != NULL && b->meta.title == NULL);
	if (b)
		bp_book_free(b);
}

/* Runs the plain-text tests. */
int
main(void)
{
	test_title_line();
	test_english();
	test_russian();
	test_indented();
	test_no_headings();
	test_odd();
	return bp_test_summary("test_txt");
}

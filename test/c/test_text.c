/*
 * test_text.c
 *	  Tests of bp_encoding.c and bp_text.c: conversions to UTF-8 (cp1251,
 *	  KOI8-R, UTF-16, invalid UTF-8), encoding guesses, NFC and counts in
 *	  English, Russian, Japanese and Thai; the word and sentence rules
 *	  of bp_text_count against ICU's break iterators (bp_text_count_icu),
 *	  on small cases and on every book of the corpus; the speed of both.
 */
#include <string.h>
#include <time.h>

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

/* Convert and compare with the expected UTF-8; returns the bad count or -1. */
static long
conv_eq(const char *enc, const char *in, size_t inlen, const char *expect)
{
	bp_ctx	   *ctx = new_ctx();
	char	   *out = NULL;
	size_t		outlen = 0,
				nbad = 0;
	long		r = -1;

	if (bp_to_utf8(ctx, enc, (const unsigned char *) in, inlen, &out, &outlen, &nbad) &&
		outlen == strlen(expect) && strcmp(out, expect) == 0 &&
		out[outlen] == '\0')
		r = (long) nbad;
	else
		fprintf(stderr, "conv %s: got \"%s\" (%s)\n", enc, out ? out : "(null)",
				ctx->err.message);
	bp_ctx_destroy(ctx);
	return r;
}

/*
 * A single-byte encoding long enough for the table path gives what ICU
 * gives byte by byte: every byte value, 20 times over (5120 bytes), against
 * the 256 bytes once (short: converted through ICU).
 */
static bool
sbcs_same_as_icu(const char *enc)
{
	unsigned char all[256 * 20];
	bp_ctx	   *ctx = new_ctx();
	char	   *once = NULL,
			   *many = NULL;
	size_t		len1 = 0,
				len20 = 0,
				bad1 = 0,
				bad20 = 0;
	bool		ok;
	int			i;

	for (i = 0; i < (int) sizeof(all); i++)
		all[i] = (unsigned char) (i % 256);
	ok = bp_to_utf8(ctx, enc, all, 256, &once, &len1, &bad1) &&
		bp_to_utf8(ctx, enc, all, sizeof(all), &many, &len20, &bad20) &&
		len20 == 20 * len1 && bad20 == 20 * bad1;
	for (i = 0; ok && i < 20; i++)
		ok = memcmp(many + i * len1, once, len1) == 0;
	if (!ok)
		fprintf(stderr, "sbcs %s: %zu/%zu bytes, %zu/%zu bad\n", enc, len1,
				len20, bad1, bad20);
	bp_ctx_destroy(ctx);
	return ok;
}

/* Count with a given language. */
static bp_counts
count(const char *text, const char *lang)
{
	bp_ctx	   *ctx = new_ctx();
	bp_counts	c;

	memset(&c, 0, sizeof(c));
	if (!bp_text_count(ctx, text, strlen(text), lang, &c))
		fprintf(stderr, "count failed: %s\n", ctx->err.message);
	bp_ctx_destroy(ctx);
	return c;
}

/* NFC of s via bp_text_nfc_append. */
static bool
nfc_eq(const char *s, const char *expect)
{
	bp_ctx	   *ctx = new_ctx();
	bp_buf		b;
	bool		ok;

	bp_buf_init(&b, ctx);
	ok = bp_text_nfc_append(ctx, &b, s, strlen(s)) &&
		b.len == strlen(expect) && memcmp(b.data, expect, b.len) == 0;
	bp_ctx_destroy(ctx);
	return ok;
}

/* Conversions of every kind. */
static void
test_conversions(void)
{
	/* "Привет, мир" in windows-1251 and KOI8-R */
	const char	cp1251[] = "\xcf\xf0\xe8\xe2\xe5\xf2, \xec\xe8\xf0";
	const char	koi8[] = "\xf0\xd2\xc9\xd7\xc5\xd4, \xcd\xc9\xd2";
	const char *ru = "Привет, мир";
	const char	u16le[] = "\xff\xfeH\0i\0\x3d\xd8\x00\xde";	/* BOM Hi U+1F600 */
	const char	u16be[] = "\0H\0i";
	bp_ctx	   *ctx;
	char	   *out;
	size_t		outlen,
				nbad;

	CHECK(conv_eq("windows-1251", cp1251, sizeof(cp1251) - 1, ru) == 0);
	CHECK(conv_eq("CP1251", cp1251, sizeof(cp1251) - 1, ru) == 0);
	CHECK(conv_eq("koi8-r", koi8, sizeof(koi8) - 1, ru) == 0);
	CHECK(conv_eq("UTF-16LE", u16le, sizeof(u16le) - 1, "Hi\xF0\x9F\x98\x80") == 0);
	CHECK(conv_eq("UTF-16BE", u16be, sizeof(u16be) - 1, "Hi") == 0);
	/* odd trailing byte of UTF-16: one bad */
	CHECK(conv_eq("UTF-16BE", "\0H\0", 3, "H\xEF\xBF\xBD") == 1);
	CHECK(conv_eq("ISO-8859-1", "caf\xe9", 4, "café") == 0);
	CHECK(conv_eq("utf-8", "ok \xc3\xa9", 5, "ok é") == 0);
	/* invalid UTF-8 becomes U+FFFD, counted */
	CHECK(conv_eq("UTF-8", "a\xff" "b\xc3", 4, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD") == 2);
	/* NUL dropped */
	CHECK(conv_eq("windows-1251", "a\0b", 3, "ab") == 0);
	CHECK(conv_eq("UTF-8", "a\0b\xff", 4, "ab\xEF\xBF\xBD") == 1);
	/* a UTF-8 BOM is not text */
	CHECK(conv_eq("UTF-8", "\xEF\xBB\xBFok", 5, "ok") == 0);
	CHECK(conv_eq("UTF-16LE", "\xff\xfeo\0k\0", 6, "ok") == 0);
	/* empty */
	CHECK(conv_eq("windows-1251", "", 0, "") == 0);

	/* unknown encoding */
	ctx = new_ctx();
	CHECK(!bp_to_utf8(ctx, "x-no-such-charset", (const unsigned char *) "a", 1,
					  &out, &outlen, &nbad));
	CHECK(ctx->err.code == BP_ERR_ENCODING);
	CHECK(strstr(ctx->err.message, "x-no-such-charset") != NULL);
	bp_ctx_destroy(ctx);

	/* the single-byte table agrees with ICU, bad bytes and NUL included */
	CHECK(sbcs_same_as_icu("windows-1251"));
	CHECK(sbcs_same_as_icu("koi8-r"));
	CHECK(sbcs_same_as_icu("windows-1252"));	/* 0x81 0x8D ... undefined */
	CHECK(sbcs_same_as_icu("ISO-8859-7"));	/* Greek, with holes */
	CHECK(sbcs_same_as_icu("IBM866"));
	CHECK(sbcs_same_as_icu("ISO-8859-1"));

	/*
	 * UTF-7 can carry lone surrogates: 2,100 unpaired high surrogates each
	 * become U+FFFD (the UTF-8 writer once overflowed its stack buffer on
	 * them: found by fuzz_fb2 on an FB2 declaring encoding="utf-7").
	 */
	{
		size_t		n = 700;
		char	   *in = malloc(n * 8 + 3);
		size_t		i;
		bool		ok = true;

		in[0] = '+';
		for (i = 0; i < n; i++)
			memcpy(in + 1 + i * 8, "2ADYANgA", 8);	/* D800 D800 D800 */
		in[1 + n * 8] = '-';
		ctx = new_ctx();
		CHECK(bp_to_utf8(ctx, "UTF-7", (const unsigned char *) in, n * 8 + 2,
						 &out, &outlen, &nbad));
		CHECK_MSG(outlen == n * 3 * 3, "%zu bytes", outlen);
		for (i = 0; ok && i + 3 <= outlen; i += 3)
			ok = memcmp(out + i, "\xEF\xBF\xBD", 3) == 0;
		CHECK(ok);
		bp_ctx_destroy(ctx);
		free(in);
	}

	/* a long input across chunk boundaries: 200k Cyrillic letters */
	{
		size_t		n = 200000;
		unsigned char *big = malloc(n);
		size_t		i;
		bool		ok = true;

		for (i = 0; i < n; i++)
			big[i] = (i % 10 == 9) ? ' ' : 0xE0 + (i % 32);
		ctx = new_ctx();
		CHECK(bp_to_utf8(ctx, "windows-1251", big, n, &out, &outlen, &nbad));
		CHECK(nbad == 0);
		CHECK(outlen == n / 10 * 9 * 2 + n / 10);
		for (i = 0; ok && i < outlen; i++)
			if (out[i] == '\0')
				ok = false;
		CHECK(ok);
		CHECK(bp_utf8_valid(out, outlen));
		bp_ctx_destroy(ctx);
		free(big);
	}
}

/* BOMs and guesses. */
static void
test_guess(void)
{
	size_t		bl;
	bp_ctx	   *ctx = new_ctx();
	/* two Russian sentences in windows-1251 and KOI8-R */
	const char *ru_utf8 = "Мой дядя самых честных правил, когда не в шутку занемог, "
		"он уважать себя заставил и лучше выдумать не мог.";
	char	   *cp,
			   *k8;
	size_t		cplen,
				k8len;

	CHECK(strcmp(bp_bom_encoding((const unsigned char *) "\xEF\xBB\xBFx", 4, &bl), "UTF-8") == 0 && bl == 3);
	CHECK(strcmp(bp_bom_encoding((const unsigned char *) "\xFF\xFEx\0", 4, &bl), "UTF-16LE") == 0 && bl == 2);
	CHECK(strcmp(bp_bom_encoding((const unsigned char *) "\xFE\xFF\0x", 4, &bl), "UTF-16BE") == 0 && bl == 2);
	CHECK(bp_bom_encoding((const unsigned char *) "abc", 3, &bl) == NULL && bl == 0);

	CHECK(strcmp(bp_guess_encoding(ctx, (const unsigned char *) "plain ascii", 11), "UTF-8") == 0);
	CHECK(strcmp(bp_guess_encoding(ctx, (const unsigned char *) ru_utf8, strlen(ru_utf8)), "UTF-8") == 0);

	/* make the single-byte versions with ICU through a round trip */
	cp = malloc(strlen(ru_utf8));
	k8 = malloc(strlen(ru_utf8));
	cplen = k8len = 0;
	{
		const unsigned char *s = (const unsigned char *) ru_utf8;
		size_t		i = 0,
					n = strlen(ru_utf8);

		while (i < n)
		{
			uint32_t	c;
			int			l = bp_utf8_decode(s + i, n - i, &c);
			/* а..я = U+0430..U+044F, А..Я = U+0410..U+042F */
			static const char koi_lower[] = "\xc1\xc2\xd7\xc7\xc4\xc5\xd6\xda\xc9\xca\xcb\xcc\xcd\xce\xcf\xd0"
			"\xd2\xd3\xd4\xd5\xc6\xc8\xc3\xde\xdb\xdd\xdf\xd9\xd8\xdc\xc0\xd1";

			if (c >= 0x430 && c <= 0x44F)
			{
				cp[cplen++] = (char) (0xE0 + (c - 0x430));
				k8[k8len++] = koi_lower[c - 0x430];
			}
			else if (c >= 0x410 && c <= 0x42F)
			{
				cp[cplen++] = (char) (0xC0 + (c - 0x410));
				k8[k8len++] = (char) (koi_lower[c - 0x410] + 0x20);
			}
			else
			{
				cp[cplen++] = (char) c;
				k8[k8len++] = (char) c;
			}
			i += l;
		}
	}
	CHECK_MSG(strcmp(bp_guess_encoding(ctx, (unsigned char *) cp, cplen), "windows-1251") == 0,
			  "%s", bp_guess_encoding(ctx, (unsigned char *) cp, cplen));
	CHECK_MSG(strcmp(bp_guess_encoding(ctx, (unsigned char *) k8, k8len), "KOI8-R") == 0,
			  "%s", bp_guess_encoding(ctx, (unsigned char *) k8, k8len));
	CHECK(conv_eq("KOI8-R", k8, k8len, ru_utf8) == 0);
	CHECK(conv_eq("windows-1251", cp, cplen, ru_utf8) == 0);
	free(cp);
	free(k8);
	bp_ctx_destroy(ctx);
}

/* NFC normalisation. */
static void
test_nfc(void)
{
	char		big[40000];
	char		bigexp[40000];
	size_t		i,
				n = 0,
				m = 0;

	CHECK(nfc_eq("plain", "plain"));
	CHECK(nfc_eq("caf\x65\xcc\x81", "café"));	/* e + combining acute */
	CHECK(nfc_eq("café", "café"));
	CHECK(nfc_eq("\xd0\x98\xcc\x86", "Й"));	/* И + breve */
	CHECK(nfc_eq("Ёж", "Ёж"));
	CHECK(nfc_eq("\xe2\x84\xab", "\xc3\x85"));	/* ANGSTROM SIGN -> Å */
	CHECK(nfc_eq("か\xe3\x82\x99", "が"));	/* ka + dakuten */
	CHECK(nfc_eq("", ""));

	/* across chunk boundaries: many "e + acute" */
	for (i = 0; i < 12000; i++)
	{
		memcpy(big + n, "e\xcc\x81", 3);
		n += 3;
		memcpy(bigexp + m, "\xc3\xa9", 2);
		m += 2;
	}
	big[n] = bigexp[m] = '\0';
	CHECK(nfc_eq(big, bigexp));
}

/* Word, sentence, character and paragraph counts. */
static void
test_counts(void)
{
	bp_counts	c;

	c = count("Hello, world! This is a test. It's 42 degrees.", "en");
	CHECK_MSG(c.words == 9, "%lld", (long long) c.words);
	CHECK_MSG(c.sentences == 3, "%lld", (long long) c.sentences);
	CHECK(c.characters == 46);
	CHECK(c.paragraphs == 1);

	c = count("First paragraph.\n\nSecond one,\nstill second.\n\n\n  \nThird.", NULL);
	CHECK_MSG(c.paragraphs == 3, "%lld", (long long) c.paragraphs);
	CHECK_MSG(c.words == 7, "%lld", (long long) c.words);
	CHECK(c.characters == (int64_t) strlen("First paragraph.Second one,still second.  Third."));

	c = count("Мой дядя самых честных правил. Когда не в шутку занемог!", "ru");
	CHECK_MSG(c.words == 10, "%lld", (long long) c.words);
	CHECK(c.sentences == 2);
	CHECK(c.characters == 56);

	/* Japanese: dictionary segmentation gives several words */
	c = count("吾輩は猫である。名前はまだ無い。", "ja");
	CHECK_MSG(c.words >= 6 && c.words <= 12, "%lld", (long long) c.words);
	CHECK_MSG(c.sentences == 2, "%lld", (long long) c.sentences);
	CHECK(c.characters == 16);

	/* Thai has no spaces: still several words */
	c = count("ภาษาไทยเป็นภาษาที่สวยงาม", "th");
	CHECK_MSG(c.words >= 4, "%lld", (long long) c.words);

	/* punctuation only: no words, no sentences */
	c = count("* * *\n\n...", "en");
	CHECK(c.words == 0 && c.sentences == 0);

	/* empty */
	c = count("", "en");
	CHECK(c.words == 0 && c.characters == 0 && c.paragraphs == 0);

	/* invalid UTF-8 and odd language tags do not break counting */
	c = count("bad \xff\xfe bytes here", "not a tag!!");
	CHECK(c.words == 3);
}

/* Speed of bp_text_count on the biggest corpus FB2 as plain text. */
static void
test_speed(void)
{
	const char *dir = bp_test_corpus();
	char		path[1024];
	unsigned char *data;
	size_t		len;
	bp_ctx	   *ctx;
	bp_buf		txt;
	bp_counts	c;
	struct timespec t0,
				t1;
	size_t		i;
	bool		intag = false;
	double		ms;

	if (dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/fb2/fb2document-_Test_1.en.fb2", dir);
	data = bp_test_read_file(path, &len);
	if (data == NULL)
		return;
	ctx = new_ctx();
	bp_buf_init(&txt, ctx);
	/* crude tag stripping is enough for a speed test */
	for (i = 0; i < len; i++)
	{
		if (data[i] == '<')
		{
			intag = true;
			if (strncmp((char *) data + i, "<binary", 7) == 0)
				break;
		}
		else if (data[i] == '>')
			intag = false;
		else if (!intag)
			bp_buf_putc(&txt, (char) data[i]);
	}
	/* the same text thrice, to get to a novel's size */
	{
		size_t		l = txt.len;
		char	   *copy = malloc(l);

		memcpy(copy, txt.data, l);
		bp_buf_append(&txt, copy, l);
		bp_buf_append(&txt, copy, l);
		free(copy);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(bp_text_count(ctx, txt.data, txt.len, "en", &c));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000.0 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	printf("bp_text_count: %zu bytes, %lld words, %lld sentences in %.1f ms\n",
		   txt.len, (long long) c.words, (long long) c.sentences, ms);
	CHECK(c.words > 1000);
	bp_ctx_destroy(ctx);
	free(data);
}

/* Both counts of text; false when they differ in words or sentences. */
static bool
same_as_icu(const char *text, const char *lang)
{
	bp_ctx	   *ctx = new_ctx();
	bp_counts	a,
				b;
	bool		ok;

	ok = bp_text_count(ctx, text, strlen(text), lang, &a) &&
		bp_text_count_icu(ctx, text, strlen(text), lang, &b);
	ok = ok && a.words == b.words && a.sentences == b.sentences &&
		a.characters == b.characters && a.paragraphs == b.paragraphs;
	if (!ok)
		fprintf(stderr, "\"%s\": words %lld/%lld sentences %lld/%lld "
				"chars %lld/%lld paragraphs %lld/%lld (scanner/ICU)\n", text,
				(long long) a.words, (long long) b.words,
				(long long) a.sentences, (long long) b.sentences,
				(long long) a.characters, (long long) b.characters,
				(long long) a.paragraphs, (long long) b.paragraphs);
	bp_ctx_destroy(ctx);
	return ok;
}

/* The rules of the scanner, case by case, against ICU's iterators. */
static void
test_rules(void)
{
	static const char *const cases[] = {
		"don't won’t rock'n'roll o'clock",
		"U.S.A. and e.g. the i.e. thing",
		"well-known self-made -- dash—dash – dash",
		"3.14 1,000,000 10:30 2.5kg 42nd a1b2 1a",
		"snake_case __init__ _x x_ __ _",
		"Mr. Smith went home. He slept! Did he? Yes...",
		"\"Stop!\" he said. \"Go.\" She went.",
		"He said “Wait.” Then he left. (Really.) And so.",
		"Ends with etc. and more. Numbers 1. 2. 3.",
		"Hello...world. A.B.C. d.e.f. 'Quoted.' Next",
		"Question?! Exclaim!? Multiple!!! Dots... lower. Upper",
		"Abbrev. lowercase follows; semicolon. Colon: yes. Comma, no.",
		"line one\nline two\n\nnew para. Sentence\r\nCRLF.",
		"café naïve e\xcc\x81te\xcc\x81 co\xc3\xb6perate",
		"Привет, мир! Как дела? Хорошо. «Цитата.» Конец",
		"Καλημέρα κόσμε. Πώς είσαι; Καλά.",
		"مرحبا بالعالم. كيف حالك؟ بخير.",
		"שלום עולם. מה שלומך? צה\"ל ו-ת'",
		"吾輩は猫である。名前はまだ無い。",
		"English then 日本語のテキスト and back. カタカナ。",
		"ภาษาไทยเป็นภาษาที่สวยงาม ภาษาไทย",
		"한국어 텍스트입니다. 좋아요!",
		"emoji 😀 here 👍🏽 and ❤️ flags 🇫🇷 done.",
		"tabs\tand  spaces   \t mixed.   End .",
		"1.5. 2. x. Y. z",
		". . . ! ? \"\" ()",
		"a.1 1.a a'1 1'a a:b 1:2 a;b",
		"A.b. C.D e.F. The end",
		"end.\"Quote\" next.(paren) Next",
		"soft\xc2\xadhyphen zero\xe2\x80\x8bwidth non\xe2\x80\x8cjoiner",
		NULL
	};
	int			i;

	for (i = 0; cases[i]; i++)
		CHECK_MSG(same_as_icu(cases[i], "en"), "case %d", i);
	CHECK(same_as_icu("Привет. мир. Ещё", "ru"));
	CHECK(same_as_icu("日本語の文章です。もう一つ。", "ja"));
	CHECK(same_as_icu("bad \xff\xfe bytes. here \xe3\x81 cut", "en"));
}

/* Parse a book and sum ICU's counts over its chapters. */
static bool
corpus_book_counts(const char *path, bp_counts *mine, bp_counts *icu,
				   double *ms_mine, double *ms_icu)
{
	size_t		len;
	unsigned char *data = bp_test_read_file(path, &len);
	bp_options	opts;
	bp_error	err;
	bp_book    *book;
	bp_ctx	   *ctx;
	int			i;
	struct timespec t0,
				t1,
				t2;

	memset(mine, 0, sizeof(*mine));
	memset(icu, 0, sizeof(*icu));
	*ms_mine = *ms_icu = 0;
	if (data == NULL)
		return false;
	bp_options_init(&opts);
	opts.want_html = false;
	book = bp_parse(data, len, path, &opts, &err);
	free(data);
	if (book == NULL)
		return false;
	ctx = new_ctx();
	for (i = 0; i < book->nchapters; i++)
	{
		bp_chapter *ch = &book->chapters[i];
		bp_counts	a,
					b;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		bp_text_count(ctx, ch->text, ch->text_len, book->meta.language, &a);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		bp_text_count_icu(ctx, ch->text, ch->text_len, book->meta.language, &b);
		clock_gettime(CLOCK_MONOTONIC, &t2);
		*ms_mine += (t1.tv_sec - t0.tv_sec) * 1000.0 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
		*ms_icu += (t2.tv_sec - t1.tv_sec) * 1000.0 + (t2.tv_nsec - t1.tv_nsec) / 1e6;
		/* the book's own counts come from bp_text_count */
		CHECK(a.words == ch->counts.words && a.sentences == ch->counts.sentences);
		mine->words += a.words;
		mine->sentences += a.sentences;
		mine->characters += a.characters;
		icu->words += b.words;
		icu->sentences += b.sentences;
		icu->characters += b.characters;
	}
	CHECK(!bp_failed(ctx));
	bp_ctx_destroy(ctx);
	bp_book_free(book);
	return true;
}

/* Relative difference of a against the reference b, in percent. */
static double
pct(int64_t a, int64_t b)
{
	if (b == 0)
		return a == 0 ? 0.0 : 100.0;
	return 100.0 * (double) (a - b) / (double) b;
}

/*
 * Every EPUB and FB2 book of the corpus (not the malformed ones): words
 * and sentences of bp_text_count within 1% of ICU's break iterators.
 */
static void
test_corpus_vs_icu(void)
{
	const char *dir = bp_test_corpus();
	char		path[2048];
	char		line[1024];
	FILE	   *f;
	double		tm = 0,
				ti = 0;
	int			nbooks = 0;

	if (dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/MANIFEST.tsv", dir);
	f = fopen(path, "r");
	if (f == NULL)
		return;
	printf("%-48s %9s %9s %7s %8s %8s %7s\n", "book (scanner vs ICU)", "words",
		   "ICU", "diff%", "sent.", "ICU", "diff%");
	while (fgets(line, sizeof(line), f))
	{
		char	   *tab = strchr(line, '\t');
		bp_counts	a,
					b;
		double		m,
					i;

		if (tab == NULL || strncmp(line, "file\t", 5) == 0 ||
			strncmp(line, "malformed/", 10) == 0)
			continue;
		*tab = '\0';
		if (!bp_has_suffix_ci(line, ".epub") && !bp_has_suffix_ci(line, ".fb2") &&
			!bp_has_suffix_ci(line, ".fb2.zip"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, line);
		if (!corpus_book_counts(path, &a, &b, &m, &i))
			continue;
		nbooks++;
		tm += m;
		ti += i;
		printf("%-48s %9lld %9lld %6.2f%% %8lld %8lld %6.2f%%\n",
			   strchr(line, '/') ? strchr(line, '/') + 1 : line,
			   (long long) a.words, (long long) b.words, pct(a.words, b.words),
			   (long long) a.sentences, (long long) b.sentences,
			   pct(a.sentences, b.sentences));
		CHECK(a.characters == b.characters);
		/* within 1%, or within 2 on tiny books */
		CHECK_MSG(llabs(a.words - b.words) * 100 <= b.words ||
				  llabs(a.words - b.words) <= 2, "%s words", line);
		CHECK_MSG(llabs(a.sentences - b.sentences) * 100 <= b.sentences ||
				  llabs(a.sentences - b.sentences) <= 2, "%s sentences", line);
	}
	fclose(f);
	printf("%d books: bp_text_count %.1f ms, ICU break iterators %.1f ms\n",
		   nbooks, tm, ti);
	CHECK(nbooks > 10);
}

int
main(void)
{
	test_conversions();
	test_guess();
	test_nfc();
	test_counts();
	test_rules();
	test_corpus_vs_icu();
	test_speed();
	return bp_test_summary("test_text");
}

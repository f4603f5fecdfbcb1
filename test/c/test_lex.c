/*
 * test_lex.c
 *	  C tests of the search lexer (src/core/bp_lex.c): its vectors for
 *	  sentences written for this test equal what PostgreSQL 15's
 *	  to_tsvector() printed for them (english, russian, french, german,
 *	  simple), the 255-position cap, weights and the shift of ||, hostile
 *	  input.  The stop words are PostgreSQL's own files
 *	  (BP_TSEARCH_DATA, default `pg_config --sharedir`/tsearch_data, as the
 *	  Makefile passes it); without them the comparisons are skipped.
 *
 *	  build/test/test_lex FILE [LANG] times the lexer over a text file.
 */
#include <time.h>

#include "bp_test.h"
#include "bp_lex.h"

static char *stop_words[2][2000];
static size_t nstop[2];

/* strcmp for qsort over char *. */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Read tsearch_data/NAME.stop into slot k; false when it is not there. */
static bool
read_stop(int k, const char *name)
{
	const char *dir = getenv("BP_TSEARCH_DATA");
	char		path[1024],
				line[256];
	FILE	   *f;

	for (size_t i = 0; i < nstop[k]; i++)
		free(stop_words[k][i]);
	nstop[k] = 0;
	if (name == NULL)
		return true;
	snprintf(path, sizeof(path), "%s/%s.stop",
			 dir ? dir : "/usr/share/postgresql/15/tsearch_data", name);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	while (fgets(line, sizeof(line), f) && nstop[k] < 2000)
	{
		size_t		len = strcspn(line, "\r\n");

		line[len] = '\0';
		if (len > 0)
			stop_words[k][nstop[k]++] = strdup(line);
	}
	fclose(f);
	qsort(stop_words[k], nstop[k], sizeof(char *), cmp_str);
	return true;
}

/* A lexer for Snowball languages (NULL: simple) with their stop files. */
static bp_lex *
make_lexer(const char *ascii, const char *word)
{
	bp_lex_dict a = {0},
				w = {0};
	char		err[200];
	bp_lex	   *lx;

	if (!read_stop(0, ascii) || !read_stop(1, word))
		return NULL;
	a.stem_lang = ascii;
	a.stop = (const char *const *) stop_words[0];
	a.nstop = nstop[0];
	w.stem_lang = word;
	w.stop = (const char *const *) stop_words[1];
	w.nstop = nstop[1];
	lx = bp_lex_new(&a, &w, false, err, sizeof(err));
	if (lx == NULL)
		fprintf(stderr, "bp_lex_new: %s\n", err);
	return lx;
}

/* The vector as tsvector_out() prints it. */
static char *
vector_text(bp_lex *lx)
{
	size_t		n,
				bytes,
				cap = 1 << 16,
				o = 0;
	const bp_lexeme *r = bp_lex_result(lx, &n, &bytes);
	char	   *out = malloc(cap);

	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
	{
		if (o + r[i].len + 16 + r[i].npos * 8 > cap)
			break;
		o += (size_t) sprintf(out + o, "%s'%.*s'", i ? " " : "", (int) r[i].len, r[i].str);
		for (int k = 0; k < r[i].npos; k++)
		{
			int			w = r[i].pos[k] >> 14;

			o += (size_t) sprintf(out + o, "%c%d", k ? ',' : ':', r[i].pos[k] & 0x3FFF);
			if (w)
				out[o++] = "DCBA"[w];
			out[o] = '\0';
		}
	}
	return out;
}

/* One text as to_tsvector() (weight D, one part). */
static char *
vector_of(bp_lex *lx, const char *text)
{
	bp_lex_reset(lx);
	bp_lex_begin(lx, 0);
	bp_lex_add(lx, text, strlen(text));
	bp_lex_end(lx);
	return vector_text(lx);
}

#define CHECK_VEC(lx, text, expect) \
	do { \
		char *got_ = vector_of(lx, text); \
		CHECK_MSG(strcmp(got_, expect) == 0, "\n  text:   %s\n  got:    %s\n  expect: %s", \
				  text, got_, expect); \
		free(got_); \
	} while (0)

/* Sentences against what PostgreSQL printed. */
static void
test_like_postgres(void)
{
	bp_lex	   *lx = make_lexer("english", "english");

	if (lx == NULL)
	{
		printf("test_lex: SKIPPED comparisons with PostgreSQL (no tsearch_data stop files)\n");
		return;
	}
	CHECK_VEC(lx, "the cat sat on the mat. The well-known cat!",
			  "'cat':2,11 'known':10 'mat':6 'sat':3 'well':9 'well-known':8");
	CHECK_VEC(lx, "Don't stop: co-operation's self-evident 1812-1815, covid-19 x-2y 3.14 "
			  "www.gutenberg.org e.g. and/or Caf\xc3\xa9 na\xc3\xafve -5 +7 4th",
			  "'+7':25 '-1815':12 '-19':14 '-5':24 '1812':11 '2y':17 '3.14':18 '4th':26 "
			  "'and/or':21 'caf\xc3\xa9':22 'co':5 'co-oper':4 'covid':13 'e.g':20 'evid':10 "
			  "'na\xc3\xafv':23 'oper':6 'self':9 'self-evid':8 'stop':3 "
			  "'www.gutenberg.org':19 'x':16 'x-2y':15");
	{
		char	   *s = malloc(300 * 8 + 1);
		char	   *v;

		s[0] = '\0';
		for (int i = 0; i < 300; i++)
			strcat(s, "cat dog ");
		v = vector_of(lx, s);
		/* 255 positions each: cat 1..509, dog 2..510 */
		CHECK(strstr(v, "'cat':1,3,5,") == v);
		CHECK(strstr(v, ",507,509 'dog':2,4,") != NULL);
		CHECK(strstr(v, ",508,510") != NULL && strstr(v, ",512") == NULL);
		free(v);
		free(s);
	}
	bp_lex_free(lx);

	lx = make_lexer("english", "russian");
	if (lx)
	{
		CHECK_VEC(lx, "\xd0\xa0\xd0\xb0\xd1\x81\xd0\xba\xd0\xbe\xd0\xbb\xd1\x8c\xd0\xbd\xd0\xb8"
				  "\xd0\xba\xd0\xbe\xd0\xb2\xd0\xb0 \xd0\xb2\xd1\x81\xd1\x82\xd1\x80\xd0\xb5"
				  "\xd1\x82\xd0\xb8\xd0\xbb \xd0\xa0\xd0\xb0\xd1\x81\xd0\xba\xd0\xbe\xd0\xbb"
				  "\xd1\x8c\xd0\xbd\xd0\xb8\xd0\xba\xd0\xbe\xd0\xb2; \xd0\xba\xd1\x82\xd0\xbe-"
				  "\xd1\x82\xd0\xbe \xd1\x91\xd0\xbb\xd0\xba\xd0\xb0 \xd0\x81\xd0\xbb\xd0\xba"
				  "\xd0\xb0 \xd0\x92\xd0\x95\xd0\xa1\xd0\x9d\xd0\x90 on the di\xd0\xb2\xd0\xb0"
				  "\xd0\xbd\xd0\xb5.. \xd0\x9e\xd0\xbd",
				  "'..':13 'di\xd0\xb2\xd0\xb0\xd0\xbd':12 '\xd0\xb2\xd0\xb5\xd1\x81\xd0\xbd':9 "
				  "'\xd0\xb2\xd1\x81\xd1\x82\xd1\x80\xd0\xb5\xd1\x82':2 "
				  "'\xd0\xb5\xd0\xbb\xd0\xba':7,8 '\xd0\xba\xd1\x82\xd0\xbe-\xd1\x82':4 "
				  "'\xd1\x80\xd0\xb0\xd1\x81\xd0\xba\xd0\xbe\xd0\xbb\xd1\x8c\xd0\xbd\xd0\xb8\xd0\xba':3 "
				  "'\xd1\x80\xd0\xb0\xd1\x81\xd0\xba\xd0\xbe\xd0\xbb\xd1\x8c\xd0\xbd\xd0\xb8\xd0\xba"
				  "\xd0\xbe\xd0\xb2':1");
		bp_lex_free(lx);
	}
	lx = make_lexer("french", "french");
	if (lx)
	{
		CHECK_VEC(lx, "L'homme caf\xc3\xa9-au-lait \xc3\xa9tait l\xc3\xa0; \xc3\x87" "a \xc3\xa9l\xc3\xa8ve",
				  "'caf':4 'caf\xc3\xa9-au-l':3 'homm':2 'lait':6 'l\xc3\xa0':8 '\xc3\xa7" "a':9 "
				  "'\xc3\xa9lev':10");
		bp_lex_free(lx);
	}
	lx = make_lexer("german", "german");
	if (lx)
	{
		CHECK_VEC(lx, "Die Stra\xc3\x9f" "e der H\xc3\xa4user, gr\xc3\xb6\xc3\x9f" "er und M\xc3\xa4" "dchen",
				  "'gross':5 'haus':4 'madch':7 'strass':2");
		bp_lex_free(lx);
	}
	lx = make_lexer(NULL, NULL);
	if (lx)
	{
		CHECK_VEC(lx, "The Cat THE cat \xe6\x9d\xb1\xe4\xba\xac\xe9\x83\xbd \xc7\x84" "emal",
				  "'cat':2,4 'the':1,3 '\xc7\x86" "emal':6 '\xe6\x9d\xb1\xe4\xba\xac\xe9\x83\xbd':5");
		bp_lex_free(lx);
	}
}

/* Weights and the shift of || (title A, body B). */
static void
test_parts(void)
{
	bp_lex	   *lx = make_lexer("english", "english");
	char	   *v;

	if (lx == NULL)
		return;
	/* setweight(to_tsvector('english', 'The Title of it'), 'A') || setweight(..., 'B') */
	bp_lex_reset(lx);
	bp_lex_begin(lx, 3);
	bp_lex_add(lx, "The Title of it", 15);
	bp_lex_end(lx);
	bp_lex_begin(lx, 2);
	bp_lex_add(lx, "the cat sat on the mat. The well-known cat!", 43);
	bp_lex_end(lx);
	v = vector_text(lx);
	CHECK_MSG(strcmp(v, "'cat':4B,13B 'known':12B 'mat':8B 'sat':5B 'titl':2A 'well':11B "
					 "'well-known':10B") == 0, "%s", v);
	free(v);
	/* a word in both parts: the title's positions first */
	bp_lex_reset(lx);
	bp_lex_begin(lx, 3);
	bp_lex_add(lx, "Cats", 4);
	bp_lex_end(lx);
	bp_lex_begin(lx, 2);
	bp_lex_add(lx, "a cat", 5);
	bp_lex_end(lx);
	v = vector_text(lx);
	CHECK_MSG(strcmp(v, "'cat':1A,3B") == 0, "%s", v);
	free(v);
	bp_lex_free(lx);
}

/* bp_lex_find(): where the first word of a lexeme set starts. */
static void
test_find(void)
{
	bp_lex	   *lx = make_lexer("english", "english");
	const char *text = "The sea was calm. Whales, said he, the whale is white.";
	bp_lexeme	want[2] = {{"whale", 5, 0, NULL}, {"zzz", 3, 0, NULL}};
	size_t		off = 99;

	if (lx == NULL)
		return;
	bp_lex_reset(lx);
	CHECK(bp_lex_find(lx, text, strlen(text), want, 2, &off));
	CHECK_MSG(off == 18, "offset %zu", off);	/* "Whales" stems to whale */
	CHECK(!bp_lex_find(lx, text, strlen(text), want + 1, 1, &off));
	/* the stop word "the" is never found */
	{
		bp_lexeme	the = {"the", 3, 0, NULL};

		CHECK(!bp_lex_find(lx, text, strlen(text), &the, 1, &off));
	}
	/* a vector built afterwards is whole */
	{
		char	   *v = vector_of(lx, "the white whale");

		CHECK_MSG(strcmp(v, "'whale':3 'white':2") == 0, "%s", v);
		free(v);
	}
	bp_lex_free(lx);
}

/* Hostile input: binary noise, huge words, no memory blow-up, no crash. */
static void
test_hostile(void)
{
	bp_lex_dict none = {0};
	char		err[100];
	bp_lex	   *lx = bp_lex_new(&none, &none, false, err, sizeof(err));
	size_t		n = 4 << 20,
				cnt,
				bytes;
	char	   *buf = malloc(n);
	unsigned	seed = 12345;

	CHECK(lx != NULL);
	for (size_t i = 0; i < n; i++)
	{
		seed = seed * 1103515245u + 12345u;
		buf[i] = (char) (seed >> 16);
	}
	bp_lex_reset(lx);
	bp_lex_begin(lx, 0);
	CHECK(bp_lex_add(lx, buf, n));
	bp_lex_end(lx);
	bp_lex_result(lx, &cnt, &bytes);
	CHECK(bytes <= BP_LEX_MAX_BYTES);
	/* one 4 MB word: too long to index, nothing */
	memset(buf, 'a', n);
	bp_lex_reset(lx);
	bp_lex_begin(lx, 0);
	CHECK(bp_lex_add(lx, buf, n));
	bp_lex_end(lx);
	bp_lex_result(lx, &cnt, &bytes);
	CHECK(cnt == 0);
	/* a million distinct words: cut at the tsvector limit */
	{
		size_t		o = 0;

		for (unsigned i = 0; o + 16 < n; i++)
			o += (size_t) sprintf(buf + o, "w%xq ", i * 2654435761u);
		bp_lex_reset(lx);
		bp_lex_begin(lx, 0);
		CHECK(bp_lex_add(lx, buf, o));
		bp_lex_end(lx);
		bp_lex_result(lx, &cnt, &bytes);
		CHECK(bytes <= BP_LEX_MAX_BYTES && bytes > BP_LEX_MAX_BYTES / 10 * 9);
		CHECK(bp_lex_dropped(lx) > 0);
	}
	/* the unknown stemmer is an error, not a crash */
	{
		bp_lex_dict bad = {"klingon", NULL, 0};

		CHECK(bp_lex_new(&bad, &none, false, err, sizeof(err)) == NULL);
		CHECK(strstr(err, "klingon") != NULL);
	}
	free(buf);
	bp_lex_free(lx);
}

/* Time the lexer over a file: build/test/test_lex FILE [LANG]. */
static int
bench(const char *path, const char *lang)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf;
	long		len;
	bp_lex	   *lx;
	struct timespec t0,
				t1;
	size_t		n,
				bytes;
	int			rounds = 20;

	if (f == NULL)
		return 1;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t) len);
	if (fread(buf, 1, (size_t) len, f) != (size_t) len)
		return 1;
	fclose(f);
	lx = make_lexer(lang, lang);
	if (lx == NULL)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int r = 0; r < rounds; r++)
	{
		bp_lex_reset(lx);
		bp_lex_begin(lx, 2);
		bp_lex_add(lx, buf, (size_t) len);
		bp_lex_end(lx);
		bp_lex_result(lx, &n, &bytes);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	{
		double		s = (double) (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;

		printf("%s: %ld bytes, %zu lexemes, %.1f MB/s\n", path, len, n,
			   (double) len * rounds / s / 1e6);
	}
	bp_lex_free(lx);
	free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc > 1)
		return bench(argv[1], argc > 2 ? argv[2] : "english");
	test_like_postgres();
	test_parts();
	test_find();
	test_hostile();
	for (int k = 0; k < 2; k++)
		read_stop(k, NULL);
	return bp_test_summary("test_lex");
}

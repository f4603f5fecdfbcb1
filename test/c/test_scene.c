/*
 * test_scene.c
 *	  C tests of the scene extractor (issue 13): the classifier on
 *	  sentences written for this test (English and Russian), hostile input,
 *	  the word-list loader's errors, and bp_book_scenes() on a small book.
 *	  The word lists are data/scenes (BP_SCENES overrides); run from the
 *	  repository root, as make check-core does.
 */
#include <unistd.h>

#include "bp_test.h"
#include "bookparse_core.h"

static bp_scene_lists *lists;

static const char *en_room =
"The room was small and low, with yellow wallpaper peeling from the damp "
"walls. A narrow bed stood in the corner under the window, beside a rickety "
"wooden table and three old chairs; a dusty mirror in a gilt frame hung over "
"the stove.";
static const char *en_face =
"She was a tall, thin woman of forty with a pale face, sharp grey eyes and "
"black hair drawn tightly back under a white cap. She wore a faded green "
"dress with long sleeves and a shabby woollen shawl about her narrow "
"shoulders.";
static const char *en_rain =
"Rain fell steadily over the town at dusk. The sky was low and grey, the "
"wind rattled the shutters, and the wet pavements gleamed under the yellow "
"light of the lamps while the smell of smoke and damp earth hung in the "
"cold air.";
static const char *en_dialogue =
"\xE2\x80\x9CWhere are you going so late?\xE2\x80\x9D she asked. "
"\xE2\x80\x9CTo the station,\xE2\x80\x9D he answered, \xE2\x80\x9CI promised "
"to meet my brother there.\xE2\x80\x9D";
static const char *en_mood =
"He felt that everything was lost. He thought of his debts, of his mother "
"and of what she would say, and he wondered whether he had ever really "
"believed that things could be otherwise.";

static const char *ru_room =
"Комната была маленькая и низкая, с жёлтыми обоями, отставшими от сырых "
"стен. В углу под окном стояла узкая кровать, рядом шаткий деревянный стол "
"и три старых стула; над печкой висело пыльное зеркало в золочёной раме.";
static const char *ru_face =
"Это была высокая худая женщина лет сорока, с бледным лицом, острыми "
"серыми глазами и чёрными волосами, гладко зачёсанными под белый чепец. На "
"ней было выцветшее зелёное платье с длинными рукавами и старый шерстяной "
"платок на узких плечах.";
static const char *ru_rain =
"К вечеру над городом пошёл дождь. Низкое серое небо висело над крышами, "
"ветер стучал ставнями, мокрые мостовые блестели под жёлтым светом "
"фонарей, и в холодном воздухе стоял запах дыма и сырой земли.";
static const char *ru_dialogue =
"— Куда вы так поздно? — спросила она. — На вокзал, — ответил он, — я "
"обещал встретить там брата.";
static const char *ru_mood =
"Он чувствовал, что всё потеряно. Он думал о долгах, о матери и о том, что "
"она скажет, и спрашивал себя, верил ли он когда-нибудь, что всё может быть "
"иначе.";

/* Classify text in lang; the kind, or -1 when the call failed. */
static int
kind_of(const char *text, size_t len, const char *lang, bp_scene_verdict *v)
{
	bp_error	err;

	if (!bp_scene_classify(lists, text, len, lang, NULL, v, &err))
	{
		fprintf(stderr, "classify: %s\n", err.message);
		return -1;
	}
	CHECK(v->score >= 0 && v->score <= 1);
	return (int) v->kind;
}

/* Is text of kind and illustratable as expected? */
static void
expect(const char *text, const char *lang, bp_scene_kind kind, bool ill)
{
	bp_scene_verdict v;
	int			k = kind_of(text, strlen(text), lang, &v);

	CHECK_MSG(k == (int) kind && v.illustratable == ill,
			  "%.40s...: got %s/%s (%.3f), want %s/%s", text,
			  bp_scene_kind_name(v.kind), v.illustratable ? "yes" : "no",
			  v.score, bp_scene_kind_name(kind), ill ? "yes" : "no");
}

/* The definitions on sentences written for this test. */
static void
test_kinds(void)
{
	expect(en_room, "en", BP_SCENE_LOCATION, true);
	expect(en_face, "en", BP_SCENE_CHARACTER, true);
	expect(en_rain, "en", BP_SCENE_ATMOSPHERE, true);
	expect(en_dialogue, "en", BP_SCENE_NONE, false);
	expect(en_mood, "en", BP_SCENE_NONE, false);
	expect(ru_room, "ru", BP_SCENE_LOCATION, true);
	expect(ru_face, "ru", BP_SCENE_CHARACTER, true);
	expect(ru_rain, "ru", BP_SCENE_ATMOSPHERE, true);
	expect(ru_dialogue, "ru", BP_SCENE_NONE, false);
	expect(ru_mood, "ru", BP_SCENE_NONE, false);

	/* language tags and the script when there is none */
	expect(en_room, "en-GB", BP_SCENE_LOCATION, true);
	expect(ru_room, "rus", BP_SCENE_LOCATION, true);
	expect(ru_face, NULL, BP_SCENE_CHARACTER, true);
	expect(en_rain, "", BP_SCENE_ATMOSPHERE, true);
	/* a language without lists gives none, as does the wrong script */
	expect(en_room, "fr", BP_SCENE_NONE, false);
	expect(en_room, "zh-Hans", BP_SCENE_NONE, false);
	expect(en_room, "ru", BP_SCENE_NONE, false);
	/* a heading is none */
	expect("THE DARK ROOM UNDER THE GREY ROOF", "en", BP_SCENE_NONE, false);

	CHECK(strcmp(bp_scene_kind_name(BP_SCENE_NONE), "none") == 0);
	CHECK(strcmp(bp_scene_kind_name(BP_SCENE_ATMOSPHERE), "atmosphere") == 0);
	CHECK(strcmp(bp_scene_kind_name((bp_scene_kind) 42), "none") == 0);
}

/* Sentences that name places and things without saying how they look. */
static const char *const en_named[] = {
	"He rented a room above the shop near the market square.",
	"The letter from the bank was still on the kitchen table.",
	"My uncle kept a boat on the river and a horse in the stable.",
	"The meeting was moved from the library to the town hall.",
	"They met at the station and walked together to the church.",
};
static const char *const ru_named[] = {
	"Он снял комнату над лавкой возле рыночной площади.",
	"Мой дядя держал лодку на реке и лошадь в конюшне.",
	"Он оставил ключ у швейцара в гостинице и уехал на вокзал.",
	"Собрание перенесли из библиотеки в здание городской управы.",
};
static const char *en_harbour =
"The harbour lay in a wide grey bay under steep green hills. Narrow stone "
"houses with red roofs climbed the slope above the quay, and small white "
"boats rocked by the long wooden pier.";
static const char *en_keeper =
"The old keeper was a short, broad man with a weathered brown face, a thick "
"white beard and small bright blue eyes; he wore a heavy dark coat with "
"brass buttons and tall black boots.";

/* A verdict of kind with a score in [lo, hi]. */
static void
expect_score(const char *text, const char *lang, bp_scene_kind kind,
			 double lo, double hi)
{
	bp_scene_verdict v;
	int			k = kind_of(text, strlen(text), lang, &v);

	CHECK_MSG(k == (int) kind && v.score >= lo && v.score <= hi,
			  "%.40s...: got %s (%.3f), want %s with a score in [%.2f, %.2f]",
			  text, bp_scene_kind_name(v.kind), v.score,
			  bp_scene_kind_name(kind), lo, hi);
}

/*
 * The score measures how much description there is: naming a place or an
 * object is not describing it (none, a score under bookparse.scenes()'s
 * default 0.5, not illustratable), and a rich description scores near 1.
 */
static void
test_scores(void)
{
	size_t		i;

	for (i = 0; i < sizeof(en_named) / sizeof(en_named[0]); i++)
	{
		expect(en_named[i], "en", BP_SCENE_NONE, false);
		expect_score(en_named[i], "en", BP_SCENE_NONE, 0, 0.49);
	}
	for (i = 0; i < sizeof(ru_named) / sizeof(ru_named[0]); i++)
	{
		expect(ru_named[i], "ru", BP_SCENE_NONE, false);
		expect_score(ru_named[i], "ru", BP_SCENE_NONE, 0, 0.49);
	}
	expect(en_harbour, "en", BP_SCENE_LOCATION, true);
	expect(en_keeper, "en", BP_SCENE_CHARACTER, true);
	expect_score(en_room, "en", BP_SCENE_LOCATION, 0.7, 1);
	expect_score(en_face, "en", BP_SCENE_CHARACTER, 0.7, 1);
	expect_score(en_rain, "en", BP_SCENE_ATMOSPHERE, 0.7, 1);
	expect_score(en_harbour, "en", BP_SCENE_LOCATION, 0.7, 1);
	expect_score(en_keeper, "en", BP_SCENE_CHARACTER, 0.7, 1);
	expect_score(ru_room, "ru", BP_SCENE_LOCATION, 0.7, 1);
	expect_score(ru_face, "ru", BP_SCENE_CHARACTER, 0.7, 1);
	expect_score(ru_rain, "ru", BP_SCENE_ATMOSPHERE, 0.7, 1);
	/* speech and thoughts score nothing */
	expect_score(en_dialogue, "en", BP_SCENE_NONE, 0, 0);
	expect_score(en_mood, "en", BP_SCENE_NONE, 0, 0.1);
}

/* Empty, huge and invalid input. */
static void
test_hostile(void)
{
	bp_scene_verdict v;
	bp_options	opts;
	bp_error	err;
	size_t		n = strlen(en_room);
	size_t		copies = 20000;
	char	   *huge = malloc(copies * (n + 1) + 1);
	static const char bad[] =
		"The \xff\xfe room was \xc3 dark and \xe2\x80 cold, with grey walls, "
		"a black \xed\xa0\x80 floor and a white \xf4\x90\x80\x80 ceiling.\xc3";
	size_t		i;

	CHECK(kind_of("", 0, "en", &v) == BP_SCENE_NONE && !v.illustratable &&
		  v.score == 0);
	CHECK(kind_of(NULL, 0, "en", &v) == BP_SCENE_NONE);
	CHECK(kind_of("   \n ", 5, NULL, &v) == BP_SCENE_NONE);

	/* five megabytes in one paragraph: judged, not refused */
	CHECK(huge != NULL);
	for (i = 0; i < copies; i++)
	{
		memcpy(huge + i * (n + 1), en_room, n);
		huge[i * (n + 1) + n] = ' ';
	}
	huge[copies * (n + 1)] = '\0';
	CHECK(kind_of(huge, copies * (n + 1), "en", &v) == BP_SCENE_LOCATION);
	free(huge);

	/* bytes that are not UTF-8 are tolerated */
	CHECK(kind_of(bad, sizeof(bad) - 1, "en", &v) >= 0);
	CHECK(kind_of(bad, sizeof(bad) - 1, NULL, &v) >= 0);
	CHECK(kind_of("\xd0", 1, NULL, &v) == BP_SCENE_NONE);
	/* a NUL inside the length is just a character */
	CHECK(kind_of("a\0b", 3, "en", &v) == BP_SCENE_NONE);

	/* a memory limit too small for the scanner is an error, not a crash */
	bp_options_init(&opts);
	opts.max_memory = 4096;
	CHECK(!bp_scene_classify(lists, en_room, n, "en", &opts, &v, &err));
	CHECK(err.code == BP_ERR_LIMIT);
}

/* Write a file of text; false on error. */
static bool
write_file(const char *path, const char *text)
{
	FILE	   *f = fopen(path, "w");

	if (f == NULL)
		return false;
	fputs(text, f);
	return fclose(f) == 0;
}

/* Load lists from a directory holding one file; the error message. */
static bool
load_one(const char *dir, const char *name, const char *text, bp_error *err)
{
	char		path[512];
	bp_scene_lists *l;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!write_file(path, text))
		return false;
	l = bp_scene_load(dir, err);
	unlink(path);
	if (l == NULL)
		return false;
	bp_scene_lists_free(l);
	return true;
}

/* The loader's errors: no directory, no lists, malformed lines. */
static void
test_loader(void)
{
	char		dir[] = "/tmp/test_scene_XXXXXX";
	bp_error	err;

	CHECK(bp_scene_load("/nonexistent/scenes", &err) == NULL);
	CHECK(err.code != BP_OK && strstr(err.message, "/nonexistent/scenes"));
	CHECK(bp_scene_load(NULL, &err) == NULL && err.code != BP_OK);

	CHECK(mkdtemp(dir) != NULL);
	CHECK(bp_scene_load(dir, &err) == NULL);
	CHECK(strstr(err.message, "no word lists") != NULL);

	/* a good file, with comments, blank lines, CRLF and weights */
	CHECK(load_one(dir, "en.location", "# rooms\n\nroom\r\nwall\t0.5\n", &err));
	/* names that are not LANG.CATEGORY are ignored */
	CHECK(!load_one(dir, "README", "anything", &err));
	CHECK(!load_one(dir, "en.colours", "red\n", &err));

	CHECK(!load_one(dir, "en.location", "room\nwall\tabc\n", &err));
	CHECK_MSG(strstr(err.message, "en.location:2:") != NULL, "%s", err.message);
	CHECK(!load_one(dir, "en.location", "room\t0\n", &err));
	CHECK(!load_one(dir, "en.location", "room\t11\n", &err));
	CHECK(!load_one(dir, "en.location", "room\t1.5x\n", &err));
	CHECK(!load_one(dir, "en.location", "# c\ndining room\n", &err));
	CHECK_MSG(strstr(err.message, "en.location:2:") != NULL, "%s", err.message);
	CHECK(!load_one(dir, "en.location", "ro\xffom\n", &err));
	CHECK(!load_one(dir, "en.location",
					"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
					&err));
	/* a file over 1MB */
	{
		char	   *big = malloc(1100002);

		CHECK(big != NULL);
		if (big)
		{
			memset(big, 'a', 1100000);
			strcpy(big + 1100000, "\n");
			CHECK(!load_one(dir, "en.location", big, &err));
			CHECK_MSG(strstr(err.message, "larger than 1MB") != NULL, "%s",
					  err.message);
			free(big);
		}
	}
	/* a language Snowball has no stemmer for */
	CHECK(!load_one(dir, "qq.location", "room\n", &err));
	CHECK(strstr(err.message, "stemmer") != NULL);
	rmdir(dir);
}

/* bp_book_scenes() on a small plain-text book. */
static void
test_book(void)
{
	char		text[4096];
	bp_options	opts;
	bp_error	err;
	bp_book    *book;
	const bp_scene_set *set;
	int			i;
	bool		room = false;

	snprintf(text, sizeof(text),
			 "%s\n\n%s\n\n%s\n\n%s\n\n%s\n", en_mood, en_room, en_dialogue,
			 en_face, en_rain);
	bp_options_init(&opts);
	book = bp_parse((const unsigned char *) text, strlen(text), "t.txt",
					&opts, &err);
	CHECK(book != NULL);
	if (book == NULL)
		return;
	set = bp_book_scenes(book, lists, 0, &err);
	CHECK(set != NULL);
	if (set != NULL)
	{
		CHECK(set->language && strcmp(set->language, "en") == 0);
		CHECK(set->nscenes == 3);
		for (i = 0; i < set->nscenes; i++)
		{
			const bp_scene *s = &set->scenes[i];
			const bp_chapter *c = &book->chapters[s->chapter - 1];

			CHECK(s->kind != BP_SCENE_NONE);
			CHECK(s->offset + s->length <= c->text_len);
			CHECK(strlen(s->excerpt) <= 200 * 4);
			CHECK(strncmp(c->text + s->offset, s->excerpt, 20) == 0);
			if (s->kind == BP_SCENE_LOCATION)
			{
				room = true;
				CHECK(s->length == strlen(en_room));
				CHECK(memcmp(c->text + s->offset, en_room, s->length) == 0);
				/* cut between words with an ellipsis: 200 characters at most */
				CHECK(strcmp(s->excerpt + strlen(s->excerpt) - 3,
							 "\xE2\x80\xA6") == 0);
				CHECK(strlen(s->excerpt) <= 200 + 2);
				CHECK(s->excerpt[strlen(s->excerpt) - 4] != ' ');
			}
		}
		CHECK(room);
	}
	set = bp_book_scenes(book, lists, BP_SCENES_ALL, &err);
	CHECK(set != NULL && set->nscenes == 5 && set->paragraphs == 5);
	if (set != NULL && set->nscenes == 5)
	{
		CHECK(set->scenes[0].kind == BP_SCENE_NONE);
		CHECK(set->scenes[2].kind == BP_SCENE_NONE);
		CHECK(set->scenes[1].paragraph + 1 == set->scenes[2].paragraph);
	}
	bp_book_free(book);

	/* a book in a language without lists: every paragraph none */
	snprintf(text, sizeof(text), "%s\n\n%s\n", en_room, en_face);
	book = bp_parse((const unsigned char *) text, strlen(text), "t.txt",
					&opts, &err);
	CHECK(book != NULL);
	if (book == NULL)
		return;
	set = bp_book_scenes(book, lists, 0, &err);
	CHECK(set != NULL && set->nscenes == 2);	/* no tag: the script */
	book->meta.language = (char *) "fr";	/* freed with the book: never */
	set = bp_book_scenes(book, lists, 0, &err);
	CHECK(set != NULL && set->nscenes == 0 && set->language == NULL &&
		  set->paragraphs == 2);
	bp_book_free(book);
}

/*
 * The memo of word forms lives with the lists: filling it past its cap
 * (with more distinct forms than it keeps) changes no verdict, and
 * neither does judging the same paragraphs again later.
 */
static void
test_memo(const char *dir)
{
	const char *paras[] = {en_room, en_face, en_rain, en_mood, ru_room, ru_rain};
	const char *langs[] = {"en", "en", "en", "en", "ru", "ru"};
	bp_scene_verdict before[6];
	bp_scene_verdict v;
	bp_scene_verdict big1;
	bp_scene_verdict big2;
	bp_scene_lists *l;
	bp_error	err;
	size_t		nwords = 150000;
	char	   *big = malloc(nwords * 7 + 1);
	size_t		n = 0;
	size_t		i;
	int			k;

	CHECK(big != NULL);
	if (big == NULL)
		return;
	/* distinct six-letter forms: more than the memo keeps */
	for (i = 0; i < nwords; i++)
	{
		size_t		x = i;
		int			j;

		for (j = 0; j < 6; j++, x /= 26)
			big[n++] = (char) ('a' + x % 26);
		big[n++] = ' ';
	}
	big[n - 1] = '.';
	big[n] = '\0';

	l = bp_scene_load(dir, &err);
	CHECK(l != NULL);
	if (l == NULL)
	{
		free(big);
		return;
	}
	for (k = 0; k < 6; k++)
		CHECK(bp_scene_classify(l, paras[k], strlen(paras[k]), langs[k], NULL,
								&before[k], &err));
	CHECK(bp_scene_classify(l, big, n, "en", NULL, &big1, &err));
	CHECK(bp_scene_classify(l, big, n, "en", NULL, &big2, &err));
	CHECK(big1.kind == big2.kind && big1.score == big2.score &&
		  big1.illustratable == big2.illustratable);
	for (k = 0; k < 6; k++)
	{
		CHECK(bp_scene_classify(l, paras[k], strlen(paras[k]), langs[k], NULL,
								&v, &err));
		CHECK(v.kind == before[k].kind && v.score == before[k].score &&
			  v.illustratable == before[k].illustratable);
		/* and the same as with the lists every other test uses */
		CHECK(bp_scene_classify(lists, paras[k], strlen(paras[k]), langs[k],
								NULL, &v, &err));
		CHECK(v.kind == before[k].kind && v.score == before[k].score &&
			  v.illustratable == before[k].illustratable);
	}
	bp_scene_lists_free(l);
	free(big);
}

/* Run the tests. */
int
main(void)
{
	const char *dir = getenv("BP_SCENES") ? getenv("BP_SCENES") : "data/scenes";
	bp_error	err;

	lists = bp_scene_load(dir, &err);
	if (lists == NULL)
	{
		fprintf(stderr, "test_scene: %s\n", err.message);
		return 1;
	}
	test_kinds();
	test_scores();
	test_hostile();
	test_loader();
	test_book();
	test_memo(dir);
	bp_scene_lists_free(lists);
	return bp_test_summary("test_scene");
}

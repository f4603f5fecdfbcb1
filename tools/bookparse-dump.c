/*-------------------------------------------------------------------------
 *
 * bookparse-dump.c
 *	  Parse an e-book with the bookparse core library and print it.
 *
 *	  bookparse-dump [OPTIONS] FILE      the book model as JSON
 *	  bookparse-dump --text FILE         the chapters' plain text
 *	  bookparse-dump --html FILE         the chapters' sanitized HTML
 *	  bookparse-dump --assets FILE       the assets, one per line (TSV)
 *	  bookparse-dump --detect FILE       the detected format only
 *	  bookparse-dump --scenes FILE       descriptive paragraphs (TSV)
 *	  bookparse-dump --classify          judge paragraphs read from stdin
 *
 *	  FILE "-" reads standard input.  Exit status: 0 success, 1 the file
 *	  could not be read or is not a parseable book, 2 usage error.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "bookparse_core.h"

#define PROGNAME "bookparse-dump"

typedef enum dump_mode
{
	MODE_JSON,
	MODE_TEXT,
	MODE_HTML,
	MODE_ASSETS,
	MODE_DETECT,
	MODE_SCENES,
	MODE_CLASSIFY
} dump_mode;

/* Print the usage text to f. */
static void
usage(FILE *f)
{
	fprintf(f,
			"Usage: " PROGNAME " [OPTION]... FILE\n"
			"Parse an e-book (EPUB 2/3, FB2, FB2.zip, plain text) and print it.\n"
			"FILE - reads standard input.\n"
			"\n"
			"Output (one of; the default is the book model as JSON):\n"
			"  --json              the book model as JSON\n"
			"  --text              the chapters' plain text in reading order,\n"
			"                      separated by blank lines\n"
			"  --html              the chapters' sanitized HTML, likewise\n"
			"  --assets            the assets: href, media type, size, cover (TSV)\n"
			"  --detect            the detected format only\n"
			"  --scenes            the paragraphs that describe a place, a person\n"
			"                      or the atmosphere, or can be illustrated: chapter,\n"
			"                      paragraph, kind, score, illustratable, excerpt (TSV)\n"
			"  --classify          no FILE: judge each line of standard input as a\n"
			"                      paragraph; print kind, score, illustratable (TSV)\n"
			"  --lang=CODE         with --classify: the language of every line\n"
			"                      (en, ru); default: each line's script decides\n"
			"\n"
			"Options:\n"
			"  --max-memory=SIZE   most memory the parse may use (e.g. 64MB;\n"
			"                      units B, kB, MB, GB; default 256MB)\n"
			"  --full              build text, HTML and assets, as the workers do\n"
			"                      (output as chosen above)\n"
			"  --stats             also print to stderr the parse's peak memory\n"
			"                      (core, zlib, libxml2 and ICU together)\n"
			"  --version           print the version and exit\n"
			"  --help              print this help and exit\n"
			"\n"
			"Exit status: 0 success, 1 not a parseable book (or unreadable),\n"
			"2 usage error.\n");
}

/* Parse a size such as "64MB", "512kB", "1000"; false when invalid. */
static bool
parse_size(const char *s, size_t *out)
{
	char	   *end;
	unsigned long long v;
	unsigned long long mult = 1;

	if (!isdigit((unsigned char) *s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return false;
	while (*end == ' ')
		end++;
	if (*end == '\0' || strcmp(end, "B") == 0 || strcmp(end, "b") == 0)
		mult = 1;
	else if (strcasecmp(end, "kB") == 0 || strcasecmp(end, "k") == 0)
		mult = 1024ULL;
	else if (strcasecmp(end, "MB") == 0 || strcasecmp(end, "M") == 0)
		mult = 1024ULL * 1024;
	else if (strcasecmp(end, "GB") == 0 || strcasecmp(end, "G") == 0)
		mult = 1024ULL * 1024 * 1024;
	else
		return false;
	if (v == 0 || v > (unsigned long long) SIZE_MAX / mult)
		return false;
	*out = (size_t) (v * mult);
	return true;
}

/* Read a whole stream into malloc'd memory; NULL (errno set) on error. */
static unsigned char *
read_stream(FILE *f, size_t *len)
{
	unsigned char *buf = NULL;
	size_t		cap = 0;
	size_t		n = 0;

	for (;;)
	{
		size_t		got;

		if (n == cap)
		{
			size_t		ncap = cap ? cap * 2 : 65536;
			unsigned char *p;

			if (ncap < cap)
			{
				free(buf);
				errno = ENOMEM;
				return NULL;
			}
			p = realloc(buf, ncap);
			if (p == NULL)
			{
				free(buf);
				errno = ENOMEM;
				return NULL;
			}
			buf = p;
			cap = ncap;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
		{
			if (ferror(f))
			{
				int			save = errno ? errno : EIO;

				free(buf);
				errno = save;
				return NULL;
			}
			break;
		}
	}
	*len = n;
	return buf;
}

/* Write len bytes to stdout; false on a write error. */
static bool
put(const char *s, size_t len)
{
	return len == 0 || fwrite(s, 1, len, stdout) == len;
}

/* Print the chapters' text or HTML, separated by blank lines. */
static bool
print_chapters(const bp_book *book, bool html)
{
	bool		first = true;
	int			i;

	for (i = 0; i < book->nchapters; i++)
	{
		const bp_chapter *c = &book->chapters[i];
		const char *s = html ? c->html : c->text;
		size_t		len = html ? c->html_len : c->text_len;

		if (s == NULL)
			continue;
		/* no blank lines at either end of a chapter */
		while (len > 0 && s[len - 1] == '\n')
			len--;
		while (len > 0 && s[0] == '\n')
		{
			s++;
			len--;
		}
		if (len == 0)
			continue;
		if (!first && !put("\n", 1))
			return false;
		if (!put(s, len) || !put("\n", 1))
			return false;
		first = false;
	}
	return true;
}

/* Print one TSV field, with tabs and newlines replaced by spaces. */
static bool
put_field(const char *s)
{
	if (s == NULL)
		return put("", 0);
	for (; *s; s++)
	{
		char		c = (*s == '\t' || *s == '\n' || *s == '\r') ? ' ' : *s;

		if (!put(&c, 1))
			return false;
	}
	return true;
}

/* Print the assets as TSV: href, media type, size, cover flag. */
static bool
print_assets(const bp_book *book)
{
	int			i;

	for (i = 0; i < book->nassets; i++)
	{
		const bp_asset *a = &book->assets[i];
		char		num[64];

		snprintf(num, sizeof(num), "\t%zu\t%s\n", a->size,
				 a->is_cover ? "cover" : "");
		if (!put_field(a->href) || !put("\t", 1) ||
			!put_field(a->media_type) || !put(num, strlen(num)))
			return false;
	}
	return true;
}

/* Print the loader's error when lists is NULL; returns lists. */
static bp_scene_lists *
report_lists(bp_scene_lists *lists, const bp_error *err)
{
	if (lists == NULL)
		fprintf(stderr, PROGNAME ": scene word lists: %s\n", err->message);
	return lists;
}

/*
 * Load the scene word lists: data/scenes next to the program (or one or
 * two directories up: the source tree), else the extension's share
 * directory, `pg_config --sharedir`/extension/bookparse/scenes.  NULL
 * (message printed) when none can be loaded.
 */
static bp_scene_lists *
load_scene_lists(void)
{
	char		exe[4096];
	char		dir[4200];
	ssize_t		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	bp_error	err;
	bp_scene_lists *lists;
	FILE	   *p;
	int			up;

	memset(&err, 0, sizeof(err));
	for (up = 0; n > 0 && up < 3; up++)
	{
		char	   *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash == NULL)
			break;
		*slash = '\0';
		n = slash - exe;
		snprintf(dir, sizeof(dir), "%s/data/scenes", exe);
		if (access(dir, R_OK) == 0)
			return report_lists(bp_scene_load(dir, &err), &err);
	}
	p = popen("pg_config --sharedir 2>/dev/null", "r");
	if (p != NULL)
	{
		char		share[4096];

		if (fgets(share, sizeof(share), p) != NULL)
		{
			share[strcspn(share, "\n")] = '\0';
			snprintf(dir, sizeof(dir), "%s/extension/bookparse/scenes", share);
			pclose(p);
			lists = bp_scene_load(dir, &err);
			return report_lists(lists, &err);
		}
		pclose(p);
	}
	fprintf(stderr, PROGNAME ": no scene word lists: neither data/scenes next to "
			"the program nor pg_config --sharedir found\n");
	return NULL;
}

/* Judge each line of standard input; print kind, score, illustratable. */
static int
classify_lines(const bp_scene_lists *lists, const char *lang,
			   const bp_options *opts)
{
	char	   *line = NULL;
	size_t		cap = 0;
	ssize_t		len;
	int			rc = 0;

	while ((len = getline(&line, &cap, stdin)) >= 0)
	{
		bp_scene_verdict v;
		bp_error	err;

		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (!bp_scene_classify(lists, line, (size_t) len, lang, opts, &v, &err))
		{
			fprintf(stderr, PROGNAME ": line: %s: %s\n",
					bp_code_name(err.code), err.message);
			rc = 1;
			break;
		}
		if (printf("%s\t%.3f\t%s\n", bp_scene_kind_name(v.kind), v.score,
				   v.illustratable ? "yes" : "no") < 0)
		{
			rc = 1;
			break;
		}
	}
	free(line);
	bp_scene_lists_free((bp_scene_lists *) lists);
	if (fflush(stdout) != 0 || ferror(stdin))
	{
		fprintf(stderr, PROGNAME ": %s\n", strerror(errno));
		rc = 1;
	}
	return rc;
}

/* Print the scenes as TSV, a header line first (excerpts hold no tab or newline). */
static bool
print_scenes(const bp_scene_set *set)
{
	int			i;

	if (printf("chapter\tparagraph\tkind\tscore\tillustratable\texcerpt\n") < 0)
		return false;
	for (i = 0; i < set->nscenes; i++)
	{
		const bp_scene *s = &set->scenes[i];

		if (printf("%d\t%d\t%s\t%.3f\t%s\t", s->chapter, s->paragraph,
				   bp_scene_kind_name(s->kind), s->score,
				   s->illustratable ? "yes" : "no") < 0 ||
			!put(s->excerpt, strlen(s->excerpt)) || !put("\n", 1))
			return false;
	}
	return true;
}

/* Parse the command line, the book, and print what was asked for. */
int
main(int argc, char **argv)
{
	dump_mode	mode = MODE_JSON;
	const char *path = NULL;
	const char *name;
	bp_options	opts;
	bp_error	err;
	bp_book    *book;
	unsigned char *data;
	size_t		len = 0;
	bool		ok = true;
	bool		options_done = false;
	bool		stats = false;
	bool		full = false;
	const char *lang = NULL;
	bp_scene_lists *lists = NULL;
	int			i;

	/* a closed pipe is a write error, not a signal */
	signal(SIGPIPE, SIG_IGN);

	bp_options_init(&opts);
	opts.memory_setting = "--max-memory";

	for (i = 1; i < argc; i++)
	{
		const char *a = argv[i];

		if (!options_done && strcmp(a, "--") == 0)
			options_done = true;
		else if (!options_done && strcmp(a, "--json") == 0)
			mode = MODE_JSON;
		else if (!options_done && strcmp(a, "--text") == 0)
			mode = MODE_TEXT;
		else if (!options_done && strcmp(a, "--html") == 0)
			mode = MODE_HTML;
		else if (!options_done && strcmp(a, "--assets") == 0)
			mode = MODE_ASSETS;
		else if (!options_done && strcmp(a, "--detect") == 0)
			mode = MODE_DETECT;
		else if (!options_done && strcmp(a, "--scenes") == 0)
			mode = MODE_SCENES;
		else if (!options_done && strcmp(a, "--classify") == 0)
			mode = MODE_CLASSIFY;
		else if (!options_done && strncmp(a, "--lang=", 7) == 0)
			lang = a + 7;
		else if (!options_done && strncmp(a, "--max-memory=", 13) == 0)
		{
			if (!parse_size(a + 13, &opts.max_memory))
			{
				fprintf(stderr, PROGNAME ": invalid size \"%s\" (try 64MB)\n",
						a + 13);
				return 2;
			}
		}
		else if (!options_done && strcmp(a, "--full") == 0)
			full = true;
		else if (!options_done && strcmp(a, "--stats") == 0)
			stats = true;
		else if (!options_done && strcmp(a, "--help") == 0)
		{
			usage(stdout);
			return 0;
		}
		else if (!options_done && strcmp(a, "--version") == 0)
		{
			printf(PROGNAME " %s\n", bp_version());
			return 0;
		}
		else if (!options_done && a[0] == '-' && a[1] != '\0')
		{
			fprintf(stderr, PROGNAME ": unknown option \"%s\"\n", a);
			usage(stderr);
			return 2;
		}
		else if (path == NULL)
			path = a;
		else
		{
			fprintf(stderr, PROGNAME ": only one FILE may be given\n");
			usage(stderr);
			return 2;
		}
	}
	if (mode == MODE_SCENES || mode == MODE_CLASSIFY)
	{
		lists = load_scene_lists();
		if (lists == NULL)
			return 1;
	}
	if (mode == MODE_CLASSIFY)
		return classify_lines(lists, lang, &opts);
	if (path == NULL)
	{
		fprintf(stderr, PROGNAME ": no FILE given\n");
		usage(stderr);
		return 2;
	}

	/* read the whole input */
	if (strcmp(path, "-") == 0)
	{
		name = "-";
		data = read_stream(stdin, &len);
	}
	else
	{
		FILE	   *f = fopen(path, "rb");

		name = path;
		if (f == NULL)
			data = NULL;
		else
		{
			data = read_stream(f, &len);
			fclose(f);
		}
	}
	if (data == NULL)
	{
		fprintf(stderr, PROGNAME ": %s: %s\n", name, strerror(errno));
		return 1;
	}

	if (mode == MODE_DETECT)
	{
		const char *what = NULL;
		const char *fmt = bp_detect_format(data, len, &what);

		free(data);
		if (fmt == NULL)
		{
			fprintf(stderr, PROGNAME ": %s: not_a_book: %s\n", name,
					what ? what : "unknown data");
			return 1;
		}
		printf("%s\n", fmt);
		return fflush(stdout) == 0 ? 0 : 1;
	}

	opts.want_text = (mode == MODE_TEXT || mode == MODE_SCENES);
	opts.want_html = (mode == MODE_HTML);
	opts.want_assets = false;
	if (full)
		opts.want_text = opts.want_html = opts.want_assets = true;

	memset(&err, 0, sizeof(err));
	book = bp_parse(data, len, name, &opts, &err);
	free(data);
	if (book == NULL)
	{
		fprintf(stderr, PROGNAME ": %s: %s: %s%s%s%s\n", name,
				bp_code_name(err.code == BP_OK ? BP_ERR_INTERNAL : err.code),
				err.message[0] ? err.message : "parse failed",
				err.code == BP_ERR_LIMIT && err.setting == NULL && err.cap[0] ?
				" (a fixed cap of bookparse: " : "",
				err.code == BP_ERR_LIMIT && err.setting == NULL ? err.cap : "",
				err.code == BP_ERR_LIMIT && err.setting == NULL && err.cap[0] ?
				"; --max-memory does not raise it)" : "");
		return 1;
	}
	if (stats)
	{
		int			hooks = bp_memhooks_active();

		fprintf(stderr, "peak_memory_bytes=%zu held_memory_bytes=%zu"
				" counted=core,zlib%s%s\n",
				book->peak_memory, book->held_memory, (hooks & 1) ? ",libxml2" : "",
				(hooks & 2) ? ",icu" : "");
	}

	switch (mode)
	{
		case MODE_JSON:
			{
				size_t		jlen;
				char	   *json = bp_book_to_json(book, &jlen);

				if (json == NULL)
				{
					bp_book_free(book);
					fprintf(stderr, PROGNAME ": %s: out of memory\n", name);
					return 1;
				}
				ok = put(json, jlen) && put("\n", 1);
				free(json);
				break;
			}
		case MODE_TEXT:
			ok = print_chapters(book, false);
			break;
		case MODE_HTML:
			ok = print_chapters(book, true);
			break;
		case MODE_ASSETS:
			ok = print_assets(book);
			break;
		case MODE_SCENES:
			{
				const bp_scene_set *set = bp_book_scenes(book, lists, 0, &err);

				if (set == NULL)
				{
					fprintf(stderr, PROGNAME ": %s: %s: %s\n", name,
							bp_code_name(err.code), err.message);
					bp_book_free(book);
					bp_scene_lists_free(lists);
					return 1;
				}
				ok = print_scenes(set);
				break;
			}
		case MODE_DETECT:
		case MODE_CLASSIFY:
			break;
	}
	bp_book_free(book);
	bp_scene_lists_free(lists);

	if (fflush(stdout) != 0)
		ok = false;
	if (!ok)
	{
		fprintf(stderr, PROGNAME ": write error: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

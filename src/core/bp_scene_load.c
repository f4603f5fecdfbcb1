/*-------------------------------------------------------------------------
 *
 * bp_scene_load.c
 *	  Loading the scene extractor's word lists: files LANG.CATEGORY of one
 *	  directory (en.location, ru.speech, ...), each line a surface word
 *	  and an optional weight, read, checked and folded to lower case by
 *	  bp_scene_load(), and stemmed with Snowball into one table of stems
 *	  per language when the language is first used.  Format in
 *	  docs/scenes.md.
 *
 *-------------------------------------------------------------------------
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libstemmer.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>

#include "bp_scene.h"

#define BP_SCENE_MAX_FILE	(1024 * 1024)	/* bytes of one list file */
#define BP_SCENE_LOAD_MEMORY (32 * 1024 * 1024) /* bound of all lists */

const char *const bp_scene_cat_names[BP_SCAT__COUNT] = {
	"location", "character", "atmosphere", "detail", "speech", "action",
	"person"
};

/* Stable name of a scene kind. */
const char *
bp_scene_kind_name(bp_scene_kind kind)
{
	switch (kind)
	{
		case BP_SCENE_LOCATION:
			return "location";
		case BP_SCENE_CHARACTER:
			return "character";
		case BP_SCENE_ATMOSPHERE:
			return "atmosphere";
		case BP_SCENE_NONE:
			break;
	}
	return "none";
}

/*
 * Lower case of the characters U+0400-U+047F as fold_simple() has it, by
 * their two UTF-8 bytes (index: lead byte's low bit << 6 | the second
 * byte's low 6 bits; value: first byte | second byte << 8): А-Я and Ѐ-Џ
 * to а-я and ѐ-џ, ё to е, the rest as they are.
 */
static const uint16_t cyrillic_lower[128] = {
	0x90D1, 0xB5D0, 0x92D1, 0x93D1, 0x94D1, 0x95D1, 0x96D1, 0x97D1,
	0x98D1, 0x99D1, 0x9AD1, 0x9BD1, 0x9CD1, 0x9DD1, 0x9ED1, 0x9FD1,
	0xB0D0, 0xB1D0, 0xB2D0, 0xB3D0, 0xB4D0, 0xB5D0, 0xB6D0, 0xB7D0,
	0xB8D0, 0xB9D0, 0xBAD0, 0xBBD0, 0xBCD0, 0xBDD0, 0xBED0, 0xBFD0,
	0x80D1, 0x81D1, 0x82D1, 0x83D1, 0x84D1, 0x85D1, 0x86D1, 0x87D1,
	0x88D1, 0x89D1, 0x8AD1, 0x8BD1, 0x8CD1, 0x8DD1, 0x8ED1, 0x8FD1,
	0xB0D0, 0xB1D0, 0xB2D0, 0xB3D0, 0xB4D0, 0xB5D0, 0xB6D0, 0xB7D0,
	0xB8D0, 0xB9D0, 0xBAD0, 0xBBD0, 0xBCD0, 0xBDD0, 0xBED0, 0xBFD0,
	0x80D1, 0x81D1, 0x82D1, 0x83D1, 0x84D1, 0x85D1, 0x86D1, 0x87D1,
	0x88D1, 0x89D1, 0x8AD1, 0x8BD1, 0x8CD1, 0x8DD1, 0x8ED1, 0x8FD1,
	0x90D1, 0xB5D0, 0x92D1, 0x93D1, 0x94D1, 0x95D1, 0x96D1, 0x97D1,
	0x98D1, 0x99D1, 0x9AD1, 0x9BD1, 0x9CD1, 0x9DD1, 0x9ED1, 0x9FD1,
	0xA0D1, 0xA1D1, 0xA2D1, 0xA3D1, 0xA4D1, 0xA5D1, 0xA6D1, 0xA7D1,
	0xA8D1, 0xA9D1, 0xAAD1, 0xABD1, 0xACD1, 0xADD1, 0xAED1, 0xAFD1,
	0xB0D1, 0xB1D1, 0xB2D1, 0xB3D1, 0xB4D1, 0xB5D1, 0xB6D1, 0xB7D1,
	0xB8D1, 0xB9D1, 0xBAD1, 0xBBD1, 0xBCD1, 0xBDD1, 0xBED1, 0xBFD1,
};

/*
 * Lower-case a word of ASCII and Cyrillic without ICU (ё becomes е, as
 * the Russian stemmer has it); false when it holds anything else.
 */
static bool
fold_simple(const char *s, size_t len, char *out, size_t *outlen)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t		i = 0;
	size_t		o = 0;

	while (i < len)
	{
		unsigned char b = p[i];

		if (b < 0x80)
		{
			out[o++] = (char) ((b >= 'A' && b <= 'Z') ? b + 32 : b);
			i++;
		}
		else if ((b == 0xD0 || b == 0xD1) && i + 1 < len &&
				 (p[i + 1] & 0xC0) == 0x80)
		{
			uint16_t	v = cyrillic_lower[(b & 1) << 6 | (p[i + 1] & 0x3F)];

			out[o++] = (char) (v & 0xFF);
			out[o++] = (char) (v >> 8);
			i += 2;
		}
		else
			return false;
	}
	out[o] = '\0';
	*outlen = o;
	return true;
}

/*
 * Lower-case a UTF-8 word with ICU's full case folding; ’ becomes ' and
 * ё becomes е.
 */
bool
bp_scene_fold(const char *s, size_t len, char *out, size_t *outlen)
{
	UChar		u[BP_SCENE_MAX_WORD];
	UChar		f[BP_SCENE_MAX_WORD];
	UErrorCode	status = U_ZERO_ERROR;
	int32_t		ulen = 0;
	int32_t		flen;
	int32_t		olen = 0;
	int32_t		i;

	if (len == 0 || len >= BP_SCENE_MAX_WORD)
		return false;
	if (fold_simple(s, len, out, outlen))
		return true;
	u_strFromUTF8(u, BP_SCENE_MAX_WORD, &ulen, s, (int32_t) len, &status);
	if (U_FAILURE(status) || ulen >= BP_SCENE_MAX_WORD)
		return false;
	flen = u_strFoldCase(f, BP_SCENE_MAX_WORD, u, ulen, U_FOLD_CASE_DEFAULT,
						 &status);
	if (U_FAILURE(status) || flen >= BP_SCENE_MAX_WORD)
		return false;
	for (i = 0; i < flen; i++)
	{
		if (f[i] == 0x2019)
			f[i] = '\'';
		else if (f[i] == 0x451)
			f[i] = 0x435;
	}
	u_strToUTF8(out, BP_SCENE_MAX_WORD, &olen, f, flen, &status);
	if (U_FAILURE(status) || olen >= BP_SCENE_MAX_WORD)
		return false;
	out[olen] = '\0';
	*outlen = (size_t) olen;
	return true;
}

/* The entry of stem in lang, or NULL. */
const bp_scene_entry *
bp_scene_find(const bp_scene_lang *lang, const char *stem, size_t len)
{
	uint32_t	i;

	if (lang->table == NULL)
		return NULL;
	i = bp_scene_hash(stem, len) & lang->mask;
	while (lang->table[i].stem)
	{
		const char *t = lang->table[i].stem;

		if (strncmp(t, stem, len) == 0 && t[len] == '\0')
			return &lang->table[i];
		i = (i + 1) & lang->mask;
	}
	return NULL;
}

/* The language of lists with this code, or NULL. */
const bp_scene_lang *
bp_scene_lang_get(const bp_scene_lists *lists, const char *code)
{
	int			i;

	if (lists == NULL || code == NULL)
		return NULL;
	for (i = 0; i < lists->nlangs; i++)
		if (strcmp(lists->langs[i].code, code) == 0)
			return &lists->langs[i];
	return NULL;
}

/*
 * A copy of n bytes of s, NUL-terminated, in the lists' chunks of words
 * (freed with the lists); NULL (ctx failed) without memory.
 */
static char *
lists_strndup(bp_scene_lists *lists, const char *s, size_t n)
{
	char	   *p;

	if (n + 1 > lists->chunk_left)
	{
		size_t		size = n + 1 > 16384 ? n + 1 : 16384;

		lists->chunk = bp_alloc(lists->ctx, size);
		if (lists->chunk == NULL)
			return NULL;
		lists->chunk_left = size;
	}
	p = lists->chunk;
	memcpy(p, s, n);
	p[n] = '\0';
	lists->chunk += n + 1;
	lists->chunk_left -= n + 1;
	return p;
}

/* Double lang's table (or create it); false (ctx failed) without memory. */
static bool
table_grow(bp_ctx *ctx, bp_scene_lang *lang)
{
	uint32_t	size = lang->table ? (lang->mask + 1) * 2 : 1024;
	bp_scene_entry *t = bp_alloc0(ctx, size * sizeof(bp_scene_entry));
	uint32_t	i;

	if (t == NULL)
		return false;
	for (i = 0; lang->table && i <= lang->mask; i++)
	{
		const char *stem = lang->table[i].stem;
		uint32_t	j;

		if (stem == NULL)
			continue;
		j = bp_scene_hash(stem, strlen(stem)) & (size - 1);
		while (t[j].stem)
			j = (j + 1) & (size - 1);
		t[j] = lang->table[i];
	}
	if (lang->table)
		bp_free(ctx, lang->table);
	lang->table = t;
	lang->mask = size - 1;
	return true;
}

/* Set the prefix bit of the first len bytes of stem. */
static void
mark_prefix(bp_scene_lang *lang, const char *stem, size_t len)
{
	uint32_t	h = 2166136261u;
	uint32_t	b;
	size_t		i;

	for (i = 0; i < len; i++)
		h = bp_scene_prefix_step(h, (unsigned char) stem[i]);
	b = bp_scene_prefix_bit(h);
	lang->prefixes[b / 8] |= (uint8_t) (1 << (b % 8));
}

/*
 * Mark the prefixes the words of an English stem may begin with when the
 * stem is not a prefix of them: the stemmer turns a final y into i ("cry",
 * "crying" -> "cri") and restores a final e ("coming" -> "come"), and
 * "skies" has the stem "sky".  Harmless for other languages: a few more
 * words reach the stemmer.
 */
static void
mark_variants(bp_scene_lang *lang, const char *stem, size_t len)
{
	char		v[BP_SCENE_MAX_WORD];

	memcpy(v, stem, len);
	if (stem[len - 1] == 'i')
	{
		v[len - 1] = 'y';
		mark_prefix(lang, v, len);
	}
	else if (stem[len - 1] == 'e')
		mark_prefix(lang, v, len - 1);
	else if (stem[len - 1] == 'y')
	{
		v[len - 1] = 'i';
		mark_prefix(lang, v, len);
	}
}

/* Give stem weight w in category cat of lang (the larger weight wins). */
static bool
table_put(bp_ctx *ctx, bp_scene_lang *lang, const char *stem, size_t len,
		  bp_scat cat, float w)
{
	bp_scene_entry *e = (bp_scene_entry *) bp_scene_find(lang, stem, len);
	uint32_t	i;

	if (e == NULL)
	{
		if ((lang->table == NULL ||
			 (uint32_t) (lang->nstems + 1) * 2 > lang->mask + 1) &&
			!table_grow(ctx, lang))
			return false;
		i = bp_scene_hash(stem, len) & lang->mask;
		while (lang->table[i].stem)
			i = (i + 1) & lang->mask;
		e = &lang->table[i];
		e->stem = lists_strndup(lang->lists, stem, len);
		if (e->stem == NULL)
			return false;
		lang->nstems++;
		mark_prefix(lang, stem, len);	/* an exact key too: "=word" */
		if (stem[0] != BP_SCENE_EXACT && len > 1 && len < BP_SCENE_MAX_WORD)
			mark_variants(lang, stem, len);
	}
	if (w > e->w[cat])
		e->w[cat] = w;
	return true;
}

/* Read a whole file into ctx memory (NUL-terminated); false with ctx failed. */
static char *
read_file(bp_ctx *ctx, const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	struct stat st;
	size_t		size = BP_SCENE_MAX_FILE;
	char	   *buf;
	size_t		n;

	if (f == NULL)
	{
		bp_fail(ctx, BP_ERR_INTERNAL, "could not open \"%s\": %s", path,
				strerror(errno));
		return NULL;
	}
	/* a buffer of the file's size (lists are small), one byte more to see growth */
	if (fstat(fileno(f), &st) == 0 && st.st_size >= 0 &&
		st.st_size <= BP_SCENE_MAX_FILE)
		size = (size_t) st.st_size;
	buf = bp_alloc(ctx, size + 2);
	if (buf == NULL)
	{
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, size + 1, f);
	if (ferror(f) || n > size)
	{
		if (!ferror(f))
			n = BP_SCENE_MAX_FILE + 1;	/* grew, or fstat failed: too large */
		fclose(f);
		bp_fail(ctx, BP_ERR_LIMIT, "could not read \"%s\": %s", path,
				n > BP_SCENE_MAX_FILE ? "larger than 1MB (or growing)" :
				strerror(errno));
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/*
 * Read one line "word[TAB weight]" of a list file into lang's lines
 * (stemmed later, by bp_scene_lang_build()); false (ctx failed) if
 * malformed.
 */
static bool
load_line(bp_ctx *ctx, bp_scene_lang *lang, bp_scat cat, char *line,
		  const char *path, int lineno)
{
	char	   *tab = strchr(line, '\t');
	char		folded[BP_SCENE_MAX_WORD];
	size_t		flen;
	bp_scene_word_line *l;
	double		w = 1.0;
	size_t		i;

	if (tab)
	{
		char	   *end;

		*tab = '\0';
		errno = 0;
		w = strtod(tab + 1, &end);
		while (*end == ' ' || *end == '\t')
			end++;
		if (errno != 0 || end == tab + 1 || *end != '\0' || !isfinite(w) ||
			w <= 0 || w > 10)
			return bp_fail(ctx, BP_ERR_INTERNAL,
						   "%s:%d: weight \"%s\" is not a number in (0, 10]",
						   path, lineno, tab + 1);
	}
	for (i = 0; line[i]; i++)
		if (line[i] == ' ' || (unsigned char) line[i] < 0x20)
			return bp_fail(ctx, BP_ERR_INTERNAL,
						   "%s:%d: a word may not hold spaces or control characters",
						   path, lineno);
	if (!bp_utf8_valid(line, i) || !bp_scene_fold(line, i, folded, &flen))
		return bp_fail(ctx, BP_ERR_INTERNAL,
					   "%s:%d: not a word of UTF-8 shorter than %d bytes",
					   path, lineno, BP_SCENE_MAX_WORD);
	lang->lines = bp_array_grow(ctx, lang->lines, &lang->lines_cap,
								lang->nlines + 1, sizeof(bp_scene_word_line));
	if (lang->lines == NULL)
		return false;
	l = &lang->lines[lang->nlines];
	l->folded = lists_strndup(lang->lists, folded, flen);
	if (l->folded == NULL)
		return false;
	l->stem = NULL;
	l->cat = cat;
	l->w = (float) w;
	lang->nlines++;
	return true;
}

/* Stem lang's lines into its table; false with the lists' ctx failed. */
static bool
build(bp_ctx *ctx, bp_scene_lang *lang)
{
	struct sb_stemmer *stemmer;
	int			i;
	bool		ok = true;

	lang->prefixes = bp_alloc0(ctx, BP_SCENE_PREFIX_BITS / 8);
	if (lang->prefixes == NULL)
		return false;
	stemmer = sb_stemmer_new(lang->code, "UTF_8");
	if (stemmer == NULL)
		return bp_fail(ctx, BP_ERR_LIMIT,
					   "out of memory opening the \"%s\" stemmer", lang->code);
	for (i = 0; ok && i < lang->nlines; i++)
	{
		const bp_scene_word_line *l = &lang->lines[i];
		size_t		flen = strlen(l->folded);

		if (l->cat == BP_SCAT_PERSON)
		{
			/* pronouns: a closed class, matched as written, not stemmed */
			char		key[BP_SCENE_MAX_WORD + 1];

			key[0] = BP_SCENE_EXACT;
			memcpy(key + 1, l->folded, flen + 1);
			ok = table_put(ctx, lang, key, flen + 1, l->cat, l->w);
			if (flen > lang->exact_max)
				lang->exact_max = flen;
		}
		else
		{
			const sb_symbol *stem = sb_stemmer_stem(stemmer,
													(const sb_symbol *) l->folded,
													(int) flen);

			if (stem == NULL)
				ok = bp_fail(ctx, BP_ERR_LIMIT,
							 "out of memory stemming the \"%s\" word lists",
							 lang->code);
			else
				ok = table_put(ctx, lang, (const char *) stem,
							   (size_t) sb_stemmer_length(stemmer), l->cat,
							   l->w) &&
					(lang->lines[i].stem =
					 lists_strndup(lang->lists, (const char *) stem,
								   (size_t) sb_stemmer_length(stemmer))) != NULL;
		}
	}
	/* the table is complete: the lists' own words start the memo */
	ok = ok && bp_scene_memo_start(ctx, lang);
	for (i = 0; ok && i < lang->nlines; i++)
		bp_scene_memo_seed(lang, stemmer, lang->lines[i].folded,
						   lang->lines[i].stem);
	sb_stemmer_delete(stemmer);
	if (!ok)
		return false;
	/* the words are in the table now (their strings stay in the chunks) */
	if (lang->lines)
		bp_free(ctx, lang->lines);
	lang->lines = NULL;
	lang->nlines = lang->lines_cap = 0;
	lang->built = true;
	return true;
}

/* Stem lang's words into its table on first use (see bp_scene.h). */
bool
bp_scene_lang_build(const bp_scene_lang *lang, bp_ctx *ctx)
{
	bp_scene_lang *l = (bp_scene_lang *) lang;	/* process-local lists */
	bp_ctx	   *lctx = l->lists->ctx;

	if (l->built)
		return true;
	if (!bp_failed(lctx))
		build(lctx, l);
	if (!l->built)
		return bp_fail(ctx, lctx->err.code ? lctx->err.code : BP_ERR_INTERNAL,
					   "%s", lctx->err.message);
	return true;
}

/* Load the list file path of category cat into lang. */
static bool
load_file(bp_ctx *ctx, bp_scene_lang *lang, bp_scat cat, const char *path)
{
	size_t		len = 0;
	char	   *buf = read_file(ctx, path, &len);
	char	   *line;
	int			lineno = 0;
	bool		ok = true;

	if (buf == NULL)
		return false;
	if (lang->files == 0)
	{
		/* a language's first file: is there a stemmer for it? */
		struct sb_stemmer *stemmer = sb_stemmer_new(lang->code, "UTF_8");

		if (stemmer == NULL)
		{
			bp_free(ctx, buf);
			return bp_fail(ctx, BP_ERR_INTERNAL,
						   "%s: Snowball has no stemmer for language \"%s\"",
						   path, lang->code);
		}
		sb_stemmer_delete(stemmer);
	}
	if (memchr(buf, '\0', len) != NULL)
		ok = bp_fail(ctx, BP_ERR_INTERNAL, "%s: holds a NUL byte", path);
	for (line = buf; ok && line < buf + len;)
	{
		char	   *nl = strchr(line, '\n');
		char	   *next = nl ? nl + 1 : buf + len;
		size_t		n = nl ? (size_t) (nl - line) : strlen(line);

		lineno++;
		line[n] = '\0';
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		while (n > 0 && line[n - 1] == ' ')
			line[--n] = '\0';
		if (n > 0 && line[0] != '#')
			ok = load_line(ctx, lang, cat, line, path, lineno);
		line = next;
	}
	bp_free(ctx, buf);
	lang->files++;
	return ok;
}

/* Split a file name "LANG.CATEGORY" into a language code and a category. */
static bool
parse_name(const char *name, char *code, bp_scat *cat)
{
	const char *dot = strchr(name, '.');
	size_t		n = dot ? (size_t) (dot - name) : 0;
	size_t		i;
	int			c;

	if (n < 2 || n > 3)
		return false;
	for (i = 0; i < n; i++)
		if (name[i] < 'a' || name[i] > 'z')
			return false;
	for (c = 0; c < BP_SCAT__COUNT; c++)
		if (strcmp(dot + 1, bp_scene_cat_names[c]) == 0)
		{
			memcpy(code, name, n);
			code[n] = '\0';
			*cat = (bp_scat) c;
			return true;
		}
	return false;
}

/* The language code's slot in lists, added when new; NULL when full. */
static bp_scene_lang *
lang_slot(bp_scene_lists *lists, const char *code)
{
	bp_scene_lang *lang = (bp_scene_lang *) bp_scene_lang_get(lists, code);

	if (lang)
		return lang;
	if (lists->nlangs >= BP_SCENE_MAX_LANGS)
	{
		bp_fail(lists->ctx, BP_ERR_LIMIT, "more than %d languages of lists",
				BP_SCENE_MAX_LANGS);
		return NULL;
	}
	lang = &lists->langs[lists->nlangs++];
	strcpy(lang->code, code);
	lang->lists = lists;
	return lang;
}

/* Load every LANG.CATEGORY file of dir into lists. */
static bool
load_dir(bp_scene_lists *lists, const char *dir)
{
	bp_ctx	   *ctx = lists->ctx;
	DIR		   *d = opendir(dir);
	struct dirent *de;
	int			files = 0;

	if (d == NULL)
		return bp_fail(ctx, BP_ERR_INTERNAL, "could not open directory \"%s\": %s",
					   dir, strerror(errno));
	while (!bp_failed(ctx) && (de = readdir(d)) != NULL)
	{
		char		code[8];
		bp_scat		cat;
		char	   *path;
		bp_scene_lang *lang;

		if (!parse_name(de->d_name, code, &cat))
			continue;
		lang = lang_slot(lists, code);
		path = bp_sprintf(ctx, "%s/%s", dir, de->d_name);
		if (lang == NULL || path == NULL)
			break;
		if (load_file(ctx, lang, cat, path))
			files++;
		bp_free(ctx, path);
	}
	closedir(d);
	if (!bp_failed(ctx) && files == 0)
		bp_fail(ctx, BP_ERR_INTERNAL,
				"no word lists (files LANG.CATEGORY) in directory \"%s\"", dir);
	return !bp_failed(ctx);
}

/* Load the word lists of directory dir; NULL with *err filled on failure. */
bp_scene_lists *
bp_scene_load(const char *dir, bp_error *err)
{
	bp_options	opts;
	bp_ctx	   *ctx;
	bp_scene_lists *lists;

	memset(err, 0, sizeof(*err));
	bp_options_init(&opts);
	opts.max_memory = BP_SCENE_LOAD_MEMORY;
	opts.memory_setting = "the scene word lists' bound (32MB)";
	ctx = bp_ctx_create(&opts, dir, 0);
	if (ctx == NULL)
	{
		err->code = BP_ERR_LIMIT;
		snprintf(err->message, sizeof(err->message), "out of memory");
		return NULL;
	}
	lists = bp_alloc0(ctx, sizeof(bp_scene_lists));
	if (lists != NULL)
	{
		lists->ctx = ctx;
		if (dir == NULL)
			bp_fail(ctx, BP_ERR_INTERNAL, "no directory of word lists given");
		else
			load_dir(lists, dir);
	}
	if (bp_failed(ctx))
	{
		*err = ctx->err;
		bp_ctx_destroy(ctx);
		return NULL;
	}
	return lists;
}

/* Free loaded word lists. */
void
bp_scene_lists_free(bp_scene_lists *lists)
{
	if (lists != NULL)
		bp_ctx_destroy(lists->ctx);
}

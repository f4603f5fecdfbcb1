/*-------------------------------------------------------------------------
 *
 * bp_txt.c
 *	  The plain-text parser: encoding detection, paragraphs, chapter
 *	  headings in English and Russian, scene breaks and Project Gutenberg
 *	  header metadata.
 *
 * The text is decoded to UTF-8, split into lines, and the lines into
 * blocks at blank lines.  Each block becomes one or more units:
 *	- a paragraph whose hard-wrapped lines are joined with a space;
 *	- a verse-like paragraph (every line indented, short lines) whose lines
 *	  are kept with <br>;
 *	- one paragraph per line when lines are long (one paragraph a line) or
 *	  when indented lines mark paragraph starts (lib.ru style);
 *	- a heading ("Chapter 12", "CHAPTER XII. Title", "Глава первая",
 *	  "PART ONE", "Пролог", ...) on a line of its own, preceded by a blank
 *	  line, possibly with a subtitle on the next line of the block;
 *	- a scene break ("* * *", "***"), which becomes <hr>.
 * Runs of three or more headings with nothing between them are a table of
 * contents and stay text.  Parts (and books) get depth 1 and the chapters
 * inside them depth 2 (3 under both).  Long texts without any heading are
 * split at scene breaks or paragraph boundaries of about 10k words.
 *
 * Every loop is bounded by the number of bytes or lines of the input.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>

#include "bp_internal.h"

#define TXT_MAX_HEADING		160		/* longest heading line, in bytes */
#define TXT_LONG_LINE		110		/* lines longer (code points) are paragraphs */
#define TXT_SPLIT_BOOK		50000	/* words: split headless books above this */
#define TXT_SPLIT_WORDS		10000	/* words per chapter when splitting */
#define TXT_SPLIT_SCENE		4000	/* a scene break splits above this */

typedef enum txt_kind
{
	H_NONE = 0,
	H_BOOK,						/* BOOK II, Книга первая */
	H_PART,						/* PART ONE, Часть II */
	H_CHAPTER,					/* Chapter 12, Глава 12 */
	H_SOLO						/* Prologue, Epilogue, Preface, Пролог, ... */
} txt_kind;

typedef enum txt_utype
{
	U_PARA,						/* lines joined with spaces */
	U_VERSE,					/* lines kept with <br> */
	U_HEADING,
	U_BREAK
} txt_utype;

typedef struct txt_line
{
	size_t		off;			/* of the first non-blank byte */
	size_t		len;			/* trimmed length in bytes */
	int			chars;			/* code points of the trimmed line */
	bool		indented;
	bool		blank;
	bool		scene;			/* "* * *" */
	txt_kind	heading;		/* what the line would be as a heading */
} txt_line;

typedef struct txt_unit
{
	txt_utype	type;
	txt_kind	kind;			/* for headings */
	int			first;			/* line index */
	int			nlines;
	int			subtitle;		/* line index of a subtitle line, or -1 */
	int64_t		words;			/* estimate */
} txt_unit;

typedef struct txt_state
{
	bp_ctx	   *ctx;
	const char *text;
	size_t		len;
	txt_line   *lines;
	int			nlines;
	txt_unit   *units;
	int			nunits;
	int			ucap;
} txt_state;

/* ---- small helpers ---- */

/* Is c a space or tab (or CR, FF, VT)? */
static inline bool
txt_isspace(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Length of a Unicode space (NBSP, U+3000, U+2000..U+200A) at s, or 0. */
static int
txt_uspace(const unsigned char *s, size_t len)
{
	if (len >= 2 && s[0] == 0xC2 && s[1] == 0xA0)
		return 2;
	if (len >= 3 && s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80)
		return 3;
	if (len >= 3 && s[0] == 0xE2 && s[1] == 0x80 && s[2] <= 0x8A)
		return 3;
	if (len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
		return 3;				/* a stray BOM */
	return 0;
}

/*
 * Lowercase ASCII and Russian Cyrillic of s into out (at most outsz-1
 * bytes); returns the length.  Other characters are copied.
 */
static size_t
txt_lower(const char *s, size_t len, char *out, size_t outsz)
{
	size_t		i = 0,
				o = 0;

	while (i < len && o + 2 < outsz)
	{
		unsigned char c = (unsigned char) s[i];

		if (c >= 'A' && c <= 'Z')
		{
			out[o++] = (char) (c + 32);
			i++;
		}
		else if (c == 0xD0 && i + 1 < len)
		{
			unsigned char d = (unsigned char) s[i + 1];

			if (d >= 0x90 && d <= 0x9F)
			{
				out[o++] = (char) 0xD0;
				out[o++] = (char) (d + 0x20);	/* А..П -> а..п */
			}
			else if (d >= 0xA0 && d <= 0xAF)
			{
				out[o++] = (char) 0xD1;
				out[o++] = (char) (d - 0x20);	/* Р..Я -> р..я */
			}
			else if (d == 0x81)
			{
				out[o++] = (char) 0xD1;
				out[o++] = (char) 0x91; /* Ё -> ё */
			}
			else
			{
				out[o++] = (char) c;
				out[o++] = (char) d;
			}
			i += 2;
		}
		else
			out[o++] = s[i++];
	}
	out[o] = '\0';
	return o;
}

/* Does s start with the word w (followed by a non-letter)? Returns its length. */
static size_t
txt_word(const char *s, const char *w)
{
	size_t		n = strlen(w);
	unsigned char c;

	if (strncmp(s, w, n) != 0)
		return 0;
	c = (unsigned char) s[n];
	if ((c >= 'a' && c <= 'z') || c == 0xD0 || c == 0xD1)
		return 0;
	return n;
}

/* Length of a letter word (ASCII or Cyrillic) at s. */
static size_t
txt_letters(const char *s)
{
	size_t		i = 0;

	for (;;)
	{
		unsigned char c = (unsigned char) s[i];

		if (c >= 'a' && c <= 'z')
			i++;
		else if ((c == 0xD0 || c == 0xD1) && s[i + 1] != '\0')
			i += 2;
		else
			return i;
	}
}

/* Is the word [s, s+n) a number word of English or Russian? */
static bool
txt_number_word(const char *s, size_t n)
{
	static const char *const en[] = {
		"one", "two", "three", "four", "five", "six", "seven", "eight",
		"nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen",
		"sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty",
		"forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred",
		"first", "second", "third", "fourth", "fifth", "sixth", "seventh",
		"eighth", "ninth", "tenth", "eleventh", "twelfth", "thirteenth",
		"fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth",
		"nineteenth", "twentieth", "thirtieth", "fortieth", "fiftieth",
		"last", "final", NULL
	};
	/* stems of Russian numerals, cardinal and ordinal, any case ending */
	static const char *const ru[] = {
		"перв", "втор", "трет", "три", "четв", "четыр", "пят", "шест",
		"седьм", "сем", "восьм", "восем", "девят", "девян", "десят",
		"одиннадц", "двенадц", "тринадц", "двадц", "тридц", "сорок", "сто",
		"один", "одна", "два", "две", "последн", "заключительн", NULL
	};
	int			i;

	if (n == 0)
		return false;
	if ((unsigned char) s[0] < 0x80)
	{
		for (i = 0; en[i]; i++)
			if (strlen(en[i]) == n && strncmp(s, en[i], n) == 0)
				return true;
		return false;
	}
	for (i = 0; ru[i]; i++)
	{
		size_t		l = strlen(ru[i]);

		if (l <= n && strncmp(s, ru[i], l) == 0)
			return true;
	}
	return false;
}

/*
 * Parse a number after a heading keyword at s: digits, a Roman numeral, or
 * one to three number words ("twenty-one", "двадцать первая").  Returns
 * the bytes used or 0.
 */
static size_t
txt_number(const char *s)
{
	size_t		i = 0;
	int			words = 0;

	if (s[0] >= '0' && s[0] <= '9')
	{
		while (s[i] >= '0' && s[i] <= '9' && i < 6)
			i++;
		return (s[i] >= '0' && s[i] <= '9') ? 0 : i;
	}
	while (s[i] != '\0' && strchr("ivxlcdm", s[i]) && i < 9)
		i++;
	if (i > 0 && txt_letters(s) == i)
		return i;
	i = 0;
	while (words < 3)
	{
		size_t		n = txt_letters(s + i);

		if (!txt_number_word(s + i, n))
			break;
		i += n;
		words++;
		if ((s[i] == '-' || s[i] == ' ') && txt_letters(s + i + 1) > 0 &&
			txt_number_word(s + i + 1, txt_letters(s + i + 1)))
			i++;
		else
			break;
	}
	return words > 0 ? i : 0;
}

/*
 * What the rest of a heading line after the keyword/number may be: nothing,
 * or a separator (. : — – -) and an optional subtitle.
 */
static bool
txt_heading_rest(const char *s)
{
	while (*s == ' ')
		s++;
	if (*s == '\0')
		return true;
	if (*s == '.' || *s == ':' || *s == '-')
		return true;
	/* em dash U+2014, en dash U+2013 */
	if ((unsigned char) s[0] == 0xE2 && (unsigned char) s[1] == 0x80 &&
		((unsigned char) s[2] == 0x94 || (unsigned char) s[2] == 0x93))
		return true;
	return false;
}

/* Classify a trimmed line as a heading (H_NONE if it is not one). */
static txt_kind
txt_match_heading(const char *line, size_t len)
{
	static const struct
	{
		const char *word;
		txt_kind	kind;
	}			numbered[] = {
		{"chapter", H_CHAPTER}, {"book", H_BOOK}, {"part", H_PART},
		{"volume", H_BOOK}, {"глава", H_CHAPTER}, {"часть", H_PART},
		{"книга", H_BOOK}, {"том", H_BOOK}, {NULL, H_NONE}
	};
	static const char *const solo[] = {
		"prologue", "epilogue", "introduction", "preface", "foreword",
		"afterword", "пролог", "эпилог", "предисловие", "послесловие",
		"вступление", "введение", NULL
	};
	char		lw[TXT_MAX_HEADING * 2 + 8];
	const char *s;
	int			i;

	if (len == 0 || len > TXT_MAX_HEADING)
		return H_NONE;
	txt_lower(line, len, lw, sizeof(lw));
	s = lw;

	for (i = 0; numbered[i].word; i++)
	{
		size_t		n = txt_word(s, numbered[i].word);
		size_t		m;

		if (n == 0)
			continue;
		if (s[n] != ' ')
			return H_NONE;
		while (s[n] == ' ')
			n++;
		m = txt_number(s + n);
		if (m == 0)
			return H_NONE;
		return txt_heading_rest(s + n + m) ? numbered[i].kind : H_NONE;
	}
	for (i = 0; solo[i]; i++)
	{
		size_t		n = txt_word(s, solo[i]);

		if (n > 0)
			return txt_heading_rest(s + n) ? H_SOLO : H_NONE;
	}
	return H_NONE;
}

/* Is the trimmed line a scene break: only '*' (3+), '⁂', spaces? */
static bool
txt_is_scene_break(const char *s, size_t len)
{
	size_t		i;
	int			stars = 0;

	if (len == 0 || len > 40)
		return false;
	for (i = 0; i < len; i++)
	{
		if (s[i] == '*')
			stars++;
		else if (i + 2 < len && (unsigned char) s[i] == 0xE2 &&
				 (unsigned char) s[i + 1] == 0x81 && (unsigned char) s[i + 2] == 0x82)
		{
			stars += 3;			/* ⁂ */
			i += 2;
		}
		else if (s[i] != ' ' && s[i] != '\t')
			return false;
	}
	return stars >= 3;
}

/* ---- lines ---- */

/* Split the text into lines with their properties. */
static bool
txt_split_lines(txt_state *t)
{
	const char *s = t->text;
	size_t		len = t->len;
	size_t		i;
	int			n = 1;
	int			k = 0;
	size_t		start = 0;

	for (i = 0; i < len; i++)
		if (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= len || s[i + 1] != '\n')))
			n++;
	if (n > INT32_MAX / 2)
		return bp_fail(t->ctx, BP_ERR_LIMIT, "too many lines");
	t->lines = bp_alloc0(t->ctx, sizeof(txt_line) * (size_t) n);
	if (t->lines == NULL)
		return false;

	for (i = 0; i <= len && k < n; i++)
	{
		bool		eol = (i == len) || s[i] == '\n' ||
			(s[i] == '\r' && (i + 1 >= len || s[i + 1] != '\n'));
		txt_line   *l;
		size_t		a,
					b,
					j;
		int			sp;

		if (!eol)
			continue;
		l = &t->lines[k++];
		a = start;
		b = i;
		if (b > a && s[b - 1] == '\r')
			b--;
		/* trim leading spaces (ASCII and Unicode), noting the indent */
		for (;;)
		{
			if (a < b && txt_isspace((unsigned char) s[a]))
				a++;
			else if (a < b && (sp = txt_uspace((const unsigned char *) s + a, b - a)) > 0)
				a += sp;
			else
				break;
		}
		l->indented = (a > start) && !(a - start == 3 && (unsigned char) s[start] == 0xEF);
		while (b > a && txt_isspace((unsigned char) s[b - 1]))
			b--;
		l->off = a;
		l->len = b - a;
		l->blank = (l->len == 0);
		for (j = a; j < b; j++)
			if (((unsigned char) s[j] & 0xC0) != 0x80)
				l->chars++;
		l->scene = txt_is_scene_break(s + a, b - a);
		l->heading = l->scene ? H_NONE : txt_match_heading(s + a, b - a);
		start = i + 1;
	}
	t->nlines = k;
	return true;
}

/* Rough word count of a line: whitespace-separated tokens plus CJK characters. */
static int64_t
txt_line_words(const char *s, size_t len)
{
	int64_t		w = 0;
	bool		in = false;
	size_t		i;

	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c == ' ' || c == '\t')
			in = false;
		else if (c >= 0xE3 && c <= 0xE9)
		{
			w++;				/* a CJK character is about half a word */
			in = false;
		}
		else if (!in)
		{
			w++;
			in = true;
		}
	}
	return w;
}

/* ---- units ---- */

/* Append a unit. */
static bool
txt_add_unit(txt_state *t, txt_utype type, int first, int nlines)
{
	txt_unit   *u;
	int			i;

	t->units = bp_array_grow(t->ctx, t->units, &t->ucap, t->nunits + 1,
							 sizeof(txt_unit));
	if (t->units == NULL)
		return false;
	u = &t->units[t->nunits++];
	u->type = type;
	u->kind = H_NONE;
	u->first = first;
	u->nlines = nlines;
	u->subtitle = -1;
	u->words = 0;
	for (i = first; i < first + nlines; i++)
		u->words += txt_line_words(t->text + t->lines[i].off, t->lines[i].len);
	if (type == U_HEADING)
		u->kind = t->lines[first].heading;
	return true;
}

/* Count indented and heading lines of [a, b) and the longest line. */
static void
txt_block_stats(txt_state *t, int a, int b, int *nind, int *nhead, int *maxchars)
{
	int			i;

	*nind = *nhead = *maxchars = 0;
	for (i = a; i < b; i++)
	{
		if (t->lines[i].indented)
			(*nind)++;
		if (t->lines[i].heading != H_NONE)
			(*nhead)++;
		if (t->lines[i].chars > *maxchars)
			*maxchars = t->lines[i].chars;
	}
}

/* Cut the block of lines [a, b) into units. */
static bool
txt_block_units(txt_state *t, int a, int b)
{
	int			n = b - a;
	int			nind;
	int			nhead;
	int			maxchars;
	bool		per_line;
	bool		by_indent;
	int			i;
	int			start;

	txt_block_stats(t, a, b, &nind, &nhead, &maxchars);

	/* a table of contents in one block: keep its lines as they are */
	if (nhead >= 2 && nhead * 2 >= n)
		return txt_add_unit(t, U_VERSE, a, n);

	/* a heading, perhaps with a subtitle line, then maybe text */
	if (t->lines[a].heading != H_NONE && !t->lines[a].scene)
	{
		if (!txt_add_unit(t, U_HEADING, a, 1))
			return false;
		a++;
		n--;
		if (n == 0)
			return true;
		if (n == 1 && t->lines[a].chars <= 80 && !t->lines[a].scene &&
			t->lines[a].heading == H_NONE)
		{
			t->units[t->nunits - 1].subtitle = a;
			return true;
		}
		txt_block_stats(t, a, b, &nind, &nhead, &maxchars);
	}

	per_line = n > 1 && maxchars > TXT_LONG_LINE;
	by_indent = !per_line && n > 1 && nind > 0 && nind < n && t->lines[a].indented;

	start = a;
	for (i = a; i <= b; i++)
	{
		bool		cut = (i == b);
		bool		special = false;

		if (i < b)
		{
			special = t->lines[i].scene ||
				((per_line || by_indent) && t->lines[i].heading != H_NONE);
			if (special || per_line || (by_indent && t->lines[i].indented))
				cut = (i > start);
		}
		if (cut && i > start)
		{
			txt_utype	type = U_PARA;

			if (!per_line && !by_indent && nind == n && i - start > 1)
				type = U_VERSE;
			if (!txt_add_unit(t, type, start, i - start))
				return false;
			start = i;
		}
		if (special)
		{
			if (!txt_add_unit(t, t->lines[i].scene ? U_BREAK : U_HEADING, i, 1))
				return false;
			start = i + 1;
		}
	}
	return true;
}

/* Demote runs of 3+ headings with no text between them (a contents list). */
static void
txt_demote_contents(txt_state *t)
{
	int			i = 0;

	while (i < t->nunits)
	{
		int			j = i;
		int			same = 0;

		if (t->units[i].type != U_HEADING)
		{
			i++;
			continue;
		}
		while (j < t->nunits && t->units[j].type == U_HEADING)
		{
			if (j > i && t->units[j].kind == t->units[j - 1].kind)
				same++;
			j++;
		}
		if (j - i >= 3 && same >= 1)
		{
			int			k;

			for (k = i; k < j; k++)
				t->units[k].type = U_PARA;
		}
		i = j;
	}
}

/* ---- metadata ---- */

/* ISO code of a language name as Project Gutenberg writes it, or NULL. */
static const char *
txt_language_code(const char *v, size_t len)
{
	static const char *const map[][2] = {
		{"english", "en"}, {"russian", "ru"}, {"french", "fr"},
		{"german", "de"}, {"spanish", "es"}, {"italian", "it"},
		{"portuguese", "pt"}, {"dutch", "nl"}, {"finnish", "fi"},
		{"swedish", "sv"}, {"danish", "da"}, {"norwegian", "no"},
		{"polish", "pl"}, {"czech", "cs"}, {"ukrainian", "uk"},
		{"chinese", "zh"}, {"japanese", "ja"}, {"korean", "ko"},
		{"latin", "la"}, {"greek", "el"}, {"hungarian", "hu"},
		{"esperanto", "eo"}, {"русский", "ru"}, {NULL, NULL}
	};
	char		lw[64];
	size_t		n;
	int			i;

	if (len == 0 || len >= 30)
		return NULL;
	n = txt_lower(v, len, lw, sizeof(lw));
	for (i = 0; map[i][0]; i++)
		if (strcmp(lw, map[i][0]) == 0)
			return map[i][1];
	(void) n;
	return NULL;
}

/* Read "Title: …", "Author: …", "Language: …" lines among [a, b). */
static bool
txt_header_metadata(txt_state *t, int a, int b)
{
	bp_ctx	   *ctx = t->ctx;
	bp_metadata *m = &ctx->book->meta;
	int			i;

	for (i = a; i < b; i++)
	{
		const char *s = t->text + t->lines[i].off;
		size_t		len = t->lines[i].len;
		static const char *const keys[] = {
			"Title:", "Author:", "Language:", "Translator:", "Editor:",
			"Release date:", "Release Date:", NULL
		};
		int			k;

		if (t->lines[i].indented && i > a)
			continue;
		for (k = 0; keys[k]; k++)
		{
			size_t		kl = strlen(keys[k]);
			char	   *v;
			size_t		vlen;

			if (len <= kl || strncmp(s, keys[k], kl) != 0)
				continue;
			v = bp_clean_space(ctx, s + kl, len - kl);
			if (v == NULL)
				break;
			vlen = strlen(v);
			switch (k)
			{
				case 0:
					/* a long title continues on indented lines */
					while (i + 1 < b && t->lines[i + 1].indented &&
						   !t->lines[i + 1].blank && vlen < 1000)
					{
						char	   *w;

						i++;
						w = bp_sprintf(ctx, "%s %.*s", v, (int) t->lines[i].len,
									   t->text + t->lines[i].off);
						if (w == NULL)
							return false;
						bp_free(ctx, v);
						v = w;
						vlen = strlen(v);
					}
					if (!bp_meta_set(ctx, &m->title, v))
						return false;
					break;
				case 1:
					if (!bp_meta_add_creator(ctx, v, "aut", NULL))
						return false;
					break;
				case 2:
					{
						const char *code = txt_language_code(v, vlen);

						if (code == NULL && vlen >= 2 && vlen <= 8 &&
							strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") == vlen)
							code = v;
						if (code && !bp_meta_set(ctx, &m->language, code))
							return false;
					}
					break;
				case 3:
					if (!bp_meta_add_creator(ctx, v, "trl", NULL))
						return false;
					break;
				case 4:
					if (!bp_meta_add_creator(ctx, v, "edt", NULL))
						return false;
					break;
				default:
					{
						/* "January 1, 1994 [eBook #11]": keep the date part */
						char	   *br = strchr(v, '[');

						if (br)
							*br = '\0';
						if (!bp_meta_set(ctx, &m->published, v))
							return false;
					}
					break;
			}
			bp_free(ctx, v);
			break;
		}
	}
	return true;
}

/*
 * Without a "Title:" line, a short first line standing alone (a blank line
 * and more text after it, not a chapter heading) is the book's title.
 */
static bool
txt_title_line(txt_state *t, int a, int b)
{
	int			i = a;
	int			j;
	const txt_line *l;

	if (t->ctx->book->meta.title != NULL)
		return true;
	while (i < b && t->lines[i].blank)
		i++;
	if (i >= b)
		return true;
	l = &t->lines[i];
	if (l->heading != H_NONE || l->scene || l->chars < 2 || l->chars > 80 ||
		i + 1 >= b || !t->lines[i + 1].blank)
		return true;
	for (j = i + 1; j < b && t->lines[j].blank; j++)
		;
	if (j >= b)
		return true;			/* the line is all the text there is */
	{
		char	   *title = bp_strndup(t->ctx, t->text + l->off, l->len);
		bool		ok = title != NULL && bp_meta_set(t->ctx, &t->ctx->book->meta.title, title);

		bp_free(t->ctx, title);
		return ok;
	}
}

/* Does the line start a Project Gutenberg START/END marker? */
static bool
txt_gutenberg_marker(const char *s, size_t len, const char *what)
{
	char		lw[128];
	size_t		n;

	if (len < 12 || s[0] != '*' || s[1] != '*' || s[2] != '*')
		return false;
	n = txt_lower(s, len < 100 ? len : 100, lw, sizeof(lw));
	(void) n;
	return strstr(lw, what) != NULL && strstr(lw, "gutenberg") != NULL;
}

/* ---- writing ---- */

/* Write the lines of a unit as one paragraph-level element. */
static bool
txt_write_lines(txt_state *t, bp_tag tag, int first, int nlines, bool br)
{
	bp_ctx	   *ctx = t->ctx;
	int			i;

	if (!bp_w_open(ctx, tag, NULL, NULL))
		return false;
	for (i = first; i < first + nlines; i++)
	{
		if (i > first)
		{
			if (br)
			{
				if (!bp_w_br(ctx))
					return false;
			}
			else if (!bp_w_text(ctx, " ", 1))
				return false;
		}
		if (!bp_w_text(ctx, t->text + t->lines[i].off, t->lines[i].len))
			return false;
	}
	return bp_w_close(ctx, tag);
}

/* Write all units through the chapter writer. */
static bool
txt_write(txt_state *t)
{
	bp_ctx	   *ctx = t->ctx;
	bool		seen_book = false,
				seen_part = false;
	int			nheadings = 0;
	int64_t		total_words = 0;
	int64_t		chapter_words = 0;
	bool		split;
	int			i;
	char		source[64];

	for (i = 0; i < t->nunits; i++)
	{
		if (t->units[i].type == U_HEADING)
			nheadings++;
		total_words += t->units[i].words;
	}
	split = (nheadings == 0 && total_words > TXT_SPLIT_BOOK);

	for (i = 0; i < t->nunits; i++)
	{
		txt_unit   *u = &t->units[i];
		int			line = u->first + 1;

		if ((i & 1023) == 0 &&
			!bp_progress(ctx, BP_PHASE_PARSING, t->lines[u->first].off))
			return false;

		if (u->type == U_HEADING)
		{
			int			depth = 1;
			bp_tag		tag = BP_TAG_H2;
			char	   *title;
			const txt_line *l = &t->lines[u->first];

			switch (u->kind)
			{
				case H_BOOK:
					seen_book = true;
					tag = BP_TAG_H1;
					break;
				case H_PART:
					depth = seen_book ? 2 : 1;
					seen_part = true;
					tag = BP_TAG_H1;
					break;
				case H_CHAPTER:
					depth = 1 + (seen_book ? 1 : 0) + (seen_part ? 1 : 0);
					break;
				default:
					break;
			}
			if (u->subtitle >= 0)
			{
				const txt_line *s = &t->lines[u->subtitle];
				char		last = t->text[l->off + l->len - 1];

				title = bp_sprintf(ctx, "%.*s%s%.*s", (int) l->len, t->text + l->off,
								   (last == '.' || last == ':') ? " " : ". ",
								   (int) s->len, t->text + s->off);
			}
			else
				title = bp_strndup(ctx, t->text + l->off, l->len);
			if (title == NULL)
				return false;
			snprintf(source, sizeof(source), "line %d", line);
			if (!bp_w_chapter(ctx, title, depth, source, false) ||
				!bp_toc_add(ctx, title, source, depth))
				return false;
			bp_free(ctx, title);
			if (!txt_write_lines(t, tag, u->first, u->subtitle >= 0 ? 2 : 1, true))
				return false;
			chapter_words = 0;
			continue;
		}

		if (!bp_w_in_chapter(ctx) ||
			(split && u->type != U_BREAK && chapter_words >= TXT_SPLIT_WORDS))
		{
			snprintf(source, sizeof(source), "line %d", line);
			if (!bp_w_chapter(ctx, NULL, 1, source, false))
				return false;
			chapter_words = 0;
		}
		if (u->type == U_BREAK)
		{
			if (split && chapter_words >= TXT_SPLIT_SCENE)
			{
				/* the next paragraph starts a new chapter */
				chapter_words = TXT_SPLIT_WORDS;
				continue;
			}
			if (!bp_w_hr(ctx))
				return false;
			continue;
		}
		if (!txt_write_lines(t, BP_TAG_P, u->first, u->nlines, u->type == U_VERSE))
			return false;
		chapter_words += u->words;
	}
	return true;
}

/* Parse plain text. */
bool
bp_parse_txt(bp_ctx *ctx, const unsigned char *data, size_t len)
{
	txt_state	t;
	const char *enc;
	size_t		bom = 0;
	char	   *utf8 = NULL;
	size_t		ulen = 0;
	size_t		nbad = 0;
	int			body_start = 0;
	int			body_end;
	int			i;
	bool		ok = false;

	if (bp_failed(ctx))
		return false;
	memset(&t, 0, sizeof(t));
	t.ctx = ctx;
	ctx->book->format = "txt";
	bp_set_activity(ctx, "decoding text");

	enc = bp_bom_encoding(data, len, &bom);
	if (enc == NULL)
		enc = bp_utf8_valid((const char *) data, len) ? "UTF-8" :
			bp_guess_encoding(ctx, data, len);
	else
	{
		data += bom;
		len -= bom;
	}
	if (!bp_to_utf8(ctx, enc, data, len, &utf8, &ulen, &nbad))
		return false;
	ctx->book->encoding = bp_strdup(ctx, enc);
	if (nbad > 0)
		bp_warn(ctx, "encoding_errors",
				"%zu invalid byte sequences in %s text replaced with U+FFFD",
				nbad, enc);

	t.text = utf8;
	t.len = ulen;
	bp_set_activity(ctx, "splitting text");
	if (!txt_split_lines(&t))
		goto done;

	/* Project Gutenberg: metadata above the START marker, licence after END */
	body_end = t.nlines;
	for (i = 0; i < t.nlines && i < 2000; i++)
		if (txt_gutenberg_marker(t.text + t.lines[i].off, t.lines[i].len, "start of"))
		{
			body_start = i + 1;
			break;
		}
	for (i = t.nlines - 1; i >= body_start; i--)
		if (txt_gutenberg_marker(t.text + t.lines[i].off, t.lines[i].len, "end of"))
		{
			body_end = i;
			break;
		}
	if (!txt_header_metadata(&t, 0, body_start > 0 ? body_start :
							 (t.nlines < 60 ? t.nlines : 60)))
		goto done;

	if (!txt_title_line(&t, body_start, body_end))
		goto done;

	/* blocks of non-blank lines */
	bp_set_activity(ctx, "parsing text");
	i = body_start;
	while (i < body_end)
	{
		int			j;

		if (t.lines[i].blank)
		{
			i++;
			continue;
		}
		j = i;
		while (j < body_end && !t.lines[j].blank)
			j++;
		if (!txt_block_units(&t, i, j))
			goto done;
		i = j;
	}
	txt_demote_contents(&t);

	if (ctx->book->toc_source == NULL)
		ctx->book->toc_source = bp_strdup(ctx, "headings");
	ok = txt_write(&t);

done:
	if (t.units)
		bp_free(ctx, t.units);
	if (t.lines)
		bp_free(ctx, t.lines);
	bp_free(ctx, utf8);
	return ok && !bp_failed(ctx);
}

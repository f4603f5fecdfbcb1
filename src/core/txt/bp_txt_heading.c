/*-------------------------------------------------------------------------
 *
 * bp_txt_heading.c
 *	  Chapter and part headings in English and Russian, and scene breaks,
 *	  as the plain-text parser recognises them on a trimmed line.
 *
 * A heading is a keyword and a number ("Chapter 12", "CHAPTER XII. Title",
 * "Глава первая", "PART ONE", "Книга вторая") or a word on its own
 * ("Prologue", "Пролог", ...), followed by nothing or by a separator
 * (. : - – —) and a subtitle.  The number is digits, a Roman numeral or
 * one to three number words; case is folded for ASCII and Russian
 * Cyrillic.  A scene break is a line of three or more '*' (or '⁂') and
 * spaces.  Whether a heading line really is one (a line of its own,
 * preceded by a blank line, not in a table of contents) is decided in
 * bp_txt_units.c.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "bp_txt_int.h"

#define TXT_MAX_HEADING		160		/* longest heading line, in bytes */

/*
 * Lowercase ASCII and Russian Cyrillic of s into out (at most outsz-1
 * bytes); returns the length.  Other characters are copied.
 */
size_t
bp_txt_lower(const char *s, size_t len, char *out, size_t outsz)
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
txt_kind
bp_txt_match_heading(const char *line, size_t len)
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
	bp_txt_lower(line, len, lw, sizeof(lw));
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
bool
bp_txt_is_scene_break(const char *s, size_t len)
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

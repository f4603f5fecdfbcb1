/*-------------------------------------------------------------------------
 *
 * bp_txt_units.c
 *	  Lines, blocks and units of a plain text: what becomes a paragraph,
 *	  verse, a heading or a scene break.
 *
 * The text is split into lines, and the lines into blocks at blank lines.
 * Each block becomes one or more units:
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
 * contents and stay text.
 *
 *-------------------------------------------------------------------------
 */
#include "bp_txt_int.h"

#define TXT_LONG_LINE		110		/* lines longer (code points) are paragraphs */

/* ---- lines ---- */

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

/* Split the text into lines with their properties. */
bool
bp_txt_split_lines(txt_state *t)
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
		return bp_fail_bound(t->ctx, NULL, "2^30 lines", "too many lines");
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
		l->scene = bp_txt_is_scene_break(s + a, b - a);
		l->heading = l->scene ? H_NONE : bp_txt_match_heading(s + a, b - a);
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
bool
bp_txt_block_units(txt_state *t, int a, int b)
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
void
bp_txt_demote_contents(txt_state *t)
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

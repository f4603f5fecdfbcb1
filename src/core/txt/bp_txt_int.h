/*-------------------------------------------------------------------------
 *
 * bp_txt_int.h
 *	  Private declarations shared by the plain-text parser's files:
 *	  bp_txt.c, bp_txt_heading.c, bp_txt_units.c, bp_txt_meta.c and
 *	  bp_txt_write.c.
 *
 * The kinds of headings and units, the lines and units of one text, the
 * state of one bp_parse_txt call, and the functions that cross files.
 * Not part of the core's internal API: bp_internal.h is.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BP_TXT_INT_H
#define BP_TXT_INT_H

#include "bp_internal.h"

/* What a line would be as a heading. */
typedef enum txt_kind
{
	H_NONE = 0,
	H_BOOK,						/* BOOK II, Книга первая */
	H_PART,						/* PART ONE, Часть II */
	H_CHAPTER,					/* Chapter 12, Глава 12 */
	H_SOLO						/* Prologue, Epilogue, Preface, Пролог, ... */
} txt_kind;

/* What a unit of the text is written as. */
typedef enum txt_utype
{
	U_PARA,						/* lines joined with spaces */
	U_VERSE,					/* lines kept with <br> */
	U_HEADING,
	U_BREAK
} txt_utype;

/* A line of the text, trimmed, with its properties. */
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

/* A unit: one or more lines written as one element. */
typedef struct txt_unit
{
	txt_utype	type;
	txt_kind	kind;			/* for headings */
	int			first;			/* line index */
	int			nlines;
	int			subtitle;		/* line index of a subtitle line, or -1 */
	int64_t		words;			/* estimate */
} txt_unit;

/* State of one bp_parse_txt call. */
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

/* bp_txt_heading.c: lowercase ASCII and Russian Cyrillic of s into out. */
extern size_t bp_txt_lower(const char *s, size_t len, char *out, size_t outsz);
/* bp_txt_heading.c: classify a trimmed line as a heading (or H_NONE). */
extern txt_kind bp_txt_match_heading(const char *line, size_t len);
/* bp_txt_heading.c: is the trimmed line a scene break ("* * *")? */
extern bool bp_txt_is_scene_break(const char *s, size_t len);

/* bp_txt_units.c: split the text into lines with their properties. */
extern bool bp_txt_split_lines(txt_state *t);
/* bp_txt_units.c: cut the block of lines [a, b) into units. */
extern bool bp_txt_block_units(txt_state *t, int a, int b);
/* bp_txt_units.c: demote runs of 3+ headings with no text between them. */
extern void bp_txt_demote_contents(txt_state *t);

/* bp_txt_meta.c: read "Title:", "Author:", ... lines among [a, b). */
extern bool bp_txt_header_metadata(txt_state *t, int a, int b);
/* bp_txt_meta.c: without a "Title:" line, a short first line is the title. */
extern bool bp_txt_title_line(txt_state *t, int a, int b);
/* bp_txt_meta.c: does the line start a Project Gutenberg START/END marker? */
extern bool bp_txt_gutenberg_marker(const char *s, size_t len, const char *what);

/* bp_txt_write.c: write all units through the chapter writer. */
extern bool bp_txt_write(txt_state *t);

#endif							/* BP_TXT_INT_H */

/*-------------------------------------------------------------------------
 *
 * bp_format.c
 *	  The registry of book formats: one row per format with its name, its
 *	  description in words, the file name ending that claims it, its
 *	  detector and its parser.
 *
 * bp_detect_format() sorts the bytes into a container (zip, XML, text)
 * and asks the rows' detectors in this order; bp_parse() runs the parser
 * of the row found; describe_format() and messages use the descriptions.
 * A new format is a file with its detector and parser, and one row here.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "bp_internal.h"

/* The formats, in the order their detectors are asked. */
static const bp_format bp_formats[] = {
	{"epub", "EPUB book", "an ", ".epub", false,
	bp_detect_epub, bp_parse_epub_data},
	{"fb2.zip", "zipped FictionBook 2 book", "a ", ".fb2.zip", false,
	bp_detect_fb2_zip, bp_parse_fb2_zip},
	{"fb2", "FictionBook 2 book", "a ", ".fb2", false,
	bp_detect_fb2, bp_parse_fb2},
	{"txt", "plain text", "", NULL, true,
	bp_detect_txt, bp_parse_txt},
};

#define BP_NFORMATS (sizeof(bp_formats) / sizeof(bp_formats[0]))

/* The first format whose detector accepts sniff, or NULL. */
const bp_format *
bp_format_detect(const bp_sniff *sniff)
{
	size_t		i;

	for (i = 0; i < BP_NFORMATS; i++)
		if (bp_formats[i].detect(sniff))
			return &bp_formats[i];
	return NULL;
}

/* The format a file name claims by its ending, or NULL. */
const bp_format *
bp_format_claimed(const char *filename)
{
	size_t		i;

	if (filename == NULL)
		return NULL;
	for (i = 0; i < BP_NFORMATS; i++)
		if (bp_formats[i].suffix != NULL &&
			bp_has_suffix_ci(filename, bp_formats[i].suffix))
			return &bp_formats[i];
	return NULL;
}

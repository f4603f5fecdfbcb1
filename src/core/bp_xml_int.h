/*-------------------------------------------------------------------------
 *
 * bp_xml_int.h
 *	  Private declarations shared by bp_xml.c, bp_xml_scan.c and bp_xml_tree.c.
 *
 * The state of one bp_xml_parse call (filled partly by the input scanner,
 * partly by the parser callbacks), and the few helpers that cross files.
 * Not part of the core's internal API: bp_internal.h is.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BP_XML_INT_H
#define BP_XML_INT_H

#include <libxml/entities.h>
#include <libxml/parser.h>

#include "bp_internal.h"

#define BP_XML_MAX_NAME 64		/* longest entity name we look at */

/* An entity the getEntity wrapper made up for an HTML entity name. */
typedef struct bp_xml_fake
{
	struct bp_xml_fake *next;
	xmlEntity	ent;
	char		name[BP_XML_MAX_NAME + 1];
	char		content[8];
} bp_xml_fake;

/* State of one bp_xml_parse call, reachable from the parser context. */
typedef struct bp_xml_state
{
	bp_ctx	   *ctx;
	int			flags;
	bool		collect;		/* count errors (the main XML pass) */
	int			nerrors;
	int			first_line;
	char		first_msg[160];
	bp_xml_fake *fakes;
	int			nfakes;
	getEntitySAXFunc orig_get_entity;

	/* filled by the input scanner */
	char	  **declared;		/* entity names of the internal subset */
	int			ndeclared;
	bool		declared_overflow;
	int64_t		nbad_utf8;
	int64_t		nbad_chars;
	int64_t		nundefined;
	char		first_undefined[BP_XML_MAX_NAME + 1];

	/* recent HTML entity lookups (htmlEntityLookup is a linear search) */
	struct
	{
		char		name[16];
		uint32_t	value;		/* 0: not an HTML entity */
	}			cache[32];

	/* where the input scanner is: inside a tag, and in which quotes */
	bool		in_tag;
	char		quote;
} bp_xml_state;

/* Is c XML whitespace? */
static inline bool
bp_xml_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Copy the input into out, cleaned for libxml2 (bp_xml_scan.c). */
extern bool bp_xml_prepare(bp_xml_state *st, bp_buf *out, const char *data,
						   size_t len);

#endif							/* BP_XML_INT_H */

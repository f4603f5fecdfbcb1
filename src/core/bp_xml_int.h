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

/*
 * Bounds on what libxml2 is given (bp_xml_bound.c): libxml2 2.9 checks
 * the attributes and namespace declarations of one element against each
 * other, and every prefix against the namespaces in scope, so their
 * numbers multiply.  Past these caps they are dropped by the scanner.
 */
#define BP_XML_MAX_ATTRS	256 /* attributes (xmlns ones too) per element */
#define BP_XML_MAX_NS		256 /* namespace declarations in scope */
#define BP_XML_TICK_SCAN	((size_t) 128 << 10) /* scanner progress step */
#define BP_XML_TICK_PARSE	((size_t) 64 << 10) /* libxml2 progress step */

/* Where the scanner is inside a tag (outside quotes). */
typedef enum bp_xml_tag_phase
{
	BP_XT_NAME,				/* the element's name */
	BP_XT_SPACE,			/* between attributes */
	BP_XT_ANAME,			/* an attribute's name */
	BP_XT_AFTER_NAME,		/* space after an attribute's name */
	BP_XT_EQ,				/* after '=' */
	BP_XT_UVALUE			/* an unquoted value (HTML) */
} bp_xml_tag_phase;

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

	/* the tag being copied (bp_xml_bound.c) */
	bp_xml_tag_phase tag_phase;
	bool		tag_end;		/* an end tag "</name>" */
	bool		tag_drop;		/* the current attribute is dropped */
	bool		tag_slash;		/* the last kept character was '/' */
	int			tag_attrs;		/* attribute names seen in this tag */
	int			tag_ns;			/* namespace declarations kept in it */

	/* elements open in the scanner's view, and their namespaces */
	int64_t		depth;
	int			ns_in_scope;
	int			nns_open;		/* open elements that declare namespaces */
	int64_t		ns_open_depth[BP_XML_MAX_NS];
	int			ns_open_count[BP_XML_MAX_NS];

	/* what the bounds dropped, for the warnings */
	int64_t		nattrs_dropped;
	int64_t		nns_dropped;
	int64_t		nattlist_dropped;

	/* progress: input position of the next report */
	size_t		next_tick;

	/* libxml2's SAX handlers that bp_xml_progress.c wraps */
	startElementNsSAX2Func orig_start_ns;
	endElementNsSAX2Func orig_end_ns;
	startElementSAXFunc orig_start;
	endElementSAXFunc orig_end;
	charactersSAXFunc orig_characters;
	charactersSAXFunc orig_whitespace;
	cdataBlockSAXFunc orig_cdata;
	commentSAXFunc orig_comment;
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
/* Copy [s, s+len) byte for byte, cleaned of bad UTF-8 (bp_xml_scan.c). */
extern bool bp_xml_copy_clean(bp_xml_state *st, bp_buf *out, const char *s,
							  size_t len);

/*
 * Report progress every BP_XML_TICK_PARSE bytes of input while libxml2
 * parses with pc, whose _private is st (bp_xml_progress.c); a cancel
 * stops the parser.
 */
extern void bp_xml_hook_progress(bp_xml_state *st, xmlParserCtxtPtr pc);

/* ---- bp_xml_bound.c: the caps above, applied while scanning ---- */

/* A tag starts at s[0] == '<' (not a comment, PI, CDATA or DOCTYPE). */
extern void bp_xml_tag_start(bp_xml_state *st, const char *s, size_t len);
/*
 * Copy the inside of the current tag from [s, s+len) up to its closing
 * '>' (included), dropping attributes past the caps; *used gets the bytes
 * consumed.  st->in_tag is false once the tag is closed.
 */
extern bool bp_xml_copy_tag(bp_xml_state *st, bp_buf *out, const char *s,
							size_t len, size_t *used);
/* Copy an internal DTD subset without its attribute-list declarations. */
extern bool bp_xml_copy_subset(bp_xml_state *st, bp_buf *out, const char *s,
							   size_t len);

#endif							/* BP_XML_INT_H */

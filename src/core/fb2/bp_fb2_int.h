/*-------------------------------------------------------------------------
 *
 * bp_fb2_int.h
 *	  Private declarations shared by bp_fb2.c, bp_fb2_meta.c,
 *	  bp_fb2_binary.c and bp_fb2_body.c.
 *
 * The state of the body walk (set up by bp_parse_fb2, used by the body
 * writer) and the few functions that cross files.  Not part of the core's
 * internal API: bp_internal.h is.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BP_FB2_INT_H
#define BP_FB2_INT_H

#include <libxml/tree.h>

#include "bp_internal.h"

#define FB2_MAX_DEPTH	300		/* open elements tracked while walking */

/* What an open element is to the body walk. */
typedef enum fb2_kind
{
	F_OTHER = 0,
	F_BODY,
	F_SECTION,
	F_TITLE,
	F_POEM,
	F_STANZA,
	F_V,
	F_DIV
} fb2_kind;

/* An element open in the body walk. */
typedef struct fb2_frame
{
	const xmlNode *node;
	fb2_kind	kind;
	bp_tag		tag;			/* output element opened, or NONE */
	int			index;			/* for sections: 1-based among siblings */
	int			nsections;		/* child sections seen so far */
	int			lines;			/* for titles: lines written */
} fb2_frame;

/* State of the body walk of one bp_parse_fb2 call. */
typedef struct fb2_walk
{
	bp_ctx	   *ctx;
	bool		notes;			/* walking a notes body */
	int			body_index;
	int			level;			/* section nesting level */
	fb2_frame	stack[FB2_MAX_DEPTH];
	int			depth;
	long		nodes;
	size_t		input_len;
	char	   *first_title;	/* for books without a description */
	bp_buf		tmp;
} fb2_walk;

/* bp_fb2.c: is the element's local name one of the NULL-terminated list? */
extern bool bp_fb2_is_any(const xmlNode *n, const char *const *names);

/* bp_fb2_meta.c: read the <description>; *cover_id gets the cover's id. */
extern bool bp_fb2_description(bp_ctx *ctx, const xmlNode *desc, char **cover_id);

/* bp_fb2_binary.c: add one <binary> as an asset. */
extern bool bp_fb2_binary(bp_ctx *ctx, const xmlNode *bin, const char *cover_id);

/* bp_fb2_body.c: write one body. */
extern bool bp_fb2_body(fb2_walk *w, const xmlNode *body);

#endif							/* BP_FB2_INT_H */

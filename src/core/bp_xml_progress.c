/*-------------------------------------------------------------------------
 *
 * bp_xml_progress.c
 *	  Progress reports (and so cancels) while libxml2 parses a document.
 *
 * A document may be hundreds of megabytes, and libxml2 parses it in one
 * call.  The SAX handlers that build the tree are wrapped: after each
 * element start or end, text run, CDATA section or comment, the parser's
 * position in the input is compared with the next report's, and every
 * BP_XML_TICK_PARSE bytes the caller's progress hook runs.  When it asks
 * to stop, the parser is stopped (xmlStopParser) and the parse fails with
 * BP_ERR_CANCELED.  libxml2 calls these handlers at least every few
 * hundred bytes of text, and the scanner's caps (bp_xml_bound.c) bound
 * the work between two calls, so a cancel is seen within milliseconds.
 *
 *-------------------------------------------------------------------------
 */
#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "bp_xml_int.h"

/* Report progress when the parser has gone BP_XML_TICK_PARSE bytes further. */
static void
bp_xml_tick(void *user)
{
	xmlParserCtxtPtr pc = (xmlParserCtxtPtr) user;
	bp_xml_state *st = pc != NULL ? (bp_xml_state *) pc->_private : NULL;
	size_t		pos;

	if (st == NULL || pc->input == NULL || pc->input->cur == NULL)
		return;
	pos = (size_t) pc->input->consumed + (size_t) (pc->input->cur - pc->input->base);
	if (pos < st->next_tick)
		return;
	st->next_tick = pos + BP_XML_TICK_PARSE;
	if (!bp_progress_again(st->ctx))
		xmlStopParser(pc);
}

/* The state of the parse user belongs to. */
static bp_xml_state *
bp_xml_st(void *user)
{
	return (bp_xml_state *) ((xmlParserCtxtPtr) user)->_private;
}

/* SAX2 startElementNs, then a progress check. */
static void
bp_xml_start_ns(void *user, const xmlChar *localname, const xmlChar *prefix,
				const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
				int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
	bp_xml_st(user)->orig_start_ns(user, localname, prefix, uri, nb_namespaces,
								   namespaces, nb_attributes, nb_defaulted,
								   attributes);
	bp_xml_tick(user);
}

/* SAX2 endElementNs, then a progress check. */
static void
bp_xml_end_ns(void *user, const xmlChar *localname, const xmlChar *prefix,
			  const xmlChar *uri)
{
	bp_xml_st(user)->orig_end_ns(user, localname, prefix, uri);
	bp_xml_tick(user);
}

/* SAX1 startElement (the HTML parser), then a progress check. */
static void
bp_xml_start(void *user, const xmlChar *name, const xmlChar **atts)
{
	bp_xml_st(user)->orig_start(user, name, atts);
	bp_xml_tick(user);
}

/* SAX1 endElement (the HTML parser), then a progress check. */
static void
bp_xml_end(void *user, const xmlChar *name)
{
	bp_xml_st(user)->orig_end(user, name);
	bp_xml_tick(user);
}

/* characters, then a progress check. */
static void
bp_xml_characters(void *user, const xmlChar *ch, int len)
{
	bp_xml_st(user)->orig_characters(user, ch, len);
	bp_xml_tick(user);
}

/* ignorableWhitespace, then a progress check. */
static void
bp_xml_whitespace(void *user, const xmlChar *ch, int len)
{
	bp_xml_st(user)->orig_whitespace(user, ch, len);
	bp_xml_tick(user);
}

/* cdataBlock, then a progress check. */
static void
bp_xml_cdata(void *user, const xmlChar *value, int len)
{
	bp_xml_st(user)->orig_cdata(user, value, len);
	bp_xml_tick(user);
}

/* comment, then a progress check. */
static void
bp_xml_comment(void *user, const xmlChar *value)
{
	bp_xml_st(user)->orig_comment(user, value);
	bp_xml_tick(user);
}

/* Wrap the tree-building SAX handlers of pc: see bp_xml_int.h. */
void
bp_xml_hook_progress(bp_xml_state *st, xmlParserCtxtPtr pc)
{
	xmlSAXHandlerPtr sax = pc->sax;

	st->next_tick = BP_XML_TICK_PARSE;
	st->orig_start_ns = sax->startElementNs;
	st->orig_end_ns = sax->endElementNs;
	st->orig_start = sax->startElement;
	st->orig_end = sax->endElement;
	st->orig_characters = sax->characters;
	st->orig_whitespace = sax->ignorableWhitespace;
	st->orig_cdata = sax->cdataBlock;
	st->orig_comment = sax->comment;
	if (sax->startElementNs != NULL)
		sax->startElementNs = bp_xml_start_ns;
	if (sax->endElementNs != NULL)
		sax->endElementNs = bp_xml_end_ns;
	if (sax->startElement != NULL)
		sax->startElement = bp_xml_start;
	if (sax->endElement != NULL)
		sax->endElement = bp_xml_end;
	if (sax->characters != NULL)
		sax->characters = bp_xml_characters;
	if (sax->ignorableWhitespace != NULL)
		sax->ignorableWhitespace = bp_xml_whitespace;
	if (sax->cdataBlock != NULL)
		sax->cdataBlock = bp_xml_cdata;
	if (sax->comment != NULL)
		sax->comment = bp_xml_comment;
}

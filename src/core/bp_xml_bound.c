/*-------------------------------------------------------------------------
 *
 * bp_xml_bound.c
 *	  Bounds on what libxml2 is given, applied by the input scanner.
 *
 * libxml2 2.9 does work that grows faster than the input for a few
 * shapes: it checks every attribute of an element against every other
 * one (XML and HTML parsers alike: 100,000 attributes on one element take
 * 20 s), every namespace declaration of an element against the others,
 * every prefix against all the namespaces in scope, and every attribute
 * default of the internal DTD subset against the element's attributes,
 * for every element (a 40 kB document took 5 s).  No progress callback
 * runs meanwhile, so such a parse cannot be canceled.
 *
 * The scanner already copies every tag, so it applies the caps there:
 *	- at most BP_XML_MAX_ATTRS attributes (namespace declarations
 *	  included) per element; the rest are dropped;
 *	- at most BP_XML_MAX_NS namespace declarations in scope (counted on
 *	  the elements the scanner sees open); the rest are dropped;
 *	- the attribute-list declarations (<!ATTLIST>) of an internal DTD
 *	  subset are dropped: bookparse never uses attribute defaults.
 * Real books come nowhere near the caps; each drop is counted and
 * reported as a warning by bp_xml_parse.  With them, the work libxml2 does
 * per input byte is bounded by a constant.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "bp_xml_int.h"

/* Does an attribute name starting at s declare a namespace (xmlns...)? */
static bool
bp_xml_is_xmlns(const char *s, size_t len)
{
	if (len < 5 || memcmp(s, "xmlns", 5) != 0)
		return false;
	return len == 5 || s[5] == ':' || s[5] == '=' ||
		bp_xml_space((unsigned char) s[5]);
}

/* A tag starts at s[0] == '<': reset the tag state. */
void
bp_xml_tag_start(bp_xml_state *st, const char *s, size_t len)
{
	st->in_tag = true;
	st->quote = 0;
	st->tag_phase = BP_XT_NAME;
	st->tag_end = len > 1 && s[1] == '/';
	st->tag_drop = false;
	st->tag_slash = false;
	st->tag_attrs = 0;
	st->tag_ns = 0;
}

/* An attribute name starts at s: count it and decide whether to drop it. */
static void
bp_xml_attr_start(bp_xml_state *st, const char *s, size_t len)
{
	st->tag_phase = BP_XT_ANAME;
	st->tag_drop = false;
	if (++st->tag_attrs > BP_XML_MAX_ATTRS)
	{
		st->tag_drop = true;
		st->nattrs_dropped++;
	}
	else if (!st->tag_end && bp_xml_is_xmlns(s, len))
	{
		if (st->ns_in_scope + st->tag_ns >= BP_XML_MAX_NS)
		{
			st->tag_drop = true;
			st->nns_dropped++;
		}
		else
			st->tag_ns++;
	}
}

/* The tag's '>' was reached: open or close an element in the scanner's view. */
static void
bp_xml_tag_close(bp_xml_state *st)
{
	st->in_tag = false;
	if (st->tag_end)
	{
		if (st->depth > 0)
			st->depth--;
		if (st->nns_open > 0 && st->ns_open_depth[st->nns_open - 1] == st->depth)
		{
			st->nns_open--;
			st->ns_in_scope -= st->ns_open_count[st->nns_open];
		}
		return;
	}
	if (st->tag_slash)
		return;					/* <empty/>: its namespaces end with it */
	if (st->tag_ns > 0 && st->nns_open < BP_XML_MAX_NS)
	{
		st->ns_open_depth[st->nns_open] = st->depth;
		st->ns_open_count[st->nns_open] = st->tag_ns;
		st->nns_open++;
		st->ns_in_scope += st->tag_ns;
	}
	st->depth++;
}

/*
 * Step the tag state over c (outside quotes, not '>'), at s[k] of a
 * segment of len bytes; true when c is kept.
 */
static bool
bp_xml_tag_step(bp_xml_state *st, const char *s, size_t len, size_t k)
{
	char		c = s[k];

	if (bp_xml_space((unsigned char) c))
	{
		if (st->tag_phase == BP_XT_NAME || st->tag_phase == BP_XT_UVALUE)
		{
			st->tag_phase = BP_XT_SPACE;
			st->tag_drop = false;
		}
		else if (st->tag_phase == BP_XT_ANAME)
			st->tag_phase = BP_XT_AFTER_NAME;
		return !st->tag_drop;
	}
	if (c == '"' || c == '\'')
	{
		st->quote = c;
		return !st->tag_drop;
	}
	if (c == '=' && st->tag_phase != BP_XT_UVALUE)
	{
		st->tag_phase = BP_XT_EQ;
		return !st->tag_drop;
	}
	switch (st->tag_phase)
	{
		case BP_XT_SPACE:
		case BP_XT_AFTER_NAME:
			if (c != '/')
				bp_xml_attr_start(st, s + k, len - k);
			break;
		case BP_XT_EQ:
			st->tag_phase = BP_XT_UVALUE;
			break;
		case BP_XT_NAME:
		case BP_XT_ANAME:
		case BP_XT_UVALUE:
			break;
	}
	return !st->tag_drop;
}

/* Copy the inside of the current tag up to its '>': see bp_xml_int.h. */
bool
bp_xml_copy_tag(bp_xml_state *st, bp_buf *out, const char *s, size_t len,
				size_t *used)
{
	size_t		k,
				run = 0;
	bool		keep;

	for (k = 0; k < len; k++)
	{
		char		c = s[k];

		if (st->quote)
		{
			keep = !st->tag_drop;
			if (c == st->quote)
			{
				/* the value ends; the next attribute decides anew */
				st->quote = 0;
				st->tag_phase = BP_XT_SPACE;
				st->tag_drop = false;
			}
		}
		else if (c == '>')
		{
			if (k > run && !bp_xml_copy_clean(st, out, s + run, k - run))
				return false;
			if (!bp_buf_putc(out, '>'))
				return false;
			bp_xml_tag_close(st);
			*used = k + 1;
			return true;
		}
		else
		{
			keep = bp_xml_tag_step(st, s, len, k);
			if (keep && !bp_xml_space((unsigned char) c))
				st->tag_slash = (c == '/');
		}
		if (!keep)
		{
			if (k > run && !bp_xml_copy_clean(st, out, s + run, k - run))
				return false;
			run = k + 1;
		}
	}
	*used = len;
	return len <= run || bp_xml_copy_clean(st, out, s + run, len - run);
}

/* End of the markup declaration that starts at s (just past "<!"), quotes respected. */
static size_t
bp_xml_decl_end(const char *s, size_t len)
{
	size_t		i;
	char		quote = 0;

	for (i = 0; i < len; i++)
	{
		if (quote)
		{
			if (s[i] == quote)
				quote = 0;
		}
		else if (s[i] == '"' || s[i] == '\'')
			quote = s[i];
		else if (s[i] == '>')
			return i + 1;
	}
	return len;
}

/* Copy an internal DTD subset without its <!ATTLIST> declarations. */
bool
bp_xml_copy_subset(bp_xml_state *st, bp_buf *out, const char *s, size_t len)
{
	size_t		i = 0,
				start = 0;

	while (i + 9 <= len)
	{
		if (s[i] != '<' || memcmp(s + i, "<!ATTLIST", 9) != 0)
		{
			i++;
			continue;
		}
		if (i > start && !bp_xml_copy_clean(st, out, s + start, i - start))
			return false;
		i += 2 + bp_xml_decl_end(s + i + 2, len - i - 2);
		start = i;
		st->nattlist_dropped++;
	}
	return len <= start || bp_xml_copy_clean(st, out, s + start, len - start);
}

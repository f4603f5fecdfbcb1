/*-------------------------------------------------------------------------
 *
 * bp_xml.c
 *	  Safe XML parsing with libxml2, and small tree helpers.
 *
 * Untrusted documents are parsed in recover mode with a fresh parser
 * context per call: no network, no external entities or DTDs (a refusing
 * entity loader is installed for the duration of the parse), no entity
 * substitution.  Errors go to a per-context structured handler (never the
 * global one, which PostgreSQL's xml functions own) and are summarised as
 * one warning per document.
 *
 * Before parsing, the input is copied once through a small scanner that
 * replaces invalid UTF-8 with U+FFFD, drops characters XML forbids, and
 * turns entity references into character references (&amp; -> &#38;,
 * &nbsp; -> &#160; with BP_XML_HTML_ENTITIES, a bare & -> &#38;, unknown
 * names -> the literal text).  libxml2 2.9 drops every named entity
 * reference once a document has stopped being well-formed; character
 * references survive, so recovered documents keep their text.  Names
 * declared in the internal DTD subset are left alone: they stay entity
 * reference nodes whose text bp_xml_ref_text() expands, within a budget.
 *
 *-------------------------------------------------------------------------
 */
#include <limits.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "bp_internal.h"

#define BP_XML_OPTIONS	(XML_PARSE_RECOVER | XML_PARSE_NONET | \
						 XML_PARSE_NOERROR | XML_PARSE_NOWARNING | \
						 XML_PARSE_IGNORE_ENC | XML_PARSE_COMPACT)
#define BP_HTML_OPTIONS (HTML_PARSE_RECOVER | HTML_PARSE_NONET | \
						 HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | \
						 HTML_PARSE_IGNORE_ENC | HTML_PARSE_COMPACT)

#define BP_XML_MAX_DECLARED 256 /* internal-subset entity names tracked */
#define BP_XML_MAX_NAME 64		/* longest entity name we look at */
#define BP_XML_REF_DEPTH 8		/* nested entity references expanded */
#define BP_XML_BUDGET_WARNED ((uintptr_t) 1 << (sizeof(uintptr_t) * 8 - 1))

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

/* SWAR tests on 8 bytes: some byte has its high bit, is < n (n <= 128), is c */
#define BP_ONES			UINT64_C(0x0101010101010101)
#define BP_HIGHS		UINT64_C(0x8080808080808080)
#define BP_HAS_LESS(v, n) (((v) - BP_ONES * (n)) & ~(v) & BP_HIGHS)
#define BP_HAS_BYTE(v, c) BP_HAS_LESS((v) ^ (BP_ONES * (c)), 1)

/* The next 8 bytes at p as one word. */
static inline uint64_t
bp_xml_load8(const char *p)
{
	uint64_t	v;

	memcpy(&v, p, 8);
	return v;
}

/* Is c XML whitespace? */
static inline bool
bp_xml_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Structured error handler of our parser contexts: count, keep the first. */
static void
bp_xml_serror(void *data, xmlErrorPtr error)
{
	xmlParserCtxtPtr pc;
	bp_xml_state *st;
	size_t		n;

	if (error == NULL)
		return;
	pc = (xmlParserCtxtPtr) (error->ctxt != NULL ? error->ctxt : data);
	if (pc == NULL || pc->_private == NULL)
		return;
	st = (bp_xml_state *) pc->_private;
	if (!st->collect || error->level < XML_ERR_ERROR)
		return;
	if (st->nerrors++ == 0)
	{
		st->first_line = error->line;
		snprintf(st->first_msg, sizeof(st->first_msg), "%s",
				 error->message ? error->message : "unknown error");
		n = strlen(st->first_msg);
		while (n > 0 && bp_xml_space((unsigned char) st->first_msg[n - 1]))
			st->first_msg[--n] = '\0';
	}
}

/* External entity loader that refuses everything. */
static xmlParserInputPtr
bp_xml_no_loader(const char *url, const char *id, xmlParserCtxtPtr pc)
{
	return NULL;
}

/* SAX resolveEntity that refuses everything. */
static xmlParserInputPtr
bp_xml_no_resolve(void *user, const xmlChar *publicId, const xmlChar *systemId)
{
	return NULL;
}

/* SAX externalSubset that never loads the external DTD. */
static void
bp_xml_no_subset(void *user, const xmlChar *name, const xmlChar *externalID,
				 const xmlChar *systemID)
{
}

/* Encode code point cp as UTF-8 into out (at least 5 bytes); returns length. */
static int
bp_xml_put_utf8(uint32_t cp, char *out)
{
	if (cp < 0x80)
	{
		out[0] = (char) cp;
		return 1;
	}
	if (cp < 0x800)
	{
		out[0] = (char) (0xC0 | (cp >> 6));
		out[1] = (char) (0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000)
	{
		out[0] = (char) (0xE0 | (cp >> 12));
		out[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char) (0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char) (0xF0 | (cp >> 18));
	out[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char) (0x80 | (cp & 0x3F));
	return 4;
}

/* Wrapper of SAX getEntity: HTML entity names resolve to their characters. */
static xmlEntityPtr
bp_xml_get_entity(void *user, const xmlChar *name)
{
	xmlParserCtxtPtr pc = (xmlParserCtxtPtr) user;
	bp_xml_state *st = (bp_xml_state *) pc->_private;
	xmlEntityPtr ent = NULL;
	const htmlEntityDesc *desc;
	bp_xml_fake *f;
	int			n;

	if (st != NULL && st->orig_get_entity != NULL)
		ent = st->orig_get_entity(user, name);
	if (ent != NULL || st == NULL || name == NULL ||
		!(st->flags & BP_XML_HTML_ENTITIES))
		return ent;
	if (strlen((const char *) name) > BP_XML_MAX_NAME)
		return NULL;
	for (f = st->fakes; f != NULL; f = f->next)
		if (strcmp(f->name, (const char *) name) == 0)
			return &f->ent;
	desc = htmlEntityLookup(name);
	if (desc == NULL || desc->value == 0 || desc->value > 0x10FFFF)
		return NULL;
	f = bp_alloc0(st->ctx, sizeof(bp_xml_fake));
	if (f == NULL)
		return NULL;
	strcpy(f->name, (const char *) name);
	n = bp_xml_put_utf8(desc->value, f->content);
	f->content[n] = '\0';
	f->ent.type = XML_ENTITY_DECL;
	f->ent.name = (const xmlChar *) f->name;
	f->ent.content = (xmlChar *) f->content;
	f->ent.length = n;
	f->ent.etype = XML_INTERNAL_PREDEFINED_ENTITY;
	f->next = st->fakes;
	st->fakes = f;
	st->nfakes++;
	return &f->ent;
}

/* Free the entities the getEntity wrapper made up. */
static void
bp_xml_free_fakes(bp_xml_state *st)
{
	while (st->fakes != NULL)
	{
		bp_xml_fake *next = st->fakes->next;

		bp_free(st->ctx, st->fakes);
		st->fakes = next;
	}
}

/* Is c a character that may start / continue an (ASCII) XML name? */
static inline bool
bp_xml_name_start(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
		c == ':';
}

static inline bool
bp_xml_name_char(unsigned char c)
{
	return bp_xml_name_start(c) || (c >= '0' && c <= '9') || c == '-' ||
		c == '.';
}

/* Find needle in [s, s+len); returns its offset or len when absent. */
static size_t
bp_xml_memfind(const char *s, size_t len, const char *needle)
{
	size_t		nl = strlen(needle);
	size_t		i;

	if (nl > len)
		return len;
	for (i = 0; i + nl <= len; i++)
		if (s[i] == needle[0] && memcmp(s + i, needle, nl) == 0)
			return i;
	return len;
}

/*
 * Length of one UTF-8 sequence at s that is a valid XML character, or 0
 * when it is invalid (bad UTF-8, surrogate, U+FFFE/U+FFFF).
 */
static int
bp_xml_utf8_char(const unsigned char *s, size_t len)
{
	uint32_t	cp;
	int			n,
				i;

	if (s[0] < 0xC2)
		return 0;
	if (s[0] < 0xE0)
	{
		n = 2;
		cp = s[0] & 0x1F;
	}
	else if (s[0] < 0xF0)
	{
		n = 3;
		cp = s[0] & 0x0F;
	}
	else if (s[0] < 0xF5)
	{
		n = 4;
		cp = s[0] & 0x07;
	}
	else
		return 0;
	if ((size_t) n > len)
		return 0;
	for (i = 1; i < n; i++)
	{
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	if ((cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF)
		return 0;
	return n;
}

/* Copy [s, s+len) to out, replacing invalid UTF-8 and dropping bad chars. */
static bool
bp_xml_copy_clean(bp_xml_state *st, bp_buf *out, const char *s, size_t len)
{
	size_t		i = 0,
				start = 0;

	while (i < len)
	{
		unsigned char c = (unsigned char) s[i];
		int			n;

		if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r')
		{
			if (c < 0x80)
			{
				i++;
				/* then printable ASCII 8 bytes at a time */
				while (len - i >= 8)
				{
					uint64_t	v = bp_xml_load8(s + i);

					if ((v & BP_HIGHS) || BP_HAS_LESS(v, 0x20))
						break;
					i += 8;
				}
				continue;
			}
			n = bp_xml_utf8_char((const unsigned char *) s + i, len - i);
			if (n > 0)
			{
				i += n;
				continue;
			}
		}
		else
			n = -1;
		if (i > start && !bp_buf_append(out, s + start, i - start))
			return false;
		if (n == 0)
		{
			st->nbad_utf8++;
			if (!bp_buf_append(out, "\xEF\xBF\xBD", 3))
				return false;
		}
		else
			st->nbad_chars++;
		i++;
		start = i;
	}
	if (i > start && !bp_buf_append(out, s + start, i - start))
		return false;
	return true;
}

/*
 * Copy character data (text between tags) like bp_xml_copy_clean.  When
 * it holds only a few non-ASCII characters (punctuation in English text),
 * they become character references: libxml2 2.9 reads character data
 * byte by byte on its fast path only while it stays ASCII, and falls back
 * to a much slower character-by-character path for the rest of the text
 * after the first other character.  The tree it builds is the same.
 */
static bool
bp_xml_copy_chardata(bp_xml_state *st, bp_buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t		i,
				start = 0,
				nhigh = 0;

	for (i = 0; i + 8 <= len; i += 8)
	{
		if (bp_xml_load8(s + i) & BP_HIGHS)
		{
			int			k;

			for (k = 0; k < 8; k++)
				nhigh += p[i + k] >> 7;
		}
	}
	for (; i < len; i++)
		nhigh += p[i] >> 7;
	if (nhigh == 0 || nhigh * 4 > len)
		return bp_xml_copy_clean(st, out, s, len);
	i = 0;
	while (i < len)
	{
		char		ref[16];
		uint32_t	cp;
		int			n,
					k;

		if (p[i] < 0xC2)
		{
			i++;				/* ASCII (checked below) or invalid */
			continue;
		}
		n = bp_xml_utf8_char(p + i, len - i);
		if (n == 0)
		{
			i++;
			continue;
		}
		cp = p[i] & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
		for (k = 1; k < n; k++)
			cp = (cp << 6) | (p[i + k] & 0x3F);
		if (cp < 0xA0)
		{
			i += n;				/* C1 controls stay as they are */
			continue;
		}
		if (!bp_xml_copy_clean(st, out, s + start, i - start))
			return false;
		snprintf(ref, sizeof(ref), "&#x%X;", (unsigned) cp);
		if (!bp_buf_puts(out, ref))
			return false;
		i += n;
		start = i;
	}
	return bp_xml_copy_clean(st, out, s + start, len - start);
}

/*
 * Copy input between markup starts ('<' and '&' excluded): character data
 * through bp_xml_copy_chardata, the inside of tags (up to the '>' that is
 * not in quotes) through bp_xml_copy_clean.
 */
static bool
bp_xml_copy_segment(bp_xml_state *st, bp_buf *out, const char *s, size_t len)
{
	size_t		i = 0;

	if (st->in_tag)
	{
		for (; i < len; i++)
		{
			char		c = s[i];

			if (st->quote)
			{
				if (c == st->quote)
					st->quote = 0;
			}
			else if (c == '"' || c == '\'')
				st->quote = c;
			else if (c == '>')
			{
				st->in_tag = false;
				i++;
				break;
			}
		}
		if (!bp_xml_copy_clean(st, out, s, i))
			return false;
		if (st->in_tag)
			return true;
	}
	return bp_xml_copy_chardata(st, out, s + i, len - i);
}

/* Remember the entity names an internal DTD subset declares. */
static void
bp_xml_note_declared(bp_xml_state *st, const char *s, size_t len)
{
	size_t		i = 0;

	while (i < len)
	{
		size_t		off = bp_xml_memfind(s + i, len - i, "<!ENTITY");
		size_t		j,
					k;

		if (off >= len - i)
			break;
		j = i + off + 8;
		while (j < len && bp_xml_space((unsigned char) s[j]))
			j++;
		i = j;
		if (j >= len || s[j] == '%')
			continue;
		k = j;
		while (k < len && bp_xml_name_char((unsigned char) s[k]))
			k++;
		if (k == j || k - j > BP_XML_MAX_NAME)
			continue;
		if (st->ndeclared >= BP_XML_MAX_DECLARED)
		{
			st->declared_overflow = true;
			break;
		}
		if (st->declared == NULL)
		{
			st->declared = bp_alloc0(st->ctx,
									 BP_XML_MAX_DECLARED * sizeof(char *));
			if (st->declared == NULL)
				return;
		}
		st->declared[st->ndeclared] = bp_strndup(st->ctx, s + j, k - j);
		if (st->declared[st->ndeclared] == NULL)
			return;
		st->ndeclared++;
		i = k;
	}
}

/* Is name (of length n) declared in the internal subset? */
static bool
bp_xml_is_declared(bp_xml_state *st, const char *name, size_t n)
{
	int			i;

	if (st->declared_overflow)
		return true;
	for (i = 0; i < st->ndeclared; i++)
		if (strlen(st->declared[i]) == n && memcmp(st->declared[i], name, n) == 0)
			return true;
	return false;
}

/* End of a DOCTYPE declaration starting at s (just past "<!DOCTYPE"). */
static size_t
bp_xml_doctype_end(const char *s, size_t len, size_t *subset_start,
				   size_t *subset_end)
{
	size_t		i;
	char		quote = 0;
	bool		in_subset = false;

	*subset_start = *subset_end = 0;
	for (i = 0; i < len; i++)
	{
		char		c = s[i];

		if (quote)
		{
			if (c == quote)
				quote = 0;
		}
		else if (c == '"' || c == '\'')
			quote = c;
		else if (!in_subset && c == '[')
		{
			in_subset = true;
			*subset_start = i + 1;
		}
		else if (in_subset && c == ']')
		{
			in_subset = false;
			*subset_end = i;
		}
		else if (!in_subset && c == '>')
			return i + 1;
		else if (in_subset && c == '<' && i + 4 <= len &&
				 memcmp(s + i, "<!--", 4) == 0)
		{
			size_t		e = bp_xml_memfind(s + i + 4, len - i - 4, "-->");

			i += 4 + e + 2;
		}
	}
	if (in_subset)
		*subset_end = len;
	return len;
}

/* Code point of an HTML entity name (n bytes), or 0; cached. */
static uint32_t
bp_xml_html_entity(bp_xml_state *st, const char *name, size_t n)
{
	uint32_t	h = 2166136261u;
	size_t		i;
	const htmlEntityDesc *desc;
	uint32_t	value;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char) name[i]) * 16777619u;
	h %= sizeof(st->cache) / sizeof(st->cache[0]);
	if (n < sizeof(st->cache[0].name) && strcmp(st->cache[h].name, name) == 0)
		return st->cache[h].value;
	desc = htmlEntityLookup((const xmlChar *) name);
	value = (desc != NULL && desc->value > 0 && desc->value <= 0x10FFFF) ? desc->value : 0;
	if (n < sizeof(st->cache[0].name))
	{
		memcpy(st->cache[h].name, name, n + 1);
		st->cache[h].value = value;
	}
	return value;
}

/*
 * Handle an '&' at s[0] in content or attribute text: append its
 * replacement to out and return how many input bytes it used.
 */
static size_t
bp_xml_rewrite_amp(bp_xml_state *st, bp_buf *out, const char *s, size_t len,
				   bool *ok)
{
	size_t		j;
	char		name[BP_XML_MAX_NAME + 1];
	size_t		n;
	uint32_t	value;
	char		ref[16];

	*ok = true;
	if (len > 1 && s[1] == '#')
	{
		/* a character reference: keep it when it is well-formed */
		j = 2;
		if (j < len && (s[j] == 'x' || s[j] == 'X'))
		{
			j++;
			while (j < len && j < 12 && ((s[j] >= '0' && s[j] <= '9') ||
										 (s[j] >= 'a' && s[j] <= 'f') ||
										 (s[j] >= 'A' && s[j] <= 'F')))
				j++;
			n = 3;
		}
		else
		{
			while (j < len && j < 12 && s[j] >= '0' && s[j] <= '9')
				j++;
			n = 2;
		}
		if (j > n && j < len && s[j] == ';')
		{
			*ok = bp_buf_append(out, s, j + 1);
			return j + 1;
		}
		*ok = bp_buf_puts(out, "&#38;");
		return 1;
	}

	j = 1;
	if (j < len && bp_xml_name_start((unsigned char) s[j]))
	{
		while (j < len && j <= BP_XML_MAX_NAME &&
			   bp_xml_name_char((unsigned char) s[j]))
			j++;
	}
	n = j - 1;
	if (n == 0 || n > BP_XML_MAX_NAME || j >= len || s[j] != ';')
	{
		/* a bare ampersand: keep it as text */
		*ok = bp_buf_puts(out, "&#38;");
		return 1;
	}
	memcpy(name, s + 1, n);
	name[n] = '\0';

	if (strcmp(name, "amp") == 0)
		*ok = bp_buf_puts(out, "&#38;");
	else if (strcmp(name, "lt") == 0)
		*ok = bp_buf_puts(out, "&#60;");
	else if (strcmp(name, "gt") == 0)
		*ok = bp_buf_puts(out, "&#62;");
	else if (strcmp(name, "quot") == 0)
		*ok = bp_buf_puts(out, "&#34;");
	else if (strcmp(name, "apos") == 0)
		*ok = bp_buf_puts(out, "&#39;");
	else if (bp_xml_is_declared(st, name, n))
		*ok = bp_buf_append(out, s, j + 1);
	else if ((st->flags & BP_XML_HTML_ENTITIES) &&
			 (value = bp_xml_html_entity(st, name, n)) != 0)
	{
		snprintf(ref, sizeof(ref), "&#%u;", (unsigned) value);
		*ok = bp_buf_puts(out, ref);
	}
	else
	{
		/* unknown: keep the reference as literal text */
		if (st->nundefined++ == 0)
			strcpy(st->first_undefined, name);
		*ok = bp_buf_puts(out, "&#38;") && bp_buf_append(out, s + 1, n + 1);
	}
	return j + 1;
}

/*
 * Copy the input into out, cleaned (see the file comment).  Comments,
 * CDATA sections, processing instructions and the DOCTYPE are copied
 * without entity rewriting.
 */
static bool
bp_xml_prepare(bp_xml_state *st, bp_buf *out, const char *data, size_t len)
{
	size_t		i = 0,
				start = 0;

	if (!bp_buf_reserve(out, len + len / 16 + 64))
		return false;
	while (i < len)
	{
		char		c = data[i];
		size_t		end;
		bool		ok;

		if (c != '<' && c != '&')
		{
			i++;
			/* then 8 bytes at a time up to the next '<' or '&' */
			while (len - i >= 8)
			{
				uint64_t	v = bp_xml_load8(data + i);

				if (BP_HAS_BYTE(v, '<') || BP_HAS_BYTE(v, '&'))
					break;
				i += 8;
			}
			continue;
		}
		if (!bp_xml_copy_segment(st, out, data + start, i - start))
			return false;
		if (c == '&')
		{
			i += bp_xml_rewrite_amp(st, out, data + i, len - i, &ok);
			if (!ok)
				return false;
			start = i;
			continue;
		}
		/* c == '<': markup copied verbatim up to its end */
		end = i + 1;
		if (len - i >= 4 && memcmp(data + i, "<!--", 4) == 0)
			end = i + 4 + bp_xml_memfind(data + i + 4, len - i - 4, "-->") + 3;
		else if (len - i >= 9 && memcmp(data + i, "<![CDATA[", 9) == 0)
			end = i + 9 + bp_xml_memfind(data + i + 9, len - i - 9, "]]>") + 3;
		else if (len - i >= 2 && data[i + 1] == '?')
			end = i + 2 + bp_xml_memfind(data + i + 2, len - i - 2, "?>") + 2;
		else if (len - i >= 9 && memcmp(data + i, "<!DOCTYPE", 9) == 0)
		{
			size_t		ss,
						se;

			end = i + 9 + bp_xml_doctype_end(data + i + 9, len - i - 9, &ss, &se);
			if (se > ss)
				bp_xml_note_declared(st, data + i + 9 + ss, se - ss);
		}
		else
		{
			/* a tag: its inside is not character data */
			st->in_tag = true;
			st->quote = 0;
		}
		if (end > len)
			end = len;
		if (!bp_xml_copy_clean(st, out, data + i, end - i))
			return false;
		i = start = end;
	}
	return bp_xml_copy_segment(st, out, data + start, i - start);
}

/* Bytes of non-space text below the body (or root), script/style skipped. */
static size_t
bp_xml_body_text_len(xmlDocPtr doc)
{
	xmlNodePtr	root = xmlDocGetRootElement(doc);
	xmlNodePtr	body,
				node;
	size_t		total = 0;

	if (root == NULL)
		return 0;
	body = bp_xml_is(root, "body") ? root : bp_xml_find(root, "body");
	if (body == NULL)
		body = root;
	node = body->children;
	while (node != NULL)
	{
		bool		descend = true;

		if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE)
		{
			const xmlChar *p;

			for (p = node->content; p != NULL && *p; p++)
				if (!bp_xml_space(*p))
					total++;
		}
		else if (node->type == XML_ELEMENT_NODE &&
				 (bp_xml_is(node, "script") || bp_xml_is(node, "style")))
			descend = false;
		node = bp_xml_walk_next(body, node, descend);
	}
	return total;
}

/* Parse prepared UTF-8 with the XML parser; *wellformed gets the verdict. */
static xmlDocPtr
bp_xml_parse_xml(bp_xml_state *st, const char *buf, int len, bool *wellformed)
{
	xmlParserCtxtPtr pc;
	xmlDocPtr	doc;

	*wellformed = false;
	pc = xmlNewParserCtxt();
	if (pc == NULL)
		return NULL;
	pc->_private = st;
	pc->sax->initialized = XML_SAX2_MAGIC;
	pc->sax->serror = bp_xml_serror;
	st->orig_get_entity = pc->sax->getEntity;
	pc->sax->getEntity = bp_xml_get_entity;
	pc->sax->resolveEntity = bp_xml_no_resolve;
	pc->sax->externalSubset = bp_xml_no_subset;
	bp_mem_set_parser(pc);
	doc = xmlCtxtReadMemory(pc, buf, len, NULL, "UTF-8", BP_XML_OPTIONS);
	bp_mem_set_parser(NULL);
	*wellformed = pc->wellFormed != 0;
	pc->_private = NULL;
	xmlFreeParserCtxt(pc);
	return doc;
}

/* Parse prepared UTF-8 with the HTML parser. */
static xmlDocPtr
bp_xml_parse_html(bp_xml_state *st, const char *buf, int len)
{
	htmlParserCtxtPtr pc;
	xmlDocPtr	doc;

	pc = htmlNewParserCtxt();
	if (pc == NULL)
		return NULL;
	pc->_private = st;
	pc->sax->initialized = XML_SAX2_MAGIC;
	pc->sax->serror = bp_xml_serror;
	pc->sax->resolveEntity = bp_xml_no_resolve;
	pc->sax->externalSubset = bp_xml_no_subset;
	bp_mem_set_parser(pc);
	doc = htmlCtxtReadMemory(pc, buf, len, NULL, "UTF-8", BP_HTML_OPTIONS);
	bp_mem_set_parser(NULL);
	pc->_private = NULL;
	htmlFreeParserCtxt(pc);
	return doc;
}

/* Parse UTF-8 XML safely (see bp_internal.h). */
xmlDocPtr
bp_xml_parse(bp_ctx *ctx, const char *data, size_t len, const char *what,
			 int flags)
{
	bp_xml_state st;
	bp_buf		in;
	xmlDocPtr	doc = NULL,
				hdoc = NULL;
	bool		wellformed = false;
	xmlExternalEntityLoader old_loader;
	uintptr_t	budget;
	int			i;

	if (bp_failed(ctx))
		return NULL;
	if (what == NULL)
		what = "document";
	memset(&st, 0, sizeof(st));
	st.ctx = ctx;
	st.flags = flags;
	bp_buf_init(&in, ctx);

	if (data == NULL)
		len = 0;
	if (len > (size_t) INT_MAX / 2)
	{
		bp_fail(ctx, BP_ERR_LIMIT, "%s is too large to parse as XML", what);
		return NULL;
	}
	if (len > 0 && !bp_xml_prepare(&st, &in, data, len))
		goto done;
	if (in.len == 0)
	{
		bp_fail(ctx, BP_ERR_BAD_XML, "%s: empty XML document", what);
		goto done;
	}

	xmlInitParser();
	old_loader = xmlGetExternalEntityLoader();
	xmlSetExternalEntityLoader(bp_xml_no_loader);

	st.collect = true;
	doc = bp_xml_parse_xml(&st, in.data, (int) in.len, &wellformed);
	st.collect = false;
	if (bp_failed(ctx))
	{
		/* the memory hooks stopped the parser at the limit */
		xmlSetExternalEntityLoader(old_loader);
		goto done;
	}
	if (doc != NULL && xmlDocGetRootElement(doc) == NULL)
	{
		xmlFreeDoc(doc);
		doc = NULL;
	}
	if (!wellformed && (flags & BP_XML_HTML_FALLBACK))
	{
		hdoc = bp_xml_parse_html(&st, in.data, (int) in.len);
		if (hdoc != NULL && xmlDocGetRootElement(hdoc) == NULL)
		{
			xmlFreeDoc(hdoc);
			hdoc = NULL;
		}
		if (hdoc != NULL &&
			(doc == NULL || bp_xml_body_text_len(hdoc) > bp_xml_body_text_len(doc)))
		{
			if (doc != NULL)
				xmlFreeDoc(doc);
			doc = hdoc;
			hdoc = NULL;
			bp_warn(ctx, "xml_html_fallback",
					"%s: not well-formed XML, read with the HTML parser", what);
		}
		if (hdoc != NULL)
			xmlFreeDoc(hdoc);
	}

	xmlSetExternalEntityLoader(old_loader);
	if (bp_failed(ctx))
		goto done;

	if (st.nerrors > 0)
		bp_warn(ctx, "xml_recovered", "%s: %d XML error%s, first: line %d: %s",
				what, st.nerrors, st.nerrors == 1 ? "" : "s", st.first_line,
				st.first_msg);
	if (st.nbad_utf8 > 0)
		bp_warn(ctx, "xml_bad_utf8", "%s: %lld invalid UTF-8 sequences replaced",
				what, (long long) st.nbad_utf8);
	if (st.nbad_chars > 0)
		bp_warn(ctx, "xml_bad_chars", "%s: %lld control characters dropped",
				what, (long long) st.nbad_chars);
	if (st.nundefined > 0)
		bp_warn(ctx, "xml_undefined_entity",
				"%s: %lld undefined entit%s kept as text, first: &%s;",
				what, (long long) st.nundefined,
				st.nundefined == 1 ? "y" : "ies", st.first_undefined);

	if (doc == NULL)
	{
		bp_fail(ctx, BP_ERR_BAD_XML, "%s: no XML element could be read", what);
		goto done;
	}
	/* budget of entity-reference text for bp_xml_ref_text */
	budget = (uintptr_t) len + 65536;
	doc->_private = (void *) budget;

done:
	bp_xml_free_fakes(&st);
	for (i = 0; i < st.ndeclared; i++)
		bp_free(ctx, st.declared[i]);
	if (st.declared != NULL)
		bp_free(ctx, st.declared);
	bp_buf_free(&in);
	if (bp_failed(ctx) && doc != NULL)
	{
		xmlFreeDoc(doc);
		doc = NULL;
	}
	return doc;
}

/* Free a document from bp_xml_parse. */
void
bp_xml_free(xmlDocPtr doc)
{
	if (doc == NULL)
		return;
	doc->_private = NULL;
	xmlFreeDoc(doc);
}

/* Local part of a possibly prefixed name. */
static const char *
bp_xml_local(const xmlChar *name)
{
	const char *s = (const char *) name;
	const char *colon;

	if (s == NULL)
		return "";
	colon = strrchr(s, ':');
	return colon != NULL ? colon + 1 : s;
}

/* Local name of an element (no prefix), or "" for non-elements. */
const char *
bp_xml_name(const xmlNode *node)
{
	if (node == NULL || node->type != XML_ELEMENT_NODE)
		return "";
	return bp_xml_local(node->name);
}

/* Is node an element with this local name? (ASCII case-insensitive) */
bool
bp_xml_is(const xmlNode *node, const char *localname)
{
	const char *a,
			   *b;

	if (node == NULL || node->type != XML_ELEMENT_NODE)
		return false;
	a = bp_xml_local(node->name);
	b = localname;
	while (*a && *b)
	{
		char		ca = *a,
					cb = *b;

		if (ca >= 'A' && ca <= 'Z')
			ca += 'a' - 'A';
		if (cb >= 'A' && cb <= 'Z')
			cb += 'a' - 'A';
		if (ca != cb)
			return false;
		a++;
		b++;
	}
	return *a == '\0' && *b == '\0';
}

/* Attribute by local name, any namespace; pointer into the tree or NULL. */
const char *
bp_xml_attr(const xmlNode *node, const char *localname)
{
	const xmlAttr *a;

	if (node == NULL || node->type != XML_ELEMENT_NODE)
		return NULL;
	for (a = node->properties; a != NULL; a = a->next)
	{
		const xmlNode *c;

		if (strcmp(bp_xml_local(a->name), localname) != 0)
			continue;
		for (c = a->children; c != NULL; c = c->next)
			if (c->type == XML_TEXT_NODE && c->content != NULL)
				return (const char *) c->content;
		return "";
	}
	return NULL;
}

/* First child element with this local name, or NULL. */
xmlNode *
bp_xml_child(const xmlNode *node, const char *localname)
{
	xmlNode    *c;

	if (node == NULL)
		return NULL;
	for (c = node->children; c != NULL; c = c->next)
		if (bp_xml_is(c, localname))
			return c;
	return NULL;
}

/* Next sibling element with this local name, or NULL. */
xmlNode *
bp_xml_next(const xmlNode *node, const char *localname)
{
	xmlNode    *c;

	if (node == NULL)
		return NULL;
	for (c = node->next; c != NULL; c = c->next)
		if (bp_xml_is(c, localname))
			return c;
	return NULL;
}

/* First element with this local name in document order below node. */
xmlNode *
bp_xml_find(const xmlNode *node, const char *localname)
{
	xmlNode    *n;

	if (node == NULL)
		return NULL;
	n = bp_xml_walk_next(node, node, true);
	while (n != NULL)
	{
		if (bp_xml_is(n, localname))
			return n;
		n = bp_xml_walk_next(node, n, true);
	}
	return NULL;
}

/* Next node in document order below root (iterative, no recursion). */
xmlNode *
bp_xml_walk_next(const xmlNode *root, const xmlNode *node, bool descend)
{
	if (node == NULL)
		return NULL;
	if (descend && node->children != NULL &&
		(node->type == XML_ELEMENT_NODE || node->type == XML_DOCUMENT_NODE ||
		 node->type == XML_HTML_DOCUMENT_NODE))
		return node->children;
	while (node != NULL && node != root)
	{
		if (node->next != NULL)
			return node->next;
		node = node->parent;
	}
	return NULL;
}

/* Take n bytes of the document's entity budget; false when spent. */
static bool
bp_xml_take_budget(bp_ctx *ctx, xmlDocPtr doc, size_t n)
{
	uintptr_t	v,
				left;

	if (doc == NULL)
		return false;
	v = (uintptr_t) doc->_private;
	left = v & ~BP_XML_BUDGET_WARNED;
	if (left >= n)
	{
		doc->_private = (void *) ((v & BP_XML_BUDGET_WARNED) | (left - n));
		return true;
	}
	if (!(v & BP_XML_BUDGET_WARNED))
	{
		bp_warn(ctx, "xml_entity_budget",
				"entity references expand to too much text; the rest is dropped");
		doc->_private = (void *) (v | BP_XML_BUDGET_WARNED);
	}
	return false;
}

/* Append the text an entity reference node stands for (bounded). */
bool
bp_xml_ref_text(bp_ctx *ctx, const xmlNode *ref, bp_buf *buf)
{
	xmlEntityPtr stack_ent[BP_XML_REF_DEPTH];
	const xmlNode *stack_ref[BP_XML_REF_DEPTH];
	int			depth = 0;
	xmlEntityPtr ent;
	const xmlNode *cur;

	if (ref == NULL || ref->type != XML_ENTITY_REF_NODE)
		return true;
	ent = xmlGetDocEntity(ref->doc, ref->name);
	if (ent == NULL)
		return true;
	if (ent->etype == XML_INTERNAL_PREDEFINED_ENTITY)
	{
		size_t		n = ent->content ? strlen((const char *) ent->content) : 0;

		if (n == 0 || !bp_xml_take_budget(ctx, ref->doc, n))
			return true;
		return bp_buf_append(buf, ent->content, n);
	}
	if (ent->etype != XML_INTERNAL_GENERAL_ENTITY || ent->children == NULL)
		return true;

	stack_ent[0] = ent;
	stack_ref[0] = ref;
	depth = 1;
	cur = ent->children;
	while (cur != NULL)
	{
		bool		descend = false;

		if (cur->type == XML_TEXT_NODE || cur->type == XML_CDATA_SECTION_NODE)
		{
			size_t		n = cur->content ? strlen((const char *) cur->content) : 0;

			if (n > 0)
			{
				if (!bp_xml_take_budget(ctx, ref->doc, n))
					return true;
				if (!bp_buf_append(buf, cur->content, n))
					return false;
			}
		}
		else if (cur->type == XML_ENTITY_REF_NODE && depth < BP_XML_REF_DEPTH)
		{
			xmlEntityPtr e = xmlGetDocEntity(ref->doc, cur->name);
			int			k;
			bool		loop = false;

			for (k = 0; k < depth; k++)
				if (stack_ent[k] == e)
					loop = true;
			if (e != NULL && !loop && e->etype == XML_INTERNAL_GENERAL_ENTITY &&
				e->children != NULL)
			{
				stack_ent[depth] = e;
				stack_ref[depth] = cur;
				depth++;
				cur = e->children;
				continue;
			}
			if (e != NULL && e->etype == XML_INTERNAL_PREDEFINED_ENTITY &&
				e->content != NULL)
			{
				size_t		n = strlen((const char *) e->content);

				if (!bp_xml_take_budget(ctx, ref->doc, n))
					return true;
				if (!bp_buf_append(buf, e->content, n))
					return false;
			}
		}
		else if (cur->type == XML_ELEMENT_NODE && cur->children != NULL)
			descend = true;

		if (descend)
		{
			cur = cur->children;
			continue;
		}
		/* advance: next sibling, else climb; leave entities at their end */
		for (;;)
		{
			if (cur->next != NULL)
			{
				cur = cur->next;
				break;
			}
			if (cur->parent == NULL ||
				cur->parent == (const xmlNode *) stack_ent[depth - 1])
			{
				depth--;
				if (depth == 0)
					return true;
				cur = stack_ref[depth];
				continue;
			}
			cur = cur->parent;
		}
	}
	return true;
}

/* Append s (n bytes) to buf with whitespace runs collapsed to one space. */
static bool
bp_xml_append_collapsed(bp_buf *buf, const char *s, size_t n, bool *space)
{
	size_t		i = 0;

	while (i < n)
	{
		size_t		j;

		if (bp_xml_space((unsigned char) s[i]))
		{
			*space = true;
			i++;
			continue;
		}
		j = i;
		while (j < n && !bp_xml_space((unsigned char) s[j]))
			j++;
		if (*space && buf->len > 0 && !bp_buf_putc(buf, ' '))
			return false;
		*space = false;
		if (!bp_buf_append(buf, s + i, j - i))
			return false;
		i = j;
	}
	return true;
}

/* All text below node, whitespace collapsed, trimmed; NULL if empty. */
char *
bp_xml_text(bp_ctx *ctx, const xmlNode *node)
{
	bp_buf		buf,
				tmp;
	const xmlNode *n;
	bool		space = false;
	bool		ok = true;

	if (node == NULL || bp_failed(ctx))
		return NULL;
	bp_buf_init(&buf, ctx);
	bp_buf_init(&tmp, ctx);
	n = node;
	while (n != NULL && ok)
	{
		if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) &&
			n->content != NULL)
			ok = bp_xml_append_collapsed(&buf, (const char *) n->content,
										 strlen((const char *) n->content),
										 &space);
		else if (n->type == XML_ENTITY_REF_NODE)
		{
			bp_buf_reset(&tmp);
			ok = bp_xml_ref_text(ctx, n, &tmp);
			if (ok && tmp.len > 0)
				ok = bp_xml_append_collapsed(&buf, tmp.data, tmp.len, &space);
		}
		n = bp_xml_walk_next(node, n, true);
	}
	bp_buf_free(&tmp);
	if (!ok || buf.len == 0)
	{
		bp_buf_free(&buf);
		return NULL;
	}
	return bp_buf_steal(&buf, NULL);
}

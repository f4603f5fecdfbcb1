/*-------------------------------------------------------------------------
 *
 * bp_xml_scan.c
 *	  The input scanner that runs before libxml2 sees a document.
 *
 * The input is copied once through a small scanner that replaces invalid
 * UTF-8 with U+FFFD, drops characters XML forbids, and turns entity
 * references into character references (&amp; -> &#38;, &nbsp; -> &#160;
 * with BP_XML_HTML_ENTITIES, a bare & -> &#38;, unknown names -> the
 * literal text).  libxml2 2.9 drops every named entity reference once a
 * document has stopped being well-formed; character references survive,
 * so recovered documents keep their text.  Names declared in the internal
 * DTD subset are left alone: they stay entity reference nodes whose text
 * bp_xml_ref_text() expands, within a budget.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include <libxml/HTMLparser.h>

#include "bp_xml_int.h"

#define BP_XML_MAX_DECLARED 256 /* internal-subset entity names tracked */

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

/* Write the character reference "&#xHEX;" of cp into ref; returns its length. */
static size_t
bp_xml_hex_ref(char *ref, uint32_t cp)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t		n = 3;
	int			shift = 28;

	memcpy(ref, "&#x", 3);
	while (shift > 0 && ((cp >> shift) & 0xF) == 0)
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		ref[n++] = hex[(cp >> shift) & 0xF];
	ref[n++] = ';';
	return n;
}

/* Copy [s, s+len) to out, replacing invalid UTF-8 and dropping bad chars. */
bool
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
			/* runs of 2-byte sequences (Cyrillic, Greek, ...) are always valid */
			if (c >= 0xC2 && c < 0xE0 && len - i >= 2 &&
				((unsigned char) s[i + 1] & 0xC0) == 0x80)
			{
				i += 2;
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

		if (len - i >= 8 && !(bp_xml_load8(s + i) & BP_HIGHS))
		{
			i += 8;				/* ASCII, checked below */
			continue;
		}
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
		if (!bp_buf_append(out, ref, bp_xml_hex_ref(ref, cp)))
			return false;
		i += n;
		start = i;
	}
	return bp_xml_copy_clean(st, out, s + start, len - start);
}

/*
 * Copy input between markup starts ('<' and '&' excluded): character data
 * through bp_xml_copy_chardata, the inside of tags (up to the '>' that is
 * not in quotes) through bp_xml_copy_tag, which applies the caps on
 * attributes and namespaces.
 */
static bool
bp_xml_copy_segment(bp_xml_state *st, bp_buf *out, const char *s, size_t len)
{
	size_t		i = 0;

	if (st->in_tag)
	{
		if (!bp_xml_copy_tag(st, out, s, len, &i))
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
bool
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

		if (i >= st->next_tick)
		{
			/*
			 * The scanner is linear, but a document may be 512MB: report
			 * progress, after copying a long run without markup up to a
			 * character boundary, so that no copy is longer than a step.
			 */
			size_t		cut = i;

			while (cut > start && cut + 4 > i &&
				   ((unsigned char) data[cut] & 0xC0) == 0x80)
				cut--;
			if (cut > start && !bp_xml_copy_segment(st, out, data + start, cut - start))
				return false;
			start = cut > start ? cut : start;
			st->next_tick = i + BP_XML_TICK_SCAN;
			if (!bp_progress_again(st->ctx))
				return false;
		}
		if (c != '<' && c != '&')
		{
			size_t		lim = len < st->next_tick ? len : st->next_tick;

			i++;
			/* then 8 bytes at a time up to the next '<' or '&' (or tick) */
			while (lim > i && lim - i >= 8)
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
		if (c == '&' && st->in_tag && st->tag_drop)
		{
			/* in a dropped attribute: the reference goes with it */
			start = ++i;
			continue;
		}
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
			{
				bp_xml_note_declared(st, data + i + 9 + ss, se - ss);
				/* the subset without its attribute-list declarations */
				if (!bp_xml_copy_clean(st, out, data + i, 9 + ss) ||
					!bp_xml_copy_subset(st, out, data + i + 9 + ss, se - ss))
					return false;
				i += 9 + se;
			}
		}
		else
		{
			/* a tag: its inside is not character data */
			bp_xml_tag_start(st, data + i, len - i);
		}
		if (end > len)
			end = len;
		if (!bp_xml_copy_clean(st, out, data + i, end - i))
			return false;
		i = start = end;
	}
	return bp_xml_copy_segment(st, out, data + start, i - start);
}

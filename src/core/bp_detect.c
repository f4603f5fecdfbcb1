/*-------------------------------------------------------------------------
 *
 * bp_detect.c
 *	  Format detection from content alone (never from a file name).
 *
 * bp_detect_format() looks at the bytes and answers "epub", "fb2",
 * "fb2.zip" or "txt", or NULL with a description of what the bytes look
 * like ("PDF document", "DOCX document", "PNG image", ...).  It sorts the
 * bytes into a container (zip, XML, text) and lets the detectors of the
 * format registry (bp_format.c) say which book format it holds.  It never
 * allocates: zip archives are walked by hand (central directory, else
 * local headers), XML is looked at through a small reader that decodes
 * UTF-16 code units in place.  All scanning is bounded by the real length.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>

#include "bp_internal.h"

#define TEXT_SAMPLE		(64 * 1024)
/* how far the XML prolog may go before the root element */
#define XML_PROLOG_MAX	(4 * 1024 * 1024)

/* Little-endian 16-bit value at p. */
static inline uint32_t
d16(const unsigned char *p)
{
	return (uint32_t) p[0] | ((uint32_t) p[1] << 8);
}

/* Little-endian 32-bit value at p. */
static inline uint32_t
d32(const unsigned char *p)
{
	return d16(p) | (d16(p + 2) << 16);
}

/* Little-endian 64-bit value at p. */
static inline uint64_t
d64(const unsigned char *p)
{
	return (uint64_t) d32(p) | ((uint64_t) d32(p + 4) << 32);
}

/* Does data start with the n bytes of sig? */
static bool
starts(const unsigned char *data, size_t len, const char *sig, size_t n)
{
	return len >= n && memcmp(data, sig, n) == 0;
}

/* Does [s, s+n) end with suffix, ASCII case-insensitively? */
static bool
name_ends(const unsigned char *s, size_t n, const char *suffix)
{
	size_t		k = strlen(suffix);

	if (n < k)
		return false;
	for (size_t i = 0; i < k; i++)
	{
		int			a = s[n - k + i];
		int			b = (unsigned char) suffix[i];

		if (a >= 'A' && a <= 'Z')
			a += 'a' - 'A';
		if (a != b)
			return false;
	}
	return true;
}

/* Does [s, s+n) equal (or start with, when prefix) str, case-insensitively? */
static bool
name_is(const unsigned char *s, size_t n, const char *str, bool prefix)
{
	size_t		k = strlen(str);

	if (prefix ? n < k : n != k)
		return false;
	return name_ends(s, k, str);
}

/*
 * Look at one entry: its name, and for a stored "mimetype" entry its
 * content (found through the local header at loff).
 */
static void
zip_note(const unsigned char *data, size_t len, const unsigned char *name,
		 size_t nlen, unsigned method, uint64_t loff, uint64_t csize,
		 bp_zip_seen *seen)
{
	seen->entries++;
	if (name_is(name, nlen, "mimetype", false) && method == 0 &&
		loff <= len && len - loff >= 30 && d32(data + loff) == 0x04034b50u)
	{
		uint64_t	start = loff + 30 + d16(data + loff + 26) + d16(data + loff + 28);

		if (start <= len)
		{
			const unsigned char *m = data + start;
			size_t		mlen = (size_t) (csize < len - start ? csize : len - start);

			while (mlen > 0 && (m[mlen - 1] == '\n' || m[mlen - 1] == '\r' ||
								m[mlen - 1] == ' '))
				mlen--;
			if (mlen == 20 && memcmp(m, "application/epub+zip", 20) == 0)
				seen->epub_mimetype = true;
			else if (starts(m, mlen, "application/vnd.oasis.opendocument.text", 39))
				seen->odt_mimetype = true;
			else if (starts(m, mlen, "application/vnd.oasis.opendocument.", 35))
				seen->odf_mimetype = true;
		}
	}
	if (name_ends(name, nlen, ".opf"))
		seen->opf = true;
	if (name_is(name, nlen, "META-INF/container.xml", false))
		seen->container = true;
	if (name_ends(name, nlen, ".fb2"))
		seen->fb2 = true;
	if (name_is(name, nlen, "word/document.xml", false))
		seen->docx = true;
	if (name_is(name, nlen, "xl/", true))
		seen->xlsx = true;
	if (name_is(name, nlen, "ppt/", true))
		seen->pptx = true;
	if (name_is(name, nlen, "content.xml", false))
		seen->content_xml = true;
	if (name_is(name, nlen, "[Content_Types].xml", false))
		seen->content_types = true;
}

/*
 * Walk the central directory.  Returns false when there is no end record
 * or the directory is not where it says (then the caller walks the local
 * headers).
 */
static bool
zip_walk_central(const unsigned char *data, size_t len, bp_zip_seen *seen)
{
	size_t		pos;
	size_t		lowest;
	int64_t		eocd = -1;
	uint64_t	cdsize;
	uint64_t	cdoff;
	uint64_t	limit;
	uint64_t	p;
	uint64_t	end;
	int64_t		bias = 0;

	if (len < 22)
		return false;
	pos = len - 22;
	lowest = pos > 65535 ? pos - 65535 : 0;
	for (;;)
	{
		if (data[pos] == 'P' && d32(data + pos) == 0x06054b50u &&
			len - pos - 22 >= d16(data + pos + 20))
		{
			eocd = (int64_t) pos;
			break;
		}
		if (pos == lowest)
			break;
		pos--;
	}
	if (eocd < 0)
		return false;
	cdsize = d32(data + eocd + 12);
	cdoff = d32(data + eocd + 16);
	limit = (uint64_t) eocd;
	if (eocd >= 20 && d32(data + eocd - 20) == 0x07064b50u)
	{
		uint64_t	r = d64(data + eocd - 20 + 8);

		if (r > (uint64_t) eocd - 20 || (uint64_t) eocd - 20 - r < 56 ||
			d32(data + r) != 0x06064b50u)
		{
			r = (uint64_t) eocd - 20 >= 56 ? (uint64_t) eocd - 20 - 56 : 0;
			if (d32(data + r) != 0x06064b50u)
				return false;
		}
		cdsize = d64(data + r + 40);
		cdoff = d64(data + r + 48);
		limit = r;
	}
	if (cdsize > limit)
		return false;
	if (cdsize == 0)
		return true;			/* an empty archive */
	if (cdoff <= limit - cdsize && limit - cdoff >= 46 &&
		d32(data + cdoff) == 0x02014b50u)
		p = cdoff;
	else if (limit - cdsize + 46 <= len &&
			 d32(data + limit - cdsize) == 0x02014b50u)
	{
		p = limit - cdsize;
		bias = (int64_t) p - (int64_t) cdoff;
	}
	else
		return false;
	end = p + cdsize;
	while (end - p >= 46 && d32(data + p) == 0x02014b50u)
	{
		const unsigned char *h = data + p;
		size_t		nlen = d16(h + 28);
		size_t		rest = d16(h + 30) + d16(h + 32);
		uint64_t	loff = d32(h + 42);

		if (end - p - 46 < nlen)
			break;
		if (bias >= 0 || loff >= (uint64_t) (-bias))
			loff = (uint64_t) ((int64_t) loff + bias);
		zip_note(data, len, h + 46, nlen, d16(h + 10), loff, d32(h + 20), seen);
		if (end - p - 46 - nlen < rest)
			break;
		p += 46 + nlen + rest;
	}
	return seen->entries > 0;
}

/* Walk the local file headers from the start (no usable central directory). */
static void
zip_walk_local(const unsigned char *data, size_t len, bp_zip_seen *seen)
{
	size_t		p = 0;

	while (len - p >= 30)
	{
		const unsigned char *h = data + p;
		size_t		nlen;
		size_t		xlen;
		size_t		start;
		uint64_t	csize;

		if (d32(h) != 0x04034b50u)
		{
			/* look for the next local header */
			const unsigned char *q = memchr(h + 1, 'P', len - p - 1);

			if (q == NULL)
				break;
			p = (size_t) (q - data);
			continue;
		}
		nlen = d16(h + 26);
		xlen = d16(h + 28);
		if (len - p - 30 < nlen + xlen)
			break;
		start = p + 30 + nlen + xlen;
		csize = d32(h + 18);
		zip_note(data, len, h + 30, nlen, d16(h + 8), p, csize, seen);
		if (!(d16(h + 6) & 0x0008) && csize <= len - start)
			p = start + (size_t) csize;
		else
			p = start;
	}
}

/* Detect what a zip archive holds: a format, or NULL and *what. */
static const bp_format *
detect_zip(const unsigned char *data, size_t len, const char **what)
{
	bp_sniff	sniff;
	const bp_zip_seen *seen = &sniff.zip;
	const bp_format *f;

	memset(&sniff, 0, sizeof(sniff));
	sniff.container = BP_CONTAINER_ZIP;
	if (!zip_walk_central(data, len, &sniff.zip))
	{
		memset(&sniff.zip, 0, sizeof(sniff.zip));
		zip_walk_local(data, len, &sniff.zip);
	}
	f = bp_format_detect(&sniff);
	if (f != NULL)
	{
		*what = f->description;
		return f;
	}
	if (seen->docx)
		*what = "DOCX document";
	else if (seen->odt_mimetype)
		*what = "ODT document";
	else if (seen->odf_mimetype)
		*what = "OpenDocument file";
	else if (seen->xlsx)
		*what = "XLSX spreadsheet";
	else if (seen->pptx)
		*what = "PPTX presentation";
	else if (seen->content_types)
		*what = "Office Open XML document";
	else
		*what = "zip archive (no book inside)";
	return NULL;
}

/* Is there a readable end record with a central directory behind it? */
static bool
has_zip_directory(const unsigned char *data, size_t len)
{
	bp_zip_seen seen;

	memset(&seen, 0, sizeof(seen));
	return zip_walk_central(data, len, &seen);
}

/* ---- signatures of things that are not books ---- */

/* Is a "RIFF" file a WebP image? */
static bool
is_webp(const unsigned char *data, size_t len)
{
	return len >= 12 && memcmp(data + 8, "WEBP", 4) == 0;
}

/* Is a file starting "BM" a BMP image (its size, or a known header size)? */
static bool
is_bmp(const unsigned char *data, size_t len)
{
	return len >= 26 &&
		(d32(data + 2) == len ||
		 (d32(data + 6) == 0 && d32(data + 10) < len &&
		  (d32(data + 14) == 12 || d32(data + 14) == 40 || d32(data + 14) == 56 ||
		   d32(data + 14) == 108 || d32(data + 14) == 124)));
}

/* Is a file starting "BZh" bzip2 data (a block size digit follows)? */
static bool
is_bzip2(const unsigned char *data, size_t len)
{
	return len >= 4 && data[3] >= '1' && data[3] <= '9';
}

/* A signature: n bytes at offset off, and a further check when more is set. */
typedef struct not_book_sig
{
	size_t		off;
	const char *sig;
	size_t		n;
	bool		(*more) (const unsigned char *data, size_t len);
	const char *what;
} not_book_sig;

/* Checked in this order; the first that matches names the bytes. */
static const not_book_sig not_book_sigs[] = {
	{0, "%PDF", 4, NULL, "PDF document"},
	{0, "\x89PNG\r\n\x1a\n", 8, NULL, "PNG image"},
	{0, "\xFF\xD8\xFF", 3, NULL, "JPEG image"},
	{0, "GIF87a", 6, NULL, "GIF image"},
	{0, "GIF89a", 6, NULL, "GIF image"},
	{0, "RIFF", 4, is_webp, "WebP image"},
	{0, "BM", 2, is_bmp, "BMP image"},
	{0, "II*\0", 4, NULL, "TIFF image"},
	{0, "MM\0*", 4, NULL, "TIFF image"},
	{60, "BOOKMOBI", 8, NULL, "MOBI/Kindle book (not supported)"},
	{60, "TEXtREAd", 8, NULL, "PalmDOC book (not supported)"},
	{0, "Rar!\x1a\x07", 6, NULL, "RAR archive"},
	{0, "7z\xBC\xAF\x27\x1C", 6, NULL, "7z archive"},
	{0, "\x1F\x8B", 2, NULL, "gzip compressed data"},
	{0, "BZh", 3, is_bzip2, "bzip2 compressed data"},
	{0, "\xFD" "7zXZ\0", 6, NULL, "xz compressed data"},
	{0, "\x28\xB5\x2F\xFD", 4, NULL, "zstd compressed data"},
	{0, "\x7F" "ELF", 4, NULL, "ELF executable"},
	{0, "AT&TFORM", 8, NULL, "DjVu document"},
	{0, "{\\rtf", 5, NULL, "RTF document"},
	{0, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8, NULL,
	"legacy Office document (OLE2: .doc/.xls/.ppt)"},
};

/* What the bytes are when a signature says they are no book, else NULL. */
static const char *
not_a_book(const unsigned char *data, size_t len)
{
	size_t		i;

	for (i = 0; i < sizeof(not_book_sigs) / sizeof(not_book_sigs[0]); i++)
	{
		const not_book_sig *g = &not_book_sigs[i];

		if (len >= g->off + g->n && memcmp(data + g->off, g->sig, g->n) == 0 &&
			(g->more == NULL || g->more(data, len)))
			return g->what;
	}
	return NULL;
}

/* ---- XML, looked at through UTF-8/8-bit bytes or UTF-16 code units ---- */

typedef struct xml_reader
{
	const unsigned char *data;
	size_t		len;
	size_t		pos;			/* byte offset */
	int			unit;			/* 1 or 2 bytes per code unit */
	bool		be;				/* UTF-16BE */
} xml_reader;

/* Code unit k units ahead, ASCII or 0x100 for anything else, -1 at the end. */
static int
xr_peek(const xml_reader *r, size_t k)
{
	size_t		off = r->pos + k * (size_t) r->unit;
	uint32_t	c;

	if (off >= r->len || r->len - off < (size_t) r->unit)
		return -1;
	if (r->unit == 1)
		return r->data[off];
	c = r->be ? ((uint32_t) r->data[off] << 8) | r->data[off + 1] :
		d16(r->data + off);
	return c < 0x80 ? (int) c : 0x100;
}

/* Do the next units spell the ASCII string s (case-insensitively if ci)? */
static bool
xr_match(const xml_reader *r, const char *s, bool ci)
{
	for (size_t k = 0; s[k]; k++)
	{
		int			c = xr_peek(r, k);
		int			w = (unsigned char) s[k];

		if (ci && c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c != w)
			return false;
	}
	return true;
}

/* Advance n units. */
static void
xr_skip(xml_reader *r, size_t n)
{
	size_t		b = n * (size_t) r->unit;

	r->pos = b > r->len - r->pos ? r->len : r->pos + b;
}

/* Skip to just after the next occurrence of s; false if none. */
static bool
xr_skip_past(xml_reader *r, const char *s)
{
	while (xr_peek(r, 0) >= 0 && r->pos <= XML_PROLOG_MAX)
	{
		if (xr_match(r, s, false))
		{
			xr_skip(r, strlen(s));
			return true;
		}
		xr_skip(r, 1);
	}
	return false;
}

/* Is c XML whitespace? */
static bool
xr_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Is c a character of an (ASCII) XML name? */
static bool
xr_namechar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == ':';
}

/*
 * Read the root element's name past BOM, whitespace, XML declaration,
 * processing instructions, comments and DOCTYPE.  false when the bytes do
 * not look like XML.  *html_doctype tells whether a DOCTYPE named html
 * was seen.
 */
static bool
xml_root(xml_reader *r, char *name, size_t namesz, bool *html_doctype)
{
	size_t		n = 0;

	*html_doctype = false;
	for (;;)
	{
		while (xr_space(xr_peek(r, 0)))
			xr_skip(r, 1);
		if (r->pos > XML_PROLOG_MAX || xr_peek(r, 0) != '<')
			return false;
		if (xr_match(r, "<?", false))
		{
			if (!xr_skip_past(r, "?>"))
				return false;
		}
		else if (xr_match(r, "<!--", false))
		{
			if (!xr_skip_past(r, "-->"))
				return false;
		}
		else if (xr_match(r, "<!doctype", true))
		{
			int			depth = 0;
			int			quote = 0;
			int			c;

			xr_skip(r, 9);
			while (xr_space(xr_peek(r, 0)))
				xr_skip(r, 1);
			if (xr_match(r, "html", true) && !xr_namechar(xr_peek(r, 4)))
				*html_doctype = true;
			/* to the closing '>', past an internal subset [...] */
			while ((c = xr_peek(r, 0)) >= 0 && r->pos <= XML_PROLOG_MAX)
			{
				if (!quote && depth > 0 && xr_match(r, "<!--", false))
				{
					if (!xr_skip_past(r, "-->"))
						return false;
					continue;
				}
				xr_skip(r, 1);
				if (quote)
				{
					if (c == quote)
						quote = 0;
				}
				else if (c == '"' || c == '\'')
					quote = c;
				else if (c == '[')
					depth++;
				else if (c == ']' && depth > 0)
					depth--;
				else if (c == '>' && depth == 0)
					break;
			}
			if (c != '>')
				return false;
		}
		else
			break;
	}
	xr_skip(r, 1);				/* '<' */
	while (xr_namechar(xr_peek(r, n)) && n + 1 < namesz)
	{
		name[n] = (char) xr_peek(r, n);
		n++;
	}
	name[n] = '\0';
	if (n == 0 || name[0] == ':' || name[0] == '-' || name[0] == '.' ||
		(name[0] >= '0' && name[0] <= '9'))
		return false;
	/* the name must end where a tag allows */
	{
		int			c = xr_peek(r, n);

		if (!(xr_space(c) || c == '>' || c == '/' || c < 0))
			return false;
	}
	return true;
}

/*
 * Detect XML by its root element: a format, or NULL and *what; *is_xml
 * false (and *what unset) when the bytes are not XML.
 */
static const bp_format *
detect_xml(const unsigned char *data, size_t len, const char **what,
		   bool *is_xml)
{
	static _Thread_local char desc[128];
	xml_reader	r;
	char		name[64];
	const char *local;
	bool		html_doctype;
	bp_sniff	sniff;
	const bp_format *f;

	*is_xml = false;
	memset(&r, 0, sizeof(r));
	r.data = data;
	r.len = len;
	r.unit = 1;
	if (starts(data, len, "\xEF\xBB\xBF", 3))
		r.pos = 3;
	else if (starts(data, len, "\xFF\xFE", 2))
	{
		r.pos = 2;
		r.unit = 2;
	}
	else if (starts(data, len, "\xFE\xFF", 2))
	{
		r.pos = 2;
		r.unit = 2;
		r.be = true;
	}
	else if (starts(data, len, "<\0", 2))
		r.unit = 2;
	else if (starts(data, len, "\0<", 2))
	{
		r.unit = 2;
		r.be = true;
	}
	if (!xml_root(&r, name, sizeof(name), &html_doctype))
		return NULL;
	*is_xml = true;
	local = strrchr(name, ':');
	local = local ? local + 1 : name;
	memset(&sniff, 0, sizeof(sniff));
	sniff.container = BP_CONTAINER_XML;
	sniff.xml_root = local;
	f = bp_format_detect(&sniff);
	if (f != NULL)
	{
		*what = f->description;
		return f;
	}
	if (bp_strcasecmp(local, "html") == 0 || html_doctype)
	{
		*what = "HTML document";
		return NULL;
	}
	snprintf(desc, sizeof(desc), "XML document (root <%s>)", name);
	*what = desc;
	return NULL;
}

/* ---- text ---- */

/*
 * Valid UTF-8 over [s, s+n)?  A sequence cut by the end of a sample
 * (cut_ok) still counts as valid.
 */
static bool
utf8_ok(const unsigned char *s, size_t n, bool cut_ok)
{
	size_t		i = 0;

	while (i < n)
	{
		unsigned char c = s[i];
		size_t		k;

		if (c < 0x80)
		{
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			k = 1;
		else if (c >= 0xE0 && c <= 0xEF)
			k = 2;
		else if (c >= 0xF0 && c <= 0xF4)
			k = 3;
		else
			return false;
		if (n - i <= k)
		{
			if (!cut_ok)
				return false;
			for (size_t j = i + 1; j < n; j++)
				if ((s[j] & 0xC0) != 0x80)
					return false;
			return true;
		}
		for (size_t j = 1; j <= k; j++)
			if ((s[i + j] & 0xC0) != 0x80)
				return false;
		/* overlongs and surrogates */
		if ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] >= 0xA0) ||
			(c == 0xF0 && s[i + 1] < 0x90) || (c == 0xF4 && s[i + 1] >= 0x90))
			return false;
		i += k + 1;
	}
	return true;
}

/*
 * Does the start look like text: no NUL in the first 64kB and at most 1%
 * control characters; valid UTF-8 or a single-byte encoding.
 */
static bool
looks_text(const unsigned char *data, size_t len)
{
	size_t		n = len < TEXT_SAMPLE ? len : TEXT_SAMPLE;
	size_t		ctrl = 0;

	if (n == 0)
		return false;
	if (memchr(data, 0, n) != NULL)
		return false;
	for (size_t i = 0; i < n; i++)
	{
		unsigned char c = data[i];

		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' &&
			 c != '\v' && c != 0x1A && c != 0x1B) || c == 0x7F)
			ctrl++;
	}
	if (ctrl * 100 > n)
		return false;
	if (utf8_ok(data, n, n < len))
		return true;

	/*
	 * Single-byte text (windows-1251, koi8-r, latin-1...): letters are
	 * mostly 0xC0..0xFF there; 0x80..0x9F (C1 controls in ISO 8859, a few
	 * quotes and dashes in windows-125x) are a small share of high bytes.
	 */
	{
		size_t		high = 0;
		size_t		c1 = 0;

		for (size_t i = 0; i < n; i++)
		{
			if (data[i] >= 0x80)
				high++;
			if (data[i] >= 0x80 && data[i] < 0xA0)
				c1++;
		}
		return high < 16 || c1 * 10 <= high * 3;
	}
}

/*
 * Detect the format of some bytes: its row of the registry (bp_format.c),
 * or NULL when it is not a book; *what says what the bytes look like (the
 * format's description for a book).  Never allocates; looks at content
 * only.
 */
const bp_format *
bp_detect(const unsigned char *data, size_t len, const char **what)
{
	const char *dummy;
	const bp_format *fmt;
	bool		is_xml;

	if (what == NULL)
		what = &dummy;
	*what = "binary data";
	if (data == NULL || len == 0)
	{
		*what = "empty file";
		return NULL;
	}

	/* zip archives by their first local header (or an empty/spanned one) */
	if (starts(data, len, "PK\003\004", 4) || starts(data, len, "PK\005\006", 4) ||
		starts(data, len, "PK\007\010PK\003\004", 8))
		return detect_zip(data, len, what);

	/* well-known signatures of things that are not books */
	*what = not_a_book(data, len);
	if (*what != NULL)
		return NULL;

	/* a zip with something before it (self-extractor) */
	if (has_zip_directory(data, len))
		return detect_zip(data, len, what);

	fmt = detect_xml(data, len, what, &is_xml);
	if (is_xml)
		return fmt;

	/* text: UTF-16 with a BOM, or no NULs and few control characters */
	if (starts(data, len, "\xFF\xFE", 2) || starts(data, len, "\xFE\xFF", 2) ||
		(starts(data, len, "\xEF\xBB\xBF", 3) ?
		 (len == 3 || looks_text(data + 3, len - 3)) : looks_text(data, len)))
	{
		bp_sniff	sniff;

		memset(&sniff, 0, sizeof(sniff));
		sniff.container = BP_CONTAINER_TEXT;
		fmt = bp_format_detect(&sniff);
		if (fmt != NULL)
		{
			*what = fmt->description;
			return fmt;
		}
	}
	*what = "binary data";
	return NULL;
}

/* Detect the format of some bytes by name: see bookparse_core.h. */
const char *
bp_detect_format(const unsigned char *data, size_t len, const char **what)
{
	const bp_format *fmt = bp_detect(data, len, what);

	return fmt != NULL ? fmt->name : NULL;
}

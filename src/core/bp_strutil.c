/*-------------------------------------------------------------------------
 *
 * bp_strutil.c
 *	  Small string helpers: UTF-8 validation and decoding, whitespace
 *	  cleaning, ASCII case-insensitive comparison.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "bp_internal.h"

/* Is c ASCII whitespace? */
static inline bool
is_ascii_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Trimmed copy with whitespace runs (ASCII and NBSP) collapsed; NULL if empty. */
char *
bp_clean_space(bp_ctx *ctx, const char *s, size_t len)
{
	char	   *out;
	size_t		i;
	size_t		o = 0;
	bool		space = false;

	if (s == NULL)
		return NULL;
	out = bp_alloc(ctx, len + 1);
	if (out == NULL)
		return NULL;
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c == '\0')
			continue;
		if (is_ascii_space(c) ||
			(c == 0xC2 && i + 1 < len && (unsigned char) s[i + 1] == 0xA0))
		{
			if (c == 0xC2)
				i++;
			space = (o > 0);
			continue;
		}
		if (space)
		{
			out[o++] = ' ';
			space = false;
		}
		out[o++] = (char) c;
	}
	out[o] = '\0';
	if (o == 0)
	{
		bp_free(ctx, out);
		return NULL;
	}
	return out;
}

/* ASCII case-insensitive comparison. */
int
bp_strcasecmp(const char *a, const char *b)
{
	for (;; a++, b++)
	{
		int			ca = (unsigned char) *a;
		int			cb = (unsigned char) *b;

		if (ca >= 'A' && ca <= 'Z')
			ca += 'a' - 'A';
		if (cb >= 'A' && cb <= 'Z')
			cb += 'a' - 'A';
		if (ca != cb || ca == 0)
			return ca - cb;
	}
}

/* Does s end with suffix, ignoring ASCII case? */
bool
bp_has_suffix_ci(const char *s, const char *suffix)
{
	size_t		ls = strlen(s);
	size_t		lx = strlen(suffix);

	return ls >= lx && bp_strcasecmp(s + ls - lx, suffix) == 0;
}

/* Does the space-separated list s contain tok (also as "prefix:tok")? */
bool
bp_has_token(const char *s, const char *tok)
{
	size_t		n = strlen(tok);

	while (s != NULL && *s)
	{
		const char *e;

		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		e = s;
		while (*e && *e != ' ' && *e != '\t' && *e != '\n' && *e != '\r')
			e++;
		if ((size_t) (e - s) == n && strncmp(s, tok, n) == 0)
			return true;
		/* "epub:toc"-style prefixed tokens */
		if ((size_t) (e - s) > n && *(e - n - 1) == ':' &&
			strncmp(e - n, tok, n) == 0)
			return true;
		s = e;
	}
	return false;
}

/* Decode one UTF-8 sequence; bytes used, or 0 when invalid (overlong, surrogate...). */
int
bp_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char c = s[0];
	uint32_t	v;
	int			n;
	int			i;

	if (c < 0x80)
	{
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF)
	{
		n = 2;
		v = c & 0x1F;
	}
	else if (c >= 0xE0 && c <= 0xEF)
	{
		n = 3;
		v = c & 0x0F;
	}
	else if (c >= 0xF0 && c <= 0xF4)
	{
		n = 4;
		v = c & 0x07;
	}
	else
		return 0;
	if (len < (size_t) n)
		return 0;
	for (i = 1; i < n; i++)
	{
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
		(v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return n;
}

/* Is [s, s+len) valid UTF-8 without NUL bytes? */
bool
bp_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t		i = 0;

	while (i < len)
	{
		uint32_t	cp;
		int			n;

		if (p[i] < 0x80)
		{
			if (p[i] == 0)
				return false;
			i++;
			/* then ASCII without NUL 8 bytes at a time */
			while (len - i >= 8)
			{
				uint64_t	v;

				memcpy(&v, p + i, 8);
				if ((v & UINT64_C(0x8080808080808080)) ||
					((v - UINT64_C(0x0101010101010101)) & ~v &
					 UINT64_C(0x8080808080808080)))
					break;
				i += 8;
			}
			continue;
		}
		n = bp_utf8_decode(p + i, len - i, &cp);
		if (n == 0)
			return false;
		i += (size_t) n;
	}
	return true;
}

/* Append code point cp as UTF-8. */
bool
bp_buf_put_cp(bp_buf *buf, uint32_t cp)
{
	char		tmp[4];
	size_t		n;

	if (cp < 0x80)
	{
		tmp[0] = (char) cp;
		n = 1;
	}
	else if (cp < 0x800)
	{
		tmp[0] = (char) (0xC0 | (cp >> 6));
		tmp[1] = (char) (0x80 | (cp & 0x3F));
		n = 2;
	}
	else if (cp < 0x10000)
	{
		tmp[0] = (char) (0xE0 | (cp >> 12));
		tmp[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
		tmp[2] = (char) (0x80 | (cp & 0x3F));
		n = 3;
	}
	else
	{
		tmp[0] = (char) (0xF0 | (cp >> 18));
		tmp[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
		tmp[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
		tmp[3] = (char) (0x80 | (cp & 0x3F));
		n = 4;
	}
	return bp_buf_append(buf, tmp, n);
}

/*-------------------------------------------------------------------------
 *
 * bp_path.c
 *	  Resolving hrefs inside a book (EPUB) to zip entry paths.
 *
 * An href is taken relative to the document that holds it, percent-decoded
 * and normalised ("a/./b/../c" -> "a/c").  Hrefs with a scheme (http:,
 * file:, data:, a drive letter) never resolve: nothing is ever read from
 * disk or the network.  A "../" that would climb above the zip root is
 * clamped there; a leading "/" means the zip root.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "bp_internal.h"

/* Value of a hex digit, or -1. */
static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decode [s, s+len) onto buf; false on %00, on escapes that decode
 * to bytes that are not UTF-8 (no name in the book can match them, and
 * they must not reach the stored text), or out of memory.
 */
static bool
pct_decode(bp_buf *buf, const char *s, size_t len)
{
	size_t		start = buf->len;
	size_t		i;

	for (i = 0; i < len; i++)
	{
		char		c = s[i];

		if (c == '%' && i + 2 < len &&
			hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0)
		{
			c = (char) (hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
			if (c == '\0')
				return false;
		}
		if (!bp_buf_putc(buf, c))
			return false;
	}
	return buf->data == NULL || bp_utf8_valid(buf->data + start, buf->len - start);
}

/* Does href start with a URI scheme ("http:", "file:", "C:")? */
static bool
has_scheme(const char *s, size_t len)
{
	size_t		i;

	if (len == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	for (i = 1; i < len; i++)
	{
		char		c = s[i];

		if (c == ':')
			return true;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))
			return false;
	}
	return false;
}

/* Directory part of a zip path, with its trailing '/' ("" at the root). */
char *
bp_path_dir(bp_ctx *ctx, const char *path)
{
	const char *slash;

	if (path == NULL)
		return bp_strdup(ctx, "");
	slash = strrchr(path, '/');
	if (slash == NULL)
		return bp_strdup(ctx, "");
	return bp_strndup(ctx, path, (size_t) (slash - path) + 1);
}

/* Resolve href relative to base_file; see bp_internal.h. */
char *
bp_path_resolve(bp_ctx *ctx, const char *base_file, const char *href,
				char **fragment, unsigned *status)
{
	const char *s,
			   *e,
			   *hash,
			   *q;
	size_t		plen;
	bp_buf		raw,
				out;
	size_t		i;
	unsigned	st = 0;
	char	   *result = NULL;
	size_t	   *segs = NULL;
	int			nsegs = 0;

	if (fragment)
		*fragment = NULL;
	if (status)
		*status = 0;
	if (href == NULL || bp_failed(ctx))
		return NULL;

	/* trim */
	s = href;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		e--;
	if (e == s)
	{
		if (status)
			*status = BP_PATH_EMPTY;
		return NULL;
	}
	if (has_scheme(s, (size_t) (e - s)) || (e - s >= 2 && s[0] == '/' && s[1] == '/'))
	{
		if (status)
			*status = BP_PATH_REMOTE;
		return NULL;
	}

	hash = memchr(s, '#', (size_t) (e - s));
	q = memchr(s, '?', (size_t) ((hash ? hash : e) - s));
	plen = (size_t) ((q ? q : (hash ? hash : e)) - s);

	if (hash != NULL && fragment != NULL && hash + 1 < e)
	{
		bp_buf		fb;

		bp_buf_init(&fb, ctx);
		if (pct_decode(&fb, hash + 1, (size_t) (e - hash - 1)) && fb.len > 0)
			*fragment = bp_buf_steal(&fb, NULL);
		else
			bp_buf_free(&fb);
	}
	if (hash != NULL)
		st |= BP_PATH_FRAGMENT;

	bp_buf_init(&raw, ctx);
	bp_buf_init(&out, ctx);
	if (plen == 0)
	{
		/* "#frag" or "?q": the base document itself */
		if (base_file == NULL || !bp_buf_puts(&raw, base_file))
			goto fail;
	}
	else
	{
		if (s[0] != '/' && s[0] != '\\' && base_file != NULL)
		{
			const char *slash = strrchr(base_file, '/');

			if (slash != NULL &&
				!bp_buf_append(&raw, base_file, (size_t) (slash - base_file) + 1))
				goto fail;
		}
		else if (s[0] == '/' || s[0] == '\\')
			st |= BP_PATH_ABSOLUTE;
		if (!pct_decode(&raw, s, plen))
			goto fail;
	}
	if (raw.data == NULL)
		goto fail;
	for (i = 0; i < raw.len; i++)
		if (raw.data[i] == '\\')
			raw.data[i] = '/';

	/* normalise segments; segs holds the output length before each one */
	segs = bp_alloc(ctx, (raw.len / 2 + 2) * sizeof(size_t));
	if (segs == NULL)
		goto fail;
	i = 0;
	while (i < raw.len)
	{
		size_t		j = i;
		size_t		n;

		while (j < raw.len && raw.data[j] != '/')
			j++;
		n = j - i;
		if (n == 0 || (n == 1 && raw.data[i] == '.'))
		{
			/* empty or "." */
		}
		else if (n == 2 && raw.data[i] == '.' && raw.data[i + 1] == '.')
		{
			if (nsegs > 0)
			{
				nsegs--;
				out.len = segs[nsegs];
				if (out.data)
					out.data[out.len] = '\0';
			}
			else
				st |= BP_PATH_CLAMPED;
		}
		else
		{
			segs[nsegs++] = out.len;
			if ((out.len > 0 && !bp_buf_putc(&out, '/')) ||
				!bp_buf_append(&out, raw.data + i, n))
				goto fail;
		}
		i = j + 1;
	}
	if (out.len == 0)
	{
		st |= BP_PATH_EMPTY;
		goto fail;
	}
	result = bp_buf_steal(&out, NULL);

fail:
	if (segs)
		bp_free(ctx, segs);
	bp_buf_free(&raw);
	bp_buf_free(&out);
	if (result == NULL && fragment != NULL && *fragment != NULL)
	{
		bp_free(ctx, *fragment);
		*fragment = NULL;
	}
	if (status)
		*status = st;
	return result;
}

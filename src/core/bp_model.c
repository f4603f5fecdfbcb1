/*-------------------------------------------------------------------------
 *
 * bp_model.c
 *	  Filling the book model: creators, identifiers (with ISBN
 *	  recognition), subjects, metadata strings, TOC entries and assets.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "bp_internal.h"

/* Add a creator (author, translator, ...); empty names are ignored. */
bool
bp_meta_add_creator(bp_ctx *ctx, const char *name, const char *role,
					const char *file_as)
{
	bp_metadata *m = &ctx->book->meta;
	bp_creator *c;
	char	   *clean;

	if (name == NULL)
		return !bp_failed(ctx);
	clean = bp_clean_space(ctx, name, strlen(name));
	if (clean == NULL)
		return !bp_failed(ctx);
	m->creators = bp_array_grow(ctx, m->creators, &ctx->creators_cap,
								m->ncreators + 1, sizeof(bp_creator));
	if (m->creators == NULL)
		return false;
	c = &m->creators[m->ncreators];
	c->name = clean;
	c->role = role ? bp_clean_space(ctx, role, strlen(role)) : NULL;
	c->file_as = file_as ? bp_clean_space(ctx, file_as, strlen(file_as)) : NULL;
	if (bp_failed(ctx))
		return false;
	m->ncreators++;
	return true;
}

/* Normalised ISBN-10/13 of s (digits, X), or NULL when not a valid ISBN. */
char *
bp_isbn_normalise(bp_ctx *ctx, const char *s)
{
	char		d[14];
	int			n = 0;
	int			i;
	const char *p = s;

	if (s == NULL)
		return NULL;
	/* skip prefixes such as "urn:isbn:" or "ISBN " */
	if (bp_strcasecmp(s, "") != 0)
	{
		const char *q = s;

		while (*q == ' ')
			q++;
		if (strncmp(q, "urn:isbn:", 9) == 0 || strncmp(q, "URN:ISBN:", 9) == 0)
			q += 9;
		else if ((q[0] == 'I' || q[0] == 'i') && (q[1] == 'S' || q[1] == 's') &&
				 (q[2] == 'B' || q[2] == 'b') && (q[3] == 'N' || q[3] == 'n'))
		{
			q += 4;
			while (*q == ':' || *q == ' ' || *q == '-')
				q++;
		}
		p = q;
	}
	for (; *p; p++)
	{
		if (*p >= '0' && *p <= '9')
		{
			if (n >= 13)
				return NULL;
			d[n++] = *p;
		}
		else if ((*p == 'X' || *p == 'x') && n == 9)
			d[n++] = 'X';
		else if (*p == '-' || *p == ' ')
			continue;
		else
			return NULL;
	}
	d[n] = '\0';
	if (n == 10)
	{
		int			sum = 0;

		for (i = 0; i < 10; i++)
			sum += (10 - i) * (d[i] == 'X' ? 10 : d[i] - '0');
		if (sum % 11 != 0)
			return NULL;
	}
	else if (n == 13)
	{
		int			sum = 0;

		if (strchr(d, 'X'))
			return NULL;
		for (i = 0; i < 13; i++)
			sum += (i % 2 ? 3 : 1) * (d[i] - '0');
		if (sum % 10 != 0)
			return NULL;
	}
	else
		return NULL;
	return bp_strdup(ctx, d);
}

/* Add an identifier; the first valid ISBN also becomes meta.isbn. */
bool
bp_meta_add_identifier(bp_ctx *ctx, const char *scheme, const char *value)
{
	bp_metadata *m = &ctx->book->meta;
	bp_identifier *id;
	char	   *clean;
	char	   *isbn;

	if (value == NULL)
		return !bp_failed(ctx);
	clean = bp_clean_space(ctx, value, strlen(value));
	if (clean == NULL)
		return !bp_failed(ctx);
	m->identifiers = bp_array_grow(ctx, m->identifiers, &ctx->identifiers_cap,
								   m->nidentifiers + 1, sizeof(bp_identifier));
	if (m->identifiers == NULL)
		return false;
	id = &m->identifiers[m->nidentifiers];
	id->value = clean;
	id->scheme = NULL;
	isbn = bp_isbn_normalise(ctx, clean);
	if (isbn != NULL)
	{
		id->scheme = bp_strdup(ctx, "isbn");
		if (m->isbn == NULL)
			m->isbn = isbn;
	}
	else if (scheme != NULL && *scheme)
	{
		char	   *sc = bp_clean_space(ctx, scheme, strlen(scheme));
		char	   *q;

		for (q = sc; q && *q; q++)
			if (*q >= 'A' && *q <= 'Z')
				*q += 'a' - 'A';
		id->scheme = sc;
	}
	else if (strncmp(clean, "urn:uuid:", 9) == 0)
		id->scheme = bp_strdup(ctx, "uuid");
	else if (strncmp(clean, "http://", 7) == 0 || strncmp(clean, "https://", 8) == 0)
		id->scheme = bp_strdup(ctx, "uri");
	if (bp_failed(ctx))
		return false;
	m->nidentifiers++;
	return true;
}

/* Add a subject (genre, keyword); duplicates are skipped. */
bool
bp_meta_add_subject(bp_ctx *ctx, const char *subject)
{
	bp_metadata *m = &ctx->book->meta;
	char	   *clean;
	int			i;

	if (subject == NULL)
		return !bp_failed(ctx);
	clean = bp_clean_space(ctx, subject, strlen(subject));
	if (clean == NULL)
		return !bp_failed(ctx);
	for (i = 0; i < m->nsubjects; i++)
		if (strcmp(m->subjects[i], clean) == 0)
			return true;
	m->subjects = bp_array_grow(ctx, m->subjects, &ctx->subjects_cap,
								m->nsubjects + 1, sizeof(char *));
	if (m->subjects == NULL)
		return false;
	m->subjects[m->nsubjects++] = clean;
	return true;
}

/* Set a metadata string if it is still unset (whitespace cleaned). */
bool
bp_meta_set(bp_ctx *ctx, char **field, const char *value)
{
	if (*field != NULL || value == NULL)
		return !bp_failed(ctx);
	*field = bp_clean_space(ctx, value, strlen(value));
	return !bp_failed(ctx);
}

/* Record a TOC entry as found in the book. */
bool
bp_toc_add(bp_ctx *ctx, const char *title, const char *href, int depth)
{
	bp_book    *b = ctx->book;
	bp_toc_entry *e;

	b->toc = bp_array_grow(ctx, b->toc, &ctx->toc_cap, b->ntoc + 1,
						   sizeof(bp_toc_entry));
	if (b->toc == NULL)
		return false;
	e = &b->toc[b->ntoc];
	e->title = title ? bp_clean_space(ctx, title, strlen(title)) : NULL;
	e->href = href ? bp_strdup(ctx, href) : NULL;
	e->depth = depth < 1 ? 1 : depth;
	if (bp_failed(ctx))
		return false;
	b->ntoc++;
	return true;
}

/* Index of the asset with this href, or -1. */
int
bp_asset_find(bp_ctx *ctx, const char *href)
{
	int			i;

	if (href == NULL)
		return -1;
	for (i = 0; i < ctx->book->nassets; i++)
		if (strcmp(ctx->book->assets[i].href, href) == 0)
			return i;
	return -1;
}

/* Add an asset (data copied when given); returns its index or -1. */
int
bp_asset_add(bp_ctx *ctx, const char *href, const char *media_type,
			 const unsigned char *data, size_t size, bool is_cover)
{
	bp_book    *b = ctx->book;
	bp_asset   *a;
	int			i;

	if (href == NULL || bp_failed(ctx))
		return -1;
	i = bp_asset_find(ctx, href);
	if (i >= 0)
	{
		if (is_cover)
			b->assets[i].is_cover = true;
		return i;
	}
	b->assets = bp_array_grow(ctx, b->assets, &ctx->assets_cap, b->nassets + 1,
							  sizeof(bp_asset));
	if (b->assets == NULL)
		return -1;
	a = &b->assets[b->nassets];
	memset(a, 0, sizeof(*a));
	a->href = bp_strdup(ctx, href);
	a->media_type = media_type ? bp_strdup(ctx, media_type) : NULL;
	a->size = size;
	a->is_cover = is_cover;
	if (data != NULL)
	{
		a->data = bp_alloc(ctx, size > 0 ? size : 1);
		if (a->data && size > 0)
			memcpy(a->data, data, size);
	}
	if (bp_failed(ctx))
		return -1;
	return b->nassets++;
}

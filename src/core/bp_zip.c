/*-------------------------------------------------------------------------
 *
 * bp_zip.c
 *	  A zip reader on zlib for untrusted archives held in memory.
 *
 * What it reads: the End Of Central Directory record (found by scanning
 * backwards over at most 65535+22 bytes), the ZIP64 locator and record,
 * ZIP64 extra fields (0x0001) in central headers, stored (0) and deflate
 * (8) entries, data descriptors, and archives with data prepended (the
 * central directory is looked for where the end record says, then right
 * before the end record).
 *
 * Every offset and length the archive claims is checked against the real
 * buffer before use; no allocation is sized by a claimed number alone.
 *
 * Overlapping entries: when the data of one entry reaches into another
 * entry's local header or data (the trick of zip bombs that reuse one
 * compressed stream for many entries), bp_zip_open FAILS the whole archive
 * with BP_ERR_CORRUPT ("overlapping entries").  No legitimate zip writer
 * produces them.  Two central records that point at the very same local
 * header (one stream read under many names) fail the same way.
 *
 * Names are UTF-8 when the bytes are valid UTF-8 (whatever flag bit 11
 * says); otherwise they are converted from CP437, with one
 * "zip_name_not_utf8" warning per archive.  Entries of the same name are
 * all kept (warning "zip_duplicate_entry"); bp_zip_find returns the first
 * in central directory order.
 *
 *-------------------------------------------------------------------------
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bp_zip_int.h"

/* A data range of an entry, for the overlap check. */
typedef struct zip_range
{
	uint64_t	start;			/* local header offset */
	uint64_t	end;			/* end of the compressed data */
	int			idx;
} zip_range;

/* A name and its entry index, for sorting. */
typedef struct zip_sortkey
{
	const char *name;
	int			idx;
} zip_sortkey;

/* CP437 bytes 0x80..0xFF as Unicode code points. */
static const uint16_t cp437_high[128] = {
	0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7,
	0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5,
	0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9,
	0x00FF, 0x00D6, 0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192,
	0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA,
	0x00BF, 0x2310, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,
	0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556,
	0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510,
	0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F,
	0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567,
	0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B,
	0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580,
	0x03B1, 0x00DF, 0x0393, 0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4,
	0x03A6, 0x0398, 0x03A9, 0x03B4, 0x221E, 0x03C6, 0x03B5, 0x2229,
	0x2261, 0x00B1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00F7, 0x2248,
	0x00B0, 0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0,
};

/* Is there a 32-bit signature sig at off, with need bytes after it? */
static bool
zip_sig_at(const unsigned char *data, size_t len, uint64_t off, size_t need,
		   uint32_t sig)
{
	if (off > len || len - off < need || need < 4)
		return false;
	return rd32(data + off) == sig;
}

/* Is [s, s+n) valid UTF-8 without NUL, overlongs or surrogates? */
static bool
zip_utf8_valid(const unsigned char *s, size_t n)
{
	size_t		i = 0;

	while (i < n)
	{
		unsigned char c = s[i];
		size_t		k;
		uint32_t	cp;
		uint32_t	min;

		if (c == 0)
			return false;
		if (c < 0x80)
		{
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
		{
			k = 1;
			cp = c & 0x1F;
			min = 0x80;
		}
		else if (c >= 0xE0 && c <= 0xEF)
		{
			k = 2;
			cp = c & 0x0F;
			min = 0x800;
		}
		else if (c >= 0xF0 && c <= 0xF4)
		{
			k = 3;
			cp = c & 0x07;
			min = 0x10000;
		}
		else
			return false;
		if (n - i <= k)
			return false;
		for (size_t j = 1; j <= k; j++)
		{
			if ((s[i + j] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + j] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += k + 1;
	}
	return true;
}

/* Make an entry name: UTF-8 as is, anything else converted from CP437. */
char *
bp_zip_make_name(bp_zip *zip, const unsigned char *s, size_t n,
				 bool *warned)
{
	bp_ctx	   *ctx = zip->ctx;
	char	   *out;
	size_t		o = 0;

	if (zip_utf8_valid(s, n))
		return bp_strndup(ctx, (const char *) s, n);

	/* at most 3 bytes of UTF-8 per CP437 byte */
	out = bp_alloc(ctx, n * 3 + 1);
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
	{
		uint32_t	cp = s[i] < 0x80 ? s[i] : cp437_high[s[i] - 0x80];

		if (cp == 0)
			cp = 0xFFFD;
		if (cp < 0x80)
			out[o++] = (char) cp;
		else if (cp < 0x800)
		{
			out[o++] = (char) (0xC0 | (cp >> 6));
			out[o++] = (char) (0x80 | (cp & 0x3F));
		}
		else
		{
			out[o++] = (char) (0xE0 | (cp >> 12));
			out[o++] = (char) (0x80 | ((cp >> 6) & 0x3F));
			out[o++] = (char) (0x80 | (cp & 0x3F));
		}
	}
	out[o] = '\0';
	if (!*warned)
	{
		*warned = true;
		bp_warn(ctx, "zip_name_not_utf8",
				"zip entry name \"%s\" is not UTF-8; read it as CP437", out);
	}
	return out;
}

/*
 * Find the End Of Central Directory record: scan backwards from the end
 * over at most 65535+22 bytes.  A candidate counts only when its comment
 * fits in the buffer and its directory size fits before it.  Returns the
 * offset, or -1.
 */
static int64_t
zip_find_eocd(const unsigned char *data, size_t len)
{
	size_t		pos;
	size_t		lowest;

	if (len < ZIP_EOCD_SIZE)
		return -1;
	pos = len - ZIP_EOCD_SIZE;
	lowest = pos > 65535 ? pos - 65535 : 0;
	for (;;)
	{
		if (data[pos] == 'P' && rd32(data + pos) == ZIP_SIG_EOCD)
		{
			uint32_t	clen = rd16(data + pos + 20);
			uint32_t	cdsize = rd32(data + pos + 12);

			if (len - pos - ZIP_EOCD_SIZE >= clen &&
				(cdsize == 0xFFFFFFFFu || cdsize <= pos))
				return (int64_t) pos;
		}
		if (pos == lowest)
			break;
		pos--;
	}
	return -1;
}

/* Append an entry to zip->entries (growing it); false when ctx failed. */
bool
bp_zip_add_entry(bp_zip *zip, int *cap, const bp_zip_entry *e)
{
	bp_ctx	   *ctx = zip->ctx;
	int			max = ctx->opts.max_entries > 0 ? ctx->opts.max_entries : INT_MAX - 1;

	if (zip->nentries >= max)
	{
		char		bound[32];

		snprintf(bound, sizeof(bound), "%d zip entries", max);
		return bp_fail_bound(ctx, NULL, bound,
							 "zip archive has more than %d entries (the limit on entries)",
							 max);
	}
	zip->entries = bp_array_grow(ctx, zip->entries, cap, zip->nentries + 1,
								 sizeof(bp_zip_entry));
	if (zip->entries == NULL)
		return false;
	zip->entries[zip->nentries++] = *e;
	return true;
}

/* Free the entries read so far (keeps zip->ctx, data and len). */
static void
zip_free_entries(bp_zip *zip)
{
	for (int i = 0; i < zip->nentries; i++)
		bp_free(zip->ctx, zip->entries[i].name);
	if (zip->entries)
		bp_free(zip->ctx, zip->entries);
	if (zip->sorted)
		bp_free(zip->ctx, zip->sorted);
	zip->entries = NULL;
	zip->sorted = NULL;
	zip->nentries = 0;
}

/*
 * Apply a ZIP64 extended information extra field (0x0001) found in
 * [x, x+xlen) to the sizes and offset that were 0xFFFFFFFF.
 */
void
bp_zip_apply_zip64(const unsigned char *x, size_t xlen, uint64_t *usize,
				   uint64_t *csize, uint64_t *offset)
{
	size_t		i = 0;

	while (xlen - i >= 4)
	{
		uint32_t	id = rd16(x + i);
		size_t		sz = rd16(x + i + 2);
		const unsigned char *f = x + i + 4;
		size_t		o = 0;

		if (sz > xlen - i - 4)
			return;
		if (id == 0x0001)
		{
			if (*usize == 0xFFFFFFFFu && sz - o >= 8)
			{
				*usize = rd64(f + o);
				o += 8;
			}
			if (*csize == 0xFFFFFFFFu && sz - o >= 8)
			{
				*csize = rd64(f + o);
				o += 8;
			}
			if (offset && *offset == 0xFFFFFFFFu && sz - o >= 8)
				*offset = rd64(f + o);
			return;
		}
		i += 4 + sz;
	}
}

/*
 * Read the central directory.  Returns false with *why set when it cannot
 * be read whole (the caller then recovers from local headers), or false
 * with ctx failed (limit, memory).
 */
static bool
zip_read_central(bp_zip *zip, const char **why)
{
	bp_ctx	   *ctx = zip->ctx;
	const unsigned char *data = zip->data;
	size_t		len = zip->len;
	int64_t		eocd = zip_find_eocd(data, len);
	uint64_t	total;
	uint64_t	cdsize;
	uint64_t	cdoff;
	uint64_t	limit;
	uint64_t	cdstart;
	int64_t		bias = 0;
	size_t		p;
	size_t		end;
	int			cap = 0;
	bool		warned_name = false;

	if (eocd < 0)
	{
		*why = "no end of central directory record";
		return false;
	}
	total = rd16(data + eocd + 10);
	cdsize = rd32(data + eocd + 12);
	cdoff = rd32(data + eocd + 16);
	limit = (uint64_t) eocd;

	/* ZIP64: a locator right before the end record points at the record */
	if (eocd >= ZIP_LOCATOR64_SIZE &&
		rd32(data + eocd - ZIP_LOCATOR64_SIZE) == ZIP_SIG_LOCATOR64)
	{
		uint64_t	loc = (uint64_t) eocd - ZIP_LOCATOR64_SIZE;
		uint64_t	r64 = rd64(data + loc + 8);

		if (!zip_sig_at(data, len, r64, ZIP_EOCD64_SIZE, ZIP_SIG_EOCD64) ||
			r64 + ZIP_EOCD64_SIZE > loc)
		{
			/* data prepended to the archive: the record is right before */
			r64 = loc >= ZIP_EOCD64_SIZE ? loc - ZIP_EOCD64_SIZE : 0;
			if (!zip_sig_at(data, len, r64, ZIP_EOCD64_SIZE, ZIP_SIG_EOCD64))
			{
				*why = "the ZIP64 end of central directory record is missing";
				return false;
			}
		}
		total = rd64(data + r64 + 32);
		cdsize = rd64(data + r64 + 40);
		cdoff = rd64(data + r64 + 48);
		limit = r64;
	}
	else if (total == 0xFFFF || cdsize == 0xFFFFFFFFu || cdoff == 0xFFFFFFFFu)
	{
		*why = "the ZIP64 end of central directory locator is missing";
		return false;
	}

	if (cdsize > limit)
	{
		*why = "the central directory is larger than the archive";
		return false;
	}
	if (cdoff <= limit - cdsize &&
		(cdsize == 0 || zip_sig_at(data, len, cdoff, ZIP_CENTRAL_SIZE, ZIP_SIG_CENTRAL)))
		cdstart = cdoff;
	else if (cdsize > 0 &&
			 zip_sig_at(data, len, limit - cdsize, ZIP_CENTRAL_SIZE, ZIP_SIG_CENTRAL))
	{
		/* bytes prepended (self-extractor) or removed: shift all offsets */
		cdstart = limit - cdsize;
		bias = (int64_t) cdstart - (int64_t) cdoff;
	}
	else
	{
		*why = "the central directory is not where the end record says";
		return false;
	}

	p = (size_t) cdstart;
	end = (size_t) (cdstart + cdsize);
	while (end - p >= ZIP_CENTRAL_SIZE && rd32(data + p) == ZIP_SIG_CENTRAL)
	{
		const unsigned char *h = data + p;
		size_t		nlen = rd16(h + 28);
		size_t		xlen = rd16(h + 30);
		size_t		clen = rd16(h + 32);
		bp_zip_entry e;
		uint64_t	off;

		if (end - p - ZIP_CENTRAL_SIZE < nlen + xlen + clen)
		{
			*why = "the central directory is truncated";
			return false;
		}
		memset(&e, 0, sizeof(e));
		e.flags = (uint16_t) rd16(h + 8);
		e.method = (uint16_t) rd16(h + 10);
		e.crc32 = rd32(h + 16);
		e.comp_size = rd32(h + 20);
		e.uncomp_size = rd32(h + 24);
		off = rd32(h + 42);
		bp_zip_apply_zip64(h + ZIP_CENTRAL_SIZE + nlen, xlen,
						&e.uncomp_size, &e.comp_size, &off);
		if (bias < 0 && off < (uint64_t) (-bias))
			off = UINT64_MAX;	/* unreadable; reading it reports that */
		else
			off = (uint64_t) ((int64_t) off + bias);
		e.local_offset = off;
		e.encrypted = (e.flags & ZIP_FLAG_ENCRYPTED) != 0;
		e.name = bp_zip_make_name(zip, h + ZIP_CENTRAL_SIZE, nlen, &warned_name);
		if (e.name == NULL)
			return false;
		if (!bp_zip_add_entry(zip, &cap, &e))
		{
			bp_free(ctx, e.name);
			return false;
		}
		p += ZIP_CENTRAL_SIZE + nlen + xlen + clen;
	}

	/* counts over 65535 wrap in archives written without ZIP64 */
	if ((uint64_t) zip->nentries != total &&
		((uint64_t) zip->nentries & 0xFFFF) != total)
	{
		*why = "the central directory has fewer entries than the end record says";
		return false;
	}
	return true;
}

/*
 * Offset of the data of an entry, from its local header (whose name and
 * extra lengths are the ones that count).  false with *why when the local
 * header is not there or not whole.
 */
bool
bp_zip_local_data(const bp_zip *zip, const bp_zip_entry *e, uint64_t *start,
				  const char **why)
{
	uint64_t	off = e->local_offset;
	const unsigned char *h;

	if (off > zip->len || zip->len - off < ZIP_LOCAL_SIZE)
	{
		*why = "its local header lies beyond the end of the archive";
		return false;
	}
	h = zip->data + off;
	if (rd32(h) != ZIP_SIG_LOCAL)
	{
		*why = "there is no local header where the central directory says";
		return false;
	}
	if (zip->len - off - ZIP_LOCAL_SIZE < (uint64_t) rd16(h + 26) + rd16(h + 28))
	{
		*why = "its local header is truncated";
		return false;
	}
	*start = off + ZIP_LOCAL_SIZE + rd16(h + 26) + rd16(h + 28);
	return true;
}

/* qsort comparator of ranges: by start, then index. */
static int
zip_range_cmp(const void *a, const void *b)
{
	const zip_range *x = a;
	const zip_range *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->idx - y->idx;
}

/*
 * Free the ranges r and fail the archive: entries a and b overlap (same:
 * their central records name one local header; else a's data reaches
 * into b).
 */
static bool
zip_fail_overlap(bp_zip *zip, zip_range *r, int a, int b, bool same)
{
	const char *na = zip->entries[a].name;
	const char *nb = zip->entries[b].name;

	bp_free(zip->ctx, r);
	if (same)
		return bp_fail(zip->ctx, BP_ERR_CORRUPT,
					   "corrupt zip archive: overlapping entries (\"%s\" and \"%s\" "
					   "share one local header; a zip bomb?)", na, nb);
	return bp_fail(zip->ctx, BP_ERR_CORRUPT,
				   "corrupt zip archive: overlapping entries (the data of \"%s\" "
				   "reaches into \"%s\"; a zip bomb?)", na, nb);
}

/*
 * Compare local headers with the central directory (sizes: the central
 * directory wins, warning "zip_size_mismatch") and fail on entries whose
 * data overlap.
 */
static bool
zip_check_entries(bp_zip *zip)
{
	bp_ctx	   *ctx = zip->ctx;
	zip_range  *r;
	int			nr = 0;
	uint64_t	max_end = 0;
	int			max_idx = -1;
	uint64_t	prev_start = UINT64_MAX;
	int			prev_idx = -1;

	if (zip->nentries == 0)
		return true;
	r = bp_alloc(ctx, sizeof(zip_range) * (size_t) zip->nentries);
	if (r == NULL)
		return false;
	for (int i = 0; i < zip->nentries; i++)
	{
		const bp_zip_entry *e = &zip->entries[i];
		uint64_t	start;
		const char *why;
		const unsigned char *h;

		if (!bp_zip_local_data(zip, e, &start, &why))
			continue;			/* reported when the entry is read */
		h = zip->data + e->local_offset;
		if (!zip->recovered && !(rd16(h + 6) & ZIP_FLAG_DESCRIPTOR))
		{
			uint64_t	lc = rd32(h + 18);
			uint64_t	lu = rd32(h + 22);

			if (lc != 0xFFFFFFFFu && lu != 0xFFFFFFFFu &&
				(lc != e->comp_size || lu != e->uncomp_size))
				bp_warn(ctx, "zip_size_mismatch",
						"zip entry \"%s\": the local header says %llu/%llu bytes "
						"(compressed/uncompressed), the central directory %llu/%llu; "
						"using the central directory",
						e->name, (unsigned long long) lc, (unsigned long long) lu,
						(unsigned long long) e->comp_size,
						(unsigned long long) e->uncomp_size);
		}
		r[nr].start = e->local_offset;
		r[nr].end = start + (e->comp_size < zip->len - start ?
							 e->comp_size : zip->len - start);
		r[nr].idx = i;
		nr++;
	}
	qsort(r, (size_t) nr, sizeof(zip_range), zip_range_cmp);
	for (int i = 0; i < nr; i++)
	{
		if (r[i].start == prev_start)
			return zip_fail_overlap(zip, r, prev_idx, r[i].idx, true);
		if (max_idx >= 0 && r[i].start < max_end)
			return zip_fail_overlap(zip, r, max_idx, r[i].idx, false);
		prev_start = r[i].start;
		prev_idx = r[i].idx;
		if (r[i].end > max_end || max_idx < 0)
		{
			max_end = r[i].end;
			max_idx = r[i].idx;
		}
	}
	bp_free(ctx, r);
	return true;
}

/* qsort comparator of names: by name, then central directory order. */
static int
zip_sortkey_cmp(const void *a, const void *b)
{
	const zip_sortkey *x = a;
	const zip_sortkey *y = b;
	int			c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return x->idx - y->idx;
}

/* Build zip->sorted and warn about duplicate names. */
static bool
zip_build_index(bp_zip *zip)
{
	bp_ctx	   *ctx = zip->ctx;
	zip_sortkey *k;
	int			n = zip->nentries;

	zip->sorted = bp_alloc(ctx, sizeof(int) * (size_t) (n > 0 ? n : 1));
	if (zip->sorted == NULL)
		return false;
	if (n == 0)
		return true;
	k = bp_alloc(ctx, sizeof(zip_sortkey) * (size_t) n);
	if (k == NULL)
		return false;
	for (int i = 0; i < n; i++)
	{
		k[i].name = zip->entries[i].name;
		k[i].idx = i;
	}
	qsort(k, (size_t) n, sizeof(zip_sortkey), zip_sortkey_cmp);
	for (int i = 0; i < n; i++)
	{
		zip->sorted[i] = k[i].idx;
		if (i > 0 && strcmp(k[i].name, k[i - 1].name) == 0 &&
			(i < 2 || strcmp(k[i].name, k[i - 2].name) != 0))
			bp_warn(ctx, "zip_duplicate_entry",
					"zip archive has more than one entry named \"%s\"; using the first",
					k[i].name);
	}
	bp_free(ctx, k);
	return true;
}

/*
 * Read the directory of a zip archive held in memory.  On success fills
 * *zip (entries, sorted index); the data must outlive zip.  Fails ctx with
 * BP_ERR_CORRUPT when no entry can be read or entries overlap, with
 * BP_ERR_LIMIT when there are more than max_entries.  A zip with no
 * entries at all opens fine (nentries == 0).
 */
bool
bp_zip_open(bp_ctx *ctx, const unsigned char *data, size_t len, bp_zip *zip)
{
	const char *why = NULL;

	memset(zip, 0, sizeof(*zip));
	zip->ctx = ctx;
	zip->data = data;
	zip->len = len;
	if (bp_failed(ctx))
		return false;

	if (!zip_read_central(zip, &why))
	{
		zip_free_entries(zip);
		if (bp_failed(ctx))
			return false;
		zip->recovered = true;
		if (!bp_zip_recover(zip))
		{
			bp_zip_close(zip);
			return false;
		}
		if (zip->nentries == 0)
		{
			bp_zip_close(zip);
			return bp_fail(ctx, BP_ERR_CORRUPT,
						   "not a readable zip archive: %s, and no whole local file header was found",
						   why);
		}
		bp_warn(ctx, "zip_recovered",
				"zip archive damaged (%s); read %d entries from the local file headers",
				why, zip->nentries);
	}
	if (!zip_check_entries(zip) || !zip_build_index(zip))
	{
		bp_zip_close(zip);
		return false;
	}
	return true;
}

/* Is this a zip archive: a local header at the start or an end record? */
bool
bp_zip_is_zip(const unsigned char *data, size_t len)
{
	if (len >= 4 && data[0] == 'P' && data[1] == 'K' &&
		(rd32(data) == ZIP_SIG_LOCAL || rd32(data) == ZIP_SIG_EOCD))
		return true;
	return zip_find_eocd(data, len) >= 0;
}

/*
 * Find an entry by exact name (binary search over zip->sorted; the first
 * of duplicates), then case-insensitively (linear); NULL if none.
 */
const bp_zip_entry *
bp_zip_find(bp_zip *zip, const char *name)
{
	int			lo = 0;
	int			hi = zip->nentries;

	if (name == NULL || zip->entries == NULL || zip->sorted == NULL)
		return NULL;
	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (strcmp(zip->entries[zip->sorted[mid]].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < zip->nentries && strcmp(zip->entries[zip->sorted[lo]].name, name) == 0)
		return &zip->entries[zip->sorted[lo]];
	for (int i = 0; i < zip->nentries; i++)
		if (bp_strcasecmp(zip->entries[i].name, name) == 0)
			return &zip->entries[i];
	return NULL;
}

/* Release the directory (not the data, which belongs to the caller). */
void
bp_zip_close(bp_zip *zip)
{
	if (zip == NULL || zip->ctx == NULL)
		return;
	zip_free_entries(zip);
	zip->recovered = false;
}

/*-------------------------------------------------------------------------
 *
 * bp_zip_recover.c
 *	  Reading a damaged zip archive from its local file headers.
 *
 * Recovery: when there is no end record, or the central directory cannot
 * be read whole, the local file headers are scanned from the start
 * (zip->recovered, warning "zip_recovered").  Entries whose size is only in
 * a data descriptor are measured: deflate data by inflating it to its end
 * (output discarded, still bounded by the entry and total limits), stored
 * data by looking for the descriptor after it.
 *
 * Every scan takes its bytes from a budget of a few passes over the
 * input, so that no archive makes recovery quadratic.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "bp_zip_int.h"

/*
 * Offset of the next 4-byte signature sig at or after from, or len.  The
 * bytes looked at are taken from *budget (recovery's bound on work, so
 * that no input makes it quadratic); len when the budget is spent.
 */
static size_t
zip_scan_sig(const unsigned char *data, size_t len, size_t from, uint32_t sig,
			 size_t *budget)
{
	size_t		start = from;
	size_t		lim;			/* signatures may start before lim */

	if (len < 4 || from > len - 4)
		return len;
	lim = len - 3;
	if (lim - from > *budget)
		lim = from + *budget;
	while (from < lim)
	{
		const unsigned char *p = memchr(data + from, 'P', lim - from);

		if (p == NULL)
			break;
		from = (size_t) (p - data);
		if (rd32(p) == sig)
		{
			*budget -= from - start;
			return from;
		}
		from++;
	}
	*budget -= lim - start;
	return len;
}

/*
 * Measure deflate data that starts at start by inflating it to its end
 * (output discarded).  Returns false with *why when the stream is corrupt
 * or truncated, or false with ctx failed (limits, memory, cancel).
 */
static bool
zip_measure_deflate(bp_zip *zip, const char *name, size_t start,
					uint64_t *csize, uint64_t *usize, size_t *inflated,
					size_t *budget, const char **why)
{
	bp_ctx	   *ctx = zip->ctx;
	z_stream	zs;
	unsigned char *scratch;
	size_t		scratch_len = 64 * 1024;
	size_t		in_left = zip->len - start;
	size_t		out = 0;
	size_t		next_progress = ZIP_PROGRESS_STEP;
	int			rc = Z_OK;
	int			step;
	bool		ok = false;

	*why = NULL;
	scratch = bp_alloc(ctx, scratch_len);
	if (scratch == NULL)
		return false;
	if (!bp_zip_inflate_init(ctx, &zs))
	{
		bp_free(ctx, scratch);
		return false;
	}
	zs.next_in = (Bytef *) (zip->data + start);
	for (;;)
	{
		size_t		before;

		if (zs.avail_in == 0 && in_left > 0)
		{
			size_t		chunk = in_left > ZIP_ZLIB_CHUNK ? ZIP_ZLIB_CHUNK : in_left;

			zs.avail_in = (uInt) chunk;
			in_left -= chunk;
		}
		zs.next_out = scratch;
		zs.avail_out = (uInt) scratch_len;
		before = zs.avail_out;
		rc = inflate(&zs, Z_NO_FLUSH);
		out += before - zs.avail_out;
		step = bp_zip_inflate_check(ctx, name, rc, out, *inflated, &next_progress,
									start + (size_t) zs.total_in,
									zs.avail_in == 0 && in_left == 0,
									"its deflate data is truncated", why);
		if (step != 0)
		{
			ok = (step > 0);
			break;
		}
	}
	*csize = zs.total_in;
	*usize = out;
	*inflated += out;
	*budget = *budget > zs.total_in ? *budget - zs.total_in : 0;
	inflateEnd(&zs);
	bp_free(ctx, scratch);
	return ok;
}

/*
 * Find the end of stored data with a data descriptor: a descriptor whose
 * size field matches the distance, with or without its signature.
 */
static bool
zip_measure_stored(const bp_zip *zip, size_t start, uint64_t *csize,
				   size_t *budget)
{
	const unsigned char *data = zip->data;
	size_t		len = zip->len;
	size_t		p = start;

	while ((p = zip_scan_sig(data, len, p, ZIP_SIG_DESCRIPTOR, budget)) < len)
	{
		if (len - p >= 16 && rd32(data + p + 8) == (uint64_t) (p - start))
		{
			*csize = p - start;
			return true;
		}
		if (len - p >= 24 && rd64(data + p + 8) == (uint64_t) (p - start))
		{
			*csize = p - start;
			return true;
		}
		p++;
	}
	/* a descriptor without signature, right before the next header */
	{
		size_t		l = zip_scan_sig(data, len, start, ZIP_SIG_LOCAL, budget);
		size_t		c = zip_scan_sig(data, len, start, ZIP_SIG_CENTRAL, budget);

		for (;;)
		{
			size_t		q = l < c ? l : c;

			if (q >= len)
				return false;
			if (q - start >= 12 && rd32(data + q - 8) == (uint64_t) (q - 12 - start))
			{
				*csize = q - 12 - start;
				return true;
			}
			/* rescan only the signature just passed */
			if (q == l)
				l = zip_scan_sig(data, len, q + 1, ZIP_SIG_LOCAL, budget);
			else
				c = zip_scan_sig(data, len, q + 1, ZIP_SIG_CENTRAL, budget);
		}
	}
}

/*
 * Recover the entries from the local file headers, scanning from the
 * start.  Takes each entry whose local header is whole.  false only when
 * ctx failed.
 */
bool
bp_zip_recover(bp_zip *zip)
{
	bp_ctx	   *ctx = zip->ctx;
	const unsigned char *data = zip->data;
	size_t		len = zip->len;
	size_t		pos = 0;
	int			cap = 0;
	size_t		inflated = 0;
	bool		warned_name = false;

	/* bytes recovery may look at: a few passes over the input */
	size_t		budget = len > (SIZE_MAX - (1 << 20)) / 8 ? SIZE_MAX : len * 8 + (1 << 20);

	while ((pos = zip_scan_sig(data, len, pos, ZIP_SIG_LOCAL, &budget)) < len)
	{
		const unsigned char *h = data + pos;
		size_t		nlen;
		size_t		xlen;
		size_t		start;
		bp_zip_entry e;
		const char *why = NULL;

		if (len - pos < ZIP_LOCAL_SIZE)
			break;
		nlen = rd16(h + 26);
		xlen = rd16(h + 28);
		if (len - pos - ZIP_LOCAL_SIZE < nlen + xlen)
			break;				/* the local header is not whole */
		start = pos + ZIP_LOCAL_SIZE + nlen + xlen;
		memset(&e, 0, sizeof(e));
		e.flags = (uint16_t) rd16(h + 6);
		e.method = (uint16_t) rd16(h + 8);
		e.crc32 = rd32(h + 14);
		e.comp_size = rd32(h + 18);
		e.uncomp_size = rd32(h + 22);
		e.local_offset = pos;
		e.encrypted = (e.flags & ZIP_FLAG_ENCRYPTED) != 0;
		bp_zip_apply_zip64(h + ZIP_LOCAL_SIZE + nlen, xlen,
						&e.uncomp_size, &e.comp_size, NULL);
		e.name = bp_zip_make_name(zip, h + ZIP_LOCAL_SIZE, nlen, &warned_name);
		if (e.name == NULL)
			return false;

		if (e.flags & ZIP_FLAG_DESCRIPTOR)
		{
			bool		found;

			if (e.method == 8 && !e.encrypted)
			{
				bp_set_activity(ctx, "inflating %s", e.name);
				found = zip_measure_deflate(zip, e.name, start, &e.comp_size,
											&e.uncomp_size, &inflated, &budget,
											&why);
				if (bp_failed(ctx))
				{
					bp_free(ctx, e.name);
					return false;
				}
			}
			else
			{
				found = zip_measure_stored(zip, start, &e.comp_size, &budget);
				if (found && e.method == 0)
					e.uncomp_size = e.comp_size;
			}
			if (!found)
			{
				/* the size is unknown: nothing to read; look further */
				bp_warn(ctx, "zip_entry_corrupt",
						"zip entry \"%s\" skipped in recovery: %s", e.name,
						why ? why : "the end of its data cannot be found");
				bp_free(ctx, e.name);
				pos = start;
				continue;
			}
			/* the descriptor after the data has the CRC */
			{
				size_t		d = start + (size_t) e.comp_size;

				if (len - d >= 16 && rd32(data + d) == ZIP_SIG_DESCRIPTOR)
					e.crc32 = rd32(data + d + 4);
				else if (len - d >= 12)
					e.crc32 = rd32(data + d);
			}
		}
		if (!bp_zip_add_entry(zip, &cap, &e))
		{
			bp_free(ctx, e.name);
			return false;
		}
		if (e.comp_size <= len - start)
			pos = start + (size_t) e.comp_size;
		else
			pos = start;		/* truncated: reading it will say so */
	}
	return true;
}

/*-------------------------------------------------------------------------
 *
 * bp_zip_inflate.c
 *	  Reading one zip entry: stored or deflate data, bounded and checked.
 *
 * zlib's memory goes through the parse context (zalloc/zfree), every
 * inflate step is judged against the entry limit (max_entry_size) and the
 * limit on all bytes inflated (max_total_inflated) before more is
 * produced, progress is reported every megabyte, and the CRC-32 of what
 * was read is compared with the archive's.  The sizes an archive claims
 * are only hints for the first buffer, never a reason to allocate more.
 *
 *-------------------------------------------------------------------------
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bp_zip_int.h"

/* The entry size limit in force (0 in the options means no limit). */
static size_t
zip_max_entry(const bp_ctx *ctx)
{
	size_t		m = ctx->opts.max_entry_size;

	if (m == 0 || m > SIZE_MAX - 16)
		m = SIZE_MAX - 16;
	return m;
}

/* The limit on all inflated bytes (0 in the options means no limit). */
static size_t
zip_max_total(const bp_ctx *ctx)
{
	return ctx->opts.max_total_inflated ? ctx->opts.max_total_inflated : SIZE_MAX;
}

/* Fail ctx: one entry inflates past max_entry_size. */
static bool
zip_fail_entry_limit(bp_ctx *ctx, const char *name)
{
	char		sz[32];
	char		cap[64];

	bp_format_bytes(zip_max_entry(ctx), sz, sizeof(sz));
	snprintf(cap, sizeof(cap), "%s per zip entry", sz);
	return bp_fail_bound(ctx, NULL, cap,
						 "zip entry \"%s\" inflates to more than %s (a zip bomb?)",
						 name, sz);
}

/* Fail ctx: all entries together inflate past max_total_inflated. */
static bool
zip_fail_total_limit(bp_ctx *ctx, const char *name)
{
	char		sz[32];
	char		cap[64];

	bp_format_bytes(zip_max_total(ctx), sz, sizeof(sz));
	snprintf(cap, sizeof(cap), "%s inflated over all zip entries", sz);
	return bp_fail_bound(ctx, NULL, cap,
						 "zip entries inflate to more than %s in all, reached in \"%s\" (a zip bomb?)",
						 sz, name);
}

/* zlib allocation hook: counted memory from the context. */
static voidpf
zip_zalloc(voidpf opaque, uInt items, uInt size)
{
	bp_ctx	   *ctx = (bp_ctx *) opaque;
	void	   *p;

	if (size != 0 && (size_t) items > SIZE_MAX / size)
		return Z_NULL;
	p = bp_alloc(ctx, (size_t) items * size);
	return p ? p : Z_NULL;
}

/* zlib free hook. */
static void
zip_zfree(voidpf opaque, voidpf p)
{
	bp_free((bp_ctx *) opaque, p);
}

/* Start a raw inflate stream whose memory goes through ctx. */
bool
bp_zip_inflate_init(bp_ctx *ctx, z_stream *zs)
{
	int			rc;

	memset(zs, 0, sizeof(*zs));
	zs->zalloc = zip_zalloc;
	zs->zfree = zip_zfree;
	zs->opaque = ctx;
	rc = inflateInit2(zs, -MAX_WBITS);
	if (rc == Z_OK)
		return true;
	if (!bp_failed(ctx))
		bp_fail(ctx, rc == Z_MEM_ERROR ? BP_ERR_LIMIT : BP_ERR_INTERNAL,
				"cannot start inflating: %s",
				rc == Z_MEM_ERROR ? "out of memory" : "zlib initialisation failed");
	return false;
}

/* CRC-32 of a buffer of any size. */
static uint32_t
zip_crc32(const unsigned char *p, size_t n)
{
	uLong		crc = crc32(0L, Z_NULL, 0);

	while (n > 0)
	{
		size_t		chunk = n > ZIP_ZLIB_CHUNK ? ZIP_ZLIB_CHUNK : n;

		crc = crc32(crc, p, (uInt) chunk);
		p += chunk;
		n -= chunk;
	}
	return (uint32_t) crc;
}

/*
 * After one inflate() call that brought the entry's output to produced
 * bytes: check the entry and total limits, report progress now and then,
 * and judge rc.  Returns 1 at the end of the stream, 0 to go on, and -1 to
 * stop: ctx failed (limits, memory, cancel) or *why says what is wrong with
 * the data.  at_end says all input was given and no progress is possible
 * (truncated_why is then the reason).
 */
int
bp_zip_inflate_check(bp_ctx *ctx, const char *name, int rc, size_t produced,
					 size_t already, size_t *next_progress, size_t pos,
					 bool at_end, const char *truncated_why, const char **why)
{
	if (produced > zip_max_entry(ctx))
	{
		zip_fail_entry_limit(ctx, name);
		return -1;
	}
	if (produced > zip_max_total(ctx) - already)
	{
		zip_fail_total_limit(ctx, name);
		return -1;
	}
	if (produced >= *next_progress)
	{
		*next_progress = produced + ZIP_PROGRESS_STEP;
		if (!bp_progress(ctx, BP_PHASE_INFLATING, pos))
			return -1;
	}
	if (rc == Z_STREAM_END)
		return 1;
	if (rc == Z_MEM_ERROR)
	{
		if (!bp_failed(ctx))
			bp_fail(ctx, BP_ERR_LIMIT, "out of memory while inflating \"%s\"", name);
		return -1;
	}
	if (rc == Z_BUF_ERROR && at_end)
	{
		*why = truncated_why;
		return -1;
	}
	if (rc != Z_OK && rc != Z_BUF_ERROR)
	{
		*why = "its deflate data is corrupt";
		return -1;
	}
	return 0;
}

/* Name of a compression method, for messages. */
const char *
bp_zip_method_name(unsigned method)
{
	switch (method)
	{
		case 1:
			return "shrink";
		case 6:
			return "implode";
		case 9:
			return "deflate64";
		case 12:
			return "bzip2";
		case 14:
			return "LZMA";
		case 93:
			return "zstd";
		case 95:
			return "xz";
		case 98:
			return "PPMd";
		case ZIP_METHOD_AES:
			return "AES encryption";
		default:
			return "unknown";
	}
}

/*
 * Inflate deflate data [in, in+inlen) into a new buffer.  Per-entry
 * problems set *why and return false with ctx intact; limits, memory and
 * cancel fail ctx.
 */
static bool
zip_inflate_entry(bp_zip *zip, const bp_zip_entry *e, size_t data_start,
				  size_t inlen, unsigned char **out, size_t *outlen,
				  const char **why)
{
	bp_ctx	   *ctx = zip->ctx;
	size_t		max_entry = zip_max_entry(ctx);
	size_t		already = ctx->total_inflated;
	const unsigned char *in = zip->data + data_start;
	size_t		in_left = inlen;
	size_t		produced = 0;
	size_t		next_progress = ZIP_PROGRESS_STEP;
	uint64_t	guess;
	size_t		cap;
	unsigned char *buf;
	z_stream	zs;
	int			rc;
	int			step;
	bool		ok = false;

	/* first buffer: the smaller of the declared size and a bound from the input */
	guess = (uint64_t) inlen * 8 + 64 * 1024;
	if (e->uncomp_size < guess)
		guess = e->uncomp_size;
	if (guess > (uint64_t) max_entry)
		guess = max_entry;
	cap = (size_t) guess + 2;	/* one byte to see overflow past max_entry */
	if (cap < 256)
		cap = 256;
	buf = bp_alloc(ctx, cap);
	if (buf == NULL)
		return false;
	if (!bp_zip_inflate_init(ctx, &zs))
	{
		bp_free(ctx, buf);
		return false;
	}
	zs.next_in = (Bytef *) in;
	for (;;)
	{
		size_t		room;
		size_t		before;

		if (cap - 1 - produced == 0)
		{
			size_t		ncap;
			unsigned char *nbuf;

			/* never more than max_entry + 1 bytes of data (+ NUL) */
			if (produced > max_entry)
			{
				zip_fail_entry_limit(ctx, e->name);
				break;
			}
			ncap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
			if (ncap > max_entry + 2)
				ncap = max_entry + 2;
			nbuf = bp_realloc(ctx, buf, ncap);
			if (nbuf == NULL)
				break;
			buf = nbuf;
			cap = ncap;
		}
		if (zs.avail_in == 0 && in_left > 0)
		{
			size_t		chunk = in_left > ZIP_ZLIB_CHUNK ? ZIP_ZLIB_CHUNK : in_left;

			zs.avail_in = (uInt) chunk;
			in_left -= chunk;
		}
		/* at most a progress step at a time, so progress is reported */
		room = cap - 1 - produced;
		if (room > ZIP_PROGRESS_STEP)
			room = ZIP_PROGRESS_STEP;
		zs.next_out = buf + produced;
		zs.avail_out = (uInt) room;
		before = room;
		rc = inflate(&zs, Z_NO_FLUSH);
		produced += before - zs.avail_out;
		step = bp_zip_inflate_check(ctx, e->name, rc, produced, already,
									&next_progress, data_start + (size_t) zs.total_in,
									zs.avail_out > 0 && zs.avail_in == 0 && in_left == 0,
									inlen < e->comp_size ?
									"the archive ends inside its data" :
									"its deflate data is truncated", why);
		if (step != 0)
		{
			ok = (step > 0);
			break;
		}
	}
	inflateEnd(&zs);
	ctx->total_inflated += produced;
	if (!ok)
	{
		bp_free(ctx, buf);
		return false;
	}
	/* give back a much too large buffer */
	if (cap - produced > 64 * 1024)
	{
		unsigned char *nbuf = bp_realloc(ctx, buf, produced + 1);

		if (nbuf == NULL)
		{
			bp_free(ctx, buf);
			return false;
		}
		buf = nbuf;
	}
	buf[produced] = '\0';
	*out = buf;
	*outlen = produced;
	return true;
}

/*
 * Read (inflate) one entry into memory from bp_alloc, NUL-terminated (one
 * extra byte); the caller releases *out with bp_free.
 *
 * Contract:
 *	- true: *out and *outlen hold the data.  Warnings, data kept:
 *	  "zip_size_mismatch" when the data is not the declared size (all of
 *	  the output is kept, however much the declared size says, as long as
 *	  the limits allow), "zip_crc_mismatch" when the CRC differs.
 *	- false with ctx NOT failed: a defect of this entry only, recorded as a
 *	  warning: "zip_entry_encrypted", "zip_entry_unsupported_method"
 *	  (bzip2, LZMA, deflate64, ...), "zip_entry_corrupt" (truncated or
 *	  corrupt data, missing local header); zip->last_skip says which.  The
 *	  caller decides whether the book can go on without this entry.
 *	- false with ctx failed (check bp_failed(ctx)): a hard failure that
 *	  ends the parse: BP_ERR_LIMIT (the entry inflates past max_entry_size,
 *	  all reads together past max_total_inflated, or max_memory), or
 *	  BP_ERR_CANCELED from the progress callback.
 *
 * The output buffer starts at the smaller of the declared size and
 * comp_size*8+64kB and grows geometrically: a claimed size alone never
 * decides an allocation.
 */
bool
bp_zip_read(bp_zip *zip, const bp_zip_entry *e, unsigned char **out,
			size_t *outlen)
{
	bp_ctx	   *ctx = zip->ctx;
	uint64_t	start;
	size_t		avail;
	size_t		inlen;
	const char *why = NULL;
	unsigned char *buf = NULL;
	size_t		n = 0;
	char		saved_activity[sizeof(ctx->activity)];
	uint32_t	crc;

	*out = NULL;
	*outlen = 0;
	zip->last_skip = BP_ZIP_SKIP_CORRUPT;
	if (bp_failed(ctx))
		return false;
	if (e->encrypted || e->method == ZIP_METHOD_AES)
	{
		zip->last_skip = BP_ZIP_SKIP_ENCRYPTED;
		bp_warn(ctx, "zip_entry_encrypted",
				"zip entry \"%s\" is encrypted; skipped", e->name);
		return false;
	}
	if (e->method != 0 && e->method != 8)
	{
		zip->last_skip = BP_ZIP_SKIP_METHOD;
		bp_warn(ctx, "zip_entry_unsupported_method",
				"zip entry \"%s\" uses compression method %u (%s), which is not supported; skipped",
				e->name, (unsigned) e->method, bp_zip_method_name(e->method));
		return false;
	}
	if (!bp_zip_local_data(zip, e, &start, &why))
	{
		bp_warn(ctx, "zip_entry_corrupt", "zip entry \"%s\" cannot be read: %s",
				e->name, why);
		return false;
	}
	avail = zip->len - (size_t) start;
	inlen = e->comp_size < avail ? (size_t) e->comp_size : avail;

	memcpy(saved_activity, ctx->activity, sizeof(saved_activity));
	saved_activity[sizeof(saved_activity) - 1] = '\0';
	bp_set_activity(ctx, "inflating %s", e->name);
	if (!bp_progress(ctx, BP_PHASE_INFLATING, (size_t) start))
	{
		bp_set_activity(ctx, "%s", saved_activity);
		return false;
	}

	if (e->method == 0)
	{
		if (e->comp_size > avail)
			why = "the archive ends inside its data";
		else if (inlen > zip_max_entry(ctx))
			zip_fail_entry_limit(ctx, e->name);
		else if (inlen > zip_max_total(ctx) - ctx->total_inflated)
			zip_fail_total_limit(ctx, e->name);
		else if ((buf = bp_alloc(ctx, inlen + 1)) != NULL)
		{
			memcpy(buf, zip->data + start, inlen);
			buf[inlen] = '\0';
			n = inlen;
			ctx->total_inflated += inlen;
		}
	}
	else
		zip_inflate_entry(zip, e, (size_t) start, inlen, &buf, &n, &why);

	bp_set_activity(ctx, "%s", saved_activity);
	if (buf == NULL)
	{
		if (!bp_failed(ctx))
			bp_warn(ctx, "zip_entry_corrupt", "zip entry \"%s\" cannot be read: %s",
					e->name, why ? why : "unknown error");
		return false;
	}

	if (n != e->uncomp_size)
		bp_warn(ctx, "zip_size_mismatch",
				"zip entry \"%s\" has %llu bytes, not the %llu it declares; kept them all",
				e->name, (unsigned long long) n, (unsigned long long) e->uncomp_size);
	crc = zip_crc32(buf, n);
	if (crc != e->crc32)
		bp_warn(ctx, "zip_crc_mismatch",
				"zip entry \"%s\" fails its CRC check (%08x, expected %08x); data kept",
				e->name, (unsigned) crc, (unsigned) e->crc32);
	zip->last_skip = BP_ZIP_SKIP_NONE;
	*out = buf;
	*outlen = n;
	return true;
}

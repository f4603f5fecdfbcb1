/*
 * zipgen.h
 *	  A tiny in-memory zip writer on zlib, for building test archives.
 *
 * Entries are appended with zg_add() (or zg_add_raw() for ready-made
 * compressed data); each one leaves a central directory record in
 * z->rec[] that a test may alter (sizes, CRC, offset, flags) before
 * zg_finish() writes the central directory and the end record.  All
 * memory is malloc'd; zg_free() releases it.  Tests only: no limits.
 */
#ifndef ZIPGEN_H
#define ZIPGEN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

/* One central directory record, kept until zg_finish(). */
typedef struct zg_rec
{
	char		name[512];
	size_t		namelen;
	uint16_t	flags;
	uint16_t	method;
	uint32_t	crc;
	uint64_t	csize;
	uint64_t	usize;
	uint64_t	offset;
	bool		zip64;
} zg_rec;

/* An archive being written. */
typedef struct zg
{
	unsigned char *buf;
	size_t		len;
	size_t		cap;
	zg_rec	   *rec;
	int			nrec;
	int			caprec;
} zg;

/* Start an empty archive. */
static inline void
zg_init(zg *z)
{
	memset(z, 0, sizeof(*z));
}

/* Release an archive's memory. */
static inline void
zg_free(zg *z)
{
	free(z->buf);
	free(z->rec);
	memset(z, 0, sizeof(*z));
}

/* Append raw bytes. */
static inline void
zg_put(zg *z, const void *p, size_t n)
{
	if (z->len + n > z->cap)
	{
		size_t		nc = z->cap ? z->cap : 4096;

		while (nc < z->len + n)
			nc *= 2;
		z->buf = realloc(z->buf, nc);
		if (z->buf == NULL)
			abort();
		z->cap = nc;
	}
	if (n)
		memcpy(z->buf + z->len, p, n);
	z->len += n;
}

/* Append a little-endian 16-bit value. */
static inline void
zg_u16(zg *z, uint32_t v)
{
	unsigned char b[2] = {(unsigned char) v, (unsigned char) (v >> 8)};

	zg_put(z, b, 2);
}

/* Append a little-endian 32-bit value. */
static inline void
zg_u32(zg *z, uint32_t v)
{
	zg_u16(z, v & 0xFFFF);
	zg_u16(z, v >> 16);
}

/* Append a little-endian 64-bit value. */
static inline void
zg_u64(zg *z, uint64_t v)
{
	zg_u32(z, (uint32_t) v);
	zg_u32(z, (uint32_t) (v >> 32));
}

/* Raw-deflate n bytes into a malloc'd buffer. */
static inline unsigned char *
zg_deflate(const void *data, size_t n, size_t *outlen)
{
	z_stream	zs;
	uLong		bound;
	unsigned char *out;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	bound = deflateBound(&zs, (uLong) n) + 16;
	out = malloc(bound);
	zs.next_in = (Bytef *) data;
	zs.avail_in = (uInt) n;
	zs.next_out = out;
	zs.avail_out = (uInt) bound;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		abort();
	*outlen = zs.total_out;
	deflateEnd(&zs);
	return out;
}

/*
 * Raw deflate stream of `total` zero bytes (a multiple of 1MB), built
 * without compressing them all: after a full flush the compressor starts
 * afresh, so every further 1MB block compresses to the same bytes.
 */
static inline unsigned char *
zg_deflate_zeros(uint64_t total, size_t *outlen)
{
	const size_t chunk = 1 << 20;
	unsigned char *zeros = calloc(1, chunk);
	unsigned char *tmp = malloc(chunk);
	unsigned char *blk[2];
	size_t		blen[2];
	unsigned char *out;
	uint64_t	n = total / chunk;
	size_t		o = 0;
	z_stream	zs;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	for (int i = 0; i < 2; i++)
	{
		zs.next_in = zeros;
		zs.avail_in = (uInt) chunk;
		zs.next_out = tmp;
		zs.avail_out = (uInt) chunk;
		if (deflate(&zs, Z_FULL_FLUSH) != Z_OK || zs.avail_in != 0)
			abort();
		blen[i] = chunk - zs.avail_out;
		blk[i] = malloc(blen[i]);
		memcpy(blk[i], tmp, blen[i]);
	}
	out = malloc(blen[0] + blen[1] * (size_t) (n > 1 ? n - 1 : 0) + 64);
	memcpy(out, blk[0], blen[0]);
	o = blen[0];
	for (uint64_t i = 1; i < n; i++)
	{
		memcpy(out + o, blk[1], blen[1]);
		o += blen[1];
	}
	/* the final block: empty, fixed Huffman, BFINAL set */
	zs.next_in = zeros;
	zs.avail_in = 0;
	zs.next_out = tmp;
	zs.avail_out = (uInt) chunk;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		abort();
	memcpy(out + o, tmp, chunk - zs.avail_out);
	o += chunk - zs.avail_out;
	deflateEnd(&zs);
	free(blk[0]);
	free(blk[1]);
	free(zeros);
	free(tmp);
	*outlen = o;
	return out;
}

/*
 * Append an entry whose data is already compressed (comp, clen) with the
 * given method; usize and crc describe the uncompressed data.  With
 * descriptor, the local header has zero sizes and a data descriptor
 * (with signature) follows the data.  With zip64, the local and central
 * headers carry the sizes in a ZIP64 extra field.  Returns the record's
 * index.
 */
static inline int
zg_add_raw(zg *z, const char *name, size_t namelen, uint16_t method,
		   uint16_t flags, const void *comp, size_t clen, uint64_t usize,
		   uint32_t crc, bool descriptor, bool zip64)
{
	zg_rec	   *r;

	if (z->nrec == z->caprec)
	{
		z->caprec = z->caprec ? z->caprec * 2 : 16;
		z->rec = realloc(z->rec, sizeof(zg_rec) * (size_t) z->caprec);
		if (z->rec == NULL)
			abort();
	}
	r = &z->rec[z->nrec];
	memset(r, 0, sizeof(*r));
	if (namelen >= sizeof(r->name))
		namelen = sizeof(r->name) - 1;
	memcpy(r->name, name, namelen);
	r->namelen = namelen;
	r->flags = flags | (descriptor ? 0x0008 : 0);
	r->method = method;
	r->crc = crc;
	r->csize = clen;
	r->usize = usize;
	r->offset = z->len;
	r->zip64 = zip64;

	zg_u32(z, 0x04034b50);
	zg_u16(z, zip64 ? 45 : 20);
	zg_u16(z, r->flags);
	zg_u16(z, method);
	zg_u16(z, 0);				/* time */
	zg_u16(z, 0x21);			/* date: 1980-01-01 */
	zg_u32(z, descriptor ? 0 : crc);
	if (zip64)
	{
		zg_u32(z, 0xFFFFFFFFu);
		zg_u32(z, 0xFFFFFFFFu);
	}
	else
	{
		zg_u32(z, descriptor ? 0 : (uint32_t) clen);
		zg_u32(z, descriptor ? 0 : (uint32_t) usize);
	}
	zg_u16(z, (uint32_t) namelen);
	zg_u16(z, zip64 ? 20 : 0);
	zg_put(z, name, namelen);
	if (zip64)
	{
		zg_u16(z, 0x0001);
		zg_u16(z, 16);
		zg_u64(z, descriptor ? 0 : usize);
		zg_u64(z, descriptor ? 0 : clen);
	}
	zg_put(z, comp, clen);
	if (descriptor)
	{
		zg_u32(z, 0x08074b50);
		zg_u32(z, crc);
		if (zip64)
		{
			zg_u64(z, clen);
			zg_u64(z, usize);
		}
		else
		{
			zg_u32(z, (uint32_t) clen);
			zg_u32(z, (uint32_t) usize);
		}
	}
	return z->nrec++;
}

/* Append an entry: method 8 deflates the data, any other stores it as is. */
static inline int
zg_add(zg *z, const char *name, const void *data, size_t n, uint16_t method,
	   uint16_t flags, bool descriptor, bool zip64)
{
	uint32_t	crc = (uint32_t) crc32(crc32(0L, Z_NULL, 0), data, (uInt) n);
	int			idx;

	if (method == 8)
	{
		size_t		clen;
		unsigned char *c = zg_deflate(data, n, &clen);

		idx = zg_add_raw(z, name, strlen(name), 8, flags, c, clen, n, crc,
						 descriptor, zip64);
		free(c);
	}
	else
		idx = zg_add_raw(z, name, strlen(name), method, flags, data, n, n, crc,
						 descriptor, zip64);
	return idx;
}

/* Add a text entry (NUL-terminated data). */
static inline int
zg_add_str(zg *z, const char *name, const char *text, uint16_t method)
{
	return zg_add(z, name, text, strlen(text), method, 0, false, false);
}

/*
 * Write the central directory from z->rec[] and the end record (with a
 * ZIP64 end record and locator when zip64).
 */
static inline void
zg_finish(zg *z, bool zip64)
{
	size_t		cdstart = z->len;
	size_t		cdsize;

	for (int i = 0; i < z->nrec; i++)
	{
		zg_rec	   *r = &z->rec[i];

		zg_u32(z, 0x02014b50);
		zg_u16(z, 0x031E);		/* made by: unix, 3.0 */
		zg_u16(z, r->zip64 ? 45 : 20);
		zg_u16(z, r->flags);
		zg_u16(z, r->method);
		zg_u16(z, 0);
		zg_u16(z, 0x21);
		zg_u32(z, r->crc);
		zg_u32(z, r->zip64 ? 0xFFFFFFFFu : (uint32_t) r->csize);
		zg_u32(z, r->zip64 ? 0xFFFFFFFFu : (uint32_t) r->usize);
		zg_u16(z, (uint32_t) r->namelen);
		zg_u16(z, r->zip64 ? 28 : 0);
		zg_u16(z, 0);			/* comment */
		zg_u16(z, 0);			/* disk */
		zg_u16(z, 0);			/* internal attributes */
		zg_u32(z, 0);			/* external attributes */
		zg_u32(z, r->zip64 ? 0xFFFFFFFFu : (uint32_t) r->offset);
		zg_put(z, r->name, r->namelen);
		if (r->zip64)
		{
			zg_u16(z, 0x0001);
			zg_u16(z, 24);
			zg_u64(z, r->usize);
			zg_u64(z, r->csize);
			zg_u64(z, r->offset);
		}
	}
	cdsize = z->len - cdstart;
	if (zip64)
	{
		size_t		rec64 = z->len;

		zg_u32(z, 0x06064b50);
		zg_u64(z, 44);
		zg_u16(z, 45);
		zg_u16(z, 45);
		zg_u32(z, 0);
		zg_u32(z, 0);
		zg_u64(z, (uint64_t) z->nrec);
		zg_u64(z, (uint64_t) z->nrec);
		zg_u64(z, cdsize);
		zg_u64(z, cdstart);
		zg_u32(z, 0x07064b50);
		zg_u32(z, 0);
		zg_u64(z, rec64);
		zg_u32(z, 1);
	}
	zg_u32(z, 0x06054b50);
	zg_u16(z, 0);
	zg_u16(z, 0);
	zg_u16(z, zip64 ? 0xFFFF : (uint32_t) z->nrec);
	zg_u16(z, zip64 ? 0xFFFF : (uint32_t) z->nrec);
	zg_u32(z, zip64 ? 0xFFFFFFFFu : (uint32_t) cdsize);
	zg_u32(z, zip64 ? 0xFFFFFFFFu : (uint32_t) cdstart);
	zg_u16(z, 0);				/* comment length */
}

#endif							/* ZIPGEN_H */

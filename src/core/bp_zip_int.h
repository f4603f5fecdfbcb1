/*-------------------------------------------------------------------------
 *
 * bp_zip_int.h
 *	  Private to the zip reader (bp_zip.c, bp_zip_recover.c,
 *	  bp_zip_inflate.c): record layouts, little-endian readers and the
 *	  functions the three files share.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BP_ZIP_INT_H
#define BP_ZIP_INT_H

#include <zlib.h>

#include "bp_internal.h"

#define ZIP_SIG_LOCAL		0x04034b50u
#define ZIP_SIG_CENTRAL		0x02014b50u
#define ZIP_SIG_EOCD		0x06054b50u
#define ZIP_SIG_EOCD64		0x06064b50u
#define ZIP_SIG_LOCATOR64	0x07064b50u
#define ZIP_SIG_DESCRIPTOR	0x08074b50u

#define ZIP_LOCAL_SIZE		30
#define ZIP_CENTRAL_SIZE	46
#define ZIP_EOCD_SIZE		22
#define ZIP_EOCD64_SIZE		56
#define ZIP_LOCATOR64_SIZE	20

#define ZIP_FLAG_ENCRYPTED	0x0001
#define ZIP_FLAG_DESCRIPTOR 0x0008
#define ZIP_FLAG_UTF8		0x0800

#define ZIP_METHOD_AES		99	/* WinZip AES: encryption, not compression */

/* report progress after this many bytes of output */
#define ZIP_PROGRESS_STEP	((size_t) 1 << 20)
/* zlib's avail_in/avail_out are uInt: feed at most this much at once */
#define ZIP_ZLIB_CHUNK		((size_t) 1 << 30)

/* Little-endian 16-bit value at p. */
static inline uint32_t
rd16(const unsigned char *p)
{
	return (uint32_t) p[0] | ((uint32_t) p[1] << 8);
}

/* Little-endian 32-bit value at p. */
static inline uint32_t
rd32(const unsigned char *p)
{
	return (uint32_t) p[0] | ((uint32_t) p[1] << 8) |
		((uint32_t) p[2] << 16) | ((uint32_t) p[3] << 24);
}

/* Little-endian 64-bit value at p. */
static inline uint64_t
rd64(const unsigned char *p)
{
	return (uint64_t) rd32(p) | ((uint64_t) rd32(p + 4) << 32);
}

/* ---- bp_zip.c: the central directory ---- */

/* An entry name as UTF-8 (CP437 when not valid UTF-8); NULL if ctx failed. */
extern char *bp_zip_make_name(bp_zip *zip, const unsigned char *s, size_t n,
							  bool *warned);

/* Append an entry to zip->entries; false when ctx failed. */
extern bool bp_zip_add_entry(bp_zip *zip, int *cap, const bp_zip_entry *e);

/* Apply a ZIP64 extra field to the sizes (and offset) that overflowed. */
extern void bp_zip_apply_zip64(const unsigned char *x, size_t xlen,
							   uint64_t *usize, uint64_t *csize,
							   uint64_t *offset);

/* Where an entry's data starts (after its local header); false if outside. */
extern bool bp_zip_local_data(const bp_zip *zip, const bp_zip_entry *e,
							  uint64_t *start, const char **why);

/* ---- bp_zip_recover.c: entries from local headers ---- */

/* Recover the entries by scanning the local headers; false if ctx failed. */
extern bool bp_zip_recover(bp_zip *zip);

/* ---- bp_zip_inflate.c: reading entries ---- */

/* Start a raw inflate stream whose memory is counted in ctx. */
extern bool bp_zip_inflate_init(bp_ctx *ctx, z_stream *zs);

/* Judge one inflate() step: limits, progress, end, errors (1/0/-1). */
extern int	bp_zip_inflate_check(bp_ctx *ctx, const char *name, int rc,
								 size_t produced, size_t already,
								 size_t *next_progress, size_t pos,
								 bool at_end, const char *truncated_why,
								 const char **why);

#endif							/* BP_ZIP_INT_H */

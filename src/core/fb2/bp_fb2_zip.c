/*-------------------------------------------------------------------------
 *
 * bp_fb2_zip.c
 *	  The "fb2.zip" format: a FictionBook inside a zip archive (the first
 *	  entry named *.fb2), read out and parsed by the FB2 parser.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "bp_internal.h"

/* Find the FictionBook file inside a zip, or NULL. */
static const bp_zip_entry *
find_fb2_entry(bp_zip *zip)
{
	int			i;

	for (i = 0; i < zip->nentries; i++)
		if (bp_has_suffix_ci(zip->entries[i].name, ".fb2"))
			return &zip->entries[i];
	return NULL;
}

/* Fail the parse: the FictionBook entry e of a zip gave nothing. */
static bool
fail_fb2_entry(bp_ctx *ctx, const bp_zip *zip, const bp_zip_entry *e)
{
	if (zip->last_skip == BP_ZIP_SKIP_ENCRYPTED)
		return bp_fail(ctx, BP_ERR_ENCRYPTED,
					   "the book is encrypted (zip password): \"%s\" cannot be read",
					   e->name);
	if (zip->last_skip == BP_ZIP_SKIP_METHOD)
		return bp_fail(ctx, BP_ERR_UNSUPPORTED_COMPRESSION,
					   "\"%s\" cannot be read: compression method %u (%s) is not supported",
					   e->name, (unsigned) e->method, bp_zip_method_name(e->method));
	return bp_fail(ctx, BP_ERR_CORRUPT, "cannot read \"%s\" from the zip archive",
				   e->name);
}

/* The registry's fb2.zip detector: a zip archive with an .fb2 entry. */
bool
bp_detect_fb2_zip(const bp_sniff *sniff)
{
	return sniff->container == BP_CONTAINER_ZIP && sniff->zip.fb2;
}

/* The registry's fb2.zip parser: read the .fb2 entry, parse it as FB2. */
bool
bp_parse_fb2_zip(bp_ctx *ctx, const unsigned char *data, size_t len)
{
	bp_zip		zip;
	const bp_zip_entry *e;
	unsigned char *buf = NULL;
	size_t		n = 0;
	bool		ok;

	memset(&zip, 0, sizeof(zip));
	bp_set_activity(ctx, "reading the zip directory");
	if (!bp_zip_open(ctx, data, len, &zip))
		return false;
	e = find_fb2_entry(&zip);
	if (e == NULL)
	{
		bp_zip_close(&zip);
		return bp_fail(ctx, BP_ERR_NOT_A_BOOK, "zip archive without a book inside");
	}
	if (!bp_zip_read(&zip, e, &buf, &n))
	{
		/* name the entry before closing the zip frees it */
		fail_fb2_entry(ctx, &zip, e);
		bp_zip_close(&zip);
		return false;
	}
	bp_zip_close(&zip);
	ok = bp_parse_fb2(ctx, buf, n);
	bp_free(ctx, buf);
	return ok;
}

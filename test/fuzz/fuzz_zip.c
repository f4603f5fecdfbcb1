/*
 * fuzz_zip.c
 *	  libFuzzer target: the zip reader.  Open the directory, look every
 *	  entry up by name and inflate it under small limits.
 */
#include "fuzz_common.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One input: open, find and read every entry. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bp_options	o;
	bp_ctx	   *ctx;
	bp_ctx	   *prev;
	bp_zip		zip;
	int			i;

	fz_options(&o);
	o.max_memory = (size_t) 16 * 1024 * 1024;
	o.max_entry_size = (size_t) 1024 * 1024;
	o.max_total_inflated = (size_t) 4 * 1024 * 1024;
	o.max_entries = 2000;
	bp_memhooks_install();
	ctx = bp_ctx_create(&o, "fuzz.zip", size);
	if (ctx == NULL)
		return 0;
	prev = bp_mem_enter(ctx);
	(void) bp_zip_is_zip(data, size);
	memset(&zip, 0, sizeof(zip));
	if (bp_zip_open(ctx, data, size, &zip))
	{
		for (i = 0; i < zip.nentries; i++)
		{
			const bp_zip_entry *e = bp_zip_find(&zip, zip.entries[i].name);
			unsigned char *out = NULL;
			size_t		outlen = 0;

			if (e == NULL)
				fz_die("an entry is not found by its own name", i);
			if (bp_zip_read(&zip, &zip.entries[i], &out, &outlen))
			{
				if (out == NULL || out[outlen] != '\0')
					fz_die("read entry is not NUL-terminated", i);
				bp_free(ctx, out);
			}
			else if (!bp_failed(ctx) && ctx->book->nwarnings == 0 &&
					 ctx->book->warnings_dropped == 0)
				fz_die("bp_zip_read failed without an error or a warning", i);
			if (bp_failed(ctx))
				break;
		}
		bp_zip_close(&zip);
	}
	else if (!bp_failed(ctx))
		fz_die("bp_zip_open failed without an error", -1);
	bp_ctx_destroy(ctx);
	bp_mem_leave(prev);
	return 0;
}

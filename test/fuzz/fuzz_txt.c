/*
 * fuzz_txt.c
 *	  libFuzzer target: plain text and encodings.  BOM and ICU detection,
 *	  conversion from a named encoding (chosen by the first byte), and the
 *	  plain-text parser (titles, chapters by headings).
 */
#include "fuzz_common.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const encodings[] = {
	"UTF-8", "UTF-16LE", "UTF-16BE", "UTF-32LE", "windows-1251",
	"windows-1252", "KOI8-R", "ISO-8859-1", "Shift_JIS", "GB18030",
	"Big5", "EUC-KR", "ISO-2022-JP", "x-bogus-encoding", "UTF-7", "IBM866"
};

/* One input: encoding helpers, then the text parser on the rest. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bp_options	o;
	bp_ctx	   *ctx;
	bp_ctx	   *prev;
	size_t		bom_len = 0;
	char	   *out = NULL;
	size_t		outlen = 0,
				nbad = 0;
	const char *enc;

	if (size == 0)
		return 0;
	fz_options(&o);
	bp_memhooks_install();
	ctx = bp_ctx_create(&o, "fuzz.txt", size);
	if (ctx == NULL)
		return 0;
	prev = bp_mem_enter(ctx);
	(void) bp_bom_encoding(data + 1, size - 1, &bom_len);
	if (bom_len > size - 1)
		fz_die("BOM longer than the data", -1);
	enc = bp_guess_encoding(ctx, data + 1, size - 1);
	if (enc == NULL)
		fz_die("no encoding guessed", -1);
	enc = encodings[data[0] % (sizeof(encodings) / sizeof(encodings[0]))];
	if (bp_to_utf8(ctx, enc, data + 1, size - 1, &out, &outlen, &nbad))
	{
		if (out == NULL || out[outlen] != '\0')
			fz_die("converted text is not NUL-terminated", -1);
		bp_free(ctx, out);
	}
	bp_ctx_destroy(ctx);
	bp_mem_leave(prev);

	fz_parse_direct(data + 1, size - 1, bp_parse_txt);
	return 0;
}

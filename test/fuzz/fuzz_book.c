/*
 * fuzz_book.c
 *	  libFuzzer target: a whole book through the public API, as a worker
 *	  parses it (detect, parse with text, HTML and assets, JSON).
 */
#include "fuzz_common.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One input: detect, then the full parse. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *what = NULL;

	(void) bp_detect_format(data, size, &what);
	fz_parse_book(data, size, "fuzz.book");
	return 0;
}

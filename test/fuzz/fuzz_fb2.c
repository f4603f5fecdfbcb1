/*
 * fuzz_fb2.c
 *	  libFuzzer target: the FictionBook 2 parser on raw bytes (encoding
 *	  declaration and detection, XML, sections, notes, binaries).
 */
#include "fuzz_common.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One input: the FB2 parser directly, then the writer's finish. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	fz_parse_direct(data, size, bp_parse_fb2);
	return 0;
}

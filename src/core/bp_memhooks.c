/*-------------------------------------------------------------------------
 *
 * bp_memhooks.c
 *	  Count what libxml2 and ICU allocate for a parse against its limit.
 *
 * The core's own allocator (bp_base.c) and zlib (bp_zip.c) already charge
 * the parse context.  libxml2 trees and ICU buffers come from the C heap
 * behind our back, so this file installs process-wide allocation hooks
 * (xmlMemSetup, u_setMemoryFunctions) that call malloc/realloc/free and,
 * while a parse is current on this thread, add the size malloc really
 * handed out (malloc_usable_size) to ctx->mem_ext.
 *
 * The hooks keep no header in front of the block, so memory allocated
 * before they were installed, or outside any parse, is freed correctly by
 * them and vice versa: installing them at any time is safe, and with no
 * parse current they only pass through.
 *
 * A hook never returns NULL because of the limit: libxml2 2.9 does not
 * survive every allocation failure.  When the limit is crossed, the parse
 * context fails (BP_ERR_LIMIT, the usual message) and the libxml2 parser
 * that is running is told to stop building the tree (disableSAX), which is
 * what libxml2 itself does after a fatal error; the caller then frees the
 * partial tree.  What is allocated past the limit is therefore bounded by
 * what one parser step allocates, not by the size of the document.
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#if defined(__GLIBC__)
#include <malloc.h>
#define BP_HAVE_USABLE_SIZE 1
#endif

#include <libxml/parser.h>
#include <libxml/xmlmemory.h>
#include <unicode/uclean.h>

#include "bp_internal.h"

/* The parse whose allocations are counted now, and its running parser. */
static __thread bp_ctx *mem_current;
static __thread xmlParserCtxtPtr mem_parser;

static bool hooks_tried;
static bool xml_hooked;
static bool icu_hooked;

#ifdef BP_HAVE_USABLE_SIZE

/* Add delta bytes to the current parse; fail it once over the limit. */
static void
mem_charge(bp_ctx *ctx, int64_t delta)
{
	size_t		total;

	ctx->mem_ext += delta;
	total = bp_mem_total(ctx);
	if (total > ctx->mem_peak)
		ctx->mem_peak = total;
	if (total > ctx->opts.max_memory)
	{
		if (!bp_failed(ctx))
			bp_fail_limit(ctx);
		if (mem_parser != NULL)
			mem_parser->disableSAX = 1;
	}
}

/* malloc, counted. */
static void *
mem_malloc(size_t size)
{
	void	   *p = malloc(size);

	if (p != NULL && mem_current != NULL)
		mem_charge(mem_current, (int64_t) malloc_usable_size(p));
	return p;
}

/* realloc, counted (realloc(p, 0) frees p). */
static void *
mem_realloc(void *ptr, size_t size)
{
	size_t		old = 0;
	void	   *p;

	if (ptr != NULL && mem_current != NULL)
		old = malloc_usable_size(ptr);
	p = realloc(ptr, size);
	if (mem_current != NULL)
	{
		if (p != NULL)
			mem_charge(mem_current,
					   (int64_t) malloc_usable_size(p) - (int64_t) old);
		else if (size == 0)
			mem_charge(mem_current, -(int64_t) old);
	}
	return p;
}

/* free, counted. */
static void
mem_free(void *ptr)
{
	if (ptr != NULL && mem_current != NULL)
		mem_charge(mem_current, -(int64_t) malloc_usable_size(ptr));
	free(ptr);
}

/* strdup through mem_malloc (libxml2's xmlMemStrdup). */
static char *
mem_strdup(const char *s)
{
	size_t		n = strlen(s) + 1;
	char	   *p = mem_malloc(n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

/* ICU's allocation hook. */
static void *U_CALLCONV
icu_malloc(const void *context, size_t size)
{
	(void) context;
	return mem_malloc(size);
}

/* ICU's reallocation hook. */
static void *U_CALLCONV
icu_realloc(const void *context, void *ptr, size_t size)
{
	(void) context;
	return mem_realloc(ptr, size);
}

/* ICU's free hook. */
static void U_CALLCONV
icu_free(const void *context, void *ptr)
{
	(void) context;
	mem_free(ptr);
}
#endif							/* BP_HAVE_USABLE_SIZE */

/*
 * Install the hooks once per process (see bookparse_core.h).  libxml2 is
 * hooked only while it still uses the C library's allocator: if something
 * else in the process replaced it, that choice is kept and libxml2 memory
 * goes uncounted.
 */
void
bp_memhooks_install(void)
{
#ifdef BP_HAVE_USABLE_SIZE
	xmlFreeFunc f;
	xmlMallocFunc m;
	xmlReallocFunc r;
	xmlStrdupFunc s;
	UErrorCode	status = U_ZERO_ERROR;

	if (hooks_tried)
		return;
	hooks_tried = true;
	if (xmlMemGet(&f, &m, &r, &s) == 0 &&
		f == free && m == malloc && r == realloc)
		xml_hooked = xmlMemSetup(mem_free, mem_malloc, mem_realloc,
								 mem_strdup) == 0;
	u_setMemoryFunctions(NULL, icu_malloc, icu_realloc, icu_free, &status);
	icu_hooked = U_SUCCESS(status);
#else
	hooks_tried = true;
#endif
}

/* Which libraries' memory is counted: bit 1 libxml2, bit 2 ICU. */
int
bp_memhooks_active(void)
{
	return (xml_hooked ? 1 : 0) | (icu_hooked ? 2 : 0);
}

/* Make ctx the parse charged for library allocations; returns the previous. */
bp_ctx *
bp_mem_enter(bp_ctx *ctx)
{
	bp_ctx	   *prev = mem_current;

	mem_current = ctx;
	return prev;
}

/* Restore the parse that was current before bp_mem_enter. */
void
bp_mem_leave(bp_ctx *prev)
{
	mem_current = prev;
	mem_parser = NULL;
}

/* Tell the hooks which libxml2 parser to stop at the limit (NULL: none). */
void
bp_mem_set_parser(void *parser)
{
	mem_parser = (xmlParserCtxtPtr) parser;
}

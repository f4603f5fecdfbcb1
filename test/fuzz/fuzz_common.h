/*
 * fuzz_common.h
 *	  Shared helpers of the libFuzzer targets in test/fuzz/.
 *
 * Each target compiles the core sources directly (make fuzz) with
 * -fsanitize=fuzzer,address,undefined.  The helpers set bounded options,
 * run a format parser the way bp_parse() does, and check the properties
 * every successful parse must have: chapter text and HTML are valid UTF-8
 * without NUL.  A property violation calls abort() so libFuzzer keeps the
 * input (the harness may abort; the core never does).
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bp_internal.h"

/* Options of a fuzz parse: small bounds, every output on. */
static inline void
fz_options(bp_options *o)
{
	bp_options_init(o);
	o->max_memory = (size_t) 96 * 1024 * 1024;
	o->max_entry_size = (size_t) 16 * 1024 * 1024;
	o->max_total_inflated = (size_t) 48 * 1024 * 1024;
	o->max_entries = 5000;
	o->want_html = true;
	o->want_text = true;
	o->want_assets = true;
}

/* Abort with a message: a property of the output does not hold. */
static inline void
fz_die(const char *what, int chapter)
{
	fprintf(stderr, "fuzz: property violated: %s (chapter %d)\n", what, chapter);
	abort();
}

/* Check a parsed book: text/HTML valid UTF-8 without NUL, lengths agree. */
static inline void
fz_check_book(const bp_book *b)
{
	int			i;

	for (i = 0; i < b->nchapters; i++)
	{
		const bp_chapter *c = &b->chapters[i];

		if (c->text != NULL)
		{
			if (strlen(c->text) != c->text_len)
				fz_die("text_len disagrees with the text (NUL inside?)", i);
			if (!bp_utf8_valid(c->text, c->text_len))
				fz_die("chapter text is not valid UTF-8", i);
		}
		if (c->html != NULL)
		{
			if (strlen(c->html) != c->html_len)
				fz_die("html_len disagrees with the HTML (NUL inside?)", i);
			if (!bp_utf8_valid(c->html, c->html_len))
				fz_die("chapter HTML is not valid UTF-8", i);
		}
		if (c->title != NULL && !bp_utf8_valid(c->title, strlen(c->title)))
			fz_die("chapter title is not valid UTF-8", i);
	}
	if (b->meta.title != NULL && !bp_utf8_valid(b->meta.title, strlen(b->meta.title)))
		fz_die("book title is not valid UTF-8", -1);
}

/* Serialise the book as JSON and check it is valid UTF-8. */
static inline void
fz_json(const bp_book *b)
{
	size_t		len = 0;
	char	   *json = bp_book_to_json(b, &len);

	if (json != NULL)
	{
		if (!bp_utf8_valid(json, len))
			fz_die("JSON is not valid UTF-8", -1);
		free(json);
	}
}

/* Parse a whole book through the public API and check the result. */
static inline void
fz_parse_book(const uint8_t *data, size_t size, const char *name)
{
	bp_options	o;
	bp_error	err;
	bp_book    *b;

	fz_options(&o);
	b = bp_parse(data, size, name, &o, &err);
	if (b == NULL)
	{
		if (err.code == BP_OK)
			fz_die("NULL book without an error", -1);
		if (err.code == BP_ERR_INTERNAL)
			fz_die(err.message, -1);
		return;
	}
	fz_check_book(b);
	fz_json(b);
	bp_book_free(b);
}

typedef bool (*fz_parser) (bp_ctx *ctx, const unsigned char *data, size_t len);

/*
 * Run one format parser on the bytes as bp_parse() does (context, memory
 * hooks, writer finish), then check the chapters.
 */
static inline void
fz_parse_direct(const uint8_t *data, size_t size, fz_parser parser)
{
	bp_options	o;
	bp_ctx	   *ctx;
	bp_ctx	   *prev;
	bool		ok;

	fz_options(&o);
	bp_memhooks_install();
	ctx = bp_ctx_create(&o, "fuzz", size);
	if (ctx == NULL)
		return;
	prev = bp_mem_enter(ctx);
	ok = parser(ctx, data, size);
	if (ok && !bp_failed(ctx))
		ok = bp_w_finish(ctx);
	if (ok && !bp_failed(ctx))
	{
		fz_check_book(ctx->book);
		fz_json(ctx->book);
	}
	else if (!bp_failed(ctx))
		fz_die("parser returned false without an error", -1);
	bp_ctx_destroy(ctx);
	bp_mem_leave(prev);
}

#endif							/* FUZZ_COMMON_H */

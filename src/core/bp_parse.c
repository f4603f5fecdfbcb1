/*-------------------------------------------------------------------------
 *
 * bp_parse.c
 *	  The library's entry point: bytes → detect → format parser → book
 *	  model with statistics.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "bp_internal.h"

#define BP_VERSION "0.1.0"
#define WORDS_PER_MINUTE 200

/* Library version string. */
const char *
bp_version(void)
{
	return BP_VERSION;
}

/* Stable snake_case name of an error code. */
const char *
bp_code_name(bp_code code)
{
	switch (code)
	{
		case BP_OK:
			return "ok";
		case BP_ERR_EMPTY:
			return "empty";
		case BP_ERR_NOT_A_BOOK:
			return "not_a_book";
		case BP_ERR_CORRUPT:
			return "corrupt_archive";
		case BP_ERR_BAD_XML:
			return "bad_xml";
		case BP_ERR_ENCODING:
			return "bad_encoding";
		case BP_ERR_ENCRYPTED:
			return "encrypted";
		case BP_ERR_UNSUPPORTED_COMPRESSION:
			return "unsupported_compression";
		case BP_ERR_NO_TEXT:
			return "no_text";
		case BP_ERR_LIMIT:
			return "limit_exceeded";
		case BP_ERR_CANCELED:
			return "canceled";
		case BP_ERR_INTERNAL:
			return "internal";
	}
	return "internal";
}

/*
 * Hold the detected format against the container the file name claims.
 * Bytes that are plain text (the fallback format) under an EPUB or FB2
 * name (a truncated download, an error page saved under the book's name)
 * are not a book; another book format is read as what it is, with a
 * warning.  Names that claim nothing (.txt, none) change nothing.
 */
static bool
check_claimed_format(bp_ctx *ctx, const bp_format *fmt, size_t len)
{
	const bp_format *claimed = bp_format_claimed(ctx->filename);

	if (claimed == NULL || claimed == fmt)
		return true;
	if (fmt->fallback)
		return bp_fail(ctx, BP_ERR_NOT_A_BOOK,
					   "the file is named .%s but is %s (%zu byte%s)",
					   claimed->name, fmt->description, len, len == 1 ? "" : "s");
	bp_warn(ctx, "format_name_mismatch",
			"the file is named .%s but is %s%s; read as %s",
			claimed->name, fmt->article, fmt->description, fmt->name);
	return true;
}

/* Was a warning with this code recorded? */
static bool
has_warning(const bp_book *book, const char *code)
{
	int			i;

	for (i = 0; i < book->nwarnings; i++)
		if (strcmp(book->warnings[i].code, code) == 0)
			return true;
	return false;
}

/* Sum chapter counts into the book's statistics. */
static void
sum_counts(bp_book *book)
{
	int			i;

	memset(&book->counts, 0, sizeof(book->counts));
	for (i = 0; i < book->nchapters; i++)
	{
		bp_counts  *c = &book->chapters[i].counts;

		book->counts.words += c->words;
		book->counts.sentences += c->sentences;
		book->counts.characters += c->characters;
		book->counts.paragraphs += c->paragraphs;
	}
	book->reading_minutes = (book->counts.words + WORDS_PER_MINUTE - 1) / WORDS_PER_MINUTE;
}

/* Charge the input the caller holds; false (ctx failed) when over the limit. */
static bool
charge_input(bp_ctx *ctx, size_t len)
{
	char		size[32];

	bp_format_bytes(len, size, sizeof(size));
	bp_set_activity(ctx, "reading the book (%s)", size);
	if (len > ctx->opts.max_memory)
		return bp_fail_limit(ctx);
	ctx->mem_used += len;
	if (bp_mem_total(ctx) > ctx->mem_peak)
		ctx->mem_peak = bp_mem_total(ctx);
	return true;
}

/* Can a book of len bytes fit the memory limit at all: see bookparse_core.h. */
bool
bp_input_fits(size_t len, const bp_options *opts, bp_error *err)
{
	bp_ctx	   *ctx;
	bool		ok;

	memset(err, 0, sizeof(*err));
	ctx = bp_ctx_create(opts, NULL, len);
	if (ctx == NULL)
	{
		err->code = BP_ERR_LIMIT;
		strcpy(err->message, "out of memory");
		return false;
	}
	ok = charge_input(ctx, len);
	if (!ok)
		*err = ctx->err;
	bp_ctx_destroy(ctx);
	return ok;
}

/* Parse a book: see bookparse_core.h. */
bp_book *
bp_parse(const unsigned char *data, size_t len, const char *filename,
		 const bp_options *opts, bp_error *err)
{
	bp_ctx	   *ctx;
	const bp_format *fmt;
	const char *what = NULL;
	bp_book    *book;
	bp_ctx	   *prev_ctx;
	bool		ok;

	memset(err, 0, sizeof(*err));
	bp_memhooks_install();
	ctx = bp_ctx_create(opts, filename, len);
	if (ctx == NULL)
	{
		err->code = BP_ERR_LIMIT;
		strcpy(err->message, "out of memory");
		return NULL;
	}
	prev_ctx = bp_mem_enter(ctx);
	book = ctx->book;
	if (!charge_input(ctx, len))
		goto fail;
	bp_set_activity(ctx, "reading");
	if (!bp_progress(ctx, BP_PHASE_READING, 0))
		goto fail;
	if (len == 0 || data == NULL)
	{
		bp_fail(ctx, BP_ERR_EMPTY, "empty file");
		goto fail;
	}
	fmt = bp_detect(data, len, &what);
	if (fmt == NULL)
	{
		bp_fail(ctx, BP_ERR_NOT_A_BOOK, "%s", what ? what : "unknown data");
		goto fail;
	}
	if (!check_claimed_format(ctx, fmt, len))
		goto fail;
	book->format = fmt->name;
	ok = fmt->parse(ctx, data, len);
	if (!ok || bp_failed(ctx))
	{
		if (!bp_failed(ctx))
			bp_fail(ctx, BP_ERR_INTERNAL, "parser failed without saying why");
		goto fail;
	}
	bp_set_activity(ctx, "analysing text");
	if (!bp_w_finish(ctx))
		goto fail;
	sum_counts(book);
	if (book->nchapters == 0 || (book->counts.characters == 0 && book->nassets == 0))
	{
		/*
		 * A package with metadata but no content documents is still what a
		 * reader opens (an empty book); with nothing at all, fail.
		 */
		if (has_warning(book, "zip_recovered"))
		{
			bp_fail(ctx, BP_ERR_CORRUPT,
					"damaged zip archive: no text could be recovered from its whole entries");
			goto fail;
		}
		if (book->meta.title == NULL)
		{
			bp_fail(ctx, BP_ERR_NO_TEXT, "no text found in the book");
			goto fail;
		}
		bp_warn(ctx, "no_text", "the book has metadata but no readable text");
	}
	if (!bp_progress(ctx, BP_PHASE_DONE, len))
		goto fail;
	bp_text_cleanup(ctx);
	book->peak_memory = ctx->mem_peak;
	book->held_memory = bp_mem_total(ctx);
	bp_mem_leave(prev_ctx);
	return book;

fail:
	*err = ctx->err;
	if (err->code == BP_OK)
	{
		err->code = BP_ERR_INTERNAL;
		strcpy(err->message, "unknown failure");
	}
	bp_ctx_destroy(ctx);
	bp_mem_leave(prev_ctx);
	return NULL;
}

/* Free a book and everything it owns. */
void
bp_book_free(bp_book *book)
{
	if (book != NULL)
		bp_ctx_destroy(book->ctx);
}

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

/* Parse a zip archive: an EPUB, or a FictionBook inside a zip. */
static bool
parse_zip(bp_ctx *ctx, const unsigned char *data, size_t len, const char *fmt)
{
	bp_zip		zip;
	bool		ok;

	memset(&zip, 0, sizeof(zip));
	bp_set_activity(ctx, "reading the zip directory");
	if (!bp_zip_open(ctx, data, len, &zip))
		return false;
	if (strcmp(fmt, "fb2.zip") == 0)
	{
		const bp_zip_entry *e = find_fb2_entry(&zip);
		unsigned char *buf = NULL;
		size_t		n = 0;

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
		ctx->book->format = "fb2.zip";
		return ok;
	}
	ok = bp_parse_epub(ctx, &zip);
	bp_zip_close(&zip);
	return ok;
}

/* The container a file name claims: "epub", "fb2", "fb2.zip", or NULL. */
static const char *
claimed_format(const char *filename)
{
	if (filename == NULL)
		return NULL;
	if (bp_has_suffix_ci(filename, ".fb2.zip"))
		return "fb2.zip";
	if (bp_has_suffix_ci(filename, ".epub"))
		return "epub";
	if (bp_has_suffix_ci(filename, ".fb2"))
		return "fb2";
	return NULL;
}

/* A detected book format in words, for messages. */
static const char *
format_words(const char *fmt)
{
	if (strcmp(fmt, "epub") == 0)
		return "an EPUB book";
	if (strcmp(fmt, "fb2") == 0)
		return "a FictionBook 2 book";
	if (strcmp(fmt, "fb2.zip") == 0)
		return "a zipped FictionBook 2 book";
	return "plain text";
}

/*
 * Hold the detected format against the container the file name claims.
 * Bytes that are plain text under an EPUB or FB2 name (a truncated
 * download, an error page saved under the book's name) are not a book;
 * another book format is read as what it is, with a warning.  Names that
 * claim nothing (.txt, none) change nothing.
 */
static bool
check_claimed_format(bp_ctx *ctx, const char *fmt, size_t len)
{
	const char *claimed = claimed_format(ctx->filename);

	if (claimed == NULL || strcmp(claimed, fmt) == 0)
		return true;
	if (strcmp(fmt, "txt") == 0)
		return bp_fail(ctx, BP_ERR_NOT_A_BOOK,
					   "the file is named .%s but is plain text (%zu byte%s)",
					   claimed, len, len == 1 ? "" : "s");
	bp_warn(ctx, "format_name_mismatch",
			"the file is named .%s but is %s; read as %s",
			claimed, format_words(fmt), fmt);
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
	const char *fmt;
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
	fmt = bp_detect_format(data, len, &what);
	if (fmt == NULL)
	{
		bp_fail(ctx, BP_ERR_NOT_A_BOOK, "%s", what ? what : "unknown data");
		goto fail;
	}
	if (!check_claimed_format(ctx, fmt, len))
		goto fail;
	if (strcmp(fmt, "epub") == 0 || strcmp(fmt, "fb2.zip") == 0)
		ok = parse_zip(ctx, data, len, fmt);
	else if (strcmp(fmt, "fb2") == 0)
		ok = bp_parse_fb2(ctx, data, len);
	else
		ok = bp_parse_txt(ctx, data, len);
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

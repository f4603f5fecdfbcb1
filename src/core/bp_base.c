/*-------------------------------------------------------------------------
 *
 * bp_base.c
 *	  The parse context: bounded memory, errors as values, warnings,
 *	  growable buffers and progress reports.
 *
 * Every allocation of a parse carries a small header linking it into the
 * context's list, so that the whole parse is freed at once and so that
 * each byte is counted against opts.max_memory.  Exceeding the limit is
 * not a crash but an error value (BP_ERR_LIMIT) whose message names the
 * setting to raise and what the parse was doing at the time.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bp_internal.h"

typedef struct bp_alloc_hdr
{
	struct bp_alloc_hdr *prev;
	struct bp_alloc_hdr *next;
	size_t		size;
	size_t		pad;			/* keeps the payload 16-byte aligned */
} bp_alloc_hdr;

#define HDR_SIZE sizeof(bp_alloc_hdr)

/* Fill *opts with the defaults. */
void
bp_options_init(bp_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->max_memory = (size_t) 256 * 1024 * 1024;
	opts->max_entry_size = (size_t) 512 * 1024 * 1024;
	opts->max_total_inflated = (size_t) 1024 * 1024 * 1024;
	opts->max_entries = 50000;
	opts->memory_setting = "the memory limit";
	opts->want_html = true;
	opts->want_text = true;
	opts->want_assets = false;
}

/* Create a parse context with its empty book; NULL if malloc fails. */
bp_ctx *
bp_ctx_create(const bp_options *opts, const char *filename, size_t input_len)
{
	bp_ctx	   *ctx = calloc(1, sizeof(bp_ctx));

	if (ctx == NULL)
		return NULL;
	if (opts)
		ctx->opts = *opts;
	else
		bp_options_init(&ctx->opts);
	if (ctx->opts.memory_setting == NULL)
		ctx->opts.memory_setting = "the memory limit";
	ctx->filename = filename;
	ctx->input_len = input_len;
	ctx->book = bp_alloc0(ctx, sizeof(bp_book));
	if (ctx->book == NULL)
	{
		free(ctx);
		return NULL;
	}
	ctx->book->ctx = ctx;
	ctx->book->input_size = input_len;
	bp_buf_init(&ctx->w.text, ctx);
	bp_buf_init(&ctx->w.html, ctx);
	bp_buf_init(&ctx->w.para, ctx);
	bp_buf_init(&ctx->w.scratch, ctx);
	return ctx;
}

/* Free a context and every allocation it still holds. */
void
bp_ctx_destroy(bp_ctx *ctx)
{
	bp_alloc_hdr *h;

	if (ctx == NULL)
		return;
	bp_text_cleanup(ctx);
	h = ctx->allocs;
	while (h != NULL)
	{
		bp_alloc_hdr *next = h->next;

		free(h);
		h = next;
	}
	free(ctx);
}

/* The memory-limit error for opts while activity: see bookparse_core.h. */
void
bp_limit_error(const bp_options *opts, const char *activity, bp_error *err)
{
	const char *setting = opts->memory_setting ? opts->memory_setting
		: "the memory limit";
	char		limit[32];

	bp_format_bytes(opts->max_memory, limit, sizeof(limit));
	err->code = BP_ERR_LIMIT;
	snprintf(err->message, sizeof(err->message),
			 "book needs more than %s (%s) while %s; raise %s to parse it",
			 setting, limit, activity, setting);
	err->setting = setting;
	err->cap[0] = '\0';
}

/* Record the memory-limit error naming the setting and the activity. */
bool
bp_fail_limit(bp_ctx *ctx)
{
	if (ctx->err.code == BP_OK)
		bp_limit_error(&ctx->opts, ctx->activity[0] ? ctx->activity : "parsing",
					   &ctx->err);
	return false;
}

/* Allocate size bytes counted against the limit; NULL (ctx failed) if over. */
void *
bp_alloc(bp_ctx *ctx, size_t size)
{
	bp_alloc_hdr *h;

	if (bp_failed(ctx))
		return NULL;
	if (size > ctx->opts.max_memory ||
		bp_mem_total(ctx) + size + HDR_SIZE > ctx->opts.max_memory)
	{
		bp_fail_limit(ctx);
		return NULL;
	}
	h = malloc(HDR_SIZE + size);
	if (h == NULL)
	{
		bp_fail(ctx, BP_ERR_LIMIT, "out of memory while %s (%zu bytes)",
				ctx->activity[0] ? ctx->activity : "parsing", size);
		return NULL;
	}
	h->size = size;
	h->prev = NULL;
	h->next = ctx->allocs;
	if (ctx->allocs)
		ctx->allocs->prev = h;
	ctx->allocs = h;
	ctx->mem_used += size + HDR_SIZE;
	if (bp_mem_total(ctx) > ctx->mem_peak)
		ctx->mem_peak = bp_mem_total(ctx);
	return (char *) h + HDR_SIZE;
}

/* Allocate size zeroed bytes counted against the limit. */
void *
bp_alloc0(bp_ctx *ctx, size_t size)
{
	void	   *p = bp_alloc(ctx, size);

	if (p)
		memset(p, 0, size);
	return p;
}

/* Resize an allocation (NULL ptr allocates); NULL (ctx failed) if over. */
void *
bp_realloc(bp_ctx *ctx, void *ptr, size_t size)
{
	bp_alloc_hdr *h;
	bp_alloc_hdr *nh;

	if (ptr == NULL)
		return bp_alloc(ctx, size);
	if (bp_failed(ctx))
		return NULL;
	h = (bp_alloc_hdr *) ((char *) ptr - HDR_SIZE);
	if (size > h->size &&
		(size > ctx->opts.max_memory ||
		 bp_mem_total(ctx) - h->size + size > ctx->opts.max_memory))
	{
		bp_fail_limit(ctx);
		return NULL;
	}
	nh = realloc(h, HDR_SIZE + size);
	if (nh == NULL)
	{
		bp_fail(ctx, BP_ERR_LIMIT, "out of memory while %s (%zu bytes)",
				ctx->activity[0] ? ctx->activity : "parsing", size);
		return NULL;
	}
	if (nh->prev)
		nh->prev->next = nh;
	else
		ctx->allocs = nh;
	if (nh->next)
		nh->next->prev = nh;
	ctx->mem_used = ctx->mem_used - nh->size + size;
	nh->size = size;
	if (bp_mem_total(ctx) > ctx->mem_peak)
		ctx->mem_peak = bp_mem_total(ctx);
	return (char *) nh + HDR_SIZE;
}

/* Free one allocation early (everything is freed with the context anyway). */
void
bp_free(bp_ctx *ctx, void *ptr)
{
	bp_alloc_hdr *h;

	if (ptr == NULL)
		return;
	h = (bp_alloc_hdr *) ((char *) ptr - HDR_SIZE);
	if (h->prev)
		h->prev->next = h->next;
	else
		ctx->allocs = h->next;
	if (h->next)
		h->next->prev = h->prev;
	ctx->mem_used -= h->size + HDR_SIZE;
	free(h);
}

/* Copy a string into context memory (NULL stays NULL). */
char *
bp_strdup(bp_ctx *ctx, const char *s)
{
	if (s == NULL)
		return NULL;
	return bp_strndup(ctx, s, strlen(s));
}

/* Copy n bytes of s into context memory, NUL-terminated. */
char *
bp_strndup(bp_ctx *ctx, const char *s, size_t n)
{
	char	   *p = bp_alloc(ctx, n + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* printf into context memory. */
char *
bp_sprintf(bp_ctx *ctx, const char *fmt,...)
{
	va_list		ap;
	int			n;
	char	   *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	p = bp_alloc(ctx, (size_t) n + 1);
	if (p == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t) n + 1, fmt, ap);
	va_end(ap);
	return p;
}

/* Grow an array so that it holds at least need elements. */
void *
bp_array_grow(bp_ctx *ctx, void *arr, int *cap, int need, size_t elem_size)
{
	int			newcap;
	void	   *p;

	if (need <= *cap && arr != NULL)
		return arr;
	newcap = *cap > 0 ? *cap : 8;
	while (newcap < need)
	{
		if (newcap > (1 << 28))
		{
			bp_fail_bound(ctx, NULL, "2^28 items in one list",
						  "too many items while %s",
						  ctx->activity[0] ? ctx->activity : "parsing");
			return NULL;
		}
		newcap *= 2;
	}
	p = bp_realloc(ctx, arr, (size_t) newcap * elem_size);
	if (p == NULL)
		return NULL;
	*cap = newcap;
	return p;
}

static bool bp_fail_va(bp_ctx *ctx, bp_code code, const char *fmt, va_list ap)
			BP_PRINTF(3, 0);

/* Record code and the formatted message unless ctx already failed; true if recorded. */
static bool
bp_fail_va(bp_ctx *ctx, bp_code code, const char *fmt, va_list ap)
{
	if (ctx->err.code != BP_OK)
		return false;
	ctx->err.code = code;
	vsnprintf(ctx->err.message, sizeof(ctx->err.message), fmt, ap);
	return true;
}

/* Record the first error of the parse; returns false for convenience. */
bool
bp_fail(bp_ctx *ctx, bp_code code, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	bp_fail_va(ctx, code, fmt, ap);
	va_end(ap);
	return false;
}

/*
 * Record a limit error (the first error wins) saying which limit was hit:
 * setting when the value of the caller's setting was the limit, else cap,
 * a fixed cap of the library ("512MB per zip entry"); always false.
 */
bool
bp_fail_bound(bp_ctx *ctx, const char *setting, const char *cap,
			  const char *fmt,...)
{
	va_list		ap;
	bool		recorded;

	va_start(ap, fmt);
	recorded = bp_fail_va(ctx, BP_ERR_LIMIT, fmt, ap);
	va_end(ap);
	if (recorded)
	{
		ctx->err.setting = setting;
		snprintf(ctx->err.cap, sizeof(ctx->err.cap), "%s",
				 setting == NULL && cap != NULL ? cap : "");
	}
	return false;
}

/* Set what the parse is doing now (used in limit messages). */
void
bp_set_activity(bp_ctx *ctx, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(ctx->activity, sizeof(ctx->activity), fmt, ap);
	va_end(ap);
}

/* Record a warning; past BP_MAX_WARNINGS only count it. */
void
bp_warn(bp_ctx *ctx, const char *code, const char *fmt,...)
{
	bp_book    *book = ctx->book;
	va_list		ap;
	char		msg[512];
	bp_warning *w;

	if (bp_failed(ctx))
		return;
	if (book->nwarnings >= BP_MAX_WARNINGS)
	{
		book->warnings_dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* make sure a truncated message is still valid UTF-8 */
	{
		size_t		n = strlen(msg);

		while (n > 0 && !bp_utf8_valid(msg, n))
			msg[--n] = '\0';
	}
	book->warnings = bp_array_grow(ctx, book->warnings, &ctx->warnings_cap,
								   book->nwarnings + 1, sizeof(bp_warning));
	if (book->warnings == NULL)
		return;
	w = &book->warnings[book->nwarnings];
	w->code = bp_strdup(ctx, code);
	w->message = bp_strdup(ctx, msg);
	if (w->code && w->message)
		book->nwarnings++;
}

/* Report progress to the caller's hook; false (ctx failed) to stop. */
bool
bp_progress(bp_ctx *ctx, bp_phase phase, size_t done)
{
	if (bp_failed(ctx))
		return false;
	ctx->progress_phase = phase;
	ctx->progress_done = done;
	if (ctx->opts.progress == NULL)
		return true;
	if (!ctx->opts.progress(ctx->opts.progress_arg, phase, done,
							ctx->input_len, bp_mem_total(ctx)))
		return bp_fail(ctx, BP_ERR_CANCELED, "parse canceled while %s",
					   ctx->activity[0] ? ctx->activity : "parsing");
	return true;
}

/* Report the last progress again (a chance to cancel); false to stop. */
bool
bp_progress_again(bp_ctx *ctx)
{
	return bp_progress(ctx, ctx->progress_phase, ctx->progress_done);
}

/* Format a byte count the way PostgreSQL shows memory settings. */
void
bp_format_bytes(size_t n, char *out, size_t outlen)
{
	const size_t kb = 1024;

	if (n >= kb * kb * kb && n % (kb * kb * kb) == 0)
		snprintf(out, outlen, "%zuGB", n / (kb * kb * kb));
	else if (n >= kb * kb && n % (kb * kb) == 0)
		snprintf(out, outlen, "%zuMB", n / (kb * kb));
	else if (n >= kb && n % kb == 0)
		snprintf(out, outlen, "%zukB", n / kb);
	else
		snprintf(out, outlen, "%zu bytes", n);
}

/* ---- buffers ---- */

/* Start an empty buffer owned by ctx. */
void
bp_buf_init(bp_buf *buf, bp_ctx *ctx)
{
	buf->ctx = ctx;
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
}

/* Make room for extra more bytes (plus the terminating NUL). */
bool
bp_buf_reserve(bp_buf *buf, size_t extra)
{
	size_t		need;
	size_t		newcap;
	char	   *p;

	if (extra > SIZE_MAX / 2 - buf->len)
		return bp_fail_bound(buf->ctx, NULL, "half the address space per buffer",
							 "text too large while %s", buf->ctx->activity);
	need = buf->len + extra + 1;
	if (need <= buf->cap)
		return true;
	newcap = buf->cap ? buf->cap : 256;
	while (newcap < need)
		newcap *= 2;
	p = bp_realloc(buf->ctx, buf->data, newcap);
	if (p == NULL)
		return false;
	if (buf->data == NULL)
		p[0] = '\0';
	buf->data = p;
	buf->cap = newcap;
	buf->data[buf->len] = '\0';
	return true;
}

/* Append len bytes. */
bool
bp_buf_append(bp_buf *buf, const void *data, size_t len)
{
	if (!bp_buf_reserve(buf, len))
		return false;
	if (len > 0)
		memcpy(buf->data + buf->len, data, len);
	buf->len += len;
	buf->data[buf->len] = '\0';
	return true;
}

/* Append a NUL-terminated string. */
bool
bp_buf_puts(bp_buf *buf, const char *s)
{
	return bp_buf_append(buf, s, strlen(s));
}

/* Append one byte. */
bool
bp_buf_putc(bp_buf *buf, char c)
{
	if (buf->len + 2 > buf->cap && !bp_buf_reserve(buf, 1))
		return false;
	buf->data[buf->len++] = c;
	buf->data[buf->len] = '\0';
	return true;
}

/* Append printf output. */
bool
bp_buf_printf(bp_buf *buf, const char *fmt,...)
{
	va_list		ap;
	int			n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return false;
	if (!bp_buf_reserve(buf, (size_t) n))
		return false;
	va_start(ap, fmt);
	vsnprintf(buf->data + buf->len, (size_t) n + 1, fmt, ap);
	va_end(ap);
	buf->len += (size_t) n;
	return true;
}

/* Empty the buffer, keeping its memory. */
void
bp_buf_reset(bp_buf *buf)
{
	buf->len = 0;
	if (buf->data)
		buf->data[0] = '\0';
}

/* Release the buffer's memory. */
void
bp_buf_free(bp_buf *buf)
{
	bp_free(buf->ctx, buf->data);
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
}

/* Hand over the buffer's contents (NUL-terminated, never NULL unless failed). */
char *
bp_buf_steal(bp_buf *buf, size_t *len)
{
	char	   *p;

	if (buf->data == NULL && !bp_buf_reserve(buf, 0))
		return NULL;
	/* shrink big buffers to what they hold, so the model stays small */
	if (buf->cap > buf->len + 1 + 4096)
	{
		char	   *q = bp_realloc(buf->ctx, buf->data, buf->len + 1);

		if (q != NULL)
			buf->data = q;
	}
	p = buf->data;
	if (len)
		*len = buf->len;
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
	return p;
}

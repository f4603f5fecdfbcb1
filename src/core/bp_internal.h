/*-------------------------------------------------------------------------
 *
 * bp_internal.h
 *	  Shared internals of src/core: the parse context and its bounded
 *	  allocator, buffers, warnings, the chapter writer, the zip reader,
 *	  the XML helpers, encodings, text analysis and the format parsers.
 *
 * Conventions:
 *	- Every function that can fail returns bool (or NULL) and, on failure,
 *	  has already recorded the error in ctx with bp_fail().  Once ctx has
 *	  failed, further calls return false quickly; callers just unwind.
 *	- All memory comes from bp_alloc() and friends, counted against
 *	  ctx->opts.max_memory, and is released with the context.
 *	- Strings are NUL-terminated UTF-8 unless a length goes with them.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BP_INTERNAL_H
#define BP_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bookparse_core.h"

#if defined(__GNUC__)
#define BP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define BP_PRINTF(f, a)
#endif

#define BP_MAX_WARNINGS 100

/* Open output elements, kept so a chapter split can reopen them. */
#define BP_WRITER_MAX_DEPTH 64

/* Tags of the sanitized HTML: the only elements chapter HTML may hold. */
typedef enum bp_tag
{
	BP_TAG_NONE = 0,
	/* paragraph-level: each one is a paragraph of the plain text */
	BP_TAG_P,
	BP_TAG_H1,
	BP_TAG_H2,
	BP_TAG_H3,
	BP_TAG_H4,
	BP_TAG_H5,
	BP_TAG_H6,
	BP_TAG_LI,
	BP_TAG_PRE,
	BP_TAG_FIGCAPTION,
	BP_TAG_TR,					/* a table row is one paragraph */
	/* containers: hold paragraphs, no text of their own */
	BP_TAG_BLOCKQUOTE,
	BP_TAG_UL,
	BP_TAG_OL,
	BP_TAG_TABLE,
	BP_TAG_FIGURE,
	/* table cells: separated by a tab in the text */
	BP_TAG_TH,
	BP_TAG_TD,
	/* inline */
	BP_TAG_EM,
	BP_TAG_STRONG,
	BP_TAG_A,
	BP_TAG_SUP,
	BP_TAG_SUB,
	BP_TAG_CODE,
	/* void */
	BP_TAG_BR,
	BP_TAG_HR,
	BP_TAG_IMG,
	BP_TAG__COUNT
} bp_tag;

/* A growable byte buffer whose memory is counted by the context. */
typedef struct bp_buf
{
	struct bp_ctx *ctx;
	char	   *data;			/* always NUL-terminated when non-NULL */
	size_t		len;
	size_t		cap;
} bp_buf;

/* One open element of the chapter writer. */
typedef struct bp_wframe
{
	bp_tag		tag;
	bool		implicit;		/* a <p> the writer opened for loose text */
	char	   *href;			/* for <a>, reopened on a chapter split */
} bp_wframe;

/* State of the chapter writer (see bp_writer.c). */
typedef struct bp_writer
{
	bool		in_chapter;
	bp_buf		text;			/* plain text of the current chapter */
	bp_buf		html;			/* sanitized HTML of the current chapter */
	bp_buf		para;			/* the paragraph being built */
	bp_buf		scratch;		/* one text run, cleaned, before NFC */
	bool		has_content;	/* text or an image since the last chapter */
	bool		pending_space;	/* a collapsed space waits before next char */
	int			pre_depth;		/* inside <pre>: keep whitespace */
	int			cells_in_row;	/* cells written in the current <tr> */
	bp_wframe	stack[BP_WRITER_MAX_DEPTH];
	int			depth;
	int			overflow;		/* opens ignored past the stack's size */
	int64_t		paragraphs;
} bp_writer;

/* The context of one parse: options, memory, error, the model being built. */
typedef struct bp_ctx
{
	bp_options	opts;
	bp_error	err;			/* err.code != BP_OK once failed */
	const char *filename;		/* hint for messages; may be NULL */
	size_t		input_len;

	/* memory accounting */
	size_t		mem_used;		/* bytes of bp_alloc blocks (and zlib) */
	int64_t		mem_ext;		/* bytes libxml2 and ICU hold (bp_memhooks.c);
								 * may drift below 0 when they free blocks
								 * from before the parse */
	size_t		mem_peak;		/* highest bp_mem_total() seen */
	struct bp_alloc_hdr *allocs;	/* every live allocation */
	size_t		total_inflated;

	/* what the parse is doing now, for limit messages: "inflating X" */
	char		activity[256];

	/* the last progress report, repeated by bp_progress_again */
	bp_phase	progress_phase;
	size_t		progress_done;

	/* the model being built */
	bp_book    *book;
	int			chapters_cap;
	int			assets_cap;
	int			toc_cap;
	int			warnings_cap;
	int			creators_cap;
	int			identifiers_cap;
	int			subjects_cap;

	bp_writer	w;

	/* text analysis state (ICU objects, see bp_text_int.h) */
	void	   *text_state;
} bp_ctx;

/* ---- bp_base.c: context, memory, errors, warnings, buffers, progress ---- */

extern bp_ctx *bp_ctx_create(const bp_options *opts, const char *filename,
							 size_t input_len);
extern void bp_ctx_destroy(bp_ctx *ctx);

extern void *bp_alloc(bp_ctx *ctx, size_t size);	/* uninitialised */
extern void *bp_alloc0(bp_ctx *ctx, size_t size);	/* zeroed */
extern void *bp_realloc(bp_ctx *ctx, void *ptr, size_t size);
extern void bp_free(bp_ctx *ctx, void *ptr);
extern char *bp_strdup(bp_ctx *ctx, const char *s);
extern char *bp_strndup(bp_ctx *ctx, const char *s, size_t n);
extern char *bp_sprintf(bp_ctx *ctx, const char *fmt,...) BP_PRINTF(2, 3);

/* Grow an array so it can hold need elements; returns the (new) array. */
extern void *bp_array_grow(bp_ctx *ctx, void *arr, int *cap, int need,
						   size_t elem_size);

/* Record an error (the first one wins); always returns false. */
extern bool bp_fail(bp_ctx *ctx, bp_code code, const char *fmt,...) BP_PRINTF(3, 4);
static inline bool
bp_failed(const bp_ctx *ctx)
{
	return ctx->err.code != BP_OK;
}

/* Record the memory-limit error naming the setting and the activity. */
extern bool bp_fail_limit(bp_ctx *ctx);

/*
 * Record a BP_ERR_LIMIT error saying which limit was hit: the caller's
 * setting (when its value was the limit) or a fixed cap such as "512MB
 * per zip entry" (setting NULL); see bp_error.
 */
extern bool bp_fail_bound(bp_ctx *ctx, const char *setting, const char *cap,
						  const char *fmt,...) BP_PRINTF(4, 5);

/* Bytes the parse holds now: its own blocks plus libxml2's and ICU's. */
static inline size_t
bp_mem_total(const bp_ctx *ctx)
{
	return ctx->mem_used + (ctx->mem_ext > 0 ? (size_t) ctx->mem_ext : 0);
}

/* Charge library allocations to ctx while it is current (bp_memhooks.c). */
extern bp_ctx *bp_mem_enter(bp_ctx *ctx);
extern void bp_mem_leave(bp_ctx *prev);
/* The libxml2 parser context to stop when the limit is crossed, or NULL. */
extern void bp_mem_set_parser(void *parser);

/* Set what the parse is doing, for limit messages ("inflating a.xhtml"). */
extern void bp_set_activity(bp_ctx *ctx, const char *fmt,...) BP_PRINTF(2, 3);

/* Record a warning (kept up to BP_MAX_WARNINGS, then only counted). */
extern void bp_warn(bp_ctx *ctx, const char *code, const char *fmt,...) BP_PRINTF(3, 4);

/* Report progress; false (and ctx failed with BP_ERR_CANCELED) to stop. */
extern bool bp_progress(bp_ctx *ctx, bp_phase phase, size_t done);
/*
 * Report the last progress again, so the caller can cancel: for work that
 * does not know where it is in the input (libxml2 inside one document).
 */
extern bool bp_progress_again(bp_ctx *ctx);

/* Format a byte count for messages: "32MB", "1536kB", "100 bytes". */
extern void bp_format_bytes(size_t n, char *out, size_t outlen);

extern void bp_buf_init(bp_buf *buf, bp_ctx *ctx);
extern bool bp_buf_reserve(bp_buf *buf, size_t extra);
extern bool bp_buf_append(bp_buf *buf, const void *data, size_t len);
extern bool bp_buf_puts(bp_buf *buf, const char *s);
extern bool bp_buf_putc(bp_buf *buf, char c);
extern bool bp_buf_printf(bp_buf *buf, const char *fmt,...) BP_PRINTF(2, 3);
extern void bp_buf_reset(bp_buf *buf);
extern void bp_buf_free(bp_buf *buf);
/* Hand the buffer's memory to the caller (NUL-terminated); buf is reset. */
extern char *bp_buf_steal(bp_buf *buf, size_t *len);

/* ---- bp_strutil.c: small string helpers ---- */

/* Trimmed copy with runs of whitespace collapsed to one space; NULL if empty. */
extern char *bp_clean_space(bp_ctx *ctx, const char *s, size_t len);
/* Case-insensitive ASCII comparisons. */
extern int	bp_strcasecmp(const char *a, const char *b);
extern bool bp_has_suffix_ci(const char *s, const char *suffix);
/* Does the space-separated list s contain tok (also as "prefix:tok")? */
extern bool bp_has_token(const char *s, const char *tok);
/* Is [s, s+len) valid UTF-8 without NUL? */
extern bool bp_utf8_valid(const char *s, size_t len);
/* Decode one UTF-8 code point at s (len > 0); returns bytes used, or 0 when invalid. */
extern int	bp_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);
/* Append code point cp as UTF-8. */
extern bool bp_buf_put_cp(bp_buf *buf, uint32_t cp);

/* ---- bp_model.c: filling the book model ---- */

extern bool bp_meta_add_creator(bp_ctx *ctx, const char *name,
								const char *role, const char *file_as);
/* Adds an identifier; recognises ISBNs and sets meta.isbn from the first. */
extern bool bp_meta_add_identifier(bp_ctx *ctx, const char *scheme,
								   const char *value);
extern bool bp_meta_add_subject(bp_ctx *ctx, const char *subject);
/* Set a metadata string field if still NULL (cleaned of extra space). */
extern bool bp_meta_set(bp_ctx *ctx, char **field, const char *value);
/* Normalised ISBN-10/13 of s, or NULL when s is not a valid ISBN. */
extern char *bp_isbn_normalise(bp_ctx *ctx, const char *s);
extern bool bp_toc_add(bp_ctx *ctx, const char *title, const char *href,
					   int depth);
/* Add an asset; data may be NULL (then only size is known).  Returns index or -1. */
extern int	bp_asset_add(bp_ctx *ctx, const char *href, const char *media_type,
						 const unsigned char *data, size_t size, bool is_cover);
extern int	bp_asset_find(bp_ctx *ctx, const char *href);

/* ---- bp_writer.c: chapters of plain text and sanitized HTML ---- */

/*
 * Start a new chapter (ending the current one).  Open containers are
 * closed in the old chapter and reopened in the new one.
 */
extern bool bp_w_chapter(bp_ctx *ctx, const char *title, int depth,
						 const char *source, bool is_notes);
/* Is a chapter open? (text outside any chapter starts a leading one) */
extern bool bp_w_in_chapter(bp_ctx *ctx);
/* Open an output element; href only for BP_TAG_A, id optional. */
extern bool bp_w_open(bp_ctx *ctx, bp_tag tag, const char *href, const char *id);
/* Close the innermost open element with this tag (and those inside it). */
extern bool bp_w_close(bp_ctx *ctx, bp_tag tag);
/* Append text (any UTF-8; invalid bytes become U+FFFD, NUL dropped). */
extern bool bp_w_text(bp_ctx *ctx, const char *s, size_t len);
/* An image; src is an asset href (resolved in the book), alt may be NULL. */
extern bool bp_w_img(bp_ctx *ctx, const char *src, const char *alt);
extern bool bp_w_br(bp_ctx *ctx);
extern bool bp_w_hr(bp_ctx *ctx);
/* End any implicit paragraph: a block boundary (div, section, ...). */
extern bool bp_w_boundary(bp_ctx *ctx);
/* End the last chapter; called once when the format parser is done. */
extern bool bp_w_finish(bp_ctx *ctx);
/* Bytes of text written into the current chapter so far. */
extern size_t bp_w_chapter_text_len(bp_ctx *ctx);

/* ---- bp_zip.c: zip reader on zlib ---- */

typedef struct bp_zip_entry
{
	char	   *name;			/* UTF-8 (converted from CP437 if needed) */
	uint64_t	comp_size;
	uint64_t	uncomp_size;
	uint64_t	local_offset;	/* of the local header */
	uint32_t	crc32;
	uint16_t	method;			/* 0 stored, 8 deflate */
	uint16_t	flags;
	bool		encrypted;
} bp_zip_entry;

/* Why the last bp_zip_read of an entry gave nothing (ctx intact). */
typedef enum bp_zip_skip
{
	BP_ZIP_SKIP_NONE = 0,
	BP_ZIP_SKIP_ENCRYPTED,		/* zip encryption (a password) */
	BP_ZIP_SKIP_METHOD,			/* a compression method we do not read */
	BP_ZIP_SKIP_CORRUPT			/* truncated or corrupt data */
} bp_zip_skip;

typedef struct bp_zip
{
	bp_ctx	   *ctx;
	const unsigned char *data;
	size_t		len;
	bp_zip_entry *entries;		/* in central directory order */
	int			nentries;
	int		   *sorted;			/* entry indexes sorted by name */
	bool		recovered;		/* read from local headers (no central dir) */
	bp_zip_skip last_skip;		/* why the last bp_zip_read gave nothing */
} bp_zip;

/* Is this a zip archive (by signature)? */
extern bool bp_zip_is_zip(const unsigned char *data, size_t len);
/* Read the directory.  Fails with BP_ERR_CORRUPT when nothing can be read. */
extern bool bp_zip_open(bp_ctx *ctx, const unsigned char *data, size_t len,
						bp_zip *zip);
/* Find an entry by exact name, then case-insensitively; NULL if none. */
extern const bp_zip_entry *bp_zip_find(bp_zip *zip, const char *name);
/*
 * Inflate an entry into memory from bp_alloc (NUL-terminated, one extra
 * byte); the caller releases it with bp_free.  Checks the declared size,
 * the CRC (a mismatch is a warning), max_entry_size and max_total_inflated.
 */
extern bool bp_zip_read(bp_zip *zip, const bp_zip_entry *e,
						unsigned char **out, size_t *outlen);
/* Name of a zip compression method for messages ("deflate64", "unknown"). */
extern const char *bp_zip_method_name(unsigned method);
extern void bp_zip_close(bp_zip *zip);

/* ---- bp_detect.c ---- (bp_detect_format is public) */

/* What a walk over a zip archive's entry names (and mimetype) found. */
typedef struct bp_zip_seen
{
	int			entries;
	bool		epub_mimetype;
	bool		odt_mimetype;
	bool		odf_mimetype;
	bool		opf;
	bool		container;
	bool		fb2;
	bool		docx;
	bool		xlsx;
	bool		pptx;
	bool		content_xml;
	bool		content_types;
} bp_zip_seen;

/* The kind of container detection found the bytes to be. */
typedef enum bp_container
{
	BP_CONTAINER_ZIP,			/* a zip archive: sniff->zip */
	BP_CONTAINER_XML,			/* XML: sniff->xml_root */
	BP_CONTAINER_TEXT			/* text (UTF-8, UTF-16, single-byte) */
} bp_container;

/* What detection saw of some bytes, for the formats' detectors. */
typedef struct bp_sniff
{
	bp_container container;
	bp_zip_seen zip;			/* BP_CONTAINER_ZIP */
	const char *xml_root;		/* BP_CONTAINER_XML: root element's local
								 * name */
} bp_sniff;

struct bp_format;

/*
 * Detect the format of some bytes: its row of the registry, or NULL with
 * *what saying what the bytes look like (bp_detect_format is this by name).
 */
extern const struct bp_format *bp_detect(const unsigned char *data,
										 size_t len, const char **what);

/* ---- bp_format.c: the registry of book formats ---- */

/* One book format the library reads. */
typedef struct bp_format
{
	const char *name;			/* "epub", "fb2", "fb2.zip", "txt" */
	const char *description;	/* in words: describe_format(), *what */
	const char *article;		/* before description in a sentence, or "" */
	const char *suffix;			/* the file name ending that claims it, or
								 * NULL */
	bool		fallback;		/* what anything readable is: under another
								 * format's name it is not a book */
	/* does detection's view of the bytes show this format? */
	bool		(*detect) (const bp_sniff *sniff);
	/* parse the bytes into ctx->book (ctx->book->format is set already) */
	bool		(*parse) (bp_ctx *ctx, const unsigned char *data, size_t len);
} bp_format;

/* The first format (in the registry's order) whose detector accepts sniff. */
extern const bp_format *bp_format_detect(const bp_sniff *sniff);

/* The format a file name claims by its ending, or NULL. */
extern const bp_format *bp_format_claimed(const char *filename);

/* ---- bp_xml.c: safe libxml2 parsing ---- */

struct _xmlDoc;
struct _xmlNode;

#define BP_XML_HTML_ENTITIES	0x01	/* resolve &nbsp; etc. (XHTML, FB2) */
#define BP_XML_HTML_FALLBACK	0x02	/* if not well-formed, try the HTML
										 * parser too and keep the better one */

/*
 * Parse UTF-8 XML (or XHTML) safely: no network, no external entities or
 * DTDs, recover mode, bounded entity expansion.  Problems are recorded as
 * warnings naming `what`.  Returns NULL (ctx failed, BP_ERR_BAD_XML) only
 * when no root element can be had.  Free with bp_xml_free.
 */
extern struct _xmlDoc *bp_xml_parse(bp_ctx *ctx, const char *data, size_t len,
									const char *what, int flags);
extern void bp_xml_free(struct _xmlDoc *doc);
/* Local name of an element (no prefix), or "" for non-elements. */
extern const char *bp_xml_name(const struct _xmlNode *node);
/* Is node an element with this local name? */
extern bool bp_xml_is(const struct _xmlNode *node, const char *localname);
/* Attribute by local name, any namespace; pointer into the tree or NULL. */
extern const char *bp_xml_attr(const struct _xmlNode *node, const char *localname);
/* First child element with this local name, or NULL. */
extern struct _xmlNode *bp_xml_child(const struct _xmlNode *node, const char *localname);
/* Next sibling element with this local name, or NULL. */
extern struct _xmlNode *bp_xml_next(const struct _xmlNode *node, const char *localname);
/* First element with this local name in document order below node. */
extern struct _xmlNode *bp_xml_find(const struct _xmlNode *node, const char *localname);
/* All text below node, whitespace collapsed, trimmed; NULL if empty. */
extern char *bp_xml_text(bp_ctx *ctx, const struct _xmlNode *node);
/* Next node in document order below root (iterative, no recursion). */
extern struct _xmlNode *bp_xml_walk_next(const struct _xmlNode *root,
										 const struct _xmlNode *node,
										 bool descend);
/*
 * Append the text an entity reference node (to an entity declared in the
 * internal DTD subset) stands for, within a per-document budget.
 */
extern bool bp_xml_ref_text(bp_ctx *ctx, const struct _xmlNode *ref,
							bp_buf *buf);

/* ---- bp_path.c: hrefs inside a book (EPUB) ---- */

#define BP_PATH_REMOTE		0x01	/* has a scheme (http:, file:, ...) */
#define BP_PATH_ABSOLUTE	0x02	/* started with '/': taken from the root */
#define BP_PATH_CLAMPED		0x04	/* "../" climbed above the root */
#define BP_PATH_FRAGMENT	0x08	/* had a #fragment */
#define BP_PATH_EMPTY		0x10	/* nothing left to resolve */

/*
 * Resolve href against the document base_file (a zip path) into a
 * normalised, percent-decoded zip path, or NULL (remote, empty).  The
 * decoded #fragment goes to *fragment (may be NULL); *status gets
 * BP_PATH_* flags.
 */
extern char *bp_path_resolve(bp_ctx *ctx, const char *base_file,
							 const char *href, char **fragment,
							 unsigned *status);
/* Directory of a zip path with its trailing '/', or "". */
extern char *bp_path_dir(bp_ctx *ctx, const char *path);

/* ---- bp_encoding.c: encodings with ICU ---- */

/*
 * Convert bytes in a named encoding to UTF-8 (bp_alloc memory,
 * NUL-terminated).  Invalid sequences become U+FFFD and are counted in
 * *nbad when nbad is not NULL.
 */
extern bool bp_to_utf8(bp_ctx *ctx, const char *encoding,
					   const unsigned char *data, size_t len,
					   char **out, size_t *outlen, size_t *nbad);
/* Guess the encoding of text bytes (ICU ucsdet + BOM); static string. */
extern const char *bp_guess_encoding(bp_ctx *ctx, const unsigned char *data,
									 size_t len);
/* Encoding from a BOM, or NULL; *bom_len gets the BOM's length. */
extern const char *bp_bom_encoding(const unsigned char *data, size_t len,
								   size_t *bom_len);

/* ---- bp_text*.c: text analysis with ICU (NFC, counts) ---- */

/* Append s to buf in NFC (s is valid UTF-8). */
extern bool bp_text_nfc_append(bp_ctx *ctx, bp_buf *buf, const char *s,
							   size_t len);
/*
 * Count words and sentences of UTF-8 text as ICU's break iterators would
 * (one pass; ICU's dictionaries for CJK/Thai); language is a BCP 47 tag or NULL.
 */
extern bool bp_text_count(bp_ctx *ctx, const char *text, size_t len,
						  const char *language, bp_counts *counts);
/* The same with ICU's break iterators over all the text (the reference). */
extern bool bp_text_count_icu(bp_ctx *ctx, const char *text, size_t len,
							  const char *language, bp_counts *counts);
/* Release ICU objects held in ctx->text_state. */
extern void bp_text_cleanup(bp_ctx *ctx);

/* ---- format parsers: fill ctx->book through the writer and model helpers ---- */

extern bool bp_parse_epub(bp_ctx *ctx, bp_zip *zip);
extern bool bp_parse_fb2(bp_ctx *ctx, const unsigned char *data, size_t len);
extern bool bp_parse_txt(bp_ctx *ctx, const unsigned char *data, size_t len);

/* ---- the formats' rows of the registry (bp_format.c) ---- */

/* bp_epub.c: an EPUB package (a zip with mimetype, container.xml or .opf) */
extern bool bp_detect_epub(const bp_sniff *sniff);
extern bool bp_parse_epub_data(bp_ctx *ctx, const unsigned char *data,
							   size_t len);

/* bp_fb2_zip.c: a FictionBook inside a zip archive */
extern bool bp_detect_fb2_zip(const bp_sniff *sniff);
extern bool bp_parse_fb2_zip(bp_ctx *ctx, const unsigned char *data,
							 size_t len);

/* bp_fb2.c: a FictionBook document (root element FictionBook) */
extern bool bp_detect_fb2(const bp_sniff *sniff);

/* bp_txt.c: plain text */
extern bool bp_detect_txt(const bp_sniff *sniff);

#endif							/* BP_INTERNAL_H */

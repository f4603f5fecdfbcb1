/*-------------------------------------------------------------------------
 *
 * bookparse_core.h
 *	  Public API of the bookparse parsing library (src/core).
 *
 * Bytes in, a book model out.  This library includes no PostgreSQL
 * header: the extension, bookparse-dump, the fuzzers and the benchmarks
 * all link it.  Errors are returned as values (bp_error), never by
 * longjmp.  Every byte the library allocates is counted against
 * bp_options.max_memory.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BOOKPARSE_CORE_H
#define BOOKPARSE_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Error codes; bp_code_name() gives the stable snake_case name. */
typedef enum bp_code
{
	BP_OK = 0,
	BP_ERR_EMPTY,				/* "empty": zero-length input */
	BP_ERR_NOT_A_BOOK,			/* "not_a_book": PDF, DOCX, image, ... */
	BP_ERR_CORRUPT,				/* "corrupt_archive": zip unreadable */
	BP_ERR_BAD_XML,				/* "bad_xml": no document could be read */
	BP_ERR_ENCODING,			/* "bad_encoding": text cannot be decoded */
	BP_ERR_ENCRYPTED,			/* "encrypted": DRM or a zip password keeps
								 * every content document unreadable */
	BP_ERR_UNSUPPORTED_COMPRESSION, /* "unsupported_compression": no content
									 * document uses a method we read */
	BP_ERR_NO_TEXT,				/* "no_text": parsed, but no text at all */
	BP_ERR_LIMIT,				/* "limit_exceeded": a bound was hit */
	BP_ERR_CANCELED,			/* "canceled": progress callback said stop */
	BP_ERR_INTERNAL				/* "internal": a bug */
} bp_code;

/*
 * An error as a value: a code and a human-readable message.  For
 * BP_ERR_LIMIT it also says which limit was hit: setting names the
 * caller's setting (opts->memory_setting) when that setting's value was
 * the limit, and is NULL otherwise; cap describes a fixed cap of the
 * library that no setting raises ("512MB per zip entry"), and is empty
 * otherwise.  Neither: the system itself ran out of memory.
 */
typedef struct bp_error
{
	bp_code		code;
	char		message[512];
	const char *setting;
	char		cap[64];
} bp_error;

/* Phases reported through the progress callback. */
typedef enum bp_phase
{
	BP_PHASE_READING = 0,
	BP_PHASE_INFLATING,
	BP_PHASE_PARSING,
	BP_PHASE_ANALYSING,
	BP_PHASE_DONE
} bp_phase;

/*
 * Called now and then during a parse.  Returns true to go on, false to stop
 * the parse (it then fails with BP_ERR_CANCELED).  done/total are bytes of
 * the input processed so far and in all; memory is what the parse holds now.
 */
typedef bool (*bp_progress_fn) (void *arg, bp_phase phase,
								size_t done, size_t total, size_t memory);

/* Knobs of one parse; bp_options_init() fills in the defaults. */
typedef struct bp_options
{
	size_t		max_memory;		/* most bytes the parse may hold at once */
	size_t		max_entry_size; /* most bytes one inflated zip entry may have */
	size_t		max_total_inflated; /* most bytes inflated over all entries */
	int			max_entries;	/* most zip entries / manifest items */
	const char *memory_setting; /* name shown in limit errors, e.g.
								 * "bookparse.work_mem" */
	bool		want_html;		/* build sanitized HTML of chapters */
	bool		want_text;		/* keep chapter plain text */
	bool		want_assets;	/* keep image bytes of assets */
	bp_progress_fn progress;
	void	   *progress_arg;
} bp_options;

/* A creator (author, editor, ...). */
typedef struct bp_creator
{
	char	   *name;
	char	   *role;			/* MARC relator, e.g. "aut"; may be NULL */
	char	   *file_as;		/* may be NULL */
} bp_creator;

/* An identifier such as an ISBN, UUID or URI. */
typedef struct bp_identifier
{
	char	   *scheme;			/* "isbn", "uuid", "uri", or NULL */
	char	   *value;
} bp_identifier;

/* Metadata common to all formats; absent values are NULL / 0. */
typedef struct bp_metadata
{
	char	   *title;
	bp_creator *creators;
	int			ncreators;
	char	   *language;
	bp_identifier *identifiers;
	int			nidentifiers;
	char	   *isbn;			/* first recognised ISBN, normalised */
	char	   *publisher;
	char	   *published;		/* date or year as written */
	char	   *description;	/* plain text */
	char	  **subjects;		/* subjects (EPUB) or genres (FB2) */
	int			nsubjects;
	char	   *series;
	char	   *series_index;	/* as written, e.g. "3" or "2.5" */
} bp_metadata;

/* Counts for a chapter or a whole book. */
typedef struct bp_counts
{
	int64_t		words;
	int64_t		sentences;
	int64_t		characters;		/* Unicode code points of the text */
	int64_t		paragraphs;
} bp_counts;

/* One chapter in reading order. */
typedef struct bp_chapter
{
	int			number;			/* 1-based */
	char	   *title;			/* may be NULL */
	int			depth;			/* 1 = top level */
	char	   *source;			/* "href#fragment" or an FB2 section path */
	bool		is_notes;		/* FB2 notes/comments body */
	char	   *text;			/* plain text, NUL-terminated UTF-8 */
	size_t		text_len;
	char	   *html;			/* sanitized HTML, or NULL */
	size_t		html_len;
	bp_counts	counts;
} bp_chapter;

/* An image or other asset of the book. */
typedef struct bp_asset
{
	char	   *href;			/* path inside the book, or FB2 binary id */
	char	   *media_type;
	size_t		size;			/* bytes of the decoded asset */
	bool		is_cover;
	unsigned char *data;		/* decoded bytes (only with want_assets) */
} bp_asset;

/* A TOC entry (kept in the model as found in the book). */
typedef struct bp_toc_entry
{
	char	   *title;
	char	   *href;			/* resolved path inside the book, may have
								 * #fragment */
	int			depth;			/* 1 = top level */
} bp_toc_entry;

/* A warning about something recovered from. */
typedef struct bp_warning
{
	char	   *code;			/* e.g. "mimetype_missing" */
	char	   *message;
} bp_warning;

/* The book model.  All memory belongs to the parse; bp_book_free() frees it. */
typedef struct bp_book
{
	const char *format;			/* "epub2", "epub3", "fb2", "fb2.zip", "txt" */
	char	   *version;		/* package version or NULL */
	char	   *encoding;		/* source encoding (fb2/txt), or NULL */
	bp_metadata meta;
	bp_toc_entry *toc;
	int			ntoc;
	char	   *toc_source;		/* "nav", "ncx", "headings", "sections", ... */
	bp_chapter *chapters;
	int			nchapters;
	bp_asset   *assets;
	int			nassets;
	bp_warning *warnings;
	int			nwarnings;
	int			warnings_dropped;	/* warnings not kept past the cap */
	bp_counts	counts;			/* sums over chapters */
	int64_t		reading_minutes;	/* ceil(words / 200) */
	size_t		peak_memory;	/* most bytes the parse held at once */
	size_t		held_memory;	/* bytes the finished book still holds */
	size_t		input_size;

	struct bp_ctx *ctx;			/* owner of all memory */
} bp_book;

/* Fill *opts with defaults (256MB memory, html+text on, assets off). */
extern void bp_options_init(bp_options *opts);

/*
 * Count libxml2's and ICU's allocations against the limit of the parse
 * running on the calling thread.  Installs process-wide allocation hooks
 * once; safe at any time (blocks carry no header), and bp_parse() calls it
 * itself.  The extension calls it from _PG_init.  bp_memhooks_active()
 * says what is counted: bit 1 libxml2, bit 2 ICU (0 where the C library
 * cannot report block sizes).
 */
extern void bp_memhooks_install(void);
extern int	bp_memhooks_active(void);

/*
 * Parse a book.  On success returns a book (free it with bp_book_free) and
 * leaves err->code == BP_OK.  On failure returns NULL and fills *err.
 * filename is only a hint for messages and may be NULL.  The caller holds
 * the len input bytes for the whole parse, so they count against
 * opts->max_memory too.
 */
/*
 * Can a book of len bytes be parsed within opts->max_memory at all?  False
 * (with the limit error in *err) when the input alone is over it: callers
 * that hold the book compressed or on disk check this before loading it.
 */
extern bool bp_input_fits(size_t len, const bp_options *opts, bp_error *err);

/*
 * Fill *err with the memory-limit error of opts: "book needs more than
 * SETTING (LIMIT) while ACTIVITY; raise SETTING to parse it", with
 * err->setting = opts->memory_setting.  The one wording of that message,
 * for the core and for callers that enforce the same limit on memory of
 * their own (the extension's result rows).
 */
extern void bp_limit_error(const bp_options *opts, const char *activity,
						   bp_error *err);

extern bp_book *bp_parse(const unsigned char *data, size_t len,
						 const char *filename, const bp_options *opts,
						 bp_error *err);

/* Free a book and everything it owns. */
extern void bp_book_free(bp_book *book);

/*
 * Detect the format of some bytes: "epub", "fb2", "fb2.zip", "txt", or
 * NULL when it is not a book; *what says what it looks like: the format's
 * description ("EPUB book", "FictionBook 2 book", "zipped FictionBook 2
 * book", "plain text") or else "PDF document", "DOCX document", "PNG
 * image", ...  Never allocates.
 */
extern const char *bp_detect_format(const unsigned char *data, size_t len,
									const char **what);

/* Stable snake_case name of an error code. */
extern const char *bp_code_name(bp_code code);

/*
 * Serialise a book model as JSON (metadata, toc, chapters with counts but
 * without text or html, assets without data, stats, warnings).  Returns a
 * malloc'd NUL-terminated string the caller frees with free(), or NULL when
 * out of memory.
 */
extern char *bp_book_to_json(const bp_book *book, size_t *len);

/* Library version string. */
extern const char *bp_version(void);


/* ==================================================================== */
/* Scenes (issue 13): paragraphs that describe a place, a person or the */
/* atmosphere, found with word lists and rules (docs/scenes.md).        */
/* ==================================================================== */

/* What a paragraph describes. */
typedef enum bp_scene_kind
{
	BP_SCENE_NONE = 0,			/* dialogue, action, thoughts, exposition */
	BP_SCENE_LOCATION,			/* how a place looks */
	BP_SCENE_CHARACTER,			/* how a person or creature looks */
	BP_SCENE_ATMOSPHERE			/* weather, sky, light, sounds, smells */
} bp_scene_kind;

/* The verdict on one paragraph. */
typedef struct bp_scene_verdict
{
	bp_scene_kind kind;
	double		score;			/* 0..1: how descriptive */
	bool		illustratable;	/* one specific picture can be drawn */
} bp_scene_verdict;

/* One paragraph of a chapter and its verdict. */
typedef struct bp_scene
{
	int			chapter;		/* bp_chapter.number */
	int			paragraph;		/* 1-based among the chapter's paragraphs */
	bp_scene_kind kind;
	double		score;
	bool		illustratable;
	size_t		offset;			/* bytes into the chapter's text */
	size_t		length;			/* bytes of the paragraph */
	char	   *excerpt;		/* at most 200 characters, cut between words */
} bp_scene;

/* The scenes of a book; memory belongs to the book. */
typedef struct bp_scene_set
{
	bp_scene   *scenes;
	int			nscenes;
	int64_t		paragraphs;		/* paragraphs looked at */
	const char *language;		/* the word lists used ("en"), or NULL */
} bp_scene_set;

/* Word lists of every language, loaded once (opaque). */
typedef struct bp_scene_lists bp_scene_lists;

/*
 * Load the word lists of the directory dir (files LANG.CATEGORY, see
 * docs/scenes.md).  NULL with *err filled when the directory cannot be
 * read, holds no list, or a file is malformed (the message names file and
 * line).  Free with bp_scene_lists_free; read-only after loading, so one
 * load serves every parse of the process.
 */
extern bp_scene_lists *bp_scene_load(const char *dir, bp_error *err);
extern void bp_scene_lists_free(bp_scene_lists *lists);

/* Stable name of a kind: "location", "character", "atmosphere", "none". */
extern const char *bp_scene_kind_name(bp_scene_kind kind);

/*
 * The language of lists to judge text in: language's primary subtag
 * ("en-GB" -> "en") when lists has it, NULL when it names another
 * language, and when language is NULL or empty the script of text
 * (Cyrillic -> "ru", Latin -> "en").
 */
extern const char *bp_scene_pick_language(const bp_scene_lists *lists,
										  const char *language,
										  const char *text, size_t len);

/*
 * Classify one paragraph of UTF-8 text (invalid bytes are tolerated).
 * language as for bp_scene_pick_language; a language without lists gives
 * kind none.  opts (may be NULL: defaults) bounds the memory.  False with
 * *err filled on failure.
 */
extern bool bp_scene_classify(const bp_scene_lists *lists, const char *text,
							  size_t len, const char *language,
							  const bp_options *opts, bp_scene_verdict *out,
							  bp_error *err);

#define BP_SCENES_ALL	0x01	/* every paragraph, not only scenes */

/*
 * Judge every paragraph (blocks of chapter text between blank lines) of a
 * parsed book (parsed with want_text) in the book's language, or its
 * script's when the metadata has none.  Returns the paragraphs that are
 * of a descriptive kind or illustratable (all with BP_SCENES_ALL), owned
 * by the book and counted against its max_memory; NULL with *err filled
 * on failure (the book stays usable).
 */
extern const bp_scene_set *bp_book_scenes(bp_book *book,
										  const bp_scene_lists *lists,
										  int flags, bp_error *err);

#endif							/* BOOKPARSE_CORE_H */

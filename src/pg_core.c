/*-------------------------------------------------------------------------
 *
 * pg_core.c
 *	  Running the core parsing library inside a backend: its options
 *	  (limits, cancellation) and the mapping of its errors to ereport.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "bookparse.h"

/*
 * The setting named in limit errors: the one that bounds a parse now,
 * bookparse.work_mem or the superuser's ceiling bookparse.max_work_mem.
 */
#define BP_PG_MEMORY_GUC	bp_pg_memory_setting()

/* kB one parse may hold: min(bookparse.work_mem, bookparse.max_work_mem). */
static int
bp_pg_memory_kb(void)
{
	return Min(bp_guc_work_mem_kb, bp_guc_max_work_mem_kb);
}

/*
 * Name of the setting that bounds a parse: bookparse.max_work_mem when the
 * ceiling is not above bookparse.work_mem (raising work_mem would not help),
 * else bookparse.work_mem.
 */
static const char *
bp_pg_memory_setting(void)
{
	if (bp_guc_max_work_mem_kb <= bp_guc_work_mem_kb)
		return "bookparse.max_work_mem";
	return "bookparse.work_mem";
}

/* Bytes one parse may hold (see bp_pg_memory_kb). */
static size_t
bp_pg_max_memory(void)
{
	return (size_t) bp_pg_memory_kb() * 1024;
}

/* The limit of a parse as a setting reads: "32MB", "8GB" or "1536kB". */
static void
bp_pg_work_mem_text(char *out, size_t outlen)
{
	int			kb = bp_pg_memory_kb();

	if (kb % (1024 * 1024) == 0)
		snprintf(out, outlen, "%dGB", kb / (1024 * 1024));
	else if (kb % 1024 == 0)
		snprintf(out, outlen, "%dMB", kb / 1024);
	else
		snprintf(out, outlen, "%dkB", kb);
}

/*
 * Progress callback: stop the parse only for an interrupt on which
 * ProcessInterrupts() would end the statement or the session: a query
 * cancel (pg_cancel_backend(), statement_timeout, lock_timeout, a recovery
 * conflict), a die (pg_terminate_backend(), shutdown), a lost client, an
 * idle timeout still armed.  The caller then frees the book and calls
 * CHECK_FOR_INTERRUPTS(), which throws PostgreSQL's own error for it.
 *
 * Any other interrupt (a ProcSignalBarrier, a request to log the memory
 * contexts, messages of parallel workers, the periodic client connection
 * check) stays pending and is served by the first CHECK_FOR_INTERRUPTS()
 * after the parse: serving it here could throw, and a longjmp out of the
 * core would skip its cleanup.  A parse is bounded by the memory limit and
 * lasts seconds, so that is how long such an interrupt waits.
 */
static bool
bp_pg_progress(void *arg, bp_phase phase, size_t done, size_t total,
			   size_t memory)
{
	if (likely(!InterruptPending))
		return true;
	/* ProcessInterrupts() serves nothing while these are held */
	if (InterruptHoldoffCount != 0 || CritSectionCount != 0)
		return true;
	if (ProcDiePending || ClientConnectionLost)
		return false;
	if (QueryCancelPending && QueryCancelHoldoffCount == 0)
		return false;
	if (IdleInTransactionSessionTimeoutPending &&
		IdleInTransactionSessionTimeout > 0)
		return false;
	if (IdleSessionTimeoutPending && IdleSessionTimeout > 0)
		return false;
	return true;
}

/*
 * Options for a parse in this backend (limits from the GUCs): at most
 * min(bookparse.work_mem, bookparse.max_work_mem), and limit errors name
 * the one of the two that bounds it.
 */
void
bp_pg_options(bp_options *opts)
{
	bp_options_init(opts);
	opts->max_memory = bp_pg_max_memory();
	opts->memory_setting = bp_pg_memory_setting();
	opts->progress = bp_pg_progress;
	opts->progress_arg = NULL;
}

/*
 * ERROR (54000, the core's limit message) when a book being stored holds
 * more than a parse may (min(bookparse.work_mem, bookparse.max_work_mem));
 * what says what it was doing.
 */
void
bp_pg_check_memory(size_t held, const char *what, int number)
{
	bp_options	opts;
	bp_error	err;
	char		activity[64];

	if (held <= bp_pg_max_memory())
		return;
	bp_pg_options(&opts);
	snprintf(activity, sizeof(activity), "%s %d", what, number);
	bp_limit_error(&opts, activity, &err);
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("%s", bp_pg_message_text(err.message))));
}

/* SQLSTATE of a core error code. */
int
bp_pg_sqlstate(bp_code code)
{
	switch (code)
	{
		case BP_ERR_EMPTY:
		case BP_ERR_NOT_A_BOOK:
		case BP_ERR_CORRUPT:
		case BP_ERR_BAD_XML:
		case BP_ERR_NO_TEXT:
		case BP_ERR_ENCRYPTED:
		case BP_ERR_UNSUPPORTED_COMPRESSION:
			return ERRCODE_INVALID_TEXT_REPRESENTATION;
		case BP_ERR_ENCODING:
			return ERRCODE_CHARACTER_NOT_IN_REPERTOIRE;
		case BP_ERR_LIMIT:
			return ERRCODE_PROGRAM_LIMIT_EXCEEDED;
		case BP_ERR_CANCELED:
			return ERRCODE_QUERY_CANCELED;
		case BP_OK:
		case BP_ERR_INTERNAL:
			break;
	}
	return ERRCODE_INTERNAL_ERROR;
}

/*
 * A message of the core or of an error fit for this database, in a copy:
 * as is when valid in the server encoding (UTF-8), else with non-ASCII
 * bytes as '?', so that reporting or recording it can never fail in turn.
 */
char *
bp_pg_message_text(const char *msg)
{
	char	   *copy = pstrdup(msg ? msg : "");
	char	   *p;

	if (GetDatabaseEncoding() == PG_UTF8 &&
		pg_verifymbstr(copy, strlen(copy), true))
		return copy;
	for (p = copy; *p; p++)
		if ((unsigned char) *p >= 0x80)
			*p = '?';
	return copy;
}

/*
 * A text datum from UTF-8 of the core, converted to the database encoding
 * (verified when that is UTF-8 already).
 */
Datum
bp_pg_text_datum(const char *s, size_t len)
{
	char	   *conv;
	text	   *result;

	if (len >= MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a text of the book is too long for a text value (%zu bytes)",
						len)));
	conv = pg_any_to_server(s, (int) len, PG_UTF8);
	if (conv == s)
		result = cstring_to_text_with_len(s, (int) len);
	else
	{
		result = cstring_to_text(conv);
		pfree(conv);
	}
	return PointerGetDatum(result);
}

/* Report a core error as ereport(ERROR) naming the book. */
void
bp_pg_report_error(const bp_error *err, const char *filename)
{
	bp_code		code = err->code == BP_OK ? BP_ERR_INTERNAL : err->code;
	const char *name = bp_code_name(code);
	const char *msg = bp_pg_message_text(err->message[0] ? err->message
										 : "parse failed");
	char		limit[64];

	bp_pg_work_mem_text(limit, sizeof(limit));

	ereport(ERROR,
			(errcode(bp_pg_sqlstate(code)),
			 filename != NULL ?
			 errmsg("could not parse book \"%s\": %s: %s", filename, name, msg) :
			 errmsg("could not parse book: %s: %s", name, msg),
			 code == BP_ERR_NOT_A_BOOK ?
			 errdetail("bookparse reads EPUB 2 and 3, FictionBook 2 (also zipped) and plain text.") : 0,
			 code == BP_ERR_CORRUPT ?
			 errdetail("The zip archive of the book cannot be read; it may be truncated.") : 0,
			 code == BP_ERR_ENCRYPTED ?
			 errdetail("The book is protected by DRM or a zip password; bookparse does not read protected books. Upload a copy without the protection.") : 0,
			 code == BP_ERR_UNSUPPORTED_COMPRESSION ?
			 errdetail("The zip archive uses a compression method bookparse does not read (it reads stored and deflate entries). Save the book again with ordinary zip compression.") : 0,
			 code == BP_ERR_LIMIT && err->setting != NULL ?
			 errhint("Raise %s (now %s) to parse bigger books.", BP_PG_MEMORY_GUC, limit) : 0,
			 code == BP_ERR_LIMIT && err->setting == NULL && err->cap[0] != '\0' ?
			 errdetail("The limit hit is a fixed cap of bookparse (%s); no setting raises it.", err->cap) : 0,
			 code == BP_ERR_LIMIT && err->setting == NULL && err->cap[0] == '\0' ?
			 errdetail("The server could not allocate the memory the parse needed.") : 0,
			 code == BP_ERR_INTERNAL ?
			 errhint("This is a bug in bookparse; please report it with the book.") : 0));
	pg_unreachable();
}

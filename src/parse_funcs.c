/*-------------------------------------------------------------------------
 *
 * parse_funcs.c
 *	  The SQL parsing functions: bookparse.parse, bookparse.parse_chapters,
 *	  bookparse.detect_format and bookparse.describe_format.
 *
 * The core library allocates with malloc.  A book is therefore attached
 * to the current memory context with a reset callback, so that an error
 * (or a cancel) between bp_parse() and bp_book_free() cannot leak it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "bookparse.h"

/* Columns of bookparse.parse_chapters. */
#define BP_CHAPTER_COLS 10

/* A parse result tied to a memory context: freed on reset or delete. */
typedef struct bp_pg_result
{
	MemoryContextCallback cb;
	bp_book    *book;
	char	   *json;			/* malloc'd by bp_book_to_json */
} bp_pg_result;

/* Free what the core allocated for a result (idempotent). */
static void
bp_pg_result_release(void *arg)
{
	bp_pg_result *res = (bp_pg_result *) arg;

	if (res->json != NULL)
	{
		free(res->json);
		res->json = NULL;
	}
	if (res->book != NULL)
	{
		bp_book_free(res->book);
		res->book = NULL;
	}
}

/*
 * Parse content with the core; on failure ereport(ERROR).  The book is
 * owned by the current memory context until bp_pg_result_release().
 */
static bp_pg_result *
bp_pg_parse(bytea *content, const char *filename, bool want_text,
			bool want_html)
{
	bp_pg_result *res;
	bp_options	opts;
	bp_error	err;

	res = (bp_pg_result *) palloc0(sizeof(bp_pg_result));
	res->cb.func = bp_pg_result_release;
	res->cb.arg = res;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, &res->cb);

	bp_pg_options(&opts);
	opts.want_text = want_text;
	opts.want_html = want_html;
	opts.want_assets = false;

	memset(&err, 0, sizeof(err));
	res->book = bp_parse((const unsigned char *) VARDATA_ANY(content),
						 VARSIZE_ANY_EXHDR(content), filename, &opts, &err);
	if (res->book != NULL)
		return res;

	/*
	 * The progress callback stops a parse only for a cancel, a terminate or
	 * a timeout: serve it, with PostgreSQL's own error.  A parse is never
	 * started again.
	 */
	if (err.code == BP_ERR_CANCELED)
		CHECK_FOR_INTERRUPTS();
	bp_pg_report_error(&err, filename);
}

/* The filename argument (argument argno), or NULL when absent or NULL. */
static char *
bp_pg_filename_arg(FunctionCallInfo fcinfo, int argno)
{
	if (PG_NARGS() <= argno || PG_ARGISNULL(argno))
		return NULL;
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

/* An int4 datum from a 64-bit count, clamped. */
static Datum
bp_pg_count_datum(int64 v)
{
	if (v > PG_INT32_MAX)
		v = PG_INT32_MAX;
	if (v < 0)
		v = 0;
	return Int32GetDatum((int32) v);
}

/*
 * Start a materialized SRF (tuplestore and descriptor in rsinfo), on every
 * PostgreSQL version: the one place that knows the version differences.
 */
ReturnSetInfo *
bp_pg_init_srf(FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

#if PG_VERSION_NUM >= 150001
	InitMaterializedSRF(fcinfo, 0);
#elif PG_VERSION_NUM >= 150000
	SetSingleFuncCall(fcinfo, 0);
#else
	{
		MemoryContext oldcontext;
		TupleDesc	tupdesc;

		if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("set-valued function called in context that cannot accept a set")));
		if (!(rsinfo->allowedModes & SFRM_Materialize))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("materialize mode required, but it is not allowed in this context")));
		oldcontext = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "return type must be a row type");
		rsinfo->returnMode = SFRM_Materialize;
		rsinfo->setResult = tuplestore_begin_heap(true, false, work_mem);
		rsinfo->setDesc = tupdesc;
		MemoryContextSwitchTo(oldcontext);
	}
#endif
	return rsinfo;
}

/* bookparse.parse(content bytea, filename text): the book model as jsonb. */
PG_FUNCTION_INFO_V1(bookparse_parse);
Datum
bookparse_parse(PG_FUNCTION_ARGS)
{
	bytea	   *content;
	char	   *filename;
	bp_pg_result *res;
	size_t		len;
	char	   *conv;
	Datum		result;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	content = PG_GETARG_BYTEA_PP(0);
	filename = bp_pg_filename_arg(fcinfo, 1);

	res = bp_pg_parse(content, filename, false, false);
	res->json = bp_book_to_json(res->book, &len);
	if (res->json == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("Could not serialise the parsed book as JSON.")));
	bp_book_free(res->book);
	res->book = NULL;

	if (len >= MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("JSON of the book is too long (%zu bytes)", len)));
	conv = pg_any_to_server(res->json, (int) len, PG_UTF8);
	result = DirectFunctionCall1(jsonb_in, CStringGetDatum(conv));
	if (conv != res->json)
		pfree(conv);
	bp_pg_result_release(res);

	PG_RETURN_DATUM(result);
}

/* bookparse.parse_chapters(content bytea, filename text): one row per chapter. */
PG_FUNCTION_INFO_V1(bookparse_parse_chapters);
Datum
bookparse_parse_chapters(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo;
	bytea	   *content;
	char	   *filename;
	bp_pg_result *res;
	int			i;

	rsinfo = bp_pg_init_srf(fcinfo);
	if (PG_ARGISNULL(0))
		return (Datum) 0;
	content = PG_GETARG_BYTEA_PP(0);
	filename = bp_pg_filename_arg(fcinfo, 1);

	res = bp_pg_parse(content, filename, true, true);

	for (i = 0; i < res->book->nchapters; i++)
	{
		const bp_chapter *c = &res->book->chapters[i];
		Datum		values[BP_CHAPTER_COLS];
		bool		nulls[BP_CHAPTER_COLS];
		int			col;

		CHECK_FOR_INTERRUPTS();
		memset(nulls, 0, sizeof(nulls));
		values[0] = Int32GetDatum(c->number);
		if (c->title != NULL)
			values[1] = bp_pg_text_datum(c->title, strlen(c->title));
		else
			nulls[1] = true;
		values[2] = Int32GetDatum(c->depth);
		if (c->source != NULL)
			values[3] = bp_pg_text_datum(c->source, strlen(c->source));
		else
			nulls[3] = true;
		if (c->text != NULL)
			values[4] = bp_pg_text_datum(c->text, c->text_len);
		else
			nulls[4] = true;
		if (c->html != NULL)
			values[5] = bp_pg_text_datum(c->html, c->html_len);
		else
			nulls[5] = true;
		values[6] = bp_pg_count_datum(c->counts.words);
		values[7] = bp_pg_count_datum(c->counts.sentences);
		values[8] = bp_pg_count_datum(c->counts.characters);
		values[9] = bp_pg_count_datum(c->counts.paragraphs);

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);

		/* the tuplestore has its own copy: do not hold a book's text twice */
		for (col = 1; col <= 5; col++)
			if (col != 2 && !nulls[col])
				pfree(DatumGetPointer(values[col]));
	}
	bp_pg_result_release(res);

	return (Datum) 0;
}

/* bookparse.detect_format(content bytea): "epub", "fb2", "fb2.zip", "txt" or NULL. */
PG_FUNCTION_INFO_V1(bookparse_detect_format);
Datum
bookparse_detect_format(PG_FUNCTION_ARGS)
{
	bytea	   *content = PG_GETARG_BYTEA_PP(0);
	const char *what = NULL;
	const char *fmt;

	fmt = bp_detect_format((const unsigned char *) VARDATA_ANY(content),
						   VARSIZE_ANY_EXHDR(content), &what);
	if (fmt == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(fmt));
}

/* bookparse.describe_format(content bytea): what the bytes look like, in words. */
PG_FUNCTION_INFO_V1(bookparse_describe_format);
Datum
bookparse_describe_format(PG_FUNCTION_ARGS)
{
	bytea	   *content = PG_GETARG_BYTEA_PP(0);
	const char *what = NULL;

	/* a book's *what is its format's description (src/core/bp_format.c) */
	(void) bp_detect_format((const unsigned char *) VARDATA_ANY(content),
							VARSIZE_ANY_EXHDR(content), &what);
	PG_RETURN_TEXT_P(cstring_to_text(what != NULL ? what : "unknown data"));
}

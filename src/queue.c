/*-------------------------------------------------------------------------
 *
 * queue.c
 *	  The parse queue: claiming the next job, running it (parse, store,
 *	  record the outcome with retry and backoff), recovering jobs of
 *	  workers that died, and the NOTIFY on completion.
 *
 * Both run_queue() (in the caller's session and transaction) and the
 * background workers go through bp_queue_claim() and bp_queue_execute(),
 * so a book is handled the same way whoever runs it.  docs/queue.md
 * describes the states and transitions.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "common/pg_prng.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/procarray.h"
#include "catalog/namespace.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/guc.h"
#include "utils/json.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "citus.h"
#include "queue_int.h"

/*
 * Longest wait for a row lock while a worker that is asked to exit puts its
 * job back (see worker.c): past it the worker exits and the launcher
 * recovers the job.
 */
#define BP_REQUEUE_LOCK_TIMEOUT_MS	1000

/* Times an outcome is written again after a deadlock or lock timeout. */
#define BP_RECORD_TRIES		3

/* First retry delay and the longest one (before jitter). */
#define BP_BACKOFF_BASE_MS	1000.0
#define BP_BACKOFF_MAX_MS	(5 * 60 * 1000.0)

/* How a run of a job ended. */
typedef enum BpOutcomeKind
{
	BP_OUT_DONE,				/* parsed and stored */
	BP_OUT_FAILED,				/* failed for good */
	BP_OUT_RETRY,				/* transient failure: queued again later */
	BP_OUT_CANCELED,			/* bookparse.cancel() stopped it */
	BP_OUT_REQUEUE,				/* the worker exits: queued again, no
								 * attempt counted */
	BP_OUT_SKIP					/* job or book vanished: nothing to record */
} BpOutcomeKind;

/* The outcome of a run, as recorded on the job and the book. */
typedef struct BpOutcome
{
	BpOutcomeKind kind;
	const char *error_code;		/* for every kind but DONE/SKIP */
	char	   *message;
	const char *status;			/* the book's new status (DONE) */
} BpOutcome;

static SPIPlanPtr plan_claim = NULL;
static SPIPlanPtr plan_job_ours = NULL;
static SPIPlanPtr plan_read_book = NULL;
static SPIPlanPtr plan_job_done = NULL;
static SPIPlanPtr plan_job_end = NULL;
static SPIPlanPtr plan_book_status = NULL;
static SPIPlanPtr plan_book_set = NULL;
static SPIPlanPtr plan_orphans = NULL;
static SPIPlanPtr plan_purge = NULL;

static TimestampTz claim_horizon = 0;

/* Claim only jobs whose run_after is at most horizon (0 = now). */
void
bp_queue_set_horizon(TimestampTz horizon)
{
	claim_horizon = horizon;
}

/*
 * Claim the next queued job whose run_after has passed, unless the queue
 * is paused; marks it running (worker_pid, started_at, attempts + 1) and
 * its book parsing.  The job and its book are locked together with SKIP
 * LOCKED, so a claim never waits (a book being deleted or stored by
 * someone else is passed over) and cannot deadlock with a DELETE, which
 * locks the book before its jobs.
 */
bool
bp_queue_claim(BpJob *job)
{
	Oid			argtypes[2] = {TIMESTAMPTZOID, INT4OID};
	Datum		values[2];
	bool		pushed;
	bool		found = false;

	pushed = bp_spi_begin();
	values[0] = TimestampTzGetDatum(claim_horizon != 0 ? claim_horizon
									: GetCurrentTimestamp());
	/* on Citus: shard by shard, this node's shards only (citus.c) */
	if (bp_citus_active())
	{
		found = bp_citus_claim(job, DatumGetTimestampTz(values[0]));
		bp_spi_end(pushed);
		return found;
	}
	values[1] = Int32GetDatum(MyProcPid);
	bp_spi_run(bp_spi_plan(&plan_claim,
						   "WITH next AS ("
						   "  SELECT j.id FROM bookparse.job j"
						   "   JOIN bookparse.book b ON b.id = j.book_id"
						   "   WHERE j.state = 'queued' AND j.run_after <= $1"
						   "   AND NOT EXISTS (SELECT 1 FROM bookparse.queue_state"
						   "     WHERE paused)"
						   "   ORDER BY j.priority DESC, j.enqueued_at, j.id"
						   "   LIMIT 1 FOR NO KEY UPDATE OF j, b SKIP LOCKED),"
						   " claimed AS ("
						   "  UPDATE bookparse.job j SET state = 'running',"
						   "   worker_pid = $2, started_at = clock_timestamp(),"
						   "   finished_at = NULL, attempts = j.attempts + 1"
						   "  FROM next WHERE j.id = next.id"
						   "  RETURNING j.id, j.book_id, j.attempts),"
						   " parsing AS ("
						   "  UPDATE bookparse.book b SET status = 'parsing',"
						   "   error = NULL, error_code = NULL"
						   "  FROM claimed WHERE b.id = claimed.book_id)"
						   " SELECT id, book_id, attempts FROM claimed",
						   2, argtypes),
			   values, NULL, SPI_OK_SELECT);
	if (SPI_processed > 0)
	{
		job->job_id = bp_spi_int64(0, 1);
		job->book_id = bp_spi_int64(0, 2);
		job->attempts = (int) bp_spi_int64(0, 3);
		found = true;
	}
	bp_spi_end(pushed);
	return found;
}

/*
 * Whether a claimed job is still ours to run (it may have vanished with its
 * book, or been recovered after we were taken for dead); reads attempts.
 * Takes no lock: a worker holds no row lock while it parses, so that a
 * DELETE of the book (which locks the book, then its jobs) never waits for
 * a parse or deadlocks with the store, which also locks the book first.
 * Inside SPI.
 */
static bool
job_is_ours(BpJobRun *run)
{
	Oid			argtypes[2] = {INT8OID, INT8OID};
	Datum		values[2];
	bool		isnull;
	Datum		d;
	bool		ours;

	values[0] = Int64GetDatum(run->job.job_id);
	values[1] = Int64GetDatum(run->job.book_id);
	/* book_id: Citus routes by it */
	bp_spi_run(bp_spi_plan(&plan_job_ours,
						   "SELECT state = 'running' AND worker_pid = pg_backend_pid(),"
						   " attempts"
						   " FROM bookparse.job WHERE id = $1 AND book_id = $2",
						   2, argtypes),
			   values, NULL, SPI_OK_SELECT);
	if (SPI_processed == 0)
		return false;
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
					  &isnull);
	ours = !isnull && DatumGetBool(d);
	if (ours)
		run->job.attempts = (int) bp_spi_int64(0, 2);
	return ours;
}

/*
 * The status a book takes when one of its jobs ends; locks the book row.
 * NULL when the book is gone.
 */
const char *
bp_queue_book_status(int64 book_id, int64 job_id, const char *outcome,
					 bool *parsed_before)
{
	Oid			argtypes[2] = {INT8OID, INT8OID};
	Datum		values[2];

	values[0] = Int64GetDatum(book_id);
	values[1] = Int64GetDatum(job_id);
	bp_spi_run(bp_spi_plan(&plan_book_status,
						   "SELECT EXISTS (SELECT 1 FROM bookparse.job o"
						   "   WHERE o.book_id = $1 AND o.id <> $2"
						   "   AND o.state = 'queued'),"
						   " EXISTS (SELECT 1 FROM bookparse.job o"
						   "   WHERE o.book_id = $1 AND o.id <> $2"
						   "   AND o.state = 'running'),"
						   " b.parsed_at IS NOT NULL"
						   " FROM bookparse.book b WHERE b.id = $1"
						   " FOR UPDATE OF b",
						   2, argtypes),
			   values, NULL, SPI_OK_SELECT);
	if (SPI_processed == 0)
		return NULL;
	if (parsed_before)
		*parsed_before = bp_spi_bool(0, 3);
	if (bp_spi_bool(0, 1))
		return "queued";
	if (bp_spi_bool(0, 2))
		return "parsing";
	return outcome;
}

/*
 * Set a book's status when one of its jobs ends with outcome ('failed',
 * 'queued', 'canceled'): see bp_queue_book_status; a canceled book keeps
 * its earlier results ('parsed') or else fails with the cancel as error.
 * error and error_code are kept only when the status is 'failed'.
 * Returns the status, or NULL when the book is gone.  Inside SPI.
 */
const char *
bp_queue_finish_book(int64 book_id, int64 job_id, const char *outcome,
					 const char *error, const char *error_code)
{
	Oid			argtypes[4] = {INT8OID, TEXTOID, TEXTOID, TEXTOID};
	Datum		values[4];
	char		nulls[4] = {' ', ' ', 'n', 'n'};
	const char *status;
	bool		parsed_before = false;

	status = bp_queue_book_status(book_id, job_id, outcome, &parsed_before);
	if (status == NULL)
		return NULL;
	if (strcmp(status, "canceled") == 0)
		status = parsed_before ? "parsed" : "failed";

	values[0] = Int64GetDatum(book_id);
	values[1] = CStringGetTextDatum(status);
	values[2] = values[3] = (Datum) 0;
	if (strcmp(status, "failed") == 0)
	{
		values[2] = CStringGetTextDatum(error ? error : "");
		values[3] = CStringGetTextDatum(error_code ? error_code : "internal");
		nulls[2] = nulls[3] = ' ';
	}
	bp_spi_run(bp_spi_plan(&plan_book_set,
						   "UPDATE bookparse.book SET status = $2, error = $3,"
						   " error_code = $4 WHERE id = $1",
						   4, argtypes),
			   values, nulls, SPI_OK_UPDATE);
	return status;
}

/* NOTIFY bookparse with a book's new status (sent at commit). */
void
bp_queue_notify(int64 book_id, const char *status, const char *error_code)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"book_id\":" INT64_FORMAT ",\"status\":",
					 book_id);
	escape_json(&buf, status);
	if (error_code != NULL)
	{
		appendStringInfoString(&buf, ",\"error_code\":");
		escape_json(&buf, error_code);
	}
	appendStringInfoChar(&buf, '}');
	Async_Notify("bookparse", buf.data);
	pfree(buf.data);
}

/* Milliseconds the run has taken so far, or -1 when it has no start. */
static int64
run_duration_ms(const BpJobRun *run)
{
	if (run->started_at == 0)
		return -1;
	return Max((int64) 0, (GetCurrentTimestamp() - run->started_at) / 1000);
}

/* Mark a job done (inside the store's subtransaction). */
static void
job_done(const BpJobRun *run)
{
	Oid			argtypes[5] = {INT8OID, INT8OID, INT8OID, INT8OID,
	TIMESTAMPTZOID};
	Datum		values[5];
	char		nulls[5] = {' ', ' ', ' ', ' ', ' '};
	int64		ms = run_duration_ms(run);

	values[0] = Int64GetDatum(run->job.job_id);
	values[3] = Int64GetDatum(run->job.book_id);
	/* the time as a value: Citus refuses volatile functions in an UPDATE */
	values[4] = TimestampTzGetDatum(GetCurrentTimestamp());
	values[1] = Int64GetDatum(ms);
	if (ms < 0)
		nulls[1] = 'n';
	values[2] = Int64GetDatum((int64) run->peak_memory);
	bp_spi_run(bp_spi_plan(&plan_job_done,
						   "UPDATE bookparse.job SET state = 'done',"
						   " finished_at = $5, duration_ms = $2,"
						   " peak_memory_bytes = $3, error = NULL, error_code = NULL"
						   " WHERE id = $1 AND book_id = $4",
						   5, argtypes),
			   values, nulls, SPI_OK_UPDATE);
}

/* Record a transient failure: retry later, or fail once attempts run out. */
static void
set_transient(const BpJobRun *run, BpOutcome *out, const char *code,
			  const char *message)
{
	out->error_code = code;
	if (run->job.attempts < bp_guc_max_attempts)
	{
		out->kind = BP_OUT_RETRY;
		out->message = pstrdup(message);
	}
	else
	{
		out->kind = BP_OUT_FAILED;
		out->message = psprintf("%s (gave up after %d attempts)", message,
								run->job.attempts);
	}
}

/* The outcome of a parse that returned no book. */
static void
parse_failed(BpJobRun *run, const bp_error *err, BpOutcome *out)
{
	switch (run->stop)
	{
		case BP_STOP_CANCELED:
			out->kind = BP_OUT_CANCELED;
			out->error_code = "canceled";
			out->message = pstrdup("canceled by bookparse.cancel()");
			return;
		case BP_STOP_TIMEOUT:
			out->kind = BP_OUT_FAILED;
			out->error_code = "timeout";
			out->message = psprintf("parse stopped after bookparse.job_timeout (%d ms)",
									bp_guc_job_timeout_ms);
			return;
		case BP_STOP_SHUTDOWN:
			/* SIGTERM or cancel pending: the caller serves it after commit */
			out->kind = BP_OUT_REQUEUE;
			out->error_code = "interrupted";
			out->message = pstrdup("the parse was interrupted; the job is queued again");
			return;
		case BP_STOP_NONE:
			break;
	}

	if (err->code == BP_ERR_CANCELED)
	{
		/* stopped for an interrupt: serve it (this normally throws) */
		CHECK_FOR_INTERRUPTS();
		set_transient(run, out, "interrupted", "the parse was interrupted");
		return;
	}

	out->kind = BP_OUT_FAILED;
	out->error_code = bp_code_name(err->code == BP_OK ? BP_ERR_INTERNAL
								   : err->code);
	out->message = bp_pg_message_text(err->message[0] ? err->message
								: "parse failed");
}

/*
 * Whether bookparse.scene exists: not while the extension is still at
 * 0.1.0 with this library (ALTER EXTENSION bookparse UPDATE adds it), so
 * that a library newer than the installed schema goes on storing books.
 */
static bool
scene_table_exists(void)
{
	Oid			nsp = get_namespace_oid("bookparse", true);

	return OidIsValid(nsp) && OidIsValid(get_relname_relid("scene", nsp));
}

/*
 * Read the job's book, parse it and store the results; fills *out.  Runs
 * inside the subtransaction of bp_queue_execute; *bookp holds the parsed
 * model so that the caller frees it if this throws.
 */
static void
parse_and_store(BpJobRun *run, bp_book *volatile *bookp, BpOutcome *out)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1];
	bool		isnull;
	Datum		d;
	Datum		raw;
	bytea	   *content;
	char	   *filename = NULL;
	char	   *owner = NULL;
	bp_options	opts;
	bp_error	err;
	const char *status;
	size_t		store_peak;
	const bp_scene_set *scenes = NULL;

	values[0] = Int64GetDatum(run->job.book_id);
	bp_spi_run(bp_spi_plan(&plan_read_book,
						   "SELECT content, filename, submitted_by"
						   " FROM bookparse.book WHERE id = $1",
						   1, argtypes),
			   values, NULL, SPI_OK_SELECT);
	if (SPI_processed == 0)
	{
		out->kind = BP_OUT_SKIP;
		return;
	}
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
	{
		out->kind = BP_OUT_FAILED;
		out->error_code = "empty";
		out->message = pstrdup("the book has no content");
		return;
	}
	raw = d;
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
	if (!isnull)
		filename = TextDatumGetCString(d);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull);
	if (!isnull)
		owner = pstrdup(NameStr(*DatumGetName(d)));

	bp_pg_options(&opts);
	/* a book bigger than bookparse.work_mem is not even detoasted */
	if (!bp_input_fits(toast_raw_datum_size(raw) - VARHDRSZ, &opts, &err))
	{
		parse_failed(run, &err, out);
		return;
	}
	content = DatumGetByteaPP(raw);
	opts.want_html = true;
	opts.want_text = true;
	opts.want_assets = true;
	opts.progress = bp_job_progress;
	opts.progress_arg = run;
	memset(&err, 0, sizeof(err));

	*bookp = bp_parse((const unsigned char *) VARDATA_ANY(content),
					  VARSIZE_ANY_EXHDR(content), filename, &opts, &err);
	if (*bookp == NULL)
	{
		parse_failed(run, &err, out);
		return;
	}
	/* its scenes, within the same memory bound (docs/scenes.md) */
	if (bp_guc_extract_scenes && scene_table_exists())
	{
		const bp_scene_lists *lists = bp_pg_scene_lists(true);

		if (lists != NULL)
		{
			scenes = bp_book_scenes(*bookp, lists, 0, &err);
			if (scenes == NULL)
			{
				parse_failed(run, &err, out);
				return;
			}
		}
	}
	if ((*bookp)->peak_memory > run->peak_memory)
		run->peak_memory = (*bookp)->peak_memory;

	/* the book's bytes are no longer needed while storing */
	if ((Pointer) content != DatumGetPointer(raw))
		pfree(content);

	status = bp_queue_book_status(run->job.book_id, run->job.job_id,
								  "parsed", NULL);
	if (status == NULL)
	{
		out->kind = BP_OUT_SKIP;
		return;
	}
	store_peak = bp_store_book(run->job.book_id, owner, *bookp, scenes,
							   status, run);
	if (store_peak > run->peak_memory)
		run->peak_memory = store_peak;
	bp_book_free(*bookp);
	*bookp = NULL;
	if (run->stop != BP_STOP_NONE)
	{
		/* asked to stop while storing: the caller rolls the store back */
		memset(&err, 0, sizeof(err));
		parse_failed(run, &err, out);
		return;
	}
	job_done(run);
	out->kind = BP_OUT_DONE;
	out->status = status;
}

/* Whether an error must end the caller's work rather than just this job. */
static bool
error_is_interrupt(int sqlerrcode)
{
	/* query cancel, statement timeout, admin shutdown, ... */
	return ERRCODE_TO_CATEGORY(sqlerrcode) == ERRCODE_OPERATOR_INTERVENTION;
}

/* The error_code of a transient PostgreSQL error, or NULL if not one. */
static const char *
transient_error_code(int sqlerrcode)
{
	switch (sqlerrcode)
	{
		case ERRCODE_OUT_OF_MEMORY:
			return "out_of_memory";
		case ERRCODE_DISK_FULL:
			return "disk_full";
		case ERRCODE_T_R_DEADLOCK_DETECTED:
			return "deadlock";
		case ERRCODE_T_R_SERIALIZATION_FAILURE:
			return "serialization_failure";
		case ERRCODE_LOCK_NOT_AVAILABLE:
			return "lock_not_available";
		case ERRCODE_OBJECT_IN_USE:
			return "object_in_use";
	}
	switch (ERRCODE_TO_CATEGORY(sqlerrcode))
	{
		case ERRCODE_CONNECTION_EXCEPTION:
			return "connection_failure";
		case ERRCODE_TRANSACTION_ROLLBACK:
			return "transaction_rollback";
		case ERRCODE_INSUFFICIENT_RESOURCES:
			return "insufficient_resources";
		case ERRCODE_SYSTEM_ERROR:
			return "system_error";
	}
	return NULL;
}

/* The outcome of a PostgreSQL error caught while reading or storing. */
static void
error_outcome(const BpJobRun *run, const ErrorData *edata, BpOutcome *out)
{
	const char *transient = transient_error_code(edata->sqlerrcode);
	char	   *message;

	message = psprintf("%s (SQLSTATE %s)",
					   bp_pg_message_text(edata->message ? edata->message : "error"),
					   unpack_sql_state(edata->sqlerrcode));
	if (transient != NULL)
	{
		set_transient(run, out, transient, message);
		return;
	}
	out->kind = BP_OUT_FAILED;
	out->message = message;
	switch (edata->sqlerrcode)
	{
		case ERRCODE_UNTRANSLATABLE_CHARACTER:
		case ERRCODE_CHARACTER_NOT_IN_REPERTOIRE:
			out->error_code = "bad_encoding";
			break;
		default:
			if (ERRCODE_TO_CATEGORY(edata->sqlerrcode) ==
				ERRCODE_PROGRAM_LIMIT_EXCEEDED)
				out->error_code = "limit_exceeded";
			else
				out->error_code = "database_error";
			break;
	}
}

/* Delay before the next attempt: 1s * 2^(attempts-1), capped, +-25%. */
static double
backoff_ms(int attempts)
{
	double		ms = BP_BACKOFF_BASE_MS;
	int			i;

	for (i = 1; i < attempts && ms < BP_BACKOFF_MAX_MS; i++)
		ms *= 2;
	ms = Min(ms, BP_BACKOFF_MAX_MS);
	return ms * (0.75 + 0.5 * pg_prng_double(&pg_global_prng_state));
}

/*
 * Write an outcome other than DONE on the job and its book, then NOTIFY
 * if the job is over.  The book is locked first, then the job: the order
 * of a DELETE of the book.  Inside SPI.
 */
static void
record_outcome(const BpJobRun *run, const BpOutcome *out)
{
	Oid			argtypes[10] = {INT8OID, TEXTOID, TEXTOID, TEXTOID, INT8OID,
	INT8OID, TIMESTAMPTZOID, INT4OID, INT8OID, TIMESTAMPTZOID};
	Datum		values[10];
	char		nulls[10];
	const char *state;
	const char *outcome;
	const char *status;
	int64		ms = run_duration_ms(run);
	TimestampTz now = GetCurrentTimestamp();

	switch (out->kind)
	{
		case BP_OUT_FAILED:
			state = "failed";
			outcome = "failed";
			break;
		case BP_OUT_RETRY:
		case BP_OUT_REQUEUE:
			state = "queued";
			outcome = "queued";
			break;
		case BP_OUT_CANCELED:
			state = "canceled";
			outcome = "canceled";
			break;
		default:
			return;
	}

	memset(nulls, ' ', sizeof(nulls));
	values[0] = Int64GetDatum(run->job.job_id);
	values[1] = CStringGetTextDatum(state);
	values[2] = CStringGetTextDatum(out->message ? out->message : "");
	values[3] = CStringGetTextDatum(out->error_code);
	values[4] = Int64GetDatum(ms);
	if (ms < 0)
		nulls[4] = 'n';
	values[5] = Int64GetDatum((int64) run->peak_memory);
	if (run->peak_memory == 0)
		nulls[5] = 'n';
	/* times as values: Citus refuses volatile functions in an UPDATE */
	if (out->kind == BP_OUT_RETRY)
		values[6] = TimestampTzGetDatum(now + (TimestampTz)
										(backoff_ms(run->job.attempts) * 1000.0));
	else if (out->kind == BP_OUT_REQUEUE)
		values[6] = TimestampTzGetDatum(now);
	else
	{
		values[6] = (Datum) 0;
		nulls[6] = 'n';
	}
	/* a job put back because its worker exits does not count the attempt */
	values[7] = Int32GetDatum(out->kind == BP_OUT_REQUEUE ? -1 : 0);
	values[8] = Int64GetDatum(run->job.book_id);
	values[9] = TimestampTzGetDatum(now);

	status = bp_queue_finish_book(run->job.book_id, run->job.job_id, outcome,
								  out->message ? out->message : "",
								  out->error_code);
	if (status == NULL)
		return;					/* the book is gone, and its jobs with it */

	bp_spi_run(bp_spi_plan(&plan_job_end,
						   "UPDATE bookparse.job SET state = $2,"
						   " error = $3, error_code = $4,"
						   " duration_ms = $5, peak_memory_bytes = $6,"
						   " finished_at = CASE WHEN $2 = 'queued' THEN NULL"
						   "   ELSE $10 END,"
						   " run_after = CASE WHEN $7 IS NULL THEN run_after"
						   "   ELSE $7 END,"
						   " worker_pid = CASE WHEN $2 = 'queued' THEN NULL"
						   "   ELSE worker_pid END,"
						   " attempts = greatest(attempts + $8, 0)"
						   " WHERE id = $1 AND book_id = $9",
						   10, argtypes),
			   values, nulls, SPI_OK_UPDATE);

	if (out->kind == BP_OUT_FAILED || out->kind == BP_OUT_CANCELED)
		bp_queue_notify(run->job.book_id, status,
						strcmp(status, "failed") == 0 ? out->error_code : NULL);
}

/*
 * Whether an error caught while a worker parsed or stored a book is a
 * pg_cancel_backend() of the worker: that cancels the job (the store is
 * rolled back) instead of ending the worker.
 */
static bool
error_cancels_job(const BpJobRun *run, int sqlerrcode)
{
	return run->slot >= 0 && sqlerrcode == ERRCODE_QUERY_CANCELED;
}

/*
 * record_outcome in a subtransaction, written again after a deadlock,
 * serialization failure or lock timeout (at most BP_RECORD_TRIES times),
 * so that a client's lock cannot end a worker.  In a worker that is asked
 * to exit, a lock is waited for BP_REQUEUE_LOCK_TIMEOUT_MS at most, once:
 * past it the error ends the worker and the launcher recovers the job.
 * Otherwise query cancels wait meanwhile in a worker (the job is over
 * already); not while exiting, where lock_timeout itself comes as one.
 */
static void
record_outcome_retrying(const BpJobRun *run, const BpOutcome *out)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	bool		in_worker = run->slot >= 0;
	bool		exiting = in_worker && out->kind == BP_OUT_REQUEUE;
	int			try;

	if (exiting)
	{
		char		ms[32];

		snprintf(ms, sizeof(ms), "%d", BP_REQUEUE_LOCK_TIMEOUT_MS);
		(void) set_config_option("lock_timeout", ms, PGC_USERSET,
								 PGC_S_SESSION, GUC_ACTION_LOCAL, true, 0,
								 false);
	}
	if (in_worker && !exiting)
		HOLD_CANCEL_INTERRUPTS();
	for (try = 1;; try++)
	{
		volatile bool done = false;

		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(oldcontext);
		PG_TRY();
		{
			record_outcome(run, out);
			ReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(oldcontext);
			CurrentResourceOwner = oldowner;
			done = true;
		}
		PG_CATCH();
		{
			ErrorData  *edata;
			int			code;

			MemoryContextSwitchTo(oldcontext);
			edata = CopyErrorData();
			code = edata->sqlerrcode;
			if (exiting || try >= BP_RECORD_TRIES ||
				(ERRCODE_TO_CATEGORY(code) != ERRCODE_TRANSACTION_ROLLBACK &&
				 code != ERRCODE_LOCK_NOT_AVAILABLE))
			{
				FreeErrorData(edata);
				PG_RE_THROW();
			}
			FlushErrorState();
			RollbackAndReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(oldcontext);
			CurrentResourceOwner = oldowner;
			ereport(LOG,
					(errmsg("bookparse: recording the outcome of job " INT64_FORMAT " failed: %s; trying again",
							run->job.job_id, edata->message)));
			FreeErrorData(edata);
		}
		PG_END_TRY();
		if (done)
			break;
		pg_usleep(100000L * try);
		CHECK_FOR_INTERRUPTS();
	}
	if (in_worker && !exiting)
		RESUME_CANCEL_INTERRUPTS();
}

/*
 * Parse a claimed job's book and store its results (or its failure, with
 * retry and backoff for transient errors), then NOTIFY bookparse.  The
 * parse and the store run in a subtransaction that is kept only when the
 * book was stored and the run may commit (bp_job_seal): a cancel, timeout
 * or shutdown that comes while storing rolls the book back.
 */
void
bp_queue_execute(BpJobRun *run)
{
	bool		pushed;
	MemoryContext oldcontext;
	ResourceOwner oldowner;
	BpOutcome	out;
	bp_book    *volatile book = NULL;

	if (run->started_at == 0)
		run->started_at = GetCurrentTimestamp();
	run->stop = BP_STOP_NONE;

	pushed = bp_spi_begin();
	if (!job_is_ours(run))
	{
		bp_spi_end(pushed);
		return;
	}

	memset(&out, 0, sizeof(out));
	oldcontext = CurrentMemoryContext;
	oldowner = CurrentResourceOwner;
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcontext);

	PG_TRY();
	{
		parse_and_store(run, &book, &out);
		if (book != NULL)
		{
			bp_book_free(book);
			book = NULL;
		}
		if (out.kind == BP_OUT_DONE && !bp_job_seal(run))
		{
			bp_error	noerr;

			/* stopped after the last row was written: nothing is kept */
			memset(&noerr, 0, sizeof(noerr));
			memset(&out, 0, sizeof(out));
			parse_failed(run, &noerr, &out);
		}
		if (out.kind == BP_OUT_DONE)
			ReleaseCurrentSubTransaction();
		else
			RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcontext);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
		if (book != NULL)
		{
			bp_book_free(book);
			book = NULL;
		}
		memset(&out, 0, sizeof(out));
		if (error_cancels_job(run, edata->sqlerrcode))
		{
			bp_error	noerr;

			memset(&noerr, 0, sizeof(noerr));
			run->stop = BP_STOP_CANCELED;
			parse_failed(run, &noerr, &out);
		}
		else if (error_is_interrupt(edata->sqlerrcode))
			ReThrowError(edata);
		else
			error_outcome(run, edata, &out);
		FreeErrorData(edata);
	}
	PG_END_TRY();

	if (out.kind == BP_OUT_DONE)
		bp_queue_notify(run->job.book_id, out.status, NULL);
	else if (out.kind != BP_OUT_SKIP)
		record_outcome_retrying(run, &out);
	bp_spi_end(pushed);
}

/*
 * The jobs of bp_queue_recover_orphans on one server: running jobs whose
 * worker is gone, locked with their book; returns how many, in *runsp.
 * Inside SPI.
 */
static int
local_orphans(BpJobRun **runsp)
{
	int			n = 0;
	int			count;
	int			i;
	BpJobRun   *runs;

	bp_spi_run(bp_spi_plan(&plan_orphans,
						   "SELECT j.id, j.book_id, j.attempts, j.worker_pid,"
						   " CASE WHEN j.worker_pid IS NOT NULL THEN"
						   "  (SELECT a.backend_start <= j.started_at"
						   "    FROM pg_catalog.pg_stat_get_activity(j.worker_pid) a)"
						   " END"
						   " FROM bookparse.job j"
						   " JOIN bookparse.book b ON b.id = j.book_id"
						   " WHERE j.state = 'running'"
						   " ORDER BY j.id FOR UPDATE OF j, b SKIP LOCKED",
						   0, NULL),
			   NULL, NULL, SPI_OK_SELECT);
	count = (int) SPI_processed;
	runs = palloc0(sizeof(BpJobRun) * Max(count, 1));
	for (i = 0; i < count; i++)
	{
		int			pid = (int) bp_spi_int64(i, 4);
		bool		started_before = bp_spi_bool(i, 5);

		if (pid != 0 && (pid == MyProcPid ||
						 (BackendPidGetProc(pid) != NULL && started_before)))
			continue;
		runs[n].job.job_id = bp_spi_int64(i, 1);
		runs[n].job.book_id = bp_spi_int64(i, 2);
		runs[n].job.attempts = (int) bp_spi_int64(i, 3);
		runs[n].slot = -1;
		n++;
	}
	*runsp = runs;
	return n;
}

/*
 * Put jobs left 'running' by a worker that no longer exists back to
 * 'queued' (the attempt was counted at the claim), or fail them once
 * bookparse.max_attempts runs are used up.  Returns how many.
 *
 * A job's worker is alive when a backend with its worker_pid exists and
 * started before the job did: a PID that the system gave to a new process
 * after the worker died does not hide the job.  Jobs and books are locked
 * together with SKIP LOCKED (a book being stored or deleted is left for
 * the next round), the book first like everywhere else.
 */
int
bp_queue_recover_orphans(void)
{
	bool		pushed;
	int			n;
	int			i;
	BpJobRun   *runs;

	pushed = bp_spi_begin();
	/* on Citus: this node's jobs, locked through the distributed tables */
	if (bp_citus_active())
		n = bp_citus_orphans(&runs);
	else
		n = local_orphans(&runs);
	for (i = 0; i < n; i++)
	{
		BpOutcome	out;

		memset(&out, 0, sizeof(out));
		set_transient(&runs[i], &out, "worker_lost",
					  "the process running this job exited before it finished");
		record_outcome(&runs[i], &out);
	}
	bp_spi_end(pushed);
	return n;
}

/*
 * Delete at most limit finished jobs (done, failed, canceled) that ended
 * before cutoff, oldest first, skipping rows others hold locked; returns
 * how many.  Inside a transaction with an active snapshot or not (pushes
 * one then).
 */
uint64
bp_queue_purge_batch(TimestampTz cutoff, int limit)
{
	Oid			argtypes[2] = {TIMESTAMPTZOID, INT4OID};
	Datum		values[2];
	bool		pushed;
	uint64		n;

	pushed = bp_spi_begin();
	if (bp_citus_active())
	{
		n = bp_citus_purge_batch(cutoff, limit);
		bp_spi_end(pushed);
		return n;
	}
	values[0] = TimestampTzGetDatum(cutoff);
	values[1] = Int32GetDatum(limit);
	bp_spi_run(bp_spi_plan(&plan_purge,
						   "DELETE FROM bookparse.job WHERE id IN ("
						   " SELECT id FROM bookparse.job"
						   "  WHERE state IN ('done', 'failed', 'canceled')"
						   "  AND finished_at < $1"
						   "  ORDER BY finished_at LIMIT $2"
						   "  FOR UPDATE SKIP LOCKED)",
						   2, argtypes),
			   values, NULL, SPI_OK_DELETE);
	n = SPI_processed;
	bp_spi_end(pushed);
	return n;
}

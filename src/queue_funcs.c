/*-------------------------------------------------------------------------
 *
 * queue_funcs.c
 *	  The SQL functions of the queue: bookparse.submit, reparse, cancel,
 *	  wait and run_queue.
 *
 * submit(), reparse() and retry_failed() wake the workers when their
 * transaction commits (bp_wake_at_commit), not before: a worker woken
 * earlier would not yet see the new job and would sleep until its next
 * poll.
 *
 * Locks: every function here that changes a book and its jobs locks the
 * book's row first, then the jobs' rows, the order of a DELETE of the book
 * (which cascades to its jobs) and of the workers' store.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/transam.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "citus.h"
#include "queue_int.h"

PG_FUNCTION_INFO_V1(bp_submit);
PG_FUNCTION_INFO_V1(bp_reparse);
PG_FUNCTION_INFO_V1(bp_cancel);
PG_FUNCTION_INFO_V1(bp_wait);
PG_FUNCTION_INFO_V1(bp_run_queue);
PG_FUNCTION_INFO_V1(bp_retry_failed);
PG_FUNCTION_INFO_V1(bp_purge_jobs);

/* Longest sleep between two looks at a book in wait(). */
#define BP_WAIT_MAX_SLEEP_MS	100

static SPIPlanPtr plan_submit = NULL;
static SPIPlanPtr plan_insert_job = NULL;
static SPIPlanPtr plan_insert_job_010 = NULL;
static SPIPlanPtr plan_paused = NULL;
static SPIPlanPtr plan_retry_failed = NULL;
static SPIPlanPtr plan_retry_failed_010 = NULL;
static SPIPlanPtr plan_lock_failed = NULL;
static SPIPlanPtr plan_book_requeued = NULL;
static SPIPlanPtr plan_lock_book = NULL;
static SPIPlanPtr plan_requeue_existing = NULL;
static SPIPlanPtr plan_book_queued = NULL;
static SPIPlanPtr plan_cancel_queued = NULL;
static SPIPlanPtr plan_running_jobs = NULL;
static SPIPlanPtr plan_running_nodes = NULL;
static SPIPlanPtr plan_wait_status = NULL;

static int64 insert_job(Datum *values, const char *nulls, bool returning);

/*
 * Books this transaction queued with submit() or reparse(), for wait() on
 * a Citus cluster, where a row's xmin is a node's transaction id and says
 * nothing about the coordinator's transaction.
 */
static int64 *queued_here = NULL;
static int	nqueued_here = 0;
static int	queued_here_cap = 0;
static LocalTransactionId queued_here_lxid = InvalidLocalTransactionId;

/*
 * Connect to SPI or fail; first check that this library serves the
 * installed extension's schema (version_funcs.c).
 */
static void
funcs_spi_connect(void)
{
	bp_check_installed_version();
	bp_spi_connect();
}

/* Remember that this transaction queued book_id (see queued_here). */
static void
note_queued_here(int64 book_id)
{
	if (queued_here_lxid != MyProc->lxid)
	{
		queued_here = NULL;
		nqueued_here = queued_here_cap = 0;
		queued_here_lxid = MyProc->lxid;
	}
	if (nqueued_here == queued_here_cap)
	{
		int			cap = Max(16, queued_here_cap * 2);

		queued_here = queued_here == NULL ?
			MemoryContextAlloc(TopTransactionContext, sizeof(int64) * cap) :
			repalloc(queued_here, sizeof(int64) * cap);
		queued_here_cap = cap;
	}
	queued_here[nqueued_here++] = book_id;
}

/* Whether this transaction queued book_id with submit() or reparse(). */
static bool
was_queued_here(int64 book_id)
{
	int			i;

	if (queued_here_lxid != MyProc->lxid)
		return false;
	for (i = 0; i < nqueued_here; i++)
		if (queued_here[i] == book_id)
			return true;
	return false;
}

/* Microseconds of an interval (months as 30 days), saturating. */
static int64
interval_usecs(const Interval *iv)
{
	double		us;

	us = (double) iv->time +
		((double) iv->day + (double) iv->month * DAYS_PER_MONTH) *
		(double) USECS_PER_DAY;
	if (us > (double) PG_INT64_MAX / 2)
		return PG_INT64_MAX / 2;
	if (us < 0)
		return 0;
	return (int64) us;
}

/*
 * bookparse.submit(content bytea, filename text, priority int) -> bigint:
 * store a book, queue it and wake a worker; returns the book id.
 */
Datum
bp_submit(PG_FUNCTION_ARGS)
{
	Oid			argtypes[4] = {TEXTOID, BYTEAOID, TEXTOID, INT4OID};
	Datum		values[4];
	char		nulls[4] = {' ', ' ', ' ', ' '};
	Size		size;
	int64		limit;
	bytea	   *content;
	const char *format;
	const char *what = NULL;
	int64		book_id;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("book content must not be null")));

	/* refuse a book that is too large before even detoasting it */
	size = toast_raw_datum_size(PG_GETARG_DATUM(0)) - VARHDRSZ;
	limit = (int64) bp_guc_max_book_size_kb * 1024;
	if ((int64) size > limit)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("book is too large: %lld bytes",
						(long long) size),
				 errdetail("bookparse.max_book_size allows at most %lld bytes.",
						   (long long) limit)));

	content = PG_GETARG_BYTEA_PP(0);
	format = bp_detect_format((const unsigned char *) VARDATA_ANY(content),
							  VARSIZE_ANY_EXHDR(content), &what);

	if (PG_ARGISNULL(1))
	{
		values[0] = (Datum) 0;
		nulls[0] = 'n';
	}
	else
		values[0] = PG_GETARG_DATUM(1);
	values[1] = PointerGetDatum(content);
	if (format != NULL)
		values[2] = CStringGetTextDatum(format);
	else
	{
		values[2] = (Datum) 0;
		nulls[2] = 'n';
	}
	values[3] = Int32GetDatum(PG_ARGISNULL(2) ? 0 : PG_GETARG_INT32(2));

	funcs_spi_connect();

	/*
	 * Two statements: the job's row-level security policy looks the book up
	 * and would not see it inserted by the same statement.
	 */
	bp_spi_run(bp_spi_plan(&plan_submit,
						   "INSERT INTO bookparse.book (filename, content,"
						   " content_sha256, byte_size, format)"
						   " VALUES ($1, $2, pg_catalog.sha256($2),"
						   "  pg_catalog.octet_length($2), $3)"
						   " RETURNING id, submitted_by",
						   3, argtypes),
			   values, nulls, SPI_OK_INSERT_RETURNING);
	book_id = bp_spi_int64(0, 1);
	{
		Datum		jobvalues[3];
		bool		isnull;

		jobvalues[0] = Int64GetDatum(book_id);
		jobvalues[1] = values[3];
		/* the book's submitted_by, as the row has it */
		jobvalues[2] = SPI_getbinval(SPI_tuptable->vals[0],
									 SPI_tuptable->tupdesc, 2, &isnull);
		insert_job(jobvalues, NULL, false);
	}
	SPI_finish();

	note_queued_here(book_id);
	bp_wake_at_commit();
	PG_RETURN_INT64(book_id);
}

/*
 * Insert a job: values are (book_id, priority, submitted_by), nulls NULL
 * or their nulls; returns its id when returning.  Without submitted_by
 * while the schema is still 0.1.0's (a library newer than it).  Inside SPI.
 */
static int64
insert_job(Datum *values, const char *nulls, bool returning)
{
	Oid			argtypes[3] = {INT8OID, INT4OID, NAMEOID};

	if (bp_schema_has_column("job", "submitted_by"))
		bp_spi_run(bp_spi_plan(&plan_insert_job,
							   "INSERT INTO bookparse.job (book_id, priority,"
							   " submitted_by) VALUES ($1, $2, $3) RETURNING id",
							   3, argtypes),
				   values, nulls, SPI_OK_INSERT_RETURNING);
	else
		bp_spi_run(bp_spi_plan(&plan_insert_job_010,
							   "INSERT INTO bookparse.job (book_id, priority)"
							   " VALUES ($1, $2) RETURNING id",
							   2, argtypes),
				   values, nulls, SPI_OK_INSERT_RETURNING);
	return returning ? bp_spi_int64(0, 1) : 0;
}

/*
 * Lock a book's row; false when there is no such book, or an error unless
 * missing_ok.  *owner (if not NULL) gets its submitted_by, valid until
 * SPI_finish.  Inside SPI.
 */
static bool
lock_book(int64 book_id, bool missing_ok, Datum *owner)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1];
	bool		isnull;

	values[0] = Int64GetDatum(book_id);
	bp_spi_run(bp_spi_plan(&plan_lock_book,
						   "SELECT submitted_by FROM bookparse.book WHERE id = $1"
						   " FOR UPDATE",
						   1, argtypes),
			   values, NULL, SPI_OK_SELECT);
	if (SPI_processed == 0 && !missing_ok)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("book " INT64_FORMAT " does not exist", book_id)));
	if (SPI_processed > 0 && owner != NULL)
		*owner = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
							   1, &isnull);
	return SPI_processed > 0;
}

/*
 * bookparse.reparse(book_id bigint, priority int) -> bigint: queue a book
 * again; returns the job id.  A job of the book that is still queued is
 * reused (its priority raised to at least priority, due now).
 */
Datum
bp_reparse(PG_FUNCTION_ARGS)
{
	Oid			argtypes[2] = {INT8OID, INT4OID};
	Datum		values[2];
	int64		book_id;
	int64		job_id = 0;
	Datum		owner = (Datum) 0;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	book_id = PG_GETARG_INT64(0);
	values[0] = Int64GetDatum(book_id);
	values[1] = Int32GetDatum(PG_ARGISNULL(1) ? 0 : PG_GETARG_INT32(1));

	funcs_spi_connect();

	/* the book first, then its jobs (see the header comment) */
	(void) lock_book(book_id, false, &owner);
	bp_spi_run(bp_spi_plan(&plan_requeue_existing,
						   "UPDATE bookparse.job SET"
						   " priority = greatest(priority, $2),"
						   " run_after = least(run_after, now())"
						   " WHERE id = (SELECT id FROM bookparse.job"
						   "   WHERE book_id = $1 AND state = 'queued'"
						   "   ORDER BY id LIMIT 1)"
						   " AND state = 'queued'"	/* rechecked after a lock wait */
						   " RETURNING id",
						   2, argtypes),
			   values, NULL, SPI_OK_UPDATE_RETURNING);
	if (SPI_processed > 0)
		job_id = bp_spi_int64(0, 1);
	if (job_id == 0)
	{
		Datum		jobvalues[3];

		jobvalues[0] = values[0];
		jobvalues[1] = values[1];
		jobvalues[2] = owner;
		job_id = insert_job(jobvalues, NULL, true);
	}
	bp_spi_run(bp_spi_plan(&plan_book_queued,
						   "UPDATE bookparse.book SET"
						   " status = CASE WHEN status = 'parsing' THEN 'parsing'"
						   "   ELSE 'queued' END,"
						   " error = NULL, error_code = NULL"
						   " WHERE id = $1",
						   1, argtypes),
			   values, NULL, SPI_OK_UPDATE);
	SPI_finish();

	note_queued_here(book_id);
	bp_wake_at_commit();
	PG_RETURN_INT64(job_id);
}

/*
 * Run bookparse.cancel() on the other Citus nodes running a job of the book
 * (job.node); true if one of them stopped something.  Inside SPI.
 */
static bool
cancel_on_nodes(int64 book_id)
{
	Oid			argtypes[2] = {INT8OID, TEXTOID};
	Datum		values[2];
	char		nulls[2] = {' ', ' '};
	char	   *me = bp_citus_node_name();
	char	  **nodes;
	int			n;
	int			i;
	bool		canceled = false;

	values[0] = Int64GetDatum(book_id);
	if (me != NULL)
		values[1] = CStringGetTextDatum(me);
	else
		nulls[1] = 'n';
	bp_spi_run(bp_spi_plan(&plan_running_nodes,
						   "SELECT DISTINCT node FROM bookparse.job"
						   " WHERE book_id = $1 AND state = 'running'"
						   " AND node IS NOT NULL"
						   " AND node IS DISTINCT FROM $2",
						   2, argtypes),
			   values, nulls, SPI_OK_SELECT);
	n = (int) SPI_processed;
	nodes = palloc(sizeof(char *) * Max(n, 1));
	for (i = 0; i < n; i++)
		nodes[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
	for (i = 0; i < n; i++)
		if (bp_citus_cancel_on_node(book_id, nodes[i]))
			canceled = true;
	return canceled;
}

/*
 * bookparse.cancel(book_id bigint) -> boolean: cancel the book's queued
 * jobs and ask the workers running one of its jobs to stop; true if
 * anything was canceled.  A worker stops its parse, or its store, which is
 * rolled back, and records the job 'canceled'; a worker that is already
 * committing the book's results is not stopped (false for that job).
 */
Datum
bp_cancel(PG_FUNCTION_ARGS)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1];
	int64		book_id = PG_GETARG_INT64(0);
	bool		canceled = false;
	int64	   *running;
	int			nrunning;
	int			i;

	values[0] = Int64GetDatum(book_id);
	funcs_spi_connect();

	/*
	 * Running jobs first, without a lock: a worker that stores the book
	 * holds its row lock until it commits, and must hear the cancel now.
	 * It stops the parse or rolls the store back and records 'canceled'.
	 */
	bp_spi_run(bp_spi_plan(&plan_running_jobs,
						   "SELECT id FROM bookparse.job"
						   " WHERE book_id = $1 AND state = 'running'",
						   1, argtypes),
			   values, NULL, SPI_OK_SELECT);
	nrunning = (int) SPI_processed;
	/* kept past SPI_freetuptable and the next statements */
	running = SPI_palloc(sizeof(int64) * Max(nrunning, 1));
	for (i = 0; i < nrunning; i++)
		running[i] = bp_spi_int64(i, 1);
	SPI_freetuptable(SPI_tuptable);
	for (i = 0; i < nrunning; i++)
		if (bp_worker_cancel_job(running[i]))
			canceled = true;
	pfree(running);

	/*
	 * On a Citus cluster the job may run on another node, whose workers
	 * are in that node's shared memory: ask that node (job.node) to cancel.
	 */
	if (nrunning > 0 && !canceled && bp_citus_active())
		canceled = cancel_on_nodes(book_id);

	/* then the queued jobs: the book first (see the header comment) */
	if (!lock_book(book_id, true, NULL))
	{
		SPI_finish();
		PG_RETURN_BOOL(canceled);
	}
	{
		Oid			types[2] = {INT8OID, TIMESTAMPTZOID};
		Datum		vals[2];

		vals[0] = values[0];
		/* the time as a value: Citus refuses volatile functions here */
		vals[1] = TimestampTzGetDatum(GetCurrentTimestamp());
		bp_spi_run(bp_spi_plan(&plan_cancel_queued,
							   "UPDATE bookparse.job SET state = 'canceled',"
							   " finished_at = $2,"
							   " error = 'canceled by bookparse.cancel()',"
							   " error_code = 'canceled'"
							   " WHERE book_id = $1 AND state = 'queued'"
							   " RETURNING id",
							   2, types),
				   vals, NULL, SPI_OK_UPDATE_RETURNING);
	}
	if (SPI_processed > 0)
	{
		const char *status;

		canceled = true;
		status = bp_queue_finish_book(book_id, 0, "canceled",
									  "canceled by bookparse.cancel()",
									  "canceled");
		if (status != NULL)
			bp_queue_notify(book_id, status,
							strcmp(status, "failed") == 0 ? "canceled" : NULL);
	}
	SPI_finish();

	PG_RETURN_BOOL(canceled);
}

/*
 * bookparse.wait(book_id bigint, timeout interval) -> text: wait until the
 * book is neither queued nor parsing (or the timeout passes, NULL = no
 * limit) and return its status; NULL if there is no such book.
 */
Datum
bp_wait(PG_FUNCTION_ARGS)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1];
	TimestampTz deadline = 0;
	long		sleep_ms = 10;
	text	   *result = NULL;
	bool		citus;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	values[0] = Int64GetDatum(PG_GETARG_INT64(0));
	if (!PG_ARGISNULL(1))
		deadline = GetCurrentTimestamp() +
			interval_usecs(PG_GETARG_INTERVAL_P(1));

	funcs_spi_connect();
	citus = bp_citus_active();
	for (;;)
	{
		bool		isnull;
		Datum		d;
		char	   *status;
		TransactionId xmin;
		TimestampTz now;
		long		remaining_ms;

		/* not read-only: in READ COMMITTED each look takes a new snapshot */
		bp_spi_run(bp_spi_plan(&plan_wait_status,
							   "SELECT status, xmin FROM bookparse.book WHERE id = $1",
							   1, argtypes),
				   values, NULL, SPI_OK_SELECT);
		if (SPI_processed == 0)
			break;
		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
						  &isnull);
		status = isnull ? pstrdup("") : TextDatumGetCString(d);
		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2,
						  &isnull);
		xmin = isnull ? InvalidTransactionId : DatumGetTransactionId(d);
		SPI_freetuptable(SPI_tuptable);

		now = GetCurrentTimestamp();
		if ((strcmp(status, "queued") != 0 && strcmp(status, "parsing") != 0) ||
			(deadline != 0 && now >= deadline))
		{
			result = (text *) SPI_palloc(VARHDRSZ + strlen(status));
			SET_VARSIZE(result, VARHDRSZ + strlen(status));
			memcpy(VARDATA(result), status, strlen(status));
			break;
		}

		/*
		 * This transaction queued the book (submit, reparse, retry_failed):
		 * no worker can see that before it commits, so waiting would only
		 * time out.  On Citus the row's xmin is the node's: the books that
		 * submit() and reparse() queued in this session's transaction.
		 */
		if (citus ? was_queued_here(DatumGetInt64(values[0])) :
			(TransactionIdIsValid(xmin) && TransactionIdIsCurrentTransactionId(xmin)))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("book " INT64_FORMAT " was queued by this transaction, which must commit before a worker can parse it",
							DatumGetInt64(values[0])),
					 errhint("Commit first, then call bookparse.wait(); or parse it in this transaction with bookparse.run_queue().")));
		if (IsolationUsesXactSnapshot())
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("bookparse.wait() cannot see other sessions' work in a %s transaction",
							IsolationIsSerializable() ? "SERIALIZABLE" : "REPEATABLE READ"),
					 errhint("Call it in a READ COMMITTED transaction.")));
		pfree(status);

		remaining_ms = sleep_ms;
		if (deadline != 0)
			remaining_ms = Min(remaining_ms,
							   (long) ((deadline - now + 999) / 1000));
		(void) WaitLatch(MyLatch,
						 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 Max(remaining_ms, 1), PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		sleep_ms = Min(sleep_ms * 2, BP_WAIT_MAX_SLEEP_MS);
	}
	SPI_finish();

	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(result);
}

/* Whether bookparse.pause() is in force (a fresh look). */
static bool
queue_paused(void)
{
	bool		paused;

	funcs_spi_connect();
	bp_spi_run(bp_spi_plan(&plan_paused,
						   "SELECT EXISTS (SELECT 1 FROM bookparse.queue_state"
						   " WHERE paused)",
						   0, NULL),
			   NULL, NULL, SPI_OK_SELECT);
	paused = SPI_processed > 0 && bp_spi_bool(0, 1);
	SPI_finish();
	return paused;
}

/*
 * bookparse.run_queue(max_jobs int, max_time interval) -> int: parse
 * queued books in this session until the queue is empty, max_jobs jobs
 * ran or max_time passed (checked between books); returns how many ran.
 * Takes nothing while the queue is paused (bookparse.pause()).
 * Each book is stored in its own subtransaction of the caller's
 * transaction; claimed jobs stay locked until it ends.
 */
Datum
bp_run_queue(PG_FUNCTION_ARGS)
{
	int			max_jobs = -1;
	int64		max_time_us = -1;
	TimestampTz start = GetCurrentTimestamp();
	int			n = 0;

	if (!PG_ARGISNULL(0))
	{
		max_jobs = PG_GETARG_INT32(0);
		if (max_jobs < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("max_jobs must not be negative")));
	}
	if (!PG_ARGISNULL(1))
		max_time_us = interval_usecs(PG_GETARG_INTERVAL_P(1));

	if (queue_paused())
	{
		ereport(NOTICE,
				(errmsg("the bookparse queue is paused: run_queue() takes no job"),
				 errhint("SELECT bookparse.resume() lets it run again.")));
		PG_RETURN_INT32(0);
	}

	bp_queue_set_horizon(start);
	PG_TRY();
	{
		for (;;)
		{
			BpJobRun	run;

			CHECK_FOR_INTERRUPTS();
			if (max_jobs >= 0 && n >= max_jobs)
				break;
			if (max_time_us >= 0 && GetCurrentTimestamp() - start >= max_time_us)
				break;

			memset(&run, 0, sizeof(run));
			if (!bp_queue_claim(&run.job))
				break;
			run.slot = -1;
			run.started_at = GetCurrentTimestamp();
			if (bp_guc_job_timeout_ms > 0)
				run.deadline = run.started_at +
					(TimestampTz) bp_guc_job_timeout_ms * 1000;
			bp_queue_execute(&run);
			n++;
		}
	}
	PG_FINALLY();
	{
		bp_queue_set_horizon(0);
	}
	PG_END_TRY();

	PG_RETURN_INT32(n);
}

/*
 * Queue a failed book again with a new job, unless someone holds its row
 * or it is no longer failed; true if it was.  One book's shard on Citus
 * (retry_failed() there).  Inside SPI.
 */
static bool
requeue_failed_book(int64 book_id)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		values[3];
	char		nulls[3] = {' ', ' ', ' '};
	bool		isnull;

	values[0] = Int64GetDatum(book_id);
	bp_spi_run(bp_spi_plan(&plan_lock_failed,
						   "SELECT submitted_by FROM bookparse.book"
						   " WHERE id = $1 AND status = 'failed'"
						   " FOR UPDATE SKIP LOCKED",
						   1, argtypes),
			   values, NULL, SPI_OK_SELECT);
	if (SPI_processed == 0)
		return false;
	values[1] = Int32GetDatum(0);
	values[2] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
							  1, &isnull);
	nulls[2] = isnull ? 'n' : ' ';
	bp_spi_run(bp_spi_plan(&plan_book_requeued,
						   "UPDATE bookparse.book SET status = 'queued',"
						   " error = NULL, error_code = NULL WHERE id = $1",
						   1, argtypes),
			   values, NULL, SPI_OK_UPDATE);
	insert_job(values, nulls, false);
	return true;
}

/*
 * bookparse.retry_failed(older_than interval, error_code text) -> int:
 * queue again every failed book whose last job ended at least older_than
 * ago (books whose history was purged count as old enough), only those
 * with that error_code when it is not NULL; returns how many.  Books
 * locked by someone else at that moment are skipped, not waited for.
 */
Datum
bp_retry_failed(PG_FUNCTION_ARGS)
{
	Oid			argtypes[2] = {INTERVALOID, TEXTOID};
	Datum		values[2];
	char		nulls[2] = {' ', ' '};
	int64		n;
	Interval	zero;

	/* NULL must not mean "every failed book" */
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("older_than must not be NULL"),
				 errhint("Use interval '0' to queue every failed book again.")));
	memset(&zero, 0, sizeof(zero));
	values[0] = PG_GETARG_DATUM(0);
	if (DatumGetInt32(DirectFunctionCall2(interval_cmp, values[0],
										  IntervalPGetDatum(&zero))) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("older_than must not be negative")));
	if (PG_ARGISNULL(1))
	{
		values[1] = (Datum) 0;
		nulls[1] = 'n';
	}
	else
		values[1] = PG_GETARG_DATUM(1);

	funcs_spi_connect();
	if (bp_citus_active())
	{
		int64	   *ids;
		int			count = bp_citus_failed_books(values[0], values[1],
												  nulls[1] == 'n', &ids);
		int			i;

		n = 0;
		for (i = 0; i < count; i++)
			if (requeue_failed_book(ids[i]))
				n++;
	}
	else
	{
		/* jobs get their book's submitted_by, once the schema has it */
		bool		owner = bp_schema_has_column("job", "submitted_by");

		bp_spi_run(bp_spi_plan(owner ? &plan_retry_failed : &plan_retry_failed_010,
							   psprintf("WITH f AS ("
										"  SELECT b.id FROM bookparse.book b"
										"   WHERE b.status = 'failed'"
										"   AND ($2::text IS NULL OR b.error_code = $2)"
										"   AND coalesce((SELECT max(j.finished_at)"
										"     FROM bookparse.job j WHERE j.book_id = b.id),"
										"     '-infinity') <= now() - $1"
										"   ORDER BY b.id FOR UPDATE OF b SKIP LOCKED),"
										" q AS ("
										"  UPDATE bookparse.book b SET status = 'queued',"
										"   error = NULL, error_code = NULL"
										"  FROM f WHERE b.id = f.id"
										"  RETURNING b.id, b.submitted_by),"
										" j AS ("
										"  INSERT INTO bookparse.job (book_id%s)"
										"  SELECT id%s FROM q RETURNING 1)"
										" SELECT count(*) FROM j",
										owner ? ", submitted_by" : "",
										owner ? ", submitted_by" : ""),
							   2, argtypes),
				   values, nulls, SPI_OK_SELECT);
		n = bp_spi_int64(0, 1);
	}
	SPI_finish();

	if (n > 0)
		bp_wake_at_commit();
	PG_RETURN_INT32((int32) Min(n, (int64) PG_INT32_MAX));
}

/*
 * bookparse.purge_jobs(keep interval) -> bigint: delete done, failed and
 * canceled jobs that finished more than keep before the transaction
 * started, in batches (one short DELETE of at most BP_PURGE_BATCH rows
 * each, skipping rows locked by others); returns how many.  All batches
 * belong to the caller's transaction.
 */
Datum
bp_purge_jobs(PG_FUNCTION_ARGS)
{
	Datum		keep = PG_GETARG_DATUM(0);
	Interval	zero;
	TimestampTz cutoff;
	int64		total = 0;
	uint64		n;

	memset(&zero, 0, sizeof(zero));
	if (DatumGetInt32(DirectFunctionCall2(interval_cmp, keep,
										  IntervalPGetDatum(&zero))) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("keep must not be negative")));
	cutoff = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_mi_interval,
													 TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()),
													 keep));
	bp_check_installed_version();
	do
	{
		CHECK_FOR_INTERRUPTS();
		n = bp_queue_purge_batch(cutoff, BP_PURGE_BATCH);
		total += (int64) n;
	} while (n >= BP_PURGE_BATCH);

	PG_RETURN_INT64(total);
}

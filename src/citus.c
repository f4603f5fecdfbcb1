/*-------------------------------------------------------------------------
 *
 * citus.c
 *	  The queue on a Citus cluster (docs/scale-out.md).
 *
 * bookparse.distribute() makes book, chapter, asset, job and scene
 * distributed tables colocated on the book id: a book and everything of it
 * sit in one shard group, on one node.  Each node's launcher and workers
 * then claim only the jobs of the shards placed on their node, found in
 * Citus's own metadata (pg_dist_shard, pg_dist_placement,
 * pg_dist_local_group), so a book is parsed where its bytes are.
 *
 * Citus refuses FOR UPDATE SKIP LOCKED across shards, so a claim reads
 * and locks candidates in the local shard tables themselves, one shard at
 * a time.  Every write (the claim, the results, the outcome) goes through
 * the distributed tables by book id: Citus routes it to the shard's
 * current placement, executing it locally when that is this node, and
 * when the shard moved meanwhile (citus_move_shard_placement, the
 * rebalancer) it lands on the new node instead of a copy about to be
 * dropped.  The claim's UPDATE rechecks state = 'queued' there, so two
 * nodes that both saw a job during a move cannot both run it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "citus.h"
#include "queue_int.h"
#include "spi.h"

/* Candidates read from each local shard, and tried per claim at most. */
#define BP_CITUS_PER_SHARD		4
#define BP_CITUS_CANDIDATES		16

/* One pair of colocated local shard tables (quoted, schema-qualified). */
typedef struct BpShardPair
{
	char	   *job;
	char	   *book;
} BpShardPair;

static SPIPlanPtr plan_claim_job = NULL;
static SPIPlanPtr plan_claim_book = NULL;
static SPIPlanPtr plan_lock_book = NULL;
static SPIPlanPtr plan_lock_job = NULL;
static SPIPlanPtr plan_purge_one = NULL;

/* The transaction whose answer bp_citus_active() remembers. */
static LocalTransactionId active_lxid = InvalidLocalTransactionId;
static bool active_answer = false;

/* Run sql with arguments (not read-only); ERROR unless it returned expect. */
static void
citus_exec(const char *sql, int nargs, Oid *argtypes, Datum *values,
		   const char *nulls, int expect)
{
	int			rc;

	rc = SPI_execute_with_args(sql, nargs, argtypes, values, nulls, false, 0);
	if (rc != expect)
		elog(ERROR, "bookparse: citus query returned %s, expected %s: %s",
			 SPI_result_code_string(rc), SPI_result_code_string(expect), sql);
}

/* Column col of row row of SPI_tuptable as a palloc'd string, or NULL. */
static char *
citus_text(int row, int col)
{
	return SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);
}

/* Whether citus exists here and bookparse.job is distributed. */
bool
bp_citus_active(void)
{
	if (!OidIsValid(get_extension_oid("citus", true)))
		return false;
	if (MyProc != NULL && active_lxid == MyProc->lxid &&
		active_lxid != InvalidLocalTransactionId)
		return active_answer;

	bp_spi_connect();
	citus_exec("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition"
			   " WHERE logicalrelid = pg_catalog.to_regclass('bookparse.job'))",
			   0, NULL, NULL, NULL, SPI_OK_SELECT);
	active_answer = SPI_processed > 0 && bp_spi_bool(0, 1);
	SPI_finish();
	if (MyProc != NULL)
		active_lxid = MyProc->lxid;
	return active_answer;
}

/* This node's "host:port" in pg_dist_node, or NULL. */
char *
bp_citus_node_name(void)
{
	char	   *name = NULL;

	bp_spi_connect();
	citus_exec("SELECT n.nodename || ':' || n.nodeport"
			   " FROM pg_catalog.pg_dist_node n"
			   " WHERE n.groupid = (SELECT groupid"
			   "   FROM pg_catalog.pg_dist_local_group)"
			   " ORDER BY n.noderole = 'primary' DESC, n.nodeid LIMIT 1",
			   0, NULL, NULL, NULL, SPI_OK_SELECT);
	if (SPI_processed > 0)
	{
		char	   *s = citus_text(0, 1);

		if (s != NULL)
		{
			name = SPI_palloc(strlen(s) + 1);
			strcpy(name, s);
		}
	}
	SPI_finish();
	return name;
}

/*
 * The colocated job and book shard tables placed on this node that exist
 * here; returns how many, in *pairs.  Inside SPI.
 */
static int
local_shards(BpShardPair **pairs)
{
	int			n;
	int			i;

	citus_exec("SELECT pg_catalog.format('%I.%I', 'bookparse', 'job_' || js.shardid),"
			   " pg_catalog.format('%I.%I', 'bookparse', 'book_' || bs.shardid)"
			   " FROM pg_catalog.pg_dist_shard js"
			   " JOIN pg_catalog.pg_dist_shard bs"
			   "   ON bs.logicalrelid = 'bookparse.book'::pg_catalog.regclass"
			   "  AND bs.shardminvalue = js.shardminvalue"
			   " JOIN pg_catalog.pg_dist_placement p ON p.shardid = js.shardid"
			   " WHERE js.logicalrelid = 'bookparse.job'::pg_catalog.regclass"
			   " AND p.groupid = (SELECT groupid FROM pg_catalog.pg_dist_local_group)"
			   " AND pg_catalog.to_regclass(pg_catalog.format('%I.%I', 'bookparse',"
			   "   'job_' || js.shardid)) IS NOT NULL"
			   " AND pg_catalog.to_regclass(pg_catalog.format('%I.%I', 'bookparse',"
			   "   'book_' || bs.shardid)) IS NOT NULL"
			   " ORDER BY js.shardid",
			   0, NULL, NULL, NULL, SPI_OK_SELECT);
	n = (int) SPI_processed;
	*pairs = palloc0(sizeof(BpShardPair) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		(*pairs)[i].job = citus_text(i, 1);
		(*pairs)[i].book = citus_text(i, 2);
	}
	return n;
}

/* Whether bookparse.pause() is in force (queue_state is a reference table). */
static bool
queue_paused(void)
{
	citus_exec("SELECT EXISTS (SELECT 1 FROM bookparse.queue_state WHERE paused)",
			   0, NULL, NULL, NULL, SPI_OK_SELECT);
	return SPI_processed > 0 && bp_spi_bool(0, 1);
}

/*
 * Write the claim of one candidate through the distributed tables; false
 * when it is no longer queued there (another node claimed it during a
 * shard move, or it was canceled).  Inside SPI.
 */
static bool
claim_routed(BpJob *job, int64 job_id, int64 book_id, const char *node)
{
	Oid			argtypes[5] = {INT8OID, INT8OID, INT4OID, TEXTOID,
	TIMESTAMPTZOID};
	Datum		values[5];
	char		nulls[5] = {' ', ' ', ' ', ' ', ' '};

	values[0] = Int64GetDatum(book_id);
	values[1] = Int64GetDatum(job_id);
	values[2] = Int32GetDatum(MyProcPid);
	if (node != NULL)
		values[3] = CStringGetTextDatum(node);
	else
	{
		values[3] = (Datum) 0;
		nulls[3] = 'n';
	}
	/* the time as a value: Citus refuses volatile functions in an UPDATE */
	values[4] = TimestampTzGetDatum(GetCurrentTimestamp());
	bp_spi_run(bp_spi_plan(&plan_claim_job,
						   "UPDATE bookparse.job SET state = 'running',"
						   " worker_pid = $3, node = $4,"
						   " started_at = $5, finished_at = NULL,"
						   " attempts = attempts + 1"
						   " WHERE book_id = $1 AND id = $2 AND state = 'queued'"
						   " RETURNING attempts",
						   5, argtypes),
			   values, nulls, SPI_OK_UPDATE_RETURNING);
	if (SPI_processed == 0)
		return false;
	job->job_id = job_id;
	job->book_id = book_id;
	job->attempts = (int) bp_spi_int64(0, 1);
	bp_spi_run(bp_spi_plan(&plan_claim_book,
						   "UPDATE bookparse.book SET status = 'parsing',"
						   " error = NULL, error_code = NULL WHERE id = $1",
						   1, argtypes),
			   values, NULL, SPI_OK_UPDATE);
	return true;
}

/* Claim the next job of this node's shards (see citus.h). */
bool
bp_citus_claim(BpJob *job, TimestampTz horizon)
{
	BpShardPair *pairs;
	int			npairs;
	int			ncand;
	int64	   *cand_job;
	int64	   *cand_book;
	int		   *cand_shard;
	int			i;
	bool		found = false;
	char	   *node;
	StringInfoData sql;
	Oid			argtypes[2] = {TIMESTAMPTZOID, INT8OID};
	Datum		values[2];

	node = bp_citus_node_name();
	bp_spi_connect();
	if (queue_paused())
	{
		SPI_finish();
		return false;
	}
	npairs = local_shards(&pairs);
	if (npairs == 0)
	{
		SPI_finish();
		return false;
	}

	/* the best few of each local shard, then the best of all */
	initStringInfo(&sql);
	appendStringInfoString(&sql, "SELECT s, id, book_id FROM (");
	for (i = 0; i < npairs; i++)
		appendStringInfo(&sql,
						 "%s(SELECT %d AS s, j.id, j.book_id, j.priority,"
						 " j.enqueued_at FROM %s j"
						 " WHERE j.state = 'queued' AND j.run_after <= $1"
						 " ORDER BY j.priority DESC, j.enqueued_at, j.id"
						 " LIMIT %d)",
						 i > 0 ? " UNION ALL " : "", i, pairs[i].job,
						 BP_CITUS_PER_SHARD);
	appendStringInfo(&sql, ") c ORDER BY priority DESC, enqueued_at, id LIMIT %d",
					 BP_CITUS_CANDIDATES);
	values[0] = TimestampTzGetDatum(horizon);
	citus_exec(sql.data, 1, argtypes, values, NULL, SPI_OK_SELECT);
	ncand = (int) SPI_processed;
	cand_job = palloc(sizeof(int64) * Max(ncand, 1));
	cand_book = palloc(sizeof(int64) * Max(ncand, 1));
	cand_shard = palloc(sizeof(int) * Max(ncand, 1));
	for (i = 0; i < ncand; i++)
	{
		cand_shard[i] = (int) bp_spi_int64(i, 1);
		cand_job[i] = bp_spi_int64(i, 2);
		cand_book[i] = bp_spi_int64(i, 3);
	}

	for (i = 0; i < ncand && !found; i++)
	{
		const BpShardPair *p = &pairs[cand_shard[i]];

		/* lock it in the shard, skipping what others hold */
		resetStringInfo(&sql);
		appendStringInfo(&sql,
						 "SELECT 1 FROM %s j JOIN %s b ON b.id = j.book_id"
						 " WHERE j.id = $2 AND j.state = 'queued'"
						 " AND j.run_after <= $1"
						 " FOR NO KEY UPDATE OF j, b SKIP LOCKED",
						 p->job, p->book);
		values[1] = Int64GetDatum(cand_job[i]);
		citus_exec(sql.data, 2, argtypes, values, NULL, SPI_OK_SELECT);
		if (SPI_processed == 0)
			continue;
		found = claim_routed(job, cand_job[i], cand_book[i], node);
	}
	SPI_finish();
	return found;
}

/* Queued jobs that may run now in this node's shards (0 while paused). */
int64
bp_citus_count_runnable(void)
{
	BpShardPair *pairs;
	int			npairs;
	int			i;
	int64		n = 0;
	StringInfoData sql;

	bp_spi_connect();
	if (queue_paused())
	{
		SPI_finish();
		return 0;
	}
	npairs = local_shards(&pairs);
	if (npairs > 0)
	{
		initStringInfo(&sql);
		appendStringInfoString(&sql, "SELECT 0::bigint");
		for (i = 0; i < npairs; i++)
			appendStringInfo(&sql,
							 " + (SELECT count(*) FROM %s"
							 "  WHERE state = 'queued' AND run_after <= now())",
							 pairs[i].job);
		citus_exec(sql.data, 0, NULL, NULL, NULL, SPI_OK_SELECT);
		if (SPI_processed > 0)
			n = bp_spi_int64(0, 1);
	}
	SPI_finish();
	return n;
}

/*
 * Whether a job's worker may still be alive here: a backend with its pid
 * that started before the job did (or this very backend).  Inside SPI.
 */
static bool
worker_alive(int pid, Datum started_at, bool started_null)
{
	Oid			argtypes[2] = {INT4OID, TIMESTAMPTZOID};
	Datum		values[2];

	if (pid == 0)
		return false;
	if (pid == MyProcPid)
		return true;
	if (BackendPidGetProc(pid) == NULL)
		return false;
	if (started_null)
		return true;
	values[0] = Int32GetDatum(pid);
	values[1] = started_at;
	citus_exec("SELECT a.backend_start <= $2"
			   " FROM pg_catalog.pg_stat_get_activity($1) a",
			   2, argtypes, values, NULL, SPI_OK_SELECT);
	return SPI_processed > 0 && bp_spi_bool(0, 1);
}

/*
 * Lock an orphan candidate and its book through the distributed tables,
 * the book first; its attempts when it is still running with that worker,
 * else -1 (it moved on, or its book is locked: next round).  Inside SPI.
 */
static int
lock_orphan(int64 job_id, int64 book_id, int pid)
{
	Oid			argtypes[3] = {INT8OID, INT8OID, INT4OID};
	Datum		values[3];
	char		nulls[3] = {' ', ' ', ' '};

	values[0] = Int64GetDatum(book_id);
	values[1] = Int64GetDatum(job_id);
	values[2] = Int32GetDatum(pid);
	if (pid == 0)
		nulls[2] = 'n';
	bp_spi_run(bp_spi_plan(&plan_lock_book,
						   "SELECT 1 FROM bookparse.book WHERE id = $1"
						   " FOR UPDATE SKIP LOCKED",
						   1, argtypes),
			   values, NULL, SPI_OK_SELECT);
	if (SPI_processed == 0)
		return -1;
	bp_spi_run(bp_spi_plan(&plan_lock_job,
						   "SELECT attempts FROM bookparse.job"
						   " WHERE book_id = $1 AND id = $2 AND state = 'running'"
						   " AND worker_pid IS NOT DISTINCT FROM $3"
						   " FOR UPDATE",
						   3, argtypes),
			   values, nulls, SPI_OK_SELECT);
	if (SPI_processed == 0)
		return -1;
	return (int) bp_spi_int64(0, 1);
}

/* Jobs of vanished workers of this node, or of removed nodes (citus.h). */
int
bp_citus_orphans(BpJobRun **runs)
{
	char	   *me = bp_citus_node_name();
	Oid			argtypes[2] = {TEXTOID, TEXTARRAYOID};
	Datum		values[2];
	char		nulls[2] = {' ', ' '};
	bool		isnull;
	int			count;
	int			n = 0;
	int			i;
	int64	   *ids;
	int64	   *books;
	int		   *pids;
	Datum	   *starts;
	bool	   *start_null;
	bool	   *mine;

	if (me != NULL)
		values[0] = CStringGetTextDatum(me);
	else
	{
		values[0] = (Datum) 0;
		nulls[0] = 'n';
	}
	/* the nodes of the cluster, read apart: a catalog is no shard */
	citus_exec("SELECT pg_catalog.array_agg(n.nodename || ':' || n.nodeport)"
			   " FROM pg_catalog.pg_dist_node n",
			   0, NULL, NULL, NULL, SPI_OK_SELECT);
	values[1] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
							  &isnull);
	if (isnull)
		nulls[1] = 'n';
	/* running jobs of this node, of no node, or of a node now gone */
	citus_exec("SELECT id, book_id, worker_pid, started_at,"
			   " coalesce(node = $1, false)"
			   " FROM bookparse.job WHERE state = 'running'"
			   " AND (node IS NULL OR node = $1"
			   "  OR NOT coalesce(node = ANY ($2), false))"
			   " ORDER BY id",
			   2, argtypes, values, nulls, SPI_OK_SELECT);
	count = (int) SPI_processed;
	ids = palloc(sizeof(int64) * Max(count, 1));
	books = palloc(sizeof(int64) * Max(count, 1));
	pids = palloc(sizeof(int) * Max(count, 1));
	starts = palloc(sizeof(Datum) * Max(count, 1));
	start_null = palloc(sizeof(bool) * Max(count, 1));
	mine = palloc(sizeof(bool) * Max(count, 1));
	for (i = 0; i < count; i++)
	{
		ids[i] = bp_spi_int64(i, 1);
		books[i] = bp_spi_int64(i, 2);
		pids[i] = (int) bp_spi_int64(i, 3);
		starts[i] = SPI_getbinval(SPI_tuptable->vals[i],
								  SPI_tuptable->tupdesc, 4, &start_null[i]);
		mine[i] = bp_spi_bool(i, 5);
	}
	*runs = palloc0(sizeof(BpJobRun) * Max(count, 1));
	for (i = 0; i < count; i++)
	{
		int			attempts;

		if (mine[i] && worker_alive(pids[i], starts[i], start_null[i]))
			continue;
		attempts = lock_orphan(ids[i], books[i], pids[i]);
		if (attempts < 0)
			continue;
		(*runs)[n].job.job_id = ids[i];
		(*runs)[n].job.book_id = books[i];
		(*runs)[n].job.attempts = attempts;
		(*runs)[n].slot = -1;
		n++;
	}
	return n;
}

/* bp_queue_purge_batch on distributed tables (see citus.h). */
uint64
bp_citus_purge_batch(TimestampTz cutoff, int limit)
{
	Oid			argtypes[3] = {TIMESTAMPTZOID, INT4OID, INT8OID};
	Datum		values[3];
	int			count;
	int			i;
	int64	   *ids;
	int64	   *books;
	uint64		n = 0;

	values[0] = TimestampTzGetDatum(cutoff);
	values[1] = Int32GetDatum(limit);
	citus_exec("SELECT book_id, id FROM bookparse.job"
			   " WHERE state IN ('done', 'failed', 'canceled')"
			   " AND finished_at < $1 ORDER BY finished_at LIMIT $2",
			   2, argtypes, values, NULL, SPI_OK_SELECT);
	count = (int) SPI_processed;
	ids = palloc(sizeof(int64) * Max(count, 1));
	books = palloc(sizeof(int64) * Max(count, 1));
	for (i = 0; i < count; i++)
	{
		books[i] = bp_spi_int64(i, 1);
		ids[i] = bp_spi_int64(i, 2);
	}
	for (i = 0; i < count; i++)
	{
		Oid			types[3] = {INT8OID, INT8OID, TIMESTAMPTZOID};
		Datum		vals[3];

		vals[0] = Int64GetDatum(books[i]);
		vals[1] = Int64GetDatum(ids[i]);
		vals[2] = TimestampTzGetDatum(cutoff);
		bp_spi_run(bp_spi_plan(&plan_purge_one,
							   "DELETE FROM bookparse.job"
							   " WHERE book_id = $1 AND id = $2"
							   " AND state IN ('done', 'failed', 'canceled')"
							   " AND finished_at < $3",
							   3, types),
				   vals, NULL, SPI_OK_DELETE);
		n += SPI_processed;
	}
	return n;
}

/* The failed books retry_failed() takes, across the shards (see citus.h). */
int
bp_citus_failed_books(Datum older_than, Datum error_code, bool code_null,
					  int64 **ids)
{
	Oid			argtypes[3] = {INTERVALOID, TEXTOID, TIMESTAMPTZOID};
	Datum		values[3];
	char		nulls[3] = {' ', ' ', ' '};
	int			count;
	int			i;

	/*
	 * A join and a grouping on the distribution column, which Citus runs in
	 * every shard group; no row locks (Citus refuses them across shards).
	 * The time as a value (Citus evaluates no now() in the shards).
	 */
	values[0] = older_than;
	values[1] = error_code;
	nulls[1] = code_null ? 'n' : ' ';
	values[2] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	citus_exec("SELECT b.id FROM bookparse.book b"
			   " LEFT JOIN bookparse.job j ON j.book_id = b.id"
			   " WHERE b.status = 'failed'"
			   " AND ($2::text IS NULL OR b.error_code = $2)"
			   " GROUP BY b.id"
			   " HAVING coalesce(max(j.finished_at), '-infinity') <= $3 - $1"
			   " ORDER BY b.id",
			   3, argtypes, values, nulls, SPI_OK_SELECT);
	count = (int) SPI_processed;
	*ids = palloc(sizeof(int64) * Max(count, 1));
	for (i = 0; i < count; i++)
		(*ids)[i] = bp_spi_int64(i, 1);
	return count;
}

/* Ask the node running a job of the book to stop it (see citus.h). */
bool
bp_citus_cancel_on_node(int64 book_id, const char *node)
{
	Oid			argtypes[3] = {TEXTOID, INT4OID, TEXTOID};
	Datum		values[3];
	const char *colon = strrchr(node, ':');
	bool		canceled = false;

	if (colon == NULL || colon == node)
		return false;

	/*
	 * bookparse.cancel() on that node, as this role, through Citus's own
	 * connection to it: there the job's worker is in shared memory.  That
	 * node finds the job running on itself and does not forward it again.
	 */
	values[0] = PointerGetDatum(cstring_to_text_with_len(node, colon - node));
	values[1] = DirectFunctionCall1(int4in, CStringGetDatum(colon + 1));
	values[2] = CStringGetTextDatum(psprintf("SELECT bookparse.cancel(" INT64_FORMAT ")",
											 book_id));
	citus_exec("SELECT success, result FROM pg_catalog.master_run_on_worker("
			   " ARRAY[$1], ARRAY[$2], ARRAY[$3], false)",
			   3, argtypes, values, NULL, SPI_OK_SELECT);
	if (SPI_processed > 0)
	{
		char	   *ok = citus_text(0, 1);
		char	   *result = citus_text(0, 2);

		if (ok != NULL && strcmp(ok, "t") == 0)
			canceled = (result != NULL && strcmp(result, "t") == 0);
		else
			ereport(WARNING,
					(errmsg("bookparse.cancel(): could not reach node %s, where book " INT64_FORMAT " is being parsed: %s",
							node, book_id, result ? result : "no answer"),
					 errhint("The job goes on there; cancel it again, or run bookparse.cancel() on that node.")));
	}
	return canceled;
}

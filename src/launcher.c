/*-------------------------------------------------------------------------
 *
 * launcher.c
 *	  The background launcher that keeps parse workers busy.
 *
 * Registered from _PG_init when bookparse is in shared_preload_libraries.
 * It starts once recovery has finished (so never on a standby), connects
 * to bookparse.database and loops:
 *
 *	- on SIGHUP, re-read the configuration (bookparse.max_workers and
 *	  bookparse.naptime may change);
 *	- check that the extension is installed (log once when it is not, then
 *	  re-check quietly every naptime);
 *	- at start, every BP_RECOVER_INTERVAL_MS and whenever a worker left with
 *	  a job, put jobs whose worker is gone back in the queue
 *	  (bp_queue_recover_orphans);
 *	- count runnable queued jobs and start dynamic workers, up to
 *	  bookparse.max_workers and never more than there are jobs waiting;
 *	  ask surplus workers to exit after their job when max_workers shrank;
 *	- once an hour (and at start, and after each reload) apply
 *	  bookparse.keep_history: delete finished jobs older than that, 1000
 *	  rows per transaction;
 *	- while bookparse.pause() is in force, count no job (start no worker);
 *	- sleep on its latch for naptime (bookparse.submit() sets the latch when
 *	  its transaction commits, see bp_wake_workers).
 *
 * Each worker gets a slot in shared memory (shmem.h) that the launcher
 * reserves before starting it; the slot's generation number guards
 * against a late worker or a stale handle touching a reused slot.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/acl.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "bookparse.h"
#include "citus.h"
#include "queue.h"
#include "shmem.h"
#include "spi.h"

/* How often the launcher looks for jobs whose worker is gone. */
#define BP_RECOVER_INTERVAL_MS	10000

/* Pause before starting workers again after registration failed. */
#define BP_REGISTER_BACKOFF_MS	10000

/* Longest pause before connecting again after failed connections. */
#define BP_CONNECT_BACKOFF_MAX_MS	(5 * 60 * 1000)

/* Pause after an unexpected error in the launcher loop. */
#define BP_ERROR_BACKOFF_MS		5000

/* How often the launcher applies bookparse.keep_history. */
#define BP_PURGE_INTERVAL_MS	(3600 * 1000)

/* Most purge transactions (of BP_PURGE_BATCH rows) per launcher loop. */
#define BP_PURGE_MAX_BATCHES	20

/* Launcher-local state: the handle and generation of each started worker. */
static BackgroundWorkerHandle **bp_handles = NULL;
static uint32 *bp_handle_generation = NULL;

/* Workers that exited with a job, as last seen (see bp_worker_detach). */
static uint32 bp_seen_orphan_exits = 0;

static void bp_launcher_detach(int code, Datum arg);
static void bp_connect_backoff(void);
static int	bp_recover_orphans(void);
static int64 bp_count_runnable_jobs(void);
static bool bp_reap_workers(void);
static void bp_forget_unattached_slots(void);
static bool bp_start_worker(void);
static int	bp_workers_wanted(int64 runnable);
static void bp_balance_workers(int64 runnable);
static int64 bp_purge_history(bool *more);
static bool bp_check_worker_role(void);
static Oid	bp_extension_owner(void);

/*
 * Memory of one round of the launcher's loop, reset after each round.  Each
 * short transaction of the launcher ends with bp_launcher_commit(), which
 * comes back to it: CommitTransactionCommand() leaves TopMemoryContext
 * current, where anything allocated until the next round would stay for
 * the launcher's lifetime.
 */
static MemoryContext bp_loop_cxt = NULL;

static void bp_launcher_commit(void);

/* bookparse.worker_role resolved by bp_check_worker_role (InvalidOid: none) */
static Oid	bp_worker_roleoid = InvalidOid;

/* Register the launcher when loaded via shared_preload_libraries. */
void
bp_workers_init(void)
{
	BackgroundWorker worker;

	if (!process_shared_preload_libraries_in_progress)
		return;

	bp_shmem_init();

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS |
		BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 5;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "bookparse");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "bp_launcher_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "bookparse launcher");
	snprintf(worker.bgw_type, BGW_MAXLEN, "bookparse launcher");
	worker.bgw_main_arg = (Datum) 0;
	worker.bgw_notify_pid = 0;
	RegisterBackgroundWorker(&worker);
}

/* Entry point of the launcher (bgw_function_name). */
void
bp_launcher_main(Datum main_arg)
{
	/* volatile: changed inside PG_TRY and used after an error */
	volatile bool absent_logged = false;
	volatile bool unsupported_logged = false;
	volatile bool recover_now = true;
	volatile bool register_warned = false;
	volatile TimestampTz next_recover = 0;
	volatile TimestampTz register_retry_at = 0;
	volatile TimestampTz next_purge = 0;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	if (BpSharedState == NULL)
		ereport(ERROR,
				(errmsg("bookparse shared memory is not initialized")));

	SpinLockAcquire(&BpSharedState->mutex);
	BpSharedState->launcher_pid = MyProcPid;
	BpSharedState->launcher_latch = MyLatch;
	SpinLockRelease(&BpSharedState->mutex);
	before_shmem_exit(bp_launcher_detach, (Datum) 0);

	bp_handles = MemoryContextAllocZero(TopMemoryContext,
										sizeof(BackgroundWorkerHandle *) * BpSharedState->nslots);
	bp_handle_generation = MemoryContextAllocZero(TopMemoryContext,
												  sizeof(uint32) * BpSharedState->nslots);
	bp_seen_orphan_exits = pg_atomic_read_u32(&BpSharedState->orphan_exits);

	/* A previous launcher may have left reservations for workers never started. */
	bp_forget_unattached_slots();

	bp_connect_backoff();
	BackgroundWorkerInitializeConnection(bp_guc_database, NULL, 0);
	SpinLockAcquire(&BpSharedState->mutex);
	BpSharedState->connect_failures = 0;
	SpinLockRelease(&BpSharedState->mutex);
	pgstat_report_appname("bookparse launcher");
	ereport(LOG,
			(errmsg("bookparse launcher started in database \"%s\"",
					bp_guc_database)));

	bp_loop_cxt = AllocSetContextCreate(TopMemoryContext, "bookparse launcher",
										ALLOCSET_DEFAULT_SIZES);

	for (;;)
	{
		long		timeout = bp_guc_naptime_ms;
		TimestampTz now;
		char	   *unsupported;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			timeout = bp_guc_naptime_ms;
			/* a reload applies bookparse.keep_history at once */
			next_purge = 0;
		}

		if (bp_reap_workers())
			recover_now = true;
		if (pg_atomic_read_u32(&BpSharedState->orphan_exits) != bp_seen_orphan_exits)
		{
			bp_seen_orphan_exits = pg_atomic_read_u32(&BpSharedState->orphan_exits);
			recover_now = true;
		}

		MemoryContextSwitchTo(bp_loop_cxt);
		PG_TRY();
		{
			if (!bp_extension_exists())
			{
				if (!absent_logged)
					ereport(LOG,
							(errmsg("bookparse launcher: extension \"bookparse\" is not installed in database \"%s\"; waiting for CREATE EXTENSION bookparse",
									bp_guc_database)));
				absent_logged = true;
				recover_now = true;
			}
			else if ((unsupported = bp_unsupported_version()) != NULL)
			{
				/* a schema this library does not know: start no worker */
				if (!unsupported_logged)
					ereport(WARNING,
							(errmsg("bookparse launcher: library %s cannot serve extension version %s in database \"%s\"; no worker is started",
									bp_library_version(), unsupported, bp_guc_database),
							 errhint("Install the bookparse package (or make install) of version %s or later on this server and restart it.",
									 unsupported)));
				unsupported_logged = true;
				recover_now = true;
			}
			else
			{
				int64		runnable;

				unsupported_logged = false;

				if (absent_logged)
					ereport(LOG,
							(errmsg("bookparse launcher: extension \"bookparse\" found in database \"%s\"",
									bp_guc_database)));
				absent_logged = false;

				now = GetCurrentTimestamp();
				if (recover_now || now >= next_recover)
				{
					int			n = bp_recover_orphans();

					if (n > 0)
						ereport(LOG,
								(errmsg("bookparse launcher: put %d job(s) left running by a vanished worker back in the queue",
										n)));
					recover_now = false;
					next_recover = TimestampTzPlusMilliseconds(now, BP_RECOVER_INTERVAL_MS);
				}

				if (bp_guc_keep_history_s > 0 && now >= next_purge)
				{
					bool		more = false;
					int64		purged;

					next_purge = TimestampTzPlusMilliseconds(now,
															 bp_guc_debug_purge_interval_ms > 0 ?
															 bp_guc_debug_purge_interval_ms :
															 BP_PURGE_INTERVAL_MS);
					purged = bp_purge_history(&more);
					if (purged > 0)
						ereport(LOG,
								(errmsg("bookparse launcher: deleted " INT64_FORMAT " finished job(s) older than bookparse.keep_history (%d s)",
										purged, bp_guc_keep_history_s)));
					/* more to delete: go on at the next loop, not in an hour */
					if (more)
						next_purge = now;
				}

				runnable = bp_count_runnable_jobs();
				bp_balance_workers(runnable);

				/* start workers while there are jobs nobody will take */
				if (runnable > 0 && now >= register_retry_at &&
					!bp_drop_in_progress() && bp_check_worker_role())
				{
					int			tostart = bp_workers_wanted(runnable);
					bool		failed = false;

					while (tostart-- > 0 && !failed)
						failed = !bp_start_worker();
					if (failed)
					{
						if (!register_warned)
							ereport(WARNING,
									(errmsg("bookparse launcher: could not start a parse worker"),
									 errhint("Raise max_worker_processes (it must cover the launcher, bookparse.max_workers and other background workers); retrying in %d s.",
											 BP_REGISTER_BACKOFF_MS / 1000)));
						register_warned = true;
						register_retry_at = TimestampTzPlusMilliseconds(now, BP_REGISTER_BACKOFF_MS);
					}
					else
						register_warned = false;
				}
			}
		}
		PG_CATCH();
		{
			ErrorData  *edata;

			/* clean up and back off rather than exit and restart */
			HOLD_INTERRUPTS();
			MemoryContextSwitchTo(bp_loop_cxt);
			edata = CopyErrorData();
			FlushErrorState();
			AbortCurrentTransaction();
			LWLockReleaseAll();
			RESUME_INTERRUPTS();
			MemoryContextSwitchTo(bp_loop_cxt);

			/*
			 * An error because DROP EXTENSION took the tables away is no
			 * error: the next round finds the extension absent.  Anything
			 * else is logged (as a WARNING: the launcher goes on).
			 */
			if (bp_extension_exists())
			{
				edata->elevel = WARNING;
				ThrowErrorData(edata);
				timeout = BP_ERROR_BACKOFF_MS;
			}
		}
		PG_END_TRY();
		/* a commit leaves TopMemoryContext current: come back each round */
		MemoryContextSwitchTo(bp_loop_cxt);
		MemoryContextReset(bp_loop_cxt);

		pgstat_report_activity(STATE_IDLE, NULL);
		pgstat_report_stat(true);

		(void) WaitLatch(MyLatch,
						 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 timeout, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

/*
 * Before connecting: if earlier launchers failed to connect (no such
 * database: FATAL, then the postmaster restarts us), wait longer each time,
 * 10 s, 20 s, ... up to 5 min, so that a wrong bookparse.database gives a
 * few log lines rather than two every restart interval.
 */
static void
bp_connect_backoff(void)
{
	uint32		failures;
	long		wait_ms = 5000;
	TimestampTz until;

	SpinLockAcquire(&BpSharedState->mutex);
	failures = BpSharedState->connect_failures;
	BpSharedState->connect_failures = failures + 1;
	SpinLockRelease(&BpSharedState->mutex);
	if (failures == 0)
		return;

	while (failures-- > 0 && wait_ms < BP_CONNECT_BACKOFF_MAX_MS)
		wait_ms *= 2;
	wait_ms = Min(wait_ms, BP_CONNECT_BACKOFF_MAX_MS);
	if (wait_ms <= 10000)
		ereport(LOG,
				(errmsg("bookparse launcher: could not connect to database \"%s\" before; retrying in %ld s, then less and less often",
						bp_guc_database, wait_ms / 1000),
				 errhint("Create that database, or set bookparse.database to an existing one (this needs a server restart).")));

	until = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), wait_ms);
	for (;;)
	{
		long		left;

		CHECK_FOR_INTERRUPTS();
		left = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), until);
		if (left <= 0)
			break;
		(void) WaitLatch(MyLatch,
						 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 left, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

/* before_shmem_exit: stop advertising the launcher's latch. */
static void
bp_launcher_detach(int code, Datum arg)
{
	SpinLockAcquire(&BpSharedState->mutex);
	if (BpSharedState->launcher_pid == MyProcPid)
	{
		BpSharedState->launcher_pid = 0;
		BpSharedState->launcher_latch = NULL;
	}
	SpinLockRelease(&BpSharedState->mutex);
}

/*
 * Whether the bookparse extension exists in this database, read in a short
 * transaction of its own (also used by the workers).
 */
bool
bp_extension_exists(void)
{
	MemoryContext cxt = CurrentMemoryContext;
	bool		found;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	found = OidIsValid(get_extension_oid("bookparse", true));
	CommitTransactionCommand();
	MemoryContextSwitchTo(cxt);
	return found;
}

/* Commit a short transaction of the launcher; back to its round's memory. */
static void
bp_launcher_commit(void)
{
	CommitTransactionCommand();
	if (bp_loop_cxt != NULL)
		MemoryContextSwitchTo(bp_loop_cxt);
}

/* Requeue jobs whose worker is gone, in a transaction of its own. */
static int
bp_recover_orphans(void)
{
	int			n;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, "bookparse: recovering orphaned jobs");
	n = bp_queue_recover_orphans();
	PopActiveSnapshot();
	bp_launcher_commit();
	return n;
}

/* Number of queued jobs that may run now (short read-only transaction). */
static int64
bp_count_runnable_jobs(void)
{
	int64		n = 0;
	int			rc;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, "bookparse: counting queued jobs");
	/* on Citus: only the jobs of this node's shards (citus.c) */
	if (bp_citus_active())
	{
		n = bp_citus_count_runnable();
		PopActiveSnapshot();
		bp_launcher_commit();
		return n;
	}
	bp_spi_connect();
	rc = SPI_execute("SELECT count(*) FROM bookparse.job"
					 " WHERE state = 'queued' AND run_after <= now()"
					 " AND NOT EXISTS (SELECT 1 FROM bookparse.queue_state"
					 "  WHERE paused)",
					 true, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "bookparse launcher: counting queued jobs failed");
	n = bp_spi_int64(0, 1);
	SPI_finish();
	PopActiveSnapshot();
	bp_launcher_commit();
	return n;
}

/*
 * Forget workers that stopped: drop their handles and free their slots if
 * the worker did not (it never started, or died before attaching).
 * Returns true if one of them may have left a job behind.
 */
static bool
bp_reap_workers(void)
{
	bool		left_job = false;
	int			i;

	for (i = 0; i < BpSharedState->nslots; i++)
	{
		pid_t		pid;

		if (bp_handles[i] == NULL)
			continue;
		if (GetBackgroundWorkerPid(bp_handles[i], &pid) != BGWH_STOPPED)
			continue;
		pfree(bp_handles[i]);
		bp_handles[i] = NULL;
		if (bp_slot_release(i, bp_handle_generation[i]))
			left_job = true;
	}
	return left_job;
}

/*
 * At launcher start: free slots reserved by an earlier launcher whose
 * worker never attached (a worker that attaches later finds its slot gone
 * and exits).  Attached workers of an earlier launcher keep their slots
 * and free them when they exit.
 */
static void
bp_forget_unattached_slots(void)
{
	int			i;

	LWLockAcquire(BpSharedState->lock, LW_EXCLUSIVE);
	for (i = 0; i < BpSharedState->nslots; i++)
	{
		BpWorkerSlot *slot = &BpSharedState->slots[i];
		bool		attached;

		SpinLockAcquire(&slot->mutex);
		attached = (slot->pid != 0);
		SpinLockRelease(&slot->mutex);
		if (slot->reserved && !attached)
			slot->reserved = false;
	}
	LWLockRelease(BpSharedState->lock);
}

/* Reserve a slot and start one dynamic worker on it; false on failure. */
static bool
bp_start_worker(void)
{
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;
	MemoryContext oldcxt;
	bool		registered;
	BpWorkerSlot *slot = NULL;
	uint32		generation = 0;
	int			slotno = -1;
	int			i;

	LWLockAcquire(BpSharedState->lock, LW_EXCLUSIVE);
	for (i = 0; i < BpSharedState->nslots; i++)
	{
		if (!BpSharedState->slots[i].reserved && bp_handles[i] == NULL)
		{
			slotno = i;
			slot = &BpSharedState->slots[i];
			slot->reserved = true;
			slot->generation++;
			generation = slot->generation;
			SpinLockAcquire(&slot->mutex);
			slot->pid = 0;
			slot->latch = NULL;
			bp_slot_clear_job_locked(slot);
			SpinLockRelease(&slot->mutex);
			pg_atomic_write_u64(&slot->cancel_job, 0);
			pg_atomic_write_u32(&slot->exit_requested, 0);
			break;
		}
	}
	LWLockRelease(BpSharedState->lock);
	if (slot == NULL)
		return false;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS |
		BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "bookparse");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "bp_worker_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "bookparse worker %d", slotno);
	snprintf(worker.bgw_type, BGW_MAXLEN, "bookparse worker");
	worker.bgw_main_arg = Int32GetDatum(slotno);
	{
		BpWorkerExtra extra;

		extra.dboid = MyDatabaseId;
		extra.generation = generation;
		extra.roleoid = bp_worker_roleoid;
		memcpy(worker.bgw_extra, &extra, sizeof(extra));
	}
	worker.bgw_notify_pid = MyProcPid;

	/* the handle lives as long as the worker, beyond this loop's memory */
	oldcxt = MemoryContextSwitchTo(TopMemoryContext);
	registered = RegisterDynamicBackgroundWorker(&worker, &handle);
	MemoryContextSwitchTo(oldcxt);
	if (!registered)
	{
		LWLockAcquire(BpSharedState->lock, LW_EXCLUSIVE);
		if (slot->generation == generation)
			slot->reserved = false;
		LWLockRelease(BpSharedState->lock);
		return false;
	}
	bp_handles[slotno] = handle;
	bp_handle_generation[slotno] = generation;
	return true;
}

/*
 * How many workers to start for this many runnable jobs: the jobs that idle
 * (or still starting) workers will not take, within bookparse.max_workers.
 */
static int
bp_workers_wanted(int64 runnable)
{
	int			max_workers = Min(bp_guc_max_workers, BpSharedState->nslots);
	int			live = 0;
	int			idle = 0;
	int			i;

	LWLockAcquire(BpSharedState->lock, LW_SHARED);
	for (i = 0; i < BpSharedState->nslots; i++)
	{
		BpWorkerSlot *slot = &BpSharedState->slots[i];

		if (!slot->reserved || pg_atomic_read_u32(&slot->exit_requested))
			continue;
		live++;
		SpinLockAcquire(&slot->mutex);
		if (slot->pid == 0 || slot->job_id == 0)
			idle++;
		SpinLockRelease(&slot->mutex);
	}
	LWLockRelease(BpSharedState->lock);

	if (runnable <= idle || live >= max_workers)
		return 0;
	return (int) Min(runnable - idle, (int64) (max_workers - live));
}

/*
 * Keep the workers in line with the settings and the queue: when there are
 * more than bookparse.max_workers, ask the surplus (idle ones first) to exit
 * after their job; wake idle workers when jobs are waiting.
 */
static void
bp_balance_workers(int64 runnable)
{
	int			max_workers = Min(bp_guc_max_workers, BpSharedState->nslots);
	int			live = 0;
	int			pass;
	int			i;

	LWLockAcquire(BpSharedState->lock, LW_SHARED);
	for (i = 0; i < BpSharedState->nslots; i++)
	{
		if (BpSharedState->slots[i].reserved &&
			!pg_atomic_read_u32(&BpSharedState->slots[i].exit_requested))
			live++;
	}

	/* pass 0 asks idle workers to go, pass 1 busy ones */
	for (pass = 0; pass < 2 && live > max_workers; pass++)
	{
		for (i = BpSharedState->nslots - 1; i >= 0 && live > max_workers; i--)
		{
			BpWorkerSlot *slot = &BpSharedState->slots[i];
			bool		idle;
			Latch	   *latch;

			if (!slot->reserved || pg_atomic_read_u32(&slot->exit_requested))
				continue;
			SpinLockAcquire(&slot->mutex);
			idle = (slot->job_id == 0);
			latch = slot->latch;
			SpinLockRelease(&slot->mutex);
			if (pass == 0 && !idle)
				continue;
			pg_atomic_write_u32(&slot->exit_requested, 1);
			if (latch)
				SetLatch(latch);
			live--;
		}
	}

	/* idle workers take waiting jobs without a new process */
	if (runnable > 0)
	{
		for (i = 0; i < BpSharedState->nslots; i++)
		{
			BpWorkerSlot *slot = &BpSharedState->slots[i];
			Latch	   *latch = NULL;

			if (!slot->reserved)
				continue;
			SpinLockAcquire(&slot->mutex);
			if (slot->job_id == 0)
				latch = slot->latch;
			SpinLockRelease(&slot->mutex);
			if (latch)
				SetLatch(latch);
		}
	}
	LWLockRelease(BpSharedState->lock);
}

/*
 * Apply bookparse.keep_history: delete finished jobs older than that, one
 * transaction of BP_PURGE_BATCH rows at a time so that no lock or snapshot
 * is held long, at most BP_PURGE_MAX_BATCHES of them; *more tells whether
 * rows may remain.  Returns how many were deleted.
 */
static int64
bp_purge_history(bool *more)
{
	TimestampTz cutoff;
	int64		total = 0;
	int			i;

	cutoff = GetCurrentTimestamp() -
		(TimestampTz) bp_guc_keep_history_s * USECS_PER_SEC;
	*more = false;
	for (i = 0; i < BP_PURGE_MAX_BATCHES; i++)
	{
		uint64		n;

		CHECK_FOR_INTERRUPTS();
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING,
							   "bookparse: deleting job history past bookparse.keep_history");
		n = bp_queue_purge_batch(cutoff, BP_PURGE_BATCH);
		PopActiveSnapshot();
		bp_launcher_commit();
		total += (int64) n;
		if (n < BP_PURGE_BATCH)
			return total;
	}
	*more = true;
	return total;
}

/*
 * The owner of the bookparse extension in this database when it may log in
 * (the default role of the workers); InvalidOid (the bootstrap superuser)
 * otherwise.
 */
static Oid
bp_extension_owner(void)
{
	Oid			owner = InvalidOid;
	bool		isnull;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	bp_spi_connect();
	if (SPI_execute("SELECT e.extowner FROM pg_catalog.pg_extension e"
					" JOIN pg_catalog.pg_authid a ON a.oid = e.extowner"
					" WHERE e.extname = 'bookparse' AND a.rolcanlogin",
					true, 1) == SPI_OK_SELECT && SPI_processed == 1)
	{
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0],
									  SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
			owner = DatumGetObjectId(d);
	}
	SPI_finish();
	PopActiveSnapshot();
	bp_launcher_commit();
	return owner;
}

/*
 * Resolve bookparse.worker_role for the next workers (empty: the
 * extension's owner, see bp_extension_owner): it must exist, have
 * LOGIN and be a superuser or a member of bookparse_admin (whose row-level
 * security policies show every row).  Logs a problem once per distinct
 * setting and returns false then: no worker starts until it is fixed.
 */
static bool
bp_check_worker_role(void)
{
	static char *logged = NULL;
	const char *name = bp_guc_worker_role ? bp_guc_worker_role : "";
	const char *problem = NULL;
	Oid			roleoid = InvalidOid;

	if (name[0] == '\0')
	{
		bp_worker_roleoid = bp_extension_owner();
		return true;
	}

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	{
		HeapTuple	tup = SearchSysCache1(AUTHNAME, CStringGetDatum(name));

		if (!HeapTupleIsValid(tup))
			problem = "does not exist";
		else
		{
			Form_pg_authid form = (Form_pg_authid) GETSTRUCT(tup);
			Oid			admin;

			roleoid = form->oid;
			admin = get_role_oid("bookparse_admin", true);
			if (!form->rolcanlogin)
				problem = "has no LOGIN";
			else if (!form->rolsuper &&
					 (!OidIsValid(admin) || !is_member_of_role(roleoid, admin)))
				problem = "is neither a superuser nor a member of bookparse_admin";
			ReleaseSysCache(tup);
		}
	}
	bp_launcher_commit();

	if (problem == NULL)
	{
		bp_worker_roleoid = roleoid;
		if (logged != NULL)
		{
			pfree(logged);
			logged = NULL;
		}
		return true;
	}
	if (logged == NULL || strcmp(logged, name) != 0)
	{
		ereport(WARNING,
				(errmsg("bookparse launcher: bookparse.worker_role \"%s\" %s; no parse worker starts",
						name, problem),
				 errhint("Create the role with LOGIN and GRANT bookparse_admin TO it, or reset bookparse.worker_role.")));
		if (logged != NULL)
			pfree(logged);
		logged = MemoryContextStrdup(TopMemoryContext, name);
	}
	return false;
}

/*-------------------------------------------------------------------------
 *
 * worker.c
 *	  The dynamic parse workers, their progress hook, and the
 *	  bookparse.worker_slots() function behind the bookparse.workers view
 *	  (waking them: wake.c).
 *
 * A worker is started by the launcher (launcher.c) for one shared memory
 * slot.  It loops: claim a job in a short transaction (bp_queue_claim);
 * run it in a second transaction (bp_queue_execute), the parse reporting
 * through bp_job_progress; when no job is left it sleeps on its latch and
 * exits after an idle period of 10 x bookparse.naptime.
 *
 * Stopping:
 *	- SIGTERM (pg_terminate_backend, server shutdown) uses die().  During a
 *	  parse the progress hook sees ProcDiePending, stops the parse with
 *	  BP_STOP_SHUTDOWN and holds the exit back (clears ProcDiePending,
 *	  remembers it in bp_die_deferred) so that bp_queue_execute can put the
 *	  job back to 'queued' without counting the attempt; it does so with
 *	  lock_timeout = BP_REQUEUE_LOCK_TIMEOUT_MS, so a client holding the
 *	  book's row lock delays the exit by that much at most.  Once that
 *	  commits, the worker raises the exit again and ends.  Interrupts are
 *	  never held meanwhile: a second SIGTERM ends the process at once.  A
 *	  SIGTERM anywhere else ends the process at the next
 *	  CHECK_FOR_INTERRUPTS; a job it was running stays 'running', and the
 *	  worker's exit bumps BpShared->orphan_exits so that the launcher runs
 *	  bp_queue_recover_orphans() at once (it also does so every 10 s and at
 *	  its start, which covers SIGKILL and crash restarts).
 *	- bookparse.cancel() sets the slot's cancel_job (bp_worker_cancel_job):
 *	  the hook stops the parse, or the store, with BP_STOP_CANCELED; the
 *	  store is rolled back and the job ends 'canceled'.  Once the results
 *	  are written the worker seals the job (bp_job_seal: phase
 *	  'committing') and cancel() no longer reaches it.  SIGINT
 *	  (pg_cancel_backend) on a worker cancels its job the same way, also
 *	  while it stores; between jobs it does nothing.
 *	- bookparse.job_timeout: the hook stops it with BP_STOP_TIMEOUT.
 *	- the launcher sets exit_requested when max_workers shrank: the worker
 *	  finishes its job and exits.
 *	- DROP EXTENSION bookparse waits for the workers (utility_hook.c): the
 *	  hook stops the job as for a shutdown (it is put back) and the worker
 *	  exits.  A worker that finds the extension gone before its claim (or
 *	  whose claim fails because the tables went away) exits quietly too.
 *	- a claim that fails for another reason (a full disk) is logged as a
 *	  WARNING and retried after a wait doubling from naptime up to a
 *	  minute (bp_worker_backoff); the worker exits when idle as usual.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "access/xact.h"
#include "commands/extension.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "bookparse.h"
#include "queue.h"
#include "shmem.h"

/* A worker exits after this many naptimes without a job. */
#define BP_IDLE_NAPTIMES	10

/* The longest wait between two claims that failed (a full disk...). */
#define BP_CLAIM_BACKOFF_MAX_MS	(60 * 1000)

/* Slices of the test-only delay, so that stop requests are seen soon. */
#define BP_DELAY_SLICE_MS	10

/* This process's slot when it is a parse worker, else -1. */
static int	MySlotNo = -1;
static uint32 MySlotGeneration = 0;

/* The job run the test-only delay was last applied to. */
static int64 bp_delayed_job = 0;
static TimestampTz bp_delayed_start = 0;

/* A SIGTERM held back until the stopped job is requeued (see above). */
static bool bp_die_deferred = false;

PG_FUNCTION_INFO_V1(bp_worker_slots);

static void bp_worker_detach(int code, Datum arg);
static bool bp_worker_claim(BpJob *job, bool *gone, bool *failed);
static void bp_worker_backoff(BpWorkerSlot *slot, long wait_ms);
static void bp_worker_run(const BpJob *job, int slotno);
static void bp_slot_set_job(const BpJob *job, TimestampTz started_at);
static void bp_slot_clear_job(int64 job_id);
static bool bp_job_should_stop(BpJobRun *run);

/* Entry point of a dynamic parse worker (bgw_function_name). */
void
bp_worker_main(Datum main_arg)
{
	BpWorkerExtra extra;
	BpWorkerSlot *slot;
	int			slotno = DatumGetInt32(main_arg);
	bool		attached = false;
	TimestampTz idle_since;
	long		backoff_ms = 0;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	memcpy(&extra, MyBgworkerEntry->bgw_extra, sizeof(extra));
	if (BpSharedState == NULL || slotno < 0 || slotno >= BpSharedState->nslots)
		proc_exit(0);
	slot = &BpSharedState->slots[slotno];

	/* take the slot, unless the launcher gave it up meanwhile */
	LWLockAcquire(BpSharedState->lock, LW_EXCLUSIVE);
	if (slot->reserved && slot->generation == extra.generation)
	{
		SpinLockAcquire(&slot->mutex);
		slot->pid = MyProcPid;
		slot->latch = MyLatch;
		bp_slot_clear_job_locked(slot);
		SpinLockRelease(&slot->mutex);
		attached = true;
	}
	LWLockRelease(BpSharedState->lock);
	if (!attached)
		proc_exit(0);
	MySlotNo = slotno;
	MySlotGeneration = extra.generation;
	before_shmem_exit(bp_worker_detach, (Datum) 0);

	BackgroundWorkerInitializeConnectionByOid(extra.dboid, extra.roleoid, 0);
	pgstat_report_appname("bookparse worker");

	idle_since = GetCurrentTimestamp();
	for (;;)
	{
		BpJob		job;
		bool		claimed;
		bool		gone = false;
		bool		failed = false;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		if (pg_atomic_read_u32(&slot->exit_requested) || bp_drop_in_progress())
			break;

		claimed = bp_worker_claim(&job, &gone, &failed);
		if (gone)
		{
			ereport(LOG,
					(errmsg("bookparse worker: extension \"bookparse\" was dropped; exiting")));
			break;
		}

		if (!claimed)
		{
			long		idle_ms;
			long		timeout_ms = (long) BP_IDLE_NAPTIMES * bp_guc_naptime_ms;

			/* a query cancel between jobs has nothing to stop */
			QueryCancelPending = false;
			pgstat_report_activity(STATE_IDLE, NULL);
			pgstat_report_stat(false);
			idle_ms = TimestampDifferenceMilliseconds(idle_since,
													  GetCurrentTimestamp());
			if (idle_ms >= timeout_ms)
				break;

			/*
			 * A claim that failed (disk full, ...) is retried after a wait
			 * that doubles each time, from naptime up to a minute: the
			 * launcher's wake-ups do not cut it short, so the server log
			 * gets one warning per wait, not a stream of them.
			 */
			if (failed)
			{
				backoff_ms = backoff_ms == 0 ? bp_guc_naptime_ms :
					Min(backoff_ms * 2, (long) BP_CLAIM_BACKOFF_MAX_MS);
				bp_worker_backoff(slot, Min(backoff_ms, timeout_ms - idle_ms));
				continue;
			}
			backoff_ms = 0;
			(void) WaitLatch(MyLatch,
							 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 Min(timeout_ms - idle_ms, (long) bp_guc_naptime_ms),
							 PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
			continue;
		}

		backoff_ms = 0;
		bp_worker_run(&job, slotno);

		/* a SIGTERM during the run ends the process here */
		if (bp_die_deferred)
		{
			bp_die_deferred = false;
			ProcDiePending = true;
			InterruptPending = true;
		}
		/* a query cancel that came after the job was done: nothing to stop */
		QueryCancelPending = false;
		CHECK_FOR_INTERRUPTS();
		pgstat_report_stat(false);
#ifdef __GLIBC__
		/* hand what a big book's parse freed back to the kernel */
		malloc_trim(0);
#endif
		idle_since = GetCurrentTimestamp();
	}

	proc_exit(0);
}

/*
 * Claim the next job in a short transaction of its own; false when there
 * is none.  *gone is set (and false returned) when the extension was
 * dropped: before the claim, or under it (its tables vanished).  *failed
 * is set when the claim raised an error (a full disk, say): it is logged
 * as a WARNING and the worker waits instead of exiting, so the launcher
 * does not restart workers in a tight loop.  A query cancel meanwhile
 * waits: it has no job to stop yet.
 */
static bool
bp_worker_claim(BpJob *job, bool *gone, bool *failed)
{
	volatile bool claimed = false;
	MemoryContext cxt = CurrentMemoryContext;

	memset(job, 0, sizeof(*job));
	HOLD_CANCEL_INTERRUPTS();
	PG_TRY();
	{
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		/* gone, or at a version this library does not serve: exit */
		if (!OidIsValid(get_extension_oid("bookparse", true)) ||
			bp_unsupported_version() != NULL)
			*gone = true;
		else
		{
			PushActiveSnapshot(GetTransactionSnapshot());
			pgstat_report_activity(STATE_RUNNING, "bookparse: claiming a job");
			claimed = bp_queue_claim(job);
			PopActiveSnapshot();
		}
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		/* the extension dropped under the claim: not an error */
		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		AbortCurrentTransaction();
		if (bp_extension_exists())
		{
			edata->elevel = WARNING;
			ThrowErrorData(edata);
			*failed = true;
		}
		else
			*gone = true;
		FreeErrorData(edata);
		claimed = false;
	}
	PG_END_TRY();
	RESUME_CANCEL_INTERRUPTS();
	MemoryContextSwitchTo(cxt);
	return claimed;
}

/*
 * Sleep wait_ms after a failed claim.  Latch wake-ups (the launcher's, when
 * jobs wait) do not end it; interrupts, an exit request and the extension
 * being dropped do.
 */
static void
bp_worker_backoff(BpWorkerSlot *slot, long wait_ms)
{
	TimestampTz until = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
													wait_ms);

	for (;;)
	{
		long		left = TimestampDifferenceMilliseconds(GetCurrentTimestamp(),
														   until);

		/* as between jobs, a query cancel has nothing to stop */
		QueryCancelPending = false;
		CHECK_FOR_INTERRUPTS();
		if (left <= 0 || pg_atomic_read_u32(&slot->exit_requested) ||
			bp_drop_in_progress())
			return;
		pgstat_report_activity(STATE_IDLE, NULL);
		(void) WaitLatch(MyLatch,
						 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 left, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

/* Run a claimed job in a transaction of its own, shown in this slot. */
static void
bp_worker_run(const BpJob *job, int slotno)
{
	BpJobRun	run;
	char		activity[128];

	memset(&run, 0, sizeof(run));
	run.job = *job;
	run.started_at = GetCurrentTimestamp();
	run.deadline = bp_guc_job_timeout_ms > 0 ?
		TimestampTzPlusMilliseconds(run.started_at, bp_guc_job_timeout_ms) : 0;
	run.slot = slotno;
	run.stop = BP_STOP_NONE;
	run.peak_memory = 0;
	bp_slot_set_job(job, run.started_at);

	snprintf(activity, sizeof(activity),
			 "bookparse: job " INT64_FORMAT " book " INT64_FORMAT " attempt %d",
			 job->job_id, job->book_id, job->attempts);
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, activity);
	bp_queue_execute(&run);
	if (ActiveSnapshotSet())
		PopActiveSnapshot();
	CommitTransactionCommand();
	bp_slot_clear_job(job->job_id);
}

/* before_shmem_exit: free the slot; note it if a job was left running. */
static void
bp_worker_detach(int code, Datum arg)
{
	bool		left_job;

	if (BpSharedState == NULL || MySlotNo < 0)
		return;
	left_job = bp_slot_release(MySlotNo, MySlotGeneration);
	MySlotNo = -1;

	if (left_job)
	{
		pg_atomic_fetch_add_u32(&BpSharedState->orphan_exits, 1);
		bp_wake_launcher();
	}
}

/* Show a freshly claimed job in this worker's slot. */
static void
bp_slot_set_job(const BpJob *job, TimestampTz started_at)
{
	BpWorkerSlot *slot = &BpSharedState->slots[MySlotNo];

	SpinLockAcquire(&slot->mutex);
	slot->job_id = job->job_id;
	slot->book_id = job->book_id;
	slot->phase = BP_SLOT_STARTING;
	slot->progress = 0;
	slot->memory_bytes = 0;
	slot->started_at = started_at;
	SpinLockRelease(&slot->mutex);
}

/* Mark this worker's slot idle again after a job; drop its cancel request. */
static void
bp_slot_clear_job(int64 job_id)
{
	BpWorkerSlot *slot = &BpSharedState->slots[MySlotNo];
	uint64		expected = (uint64) job_id;

	SpinLockAcquire(&slot->mutex);
	bp_slot_clear_job_locked(slot);
	SpinLockRelease(&slot->mutex);
	(void) pg_atomic_compare_exchange_u64(&slot->cancel_job, &expected, 0);
}

/* Whether a run must stop now; sets run->stop to say why. */
static bool
bp_job_should_stop(BpJobRun *run)
{
	bool		in_worker = (run->slot >= 0 && run->slot == MySlotNo &&
							 BpSharedState != NULL);

	if (in_worker && (ProcDiePending || bp_die_deferred))
	{
		/* let bp_queue_execute requeue the job before the worker exits */
		ProcDiePending = false;
		bp_die_deferred = true;
		run->stop = BP_STOP_SHUTDOWN;
		return true;
	}
	if (in_worker && bp_drop_in_progress())
	{
		/* DROP EXTENSION waits for the workers: put the job back, exit */
		run->stop = BP_STOP_SHUTDOWN;
		return true;
	}
	if (in_worker && QueryCancelPending)
	{
		/* pg_cancel_backend() on a worker cancels its job */
		QueryCancelPending = false;
		run->stop = BP_STOP_CANCELED;
		return true;
	}
	if (ProcDiePending || QueryCancelPending)
	{
		/* a session's run_queue(): its caller serves the interrupt */
		run->stop = BP_STOP_SHUTDOWN;
		return true;
	}
	if (in_worker &&
		pg_atomic_read_u64(&BpSharedState->slots[run->slot].cancel_job) ==
		(uint64) run->job.job_id)
	{
		run->stop = BP_STOP_CANCELED;
		return true;
	}
	if (run->deadline != 0 && GetCurrentTimestamp() >= run->deadline)
	{
		run->stop = BP_STOP_TIMEOUT;
		return true;
	}
	return false;
}

/*
 * The progress hook a job run passes to the core: updates the worker slot
 * (phase, progress, memory), checks interrupts, cancel requests and the
 * deadline.  arg is the BpJobRun.
 *
 * It never throws (the core must unwind by itself).  In a session a
 * pending SIGTERM or query cancel becomes BP_STOP_SHUTDOWN and the
 * caller's next CHECK_FOR_INTERRUPTS acts on it; in a worker see the
 * header comment.  Other pending interrupts (sinval
 * catch-up, barriers) wait for the end of the parse.
 */
bool
bp_job_progress(void *arg, bp_phase phase, size_t done, size_t total,
				size_t memory)
{
	BpJobRun   *run = (BpJobRun *) arg;

	if (run == NULL)
		return true;
	if (run->stop != BP_STOP_NONE)
		return false;
	if (memory > run->peak_memory)
		run->peak_memory = memory;

	if (run->slot >= 0 && run->slot == MySlotNo && BpSharedState != NULL)
	{
		BpWorkerSlot *slot = &BpSharedState->slots[MySlotNo];
		BpSlotPhase sphase;
		int			pct;

		switch (phase)
		{
			case BP_PHASE_READING:
				sphase = BP_SLOT_READING;
				break;
			case BP_PHASE_INFLATING:
				sphase = BP_SLOT_INFLATING;
				break;
			case BP_PHASE_PARSING:
				sphase = BP_SLOT_PARSING;
				break;
			case BP_PHASE_ANALYSING:
				sphase = BP_SLOT_ANALYSING;
				break;
			default:
				sphase = BP_SLOT_STORING;
				break;
		}
		if (phase == BP_PHASE_DONE)
			pct = 100;
		else if (total > 0)
			pct = (int) Min((uint64) 100, (uint64) done * 100 / (uint64) total);
		else
			pct = 0;

		SpinLockAcquire(&slot->mutex);
		slot->phase = sphase;
		slot->progress = pct;
		slot->memory_bytes = (int64) memory;
		SpinLockRelease(&slot->mutex);
	}

	/* test only: pause once per run, watching for stop requests */
	if (bp_guc_debug_parse_delay_ms > 0 &&
		(run->job.job_id != bp_delayed_job ||
		 run->started_at != bp_delayed_start))
	{
		TimestampTz until;

		bp_delayed_job = run->job.job_id;
		bp_delayed_start = run->started_at;
		until = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
											bp_guc_debug_parse_delay_ms);
		while (GetCurrentTimestamp() < until)
		{
			if (bp_job_should_stop(run))
				return false;
			pg_usleep(BP_DELAY_SLICE_MS * 1000L);
		}
	}

	return !bp_job_should_stop(run);
}

/*
 * Whether a run that stored its book may commit: false when it must stop
 * (run->stop says why).  In a worker, the check and the switch to phase
 * 'committing' happen under the slot's mutex, so that a concurrent
 * bookparse.cancel() either stops the job or is told it came too late.
 */
bool
bp_job_seal(BpJobRun *run)
{
	BpWorkerSlot *slot;
	bool		sealed = true;

	if (bp_job_should_stop(run))
		return false;
	if (run->slot < 0 || run->slot != MySlotNo || BpSharedState == NULL)
		return true;
	slot = &BpSharedState->slots[run->slot];
	SpinLockAcquire(&slot->mutex);
	if (pg_atomic_read_u64(&slot->cancel_job) == (uint64) run->job.job_id)
	{
		run->stop = BP_STOP_CANCELED;
		sealed = false;
	}
	else
		slot->phase = BP_SLOT_COMMITTING;
	SpinLockRelease(&slot->mutex);
	return sealed;
}

/*
 * Ask the worker running this job to stop it; false if no worker runs it
 * or the worker is committing its results already (bp_job_seal).
 */
bool
bp_worker_cancel_job(int64 job_id)
{
	int			i;

	if (BpSharedState == NULL || job_id <= 0)
		return false;
	for (i = 0; i < BpSharedState->nslots; i++)
	{
		BpWorkerSlot *slot = &BpSharedState->slots[i];
		Latch	   *latch = NULL;
		bool		found = false;
		bool		sent = false;

		/* under the slot's mutex, so that bp_job_seal sees it or we see it */
		SpinLockAcquire(&slot->mutex);
		if (slot->pid != 0 && slot->job_id == job_id)
		{
			found = true;
			if (slot->phase != BP_SLOT_COMMITTING)
			{
				pg_atomic_write_u64(&slot->cancel_job, (uint64) job_id);
				latch = slot->latch;
				sent = true;
			}
		}
		SpinLockRelease(&slot->mutex);
		if (latch)
			SetLatch(latch);
		if (found)
			return sent;
	}
	return false;
}

/*
 * bookparse.worker_slots(): one row per occupied worker slot, read from
 * shared memory (behind the bookparse.workers view).
 */
Datum
bp_worker_slots(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = bp_pg_init_srf(fcinfo);
	int			i;

	if (BpSharedState == NULL)
		PG_RETURN_VOID();

	for (i = 0; i < BpSharedState->nslots; i++)
	{
		BpWorkerSlot *slot = &BpSharedState->slots[i];
		BpWorkerSlot copy;
		Datum		values[8];
		bool		nulls[8];

		SpinLockAcquire(&slot->mutex);
		copy.pid = slot->pid;
		copy.job_id = slot->job_id;
		copy.book_id = slot->book_id;
		copy.phase = slot->phase;
		copy.progress = slot->progress;
		copy.memory_bytes = slot->memory_bytes;
		copy.started_at = slot->started_at;
		SpinLockRelease(&slot->mutex);

		if (copy.pid == 0)
			continue;

		memset(nulls, 0, sizeof(nulls));
		values[0] = Int32GetDatum(i);
		values[1] = Int32GetDatum(copy.pid);
		if (copy.job_id != 0)
		{
			values[2] = Int64GetDatum(copy.job_id);
			values[3] = Int64GetDatum(copy.book_id);
			values[5] = Int32GetDatum(copy.progress);
			values[6] = Int64GetDatum(copy.memory_bytes);
			values[7] = TimestampTzGetDatum(copy.started_at);
		}
		else
		{
			nulls[2] = nulls[3] = nulls[5] = nulls[6] = nulls[7] = true;
			copy.phase = BP_SLOT_IDLE;
		}
		values[4] = CStringGetTextDatum(bp_slot_phase_name(copy.phase));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_VOID();
}

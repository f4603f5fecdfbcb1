/*-------------------------------------------------------------------------
 *
 * queue.h
 *	  The contract between the queue (queue.c, store.c: claiming, parsing
 *	  and storing one job) and whoever runs jobs (run_queue() in a session,
 *	  the background workers in worker.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef BP_QUEUE_H
#define BP_QUEUE_H

#include "postgres.h"

#include "datatype/timestamp.h"

#include "bookparse.h"

/* A claimed job. */
typedef struct BpJob
{
	int64		job_id;
	int64		book_id;
	int			attempts;		/* attempts so far, including this one */
} BpJob;

/* Why a running parse was asked to stop. */
typedef enum BpStopReason
{
	BP_STOP_NONE = 0,
	BP_STOP_CANCELED,			/* bookparse.cancel() */
	BP_STOP_TIMEOUT,			/* bookparse.job_timeout */
	BP_STOP_SHUTDOWN			/* the worker is asked to exit */
} BpStopReason;

/* One run of a job, filled by the caller of bp_queue_execute(). */
typedef struct BpJobRun
{
	BpJob		job;
	TimestampTz started_at;
	TimestampTz deadline;		/* 0 = none (bookparse.job_timeout) */
	int			slot;			/* worker slot in shared memory, or -1 */
	BpStopReason stop;			/* set by the progress hook when it stops */
	size_t		peak_memory;	/* most parse memory seen */
} BpJobRun;

/* ---- queue.c ---- */

/*
 * Claim the next queued job whose run_after has passed: one UPDATE ...
 * FOR UPDATE SKIP LOCKED ordered by priority then age; marks it running
 * with worker_pid = MyProcPid and started_at.  Call inside a transaction
 * with an active snapshot; uses SPI itself.  Returns false when none.
 */
extern bool bp_queue_claim(BpJob *job);

/*
 * Parse a claimed job's book and store its results (or its failure, with
 * retry and backoff for transient errors), then NOTIFY bookparse.  Call
 * inside a transaction; errors of the book are caught in a subtransaction
 * and recorded, so this only throws for interrupts such as SIGTERM.
 */
extern void bp_queue_execute(BpJobRun *run);

/*
 * Put jobs left 'running' by a worker that no longer exists back to
 * 'queued' (counting an attempt).  Returns how many.  Inside a transaction.
 */
extern int	bp_queue_recover_orphans(void);

/* Rows one DELETE of bookparse.purge_jobs() and of the launcher removes. */
#define BP_PURGE_BATCH	1000

/*
 * Delete at most limit finished jobs (done, failed, canceled) that ended
 * before cutoff, oldest first, skipping rows locked by others; returns how
 * many.  Inside a transaction.
 */
extern uint64 bp_queue_purge_batch(TimestampTz cutoff, int limit);

/* ---- worker.c / launcher.c ---- */

/*
 * The progress hook a job run passes to the core: updates the worker slot
 * (phase, progress, memory), checks interrupts, cancel requests and the
 * deadline.  arg is the BpJobRun.
 */
extern bool bp_job_progress(void *arg, bp_phase phase, size_t done,
							size_t total, size_t memory);

/*
 * Whether a run that stored its book may commit: false when it must stop
 * instead (run->stop says why; the caller rolls the store back).  Once it
 * returned true, bookparse.cancel() no longer reaches the job.
 */
extern bool bp_job_seal(BpJobRun *run);

/*
 * Ask the worker running this job to stop it; false if no worker runs it
 * or its results are being committed already.
 */
extern bool bp_worker_cancel_job(int64 job_id);

/* ---- wake.c ---- */

/* Set the launcher's latch, if it runs (shared memory must exist). */
extern void bp_wake_launcher(void);

/* Set the launcher's latch and those of idle workers; no-op if absent. */
extern void bp_wake_workers(void);

/*
 * Wake the workers when this transaction commits (it queued work that a
 * worker woken earlier would not see); nothing on abort.
 */
extern void bp_wake_at_commit(void);

/* ---- launcher.c ---- */

/*
 * Whether the bookparse extension exists in this database, read in a short
 * transaction of its own (call outside a transaction).
 */
extern bool bp_extension_exists(void);

#endif							/* BP_QUEUE_H */

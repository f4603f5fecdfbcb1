/*-------------------------------------------------------------------------
 *
 * shmem.h
 *	  Shared memory of the bookparse launcher and its parse workers.
 *
 * One BpWorkerSlot per possible worker (max_worker_processes of them).
 * The launcher reserves a free slot under BpShared->lock before it starts
 * a worker and passes the slot index in bgw_main_arg; the worker fills in
 * its pid and, for each job, the job's fields.  The job fields change
 * often (every progress report), so they sit under a per-slot spinlock
 * rather than the LWLock; the cancel and exit requests are atomics that
 * any backend may set without a lock.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BP_SHMEM_H
#define BP_SHMEM_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "port/atomics.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/spin.h"

/* What a worker slot's job is doing now (bp_phase plus the extension's). */
typedef enum BpSlotPhase
{
	BP_SLOT_IDLE = 0,			/* no job: waiting for one */
	BP_SLOT_STARTING,			/* job claimed, parse not begun */
	BP_SLOT_READING,
	BP_SLOT_INFLATING,
	BP_SLOT_PARSING,
	BP_SLOT_ANALYSING,
	BP_SLOT_STORING,			/* parse done, results being written */
	BP_SLOT_COMMITTING			/* results written, being committed: too
								 * late for bookparse.cancel() */
} BpSlotPhase;

/* One worker's slot. */
typedef struct BpWorkerSlot
{
	/* set by the launcher under BpShared->lock */
	bool		reserved;		/* a worker was started for this slot */
	uint32		generation;		/* bumped at each reservation */

	/* set by the worker under mutex; read by anyone under mutex */
	slock_t		mutex;
	pid_t		pid;			/* 0 until the worker attached */
	Latch	   *latch;			/* the worker's latch, or NULL */
	int64		job_id;			/* 0 = idle */
	int64		book_id;
	BpSlotPhase phase;
	int			progress;		/* 0..100, bytes processed */
	int64		memory_bytes;	/* parse memory now */
	TimestampTz started_at;		/* when the job started */

	/* requests to the worker, set by anyone */
	pg_atomic_uint64 cancel_job;	/* job_id to cancel, 0 = none */
	pg_atomic_uint32 exit_requested;	/* finish the job, then exit */
} BpWorkerSlot;

/* All of bookparse's shared memory. */
typedef struct BpShared
{
	LWLock	   *lock;			/* slot reservations */
	slock_t		mutex;			/* launcher_pid, launcher_latch */
	pid_t		launcher_pid;
	Latch	   *launcher_latch;
	pg_atomic_uint32 orphan_exits;	/* workers that exited with a job */
	pg_atomic_uint32 drop_pid;	/* a backend running DROP EXTENSION
								 * bookparse: no worker may run, 0 = none */
	uint32		connect_failures;	/* launcher starts that did not connect */
	int			nslots;
	BpWorkerSlot slots[FLEXIBLE_ARRAY_MEMBER];
} BpShared;

/* What the launcher passes to a worker in bgw_extra. */
typedef struct BpWorkerExtra
{
	Oid			dboid;			/* database to connect to */
	uint32		generation;		/* the slot's generation it was started for */
	Oid			roleoid;		/* bookparse.worker_role, or InvalidOid */
} BpWorkerExtra;

/*
 * Clear a slot's job: idle, no job, book, progress, memory or start.  The
 * one place that lists those fields; the caller holds slot->mutex.
 */
static inline void
bp_slot_clear_job_locked(BpWorkerSlot *slot)
{
	slot->job_id = 0;
	slot->book_id = 0;
	slot->phase = BP_SLOT_IDLE;
	slot->progress = 0;
	slot->memory_bytes = 0;
	slot->started_at = 0;
}

/* NULL unless loaded through shared_preload_libraries. */
extern BpShared *BpSharedState;

/* bookparse.debug_parse_delay (guc.c): test-only pause in every parse */
extern int	bp_guc_debug_parse_delay_ms;

/* ---- shmem.c ---- */

/*
 * Install the shared memory hooks (shmem_request_hook, shmem_startup_hook);
 * from _PG_init when preloaded.
 */
extern void bp_shmem_init(void);

/* Name of a slot phase as shown in bookparse.workers. */
extern const char *bp_slot_phase_name(BpSlotPhase phase);

/*
 * Whether a live backend runs DROP EXTENSION bookparse: workers stop their
 * job (it is put back) and exit, and the launcher starts none.
 */
extern bool bp_drop_in_progress(void);

/*
 * Free a slot reserved for the given generation (a no-op when it was
 * reused meanwhile); returns whether it still named a job.
 */
extern bool bp_slot_release(int slotno, uint32 generation);

/* ---- worker.c ---- */

/* Entry point of a dynamic parse worker (bgw_function_name). */
extern PGDLLEXPORT void bp_worker_main(Datum main_arg);

/* ---- utility_hook.c ---- */

/* Install the ProcessUtility hook that stops the workers before a drop. */
extern void bp_utility_hook_init(void);

/* ---- launcher.c ---- */

/* Entry point of the launcher (bgw_function_name). */
extern PGDLLEXPORT void bp_launcher_main(Datum main_arg);

#endif							/* BP_SHMEM_H */

/*-------------------------------------------------------------------------
 *
 * shmem.c
 *	  Shared memory of the bookparse launcher and its parse workers.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/procarray.h"
#include "storage/shmem.h"

#include "shmem.h"

#define BP_LWLOCK_TRANCHE "bookparse"

BpShared   *BpSharedState = NULL;

#if PG_VERSION_NUM >= 150000
static shmem_request_hook_type prev_shmem_request_hook = NULL;
#endif
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/* Bytes of shared memory for max_worker_processes slots. */
static Size
bp_shmem_size(void)
{
	return add_size(offsetof(BpShared, slots),
					mul_size(sizeof(BpWorkerSlot), max_worker_processes));
}

/* Ask for the shared memory and the LWLock (shmem_request_hook time). */
static void
bp_shmem_request(void)
{
	RequestAddinShmemSpace(bp_shmem_size());
	RequestNamedLWLockTranche(BP_LWLOCK_TRANCHE, 1);
}

/* Create or attach to the shared memory (shmem_startup_hook time). */
static void
bp_shmem_startup(void)
{
	bool		found;
	int			i;

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	BpSharedState = ShmemInitStruct("bookparse", bp_shmem_size(), &found);
	if (!found)
	{
		memset(BpSharedState, 0, bp_shmem_size());
		BpSharedState->lock = &(GetNamedLWLockTranche(BP_LWLOCK_TRANCHE))->lock;
		SpinLockInit(&BpSharedState->mutex);
		pg_atomic_init_u32(&BpSharedState->orphan_exits, 0);
		pg_atomic_init_u32(&BpSharedState->drop_pid, 0);
		BpSharedState->nslots = max_worker_processes;
		for (i = 0; i < BpSharedState->nslots; i++)
		{
			BpWorkerSlot *slot = &BpSharedState->slots[i];

			SpinLockInit(&slot->mutex);
			pg_atomic_init_u64(&slot->cancel_job, 0);
			pg_atomic_init_u32(&slot->exit_requested, 0);
		}
	}
	LWLockRelease(AddinShmemInitLock);
}

#if PG_VERSION_NUM >= 150000
/* shmem_request_hook: ask for bookparse's shared memory. */
static void
bp_shmem_request_hook(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	bp_shmem_request();
}
#endif

/* shmem_startup_hook: create or attach to bookparse's shared memory. */
static void
bp_shmem_startup_hook(void)
{
	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	bp_shmem_startup();
}

/*
 * Install the hooks that ask for and create the shared memory (from
 * _PG_init when preloaded; before PostgreSQL 15 it is asked for at once).
 */
void
bp_shmem_init(void)
{
#if PG_VERSION_NUM >= 150000
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = bp_shmem_request_hook;
#else
	bp_shmem_request();
#endif
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = bp_shmem_startup_hook;
}

/* Name of a slot phase as shown in bookparse.workers. */
const char *
bp_slot_phase_name(BpSlotPhase phase)
{
	switch (phase)
	{
		case BP_SLOT_IDLE:
			return "idle";
		case BP_SLOT_STARTING:
			return "starting";
		case BP_SLOT_READING:
			return "reading";
		case BP_SLOT_INFLATING:
			return "inflating";
		case BP_SLOT_PARSING:
			return "parsing";
		case BP_SLOT_ANALYSING:
			return "analysing";
		case BP_SLOT_STORING:
			return "storing";
		case BP_SLOT_COMMITTING:
			return "committing";
	}
	return "unknown";
}

/* Free a slot reserved for this generation; true if it still held a job. */
bool
bp_slot_release(int slotno, uint32 generation)
{
	BpWorkerSlot *slot = &BpSharedState->slots[slotno];
	bool		left_job = false;

	LWLockAcquire(BpSharedState->lock, LW_EXCLUSIVE);
	if (slot->reserved && slot->generation == generation)
	{
		SpinLockAcquire(&slot->mutex);
		left_job = (slot->job_id != 0);
		slot->pid = 0;
		slot->latch = NULL;
		bp_slot_clear_job_locked(slot);
		SpinLockRelease(&slot->mutex);
		slot->reserved = false;
	}
	LWLockRelease(BpSharedState->lock);
	return left_job;
}

/* Whether a live backend runs DROP EXTENSION bookparse (see utility_hook.c). */
bool
bp_drop_in_progress(void)
{
	uint32		pid;

	if (BpSharedState == NULL)
		return false;
	pid = pg_atomic_read_u32(&BpSharedState->drop_pid);
	/* a dropper that died without clearing it does not count */
	return pid != 0 && BackendPidGetProc((int) pid) != NULL;
}

/*-------------------------------------------------------------------------
 *
 * wake.c
 *	  Waking the launcher and the idle parse workers: now (a worker left a
 *	  job behind, DROP EXTENSION waits for them), or when the transaction
 *	  commits (submit(), reparse() and retry_failed() queued work that a
 *	  worker woken earlier would not see yet).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "storage/latch.h"

#include "queue.h"
#include "shmem.h"

/* Wake-up requested in this transaction (sent at commit). */
static bool bp_wake_pending = false;
static bool bp_wake_callback_registered = false;

/* Set the launcher's latch, if it runs (BpSharedState must be set). */
void
bp_wake_launcher(void)
{
	Latch	   *latch;

	SpinLockAcquire(&BpSharedState->mutex);
	latch = BpSharedState->launcher_latch;
	SpinLockRelease(&BpSharedState->mutex);
	if (latch)
		SetLatch(latch);
}

/* Set the launcher's latch and those of idle workers; no-op if absent. */
void
bp_wake_workers(void)
{
	Latch	   *latch;
	int			i;

	if (BpSharedState == NULL)
		return;
	bp_wake_launcher();

	for (i = 0; i < BpSharedState->nslots; i++)
	{
		BpWorkerSlot *slot = &BpSharedState->slots[i];

		latch = NULL;
		SpinLockAcquire(&slot->mutex);
		if (slot->pid != 0 && slot->job_id == 0)
			latch = slot->latch;
		SpinLockRelease(&slot->mutex);
		if (latch)
			SetLatch(latch);
	}
}

/* Transaction callback: send a requested wake-up once the jobs are visible. */
static void
bp_wake_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
			if (bp_wake_pending)
			{
				bp_wake_pending = false;
				bp_wake_workers();
			}
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			/* prepared: the jobs show at COMMIT PREPARED; workers poll */
			bp_wake_pending = false;
			break;
		default:
			break;
	}
}

/*
 * Wake the workers when this transaction commits (submit, reparse,
 * retry_failed queued work a worker woken earlier would not see).
 */
void
bp_wake_at_commit(void)
{
	if (BpSharedState == NULL)
		return;
	if (!bp_wake_callback_registered)
	{
		RegisterXactCallback(bp_wake_xact_callback, NULL);
		bp_wake_callback_registered = true;
	}
	bp_wake_pending = true;
}

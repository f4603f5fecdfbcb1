/*-------------------------------------------------------------------------
 *
 * utility_hook.c
 *	  DROP EXTENSION bookparse stops the parse workers first.
 *
 * A worker in the middle of a job holds locks on the extension's tables
 * and takes more while it stores; a DROP that ran meanwhile would deadlock
 * with it or pull the tables from under it.  So, in the database the
 * workers serve, the ProcessUtility hook announces the drop in shared
 * memory (BpShared->drop_pid), waits until every worker has put its job
 * back and exited (at most BP_DROP_WAIT_MS), and only then drops.  While
 * the announcement stands the launcher starts no worker.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/dbcommands.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "storage/latch.h"
#include "tcop/utility.h"
#include "utils/wait_event.h"

#include "bookparse.h"
#include "queue.h"
#include "shmem.h"

/* Longest wait for the workers to exit before the drop goes on anyway. */
#define BP_DROP_WAIT_MS		60000

static ProcessUtility_hook_type prev_ProcessUtility = NULL;

/* Whether a statement is DROP EXTENSION naming bookparse. */
static bool
is_drop_bookparse(Node *parsetree)
{
	DropStmt   *stmt;
	ListCell   *lc;

	if (!IsA(parsetree, DropStmt))
		return false;
	stmt = (DropStmt *) parsetree;
	if (stmt->removeType != OBJECT_EXTENSION)
		return false;
	foreach(lc, stmt->objects)
	{
		if (strcmp(strVal(lfirst(lc)), "bookparse") == 0)
			return true;
	}
	return false;
}

/* Whether this backend is connected to the database the workers serve. */
static bool
in_workers_database(void)
{
	char	   *dbname;

	if (BpSharedState == NULL || bp_guc_database == NULL)
		return false;
	dbname = get_database_name(MyDatabaseId);
	return dbname != NULL && strcmp(dbname, bp_guc_database) == 0;
}

/* Whether any parse worker is still attached to its slot. */
static bool
workers_running(void)
{
	int			i;

	for (i = 0; i < BpSharedState->nslots; i++)
	{
		BpWorkerSlot *slot = &BpSharedState->slots[i];
		pid_t		pid;

		SpinLockAcquire(&slot->mutex);
		pid = slot->pid;
		SpinLockRelease(&slot->mutex);
		if (pid != 0)
			return true;
	}
	return false;
}

/* Announce the drop and wait until the workers are gone. */
static void
stop_workers_for_drop(void)
{
	long		waited = 0;

	pg_atomic_write_u32(&BpSharedState->drop_pid, (uint32) MyProcPid);
	bp_wake_workers();
	while (workers_running())
	{
		if (waited >= BP_DROP_WAIT_MS)
		{
			ereport(WARNING,
					(errmsg("bookparse parse workers did not exit within %d s; dropping anyway",
							BP_DROP_WAIT_MS / 1000)));
			break;
		}
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 10, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		waited += 10;
	}
}

/* ProcessUtility hook: stop the workers before DROP EXTENSION bookparse. */
static void
bp_process_utility(PlannedStmt *pstmt, const char *queryString,
#if PG_VERSION_NUM >= 140000
				   bool readOnlyTree,
#endif
				   ProcessUtilityContext context, ParamListInfo params,
				   QueryEnvironment *queryEnv, DestReceiver *dest,
				   QueryCompletion *qc)
{
	bool		dropping = is_drop_bookparse(pstmt->utilityStmt) &&
		in_workers_database();

	if (dropping)
		stop_workers_for_drop();
	PG_TRY();
	{
		if (prev_ProcessUtility)
			prev_ProcessUtility(pstmt, queryString,
#if PG_VERSION_NUM >= 140000
								readOnlyTree,
#endif
								context, params, queryEnv, dest, qc);
		else
			standard_ProcessUtility(pstmt, queryString,
#if PG_VERSION_NUM >= 140000
									readOnlyTree,
#endif
									context, params, queryEnv, dest, qc);
	}
	PG_FINALLY();
	{
		if (dropping)
			pg_atomic_write_u32(&BpSharedState->drop_pid, 0);
	}
	PG_END_TRY();
}

/* Install the ProcessUtility hook (every backend that loads bookparse). */
void
bp_utility_hook_init(void)
{
	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = bp_process_utility;
}

/*-------------------------------------------------------------------------
 *
 * guc.c
 *	  The bookparse.* configuration parameters.
 *
 * docs/configuration.md describes each one (default, context, advice).
 * Keep the two in step.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/guc.h"

#include "bookparse.h"
#include "shmem.h"

/* bookparse.database: the database the launcher and its workers serve */
char	   *bp_guc_database = NULL;

/* bookparse.max_workers: dynamic parse workers at most */
int			bp_guc_max_workers = 2;

/* bookparse.naptime: how often the launcher polls when nothing wakes it */
int			bp_guc_naptime_ms = 1000;

/* bookparse.max_attempts: runs of a job before it fails for good */
int			bp_guc_max_attempts = 3;

/* bookparse.job_timeout: longest run of one job; 0 = no limit */
int			bp_guc_job_timeout_ms = 5 * 60 * 1000;

/* bookparse.max_book_size: largest book submit() accepts */
int			bp_guc_max_book_size_kb = 100 * 1024;

/* bookparse.work_mem: most memory one parse may hold, in kB */
int			bp_guc_work_mem_kb = 64 * 1024;

/* bookparse.max_work_mem: superuser ceiling of bookparse.work_mem, in kB */
int			bp_guc_max_work_mem_kb = 256 * 1024;

/* bookparse.debug_parse_delay: test-only pause in every parse */
int			bp_guc_debug_parse_delay_ms = 0;

/* bookparse.keep_history: finished jobs kept this long, in s; <= 0 = all */
int			bp_guc_keep_history_s = 7 * 24 * 3600;

/* bookparse.worker_role: role the parse workers run as ("" = extension owner) */
char	   *bp_guc_worker_role = NULL;

/* bookparse.debug_purge_interval: test-only period of the history purge */
int			bp_guc_debug_purge_interval_ms = 0;

/* bookparse.extract_scenes: store each parsed book's scenes */
bool		bp_guc_extract_scenes = true;

/* Define every bookparse.* GUC; called from _PG_init. */
void
bp_guc_init(void)
{
	/*
	 * A server-start setting can only be defined while preloading (later,
	 * PostgreSQL ends the session with FATAL); without the workers the
	 * extension's functions still work in any session that loads it.
	 */
	if (process_shared_preload_libraries_in_progress)
		DefineCustomStringVariable("bookparse.database",
								   "Database in which the bookparse background workers run the queue.",
								   "Only read at server start; the extension must be installed there.",
								   &bp_guc_database,
								   "postgres",
								   PGC_POSTMASTER,
								   0,
								   NULL, NULL, NULL);

	DefineCustomIntVariable("bookparse.max_workers",
							"Maximum number of bookparse parse workers.",
							"0 disables the workers: the queue is then only drained by bookparse.run_queue(). "
							"Each worker uses one of max_worker_processes.",
							&bp_guc_max_workers,
							2, 0, 1024,
							PGC_SIGHUP,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("bookparse.naptime",
							"Time between polls of the queue when no submit wakes the launcher.",
							NULL,
							&bp_guc_naptime_ms,
							1000, 10, 3600 * 1000,
							PGC_SIGHUP,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("bookparse.max_attempts",
							"Number of runs of a job before a transient failure becomes final.",
							NULL,
							&bp_guc_max_attempts,
							3, 1, 100,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("bookparse.job_timeout",
							"Longest time one parse job may run; it then fails with error_code 'timeout'.",
							"0 disables the limit.",
							&bp_guc_job_timeout_ms,
							5 * 60 * 1000, 0, INT_MAX,
							PGC_SUSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("bookparse.max_book_size",
							"Largest book bookparse.submit() accepts.",
							NULL,
							&bp_guc_max_book_size_kb,
							100 * 1024, 1, 1024 * 1024,
							PGC_SUSET,
							GUC_UNIT_KB,
							NULL, NULL, NULL);

	DefineCustomIntVariable("bookparse.work_mem",
							"Most memory one parse may hold.",
							"A book that needs more fails with limit_exceeded. "
							"Settable per session for parse() and run_queue(); workers read it at reload. "
							"A parse holds at most bookparse.max_work_mem, whatever this says.",
							&bp_guc_work_mem_kb,
							64 * 1024, 1024, MAX_KILOBYTES,
							PGC_USERSET,
							GUC_UNIT_KB,
							NULL, NULL, NULL);

	/*
	 * The ceiling is applied where the limit is used (min of the two), not
	 * by a check hook on bookparse.work_mem: a hook would depend on the
	 * order in which the two are read from postgresql.conf, could not tell
	 * who set a value from a file or ALTER ROLE, and would not bound values
	 * set before a superuser lowered the ceiling.
	 */
	DefineCustomIntVariable("bookparse.max_work_mem",
							"Most memory one parse may hold, whatever bookparse.work_mem says.",
							"The superuser's bound on bookparse.work_mem, which any session may raise: "
							"a parse holds at most the smaller of the two.",
							&bp_guc_max_work_mem_kb,
							256 * 1024, 1024, MAX_KILOBYTES,
							PGC_SUSET,
							GUC_UNIT_KB,
							NULL, NULL, NULL);

	DefineCustomIntVariable("bookparse.debug_parse_delay",
							"Test only: pause every parse job this long before it goes on.",
							"Used by the TAP tests to make a job slow enough to kill or time out. "
							"Leave it at 0.",
							&bp_guc_debug_parse_delay_ms,
							0, 0, 3600 * 1000,
							PGC_SUSET,
							GUC_UNIT_MS | GUC_NOT_IN_SAMPLE,
							NULL, NULL, NULL);

	DefineCustomIntVariable("bookparse.keep_history",
							"How long finished jobs stay in bookparse.job before the launcher deletes them.",
							"Applied once an hour by the launcher, in bookparse.database. "
							"0 or -1 keeps the history for ever.",
							&bp_guc_keep_history_s,
							7 * 24 * 3600, -1, INT_MAX,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomStringVariable("bookparse.worker_role",
							   "Role the parse workers run as.",
							   "Empty: the bootstrap superuser. Otherwise a role with LOGIN that is a "
							   "superuser or a member of bookparse_admin.",
							   &bp_guc_worker_role,
							   "",
							   PGC_SIGHUP,
							   0,
							   NULL, NULL, NULL);

	DefineCustomIntVariable("bookparse.debug_purge_interval",
							"Test only: how often the launcher applies bookparse.keep_history (0 = once an hour).",
							"Leave it at 0.",
							&bp_guc_debug_purge_interval_ms,
							0, 0, 3600 * 1000,
							PGC_SIGHUP,
							GUC_UNIT_MS | GUC_NOT_IN_SAMPLE,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("bookparse.extract_scenes",
							 "Store the scenes of every book the queue parses in bookparse.scene.",
							 "Paragraphs that describe a place, a person or the atmosphere (docs/scenes.md). "
							 "Counts against bookparse.work_mem like the rest of the parse.",
							 &bp_guc_extract_scenes,
							 true,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("bookparse");
#else
	EmitWarningsOnPlaceholders("bookparse");
#endif
}

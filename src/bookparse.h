/*-------------------------------------------------------------------------
 *
 * bookparse.h
 *	  Declarations shared by the extension's C files (not src/core).
 *
 * SQL-callable C functions are named as sql/bookparse--0.1.0.sql names
 * them (AS 'MODULE_PATHNAME', 'symbol'): bookparse_<function> for the
 * parsing functions (parse_funcs.c, scene_funcs.c), bp_<function> for the
 * queue (queue_funcs.c, worker.c).  The released script never changes and
 * a database at 0.1.0 must keep loading this library, so these symbols
 * keep their names; a new SQL function takes bookparse_<function>.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BOOKPARSE_H
#define BOOKPARSE_H

#include "fmgr.h"

#include "bookparse_core.h"

/* ---- guc.c: the bookparse.* settings ---- */
extern char *bp_guc_database;		/* bookparse.database (postmaster) */
extern int	bp_guc_max_workers;		/* bookparse.max_workers (sighup) */
extern int	bp_guc_naptime_ms;		/* bookparse.naptime (sighup) */
extern int	bp_guc_max_attempts;	/* bookparse.max_attempts */
extern int	bp_guc_job_timeout_ms;	/* bookparse.job_timeout; 0 = none */
extern int	bp_guc_max_book_size_kb;	/* bookparse.max_book_size */
extern int	bp_guc_work_mem_kb;		/* bookparse.work_mem */
extern int	bp_guc_max_work_mem_kb;	/* bookparse.max_work_mem (superuser) */
extern int	bp_guc_keep_history_s;	/* bookparse.keep_history; <= 0 = all */
extern char *bp_guc_worker_role;	/* bookparse.worker_role; "" = extension owner */
extern int	bp_guc_debug_purge_interval_ms; /* test only; 0 = 1 hour */
extern bool bp_guc_extract_scenes;	/* bookparse.extract_scenes */

/* ---- parse_funcs.c ---- */

/*
 * Start a materialized set-returning function (InitMaterializedSRF where
 * the server has it); returns fcinfo's ReturnSetInfo.
 */
extern struct ReturnSetInfo *bp_pg_init_srf(FunctionCallInfo fcinfo);

/* ---- scene_funcs.c: scenes in a backend ---- */

/*
 * The scene word lists of the installation (share/extension/bookparse/
 * scenes), loaded once per process; NULL when they cannot be loaded: an
 * ERROR unless missing_ok, else a WARNING once.
 */
extern const bp_scene_lists *bp_pg_scene_lists(bool missing_ok);

/* Define every bookparse.* GUC; called from _PG_init. */
extern void bp_guc_init(void);

/* ---- launcher.c: register the launcher when preloaded; from _PG_init ---- */
extern void bp_workers_init(void);

/* ---- pg_core.c: running the core library inside a backend ---- */

/* Options for a parse in this backend (limits from the GUCs). */
extern void bp_pg_options(bp_options *opts);

/*
 * Report a core error as ereport(ERROR) with a fitting SQLSTATE, naming
 * the book (filename may be NULL).
 */
extern void bp_pg_report_error(const bp_error *err, const char *filename) pg_attribute_noreturn();

/*
 * A message of the core or of an error, in a copy fit for this database:
 * non-ASCII bytes become '?' unless it is valid in the (UTF-8) encoding.
 */
extern char *bp_pg_message_text(const char *msg);

/*
 * A text datum from core (UTF-8) text, converted to the server encoding
 * (ERROR when it cannot be, or past the size of a text value).
 */
extern Datum bp_pg_text_datum(const char *s, size_t len);

/* SQLSTATE of a core error code. */
extern int	bp_pg_sqlstate(bp_code code);

/*
 * ERROR when held bytes pass the limit of a parse, min(bookparse.work_mem,
 * bookparse.max_work_mem) ("while <what> <number>").
 */
extern void bp_pg_check_memory(size_t held, const char *what, int number);

/* ---- version_funcs.c: the library's version against the installed SQL ---- */

/* The version of this library (bookparse.control's default_version). */
extern const char *bp_library_version(void);

/* The installed version of the extension (palloc'd), NULL if none. */
extern char *bp_installed_version(void);

/*
 * NULL when this library serves the installed extension (or there is
 * none), else its version, which is newer than the library or unknown.
 */
extern char *bp_unsupported_version(void);

/* ERROR, with what to do, when the installed extension is not served. */
extern void bp_check_installed_version(void);

/*
 * Whether bookparse.<table> has <column>: false while the installed schema
 * predates it (a library newer than the schema, before ALTER EXTENSION
 * bookparse UPDATE), so that callers write only the columns there are.
 */
extern bool bp_schema_has_column(const char *table, const char *column);

#endif							/* BOOKPARSE_H */

/*-------------------------------------------------------------------------
 *
 * queue_int.h
 *	  Internals shared by queue.c, store.c and queue_funcs.c (not part of
 *	  the contract with the workers: that is queue.h).
 *
 *-------------------------------------------------------------------------
 */
#ifndef BP_QUEUE_INT_H
#define BP_QUEUE_INT_H

#include "postgres.h"

#include "executor/spi.h"

#include "queue.h"
#include "spi.h"

/* ---- queue.c ---- */

/*
 * Only claim jobs whose run_after is at most this time (0 = the current
 * time at each claim).  run_queue() sets it to its own start so that a job
 * it put back for a retry is not run again in the same call.
 */
extern void bp_queue_set_horizon(TimestampTz horizon);

/*
 * The status a book takes when one of its jobs ends: 'queued' or 'parsing'
 * if another job of the book is pending, else outcome.  Also locks the
 * book row (serialising the results of one book) and reports in
 * *parsed_before whether the book was ever parsed.  NULL when the book is
 * gone.
 */
extern const char *bp_queue_book_status(int64 book_id, int64 job_id,
										const char *outcome,
										bool *parsed_before);

/*
 * Set a book's status (and error, when it becomes 'failed') as one of its
 * jobs ends with outcome 'failed', 'queued' or 'canceled'.  Returns the
 * status, or NULL when the book is gone.
 */
extern const char *bp_queue_finish_book(int64 book_id, int64 job_id,
										const char *outcome,
										const char *error,
										const char *error_code);

/* NOTIFY bookparse with a book's new status (at commit). */
extern void bp_queue_notify(int64 book_id, const char *status,
							const char *error_code);

/* ---- store.c ---- */

/*
 * Replace the stored results of a book with a parsed model: chapters,
 * assets, scenes (none when scenes is NULL), metadata columns, metadata
 * jsonb, statistics; status becomes
 * status (normally 'parsed').  owner is the book's submitted_by, copied
 * onto its rows (NULL: none).  Through SPI; the caller runs it in a
 * subtransaction so that it is all or nothing.  Returns the most bytes
 * held while storing (the book plus one row); ERROR 54000 past
 * bookparse.work_mem.  Reports each row to run's progress hook and stops
 * early when that asks to stop (run->stop set): the caller must then roll
 * the subtransaction back.
 */
extern size_t bp_store_book(int64 book_id, const char *owner,
							const bp_book *book, const bp_scene_set *scenes,
							const char *status, BpJobRun *run);

#endif							/* BP_QUEUE_INT_H */

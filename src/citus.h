/*-------------------------------------------------------------------------
 *
 * citus.h
 *	  bookparse on a Citus cluster (docs/scale-out.md): whether this node's
 *	  bookparse tables are distributed, and the queue operations that must
 *	  go shard by shard there (Citus refuses FOR UPDATE SKIP LOCKED across
 *	  shards).  Everything else of the queue runs unchanged: its statements
 *	  name a book id, so Citus routes them to the book's shard group.
 *
 * On a server without Citus (or with bookparse not distributed) only
 * bp_citus_active() is ever called, and it returns false after one
 * catalog cache lookup.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BP_CITUS_H
#define BP_CITUS_H

#include "postgres.h"

#include "datatype/timestamp.h"

#include "queue.h"

/*
 * Whether the citus extension exists in this database and bookparse.job
 * is one of its distributed tables.  Inside a transaction.
 */
extern bool bp_citus_active(void);

/*
 * This node's name as Citus knows it ("host:port" of pg_dist_node for the
 * local group), recorded on the jobs it claims; NULL when unknown.
 */
extern char *bp_citus_node_name(void);

/*
 * Claim the next job of the shards placed on this node: candidates are
 * read from the local shards (priority, then age, across them) and locked
 * there with SKIP LOCKED; the claim itself is written through the
 * distributed tables, so it lands where the shard is now even if it just
 * moved.  Inside a transaction with an active snapshot.
 */
extern bool bp_citus_claim(BpJob *job, TimestampTz horizon);

/* Queued jobs that may run now in this node's shards (0 while paused). */
extern int64 bp_citus_count_runnable(void);

/*
 * Jobs left 'running' by a worker of this node that no longer exists (or
 * by a node no longer in the cluster), each locked with its book through
 * the distributed tables; returns how many, in *runs (palloc'd).  Inside
 * SPI.
 */
extern int	bp_citus_orphans(BpJobRun **runs);

/*
 * bp_queue_purge_batch on distributed tables: the oldest finished jobs
 * before cutoff, read without locks, deleted one by one through the
 * distributed table (rechecked there).  Inside SPI.
 */
extern uint64 bp_citus_purge_batch(TimestampTz cutoff, int limit);

/*
 * For bookparse.retry_failed() on distributed tables: the failed books
 * (with that error_code unless code_null) whose last job ended older_than
 * before the transaction started, read across the shards without locks
 * (the caller locks and rechecks each in its shard).  Returns how many, in
 * *ids (palloc'd).  Inside SPI.
 */
extern int	bp_citus_failed_books(Datum older_than, Datum error_code,
								  bool code_null, int64 **ids);

/*
 * Run bookparse.cancel(book_id) on node ("host:port", as job.node), where
 * a job of the book is running: through Citus's connection to that node,
 * as the current role.  True if it stopped something there; a node that
 * cannot be reached gives a WARNING and false.  Inside SPI.
 */
extern bool bp_citus_cancel_on_node(int64 book_id, const char *node);

#endif							/* BP_CITUS_H */

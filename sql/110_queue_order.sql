-- Queue order (priority, then age), max_jobs / max_time, and reparse
-- replacing a book's results.
SET client_min_messages = warning;
TRUNCATE bookparse.book, bookparse.job RESTART IDENTITY CASCADE;
RESET client_min_messages;

CREATE FUNCTION pg_temp.book(n int) RETURNS bytea LANGUAGE sql AS $$
	SELECT convert_to(format(E'Chapter One\n\nThis is book %s. It has two chapters.\n\n'
	                         'Chapter Two\n\nThe second chapter of book %s ends here.\n', n, n),
	                  'UTF8')
$$;

SELECT bookparse.submit(pg_temp.book(1), 'one.txt');
SELECT bookparse.submit(pg_temp.book(2), 'two.txt', priority => 5);
SELECT bookparse.submit(pg_temp.book(3), 'three.txt');
SELECT bookparse.submit(pg_temp.book(4), 'four.txt', -1);

-- max_time already passed: nothing runs
SELECT bookparse.run_queue(max_time => '0');
-- max_jobs = 0: nothing runs
SELECT bookparse.run_queue(0);
-- one at a time: the highest priority first, then the oldest
SELECT bookparse.run_queue(1);
SELECT id, status FROM bookparse.book ORDER BY id;
SELECT bookparse.run_queue(max_jobs => 2, max_time => '1 hour');
SELECT id, status FROM bookparse.book ORDER BY id;
SELECT bookparse.run_queue();
SELECT id, status, chapters FROM bookparse.book ORDER BY id;
SELECT id, book_id, priority, state FROM bookparse.job ORDER BY started_at, id;

-- negative max_jobs is refused
SELECT bookparse.run_queue(-1);

-- reparse queues a new job; a second reparse reuses it (priority raised)
SELECT bookparse.reparse(1) AS job;
SELECT bookparse.reparse(1, 7) AS same_job;
SELECT id, book_id, state, priority FROM bookparse.job WHERE book_id = 1 ORDER BY id;
-- the book is queued again but keeps its results until the new ones replace them
SELECT id, status, chapters, (SELECT count(*) FROM bookparse.chapter c WHERE c.book_id = b.id) AS rows
FROM bookparse.book b WHERE id = 1;
SELECT bookparse.run_queue();
-- replaced, not duplicated
SELECT id, status, chapters, (SELECT count(*) FROM bookparse.chapter c WHERE c.book_id = b.id) AS rows
FROM bookparse.book b WHERE id = 1;
SELECT id, book_id, state, attempts FROM bookparse.job WHERE book_id = 1 ORDER BY id;

-- reparse of a book that does not exist
SELECT bookparse.reparse(999);
SELECT bookparse.reparse(NULL) IS NULL AS null_id;

-- deleting a book deletes its chapters, assets and jobs
DELETE FROM bookparse.book WHERE id = 4;
SELECT (SELECT count(*) FROM bookparse.chapter WHERE book_id = 4) AS chapters,
       (SELECT count(*) FROM bookparse.job WHERE book_id = 4) AS jobs;

-- the queue is claimed through its partial index
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF)
SELECT id FROM bookparse.job
WHERE state = 'queued' AND run_after <= now()
ORDER BY priority DESC, enqueued_at, id LIMIT 1 FOR UPDATE SKIP LOCKED;
RESET enable_seqscan;
RESET enable_bitmapscan;

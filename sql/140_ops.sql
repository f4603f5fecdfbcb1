-- Day-to-day operations: pause()/resume(), retry_failed(), purge_jobs()
-- and the paused column of bookparse.status (docs/operations.md).
\set pdf `base64 -w0 build/samples/bad/fake.pdf`
\set txt `base64 -w0 build/samples/sample.txt`

SET client_min_messages = warning;
TRUNCATE bookparse.book, bookparse.job RESTART IDENTITY CASCADE;
RESET client_min_messages;

-- ---- pause and resume ----
SELECT paused FROM bookparse.status;
SELECT bookparse.pause();
SELECT bookparse.pause();		-- already paused: false
SELECT paused, paused_at IS NOT NULL AS since, paused_by = current_user AS by_me
FROM bookparse.queue_state;
SELECT bookparse.submit(decode(:'txt', 'base64'), 'sample.txt');
-- nothing is taken while paused, nothing is lost
SELECT bookparse.run_queue();
SELECT queued, running, parsed, paused FROM bookparse.status;
SELECT bookparse.resume();
SELECT bookparse.resume();		-- not paused: false
SELECT paused, paused_at, paused_by FROM bookparse.queue_state;
SELECT bookparse.run_queue();
SELECT queued, parsed, paused FROM bookparse.status;

-- ---- retry_failed ----
SELECT bookparse.submit(decode(:'pdf', 'base64'), 'fake.pdf');
SELECT bookparse.submit(decode(:'pdf', 'base64'), 'fake2.pdf');
SELECT bookparse.run_queue();
SELECT id, status, error_code FROM bookparse.book ORDER BY id;
-- too recent for older_than, or another error_code: nothing
SELECT bookparse.retry_failed(older_than => '1 hour');
SELECT bookparse.retry_failed(error_code => 'timeout');
SELECT bookparse.retry_failed('-1 second');
-- the matching ones are queued again with a fresh job
SELECT bookparse.retry_failed(error_code => 'not_a_book');
SELECT id, status, error, error_code FROM bookparse.book ORDER BY id;
SELECT book_id, state, attempts FROM bookparse.job ORDER BY id;
SELECT bookparse.retry_failed();	-- they are queued now, not failed
SELECT bookparse.run_queue();
SELECT id, status, error_code FROM bookparse.book ORDER BY id;
-- defaults: every failed book, whatever its error
SELECT bookparse.retry_failed();

-- ---- purge_jobs ----
SELECT bookparse.run_queue();
SELECT state, count(*) FROM bookparse.job GROUP BY state ORDER BY state;
-- nothing older than a week
SELECT bookparse.purge_jobs();
-- make some history old: finished 10 days ago
UPDATE bookparse.job SET finished_at = now() - interval '10 days'
 WHERE id IN (SELECT id FROM bookparse.job ORDER BY id LIMIT 3);
SELECT bookparse.reparse(1);	-- a queued job is never purged
UPDATE bookparse.job SET enqueued_at = now() - interval '10 days'
 WHERE state = 'queued';
SELECT bookparse.purge_jobs();
SELECT id, book_id, state FROM bookparse.job ORDER BY id;
SELECT bookparse.purge_jobs('-1 day');
SELECT bookparse.purge_jobs(NULL);
-- keep = 0: every finished job; the books and their results stay
SELECT bookparse.purge_jobs('0');
SELECT id, book_id, state FROM bookparse.job ORDER BY id;
SELECT count(*) AS books FROM bookparse.book;
SELECT count(*) > 0 AS has_chapters FROM bookparse.chapter WHERE book_id = 1;
-- a failed book without history is old enough for any older_than
SELECT bookparse.run_queue();
SELECT bookparse.purge_jobs('0');
SELECT bookparse.retry_failed('1 year');
SELECT bookparse.run_queue();

-- more than one batch (1000 rows per DELETE)
INSERT INTO bookparse.job (book_id, state, finished_at)
SELECT 1, 'done', now() - interval '1 day' FROM generate_series(1, 2500);
SELECT bookparse.purge_jobs('1 hour');
SELECT count(*) FROM bookparse.job;

-- Failures: books that are not parseable fail at once with their error
-- code and the queue moves on; transient errors are retried with backoff
-- up to bookparse.max_attempts; bookparse.job_timeout.
\set pdf `base64 -w0 build/samples/bad/fake.pdf`
\set docx `base64 -w0 build/samples/bad/fake.docx`
\set zip `base64 -w0 build/samples/bad/notabook.zip`
\set random `base64 -w0 build/samples/bad/random.bin`
\set truncated `base64 -w0 build/samples/bad/truncated.epub`
\set txt `base64 -w0 build/samples/sample.txt`

SET client_min_messages = warning;
TRUNCATE bookparse.book, bookparse.job RESTART IDENTITY CASCADE;
RESET client_min_messages;

SELECT bookparse.submit(''::bytea, 'empty.epub');
SELECT bookparse.submit(decode(:'pdf', 'base64'), 'fake.pdf');
SELECT bookparse.submit(decode(:'docx', 'base64'), 'fake.docx');
SELECT bookparse.submit(decode(:'zip', 'base64'), 'notabook.zip');
SELECT bookparse.submit(decode(:'random', 'base64'), 'random.bin');
SELECT bookparse.submit(decode(:'truncated', 'base64'), 'truncated.epub');
SELECT bookparse.submit(decode(:'txt', 'base64'), 'sample.txt');

-- every job runs once; the bad books do not stop the good one
SELECT bookparse.run_queue();
SELECT id, filename, status, error_code, error IS NOT NULL AS has_error
FROM bookparse.book ORDER BY id;
SELECT id, book_id, state, attempts, error_code, error IS NOT NULL AS has_error,
       finished_at IS NOT NULL AS finished
FROM bookparse.job ORDER BY id;
-- no results are stored for a failed book
SELECT book_id, count(*) FROM bookparse.chapter GROUP BY book_id ORDER BY book_id;

-- a transient error (here a deadlock raised by a trigger while storing)
-- puts the job back with a delay; after max_attempts it fails
CREATE FUNCTION pg_temp.fail_store() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'simulated deadlock' USING ERRCODE = current_setting('test.errcode');
END $$;
CREATE TRIGGER fail_store BEFORE INSERT ON bookparse.chapter
	FOR EACH ROW EXECUTE FUNCTION pg_temp.fail_store();
SET test.errcode = '40P01';
SET bookparse.max_attempts = 2;

SELECT bookparse.reparse(7) AS job;
SELECT bookparse.run_queue();
-- back in the queue, due in about a second (1s +-25%), not run again now
SELECT id, state, attempts, error_code, error,
       run_after - started_at BETWEEN '0.75s' AND '5s' AS backoff,
       worker_pid IS NULL AS no_worker
FROM bookparse.job WHERE id = 8;
SELECT status, error_code FROM bookparse.book WHERE id = 7;
SELECT bookparse.run_queue();
-- the earlier results were kept: the failed store was rolled back whole
SELECT count(*) AS chapters FROM bookparse.chapter WHERE book_id = 7;

-- make it due now: the second attempt fails for good
UPDATE bookparse.job SET run_after = now() WHERE id = 8;
SELECT bookparse.run_queue();
SELECT id, state, attempts, error_code, error FROM bookparse.job WHERE id = 8;
SELECT status, error_code, error FROM bookparse.book WHERE id = 7;
SELECT count(*) AS chapters FROM bookparse.chapter WHERE book_id = 7;

-- an error that is not transient fails at once
SET test.errcode = '23514';
SELECT bookparse.reparse(7) AS job;
SELECT bookparse.run_queue();
SELECT id, state, attempts, error_code, error FROM bookparse.job WHERE id = 9;

DROP TRIGGER fail_store ON bookparse.chapter;
RESET bookparse.max_attempts;

-- bookparse.job_timeout stops a parse that runs too long
SET bookparse.debug_parse_delay = '2s';
SET bookparse.job_timeout = '50ms';
SELECT bookparse.reparse(7) AS job;
SELECT bookparse.run_queue();
SELECT id, state, attempts, error_code, error FROM bookparse.job WHERE id = 10;
SELECT status, error_code FROM bookparse.book WHERE id = 7;
RESET bookparse.debug_parse_delay;
RESET bookparse.job_timeout;

-- and the book parses again
SELECT bookparse.reparse(7) AS job;
SELECT bookparse.run_queue();
SELECT status, error, error_code FROM bookparse.book WHERE id = 7;

SELECT queued, running, parsed, failed FROM bookparse.status;

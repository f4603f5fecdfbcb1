-- NULL never means "everything", and wait() on work this transaction
-- queued is an error, not a silent timeout (issue 17, item 14).
SET client_min_messages = warning;
TRUNCATE bookparse.book, bookparse.job RESTART IDENTITY CASCADE;
RESET client_min_messages;

CREATE FUNCTION pg_temp.book(n int) RETURNS bytea LANGUAGE sql AS $$
	SELECT convert_to(format(E'Chapter One\n\nThis is book %s.\n\nChapter Two\n\nThe end of book %s.\n', n, n),
	                  'UTF8')
$$;

-- two failed books
SELECT bookparse.submit(convert_to('%PDF-1.4 not a book', 'UTF8'), 'a.pdf');
SELECT bookparse.submit(convert_to('%PDF-1.4 not a book either', 'UTF8'), 'b.pdf');
SELECT bookparse.run_queue();
SELECT id, status, error_code FROM bookparse.book ORDER BY id;

-- retry_failed(NULL) is an error; purge_jobs(NULL) does nothing (STRICT)
SELECT bookparse.retry_failed(NULL);
SELECT bookparse.retry_failed(NULL, 'not_a_book');
SELECT bookparse.purge_jobs(NULL);
SELECT count(*) AS jobs FROM bookparse.job;
SELECT id, status FROM bookparse.book ORDER BY id;
-- the documented way to retry everything
SELECT bookparse.retry_failed(interval '0');
SELECT bookparse.run_queue();

-- wait() on a book submitted by the same transaction
SELECT bookparse.wait(bookparse.submit(pg_temp.book(3), 'three.txt'), '5s');
BEGIN;
SELECT bookparse.submit(pg_temp.book(4), 'four.txt') AS id \gset
SELECT bookparse.wait(:id, '5s');
ROLLBACK;
-- or reparsed by it
SELECT bookparse.submit(pg_temp.book(5), 'five.txt') AS id \gset
SELECT bookparse.run_queue();
BEGIN;
SELECT bookparse.reparse(:id) > 0 AS queued;
SELECT bookparse.wait(:id, '5s');
ROLLBACK;
-- parsed in the same transaction: wait() returns at once
BEGIN;
SELECT bookparse.submit(pg_temp.book(6), 'six.txt') AS id \gset
SELECT bookparse.run_queue();
SELECT bookparse.wait(:id, '5s');
COMMIT;
-- committed first: wait() is fine (and times out: no worker here)
SELECT bookparse.submit(pg_temp.book(7), 'seven.txt') AS id \gset
SELECT bookparse.wait(:id, '10ms');
SELECT bookparse.cancel(:id);

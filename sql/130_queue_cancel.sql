-- cancel(), wait(), bookparse.max_book_size and submit's arguments.
SET client_min_messages = warning;
TRUNCATE bookparse.book, bookparse.job RESTART IDENTITY CASCADE;
RESET client_min_messages;

CREATE FUNCTION pg_temp.book(n int) RETURNS bytea LANGUAGE sql AS $$
	SELECT convert_to(format(E'Chapter One\n\nThis is book %s.\n\nChapter Two\n\nThe end of book %s.\n', n, n),
	                  'UTF8')
$$;

-- cancel a queued book that was never parsed: it fails with 'canceled'
SELECT bookparse.submit(pg_temp.book(1), 'one.txt');
SELECT bookparse.cancel(1);
SELECT id, status, error_code, error FROM bookparse.book WHERE id = 1;
SELECT id, state, error_code, finished_at IS NOT NULL AS finished FROM bookparse.job WHERE book_id = 1;
SELECT bookparse.wait(1);
-- nothing left to cancel
SELECT bookparse.cancel(1);
SELECT bookparse.cancel(999);
SELECT bookparse.run_queue();

-- cancel a reparse of a parsed book: it keeps its results and stays parsed
SELECT bookparse.submit(pg_temp.book(2), 'two.txt');
SELECT bookparse.run_queue();
SELECT bookparse.reparse(2) AS job;
SELECT status FROM bookparse.book WHERE id = 2;
SELECT bookparse.cancel(2);
SELECT id, status, error_code, chapters,
       (SELECT count(*) FROM bookparse.chapter WHERE book_id = 2) AS rows
FROM bookparse.book WHERE id = 2;
SELECT id, state, error_code FROM bookparse.job WHERE book_id = 2 ORDER BY id;

-- a canceled book can be queued again
SELECT bookparse.reparse(1) AS job;
SELECT bookparse.run_queue();
SELECT id, status, error_code FROM bookparse.book WHERE id = 1;

-- wait(): a queued book times out and reports 'queued'
SELECT bookparse.submit(pg_temp.book(3), 'three.txt');
SELECT bookparse.wait(3, '30ms');
SELECT bookparse.run_queue();
SELECT bookparse.wait(3, NULL);

-- wait() cannot see other sessions in a REPEATABLE READ transaction
SELECT bookparse.submit(pg_temp.book(4), 'four.txt');
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT bookparse.wait(4, '1s');
ROLLBACK;
SELECT bookparse.cancel(4);

-- bookparse.max_book_size: a larger book is refused before anything is stored
CREATE FUNCTION pg_temp.try_submit(content bytea)
RETURNS TABLE (code text, message text, detail text)
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM bookparse.submit(content, 'big.txt');
	RETURN QUERY SELECT '00000'::text, 'ok'::text, NULL::text;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
		detail = PG_EXCEPTION_DETAIL;
	RETURN NEXT;
END $$;
SHOW bookparse.max_book_size;
SET bookparse.max_book_size = '1kB';
SELECT count(*) AS books_before FROM bookparse.book;
SELECT * FROM pg_temp.try_submit(convert_to(repeat('Long text. ', 100), 'UTF8'));
SELECT * FROM pg_temp.try_submit(convert_to(repeat('Short. ', 10), 'UTF8'));
SELECT count(*) AS books_after FROM bookparse.book;
RESET bookparse.max_book_size;

-- a NULL book is refused; NULL filename and priority are fine
SELECT bookparse.submit(NULL);
SELECT bookparse.submit(pg_temp.book(6), NULL, NULL) AS id \gset
SELECT :id AS id;
SELECT b.id, b.filename, b.format, b.status, j.priority FROM bookparse.job j JOIN bookparse.book b ON b.id = j.book_id
WHERE b.id = :id;
SELECT bookparse.run_queue();
SELECT queued, running, parsed, failed FROM bookparse.status;

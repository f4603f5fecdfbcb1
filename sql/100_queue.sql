-- The queue with bookparse.max_workers = 0: submit the sample books, parse
-- them with run_queue() in this session, and check the stored results.
\set epub `base64 -w0 build/samples/sample.epub`
\set epub2 `base64 -w0 build/samples/sample-epub2.epub`
\set fb2 `base64 -w0 build/samples/sample.fb2`
\set fb2zip `base64 -w0 build/samples/sample.fb2.zip`
\set txt `base64 -w0 build/samples/sample.txt`

SHOW bookparse.max_workers;
SET client_min_messages = warning;
TRUNCATE bookparse.book, bookparse.job RESTART IDENTITY CASCADE;
RESET client_min_messages;

-- submit returns the book id
SELECT bookparse.submit(decode(:'epub', 'base64'), 'sample.epub') AS epub;
SELECT bookparse.submit(decode(:'epub2', 'base64'), 'sample-epub2.epub') AS epub2;
SELECT bookparse.submit(decode(:'fb2', 'base64'), 'sample.fb2') AS fb2;
SELECT bookparse.submit(decode(:'fb2zip', 'base64'), 'sample.fb2.zip') AS fb2zip;
SELECT bookparse.submit(decode(:'txt', 'base64')) AS txt;

-- stored as queued, with a job each
SELECT id, filename, format, status, byte_size = octet_length(content) AS size_ok,
       content_sha256 = sha256(content) AS sha256_ok, parsed_at IS NULL AS not_parsed
FROM bookparse.book ORDER BY id;
SELECT id, book_id, state, priority, attempts, run_after <= now() AS due,
       started_at IS NULL AS not_started
FROM bookparse.job ORDER BY id;
SELECT queued, running, parsed, failed, oldest_queued_age >= '0' AS has_oldest,
       parsed_last_hour
FROM bookparse.status;

-- a queued book does not finish while nobody runs the queue
SELECT bookparse.wait(1, '20ms');

-- parse them all in this session; then nothing is left
SELECT bookparse.run_queue();
SELECT bookparse.run_queue();

-- the books: metadata columns and statistics
\x on
SELECT id, filename, format, status, error, error_code, title, authors, language,
       isbn, publisher, published, description IS NOT NULL AS has_description,
       subjects, series, series_index, chapters, words > 0 AS has_words,
       sentences > 0 AS has_sentences, reading_minutes,
       parsed_at >= submitted_at AS parsed_after_submit
FROM bookparse.book ORDER BY id;
\x off

-- the jobs: done, run by this session, timed
SELECT id, book_id, state, attempts, error, error_code,
       worker_pid = pg_backend_pid() AS by_me,
       started_at <= finished_at AS timed, duration_ms >= 0 AS has_duration,
       peak_memory_bytes > 0 AS has_peak_memory
FROM bookparse.job ORDER BY id;

-- chapters agree with the book's statistics; text and html are there
SELECT b.id, b.chapters, count(c.number) AS chapter_rows,
       sum(c.words) = b.words AS words_add_up,
       min(c.number) AS first, max(c.number) AS last,
       bool_and(c.text IS NOT NULL AND c.html IS NOT NULL) AS text_and_html,
       bool_and(c.characters >= c.words) AS characters_ok
FROM bookparse.book b LEFT JOIN bookparse.chapter c ON c.book_id = b.id
GROUP BY b.id, b.chapters, b.words ORDER BY b.id;

-- the chapters of the EPUB 3 and the FB2
SELECT book_id, number, title, depth, source, is_notes, words > 0 AS has_words
FROM bookparse.chapter WHERE book_id IN (1, 3) ORDER BY book_id, number;

-- assets with their bytes
SELECT book_id, href, media_type, byte_size, octet_length(data) = byte_size AS data_ok,
       is_cover
FROM bookparse.asset ORDER BY book_id, href;

-- the metadata jsonb is the whole model and agrees with the columns
SELECT id, metadata->>'format' = format AS format_ok,
       metadata->'metadata'->>'title' IS NOT DISTINCT FROM title AS title_ok,
       jsonb_array_length(metadata->'chapters') = chapters AS chapters_ok
FROM bookparse.book ORDER BY id;

SELECT queued, running, parsed, failed, oldest_queued_age, parsed_last_hour
FROM bookparse.status;

-- wait() returns at once for a finished book, NULL for an unknown one
SELECT bookparse.wait(1) AS epub, bookparse.wait(5, '1s') AS txt,
       bookparse.wait(999) AS unknown, bookparse.wait(NULL) AS null_id;

-- every row of a book carries the book's submitted_by (what row-level
-- security reads on a Citus cluster): chapters, assets, scenes, jobs, and
-- the job a reparse() queues
SELECT bookparse.reparse(1) > 0 AS requeued;
SELECT t, count(*) > 0 AS has_rows, bool_and(x.submitted_by = b.submitted_by) AS same_owner
FROM (SELECT 'chapter' AS t, book_id, submitted_by FROM bookparse.chapter
      UNION ALL SELECT 'asset', book_id, submitted_by FROM bookparse.asset
      UNION ALL SELECT 'scene', book_id, submitted_by FROM bookparse.scene
      UNION ALL SELECT 'job', book_id, submitted_by FROM bookparse.job) x
JOIN bookparse.book b ON b.id = x.book_id
GROUP BY t ORDER BY t;
SELECT bookparse.run_queue();

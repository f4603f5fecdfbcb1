-- Every grant the docs tell users to make, tested as a role that holds
-- only that grant: README.md, docs/sql.md ("Privileges"), docs/security.md,
-- docs/operations.md ("Monitoring").  Each role is created with nothing,
-- given exactly what the docs say, and then does what the docs promise
-- (and a little it must not).  Run by test/run_all.sh with pg_prove as a
-- superuser, in a database where pgtap and bookparse exist; everything
-- happens in one transaction that is rolled back (roles included).
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
SELECT plan(59);

CREATE ROLE bpg_writer NOLOGIN;
CREATE ROLE bpg_reader NOLOGIN;
CREATE ROLE bpg_admin NOLOGIN;
CREATE ROLE bpg_parse NOLOGIN;
CREATE ROLE bpg_execonly NOLOGIN;
CREATE ROLE bpg_monitor NOLOGIN;
CREATE ROLE bpg_monwriter NOLOGIN;
CREATE ROLE bpg_ceiling NOLOGIN;

-- ---- the grants, word for word as documented ----
-- docs/security.md, README.md, docs/operations.md: the three groups
GRANT bookparse_writer TO bpg_writer;
GRANT bookparse_reader TO bpg_reader;
GRANT bookparse_admin TO bpg_admin;
-- docs/sql.md "Privileges": the parsing functions alone
GRANT USAGE ON SCHEMA bookparse TO bpg_parse;
GRANT EXECUTE ON FUNCTION bookparse.parse(bytea, text),
    bookparse.parse_chapters(bytea, text),
    bookparse.detect_format(bytea), bookparse.describe_format(bytea)
    TO bpg_parse;
-- docs/sql.md: EXECUTE without USAGE on the schema is not enough
GRANT EXECUTE ON FUNCTION bookparse.parse(bytea, text) TO bpg_execonly;
-- docs/operations.md "Monitoring": pg_monitor
GRANT pg_monitor TO bpg_monitor;
-- docs/operations.md: a tenant that is also a monitoring role
GRANT pg_monitor, bookparse_writer TO bpg_monwriter;
-- docs/configuration.md: who may change the ceiling of bookparse.work_mem
GRANT SET ON PARAMETER bookparse.max_work_mem TO bpg_ceiling;

-- ---- books: one per state, as the monitoring numbers need ----
CREATE TEMP TABLE ids (name text PRIMARY KEY, id bigint);
GRANT SELECT ON ids TO PUBLIC;
SET ROLE bpg_writer;
SELECT lives_ok($$SELECT bookparse.submit(convert_to('The writer''s book. It has two sentences.', 'UTF8'), 'writer.txt')$$,
                'writer (GRANT bookparse_writer): submit()');
RESET ROLE;
INSERT INTO ids SELECT 'writer', id FROM bookparse.book WHERE filename = 'writer.txt';
INSERT INTO ids SELECT 'pdf', bookparse.submit('\x255044462d312e340a'::bytea, 'report.pdf');
SELECT is(bookparse.run_queue(), 2, 'run_queue() parses the writer''s book and fails the PDF');
INSERT INTO ids SELECT 'queued', bookparse.submit(convert_to('Still in the queue.', 'UTF8'), 'queued.txt');

-- ---- bookparse_writer ----
SET ROLE bpg_writer;
SELECT is(bookparse.wait((SELECT id FROM ids WHERE name = 'writer'), '0'), 'parsed',
          'writer: wait() for its book');
SELECT is((SELECT array_agg(filename) FROM bookparse.book), ARRAY['writer.txt'],
          'writer: reads its own book, and only that');
SELECT ok((SELECT count(*) FROM bookparse.chapter) > 0, 'writer: reads its chapters');
SELECT lives_ok($$SELECT count(*) FROM bookparse.asset$$, 'writer: reads its assets');
SELECT is((SELECT count(*)::int FROM bookparse.job), 1, 'writer: reads its jobs');
SELECT is((SELECT parsed::int FROM bookparse.status), 1, 'writer: bookparse.status counts its books');
SELECT lives_ok($$SELECT bookparse.reparse((SELECT id FROM ids WHERE name = 'writer'))$$,
                'writer: reparse()');
SELECT is(bookparse.cancel((SELECT id FROM ids WHERE name = 'writer')), true, 'writer: cancel()');
SELECT ok(bookparse.parse(convert_to('A book to parse.', 'UTF8')) ? 'stats', 'writer: parse()');
SELECT is((SELECT count(*)::int FROM bookparse.parse_chapters(convert_to('A book to parse.', 'UTF8'))),
          1, 'writer: parse_chapters()');
SELECT is(bookparse.detect_format(convert_to('A book to parse.', 'UTF8')), 'txt', 'writer: detect_format()');
SELECT is(bookparse.describe_format(convert_to('A book to parse.', 'UTF8')), 'plain text',
          'writer: describe_format()');
SELECT throws_ok($$SELECT bookparse.run_queue()$$, '42501', NULL, 'writer: no run_queue()');
RESET ROLE;

-- ---- bookparse_reader ----
SET ROLE bpg_reader;
SELECT is((SELECT count(*)::int FROM bookparse.book), 3, 'reader (GRANT bookparse_reader): every book');
SELECT ok((SELECT count(*) FROM bookparse.chapter) > 0, 'reader: chapters');
SELECT lives_ok($$SELECT count(*) FROM bookparse.asset$$, 'reader: assets');
SELECT is((SELECT count(*)::int FROM bookparse.job), 4, 'reader: every job');
SELECT is((SELECT failed::int FROM bookparse.status), 1, 'reader: bookparse.status, whole queue');
SELECT is((SELECT paused FROM bookparse.queue_state), false, 'reader: queue_state');
SELECT throws_ok($$SELECT bookparse.submit(convert_to('x', 'UTF8'))$$, '42501', NULL,
                 'reader: no submit()');
SELECT is((SELECT extension FROM bookparse.version()),
          (SELECT extversion FROM pg_extension WHERE extname = 'bookparse'),
          'reader: bookparse.version()');
RESET ROLE;

-- ---- bookparse_admin ----
SET ROLE bpg_admin;
SELECT is((SELECT count(*)::int FROM bookparse.book), 3, 'admin (GRANT bookparse_admin): every book');
SELECT is(bookparse.pause(), true, 'admin: pause()');
SELECT is(bookparse.resume(), true, 'admin: resume()');
-- (the PDF failed after this transaction began, so '0' finds it not old enough)
SELECT lives_ok($$SELECT bookparse.retry_failed('0', 'not_a_book')$$, 'admin: retry_failed()');
SELECT is(bookparse.run_queue(max_jobs => 1), 1, 'admin: run_queue()');
SELECT lives_ok($$SELECT bookparse.purge_jobs('0')$$, 'admin: purge_jobs()');
SELECT lives_ok($$SELECT * FROM bookparse.workers$$, 'admin: the workers view');
SELECT lives_ok($$SELECT bookparse.submit(convert_to('An admin''s book.', 'UTF8'), 'admin.txt')$$,
                'admin: submit()');
RESET ROLE;

-- ---- the parsing functions alone (docs/sql.md) ----
SET ROLE bpg_parse;
SELECT is(bookparse.parse(convert_to('Two words.', 'UTF8'))->'stats'->>'words', '2',
          'USAGE + EXECUTE: parse()');
SELECT is((SELECT words FROM bookparse.parse_chapters(convert_to('Two words.', 'UTF8'))), 2,
          'USAGE + EXECUTE: parse_chapters()');
SELECT is(bookparse.detect_format(convert_to('Two words.', 'UTF8')), 'txt',
          'USAGE + EXECUTE: detect_format()');
SELECT is(bookparse.describe_format('\x255044462d312e340a'::bytea), 'PDF document',
          'USAGE + EXECUTE: describe_format()');
SELECT throws_ok($$SELECT bookparse.submit(convert_to('x', 'UTF8'))$$, '42501', NULL,
                 'USAGE + EXECUTE: no submit()');
SELECT throws_ok($$SELECT count(*) FROM bookparse.book$$, '42501', NULL,
                 'USAGE + EXECUTE: no books');
RESET ROLE;
SET ROLE bpg_execonly;
SELECT throws_ok($$SELECT bookparse.parse(convert_to('Two words.', 'UTF8'))$$, '42501',
                 'permission denied for schema bookparse',
                 'EXECUTE without USAGE on the schema: parse() is refused (the trap docs/sql.md warns of)');
RESET ROLE;

-- ---- pg_monitor (docs/operations.md) ----
CREATE TEMP TABLE whole AS
SELECT row(s.*)::text AS status, (SELECT count(*)::int FROM bookparse.job) AS jobs
  FROM bookparse.status s;
GRANT SELECT ON whole TO PUBLIC;
SET ROLE bpg_monitor;
SELECT lives_ok($$SELECT * FROM bookparse.workers$$, 'pg_monitor: the workers view');
SELECT is((SELECT status FROM bookparse.version()), 'ok',
          'pg_monitor: bookparse.version() (docs/monitoring.md)');
SELECT is((SELECT row(s.*)::text FROM bookparse.status s), (SELECT status FROM whole),
          'pg_monitor: bookparse.status counts the whole queue');
-- the queries of docs/operations.md "Monitoring", as written there
SELECT lives_ok($$SELECT extract(epoch FROM oldest_queued_age) FROM bookparse.status$$,
                'pg_monitor: queue age');
SELECT lives_ok($$SELECT (SELECT count(*) FROM bookparse.workers), queued, paused FROM bookparse.status$$,
                'pg_monitor: workers while jobs wait');
SELECT lives_ok($$SELECT now() - paused_at FROM bookparse.queue_state WHERE paused$$,
                'pg_monitor: paused too long');
SELECT is((SELECT count(*)::int FROM bookparse.job WHERE state = 'running'
            AND started_at < now() - 2 * current_setting('bookparse.job_timeout')::interval),
          0, 'pg_monitor: stuck jobs');
SELECT is((SELECT count(*)::int FROM bookparse.job), (SELECT jobs FROM whole),
          'pg_monitor: history size, every job');
SELECT lives_ok($$SELECT error_code, count(*),
       round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS pct
FROM bookparse.job
WHERE finished_at > now() - interval '1 hour'
GROUP BY error_code ORDER BY count(*) DESC$$, 'pg_monitor: failure rate by cause');
SELECT lives_ok($$SELECT max(peak_memory_bytes) AS peak_1d,
       pg_size_bytes(current_setting('bookparse.work_mem')) AS work_mem
FROM bookparse.job WHERE finished_at > now() - interval '1 day'$$, 'pg_monitor: parse memory');
SELECT lives_ok($$SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) FROM bookparse.job
WHERE state = 'done' AND finished_at > now() - interval '1 hour'$$, 'pg_monitor: throughput');
-- and never a book's content, title, file name or error message
SELECT throws_ok($$SELECT title FROM bookparse.book$$, '42501', NULL, 'pg_monitor: no titles');
SELECT throws_ok($$SELECT count(*) FROM bookparse.chapter$$, '42501', NULL, 'pg_monitor: no chapters');
SELECT throws_ok($$SELECT error FROM bookparse.job$$, '42501', NULL, 'pg_monitor: no error messages');
SELECT throws_ok($$SELECT filename FROM bookparse.book$$, '42501', NULL, 'pg_monitor: no file names');
SELECT throws_ok($$SELECT content FROM bookparse.book$$, '42501', NULL, 'pg_monitor: no book content');
RESET ROLE;
-- what pg_monitor may read, from the catalog: exactly what
-- docs/operations.md says, so a grant added later shows up here
SELECT is(
  (SELECT array_agg(c.relname || '.' || a.attname ORDER BY c.relname, a.attnum)
     FROM pg_class c
     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE c.relnamespace = 'bookparse'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
      AND has_column_privilege('pg_monitor', c.oid, a.attnum, 'SELECT')),
  ARRAY['book.id', 'book.byte_size', 'book.format', 'book.status', 'book.error_code',
        'book.submitted_at', 'book.parsed_at',
        'job.id', 'job.book_id', 'job.state', 'job.priority', 'job.attempts', 'job.run_after',
        'job.enqueued_at', 'job.started_at', 'job.finished_at', 'job.worker_pid',
        'job.error_code', 'job.duration_ms', 'job.peak_memory_bytes', 'job.node',
        'queue_state.onerow', 'queue_state.paused', 'queue_state.paused_at', 'queue_state.paused_by',
        'status.queued', 'status.running', 'status.parsed', 'status.failed',
        'status.oldest_queued_age', 'status.parsed_last_hour', 'status.paused',
        'workers.slot', 'workers.pid', 'workers.job_id', 'workers.book_id', 'workers.phase',
        'workers.progress', 'workers.memory_bytes', 'workers.started_at',
        'workers.node']::name[]::text[],
  'pg_monitor may read these columns and no others');
SELECT is(
  (SELECT array_agg(c.oid::regclass::text ORDER BY c.oid::regclass::text) FROM pg_class c
    WHERE c.relnamespace = 'bookparse'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p', 'f', 'S')
      AND (has_table_privilege('pg_monitor', c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
           OR has_any_column_privilege('pg_monitor', c.oid, 'INSERT, UPDATE, REFERENCES'))),
  NULL, 'pg_monitor may change nothing');
SELECT is(
  (SELECT array_agg(p.oid::regprocedure::text ORDER BY p.oid::regprocedure::text) FROM pg_proc p
    WHERE p.pronamespace = 'bookparse'::regnamespace
      AND has_function_privilege('pg_monitor', p.oid, 'EXECUTE')),
  ARRAY['bookparse.cluster_workers()', 'bookparse.version()', 'bookparse.worker_slots()'],
  'pg_monitor may call cluster_workers(), version() and worker_slots() only');
SET ROLE bpg_monwriter;
SELECT is((SELECT parsed + failed + queued FROM bookparse.status), 0::bigint,
          'a writer that is also in pg_monitor counts only its own books');
RESET ROLE;

-- ---- GRANT SET ON PARAMETER bookparse.max_work_mem (docs/configuration.md) ----
-- (last: the SET lasts until the end of the transaction)
SET ROLE bpg_ceiling;
SELECT lives_ok($$SET LOCAL bookparse.max_work_mem = '512MB'$$,
                'GRANT SET ON PARAMETER: the role may set bookparse.max_work_mem');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;

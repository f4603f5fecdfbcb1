-- Roles, privileges and row-level security of schema bookparse
-- (docs/security.md).  Run by test/run_all.sh with pg_prove, as a
-- superuser, in a database where pgtap and bookparse exist.  Everything
-- happens in one transaction that is rolled back (roles included).
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
SELECT plan(69);

-- ---- the roles ----
SELECT has_role('bookparse_reader');
SELECT has_role('bookparse_writer');
SELECT has_role('bookparse_admin');
SELECT ok(pg_has_role('bookparse_writer', 'bookparse_reader', 'MEMBER'),
          'writer is a member of reader');
SELECT ok(pg_has_role('bookparse_admin', 'bookparse_writer', 'MEMBER'),
          'admin is a member of writer');
SELECT ok(NOT pg_has_role('bookparse_reader', 'bookparse_writer', 'MEMBER'),
          'reader is not a writer');

-- test roles: two tenants, a reader, an admin and a role with nothing
CREATE ROLE bpt_alice LOGIN IN ROLE bookparse_writer;
CREATE ROLE bpt_bob LOGIN IN ROLE bookparse_writer;
CREATE ROLE bpt_reader LOGIN IN ROLE bookparse_reader;
CREATE ROLE bpt_admin LOGIN IN ROLE bookparse_admin;
CREATE ROLE bpt_nobody LOGIN;

-- ---- PUBLIC gets nothing: every object of the schema, from the catalog ----
SELECT is(
  (SELECT array_agg(p.oid::regprocedure::text ORDER BY 1)
     FROM pg_proc p
    WHERE p.pronamespace = 'bookparse'::regnamespace
      AND has_function_privilege('bpt_nobody', p.oid, 'EXECUTE')),
  NULL, 'a role without bookparse roles may execute no function of the schema');
SELECT is(
  (SELECT array_agg(c.oid::regclass::text ORDER BY 1)
     FROM pg_class c
    WHERE c.relnamespace = 'bookparse'::regnamespace
      AND CASE WHEN c.relkind NOT IN ('r', 'v', 'm', 'p', 'f') THEN false
          ELSE (has_table_privilege('bpt_nobody', c.oid, 'SELECT')
           OR has_table_privilege('bpt_nobody', c.oid, 'INSERT')
           OR has_table_privilege('bpt_nobody', c.oid, 'UPDATE')
           OR has_table_privilege('bpt_nobody', c.oid, 'DELETE')
           OR has_table_privilege('bpt_nobody', c.oid, 'TRUNCATE')
           OR has_table_privilege('bpt_nobody', c.oid, 'REFERENCES')
           OR has_table_privilege('bpt_nobody', c.oid, 'TRIGGER')) END),
  NULL, 'nor use any table or view');
SELECT is(
  (SELECT array_agg(c.oid::regclass::text ORDER BY 1)
     FROM pg_class c
    WHERE c.relnamespace = 'bookparse'::regnamespace
      AND CASE WHEN c.relkind = 'S'
               THEN has_sequence_privilege('bpt_nobody', c.oid, 'USAGE,SELECT,UPDATE')
               ELSE false END),
  NULL, 'nor any sequence');
SELECT ok(NOT has_schema_privilege('bpt_nobody', 'bookparse', 'USAGE'),
          'nor even USAGE on the schema');
SELECT ok(has_schema_privilege('bpt_reader', 'bookparse', 'USAGE'),
          'readers have USAGE on the schema');
-- every table with user data has row-level security
SELECT is(
  (SELECT array_agg(c.relname::text ORDER BY 1) FROM pg_class c
    WHERE c.relnamespace = 'bookparse'::regnamespace AND c.relkind = 'r'
      AND NOT c.relrowsecurity AND c.relname <> 'queue_state'),
  NULL, 'row-level security on every table but queue_state');
-- SECURITY DEFINER functions (if any) fix their search_path
SELECT is(
  (SELECT array_agg(p.oid::regprocedure::text) FROM pg_proc p
    WHERE p.pronamespace = 'bookparse'::regnamespace AND p.prosecdef
      AND NOT coalesce(p.proconfig::text[] @> ARRAY['search_path=pg_catalog, pg_temp'], false)),
  NULL, 'every SECURITY DEFINER function sets search_path = pg_catalog, pg_temp');

-- ---- privileges per role ----
SELECT ok(has_function_privilege('bpt_alice', 'bookparse.submit(bytea, text, integer)', 'EXECUTE'),
          'a writer may submit');
SELECT ok(has_function_privilege('bpt_alice', 'bookparse.wait(bigint, interval)', 'EXECUTE'),
          'a writer may wait');
SELECT ok(NOT has_function_privilege('bpt_reader', 'bookparse.submit(bytea, text, integer)', 'EXECUTE'),
          'a reader may not submit');
SELECT ok(NOT has_function_privilege('bpt_reader', 'bookparse.reparse(bigint, integer)', 'EXECUTE'),
          'a reader may not reparse');
SELECT ok(NOT has_function_privilege('bpt_reader', 'bookparse.cancel(bigint)', 'EXECUTE'),
          'a reader may not cancel');
SELECT ok(NOT has_table_privilege('bpt_reader', 'bookparse.book', 'INSERT,UPDATE,DELETE'),
          'a reader may not change books');
SELECT ok(has_table_privilege('bpt_reader', 'bookparse.chapter', 'SELECT'),
          'a reader may read chapters');
SELECT ok(NOT has_table_privilege('bpt_alice', 'bookparse.chapter', 'INSERT,UPDATE,DELETE'),
          'a writer may not write chapters itself');
SELECT ok(NOT has_table_privilege('bpt_alice', 'bookparse.queue_state', 'UPDATE'),
          'a writer may not pause the queue through its table');
SELECT is(
  (SELECT array_agg(f ORDER BY f) FROM unnest(ARRAY[
     'bookparse.run_queue(integer, interval)',
     'bookparse.retry_failed(interval, text)',
     'bookparse.purge_jobs(interval)',
     'bookparse.pause()', 'bookparse.resume()',
     'bookparse.worker_slots()']) f
    WHERE has_function_privilege('bpt_alice', f, 'EXECUTE')),
  NULL, 'a writer may call no admin function');
SELECT is(
  (SELECT count(*)::int FROM unnest(ARRAY[
     'bookparse.run_queue(integer, interval)',
     'bookparse.retry_failed(interval, text)',
     'bookparse.purge_jobs(interval)',
     'bookparse.pause()', 'bookparse.resume()']) f
    WHERE has_function_privilege('bpt_admin', f, 'EXECUTE')),
  5, 'an admin may call every admin function');

-- ---- two tenants ----
SET ROLE bpt_alice;
SELECT lives_ok($$SELECT bookparse.submit(convert_to('Alice wrote this book. It has two sentences.', 'UTF8'), 'alice.txt')$$,
                'alice submits a book');
RESET ROLE;
SET ROLE bpt_bob;
SELECT lives_ok($$SELECT bookparse.submit(convert_to('Bob wrote another book. It is short.' || E'\n\n' ||
  'The room was long and low, with a cracked ceiling of dark oak beams. A narrow window of green glass '
  'let in a grey light that fell on a table covered with a faded red cloth, two brass candlesticks '
  'and a pile of yellowed papers.', 'UTF8'), 'bob.txt')$$,
                'bob submits a book');
RESET ROLE;

-- the results, as run_queue() (an admin's call) leaves them
SELECT is(bookparse.run_queue(), 2, 'an admin-side run_queue parses both');
SELECT is((SELECT submitted_by::text FROM bookparse.book WHERE filename = 'alice.txt'),
          'bpt_alice', 'the book records who submitted it');

CREATE TEMP TABLE ids AS
SELECT (SELECT id FROM bookparse.book WHERE filename = 'alice.txt') AS alice,
       (SELECT id FROM bookparse.book WHERE filename = 'bob.txt') AS bob;
GRANT SELECT ON ids TO PUBLIC;
SELECT ok((SELECT count(*) FROM bookparse.scene WHERE book_id = (SELECT bob FROM ids)) > 0,
          'bob''s book has a scene');

SET ROLE bpt_alice;
SELECT is((SELECT array_agg(filename) FROM bookparse.book), ARRAY['alice.txt'],
          'alice sees only her book');
SELECT is((SELECT count(*)::int FROM bookparse.chapter WHERE book_id = (SELECT bob FROM ids)), 0,
          'alice sees none of bob''s chapters');
SELECT ok((SELECT count(*) FROM bookparse.chapter WHERE book_id = (SELECT alice FROM ids)) > 0,
          'but her own');
SELECT is((SELECT count(*)::int FROM bookparse.job WHERE book_id = (SELECT bob FROM ids)), 0,
          'alice sees none of bob''s jobs');
SELECT is((SELECT count(*)::int FROM bookparse.asset WHERE book_id = (SELECT bob FROM ids)), 0,
          'alice sees none of bob''s assets');
SELECT is((SELECT count(*)::int FROM bookparse.scene WHERE book_id = (SELECT bob FROM ids)), 0,
          'alice sees none of bob''s scenes');
SELECT is((SELECT count(*)::int FROM bookparse.scenes((SELECT bob FROM ids), NULL, 0)), 0,
          'nor through bookparse.scenes()');
SELECT is((SELECT parsed::int FROM bookparse.status), 1,
          'bookparse.status counts only her books');
SELECT throws_ok($$SELECT bookparse.reparse((SELECT bob FROM ids))$$, 'P0002', NULL,
                 'alice cannot reparse bob''s book (it does not exist for her)');
SELECT is(bookparse.cancel((SELECT bob FROM ids)), false, 'cancel of bob''s book does nothing');
SELECT is(bookparse.wait((SELECT bob FROM ids), '0'), NULL, 'wait on bob''s book sees no book');
SELECT lives_ok($$UPDATE bookparse.book SET status = 'failed' WHERE id = (SELECT bob FROM ids)$$,
                'an UPDATE of bob''s book runs');
SELECT lives_ok($$DELETE FROM bookparse.book WHERE id = (SELECT bob FROM ids)$$,
                'a DELETE of bob''s book runs');
SELECT throws_ok($$INSERT INTO bookparse.job (book_id) VALUES ((SELECT bob FROM ids))$$, '42501', NULL,
                 'alice cannot queue a job for bob''s book');
SELECT throws_ok($$SELECT bookparse.run_queue()$$, '42501', NULL, 'alice cannot run the queue');
SELECT throws_ok($$SELECT bookparse.pause()$$, '42501', NULL, 'alice cannot pause');
SELECT throws_ok($$SELECT bookparse.retry_failed()$$, '42501', NULL, 'alice cannot retry_failed');
SELECT throws_ok($$SELECT bookparse.purge_jobs('0')$$, '42501', NULL, 'alice cannot purge_jobs');
SELECT throws_ok($$SELECT * FROM bookparse.workers$$, '42501', NULL, 'alice cannot read the workers view');
SELECT is(bookparse.wait((SELECT alice FROM ids), '0'), 'parsed', 'alice waits for her own book');
SELECT lives_ok($$SELECT bookparse.reparse((SELECT alice FROM ids))$$, 'alice reparses her own book');
SELECT is(bookparse.cancel((SELECT alice FROM ids)), true, 'and cancels it');
RESET ROLE;

SELECT is((SELECT status FROM bookparse.book WHERE id = (SELECT bob FROM ids)), 'parsed',
          'bob''s book is untouched by alice''s UPDATE and DELETE');

-- a writer may delete its own books (and with them their results)
SET ROLE bpt_alice;
SELECT lives_ok($$SELECT bookparse.submit(convert_to('A book to throw away.', 'UTF8'), 'drop.txt')$$,
                'alice submits another book');
WITH d AS (DELETE FROM bookparse.book WHERE filename = 'drop.txt' RETURNING 1)
SELECT is(count(*)::int, 1, 'and deletes it') FROM d;
RESET ROLE;

-- ---- a reader ----
SET ROLE bpt_reader;
SELECT is((SELECT count(*)::int FROM bookparse.book), 2, 'a reader sees every book');
SELECT ok((SELECT count(*) FROM bookparse.chapter) > 0, 'and their chapters');
SELECT throws_ok($$SELECT bookparse.submit(convert_to('x', 'UTF8'))$$, '42501', NULL,
                 'a reader cannot submit');
SELECT throws_ok($$INSERT INTO bookparse.book (content, content_sha256, byte_size) VALUES ('x', 'x', 1)$$,
                 '42501', NULL, 'nor insert a book itself');
SELECT throws_ok($$UPDATE bookparse.book SET title = 'x'$$, '42501', NULL, 'nor change one');
RESET ROLE;

-- ---- nobody ----
SET ROLE bpt_nobody;
SELECT throws_ok($$SELECT count(*) FROM bookparse.book$$, '42501', NULL,
                 'a role without bookparse roles cannot read books');
SELECT throws_ok($$SELECT bookparse.parse(convert_to('x', 'UTF8'))$$, '42501', NULL,
                 'nor call parse()');
RESET ROLE;

-- ---- an admin ----
SET ROLE bpt_admin;
SELECT is((SELECT count(*)::int FROM bookparse.book), 2, 'an admin sees every book');
SELECT is(bookparse.pause(), true, 'an admin pauses the queue');
SELECT is((SELECT paused FROM bookparse.status), true, 'status shows it');
SELECT is(bookparse.pause(), false, 'a second pause changes nothing');
SELECT lives_ok($$SELECT bookparse.reparse((SELECT bob FROM ids))$$, 'an admin reparses bob''s book');
SELECT is(bookparse.run_queue(), 0, 'run_queue takes nothing while paused');
SELECT is(bookparse.resume(), true, 'resume');
SELECT is(bookparse.run_queue(), 1, 'run_queue runs it after resume');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;

-- The catalog of schema bookparse: volatility of the parsing functions
-- (docs/sql.md, "Volatility") and a comment on every function, table,
-- view and column, so that \df+, \dt+, \dv+ and \d+ say what each is.
-- Every object is found from the catalog: one added later without its
-- comment fails here.  Run by test/run_all.sh with pg_prove as a
-- superuser, in a database where pgtap and bookparse exist.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
SELECT plan(9);

-- ---- volatility ----
-- parse() and parse_chapters() raise limit_exceeded or not depending on
-- bookparse.work_mem / max_work_mem, and count words with ICU: STABLE
SELECT is((SELECT provolatile::text FROM pg_proc
            WHERE oid = 'bookparse.parse(bytea, text)'::regprocedure),
          's', 'parse() is STABLE');
SELECT is((SELECT provolatile::text FROM pg_proc
            WHERE oid = 'bookparse.parse_chapters(bytea, text)'::regprocedure),
          's', 'parse_chapters() is STABLE');
-- detect_format() and describe_format() read only the bytes, with
-- bookparse's own code (no ICU, no setting): IMMUTABLE
SELECT is((SELECT provolatile::text FROM pg_proc
            WHERE oid = 'bookparse.detect_format(bytea)'::regprocedure),
          'i', 'detect_format() is IMMUTABLE');
SELECT is((SELECT provolatile::text FROM pg_proc
            WHERE oid = 'bookparse.describe_format(bytea)'::regprocedure),
          'i', 'describe_format() is IMMUTABLE');
-- search_config() maps a language tag or a sample's script to one of
-- PostgreSQL's built-in configurations by a fixed table: IMMUTABLE too;
-- search_vector() is IMMUTABLE as to_tsvector(regconfig, text) is (a
-- generated column needs it).  Nothing else of the schema claims IMMUTABLE
SELECT is(
  (SELECT array_agg(p.oid::regprocedure::text ORDER BY p.oid::regprocedure::text) FROM pg_proc p
    WHERE p.pronamespace = 'bookparse'::regnamespace AND p.provolatile = 'i'),
  ARRAY['bookparse.describe_format(bytea)', 'bookparse.detect_format(bytea)',
        'bookparse.search_config(text,text)', 'bookparse.search_vector(regconfig,text,text)'],
  'detect_format(), describe_format(), search_config() and search_vector() are the only IMMUTABLE functions');

-- ---- comments ----
SELECT is(obj_description('bookparse'::regnamespace, 'pg_namespace') IS NOT NULL,
          true, 'the schema has a comment');
SELECT is(
  (SELECT array_agg(p.oid::regprocedure::text ORDER BY p.oid::regprocedure::text) FROM pg_proc p
    WHERE p.pronamespace = 'bookparse'::regnamespace
      AND coalesce(obj_description(p.oid, 'pg_proc'), '') = ''),
  NULL, 'every function has a comment');
SELECT is(
  (SELECT array_agg(c.oid::regclass::text ORDER BY c.oid::regclass::text) FROM pg_class c
    WHERE c.relnamespace = 'bookparse'::regnamespace
      AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
      AND coalesce(obj_description(c.oid, 'pg_class'), '') = ''),
  NULL, 'every table and view has a comment');
SELECT is(
  (SELECT array_agg(c.oid::regclass::text || '.' || a.attname ORDER BY c.oid::regclass::text, a.attnum)
     FROM pg_class c
     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE c.relnamespace = 'bookparse'::regnamespace
      AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
      AND coalesce(col_description(c.oid, a.attnum), '') = ''),
  NULL, 'every column of every table and view has a comment');

SELECT * FROM finish();
ROLLBACK;

/* bookparse--0.1.0.sql: install script of the bookparse extension */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION bookparse" to load this file. \quit

-- ==== parsing functions (src/parse_funcs.c) ====

-- The book model as jsonb: metadata, toc, chapters with counts, assets,
-- stats and warnings (the JSON of `bookparse-dump FILE`).
CREATE FUNCTION bookparse.parse(content bytea, filename text DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'bookparse_parse'
LANGUAGE C IMMUTABLE PARALLEL SAFE COST 10000;

COMMENT ON FUNCTION bookparse.parse(bytea, text) IS
'Parse an e-book (EPUB 2/3, FB2, FB2.zip, plain text) into its model as jsonb; filename only names the book in errors';

-- One row per chapter in reading order, with its plain text and sanitized HTML.
CREATE FUNCTION bookparse.parse_chapters(content bytea, filename text DEFAULT NULL)
RETURNS TABLE (number int, title text, depth int, source text, text text,
               html text, words int, sentences int, characters int,
               paragraphs int)
AS 'MODULE_PATHNAME', 'bookparse_parse_chapters'
LANGUAGE C IMMUTABLE PARALLEL SAFE COST 10000 ROWS 20;

COMMENT ON FUNCTION bookparse.parse_chapters(bytea, text) IS
'Parse an e-book into its chapters: number, title, depth, source, plain text, sanitized HTML and counts';

-- The format of some bytes: epub, fb2, fb2.zip, txt; NULL when not a book.
CREATE FUNCTION bookparse.detect_format(content bytea)
RETURNS text
AS 'MODULE_PATHNAME', 'bookparse_detect_format'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION bookparse.detect_format(bytea) IS
'Format of an e-book (epub, fb2, fb2.zip, txt), or NULL when the bytes are not a book';

-- What some bytes look like, in words ("EPUB book", "PDF document", ...).
CREATE FUNCTION bookparse.describe_format(content bytea)
RETURNS text
AS 'MODULE_PATHNAME', 'bookparse_describe_format'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION bookparse.describe_format(bytea) IS
'What the bytes look like, in words: EPUB book, PDF document, PNG image, ...';

-- ==== queue, workers and stored results (src/queue.c, src/worker.c, ...) ====

-- ==== workers view (src/worker.c) ====

-- One row per running parse worker, read from shared memory (empty unless
-- bookparse is in shared_preload_libraries).
CREATE FUNCTION bookparse.worker_slots(
    OUT slot integer,
    OUT pid integer,
    OUT job_id bigint,
    OUT book_id bigint,
    OUT phase text,
    OUT progress integer,
    OUT memory_bytes bigint,
    OUT started_at timestamptz)
RETURNS SETOF record
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'bp_worker_slots';

COMMENT ON FUNCTION bookparse.worker_slots() IS
'Worker slots in use: pid, job, phase (idle/starting/reading/inflating/parsing/analysing/storing), progress 0-100, parse memory';

CREATE VIEW bookparse.workers AS
    SELECT slot, pid, job_id, book_id, phase, progress, memory_bytes, started_at
    FROM bookparse.worker_slots();

COMMENT ON VIEW bookparse.workers IS
'One row per bookparse parse worker, in the spirit of pg_stat_progress_*';

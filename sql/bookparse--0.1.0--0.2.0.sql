/* bookparse--0.1.0--0.2.0.sql: upgrade of the bookparse extension from 0.1.0 */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION bookparse UPDATE TO '0.2.0'" to load this file. \quit

-- A fresh CREATE EXTENSION bookparse runs bookparse--0.1.0.sql and then this
-- script, so both paths end in the same schema (test/t/014_upgrade.pl
-- compares them).  0.1.0 is released: its script never changes; every
-- schema change from now on goes into an upgrade script like this one.

-- What the update from 0.1.0 rewrites: bookparse.chapter, once, to add the
-- generated search vector of every chapter (full-text search, below),
-- after an UPDATE of every chapter's search_config; then it builds the GIN
-- index on the vector.  Everything else changes the catalog (function
-- volatility, grants, policies, comments, the job key, job.node and the
-- nullable submitted_by copies for Citus) or creates the new, empty
-- bookparse.scene.  Measured with
-- test/bench/upgrade_time.sh 20000 (20,001 books, 200,004 chapters of
-- 1 kB, 388 MB; 2 shared cores, load average about 10): 7 min 29 s;
-- without the search part the same update took 30 ms on ten times that
-- library.  The chapter table is locked (ACCESS EXCLUSIVE) for the whole
-- time and the update waits for running parses: pause the queue first
-- (docs/operations.md, "Upgrading"; docs/search.md).
-- Whoever appends to this script: keep this paragraph true (a rewrite of
-- a big table, an index build or a backfill takes time on a large library:
-- say how long, measured).

-- ==== volatility (docs/sql.md, "Volatility") ====
--
-- parse() and parse_chapters() are not IMMUTABLE: whether they raise
-- limit_exceeded depends on bookparse.work_mem and bookparse.max_work_mem,
-- and their word and sentence counts on the ICU version the server links.
-- STABLE says what is true: same result within one statement.
-- detect_format() and describe_format() look only at the bytes with
-- bookparse's own code (no ICU, no settings, no allocation): they stay
-- IMMUTABLE, like any function whose answer can change only with a new
-- version of the extension.

-- An index or generated column built on parse() or parse_chapters() (legal
-- while they were IMMUTABLE) keeps working, but PostgreSQL would refuse to
-- create it again (a dump could not be restored): name such objects.
DO $$
DECLARE
	objs text;
BEGIN
	SELECT pg_catalog.string_agg(DISTINCT
			pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid), '; ')
	  INTO objs
	  FROM pg_catalog.pg_depend d
	 WHERE d.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass
	   AND d.refobjid IN ('bookparse.parse(bytea, text)'::pg_catalog.regprocedure,
						  'bookparse.parse_chapters(bytea, text)'::pg_catalog.regprocedure)
	   AND d.deptype = 'n'
	   AND (
			-- index expressions and predicates
			(d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
			 AND EXISTS (SELECT FROM pg_catalog.pg_class c
						  WHERE c.oid = d.objid AND c.relkind IN ('i', 'I')))
			-- generated columns
			OR (d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass
				AND EXISTS (SELECT FROM pg_catalog.pg_attrdef ad
							  JOIN pg_catalog.pg_attribute a
								ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
							 WHERE ad.oid = d.objid AND a.attgenerated <> '')));
	IF objs IS NOT NULL THEN
		RAISE WARNING 'bookparse.parse() and bookparse.parse_chapters() are now STABLE, not IMMUTABLE; these objects use them where PostgreSQL requires IMMUTABLE functions: %', objs
			USING HINT = 'They keep working, but a dump of them will not restore: store the parse results in columns instead, or wrap the call in your own IMMUTABLE function (see "Volatility" in bookparse''s docs/sql.md).';
	END IF;
END
$$;

ALTER FUNCTION bookparse.parse(bytea, text) STABLE;
ALTER FUNCTION bookparse.parse_chapters(bytea, text) STABLE;

-- ==== pg_monitor (docs/operations.md, "Monitoring") ====
--
-- 0.1.0 granted bookparse.workers to pg_monitor but not USAGE on the
-- schema, so the grant was useless.  Monitoring roles now read the workers
-- and the whole queue's numbers: bookparse.status (a security_invoker view)
-- over the columns of book and job that say where each book and job
-- stands, never a book's content, title, file name or error message.
GRANT USAGE ON SCHEMA bookparse TO pg_monitor;
GRANT SELECT ON bookparse.status, bookparse.queue_state TO pg_monitor;
GRANT SELECT (id, format, byte_size, status, error_code, submitted_at,
			  parsed_at)
	ON bookparse.book TO pg_monitor;
GRANT SELECT (id, book_id, state, priority, attempts, run_after, enqueued_at,
			  started_at, finished_at, worker_pid, error_code, duration_ms,
			  peak_memory_bytes)
	ON bookparse.job TO pg_monitor;
-- every book's row (of those columns) to a monitoring role that is not a
-- tenant: a writer that is also in pg_monitor still sees only its own
-- books, as it would as a reader; jobs follow their book (job_book)
CREATE POLICY book_monitor ON bookparse.book FOR SELECT TO pg_monitor
	USING (NOT pg_catalog.pg_has_role(current_user, 'bookparse_writer', 'MEMBER'));

-- ==== comments: \dt+, \d+, \df+ and \dv+ say what everything is ====

COMMENT ON SCHEMA bookparse IS
'bookparse: e-book parsing functions, the parse queue and its stored results';

COMMENT ON FUNCTION bookparse.parse(bytea, text) IS
'Parse an e-book (EPUB 2/3, FB2, FB2.zip, plain text) into its model as jsonb; filename only names the book in errors.  STABLE: limits depend on bookparse.work_mem, counts on ICU';
COMMENT ON FUNCTION bookparse.parse_chapters(bytea, text) IS
'Parse an e-book into its chapters: number, title, depth, source, plain text, sanitized HTML and counts.  STABLE: limits depend on bookparse.work_mem, counts on ICU';

COMMENT ON FUNCTION bookparse.submit(bytea, text, integer) IS
'Store a book and queue it for parsing; returns the book id (workers start when the transaction commits)';
COMMENT ON FUNCTION bookparse.reparse(bigint, integer) IS
'Queue a stored book again (or raise the priority of its queued job); returns the job id';
COMMENT ON FUNCTION bookparse.cancel(bigint) IS
'Cancel a book''s queued jobs and stop its running one; returns whether anything was canceled';
COMMENT ON FUNCTION bookparse.wait(bigint, interval) IS
'Wait until a book is no longer queued or parsing (at most timeout; NULL = no limit) and return its status; NULL for an unknown book';
COMMENT ON FUNCTION bookparse.run_queue(integer, interval) IS
'Parse queued books in this session and transaction (without workers), up to max_jobs books or max_time; returns how many jobs ran';

-- ---- bookparse.book ----
COMMENT ON TABLE bookparse.book IS
'One row per stored book: its bytes, where it stands in the queue, its parsed metadata and statistics';
COMMENT ON COLUMN bookparse.book.id IS 'Book id, returned by bookparse.submit()';
COMMENT ON COLUMN bookparse.book.filename IS 'File name given to submit() (may be NULL); names the book in errors';
COMMENT ON COLUMN bookparse.book.content IS 'The book''s bytes';
COMMENT ON COLUMN bookparse.book.content_sha256 IS 'sha256(content), indexed, to find duplicates';
COMMENT ON COLUMN bookparse.book.byte_size IS 'octet_length(content)';
COMMENT ON COLUMN bookparse.book.format IS 'At submit the detected family (epub, fb2, fb2.zip, txt; NULL if not a book), once parsed the precise format (epub2, epub3, ...)';
COMMENT ON COLUMN bookparse.book.status IS 'queued, parsing, parsed or failed';
COMMENT ON COLUMN bookparse.book.error IS 'Why the book failed (only while status = ''failed'')';
COMMENT ON COLUMN bookparse.book.error_code IS 'Stable code of the failure: not_a_book, limit_exceeded, timeout, ... (only while status = ''failed''; docs/queue.md)';
COMMENT ON COLUMN bookparse.book.title IS 'Title from the book''s metadata';
COMMENT ON COLUMN bookparse.book.authors IS 'Creators without a role or with role aut; NULL if none';
COMMENT ON COLUMN bookparse.book.language IS 'Language from the book''s metadata';
COMMENT ON COLUMN bookparse.book.isbn IS 'ISBN from the book''s metadata';
COMMENT ON COLUMN bookparse.book.publisher IS 'Publisher from the book''s metadata';
COMMENT ON COLUMN bookparse.book.published IS 'Publication date as the book gives it';
COMMENT ON COLUMN bookparse.book.description IS 'Description from the book''s metadata';
COMMENT ON COLUMN bookparse.book.subjects IS 'EPUB subjects or FB2 genres; NULL if none';
COMMENT ON COLUMN bookparse.book.series IS 'Series the book belongs to';
COMMENT ON COLUMN bookparse.book.series_index IS 'Position in the series, as the book gives it';
COMMENT ON COLUMN bookparse.book.metadata IS 'The whole model as bookparse.parse() returns it (metadata, toc, chapters with counts, assets without data, warnings, stats)';
COMMENT ON COLUMN bookparse.book.words IS 'Words of all chapters';
COMMENT ON COLUMN bookparse.book.sentences IS 'Sentences of all chapters';
COMMENT ON COLUMN bookparse.book.chapters IS 'Number of chapters';
COMMENT ON COLUMN bookparse.book.reading_minutes IS 'words / 200, rounded up';
COMMENT ON COLUMN bookparse.book.submitted_at IS 'When the book was submitted';
COMMENT ON COLUMN bookparse.book.parsed_at IS 'When the book was last parsed successfully';
COMMENT ON COLUMN bookparse.book.submitted_by IS 'Role that submitted the book (current_user at submit()); row-level security shows a writer only its own books';

-- ---- bookparse.chapter ----
COMMENT ON TABLE bookparse.chapter IS
'The chapters of a parsed book in reading order, with plain text, sanitized HTML and counts';
COMMENT ON COLUMN bookparse.chapter.book_id IS 'The book (deleted with it)';
COMMENT ON COLUMN bookparse.chapter.number IS '1-based position in reading order';
COMMENT ON COLUMN bookparse.chapter.title IS 'Title from the table of contents or the chapter''s heading; NULL if none (FB2 sections without a title)';
COMMENT ON COLUMN bookparse.chapter.depth IS '1 = top level; parts hold deeper chapters';
COMMENT ON COLUMN bookparse.chapter.source IS 'href#fragment inside an EPUB, the section path of an FB2';
COMMENT ON COLUMN bookparse.chapter.is_notes IS 'Whether the chapter is from an FB2 notes body';
COMMENT ON COLUMN bookparse.chapter.text IS 'Plain text: paragraphs separated by a blank line';
COMMENT ON COLUMN bookparse.chapter.html IS 'Sanitized HTML (a fixed set of tags; no scripts, styles, event attributes or foreign URLs)';
COMMENT ON COLUMN bookparse.chapter.words IS 'Words (ICU word breaks)';
COMMENT ON COLUMN bookparse.chapter.sentences IS 'Sentences (ICU sentence breaks)';
COMMENT ON COLUMN bookparse.chapter.characters IS 'Unicode code points of the plain text (NFC), without the line breaks between paragraphs';
COMMENT ON COLUMN bookparse.chapter.paragraphs IS 'Paragraphs, headings, list items and table rows';

-- ---- bookparse.asset ----
COMMENT ON TABLE bookparse.asset IS
'Images and other assets of a parsed book';
COMMENT ON COLUMN bookparse.asset.book_id IS 'The book (deleted with it)';
COMMENT ON COLUMN bookparse.asset.href IS 'Path of the asset inside the book';
COMMENT ON COLUMN bookparse.asset.media_type IS 'Media type, e.g. image/png';
COMMENT ON COLUMN bookparse.asset.byte_size IS 'Size of the asset in bytes';
COMMENT ON COLUMN bookparse.asset.data IS 'The asset''s bytes (storage EXTERNAL: images are compressed already)';
COMMENT ON COLUMN bookparse.asset.is_cover IS 'Whether this is the book''s cover image';

-- ---- bookparse.job ----
COMMENT ON TABLE bookparse.job IS
'The parse queue and its history: one row per parse request of a book';
COMMENT ON COLUMN bookparse.job.id IS 'Job id, returned by bookparse.reparse()';
COMMENT ON COLUMN bookparse.job.book_id IS 'The book to parse (deleted with it)';
COMMENT ON COLUMN bookparse.job.state IS 'queued, running, done, failed or canceled';
COMMENT ON COLUMN bookparse.job.priority IS 'Higher runs first (then older, then lower id)';
COMMENT ON COLUMN bookparse.job.attempts IS 'Runs started so far';
COMMENT ON COLUMN bookparse.job.run_after IS 'Not claimed before this time (retry backoff)';
COMMENT ON COLUMN bookparse.job.enqueued_at IS 'When the job was queued';
COMMENT ON COLUMN bookparse.job.started_at IS 'When the last run started';
COMMENT ON COLUMN bookparse.job.finished_at IS 'When the job ended (done, failed, canceled); NULL while queued or running';
COMMENT ON COLUMN bookparse.job.worker_pid IS 'Process that runs (ran) the job';
COMMENT ON COLUMN bookparse.job.error IS 'The last error; kept on a job that is retried';
COMMENT ON COLUMN bookparse.job.error_code IS 'Stable code of the last error (docs/queue.md, "Failures and retries")';
COMMENT ON COLUMN bookparse.job.duration_ms IS 'Duration of the last run in milliseconds';
COMMENT ON COLUMN bookparse.job.peak_memory_bytes IS 'Most memory the job held: the parse or storing its results, the larger (see bookparse.work_mem)';

-- ---- bookparse.queue_state ----
COMMENT ON TABLE bookparse.queue_state IS
'One row: whether the queue is paused by bookparse.pause() (kept across restarts)';
COMMENT ON COLUMN bookparse.queue_state.onerow IS 'Always true: keeps the table at one row';
COMMENT ON COLUMN bookparse.queue_state.paused IS 'While true, workers and run_queue() take no new job';
COMMENT ON COLUMN bookparse.queue_state.paused_at IS 'When pause() paused the queue';
COMMENT ON COLUMN bookparse.queue_state.paused_by IS 'Role that paused the queue';

-- ---- bookparse.status ----
COMMENT ON VIEW bookparse.status IS
'The queue at a glance, one row; security_invoker: each role counts the rows it may see';
COMMENT ON COLUMN bookparse.status.queued IS 'Queued jobs';
COMMENT ON COLUMN bookparse.status.running IS 'Running jobs';
COMMENT ON COLUMN bookparse.status.parsed IS 'Parsed books';
COMMENT ON COLUMN bookparse.status.failed IS 'Failed books';
COMMENT ON COLUMN bookparse.status.oldest_queued_age IS 'Age of the oldest queued job; NULL if none';
COMMENT ON COLUMN bookparse.status.parsed_last_hour IS 'Books parsed in the last hour';
COMMENT ON COLUMN bookparse.status.paused IS 'Whether bookparse.pause() is in force';

-- ---- bookparse.workers ----
COMMENT ON VIEW bookparse.workers IS
'One row per bookparse parse worker, read from shared memory in the spirit of pg_stat_progress_* (empty unless bookparse is in shared_preload_libraries)';
COMMENT ON COLUMN bookparse.workers.slot IS 'Worker slot number';
COMMENT ON COLUMN bookparse.workers.pid IS 'Process id (pg_stat_activity.backend_type = ''bookparse worker'')';
COMMENT ON COLUMN bookparse.workers.job_id IS 'The job being run; NULL when idle';
COMMENT ON COLUMN bookparse.workers.book_id IS 'The book being parsed; NULL when idle';
COMMENT ON COLUMN bookparse.workers.phase IS 'idle, starting, reading, inflating, parsing, analysing, storing or committing (results written: too late for cancel())';
COMMENT ON COLUMN bookparse.workers.progress IS '0-100: share of the input''s bytes processed';
COMMENT ON COLUMN bookparse.workers.memory_bytes IS 'Parse memory the job holds now';
COMMENT ON COLUMN bookparse.workers.started_at IS 'When the job started';

-- ==== scenes (docs/scenes.md) ====
--
-- The paragraphs of a parsed book that describe a place, a person or the
-- atmosphere, found by the workers when bookparse.extract_scenes is on
-- (the default) with word lists in share/extension/bookparse/scenes.

CREATE TABLE bookparse.scene (
	book_id bigint NOT NULL,
	chapter integer NOT NULL,
	paragraph integer NOT NULL,
	kind text NOT NULL
		CHECK (kind IN ('location', 'character', 'atmosphere', 'none')),
	score real NOT NULL CHECK (score >= 0 AND score <= 1),
	illustratable boolean NOT NULL,
	text_start integer NOT NULL,
	text_length integer NOT NULL,
	excerpt text NOT NULL,
	PRIMARY KEY (book_id, chapter, paragraph),
	FOREIGN KEY (book_id, chapter)
		REFERENCES bookparse.chapter (book_id, number) ON DELETE CASCADE
);
-- an illustrator's list: the best of one kind across the library
CREATE INDEX scene_kind_score_idx ON bookparse.scene (kind, score DESC)
	WHERE illustratable;

SELECT pg_catalog.pg_extension_config_dump('bookparse.scene', '');

ALTER TABLE bookparse.scene ENABLE ROW LEVEL SECURITY;
CREATE POLICY scene_book ON bookparse.scene
	USING (EXISTS (SELECT 1 FROM bookparse.book b WHERE b.id = book_id));

REVOKE ALL ON bookparse.scene FROM PUBLIC;
GRANT SELECT ON bookparse.scene TO bookparse_reader;
GRANT SELECT, INSERT, UPDATE, DELETE ON bookparse.scene TO bookparse_admin;

COMMENT ON TABLE bookparse.scene IS
'Paragraphs of parsed books that describe a location, a character or the atmosphere, or that an illustrator could draw (docs/scenes.md); replaced at every parse';
COMMENT ON COLUMN bookparse.scene.book_id IS 'The book (deleted with it)';
COMMENT ON COLUMN bookparse.scene.chapter IS 'bookparse.chapter.number of the paragraph';
COMMENT ON COLUMN bookparse.scene.paragraph IS '1-based position of the paragraph in its chapter';
COMMENT ON COLUMN bookparse.scene.kind IS 'location, character, atmosphere, or none (not descriptive, but illustratable)';
COMMENT ON COLUMN bookparse.scene.score IS '0-1: how much of the paragraph is description of its kind';
COMMENT ON COLUMN bookparse.scene.illustratable IS 'One specific picture can be drawn from the paragraph alone: something visible and a concrete detail of it';
COMMENT ON COLUMN bookparse.scene.text_start IS '1-based character position of the paragraph in bookparse.chapter.text';
COMMENT ON COLUMN bookparse.scene.text_length IS 'Characters of the paragraph: substr(chapter.text, text_start, text_length)';
COMMENT ON COLUMN bookparse.scene.excerpt IS 'The paragraph''s beginning, at most 200 characters, cut between words';

-- The scene extractor's verdict on one paragraph (ad hoc use).
CREATE FUNCTION bookparse.classify_paragraph(paragraph text,
											 language text DEFAULT NULL,
											 OUT kind text, OUT score real,
											 OUT illustratable boolean)
RETURNS record
AS 'MODULE_PATHNAME', 'bookparse_classify_paragraph'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION bookparse.classify_paragraph(text, text) IS
'The scene extractor''s verdict on one paragraph: kind (location, character, atmosphere, none), score 0-1, illustratable; language en or ru (NULL: from the script).  STABLE: the word lists are files of the installation';

-- The best passages of a book, in reading order.
CREATE FUNCTION bookparse.scenes(book_id bigint, kind text DEFAULT NULL,
								 min_score real DEFAULT 0.5)
RETURNS TABLE (chapter integer, paragraph integer, kind text, score real,
			   illustratable boolean, chapter_title text, excerpt text,
			   text text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT s.chapter, s.paragraph, s.kind, s.score, s.illustratable,
		   c.title, s.excerpt, substr(c.text, s.text_start, s.text_length)
	  FROM bookparse.scene s
	  JOIN bookparse.chapter c ON c.book_id = s.book_id AND c.number = s.chapter
	 WHERE s.book_id = $1
	   AND ($2 IS NULL OR s.kind = $2)
	   AND s.score >= coalesce($3, 0)
	 ORDER BY s.chapter, s.paragraph
$$;

COMMENT ON FUNCTION bookparse.scenes(bigint, text, real) IS
'The scenes of a book with at least min_score, of one kind when kind is given, in reading order, with the paragraph''s whole text; row-level security applies';

REVOKE ALL ON FUNCTION bookparse.classify_paragraph(text, text),
	bookparse.scenes(bigint, text, real) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION bookparse.classify_paragraph(text, text),
	bookparse.scenes(bigint, text, real) TO bookparse_writer;
GRANT EXECUTE ON FUNCTION bookparse.scenes(bigint, text, real)
	TO bookparse_reader;

-- ==== bookparse.version() (issue 16; docs/operations.md, "Upgrading") ====
--
-- The version of the loaded library next to the version of the extension
-- installed in this database: after a new package and a restart, status
-- 'update pending' until ALTER EXTENSION bookparse UPDATE runs here
-- (the library serves the older schema meanwhile); 'unsupported' when the
-- extension is newer than the library (the queue functions then refuse to
-- run and no worker starts).  A record, so that monitoring and scripts
-- read each field by name.

CREATE FUNCTION bookparse.version(OUT library text, OUT extension text,
								  OUT status text)
RETURNS record
AS 'MODULE_PATHNAME', 'bookparse_version'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION bookparse.version() IS
'The loaded library''s version, the version of the extension installed in this database, and status: ok, update pending (run ALTER EXTENSION bookparse UPDATE) or unsupported (library older than the extension)';

REVOKE ALL ON FUNCTION bookparse.version() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION bookparse.version() TO bookparse_reader, pg_monitor;

-- ==== full-text search (docs/search.md, issue 14) ====
--
-- Every chapter has the text search configuration of its book
-- (search_config: the book's language, else the script of its text, else
-- simple) and a search vector generated from it: the chapter title with
-- weight A, its whole text with weight B (bookparse.search_vector()).  A
-- vector may not pass PostgreSQL's 1 MB: the words of a chapter met last
-- are left out when it would (docs/search.md), so no chapter ever fails
-- its book.  The vector is a STORED generated column: reparse() replaces
-- the rows, and any UPDATE of a chapter's title, text or configuration
-- recomputes it.

-- The text search configuration for a language tag (its primary subtag:
-- 'en', 'en-GB', 'ru_RU', 'eng'), else, when no language is given, for the
-- script with the most letters in the first 4,000 characters of sample
-- (Latin is taken for English), else simple.  A language given without a
-- configuration gets simple (no stemming, no stop words: right for any
-- language), not its script's.
CREATE FUNCTION bookparse.search_config(language text, sample text DEFAULT NULL)
RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(
		(SELECT m.cfg
		   FROM (VALUES
				('en', 'english'::regconfig), ('eng', 'english'),
				('ru', 'russian'), ('rus', 'russian'),
				('de', 'german'), ('deu', 'german'), ('ger', 'german'),
				('fr', 'french'), ('fra', 'french'), ('fre', 'french'),
				('es', 'spanish'), ('spa', 'spanish'),
				('it', 'italian'), ('ita', 'italian'),
				('pt', 'portuguese'), ('por', 'portuguese'),
				('nl', 'dutch'), ('nld', 'dutch'), ('dut', 'dutch'),
				('sv', 'swedish'), ('swe', 'swedish'),
				('no', 'norwegian'), ('nb', 'norwegian'), ('nn', 'norwegian'),
				('nor', 'norwegian'), ('nob', 'norwegian'), ('nno', 'norwegian'),
				('da', 'danish'), ('dan', 'danish'),
				('fi', 'finnish'), ('fin', 'finnish'),
				('hu', 'hungarian'), ('hun', 'hungarian'),
				('ro', 'romanian'), ('ron', 'romanian'), ('rum', 'romanian'),
				('mo', 'romanian'),
				('tr', 'turkish'), ('tur', 'turkish'),
				('ar', 'arabic'), ('ara', 'arabic'),
				('el', 'greek'), ('ell', 'greek'), ('gre', 'greek'),
				('id', 'indonesian'), ('ind', 'indonesian'),
				('ga', 'irish'), ('gle', 'irish'),
				('lt', 'lithuanian'), ('lit', 'lithuanian'),
				('ne', 'nepali'), ('nep', 'nepali'),
				('sr', 'serbian'), ('srp', 'serbian'),
				('ta', 'tamil'), ('tam', 'tamil'),
				('hy', 'armenian'), ('hye', 'armenian'), ('arm', 'armenian'),
				('eu', 'basque'), ('eus', 'basque'), ('baq', 'basque'),
				('ca', 'catalan'), ('cat', 'catalan'),
				('hi', 'hindi'), ('hin', 'hindi'),
				('yi', 'yiddish'), ('yid', 'yiddish')) AS m (tag, cfg)
		  WHERE m.tag = lower(split_part(replace(btrim($1), '_', '-'), '-', 1))),
		(SELECT s.cfg
		   FROM (VALUES
				('english'::regconfig, '[A-Za-z\u00C0-\u024F]'),
				('russian', '[\u0400-\u04FF]'),
				('greek', '[\u0370-\u03FF\u1F00-\u1FFF]'),
				('arabic', '[\u0600-\u06FF]'),
				('armenian', '[\u0530-\u058F]'),
				('hindi', '[\u0900-\u097F]'),
				('tamil', '[\u0B80-\u0BFF]')) AS s (cfg, letter)
		  WHERE coalesce(btrim($1), '') = ''
			AND left($2, 4000) ~ s.letter
		  ORDER BY (SELECT count(*)
					  FROM regexp_matches(left($2, 4000), s.letter, 'g')) DESC,
				   s.cfg::oid
		  LIMIT 1),
		'simple'::regconfig)
$$;

-- The configuration first, filled for the chapters parsed before (one
-- pass over the chapter table: docs/search.md, "Upgrading from 0.1.0"),
-- then the vector, which ADD COLUMN computes while it rewrites the table.
ALTER TABLE bookparse.chapter
	ADD COLUMN search_config regconfig NOT NULL DEFAULT 'pg_catalog.simple';

-- once per book: its language, else the beginning of its longest chapter
-- (in bytes, as the worker takes it; octet_length reads no compressed text)
UPDATE bookparse.chapter c
   SET search_config = s.cfg
  FROM (SELECT b.id,
			   bookparse.search_config(b.language, (
					SELECT left(l.text, 4000)
					  FROM bookparse.chapter l
					 WHERE l.book_id = b.id
					   AND coalesce(b.language, '') = ''
					 ORDER BY octet_length(l.text) DESC NULLS LAST, l.number
					 LIMIT 1)) AS cfg
		  FROM bookparse.book b) s
 WHERE s.id = c.book_id
   AND s.cfg <> 'pg_catalog.simple'::regconfig;

-- setweight(to_tsvector(config, title), 'A') || setweight(to_tsvector(config,
-- body), 'B'), built by the library's lexer (src/core/bp_lex.c) about six
-- times faster than PostgreSQL's parser, for the whole text of the chapter.
-- A configuration the lexer does not reproduce goes through to_tsvector()
-- itself.  IMMUTABLE as to_tsvector(regconfig, text) is.
CREATE FUNCTION bookparse.search_vector(config regconfig, title text, body text)
RETURNS tsvector
AS 'MODULE_PATHNAME', 'bp_search_vector'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- The part of a chapter's text around its first word that matches query
-- (radius bytes each side, cut at spaces), for ts_headline(): it parses all
-- it is given at about 5 MB/s, so search() and search_book() give it this
-- excerpt, not the whole chapter.
CREATE FUNCTION bookparse.search_excerpt(config regconfig, body text, query tsquery,
										 radius integer DEFAULT 1500)
RETURNS text
AS 'MODULE_PATHNAME', 'bp_search_excerpt'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

ALTER TABLE bookparse.chapter
	ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
		bookparse.search_vector(search_config, title, text))
	STORED;

CREATE INDEX chapter_search_idx ON bookparse.chapter USING gin (search_vector);
-- which configurations chapters use: search() parses a query in those only
CREATE INDEX chapter_search_config_idx ON bookparse.chapter (search_config);

COMMENT ON COLUMN bookparse.chapter.search_config IS
'Text search configuration of the chapter, the book''s: bookparse.search_config(book language, its text) (docs/search.md)';
COMMENT ON COLUMN bookparse.chapter.search_vector IS
'Generated: bookparse.search_vector(search_config, title, text): the chapter title (weight A) and its text (weight B); GIN-indexed';

-- Chapters matching a web-search query, best first (docs/search.md).  The
-- query's first 1,000 characters are used: ranking and highlighting cost
-- grows with the query's terms times the chapter's (a 10,000-term query
-- took a minute over three chapters).
CREATE FUNCTION bookparse.search(query text, language text DEFAULT NULL,
								 max_results integer DEFAULT 20)
RETURNS TABLE (book_id bigint, title text, authors text[],
			   chapter_number integer, chapter_title text, rank real,
			   snippet text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning
AS $$
	-- the query parsed once per configuration that chapters use (an
	-- index probe each), then one GIN index scan per configuration
	-- (LATERAL, OFFSET 0: not flattened into a join that reads every row)
	WITH q AS MATERIALIZED (
		SELECT t.oid::regconfig AS cfg,
			   websearch_to_tsquery(t.oid::regconfig, left($1, 1000)) AS q
		  FROM pg_ts_config t
		 WHERE ($2 IS NULL AND EXISTS (SELECT FROM bookparse.chapter u
										WHERE u.search_config = t.oid::regconfig))
			OR ($2 IS NOT NULL AND t.oid = bookparse.search_config($2)))
	SELECT r.book_id, r.title, r.authors, r.number, r.chapter_title, r.rank,
		   ts_headline(r.cfg, bookparse.search_excerpt(r.cfg, r.text, r.q), r.q,
					   'MaxFragments=2, MinWords=8, MaxWords=25, FragmentDelimiter=" … "')
	  FROM (SELECT c.book_id, b.title, b.authors, c.number,
				   c.chapter_title, c.text, q.cfg, q.q,
				   (c.rank +
					ts_rank(setweight(to_tsvector(q.cfg, coalesce(b.title, '')), 'A'),
							q.q)) :: real AS rank
			  FROM q
			 CROSS JOIN LATERAL (
					SELECT c.book_id, c.number, c.title AS chapter_title, c.text,
						   ts_rank(c.search_vector, q.q, 1) AS rank
					  FROM bookparse.chapter c
					 WHERE c.search_vector @@ q.q
					   -- a filter on the rows found, not an index scan (::int8:
					   -- ANDed with the index of the configurations, this read
					   -- a configuration's whole index per query)
					   AND ($2 IS NOT NULL OR c.search_config::oid::int8 = q.cfg::oid::int8)
					OFFSET 0) c
			  JOIN bookparse.book b ON b.id = c.book_id
			 WHERE numnode(q.q) > 0
			 ORDER BY rank DESC, c.book_id, c.number
			 LIMIT greatest(coalesce($3, 20), 0)) r
	 ORDER BY r.rank DESC, r.book_id, r.number
$$;

-- The chapters of one book matching a web-search query, in reading order.
CREATE FUNCTION bookparse.search_book(book_id bigint, query text)
RETURNS TABLE (book_id bigint, title text, authors text[],
			   chapter_number integer, chapter_title text, rank real,
			   snippet text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning
AS $$
	SELECT r.book_id, r.title, r.authors, r.number, r.chapter_title, r.rank,
		   ts_headline(r.search_config, bookparse.search_excerpt(r.search_config, r.text, r.q), r.q,
					   'MaxFragments=2, MinWords=8, MaxWords=25, FragmentDelimiter=" … "')
	  FROM (SELECT c.book_id, b.title, b.authors, c.number,
				   c.title AS chapter_title, c.text, c.search_config, q.q,
				   ts_rank(c.search_vector, q.q, 1) AS rank
			  FROM bookparse.chapter c
			  JOIN bookparse.book b ON b.id = c.book_id
			 CROSS JOIN LATERAL websearch_to_tsquery(c.search_config, left($2, 1000)) AS q (q)
			 WHERE c.book_id = $1
			   AND numnode(q.q) > 0
			   AND c.search_vector @@ q.q) r
	 ORDER BY r.number
$$;

COMMENT ON FUNCTION bookparse.search_vector(regconfig, text, text) IS
'setweight(to_tsvector(config, title), ''A'') || setweight(to_tsvector(config, body), ''B''), built faster by bookparse''s lexer for the built-in Snowball and simple configurations (docs/search.md)';
COMMENT ON FUNCTION bookparse.search_excerpt(regconfig, text, tsquery, integer) IS
'The part of body around its first word matching query (radius bytes each side, cut at spaces), for ts_headline(); the beginning when nothing matches';
COMMENT ON FUNCTION bookparse.search(text, text, integer) IS
'Chapters matching a web-search query (its first 1,000 characters; quotes for phrases, - to exclude, or), best first, at most max_results, with a highlighted snippet; parsed in each chapter''s configuration, or in language''s when given; row-level security applies';
COMMENT ON FUNCTION bookparse.search_book(bigint, text) IS
'The chapters of one book matching a web-search query, in reading order, with rank and a highlighted snippet; row-level security applies';
COMMENT ON FUNCTION bookparse.search_config(text, text) IS
'Text search configuration for a language tag (primary subtag: en english, ru russian, every snowball language), else for the script of sample when no language is given, else simple';

REVOKE ALL ON FUNCTION bookparse.search(text, text, integer),
	bookparse.search_book(bigint, text),
	bookparse.search_config(text, text),
	bookparse.search_vector(regconfig, text, text),
	bookparse.search_excerpt(regconfig, text, tsquery, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION bookparse.search(text, text, integer),
	bookparse.search_book(bigint, text),
	bookparse.search_config(text, text),
	bookparse.search_vector(regconfig, text, text),
	bookparse.search_excerpt(regconfig, text, tsquery, integer)
	TO bookparse_reader;

-- ==== scale-out on Citus (docs/scale-out.md, issue 12) ====
--
-- bookparse.distribute() makes book, chapter, asset, job and scene Citus
-- distributed tables colocated on the book id, and queue_state a
-- reference table.  Citus needs every primary key and unique constraint
-- of a distributed table to hold its distribution column: job's becomes
-- (id, book_id) (ids stay unique, they come from one identity; a lookup
-- by id alone still uses the index).  The other keys and the foreign keys
-- (chapter, asset, job, scene -> book; scene -> chapter) hold the book id
-- already.  job.node records the node that ran the job.  Without Citus
-- nothing else changes.

ALTER TABLE bookparse.job DROP CONSTRAINT job_pkey,
	ADD CONSTRAINT job_pkey PRIMARY KEY (id, book_id);
ALTER TABLE bookparse.job ADD COLUMN node text;

-- The book's submitted_by on its chapters, assets, jobs and scenes: Citus
-- refuses row-level security policies with subqueries, so on a Citus
-- cluster those tables' policies read this copy instead of the book row
-- (distribute()).  submit(), reparse(), retry_failed() and the workers
-- write it for everyone; rows stored before this version have NULL until
-- distribute() fills them.  No default and no rewrite: adding the columns
-- only changes the catalog.
ALTER TABLE bookparse.chapter ADD COLUMN submitted_by name;
ALTER TABLE bookparse.asset ADD COLUMN submitted_by name;
ALTER TABLE bookparse.job ADD COLUMN submitted_by name;
ALTER TABLE bookparse.scene ADD COLUMN submitted_by name;
GRANT INSERT (submitted_by) ON bookparse.job TO bookparse_writer;
COMMENT ON COLUMN bookparse.chapter.submitted_by IS
'The book''s submitted_by (what row-level security reads on a Citus cluster); NULL for chapters stored before 0.2.0 on a single server';
COMMENT ON COLUMN bookparse.asset.submitted_by IS
'The book''s submitted_by (what row-level security reads on a Citus cluster); NULL for assets stored before 0.2.0 on a single server';
COMMENT ON COLUMN bookparse.job.submitted_by IS
'The book''s submitted_by (what row-level security reads on a Citus cluster); NULL for jobs queued before 0.2.0 on a single server';
COMMENT ON COLUMN bookparse.scene.submitted_by IS
'The book''s submitted_by (what row-level security reads on a Citus cluster)';

-- pause() and resume() with the time as a value: queue_state becomes a
-- Citus reference table, and Citus refuses now() inside CASE there.  Same
-- behaviour, same answers.
CREATE OR REPLACE FUNCTION bookparse.pause()
RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	was boolean;
	at timestamptz := now();
BEGIN
	SELECT paused INTO was FROM bookparse.queue_state FOR UPDATE;
	IF NOT was THEN
		UPDATE bookparse.queue_state
		   SET paused = true, paused_at = at, paused_by = current_user;
	END IF;
	RETURN NOT was;
END
$$;

CREATE OR REPLACE FUNCTION bookparse.resume()
RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	was boolean;
BEGIN
	SELECT paused INTO was FROM bookparse.queue_state FOR UPDATE;
	UPDATE bookparse.queue_state
	   SET paused = false, paused_at = NULL, paused_by = NULL;
	RETURN was;
END
$$;

-- monitoring reads every column of job but error (docs/operations.md)
GRANT SELECT (node) ON bookparse.job TO pg_monitor;

COMMENT ON COLUMN bookparse.job.node IS
'On a Citus cluster the node (host:port in pg_dist_node) whose worker runs (ran) the job; NULL on a single server';

-- Make the bookparse tables Citus distributed tables (on the coordinator).
CREATE FUNCTION bookparse.distribute(shard_count integer DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	t text;
	cmd text;
	fks text[] := '{}';
	cmds text[] := '{}';
	fk record;
	sc text := '';
BEGIN
	IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
		RAISE EXCEPTION 'bookparse.distribute() must be run by a superuser'
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	IF NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus') THEN
		RAISE EXCEPTION 'bookparse.distribute() needs Citus: the extension "citus" is not installed in this database'
			USING ERRCODE = 'feature_not_supported',
				  HINT = 'Install Citus, CREATE EXTENSION citus and add the worker nodes first (docs/scale-out.md).';
	END IF;
	EXECUTE 'SELECT pg_catalog.citus_is_coordinator()' INTO STRICT t;
	IF t IS DISTINCT FROM 'true' THEN
		RAISE EXCEPTION 'bookparse.distribute() must be run on the Citus coordinator'
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	IF EXISTS (SELECT FROM pg_catalog.pg_dist_partition
				WHERE logicalrelid = 'bookparse.job'::regclass) THEN
		RAISE NOTICE 'bookparse is distributed already';
		RETURN;
	END IF;
	IF shard_count IS NOT NULL THEN
		sc := format(', shard_count => %s', shard_count);
	END IF;

	-- The nodes created the same tables when Citus propagated CREATE
	-- EXTENSION bookparse (they become the nodes' "shell" tables): each
	-- change below is made on them too (run_command_on_workers).

	-- Citus refuses policies with subqueries on distributed tables: the
	-- rows' copy of their book's submitted_by decides instead (rows stored
	-- before 0.2.0 get it first).  The same rows stay visible: admins and
	-- pure readers (and monitoring roles that are no writers) see every
	-- row, a writer the rows of its own books.
	FOREACH t IN ARRAY ARRAY['chapter', 'asset', 'job', 'scene'] LOOP
		EXECUTE format('UPDATE bookparse.%I x SET submitted_by = b.submitted_by
						  FROM bookparse.book b
						 WHERE b.id = x.book_id AND x.submitted_by IS NULL', t);
		cmds := cmds || format('DROP POLICY IF EXISTS %I ON bookparse.%I',
							   t || '_book', t);
		FOREACH cmd IN ARRAY CASE WHEN t = 'job' THEN ARRAY['SELECT', 'UPDATE', 'DELETE']
								  ELSE ARRAY['ALL'] END LOOP
			cmds := cmds || format($p$CREATE POLICY %I ON bookparse.%I FOR %s
			USING (pg_catalog.pg_has_role(current_user, 'bookparse_admin', 'MEMBER')
				   OR ((pg_catalog.pg_has_role(current_user, 'bookparse_reader', 'MEMBER')
						OR pg_catalog.pg_has_role(current_user, 'pg_monitor', 'MEMBER'))
					   AND NOT pg_catalog.pg_has_role(current_user, 'bookparse_writer', 'MEMBER'))
				   OR submitted_by = current_user)$p$,
				t || '_citus' || CASE WHEN cmd = 'ALL' THEN '' ELSE '_' || lower(cmd) END,
				t, cmd);
		END LOOP;
	END LOOP;
	-- a writer queues jobs of its own books and nothing else: Citus sends
	-- every column of an INSERT (distribute() grants them all below), so
	-- this takes the place of 0.1.0's column grants.  (A permissive policy
	-- of its own: Citus 13 creates a RESTRICTIVE policy on the shards as a
	-- permissive one.)
	cmds := cmds || $p$CREATE POLICY job_citus_insert ON bookparse.job FOR INSERT
		WITH CHECK (pg_catalog.pg_has_role(current_user, 'bookparse_admin', 'MEMBER')
					OR (submitted_by = current_user
						AND state = 'queued' AND attempts = 0 AND worker_pid IS NULL
						AND node IS NULL AND started_at IS NULL
						AND finished_at IS NULL))$p$::text;

	-- foreign keys come back once both sides are distributed
	FOR fk IN SELECT c.conrelid::regclass AS rel, c.conname,
					 pg_get_constraintdef(c.oid) AS def
				FROM pg_constraint c
			   WHERE c.contype = 'f'
				 AND c.connamespace = 'bookparse'::regnamespace
			   ORDER BY c.conrelid::regclass::text = 'bookparse.scene', c.conname
	LOOP
		fks := fks || format('ALTER TABLE %s ADD CONSTRAINT %I %s',
							 fk.rel, fk.conname, fk.def);
		cmds := cmds || format('ALTER TABLE %s DROP CONSTRAINT IF EXISTS %I',
							   fk.rel, fk.conname);
	END LOOP;
	FOREACH t IN ARRAY cmds LOOP
		EXECUTE t;
		EXECUTE 'SELECT pg_catalog.run_command_on_workers($1)' USING t;
	END LOOP;

	EXECUTE format($d$SELECT pg_catalog.create_distributed_table('bookparse.book', 'id'%s)$d$, sc);
	FOREACH t IN ARRAY ARRAY['chapter', 'asset', 'job', 'scene'] LOOP
		EXECUTE format($d$SELECT pg_catalog.create_distributed_table(%L, 'book_id',
			colocate_with => 'bookparse.book')$d$, 'bookparse.' || t);
	END LOOP;
	EXECUTE $d$SELECT pg_catalog.create_reference_table('bookparse.queue_state')$d$;
	-- Citus gives new shards the tables' grants but not all column grants
	-- (submit() inserts through those): grant them again, Citus passes
	-- them on to the shards
	FOR fk IN SELECT a.attrelid::regclass AS rel, a.attname, x.privilege_type,
					 x.grantee::regrole AS grantee
				FROM pg_attribute a, aclexplode(a.attacl) x
			   WHERE a.attrelid IN ('bookparse.book'::regclass, 'bookparse.chapter'::regclass,
									'bookparse.asset'::regclass, 'bookparse.job'::regclass,
									'bookparse.scene'::regclass)
				 AND x.grantee <> 0
	LOOP
		EXECUTE format('GRANT %s (%I) ON %s TO %s', fk.privilege_type,
					   fk.attname, fk.rel, fk.grantee);
	END LOOP;
	-- Citus sends an INSERT to the shard with every column, the defaults
	-- evaluated: a writer's submit() needs INSERT on all of book's and
	-- job's columns there (row-level security still checks the rows)
	GRANT INSERT ON bookparse.book, bookparse.job TO bookparse_writer;
	-- the coordinator's copies of the rows now live in the shards
	FOREACH t IN ARRAY ARRAY['scene', 'chapter', 'asset', 'job', 'book', 'queue_state'] LOOP
		EXECUTE format($d$SELECT pg_catalog.truncate_local_data_after_distributing_table(%L)$d$,
					   'bookparse.' || t);
	END LOOP;

	FOREACH t IN ARRAY fks LOOP
		EXECUTE t;
	END LOOP;
END
$$;

COMMENT ON FUNCTION bookparse.distribute(integer) IS
'On a Citus coordinator (superuser): make book, chapter, asset, job and scene distributed tables colocated on the book id (shard_count shards, NULL = citus.shard_count) and queue_state a reference table; each node then parses the books of its shards (docs/scale-out.md)';

REVOKE ALL ON FUNCTION bookparse.distribute(integer) FROM PUBLIC;

-- The parse workers of this server and, on a Citus cluster where bookparse
-- is distributed, of every worker node (run_command_on_workers), each
-- with its node's name (NULL on a single server).
CREATE FUNCTION bookparse.cluster_workers(
    OUT node text,
    OUT slot integer,
    OUT pid integer,
    OUT job_id bigint,
    OUT book_id bigint,
    OUT phase text,
    OUT progress integer,
    OUT memory_bytes bigint,
    OUT started_at timestamptz)
RETURNS SETOF record
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	me text;
	r record;
BEGIN
	IF EXISTS (SELECT FROM pg_extension WHERE extname = 'citus') THEN
		EXECUTE $q$SELECT (SELECT n.nodename || ':' || n.nodeport
						   FROM pg_catalog.pg_dist_node n
						  WHERE n.groupid = (SELECT groupid FROM pg_catalog.pg_dist_local_group)
						  ORDER BY n.nodeid LIMIT 1)
				  WHERE EXISTS (SELECT FROM pg_catalog.pg_dist_partition
								 WHERE logicalrelid = 'bookparse.job'::regclass)$q$
			INTO me;
	END IF;
	RETURN QUERY SELECT me, w.slot, w.pid, w.job_id, w.book_id, w.phase,
						w.progress, w.memory_bytes, w.started_at
				   FROM bookparse.worker_slots() w;
	IF me IS NULL THEN
		RETURN;
	END IF;
	FOR r IN EXECUTE $q$SELECT nodename || ':' || nodeport AS node, success, result
						  FROM pg_catalog.run_command_on_workers(
							'SELECT coalesce(json_agg(w), ''[]'') FROM bookparse.worker_slots() w')$q$
	LOOP
		IF r.success AND r.node IS DISTINCT FROM me THEN
			RETURN QUERY SELECT r.node, x.slot, x.pid, x.job_id, x.book_id, x.phase,
								x.progress, x.memory_bytes, x.started_at
						   FROM json_to_recordset(r.result::json)
								AS x(slot integer, pid integer, job_id bigint,
									 book_id bigint, phase text, progress integer,
									 memory_bytes bigint, started_at timestamptz);
		END IF;
	END LOOP;
END
$$;

COMMENT ON FUNCTION bookparse.cluster_workers() IS
'Parse workers of this server and, on a Citus cluster where bookparse is distributed, of every worker node, with the node''s name (host:port; NULL on a single server)';

-- bookparse.workers gains the node (NULL on a single server)
CREATE OR REPLACE VIEW bookparse.workers AS
    SELECT slot, pid, job_id, book_id, phase, progress, memory_bytes,
		   started_at, node
    FROM bookparse.cluster_workers();

COMMENT ON COLUMN bookparse.workers.node IS
'On a Citus cluster the node (host:port) the worker runs on; NULL on a single server (docs/scale-out.md)';

REVOKE ALL ON FUNCTION bookparse.cluster_workers() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION bookparse.cluster_workers()
	TO bookparse_admin, pg_monitor;

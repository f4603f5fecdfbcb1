-- bookparse.version(): the loaded library's version and the installed
-- extension's, and how the library treats an extension version it does
-- not serve (docs/operations.md, "Upgrading").  The library's version is
-- bookparse.control's default_version, so it is compared with that
-- rather than written here (a release changes it).

-- a fresh install: the library and the extension agree
SELECT library = (SELECT default_version FROM pg_available_extensions
                   WHERE name = 'bookparse') AS library_is_default_version,
       extension = (SELECT extversion FROM pg_extension
                     WHERE extname = 'bookparse') AS extension_is_installed,
       status
FROM bookparse.version();
SELECT library ~ '^\d+\.\d+\.\d+$' AS semver FROM bookparse.version();

-- who may call it: the bookparse roles and pg_monitor, not PUBLIC
SELECT r, has_function_privilege(r, 'bookparse.version()', 'EXECUTE')
FROM unnest(ARRAY['bookparse_reader', 'bookparse_writer', 'bookparse_admin',
                  'pg_monitor', 'public']) AS r;

-- A database still at 0.1.0 (the catalog says so for this transaction
-- only): served, the update is pending.
BEGIN;
UPDATE pg_extension SET extversion = '0.1.0' WHERE extname = 'bookparse';
SELECT extension, status FROM bookparse.version();
SELECT bookparse.submit(convert_to('Served while the update is pending.', 'UTF8'), 'pending.txt') > 0 AS submitted;
SELECT bookparse.run_queue();
ROLLBACK;

-- An extension newer than the library (a package downgraded, a server
-- of the cluster left with the old library): the queue functions refuse
-- with a clear error instead of writing to a schema they do not know;
-- parsing alone still works.  (The library's version is replaced by
-- LIBRARY in the messages.)
CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	msg text; detail text; hint text;
BEGIN
	EXECUTE sql;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL,
		hint = PG_EXCEPTION_HINT;
	RETURN replace(SQLSTATE || ': ' || msg || E'\nDETAIL: ' || detail
				   || E'\nHINT: ' || hint,
				   (SELECT library FROM bookparse.version()), 'LIBRARY');
END
$$;
BEGIN;
UPDATE pg_extension SET extversion = '99.0.0' WHERE extname = 'bookparse';
SELECT extension, status FROM bookparse.version();
SELECT pg_temp.try($$SELECT bookparse.submit(convert_to('x', 'UTF8'))$$);
SELECT pg_temp.try($$SELECT bookparse.run_queue()$$);
SELECT pg_temp.try($$SELECT bookparse.reparse(1)$$);
SELECT pg_temp.try($$SELECT bookparse.cancel(1)$$);
SELECT pg_temp.try($$SELECT bookparse.wait(1, '0')$$);
SELECT pg_temp.try($$SELECT bookparse.retry_failed()$$);
SELECT pg_temp.try($$SELECT bookparse.purge_jobs()$$);
SELECT bookparse.parse(convert_to('Parsing needs no schema.', 'UTF8'))->'stats'->>'words' AS words;
SELECT bookparse.detect_format(convert_to('Parsing needs no schema.', 'UTF8'));
ROLLBACK;

-- a version of another form is not served either
BEGIN;
UPDATE pg_extension SET extversion = '0.3.0-dev' WHERE extname = 'bookparse';
SELECT extension, status FROM bookparse.version();
SELECT pg_temp.try($$SELECT bookparse.submit(convert_to('x', 'UTF8'))$$);
ROLLBACK;

-- back to normal
SELECT status FROM bookparse.version();

-- bookparse.max_work_mem, the superuser's ceiling of bookparse.work_mem:
-- a parse holds at most min(work_mem, max_work_mem) in parse(),
-- parse_chapters() and run_queue(); a user may raise work_mem but not the
-- ceiling, and a limit error names the setting that bounds the parse.
SELECT name, setting, unit, context FROM pg_settings
WHERE name IN ('bookparse.work_mem', 'bookparse.max_work_mem') ORDER BY name;
SHOW bookparse.max_work_mem;

-- a 140 kB EPUB whose chapter inflates to 40 MB
\set bomb `/usr/bin/python3 -c 'import base64,io,zipfile as Z;b=io.BytesIO();z=Z.ZipFile(b,"w");z.writestr("mimetype","application/epub+zip");z.writestr("META-INF/container.xml","<?xml version=\"1.0\"?><container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\"><rootfiles><rootfile full-path=\"OEBPS/content.opf\" media-type=\"application/oebps-package+xml\"/></rootfiles></container>",Z.ZIP_DEFLATED);z.writestr("OEBPS/content.opf","<?xml version=\"1.0\"?><package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" unique-identifier=\"id\"><metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:identifier id=\"id\">bomb</dc:identifier><dc:title>Bomb</dc:title><dc:language>en</dc:language></metadata><manifest><item id=\"c1\" href=\"c1.xhtml\" media-type=\"application/xhtml+xml\"/></manifest><spine><itemref idref=\"c1\"/></spine></package>",Z.ZIP_DEFLATED);z.writestr("OEBPS/c1.xhtml","<html xmlns=\"http://www.w3.org/1999/xhtml\"><head><title>B</title></head><body><p>"+"bomb "*(8<<20)+"</p></body></html>",Z.ZIP_DEFLATED);z.close();print(base64.b64encode(b.getvalue()).decode())'`

CREATE FUNCTION pg_temp.try_parse(content bytea, filename text,
	OUT state text, OUT message text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM bookparse.parse(content, filename);
	state := '00000';
	message := 'parsed';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
		hint = PG_EXCEPTION_HINT;
END $$;
CREATE FUNCTION pg_temp.try_chapters(content bytea, filename text,
	OUT state text, OUT message text)
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM count(*) FROM bookparse.parse_chapters(content, filename);
	state := '00000';
	message := 'parsed';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
END $$;

CREATE ROLE regress_bp_limits_writer;
GRANT bookparse_writer TO regress_bp_limits_writer;

-- the superuser's ceiling for this test: 2MB
SET bookparse.max_work_mem = '2MB';
SET ROLE regress_bp_limits_writer;
SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user;

-- a writer cannot raise (or reset) the ceiling: SET ROLE makes SET of a
-- superuser setting fail like a login as that role does
SET bookparse.max_work_mem = '8GB';
RESET bookparse.max_work_mem;
SET bookparse.max_work_mem = DEFAULT;
SHOW bookparse.max_work_mem;

-- ... but may raise work_mem, which does not lift the ceiling
SET bookparse.work_mem = '8GB';
SHOW bookparse.work_mem;
\x on
-- the zip bomb stops at the ceiling, the error names max_work_mem
SELECT * FROM pg_temp.try_parse(decode(:'bomb', 'base64'), 'bomb.epub');
SELECT * FROM pg_temp.try_chapters(decode(:'bomb', 'base64'), 'bomb.epub');
-- so does a 3 MB text, before it is even parsed
SELECT * FROM pg_temp.try_parse(convert_to(repeat('many words here. ', 180000), 'UTF8'), 'big.txt');
-- a small book still parses
SELECT * FROM pg_temp.try_parse(convert_to(repeat('many words here. ', 1000), 'UTF8'), 'small.txt');
-- with work_mem below the ceiling, work_mem bounds the parse and is named
SET bookparse.work_mem = '1MB';
SELECT * FROM pg_temp.try_parse(convert_to(repeat('many words here. ', 180000), 'UTF8'), 'big.txt');
SET bookparse.work_mem = '8GB';

-- a superuser can raise the ceiling (here for the session); then the same
-- 3 MB book parses under the writer's work_mem
RESET ROLE;
SET bookparse.max_work_mem = '64MB';
SET ROLE regress_bp_limits_writer;
SHOW bookparse.max_work_mem;
SELECT (bookparse.parse(convert_to(repeat('many words here. ', 180000), 'UTF8'))->'stats'->>'words')::int AS words;
-- equal settings: raising work_mem alone would not help, the ceiling is named
SET bookparse.work_mem = '2MB';
RESET ROLE;
SET bookparse.max_work_mem = '2MB';
SELECT * FROM pg_temp.try_parse(convert_to(repeat('many words here. ', 180000), 'UTF8'), 'big.txt');

-- run_queue() (an admin's, in this session) has the same bound: the job of
-- the 3 MB book fails with limit_exceeded naming max_work_mem
SET bookparse.work_mem = '8GB';
SELECT bookparse.submit(convert_to(repeat('many words here. ', 180000), 'UTF8'), 'queued-big.txt') AS big_id \gset
SELECT bookparse.run_queue();
SELECT status, error_code, error FROM bookparse.book WHERE id = :big_id;
\x off
DELETE FROM bookparse.book WHERE id = :big_id;

RESET bookparse.work_mem;
RESET bookparse.max_work_mem;
SHOW bookparse.max_work_mem;
DROP ROLE regress_bp_limits_writer;

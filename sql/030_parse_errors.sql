-- Errors of bookparse.parse / parse_chapters on bad input: each with its
-- SQLSTATE, message, detail and hint.
\set pdf `base64 -w0 build/samples/bad/fake.pdf`
\set docx `base64 -w0 build/samples/bad/fake.docx`
\set zip `base64 -w0 build/samples/bad/notabook.zip`
\set random `base64 -w0 build/samples/bad/random.bin`
\set truncated `base64 -w0 build/samples/bad/truncated.epub`
\set epub `base64 -w0 build/samples/sample.epub`

CREATE FUNCTION pg_temp.try_parse(content bytea, filename text,
	OUT state text, OUT message text, OUT detail text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM bookparse.parse(content, filename);
	state := '00000';
	message := 'parsed';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
		detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
END $$;

SELECT name, e.*
FROM (VALUES (1, 'empty.epub', ''::bytea),
             (2, 'fake.pdf', decode(:'pdf', 'base64')),
             (3, 'fake.docx', decode(:'docx', 'base64')),
             (4, 'notabook.zip', decode(:'zip', 'base64')),
             (5, 'random.bin', decode(:'random', 'base64')),
             (6, 'truncated.epub', decode(:'truncated', 'base64')),
             (7, 'head-of-an.epub', substring(decode(:'epub', 'base64') from 1 for 120)),
             (8, 'png.epub', '\x89504e470d0a1a0a0000000d4948445200000001000000010806000000'::bytea),
             (9, 'garbage-after-zip-header.epub', '\x504b0304'::bytea || decode(repeat('41', 200), 'hex')),
             (10, 'no-sections.fb2', convert_to('<?xml version="1.0"?><FictionBook xmlns="http://www.gribuser.ru/xml/fictionbook/2.0"><body></body></FictionBook>', 'UTF8'))) AS t(n, name, content),
     pg_temp.try_parse(content, name) AS e
ORDER BY n;

-- without a filename the message does not name the book
SELECT * FROM pg_temp.try_parse(decode(:'pdf', 'base64'), NULL);

-- as psql shows them
\set VERBOSITY default
SELECT bookparse.parse(decode(:'pdf', 'base64'), 'report.pdf');
SELECT * FROM bookparse.parse_chapters(''::bytea, 'nothing.epub');
\set VERBOSITY sqlstate
SELECT bookparse.parse(decode(:'zip', 'base64'), 'archive.zip');
\set VERBOSITY default

-- an error does not leave the session in a bad state: the next parse works
SELECT bookparse.parse(decode(:'epub', 'base64'))->'metadata'->>'title' AS title;

-- bookparse.work_mem bounds one parse: a 2 MB text needs more than 1MB
-- (the book itself counts: it is held during the parse)
SET bookparse.work_mem = '1MB';
SELECT * FROM pg_temp.try_parse(convert_to(repeat('many words here. ', 120000), 'UTF8'), 'big.txt');
-- a 300 kB text fits, but parsing it does not
SELECT * FROM pg_temp.try_parse(convert_to(repeat('many words here. ', 18000), 'UTF8'), 'mid.txt');
-- the same book parses once the limit is raised
RESET bookparse.work_mem;
SHOW bookparse.work_mem;
SELECT (bookparse.parse(convert_to(repeat('many words here. ', 120000), 'UTF8'))->'stats'->>'words')::int AS words;

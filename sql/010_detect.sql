-- bookparse.detect_format / describe_format on the sample books and on
-- things that are not books.  The samples are (re)made here so that
-- `make installcheck` works on its own; their bytes are deterministic.
\! /usr/bin/python3 test/make_samples.py build/samples >/dev/null
\set epub `base64 -w0 build/samples/sample.epub`
\set epub2 `base64 -w0 build/samples/sample-epub2.epub`
\set fb2 `base64 -w0 build/samples/sample.fb2`
\set fb2zip `base64 -w0 build/samples/sample.fb2.zip`
\set txt `base64 -w0 build/samples/sample.txt`
\set pdf `base64 -w0 build/samples/bad/fake.pdf`
\set docx `base64 -w0 build/samples/bad/fake.docx`
\set zip `base64 -w0 build/samples/bad/notabook.zip`
\set random `base64 -w0 build/samples/bad/random.bin`
\set truncated `base64 -w0 build/samples/bad/truncated.epub`

SELECT name, bookparse.detect_format(b) AS format,
       bookparse.describe_format(b) AS description
FROM (VALUES (1, 'sample.epub', decode(:'epub', 'base64')),
             (2, 'sample-epub2.epub', decode(:'epub2', 'base64')),
             (3, 'sample.fb2', decode(:'fb2', 'base64')),
             (4, 'sample.fb2.zip', decode(:'fb2zip', 'base64')),
             (5, 'sample.txt', decode(:'txt', 'base64')),
             (6, 'fake.pdf', decode(:'pdf', 'base64')),
             (7, 'fake.docx', decode(:'docx', 'base64')),
             (8, 'notabook.zip', decode(:'zip', 'base64')),
             (9, 'random.bin', decode(:'random', 'base64')),
             (10, 'truncated.epub', decode(:'truncated', 'base64')),
             (11, 'png header', '\x89504e470d0a1a0a0000000d49484452'::bytea),
             (12, 'empty', ''::bytea)) AS t(n, name, b)
ORDER BY n;

-- STRICT: NULL in, NULL out
SELECT bookparse.detect_format(NULL) IS NULL AS detect_null,
       bookparse.describe_format(NULL) IS NULL AS describe_null;

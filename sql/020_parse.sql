-- bookparse.parse and bookparse.parse_chapters on the sample books.
\set epub `base64 -w0 build/samples/sample.epub`
\set epub2 `base64 -w0 build/samples/sample-epub2.epub`
\set fb2 `base64 -w0 build/samples/sample.fb2`
\set fb2zip `base64 -w0 build/samples/sample.fb2.zip`
\set txt `base64 -w0 build/samples/sample.txt`

CREATE TEMP TABLE books AS
SELECT n, name, b AS content
FROM (VALUES (1, 'sample.epub', decode(:'epub', 'base64')),
             (2, 'sample-epub2.epub', decode(:'epub2', 'base64')),
             (3, 'sample.fb2', decode(:'fb2', 'base64')),
             (4, 'sample.fb2.zip', decode(:'fb2zip', 'base64')),
             (5, 'sample.txt', decode(:'txt', 'base64'))) AS t(n, name, b);
CREATE TEMP TABLE parsed AS
SELECT n, name, bookparse.parse(content, name) AS j FROM books;

-- the top-level keys, in the order of the JSON
SELECT string_agg(k, ', ') AS keys
FROM (SELECT jsonb_object_keys(j) AS k FROM parsed WHERE n = 1) s;

-- format, version, encoding, sizes of the books that are not zips
SELECT name, j->>'format' AS format, j->>'version' AS version,
       j->>'encoding' AS encoding,
       CASE WHEN name ~ '\.(fb2|txt)$' THEN (j->>'input_size')::int END AS input_size,
       j->>'toc_source' AS toc_source
FROM parsed ORDER BY n;

-- metadata
SELECT name, jsonb_pretty(j->'metadata') AS metadata FROM parsed ORDER BY n;

-- table of contents
SELECT p.name, t.ord, t.e->>'title' AS title, t.e->>'href' AS href,
       (t.e->>'depth')::int AS depth
FROM parsed p, jsonb_array_elements(p.j->'toc') WITH ORDINALITY AS t(e, ord)
ORDER BY p.n, t.ord;

-- chapters as the JSON lists them
SELECT p.name, (c->>'number')::int AS number, c->>'title' AS title,
       (c->>'depth')::int AS depth, c->>'source' AS source,
       (c->>'is_notes')::bool AS is_notes, (c->>'words')::int AS words,
       (c->>'sentences')::int AS sentences,
       (c->>'characters')::int AS characters,
       (c->>'paragraphs')::int AS paragraphs
FROM parsed p, jsonb_array_elements(p.j->'chapters') AS c
ORDER BY p.n, (c->>'number')::int;

-- assets (the PNGs are stored uncompressed: their sizes never vary)
SELECT p.name, a->>'href' AS href, a->>'media_type' AS media_type,
       (a->>'size')::int AS size, (a->>'is_cover')::bool AS is_cover
FROM parsed p, jsonb_array_elements(p.j->'assets') AS a
ORDER BY p.n, a->>'href';

-- statistics are the sums over the chapters
SELECT name, j->'stats' AS stats,
       (j->'stats'->>'words')::int =
         (SELECT sum((c->>'words')::int) FROM jsonb_array_elements(j->'chapters') c) AS words_add_up,
       (j->'stats'->>'reading_minutes')::int =
         ceil((j->'stats'->>'words')::numeric / 200) AS minutes_ok
FROM parsed ORDER BY n;

-- warnings (codes only)
SELECT name, (SELECT string_agg(w->>'code', ', ')
              FROM jsonb_array_elements(j->'warnings') w) AS warnings,
       (j->>'warnings_dropped')::int AS dropped
FROM parsed ORDER BY n;

-- the zipped FB2 is the same book as the FB2
SELECT (a.j - 'format' - 'input_size' - 'warnings') =
       (b.j - 'format' - 'input_size' - 'warnings') AS same_book
FROM parsed a, parsed b WHERE a.n = 3 AND b.n = 4;

-- parse_chapters: titles, depths, counts and the start of the text
SELECT b.name, c.number, c.title, c.depth, c.source, c.words, c.paragraphs,
       left(regexp_replace(c.text, '\s+', ' ', 'g'), 50) AS text_begins
FROM books b, bookparse.parse_chapters(b.content, b.name) AS c
ORDER BY b.n, c.number;

-- the counts of parse_chapters are those of parse
SELECT b.name, bool_and(c.words = (x->>'words')::int AND
                        c.characters = (x->>'characters')::int AND
                        c.title IS NOT DISTINCT FROM x->>'title') AS counts_match
FROM books b
JOIN parsed p USING (n)
CROSS JOIN LATERAL bookparse.parse_chapters(b.content, b.name) AS c
JOIN LATERAL jsonb_array_elements(p.j->'chapters') AS x
  ON (x->>'number')::int = c.number
GROUP BY b.n, b.name ORDER BY b.n;

-- text and HTML: text given to PostgreSQL is valid, the HTML sanitized
SELECT b.name, c.number,
       c.characters = length(replace(c.text, E'\n', '')) AS characters_ok,
       c.text LIKE '%never run%' AS script_text_kept,
       c.html ~* '<(script|style|link|meta)\M' AS unsafe_tags,
       c.html ~* '\son\w+\s*=' AS event_attributes
FROM books b, bookparse.parse_chapters(b.content, b.name) AS c
WHERE b.n = 1 ORDER BY c.number;

SELECT left(html, 300) AS html FROM bookparse.parse_chapters(decode(:'epub', 'base64')) WHERE number = 1;

-- the Russian FB2 text (windows-1251) arrives as UTF-8
SELECT number, title, text LIKE '%груша%' AS has_pear, text LIKE '%frost%' AS has_frost
FROM bookparse.parse_chapters(decode(:'fb2', 'base64')) ORDER BY number;

-- NULLs: parse(NULL) is NULL, parse_chapters(NULL) no rows, filename optional
SELECT bookparse.parse(NULL) IS NULL AS parse_null,
       (SELECT count(*) FROM bookparse.parse_chapters(NULL)) AS chapters_of_null,
       bookparse.parse(decode(:'txt', 'base64'), NULL)->'metadata'->>'title' AS txt_title;

-- Full-text search: search_config(), the search vector the queue stores,
-- search() and search_book() (issue 14, docs/search.md).
SET client_min_messages = warning;
TRUNCATE bookparse.book, bookparse.job RESTART IDENTITY CASCADE;
RESET client_min_messages;

-- language -> configuration, then the script of a sample, then simple
SELECT bookparse.search_config('en') AS en, bookparse.search_config('en-GB') AS en_gb,
       bookparse.search_config('ru_RU') AS ru, bookparse.search_config('RUS') AS rus,
       bookparse.search_config('pt-BR') AS pt, bookparse.search_config('nb') AS nb,
       bookparse.search_config('xx') AS unknown, bookparse.search_config('') AS empty;
SELECT bookparse.search_config(NULL, 'Он сказал: hello') AS cyrillic,
       bookparse.search_config(NULL, 'Call me Ishmael.') AS latin,
       bookparse.search_config(NULL, 'Καλημέρα') AS greek,
       bookparse.search_config(NULL, '12345 ...') AS no_letters,
       bookparse.search_config('xx', 'Он сказал') AS unknown_language,
       bookparse.search_config(NULL) AS nothing;
-- every configuration mapped exists (an unknown name would fail the cast)
SELECT count(DISTINCT bookparse.search_config(t)) AS configs
FROM unnest(ARRAY['en','ru','de','fr','es','it','pt','nl','sv','no','da','fi',
                  'hu','ro','tr','ar','el','id','ga','lt','ne','sr','ta','hy',
                  'eu','ca','hi','yi']) AS t;

-- an English book (plain text: no language, Latin script -> english)
CREATE FUNCTION pg_temp.english() RETURNS bytea LANGUAGE sql AS $$
	SELECT convert_to(
	  E'The Lighthouse Keeper\n\n' ||
	  E'CHAPTER I\n\n' ||
	  E'The keeper climbed the stairs of the old lighthouse every evening.\n\n' ||
	  E'He trimmed the wicks and polished the great lens until it shone.\n\n' ||
	  E'CHAPTER II\n\n' ||
	  E'A storm came from the north and the ships were running for harbour.\n\n' ||
	  E'The keeper watched the lens turn while the rain hammered the glass.\n\n' ||
	  E'CHAPTER III\n\n' ||
	  E'In the morning the sea was calm and a fishing boat lay on the rocks.\n', 'UTF8')
$$;
-- a Russian book (FB2 with its language)
CREATE FUNCTION pg_temp.russian() RETURNS bytea LANGUAGE sql AS $$
	SELECT convert_to(
	  '<?xml version="1.0" encoding="UTF-8"?>' ||
	  '<FictionBook xmlns="http://www.gribuser.ru/xml/fictionbook/2.0">' ||
	  '<description><title-info><book-title>Старый дом</book-title>' ||
	  '<author><first-name>Иван</first-name><last-name>Петров</last-name></author>' ||
	  '<lang>ru</lang></title-info></description><body>' ||
	  '<section><title><p>Глава первая</p></title>' ||
	  '<p>Студент Раскольников жил в маленькой комнате под самой крышей.</p>' ||
	  '<p>Каждое утро он выходил на улицу и долго смотрел на реку.</p></section>' ||
	  '<section><title><p>Глава вторая</p></title>' ||
	  '<p>Хозяйка дома требовала от Раскольникова денег, а денег не было.</p></section>' ||
	  '</body></FictionBook>', 'UTF8')
$$;
SELECT bookparse.submit(pg_temp.english(), 'lighthouse.txt') AS en \gset
SELECT bookparse.submit(pg_temp.russian(), 'dom.fb2') AS ru \gset
SELECT bookparse.run_queue();
SELECT book_id, number, title, search_config, search_vector IS NOT NULL AS indexed
FROM bookparse.chapter ORDER BY book_id, number;

-- plain words, stemmed: "polishing" finds "polished"
SELECT book_id, chapter_number, chapter_title, rank > 0 AS ranked
FROM bookparse.search('polishing lens');
-- a phrase with quotes, exclusion with -, or
SELECT chapter_number, snippet FROM bookparse.search('"lens turn"');
SELECT chapter_number FROM bookparse.search('"turn lens"');
SELECT chapter_number FROM bookparse.search('keeper -storm');
SELECT chapter_number FROM bookparse.search('harbour or fishing') ORDER BY 1;
-- best first: the short title chapter, then chapter II with both words
SELECT chapter_number FROM bookparse.search('keeper or rain');
SELECT count(*) FROM bookparse.search('keeper', NULL, 1);
SELECT count(*) FROM bookparse.search('keeper', NULL, 0);
-- every chapter title says "chapter": ranks are divided by 1 + log(length),
-- so the shortest chapter comes first
SELECT chapter_number, chapter_title FROM bookparse.search('chapter', 'en', 1);

-- Russian: another inflection finds the chapter through stemming (the
-- dative finds the genitive; the nominative "Раскольников" has a stem of
-- its own in PostgreSQL's Russian snowball stemmer: docs/search.md)
SELECT book_id = :ru AS russian_book, title, authors, chapter_number, chapter_title
FROM bookparse.search('Раскольникову');
SELECT chapter_number FROM bookparse.search('Раскольников');
SELECT chapter_number, snippet FROM bookparse.search('комнаты под крышей');
SELECT chapter_number FROM bookparse.search('"смотрел на реку"');
-- the query in the configuration of a language: English stemming on
-- Russian chapters finds nothing
SELECT count(*) FROM bookparse.search('Раскольникова', 'en');
SELECT count(*) FROM bookparse.search('Раскольникова', 'ru');

-- hostile queries: a result, never an error
SELECT count(*) AS stop_words FROM bookparse.search('the and of');
SELECT count(*) AS empty FROM bookparse.search('');
SELECT count(*) AS blank FROM bookparse.search('   ');
SELECT count(*) AS null_query FROM bookparse.search(NULL);
SELECT count(*) AS unbalanced FROM bookparse.search('"lens turn');
SELECT count(*) AS only_quote FROM bookparse.search('"');
SELECT count(*) AS only_minus FROM bookparse.search('- - or or');
SELECT count(*) AS punctuation FROM bookparse.search('!&|<->():*''\');
SELECT count(*) AS long_query
FROM bookparse.search((SELECT string_agg('word' || i, ' ') FROM generate_series(1, 10000) i));
-- only the first 1,000 characters of a query count: "or lens" is past them
SELECT count(*) AS long_or_query
FROM bookparse.search((SELECT string_agg('keeper' || i, ' or ') FROM generate_series(1, 10000) i) || ' or lens');

-- search_book(): one book's matching chapters in reading order
SELECT chapter_number, chapter_title, rank > 0 AS ranked, snippet LIKE '%<b>%' AS highlighted
FROM bookparse.search_book(:en, 'keeper');
SELECT count(*) FROM bookparse.search_book(:en, 'Раскольников');
SELECT chapter_number FROM bookparse.search_book(:ru, 'денег');
SELECT count(*) FROM bookparse.search_book(:en, '');

-- a chapter of 3.3 MB of distinct words: parsed and indexed up to
-- PostgreSQL's 1 MB per vector (to_tsvector alone would fail the row);
-- its last words are the ones left out
CREATE FUNCTION pg_temp.huge() RETURNS bytea LANGUAGE sql AS $$
	SELECT convert_to(E'Endless\n\nCHAPTER I\n\nzebraquartz ' ||
	  (SELECT string_agg(translate(md5(i::text), '0123456789', 'ghijklmnop'), ' ')
	     FROM generate_series(1, 100000) i) || E' lastwordhere\n', 'UTF8')
$$;
SELECT bookparse.submit(pg_temp.huge(), 'huge.txt') AS huge \gset
SELECT bookparse.run_queue();
SELECT status, error FROM bookparse.book WHERE id = :huge;
SELECT number, length(text) > 3000000 AS long_text, search_vector IS NOT NULL AS indexed
FROM bookparse.chapter WHERE book_id = :huge;
SELECT chapter_number FROM bookparse.search_book(:huge, 'zebraquartz');
SELECT count(*) FROM bookparse.search('lastwordhere');

-- distinct two-letter words of 4-byte letters: the vector stops at 1 MB,
-- the row is stored
INSERT INTO bookparse.chapter (book_id, number, depth, words, sentences,
                               characters, paragraphs, text, search_config)
SELECT :huge, 3, 1, 0, 0, 0, 0,
       string_agg(chr(131072 + (i % 40000)) || chr(172072 + i / 40000), ' '),
       'simple'
FROM generate_series(1, 150000) i;
SELECT number, length(text) AS characters, length(search_vector) AS lexemes
FROM bookparse.chapter WHERE book_id = :huge AND number = 3;
-- a long chapter of prose is indexed to its end: a word after 400,000
-- characters is found (positions stop at 16,383, so that far words are
-- found, phrases not: docs/search.md)
INSERT INTO bookparse.chapter (book_id, number, depth, words, sentences,
                               characters, paragraphs, text, search_config)
SELECT :huge, 4, 1, 0, 0, 0, 0,
       repeat('The sea was calm and the ship sailed on. ', 10000) || 'Farewell kittiwake.',
       'english';
SELECT chapter_number, snippet FROM bookparse.search_book(:huge, 'kittiwake');
-- the snippet comes from around the match: search_excerpt() gives
-- ts_headline() the text near the first matching word, not 400,000
-- characters
SELECT length(bookparse.search_excerpt('english', text, to_tsquery('english', 'kittiwake'))) < 1600 AS short,
       right(bookparse.search_excerpt('english', text, to_tsquery('english', 'kittiwake')), 19) AS tail,
       left(bookparse.search_excerpt('english', text, to_tsquery('english', 'nothing')), 11) AS no_match
FROM bookparse.chapter WHERE book_id = :huge AND number = 4;

-- reparse() keeps the index right; an UPDATE of the text recomputes it
SELECT bookparse.reparse(:en) > 0 AS queued;
SELECT bookparse.run_queue();
SELECT count(*) FROM bookparse.search_book(:en, 'keeper');
UPDATE bookparse.chapter SET text = 'The keeper slept.' WHERE book_id = :en AND number = 2;
SELECT chapter_number FROM bookparse.search_book(:en, 'keeper slept');
-- a configuration set by hand
UPDATE bookparse.chapter SET search_config = 'simple' WHERE book_id = :en AND number = 2;
SELECT count(*) FROM bookparse.search_book(:en, 'keepers');
SELECT chapter_number FROM bookparse.search_book(:en, 'slept');

-- the index serves the search
CREATE FUNCTION pg_temp.plan(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY EXECUTE 'EXPLAIN ' || q;
END
$$;
SET enable_seqscan = off;
SELECT count(*) > 0 AS uses_index
FROM pg_temp.plan('SELECT * FROM bookparse.chapter WHERE search_vector @@ websearch_to_tsquery(''english'', ''keeper'')') AS line
WHERE line LIKE '%chapter_search_idx%';
RESET enable_seqscan;

-- row-level security: a writer finds only its own books, a reader all
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_bp_search_a;
DROP ROLE IF EXISTS regress_bp_search_b;
DROP ROLE IF EXISTS regress_bp_search_r;
RESET client_min_messages;
CREATE ROLE regress_bp_search_a IN ROLE bookparse_writer;
CREATE ROLE regress_bp_search_b IN ROLE bookparse_writer;
CREATE ROLE regress_bp_search_r IN ROLE bookparse_reader;
SET ROLE regress_bp_search_a;
SELECT bookparse.submit(convert_to(E'Secret\n\nCHAPTER I\n\nThe albatross flew over the mast.\n', 'UTF8'), 'a.txt') AS a \gset
RESET ROLE;
SELECT bookparse.run_queue();
SET ROLE regress_bp_search_a;
SELECT chapter_number FROM bookparse.search('albatross');
SET ROLE regress_bp_search_b;
SELECT count(*) AS other_writer FROM bookparse.search('albatross');
SELECT count(*) AS other_writer FROM bookparse.search_book(:a, 'albatross');
SET ROLE regress_bp_search_r;
SELECT count(*) AS reader FROM bookparse.search('albatross');
RESET ROLE;

DELETE FROM bookparse.book;
DROP ROLE regress_bp_search_a;
DROP ROLE regress_bp_search_b;
DROP ROLE regress_bp_search_r;

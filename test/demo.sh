#!/bin/bash
# demo.sh: bookparse on a new Debian 12 machine, from nothing to parsed books.
#
#   bash test/demo.sh          (as root)
#
# Installs the packages (test/install_deps.sh), builds and installs the
# extension, writes the sample books, starts a throwaway cluster as the user
# postgres, creates the extension and shows the sample books parsed with
# bookparse.parse() and bookparse.parse_chapters().  When the queue is there
# (bookparse.submit / bookparse.wait), it also submits the samples and shows
# them parsed by the background workers.  The cluster is removed at the end
# (BP_KEEP=1 keeps it and prints how to connect).
set -euo pipefail

cd "$(dirname "$0")/.."
. test/cluster.sh

bash test/install_deps.sh
echo "demo: building"
make -s -j"$(nproc)" >/dev/null
if [ "$(id -u)" = 0 ]; then make -s install >/dev/null; else sudo make -s install >/dev/null; fi
/usr/bin/python3 test/make_samples.py build/samples >/dev/null

DIR=$(mktemp -d /tmp/bookparse-demo.XXXXXX)
chmod 755 "$DIR"
mkdir -p "$DIR/samples"
cp build/samples/*.* "$DIR/samples/"
cleanup() {
	if [ "${BP_KEEP:-0}" = 1 ]; then
		echo "demo: cluster kept: psql -h $PGHOST -p $PGPORT -U postgres"
		return
	fi
	bp_cluster_stop
	rm -rf "$DIR"
}
trap cleanup EXIT

echo "demo: starting a throwaway cluster in $DIR"
bp_cluster_start "$DIR/cluster" "bookparse.max_workers = 2" "bookparse.database = 'postgres'"

bp_as_pg psql -X -q -v ON_ERROR_STOP=1 -v samples="$DIR/samples" -d postgres <<'SQL'
\pset footer off
\pset null '-'
CREATE EXTENSION bookparse;

CREATE TEMP TABLE demo_books AS
SELECT name, pg_read_binary_file(:'samples' || '/' || name) AS content
FROM unnest(ARRAY['sample.epub', 'sample-epub2.epub', 'sample.fb2',
                  'sample.fb2.zip', 'sample.txt']) AS name;

\echo
\echo '== The sample books, parsed by bookparse.parse()'
SELECT name,
       bookparse.detect_format(content) AS format,
       b->'metadata'->>'title' AS title,
       (SELECT string_agg(c->>'name', ', ')
          FROM jsonb_array_elements(b->'metadata'->'creators') c) AS authors,
       b->'metadata'->>'language' AS lang,
       (b->'stats'->>'chapters')::int AS chapters,
       (b->'stats'->>'words')::int AS words,
       (b->'stats'->>'reading_minutes')::int AS minutes
FROM demo_books, bookparse.parse(content, name) AS b
ORDER BY name;

\echo
\echo '== Their chapters, from bookparse.parse_chapters()'
SELECT name, number AS "#",
       repeat('  ', depth - 1) || coalesce(title, '(untitled)') AS chapter,
       words,
       CASE WHEN length(text) > 60
            THEN left(regexp_replace(text, '\s+', ' ', 'g'), 60) || '…'
            ELSE regexp_replace(text, '\s+', ' ', 'g') END AS begins
FROM demo_books, bookparse.parse_chapters(content, name)
ORDER BY name, number;

\echo
\echo '== What bookparse says about things that are not books'
SELECT what, bookparse.detect_format(b) AS format, bookparse.describe_format(b) AS looks_like
FROM (VALUES ('a PDF', '\x255044462d312e370a'::bytea),
             ('a PNG', '\x89504e470d0a1a0a0000000d49484452'::bytea),
             ('nothing', ''::bytea)) AS t(what, b);

-- The queue: switched on as soon as bookparse.submit and bookparse.wait exist.
SELECT count(DISTINCT proname) = 2 AS has_queue
FROM pg_proc
WHERE pronamespace = 'bookparse'::regnamespace AND proname IN ('submit', 'wait') \gset
\if :has_queue
\echo
\echo '== The same books through the queue, parsed by the background workers'
CREATE TEMP TABLE demo_jobs AS
SELECT name, bookparse.submit(content, name) AS book_id FROM demo_books;
SELECT j.name, j.book_id, bookparse.wait(j.book_id, '60s') AS status
FROM demo_jobs j ORDER BY j.name;
SELECT b.filename, b.format, b.status, b.title,
       array_to_string(b.authors, ', ') AS authors,
       b.chapters, b.words, b.error_code
FROM bookparse.book b JOIN demo_jobs j ON j.book_id = b.id
ORDER BY b.filename;
\echo
\echo '== Scenes worth illustrating, stored by the workers (bookparse.scenes())'
SELECT j.name, s.chapter AS ch, s.kind, round(s.score::numeric, 2) AS score,
       s.illustratable AS draw,
       CASE WHEN length(s.excerpt) > 70 THEN left(s.excerpt, 70) || '…'
            ELSE s.excerpt END AS excerpt
FROM demo_jobs j, bookparse.scenes(j.book_id) s
ORDER BY j.name, s.chapter, s.paragraph;
\echo
\echo '== bookparse.status'
SELECT * FROM bookparse.status;
\else
\echo
\echo '(the queue, bookparse.submit/wait, is not there yet: skipped)'
\endif
SQL
echo
echo "demo: done"

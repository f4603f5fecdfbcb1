#!/bin/bash
# search_bench.sh: full-text search costs (issue 14; part of `make bench`).
#
# 1. What the search vector costs the database throughput: db_bench.sh
#    (500 books, 1 and 2 workers) with the schema as installed, without the
#    GIN index, without the search vector, and with the vector made by
#    PostgreSQL's own to_tsvector() as a generated column (what 0.2.0 would
#    have had without bookparse's lexer).
# 2. Search latency: the corpus novels parsed once, their rows copied to at
#    least SEARCH_CHAPTERS chapters (default 20,000), then 100 different
#    queries picked from the text (50 words, 30 two-word phrases in quotes,
#    10 "a or b", 10 "a -b"), each timed inside the server
#    (clock_timestamp() around SELECT count(*) FROM bookparse.search(q));
#    median and p99.
#
# Run as root after `make install` (make bench holds /tmp/bp-pg.lock).
# Prints Markdown.  SEARCH_PARTS=throughput or latency runs one part.
set -euo pipefail
cd "$(dirname "$0")/../.."
CORP=${BP_CORPUS:-$PWD/../shared/corpus}
CHAPTERS=${SEARCH_CHAPTERS:-20000}

# ---- 1. throughput ----
# books/min with 2 workers (wall time: noisy on a shared machine)
tput() {
	BENCH_SETUP_SQL="$1" bash test/bench/db_bench.sh |
		awk -F'|' '/parse \+ store, 2 workers/ { gsub(/ /, "", $6); print $6 }'
}
if [ "${SEARCH_PARTS:-all}" != latency ]; then
	with=$(tput "")
	noindex=$(tput "DROP INDEX bookparse.chapter_search_idx")
	without=$(tput "ALTER TABLE bookparse.chapter DROP COLUMN search_vector")
	pgvec=$(tput "ALTER TABLE bookparse.chapter DROP COLUMN search_vector;
ALTER TABLE bookparse.chapter ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
	setweight(to_tsvector(search_config, coalesce(title, '')), 'A') ||
	setweight(to_tsvector(search_config, left(coalesce(text, ''), 200000)), 'B')) STORED;
CREATE INDEX chapter_search_idx ON bookparse.chapter USING gin (search_vector)")
	drop() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f%%", 100 * (b - a) / b; else print "-" }'; }
	echo "| schema | books/min, 2 workers | drop against no search |"
	echo "|---|---|---|"
	echo "| no search vector | $without | - |"
	echo "| search vector (bookparse's lexer), no GIN index | $noindex | $(drop "$noindex" "$without") |"
	echo "| search vector (bookparse's lexer) + GIN index: as installed | $with | $(drop "$with" "$without") |"
	echo "| search vector by to_tsvector() (first 200,000 characters) + GIN index | $pgvec | $(drop "$pgvec" "$without") |"
	echo
fi
[ "${SEARCH_PARTS:-all}" != throughput ] || exit 0

# ---- 2. latency ----
. test/cluster.sh
DIR=$(mktemp -d /tmp/bookparse-searchbench.XXXXXX)
chmod 755 "$DIR"
trap 'bp_cluster_stop; rm -rf "$DIR"' EXIT
mkdir -p "$DIR/books"
for b in epub/se-crime-and-punishment.epub epub/idpf-moby-dick.epub epub/epubjs-alice.epub \
	epub/idpf-childrens-literature.epub fb2/fbreaderj-akunin-testfb2book-cp1251.fb2 \
	fb2/fbreaderj-karenina-nodesc-cp1251.fb2; do
	[ -f "$CORP/$b" ] && cp "$CORP/$b" "$DIR/books/"
done
chmod -R a+rX "$DIR/books"
bp_cluster_start "$DIR" "bookparse.max_workers = 0" "shared_buffers = '512MB'" \
	"max_wal_size = '4GB'" >/dev/null
psql_q() { bp_as_pg psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
psql_q -c "SET client_min_messages = warning" -c "CREATE EXTENSION bookparse"
psql_q >/dev/null <<-SQL
	SELECT count(bookparse.submit(pg_read_binary_file('$DIR/books/' || f), f))
	  FROM pg_ls_dir('$DIR/books') f;
	SELECT bookparse.run_queue();
SQL
# copy the parsed books until there are enough chapters
read -r books per < <(psql_q -F ' ' -c "SELECT count(DISTINCT book_id), count(*) FROM bookparse.chapter")
copies=$(((CHAPTERS + per - 1) / per))
t0=$(date +%s.%N)
psql_q >/dev/null <<-SQL
	SET client_min_messages = warning;
	CREATE TEMP TABLE orig AS SELECT id FROM bookparse.book;
	DO \$\$
	DECLARE
		b bigint;
		nb bigint;
	BEGIN
		FOR i IN 2..$copies LOOP
			FOR b IN SELECT id FROM orig LOOP
				INSERT INTO bookparse.book (filename, content, content_sha256, byte_size, format,
				                            status, title, authors, language, chapters, words,
				                            parsed_at)
				SELECT filename, content, content_sha256, byte_size, format, status, title,
				       authors, language, chapters, words, parsed_at
				  FROM bookparse.book WHERE id = b
				RETURNING id INTO nb;
				INSERT INTO bookparse.chapter (book_id, number, title, depth, source, is_notes,
				                               text, html, words, sentences, characters,
				                               paragraphs, search_config)
				SELECT nb, number, title, depth, source, is_notes, text, html, words, sentences,
				       characters, paragraphs, search_config
				  FROM bookparse.chapter WHERE book_id = b;
			END LOOP;
		END LOOP;
	END
	\$\$;
	VACUUM ANALYZE bookparse.book;
	VACUUM ANALYZE bookparse.chapter;
SQL
t1=$(date +%s.%N)
read -r nch nbooks < <(psql_q -F ' ' -c "SELECT count(*), count(DISTINCT book_id) FROM bookparse.chapter")
psql_q >/dev/null <<-'SQL'
	SET client_min_messages = warning;
	SELECT setseed(0.14);
	CREATE TABLE words AS
	SELECT DISTINCT w FROM (
		SELECT regexp_split_to_table(lower(left(text, 20000)), '[^[:alpha:]]+') AS w
		  FROM bookparse.chapter WHERE book_id IN (SELECT DISTINCT book_id FROM bookparse.chapter ORDER BY 1 LIMIT 6)) s
	 WHERE length(w) >= 5;
	CREATE TABLE pairs AS
	SELECT DISTINCT m[1] || ' ' || m[2] AS p FROM (
		SELECT regexp_matches(left(text, 20000), '([[:alpha:]]{4,}) ([[:alpha:]]{4,})', 'g') AS m
		  FROM bookparse.chapter WHERE book_id IN (SELECT DISTINCT book_id FROM bookparse.chapter ORDER BY 1 LIMIT 6)) s;
	CREATE TABLE queries AS
	(SELECT w AS q FROM words ORDER BY random() LIMIT 50)
	UNION ALL (SELECT '"' || p || '"' FROM pairs ORDER BY random() LIMIT 30)
	UNION ALL (SELECT a.w || ' or ' || b.w FROM (SELECT w, row_number() OVER () r FROM (SELECT w FROM words ORDER BY random() LIMIT 10) x) a
	             JOIN (SELECT w, row_number() OVER () r FROM (SELECT w FROM words ORDER BY random() LIMIT 10) y) b USING (r))
	UNION ALL (SELECT a.w || ' -' || b.w FROM (SELECT w, row_number() OVER () r FROM (SELECT w FROM words ORDER BY random() LIMIT 10) x) a
	             JOIN (SELECT w, row_number() OVER () r FROM (SELECT w FROM words ORDER BY random() LIMIT 10) y) b USING (r));
	CREATE TABLE timing (q text, ms float8, n int);
	-- warm the caches with every query once
	SELECT count(*) FROM queries, LATERAL bookparse.search(q) s;
	DO $$
	DECLARE
		r record;
		t0 timestamptz;
		cnt int;
	BEGIN
		FOR r IN SELECT q FROM queries LOOP
			t0 := clock_timestamp();
			SELECT count(*) INTO cnt FROM bookparse.search(r.q);
			INSERT INTO timing VALUES (r.q, 1000 * extract(epoch FROM clock_timestamp() - t0), cnt);
		END LOOP;
	END
	$$;
SQL
read -r nq med p99 max hits < <(psql_q -F ' ' -c "
	SELECT count(*), round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1),
	       round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1),
	       round(max(ms)::numeric, 1), round(avg(n)::numeric, 1) FROM timing")
echo "| library | queries | median ms | p99 ms | max ms | results per query (mean, at most 20) |"
echo "|---|---|---|---|---|---|"
echo "| $nch chapters of $nbooks books ($books novels copied $copies times; the copies took $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }') s with their vectors) | $nq | $med | $p99 | $max | $hits |"

#!/bin/bash
# upgrade_time.sh: how long ALTER EXTENSION bookparse UPDATE takes on a
# large library (what sql/bookparse--0.1.0--0.2.0.sql's header states).
#
#   bash test/bench/upgrade_time.sh [BOOKS]      (default 200000; as root)
#
# Starts a throwaway cluster, installs bookparse 0.1.0, parses the sample
# EPUB, copies it BOOKS times with 10 chapters (1 kB of text each) and a
# finished job per copy, then times the update to the newest version and
# prints the sizes and the time.  Needs about 20 kB of disk per book
# (3.8 GB for 200,000).  Not part of the tests.
set -eu -o pipefail
cd "$(dirname "$0")/../.."
BOOKS=${1:-200000}
. test/cluster.sh
WORK=$(mktemp -d /tmp/bookparse-upgrade.XXXXXX)
chmod 755 "$WORK"
trap 'bp_cluster_stop; rm -rf "$WORK"' EXIT
/usr/bin/python3 test/make_samples.py "$WORK/samples" >/dev/null
bp_cluster_start "$WORK/cluster" "bookparse.max_workers = 0"
bp_as_pg psql -X -q -v ON_ERROR_STOP=1 -d postgres <<SQL
CREATE EXTENSION bookparse VERSION '0.1.0';
SELECT bookparse.submit(pg_read_binary_file('$WORK/samples/sample.epub'), 'sample.epub');
SELECT bookparse.run_queue();
INSERT INTO bookparse.book (filename, content, content_sha256, byte_size, format, status,
                            title, metadata, words, chapters, parsed_at)
SELECT 'copy' || g, content, content_sha256, byte_size, format, 'parsed', title, metadata,
       words, chapters, now()
  FROM bookparse.book, generate_series(1, $BOOKS) g WHERE id = 1;
INSERT INTO bookparse.chapter (book_id, number, title, depth, source, is_notes, text, html,
                               words, sentences, characters, paragraphs)
SELECT b.id, n, 'Chapter ' || n, 1, 'c.xhtml', false, repeat('Some text of the chapter. ', 40),
       '<p>x</p>', 200, 40, 1000, 10
  FROM bookparse.book b, generate_series(1, 10) n WHERE b.id > 1;
INSERT INTO bookparse.job (book_id, state, finished_at)
SELECT id, 'done', now() FROM bookparse.book WHERE id > 1;
VACUUM ANALYZE;
SQL
bp_as_pg psql -X -d postgres -c "SELECT (SELECT count(*) FROM bookparse.book) AS books,
  (SELECT count(*) FROM bookparse.chapter) AS chapters, (SELECT count(*) FROM bookparse.job) AS jobs,
  pg_size_pretty(pg_database_size(current_database())) AS database"
bp_as_pg psql -X -d postgres -c '\timing on' -c 'ALTER EXTENSION bookparse UPDATE' \
	-c "SELECT extversion FROM pg_extension WHERE extname = 'bookparse'"

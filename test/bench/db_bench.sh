#!/bin/bash
# db_bench.sh: end-to-end database throughput (part of `make bench`).
#
# A throwaway cluster (test/cluster.sh); N books (default 500) drawn in turn
# from the corpus novels (EPUB and FB2, none malformed) are submitted with
# bookparse.submit while the queue is paused, then parsed by 1 worker and
# (after TRUNCATE) by 2 workers (bookparse.max_workers).  Throughput is
# N / (last finished_at - resume time), from the job timestamps.  The floor:
# the chapter and asset rows the 2-worker run wrote, dumped with COPY TO,
# written back with COPY FROM into the emptied tables.
#
# Run as root after `make install` (make bench holds /tmp/bp-pg.lock for it).
# Prints a Markdown table; BENCH_BOOKS sets N.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${BENCH_BOOKS:-500}
CORP=${BP_CORPUS:-$PWD/../shared/corpus}
NOVELS="epub/se-crime-and-punishment.epub epub/idpf-moby-dick.epub
epub/epubjs-alice.epub epub/idpf-childrens-literature.epub
fb2/fbreaderj-akunin-testfb2book-cp1251.fb2 fb2/fbreaderj-karenina-nodesc-cp1251.fb2"

. test/cluster.sh
DIR=$(mktemp -d /tmp/bookparse-dbbench.XXXXXX)
chmod 755 "$DIR"
trap 'bp_cluster_stop; rm -rf "$DIR"' EXIT
mkdir -p "$DIR/books"
names=()
for b in $NOVELS; do
	if [ -f "$CORP/$b" ]; then
		cp "$CORP/$b" "$DIR/books/"
		names+=("'$(basename "$b")'")
	fi
done
[ ${#names[@]} -gt 0 ] || { echo "db_bench: no corpus novels in $CORP" >&2; exit 1; }
chmod -R a+rX "$DIR/books"
list=$(IFS=,; echo "${names[*]}")

bp_cluster_start "$DIR" "bookparse.max_workers = 0" "bookparse.naptime = '50ms'" \
	"max_worker_processes = 8" "shared_buffers = '256MB'" \
	"max_wal_size = '4GB'" "checkpoint_timeout = '30min'" >/dev/null
psql_q() { bp_as_pg psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
psql_q -c "SET client_min_messages = warning" -c "CREATE EXTENSION bookparse" ${BENCH_SETUP_SQL:+-c "$BENCH_SETUP_SQL"}

# One run with $1 workers: prints "submit_s parse_s done failed"
run_with() {
	psql_q -c "SET client_min_messages = warning" -c "TRUNCATE bookparse.book CASCADE" \
		-c "ALTER SYSTEM SET bookparse.max_workers = $1" -c "SELECT pg_reload_conf()" >/dev/null
	psql_q >/dev/null <<-SQL
		SELECT bookparse.pause();
		SET client_min_messages = warning;
		CREATE TABLE IF NOT EXISTS bench_t (k text PRIMARY KEY, t timestamptz);
		INSERT INTO bench_t VALUES ('submit0', clock_timestamp())
			ON CONFLICT (k) DO UPDATE SET t = excluded.t;
		SELECT count(bookparse.submit(pg_read_binary_file('$DIR/books/' || f), f))
		  FROM (SELECT (ARRAY[$list])[1 + i % ${#names[@]}] AS f
		          FROM generate_series(0, $N - 1) i) s;
		INSERT INTO bench_t VALUES ('submit1', clock_timestamp())
			ON CONFLICT (k) DO UPDATE SET t = excluded.t;
	SQL
	psql_q >/dev/null <<-SQL
		INSERT INTO bench_t VALUES ('resume', clock_timestamp())
			ON CONFLICT (k) DO UPDATE SET t = excluded.t;
		SELECT bookparse.resume();
	SQL
	local left=1 waited=0
	while [ "$left" != 0 ]; do
		sleep 0.5
		waited=$((waited + 1))
		left=$(psql_q -c "SELECT count(*) FROM bookparse.job WHERE state IN ('queued', 'running')")
		[ $waited -lt 2400 ] || { echo "db_bench: timed out" >&2; exit 1; }
	done
	psql_q -F ' ' -c "
		SELECT round(extract(epoch FROM (SELECT t FROM bench_t WHERE k = 'submit1') -
		                                 (SELECT t FROM bench_t WHERE k = 'submit0'))::numeric, 3),
		       round(extract(epoch FROM max(j.finished_at) -
		                                 (SELECT t FROM bench_t WHERE k = 'resume'))::numeric, 3),
		       count(*) FILTER (WHERE j.state = 'done'),
		       count(*) FILTER (WHERE j.state <> 'done')
		  FROM bookparse.job j"
}

read -r sub1 t1 done1 fail1 < <(run_with 1)
read -r sub2 t2 done2 fail2 < <(run_with 2)

# what the 2-worker run wrote
read -r nch nas bytes < <(psql_q -F ' ' -c "
	SELECT (SELECT count(*) FROM bookparse.chapter), (SELECT count(*) FROM bookparse.asset),
	       pg_total_relation_size('bookparse.chapter') + pg_total_relation_size('bookparse.asset')")
psql_q -c "COPY bookparse.chapter TO '$DIR/chapter.copy' (FORMAT binary)" \
	-c "COPY bookparse.asset TO '$DIR/asset.copy' (FORMAT binary)" \
	-c "COPY bookparse.scene TO '$DIR/scene.copy' (FORMAT binary)"
# the scene rows reference the chapters: emptied and written back with them
copy_s=$(psql_q -c "TRUNCATE bookparse.chapter, bookparse.asset, bookparse.scene" \
	-c "CREATE TEMP TABLE c0 AS SELECT clock_timestamp() AS t" \
	-c "COPY bookparse.chapter FROM '$DIR/chapter.copy' (FORMAT binary)" \
	-c "COPY bookparse.asset FROM '$DIR/asset.copy' (FORMAT binary)" \
	-c "COPY bookparse.scene FROM '$DIR/scene.copy' (FORMAT binary)" \
	-c "SELECT round(extract(epoch FROM clock_timestamp() - t)::numeric, 3) FROM c0")

rate() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.1f | %.0f", n / s, 60 * n / s; else print "- | -" }'; }
echo "| run | books | seconds | books/s | books/min |"
echo "|---|---|---|---|---|"
echo "| submit (queue paused) | $N | $sub2 | $(rate "$N" "$sub2") |"
echo "| parse + store, 1 worker | $done1 done, $fail1 failed | $t1 | $(rate "$done1" "$t1") |"
echo "| parse + store, 2 workers | $done2 done, $fail2 failed | $t2 | $(rate "$done2" "$t2") |"
echo "| floor: COPY FROM of the same rows ($nch chapters, $nas assets, $((bytes / 1048576)) MB) | $done2 | $copy_s | $(rate "$done2" "$copy_s") |"
echo
awk -v a="$t2" -v c="$copy_s" 'BEGIN { if (a > 0) printf "2 workers reach %.0f%% of the COPY floor throughput.\n", 100 * c / a }'

#!/bin/bash
# load.sh: submit latency and books per minute under load (issue 15).
#
#   bash test/bench/load.sh        (as root, after make install)
#
# Runs the TAP test test/t/020_load_pgbench.pl (pgbench: two roles'
# clients submitting corpus books held in a table, plus the reads of a web
# application, while 2 workers parse) at the sizes below, and prints a
# Markdown table, a row per run: submit latency median/p99 (pgbench's
# per-transaction log, schedule lag removed), books finished per minute
# while the clients ran, and the backlog's rate once they stopped (the
# same books, no clients: the quiet rate).  make bench (test/bench/run.sh)
# puts it in docs/benchmarks.md, "Under load".
#
#   LOAD_RUNS   "clients:seconds:rate ..."   default
#               "2:30:10 100:60:100 100:60:250"  (rate = transactions/s over
#               all clients, 20% of them submits; 0 = unthrottled)
#   BP_LOAD_MAX_KB  largest corpus file used (default 5120)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
RUNS=${LOAD_RUNS:-"2:30:10 100:60:100 100:60:250"}
CORPUS=
if [ -d ../shared/corpus ]; then
	CORPUS=$(cd ../shared/corpus && pwd)
fi
W=$(mktemp -d /tmp/bookparse-load.XXXXXX)
trap 'rm -rf "$W"' EXIT
chmod 755 "$W"
tar --exclude=./.git --exclude=./build/fuzz --exclude=./build/asan --exclude=./build/hostile \
	-cf - . | tar -C "$W" -xf -
[ -f "$W/build/samples/sample.epub" ] || /usr/bin/python3 test/make_samples.py "$W/build/samples" >/dev/null
REPORT=$W/report.txt
: >"$REPORT"
[ "$(id -u)" != 0 ] || chown -R postgres: "$W"
pgxs=$(dirname "$(dirname "$(pg_config --pgxs)")")
as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}
echo "load.sh: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC')"
for run in $RUNS; do
	IFS=: read -r c s r <<<"$run"
	(cd "$W" && as_pg env PATH="$(pg_config --bindir):$PATH" PERL5LIB="$pgxs/test/perl" \
		PG_REGRESS="$pgxs/test/regress/pg_regress" TESTDIR="$W" \
		BP_SAMPLES="$W/build/samples" BP_CORPUS="$CORPUS" PGHOST= PGPORT= \
		BP_LOAD_CLIENTS="$c" BP_LOAD_SECONDS="$s" BP_LOAD_RATE="$r" \
		BP_LOAD_MAX_KB="${BP_LOAD_MAX_KB:-5120}" BP_LOAD_REPORT="$REPORT" \
		prove test/t/020_load_pgbench.pl) >"$W/prove.log" 2>&1 ||
		{ echo "load.sh: the test failed for $run:"; tail -n 40 "$W/prove.log"; exit 1; }
done
# the report: one TSV line per run (test/t/020_load_pgbench.pl), as Markdown
echo
echo "| clients | seconds | rate, tx/s (20% submits) | submits | submit median, ms | submit p99, ms | every statement median / p99, ms | books/min while the clients ran | backlog when they stopped | backlog parsed without clients, books/min |"
echo "|---|---|---|---|---|---|---|---|---|---|"
while IFS=$'\t' read -r c s r distinct maxkb submits smed sp99 amed ap99 done bpm drain after abpm; do
	echo "| $c | $s | $r | $submits | $smed | $sp99 | $amed / $ap99 | $bpm | $after books, drained in $drain s | $abpm |"
	books="$distinct corpus EPUB, FB2 and malformed files up to $maxkb kB"
done <"$REPORT"
echo
echo "Books: the $books, drawn at random by each submit."

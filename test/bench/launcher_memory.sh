#!/bin/bash
# launcher_memory.sh: the launcher's memory over many jobs (issue 17, item 6).
#
#   bash test/bench/launcher_memory.sh [JOBS]      (default 10000; as root)
#
# Starts a throwaway cluster with 2 workers, submits JOBS tiny books one
# transaction each (each commit wakes the launcher, so it runs a round per
# book), waits until all are parsed, and prints the launcher's memory
# (pg_log_backend_memory_contexts: "Grand total" and TopMemoryContext)
# after the first 100 books and at the end.  Not part of the tests.
set -eu -o pipefail
cd "$(dirname "$0")/../.."
JOBS=${1:-10000}
. test/cluster.sh
WORK=$(mktemp -d /tmp/bookparse-lmem.XXXXXX)
chmod 755 "$WORK"
trap 'bp_cluster_stop; rm -rf "$WORK"' EXIT
bp_cluster_start "$WORK/cluster" "bookparse.max_workers = 2" "log_min_messages = log"
bp_as_pg psql -X -q -d postgres -c 'CREATE EXTENSION bookparse'

# The launcher's memory now: "<grand total> <TopMemoryContext total>".
launcher_memory() {
	local pid off
	pid=$(bp_as_pg psql -X -At -d postgres -c \
		"SELECT pid FROM pg_stat_activity WHERE backend_type = 'bookparse launcher'")
	off=$(stat -c %s "$WORK/cluster/server.log")
	bp_as_pg psql -X -q -d postgres -c "SELECT pg_log_backend_memory_contexts($pid)" >/dev/null
	sleep 2
	tail -c +"$((off + 1))" "$WORK/cluster/server.log" | grep "\[$pid\]" |
		awk '/TopMemoryContext:/ && !top { top = $0 } /Grand total:/ { tot = $0 }
			END { sub(/.*Grand total: /, "", tot); sub(/.*TopMemoryContext: /, "", top);
			      print "grand total: " tot; print "TopMemoryContext: " top }'
}

# Submit n books, one transaction each, and wait for them.
submit() {
	local n=$1 from=$2
	seq "$from" $((from + n - 1)) |
		awk '{ printf "SELECT bookparse.submit(convert_to(%c Book %d. A tiny plain text book.%c, %cUTF8%c), %cb%d.txt%c);\n", 39, $1, 39, 39, 39, 39, $1, 39 }' |
		bp_as_pg psql -X -q -d postgres >/dev/null
	bp_as_pg psql -X -q -d postgres -c \
		"DO \$\$ BEGIN WHILE EXISTS (SELECT FROM bookparse.book WHERE status IN ('queued', 'parsing')) LOOP PERFORM pg_sleep(0.2); END LOOP; END \$\$"
}

submit 100 1
echo "after 100 books:"
launcher_memory
t0=$(date +%s)
submit $((JOBS - 100)) 101
echo "after $JOBS books ($(($(date +%s) - t0)) s):"
launcher_memory
bp_as_pg psql -X -At -d postgres -c "SELECT 'parsed: ' || count(*) FILTER (WHERE status = 'parsed') || ' of ' || count(*) FROM bookparse.book"

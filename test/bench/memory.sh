#!/bin/bash
# memory.sh: the memory bench (test/bench/memory_bench.py) with a throwaway
# cluster: one worker, a short naptime so that each book gets a fresh
# worker, bookparse.work_mem as given (default 64MB).  Run as root after
# `make install`.  Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK_MEM=${1:-64MB}
. test/cluster.sh
DIR=$(mktemp -d /tmp/bookparse-membench.XXXXXX)
chmod 755 "$DIR"
trap 'bp_cluster_stop; rm -rf "$DIR"' EXIT
bp_cluster_start "$DIR" "bookparse.max_workers = 1" "bookparse.naptime = '50ms'" \
	"bookparse.work_mem = '$WORK_MEM'" "max_worker_processes = 8" >/dev/null
bp_as_pg psql -X -q -c "CREATE EXTENSION bookparse"
shift || true
/usr/bin/python3 test/bench/memory_bench.py --db --work-mem="$WORK_MEM" "$@"

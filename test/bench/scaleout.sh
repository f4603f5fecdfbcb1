#!/bin/bash
# scaleout.sh: the scale-out row of make bench (issue 12, docs/scale-out.md).
# The same BENCH_SCALEOUT_BOOKS (500) corpus books, submitted while the
# queue is paused, parsed on one server with bookparse.max_workers = 2 and
# on a Citus cluster of a coordinator and 2 nodes with 1 worker each, all on
# this machine (2 cores: this measures the overhead of the distribution,
# not a speed-up).  Needs CITUS_SRC (see test/citus/run.sh); prints a
# markdown table, or one line saying why it did not run.
set -u -o pipefail
cd "$(dirname "$0")/../.."
if [ -z "${CITUS_SRC:-}" ]; then
	echo "(not run: CITUS_SRC is not set; see README, \"The Citus test\")"
	exit 0
fi
CITUS_MODE=bench CITUS_BOOKS=${BENCH_SCALEOUT_BOOKS:-500} bash test/citus/run.sh |
	grep -v '^citus test: \(Citus .* already installed\|building\|coordinator :\|ok: bookparse\)'

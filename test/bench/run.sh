#!/bin/sh
# make bench: parse-speed bench, writes docs/benchmarks.md (not part of the test suite)
set -e
cd "$(dirname "$0")/../.."
T=$(/usr/bin/python3 test/bench/parse_bench.py)
echo "$T"
{
echo "# Benchmarks"
echo
echo "Machine: $(uname -srm), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
echo "Versions: pandoc $(pandoc --version | head -1 | cut -d' ' -f2), python3-ebooklib $(/usr/bin/python3 -c 'import importlib.metadata as m; print(m.version("EbookLib"))' 2>/dev/null || echo '?'), $(unzip -v | head -1 | cut -d' ' -f1-2), date $(date -u +%F)"
echo
echo "Command: \`make bench\` (= test/bench/run.sh -> test/bench/parse_bench.py; BENCH_ROUNDS=${BENCH_ROUNDS:-3})."
echo "Each round runs \`./bookparse-dump --text BOOK\`, \`/usr/bin/python3 test/bench/ebooklib_text.py BOOK\`"
echo "(ebooklib+bs4+lxml; FB2 with lxml), \`pandoc -t plain BOOK\`, \`unzip -p BOOK\` interleaved; medians of"
echo "wall time, peak RSS from wait4(); \"Nx\" = median over rounds of peer time / bookparse time (pair by pair)."
echo
echo "$T"
echo
echo "Not done yet: the end-to-end database bench (bookparse.submit, 1/2 workers, COPY floor) and profiling."
} > docs/benchmarks.md

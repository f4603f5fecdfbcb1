#!/bin/bash
# make bench: parse speed against the peers, instruction counts, the
# end-to-end database throughput and the same under pgbench load
# (test/bench/load.sh, BENCH_LOAD=0 skips it); writes docs/benchmarks.md.  Not part of
# the test suite.  The database part installs the extension and runs a
# throwaway cluster: it holds /tmp/bp-pg.lock meanwhile (root only; skipped
# with BENCH_DB=0).
set -euo pipefail
cd "$(dirname "$0")/../.."

load=$(cut -d' ' -f1-3 /proc/loadavg)
# fuzzers stopped with SIGSTOP for the bench (state T) do not count
fuzz=$(ps -eo stat,ni,etime,comm | awk '$4 ~ /^fuzz_/ && $1 !~ /^T/ {print $4 " (nice " $2 ", running " $3 ")"}' | sort -u | paste -sd ';' - || true)
stopped=$(ps -eo stat,comm | awk '$2 ~ /^fuzz_/ && $1 ~ /^T/ {print $2}' | sort -u | paste -sd ',' - || true)

echo "== parse speed (test/bench/parse_bench.py)" >&2
PARSE=$(/usr/bin/python3 test/bench/parse_bench.py)
echo "$PARSE"
echo "== instructions (test/bench/callgrind.sh)" >&2
CG=$(sh test/bench/callgrind.sh)
echo "$CG"
echo "== scene extraction cost (test/bench/scene_cost.py)" >&2
SCENE=$(/usr/bin/python3 test/bench/scene_cost.py)
echo "$SCENE"
DB="(not run: BENCH_DB=0 or not root)"
if [ "${BENCH_DB:-1}" != 0 ] && [ "$(id -u)" = 0 ]; then
	echo "== database throughput (test/bench/db_bench.sh, holding /tmp/bp-pg.lock)" >&2
	DB=$(flock /tmp/bp-pg.lock bash -c 'make -s install >/dev/null && bash test/bench/db_bench.sh')
	echo "$DB"
fi
SEARCH="(not run: BENCH_DB=0 or not root)"
if [ "${BENCH_DB:-1}" != 0 ] && [ "$(id -u)" = 0 ]; then
	echo "== full-text search (test/bench/search_bench.sh, holding /tmp/bp-pg.lock)" >&2
	SEARCH=$(flock /tmp/bp-pg.lock bash -c 'make -s install >/dev/null && bash test/bench/search_bench.sh')
	echo "$SEARCH"
fi
SCALEOUT="(not run: BENCH_DB=0 or not root)"
if [ "${BENCH_DB:-1}" != 0 ] && [ "$(id -u)" = 0 ]; then
	echo "== scale-out on Citus (test/bench/scaleout.sh, holding /tmp/bp-pg.lock)" >&2
	SCALEOUT=$(flock /tmp/bp-pg.lock bash test/bench/scaleout.sh)
	echo "$SCALEOUT"
fi
MEM="(not run: BENCH_DB=0 or not root)"
if [ "${BENCH_DB:-1}" != 0 ] && [ "$(id -u)" = 0 ]; then
	echo "== memory per book (test/bench/memory.sh, holding /tmp/bp-pg.lock)" >&2
	MEM=$(flock /tmp/bp-pg.lock bash -c 'make -s install >/dev/null && bash test/bench/memory.sh 64MB')
	echo "$MEM"
fi
LOAD="(not run: BENCH_DB=0, BENCH_LOAD=0 or not root)"
if [ "${BENCH_DB:-1}" != 0 ] && [ "${BENCH_LOAD:-1}" != 0 ] && [ "$(id -u)" = 0 ]; then
	echo "== under load (test/bench/load.sh, about 10 min, holding /tmp/bp-pg.lock)" >&2
	LOAD=$(flock /tmp/bp-pg.lock bash -c 'make -s install >/dev/null && bash test/bench/load.sh')
	echo "$LOAD"
fi

{
cat <<EOF
# Benchmarks

Written by \`make bench\` (test/bench/run.sh) on $(date -u '+%F %H:%M UTC').

Machine: $(uname -srm), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/Mem:/ {print $2}') GB.
Versions: bookparse $(./bookparse-dump --version 2>/dev/null | awk '{print $NF}'), PostgreSQL $(pg_config --version | awk '{print $2}'),
libxml2 $(pkg-config --modversion libxml-2.0), ICU $(pkg-config --modversion icu-uc), zlib $(pkg-config --modversion zlib),
pandoc $(pandoc --version | head -1 | cut -d' ' -f2), python3-ebooklib $(/usr/bin/python3 -c 'import importlib.metadata as m; print(m.version("EbookLib"))' 2>/dev/null || echo '?'),
bs4 $(/usr/bin/python3 -c 'import bs4; print(bs4.__version__)' 2>/dev/null || echo '?'), lxml $(/usr/bin/python3 -c 'import lxml.etree as e; print(e.__version__)' 2>/dev/null || echo '?'), $(unzip -v | head -1 | cut -d' ' -f1-2).

Load when the run started: $load (2 cores shared with other work).
Fuzzers running meanwhile: ${fuzz:-none}${stopped:+ (stopped with SIGSTOP for the run: $stopped)}.
Wall-clock numbers on this machine are noisy; the instruction counts are the repeatable ones.

## Parse speed per book

\`./bookparse-dump --text BOOK\` against the old stack, \`/usr/bin/python3 test/bench/ebooklib_text.py BOOK\`
(what the system bookparse replaces ran: ebooklib + BeautifulSoup/lxml text of every document for
EPUB, lxml parse + itertext for FB2), for FB2 also BeautifulSoup's \`'xml'\` parser (\`ebooklib_text.py
--bs4\`, the bs4 half of that stack), \`pandoc -t plain BOOK\` and the inflate floor \`unzip -p BOOK\`,
run interleaved (A B C D A B C D ...), BENCH_ROUNDS=${BENCH_ROUNDS:-5} rounds; medians of whole-process
wall time (so process start and library loading count), peak RSS from wait4().  "Nx" = median over
rounds of peer time / bookparse time, pair by pair (for unzip: how many times the floor bookparse
takes).  A peer that cannot read a book is shown as failing.  The books: the corpus novels (Crime and
Punishment, Moby-Dick, Alice, Children's Literature, the Japanese novel Kusamakura, the FB2 novels
and test books) and the 8 MB Japanese W3C document jlreq (not a novel).

$PARSE

## Instructions per parse

\`valgrind --tool=callgrind ./bookparse-dump --text BOOK\` (test/bench/callgrind.sh), total instructions
of the process (start, ICU and libxml2 loading included):

$CG

## Scene extraction cost (issue 13)

test/bench/scene_cost.py: \`./bookparse-dump --full BOOK\` (the parse as the workers do it) against
\`./bookparse-dump --full --scenes BOOK\` (the same parse, the word lists loaded, every paragraph
judged). Instructions of the whole process under callgrind, once per book and mode; from the
\`--scenes\` run, callgrind's inclusive counts of \`bp_book_scenes\` without
\`bp_scene_lang_build\` (the extraction a worker that keeps the lists pays per book) and of
\`bp_scene_load\` + \`bp_scene_lang_build\` (loading the lists and stemming the book's language's
words: once per process); shares are of the parse without scenes. CPU time: user + sys, the least of
${SCENE_RUNS:-10} alternating runs. The bound (docs/scenes.md): scenes add at most 30% to a novel's
parse. The corpus has no novel of War and Peace's size, so one is generated in a temporary directory:
a UTF-8 FB2 (\`<lang>en</lang>\`, a chapter per 60 paragraphs) of 3.5 MB of text, the text of Crime
and Punishment, Moby-Dick, Children's Literature and Alice in turn, then Crime and Punishment again
until the size is reached.

$SCENE

## End to end in the database

test/bench/db_bench.sh: a throwaway cluster (fsync off, shared_buffers 256MB), ${BENCH_BOOKS:-500} books drawn in
turn from six corpus novels (Crime and Punishment, Moby-Dick, Alice, Children's Literature EPUBs; the
Akunin and Karenina FB2s in windows-1251), submitted with \`bookparse.submit(pg_read_binary_file(f), f)\`
while the queue is paused, then parsed and stored by the background workers with
\`bookparse.max_workers\` 1, then (tables truncated) 2.  Time = last \`job.finished_at\` minus the
\`bookparse.resume()\`.  Floor: the chapter and asset rows of the 2-worker run dumped with
\`COPY ... TO (FORMAT binary)\`, the tables truncated, and the rows written back with \`COPY ... FROM\`
(the book rows' metadata UPDATE is not part of the floor; the chapters' search vectors are, since
COPY FROM computes generated columns).

$DB

## Under load

test/bench/load.sh (issue 15): the TAP test test/t/020_load_pgbench.pl at bench sizes.  pgbench
clients of two writer roles (half each) run for the given time at the given total rate; 20% of the
transactions are \`bookparse.submit(content, filename)\` of a corpus book held in a table (the
clients send no file), the rest the reads of a web application: \`bookparse.status\`, the chapters of
the latest parsed book, \`bookparse.wait(latest, '200ms')\`.  2 workers parse meanwhile
(\`max_connections\` = clients + 30, fsync off).  Latency from pgbench's per-transaction log without
the schedule lag; books/min = jobs finished while the clients ran / minutes; then the backlog left
when they stopped, and the rate at which the workers parsed it with no client left (the quiet rate of
the same books).  The test also checks that every book was parsed exactly once (see
[operations.md](operations.md#many-clients-at-once)).  Compare with the quiet numbers of the section
above: \`submit()\` of 500 novels in one session, and 2 workers parsing them with no client.

$LOAD

## Full-text search

test/bench/search_bench.sh (issue 14, docs/search.md).  Throughput: db_bench.sh again with the schema
as installed, without the GIN index on the search vector, without the vector, and with the vector made
by PostgreSQL's \`to_tsvector()\` (the first 200,000 characters) instead of bookparse's lexer.  Latency:
the six novels parsed once and their rows copied to at least 20,000 chapters, then 100 different
queries picked from their text with \`setseed\` (50 words of 5+ letters, 30 two-word phrases in quotes,
10 \`a or b\`, 10 \`a -b\`), each timed in the server around \`SELECT count(*) FROM bookparse.search(q)\`
(20 rows with snippets), after one warm-up pass.

$SEARCH

## Memory per book

test/bench/memory.sh: for every corpus EPUB and FB2, the peak parse memory the core counts (the
book itself, the core's blocks, zlib, libxml2 and ICU: what \`bookparse.work_mem\` must cover) from
\`bookparse-dump --full --stats\`, the peak RSS of that process, and in a throwaway cluster with one
worker (a fresh one per book, \`bookparse.work_mem = 64MB\`) the job's \`peak_memory_bytes\` and the
worker's peak RssAnon (private memory, read from /proc about every 2 ms: short spikes can be missed;
about 3 MB of it is the idle backend).

$MEM

## Scale-out on Citus (issue 12)

test/bench/scaleout.sh (needs \`CITUS_SRC\`, docs/scale-out.md): ${BENCH_SCALEOUT_BOOKS:-500} corpus books
(every EPUB and FB2 of the corpus in turn) submitted while the queue is paused, then parsed by the
background workers: on one server with \`bookparse.max_workers = 2\`, and on a Citus 13.2 cluster of a
coordinator and 2 nodes with \`bookparse.max_workers = 1\` each (8 shards), all on this 2-core machine.
Time = from \`bookparse.resume()\` until no book is queued or parsing (polled every 0.1 s).  Same
cores, so this is the overhead of distributing, not a speed-up; docs/scale-out.md estimates N nodes.

$SCALEOUT

EOF
cat docs/benchmarks-history.md
} > docs/benchmarks.md
echo "wrote docs/benchmarks.md" >&2

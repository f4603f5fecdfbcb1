#!/bin/bash
# test/citus/run.sh: bookparse on a Citus cluster (docs/scale-out.md).
#
#   CITUS_SRC=/path/to/citus bash test/citus/run.sh      (as root)
#
# CITUS_SRC is a Citus source tree or git repository (CITUS_REF picks the
# tag of a repository: default the newest v13.2.x, the last release for
# PostgreSQL 15).  Without CITUS_SRC the test prints one line saying it was
# skipped and exits 0.  Citus is built and installed into the PostgreSQL
# of pg_config (once: the build is cached by source and pg_config in
# CITUS_BUILD_CACHE, default /tmp/bookparse-citus-build); bookparse is
# built and installed from this checkout.
#
# It starts a coordinator and two worker nodes on this machine (throwaway
# clusters as the user postgres on random ports), distributes bookparse,
# submits real books from the shared corpus (../shared/corpus, repeated to
# CITUS_BOOKS = 200) through the coordinator and checks:
#   1. every book parsed exactly once (one job, done, one attempt), jobs
#      ran on both worker nodes, each on the node that holds the book's
#      shard, and each book's chapters (count, titles, md5 of the text)
#      equal a single-server parse of the same file;
#   2. a shard group moved (citus_move_shard_placement) while its books
#      are being parsed: nothing lost, nothing stored twice;
#   3. a worker node stopped with pg_ctl -m immediate while it parses and
#      started again: its books wait meanwhile, then all finish, none
#      stored twice;
#   4. pause() on the coordinator pauses every node; row-level security
#      (a writer sees only its own books) holds from the coordinator;
#   5. the queue's SQL from the coordinator: a writer reads the chapters
#      and jobs of its own books only (a book parsed by run_queue() before
#      distribute() included), cannot insert a running job; wait(),
#      wait() in the submitting transaction, reparse(), cancel() of a job
#      running on a node (by its writer), retry_failed() across shards,
#      purge_jobs();
#   6. the way back to a single server (tools/bookparse-copy-back.sh):
#      every book, chapter, asset and scene arrives, searchable, and new
#      ids follow the copied ones.
# Exits non-zero when a check fails.  BP_KEEP=1 keeps the clusters' logs.
set -u -o pipefail

cd "$(dirname "$0")/../.."
ROOT=$(pwd)

if [ -z "${CITUS_SRC:-}" ]; then
	echo "citus test: SKIPPED (CITUS_SRC is not set: Citus is not packaged for Debian; set it to a Citus source tree or git repository to run test/citus/run.sh)"
	exit 0
fi

BOOKS=${CITUS_BOOKS:-200}
CORPUS=${BP_CORPUS:-$ROOT/../shared/corpus}
PGCONFIG=${PG_CONFIG:-pg_config}
PGBIN=$($PGCONFIG --bindir)
CACHE=${CITUS_BUILD_CACHE:-/tmp/bookparse-citus-build}
FAILS=0
WORK=

say() { echo "citus test: $*"; }
fail() {
	echo "citus test: FAIL: $*"
	FAILS=$((FAILS + 1))
}
ok() { echo "citus test: ok: $*"; }

# ---- packages Citus needs to build (its README) ----
install_deps() {
	local pkgs=(autoconf flex bison libcurl4-openssl-dev liblz4-dev libzstd-dev
		libkrb5-dev libselinux1-dev libxslt1-dev libpam0g-dev libssl-dev
		libicu-dev pkg-config make gcc)
	local missing=() p
	for p in "${pkgs[@]}"; do
		dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		say "missing packages (run as root to install): ${missing[*]}"
		return 1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
}

# ---- build and install Citus from CITUS_SRC (cached) ----
build_citus() {
	local src key dir ref stamp
	if git -C "$CITUS_SRC" rev-parse --git-dir >/dev/null 2>&1; then
		ref=${CITUS_REF:-$(git -C "$CITUS_SRC" tag -l 'v13.2.*' --sort=-v:refname | head -n 1)}
		[ -n "$ref" ] || ref=HEAD
		key=$(git -C "$CITUS_SRC" rev-parse "$ref^{commit}")
	else
		ref=
		key=$(cd "$CITUS_SRC" && find . -name '*.c' -newer configure 2>/dev/null | wc -l)-$(stat -c %Y "$CITUS_SRC/configure")
	fi
	key=$key-$(echo "$PGCONFIG $($PGCONFIG --version)" | md5sum | cut -c1-8)
	stamp="$($PGCONFIG --sharedir)/extension/citus.bookparse-build"
	if [ -f "$($PGCONFIG --pkglibdir)/citus.so" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$key" ]; then
		say "Citus $key already installed"
		return 0
	fi
	dir=$CACHE/$key
	if [ ! -f "$dir/.built" ]; then
		rm -rf "$dir"
		mkdir -p "$dir"
		if [ -n "$ref" ]; then
			git -C "$CITUS_SRC" archive "$ref" | tar -x -C "$dir" || return 1
		else
			(cd "$CITUS_SRC" && tar --exclude=.git -cf - .) | tar -x -C "$dir" || return 1
		fi
		# PostgreSQL 15.20 declares have_createdb_privilege() in
		# commands/dbcommands.h (and exports it); Citus 13.2.2 defines a
		# static inline one of its own for PostgreSQL < 16, which then
		# clashes.  Rename Citus's copy: the server's is the same function.
		if grep -q 'have_createdb_privilege' "$($PGCONFIG --includedir-server)/commands/dbcommands.h"; then
			sed -i 's/^have_createdb_privilege(void)$/citus_unused_have_createdb_privilege(void)/' \
				"$dir/src/include/pg_version_compat.h"
		fi
		say "building Citus ${ref:-from $CITUS_SRC} in $dir (several minutes)"
		(cd "$dir" && ./configure PG_CONFIG="$PGCONFIG" >build.log 2>&1 &&
			make -j"$(nproc)" with_llvm=no >>build.log 2>&1) ||
			{ tail -n 30 "$dir/build.log"; return 1; }
		touch "$dir/.built"
	fi
	(cd "$dir" && make install with_llvm=no >>build.log 2>&1) || { tail -n 30 "$dir/build.log"; return 1; }
	echo "$key" >"$stamp"
}

as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- env PATH="$PGBIN:$PATH" "$@"
	else
		env PATH="$PGBIN:$PATH" "$@"
	fi
}

free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Start node NAME (coord, w1, w2) with bookparse.max_workers = $2.
node_start() {
	local name=$1 workers=$2 port
	port=$(free_port)
	eval "PORT_$name=$port"
	mkdir -p "$WORK/$name"
	[ "$(id -u)" = 0 ] && chown -R postgres: "$WORK/$name"
	as_pg initdb -D "$WORK/$name/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 \
		--no-sync >"$WORK/$name/initdb.log" 2>&1 || { cat "$WORK/$name/initdb.log"; return 1; }
	cat >>"$WORK/$name/data/postgresql.conf" <<EOF
# added by test/citus/run.sh
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$WORK/$name'
fsync = off
shared_preload_libraries = 'citus,bookparse'
bookparse.database = 'bp'
bookparse.max_workers = $workers
bookparse.naptime = '200ms'
wal_level = logical
max_worker_processes = 32
max_replication_slots = 16
max_wal_senders = 16
citus.log_remote_commands = off
EOF
	node_up "$name"
}

# Start an initialised node again.
node_up() {
	as_pg pg_ctl -D "$WORK/$1/data" -l "$WORK/$1/server.log" -w -t 60 start >/dev/null ||
		{ tail -n 30 "$WORK/$1/server.log"; return 1; }
}

node_port() { eval "echo \$PORT_$1"; }

# q NODE SQL: one psql command on the node's database bp, unaligned.
q() {
	local node=$1
	shift
	as_pg psql -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(node_port "$node")" \
		-U postgres -d bp -c "$@"
}

cleanup() {
	local n
	for n in coord w1 w2 one; do
		[ -n "$WORK" ] && [ -f "$WORK/$n/data/postmaster.pid" ] &&
			as_pg pg_ctl -D "$WORK/$n/data" -m immediate stop >/dev/null 2>&1
	done
	if [ -n "$WORK" ] && [ "${BP_KEEP:-0}" != 1 ]; then
		rm -rf "$WORK"
	elif [ -n "$WORK" ]; then
		say "kept $WORK"
	fi
}
trap cleanup EXIT

# Submit books from the corpus files (repeated) until $1 books, tagged $2
# in the file name; records book id and path in the coordinator table
# files (a plain table: the single-server reference).
submit_books() {
	local n=$1 tag=$2 node=${3:-coord} sql
	sql=$(/usr/bin/python3 - "$CORPUS" "$n" "$tag" <<'PY'
import os, sys
root, n, tag = sys.argv[1], int(sys.argv[2]), sys.argv[3]
files = []
for d in ("epub", "fb2", "derived"):
    p = os.path.join(root, d)
    if os.path.isdir(p):
        files += sorted(os.path.join(p, f) for f in os.listdir(p))
out = ["BEGIN;"]
for i in range(n):
    f = files[i % len(files)]
    name = "%s-%03d-%s" % (tag, i, os.path.basename(f))
    q = lambda s: "'" + s.replace("'", "''") + "'"
    out.append("INSERT INTO files SELECT bookparse.submit(pg_read_binary_file(%s), %s), %s, %s, %s;"
               % (q(f), q(name), q(name), q(f), q(tag)))
out.append("COMMIT;")
print("\n".join(out))
PY
)
	echo "$sql" | as_pg psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(node_port "$node")" -U postgres -d bp >/dev/null
}

# Wait until no book of tag $1 is queued or parsing (at most $2 s; on
# node $3, default the coordinator).
wait_parsed() {
	local tag=$1 limit=$2 node=${3:-coord} t=0 left
	while :; do
		left=$(q "$node" "SELECT count(*) FROM bookparse.book WHERE status IN ('queued', 'parsing') AND filename LIKE '$tag-%'")
		[ "$left" = 0 ] && return 0
		t=$((t + 1))
		if [ $t -ge $((limit * 10)) ]; then
			fail "$left book(s) of $tag still queued or parsing after $limit s"
			return 1
		fi
		sleep 0.1
	done
}

# The scale-out row of make bench (CITUS_MODE=bench): the same books on one
# server with 2 workers and on 2 nodes with 1 worker each; prints
# markdown rows.
bench() {
	local n=$BOOKS t0 t1 one two failed_one
	node_start one 2 || return 1
	as_pg createdb -h 127.0.0.1 -p "$PORT_one" -U postgres bp &&
		q one "CREATE EXTENSION bookparse; CREATE TABLE files (book_id bigint PRIMARY KEY, name text, path text, tag text)" >/dev/null || return 1
	q one "SELECT bookparse.pause()" >/dev/null
	submit_books "$n" bench one || return 1
	t0=$(date +%s.%N)
	q one "SELECT bookparse.resume()" >/dev/null
	wait_parsed bench 1200 one || return 1
	t1=$(date +%s.%N)
	one=$(echo "$t1 - $t0" | bc)
	failed_one=$(q one "SELECT count(*) FROM bookparse.book WHERE status = 'failed'")
	as_pg pg_ctl -D "$WORK/one/data" -m fast stop >/dev/null
	q coord "SELECT bookparse.pause()" >/dev/null
	submit_books "$n" bench || return 1
	t0=$(date +%s.%N)
	q coord "SELECT bookparse.resume()" >/dev/null
	wait_parsed bench 1200 || return 1
	t1=$(date +%s.%N)
	two=$(echo "$t1 - $t0" | bc)
	echo "| setup | books | seconds | books per minute |"
	echo "|---|---|---|---|"
	printf '| one server, 2 workers | %d | %.1f | %.0f |\n' "$n" "$one" "$(echo "$n * 60 / $one" | bc -l)"
	printf '| Citus: coordinator + 2 nodes x 1 worker | %d | %.1f | %.0f |\n' "$n" "$two" "$(echo "$n * 60 / $two" | bc -l)"
	echo
	echo "Jobs per node: $(q coord "SELECT string_agg(node || ' ' || c, ', ') FROM (SELECT node, count(*) c FROM bookparse.job j WHERE book_id IN (SELECT book_id FROM files WHERE tag = 'bench') GROUP BY node ORDER BY node) s")."
	echo "Failed books (the same on both): one server $failed_one, cluster $(q coord "SELECT count(*) FROM bookparse.book WHERE status = 'failed'")."
}

# Check every book of tag $1: exactly one job, done (attempts <= $2),
# chapters equal to the single-server parse on the coordinator.
check_books() {
	local tag=$1 max_attempts=$2 r
	r=$(q coord "SELECT count(*) FROM files WHERE tag = '$tag'")
	[ "$r" -gt 0 ] || { fail "$tag: no books submitted"; return; }
	# results of the cluster, pulled into plain tables of the coordinator
	q coord "
		DROP TABLE IF EXISTS got_jobs, got_chapters, got_books;
		CREATE TABLE got_books AS SELECT id, status, chapters, filename FROM bookparse.book WHERE filename LIKE '$tag-%';
		CREATE TABLE got_jobs AS SELECT book_id, state, attempts, node FROM bookparse.job j WHERE book_id IN (SELECT id FROM got_books);
		CREATE TABLE got_chapters AS
		  SELECT book_id, count(*) AS n,
		         md5(string_agg(coalesce(title, '<null>'), E'\x1f' ORDER BY number)) AS titles,
		         md5(string_agg(coalesce(text, ''), E'\x1f' ORDER BY number)) AS texts
		    FROM bookparse.chapter WHERE book_id IN (SELECT id FROM got_books) GROUP BY book_id;" >/dev/null ||
		{ fail "$tag: reading the results"; return; }
	r=$(q coord "SELECT count(*) FROM files f WHERE tag = '$tag' AND (SELECT count(*) FROM got_jobs j WHERE j.book_id = f.book_id) <> 1")
	[ "$r" = 0 ] && ok "$tag: one job per book" || fail "$tag: $r book(s) without exactly one job"
	r=$(q coord "SELECT count(*) FROM got_jobs WHERE state <> 'done' OR attempts > $max_attempts")
	[ "$r" = 0 ] && ok "$tag: every job done (attempts <= $max_attempts)" ||
		fail "$tag: $r job(s) not done or over $max_attempts attempts: $(q coord "SELECT string_agg(book_id || ':' || state || ':' || attempts, ' ') FROM got_jobs WHERE state <> 'done' OR attempts > $max_attempts")"
	r=$(q coord "SELECT count(*) FROM got_books WHERE status <> 'parsed'")
	[ "$r" = 0 ] && ok "$tag: every book parsed" || fail "$tag: $r book(s) not parsed"
	# the single-server parse of each file, here on the coordinator
	q coord "
		DROP TABLE IF EXISTS want_chapters;
		CREATE TABLE want_chapters AS
		  SELECT f.book_id, count(*) AS n,
		         md5(string_agg(coalesce(c.title, '<null>'), E'\x1f' ORDER BY c.number)) AS titles,
		         md5(string_agg(coalesce(c.text, ''), E'\x1f' ORDER BY c.number)) AS texts
		    FROM files f, bookparse.parse_chapters(pg_read_binary_file(f.path), f.path) c
		   WHERE f.tag = '$tag' GROUP BY f.book_id;" >/dev/null ||
		{ fail "$tag: single-server parse"; return; }
	r=$(q coord "SELECT count(*) FROM (
		(SELECT * FROM want_chapters EXCEPT SELECT * FROM got_chapters)
		UNION ALL (SELECT * FROM got_chapters EXCEPT SELECT * FROM want_chapters)) d")
	[ "$r" = 0 ] && ok "$tag: chapters (count, titles, md5 of text) equal the single-server parse for $(q coord "SELECT count(*) FROM want_chapters") books" ||
		fail "$tag: $r book(s) whose chapters differ from the single-server parse"
	r=$(q coord "SELECT count(*) FROM got_books b WHERE chapters IS DISTINCT FROM (SELECT n FROM got_chapters c WHERE c.book_id = b.id)")
	[ "$r" = 0 ] && ok "$tag: book.chapters matches the stored chapter rows" || fail "$tag: $r book(s) with a chapter count unlike their rows"
}

# qa ROLE SQL [DB]: as a login role on the coordinator (database bp).
qa() {
	as_pg psql -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT_coord" -U "$1" -d "${3:-bp}" -c "$2"
}

# Wait until book $1 has a job running on a worker node (at most 20 s).
wait_running() {
	local i r
	for i in $(seq 1 200); do
		r=$(q coord "SELECT count(*) FROM bookparse.job WHERE book_id = $1 AND state = 'running' AND node IS NOT NULL")
		[ "$r" -gt 0 ] && return 0
		sleep 0.1
	done
	return 1
}

# submit(), wait(), reparse(), cancel() of a job running on a node,
# retry_failed(), purge_jobs() from the coordinator, and row-level security
# on chapters and jobs (alice's pre-distribution rows included).
api_tests() {
	local id id2 r n

	# row-level security on the tables with the submitted_by copy, once
	# alice's books are parsed
	# (ids first: wait() in a query over a distributed table would run in
	# the shards, where Citus refuses the queries wait() makes)
	q coord "WITH ids AS MATERIALIZED (SELECT id FROM bookparse.book WHERE submitted_by = 'bpc_alice') SELECT bookparse.wait(id, '60s') FROM ids" >/dev/null
	r=$(qa bpc_alice "SELECT count(*) FROM bookparse.chapter")
	n=$(q coord "SELECT count(*) FROM bookparse.chapter c JOIN bookparse.book b ON b.id = c.book_id WHERE b.submitted_by = 'bpc_alice'")
	[ "$r" = "$n" ] && [ "$r" -ge 2 ] && ok "rls: a writer reads the chapters of its own books from the coordinator ($r, those parsed before distribute() too)" ||
		fail "rls: writer alice reads $r chapter(s), her books have $n"
	r=$(qa bpc_bob "SELECT count(*) FROM bookparse.chapter")$(qa bpc_bob "SELECT count(*) FROM bookparse.job")
	[ "$r" = 00 ] && ok "rls: a writer reads no chapter or job of another's books" || fail "rls: writer bob reads '$r' (chapters, jobs)"
	r=$(qa bpc_alice "SELECT count(*) FROM bookparse.job")
	[ "$r" = 2 ] && ok "rls: a writer sees the jobs of its own books" || fail "rls: writer alice sees $r job(s), want 2"
	id=$(qa bpc_alice "SELECT min(id) FROM bookparse.book")
	r=$(qa bpc_alice "INSERT INTO bookparse.job (book_id, state, submitted_by) VALUES ($id, 'running', 'bpc_alice')" 2>&1)
	echo "$r" | grep "row-level security" >/dev/null && ok "rls: a writer cannot insert a running job" ||
		fail "rls: a writer's INSERT of a running job gave: $r"

	# wait() on the coordinator follows the book on its node
	id=$(qa bpc_alice "SELECT bookparse.submit(convert_to('A short book. Waited for from the coordinator.', 'UTF8'), 'api-wait.txt')")
	r=$(qa bpc_alice "SELECT bookparse.wait($id, '60s')")
	[ "$r" = parsed ] && ok "api: wait() on the coordinator returns when the node has parsed the book" || fail "api: wait() gave '$r'"

	# wait() in the transaction that queued the book: an error, not a
	# time-out (on Citus the row's xmin is the node's transaction id)
	r=$(qa bpc_alice "SELECT bookparse.wait(bookparse.submit(convert_to('Never committed.', 'UTF8'), 'api-same-tx.txt'), '20s')" 2>&1)
	echo "$r" | grep "was queued by this transaction" >/dev/null && ok "api: wait() in the transaction that submitted says so at once" ||
		fail "api: wait() in the submitting transaction gave: $r"

	# completion notifications come from the node that parsed the book
	# (docs/scale-out.md, "Where to LISTEN"): listen on both nodes
	for n in w1 w2; do
		as_pg psql -X -q -h 127.0.0.1 -p "$(node_port $n)" -U postgres -d bp \
			-c "LISTEN bookparse" -c "SELECT pg_sleep(4)" -c "SELECT 1" >"$WORK/listen_$n.out" 2>&1 &
	done
	sleep 1
	id2=$(q coord "SELECT bookparse.submit(convert_to('A book whose end is heard on its node.', 'UTF8'), 'api-listen.txt')")
	wait
	r=$(q coord "SELECT n.nodeport FROM pg_dist_placement p JOIN pg_dist_node n USING (groupid) WHERE p.shardid = get_shard_id_for_distribution_column('bookparse.book', $id2)")
	n=$([ "$r" = "$PORT_w1" ] && echo w1 || echo w2)
	grep "\"book_id\":$id2,\"status\":\"parsed\"" "$WORK/listen_$n.out" >/dev/null &&
		! grep "\"book_id\":$id2," "$WORK/listen_$([ $n = w1 ] && echo w2 || echo w1).out" >/dev/null &&
		ok "api: LISTEN bookparse on the node holding the book hears it parsed (on $n only)" ||
		fail "api: no notification for book $id2 on $n: $(cat "$WORK/listen_$n.out")"

	# bookparse.status on the coordinator counts every shard
	r=$(q coord "SELECT parsed FROM bookparse.status")
	n=$(q coord "SELECT count(*) FROM bookparse.book WHERE status = 'parsed'")
	[ "$r" = "$n" ] && ok "api: bookparse.status on the coordinator counts the books of every shard ($r parsed)" ||
		fail "api: bookparse.status says $r parsed, the table $n"

	# reparse() from the coordinator: a second job, parsed again
	q coord "SELECT bookparse.reparse($id)" >/dev/null || fail "api: reparse()"
	r=$(q coord "SELECT bookparse.wait($id, '60s')")$(q coord "SELECT count(*) FROM bookparse.job WHERE book_id = $id AND state = 'done'")
	[ "$r" = parsed2 ] && ok "api: reparse() from the coordinator parses the book again" || fail "api: reparse(): '$r'"

	# cancel() on the coordinator of a job running on a node, by its writer
	for n in w1 w2; do
		q $n "ALTER SYSTEM SET bookparse.debug_parse_delay = '30s'" >/dev/null
		q $n "SELECT pg_reload_conf()" >/dev/null
	done
	sleep 0.5
	id2=$(qa bpc_alice "SELECT bookparse.submit(convert_to('A slow book. Canceled from the coordinator.', 'UTF8'), 'api-cancel.txt')")
	if wait_running "$id2"; then
		r=$(qa bpc_alice "SELECT bookparse.cancel($id2)")
		[ "$r" = t ] && ok "api: cancel() on the coordinator reaches the node running the job" || fail "api: cancel() gave '$r'"
		r=$(q coord "SELECT bookparse.wait($id2, '20s')")$(q coord "SELECT state FROM bookparse.job WHERE book_id = $id2")
		[ "$r" = failedcanceled ] && ok "api: the job ends canceled on its node (book failed, job canceled)" ||
			fail "api: after cancel(): '$r'"
	else
		fail "api: the slow book never ran"
	fi
	for n in w1 w2; do
		q $n "ALTER SYSTEM RESET bookparse.debug_parse_delay" >/dev/null
		q $n "SELECT pg_reload_conf()" >/dev/null
	done

	# retry_failed() across the shards: books that fail, queued again
	q coord "SELECT bookparse.pause()" >/dev/null
	for n in 1 2 3 4 5 6; do
		q coord "SELECT bookparse.submit('\\x504b0304deadbeef'::bytea, 'api-broken-$n.epub')" >/dev/null
	done
	q coord "SELECT bookparse.resume()" >/dev/null
	wait_parsed api-broken 60
	n=$(q coord "SELECT count(*) FROM bookparse.book WHERE status = 'failed' AND filename LIKE 'api-broken-%'")
	r=$(q coord "SELECT bookparse.retry_failed(error_code => (SELECT error_code FROM bookparse.book WHERE filename = 'api-broken-1.epub'))")
	[ "$n" = 6 ] && [ "$r" = 6 ] && ok "api: retry_failed() on the coordinator queues the 6 failed books of every shard again" ||
		fail "api: retry_failed() returned '$r' for $n failed book(s)"
	wait_parsed api-broken 60
	r=$(q coord "SELECT count(*) FROM bookparse.job j JOIN bookparse.book b ON b.id = j.book_id WHERE b.filename LIKE 'api-broken-%' GROUP BY b.id HAVING count(*) <> 2")
	[ -z "$r" ] && ok "api: each retried book has its second job" || fail "api: retried books without exactly 2 jobs"
	r=$(q coord "SELECT bookparse.retry_failed(older_than => '1 hour')")
	[ "$r" = 0 ] && ok "api: retry_failed(older_than) leaves recent failures alone" || fail "api: retry_failed(1 hour) queued $r"

	# purge_jobs() from the coordinator
	n=$(q coord "SELECT count(*) FROM bookparse.job WHERE state IN ('done', 'failed', 'canceled')")
	r=$(q coord "SELECT bookparse.purge_jobs('0')")
	[ "$r" = "$n" ] && [ "$(q coord "SELECT count(*) FROM bookparse.job WHERE state IN ('done', 'failed', 'canceled')")" = 0 ] &&
		ok "api: purge_jobs() on the coordinator deletes the $n finished jobs of every shard" ||
		fail "api: purge_jobs() returned '$r' for $n finished job(s)"
}

# The documented way back to a single server: copy the tables out of the
# cluster (column lists without generated columns) and into a database
# without Citus; the books and chapters must arrive whole and searchable.
copy_back_test() {
	local dir=$WORK/copyback r want
	mkdir -p "$dir" && chown postgres: "$dir" 2>/dev/null
	# a smaller library to copy: deleting books from the coordinator takes
	# their chapters, assets, scenes and jobs with them in every shard
	q coord "DELETE FROM bookparse.book WHERE filename LIKE 'move-%' OR filename LIKE 'kill-%'" >/dev/null
	r=$(q coord "SELECT count(*) FROM bookparse.chapter c WHERE NOT EXISTS (SELECT 1 FROM bookparse.book b WHERE b.id = c.book_id)")
	[ "$r" = 0 ] && ok "back: deleting books on the coordinator deletes their chapters" || fail "back: $r chapter(s) left without their book"
	as_pg createdb -h 127.0.0.1 -p "$PORT_coord" -U postgres single || { fail "back: createdb"; return; }
	as_pg env PGHOST=127.0.0.1 PGPORT="$PORT_coord" PGUSER=postgres \
		bash "$ROOT/tools/bookparse-copy-back.sh" bp single "$dir" >"$dir/log" 2>&1 ||
		{ cat "$dir/log"; fail "back: tools/bookparse-copy-back.sh failed"; return; }
	want=$(q coord "SELECT count(*) || ' ' || md5(string_agg(md5(coalesce(text, '')), '' ORDER BY book_id, number)) FROM bookparse.chapter")
	r=$(qa postgres "SELECT count(*) || ' ' || md5(string_agg(md5(coalesce(text, '')), '' ORDER BY book_id, number)) FROM bookparse.chapter" single)
	[ "$r" = "$want" ] && ok "back: every chapter arrived on the single server (${r%% *})" || fail "back: chapters '$r', want '$want'"
	want=$(q coord "SELECT count(*) FROM bookparse.book")/$(q coord "SELECT count(*) FROM bookparse.scene")/$(q coord "SELECT count(*) FROM bookparse.asset")
	r=$(qa postgres "SELECT (SELECT count(*) FROM bookparse.book) || '/' || (SELECT count(*) FROM bookparse.scene) || '/' || (SELECT count(*) FROM bookparse.asset)" single)
	[ "$r" = "$want" ] && ok "back: books, scenes and assets arrived ($r)" || fail "back: books/scenes/assets '$r', want '$want'"
	r=$(qa postgres "SELECT count(*) FROM bookparse.search('Alice')" single)
	[ "$r" -gt 0 ] && ok "back: search() finds the books on the single server" || fail "back: search('Alice') found '$r'"
	r=$(qa postgres "SELECT bookparse.submit(convert_to('After the way back.', 'UTF8'), 'back.txt') > (SELECT max(id) FROM bookparse.book WHERE filename <> 'back.txt')" single)
	[ "$r" = t ] && ok "back: new books get ids after the copied ones" || fail "back: new book id not past the copied ones ('$r')"
}

# ---- main ----
if [ ! -d "$CORPUS/epub" ]; then
	echo "citus test: SKIPPED (the corpus $CORPUS is absent)"
	exit 0
fi
install_deps || exit 1
build_citus || { say "building Citus failed"; exit 1; }
say "building and installing bookparse"
make -s -j"$(nproc)" >/dev/null && make -s install >/dev/null || { say "building bookparse failed"; exit 1; }

WORK=$(mktemp -d /tmp/bookparse-citus.XXXXXX)
chmod 755 "$WORK"
# the corpus is read by the servers (pg_read_binary_file) as postgres
CORPUS=$(cd "$CORPUS" && pwd)

node_start coord 0 && node_start w1 1 && node_start w2 1 || exit 1
say "coordinator :$PORT_coord, workers :$PORT_w1 :$PORT_w2"
for n in coord w1 w2; do
	as_pg createdb -h 127.0.0.1 -p "$(node_port $n)" -U postgres bp || exit 1
	q $n "CREATE EXTENSION citus" >/dev/null || exit 1
done
q coord "SELECT citus_set_coordinator_host('127.0.0.1', $PORT_coord);
	SELECT citus_add_node('127.0.0.1', $PORT_w1);
	SELECT citus_add_node('127.0.0.1', $PORT_w2);" >/dev/null || exit 1
q coord "CREATE EXTENSION bookparse" >/dev/null || exit 1
q coord "CREATE ROLE bpc_alice LOGIN IN ROLE bookparse_writer; CREATE ROLE bpc_bob LOGIN IN ROLE bookparse_writer" >/dev/null
# a library that exists before it is distributed: alice's book, parsed by
# run_queue() on the coordinator while it is a single server, its rows
# made to look stored before 0.2.0 (no submitted_by copy)
qa bpc_alice "SELECT bookparse.submit(convert_to('Alice''s first book. It was parsed before the cluster.', 'UTF8'), 'alice-before.txt')" >/dev/null ||
	fail "rls: a writer cannot submit on the single server"
q coord "SELECT bookparse.run_queue()" >/dev/null || fail "run_queue() on the single server"
q coord "UPDATE bookparse.chapter SET submitted_by = NULL; UPDATE bookparse.job SET submitted_by = NULL" >/dev/null
BEFORE_CHAPTERS=$(q coord "SELECT count(*) FROM bookparse.chapter")
q coord "SELECT bookparse.distribute(shard_count => 8)" >/dev/null || exit 1
for n in w1 w2; do
	r=$(q $n "SELECT extversion FROM pg_extension WHERE extname = 'bookparse'")
	[ -n "$r" ] && ok "bookparse $r exists on $n" || fail "bookparse is not installed on $n"
done
q coord "CREATE TABLE files (book_id bigint PRIMARY KEY, name text, path text, tag text)" >/dev/null
if [ "${CITUS_MODE:-test}" = bench ]; then
	bench || { say "bench failed"; exit 1; }
	exit 0
fi
NODE_w1="127.0.0.1:$PORT_w1"
NODE_w2="127.0.0.1:$PORT_w2"

# ---- 1. books parsed where their shards are, exactly once ----
T0=$(date +%s.%N)
submit_books "$BOOKS" main || { fail "submitting books"; exit 1; }
wait_parsed main 600
T1=$(date +%s.%N)
say "main: $BOOKS books parsed in $(echo "$T1 - $T0" | bc) s"
check_books main 1
r=$(q coord "SELECT count(DISTINCT node) FROM got_jobs WHERE node IN ('$NODE_w1', '$NODE_w2')")
[ "$r" = 2 ] && ok "main: jobs ran on both worker nodes ($(q coord "SELECT string_agg(node || '=' || c, ' ') FROM (SELECT node, count(*) c FROM got_jobs GROUP BY node ORDER BY node) s"))" ||
	fail "main: jobs ran on $r worker node(s)"
r=$(q coord "SELECT count(*) FROM got_jobs j
	WHERE j.node IS DISTINCT FROM (SELECT n.nodename || ':' || n.nodeport
	  FROM pg_dist_placement p JOIN pg_dist_node n USING (groupid)
	 WHERE p.shardid = get_shard_id_for_distribution_column('bookparse.book', j.book_id))")
[ "$r" = 0 ] && ok "main: every job ran on the node that holds its book's shard" ||
	fail "main: $r job(s) ran away from their book's shard"

# ---- 2. a shard group moved while its books are parsed ----
q coord "SELECT bookparse.pause()" >/dev/null
submit_books "$BOOKS" move || fail "submitting books (move)"
# the shard of w1 with the most queued books moves to w2
SHARD=$(q coord "SELECT f.shardid FROM (SELECT get_shard_id_for_distribution_column('bookparse.book', book_id) AS shardid
	  FROM files WHERE tag = 'move') f
	JOIN pg_dist_placement p ON p.shardid = f.shardid
	JOIN pg_dist_node n ON n.groupid = p.groupid AND n.nodeport = $PORT_w1
	GROUP BY f.shardid ORDER BY count(*) DESC LIMIT 1")
IN_SHARD=$(q coord "SELECT count(*) FROM files WHERE tag = 'move' AND get_shard_id_for_distribution_column('bookparse.book', book_id) = $SHARD")
q coord "SELECT bookparse.resume()" >/dev/null
# let w1 start on them, then move
for i in $(seq 1 100); do
	r=$(q coord "SELECT count(*) FROM bookparse.job WHERE state IN ('running', 'done') AND node = '$NODE_w1' AND book_id IN (SELECT id FROM bookparse.book WHERE filename LIKE 'move-%')")
	[ "$r" -gt 0 ] && break
	sleep 0.1
done
r=$(q coord "SELECT count(DISTINCT node) FROM bookparse.workers WHERE node IN ('$NODE_w1', '$NODE_w2')")
[ "$r" -ge 1 ] && ok "bookparse.workers on the coordinator shows the nodes' workers ($(q coord "SELECT string_agg(DISTINCT node, ' ') FROM bookparse.workers"))" ||
	fail "bookparse.workers on the coordinator shows no node's worker"
BEFORE=$(q coord "SELECT count(*) FROM bookparse.job WHERE state = 'queued' AND get_shard_id_for_distribution_column('bookparse.book', book_id) = $SHARD")
q coord "SELECT citus_move_shard_placement($SHARD, '127.0.0.1', $PORT_w1, '127.0.0.1', $PORT_w2, shard_transfer_mode => 'force_logical')" >/dev/null ||
	fail "moving shard $SHARD"
AFTER=$(q coord "SELECT count(*) FROM bookparse.job WHERE state = 'queued' AND get_shard_id_for_distribution_column('bookparse.book', book_id) = $SHARD")
say "move: shard $SHARD ($IN_SHARD books) moved w1 -> w2 with $BEFORE of its jobs queued before, $AFTER after"
[ "$BEFORE" -gt 0 ] && ok "move: the shard moved while its books were being parsed" ||
	fail "move: the queue of shard $SHARD was empty before the move (nothing tested)"
r=$(q coord "SELECT n.nodeport FROM pg_dist_placement p JOIN pg_dist_node n USING (groupid) WHERE p.shardid = $SHARD")
[ "$r" = "$PORT_w2" ] && ok "move: shard $SHARD is on w2 now" || fail "move: shard $SHARD is on port $r"
wait_parsed move 600
check_books move 2
r=$(q coord "SELECT count(*) FROM got_jobs j WHERE node = '$NODE_w2' AND get_shard_id_for_distribution_column('bookparse.book', book_id) = $SHARD")
say "move: $r job(s) of shard $SHARD ran on w2 after the move"

# ---- 3. a worker node killed while it parses, then started ----
q coord "SELECT bookparse.pause()" >/dev/null
submit_books "$BOOKS" kill || fail "submitting books (kill)"
q coord "SELECT bookparse.resume()" >/dev/null
for i in $(seq 1 200); do
	r=$(q coord "SELECT count(*) FROM bookparse.job WHERE state = 'running' AND node = '$NODE_w2'")
	[ "$r" -gt 0 ] && break
	sleep 0.05
done
[ "$r" -gt 0 ] || fail "kill: w2 never ran a job of the batch"
as_pg pg_ctl -D "$WORK/w2/data" -m immediate stop >/dev/null
say "kill: w2 stopped with -m immediate while running a job"
sleep 2
# w1 goes on with its own books meanwhile (a query naming only books of
# w1's shards is routed there; one over all shards would fail now)
W1_IDS=$(q coord "SELECT array_agg(f.book_id) FROM files f
	JOIN pg_dist_placement p ON p.shardid = get_shard_id_for_distribution_column('bookparse.book', f.book_id)
	JOIN pg_dist_node n ON n.groupid = p.groupid AND n.nodeport = $PORT_w1
	WHERE f.tag = 'kill'")
W1_BEFORE=$(q coord "SELECT count(*) FROM bookparse.book WHERE id = ANY ('$W1_IDS') AND status = 'parsed'")
sleep 3
W1_AFTER=$(q coord "SELECT count(*) FROM bookparse.book WHERE id = ANY ('$W1_IDS') AND status = 'parsed'")
say "kill: w1 parsed $((${W1_AFTER:-0} - ${W1_BEFORE:-0})) of its books in the 3 s w2 was down ($W1_AFTER of $(q coord "SELECT cardinality('$W1_IDS'::bigint[])") done)"
r=$(q coord "SELECT count(*) FROM bookparse.book WHERE id = ANY ('$W1_IDS') AND status = 'failed'")
[ "$r" = 0 ] && ok "kill: no book failed while w2 was down" || fail "kill: $r book(s) failed while w2 was down"
node_up w2 || fail "kill: w2 did not start again"
wait_parsed kill 600
check_books kill 2
r=$(q coord "SELECT count(*) FROM got_jobs WHERE attempts = 2")
say "kill: $r job(s) ran twice (the ones w2 had running when it was killed; stored once)"

# ---- 4. pause() reaches every node; row-level security ----
q coord "SELECT bookparse.pause()" >/dev/null
r=$(q w1 "SELECT paused FROM bookparse.queue_state")$(q w2 "SELECT paused FROM bookparse.queue_state")
[ "$r" = tt ] && ok "pause() on the coordinator is seen by both nodes" || fail "pause() seen as '$r' on the nodes"
q coord "SELECT bookparse.resume()" >/dev/null
qa bpc_alice "SELECT bookparse.submit(convert_to('Alice''s own book. Two sentences.', 'UTF8'), 'alice.txt')" >/dev/null ||
	fail "rls: a writer cannot submit from the coordinator"
r=$(qa bpc_bob "SELECT count(*) FROM bookparse.book")
[ "$r" = 0 ] && ok "rls: a writer sees none of the others' books from the coordinator" || fail "rls: writer bob sees $r book(s)"
r=$(qa bpc_alice "SELECT count(*) FROM bookparse.book")
[ "$r" = 2 ] && ok "rls: a writer sees its own books from the coordinator" || fail "rls: writer alice sees $r book(s), want 2"

# ---- 5. the queue's SQL on the coordinator ----
api_tests

# ---- 6. back to a single server (docs/scale-out.md, "Taking it back") ----
copy_back_test

if [ $FAILS -ne 0 ]; then
	BP_KEEP=1
	echo "citus test: FAILED ($FAILS check(s)); logs in $WORK/*/server.log"
	exit 1
fi
echo "citus test: all passed"

#!/bin/bash
# disk_full.sh: the disk fills while the workers store books (issue 15).
#
#   bash test/faults/disk_full.sh      (as root, after make install)
#
# Mounts a small tmpfs (FAULT_FS_MB, 64) and runs a throwaway cluster as
# postgres (test/cluster.sh) with a tablespace on it.  A batch of real
# books (FAULT_BOOKS, 40; the corpus, else the samples) is queued while the
# queue is paused, the file system is filled but for a few MB, and 2
# workers store the batch, so that it fills while they store.  Twice:
#   A. the results (chapter, asset, scene) on the small fs: the books that
#      cannot be stored fail with error_code disk_full and the cause in the
#      message ("No space left on device"), after bookparse.max_attempts;
#      once space is freed, retry_failed(error_code => 'disk_full')
#      queues them again;
#   B. every bookparse table on it: the queue cannot even claim or record
#      a job; a client's submit() gets SQLSTATE 53100; the jobs wait (or
#      fail with disk_full / worker_lost) with the cause in the server log,
#      and the queue resumes by itself once space is freed (retry_failed()
#      for those that failed).
# Each time: the server stays up (same postmaster, no crash restart, no
# PANIC), no half-stored book is ever visible (a parsed book has all its
# chapters, any other none; checked while full and after), and every book
# of the batch ends once, as it ends when parsed alone.
# Exit 0 when all hold, 1 when one fails, 2 when it cannot run here (not
# root, or mounting a tmpfs is not permitted: it prints SKIPPED).
set -u -o pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
FS_MB=${FAULT_FS_MB:-64}
BATCH=${FAULT_BOOKS:-40}
CORP=${BP_CORPUS:-$ROOT/../shared/corpus}

if [ "$(id -u)" != 0 ]; then
	echo "disk_full: SKIPPED (must run as root to mount a tmpfs)"
	exit 2
fi
. test/cluster.sh
DIR=$(mktemp -d /tmp/bookparse-diskfull.XXXXXX)
chmod 755 "$DIR"
MNT=$DIR/small
mkdir -p "$MNT"
if ! mount -t tmpfs -o size=${FS_MB}m,mode=0700 bookparse-diskfull "$MNT" 2>"$DIR/mount.err"; then
	echo "disk_full: SKIPPED (cannot mount a tmpfs here: $(cat "$DIR/mount.err"))"
	rm -rf "$DIR"
	exit 2
fi
cleanup() {
	bp_cluster_stop
	umount "$MNT" 2>/dev/null
	[ "${BP_KEEP:-0}" = 1 ] || rm -rf "$DIR"
}
trap cleanup EXIT
chown postgres: "$MNT"

FAILS=0
# check NAME GOT WANT
check() {
	if [ "$2" = "$3" ]; then
		echo "ok - $1"
	else
		echo "not ok - $1: got '$2', want '$3'"
		FAILS=$((FAILS + 1))
	fi
}
q() { bp_as_pg psql -X -q -At -v ON_ERROR_STOP=1 -d postgres "$@"; }

# the books: corpus EPUB/FB2 up to 800 kB and the malformed ones, else samples
BOOKS=()
if [ -f "$CORP/MANIFEST.tsv" ]; then
	while IFS= read -r f; do BOOKS+=("$f"); done < <(find "$CORP/epub" "$CORP/fb2" \
		"$CORP/derived" "$CORP/malformed" -type f -size +0 -size -800k | sort)
else
	/usr/bin/python3 test/make_samples.py "$DIR/samples" >/dev/null
	chmod -R a+rX "$DIR/samples"
	while IFS= read -r f; do BOOKS+=("$f"); done < <(find "$DIR/samples" -type f | sort)
fi
echo "disk_full: ${#BOOKS[@]} distinct books, batch of $BATCH, tmpfs of $FS_MB MB"

bp_cluster_start "$DIR" "bookparse.max_workers = 0" "bookparse.naptime = '100ms'" \
	"bookparse.max_attempts = 3" "max_worker_processes = 16" >/dev/null || exit 1
PM=$(head -n 1 "$DIR/data/postmaster.pid")
q -c "SET client_min_messages = warning" -c "CREATE EXTENSION bookparse" \
	-c "CREATE TABLE public.load_books (n int PRIMARY KEY, filename text, content bytea)"
n=0
for f in "${BOOKS[@]}"; do
	n=$((n + 1))
	q -c "INSERT INTO public.load_books VALUES ($n, '${f#"$CORP"/}', pg_read_binary_file('$f'))"
done
# how each book ends alone
q -c "SELECT count(bookparse.submit(content, filename)) FROM public.load_books" \
	-c "SELECT bookparse.run_queue()" \
	-c "CREATE TABLE public.load_expect AS SELECT filename, status, chapters, error_code FROM bookparse.book" \
	-c "TRUNCATE bookparse.book CASCADE" >/dev/null

# move_to_small TABLE...: the tables and their indexes to the small fs
move_to_small() {
	local t
	for t in "$@"; do
		q -c "ALTER TABLE bookparse.$t SET TABLESPACE small" \
			-c "DO \$\$ DECLARE r record; BEGIN FOR r IN SELECT indexrelid::regclass AS i FROM pg_index WHERE indrelid = 'bookparse.$t'::regclass LOOP EXECUTE format('ALTER INDEX %s SET TABLESPACE small', r.i); END LOOP; END \$\$"
	done
}

# fill: queue a batch TAG while paused, then fill the file system but for a
# spare table of SPARE MB, dropped just before the workers go on, so that
# it fills again while they store
SPARE=${FAULT_SPARE_MB:-3}
fill() {
	local size
	q -c "SELECT bookparse.pause()" -c "SELECT count(bookparse.submit(b.content, '$1:' || b.filename)) FROM generate_series(0, $BATCH - 1) i JOIN public.load_books b ON b.n = 1 + i % $n" >/dev/null
	q -c "CREATE TABLE public.spare (b bytea) TABLESPACE small" -c "ALTER TABLE public.spare ALTER b SET STORAGE EXTERNAL" \
		-c "INSERT INTO public.spare SELECT (SELECT decode(string_agg(md5(random()::text || i || j), ''), 'hex') FROM generate_series(1, 65536) j) FROM generate_series(1, $SPARE) i" \
		-c "CREATE TABLE public.filler (b bytea) TABLESPACE small" -c "ALTER TABLE public.filler ALTER b SET STORAGE EXTERNAL" >/dev/null
	for size in 65536 4096 256; do    # 1 MB, 64 kB, 4 kB rows
		while q -c "INSERT INTO public.filler SELECT decode(string_agg(md5(random()::text || j), ''), 'hex') FROM generate_series(1, $size) j" 2>"$DIR/fill.err"; do :; done
	done
	grep -q "No space left on device" "$DIR/fill.err"
	check "$1: the file system is full (the filler got: No space left on device)" $? 0
	echo "$1: df: $(df -h "$MNT" | tail -n 1)"
}

# wait up to $1 s until no job is queued or running; prints what is left
drain() {
	local left=x
	for _ in $(seq 1 $(($1 * 2))); do
		left=$(q -c "SELECT count(*) FROM bookparse.job WHERE state IN ('queued', 'running')" 2>/dev/null) || left=x
		[ "$left" = 0 ] && break
		sleep 0.5
	done
	echo "$left"
}

HALF="SELECT count(*) FROM bookparse.book b WHERE (SELECT count(*) FROM bookparse.chapter c WHERE c.book_id = b.id) <> coalesce(CASE WHEN b.status = 'parsed' THEN b.chapters END, 0)"
# after_free TAG: every book of the batch ends as alone, nothing half-stored
after_free() {
	check "$1: every book of the batch, none twice" "$(q -c "SELECT count(*) FROM bookparse.book WHERE filename LIKE '$1:%'")" "$BATCH"
	check "$1: every book ends as it does alone" "$(q -c "SELECT count(*) FROM bookparse.book b JOIN public.load_expect e ON e.filename = substr(b.filename, length('$1:') + 1) WHERE b.filename LIKE '$1:%' AND (b.status IS DISTINCT FROM e.status OR b.chapters IS DISTINCT FROM e.chapters OR b.error_code IS DISTINCT FROM e.error_code)")" 0
	check "$1: no half-stored book afterwards" "$(q -c "$HALF")" 0
	check "$1: no job running, no book parsing" "$(q -c "SELECT (SELECT count(*) FROM bookparse.job WHERE state = 'running') + (SELECT count(*) FROM bookparse.book WHERE status = 'parsing')")" 0
	check "$1: the server stayed up, the same postmaster" "$(head -n 1 "$DIR/data/postmaster.pid")" "$PM"
}

q -c "CREATE TABLESPACE small LOCATION '$MNT'"

# ---- A: the results (chapter, asset, scene) on the small fs: the jobs
# that cannot store fail with disk_full on the job; retry_failed() after
move_to_small chapter asset scene
fill A
q -c "DROP TABLE public.spare" -c "SELECT bookparse.resume()" \
	-c "ALTER SYSTEM SET bookparse.max_workers = 2" -c "SELECT pg_reload_conf()" >/dev/null
check "A: the workers give up on what they cannot store (no job left queued or running)" "$(drain 120)" 0
read -r parsed failed dfull < <(q -F ' ' -c "SELECT count(*) FILTER (WHERE status = 'parsed'), count(*) FILTER (WHERE status = 'failed'), count(*) FILTER (WHERE error_code = 'disk_full') FROM bookparse.book WHERE filename LIKE 'A:%'")
echo "A: while full: $parsed parsed, $failed failed ($dfull disk_full)"
check "A: some books failed with error_code disk_full" "$([ "${dfull:-0}" -gt 0 ] && echo yes)" yes
check "A: their message names the cause" \
	"$(q -c "SELECT count(*) FROM bookparse.job WHERE error_code = 'disk_full' AND error NOT LIKE '%No space left on device%'")" 0
echo "A: $(q -c "SELECT error FROM bookparse.job WHERE error_code = 'disk_full' LIMIT 1")"
check "A: no half-stored book while the disk is full" "$(q -c "$HALF")" 0
check "A: the server is up, the same postmaster" "$(head -n 1 "$DIR/data/postmaster.pid")" "$PM"
q -c "DROP TABLE public.filler" >/dev/null
requeued=$(q -c "SELECT bookparse.retry_failed(error_code => 'disk_full')")
check "A: retry_failed(error_code => 'disk_full') after freeing queues every one again" "$requeued" "$dfull"
check "A: the queue drains once space is freed" "$(drain 120)" 0
after_free A

# ---- B: every bookparse table on the small fs: the queue cannot even
# claim or record a job; it waits (the cause in the server log) and resumes
# by itself once space is freed
move_to_small book job queue_state
check "B: bookparse's tables and indexes are all on the small file system" \
	"$(q -c "SELECT count(*) FROM pg_class c LEFT JOIN pg_tablespace t ON t.oid = c.reltablespace WHERE c.relnamespace = 'bookparse'::regnamespace AND c.relkind IN ('r', 'i') AND t.spcname IS DISTINCT FROM 'small'")" 0
fill B
OFF=$(stat -c %s "$DIR/server.log")
bp_as_pg psql -X -At -v VERBOSITY=verbose -d postgres \
	-c "SELECT bookparse.submit(content, 'client.epub') FROM public.load_books ORDER BY octet_length(content) DESC LIMIT 1" >"$DIR/submit.out" 2>&1
grep -q "53100" "$DIR/submit.out" && grep -q "No space left on device" "$DIR/submit.out"
check "B: submit() on a full disk: SQLSTATE 53100, No space left on device" $? 0
head -n 1 "$DIR/submit.out"
q -c "DROP TABLE public.spare" -c "SELECT bookparse.resume()" >/dev/null
left=$(drain ${FAULT_FULL_SECONDS:-10})
echo "B: $left job(s) queued or running after ${FAULT_FULL_SECONDS:-10} s on a full disk"
check "B: no half-stored book while the disk is full" "$(q -c "$HALF")" 0
check "B: the server is up, the same postmaster" "$(head -n 1 "$DIR/data/postmaster.pid")" "$PM"
# grep reads all of its input (no -q): with pipefail, -q quitting at the
# first match would make tail die of SIGPIPE and the pipeline fail (141)
tail -c +$((OFF + 1)) "$DIR/server.log" | grep "No space left on device" >/dev/null
check "B: the server log names the cause" $? 0
echo "B: $(tail -c +$((OFF + 1)) "$DIR/server.log" | grep -c 'exited with exit code 1') worker exits, $(tail -c +$((OFF + 1)) "$DIR/server.log" | grep -c 'WARNING:  could not extend') launcher warnings while full"
q -c "DROP TABLE public.filler" >/dev/null
check "B: the queue resumes by itself once space is freed" "$(drain 180)" 0
retried=$(q -c "SELECT sum(bookparse.retry_failed(error_code => code)) FROM unnest(ARRAY['disk_full', 'worker_lost']) code")
echo "B: books that needed retry_failed() (disk_full or worker_lost): $retried"
check "B: the queue drains" "$(drain 120)" 0
after_free B
grep -E "PANIC|terminated by signal|all server processes terminated" "$DIR/server.log" | head -n 5
check "no PANIC, no crash restart in the server log" \
	"$(grep -cE "PANIC|terminated by signal|all server processes terminated" "$DIR/server.log")" 0

if [ $FAILS -ne 0 ]; then
	echo "disk_full: $FAILS check(s) FAILED (server log: $DIR/server.log with BP_KEEP=1)"
	exit 1
fi
echo "disk_full: all checks passed"

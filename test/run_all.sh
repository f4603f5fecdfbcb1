#!/bin/bash
# run_all.sh: the whole bookparse test suite, for CI and for a new machine.
#
#   bash test/run_all.sh       (as root)
#
# On Debian 12 as root: installs the packages (test/install_deps.sh), builds
# with -Werror, installs the extension, runs cppcheck, the core's C tests,
# the corpus check (when ../shared/corpus exists), then starts a throwaway
# cluster as the user postgres and runs pg_regress (make installcheck), the
# pgTAP tests (test/pgtap/*.sql, in a database where the extensions pgtap and
# bookparse already exist) and the TAP tests (test/t/*.pl, make
# prove_installcheck).  Without ../shared/corpus the steps that need it are
# reported SKIP, and the steps that only partly need it say so in their name.
# Extra postgresql.conf lines for the regress cluster may be put in
# test/regress.conf.  Exits non-zero when anything failed.
set -u -o pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
START=$(date +%s)
RESULTS=()
FAILED=0
WORK=
. test/cluster.sh

# Run a step: step NAME CMD...; records PASS/FAIL and the time it took.
step() {
	local name=$1 t0 rc
	shift
	echo
	echo "==== $name"
	t0=$(date +%s)
	"$@"
	rc=$?
	if [ $rc -eq 0 ]; then
		RESULTS+=("PASS  $name ($(($(date +%s) - t0))s)")
	else
		RESULTS+=("FAIL  $name (exit $rc, $(($(date +%s) - t0))s)")
		FAILED=1
	fi
	return $rc
}

# Skip a step with a reason.
skip() {
	RESULTS+=("SKIP  $1: $2")
	echo
	echo "==== $1: skipped ($2)"
}

# Print the summary and exit.
finish() {
	local r
	echo
	echo "==== summary"
	for r in "${RESULTS[@]}"; do
		echo "  $r"
	done
	echo "  total $(($(date +%s) - START))s"
	if [ $FAILED -ne 0 ]; then
		echo "run_all: FAILED"
		exit 1
	fi
	echo "run_all: all passed"
	exit 0
}

cleanup() {
	bp_cluster_stop
	if [ -n "$WORK" ] && [ "${BP_KEEP:-0}" != 1 ]; then
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT

# cppcheck on src/ and tools/: findings are shown, errors fail the step.
do_cppcheck() {
	local out
	out=$(cppcheck --quiet --enable=warning,portability --inline-suppr --std=c99 \
		-D__GNUC__ -Isrc/core --suppress=missingIncludeSystem -j"$(nproc)" \
		--template='{file}:{line}: {severity}: {message} [{id}]' \
		src/core src/*.c tools 2>&1)
	[ -n "$out" ] && echo "$out"
	if echo "$out" | grep ': error: ' >/dev/null; then
		echo "cppcheck: errors found"
		return 1
	fi
	echo "cppcheck: no errors"
}

do_corpus() {
	/usr/bin/python3 test/corpus_check.py
}

# ---- sanitizers, hostile input, fuzz smoke (docs/security.md) ----
ASAN_ENV=(ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:print_stacktrace=1
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1)

# The core C tests built with ASan+UBSan (make asan).
do_asan_tests() {
	local t log rc=0
	mkdir -p build/asan/logs
	for t in build/asan/test/test_*; do
		log=build/asan/logs/$(basename "$t").log
		env "${ASAN_ENV[@]}" "$t" >"$log" 2>&1 || {
			echo "FAILED: $t"
			tail -n 40 "$log"
			rc=1
		}
		tail -n 1 "$log"
	done
	return $rc
}

# The corpus check with the ASan+UBSan bookparse-dump.
do_asan_corpus() {
	env "${ASAN_ENV[@]}" BP_DUMP="$ROOT/build/asan/bookparse-dump" \
		/usr/bin/python3 test/corpus_check.py | tail -n 3
}

# The hostile catalogue through the ASan+UBSan bookparse-dump, under strace.
do_hostile() {
	/usr/bin/python3 test/hostile/make_hostile.py build/hostile &&
		env "${ASAN_ENV[@]}" /usr/bin/python3 test/hostile/check.py \
			--dump build/asan/bookparse-dump --max-seconds 60 --max-rss-mb 3072
}

# Every fuzz target for FUZZ_SMOKE seconds (30), two at a time, from a fresh
# corpus of the seeds and the committed regressions.
do_fuzz_smoke() {
	local dir t rc=0 pids=() names=()
	dir=$(mktemp -d /tmp/bookparse-fuzz.XXXXXX)
	/usr/bin/python3 test/fuzz/make_seeds.py build/fuzz/seeds || return 1
	for t in build/fuzz/fuzz_*; do
		t=$(basename "$t")
		FUZZ_CORPUS=$dir bash test/fuzz/run.sh "$t" "${FUZZ_SMOKE:-30}" >"$dir/$t.log" 2>&1 &
		pids+=($!)
		names+=("$t")
		if [ ${#pids[@]} -ge 2 ]; then
			smoke_wait || rc=1
		fi
	done
	while [ ${#pids[@]} -gt 0 ]; do
		smoke_wait || rc=1
	done
	rm -rf "$dir"
	return $rc
}

# Wait for the oldest smoke run and report it (helper of do_fuzz_smoke).
smoke_wait() {
	local p=${pids[0]} t=${names[0]} r
	pids=("${pids[@]:1}")
	names=("${names[@]:1}")
	wait "$p"
	r=$?
	echo "$t: exit $r, $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$dir/$t.log" | grep -o '[0-9]*$') runs"
	if [ $r -ne 0 ]; then
		grep -A 30 -E 'ERROR|SUMMARY|property violated' "$dir/$t.log" | head -n 60
		ls build/fuzz/crashes/"$t"/ 2>/dev/null
	fi
	return $r
}

# The release zip of HEAD (make dist, mk/release.mk) in a scratch
# directory: it holds what a user needs and none of the tests, fuzzing,
# CI, debian/ or build output.
do_dist() {
	local dir files missing=0 f
	if ! git rev-parse --git-dir >/dev/null 2>&1; then
		echo "dist: not a git checkout, skipped"
		return 0
	fi
	dir=$(mktemp -d /tmp/bookparse-dist.XXXXXX)
	make -s dist DIST_DIR="$dir" >/dev/null || { rm -rf "$dir"; return 1; }
	files=$(unzip -Z1 "$dir"/bookparse-*.zip)
	for f in META.json bookparse.control Makefile mk/release.mk LICENSE README.md \
		CHANGELOG.md sql/bookparse--0.1.0.sql src/bookparse.c tools/bookparse-dump.c \
		data/scenes/en.location test/make_samples.py expected/010_detect.out; do
		if ! grep -qx "bookparse-[0-9.]*/$f" <<<"$files"; then
			echo "dist: $f is missing"
			missing=1
		fi
	done
	if grep -E '^bookparse-[0-9.]*/(test/(t|c|fuzz|bench|hostile|pgtap|scenes|slow)/|\.ci/|debian/|build/|.*\.(o|so|bc)$)' <<<"$files"; then
		echo "dist: the files above do not belong in the release"
		missing=1
	fi
	echo "dist: $(basename "$dir"/bookparse-*.zip), $(grep -vc '/$' <<<"$files") files"
	rm -rf "$dir"
	return $missing
}

# Copy the checkout (without .git) where postgres may write.
do_copy() {
	mkdir -p "$WORK/repo" &&
		tar --exclude=./.git --exclude=./regress_out --exclude=./build/fuzz \
			--exclude=./build/hostile --exclude=./build/asan -cf - . | tar -C "$WORK/repo" -xf - &&
		{ [ "$(id -u)" != 0 ] || chown -R postgres: "$WORK"; }
}

do_cluster() {
	local conf=()
	if [ -f test/regress.conf ]; then
		mapfile -t conf < <(grep -v '^[[:space:]]*\(#\|$\)' test/regress.conf)
	fi
	bp_cluster_start "$WORK/cluster" "bookparse.max_workers = 0" "${conf[@]}"
}

do_installcheck() {
	if bp_as_pg make -C "$WORK/repo" installcheck; then
		return 0
	fi
	if [ -f "$WORK/repo/regress_out/regression.diffs" ]; then
		head -n 200 "$WORK/repo/regress_out/regression.diffs"
	fi
	return 1
}

do_pgtap() {
	bp_as_pg createdb bookparse_pgtap &&
		bp_as_pg psql -X -q -v ON_ERROR_STOP=1 -d bookparse_pgtap \
			-c "CREATE EXTENSION pgtap; CREATE EXTENSION bookparse;" &&
		(cd "$WORK/repo" && bp_as_pg pg_prove -d bookparse_pgtap test/pgtap/*.sql)
}

# The TAP tests through make prove_installcheck (Makefile), as postgres.
do_tap() {
	local CORPUS=
	# the copy is elsewhere: give the tests the corpus by absolute path
	# (empty when absent: the tests that want it report SKIPPED)
	if [ -d ../shared/corpus ]; then
		CORPUS=$(cd ../shared/corpus && pwd)
	fi
	bp_as_pg env BP_CORPUS="$CORPUS" PGHOST= PGPORT= \
		make -C "$WORK/repo" prove_installcheck
}

if [ "$(id -u)" != 0 ] && [ "${CI:-}" = true ]; then
	echo "run_all: run as root in CI (packages, and the cluster as postgres)" >&2
	exit 2
fi

step "install packages" bash test/install_deps.sh || finish
step "build (-Werror)" make -j"$(nproc)" || finish
if [ "$(id -u)" = 0 ]; then
	step "make install" make install || finish
else
	step "make install" sudo make install || finish
fi
step "cppcheck" do_cppcheck
step "core C tests (make check-core)" make check-core
step "META.json (make check-meta)" make -s check-meta
step "release zip (make dist)" do_dist
step "sample books" /usr/bin/python3 test/make_samples.py build/samples || finish
if [ -d ../shared/corpus ]; then
	step "corpus check" do_corpus
	step "scene extractor vs the labels (make check-scenes)" /usr/bin/python3 test/scenes/check_scenes.py
else
	skip "corpus check, and the corpus parts of the core C tests" "../shared/corpus is absent"
	skip "scene extractor vs the labels" "../shared/corpus is absent"
fi
if step "ASan+UBSan build (make asan)" make -j"$(nproc)" asan; then
	step "ASan+UBSan core C tests" do_asan_tests
	if [ -d ../shared/corpus ]; then
		step "ASan+UBSan corpus check" do_asan_corpus
	else
		skip "ASan+UBSan corpus check" "../shared/corpus is absent"
	fi
	step "hostile catalogue (ASan+UBSan bookparse-dump, strace)" do_hostile
fi
if step "fuzz targets (make fuzz)" make -j"$(nproc)" fuzz; then
	step "fuzz smoke (${FUZZ_SMOKE:-30}s per target)" do_fuzz_smoke
fi

WORK=$(mktemp -d /tmp/bookparse-test.XXXXXX)
chmod 755 "$WORK"
step "copy checkout for postgres" do_copy || finish
if step "start cluster (port chosen freely)" do_cluster; then
	step "pg_regress (make installcheck)" do_installcheck
	if compgen -G "test/pgtap/*.sql" >/dev/null; then
		step "pgTAP (pg_prove)" do_pgtap
	else
		skip "pgTAP" "no test/pgtap/*.sql"
	fi
	bp_cluster_stop
fi
if compgen -G "test/t/*.pl" >/dev/null; then
	if [ -d ../shared/corpus ]; then
		step "TAP tests (make prove_installcheck)" do_tap
	else
		step "TAP tests (make prove_installcheck; corpus books SKIPPED: ../shared/corpus is absent)" do_tap
	fi
else
	skip "TAP tests" "no test/t/*.pl"
fi
# the disk fills (root: it mounts a tmpfs); exit 2 = cannot run here
do_disk_full() {
	local rc
	bash test/faults/disk_full.sh
	rc=$?
	[ $rc -eq 2 ] && DISK_FULL_SKIPPED=1 && return 0
	return $rc
}
DISK_FULL_SKIPPED=0
if [ "$(id -u)" = 0 ]; then
	step "disk full (test/faults/disk_full.sh, tmpfs tablespace)" do_disk_full
	[ $DISK_FULL_SKIPPED = 1 ] && RESULTS[-1]="SKIP  disk full: cannot mount a tmpfs here (needs CAP_SYS_ADMIN)"
else
	skip "disk full (test/faults/disk_full.sh)" "needs root to mount a tmpfs"
fi
# Citus (issue 12, docs/scale-out.md): needs a Citus source, README
if [ -n "${CITUS_SRC:-}" ]; then
	step "Citus cluster: coordinator + 2 nodes (test/citus/run.sh)" bash test/citus/run.sh
else
	skip "Citus cluster (test/citus/run.sh)" "set CITUS_SRC to a Citus source tree or git repository to run it"
fi
# slow: PostgreSQL built with assertions (CLOBBER_FREED_MEMORY), README
if [ "${BOOKPARSE_SLOW_TESTS:-0}" = 1 ]; then
	step "assert-enabled PostgreSQL (test/slow/cassert.sh)" bash test/slow/cassert.sh
else
	skip "assert-enabled PostgreSQL (test/slow/cassert.sh)" "set BOOKPARSE_SLOW_TESTS=1 to run it, about 15 min"
fi
# slow: the Debian package, installed in place of make install (README)
if [ "${BOOKPARSE_SLOW_TESTS:-0}" = 1 ]; then
	step "Debian package (test/slow/debian_package.sh)" bash test/slow/debian_package.sh
else
	skip "Debian package (test/slow/debian_package.sh)" "set BOOKPARSE_SLOW_TESTS=1 to run it, about 2 min"
fi
finish

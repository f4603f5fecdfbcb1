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
# bookparse already exist) and the TAP tests (test/t/*.pl).
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
	if echo "$out" | grep -q ': error: '; then
		echo "cppcheck: errors found"
		return 1
	fi
	echo "cppcheck: no errors"
}

do_corpus() {
	if [ ! -d ../shared/corpus ]; then
		echo "corpus: ../shared/corpus is absent, skipped"
		return 0
	fi
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
	if [ ! -d ../shared/corpus ]; then
		echo "corpus: ../shared/corpus is absent, skipped"
		return 0
	fi
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

do_tap() {
	local pgxs CORPUS=
	# the copy is elsewhere: give the tests the corpus by absolute path
	if [ -d ../shared/corpus ]; then
		CORPUS=$(cd ../shared/corpus && pwd)
	fi
	# pg_config --pgxs is .../pgxs/src/makefiles/pgxs.mk
	pgxs=$(dirname "$(dirname "$(pg_config --pgxs)")")
	(cd "$WORK/repo" && bp_as_pg env \
		PERL5LIB="$pgxs/test/perl" \
		PG_REGRESS="$pgxs/test/regress/pg_regress" \
		TESTDIR="$WORK/repo" \
		BP_SAMPLES="$WORK/repo/build/samples" \
		BP_CORPUS="$CORPUS" \
		PGHOST= PGPORT= \
		prove test/t/*.pl)
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
step "sample books" /usr/bin/python3 test/make_samples.py build/samples || finish
step "corpus check" do_corpus
if [ -d ../shared/corpus ]; then
	step "scene extractor vs the labels (make check-scenes)" /usr/bin/python3 test/scenes/check_scenes.py
else
	skip "scene extractor vs the labels" "../shared/corpus is absent"
fi
if step "ASan+UBSan build (make asan)" make -j"$(nproc)" asan; then
	step "ASan+UBSan core C tests" do_asan_tests
	step "ASan+UBSan corpus check" do_asan_corpus
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
	step "TAP tests (prove)" do_tap
else
	skip "TAP tests" "no test/t/*.pl"
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
finish

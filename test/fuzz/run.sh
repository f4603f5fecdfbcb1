#!/bin/bash
# run.sh: run one fuzz target for a while.
#
#   bash test/fuzz/run.sh TARGET SECONDS [extra libFuzzer flags]
#
# TARGET is a name like fuzz_zip (build/fuzz/TARGET, built by `make fuzz`).
# The working corpus is build/fuzz/corpus/TARGET (kept between runs; or
# $FUZZ_CORPUS/TARGET, as the CI smoke uses a fresh one), seeded
# from build/fuzz/seeds/TARGET (test/fuzz/make_seeds.py writes it when
# absent); crashes go to build/fuzz/crashes/TARGET/.  Exit status is
# libFuzzer's: non-zero when it found a crash, leak or timeout.
set -u
cd "$(dirname "$0")/../.."
T=${1:?usage: run.sh TARGET SECONDS}
SECS=${2:?usage: run.sh TARGET SECONDS}
shift 2
BIN=build/fuzz/$T
[ -x "$BIN" ] || { echo "run.sh: $BIN missing (make fuzz)" >&2; exit 2; }
[ -d build/fuzz/seeds/$T ] || /usr/bin/python3 test/fuzz/make_seeds.py build/fuzz/seeds >/dev/null
CORPUS=${FUZZ_CORPUS:-build/fuzz/corpus}/$T
mkdir -p "$CORPUS" build/fuzz/crashes/$T
case $T in
	fuzz_book) MAXLEN=1048576; DICT=test/fuzz/zip.dict; TIMEOUT=60 ;;
	fuzz_zip) MAXLEN=1048576; DICT=test/fuzz/zip.dict ;;
	fuzz_txt) MAXLEN=65536; DICT= ;;
	*) MAXLEN=131072; DICT=test/fuzz/xml.dict ;;
esac
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=0:detect_leaks=1:allocator_may_return_null=1:print_stacktrace=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
exec "$BIN" -max_total_time="$SECS" -max_len=$MAXLEN -timeout=${TIMEOUT:-20} -rss_limit_mb=2048 \
	-malloc_limit_mb=1024 -print_final_stats=1 ${DICT:+-dict=$DICT} \
	-artifact_prefix=build/fuzz/crashes/$T/ "$@" \
	"$CORPUS" build/fuzz/seeds/$T

#!/bin/bash
# same_output.sh: do two bookparse-dump binaries print the same thing?
#
#   bash test/same_output.sh OLD_DUMP NEW_DUMP DIR...
#
# Runs both binaries with --json, --text and --html on every regular file
# below each DIR and compares standard output, standard error (with the
# binary's path taken out) and the exit status byte for byte.  Used to show
# that a reshaping of the code changed no behaviour (issue 18): build
# bookparse-dump at the old commit, copy it aside, build the new one, run
#   python3 test/make_samples.py build/samples
#   python3 test/hostile/make_hostile.py build/hostile
#   bash test/same_output.sh /tmp/dump-old ./bookparse-dump \
#       ../shared/corpus build/samples build/hostile
# Prints one line per difference and a count; exits 1 when anything differs,
# 2 on a usage error.  SAME_JOBS (2) runs that many files at a time;
# SAME_MODES ("--json --text --html") are the modes compared.
set -u -o pipefail

if [ $# -lt 3 ] || [ ! -x "$1" ] || [ ! -x "$2" ]; then
	echo "usage: $0 OLD_DUMP NEW_DUMP DIR..." >&2
	exit 2
fi
OLD=$(realpath "$1")
NEW=$(realpath "$2")
shift 2
TMP=$(mktemp -d /tmp/bp-same.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# Compare the two binaries on one file in every mode; print DIFF lines and
# one "ok MODE" line per mode that matched.
compare_file() {
	local f=$1 mode d o
	d=$(mktemp -d "$TMP/f.XXXXXX")
	for mode in ${SAME_MODES:---json --text --html}; do
		for o in old new; do
			local bin=$OLD
			[ $o = new ] && bin=$NEW
			timeout 300 "$bin" "$mode" "$f" >"$d/$o.out" 2>"$d/$o.err"
			echo $? >"$d/$o.rc"
			# the program names itself by its path in some messages
			sed -i "s#$bin#DUMP#g" "$d/$o.err"
		done
		if cmp -s "$d/old.out" "$d/new.out" && cmp -s "$d/old.err" "$d/new.err" &&
			cmp -s "$d/old.rc" "$d/new.rc"; then
			echo "ok $mode"
		else
			echo "DIFF $mode $f (exit $(cat "$d/old.rc") vs $(cat "$d/new.rc"))"
		fi
	done
	rm -rf "$d"
}
export -f compare_file
export OLD NEW TMP

for dir in "$@"; do
	if [ ! -d "$dir" ]; then
		echo "same_output: $dir is absent, SKIPPED" >&2
		continue
	fi
	find "$dir" -type f -print0
done | sort -z | xargs -0 -r -n 1 -P "${SAME_JOBS:-2}" bash -c 'compare_file "$0"' >"$TMP/log"

nmodes=$(echo ${SAME_MODES:---json --text --html} | wc -w)
files=$(($(wc -l <"$TMP/log") / nmodes))
same=$(grep -c '^ok ' "$TMP/log")
diffs=$(grep -c '^DIFF ' "$TMP/log")
grep '^DIFF ' "$TMP/log"
echo "same_output: $files files, $((same + diffs)) outputs compared (stdout, stderr, exit status), $same identical, $diffs different"
[ "$diffs" -eq 0 ]

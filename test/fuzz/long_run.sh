#!/bin/bash
# long_run.sh: the documented long fuzz run, a few targets at a time.
#
#   bash test/fuzz/long_run.sh CPU_SECONDS PARALLEL DEADLINE_EPOCH TARGET...
#
# Runs each TARGET (test/fuzz/run.sh, at nice 19) until the fuzzer process
# has used CPU_SECONDS of CPU time (user+system, read from /proc), at most
# PARALLEL at once, starting the next when one ends; at DEADLINE_EPOCH
# (date +%s) every fuzzer still running is interrupted (SIGINT: libFuzzer
# prints its final stats).  Logs: build/fuzz/logs/TARGET.log; a summary
# line per target (CPU seconds, wall seconds, exit status) goes to
# build/fuzz/logs/summary.tsv.
set +u
cd "$(dirname "$0")/../.."
CPU=${1:?}; PAR=${2:?}; DEADLINE=${3:?}
shift 3
QUEUE=("$@")
mkdir -p build/fuzz/logs
TCK=$(getconf CLK_TCK)
declare -A PID START

# CPU seconds used so far by process $1 (0 when gone).
cpu_of() {
	local f
	f=$(cut -d' ' -f14,15 "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
	set -- $f
	echo $((($1 + $2) / TCK))
}

# Start the next target of the queue.
start_next() {
	local t=${QUEUE[0]}
	QUEUE=("${QUEUE[@]:1}")
	nice -n 19 bash test/fuzz/run.sh "$t" 100000 >"build/fuzz/logs/$t.log" 2>&1 &
	PID[$t]=$!
	START[$t]=$(date +%s)
	echo "$(date -u +%H:%M:%S) started $t (pid ${PID[$t]})"
}

# ADOPT="PID:TARGET ..." takes over fuzzers already running (a restarted driver)
for a in ${ADOPT:-}; do
	PID[${a#*:}]=${a%%:*}
	START[${a#*:}]=$(date +%s)
done

while [ ${#QUEUE[@]} -gt 0 ] || [ ${#PID[@]} -gt 0 ]; do
	while [ ${#PID[@]} -lt "$PAR" ] && [ ${#QUEUE[@]} -gt 0 ] && [ "$(date +%s)" -lt "$DEADLINE" ]; do
		start_next
	done
	[ "$(date +%s)" -ge "$DEADLINE" ] && QUEUE=()
	sleep 10
	for t in "${!PID[@]}"; do
		p=${PID[$t]}
		c=$(cpu_of "$p")
		if ! kill -0 "$p" 2>/dev/null; then
			wait "$p" 2>/dev/null; rc=$?
		elif [ "$c" -ge "$CPU" ] || [ "$(date +%s)" -ge "$DEADLINE" ]; then
			kill -INT "$p"
			while kill -0 "$p" 2>/dev/null; do sleep 1; done
			wait "$p" 2>/dev/null; rc=$?
		else
			continue
		fi
		printf '%s\t%s\t%s\t%s\n' "$t" "$c" "$(($(date +%s) - START[$t]))" "$rc" >>build/fuzz/logs/summary.tsv
		echo "$(date -u +%H:%M:%S) ended $t cpu=${c}s rc=$rc"
		unset "PID[$t]"
	done
done

#!/usr/bin/env bash
# The short fuzz run of one target: FUZZ_SECONDS (default 60) from its checked-in seeds, new
# inputs kept in the build dir (the seeds stay as checked in); fails on any crash, leak,
# timeout or out-of-memory, leaving the reproducer in WORK/artifacts.
# usage: run.sh FUZZER SEED_CORPUS WORK
set -euo pipefail
fuzzer=$1 seeds=$2 work=$3
rm -rf "$work/corpus"
mkdir -p "$work/corpus" "$work/artifacts"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
log="$work/fuzz.log"
status=0
"$fuzzer" -max_total_time="${FUZZ_SECONDS:-60}" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
	-print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" "$seeds" >"$log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
	tail -n 60 "$log"
	echo "$(basename "$fuzzer"): FAILED (exit $status); reproducer: $(ls "$work/artifacts")" >&2
	exit 1
fi
# One line for the test log: executions, rate, coverage and corpus size at the end of the run.
done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)
echo "$(basename "$fuzzer"): ${done_line:-no DONE line}"
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" || true

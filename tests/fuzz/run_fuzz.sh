#!/usr/bin/env bash
# Runs a libFuzzer target for a bounded time from its committed seed corpus
# and prints its figures (executions, corpus, coverage). New inputs go to a
# temporary directory, not into the repository. A crash, a sanitizer report
# or a timeout fails the run; libFuzzer leaves the input as crash-*/
# timeout-* in the working directory (ctest's: the build directory).
#
#   run_fuzz.sh FUZZER SEED_DIR SECONDS
set -euo pipefail
fuzzer=$1 seeds=$2 seconds=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
log=$work/log
status=0
"$fuzzer" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 \
  -print_final_stats=1 "$work/corpus" "$seeds" >"$log" 2>&1 || status=$?
grep -E "^(Done|stat::number_of_executed_units|stat::peak_rss_mb|stat::new_units_added)|INFO: seed corpus|==[0-9]+==ERROR|SUMMARY" "$log" || true
runs=$(grep -oE "^Done [0-9]+ runs" "$log" | grep -oE "[0-9]+" || echo 0)
echo "fuzz $(basename "$fuzzer"): $runs executions in ${seconds}s, findings: $([ $status -eq 0 ] && echo 0 || echo 1)"
if [ $status -ne 0 ]; then
  tail -60 "$log"
  exit 1
fi

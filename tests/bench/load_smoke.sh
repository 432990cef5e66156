#!/usr/bin/env bash
# A short run of every load-driver workload against jobtrackd with its demo
# data: each must answer without errors. Numbers are printed, not judged.
#   load_smoke.sh JOBTRACKD JOBTRACK_LOAD
set -euo pipefail
jobtrackd=$1 load=$2
tmp=$(mktemp -d)
pid=
source "$(dirname "$0")/../support/jobtrackd.sh"
trap 'stop_jobtrackd; rm -rf "$tmp"' EXIT
start_jobtrackd "$tmp" "$jobtrackd" --plaintext --demo_data \
  --data_dir="$tmp/data" --metrics_listen=127.0.0.1:0
metrics=$(sed -n 's/.*metrics on port \([0-9]*\).*/\1/p' "$tmp/log")
out=$("$load" --server="127.0.0.1:$port" --metrics="127.0.0.1:$metrics" \
  --workload=all \
  --concurrency=4 --seconds=1)
echo "$out"
fail=0
for workload in empty get_track list_tracks propose_tracks held_proposals \
    empty_durable lifecycle held_write get_report; do
  line=$(grep -E "^$workload " <<<"$out" || true)
  [ -n "$line" ] || { echo "no result for $workload"; fail=1; continue; }
  errors=$(awk '{print $5}' <<<"$line")
  calls=$(awk '{print $4}' <<<"$line")
  [ "$errors" = 0 ] && [ "$calls" -gt 0 ] \
    || { echo "$workload: $calls calls, $errors errors"; fail=1; }
  # The server's own p99, from its histogram (not for the baselines).
  if [[ ! $workload =~ ^(empty|empty_durable|held_proposals|held_write)$ ]]; then
    grep -qE ' (<=[0-9.e+-]+|>10000)$' <<<"$line" \
      || { echo "$workload: no server-side p99"; fail=1; }
  fi
done
exit $fail

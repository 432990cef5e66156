#!/usr/bin/env bash
# The whole benchmark at a small scale, for CI (ctest -L bench): the
# dataset generator, jobtrackd under every workload, PostgreSQL with the
# same data, and the check that both give the same report figures. The
# numbers are printed, never judged. Then the A/B comparison of two
# binaries (here the same one twice) on that dataset, so that it cannot rot.
#   bench_small.sh BUILD_DIR
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
"$(dirname "$0")/run_benchmarks.sh" --build_dir="$1" --work_dir="$work" \
  --scale=0.05 --runs=1 --seconds=0.5
bin=$1/services/jobtrackd
out=$("$(dirname "$0")/ab_compare.sh" --before="$bin" --after="$bin" \
  --data="$work/scale-0.05/data" --build_dir="$1" --pairs=1 --seconds=0.5 \
  --workloads=lifecycle:8,propose_tracks:4)
echo "$out"
if [ "$(grep -c 'propose_tracks .*server CPU' <<<"$out")" -ne 2 ]; then
  echo "ab_compare.sh: expected a before and an after line" >&2
  exit 1
fi

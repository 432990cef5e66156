#!/usr/bin/env bash
# The whole benchmark at a small scale, for CI (ctest -L bench): the
# dataset generator, jobtrackd under every workload, PostgreSQL with the
# same data, and the check that both give the same report figures. The
# numbers are printed, never judged.
#   bench_small.sh BUILD_DIR
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
"$(dirname "$0")/run_benchmarks.sh" --build_dir="$1" --work_dir="$work" \
  --scale=0.05 --runs=1 --seconds=0.5

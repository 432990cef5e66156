#!/usr/bin/env bash
# Compares two jobtrackd binaries on the same dataset, in alternating runs:
#
#   tests/bench/ab_compare.sh --before=BIN --after=BIN --data=DIR
#       [--after_data=DIR] [--workloads=lifecycle:64,propose_tracks:16]
#       [--pairs=5] [--seconds=10] [--build_dir=build]
#
# DIR is a dataset made by jobtrack_datagen (for instance
# WORK_DIR/scale-100/data of run_benchmarks.sh; its DIR.pii.key beside it).
# When AFTER stores a newer schema than BEFORE can open, --after_data is
# the same dataset already migrated by AFTER (started on a copy once), so
# that no run measures a migration.
# Each pair starts both binaries, each on a fresh copy of DIR, and runs
# every workload once with the load driver: BEFORE first in odd pairs,
# AFTER first in even ones, so that neither always runs into what the
# run before it left (the page cache, the host's load). For each run it prints the QPS,
# the p99 and the server's CPU per call: the CPU time jobtrackd used during
# the workload (user and system, from /proc) divided by the calls the driver
# counted.
#
# Runs of the whole suite move by a quarter on a shared two-core machine;
# alternating the binaries on the same data, and counting CPU per call as
# well as the rate, is what tells a change of a few per cent from the
# noise. Nothing is asserted; the exit status says only whether all ran.
set -euo pipefail

before='' after='' data='' after_data='' workloads=lifecycle:64 pairs=5
seconds=10
build_dir=build
for arg in "$@"; do
  case $arg in
    --before=*) before=${arg#*=} ;;
    --after=*) after=${arg#*=} ;;
    --data=*) data=${arg#*=} ;;
    --after_data=*) after_data=${arg#*=} ;;
    --workloads=*) workloads=${arg#*=} ;;
    --pairs=*) pairs=${arg#*=} ;;
    --seconds=*) seconds=${arg#*=} ;;
    --build_dir=*) build_dir=${arg#*=} ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done
for need in before after data; do
  if [[ -z ${!need} ]]; then
    echo "--$need is required" >&2
    exit 2
  fi
done
for bin in "$before" "$after"; do
  [[ -x $bin ]] || { echo "not an executable: $bin" >&2; exit 2; }
done
after_data=${after_data:-$data}
for dir in "$data" "$after_data"; do
  [[ -d $dir && -f $dir.pii.key ]] ||
    { echo "$dir is not a dataset (with $dir.pii.key beside it)" >&2; exit 2; }
done
driver=$build_dir/tests/jobtrack_load
[[ -x $driver ]] || { echo "build the load driver first: $driver" >&2; exit 2; }

# Each run's copy of the dataset; removed at the end.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/jobtrack-ab.XXXXXX")
port=$((20000 + RANDOM % 20000))
hz=$(getconf CLK_TCK)
server_pid=''
cleanup() {
  if [[ -n $server_pid ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$scratch"
}
trap cleanup EXIT

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

run_one() {  # label binary dataset
  local label=$1 bin=$2 source=$3
  rm -rf "$scratch/data" "$scratch/data.pii.key"
  cp -a "$source" "$scratch/data"
  cp -a "$source.pii.key" "$scratch/data.pii.key"
  "$bin" --plaintext --data_dir="$scratch/data" \
    --listen="127.0.0.1:$port" 2>"$scratch/log" &
  server_pid=$!
  until grep -q "serving on" "$scratch/log"; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "$label did not start:" >&2
      cat "$scratch/log" >&2
      exit 1
    fi
    sleep 0.05
  done
  sleep 3  # Let the projection finish its catch-up.
  local line="$label:"
  IFS=, read -ra list <<<"$workloads"
  for w in "${list[@]}"; do
    local t0 t1 out
    t0=$(cpu_ticks "$server_pid")
    out=$("$driver" --server="127.0.0.1:$port" --workload="${w%%:*}" \
      --concurrency="${w##*:}" --seconds="$seconds" | tail -1)
    t1=$(cpu_ticks "$server_pid")
    line+=$(echo "$out" | awk -v t=$((t1 - t0)) -v hz="$hz" \
      '{printf "  %s %s/s p99 %s ms, server CPU %.0f µs a call;",
        $1, $6, $8, t * 1e6 / hz / $4}')
  done
  echo "$line"
  kill "$server_pid"
  wait "$server_pid" || true
  server_pid=''
}

for ((i = 1; i <= pairs; i++)); do
  if ((i % 2)); then
    run_one "pair $i before" "$before" "$data"
    run_one "pair $i after " "$after" "$after_data"
  else
    run_one "pair $i after " "$after" "$after_data"
    run_one "pair $i before" "$before" "$data"
  fi
done

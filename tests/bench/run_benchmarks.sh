#!/usr/bin/env bash
# The whole benchmark of issue 8 with its baselines, in one command:
#
#   tests/bench/run_benchmarks.sh [--scale=S] [--runs=R] [--seconds=T]
#       [--build_dir=build] [--work_dir=DIR] [--no_postgres]
#
# 1. Generates the national dataset at scale S (jobtrack_datagen; kept in
#    WORK_DIR/scale-S and reused by later runs) and its CSV copy.
# 2. Starts jobtrackd on a copy of it and measures start-up (until it
#    serves), then runs each workload R times for T seconds with the load
#    driver, each right after its baseline at the same concurrency (the
#    empty gRPC handler for reads; for the durable writes the durable empty
#    handler, one synced commit of one 1 KB record a call through the same
#    storage layer; beside ProposeTracks also its answer held and sent
#    without work, beside the life-cycle writes a synced commit of their
#    shape answered at once): GetTrack and ListTracks and ProposeTracks at 16, the
#    durable life-cycle writes at 64, GetReport (recomputed as of today) and the frozen report
#    (a closed period's stored report) at 1. Also the first GetReport after
#    start-up (cold) and the resident memory at the end.
# 3. Starts PostgreSQL 15 on loopback in a temporary directory (installing
#    it if missing), loads the same CSVs into tests/bench/postgres/schema.sql,
#    indexes and analyzes, and times the same report figures and the
#    proposal question R times; writes each query's EXPLAIN ANALYZE to
#    WORK_DIR/scale-S/explain-*.txt (commit them beside the benchmark).
#    The report's figures from both are printed side by side: they must be
#    equal, or the comparison means nothing (the script then fails).
# 4. Prints the table: median and spread (min–max) over the runs, each
#    jobtrack figure beside its baseline, with the ratio and the target.
#
# Nothing is asserted about speed; the exit status says only whether
# everything ran and the figures agreed. CI runs a small scale
# (tests/bench/bench_small.sh).
set -euo pipefail

scale=1 runs=3 seconds=10 build_dir=build work_dir=/tmp/jobtrack-bench
postgres=1
for arg in "$@"; do
  case $arg in
    --scale=*) scale=${arg#*=} ;;
    --runs=*) runs=${arg#*=} ;;
    --seconds=*) seconds=${arg#*=} ;;
    --build_dir=*) build_dir=${arg#*=} ;;
    --work_dir=*) work_dir=${arg#*=} ;;
    --no_postgres) postgres=0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")" && pwd)
build_dir=$(cd "$build_dir" && pwd)
jobtrackd=$build_dir/services/jobtrackd
load=$build_dir/tests/jobtrack_load
datagen=$build_dir/tests/jobtrack_datagen
for b in "$jobtrackd" "$load" "$datagen"; do
  [ -x "$b" ] || { echo "missing $b: build first (cmake --build $build_dir)"; exit 2; }
done

set_dir=$work_dir/scale-$scale
mkdir -p "$set_dir"
tmp=$(mktemp -d)
chmod 755 "$tmp"
server_pid= pid= pg_bin= pg_data=
cleanup() {
  # SIGKILL: a jobtrackd still starting does not act on SIGTERM yet. `pid`
  # is set by start_jobtrackd before it has started.
  server_pid=${server_pid:-$pid}
  [ -n "$server_pid" ] && kill -9 "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  if [ -n "$pg_data" ]; then
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# ---- 1. The dataset.
if [ ! -f "$set_dir/dataset.txt" ]; then
  rm -rf "$set_dir/data" "$set_dir/data.pii.key" "$set_dir/csv"
  mkdir -p "$set_dir/csv"
  echo "generating scale $scale into $set_dir ..."
  "$datagen" --data_dir="$set_dir/data" --scale="$scale" \
    --csv_dir="$set_dir/csv" > "$set_dir/dataset.tmp"
  mv "$set_dir/dataset.tmp" "$set_dir/dataset.txt"
fi
echo "dataset: $(cat "$set_dir/dataset.txt")"
# A dataset from an earlier build may lack a checkpoint this one reads, or
# hold one in an older format: save them as a stopping server would (does
# nothing when they are current).
"$datagen" --data_dir="$set_dir/data" --checkpoints_only
participations=$(sed -n 's/.*participations=\([0-9]*\).*/\1/p' "$set_dir/dataset.txt")

# ---- 2. jobtrackd on a copy (the life-cycle workload writes).
cp -a "$set_dir/data" "$tmp/data"
cp -a "$set_dir/data.pii.key" "$tmp/data.pii.key"
started=$(date +%s%N)
# Up to 30 minutes: without its checkpoint, start-up at scale 100 takes
# minutes (BENCHMARKS.md).
source "$here/../support/jobtrackd.sh"
JOBTRACKD_START_SECONDS=1800 start_jobtrackd "$tmp" "$jobtrackd" --plaintext \
  --data_dir="$tmp/data" --metrics_listen=127.0.0.1:0
server_pid=$pid
startup_ms=$(( ($(date +%s%N) - started) / 1000000 ))
grep -E 'loaded in|opened in' "$tmp/log" || true
metrics=$(sed -n 's/.*metrics on port \([0-9]*\).*/\1/p' "$tmp/log")
server=127.0.0.1:$port
echo "jobtrackd serving after $startup_ms ms"

results=$tmp/results   # workload run qps p50 p99 empty_qps srv_p99
: > "$results"
drive() {  # workload concurrency seconds run [more workloads beside it]
  # Each workload runs right after its baseline at the same concurrency:
  # the durable writes beside one synced one-record commit a call, the
  # reads beside the empty handler. Workloads after the fourth argument
  # run in the same round, beside the same baseline.
  local base=empty
  [ "$1" = lifecycle ] && base=empty_durable
  local workloads=("$1" "${@:5}")
  local out
  out=$("$load" --server="$server" --metrics="127.0.0.1:$metrics" \
    --workload="$base,$(IFS=,; echo "${workloads[*]}")" --concurrency="$2" \
    --seconds="$3")
  echo "$out" | grep -E "^($(IFS='|'; echo "${workloads[*]}")|$base)[ :]" >&2
  local empty line w errors
  empty=$(grep -E "^$base " <<<"$out" | awk '{print $6}')
  for w in "${workloads[@]}"; do
    line=$(grep -E "^$w " <<<"$out") || { echo "no result for $w" >&2; return 1; }
    errors=$(awk '{print $5}' <<<"$line")
    [ "$errors" = 0 ] || { echo "$w: $errors errors" >&2; grep -A1 "^$w " <<<"$out" >&2; return 1; }
    awk -v w="$w" -v r="$4" -v e="$empty" \
      '{print w, r, $6, $7, $8, e, (NF >= 11 ? $11 : "-")}' <<<"$line" >> "$results"
  done
}
# The first report after start-up (the projection is built at start-up,
# no block or page cached for the call).
cold=$("$load" --server="$server" --workload=get_report --concurrency=1 \
  --seconds=0.000001 | grep -E '^get_report ' | awk '{print $7}')
# The report's figures on the dataset as generated (before the life-cycle
# workload writes), for the comparison with PostgreSQL.
"$build_dir/clients/ctl/jobtrackctl" --server="$server" \
  report --as_of="$(date -u +%F)" --format=csv > "$tmp/jobtrack-report.csv"
for run in $(seq "$runs"); do
  drive get_track 16 "$seconds" "$run"
  drive list_tracks 16 "$seconds" "$run"
  drive propose_tracks 16 "$seconds" "$run" held_proposals
  drive lifecycle 64 "$seconds" "$run" held_write
  drive get_report 1 "$seconds" "$run"
  drive frozen_report 1 "$seconds" "$run"
done
rss_mb=$(awk '/VmRSS/ {print int($2/1024)}' "/proc/$server_pid/status")
hwm_mb=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/$server_pid/status")
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid= pid=

# ---- 3. PostgreSQL 15.
pg_report_ms= pg_proposal_p50= pg_proposal_p99=
if [ "$postgres" = 1 ]; then
  if [ ! -x /usr/lib/postgresql/15/bin/postgres ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
  fi
  pg_bin=/usr/lib/postgresql/15/bin
  pg_data=$tmp/pg
  mkdir -p "$pg_data" && chown postgres "$pg_data" "$tmp"
  runuser -u postgres -- "$pg_bin/initdb" -D "$pg_data" -A trust -U postgres >/dev/null
  pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  # Sized to the data and this machine (2 cores, 24 GiB): the tables fit in
  # shared buffers, sorts and hashes in work_mem, two parallel workers.
  runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_data" -l "$tmp/pg.log" -w \
    -o "-p $pg_port -k $pg_data -c listen_addresses=127.0.0.1 \
        -c shared_buffers=2GB -c work_mem=256MB -c maintenance_work_mem=1GB \
        -c effective_cache_size=16GB -c max_parallel_workers_per_gather=2 \
        -c random_page_cost=1.1 -c synchronous_commit=off -c fsync=off" start >/dev/null
  pg_sql() { runuser -u postgres -- "$pg_bin/psql" -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 "$@"; }
  chmod -R a+rX "$set_dir/csv"
  pg_sql -f "$here/postgres/schema.sql"
  for table in employers tracks track_municipalities participants participations; do
    pg_sql -c "\\copy $table FROM '$set_dir/csv/$table.csv' CSV HEADER"
  done
  pg_sql -f "$here/postgres/indexes.sql"
  today=$(date -u +%F)
  vars=(-v d="$today" -v y="$(date -u +%Y)-01-01" -v s=2018-01-01)
  # The report: R timed runs (after one to warm the cache), and the plan.
  { echo '\timing on'; for _ in $(seq $((runs + 1))); do cat "$here/postgres/report.sql"; done; } \
    > "$tmp/report-runs.sql"
  pg_sql "${vars[@]}" -f "$tmp/report-runs.sql" > "$tmp/pg-report.out"
  pg_report_ms=$(grep -E '^Time: ' "$tmp/pg-report.out" | tail -n "$runs" \
    | awk '{print $2}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)] " " a[1] " " a[NR]}')
  { echo 'EXPLAIN (ANALYZE, BUFFERS)'; cat "$here/postgres/report.sql"; } > "$tmp/explain-report.sql"
  pg_sql "${vars[@]}" -f "$tmp/explain-report.sql" > "$set_dir/explain-report.txt"
  pg_sql "${vars[@]}" -A -F, -P footer=off -f "$here/postgres/report.sql" > "$tmp/pg-figures.csv"
  # The proposal question for 200 random jobseekers (one session).
  people=$(pg_sql -A -t -c 'SELECT count(*) FROM participants')
  { echo '\timing on'; echo '\o /dev/null'
    for i in $(seq 200); do
      echo "\\set participant $(( (i * 7919) % people ))"
      cat "$here/postgres/proposal.sql"
    done; } > "$tmp/proposal-runs.sql"
  pg_sql -f "$tmp/proposal-runs.sql" > "$tmp/pg-proposal.out"
  read -r pg_proposal_p50 pg_proposal_p99 < <(grep -E '^Time: ' "$tmp/pg-proposal.out" \
    | awk '{print $2}' | sort -n | awk '{a[NR]=$1} END {print a[int(NR/2)+1], a[int(NR*0.99)]}')
  { echo "\\set participant 1"; echo 'EXPLAIN (ANALYZE, BUFFERS)'; cat "$here/postgres/proposal.sql"; } \
    > "$tmp/explain-proposal.sql"
  pg_sql -f "$tmp/explain-proposal.sql" > "$set_dir/explain-proposal.txt"

  # The same figures from both, or the comparison means nothing.
  python3 - "$tmp/pg-figures.csv" "$tmp/jobtrack-report.csv" <<'EOF'
import csv, sys
pg = next(csv.DictReader(open(sys.argv[1])))
jt = {}
for row in csv.DictReader(open(sys.argv[2])):
    jt[row['figure']] = row
pairs = {
    'proposals': ('proposals', 'numerator'),
    'proposals_expired': ('proposals.expired', 'numerator'),
    'proposals_enrolled_female': ('proposals.enrolled.women', 'numerator'),
    'participants_active': ('participants.active', 'numerator'),
    'participants_started_since_series_start':
        ('participants.started_since_series_start', 'numerator'),
    'participations_ended_this_year': ('participations.ended_this_year', 'numerator'),
    'participations_ended_this_year_completed':
        ('participations.ended_this_year.completed', 'numerator'),
    'outcomes_completed_working_female':
        ('outcomes.completed.working.women', 'numerator'),
    'outcomes_ended_employer_directed_unsubsidized':
        ('outcomes.ended.employer_directed.working_unsubsidized', 'numerator'),
    'outcomes_ended_preparatory_studies':
        ('outcomes.ended.preparatory.studying', 'numerator'),
}
bad = 0
print('%-48s %12s %12s' % ('figure', 'jobtrack', 'postgresql'))
for column, (figure, part) in pairs.items():
    mine = jt.get(figure, {}).get(part, '?')
    print('%-48s %12s %12s%s' % (figure, mine, pg[column],
                                 '' if mine == pg[column] else '   DIFFERENT'))
    bad += mine != pg[column]
sys.exit(1 if bad else 0)
EOF
fi

# ---- 4. The table.
python3 - "$results" "$scale" "$participations" "$startup_ms" "$cold" "$rss_mb" "$hwm_mb" \
  "${pg_report_ms:-}" "${pg_proposal_p50:-}" "${pg_proposal_p99:-}" <<'EOF'
import sys, statistics
path, scale, participations, startup, cold, rss, hwm = sys.argv[1:8]
pg_report = sys.argv[8].split() if len(sys.argv) > 8 and sys.argv[8] else []
pg_p50 = sys.argv[9] if len(sys.argv) > 9 else ''
rows = {}
for line in open(path):
    w, run, qps, p50, p99, empty, srv = line.split()
    rows.setdefault(w, []).append((float(qps), float(p50), float(p99), float(empty), srv))
def spread(values, fmt):
    return (fmt % statistics.median(values)) + ' (' + (fmt % min(values)) + '–' + (fmt % max(values)) + ')'
print()
print('scale %s: %s participations; start-up %s ms; first report after start %s ms; RSS %s MB (peak %s MB)'
      % (scale, participations, startup, cold, rss, hwm))
print()
print('| workload | conc | QPS median (min–max) | p50 ms | p99 ms | baseline QPS | vs baseline | server p99 ms | target |')
print('|---|---|---|---|---|---|---|---|---|')
targets = {
    'get_track': (16, '≥ 80 % of empty'),
    'list_tracks': (16, '—'),
    'propose_tracks': (16, '≥ 50 % of empty, server p99 ≤ 1 ms'),
    'held_proposals': (16, '— (its answer sent without work)'),
    'lifecycle': (64, '≥ 10 000 durable writes/s'),
    'held_write': (64, '— (a commit of its shape alone)'),
    'get_report': (1, '≤ 300 ms (≤ 1 s cold)'),
    'frozen_report': (1, '≤ 5 ms'),
}
for w, (conc, target) in targets.items():
    if w not in rows: continue
    r = rows[w]
    ratios = [q / e for q, _, _, e, _ in r if e > 0]
    print('| %s | %d | %s | %s | %s | %s | %s | %s | %s |' % (
        w, conc, spread([x[0] for x in r], '%.0f'), spread([x[1] for x in r], '%.3f'),
        spread([x[2] for x in r], '%.3f'), spread([x[3] for x in r], '%.0f'),
        spread([100 * x for x in ratios], '%.0f %%') if ratios else '',
        ' / '.join(sorted(set(x[4] for x in r))), target))
print()
print('Baseline, run just before each workload at its concurrency: the empty gRPC '
      'handler; for lifecycle the durable empty handler (one synced commit of '
      'one 1 KB record a call, through the same storage layer and writer pool). '
      'held_proposals: ProposeTracks answered at once with the held bytes of a '
      'full real answer, on the baseline server: what any server of that answer '
      'could reach here. held_write: a synced commit of a life-cycle write\'s '
      'shape (a locked read, eight keys, about 1 KB) answered with a held '
      'participation, on the baseline server: what any such write could reach here.')
if pg_report:
    jt = statistics.median(x[1] for x in rows['get_report'])
    pg = float(pg_report[0])
    print()
    print('| question | jobtrack p50 ms | PostgreSQL 15 ms median (min–max) | PostgreSQL ÷ jobtrack | target |')
    print('|---|---|---|---|---|')
    print('| national report as of today | %.1f | %.1f (%s–%s) | %.1f× | ≥ 10× (ruling 9.8) |'
          % (jt, pg, pg_report[1], pg_report[2], pg / jt))
    jp = statistics.median(x[1] for x in rows['propose_tracks'])
    print('| proposals for one jobseeker | %.3f | p50 %s, p99 %s | %.1f× | — |'
          % (jp, pg_p50, sys.argv[10], float(pg_p50) / jp))
EOF

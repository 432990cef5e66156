#!/usr/bin/env bash
# The Python and Node example clients against a live jobtrackd (plaintext,
# demo data): each lists tracks, registers a jobseeker, asks for proposals
# and reads a report, and must print what the demo data holds.
#   foreign_clients_test.sh REPO_ROOT JOBTRACKD PYTHON_GEN_DIR
set -euo pipefail
root=$1 jobtrackd=$2 gen=$3
tmp=$(mktemp -d)
pid=
source "$(dirname "$0")/../support/jobtrackd.sh"
trap 'stop_jobtrackd; rm -rf "$tmp"' EXIT

start_jobtrackd "$tmp" "$jobtrackd" --plaintext --demo_data \
  --data_dir="$tmp/data"
server=127.0.0.1:$port

expect() {  # expect NAME OUTPUT
  local fail=0
  for line in "tracks in 1480: 1" "registered participants/" "proposals: 1" \
              "participations.ended_this_year = 9"; do
    grep -qF -- "$line" <<<"$2" || { echo "$1: no \"$line\" in:"; echo "$2"; fail=1; }
  done
  return $fail
}

# Python: Debian's interpreter and python3-grpcio, the modules the build made.
out=$(/usr/bin/python3 "$root/clients/python/jobtrack_example.py" \
  --server "$server" --gen "$gen")
expect python "$out"

# Node: @grpc/grpc-js and @grpc/proto-loader from npm, as locked.
if [ ! -d "$root/clients/node/node_modules/@grpc/grpc-js" ]; then
  (cd "$root/clients/node" && npm ci --no-audit --no-fund --loglevel=error)
fi
out=$(node "$root/clients/node/jobtrack_example.js" --server "$server")
expect node "$out"
echo "foreign clients: OK"

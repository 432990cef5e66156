# Shell test support, sourced: start jobtrackd in the background and wait
# until it serves.
#
#   start_jobtrackd DIR JOBTRACKD [FLAGS...]
# starts JOBTRACKD with FLAGS, then --listen=127.0.0.1:0 and
# --port_file=DIR/port (its stderr in DIR/log), waits up to
# $JOBTRACKD_START_SECONDS (default 60) for the port file, and sets `pid`
# and `port`. It exits the script with the log if jobtrackd ends first.
# The caller stops it with stop_jobtrackd (a trap is usual).
start_jobtrackd() {
  local dir=$1 binary=$2
  shift 2
  rm -f "$dir/port"
  # Last, so that they win over a --flagfile among FLAGS.
  "$binary" "$@" --listen=127.0.0.1:0 --port_file="$dir/port" 2>"$dir/log" &
  pid=$!
  for _ in $(seq $((${JOBTRACKD_START_SECONDS:-60} * 10))); do
    [ -s "$dir/port" ] && break
    kill -0 "$pid" 2>/dev/null || { echo "jobtrackd exited:"; cat "$dir/log"; exit 1; }
    sleep 0.1
  done
  [ -s "$dir/port" ] || { echo "jobtrackd did not start:"; cat "$dir/log"; exit 1; }
  port=$(cat "$dir/port")
}

# Stops the jobtrackd that start_jobtrackd started (SIGTERM) and waits until
# it has exited: at shutdown it saves its checkpoint and flushes RocksDB, so
# removing its data directory before then races with those writes.
stop_jobtrackd() {
  [ -n "${pid:-}" ] || return 0
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=
}

# Shell test support, sourced: start jobtrackd in the background and wait
# until it serves.
#
#   start_jobtrackd DIR JOBTRACKD [FLAGS...]
# starts JOBTRACKD with FLAGS, then --listen=127.0.0.1:0 and
# --port_file=DIR/port (its stderr in DIR/log), waits up to
# $JOBTRACKD_START_SECONDS (default 60) for the port file, and sets `pid`
# and `port`. It exits the script with the log if jobtrackd ends first.
# The caller kills "$pid" (a trap is usual).
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

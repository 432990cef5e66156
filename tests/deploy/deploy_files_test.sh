#!/usr/bin/env bash
# The deploy files against the real binary: every flag they name exists,
# every flag jobtrackd has is in the example configuration, and jobtrackd
# starts from the example (with paths pointed at files made here).
#   deploy_files_test.sh REPO_ROOT JOBTRACKD JOBTRACKCTL
set -euo pipefail
root=$1 jobtrackd=$2 jobtrackctl=$3
example=$root/deploy/jobtrackd.flags.example
manifest=$root/deploy/kubernetes/jobtrack.yaml
unit=$root/deploy/systemd/jobtrackd.service
tmp=$(mktemp -d)
source "$(dirname "$0")/../support/jobtrackd.sh"
trap 'stop_jobtrackd; rm -rf "$tmp"' EXIT
pid=

# Every flag jobtrackd knows, and those it defines itself (not absl's own).
help=$("$jobtrackd" --helpfull 2>&1 || true)
sed -n 's/^ *--\([a-z_]*\) (.*/\1/p' <<<"$help" | sort -u >"$tmp/known"
awk '/Flags from /{ours = /main\.cc:/} ours' <<<"$help" \
  | sed -n 's/^ *--\([a-z_]*\) (.*/\1/p' | sort -u >"$tmp/ours"
[ -s "$tmp/ours" ] || { echo "no flags found in --helpfull"; exit 1; }

fail=0
# Flags as the files set them: `--name=value` (the example also shows
# `#--name` lines and bare boolean `--name` lines).
named() {
  if [ "$1" = "$example" ]; then
    grep -oE -- '^#?--[a-z_]+' "$1" | sed 's/^#\{0,1\}--//'
  else
    grep -oE -- '--[a-z_]+=' "$1" | sed 's/^--//; s/=$//'
  fi | sort -u
}
for file in "$example" "$manifest" "$unit"; do
  for flag in $(named "$file"); do
    grep -qx "$flag" "$tmp/known" \
      || { echo "$file names unknown flag --$flag"; fail=1; }
  done
done
for flag in $(cat "$tmp/ours"); do
  grep -qE -- "^#?--$flag(=|$)" "$example" \
    || { echo "the example configuration does not show --$flag"; fail=1; }
done
[ $fail -eq 0 ] || exit 1

# Start from the example with its paths pointed at files made here.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/server.key" \
  -out "$tmp/server.pem" -days 2 -subj '/CN=localhost' \
  -addext 'subjectAltName=DNS:localhost' 2>/dev/null
cp "$tmp/server.pem" "$tmp/ca.pem"
chmod 600 "$tmp/server.key"
"$jobtrackctl" principal ops ADMIN >"$tmp/principals.txtpb" 2>"$tmp/token"
chmod 600 "$tmp/principals.txtpb"
head -c 32 /dev/urandom >"$tmp/pii.key"
chmod 600 "$tmp/pii.key"
start_jobtrackd "$tmp" "$jobtrackd" --flagfile="$example" \
  --data_dir="$tmp/data" --backup_dir="$tmp/backups" \
  --tls_cert_file="$tmp/server.pem" --tls_key_file="$tmp/server.key" \
  --tls_client_ca_file="$tmp/ca.pem" --principals_file="$tmp/principals.txtpb" \
  --pii_key_file="$tmp/pii.key" --health_listen=127.0.0.1:0 \
  --metrics_listen=127.0.0.1:0
# Authenticated over TLS with the token just made.
# (An address, not a name: c-ares' resolver leaks a few bytes, which
# LeakSanitizer would report in the sanitizer run.)
JOBTRACK_TOKEN=$(cat "$tmp/token") "$jobtrackctl" \
  --server="127.0.0.1:$port" --tls_server_name=localhost \
  --tls_ca_file="$tmp/ca.pem" list modules >/dev/null
kill -TERM "$pid"
wait "$pid"
pid=
grep -q "health checks (plaintext) on port" "$tmp/log"
grep -q "metrics on port" "$tmp/log"

# The unit, where systemd is installed: only the binary's absence (it is
# not installed here) may be reported.
if command -v systemd-analyze >/dev/null; then
  problems=$(systemd-analyze verify "$unit" 2>&1 \
    | grep -v "Command /usr/local/bin/jobtrackd is not executable" || true)
  [ -z "$problems" ] || { echo "$problems"; exit 1; }
fi
echo "deploy files: OK"

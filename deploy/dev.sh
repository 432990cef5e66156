#!/usr/bin/env bash
# jobtrack developer entry point on Debian 12.
#
#   deploy/dev.sh run    install what is missing, build, start jobtrackd on
#                        ./var/data with demo data (plaintext, 127.0.0.1:50051)
#   deploy/dev.sh test   install what is missing, build, run every test, then
#                        build again with clang, ASan+UBSan and the libFuzzer
#                        targets, and run every test again (with a bounded
#                        fuzzing run of each target)
#   deploy/dev.sh build  install what is missing and build only
#   deploy/dev.sh long   install, build both, run the long tier (ctest -L
#                        long: 100 crash cycles, 30 min of fuzzing per
#                        target); figures in BENCHMARKS.md
#
# Installing needs root (or sudo). Builds go to ./build and ./build-asan.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
JOBS=${JOBS:-2}
# Let ccache reuse objects across clones in different directories (CI).
export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=true

PACKAGES=(
  g++ cmake ninja-build ccache pkg-config tzdata
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev librocksdb-dev libssl-dev openssl libgoogle-perftools-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-14 libclang-rt-14-dev
  golang-github-gogo-googleapis-dev
  python3-grpcio python3-protobuf nodejs chromium
  postgresql-15
)

install_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "== installing: ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "need root or sudo to install packages" >&2; exit 1; }
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

# npm ships inside some nodejs builds and as its own package in Debian's.
install_npm() {
  command -v npm >/dev/null && return 0
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends npm
}

build() {  # build DIR [cmake args...]
  local dir=$1; shift
  cmake -S "$ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$dir" -j "$JOBS"
}

# The sanitizer build: clang (libFuzzer needs it) with ASan + UBSan.
build_sanitized() {
  build "$ROOT/build-asan" -DJOBTRACK_SANITIZE=ON -DJOBTRACK_FUZZ=ON \
    -DCMAKE_CXX_COMPILER=clang++-14
}

run_tests() {  # run_tests DIR: the fast tier (everything not labelled long)
  ctest --test-dir "$1" --output-on-failure -j "$JOBS" --timeout 600 -LE long
}

cmd=${1:-}
case "$cmd" in
  build)
    install_packages
    build "$ROOT/build"
    ;;
  run)
    install_packages
    build "$ROOT/build"
    mkdir -p "$ROOT/var"
    echo "== jobtrackd on 127.0.0.1:50051 (plaintext, data in var/data); Ctrl-C stops it"
    echo "== try: build/clients/ctl/jobtrackctl list tracks --format=table (more in README, Quick start)"
    exec "$ROOT/build/services/jobtrackd" --data_dir="$ROOT/var/data" \
      --plaintext --listen=127.0.0.1:50051 --demo_data
    ;;
  test)
    install_packages
    install_npm
    echo "== build and test"
    build "$ROOT/build"
    run_tests "$ROOT/build"
    echo "== build (clang) and test under AddressSanitizer + UndefinedBehaviorSanitizer, fuzzing included"
    build_sanitized
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      run_tests "$ROOT/build-asan"
    ;;
  long)
    install_packages
    build "$ROOT/build"
    build_sanitized
    ctest --test-dir "$ROOT/build" --output-on-failure -L long --timeout 7200
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      ctest --test-dir "$ROOT/build-asan" --output-on-failure -L long -j "$JOBS" \
        --timeout 7200
    ;;
  *)
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac

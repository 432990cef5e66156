// Shared by the in-process benchmarks: storage for a dataset and latency
// counters (the synthetic data itself: synthetic_sweden.h).
#ifndef JOBTRACK_TESTS_BENCH_BENCH_SUPPORT_H_
#define JOBTRACK_TESTS_BENCH_BENCH_SUPPORT_H_

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/common/deps.h"
#include "services/common/validation.h"
#include "storage/storage.h"
#include "tests/bench/synthetic_sweden.h"
#include "tests/support/test_env.h"

namespace jobtrack::bench {

// Storage in a temporary directory with the domain's dependencies, for
// loading a dataset through the domain code. The WAL is unsynced (loading
// only; the benchmarks read). The directory goes with the object.
struct BenchEnv {
  explicit BenchEnv(size_t block_cache_bytes = size_t{64} << 20) {
    if (!LoadSwedishTimeZone().ok()) std::abort();
    storage::Options options;
    options.path = dir.path() + "/db";
    options.sync = false;
    options.block_cache_bytes = block_cache_bytes;
    storage = *storage::Storage::Open(options);
  }
  Deps deps() {
    return {.storage = storage.get(),
            .clock = &clock,
            .ids = &ids,
            .hasher = &hasher};
  }

  testing::TempDir dir;
  ManualClock clock{testing::DefaultTestTime()};
  RandomIdGenerator ids;
  PiiHasher hasher{std::string(32, 'k')};
  std::unique_ptr<storage::Storage> storage;
};

// Sets the p50_us and p99_us counters of `state` from single-call times.
inline void ReportLatencies(benchmark::State& state,
                            std::vector<double> micros) {
  if (micros.empty()) return;
  std::sort(micros.begin(), micros.end());
  state.counters["p50_us"] = micros[micros.size() / 2];
  state.counters["p99_us"] =
      micros[std::min(micros.size() - 1, micros.size() * 99 / 100)];
}

}  // namespace jobtrack::bench

#endif  // JOBTRACK_TESTS_BENCH_BENCH_SUPPORT_H_

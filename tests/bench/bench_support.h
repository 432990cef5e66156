// Shared by the benchmarks: the synthetic geography and latency counters.
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

// A valid organisation number (Luhn check digit) for employer `i`.
inline std::string OrganisationNumber(int i) {
  std::string number = absl::StrCat(5560000000LL + i * 10LL);
  for (char c = '0'; c <= '9'; ++c) {
    number.back() = c;
    if (LuhnValid(number)) break;
  }
  return number;
}

// Municipality, weight: a skew like the real population's.
inline constexpr std::pair<const char*, int> kPlaces[] = {
    {"0180", 30}, {"1480", 18}, {"1280", 12}, {"0380", 7}, {"0580", 6},
    {"1880", 6},  {"1980", 6},  {"1283", 5},  {"0581", 5}, {"0680", 5},
    {"1780", 3},  {"0880", 2},  {"2281", 2},  {"0980", 2}, {"2580", 2},
    {"0184", 3},  {"0182", 2},  {"0181", 2},  {"1481", 2}, {"1402", 1},
    {"0114", 1},  {"0480", 2},  {"1382", 1},  {"1384", 1}, {"2380", 1}};

// Draws a municipality of kPlaces by its weight.
inline std::discrete_distribution<int> PlaceDistribution() {
  std::vector<int> weights;
  for (const auto& p : kPlaces) weights.push_back(p.second);
  return std::discrete_distribution<int>(weights.begin(), weights.end());
}

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

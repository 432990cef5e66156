// Shared by the benchmarks: the synthetic geography and latency counters.
#ifndef JOBTRACK_TESTS_BENCH_BENCH_SUPPORT_H_
#define JOBTRACK_TESTS_BENCH_BENCH_SUPPORT_H_

#include <benchmark/benchmark.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace jobtrack::bench {

// Municipality, weight: a skew like the real population's.
inline constexpr std::pair<const char*, int> kPlaces[] = {
    {"0180", 30}, {"1480", 18}, {"1280", 12}, {"0380", 7}, {"0580", 6},
    {"1880", 6},  {"1980", 6},  {"1283", 5},  {"0581", 5}, {"0680", 5},
    {"1780", 3},  {"0880", 2},  {"2281", 2},  {"0980", 2}, {"2580", 2},
    {"0184", 3},  {"0182", 2},  {"0181", 2},  {"1481", 2}, {"1402", 1},
    {"0114", 1},  {"0480", 2},  {"1382", 1},  {"1384", 1}, {"2380", 1}};

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

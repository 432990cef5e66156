// The synthetic national dataset of the benchmarks (issue 8): employers,
// tracks with their intakes, jobseekers and ten years of participations,
// generated deterministically from a seed and written through the domain
// code that the API uses (the same validation, events and indexes), into
// any storage.
//
// Scale 1 resembles the 2019 figures (seed 003, section 4.5): about 500
// tracks, 1 100 employers and 12 000 participations. Scale 100 gives 5 000
// tracks, 10 000 employers, 1 000 000 participants and 2 000 000
// participations. In between, tracks and employers grow with about the
// square root of the scale and participations a little faster than it.
// Skew: a quarter of the people and tracks in Stockholm, Göteborg and
// Malmö, and the rest spread over every municipality, heavier in the
// bigger towns; care, transport, trade and building the popular
// industries.
//
// Determinism: the content (every attribute and date) depends only on the
// seed and the scale, whatever the number of threads; resource ids are
// random, as everywhere in jobtrack.
#ifndef JOBTRACK_TESTS_BENCH_NATIONAL_DATASET_H_
#define JOBTRACK_TESTS_BENCH_NATIONAL_DATASET_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "services/common/deps.h"

namespace jobtrack::bench {

struct DatasetOptions {
  double scale = 1;
  uint64_t seed = 1;
  // Loading threads (participants are split between them).
  int threads = 2;
  // The last day of the history; participations run up to it.
  absl::CivilDay today = absl::CivilDay(2026, 11, 23);
  // If not empty: the same dataset as CSV files for the PostgreSQL
  // baseline (employers, tracks, track_municipalities, participants,
  // participations; see tests/bench/postgres/schema.sql).
  std::string csv_dir;
};

struct DatasetSize {
  int64_t employers = 0;
  int64_t tracks = 0;
  int64_t intakes = 0;
  int64_t participants = 0;
  int64_t participations = 0;
  double seconds = 0;
};

// The sizes that `scale` asks for (participations and intakes as planned;
// the load reports what it made).
DatasetSize PlannedSize(double scale);

// Generates the dataset into `deps.storage` (which should be empty).
// Fails on the first domain error: a dataset that does not load whole is
// not a dataset.
absl::StatusOr<DatasetSize> GenerateNationalDataset(
    const Deps& deps, const DatasetOptions& options);

}  // namespace jobtrack::bench

#endif  // JOBTRACK_TESTS_BENCH_NATIONAL_DATASET_H_

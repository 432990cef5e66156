// jobtrack_datagen: writes the synthetic national dataset (see
// national_dataset.h) into a jobtrackd data directory, and optionally the
// same data as CSV files for the PostgreSQL baseline.
//
//   jobtrack_datagen --data_dir=/tmp/jt-s1 --scale=1 --csv_dir=/tmp/jt-s1.csv
//   jobtrackd --plaintext --data_dir=/tmp/jt-s1
//
// The WAL is not synced while loading (a failed load is simply run again);
// the data is flushed before the program exits.
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "services/common/checkpoint.h"
#include "services/common/clock.h"
#include "services/common/ids.h"
#include "services/common/pii_hasher.h"
#include "services/common/validation.h"
#include "services/followup/report_projection.h"
#include "services/matching/matching_index.h"
#include "services/server/schema_migrations.h"
#include "storage/storage.h"
#include "tests/bench/national_dataset.h"

ABSL_FLAG(std::string, data_dir, "", "the data directory to fill (required)");
ABSL_FLAG(double, scale, 1, "scale factor: 1 ≈ the 2019 figures, 100 national");
ABSL_FLAG(uint64_t, seed, 1, "random seed of the content");
ABSL_FLAG(int, threads, 2, "loading threads");
ABSL_FLAG(std::string, csv_dir, "", "also write the dataset as CSV here");
ABSL_FLAG(int, block_cache_mb, 1024, "RocksDB block cache while loading");
ABSL_FLAG(bool, compact_only, false,
          "rewrite an existing --data_dir in this build's schema (its "
          "migrations) and table format (a full compaction) instead of "
          "generating");
ABSL_FLAG(bool, checkpoints_only, false,
          "save the in-memory views' checkpoints of an existing --data_dir "
          "(what a server that ran on it saves when it stops) instead of "
          "generating: the matching index's built anew, the report "
          "projection's brought up to date");

namespace {

// What a server that has run on the data leaves when it stops: the
// report projection's checkpoint, so that jobtrackd does not replay the
// whole log at its first start, and then (last: it is usable only while
// nothing is written after it) the matching index's.
absl::Status SaveCheckpoints(jobtrack::storage::Storage& storage) {
  absl::StatusOr<std::unique_ptr<jobtrack::ReportProjection>> projection =
      jobtrack::ReportProjection::Open(&storage);
  if (!projection.ok()) return projection.status();
  if (absl::Status s = (*projection)->SaveCheckpoint(); !s.ok()) return s;
  projection->reset();
  absl::StatusOr<std::unique_ptr<jobtrack::MatchingIndex>> index =
      jobtrack::MatchingIndex::Open(&storage);
  if (!index.ok()) return index.status();
  return (*index)->SaveCheckpoint();
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Writes the synthetic national dataset into a jobtrackd data "
      "directory.");
  absl::ParseCommandLine(argc, argv);
  using namespace jobtrack;
  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  if (data_dir.empty() || absl::GetFlag(FLAGS_scale) <= 0) {
    std::cerr << "--data_dir is required and --scale must be positive\n";
    return 2;
  }
  if (absl::Status s = LoadSwedishTimeZone(); !s.ok()) {
    std::cerr << s << "\n";
    return 2;
  }
  // The key jobtrackd uses by default for this data directory.
  absl::StatusOr<PiiHasher> hasher = PiiHasher::FromKeyFileCreatingIfMissing(
      absl::StrCat(data_dir, ".pii.key"));
  if (!hasher.ok()) {
    std::cerr << hasher.status() << "\n";
    return 2;
  }
  storage::Options options;
  options.path = data_dir;
  options.sync = false;
  options.block_cache_bytes =
      static_cast<size_t>(absl::GetFlag(FLAGS_block_cache_mb)) << 20;
  // Loading writes far faster than jobtrackd serves: fewer, bigger flushes.
  options.memtable_bytes = size_t{512} << 20;
  options.max_wal_bytes = 0;
  // As jobtrackd opens it: --compact_only brings an older dataset to this
  // build's schema, and compacts what the migration rewrote.
  options.migrations = SchemaMigrations();
  absl::StatusOr<std::unique_ptr<storage::Storage>> storage =
      storage::Storage::Open(options);
  if (!storage.ok()) {
    std::cerr << "cannot open " << data_dir << ": " << storage.status() << "\n";
    return 1;
  }
  if (absl::GetFlag(FLAGS_compact_only)) {
    const absl::Time began = absl::Now();
    if (absl::Status s = (*storage)->CompactAll(); !s.ok()) {
      std::cerr << "compaction failed: " << s << "\n";
      return 1;
    }
    std::cout << "compacted in " << absl::Now() - began << "\n";
    return 0;
  }
  if (absl::GetFlag(FLAGS_checkpoints_only)) {
    const absl::Time began = absl::Now();
    // The matching index's is built anew from the participations (the
    // stored one dropped first): a check of it, and a write that a flush
    // can then put in table files, as a stopping server leaves them. (A
    // data directory last closed without a flush replays its WAL at every
    // open until a flush of new writes retires it.)
    absl::Status s = DropCheckpoint(**storage, "matching_index");
    if (s.ok()) s = SaveCheckpoints(**storage);
    if (s.ok()) s = (*storage)->Flush();
    if (!s.ok()) {
      std::cerr << "checkpoints: " << s << "\n";
      return 1;
    }
    std::cout << "checkpoints saved in " << absl::Now() - began << "\n";
    return 0;
  }
  if ((*storage)->LastSequence() != 0) {
    std::cerr << data_dir << " is not empty\n";
    return 1;
  }
  SystemClock clock;
  RandomIdGenerator ids;
  const Deps deps{.storage = storage->get(),
                  .clock = &clock,
                  .ids = &ids,
                  .hasher = &*hasher};
  bench::DatasetOptions dataset;
  dataset.scale = absl::GetFlag(FLAGS_scale);
  dataset.seed = absl::GetFlag(FLAGS_seed);
  dataset.threads = absl::GetFlag(FLAGS_threads);
  dataset.csv_dir = absl::GetFlag(FLAGS_csv_dir);
  absl::StatusOr<bench::DatasetSize> made =
      bench::GenerateNationalDataset(deps, dataset);
  if (!made.ok()) {
    std::cerr << "load failed: " << made.status() << "\n";
    return 1;
  }
  const absl::Time began = absl::Now();
  if (absl::Status s = SaveCheckpoints(**storage); !s.ok()) {
    std::cerr << "checkpoints: " << s << "\n";
    return 1;
  }
  const double checkpoint_seconds = absl::ToDoubleSeconds(absl::Now() - began);
  // Compacted, as a database that has run for a while would be: each
  // column in its last level, its files written in this build's format.
  if (absl::Status s = (*storage)->CompactAll(); !s.ok()) {
    std::cerr << "compaction failed: " << s << "\n";
    return 1;
  }
  std::cout << "scale=" << dataset.scale << " employers=" << made->employers
            << " tracks=" << made->tracks << " intakes=" << made->intakes
            << " participants=" << made->participants
            << " participations=" << made->participations
            << " events=" << (*storage)->LastSequence()
            << " load_seconds=" << made->seconds
            << " checkpoint_seconds=" << checkpoint_seconds << "\n";
  return 0;
}

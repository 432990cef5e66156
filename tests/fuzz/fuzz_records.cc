// libFuzzer target: stored data that is corrupt. The first byte picks what
// the rest of the input pretends to be:
//   0  a participation's event history (a ListParticipationEventsResponse),
//      replayed as the life cycle would (lifecycle.h);
//   1  the stored bytes of a participation record and of an event of it,
//      written into a real RocksDB and then read by the paths that read
//      them: the API's Get, whole-collection loads, the change-stream
//      decoder and the consistency check;
//   2  the follow-up projection's checkpoint body in its first format,
//   3  the same in the current format, each loaded as at start-up;
//   4  the matching index's checkpoint body, loaded as at start-up on the
//      demo data (the tracks it must fit).
// Every path must answer with an error (DATA_LOSS, FAILED_PRECONDITION) or
// a result, never crash. Seeds: tests/fuzz/corpus/records.
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "jobtrack/v1/participation_service.pb.h"
#include "services/admin/consistency_check.h"
#include "services/common/checkpoint.h"
#include "services/common/events.h"
#include "services/common/record_table.h"
#include "services/followup/report_projection.h"
#include "services/matching/matching_index.h"
#include "services/participations/lifecycle.h"
#include "services/participations/participations.h"
#include "services/server/demo_data.h"
#include "storage/keys.h"
#include "tests/support/test_env.h"

namespace {

jobtrack::testing::TestEnv& Env() {
  static auto* env = [] {
    auto* env = new jobtrack::testing::TestEnv;
    jobtrack::testing::RemoveAtExit(env->data_dir());
    return env;
  }();
  return *env;
}

void FuzzReplay(const std::string& bytes) {
  jobtrack::v1::ListParticipationEventsResponse history;
  if (!history.ParseFromString(bytes)) return;
  std::vector<jobtrack::v1::Event> events(history.events().begin(),
                                          history.events().end());
  (void)jobtrack::Replay("participations/fuzz", events);
  jobtrack::ReplayOptions options;
  options.as_of = absl::CivilDay(2026, 6, 30);
  options.known_at = 3;
  (void)jobtrack::Replay("participations/fuzz", std::move(events), options);
}

void FuzzStoredRecord(const std::string& bytes) {
  auto& env = Env();
  jobtrack::storage::Storage& storage = env.storage();
  const std::string name = "participations/fuzz";
  const uint64_t sequence = storage.LastSequence() + 1;
  {
    auto txn = storage.Begin();
    if (!txn->Put(jobtrack::storage::Column::kRecords,
                  jobtrack::storage::RecordKey("participations", "fuzz"), bytes)
             .ok()) {
      return;
    }
    txn->AddEvent(name, bytes);
    if (!txn->Commit().ok()) return;
  }
  jobtrack::Participations participations(env.deps());
  jobtrack::v1::GetParticipationRequest get;
  get.set_name(name);
  (void)participations.Get(get);
  (void)participations.Events(name);
  std::unique_ptr<jobtrack::storage::Reader> reader = storage.Snapshot();
  (void)participations.table().All(*reader, "participations");
  (void)jobtrack::ScanEvents(*reader, sequence - 1,
                             [](jobtrack::v1::Event) { return true; });
  (void)jobtrack::CheckConsistency(env.deps());
  // Leave the record out of the next input's way (the event stays: the
  // log is append-only).
  auto txn = storage.Begin();
  (void)txn->Delete(jobtrack::storage::Column::kRecords,
                    jobtrack::storage::RecordKey("participations", "fuzz"));
  (void)txn->Commit();
}

void FuzzProjectionCheckpoint(uint32_t version, const std::string& body) {
  jobtrack::storage::Storage& storage = Env().storage();
  if (!jobtrack::SaveCheckpoint(storage, "report_projection", version,
                                storage.LastSequence(), body)
           .ok()) {
    return;
  }
  (void)jobtrack::ReportProjection::Open(&storage);
}

// Its own data: the demo set, so that a body can name tracks that exist.
jobtrack::testing::TestEnv& DemoEnv() {
  static auto* env = [] {
    auto* env = new jobtrack::testing::TestEnv;
    jobtrack::testing::RemoveAtExit(env->data_dir());
    if (!jobtrack::SeedDemoDataIfEmpty(env->deps()).ok()) std::abort();
    return env;
  }();
  return *env;
}

void FuzzMatchingCheckpoint(const std::string& body) {
  jobtrack::storage::Storage& storage = DemoEnv().storage();
  if (!jobtrack::SaveCheckpoint(storage, "matching_index",
                                jobtrack::MatchingIndex::kCheckpointVersion,
                                storage.LastSequence(), body)
           .ok()) {
    return;
  }
  (void)jobtrack::MatchingIndex::Open(&storage);
}

// JOBTRACK_FUZZ_WRITE_SEEDS=DIR: real stored data of the demo set, one
// seed per kind (what tests/fuzz/corpus/records holds).
void WriteSeeds(const std::string& dir) {
  auto& env = Env();
  if (!jobtrack::SeedDemoDataIfEmpty(env.deps()).ok()) std::abort();
  std::unique_ptr<jobtrack::storage::Reader> reader = env.storage().Snapshot();
  jobtrack::Participations participations(env.deps());
  absl::StatusOr<std::vector<jobtrack::v1::Participation>> all =
      participations.table().All(*reader, "participations");
  if (!all.ok() || all->empty()) std::abort();
  int n = 0;
  for (size_t i = 0; i < all->size() && i < 4; ++i) {
    const jobtrack::v1::Participation& p = (*all)[i];
    absl::StatusOr<std::vector<jobtrack::v1::Event>> events =
        participations.Events(p.name());
    if (!events.ok()) std::abort();
    jobtrack::v1::ListParticipationEventsResponse history;
    for (auto& e : *events) *history.add_events() = e;
    std::ofstream(absl::StrCat(dir, "/history-", i), std::ios::binary)
        << '\0' << history.SerializeAsString();
    std::ofstream(absl::StrCat(dir, "/record-", i), std::ios::binary)
        << '\1' << p.SerializeAsString();
    n += 2;
  }
  auto projection = jobtrack::ReportProjection::Open(&env.storage());
  if (!projection.ok() || !(*projection)->SaveCheckpoint().ok()) std::abort();
  auto index = jobtrack::MatchingIndex::Open(&env.storage());
  if (!index.ok() || !(*index)->SaveCheckpoint().ok()) std::abort();
  // (The first format's seed, `checkpoint`, was written by an older build.)
  for (const auto& [name, kind, file] :
       {std::tuple("report_projection", '\3', "checkpoint-2"),
        std::tuple("matching_index", '\4', "matching-checkpoint")}) {
    auto stored = jobtrack::LoadCheckpoint(env.storage(), name);
    if (!stored.ok() || !stored->has_value()) std::abort();
    std::ofstream(absl::StrCat(dir, "/", file), std::ios::binary)
        << kind << (*stored)->body;
  }
  std::cout << "wrote " << n + 2 << " seeds to " << dir << "\n";
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("JOBTRACK_FUZZ_WRITE_SEEDS")) {
    WriteSeeds(dir);
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 5) {
    case 0:
      FuzzReplay(rest);
      break;
    case 1:
      FuzzStoredRecord(rest);
      break;
    case 2:
      FuzzProjectionCheckpoint(1, rest);
      break;
    case 3:
      FuzzProjectionCheckpoint(2, rest);
      break;
    default:
      FuzzMatchingCheckpoint(rest);
      break;
  }
  return 0;
}

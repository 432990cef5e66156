// libFuzzer target: stored data that is corrupt. The first byte picks what
// the rest of the input pretends to be:
//   0  a participation's event history (a ListParticipationEventsResponse),
//      replayed as the life cycle would (lifecycle.h);
//   1  the stored bytes of a participation record and of an event of it,
//      written into a real RocksDB and then read by the paths that read
//      them: the API's Get, whole-collection loads, the change-stream
//      decoder and the consistency check;
//   2  the follow-up projection's checkpoint body, loaded at start-up.
// Every path must answer with an error (DATA_LOSS, FAILED_PRECONDITION) or
// a result, never crash. Seeds: tests/fuzz/corpus/records.
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "jobtrack/v1/participation_service.pb.h"
#include "services/admin/consistency_check.h"
#include "services/common/events.h"
#include "services/common/record_table.h"
#include "services/followup/report_projection.h"
#include "services/participations/lifecycle.h"
#include "services/participations/participations.h"
#include "services/server/demo_data.h"
#include "storage/keys.h"
#include "tests/support/test_env.h"

namespace {

jobtrack::testing::TestEnv& Env() {
  static auto* env = new jobtrack::testing::TestEnv;
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

void PutU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
void PutU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}

void FuzzCheckpoint(const std::string& body) {
  auto& env = Env();
  jobtrack::storage::Storage& storage = env.storage();
  std::string header;
  PutU32(header, 1);  // The checkpoint format version.
  PutU64(header, storage.LastSequence());
  PutU32(header, 1);
  PutU64(header, body.size());
  {
    auto txn = storage.Begin();
    if (!txn->Put(jobtrack::storage::Column::kMeta, "report_projection/header",
                  header)
             .ok() ||
        !txn->Put(jobtrack::storage::Column::kMeta,
                  "report_projection/chunk/000000", body)
             .ok() ||
        !txn->Commit().ok()) {
      return;
    }
  }
  (void)jobtrack::ReportProjection::Open(&storage);
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
  absl::StatusOr<std::optional<std::string>> body =
      env.storage().Snapshot()->Get(jobtrack::storage::Column::kMeta,
                                    "report_projection/chunk/000000");
  if (!body.ok() || !body->has_value()) std::abort();
  std::ofstream(absl::StrCat(dir, "/checkpoint"), std::ios::binary)
      << '\2' << **body;
  std::cout << "wrote " << n + 1 << " seeds to " << dir << "\n";
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
  switch (data[0] % 3) {
    case 0:
      FuzzReplay(rest);
      break;
    case 1:
      FuzzStoredRecord(rest);
      break;
    default:
      FuzzCheckpoint(rest);
      break;
  }
  return 0;
}

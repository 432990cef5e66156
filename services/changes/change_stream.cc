#include "services/changes/change_stream.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "jobtrack/v1/participant.pb.h"
#include "jobtrack/v1/participation.pb.h"
#include "services/common/events.h"
#include "services/common/grpc_status.h"
#include "services/common/record_table.h"
#include "storage/keys.h"

namespace jobtrack {
namespace {

constexpr int kBatch = 256;

// The scope of a participant: home municipality and supplier.
struct Scope {
  std::string municipality;
  std::string supplier;
};

// Resolves the scope of events' resources through one snapshot, caching.
class ScopeResolver {
 public:
  explicit ScopeResolver(storage::Reader& reader) : reader_(reader) {}

  Scope Of(const v1::Event& event) {
    const std::string& resource = event.resource();
    if (absl::StartsWith(resource, "participations/")) {
      const RecordTable<v1::Participation> participations(nullptr);
      absl::StatusOr<v1::Participation> p =
          participations.Get(reader_, resource);
      if (!p.ok()) return {};
      Scope scope = Participant(p->participant());
      scope.municipality = p->home_municipality_code();
      return scope;
    }
    return Participant(resource);
  }

 private:
  Scope Participant(const std::string& name) {
    auto it = cache_.find(name);
    if (it != cache_.end()) return it->second;
    const RecordTable<v1::Participant> participants(nullptr);
    absl::StatusOr<v1::Participant> p = participants.Get(reader_, name);
    Scope scope;
    if (p.ok()) scope = {p->municipality_code(), p->supplier()};
    cache_[name] = scope;
    return scope;
  }

  storage::Reader& reader_;
  absl::flat_hash_map<std::string, Scope> cache_;
};

}  // namespace

absl::Status StreamChanges(const Deps& deps, const ChangeFilter& filter,
                           uint64_t after_sequence,
                           StreamSink<v1::Event>& sink) {
  uint64_t position = after_sequence;
  absl::Status failure;
  while (!sink.Ended()) {
    std::vector<v1::Event> batch;
    // Events past the settled sequence may be followed by a gap that a
    // commit in progress still fills: stream them on a later round.
    const uint64_t settled = deps.storage->LastSequence();
    std::unique_ptr<storage::Reader> reader = deps.storage->Snapshot();
    failure = ScanEvents(*reader, position, [&](v1::Event event) {
      if (static_cast<uint64_t>(event.sequence()) > settled) return false;
      batch.push_back(std::move(event));
      return static_cast<int>(batch.size()) < kBatch;
    });
    if (!failure.ok()) break;
    if (batch.empty()) {
      // Caught up: wait for the next commit, waking now and then to notice
      // a cancelled call.
      deps.storage->WaitForSequence(position, absl::Now() + absl::Seconds(1));
      continue;
    }
    ScopeResolver scopes(*reader);
    bool open = true;
    for (const v1::Event& event : batch) {
      position = static_cast<uint64_t>(event.sequence());
      if (!filter.municipalities.empty() || !filter.supplier.empty()) {
        const Scope scope = scopes.Of(event);
        if (!filter.municipalities.empty() &&
            !filter.municipalities.contains(scope.municipality)) {
          continue;
        }
        if (!filter.supplier.empty() && scope.supplier != filter.supplier) {
          continue;
        }
      }
      if (!(open = sink.Send(event))) break;
    }
    if (!open) break;
  }
  return failure;
}

}  // namespace jobtrack

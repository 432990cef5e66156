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

ChangeStream::ChangeStream(Deps deps, ChangeFilter filter,
                           uint64_t after_sequence)
    : deps_(deps), filter_(std::move(filter)), position_(after_sequence) {
  thread_ = std::thread([this] { Run(); });
}

void ChangeStream::OnWriteDone(bool ok) {
  absl::MutexLock lock(&mu_);
  writing_ = false;
  if (!ok) ended_ = true;
}

void ChangeStream::OnCancel() {
  absl::MutexLock lock(&mu_);
  ended_ = true;
}

void ChangeStream::OnDone() {
  if (thread_.get_id() == std::this_thread::get_id()) {
    thread_.detach();
  } else {
    thread_.join();
  }
  delete this;
}

bool ChangeStream::Send(const v1::Event& event) {
  {
    absl::MutexLock lock(&mu_);
    if (ended_) return false;
    pending_ = event;
    writing_ = true;
  }
  StartWrite(&pending_);
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](ChangeStream* s)
           ABSL_NO_THREAD_SAFETY_ANALYSIS { return !s->writing_ || s->ended_; },
      this));
  return !ended_;
}

void ChangeStream::Run() {
  absl::Status failure;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (ended_) break;
    }
    std::vector<v1::Event> batch;
    std::unique_ptr<storage::Reader> reader = deps_.storage->Snapshot();
    absl::Status s = reader->Scan(
        storage::Column::kEvents, "",
        position_ == 0 ? std::string() : storage::EventKey(position_),
        [&](absl::string_view key, absl::string_view value) {
          absl::StatusOr<v1::Event> event =
              DecodeEvent(storage::EventKeySequence(key), value);
          if (!event.ok()) {
            failure = event.status();
            return false;
          }
          batch.push_back(*std::move(event));
          return static_cast<int>(batch.size()) < kBatch;
        });
    if (!s.ok()) failure = s;
    if (!failure.ok()) break;
    if (batch.empty()) {
      // Caught up: wait for the next commit, waking now and then to notice
      // a cancelled call.
      deps_.storage->WaitForSequence(position_, absl::Now() + absl::Seconds(1));
      continue;
    }
    ScopeResolver scopes(*reader);
    bool open = true;
    for (const v1::Event& event : batch) {
      position_ = static_cast<uint64_t>(event.sequence());
      if (!filter_.municipalities.empty() || !filter_.supplier.empty()) {
        const Scope scope = scopes.Of(event);
        if (!filter_.municipalities.empty() &&
            !filter_.municipalities.contains(scope.municipality)) {
          continue;
        }
        if (!filter_.supplier.empty() && scope.supplier != filter_.supplier) {
          continue;
        }
      }
      if (!(open = Send(event))) break;
    }
    if (!open) break;
  }
  // Nothing touches `this` after Finish: OnDone may delete it at once.
  Finish(failure.ok() ? grpc::Status::OK : ToGrpcStatus(failure));
}

}  // namespace jobtrack

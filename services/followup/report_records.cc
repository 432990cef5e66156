#include "services/followup/report_records.h"

#include "storage/keys.h"

namespace jobtrack {

ReportRecords::ReportRecords(storage::Storage* storage) : storage_(storage) {
  observer_ = storage_->AddCommitObserver(
      [this](const std::vector<std::string>& keys) { OnCommit(keys); });
}

ReportRecords::~ReportRecords() { storage_->RemoveCommitObserver(observer_); }

void ReportRecords::OnCommit(const std::vector<std::string>& record_keys) {
  for (const std::string& key : record_keys) {
    const std::string name = storage::RecordKeyName(key);
    absl::string_view collection, id;
    if (!storage::SplitName(name, &collection, &id)) continue;
    if (collection == "tracks" || collection == "employers") {
      // Release: a Get() that sees the new generation snapshots after it.
      generation_.fetch_add(1, std::memory_order_release);
      return;
    }
  }
}

absl::StatusOr<std::shared_ptr<const FollowUpData>> ReportRecords::Get() {
  absl::MutexLock lock(&mu_);
  // Read before the snapshot: a commit that lands during the load bumps
  // the generation after it, so the next call loads again.
  const uint64_t generation = generation_.load(std::memory_order_acquire);
  if (cached_ != nullptr && cached_generation_ == generation) return cached_;
  std::unique_ptr<storage::Reader> reader = storage_->Snapshot();
  absl::StatusOr<FollowUpData> records = LoadFollowUpRecords(*reader);
  if (!records.ok()) return records.status();
  loads_.fetch_add(1, std::memory_order_relaxed);
  cached_ = std::make_shared<const FollowUpData>(*std::move(records));
  cached_generation_ = generation;
  return cached_;
}

}  // namespace jobtrack

#include "services/followup/report_records.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "services/common/record_table.h"
#include "services/followup/report.h"
#include "storage/keys.h"

namespace jobtrack {

ReportRecords::ReportRecords(storage::Storage* storage) : storage_(storage) {
  observer_ = storage_->AddCommitObserver(
      [this](const storage::CommittedRecords& committed) {
        OnCommit(committed);
      });
}

ReportRecords::~ReportRecords() { storage_->RemoveCommitObserver(observer_); }

void ReportRecords::OnCommit(const storage::CommittedRecords& committed) {
  std::vector<std::string> names;
  for (const storage::CommittedRecords::Record& record : committed.records) {
    std::string name = storage::RecordKeyName(record.key);
    absl::string_view collection, id;
    if (!storage::SplitName(name, &collection, &id)) continue;
    if (collection == "tracks" || collection == "employers") {
      names.push_back(std::move(name));
    }
  }
  if (names.empty()) return;
  // Before the commit returns to its caller: a Get() it calls next takes
  // these names.
  absl::MutexLock lock(&changed_mu_);
  if (overflowed_) return;
  changed_.insert(names.begin(), names.end());
  if (changed_.size() > kMaxChanged) {
    overflowed_ = true;
    changed_.clear();
  }
}

void ReportRecordSet::IndexTracks() {
  track_view_.clear();
  track_view_.reserve(tracks_.size());
  for (const auto& t : tracks_) track_view_.push_back(t.get());
}

absl::StatusOr<ReportRecordSet> ReportRecords::ReadAll(
    storage::Reader& reader) {
  absl::StatusOr<FollowUpData> read = LoadFollowUpRecords(reader);
  if (!read.ok()) return read.status();
  ReportRecordSet records;
  records.tracks_.reserve(read->tracks.size());
  for (v1::Track& t : read->tracks) {
    records.tracks_.push_back(std::make_shared<const v1::Track>(std::move(t)));
  }
  records.IndexTracks();
  records.employers_.reserve(read->employers.size());
  for (auto& [name, e] : read->employers) {
    auto held = std::make_shared<const v1::Employer>(std::move(e));
    records.employers_[held->name()] = held;
  }
  return records;
}

absl::StatusOr<ReportRecordSet> ReportRecords::Updated(
    const ReportRecordSet& records, const absl::btree_set<std::string>& names,
    storage::Reader& reader) {
  ReportRecordSet updated;
  updated.tracks_ = records.tracks_;
  updated.employers_ = records.employers_;
  auto by_name = [](const std::shared_ptr<const v1::Track>& t,
                    absl::string_view name) { return t->name() < name; };
  for (const std::string& name : names) {
    if (absl::StartsWith(name, "tracks/")) {
      absl::StatusOr<v1::Track> track =
          RecordTable<v1::Track>(nullptr).Get(reader, name);
      if (!track.ok() && !absl::IsNotFound(track.status())) {
        return track.status();
      }
      // In name order, as a scan of the collection gives them.
      auto at = std::lower_bound(updated.tracks_.begin(), updated.tracks_.end(),
                                 name, by_name);
      const bool held = at != updated.tracks_.end() && (*at)->name() == name;
      if (!track.ok()) {
        if (held) updated.tracks_.erase(at);
        continue;
      }
      auto now = std::make_shared<const v1::Track>(*std::move(track));
      if (held) {
        *at = std::move(now);
      } else {
        updated.tracks_.insert(at, std::move(now));
      }
    } else {
      absl::StatusOr<v1::Employer> employer =
          RecordTable<v1::Employer>(nullptr).Get(reader, name);
      if (!employer.ok() && !absl::IsNotFound(employer.status())) {
        return employer.status();
      }
      // Erased first: the key views the name held by the old record.
      updated.employers_.erase(name);
      if (employer.ok()) {
        auto now = std::make_shared<const v1::Employer>(*std::move(employer));
        updated.employers_[now->name()] = now;
      }
    }
  }
  updated.IndexTracks();
  return updated;
}

absl::StatusOr<std::shared_ptr<const ReportRecordSet>> ReportRecords::Get() {
  absl::MutexLock lock(&mu_);
  // Taken before the snapshot: a commit whose names are taken is in it; one
  // that lands meanwhile leaves its names for the next call.
  absl::btree_set<std::string> changed;
  bool overflowed = false;
  {
    absl::MutexLock changed_lock(&changed_mu_);
    changed.swap(changed_);
    std::swap(overflowed, overflowed_);
  }
  if (cached_ != nullptr && !overflowed && changed.empty()) return cached_;
  std::unique_ptr<storage::Reader> reader = storage_->Snapshot();
  const bool all = cached_ == nullptr || overflowed;
  absl::StatusOr<ReportRecordSet> records =
      all ? ReadAll(*reader) : Updated(*cached_, changed, *reader);
  if (!records.ok()) {
    // Left for the next call to read again.
    absl::MutexLock changed_lock(&changed_mu_);
    if (overflowed) {
      overflowed_ = true;
      changed_.clear();
    } else if (!overflowed_) {
      changed_.merge(changed);
    }
    return records.status();
  }
  (all ? loads_ : updates_).fetch_add(1, std::memory_order_relaxed);
  cached_ = std::make_shared<const ReportRecordSet>(*std::move(records));
  return cached_;
}

}  // namespace jobtrack

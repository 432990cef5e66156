// ReportRecords: the tracks and employers every report reads, held in
// memory between reports. Reading and parsing 5 000 tracks and 10 000
// employers per report would cost more than the report's pass over
// millions of participations (60-90 ms at national scale once writes have
// pushed their blocks out of the cache, and as much to copy them); they
// change rarely, so after a commit wrote some of them only those are read
// again, into a new set that shares every other record with the last.
//
// Contract:
// - Consistency: Get() returns the records as of a snapshot taken after
//   every commit that wrote a track or an employer and returned before
//   Get() was called (read-your-writes). Intakes, which share the tracks'
//   prefix and change with every enrolment, do not count as writes. The
//   first call reads every record from one snapshot; later calls re-read
//   the names written since (from a newer snapshot), or everything again
//   when more than kMaxChanged names were written.
// - Thread safety: all methods are safe to call from many threads; one
//   caller reads while the others wait for its result. A ReportRecordSet
//   is immutable.
// - Lifetime: registers a commit observer on `storage`, which must outlive
//   this object. A set stays valid while someone holds it.
#ifndef JOBTRACK_SERVICES_FOLLOWUP_REPORT_RECORDS_H_
#define JOBTRACK_SERVICES_FOLLOWUP_REPORT_RECORDS_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "jobtrack/v1/employer.pb.h"
#include "jobtrack/v1/track.pb.h"
#include "storage/storage.h"

namespace jobtrack {

// The tracks and employers as of one state of the log.
class ReportRecordSet {
 public:
  // Every track, in name order.
  absl::Span<const v1::Track* const> tracks() const { return track_view_; }
  // The employer named `name`; null if there is none.
  const v1::Employer* employer(absl::string_view name) const {
    auto it = employers_.find(name);
    return it == employers_.end() ? nullptr : it->second.get();
  }
  size_t employer_count() const { return employers_.size(); }

 private:
  friend class ReportRecords;
  // Fills track_view_ from tracks_.
  void IndexTracks();

  std::vector<std::shared_ptr<const v1::Track>> tracks_;  // In name order.
  std::vector<const v1::Track*> track_view_;
  // Keys view the employer's own name.
  absl::flat_hash_map<absl::string_view, std::shared_ptr<const v1::Employer>>
      employers_;
};

class ReportRecords {
 public:
  explicit ReportRecords(storage::Storage* storage);
  ~ReportRecords();
  ReportRecords(const ReportRecords&) = delete;
  ReportRecords& operator=(const ReportRecords&) = delete;

  // The tracks and employers, shared and immutable. A storage error while
  // reading is returned; the next call tries again.
  absl::StatusOr<std::shared_ptr<const ReportRecordSet>> Get();

  // Above this many names written since the last call, Get() reads every
  // track and employer again rather than each of them.
  static constexpr size_t kMaxChanged = 256;

  // How many times every record was read from storage, and how many times
  // only those written since the last call (for tests).
  int64_t loads() const { return loads_.load(std::memory_order_relaxed); }
  int64_t updates() const { return updates_.load(std::memory_order_relaxed); }

 private:
  void OnCommit(const storage::CommittedRecords& committed);
  static absl::StatusOr<ReportRecordSet> ReadAll(storage::Reader& reader);
  // `records` with `names` (tracks and employers) read again from
  // `reader`: a new set sharing the records of the others.
  static absl::StatusOr<ReportRecordSet> Updated(
      const ReportRecordSet& records, const absl::btree_set<std::string>& names,
      storage::Reader& reader);

  storage::Storage* const storage_;
  int observer_ = 0;
  std::atomic<int64_t> loads_{0};
  std::atomic<int64_t> updates_{0};
  // Names of the tracks and employers written since the last Get() took
  // them; `overflowed_` once there were more than kMaxChanged.
  absl::Mutex changed_mu_;  // Taken under mu_, never the other way.
  absl::btree_set<std::string> changed_ ABSL_GUARDED_BY(changed_mu_);
  bool overflowed_ ABSL_GUARDED_BY(changed_mu_) = false;
  absl::Mutex mu_;
  std::shared_ptr<const ReportRecordSet> cached_ ABSL_GUARDED_BY(mu_);
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_FOLLOWUP_REPORT_RECORDS_H_

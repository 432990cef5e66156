// ReportRecords: the tracks and employers every report reads, held in
// memory between reports. Reading and parsing 5 000 tracks and 10 000
// employers per report would cost more than the report's pass over
// millions of participations; they change rarely, so they are read again
// only after a commit wrote one.
//
// Contract:
// - Consistency: Get() returns the records as of a snapshot taken after
//   every commit that wrote a track or an employer and returned before
//   Get() was called (read-your-writes). Intakes, which share the tracks'
//   prefix and change with every enrolment, do not count as writes.
// - Thread safety: all methods are safe to call from many threads; one
//   caller reloads while the others wait for its result.
// - Lifetime: registers a commit observer on `storage`, which must outlive
//   this object.
#ifndef JOBTRACK_SERVICES_FOLLOWUP_REPORT_RECORDS_H_
#define JOBTRACK_SERVICES_FOLLOWUP_REPORT_RECORDS_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/followup/report.h"
#include "storage/storage.h"

namespace jobtrack {

class ReportRecords {
 public:
  explicit ReportRecords(storage::Storage* storage);
  ~ReportRecords();
  ReportRecords(const ReportRecords&) = delete;
  ReportRecords& operator=(const ReportRecords&) = delete;

  // The tracks and employers (FollowUpData with only those filled), shared
  // and immutable. A storage error while reloading is returned; the next
  // call tries again.
  absl::StatusOr<std::shared_ptr<const FollowUpData>> Get();

  // How many times the records were read from storage (for tests).
  int64_t loads() const { return loads_.load(std::memory_order_relaxed); }

 private:
  void OnCommit(const std::vector<std::string>& record_keys);

  storage::Storage* const storage_;
  int observer_ = 0;
  // Bumped after every commit that wrote a track or an employer.
  std::atomic<uint64_t> generation_{0};
  std::atomic<int64_t> loads_{0};
  absl::Mutex mu_;
  std::shared_ptr<const FollowUpData> cached_ ABSL_GUARDED_BY(mu_);
  // The generation read before the snapshot cached_ came from.
  uint64_t cached_generation_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_FOLLOWUP_REPORT_RECORDS_H_

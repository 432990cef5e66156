// AuditLog: the append-only record of who read or wrote personal data, and
// of every call refused for lack of permission (DESIGN 6, issue 6).
//
// Contract:
// - Thread safety: every method may be called from many threads.
// - Entries get increasing, unique ids (recorded time, then a sequence that
//   continues across restarts), are never changed, and are removed by
//   nothing in the service.
// - A write's entry is added to the write's own transaction (AddToCommit),
//   so the data and its entry become durable together or not at all. Other
//   entries are appended in a buffered write of their own (Append, outside
//   any transaction: their keys are new, so no row lock is taken): on
//   disk when the next synced commit is, and never lost to a crash of the
//   process alone.
// - Entries name resources; they never hold the content of a request or a
//   response, so they hold no personal data of their own.
// - Finding entries by resource: those naming a participant, participation,
//   employer or supplier (the people and organisations whose data was
//   touched) are indexed by it, so such a filter reads only the matching
//   entries. Tracks and their intakes, the public catalogue, are recorded
//   in the entry but not indexed: a filter on one reads the log in order,
//   at most 20 000 entries a page (a page may come back short, with a token
//   to go on). The index costs a key per resource in the entry's commit,
//   and a call that proposes tracks names some twenty of them.
#ifndef JOBTRACK_SERVICES_AUDIT_AUDIT_LOG_H_
#define JOBTRACK_SERVICES_AUDIT_AUDIT_LOG_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "jobtrack/v1/audit.pb.h"
#include "services/common/clock.h"
#include "storage/storage.h"

namespace jobtrack {

class AuditLog {
 public:
  // Continues the sequence of the entries already in `storage`. Both must
  // outlive the log.
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(
      storage::Storage* storage, const Clock* clock);

  // Adds `entry` (its name and time are set here) to `txn`.
  absl::Status AddToCommit(storage::Transaction& txn,
                           v1::AuditEvent entry) const;
  // Appends `entry` (its name and time are set here) on its own.
  absl::Status Append(v1::AuditEvent entry) const;

  // A page of entries, oldest first. INVALID_ARGUMENT naming page_size,
  // page_token, filter, start_time or end_time.
  absl::StatusOr<v1::ListAuditEventsResponse> List(
      const v1::ListAuditEventsRequest& request) const;

 private:
  AuditLog(storage::Storage* storage, const Clock* clock,
           uint64_t next_sequence);
  // The keys and values that record `entry`, its name and time set.
  std::vector<storage::Storage::Put> WritesOf(v1::AuditEvent entry) const;

  storage::Storage* const storage_;
  const Clock* const clock_;
  mutable std::atomic<uint64_t> next_sequence_;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_AUDIT_AUDIT_LOG_H_

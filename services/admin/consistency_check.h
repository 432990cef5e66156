// The consistency check: reads the whole database and tests the invariants
// that every write keeps (issue 9). Run after a crash (the crash test does,
// after every kill) or by an operator (`jobtrackd --check`).
//
// Invariants checked:
// - every record of the top-level collections (tracks, employers,
//   participants, participations, suppliers, agreements, modules) has its
//   index entries and unique terms, and every entry belongs to a record;
// - every participation's stored state equals the replay of its events;
// - no intake holds more participants than its seats, on any day, and the
//   seat ledger holds exactly the seats the participations hold;
// - every event in the log is indexed under its resource and every index
//   entry of the log points at an event; sequences strictly increase.
//
// Thread-safe; reads one snapshot, writes nothing. Takes time in proportion
// to the data (a full scan).
#ifndef JOBTRACK_SERVICES_ADMIN_CONSISTENCY_CHECK_H_
#define JOBTRACK_SERVICES_ADMIN_CONSISTENCY_CHECK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/common/deps.h"

namespace jobtrack {

struct ConsistencyReport {
  int64_t records = 0;         // Records whose index terms were checked.
  int64_t participations = 0;  // Replayed and compared.
  int64_t intakes = 0;         // Whose seats were counted.
  int64_t events = 0;          // In the log.
  // What is wrong, one line each; empty if the data is consistent.
  std::vector<std::string> problems;
  bool ok() const { return problems.empty(); }
};

// An error only if the data cannot be read at all (DATA_LOSS for a
// corrupt file); inconsistencies go to ConsistencyReport::problems.
// Needs deps.storage and what the domain tables need (deps.hasher).
absl::StatusOr<ConsistencyReport> CheckConsistency(Deps deps);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_ADMIN_CONSISTENCY_CHECK_H_

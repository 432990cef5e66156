// One WatchChanges stream: the event log from a position on, filtered by
// scope, then new commits as they come (Storage::WaitForSequence).
#ifndef JOBTRACK_SERVICES_CHANGES_CHANGE_STREAM_H_
#define JOBTRACK_SERVICES_CHANGES_CHANGE_STREAM_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "jobtrack/v1/change_service.pb.h"
#include "services/common/deps.h"
#include "services/common/principal.h"
#include "services/common/producer_stream.h"

namespace jobtrack {

// Which events a stream delivers.
struct ChangeFilter {
  absl::flat_hash_set<std::string> municipalities;  // Empty: all.
  std::string supplier;                             // Empty: all.
};

// Narrows `filter` to what `principal` may watch: a case officer's or
// municipality staff's municipalities (PERMISSION_DENIED for one outside
// them), a supplier's own participants; ADMIN as asked.
absl::Status NarrowToScope(const Principal& principal, ChangeFilter& filter);

// Sends the event log after `after_sequence`, filtered, then follows new
// commits, until the call ends (or a storage error, returned). Runs on a
// ProducerStream's thread: memory is one batch of events, and a slow reader
// only falls behind in the stored log.
absl::Status StreamChanges(const Deps& deps, const ChangeFilter& filter,
                           uint64_t after_sequence,
                           StreamSink<v1::Event>& sink);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_CHANGES_CHANGE_STREAM_H_

// Appending domain events to the event log (DESIGN 3, 9.1).
#ifndef JOBTRACK_SERVICES_COMMON_EVENTS_H_
#define JOBTRACK_SERVICES_COMMON_EVENTS_H_

#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "jobtrack/v1/event.pb.h"
#include "services/common/mutation.h"
#include "storage/storage.h"

namespace jobtrack {

// Stamps `event` with the actor, effective date and recorded time, and adds
// it to `txn`, to be written with the next commit under its resource. The
// sequence is assigned by the commit and is not part of the payload.
void AppendEvent(storage::Transaction& txn, const CallContext& context,
                 absl::CivilDay effective, absl::Time recorded,
                 v1::Event event);

// Every event of one aggregate (a resource name), in commit order.
absl::StatusOr<std::vector<v1::Event>> LoadAggregateEvents(
    storage::Reader& reader, absl::string_view aggregate);

// Overwrites a stored event in place. Only erasure may do this: the log is
// otherwise append-only.
absl::Status RewriteEventForErasure(storage::Transaction& txn,
                                    const v1::Event& event);

// Visits the events of the log after sequence `after` (0: all), in order,
// decoded; `visit` returns false to stop. DATA_LOSS for an unreadable one.
absl::Status ScanEvents(storage::Reader& reader, uint64_t after,
                        absl::FunctionRef<bool(v1::Event event)> visit);

// Parses a stored event and fills in its sequence.
absl::StatusOr<v1::Event> DecodeEvent(uint64_t sequence,
                                      absl::string_view payload);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_EVENTS_H_

// The audit entry that describes one call: who, what, which resources,
// with what result — never the content of the request or the response.
#ifndef JOBTRACK_SERVICES_AUDIT_AUDIT_ENTRY_H_
#define JOBTRACK_SERVICES_AUDIT_AUDIT_ENTRY_H_

#include "absl/status/status.h"
#include "google/protobuf/message.h"
#include "jobtrack/v1/audit.pb.h"
#include "services/common/mutation.h"

namespace jobtrack {

// At most this many resources are named in one entry.
inline constexpr int kMaxAuditedResources = 1000;

// An entry (without name and time) for `call` answered with `result`.
// Resources are the names of participants, participations, tracks and
// their intakes, employers and suppliers found in `request` and, if not
// null, `response` — at the top level and in nested messages two levels
// down — in order of appearance, each once.
v1::AuditEvent AuditEntryFor(const CallContext& call,
                             const google::protobuf::Message& request,
                             const google::protobuf::Message* response,
                             const absl::Status& result);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_AUDIT_AUDIT_ENTRY_H_

// The scope of a follow-up report or export as a caller may ask for it:
// reports filter by scope like lists do (issue 6).
#ifndef JOBTRACK_SERVICES_SECURITY_REPORT_SCOPE_H_
#define JOBTRACK_SERVICES_SECURITY_REPORT_SCOPE_H_

#include "absl/status/status.h"
#include "jobtrack/v1/followup.pb.h"
#include "services/common/principal.h"
#include "storage/storage.h"

namespace jobtrack {

// Checks and narrows `scope` for `principal`, before anything is computed.
// ADMIN and a REPORTER without municipalities report nationally: the scope
// is left as it is. The others (CASE_OFFICER, MUNICIPALITY_STAFF, a
// REPORTER with municipalities) report on their municipalities only:
// - no scope becomes the cluster of their municipalities;
// - municipality_codes, a county_code, a track or an agreement is allowed
//   only if every municipality it covers is theirs (a track by where it can
//   be used);
// - anything else is PERMISSION_DENIED — also for a track or agreement
//   that does not exist, so existence does not leak.
// Malformed codes are left for the report's own validation.
absl::Status NarrowReportScope(storage::Reader& reader,
                               const Principal& principal,
                               v1::ReportScope* scope);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_SECURITY_REPORT_SCOPE_H_

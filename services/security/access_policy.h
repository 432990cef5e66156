// AccessPolicy: which roles may call which method (ruling 9.6), decided
// before the handler reads anything.
//
// Every method of the API has a row in the table in access_policy.cc; a
// method without a row is refused to everyone but ADMIN (deny by default),
// and a test checks that every method of every service has a row.
//
// Scope (which municipalities, which supplier's participants, which
// employer's tracks) narrows what a permitted role reaches (ScopeTargets);
// where the scope checks are not built yet, the table grants the method to
// ADMIN only, so that nothing is ever wider than the design.
#ifndef JOBTRACK_SERVICES_SECURITY_ACCESS_POLICY_H_
#define JOBTRACK_SERVICES_SECURITY_ACCESS_POLICY_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/common/principal.h"

namespace jobtrack {

// OK if `principal` may call `method` (the method's name, e.g.
// "GetParticipant"); PERMISSION_DENIED naming the method and role otherwise.
absl::Status CheckAccess(const Principal& principal, absl::string_view method);

// The request fields (dotted paths, e.g. "participant.name") naming what a
// caller with a scoped role (not ADMIN or REPORTER) must reach to call
// `method`: resource names (ResourceScope), or, for a path ending in
// `municipality_code(s)`, the municipalities of a resource being created or
// moved. Empty: the method works on national data (the catalogue,
// reports) and has no scope check.
std::vector<absl::string_view> ScopeTargets(absl::string_view method);

// Whether `method` reads or writes personal data, so that every call of it
// is audited.
bool IsPersonalDataMethod(absl::string_view method);

// The methods the table names, for the test that every method has a row.
std::vector<absl::string_view> MethodsWithAccessRules();

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_SECURITY_ACCESS_POLICY_H_

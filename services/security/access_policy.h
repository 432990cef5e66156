// AccessPolicy: which roles may call which method (ruling 9.6), decided
// before the handler reads anything.
//
// Every method of the API has a row in the table in access_policy.cc; a
// method without a row is refused to everyone but ADMIN (deny by default),
// and a test checks that every method of every service has a row.
//
// Scope (which municipalities, which supplier's participants, which
// employer's tracks) narrows what a permitted role reaches (ScopeTargets).
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

// What a caller with a scoped role (not ADMIN or REPORTER) must reach to
// call a method.
struct ScopeRequirement {
  // Request fields (dotted paths, e.g. "participant.name") naming resources
  // (ResourceScope), or, for a path ending in `municipality_code(s)`, the
  // municipalities of a resource being created or moved. Empty: the method
  // works on national data (the catalogue, reports) for that role.
  std::vector<absl::string_view> targets;
  // A track or intake must lie wholly within the caller's municipalities
  // (a change), not merely touch them (a read).
  bool whole_track = false;
};

// The requirement for `role` calling `method` (none for a method without a
// rule). Worked out once; valid for the life of the program.
const ScopeRequirement& ScopeTargets(absl::string_view method,
                                     security::Role role);

// Whether `method` reads or writes personal data, so that every call of it
// is audited. A method in the personal-data list must also have a rule.
bool IsPersonalDataMethod(absl::string_view method);

// The methods the table names, for the test that every method has a row.
std::vector<absl::string_view> MethodsWithAccessRules();

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_SECURITY_ACCESS_POLICY_H_

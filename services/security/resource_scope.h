// Where a resource belongs, for scope checks (ruling 9.6: reading a
// resource to learn its scope is allowed; returning any of it is not).
#ifndef JOBTRACK_SERVICES_SECURITY_RESOURCE_SCOPE_H_
#define JOBTRACK_SERVICES_SECURITY_RESOURCE_SCOPE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/common/principal.h"
#include "storage/storage.h"

namespace jobtrack {

struct ResourceScope {
  // Participants: where they live; participations: their participant's;
  // tracks and their intakes: where the track can be used.
  std::vector<std::string> municipalities;
  // A track (or an intake of one): reached only by a caller whose
  // municipalities include all of the track's, since changing it changes
  // it for every municipality that uses it.
  bool all_municipalities = false;
  // Participants and participations: the assigned supplier, if any.
  std::string supplier;
};

// The scope of `name` — `participants/{id}`, `participations/{id}`,
// `tracks/{id}` or `tracks/{id}/intakes/{id}` — read from `reader`. NOT_FOUND
// if it does not exist; INVALID_ARGUMENT for a name of another kind.
absl::StatusOr<ResourceScope> ScopeOf(storage::Reader& reader,
                                      absl::string_view name);

// Whether `principal` reaches a resource of `scope`: ADMIN always;
// CASE_OFFICER and MUNICIPALITY_STAFF if one of its municipalities is
// theirs (all of them, for a track); SUPPLIER if it is assigned to them; nobody
// else.
bool Reaches(const Principal& principal, const ResourceScope& scope);

// Whether `principal` reaches the resource `name`, read from `reader`:
// false for a name that does not exist or has no scope (the caller learns
// nothing more); an error only for storage trouble. ADMIN without a read.
absl::StatusOr<bool> ReachesName(storage::Reader& reader,
                                 const Principal& principal,
                                 absl::string_view name);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_SECURITY_RESOURCE_SCOPE_H_

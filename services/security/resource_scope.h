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
  // A track or an intake of one (for `whole_track`).
  bool track = false;
  // Participants and participations: the assigned supplier, if any.
  std::string supplier;
  // Tracks, their intakes and the participations on them: the track's
  // employers; an employer: itself.
  std::vector<std::string> employers;
  // An employer record: part of the national catalogue, which the internal
  // roles read.
  bool catalogue = false;
};

// The scope of `name` — `participants/{id}`, `participations/{id}`,
// `tracks/{id}`, `tracks/{id}/intakes/{id}` or `employers/{id}` — read from
// `reader`. NOT_FOUND if it does not exist; INVALID_ARGUMENT for a name of
// another kind.
absl::StatusOr<ResourceScope> ScopeOf(storage::Reader& reader,
                                      absl::string_view name);

// Whether `principal` reaches a resource of `scope`:
// - ADMIN always;
// - CASE_OFFICER and MUNICIPALITY_STAFF a catalogue record, or a resource
//   one of whose municipalities is theirs — for a track with `whole_track`
//   (a change, which changes it for every municipality that uses it), all
//   of them;
// - SUPPLIER a participant or participation assigned to it;
// - EMPLOYER its own record, and the tracks, intakes and participations
//   whose track names it;
// - nobody else.
bool Reaches(const Principal& principal, const ResourceScope& scope,
             bool whole_track = false);

// Whether `principal` reaches the resource `name`, read from `reader`:
// false for a name that does not exist or has no scope (the caller learns
// nothing more); an error only for storage trouble. ADMIN without a read.
absl::StatusOr<bool> ReachesName(storage::Reader& reader,
                                 const Principal& principal,
                                 absl::string_view name,
                                 bool whole_track = false);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_SECURITY_RESOURCE_SCOPE_H_

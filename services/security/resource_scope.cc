#include "services/security/resource_scope.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "jobtrack/v1/employer.pb.h"
#include "jobtrack/v1/participant.pb.h"
#include "jobtrack/v1/participation.pb.h"
#include "jobtrack/v1/track.pb.h"
#include "services/common/errors.h"
#include "services/common/record_table.h"

namespace jobtrack {
namespace {

absl::StatusOr<ResourceScope> ParticipantScope(storage::Reader& reader,
                                               absl::string_view name) {
  absl::StatusOr<v1::Participant> p =
      RecordTable<v1::Participant>(nullptr).Get(reader, name);
  if (!p.ok()) return p.status();
  ResourceScope scope;
  scope.municipalities.push_back(p->municipality_code());
  scope.supplier = p->supplier();
  return scope;
}

absl::StatusOr<v1::Track> TrackOf(storage::Reader& reader,
                                  absl::string_view track) {
  return RecordTable<v1::Track>(nullptr).Get(reader, track);
}

}  // namespace

absl::StatusOr<ResourceScope> ScopeOf(storage::Reader& reader,
                                      absl::string_view name) {
  if (absl::StartsWith(name, "participants/")) {
    return ParticipantScope(reader, name);
  }
  if (absl::StartsWith(name, "participations/")) {
    absl::StatusOr<v1::Participation> p =
        RecordTable<v1::Participation>(nullptr).Get(reader, name);
    if (!p.ok()) return p.status();
    absl::StatusOr<ResourceScope> scope =
        ParticipantScope(reader, p->participant());
    if (!scope.ok()) return scope.status();
    absl::StatusOr<v1::Track> t = TrackOf(reader, p->track());
    if (!t.ok()) return t.status();
    scope->employers.assign(t->employers().begin(), t->employers().end());
    return scope;
  }
  if (absl::StartsWith(name, "employers/")) {
    absl::Status exists =
        RecordTable<v1::Employer>(nullptr).Get(reader, name).status();
    if (!exists.ok()) return exists;
    ResourceScope scope;
    scope.employers.emplace_back(name);
    scope.catalogue = true;
    return scope;
  }
  if (absl::StartsWith(name, "tracks/")) {
    const absl::string_view track = name.substr(0, name.find("/intakes/"));
    absl::StatusOr<v1::Track> t = TrackOf(reader, track);
    if (!t.ok()) return t.status();
    if (track.size() != name.size()) {
      // The intake must exist too.
      absl::Status intake =
          RecordTable<v1::Intake>(nullptr).Get(reader, name).status();
      if (!intake.ok()) return intake;
    }
    ResourceScope scope;
    scope.municipalities.assign(t->municipality_codes().begin(),
                                t->municipality_codes().end());
    scope.track = true;
    scope.employers.assign(t->employers().begin(), t->employers().end());
    return scope;
  }
  return absl::InvalidArgumentError(
      absl::StrCat(name, " has no scope of its own"));
}

bool Reaches(const Principal& principal, const ResourceScope& scope,
             bool whole_track) {
  switch (principal.role) {
    case security::ADMIN:
      return true;
    case security::CASE_OFFICER:
    case security::MUNICIPALITY_STAFF:
      if (scope.catalogue) return true;
      if (scope.track && whole_track) {
        return !scope.municipalities.empty() &&
               std::all_of(scope.municipalities.begin(),
                           scope.municipalities.end(),
                           [&](const std::string& m) {
                             return principal.municipalities.contains(m);
                           });
      }
      for (const std::string& m : scope.municipalities) {
        if (principal.municipalities.contains(m)) return true;
      }
      return false;
    case security::SUPPLIER:
      return !scope.supplier.empty() && scope.supplier == principal.supplier;
    case security::EMPLOYER:
      return !principal.employer.empty() &&
             std::find(scope.employers.begin(), scope.employers.end(),
                       principal.employer) != scope.employers.end();
    default:
      return false;
  }
}

absl::StatusOr<bool> ReachesName(storage::Reader& reader,
                                 const Principal& principal,
                                 absl::string_view name, bool whole_track) {
  if (principal.role == security::ADMIN) return true;
  absl::StatusOr<ResourceScope> scope = ScopeOf(reader, name);
  if (absl::IsNotFound(scope.status()) ||
      absl::IsInvalidArgument(scope.status())) {
    return false;
  }
  if (!scope.ok()) return scope.status();
  return Reaches(principal, *scope, whole_track);
}

}  // namespace jobtrack

#include "services/security/resource_scope.h"

#include "absl/strings/match.h"
#include "jobtrack/v1/participant.pb.h"
#include "jobtrack/v1/participation.pb.h"
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
    return ParticipantScope(reader, p->participant());
  }
  return absl::InvalidArgumentError(
      absl::StrCat(name, " has no scope of its own"));
}

bool Reaches(const Principal& principal, const ResourceScope& scope) {
  switch (principal.role) {
    case security::ADMIN:
      return true;
    case security::CASE_OFFICER:
    case security::MUNICIPALITY_STAFF:
      for (const std::string& m : scope.municipalities) {
        if (principal.municipalities.contains(m)) return true;
      }
      return false;
    case security::SUPPLIER:
      return !scope.supplier.empty() && scope.supplier == principal.supplier;
    default:
      return false;
  }
}

}  // namespace jobtrack

#include "services/security/report_scope.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "jobtrack/v1/agreement.pb.h"
#include "services/common/record_table.h"
#include "services/common/reference_data.h"
#include "services/security/resource_scope.h"

namespace jobtrack {
namespace {

bool AllTheirs(const Principal& principal,
               const std::vector<std::string>& municipalities) {
  return !municipalities.empty() &&
         std::all_of(municipalities.begin(), municipalities.end(),
                     [&](const std::string& m) {
                       return principal.municipalities.contains(m);
                     });
}

}  // namespace

absl::Status NarrowReportScope(storage::Reader& reader,
                               const Principal& principal,
                               v1::ReportScope* scope) {
  const bool national = principal.role == security::ADMIN ||
                        (principal.role == security::REPORTER &&
                         principal.municipalities.empty());
  if (national) return absl::OkStatus();
  const bool by_municipality = principal.role == security::CASE_OFFICER ||
                               principal.role == security::MUNICIPALITY_STAFF ||
                               principal.role == security::REPORTER;
  const absl::Status refused = absl::PermissionDeniedError(
      absl::StrCat(principal.id, " may report on its own municipalities only"));
  if (!by_municipality) return refused;
  std::vector<std::string> covered;
  if (!scope->county_code().empty()) {
    covered = ReferenceData::Get().MunicipalitiesOf(scope->county_code());
    if (covered.empty()) return absl::OkStatus();  // Not a county: invalid.
  } else if (!scope->municipality_codes().empty()) {
    covered.assign(scope->municipality_codes().begin(),
                   scope->municipality_codes().end());
  } else if (!scope->track().empty()) {
    absl::StatusOr<ResourceScope> track = ScopeOf(reader, scope->track());
    if (absl::IsNotFound(track.status()) ||
        absl::IsInvalidArgument(track.status()) ||
        (track.ok() && !track->track)) {
      return refused;
    }
    if (!track.ok()) return track.status();
    covered = std::move(track->municipalities);
  } else if (!scope->agreement().empty()) {
    absl::StatusOr<v1::Agreement> agreement =
        RecordTable<v1::Agreement>(nullptr).Get(reader, scope->agreement());
    if (absl::IsNotFound(agreement.status()) ||
        absl::IsInvalidArgument(agreement.status())) {
      return refused;
    }
    if (!agreement.ok()) return agreement.status();
    covered.assign(agreement->municipality_codes().begin(),
                   agreement->municipality_codes().end());
  } else {
    std::vector<std::string> theirs(principal.municipalities.begin(),
                                    principal.municipalities.end());
    std::sort(theirs.begin(), theirs.end());
    for (std::string& m : theirs) scope->add_municipality_codes(std::move(m));
    return absl::OkStatus();
  }
  return AllTheirs(principal, covered) ? absl::OkStatus() : refused;
}

}  // namespace jobtrack

// FollowUp: the report a reporting job pulls (DESIGN 5, 9.5), for a date
// or a follow-up period, for the country or a part of it.
//
// Thread safety: safe to call from many threads; each call reads one
// storage snapshot.
#ifndef JOBTRACK_SERVICES_FOLLOWUP_FOLLOWUP_H_
#define JOBTRACK_SERVICES_FOLLOWUP_FOLLOWUP_H_

#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "jobtrack/v1/followup.pb.h"
#include "services/common/deps.h"
#include "services/followup/report.h"

namespace jobtrack {

struct FollowUpConfig {
  // The follow-up dates of every year, as (month, day).
  std::vector<std::pair<int, int>> period_dates = {{1, 31}, {4, 30}, {9, 30}};
  FollowUpOptions report;
  // Withhold figures built on 1–4 persons (9.5; on until roles exist).
  bool suppress_small_cells = true;
};

// Parses "MM-DD,MM-DD,..." (e.g. "01-31,04-30,09-30"). INVALID_ARGUMENT if
// a date is malformed, not a day of a non-leap year, or repeated.
absl::StatusOr<std::vector<std::pair<int, int>>> ParsePeriodDates(
    absl::string_view spec);

class FollowUp {
 public:
  FollowUp(Deps deps, FollowUpConfig config);

  absl::StatusOr<v1::Report> GetReport(const v1::GetReportRequest& request);
  absl::StatusOr<v1::ListPeriodsResponse> ListPeriods(
      const v1::ListPeriodsRequest& request);

 private:
  // The follow-up dates from the series start up to `last`, ascending.
  std::vector<absl::CivilDay> PeriodDays(absl::CivilDay last) const;
  absl::StatusOr<ResolvedScope> Resolve(storage::Reader& reader,
                                        const v1::ReportScope& scope) const;

  const Deps deps_;
  const FollowUpConfig config_;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_FOLLOWUP_FOLLOWUP_H_

// FollowUp: the report a reporting job pulls (DESIGN 5, 9.5), for a date
// or a follow-up period, for the country or a part of it.
//
// Thread safety: safe to call from many threads; each call reads one
// storage snapshot.
#ifndef JOBTRACK_SERVICES_FOLLOWUP_FOLLOWUP_H_
#define JOBTRACK_SERVICES_FOLLOWUP_FOLLOWUP_H_

#include <optional>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "jobtrack/v1/followup.pb.h"
#include "services/common/deps.h"
#include "services/common/mutation.h"
#include "services/followup/closed_period.pb.h"
#include "services/followup/distinct_persons.h"
#include "services/followup/report.h"
#include "services/followup/report_projection.h"
#include "services/followup/report_records.h"

namespace jobtrack {

struct FollowUpConfig {
  // The follow-up dates of every year, as (month, day).
  std::vector<std::pair<int, int>> period_dates = {{1, 31}, {4, 30}, {9, 30}};
  FollowUpOptions report;
  // Withhold figures built on 1–4 persons from ADMIN callers too (every
  // other role always gets them withheld).
  bool suppress_small_cells = false;
};

// Parses "MM-DD,MM-DD,..." (e.g. "01-31,04-30,09-30"). INVALID_ARGUMENT if
// a date is malformed, not a day of a non-leap year, or repeated.
absl::StatusOr<std::vector<std::pair<int, int>>> ParsePeriodDates(
    absl::string_view spec);

class FollowUp {
 public:
  // `projection` must follow `deps.storage` and outlive this object, as
  // must the storage (this object observes its commits).
  FollowUp(Deps deps, FollowUpConfig config, ReportProjection* projection);

  // Figures built on 1–4 persons are withheld unless the caller is an
  // ADMIN (and config.suppress_small_cells is off).
  absl::StatusOr<v1::Report> GetReport(const CallContext& call,
                                       const v1::GetReportRequest& request);
  absl::StatusOr<v1::ListPeriodsResponse> ListPeriods(
      const v1::ListPeriodsRequest& request);
  // Freezes a period (see the proto): one transaction stores the reports
  // of the country and of every county as of the period's date, cut at the
  // last event sequence of the snapshot they are computed from.
  absl::StatusOr<v1::FollowUpPeriod> ClosePeriod(
      const CallContext& context, const v1::ClosePeriodRequest& request);
  // Calls `emit` with each row of the export, in participation name order,
  // reading one participation at a time from one snapshot; stops early when
  // `emit` returns false. A bad request fails before the first row.
  absl::Status ExportParticipations(
      const v1::ExportParticipationsRequest& request,
      absl::FunctionRef<bool(const v1::ParticipationRow&)> emit);

 private:
  // A report's day and period, from `as_of` or `period` of a request.
  struct When {
    absl::CivilDay day;
    std::string period;  // Empty for a date.
  };
  absl::StatusOr<When> ResolveWhen(bool has_as_of, const v1::Date& as_of,
                                   const std::string& period) const;
  // The follow-up dates from the series start up to `last`, ascending.
  std::vector<absl::CivilDay> PeriodDays(absl::CivilDay last) const;
  absl::StatusOr<ResolvedScope> Resolve(storage::Reader& reader,
                                        const v1::ReportScope& scope) const;
  // The figures of `scope` for the closed period `closed` as it stored
  // them, or null when it stored none for that scope.
  static const followup::ClosedPeriod::StoredReport* StoredFor(
      const followup::ClosedPeriod& closed, const v1::ReportScope& scope);
  // The figures of `scope` on `day` from the projection's facts.
  std::vector<v1::Figure> FiguresFrom(const ReportRecordSet& records,
                                      const FactNames& names,
                                      ReportProjection::FactsOnDay facts,
                                      absl::CivilDay day,
                                      const ResolvedScope& scope) const;
  // The figures as known at sequence `known_at`, replayed from the whole
  // log (closed periods in scopes they did not store). `log` holds the log
  // once read from `reader`, so one call reads it at most once.
  absl::StatusOr<std::vector<v1::Figure>> FiguresKnownAt(
      storage::Reader& reader, std::optional<FollowUpData>& log,
      absl::CivilDay day, const ResolvedScope& scope, uint64_t known_at) const;
  // The restatements of `previous` (the closed period before a report's
  // period) for `scope`: its figures as frozen (stored, or replayed as
  // known at its cut-off) against `now`, its figures as known at the
  // report's cut-off. Small cells are marked, not yet withheld.
  absl::StatusOr<std::vector<v1::Restatement>> Restate(
      storage::Reader& reader, std::optional<FollowUpData>& log,
      const followup::ClosedPeriod& previous,
      const v1::ReportScope& request_scope, const ResolvedScope& scope,
      const std::vector<v1::Figure>& now) const;

  const Deps deps_;
  const FollowUpConfig config_;
  ReportProjection* const projection_;
  // The tracks and employers of reports known now.
  ReportRecords records_;
  // The memory of report passes, kept between reports.
  mutable PassScratchPool scratch_;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_FOLLOWUP_FOLLOWUP_H_

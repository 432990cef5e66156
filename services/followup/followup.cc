#include "services/followup/followup.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "jobtrack/v1/agreement.pb.h"
#include "services/common/crud.h"
#include "services/common/errors.h"
#include "services/common/record_table.h"
#include "services/common/reference_data.h"
#include "services/common/resource.h"
#include "services/common/validation.h"
#include "services/followup/suppression.h"

namespace jobtrack {
namespace {

constexpr char kPeriods[] = "periods/";

std::string PeriodName(absl::CivilDay day) {
  return absl::StrFormat("%s%04d-%02d-%02d", kPeriods, day.year(), day.month(),
                         day.day());
}

}  // namespace

absl::StatusOr<std::vector<std::pair<int, int>>> ParsePeriodDates(
    absl::string_view spec) {
  std::vector<std::pair<int, int>> dates;
  for (absl::string_view item : absl::StrSplit(spec, ',', absl::SkipEmpty())) {
    std::vector<absl::string_view> parts = absl::StrSplit(item, '-');
    int month = 0, day = 0;
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &month) ||
        !absl::SimpleAtoi(parts[1], &day) || month < 1 || month > 12 ||
        day < 1 || absl::CivilDay(2023, month, day).month() != month ||
        absl::CivilDay(2023, month, day).day() != day) {
      return absl::InvalidArgumentError(
          absl::StrCat("follow-up date `", item, "` is not MM-DD"));
    }
    if (std::find(dates.begin(), dates.end(), std::make_pair(month, day)) !=
        dates.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("follow-up date `", item, "` is repeated"));
    }
    dates.emplace_back(month, day);
  }
  if (dates.empty()) {
    return absl::InvalidArgumentError("name at least one follow-up date");
  }
  std::sort(dates.begin(), dates.end());
  return dates;
}

FollowUp::FollowUp(Deps deps, FollowUpConfig config)
    : deps_(deps), config_(std::move(config)) {}

std::vector<absl::CivilDay> FollowUp::PeriodDays(absl::CivilDay last) const {
  std::vector<absl::CivilDay> days;
  for (int year = static_cast<int>(config_.report.series_start.year());
       year <= last.year(); ++year) {
    for (const auto& [month, day] : config_.period_dates) {
      const absl::CivilDay d(year, month, day);
      if (d >= config_.report.series_start && d <= last) days.push_back(d);
    }
  }
  return days;
}

absl::StatusOr<ResolvedScope> FollowUp::Resolve(
    storage::Reader& reader, const v1::ReportScope& scope) const {
  FieldViolations violations;
  const int given = !scope.county_code().empty() +
                    !scope.municipality_codes().empty() +
                    !scope.track().empty() + !scope.agreement().empty();
  if (given > 1) {
    violations.Add("scope",
                   "give at most one of county_code, municipality_codes, "
                   "track, agreement");
    return violations.ToStatus();
  }
  const ReferenceData& ref = ReferenceData::Get();
  ResolvedScope resolved;
  if (!scope.county_code().empty()) {
    if (!ref.IsCounty(scope.county_code())) {
      return InvalidField("scope.county_code", "is not a county code (län)");
    }
    for (const std::string& m : ref.MunicipalitiesOf(scope.county_code())) {
      resolved.municipalities.insert(m);
    }
  }
  if (!scope.municipality_codes().empty()) {
    CheckMunicipalities(scope.municipality_codes(), 290,
                        "scope.municipality_codes", violations);
    if (!violations.empty()) return violations.ToStatus();
    resolved.municipalities.insert(scope.municipality_codes().begin(),
                                   scope.municipality_codes().end());
  }
  if (!scope.track().empty()) {
    if (absl::Status s =
            CheckResourceName(scope.track(), "tracks", "scope.track");
        !s.ok()) {
      return s;
    }
    const RecordTable<v1::Track> tracks(nullptr);
    if (absl::Status s = tracks.Get(reader, scope.track()).status(); !s.ok()) {
      return s;
    }
    resolved.track = scope.track();
  }
  if (!scope.agreement().empty()) {
    if (absl::Status s = CheckResourceName(scope.agreement(), "agreements",
                                           "scope.agreement");
        !s.ok()) {
      return s;
    }
    const RecordTable<v1::Agreement> agreements(nullptr);
    absl::StatusOr<v1::Agreement> agreement =
        agreements.Get(reader, scope.agreement());
    if (!agreement.ok()) return agreement.status();
    resolved.municipalities.insert(agreement->municipality_codes().begin(),
                                   agreement->municipality_codes().end());
  }
  return resolved;
}

absl::StatusOr<v1::Report> FollowUp::GetReport(
    const v1::GetReportRequest& request) {
  const absl::CivilDay today = TodayInSweden(*deps_.clock);
  absl::CivilDay day;
  std::string period;
  switch (request.when_case()) {
    case v1::GetReportRequest::kAsOf: {
      std::optional<absl::CivilDay> as_of = ToCivilDay(request.as_of());
      if (!as_of) return InvalidField("as_of", "is not a valid date");
      if (*as_of > today) {
        return InvalidField("as_of", "lies in the future: figures need facts");
      }
      day = *as_of;
      break;
    }
    case v1::GetReportRequest::kPeriod: {
      const std::vector<absl::CivilDay> days = PeriodDays(today);
      auto it = std::find_if(days.begin(), days.end(), [&](absl::CivilDay d) {
        return PeriodName(d) == request.period();
      });
      if (it == days.end()) {
        return InvalidField(
            "period",
            "is not a follow-up period between the series start and today "
            "(`periods/yyyy-mm-dd`; see ListPeriods)");
      }
      day = *it;
      period = request.period();
      break;
    }
    default:
      return InvalidField("when", "give as_of or period");
  }
  std::unique_ptr<storage::Reader> reader = deps_.storage->Snapshot();
  absl::StatusOr<ResolvedScope> scope = Resolve(*reader, request.scope());
  if (!scope.ok()) return scope.status();
  absl::StatusOr<FollowUpData> data = LoadFollowUpData(*reader);
  if (!data.ok()) return data.status();
  absl::StatusOr<std::vector<v1::Figure>> figures =
      ComputeFigures(*data, day, *scope, data->last_sequence, config_.report);
  if (!figures.ok()) return figures.status();
  if (config_.suppress_small_cells) SuppressSmallCells(*figures);

  v1::Report report;
  *report.mutable_as_of() = ToDate(day);
  report.set_period(period);
  *report.mutable_scope() = request.scope();
  report.set_known_at_sequence(static_cast<int64_t>(data->last_sequence));
  *report.mutable_compute_time() = ToTimestamp(deps_.clock->Now());
  report.set_small_cells_suppressed(config_.suppress_small_cells);
  for (v1::Figure& f : *figures) *report.add_figures() = std::move(f);
  return report;
}

absl::StatusOr<v1::ListPeriodsResponse> FollowUp::ListPeriods(
    const v1::ListPeriodsRequest&) {
  v1::ListPeriodsResponse response;
  for (absl::CivilDay day : PeriodDays(TodayInSweden(*deps_.clock))) {
    v1::FollowUpPeriod* p = response.add_periods();
    p->set_name(PeriodName(day));
    *p->mutable_as_of() = ToDate(day);
    p->set_closed(false);
  }
  return response;
}

}  // namespace jobtrack

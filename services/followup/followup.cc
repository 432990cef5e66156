#include "services/followup/followup.h"

#include <algorithm>
#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "jobtrack/v1/agreement.pb.h"
#include "services/common/crud.h"
#include "services/common/errors.h"
#include "services/common/events.h"
#include "services/common/record_table.h"
#include "services/common/reference_data.h"
#include "services/common/resource.h"
#include "services/common/validation.h"
#include "services/followup/suppression.h"
#include "services/tracks/track_history.h"
#include "storage/keys.h"

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

FollowUp::FollowUp(Deps deps, FollowUpConfig config,
                   ReportProjection* projection)
    : deps_(deps),
      config_(std::move(config)),
      projection_(projection),
      records_(deps.storage) {}

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

absl::StatusOr<FollowUp::When> FollowUp::ResolveWhen(
    bool has_as_of, const v1::Date& as_of, const std::string& period) const {
  const absl::CivilDay today = TodayInSweden(*deps_.clock);
  if (has_as_of) {
    std::optional<absl::CivilDay> day = ToCivilDay(as_of);
    if (!day) return InvalidField("as_of", "is not a valid date");
    if (*day > today) {
      return InvalidField("as_of", "lies in the future: figures need facts");
    }
    return When{*day, ""};
  }
  if (period.empty()) return InvalidField("when", "give as_of or period");
  const std::vector<absl::CivilDay> days = PeriodDays(today);
  auto it = std::find_if(days.begin(), days.end(), [&](absl::CivilDay d) {
    return PeriodName(d) == period;
  });
  if (it == days.end()) {
    return InvalidField(
        "period",
        "is not a follow-up period between the series start and today "
        "(`periods/yyyy-mm-dd`; see ListPeriods)");
  }
  return When{*it, period};
}

namespace {

// Every closed period, in date order.
absl::StatusOr<std::vector<followup::ClosedPeriod>> ClosedPeriods(
    storage::Reader& reader) {
  return RecordTable<followup::ClosedPeriod>(nullptr).All(reader, "periods");
}

// The last closed period before `name` (names sort by date), or null.
const followup::ClosedPeriod* ClosedBefore(
    const std::vector<followup::ClosedPeriod>& closed,
    const std::string& name) {
  const followup::ClosedPeriod* previous = nullptr;
  for (const followup::ClosedPeriod& c : closed) {
    if (c.name() < name) previous = &c;
  }
  return previous;
}

// Ids of the figures SuppressSmallCells withholds from `figures`.
absl::flat_hash_set<std::string> SmallCells(std::vector<v1::Figure> figures) {
  SuppressSmallCells(figures);
  absl::flat_hash_set<std::string> ids;
  for (const v1::Figure& f : figures) {
    if (f.suppressed()) ids.insert(f.id());
  }
  return ids;
}

// The figures that differ between `old` and `now`, in `old`'s order, then
// those only in `now`. A figure missing on one side counts as 0 of 0.
std::vector<v1::Restatement> Differences(const std::string& period,
                                         const std::vector<v1::Figure>& old,
                                         const std::vector<v1::Figure>& now) {
  const absl::flat_hash_set<std::string> small_old = SmallCells(old);
  const absl::flat_hash_set<std::string> small_now = SmallCells(now);
  absl::flat_hash_map<std::string, const v1::Figure*> by_id;
  for (const v1::Figure& f : now) by_id[f.id()] = &f;
  std::vector<v1::Restatement> restatements;
  auto add = [&](const std::string& id, const v1::Figure* before,
                 const v1::Figure* after) {
    const v1::Figure none;
    if (before == nullptr) before = &none;
    if (after == nullptr) after = &none;
    if (before->numerator() == after->numerator() &&
        before->denominator() == after->denominator()) {
      return;
    }
    v1::Restatement& r = restatements.emplace_back();
    r.set_period(period);
    r.set_figure(id);
    r.set_old_numerator(before->numerator());
    r.set_old_denominator(before->denominator());
    r.set_new_numerator(after->numerator());
    r.set_new_denominator(after->denominator());
    r.set_suppressed(small_old.contains(id) || small_now.contains(id));
  };
  absl::flat_hash_set<std::string> seen;
  for (const v1::Figure& f : old) {
    seen.insert(f.id());
    auto it = by_id.find(f.id());
    add(f.id(), &f, it == by_id.end() ? nullptr : it->second);
  }
  for (const v1::Figure& f : now) {
    if (!seen.contains(f.id())) add(f.id(), nullptr, &f);
  }
  return restatements;
}

}  // namespace

const followup::ClosedPeriod::StoredReport* FollowUp::StoredFor(
    const followup::ClosedPeriod& closed, const v1::ReportScope& scope) {
  if (!scope.municipality_codes().empty() || !scope.track().empty() ||
      !scope.agreement().empty()) {
    return nullptr;
  }
  for (const auto& report : closed.reports()) {
    if (report.county_code() == scope.county_code()) return &report;
  }
  return nullptr;
}

std::vector<v1::Figure> FollowUp::FiguresFrom(
    const ReportRecordSet& records, const FactNames& names,
    ReportProjection::FactsOnDay facts, absl::CivilDay day,
    const ResolvedScope& scope) const {
  auto on_day = [&](absl::FunctionRef<void(const ParticipationFacts&)> fn) {
    facts(day, fn);
  };
  PassScratchPool::Handle scratch = scratch_.Take();
  auto employer = [&](absl::string_view name) {
    return records.employer(name);
  };
  const ReportInputs inputs{.tracks = records.tracks(),
                            .employer = employer,
                            .names = names,
                            .participations = on_day,
                            .scratch = scratch.get()};
  return ComputeFigures(inputs, day, scope, config_.report);
}

absl::StatusOr<std::vector<v1::Figure>> FollowUp::FiguresKnownAt(
    storage::Reader& reader, std::optional<FollowUpData>& log,
    absl::CivilDay day, const ResolvedScope& scope, uint64_t known_at) const {
  if (!log) {
    absl::StatusOr<FollowUpData> data = LoadFollowUpData(reader);
    if (!data.ok()) return data.status();
    log = *std::move(data);
  }
  return ComputeFigures(*log, day, scope, known_at, config_.report);
}

absl::StatusOr<std::vector<v1::Restatement>> FollowUp::Restate(
    storage::Reader& reader, std::optional<FollowUpData>& log,
    const followup::ClosedPeriod& previous,
    const v1::ReportScope& request_scope, const ResolvedScope& scope,
    const std::vector<v1::Figure>& now) const {
  std::vector<v1::Figure> old;
  if (const auto* stored = StoredFor(previous, request_scope)) {
    old.assign(stored->figures().begin(), stored->figures().end());
  } else {
    absl::StatusOr<std::vector<v1::Figure>> then = FiguresKnownAt(
        reader, log, *ToCivilDay(previous.period().as_of()), scope,
        static_cast<uint64_t>(previous.period().known_at_sequence()));
    if (!then.ok()) return then.status();
    old = *std::move(then);
  }
  return Differences(previous.name(), old, now);
}

absl::StatusOr<v1::Report> FollowUp::GetReport(
    const CallContext& call, const v1::GetReportRequest& request) {
  const bool suppress =
      config_.suppress_small_cells ||
      (call.who != nullptr && call.who->role != security::ADMIN);
  absl::StatusOr<When> when =
      ResolveWhen(request.when_case() == v1::GetReportRequest::kAsOf,
                  request.as_of(), request.period());
  if (!when.ok()) return when.status();
  std::unique_ptr<storage::Reader> reader = deps_.storage->Snapshot();
  absl::StatusOr<ResolvedScope> scope = Resolve(*reader, request.scope());
  if (!scope.ok()) return scope.status();
  absl::StatusOr<std::vector<followup::ClosedPeriod>> closed =
      ClosedPeriods(*reader);
  if (!closed.ok()) return closed.status();
  const followup::ClosedPeriod* frozen = nullptr;
  for (const followup::ClosedPeriod& c : *closed) {
    if (!when->period.empty() && c.name() == when->period) frozen = &c;
  }
  const followup::ClosedPeriod* previous =
      when->period.empty() ? nullptr : ClosedBefore(*closed, when->period);

  uint64_t known_at = 0;
  std::vector<v1::Figure> figures;
  std::vector<v1::Restatement> restatements;
  // The whole log, read at most once, for replays "as known at" a cut-off.
  std::optional<FollowUpData> log;
  if (const auto* stored =
          frozen != nullptr ? StoredFor(*frozen, request.scope()) : nullptr) {
    // A closed period as stored.
    known_at = static_cast<uint64_t>(frozen->period().known_at_sequence());
    figures.assign(stored->figures().begin(), stored->figures().end());
    restatements.assign(stored->restatements().begin(),
                        stored->restatements().end());
  } else if (frozen != nullptr) {
    // A closed period in a scope it did not store: replayed as known at
    // its cut-off (rare; reads the whole log).
    known_at = static_cast<uint64_t>(frozen->period().known_at_sequence());
    absl::StatusOr<std::vector<v1::Figure>> replayed =
        FiguresKnownAt(*reader, log, when->day, *scope, known_at);
    if (!replayed.ok()) return replayed.status();
    figures = *std::move(replayed);
    if (previous != nullptr) {
      absl::StatusOr<std::vector<v1::Figure>> now =
          FiguresKnownAt(*reader, log, *ToCivilDay(previous->period().as_of()),
                         *scope, known_at);
      if (!now.ok()) return now.status();
      absl::StatusOr<std::vector<v1::Restatement>> r =
          Restate(*reader, log, *previous, request.scope(), *scope, *now);
      if (!r.ok()) return r.status();
      restatements = *std::move(r);
    }
  } else {
    // Known now: from the projection.
    absl::StatusOr<std::shared_ptr<const ReportRecordSet>> records =
        records_.Get();
    if (!records.ok()) return records.status();
    std::vector<v1::Figure> previous_now;
    absl::Status s =
        projection_->Visit([&](uint64_t at, const FactNames& names,
                               ReportProjection::FactsOnDay facts) {
          known_at = at;
          figures = FiguresFrom(**records, names, facts, when->day, *scope);
          if (previous != nullptr) {
            previous_now =
                FiguresFrom(**records, names, facts,
                            *ToCivilDay(previous->period().as_of()), *scope);
          }
        });
    if (!s.ok()) return s;
    if (previous != nullptr) {
      absl::StatusOr<std::vector<v1::Restatement>> r = Restate(
          *reader, log, *previous, request.scope(), *scope, previous_now);
      if (!r.ok()) return r.status();
      restatements = *std::move(r);
    }
  }
  if (suppress) {
    SuppressSmallCells(figures);
    for (v1::Restatement& r : restatements) {
      if (!r.suppressed()) continue;
      r.set_old_numerator(0);
      r.set_old_denominator(0);
      r.set_new_numerator(0);
      r.set_new_denominator(0);
    }
  } else {
    for (v1::Restatement& r : restatements) r.set_suppressed(false);
  }
  v1::Report report;
  *report.mutable_as_of() = ToDate(when->day);
  report.set_period(when->period);
  *report.mutable_scope() = request.scope();
  report.set_known_at_sequence(static_cast<int64_t>(known_at));
  *report.mutable_compute_time() = ToTimestamp(deps_.clock->Now());
  report.set_small_cells_suppressed(suppress);
  for (v1::Figure& f : figures) *report.add_figures() = std::move(f);
  for (v1::Restatement& r : restatements) {
    *report.add_restatements() = std::move(r);
  }
  return report;
}

absl::StatusOr<v1::ListPeriodsResponse> FollowUp::ListPeriods(
    const v1::ListPeriodsRequest&) {
  std::unique_ptr<storage::Reader> reader = deps_.storage->Snapshot();
  absl::StatusOr<std::vector<followup::ClosedPeriod>> closed =
      ClosedPeriods(*reader);
  if (!closed.ok()) return closed.status();
  v1::ListPeriodsResponse response;
  for (absl::CivilDay day : PeriodDays(TodayInSweden(*deps_.clock))) {
    v1::FollowUpPeriod* p = response.add_periods();
    p->set_name(PeriodName(day));
    *p->mutable_as_of() = ToDate(day);
    for (const followup::ClosedPeriod& c : *closed) {
      if (c.name() == p->name()) *p = c.period();
    }
  }
  return response;
}

absl::StatusOr<v1::FollowUpPeriod> FollowUp::ClosePeriod(
    const CallContext& context, const v1::ClosePeriodRequest& request) {
  absl::StatusOr<When> when = ResolveWhen(false, v1::Date(), request.name());
  if (!when.ok()) {
    return InvalidField("name",
                        "is not a follow-up period between the series start "
                        "and today (`periods/yyyy-mm-dd`; see ListPeriods)");
  }
  const RecordTable<followup::ClosedPeriod> table(nullptr);
  return RunMutation<v1::FollowUpPeriod>(
      deps_, context, request, request.request_id(),
      [&](storage::Transaction& txn) -> absl::StatusOr<v1::FollowUpPeriod> {
        absl::StatusOr<followup::ClosedPeriod> existing =
            table.GetForUpdate(txn, request.name());
        if (existing.ok()) {
          return Precondition(
              "PERIOD_CLOSED",
              absl::StrCat(request.name(),
                           " is closed already (cut-off at event sequence ",
                           existing->period().known_at_sequence(), ")"));
        }
        if (!absl::IsNotFound(existing.status())) return existing.status();

        std::unique_ptr<storage::Reader> reader = deps_.storage->Snapshot();
        absl::StatusOr<std::shared_ptr<const ReportRecordSet>> records =
            records_.Get();
        if (!records.ok()) return records.status();
        absl::StatusOr<std::vector<followup::ClosedPeriod>> closed =
            ClosedPeriods(*reader);
        if (!closed.ok()) return closed.status();
        const followup::ClosedPeriod* previous =
            ClosedBefore(*closed, request.name());
        std::vector<std::string> counties = ReferenceData::Get().Counties();
        counties.insert(counties.begin(), "");
        std::vector<v1::ReportScope> scopes;
        std::vector<ResolvedScope> resolved;
        for (const std::string& county : counties) {
          v1::ReportScope& scope = scopes.emplace_back();
          scope.set_county_code(county);
          absl::StatusOr<ResolvedScope> r = Resolve(*reader, scope);
          if (!r.ok()) return r.status();
          resolved.push_back(*std::move(r));
        }

        // Every scope, and the previous period's figures for its
        // restatements, from one state of the log: the cut-off.
        followup::ClosedPeriod record;
        uint64_t cut_off = 0;
        std::vector<std::vector<v1::Figure>> previous_now(scopes.size());
        absl::Status s =
            projection_->Visit([&](uint64_t at, const FactNames& names,
                                   ReportProjection::FactsOnDay facts) {
              cut_off = at;
              for (size_t i = 0; i < scopes.size(); ++i) {
                auto* stored = record.add_reports();
                stored->set_county_code(scopes[i].county_code());
                for (v1::Figure& f : FiguresFrom(**records, names, facts,
                                                 when->day, resolved[i])) {
                  *stored->add_figures() = std::move(f);
                }
                if (previous != nullptr) {
                  previous_now[i] = FiguresFrom(
                      **records, names, facts,
                      *ToCivilDay(previous->period().as_of()), resolved[i]);
                }
              }
            });
        if (!s.ok()) return s;
        if (previous != nullptr) {
          // The previous period stored every scope closed here; the log is
          // read only if it somehow did not.
          std::optional<FollowUpData> log;
          for (size_t i = 0; i < scopes.size(); ++i) {
            absl::StatusOr<std::vector<v1::Restatement>> r =
                Restate(*reader, log, *previous, scopes[i], resolved[i],
                        previous_now[i]);
            if (!r.ok()) return r.status();
            for (v1::Restatement& restatement : *r) {
              *record.mutable_reports(static_cast<int>(i))->add_restatements() =
                  std::move(restatement);
            }
          }
        }
        record.set_name(request.name());
        v1::FollowUpPeriod& period = *record.mutable_period();
        period.set_name(request.name());
        *period.mutable_as_of() = ToDate(when->day);
        period.set_closed(true);
        *period.mutable_close_time() = ToTimestamp(deps_.clock->Now());
        period.set_closed_by(context.principal);
        period.set_known_at_sequence(static_cast<int64_t>(cut_off));
        if (absl::Status s = table.Insert(txn, record); !s.ok()) return s;
        return period;
      });
}

absl::Status FollowUp::ExportParticipations(
    const v1::ExportParticipationsRequest& request,
    absl::FunctionRef<bool(const v1::ParticipationRow&)> emit) {
  absl::StatusOr<When> when =
      ResolveWhen(request.when_case() == v1::ExportParticipationsRequest::kAsOf,
                  request.as_of(), request.period());
  if (!when.ok()) return when.status();
  if (deps_.hasher == nullptr) {
    return absl::FailedPreconditionError("exports need the PII hasher's key");
  }
  std::unique_ptr<storage::Reader> reader = deps_.storage->Snapshot();
  absl::StatusOr<ResolvedScope> scope = Resolve(*reader, request.scope());
  if (!scope.ok()) return scope.status();
  uint64_t known_at = std::numeric_limits<uint64_t>::max();
  if (!when->period.empty()) {
    absl::StatusOr<followup::ClosedPeriod> frozen =
        RecordTable<followup::ClosedPeriod>(nullptr).Get(*reader, when->period);
    if (frozen.ok()) {
      known_at = static_cast<uint64_t>(frozen->period().known_at_sequence());
    } else if (!absl::IsNotFound(frozen.status())) {
      return frozen.status();
    }
  }
  // Tracks are few; participations are read one at a time.
  absl::StatusOr<std::vector<v1::Track>> all_tracks =
      RecordTable<v1::Track>(nullptr).All(*reader, "tracks");
  if (!all_tracks.ok()) return all_tracks.status();
  absl::flat_hash_map<std::string, const v1::Track*> tracks;
  for (const v1::Track& t : *all_tracks) tracks[t.name()] = &t;
  const RecordTable<v1::Participant> participants(nullptr);

  absl::Status inner;
  absl::Status s = reader->Scan(
      storage::Column::kRecords, storage::RecordPrefix("participations"), "",
      [&](absl::string_view key, absl::string_view) {
        const std::string name = storage::RecordKeyName(key);
        absl::StatusOr<std::vector<v1::Event>> events =
            LoadAggregateEvents(*reader, name);
        if (!events.ok()) {
          inner = events.status();
          return false;
        }
        absl::StatusOr<std::optional<ParticipationOnDay>> on_day =
            ReplayToDay(name, *events, when->day, known_at);
        if (!on_day.ok()) {
          inner = on_day.status();
          return false;
        }
        if (!*on_day) return true;
        const v1::Participation& p = (*on_day)->p;
        const bool in_scope = !scope->track.empty()
                                  ? p.track() == scope->track
                                  : scope->municipalities.empty() ||
                                        scope->municipalities.contains(
                                            p.home_municipality_code());
        if (!in_scope) return true;
        v1::ParticipationRow row;
        row.set_participation_id(
            deps_.hasher->Hash("export.participation", p.name()));
        row.set_participant_id(
            deps_.hasher->Hash("export.participant", p.participant()));
        row.set_track(p.track());
        row.set_intake(p.intake());
        if (auto t = tracks.find(p.track()); t != tracks.end()) {
          const v1::Track::Revision* then =
              RevisionInForce(*t->second, when->day);
          row.set_track_kind(then != nullptr ? then->kind()
                                             : t->second->kind());
          row.set_track_sni_code(then != nullptr ? then->sni_code()
                                                 : t->second->sni_code());
        }
        row.set_home_municipality_code(p.home_municipality_code());
        absl::StatusOr<v1::Participant> person =
            participants.Get(*reader, p.participant());
        if (person.ok()) {
          row.set_birth_year(person->birth_year());
          row.set_gender(person->gender());
          row.set_education_level(person->education_level());
          *row.mutable_target_groups() = person->target_groups();
        } else if (!absl::IsNotFound(person.status())) {
          inner = person.status();
          return false;
        }
        row.set_state(p.state());
        *row.mutable_proposed_date() = ToDate((*on_day)->proposed);
        *row.mutable_start_date() = p.start_date();
        *row.mutable_end_date() = p.end_date();
        row.set_reason(p.reason());
        if (const v1::Outcome* latest = LatestOutcome(p)) {
          *row.mutable_latest_outcome() = *latest;
        }
        row.set_from_proposal(p.has_proposal());
        return emit(row);
      });
  if (!s.ok()) return s;
  return inner;
}

}  // namespace jobtrack

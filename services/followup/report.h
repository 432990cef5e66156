// The follow-up report (DESIGN 5, 9.5) as a pure function of what was
// recorded: tracks with their dated history, employers, participants'
// statistical fields and every participation's events.
//
// Definitions are in proto/jobtrack/v1/followup.proto and the README
// ("Follow-up figures"); the figure ids are the API.
#ifndef JOBTRACK_SERVICES_FOLLOWUP_REPORT_H_
#define JOBTRACK_SERVICES_FOLLOWUP_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "jobtrack/v1/employer.pb.h"
#include "jobtrack/v1/event.pb.h"
#include "jobtrack/v1/followup.pb.h"
#include "jobtrack/v1/participant.pb.h"
#include "jobtrack/v1/participation.pb.h"
#include "jobtrack/v1/track.pb.h"
#include "storage/storage.h"

namespace jobtrack {

// Everything a report reads, loaded from one snapshot.
struct FollowUpData {
  std::vector<v1::Track> tracks;
  absl::flat_hash_map<std::string, v1::Employer> employers;
  // Statistical fields only are read (gender, education level).
  absl::flat_hash_map<std::string, v1::Participant> participants;
  // Participation name -> its events, in commit order.
  absl::flat_hash_map<std::string, std::vector<v1::Event>> participations;
  // The last event sequence in the snapshot.
  uint64_t last_sequence = 0;
};

// Reads FollowUpData with four scans of `reader` (tracks, employers,
// participants, the event log). Memory grows with the whole log: for the
// replays "as known at" an earlier sequence; reports known now come from
// ReportProjection.
absl::StatusOr<FollowUpData> LoadFollowUpData(storage::Reader& reader);
// Only the tracks and employers (what a report reads besides the
// participations).
absl::StatusOr<FollowUpData> LoadFollowUpRecords(storage::Reader& reader);

struct FollowUpOptions {
  // Start of the series for the "since the first follow-up" figures.
  absl::CivilDay series_start = absl::CivilDay(2018, 1, 1);
  // A PROPOSED participation older than this counts as expired (9.4).
  int proposal_expiry_days = 30;
};

// The scope resolved to what it selects: empty municipalities and track
// mean the whole country.
struct ResolvedScope {
  absl::flat_hash_set<std::string> municipalities;
  std::string track;
  bool Everything() const { return municipalities.empty() && track.empty(); }
};

// A participation as it stood on a day.
struct ParticipationOnDay {
  v1::Participation p;
  // When it was proposed (the day itself if it has no proposal event).
  absl::CivilDay proposed;
};

// `events` (one participation's, in commit order) replayed to `day`, using
// those recorded up to `known_at` (a sequence). Nullopt if it did not exist
// yet. A stored history that does not replay is returned as the replay's
// error.
absl::StatusOr<std::optional<ParticipationOnDay>> ReplayToDay(
    absl::string_view name, absl::Span<const v1::Event> events,
    absl::CivilDay day, uint64_t known_at);

// The latest outcome by effective date (of equal dates, the last
// recorded), or null. On a participation replayed to a day, the latest
// effective on or before it.
const v1::Outcome* LatestOutcome(const v1::Participation& participation);

// Every participation of `data` replayed so, in name order.
absl::StatusOr<std::vector<ParticipationOnDay>> ReplayParticipations(
    const FollowUpData& data, absl::CivilDay day, uint64_t known_at);

// A report's unit of time: days since 1970-01-01, so that the pass over
// millions of participations compares and subtracts integers, not civil
// dates. kNoReportDay stands for "none".
using ReportDay = int32_t;
inline constexpr ReportDay kNoReportDay = INT32_MIN;
ReportDay ToReportDay(absl::CivilDay day);

// What the figures read about one participation as it stood on the day.
// Ids are dense numbers given by whoever makes the facts: `participant`
// tells persons apart, `track` indexes FactNames::tracks and
// `municipality` FactNames::municipalities.
struct ParticipationFacts {
  uint32_t participant = 0;
  uint32_t track = 0;
  // The home municipality.
  uint32_t municipality = 0;
  v1::Participation::State state = v1::Participation::STATE_UNSPECIFIED;
  // The participant's statistical fields.
  v1::Gender gender = v1::GENDER_UNSPECIFIED;
  v1::EducationLevel education = v1::EDUCATION_LEVEL_UNSPECIFIED;
  // When it was proposed; the report's day if it has no proposal event.
  ReportDay proposed = kNoReportDay;
  ReportDay start = kNoReportDay;
  ReportDay end = kNoReportDay;
  // OutcomeClass of the participation on the day.
  int outcome_class = 4;
  // Whether another participation has the same participant and track. If
  // not, this one alone says whether the person started the track, and
  // the report need not remember the pair (a hash lookup per
  // participation). True when unknown.
  bool shares_pair = true;
};

struct PassScratch;  // distinct_persons.h

// The names that ParticipationFacts' ids index. Non-owning.
struct FactNames {
  absl::Span<const std::string> tracks;
  absl::Span<const std::string> municipalities;
  // Every ParticipationFacts::participant is below this; 0 if not known.
  size_t persons = 0;
};

// Calls its argument once with the facts of every participation.
using ParticipationVisitor =
    absl::FunctionRef<void(absl::FunctionRef<void(const ParticipationFacts&)>)>;

// Everything a report reads. Non-owning.
struct ReportInputs {
  // Every track, and the employer with a name (null if there is none).
  absl::Span<const v1::Track* const> tracks;
  absl::FunctionRef<const v1::Employer*(absl::string_view name)> employer;
  FactNames names;
  ParticipationVisitor participations;
  // Memory for the pass's sets of persons, kept between reports
  // (distinct_persons.h); null: the pass allocates its own.
  PassScratch* scratch = nullptr;
};

// The class of the latest outcome (LatestOutcome): 0 working unsubsidized,
// 1 working subsidized, 2 studying, 3 other, 4 unknown (none).
int OutcomeClass(const v1::Participation& participation);

// The figures of the report as of `day`. Unsuppressed; see
// SuppressSmallCells. Figures come in a fixed order; zero counts are
// included for the fixed categories (kinds, education forms, genders,
// outcome classes). One pass over the participations.
std::vector<v1::Figure> ComputeFigures(const ReportInputs& inputs,
                                       absl::CivilDay day,
                                       const ResolvedScope& scope,
                                       const FollowUpOptions& options);

// The same over `data` and its participations replayed to the day.
std::vector<v1::Figure> ComputeFigures(
    const FollowUpData& data,
    absl::Span<const ParticipationOnDay> participations, absl::CivilDay day,
    const ResolvedScope& scope, const FollowUpOptions& options);

// ReplayParticipations, then ComputeFigures.
absl::StatusOr<std::vector<v1::Figure>> ComputeFigures(
    const FollowUpData& data, absl::CivilDay day, const ResolvedScope& scope,
    uint64_t known_at, const FollowUpOptions& options);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_FOLLOWUP_REPORT_H_

// Matching rules as pure functions (DESIGN 4): hard filters, then soft
// factors with weights, each with a reason a case officer can read out.
//
// Fairness by construction: gender and birth year are never read here;
// target groups only as the track's eligibility rule.
#ifndef JOBTRACK_SERVICES_MATCHING_SCORING_H_
#define JOBTRACK_SERVICES_MATCHING_SCORING_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "jobtrack/v1/participant.pb.h"
#include "jobtrack/v1/proposal.pb.h"
#include "jobtrack/v1/track.pb.h"

namespace jobtrack {

// Weights of the soft factors and the other knobs; see the README.
struct MatchingWeights {
  double occupation = 3.0;
  double industry = 2.0;
  double geography = 1.0;
  double start = 1.0;
  double plan_length = 1.0;
  double demand = 0.5;
  double outcome = 1.5;
  double next_track = 2.0;
  // Intakes starting later than this many days ahead are not proposed.
  int start_window_days = 120;
  // A track's own outcome rate counts as if this many more participants had
  // completed it at the national rate, so new tracks are not buried.
  double prior_completions = 10;
  // Share working after a completed track, nationally.
  double national_outcome_rate = 0.5;
};

// Overrides weights from "name=value,name=value" (names as the fields
// above, e.g. "occupation=4,start_window_days=90"). INVALID_ARGUMENT for an
// unknown name or a negative or malformed value; `weights` is then unchanged.
absl::Status ParseMatchingWeights(absl::string_view spec,
                                  MatchingWeights* weights);

// One intake of a track that a participant could join. Non-owning: what
// it points to must outlive it.
struct TrackOption {
  const v1::Track* track = nullptr;
  const v1::Intake* intake = nullptr;
  // The chain version the intake runs.
  const v1::ModuleChain* chain = nullptr;
  // The SNI section of the track's industry ("" if none).
  absl::string_view sni_section;
  // Weeks of the plan for the chain, by the participant's Background().
  std::array<int, 4> plan_weeks{};
  // The first day the participant could start.
  absl::CivilDay start;
  int free_seats = 0;
  // Where the jobs are: the employers' municipalities (or the track's first
  // municipality when it has no employers).
  absl::Span<const std::string> workplace_municipalities;
  // The track's record so far.
  int completed = 0;
  int working = 0;
};

struct ParticipantFacts {
  const v1::Participant* participant = nullptr;
  // The SNI section of each of the participant's industry interests.
  std::vector<std::string> sni_interest_sections;
  // SNI sections of tracks the participant completed without getting work.
  absl::flat_hash_set<std::string> sections_completed_not_hired;
};

// The hard filters but the seat (which needs storage), as bits.
enum FilterBit : uint32_t {
  kFilterOpen = 1 << 0,
  kFilterMunicipality = 1 << 1,
  kFilterSwedishLevel = 1 << 2,
  kFilterDrivingLicence = 1 << 3,
  kFilterEducationLevel = 1 << 4,
  kFilterTargetGroup = 1 << 5,
  kFilterSelfEmployment = 1 << 6,
};

// The filters `participant` fails for `track`, whose status on the day is
// `status`. 0: eligible. Cheap: no allocation.
uint32_t FailedFilterMask(const v1::Participant& participant,
                          const v1::Track& track, v1::Track::Status status);

// The failed filters in `mask`, each with a reason a case officer can read.
std::vector<v1::NearMiss> DescribeFailures(const v1::Participant& participant,
                                           const v1::Track& track,
                                           v1::Track::Status status,
                                           uint32_t mask);

// Both of the above. Empty: eligible.
std::vector<v1::NearMiss> FailedFilters(const v1::Participant& participant,
                                        const v1::Track& track,
                                        v1::Track::Status status);

// The value (0–1) of every soft factor for one option, and what their
// reasons need. Computing it allocates nothing, so ranking can evaluate
// every candidate and explain only those it returns.
struct FactorValues {
  double occupation = 0;
  int occupation_digits = 0;     // Shared SSYK digits with the best interest.
  int occupation_interest = -1;  // Index into ssyk_interests.
  double industry = 0;
  int industry_interest = -1;  // Index into sni_interests.
  double geography = 0;
  double start = 0;
  int start_days = 0;
  double plan_length = 0;
  int plan_weeks = 0;
  double demand = 0;
  double outcome = 0;
  double next_track = 0;
};

// Factor values that Evaluate shares with bounds computed elsewhere
// (matching's first pass), so both follow one definition.
inline double OccupationValue(int shared_digits) {
  return static_cast<double>(shared_digits) / 4;
}
// 1 if a workplace is in `home`, 0.5 if one is in its county, else 0.
double GeographyValue(absl::string_view home,
                      absl::Span<const std::string> workplaces);
double PlanLengthValue(int plan_weeks);
// The track's share working after completion, shrunk towards the national
// rate.
double OutcomeValue(const MatchingWeights& weights, int completed, int working);

FactorValues Evaluate(const MatchingWeights& weights,
                      const ParticipantFacts& facts, const TrackOption& option,
                      absl::CivilDay today);

// The weighted sum of `values`; Explain's score is exactly this number.
double TotalScore(const MatchingWeights& weights, const FactorValues& values);

// Fills `proposal` (empty; it may live on an arena) with the proposal for
// `option`: every factor's weight, value, contribution and reason.
void Explain(const MatchingWeights& weights, const ParticipantFacts& facts,
             const TrackOption& option, const FactorValues& values,
             v1::Proposal* proposal);

// Evaluate, then Explain.
v1::Proposal Score(const MatchingWeights& weights,
                   const ParticipantFacts& facts, const TrackOption& option,
                   absl::CivilDay today);

// Weeks of the participant's plan for `chain` after skipping what they
// already have: sfi steps with Swedish at B1 or above, komvux steps with
// upper-secondary education or more. Parallel steps count by the longest.
int PlanWeeks(const v1::Participant& participant, const v1::ModuleChain& chain);

// What decides which steps a participant skips, as 0–3: bit 0 Swedish at B1
// or above, bit 1 upper-secondary education or more.
int Background(const v1::Participant& participant);
// PlanWeeks for each Background(), computed once per chain.
std::array<int, 4> PlanWeeksByBackground(const v1::ModuleChain& chain);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_MATCHING_SCORING_H_

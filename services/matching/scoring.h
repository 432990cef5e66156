// Matching rules as pure functions (DESIGN 4): hard filters, then soft
// factors with weights, each with a reason a case officer can read out.
//
// Fairness by construction: gender and birth year are never read here;
// target groups only as the track's eligibility rule.
#ifndef JOBTRACK_SERVICES_MATCHING_SCORING_H_
#define JOBTRACK_SERVICES_MATCHING_SCORING_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/time/civil_time.h"
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

// One intake of a track that a participant could join.
struct TrackOption {
  const v1::Track* track = nullptr;
  const v1::Intake* intake = nullptr;
  // The chain version the intake runs.
  const v1::ModuleChain* chain = nullptr;
  // The first day the participant could start.
  absl::CivilDay start;
  int free_seats = 0;
  // Where the jobs are: the employers' municipalities (or the track's first
  // municipality when it has no employers).
  std::vector<std::string> workplace_municipalities;
  // The track's record so far.
  int completed = 0;
  int working = 0;
};

struct ParticipantFacts {
  const v1::Participant* participant = nullptr;
  // SNI sections of tracks the participant completed without getting work.
  absl::flat_hash_set<std::string> sections_completed_not_hired;
};

// Every hard filter (but the seat, which needs storage) that `participant`
// fails for `track`, whose status on the day is `status`. Empty: eligible.
std::vector<v1::NearMiss> FailedFilters(const v1::Participant& participant,
                                        const v1::Track& track,
                                        v1::Track::Status status);

// The weighted score of an eligible option, with every factor.
v1::Proposal Score(const MatchingWeights& weights,
                   const ParticipantFacts& facts, const TrackOption& option,
                   absl::CivilDay today);

// Weeks of the participant's plan for `chain` after skipping what they
// already have: sfi steps with Swedish at B1 or above, komvux steps with
// upper-secondary education or more. Parallel steps count by the longest.
int PlanWeeks(const v1::Participant& participant, const v1::ModuleChain& chain);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_MATCHING_SCORING_H_

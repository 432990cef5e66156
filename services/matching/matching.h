// Matching (DESIGN 4): proposes tracks for a participant and participants
// for an intake, explained factor by factor, and records proposals.
//
// Candidates come from indexes: the tracks usable in the participant's
// municipality, the participants living in the track's municipalities. The
// same data gives the same ranking; ties go by resource name.
#ifndef JOBTRACK_SERVICES_MATCHING_MATCHING_H_
#define JOBTRACK_SERVICES_MATCHING_MATCHING_H_

#include <memory>
#include <optional>
#include <vector>

#include "jobtrack/v1/matching.pb.h"
#include "services/common/deps.h"
#include "services/common/mutation.h"
#include "services/matching/scoring.h"
#include "storage/storage.h"

namespace jobtrack {

class Matching {
 public:
  Matching(Deps deps, MatchingWeights weights);

  absl::StatusOr<v1::ProposeTracksResponse> ProposeTracks(
      const v1::ProposeTracksRequest& request);
  absl::StatusOr<v1::ProposeCandidatesResponse> ProposeCandidates(
      const v1::ProposeCandidatesRequest& request);
  absl::StatusOr<v1::RecordProposalsResponse> RecordProposals(
      const CallContext& context, const v1::RecordProposalsRequest& request);

 private:
  // A track and the intake a participant would join, with what scoring
  // needs; `option` points into the other members.
  struct Candidate {
    v1::Track track;
    v1::Intake intake;
    v1::ModuleChain chain;
    TrackOption option;
  };

  // The intake of `track` to join on `day`: a free seat, starting within
  // the window (COMMON) or open then (ROLLING); the earliest start, then
  // the name. Null if none.
  absl::StatusOr<std::unique_ptr<Candidate>> BestIntake(
      storage::Reader& reader, const v1::Track& track, absl::CivilDay day,
      const v1::Intake* only) const;
  // Facts about the participant; sets `active` to an ENROLLED
  // participation's name if there is one.
  absl::StatusOr<ParticipantFacts> Facts(storage::Reader& reader,
                                         const v1::Participant& participant,
                                         std::string* active) const;
  absl::StatusOr<absl::CivilDay> Day(const v1::Date& as_of) const;

  const Deps deps_;
  const MatchingWeights weights_;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_MATCHING_MATCHING_H_

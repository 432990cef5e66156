// Matching (DESIGN 4): proposes tracks for a participant and participants
// for an intake, explained factor by factor, and records proposals.
//
// Candidates come from indexes: the tracks usable in the participant's
// municipality (from the in-memory MatchingIndex), the participants living
// in the track's municipalities (from storage). Every candidate is scored,
// only those returned are explained. The same data gives the same ranking;
// ties go by resource name.
//
// Thread safety: safe to call from many threads.
#ifndef JOBTRACK_SERVICES_MATCHING_MATCHING_H_
#define JOBTRACK_SERVICES_MATCHING_MATCHING_H_

#include <memory>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "jobtrack/v1/matching.pb.h"
#include "services/common/deps.h"
#include "services/common/mutation.h"
#include "services/matching/matching_index.h"
#include "services/matching/scoring.h"
#include "storage/storage.h"

namespace jobtrack {

class Matching {
 public:
  // `index` must follow `deps.storage` and outlive this object.
  Matching(Deps deps, MatchingWeights weights, MatchingIndex* index);

  // Fills `response`, which must be empty; it may live on an arena, as the
  // service's does. On an error it may be partly filled: discard it.
  absl::Status ProposeTracks(const v1::ProposeTracksRequest& request,
                             v1::ProposeTracksResponse* response);
  // The same in a response of its own.
  absl::StatusOr<v1::ProposeTracksResponse> ProposeTracks(
      const v1::ProposeTracksRequest& request);
  // Candidates among the residents of the track's municipalities — of
  // those in `only_municipalities` too, if not null (a caller's scope).
  absl::StatusOr<v1::ProposeCandidatesResponse> ProposeCandidates(
      const v1::ProposeCandidatesRequest& request,
      const absl::flat_hash_set<std::string>* only_municipalities = nullptr);
  absl::StatusOr<v1::RecordProposalsResponse> RecordProposals(
      const CallContext& context, const v1::RecordProposalsRequest& request);

 private:
  // Facts about the participant; sets `active` to an ENROLLED
  // participation's name if there is one.
  absl::StatusOr<ParticipantFacts> Facts(storage::Reader& reader,
                                         const v1::Participant& participant,
                                         std::string* active) const;
  absl::StatusOr<absl::CivilDay> Day(const v1::Date& as_of) const;

  const Deps deps_;
  const MatchingWeights weights_;
  MatchingIndex* const index_;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_MATCHING_MATCHING_H_

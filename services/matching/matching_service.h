// gRPC handler of jobtrack.v1.MatchingService.
#ifndef JOBTRACK_SERVICES_MATCHING_MATCHING_SERVICE_H_
#define JOBTRACK_SERVICES_MATCHING_MATCHING_SERVICE_H_

#include "jobtrack/v1/matching.grpc.pb.h"
#include "services/common/arena_messages.h"
#include "services/matching/matching.h"

namespace jobtrack {

class MatchingService final : public v1::MatchingService::CallbackService {
 public:
  MatchingService(Deps deps, MatchingWeights weights, MatchingIndex* index)
      : gatekeeper_(deps.gatekeeper), matching_(deps, weights, index) {
    SetMessageAllocatorFor_ProposeTracks(&propose_tracks_messages_);
  }

  grpc::ServerUnaryReactor* ProposeTracks(
      grpc::CallbackServerContext* context,
      const v1::ProposeTracksRequest* request,
      v1::ProposeTracksResponse* response) override;
  grpc::ServerUnaryReactor* ProposeCandidates(
      grpc::CallbackServerContext* context,
      const v1::ProposeCandidatesRequest* request,
      v1::ProposeCandidatesResponse* response) override;
  grpc::ServerUnaryReactor* RecordProposals(
      grpc::CallbackServerContext* context,
      const v1::RecordProposalsRequest* request,
      v1::RecordProposalsResponse* response) override;

 private:
  const Gatekeeper* const gatekeeper_;
  Matching matching_;
  // A ProposeTracks answer is some ninety small messages: they are built
  // on an arena. The request and an answer of ten proposals need more than
  // 16 KiB of it: 13.5 KiB of messages and string objects, and the list
  // that frees the strings (arena_messages_test.cc).
  ArenaMessages<v1::ProposeTracksRequest, v1::ProposeTracksResponse, 32 << 10>
      propose_tracks_messages_;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_MATCHING_MATCHING_SERVICE_H_

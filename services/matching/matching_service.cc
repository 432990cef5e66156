#include "services/matching/matching_service.h"

#include "services/common/handler.h"

namespace jobtrack {

grpc::ServerUnaryReactor* MatchingService::ProposeTracks(
    grpc::CallbackServerContext* context,
    const v1::ProposeTracksRequest* request,
    v1::ProposeTracksResponse* response) {
  return Serve(*gatekeeper_, context, *request, response, [=, this] {
    return matching_.ProposeTracks(*request, response);
  });
}

grpc::ServerUnaryReactor* MatchingService::ProposeCandidates(
    grpc::CallbackServerContext* context,
    const v1::ProposeCandidatesRequest* request,
    v1::ProposeCandidatesResponse* response) {
  // The gatekeeper admitted a scoped caller for a track that touches its
  // municipalities; the candidates come from those municipalities only.
  return Serve(*gatekeeper_, context, *request, response,
               [=, this](const CallContext& call) {
                 const bool scoped =
                     call.who != nullptr && call.who->role != security::ADMIN;
                 return matching_.ProposeCandidates(
                     *request, scoped ? &call.who->municipalities : nullptr);
               });
}

grpc::ServerUnaryReactor* MatchingService::RecordProposals(
    grpc::CallbackServerContext* context,
    const v1::RecordProposalsRequest* request,
    v1::RecordProposalsResponse* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this](const CallContext& call) {
                 return matching_.RecordProposals(call, *request);
               });
}

}  // namespace jobtrack

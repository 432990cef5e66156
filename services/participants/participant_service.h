// gRPC handler of jobtrack.v1.ParticipantService.
#ifndef JOBTRACK_SERVICES_PARTICIPANTS_PARTICIPANT_SERVICE_H_
#define JOBTRACK_SERVICES_PARTICIPANTS_PARTICIPANT_SERVICE_H_

#include "jobtrack/v1/participant.grpc.pb.h"
#include "services/participants/participants.h"

namespace jobtrack {

class ParticipantService final
    : public v1::ParticipantService::CallbackService {
 public:
  explicit ParticipantService(Deps deps)
      : gatekeeper_(deps.gatekeeper), participants_(deps) {}

  grpc::ServerUnaryReactor* CreateParticipant(
      grpc::CallbackServerContext* context,
      const v1::CreateParticipantRequest* request,
      v1::Participant* response) override;
  grpc::ServerUnaryReactor* GetParticipant(
      grpc::CallbackServerContext* context,
      const v1::GetParticipantRequest* request,
      v1::Participant* response) override;
  grpc::ServerUnaryReactor* ListParticipants(
      grpc::CallbackServerContext* context,
      const v1::ListParticipantsRequest* request,
      v1::ListParticipantsResponse* response) override;
  grpc::ServerUnaryReactor* UpdateParticipant(
      grpc::CallbackServerContext* context,
      const v1::UpdateParticipantRequest* request,
      v1::Participant* response) override;
  grpc::ServerUnaryReactor* LookupParticipant(
      grpc::CallbackServerContext* context,
      const v1::LookupParticipantRequest* request,
      v1::Participant* response) override;
  grpc::ServerUnaryReactor* EraseParticipant(
      grpc::CallbackServerContext* context,
      const v1::EraseParticipantRequest* request,
      v1::Participant* response) override;

 private:
  const Gatekeeper* const gatekeeper_;
  Participants participants_;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_PARTICIPANTS_PARTICIPANT_SERVICE_H_

// gRPC handler of jobtrack.v1.ParticipationService.
#ifndef JOBTRACK_SERVICES_PARTICIPATIONS_PARTICIPATION_SERVICE_H_
#define JOBTRACK_SERVICES_PARTICIPATIONS_PARTICIPATION_SERVICE_H_

#include "jobtrack/v1/participation_service.grpc.pb.h"
#include "services/participations/participations.h"

namespace jobtrack {

class ParticipationService final
    : public v1::ParticipationService::CallbackService {
 public:
  explicit ParticipationService(Deps deps)
      : gatekeeper_(deps.gatekeeper), participations_(deps) {}

#define JT_UNARY(Method, Request, Response)                              \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* context, \
                                   const v1::Request* request,           \
                                   v1::Response* response) override;
  JT_UNARY(ProposeParticipation, ProposeParticipationRequest, Participation)
  JT_UNARY(SelectParticipation, SelectParticipationRequest, Participation)
  JT_UNARY(DeclineParticipation, DeclineParticipationRequest, Participation)
  JT_UNARY(EnrollParticipation, EnrollParticipationRequest, Participation)
  JT_UNARY(ReportStepProgress, ReportStepProgressRequest, Participation)
  JT_UNARY(CompleteParticipation, CompleteParticipationRequest, Participation)
  JT_UNARY(InterruptParticipation, InterruptParticipationRequest, Participation)
  JT_UNARY(RecordOutcome, RecordOutcomeRequest, Participation)
  JT_UNARY(CorrectParticipationEvent, CorrectParticipationEventRequest,
           Participation)
  JT_UNARY(GetParticipation, GetParticipationRequest, Participation)
  JT_UNARY(ListParticipations, ListParticipationsRequest,
           ListParticipationsResponse)
  JT_UNARY(ListParticipationEvents, ListParticipationEventsRequest,
           ListParticipationEventsResponse)
#undef JT_UNARY

 private:
  const Gatekeeper* const gatekeeper_;
  Participations participations_;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_PARTICIPATIONS_PARTICIPATION_SERVICE_H_

#include "services/participations/participation_service.h"

#include "services/common/handler.h"

namespace jobtrack {

// Life-cycle commands: each maps to the domain method of the same meaning.
#define JT_COMMAND(Method, Request, Domain)                             \
  grpc::ServerUnaryReactor* ParticipationService::Method(               \
      grpc::CallbackServerContext* context, const v1::Request* request, \
      v1::Participation* response) {                                    \
    return Serve(*gatekeeper_, context, *request, response,             \
                 [=, this](const CallContext& call) {                   \
                   return participations_.Domain(call, *request);       \
                 });                                                    \
  }

JT_COMMAND(ProposeParticipation, ProposeParticipationRequest, Propose)
JT_COMMAND(SelectParticipation, SelectParticipationRequest, Select)
JT_COMMAND(DeclineParticipation, DeclineParticipationRequest, Decline)
JT_COMMAND(EnrollParticipation, EnrollParticipationRequest, Enroll)
JT_COMMAND(ReportStepProgress, ReportStepProgressRequest, ReportStepProgress)
JT_COMMAND(CompleteParticipation, CompleteParticipationRequest, Complete)
JT_COMMAND(InterruptParticipation, InterruptParticipationRequest, Interrupt)
JT_COMMAND(RecordOutcome, RecordOutcomeRequest, RecordOutcome)
JT_COMMAND(CorrectParticipationEvent, CorrectParticipationEventRequest, Correct)
#undef JT_COMMAND

grpc::ServerUnaryReactor* ParticipationService::GetParticipation(
    grpc::CallbackServerContext* context,
    const v1::GetParticipationRequest* request, v1::Participation* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this] { return participations_.Get(*request); });
}

grpc::ServerUnaryReactor* ParticipationService::ListParticipations(
    grpc::CallbackServerContext* context,
    const v1::ListParticipationsRequest* request,
    v1::ListParticipationsResponse* response) {
  return ServeList(
      *gatekeeper_, context, request, response, participations_,
      [](auto& r) { return r.add_participations(); },
      [this](const CallContext& call, const auto& item) {
        return gatekeeper_->Reaches(call, item.name());
      });
}

grpc::ServerUnaryReactor* ParticipationService::ListParticipationEvents(
    grpc::CallbackServerContext* context,
    const v1::ListParticipationEventsRequest* request,
    v1::ListParticipationEventsResponse* response) {
  return Serve(
      *gatekeeper_, context, *request, response,
      [=, this]() -> absl::StatusOr<v1::ListParticipationEventsResponse> {
        auto events = participations_.Events(request->name());
        if (!events.ok()) return events.status();
        v1::ListParticipationEventsResponse out;
        for (auto& e : *events) *out.add_events() = std::move(e);
        return out;
      });
}

}  // namespace jobtrack

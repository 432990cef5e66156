#include "services/followup/followup_service.h"

#include "services/common/handler.h"
#include "services/common/producer_stream.h"

namespace jobtrack {

grpc::ServerUnaryReactor* FollowUpService::GetReport(
    grpc::CallbackServerContext* context, const v1::GetReportRequest* request,
    v1::Report* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [&](const CallContext& call) {
                 return follow_up_.GetReport(call, *request);
               });
}

grpc::ServerUnaryReactor* FollowUpService::ListPeriods(
    grpc::CallbackServerContext* context, const v1::ListPeriodsRequest* request,
    v1::ListPeriodsResponse* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [&] { return follow_up_.ListPeriods(*request); });
}

grpc::ServerUnaryReactor* FollowUpService::ClosePeriod(
    grpc::CallbackServerContext* context, const v1::ClosePeriodRequest* request,
    v1::FollowUpPeriod* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [&](const CallContext& call) {
                 return follow_up_.ClosePeriod(call, *request);
               });
}

grpc::ServerWriteReactor<v1::ParticipationRow>*
FollowUpService::ExportParticipations(
    grpc::CallbackServerContext* context,
    const v1::ExportParticipationsRequest* request) {
  absl::StatusOr<CallContext> admitted = gatekeeper_->Admit(*context, *request);
  if (!admitted.ok()) {
    return ProducerStream<v1::ParticipationRow>::Refuse(admitted.status());
  }
  // Audited when the export starts (the rows name no resources).
  if (absl::Status s =
          gatekeeper_->Audit(*admitted, *request, nullptr, absl::OkStatus());
      !s.ok()) {
    return ProducerStream<v1::ParticipationRow>::Refuse(s);
  }
  return new ProducerStream<v1::ParticipationRow>(
      [this, request = *request](StreamSink<v1::ParticipationRow>& sink) {
        return follow_up_.ExportParticipations(
            request,
            [&](const v1::ParticipationRow& row) { return sink.Send(row); });
      });
}

}  // namespace jobtrack

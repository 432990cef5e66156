#include "services/followup/followup_service.h"

#include "services/common/handler.h"
#include "services/common/producer_stream.h"

namespace jobtrack {

grpc::ServerUnaryReactor* FollowUpService::GetReport(
    grpc::CallbackServerContext* context, const v1::GetReportRequest* request,
    v1::Report* response) {
  return Serve(context, response,
               [&] { return follow_up_.GetReport(*request); });
}

grpc::ServerUnaryReactor* FollowUpService::ListPeriods(
    grpc::CallbackServerContext* context, const v1::ListPeriodsRequest* request,
    v1::ListPeriodsResponse* response) {
  return Serve(context, response,
               [&] { return follow_up_.ListPeriods(*request); });
}

grpc::ServerUnaryReactor* FollowUpService::ClosePeriod(
    grpc::CallbackServerContext* context, const v1::ClosePeriodRequest* request,
    v1::FollowUpPeriod* response) {
  return Serve(context, response, [&] {
    return follow_up_.ClosePeriod(
        ContextOf(context, "FollowUpService.ClosePeriod"), *request);
  });
}

grpc::ServerWriteReactor<v1::ParticipationRow>*
FollowUpService::ExportParticipations(
    grpc::CallbackServerContext* /*context*/,
    const v1::ExportParticipationsRequest* request) {
  return new ProducerStream<v1::ParticipationRow>(
      [this, request = *request](StreamSink<v1::ParticipationRow>& sink) {
        return follow_up_.ExportParticipations(
            request,
            [&](const v1::ParticipationRow& row) { return sink.Send(row); });
      });
}

}  // namespace jobtrack

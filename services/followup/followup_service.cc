#include "services/followup/followup_service.h"

#include "services/common/handler.h"
#include "services/common/producer_stream.h"
#include "services/security/report_scope.h"

namespace jobtrack {

absl::Status FollowUpService::Narrow(const CallContext& call,
                                     v1::ReportScope* scope) const {
  if (call.who == nullptr) return absl::OkStatus();
  std::unique_ptr<storage::Reader> reader = storage_->Snapshot();
  return NarrowReportScope(*reader, *call.who, scope);
}

grpc::ServerUnaryReactor* FollowUpService::GetReport(
    grpc::CallbackServerContext* context, const v1::GetReportRequest* request,
    v1::Report* response) {
  return Serve(
      *gatekeeper_, context, *request, response,
      [=, this](const CallContext& call) -> absl::StatusOr<v1::Report> {
        v1::GetReportRequest narrowed = *request;
        if (absl::Status s = Narrow(call, narrowed.mutable_scope()); !s.ok()) {
          return s;
        }
        return follow_up_.GetReport(call, narrowed);
      });
}

grpc::ServerUnaryReactor* FollowUpService::ListPeriods(
    grpc::CallbackServerContext* context, const v1::ListPeriodsRequest* request,
    v1::ListPeriodsResponse* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this] { return follow_up_.ListPeriods(*request); });
}

grpc::ServerUnaryReactor* FollowUpService::ClosePeriod(
    grpc::CallbackServerContext* context, const v1::ClosePeriodRequest* request,
    v1::FollowUpPeriod* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this](const CallContext& call) {
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
  v1::ExportParticipationsRequest narrowed = *request;
  absl::Status opened = Narrow(*admitted, narrowed.mutable_scope());
  // Audited when the export starts (the rows name no resources).
  opened = gatekeeper_->Audit(*admitted, *request, nullptr, opened);
  if (!opened.ok()) return ProducerStream<v1::ParticipationRow>::Refuse(opened);
  return new ProducerStream<v1::ParticipationRow>(
      [this,
       request = std::move(narrowed)](StreamSink<v1::ParticipationRow>& sink) {
        return follow_up_.ExportParticipations(
            request,
            [&](const v1::ParticipationRow& row) { return sink.Send(row); });
      });
}

}  // namespace jobtrack

#include "services/followup/followup_service.h"

#include "services/common/handler.h"

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

}  // namespace jobtrack

#include "services/audit/audit_service.h"

#include "services/common/handler.h"

namespace jobtrack {

grpc::ServerUnaryReactor* AuditService::ListAuditEvents(
    grpc::CallbackServerContext* context,
    const v1::ListAuditEventsRequest* request,
    v1::ListAuditEventsResponse* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this]() -> absl::StatusOr<v1::ListAuditEventsResponse> {
                 if (audit_ == nullptr) {
                   return absl::FailedPreconditionError(
                       "this server keeps no audit log");
                 }
                 return audit_->List(*request);
               });
}

}  // namespace jobtrack

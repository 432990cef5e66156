// gRPC handler of jobtrack.v1.AuditService.
#ifndef JOBTRACK_SERVICES_AUDIT_AUDIT_SERVICE_H_
#define JOBTRACK_SERVICES_AUDIT_AUDIT_SERVICE_H_

#include "jobtrack/v1/audit.grpc.pb.h"
#include "services/audit/audit_log.h"
#include "services/common/deps.h"

namespace jobtrack {

class AuditService final : public v1::AuditService::CallbackService {
 public:
  explicit AuditService(Deps deps)
      : gatekeeper_(deps.gatekeeper), audit_(deps.audit) {}

  grpc::ServerUnaryReactor* ListAuditEvents(
      grpc::CallbackServerContext* context,
      const v1::ListAuditEventsRequest* request,
      v1::ListAuditEventsResponse* response) override;

 private:
  const Gatekeeper* const gatekeeper_;
  const AuditLog* const audit_;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_AUDIT_AUDIT_SERVICE_H_

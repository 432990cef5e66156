// gRPC handler of jobtrack.v1.ChangeService.
#ifndef JOBTRACK_SERVICES_CHANGES_CHANGE_SERVICE_H_
#define JOBTRACK_SERVICES_CHANGES_CHANGE_SERVICE_H_

#include "jobtrack/v1/change_service.grpc.pb.h"
#include "services/common/deps.h"

namespace jobtrack {

class ChangeService final : public v1::ChangeService::CallbackService {
 public:
  explicit ChangeService(Deps deps)
      : gatekeeper_(deps.gatekeeper), deps_(deps) {}

  grpc::ServerWriteReactor<v1::Event>* WatchChanges(
      grpc::CallbackServerContext* context,
      const v1::WatchChangesRequest* request) override;

 private:
  const Gatekeeper* const gatekeeper_;
  const Deps deps_;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_CHANGES_CHANGE_SERVICE_H_

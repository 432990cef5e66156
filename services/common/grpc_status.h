// absl::Status → grpc::Status, the one place where domain errors meet the
// wire. Payloads added by errors.h become google.rpc.Status details.
#ifndef JOBTRACK_SERVICES_COMMON_GRPC_STATUS_H_
#define JOBTRACK_SERVICES_COMMON_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace jobtrack {

grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_GRPC_STATUS_H_

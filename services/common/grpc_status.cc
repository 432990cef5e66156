#include "services/common/grpc_status.h"

#include <string>

#include "absl/strings/string_view.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/common/errors.h"

namespace jobtrack {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  google::rpc::Status details;
  details.set_code(static_cast<int>(status.code()));
  details.set_message(std::string(status.message()));
  bool has_info = false;
  status.ForEachPayload(
      [&](absl::string_view type_url, const absl::Cord& value) {
        auto* any = details.add_details();
        any->set_type_url(std::string(type_url));
        any->set_value(std::string(value));
        if (type_url == kErrorInfoTypeUrl) has_info = true;
      });
  if (!has_info) {
    // Every error names its domain and a machine-readable reason.
    google::rpc::ErrorInfo info;
    info.set_domain(kErrorDomain);
    info.set_reason(absl::StatusCodeToString(status.code()));
    details.add_details()->PackFrom(info);
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()),
                      details.SerializeAsString());
}

}  // namespace jobtrack

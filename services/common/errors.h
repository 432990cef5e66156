// Building API errors as absl::Status with structured details.
//
// Details ride as absl::Status payloads keyed by their type URL
// (google.rpc.BadRequest, google.rpc.ErrorInfo); grpc_status.h turns them
// into the gRPC status details. Messages never contain personal data.
#ifndef JOBTRACK_SERVICES_COMMON_ERRORS_H_
#define JOBTRACK_SERVICES_COMMON_ERRORS_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace jobtrack {

inline constexpr char kErrorDomain[] = "jobtrack.se";
inline constexpr char kBadRequestTypeUrl[] =
    "type.googleapis.com/google.rpc.BadRequest";
inline constexpr char kErrorInfoTypeUrl[] =
    "type.googleapis.com/google.rpc.ErrorInfo";

// Collects every invalid field of a request, so the caller learns all of
// them at once.
class FieldViolations {
 public:
  // `field` is the path in the request, e.g. "employer.sni_code".
  void Add(std::string field, std::string description);
  bool empty() const { return violations_.empty(); }
  // INVALID_ARGUMENT carrying a BadRequest; OK if nothing was added.
  absl::Status ToStatus() const;

 private:
  std::vector<std::pair<std::string, std::string>> violations_;
};

// INVALID_ARGUMENT for one field.
absl::Status InvalidField(std::string field, std::string description);

// Attaches an ErrorInfo with `reason` (UPPER_SNAKE_CASE) to `status`.
absl::Status WithReason(absl::Status status, absl::string_view reason);

absl::Status ResourceNotFound(absl::string_view name);
absl::Status ResourceAlreadyExists(absl::string_view what);
// ABORTED: the etag sent does not match the resource's.
absl::Status EtagMismatch(absl::string_view name);
// FAILED_PRECONDITION with an ErrorInfo reason.
absl::Status Precondition(absl::string_view reason, std::string message);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_ERRORS_H_

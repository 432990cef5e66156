#include "services/common/errors.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "google/rpc/error_details.pb.h"

namespace jobtrack {

void FieldViolations::Add(std::string field, std::string description) {
  violations_.emplace_back(std::move(field), std::move(description));
}

absl::Status FieldViolations::ToStatus() const {
  if (violations_.empty()) return absl::OkStatus();
  google::rpc::BadRequest bad_request;
  std::vector<std::string> parts;
  for (const auto& [field, description] : violations_) {
    auto* v = bad_request.add_field_violations();
    v->set_field(field);
    v->set_description(description);
    parts.push_back(absl::StrCat(field, ": ", description));
  }
  absl::Status status = absl::InvalidArgumentError(
      absl::StrCat("invalid request: ", absl::StrJoin(parts, "; ")));
  status.SetPayload(kBadRequestTypeUrl,
                    absl::Cord(bad_request.SerializeAsString()));
  return WithReason(std::move(status), "INVALID_FIELD");
}

absl::Status InvalidField(std::string field, std::string description) {
  FieldViolations violations;
  violations.Add(std::move(field), std::move(description));
  return violations.ToStatus();
}

absl::Status WithReason(absl::Status status, absl::string_view reason) {
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  info.set_domain(kErrorDomain);
  status.SetPayload(kErrorInfoTypeUrl, absl::Cord(info.SerializeAsString()));
  return status;
}

absl::Status ResourceNotFound(absl::string_view name) {
  return WithReason(absl::NotFoundError(absl::StrCat(name, " not found")),
                    "NOT_FOUND");
}

absl::Status ResourceAlreadyExists(absl::string_view what) {
  return WithReason(absl::AlreadyExistsError(std::string(what)),
                    "ALREADY_EXISTS");
}

absl::Status EtagMismatch(absl::string_view name) {
  return WithReason(
      absl::AbortedError(absl::StrCat(
          name, " was changed by someone else (etag mismatch); read it again")),
      "ETAG_MISMATCH");
}

absl::Status Precondition(absl::string_view reason, std::string message) {
  return WithReason(absl::FailedPreconditionError(std::move(message)), reason);
}

}  // namespace jobtrack

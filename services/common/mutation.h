// Running a mutating call: one transaction, one atomic commit, and safe
// retries by request_id (DESIGN 9.3).
#ifndef JOBTRACK_SERVICES_COMMON_MUTATION_H_
#define JOBTRACK_SERVICES_COMMON_MUTATION_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "services/common/deps.h"
#include "services/common/principal.h"
#include "storage/storage.h"

namespace jobtrack {

class AuditLog;

// Who is calling what. Request ids are scoped by both.
struct CallContext {
  std::string principal = "anonymous";
  std::string method;
  // The authenticated caller (null in domain tests that call directly).
  std::shared_ptr<const Principal> who = nullptr;
  // Where the call is audited, if it must be (it reads or writes personal
  // data); null otherwise.
  const AuditLog* audit = nullptr;
  // Set by RunMutation once the call's audit entry was committed with its
  // writes, so that the handler does not append a second one.
  mutable bool audit_committed = false;
};

// True for a UUID in its 8-4-4-4-12 hex form.
bool IsUuid(absl::string_view text);

// Runs `body` in a transaction and commits what it wrote.
//
// With a non-empty `request_id` (it must be a UUID, else INVALID_ARGUMENT
// naming request_id): if an unexpired record for (principal, method, id)
// exists, the stored response is returned without running `body`, provided
// the request is the same (else INVALID_ARGUMENT naming request_id). The
// request's fingerprint is keyed with the server's hashing key, because a
// request may carry a personnummer. The record key is locked first, so of two
// concurrent calls with one id exactly one runs `body`; the other waits and
// returns its response (or ABORTED if the wait times out). The response record
// is written in the same commit as `body`'s writes. Failed calls store nothing.
//
// With `context.audit`, the call's audit entry (AuditEntryFor) is written in
// that same commit too, and `context.audit_committed` is set.
absl::Status RunMutationImpl(
    const Deps& deps, const CallContext& context,
    const google::protobuf::Message& request, absl::string_view request_id,
    google::protobuf::Message* response,
    absl::FunctionRef<absl::Status(storage::Transaction&,
                                   google::protobuf::Message*)>
        body);

// Deletes every stored response that names `resource` (and its index
// entries), in `txn`: part of erasing personal data (DESIGN 9.4), since a
// stored response may carry it. A retry of such a request afterwards runs
// again.
absl::Status ForgetRequestsFor(storage::Transaction& txn,
                               absl::string_view resource);

template <typename Response, typename Body>
absl::StatusOr<Response> RunMutation(const Deps& deps,
                                     const CallContext& context,
                                     const google::protobuf::Message& request,
                                     absl::string_view request_id,
                                     Body&& body) {
  Response response;
  absl::Status status = RunMutationImpl(
      deps, context, request, request_id, &response,
      [&](storage::Transaction& txn, google::protobuf::Message* out) {
        absl::StatusOr<Response> result = body(txn);
        if (!result.ok()) return result.status();
        out->CopyFrom(*result);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return response;
}

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_MUTATION_H_

// Test support for calls through gRPC: an in-process server on a free
// loopback port, and readers for the error details a client receives.
#ifndef JOBTRACK_TESTS_SUPPORT_GRPC_SUPPORT_H_
#define JOBTRACK_TESTS_SUPPORT_GRPC_SUPPORT_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/common/deps.h"
#include "services/server/server.h"

namespace jobtrack::testing {

// Starts every service over `deps` on 127.0.0.1 (a free port) without TLS,
// and connects `channel` to it.
absl::Status StartInProcessServer(Deps deps, std::unique_ptr<Server>* server,
                                  std::shared_ptr<grpc::Channel>* channel);

// A client context carrying `authorization: Bearer <token>` (no header if
// `token` is empty).
std::unique_ptr<grpc::ClientContext> WithBearer(const std::string& token);

// A principals-file entry (text format) for `id` with `role` (a
// security.Role name), authenticated by `token`; `extra` adds fields, e.g.
// `municipality_codes: "0180"`.
std::string PrincipalEntry(absl::string_view id, absl::string_view role,
                           const std::string& token,
                           absl::string_view extra = "");

// The google.rpc.BadRequest field paths in a failed call's details.
std::set<std::string> ViolatedFields(const grpc::Status& status);

// The google.rpc.ErrorInfo reason in a failed call's details, or "".
std::string ErrorReason(const grpc::Status& status);

}  // namespace jobtrack::testing

#endif  // JOBTRACK_TESTS_SUPPORT_GRPC_SUPPORT_H_

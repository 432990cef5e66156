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

// Calls the unary `method` (a full name, "/jobtrack.v1.TrackService/GetTrack")
// with `request` as raw bytes, as a foreign client could send them (invalid
// UTF-8 included), within 30 s. On success, `response` (if not null) gets
// the answer's bytes.
grpc::Status CallWithBytes(const std::shared_ptr<grpc::Channel>& channel,
                           const std::string& method,
                           const std::string& request,
                           std::string* response = nullptr);

// The google.rpc.ErrorInfo reason in a failed call's details, or "".
std::string ErrorReason(const grpc::Status& status);

}  // namespace jobtrack::testing

#endif  // JOBTRACK_TESTS_SUPPORT_GRPC_SUPPORT_H_

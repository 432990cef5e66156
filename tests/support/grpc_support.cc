#include "tests/support/grpc_support.h"

#include <grpcpp/generic/generic_stub.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/security/principal_registry.h"

namespace jobtrack::testing {

absl::Status StartInProcessServer(Deps deps, std::unique_ptr<Server>* server,
                                  std::shared_ptr<grpc::Channel>* channel) {
  ServerOptions options;
  options.listen_address = "127.0.0.1:0";
  absl::StatusOr<std::unique_ptr<Server>> started =
      Server::Start(options, deps, grpc::InsecureServerCredentials());
  if (!started.ok()) return started.status();
  *server = *std::move(started);
  *channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*server)->port()),
                                 grpc::InsecureChannelCredentials());
  return absl::OkStatus();
}

std::unique_ptr<grpc::ClientContext> WithBearer(const std::string& token) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) {
    context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  }
  return context;
}

std::string PrincipalEntry(absl::string_view id, absl::string_view role,
                           const std::string& token, absl::string_view extra) {
  return absl::StrCat("principals { id: \"", id, "\" role: ", role,
                      " token_sha256: \"", PrincipalRegistry::HashToken(token),
                      "\" ", extra, " }\n");
}

std::set<std::string> ViolatedFields(const grpc::Status& status) {
  std::set<std::string> fields;
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return fields;
  for (const auto& any : details.details()) {
    google::rpc::BadRequest bad;
    if (any.UnpackTo(&bad)) {
      for (const auto& v : bad.field_violations()) fields.insert(v.field());
    }
  }
  return fields;
}

std::string ErrorReason(const grpc::Status& status) {
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return "";
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

grpc::Status CallWithBytes(const std::shared_ptr<grpc::Channel>& channel,
                           const std::string& method,
                           const std::string& request, std::string* response) {
  grpc::GenericStub stub(channel);
  grpc::Slice slice(request);
  grpc::ByteBuffer in(&slice, 1), out;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(30));
  grpc::Status status;
  absl::Notification done;
  stub.UnaryCall(&context, method, grpc::StubOptions(), &in, &out,
                 [&](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();
  if (status.ok() && response != nullptr) {
    response->clear();
    std::vector<grpc::Slice> slices;
    if (out.Dump(&slices).ok()) {
      for (const auto& piece : slices) {
        response->append(reinterpret_cast<const char*>(piece.begin()),
                         piece.size());
      }
    }
  }
  return status;
}

}  // namespace jobtrack::testing

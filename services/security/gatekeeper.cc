#include "services/security/gatekeeper.h"

#include "absl/strings/strip.h"
#include "absl/strings/string_view.h"
#include "services/security/access_policy.h"

namespace jobtrack {
namespace {

absl::string_view View(const grpc::string_ref& ref) {
  return absl::string_view(ref.data(), ref.size());
}

}  // namespace

Gatekeeper::Gatekeeper(const PrincipalRegistry* registry)
    : Gatekeeper(registry, nullptr) {}

Gatekeeper::Gatekeeper(const PrincipalRegistry* registry,
                       std::shared_ptr<const Principal> everyone)
    : registry_(registry), everyone_(std::move(everyone)) {}

std::unique_ptr<Gatekeeper> Gatekeeper::LocalDevelopment() {
  auto developer = std::make_shared<Principal>();
  developer->id = "local-developer";
  developer->role = security::ADMIN;
  return std::unique_ptr<Gatekeeper>(
      new Gatekeeper(nullptr, std::move(developer)));
}

std::string Gatekeeper::MethodOf(const google::protobuf::Message& request) {
  absl::string_view name = request.GetDescriptor()->name();
  absl::ConsumeSuffix(&name, "Request");
  return std::string(name);
}

absl::StatusOr<CallContext> Gatekeeper::Admit(
    const grpc::ServerContextBase& context,
    const google::protobuf::Message& request) const {
  CallContext call;
  call.method = MethodOf(request);
  std::shared_ptr<const Principal> who = everyone_;
  if (who == nullptr) {
    absl::string_view token;
    const auto& metadata = context.client_metadata();
    if (auto it = metadata.find("authorization"); it != metadata.end()) {
      absl::string_view value = View(it->second);
      if (!absl::ConsumePrefix(&value, "Bearer ")) {
        return absl::UnauthenticatedError(
            "the authorization header must be `Bearer <token>`");
      }
      token = value;
    }
    std::string certificate;
    if (const auto auth = context.auth_context();
        auth != nullptr && auth->IsPeerAuthenticated()) {
      for (const grpc::string_ref& cn :
           auth->FindPropertyValues(GRPC_X509_CN_PROPERTY_NAME)) {
        certificate = std::string(View(cn));
      }
    }
    absl::StatusOr<std::shared_ptr<const Principal>> found =
        registry_->Authenticate(token, certificate);
    if (!found.ok()) return found.status();
    who = *std::move(found);
  }
  if (absl::Status s = CheckAccess(*who, call.method); !s.ok()) return s;
  call.principal = who->id;
  call.who = std::move(who);
  return call;
}

}  // namespace jobtrack

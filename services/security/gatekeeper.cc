#include "services/security/gatekeeper.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "services/audit/audit_entry.h"
#include "services/common/log.h"
#include "services/security/access_policy.h"
#include "services/security/resource_scope.h"

namespace jobtrack {
namespace {

absl::string_view View(const grpc::string_ref& ref) {
  return absl::string_view(ref.data(), ref.size());
}

// The strings at a dotted field path of `message` ("participant.name",
// "track.municipality_codes"): one, every element of a repeated last
// field, or none if a field on the way is missing or not a string.
std::vector<std::string> FieldTexts(const google::protobuf::Message& message,
                                    absl::string_view path) {
  const google::protobuf::Message* at = &message;
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    const google::protobuf::FieldDescriptor* field =
        at->GetDescriptor()->FindFieldByName(std::string(part));
    if (field == nullptr) return {};
    const google::protobuf::Reflection* reflection = at->GetReflection();
    if (field->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE) {
      if (field->is_repeated()) return {};
      at = &reflection->GetMessage(*at, field);
      continue;
    }
    if (field->type() != google::protobuf::FieldDescriptor::TYPE_STRING) {
      return {};
    }
    if (!field->is_repeated()) return {reflection->GetString(*at, field)};
    std::vector<std::string> values;
    for (int i = 0; i < reflection->FieldSize(*at, field); ++i) {
      values.push_back(reflection->GetRepeatedString(*at, field, i));
    }
    return values;
  }
  return {};
}

}  // namespace

Gatekeeper::Gatekeeper(const PrincipalRegistry* registry,
                       storage::Storage* storage, const AuditLog* audit)
    : Gatekeeper(registry, storage, audit, nullptr) {}

Gatekeeper::Gatekeeper(const PrincipalRegistry* registry,
                       storage::Storage* storage, const AuditLog* audit,
                       std::shared_ptr<const Principal> everyone)
    : registry_(registry),
      storage_(storage),
      audit_(audit),
      everyone_(std::move(everyone)) {}

WorkerPool* Gatekeeper::WritersFor(
    const google::protobuf::Message& request) const {
  if (writers_ == nullptr) return nullptr;
  return request.GetDescriptor()->FindFieldByName("request_id") != nullptr
             ? writers_
             : nullptr;
}

std::unique_ptr<Gatekeeper> Gatekeeper::LocalDevelopment(
    const AuditLog* audit) {
  auto developer = std::make_shared<Principal>();
  developer->id = "local-developer";
  developer->role = security::ADMIN;
  return std::unique_ptr<Gatekeeper>(
      new Gatekeeper(nullptr, nullptr, audit, std::move(developer)));
}

std::string Gatekeeper::MethodOf(const google::protobuf::Message& request) {
  absl::string_view name = request.GetDescriptor()->name();
  absl::ConsumeSuffix(&name, "Request");
  return std::string(name);
}

absl::Status Gatekeeper::CheckScope(
    const Principal& principal, absl::string_view method,
    const google::protobuf::Message& request) const {
  if (principal.role == security::ADMIN ||
      principal.role == security::REPORTER) {
    return absl::OkStatus();
  }
  std::unique_ptr<storage::Reader> reader;
  const ScopeRequirement& required = ScopeTargets(method, principal.role);
  for (absl::string_view path : required.targets) {
    for (const std::string& value : FieldTexts(request, path)) {
      if (value.empty()) continue;  // Not given: nothing to reach.
      bool reached = false;
      if (absl::EndsWith(path, "municipality_code") ||
          absl::EndsWith(path, "municipality_codes")) {
        reached = principal.municipalities.contains(value);
      } else {
        if (reader == nullptr) reader = storage_->Snapshot();
        absl::StatusOr<bool> reaches =
            ReachesName(*reader, principal, value, required.whole_track);
        if (!reaches.ok()) return reaches.status();  // Not a refusal.
        reached = *reaches;
      }
      if (!reached) {
        return absl::PermissionDeniedError(
            absl::StrCat(principal.id, " may not reach ", value));
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> Gatekeeper::Reaches(const CallContext& call,
                                         absl::string_view name) const {
  // ADMIN needs no read (and LocalDevelopment has no storage).
  if (call.who == nullptr || call.who->role == security::ADMIN) return true;
  std::unique_ptr<storage::Reader> reader = storage_->Snapshot();
  return ReachesName(*reader, *call.who, name);
}

absl::Status Gatekeeper::Redact(const CallContext& call,
                                absl::Status status) const {
  if (!absl::IsAlreadyExists(status) || call.who == nullptr ||
      call.who->role == security::ADMIN) {
    return status;
  }
  const absl::string_view message = status.message();
  const size_t at = message.find("participants/");
  if (at == absl::string_view::npos) return status;
  absl::StatusOr<bool> reached = Reaches(call, message.substr(at));
  if (reached.ok() && *reached) return status;
  absl::Status redacted(status.code(), message.substr(0, at));
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
    redacted.SetPayload(url, payload);
  });
  return redacted;
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
  call.principal = who->id;
  call.who = std::move(who);
  absl::Status allowed = CheckAccess(*call.who, call.method);
  if (allowed.ok()) allowed = CheckScope(*call.who, call.method, request);
  if (absl::IsPermissionDenied(allowed)) {
    if (audit_ != nullptr) {
      // The refusal stands even if it cannot be recorded.
      absl::Status s =
          audit_->Append(AuditEntryFor(call, request, nullptr, allowed));
      if (!s.ok()) LogWarning("audit entry not written: ", s.ToString());
    }
    return allowed;
  }
  if (!allowed.ok()) return allowed;
  if (audit_ != nullptr && IsPersonalDataMethod(call.method)) {
    call.audit = audit_;
  }
  return call;
}

absl::Status Gatekeeper::Audit(const CallContext& call,
                               const google::protobuf::Message& request,
                               const google::protobuf::Message* response,
                               absl::Status result) const {
  if (call.audit_committed) return result;
  // A method without personal data is audited only when it is refused.
  const AuditLog* audit = call.audit;
  if (audit == nullptr && absl::IsPermissionDenied(result)) audit = audit_;
  if (audit == nullptr) return result;
  absl::Status s = audit->Append(
      AuditEntryFor(call, request, result.ok() ? response : nullptr, result));
  if (!s.ok()) {
    return absl::Status(
        s.code(), absl::StrCat("the call could not be audited: ", s.message()));
  }
  return result;
}

}  // namespace jobtrack

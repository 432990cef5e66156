#include "services/common/mutation.h"

#include <memory>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "services/audit/audit_entry.h"
#include "services/audit/audit_log.h"
#include "services/common/errors.h"
#include "services/common/resource.h"
#include "storage/keys.h"
#include "storage/records.pb.h"

namespace jobtrack {
namespace {

using google::protobuf::Message;

std::string Fingerprint(const Deps& deps, const Message& request) {
  return deps.hasher->Hash("request",
                           DeterministicDigest(request, "request_id"));
}

}  // namespace

bool IsUuid(absl::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return false;
    } else if (!absl::ascii_isxdigit(text[i])) {
      return false;
    }
  }
  return true;
}

absl::Status ForgetRequestsFor(storage::Transaction& txn,
                               absl::string_view resource) {
  std::vector<std::string> entries;
  absl::Status s = txn.Scan(storage::Column::kRequests,
                            storage::RequestByResourcePrefix(resource), "",
                            [&](absl::string_view key, absl::string_view) {
                              entries.emplace_back(key);
                              return true;
                            });
  if (!s.ok()) return s;
  for (const std::string& entry : entries) {
    const std::string request_key = storage::RequestKeyOf(entry);
    if (!request_key.empty()) {
      s = txn.Delete(storage::Column::kRequests, request_key);
      if (!s.ok()) return s;
    }
    s = txn.Delete(storage::Column::kRequests, entry);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status RunMutationImpl(
    const Deps& deps, const CallContext& context, const Message& request,
    absl::string_view request_id, Message* response,
    absl::FunctionRef<absl::Status(storage::Transaction&, Message*)> body) {
  if (!request_id.empty() && !IsUuid(request_id)) {
    return InvalidField("request_id", "must be a UUID (8-4-4-4-12 hex digits)");
  }
  storage::Storage& storage = *deps.storage;
  std::unique_ptr<storage::Transaction> txn = storage.Begin();
  std::string key;
  std::string fingerprint;
  if (!request_id.empty()) {
    key = storage::RequestKey(context.principal, context.method,
                              absl::AsciiStrToLower(request_id));
    fingerprint = Fingerprint(deps, request);
    absl::StatusOr<std::optional<std::string>> stored =
        txn->GetForUpdate(storage::Column::kRequests, key);
    if (!stored.ok()) return stored.status();
    if (stored->has_value()) {
      storage::RequestRecord record;
      if (!record.ParseFromString(**stored)) {
        return absl::DataLossError("stored request record is unreadable");
      }
      const absl::Time recorded =
          absl::FromUnixMicros(record.record_time_micros());
      if (recorded + storage.options().request_ttl >= storage.Now()) {
        if (record.request_fingerprint() != fingerprint) {
          return InvalidField("request_id",
                              "was already used for a different request");
        }
        if (!response->ParseFromString(record.response())) {
          return absl::DataLossError("stored response is unreadable");
        }
        return absl::OkStatus();
      }
    }
  }
  if (absl::Status s = body(*txn, response); !s.ok()) return s;
  if (!request_id.empty()) {
    storage::RequestRecord record;
    record.set_request_fingerprint(fingerprint);
    record.set_response(response->SerializeAsString());
    record.set_record_time_micros(absl::ToUnixMicros(storage.Now()));
    absl::Status s =
        txn->Put(storage::Column::kRequests, key, record.SerializeAsString());
    if (!s.ok()) return s;
    // Remember which resource the response names, for erasure.
    const auto* name_field = response->GetDescriptor()->FindFieldByName("name");
    if (name_field != nullptr &&
        name_field->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
      const std::string name =
          response->GetReflection()->GetString(*response, name_field);
      if (!name.empty()) {
        storage::RequestRecord stamp;
        stamp.set_record_time_micros(record.record_time_micros());
        s = txn->Put(storage::Column::kRequests,
                     storage::RequestByResourceKey(name, key),
                     stamp.SerializeAsString());
        if (!s.ok()) return s;
      }
    }
  }
  if (context.audit != nullptr) {
    v1::AuditEvent entry =
        AuditEntryFor(context, request, response, absl::OkStatus());
    entry.set_committed_with_write(true);
    absl::Status s = context.audit->AddToCommit(*txn, std::move(entry));
    if (!s.ok()) return s;
  }
  if (absl::Status s = txn->Commit(); !s.ok()) return s;
  context.audit_committed = context.audit != nullptr;
  return absl::OkStatus();
}

}  // namespace jobtrack

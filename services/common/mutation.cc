#include "services/common/mutation.h"

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
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
  }
  return txn->Commit();
}

}  // namespace jobtrack

#include "services/common/resource.h"

#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "services/common/errors.h"
#include "services/common/sha256.h"

namespace jobtrack {

using google::protobuf::Message;

namespace {

std::string SerializeDeterministically(const Message& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return bytes;
}

std::string EtagOf(absl::string_view digest) {
  return absl::BytesToHexString(digest.substr(0, 8));
}

}  // namespace

std::string DeterministicDigest(const Message& message,
                                absl::string_view skip_field) {
  const auto* field =
      message.GetDescriptor()->FindFieldByName(std::string(skip_field));
  // Copied only when there is something to clear: a reflective copy costs
  // more than the digest.
  if (field == nullptr || !message.GetReflection()->HasField(message, field)) {
    return Sha256(SerializeDeterministically(message));
  }
  std::unique_ptr<Message> copy(message.New());
  copy->CopyFrom(message);
  copy->GetReflection()->ClearField(copy.get(), field);
  return Sha256(SerializeDeterministically(*copy));
}

std::string ComputeEtag(const Message& record) {
  return EtagOf(DeterministicDigest(record, "etag"));
}

void StampEtag(Message* record) {
  const auto* field = record->GetDescriptor()->FindFieldByName("etag");
  const auto* reflection = record->GetReflection();
  // Cleared first, so that ComputeEtag has nothing to clear in a copy: the
  // record is the caller's to change, and gets its new etag next.
  reflection->ClearField(record, field);
  reflection->SetString(record, field, ComputeEtag(*record));
}

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  google::protobuf::Timestamp ts;
  const int64_t micros = absl::ToUnixMicros(time);
  ts.set_seconds(micros / 1000000);
  ts.set_nanos(static_cast<int32_t>((micros % 1000000) * 1000));
  if (ts.nanos() < 0) {
    ts.set_seconds(ts.seconds() - 1);
    ts.set_nanos(ts.nanos() + 1000000000);
  }
  return ts;
}

absl::Status CheckEtag(absl::string_view sent, absl::string_view current,
                       absl::string_view name) {
  if (!sent.empty() && sent != current) return EtagMismatch(name);
  return absl::OkStatus();
}

}  // namespace jobtrack

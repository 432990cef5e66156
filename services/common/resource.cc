#include "services/common/resource.h"

#include <openssl/sha.h>

#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "services/common/errors.h"

namespace jobtrack {

using google::protobuf::Message;

std::string DeterministicDigest(const Message& message,
                                absl::string_view skip_field) {
  std::unique_ptr<Message> copy(message.New());
  copy->CopyFrom(message);
  const auto* field =
      copy->GetDescriptor()->FindFieldByName(std::string(skip_field));
  if (field != nullptr) copy->GetReflection()->ClearField(copy.get(), field);
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    copy->SerializeToCodedStream(&coded);
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
         digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

std::string ComputeEtag(const Message& record) {
  return absl::BytesToHexString(
      DeterministicDigest(record, "etag").substr(0, 8));
}

void StampEtag(Message* record) {
  const auto* field = record->GetDescriptor()->FindFieldByName("etag");
  record->GetReflection()->SetString(record, field, ComputeEtag(*record));
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

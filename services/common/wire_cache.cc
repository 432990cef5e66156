#include "services/common/wire_cache.h"

#include <utility>

namespace jobtrack {

HeldWire WireCache::Get(
    absl::string_view name,
    std::shared_ptr<const google::protobuf::Message> message) {
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = cached_.find(name);
    if (it != cached_.end() && it->second.message == message) {
      return it->second;
    }
  }
  // Serialized outside the lock. Callers that miss together each
  // serialize, and the last to insert stays, even an older version; the
  // identity check keeps every answer current.
  HeldWire held = Serialize(std::move(message));
  absl::MutexLock lock(&mu_);
  cached_.insert_or_assign(std::string(name), held);
  return held;
}

HeldWire WireCache::Serialize(
    std::shared_ptr<const google::protobuf::Message> message) {
  grpc::Slice wire(message->SerializeAsString());
  return HeldWire{std::move(message), std::move(wire)};
}

}  // namespace jobtrack

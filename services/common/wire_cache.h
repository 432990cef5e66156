// WireCache: the wire form of messages the server holds in memory, so that a
// read answered from memory sends bytes serialized once per version of the
// message instead of copying the message into the response and serializing
// it on every call.
#ifndef JOBTRACK_SERVICES_COMMON_WIRE_CACHE_H_
#define JOBTRACK_SERVICES_COMMON_WIRE_CACHE_H_

#include <grpcpp/support/slice.h>

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/message.h"

namespace jobtrack {

// A message as a call answers it: the message itself (immutable, shared with
// whoever holds it; what the audit and the caller's role read) and its wire
// form, `message` serialized.
struct HeldWire {
  absl::string_view bytes() const {
    return absl::string_view(reinterpret_cast<const char*>(wire.begin()),
                             wire.size());
  }

  std::shared_ptr<const google::protobuf::Message> message;
  grpc::Slice wire;
};

// Holds, for each name asked for, the wire form of the last version of its
// message asked for. A version is one immutable message object: the held
// views give a changed resource a new object, so the object's identity
// tells whether the bytes are current. The cache keeps that object alive
// until the name's next version is asked for, so its address is never
// reused while cached. Memory: one message and its bytes per name asked
// for (the caller's names are bounded, e.g. the tracks). Thread-safe.
class WireCache {
 public:
  // `message` with its wire form: from the cache if `message` is the
  // version cached under `name`, else serialized now and cached.
  HeldWire Get(absl::string_view name,
               std::shared_ptr<const google::protobuf::Message> message)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Serializes `message` (not cached): for messages not held in memory.
  static HeldWire Serialize(
      std::shared_ptr<const google::protobuf::Message> message);

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, HeldWire> cached_ ABSL_GUARDED_BY(mu_);
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_WIRE_CACHE_H_

// StableHash64: a 64-bit hash of a string that is the same in every
// process, build and machine, for hashes that are stored (checkpoints).
// absl::Hash is not: it is seeded per process.
//
// FNV-1a over the bytes, then MurmurHash3's 64-bit finalizer so that names
// differing in their last bytes differ in every bit. Not for keys chosen by
// an adversary: for the server's own random resource ids.
#ifndef JOBTRACK_SERVICES_COMMON_STABLE_HASH_H_
#define JOBTRACK_SERVICES_COMMON_STABLE_HASH_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace jobtrack {

inline uint64_t StableHash64(absl::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325u;
  for (const char c : bytes) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3u;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdu;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53u;
  h ^= h >> 33;
  return h;
}

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_STABLE_HASH_H_

// Sha256: the SHA-256 digest of a byte string, through OpenSSL.
//
// OpenSSL 3's one-shot SHA256() looks the algorithm up in its provider
// registry on every call (EVP_MD_fetch, a locked table walk that cost more
// than the hashing itself on a record of a few hundred bytes); this fetches
// it once per process.
//
// Thread-safe. Never fails: if OpenSSL cannot provide SHA-256 the process
// aborts at the first call, as no etag or token check could be right.
#ifndef JOBTRACK_SERVICES_COMMON_SHA256_H_
#define JOBTRACK_SERVICES_COMMON_SHA256_H_

#include <string>

#include "absl/strings/string_view.h"

namespace jobtrack {

// The 32 raw bytes of SHA-256 over `bytes`.
std::string Sha256(absl::string_view bytes);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_SHA256_H_

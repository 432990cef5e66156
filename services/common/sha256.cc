#include "services/common/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>

#include "services/common/log.h"

namespace jobtrack {
namespace {

const EVP_MD* FetchedSha256() {
  // Fetched once and never freed: the digest is immutable and OpenSSL
  // allows one fetched EVP_MD to serve any number of threads.
  static const EVP_MD* const md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) {
      LogError("OpenSSL provides no SHA-256");
      std::abort();
    }
    return fetched;
  }();
  return md;
}

}  // namespace

std::string Sha256(absl::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &size, FetchedSha256(),
                 nullptr) != 1) {
    LogError("SHA-256 failed");
    std::abort();
  }
  return std::string(reinterpret_cast<const char*>(digest), size);
}

}  // namespace jobtrack

#include "services/common/pii_hasher.h"

#include <fcntl.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "services/common/secret_file.h"

namespace jobtrack {
namespace {
constexpr char kStoredHashPrefix[] = "hmac:";
}  // namespace

PiiHasher::PiiHasher(std::string key) : key_(std::move(key)) {}

absl::StatusOr<PiiHasher> PiiHasher::FromKeyFile(const std::string& path) {
  absl::StatusOr<std::string> key = ReadSecretFile(path, "key file");
  if (!key.ok()) return key.status();
  if (key->size() < 32) {
    return absl::FailedPreconditionError(
        absl::StrCat("key file ", path, " must hold at least 32 bytes"));
  }
  return PiiHasher(*std::move(key));
}

absl::StatusOr<PiiHasher> PiiHasher::FromKeyFileCreatingIfMissing(
    const std::string& path) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd >= 0) {
    unsigned char key[32];
    if (RAND_bytes(key, sizeof key) != 1) {
      close(fd);
      return absl::InternalError("no random bytes for the key");
    }
    const bool written =
        write(fd, key, sizeof key) == sizeof key && fsync(fd) == 0;
    close(fd);
    if (!written) {
      return absl::InternalError(absl::StrCat("cannot write key file ", path));
    }
  } else if (errno != EEXIST) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot create key file ", path, ": ", std::strerror(errno)));
  }
  return FromKeyFile(path);
}

std::string PiiHasher::Hash(absl::string_view purpose,
                            absl::string_view value) const {
  const std::string message = absl::StrCat(purpose, ":", value);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
       digest, &length);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), length));
}

std::string PiiHasher::StoredHash(absl::string_view purpose,
                                  absl::string_view value) const {
  return absl::StrCat(kStoredHashPrefix, Hash(purpose, value));
}

bool PiiHasher::IsStoredHash(absl::string_view stored) {
  return absl::StartsWith(stored, kStoredHashPrefix);
}

}  // namespace jobtrack

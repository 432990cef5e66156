// Keyed hashing of personal identifiers (personnummer, samordningsnummer, a
// sole trader's organisationsnummer), so they can be looked up and checked
// for duplicates without being stored in clear.
//
// HMAC-SHA256 with a server secret. Thread-safe; immutable after creation.
#ifndef JOBTRACK_SERVICES_COMMON_PII_HASHER_H_
#define JOBTRACK_SERVICES_COMMON_PII_HASHER_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace jobtrack {

class PiiHasher {
 public:
  // `key` must hold at least 32 bytes.
  explicit PiiHasher(std::string key);

  // Reads the key from a file that holds at least 32 bytes (raw or text).
  // FAILED_PRECONDITION if the file is readable by group or others.
  static absl::StatusOr<PiiHasher> FromKeyFile(const std::string& path);
  // Creates `path` with 32 random bytes (mode 0600) if it does not exist,
  // then reads it. For the local quick start.
  static absl::StatusOr<PiiHasher> FromKeyFileCreatingIfMissing(
      const std::string& path);

  // Lower-case hex HMAC-SHA256 of `value` under the key, domain-separated by
  // `purpose` (so the same digits hash differently as, say, an organisation
  // number and a personnummer).
  std::string Hash(absl::string_view purpose, absl::string_view value) const;

  // The form in which records keep a hashed identifier: "hmac:<hex>".
  std::string StoredHash(absl::string_view purpose,
                         absl::string_view value) const;
  // True if `stored` is in that form.
  static bool IsStoredHash(absl::string_view stored);

 private:
  std::string key_;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_PII_HASHER_H_

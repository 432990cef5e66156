// PrincipalRegistry: the callers the server knows, read from the
// principals file (services/security/principals.proto), and how a call
// proves which one it is.
//
// Contract:
// - Secrets: tokens are never stored, only their SHA-256; the file must not
//   be readable by group or others (FAILED_PRECONDITION otherwise), like
//   the PII key. No error message or log line contains a token.
// - Reload() re-reads the file (SIGHUP): a token removed from the file is
//   revoked from then on. A file that does not load leaves the current
//   principals in force and returns the error.
// - Authenticate: UNAUTHENTICATED when no credential is given, when it
//   matches no principal, or when the principal has expired (by the
//   injected clock).
// - Thread safety: all methods are safe to call from many threads.
#ifndef JOBTRACK_SERVICES_SECURITY_PRINCIPAL_REGISTRY_H_
#define JOBTRACK_SERVICES_SECURITY_PRINCIPAL_REGISTRY_H_

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/common/clock.h"
#include "services/common/principal.h"
#include "services/security/principals.pb.h"

namespace jobtrack {

class PrincipalRegistry {
 public:
  // Loads `path`. `clock` must outlive the registry.
  static absl::StatusOr<std::unique_ptr<PrincipalRegistry>> Load(
      std::string path, const Clock* clock);

  // Re-reads the file; see the contract.
  absl::Status Reload();

  // The principal that `bearer_token` (from the `authorization: Bearer`
  // header) or, failing that, `certificate_identity` (a verified client
  // certificate's common name) belongs to. Either may be empty.
  absl::StatusOr<std::shared_ptr<const Principal>> Authenticate(
      absl::string_view bearer_token,
      absl::string_view certificate_identity) const;

  // Lower-case hex SHA-256 of a token, as the file stores it.
  static std::string HashToken(absl::string_view token);
  // A new random token: 32 bytes from the OS, as 64 hex digits.
  static absl::StatusOr<std::string> NewToken();
  // Parses and checks a file's text. INVALID_ARGUMENT naming the entry and
  // field at fault.
  static absl::StatusOr<security::PrincipalsFile> Parse(absl::string_view text);

 private:
  struct Index {
    absl::flat_hash_map<std::string, std::shared_ptr<const Principal>>
        by_token_hash;
    absl::flat_hash_map<std::string, std::shared_ptr<const Principal>>
        by_certificate;
  };
  PrincipalRegistry(std::string path, const Clock* clock);
  static absl::StatusOr<std::shared_ptr<const Index>> Read(
      const std::string& path);

  const std::string path_;
  const Clock* const clock_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const Index> index_ ABSL_GUARDED_BY(mu_);
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_SECURITY_PRINCIPAL_REGISTRY_H_
